#pragma once

#include "base/result.h"
#include "kube/kubeconfig.h"

#include <functional>
#include <string>

namespace lanedeck::kube {

/// The proxy requests to one API server go through, or none, chosen as kubectl chooses (client-go on Go's
/// net/http): the cluster's proxy-url when it is set, whatever the environment says; otherwise HTTPS_PROXY
/// (HTTP_PROXY for an http:// server), upper case first, unless the server is localhost or a loopback address
/// or NO_PROXY matches it.
struct ProxyChoice
{
    std::string url;     ///< as configured; may hold user:password, never print it (redactProxyUrl)
    std::string origin;  ///< "proxy-url of cluster 'c' in /path/config", "HTTPS_PROXY in the environment"
    std::string curlUrl; ///< for CURLOPT_PROXY: port explicit, socks5 as socks5h (the proxy resolves names)
    bool tls = false;    ///< an https:// proxy: the client talks TLS to the proxy itself

    bool direct() const { return url.empty(); }
};

/// Reads one environment variable; empty when unset.
using EnvironmentLookup = std::function<std::string(const char *name)>;

/// The process environment.
std::string processEnvironment(const char *name);

/// Chooses the proxy for `cluster`'s server. Fails on a proxy URL that cannot be used, naming where it came
/// from (never quoting its password).
Result<ProxyChoice> chooseProxy(const ClusterConfig &cluster,
                                const EnvironmentLookup &environment = processEnvironment);

/// A proxy URL with its user:password replaced by "***", for messages.
std::string redactProxyUrl(const std::string &url);

} // namespace lanedeck::kube

#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "lanes/lanegroup.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lanedeck::kube {

/// Where the lane group's traffic enters the cluster: the ingress gateway's Service and the address to send
/// requests to, found the way an operator would look it up by hand, with the reasoning in words.
struct IngressAddress
{
    std::string url;     ///< "http://203.0.113.10/", with the ingress match's path
    std::string host;    ///< the Host header to send: the group's first non-wildcard host; empty: any host
    std::string service; ///< "<namespace>/<name>" of the gateway's Service
    bool byName = false; ///< the Service was taken by its name, no selector matched the Gateway's
    /// Where the address came from ("Service istio-system/istio-ingressgateway, selected like the Gateway
    /// istio-system/ingressgateway (istio=ingressgateway): load balancer IP 203.0.113.10, port 80 (http)").
    std::string origin;
    /// What the operator should know before trusting it: a cluster IP only reachable inside the cluster, a
    /// Service taken by name, other Services that match too, headers the ingress match requires.
    std::vector<std::string> warnings;

    friend bool operator==(const IngressAddress &, const IngressAddress &) = default;
};

/// Reads the group's ingress Gateway (networking.istio.io, the version the server prefers) and the Services
/// of its namespace, and picks the address with ingressAddress(). When no Service there has a selector that
/// matches the Gateway's, the Services of every namespace are read too (Istio applies a Gateway's selector to
/// gateway pods in any namespace); a refusal to list them is named in the error. Errors: the cluster serves
/// no Istio networking API, the Gateway does not exist, no Service fronts it, it has no address yet.
Result<IngressAddress> resolveIngress(Client &client, const Ingress &ingress);

/// The choice itself, on objects already read: `gateway` is the Gateway object, `services` the Services
/// read (those of the Gateway's namespace win). The Service: the one whose `spec.selector` matches the
/// Gateway's `spec.selector` (equal, or one within the other), by preference of type LoadBalancer, NodePort,
/// ClusterIP; else one named like the Gateway (<name> or istio-<name>), with a warning. Its address:
/// status.loadBalancer.ingress[0] (ip, else hostname), else spec.externalIPs[0], else an error for a pending
/// load balancer or a NodePort (whose node addresses LaneDeck does not know), else the cluster IP with a
/// warning. The port: one the Gateway serves HTTP on, else one named http/http2 (or with that appProtocol),
/// else 80; then the same for HTTPS and 443 (https://).
Result<IngressAddress> ingressAddress(const Ingress &ingress, const nlohmann::json &gateway,
                                      const std::vector<nlohmann::json> &services);

} // namespace lanedeck::kube

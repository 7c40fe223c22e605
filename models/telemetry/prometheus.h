#pragma once

#include "base/result.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lanedeck::kube {
class Client;
}

namespace lanedeck::telemetry {

/// Where a Prometheus server answers and how to authenticate to it. Holds secrets: never print it;
/// describe() says what it is without them.
struct PrometheusEndpoint
{
    std::string url;         ///< "http://prometheus.example:9090" (a path prefix is kept)
    std::string bearerToken; ///< sent as "Authorization: Bearer"
    std::string username;    ///< basic auth, with password
    std::string password;
    std::string caFile; ///< PEM bundle to verify an https server with (empty: the system's)
    bool insecureSkipTlsVerify = false;
    std::chrono::milliseconds timeout{10'000};
    std::chrono::milliseconds connectTimeout{3'000};

    /// "http://host:9090 (bearer token)": the URL without user info, and the kind of authentication.
    std::string describe() const;
};

/// One HTTP answer of the transport: a status and body, or a transport error (no status).
struct HttpAnswer
{
    long status = 0;
    std::string body;
    std::string contentType;
    std::string error; ///< connection refused, timeout, TLS... in words; empty when an answer came
};

/// Sends a GET of `pathAndQuery` ("/api/v1/query?query=...") to the Prometheus and returns the answer.
/// Called from one thread at a time.
using PrometheusTransport = std::function<HttpAnswer(const std::string &pathAndQuery)>;

/// Straight to a URL with libcurl, as LaneDeck talks to any server: TLS verified against the CA (or the
/// system's), optional bearer token or basic auth, the endpoint's timeouts.
PrometheusTransport directTransport(PrometheusEndpoint endpoint);

/// Through the Kubernetes API server's service proxy with the kubeconfig's credentials:
/// /api/v1/namespaces/NS/services/NAME:PORT/proxy/<path>. The client must outlive the transport.
PrometheusTransport serviceProxyTransport(kube::Client &client, std::string ns, std::string service,
                                          std::string port);

/// One series of an instant vector: its labels and value.
struct PromSample
{
    std::map<std::string, std::string> labels;
    double value = 0.0;
};

/// One series of a range query (a matrix): its labels and (unix seconds, value) points.
struct PromSeries
{
    std::map<std::string, std::string> labels;
    std::vector<std::pair<double, double>> points;
};

/// A Prometheus HTTP API client (/api/v1/query, /api/v1/query_range) over a transport. Every failure is an
/// Error that says where and what: unreachable, timed out, an error answer (Prometheus's errorType and
/// error), a body that is not Prometheus's JSON (a login page, a proxy's error page), a result of another
/// type than asked. Not thread-safe; one query at a time.
class PrometheusClient final
{
public:
    PrometheusClient(PrometheusTransport transport, std::string description);

    /// An instant query evaluated at `time` (unix seconds; empty: now). The result must be a vector.
    Result<std::vector<PromSample>> query(const std::string &expression, std::optional<double> time = {});
    /// An instant query of a range vector ("metric{...}[5m]") at `time`: each series' raw samples in the
    /// range. The result must be a matrix.
    Result<std::vector<PromSeries>> querySamples(const std::string &expression, double time);
    /// A range query from `start` to `end` every `step` seconds. The result must be a matrix.
    Result<std::vector<PromSeries>> queryRange(const std::string &expression, double start, double end,
                                               double step);

    /// What queries went where, for the status line: "http://host:9090 (no authentication)".
    const std::string &description() const { return m_description; }
    /// Queries sent so far.
    int queriesSent() const { return m_sent; }

private:
    PrometheusTransport m_transport;
    std::string m_description;
    int m_sent = 0;
};

/// The Prometheus of a cluster as discovery found it: a Service and its port.
struct PrometheusService
{
    std::string ns;
    std::string name;
    std::string port; ///< a number or a port name, as the service proxy takes it

    std::string ref() const { return ns + "/" + name + ":" + port; }
};

/// Parses "NS/NAME:PORT" (PORT a number or name).
Result<PrometheusService> parseServiceRef(const std::string &text);

/// Looks for the usual places: istio-system/prometheus, then a Service labelled app=prometheus or
/// app.kubernetes.io/name=prometheus in any namespace (the first by namespace and name). Its port: the one
/// named "http" or "web", else 9090 when offered, else the first.
Result<PrometheusService> discoverPrometheus(kube::Client &client);

} // namespace lanedeck::telemetry

#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace lanedeck::sandbox {

/// The Deployment name the sandbox gives the mock of a service at a version, as the seed names them
/// ("mocka-v2"): the `source_workload` / `destination_workload` of its metrics.
std::string workloadName(const std::string &service, const std::string &version);

/// The workload and namespace the sandbox's gateway reports as, as Istio's default ingress gateway does.
inline constexpr const char *kGatewayWorkload = "istio-ingressgateway";

/// One side of a request as an Istio proxy labels it.
struct Peer
{
    std::string workload; ///< "unknown" when the proxy did not reach a workload (Envoy's NR, UH, NC)
    std::string ns;
    std::string app;
    std::string version;
    std::string
        service; ///< the called service's host (destination only), e.g. mocka.default.svc.cluster.local
    std::string serviceName;
    std::string serviceNamespace;
};

/// Istio's standard request metrics, recorded as a sidecar or gateway records them: istio_requests_total
/// and istio_request_duration_milliseconds (a histogram with Istio's default buckets), labelled by
/// reporter, source and destination workload, destination service and version, response code and Envoy's
/// response flags. Thread-safe; render() gives the Prometheus text exposition format (version 0.0.4).
class IstioMetrics final
{
public:
    /// Istio's default bucket bounds for istio_request_duration_milliseconds.
    static constexpr std::array<double, 19> kBuckets = {0.5,   1,      5,      10,      25,     50,    100,
                                                        250,   500,    1000,   2500,    5000,   10000, 30000,
                                                        60000, 300000, 600000, 1800000, 3600000};

    /// `reporter` is "source" (the caller's proxy, or the gateway) or "destination" (the callee's sidecar).
    /// `flags` is Envoy's response flag ("-" when none).
    void record(const char *reporter, const Peer &source, const Peer &destination, int code,
                const std::string &flags, std::chrono::nanoseconds duration);

    std::string render() const;
    /// Forgets every series, as a restarted proxy does: counters start again from zero and a series shows up
    /// again only with its next request.
    void restart();

private:
    struct Series
    {
        unsigned long long count = 0;
        double sumMillis = 0.0;
        std::array<unsigned long long, kBuckets.size()> buckets{}; ///< per bucket, not cumulative
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Series> m_series; ///< by rendered label set
};

} // namespace lanedeck::sandbox

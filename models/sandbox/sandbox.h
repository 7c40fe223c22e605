#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lanedeck::sandbox {

struct SandboxOptions
{
    std::string address = "127.0.0.1"; ///< loopback only: the sandbox is not a server for others
    int gatewayPort = 0;               ///< 0: a free port
    /// Worker threads of the gateway; each mock gets a few more, so that every connection a busy gateway
    /// opens downstream finds a thread (cpp-httplib serves one keep-alive connection per thread).
    int gatewayThreads = 32;
    /// Non-zero: the gateway's weighted choices come from one generator seeded with this, so the lanes of the
    /// first N requests are reproducible whatever the thread timing (tests, demos). 0: random.
    std::uint64_t seed = 0;
    int metricsPort = 0; ///< where /metrics is served (Istio's metrics of every hop); 0: a free port
};

/// Counters of what the sandbox answered, for tests and the GUI's status line.
struct SandboxCounters
{
    unsigned long long gatewayRequests = 0;
    unsigned long long localReplies = 0; ///< 404/503 answered by a proxy without reaching a workload
    unsigned long long upstreamFailures = 0;
};

/// One running workload: a service at the version a lane deploys, and where it listens.
struct SandboxInstance
{
    std::string service;
    std::string version;
    int port = 0;
    std::string workload;                      ///< its Deployment name in metrics, workloadName()
    std::map<std::string, std::string> labels; ///< its pod labels (app, version, the lane's label)
};

/// A failure a workload injects on purpose, to show what a bad version does to a lane (and to test that a
/// rollout's gates catch it): a share of its requests answered with an HTTP 5xx, added latency, or both.
struct Fault
{
    double errorRate = 0.0; ///< 0..1: the share of requests answered with `status` instead of served
    int status = 503;       ///< 500..599
    std::chrono::milliseconds delay{0}; ///< added before every answer, failed or not

    bool active() const { return errorRate > 0.0 || delay.count() > 0; }
    friend bool operator==(const Fault &, const Fault &) = default;
};

/// A fault and the workload it applies to.
struct FaultSpec
{
    std::string service;
    std::string version;
    Fault fault;
};

/// Reads "SERVICE:VERSION:error=20%,latency=100ms[,status=500]" (error as a percentage or a fraction,
/// latency as 250ms or 1s; either may be left out, "none" clears). Errors say which part is wrong.
Result<FaultSpec> parseFaultSpec(const std::string &text);
/// "error=20% (503), latency=100ms", or "none".
std::string toString(const Fault &fault);

/// The lane group's mesh, live on loopback with no cluster: an asm-mock-like HTTP server per (service,
/// version) that some lane deploys, each calling its upstreams through an in-process "sidecar" that applies
/// the generated VirtualServices and DestinationRules as an Istio proxy would, and a gateway that applies the
/// ingress VirtualService. Routing comes from the resources it is given (asm or istio flavor), never from the
/// LaneGroup; the group only says which workloads exist and who calls whom.
///
/// Thread-safe: every method may be called from any thread. apply() swaps the routing configuration
/// atomically; requests already in flight finish with the configuration they started with (per hop).
class Sandbox final
{
public:
    explicit Sandbox(LaneGroup group, SandboxOptions options = {});
    ~Sandbox();
    Sandbox(const Sandbox &) = delete;
    Sandbox &operator=(const Sandbox &) = delete;

    /// Starts every server; returns once all accept connections. Fails if already running, if the resources
    /// cannot be run, or if a port cannot be bound (nothing is left running then).
    Result<void> start(const std::vector<mesh::Resource> &resources);
    /// Stops every server and joins every thread; in-flight requests are answered first. Idempotent.
    void stop();
    /// Replaces the routing configuration while running (or before start).
    Result<void> apply(const std::vector<mesh::Resource> &resources);

    bool isRunning() const;
    /// "http://127.0.0.1:<port>/", empty when not running.
    std::string gatewayUrl() const;
    int gatewayPort() const;
    /// "http://127.0.0.1:<port>/metrics": every hop's requests as Istio's proxies count them
    /// (istio_requests_total, istio_request_duration_milliseconds), in Prometheus's text format. Empty when
    /// not running. Counters start at zero with each start().
    std::string metricsUrl() const;
    int metricsPort() const;
    /// What /metrics serves now.
    std::string metricsText() const;
    /// Restarts every hop's counters from zero, as restarted Istio proxies do (a counter reset in
    /// Prometheus).
    void restartMetrics();
    std::vector<SandboxInstance> instances() const;
    SandboxCounters counters() const;

    /// Whether a service's workloads forward the incoming `baggage` header on their calls (on by default, as
    /// OpenTelemetry auto-instrumentation does). Off shows what the seed warns about: lanes stop propagating.
    void setBaggagePropagation(const std::string &service, bool enabled);

    /// Makes one workload fail on purpose from its next request on, while running or before start; a
    /// default Fault clears it. The failed answer still carries the workload's chain line, so the sampler
    /// can tell which lane it belonged to. Fails for a (service, version) the sandbox does not run.
    Result<void> setFault(const std::string &service, const std::string &version, const Fault &fault);
    /// The fault set on a workload (a default Fault when none, or when the workload is unknown).
    Fault fault(const std::string &service, const std::string &version) const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace lanedeck::sandbox

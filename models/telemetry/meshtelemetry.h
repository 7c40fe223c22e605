#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"
#include "telemetry/prometheus.h"
#include "traffic/summary.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lanedeck::kube {
struct Inventory;
}
namespace lanedeck::sandbox {
struct SandboxInstance;
}

namespace lanedeck::telemetry {

/// A workload as Istio's metrics name it: namespace and Deployment name.
using WorkloadId = std::pair<std::string, std::string>;

/// What a workload is in the lane group: which service it runs and which lane's label value it carries.
struct WorkloadRole
{
    std::string service;
    std::string lane; ///< the lane's name (empty: carries no lane's label value)
};

/// Which workload is which lane's, as the inventory tells (the pod template's value of each lane's label
/// key): works whatever the label key is. Workloads missing here are mapped by destination_version when
/// it equals a lane's label value (the shortcut), or not at all.
using WorkloadMap = std::map<WorkloadId, WorkloadRole>;

WorkloadMap workloadsFromInventory(const LaneGroup &group, const kube::Inventory &inventory);
WorkloadMap workloadsFromSandbox(const LaneGroup &group,
                                 const std::vector<sandbox::SandboxInstance> &instances);

/// Which time the numbers cover: the `window` before `end` (unix seconds; empty: now, a live view).
struct TelemetryWindow
{
    std::chrono::seconds window{300};
    std::optional<double> end;
    /// A live view whose newest sample is older than this is refused as stale rather than shown as live.
    std::chrono::seconds staleAfter{60};
};

/// One lane on one hop: the requests attributed to it and those that left it.
struct HopLane
{
    std::string name; ///< the lane's
    double requests = 0.0;
    double perSecond = 0.0;
    double errors = 0.0; ///< answered 4xx/5xx, or by the caller's proxy (no route, no upstream)
    double leaked = 0.0; ///< requests of the lane that reached a workload neither its own nor its fallback's
};

/// Requests between two workloads on a hop, and whether the lanes expect them.
struct WorkloadEdge
{
    std::string caller; ///< "ns/workload"; the ingress hop's caller is any workload outside the group
    std::string callee; ///< "ns/workload", or "unknown" for a local reply of the caller's proxy
    double requests = 0.0;
    double errors = 0.0;
    double expected = 0.0;   ///< what the lanes' split says should have gone this way
    bool unexpected = false; ///< no lane sends traffic this way
};

/// The caller a HopTraffic names for the gateway's hop into the entry service.
inline constexpr const char *kIngressCaller = "ingress";

/// One hop of the call graph: caller service -> callee service (kIngressCaller for the gateway's hop).
struct HopTraffic
{
    std::string caller;
    std::string callee;
    double requests = 0.0;
    double errors = 0.0;
    double leaked = 0.0;
    std::vector<HopLane> lanes; ///< the group's lanes, in order
    std::vector<WorkloadEdge> edges;
};

/// What the mesh's own telemetry says about the lane group over a window: the ingress split (as the
/// sampler's Summary, with the same verdict), per lane error rate and latency percentiles (from the
/// duration histogram), and each hop's requests per lane and leaks. `problems` explain what is missing or
/// doubtful; a `stale` view must not be shown as current.
struct MeshTelemetry
{
    double windowSeconds = 0.0;
    double end = 0.0;          ///< unix seconds the numbers end at
    bool stale = true;         ///< no sample near `end`: Prometheus stopped scraping the proxies, or has none
    double newestSample = 0.0; ///< unix seconds of the newest istio_requests_total sample
    traffic::Summary split;    ///< lanes' ingress requests (2xx..5xx), shares, verdict; latencies in µs
    std::vector<double> laneErrorRates; ///< by split.lanes index
    std::vector<HopTraffic> hops;
    double leaked = 0.0;
    std::vector<std::string> problems;
    std::vector<std::string> queries; ///< the PromQL that produced it, in order
    std::string source;               ///< Prometheus's description
};

/// The PromQL a refresh sends (few, aggregated on the server: never one per lane or service).
std::vector<std::string> telemetryQueries(const LaneGroup &group, const TelemetryWindow &window);

/// Queries Prometheus and maps the answers to lanes. Errors: Prometheus unreachable, slow, refusing, not
/// Prometheus, or without any Istio metrics for the group's namespaces; milder doubts (no lane workload in
/// the series, a stale newest sample, counter resets, lanes that cannot be told apart) are `problems`.
/// Counters that restarted within the window (a series that went down, or a difference below zero where a
/// proxy was replaced) are counted across the restart from their raw samples: two more queries, only then.
Result<MeshTelemetry> observe(PrometheusClient &client, const LaneGroup &group, const WorkloadMap &workloads,
                              const TelemetryWindow &window);

/// The mapping and arithmetic of observe() on answers already fetched (for tests and benchmarks): the rows
/// of the request query, the bucket query (both already counted across restarts, as observe() does), the
/// pairs whose counters restarted and the freshness query.
MeshTelemetry analyse(const LaneGroup &group, const WorkloadMap &workloads, const TelemetryWindow &window,
                      double end, const std::vector<PromSample> &requests,
                      const std::vector<PromSample> &buckets, const std::vector<PromSample> &resets,
                      const std::vector<PromSample> &freshness);

/// The view as JSON (with the queries) and as CSV (one row per lane, then one per hop and lane).
nlohmann::json toJson(const MeshTelemetry &view);
std::string toCsv(const MeshTelemetry &view);

} // namespace lanedeck::telemetry

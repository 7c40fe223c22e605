#pragma once

#include "graph/drawing.h"
#include "lanes/lanegroup.h"
#include "traffic/summary.h"

namespace lanedeck::telemetry {
struct MeshTelemetry;
}

namespace lanedeck::graph {

// The sources of the topology's live traffic, each turned into the one graph::Traffic the drawing reads. They
// live here, beside the drawing that consumes them, because data flows from the sources to the picture:
// models/graph reads traffic::Summary and telemetry::MeshTelemetry, and neither source knows about drawings.
// (All of models/ is one library, lanedeck_core, so this is a rule of the includes, not of link order.)

/// The traffic the sampler saw, per call and lane, for the topology's edges. The sampler sees responses at
/// the ingress only, so: each response of lane L walked L's path (every call on it carries L's responses per
/// second); a leaked chain (one that matches no lane's path) is charged to the lane whose versions it follows
/// longest, on the calls it took in that lane's path up to the call into its first wrong version, which is
/// marked leaking. Every service the chains name gets
/// its requests/s and error rate: a failed response that carries a chain (the sandbox's faults, asm-mock's
/// errors) failed at the chain's last workload; failures without one (refused, timed out, a proxy's own 503)
/// are charged to the entry service, the last place the sampler knows the request reached. Without chains
/// (classification by header) only the entry service has figures. The mesh's metrics see every call:
/// trafficFromTelemetry().
Traffic trafficFromSummary(const LaneGroup &group, const traffic::Summary &summary);

/// The traffic the mesh's own telemetry saw, per call and lane, for the topology's edges. Unlike the sampler,
/// Istio's proxies report every hop, so inner calls and inner services get figures of their own:
/// - each hop between two services puts, for each lane that used it, that lane's requests/s on the call's
/// edge:
///   the requests that reached the lane's expected workload plus those that left the lane there (they took
///   the call too), and marks it leaking when any did (the hop's HopLane::leaked > 0);
/// - the ingress hop (caller telemetry::kIngressCaller) draws no edge, as with the sampler: its requests
/// count at the entry
///   service's node;
/// - each service's node takes the requests of every hop into it, and as its error rate the failures that
///   started there: the failures of the hops into it less those its own calls answered with (a failure passed
///   back up the chain is counted once, where it began, as the sampler's chains place it). A service that
///   swallows a callee's failure, or retries it, reads a little low.
/// A stale view (no recent samples in Prometheus) gives an empty Traffic: the canvas clears rather than show
/// old numbers as current, the rule the telemetry panel follows. Hops naming services the group no longer has
/// are kept; the drawing shows only what it has boxes for.
Traffic trafficFromTelemetry(const telemetry::MeshTelemetry &view);

} // namespace lanedeck::graph

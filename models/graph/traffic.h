#pragma once

#include "graph/drawing.h"
#include "lanes/lanegroup.h"
#include "traffic/summary.h"

namespace lanedeck::graph {

/// The traffic the sampler saw, per call and lane, for the topology's edges. The sampler sees responses at
/// the ingress only, so: each response of lane L walked L's path (every call on it carries L's responses per
/// second); a leaked chain (one that matches no lane's path) is charged to the lane whose versions it follows
/// longest, on the calls it took in that lane's path up to the call into its first wrong version, which is
/// marked leaking. Every service the chains name gets
/// its requests/s and error rate: a failed response that carries a chain (the sandbox's faults, asm-mock's
/// errors) failed at the chain's last workload; failures without one (refused, timed out, a proxy's own 503)
/// are charged to the entry service, the last place the sampler knows the request reached. Without chains
/// (classification by header) only the entry service has figures. Mesh metrics, once read, fill the same
/// Traffic with per-call figures.
Traffic trafficFromSummary(const LaneGroup &group, const traffic::Summary &summary);

} // namespace lanedeck::graph

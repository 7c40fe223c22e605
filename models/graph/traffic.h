#pragma once

#include "graph/drawing.h"
#include "lanes/lanegroup.h"
#include "traffic/summary.h"

namespace lanedeck::graph {

/// The traffic the sampler saw, per call and lane, for the topology's edges. The sampler sees responses at
/// the ingress only, so: each response of lane L walked L's path (every call on it carries L's responses per
/// second); a leaked chain (one that matches no lane's path) is charged to the lane whose versions it follows
/// longest, and the call into its first wrong version is marked leaking; the error rate is known at the entry
/// service only. Mesh metrics, once read, fill the same Traffic with per-call figures.
Traffic trafficFromSummary(const LaneGroup &group, const traffic::Summary &summary);

} // namespace lanedeck::graph

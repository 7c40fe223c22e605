#pragma once

#include "lanes/lanegroup.h"

#include <string>
#include <vector>

namespace lanedeck {

/// One service a request reaches: which version serves it, and whether the lane lacked the service so the
/// request fell back to the baseline lane.
struct Hop
{
    /// "mockb v1" or "mockb v1 (fallback to s1)"
    std::string describe() const;

    std::string service;
    std::string version;   ///< the label value of the lane that serves this hop
    std::string servedBy;  ///< that lane's name
    bool fallback = false; ///< the request's lane lacks this service
    int depth = 0;         ///< 0 for the entry service, +1 per call

    friend bool operator==(const Hop &, const Hop &) = default;
};

/// The chain a request of one lane walks, in the order the services answer (depth-first, call order),
/// which is the order an asm-mock chain prints them.
struct LanePath
{
    std::string lane;
    std::vector<Hop> hops;

    /// "mocka v2 -> mockb v1 (fallback to s1) -> mockc v2"
    std::string describe() const;
    /// The path as a tree, one line per hop, each callee under its caller in call order:
    ///     web v1
    ///     ├─ cart v2
    ///     │  └─ db v1 (fallback to base)
    ///     └─ search v1 (fallback to base)
    std::vector<std::string> describeTree() const;
    /// For each hop, the index of the hop that called it (-1 for the entry service).
    std::vector<int> callers() const;

    friend bool operator==(const LanePath &, const LanePath &) = default;
};

/// The path of every lane, in lane order. The group must be valid (no unknown services, no cycles).
std::vector<LanePath> lanePaths(const LaneGroup &group);

} // namespace lanedeck

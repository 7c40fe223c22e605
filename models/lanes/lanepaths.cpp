#include "lanes/lanepaths.h"

namespace lanedeck {
namespace {

void walk(const LaneGroupIndex &group, const Lane &lane, const Lane &baseline, const Service &service,
          int depth, std::vector<Hop> &hops)
{
    const bool inLane = group.laneHas(lane, service.name);
    const Lane &serving = inLane ? lane : baseline;
    hops.push_back({service.name, serving.labelValue, serving.name, !inLane, depth});
    for (const auto &callee : service.calls) {
        if (const Service *next = group.service(callee); next && depth < 256) {
            walk(group, lane, baseline, *next, depth + 1, hops);
        }
    }
}

} // namespace

std::string Hop::describe() const
{
    std::string out = service + ' ' + version;
    if (fallback) {
        out += " (fallback to " + servedBy + ')';
    }
    return out;
}

std::string LanePath::describe() const
{
    std::string out;
    for (const auto &hop : hops) {
        if (!out.empty()) {
            out += " -> ";
        }
        out += hop.describe();
    }
    return out;
}

std::vector<int> LanePath::callers() const
{
    // The hops come depth-first, so a hop's caller is the nearest earlier hop one level up.
    std::vector<int> callers(hops.size(), -1);
    std::vector<int> lastAtDepth;
    for (std::size_t i = 0; i < hops.size(); ++i) {
        const auto depth = static_cast<std::size_t>(hops[i].depth);
        if (depth > 0 && depth <= lastAtDepth.size()) {
            callers[i] = lastAtDepth[depth - 1];
        }
        lastAtDepth.resize(depth + 1);
        lastAtDepth[depth] = static_cast<int>(i);
    }
    return callers;
}

std::vector<std::string> LanePath::describeTree() const
{
    // A hop is its caller's last callee when no later hop has the same caller.
    const std::vector<int> caller = callers();
    std::vector<bool> last(hops.size(), true);
    for (std::size_t i = 0; i < hops.size(); ++i) {
        for (std::size_t j = i + 1; j < hops.size() && hops[j].depth >= hops[i].depth; ++j) {
            if (hops[j].depth == hops[i].depth && caller[j] == caller[i]) {
                last[i] = false;
                break;
            }
        }
    }
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < hops.size(); ++i) {
        // Walk up the callers: each ancestor below the entry draws a rail while it has callees to come.
        std::string prefix = hops[i].depth > 0 ? (last[i] ? "└─ " : "├─ ") : "";
        for (int a = caller[i]; a >= 0 && hops[static_cast<std::size_t>(a)].depth > 0;
             a = caller[static_cast<std::size_t>(a)]) {
            prefix.insert(0, last[static_cast<std::size_t>(a)] ? "   " : "│  ");
        }
        lines.push_back(prefix + hops[i].describe());
    }
    return lines;
}

std::vector<LanePath> lanePaths(const LaneGroup &group)
{
    std::vector<LanePath> paths;
    const Lane *baseline = group.baselineLane();
    const Service *entry = group.service(group.ingress.entryService);
    if (!baseline || !entry) {
        return paths;
    }
    const LaneGroupIndex index(group);
    for (const auto &lane : group.lanes) {
        LanePath path{lane.name, {}};
        walk(index, lane, *baseline, *entry, 0, path.hops);
        paths.push_back(std::move(path));
    }
    return paths;
}

} // namespace lanedeck

#include "lanes/lanepaths.h"

namespace lanedeck {
namespace {

void walk(const LaneGroup &group, const Lane &lane, const Lane &baseline, const Service &service, int depth,
          std::vector<Hop> &hops)
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

std::string LanePath::describe() const
{
    std::string out;
    for (const auto &hop : hops) {
        if (!out.empty()) {
            out += " -> ";
        }
        out += hop.service + ' ' + hop.version;
        if (hop.fallback) {
            out += " (fallback to " + hop.servedBy + ')';
        }
    }
    return out;
}

std::vector<LanePath> lanePaths(const LaneGroup &group)
{
    std::vector<LanePath> paths;
    const Lane *baseline = group.baselineLane();
    const Service *entry = group.service(group.ingress.entryService);
    if (!baseline || !entry) {
        return paths;
    }
    for (const auto &lane : group.lanes) {
        LanePath path{lane.name, {}};
        walk(group, lane, *baseline, *entry, 0, path.hops);
        paths.push_back(std::move(path));
    }
    return paths;
}

} // namespace lanedeck

#include "graph/traffic.h"

#include "lanes/lanepaths.h"
#include "traffic/classifier.h"

#include <map>
#include <tuple>

namespace lanedeck::graph {

Traffic trafficFromSummary(const LaneGroup &group, const traffic::Summary &summary)
{
    Traffic out;
    if (summary.elapsedSeconds <= 0) {
        return out;
    }
    const auto paths = lanePaths(group);
    std::map<std::tuple<std::string, std::string, std::string>, EdgeTraffic> edges;
    const auto charge = [&](const LanePath &path, std::size_t hop, double perSecond, bool leaking) {
        const auto callers = path.callers();
        const int caller = callers[hop];
        if (caller < 0) {
            return;
        }
        const std::string &from = path.hops[static_cast<std::size_t>(caller)].service;
        const std::string &to = path.hops[hop].service;
        auto &edge = edges[{from, to, path.lane}];
        edge.from = from;
        edge.to = to;
        edge.lane = path.lane;
        edge.requestsPerSecond += perSecond;
        edge.leaking = edge.leaking || leaking;
    };
    for (const auto &lane : summary.lanes) {
        for (const auto &path : paths) {
            if (path.lane == lane.name && lane.count > 0) {
                for (std::size_t i = 0; i < path.hops.size(); ++i) {
                    charge(path, i, static_cast<double>(lane.count) / summary.elapsedSeconds, false);
                }
            }
        }
    }
    for (const auto &chain : summary.chains) {
        const auto hops = traffic::parseChain(chain.chain);
        if (!hops || hops->empty()) {
            continue;
        }
        // The lane path this chain follows longest, and where it first departs from it.
        const LanePath *best = nullptr;
        std::size_t bestDepart = 0;
        for (const auto &path : paths) {
            std::size_t i = 0;
            while (i < path.hops.size() && i < hops->size() && path.hops[i].service == (*hops)[i].service &&
                   path.hops[i].version == (*hops)[i].version) {
                ++i;
            }
            if (i == path.hops.size() && i == hops->size()) {
                best = nullptr; // a lane's own path: not a leak
                bestDepart = 0;
                break;
            }
            if (!best || i > bestDepart) {
                best = &path;
                bestDepart = i;
            }
        }
        if (best && bestDepart > 0 && bestDepart < best->hops.size()) {
            charge(*best, bestDepart, static_cast<double>(chain.count) / summary.elapsedSeconds, true);
        }
    }
    for (auto &[key, edge] : edges) {
        out.edges.push_back(std::move(edge));
    }
    if (summary.total > 0 && !group.ingress.entryService.empty()) {
        out.nodes.push_back({group.ingress.entryService,
                             static_cast<double>(summary.total) / summary.elapsedSeconds,
                             static_cast<double>(summary.errorCount()) / static_cast<double>(summary.total)});
    }
    return out;
}

} // namespace lanedeck::graph

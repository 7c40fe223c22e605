#include "graph/traffic.h"

#include "lanes/lanepaths.h"
#include "telemetry/meshtelemetry.h"
#include "traffic/classifier.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace lanedeck::graph {
namespace {

/// Requests and failures per service, from the chains the responses carried.
std::vector<NodeTraffic> nodeTraffic(const LaneGroup &group, const traffic::Summary &summary)
{
    std::map<std::string, std::pair<double, double>> seen; // service: requests, failures
    double failedWithChain = 0;
    const auto walk = [&](const traffic::ChainCount &chain, bool failed) {
        const auto hops = traffic::parseChain(chain.chain);
        if (!hops || hops->empty()) {
            return false;
        }
        const auto count = static_cast<double>(chain.count);
        for (const auto &hop : *hops) {
            seen[hop.service].first += count;
        }
        if (failed) {
            seen[hops->back().service].second += count;
        }
        return true;
    };
    for (const auto &chain : summary.chains) {
        walk(chain, false);
    }
    for (const auto &chain : summary.failedChains) {
        if (walk(chain, true)) {
            failedWithChain += static_cast<double>(chain.count);
        }
    }
    const std::string &entry = group.ingress.entryService;
    if (seen.empty()) {
        // No chains (header classification): the ingress's totals are all there is.
        seen[entry] = {static_cast<double>(summary.total), static_cast<double>(summary.errorCount())};
    } else {
        const double unplaced = std::max(0.0, static_cast<double>(summary.errorCount()) - failedWithChain);
        seen[entry].first += unplaced;
        seen[entry].second += unplaced;
    }
    std::vector<NodeTraffic> out;
    for (const auto &service : group.services) {
        const auto it = seen.find(service.name);
        if (it == seen.end() || it->second.first <= 0) {
            continue;
        }
        const auto [requests, failures] = it->second;
        out.push_back({service.name, requests / summary.elapsedSeconds, failures / requests});
    }
    return out;
}

} // namespace

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
            // The calls before the departure carried the requests in their lane; the departing one leaks.
            const double perSecond = static_cast<double>(chain.count) / summary.elapsedSeconds;
            for (std::size_t hop = 1; hop < bestDepart; ++hop) {
                charge(*best, hop, perSecond, false);
            }
            charge(*best, bestDepart, perSecond, true);
        }
    }
    for (auto &[key, edge] : edges) {
        out.edges.push_back(std::move(edge));
    }
    if (summary.total > 0) {
        out.nodes = nodeTraffic(group, summary);
    }
    return out;
}

Traffic trafficFromTelemetry(const telemetry::MeshTelemetry &view)
{
    Traffic out;
    if (view.stale || view.windowSeconds <= 0) {
        return out;
    }
    struct Seen
    {
        double requests = 0;
        double failedIn = 0;  ///< failures of the calls into the service
        double failedOut = 0; ///< failures its own calls answered with
    };
    std::vector<std::pair<std::string, Seen>> services; // in the order the hops name them (breadth first)
    std::unordered_map<std::string, std::size_t> index;
    const auto seen = [&](const std::string &service) -> Seen & {
        const auto [it, added] = index.try_emplace(service, services.size());
        if (added) {
            services.push_back({service, {}});
        }
        return services[it->second].second;
    };
    for (const auto &hop : view.hops) {
        Seen &callee = seen(hop.callee);
        callee.requests += hop.requests;
        callee.failedIn += hop.errors;
        if (hop.caller == telemetry::kIngressCaller) {
            continue; // the gateway's hop: no call edge, as with the sampler
        }
        seen(hop.caller).failedOut += hop.errors;
        for (const auto &lane : hop.lanes) {
            const double requests = lane.requests + lane.leaked;
            if (requests > 0) {
                out.edges.push_back(
                    {hop.caller, hop.callee, lane.name, requests / view.windowSeconds, lane.leaked > 0});
            }
        }
    }
    for (const auto &[service, figures] : services) {
        if (figures.requests > 0) {
            const double own = std::clamp(figures.failedIn - figures.failedOut, 0.0, figures.requests);
            out.nodes.push_back({service, figures.requests / view.windowSeconds, own / figures.requests});
        }
    }
    return out;
}

} // namespace lanedeck::graph

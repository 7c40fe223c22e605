#pragma once

// The generated lane group of the benchmarks: S services in a call chain across 10 namespaces, L lanes; the
// first lane holds every service, lane l every service s with (s + l) % 3 == 0; weights split evenly.

#include "lanes/lanegroup.h"

#include <string>

namespace lanedeck::bench {

inline LaneGroup syntheticGroup(int services, int lanes)
{
    LaneGroup group;
    group.name = "bench";
    group.ingress.entryService = "svc-0";
    for (int s = 0; s < services; ++s) {
        Service service;
        service.name = "svc-" + std::to_string(s);
        service.ns = "ns-" + std::to_string(s % 10);
        if (s + 1 < services) {
            service.calls.push_back("svc-" + std::to_string(s + 1));
        }
        group.services.push_back(service);
    }
    for (int l = 0; l < lanes; ++l) {
        Lane lane;
        lane.name = "lane-" + std::to_string(l);
        lane.labelValue = "v" + std::to_string(l);
        lane.weight = 100 / lanes + (l < 100 % lanes ? 1 : 0);
        for (int s = 0; s < services; ++s) {
            if (l == 0 || (s + l) % 3 == 0) {
                lane.services.push_back("svc-" + std::to_string(s));
            }
        }
        group.lanes.push_back(lane);
    }
    return group;
}

} // namespace lanedeck::bench

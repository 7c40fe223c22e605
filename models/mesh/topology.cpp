#include "mesh/topology.h"

#include <nlohmann/json.hpp>

namespace lanedeck::mesh {

std::string topologyAnnotation(const LaneGroup &group)
{
    nlohmann::ordered_json services = nlohmann::ordered_json::array();
    for (const auto &s : group.services) {
        nlohmann::ordered_json service{
            {"name", s.name}, {"namespace", s.ns}, {"port", s.port}, {"calls", s.calls}};
        if (!s.adopted.empty()) {
            // Import rebuilds the adopted settings from here, with where they came from.
            service["adopted"] = {
                {"from", s.adopted.from},
                {"route", nlohmann::ordered_json::parse(s.adopted.route.dump())},
                {"trafficPolicy", nlohmann::ordered_json::parse(s.adopted.trafficPolicy.dump())}};
        }
        services.push_back(service);
    }
    nlohmann::ordered_json topology{{"mode", toString(group.mode)},
                                    {"passThrough", toString(group.passThrough)}};
    if (!group.traceHeader.empty()) {
        topology["traceHeader"] = group.traceHeader;
    }
    topology["services"] = services;
    return topology.dump();
}

Result<void> applyTopologyAnnotation(const std::string &annotation, LaneGroup &group)
{
    try {
        const auto topology = nlohmann::json::parse(annotation);
        const std::string mode = topology.at("mode").get<std::string>();
        if (mode != "strict" && mode != "permissive") {
            return Error{"topology annotation: unknown mode '" + mode + "'"};
        }
        group.mode = mode == "strict" ? LaneMode::Strict : LaneMode::Permissive;
        const std::string pass = topology.at("passThrough").get<std::string>();
        if (pass == "baggage") {
            group.passThrough = PassThrough::Baggage;
        } else if (pass == "traceId") {
            group.passThrough = PassThrough::TraceId;
        } else if (pass == "custom") {
            group.passThrough = PassThrough::Custom;
        } else {
            return Error{"topology annotation: unknown passThrough '" + pass + "'"};
        }
        group.traceHeader = topology.value("traceHeader", std::string());
        group.services.clear();
        for (const auto &s : topology.at("services")) {
            Service service;
            service.name = s.at("name").get<std::string>();
            service.ns = s.at("namespace").get<std::string>();
            service.port = s.at("port").get<int>();
            service.calls = s.at("calls").get<std::vector<std::string>>();
            if (s.contains("adopted")) {
                const auto &adopted = s.at("adopted");
                service.adopted.from = adopted.at("from").get<std::vector<std::string>>();
                service.adopted.route = adopted.at("route");
                service.adopted.trafficPolicy = adopted.at("trafficPolicy");
            }
            group.services.push_back(std::move(service));
        }
        return {};
    } catch (const nlohmann::json::exception &e) {
        return Error{std::string("topology annotation is not what LaneDeck wrote: ") + e.what()};
    }
}

} // namespace lanedeck::mesh

#include "mesh/render.h"

#include "lanes/validation.h"
#include "mesh/naming.h"
#include "mesh/resource.h"
#include "mesh/topology.h"

namespace lanedeck::mesh {
namespace {

using nlohmann::json;

/// Builds the resources of one rendering; one method per resource kind, shared by the flavors.
class Generator
{
public:
    Generator(const LaneGroup &group, const RenderOptions &options)
        : m_group(group), m_index(group), m_flavor(options.flavor),
          m_version(options.istioVersion.value_or(defaultIstioVersion(options.flavor))),
          m_baseline(*group.baselineLane())
    {}

    Result<Rendered> run()
    {
        if (m_flavor == Flavor::AsmCrd) {
            for (const auto &service : m_group.services) {
                if (!service.adopted.route.empty() || !service.adopted.trafficPolicy.empty()) {
                    m_out.notes.push_back("asm-crd: ASM generates " + service.name +
                                          "'s rules itself, without the settings adopted for it; render "
                                          "--flavor asm or istio to keep them");
                }
            }
            laneCrds();
            return std::move(m_out);
        }
        if (m_group.passThrough == PassThrough::TraceId) {
            if (m_flavor == Flavor::Istio) {
                return Error{
                    "open-source Istio cannot map a trace id to a lane (ASM bridges it with a TrafficLabel "
                    "resource): choose passThrough baggage or custom, or render --flavor asm-crd"};
            }
            m_out.notes.push_back("passThrough traceId: ASM bridges '" + m_group.traceHeader +
                                  "' to lanes itself; these resources route on '" + m_group.routingHeader +
                                  "' only. Render --flavor asm-crd to have ASM configure the bridge.");
        }
        for (const auto &service : m_group.services) {
            m_out.resources.push_back({destinationRule(service)});
            m_out.resources.push_back({virtualService(service)});
        }
        m_out.resources.push_back({ingressVirtualService()});
        if (m_flavor == Flavor::Asm && m_group.passThrough == PassThrough::Baggage) {
            m_out.resources.push_back({headerPropagation()});
        }
        return std::move(m_out);
    }

private:
    std::string istioApiVersion() const { return std::string(kIstioGroup) + '/' + toString(m_version); }

    json metadata(const std::string &name, const std::string &ns) const
    {
        const auto labels = m_flavor == Flavor::Istio ? istioLabels(m_group) : asmLabels(m_group);
        json meta{{"labels", labels}, {"name", name}};
        if (!ns.empty()) {
            meta["namespace"] = ns;
        }
        return meta;
    }

    /// The subset a lane's traffic for `service` is sent to on a mesh without fallback.
    const Lane &resolvedLane(const Lane &lane, const Service &service) const
    {
        return m_index.laneHas(lane, service.name) ? lane : m_baseline;
    }

    json destination(const Service &service, const Lane &lane) const
    {
        const std::string host = serviceHost(service);
        if (m_flavor == Flavor::Istio) {
            return {{"destination", {{"host", host}, {"subset", resolvedLane(lane, service).name}}}};
        }
        return {{"destination", {{"host", host}, {"subset", lane.name}}},
                {"fallback", {{"target", {{"host", host}, {"subset", m_baseline.name}}}}}};
    }

    json headerMatch(const std::string &header, const std::string &kind, const std::string &value) const
    {
        return {{"headers", {{header, {{kind, value}}}}}};
    }

    json destinationRule(const Service &service) const
    {
        json subsets = json::array();
        for (const auto &lane : m_group.lanes) {
            if (m_index.laneHas(lane, service.name)) {
                subsets.push_back({{"labels", {{lane.labelKey, lane.labelValue}}}, {"name", lane.name}});
            }
        }
        json spec{{"host", serviceHost(service)}, {"subsets", subsets}};
        if (!service.adopted.trafficPolicy.empty()) {
            spec["trafficPolicy"] = service.adopted.trafficPolicy;
        }
        return {{"apiVersion", istioApiVersion()},
                {"kind", "DestinationRule"},
                {"metadata", metadata(destinationRuleName(m_group, service), m_group.ns)},
                {"spec", spec}};
    }

    /// A rule of the service's VirtualService with the settings adopted from the objects it replaces.
    static json withAdoptedRoute(json rule, const Service &service)
    {
        for (const auto &[key, value] : service.adopted.route.items()) {
            rule[key] = value;
        }
        return rule;
    }

    /// The per-service rules: one per lane matching the routing header (asm, as the seed shows); the istio
    /// flavor also matches the lane from what the applications propagate, names its rules, and sends
    /// requests without a lane to the baseline.
    json virtualService(const Service &service) const
    {
        json http = json::array();
        for (const auto &lane : m_group.lanes) {
            json match = json::array({headerMatch(m_group.routingHeader, "exact", lane.name)});
            json rule;
            if (m_flavor == Flavor::Istio) {
                if (m_group.passThrough == PassThrough::Baggage) {
                    match.push_back(
                        headerMatch(kBaggageHeader, "regex", baggageLaneRegex(m_group, lane.name)));
                } else if (m_group.passThrough == PassThrough::Custom &&
                           m_group.traceHeader != m_group.routingHeader) {
                    match.push_back(headerMatch(m_group.traceHeader, "exact", lane.name));
                }
                rule["name"] = lane.name;
            }
            rule["match"] = match;
            rule["route"] = json::array({destination(service, lane)});
            http.push_back(withAdoptedRoute(rule, service));
        }
        if (m_flavor == Flavor::Istio) {
            http.push_back(withAdoptedRoute(
                {{"name", "default"}, {"route", json::array({destination(service, m_baseline)})}}, service));
        }
        return {{"apiVersion", istioApiVersion()},
                {"kind", "VirtualService"},
                {"metadata", metadata(virtualServiceName(m_group, service), m_group.ns)},
                {"spec", {{"hosts", json::array({serviceHost(service)})}, {"http", http}}}};
    }

    json stringMatch(const StringMatch &m) const { return {{toString(m.kind), m.value}}; }

    /// The ingress request match, optionally also requiring the routing header to name `forcedLane`.
    json ingressMatch(const std::string &forcedLane) const
    {
        json match{{"uri", stringMatch(m_group.ingress.uri)}};
        json headers = json::object();
        for (const auto &h : m_group.ingress.headers) {
            headers[h.name] = stringMatch(h.match);
        }
        if (!forcedLane.empty()) {
            headers[m_group.routingHeader] = {{"exact", forcedLane}};
        }
        if (!headers.empty()) {
            match["headers"] = headers;
        }
        return json::array({match});
    }

    /// What the gateway sets on a request it sends into `lane`: the routing header, and the lane in the
    /// context the applications pass through.
    json laneHeaders(const Lane &lane) const
    {
        json set{{m_group.routingHeader, lane.name}};
        if (m_group.passThrough == PassThrough::Baggage) {
            set[kBaggageHeader] = baggageMemberKey(m_group) + '=' + lane.name;
        } else if (m_group.passThrough == PassThrough::Custom) {
            set[m_group.traceHeader] = lane.name;
        }
        return {{"request", {{"set", set}}}};
    }

    json ingressRoute(const Lane &lane, std::optional<int> weight) const
    {
        json route = destination(*m_index.service(m_group.ingress.entryService), lane);
        route["headers"] = laneHeaders(lane);
        if (weight) {
            route["weight"] = *weight;
        }
        return route;
    }

    /// First a rule per lane for requests that already name their lane (a forced lane), then the
    /// weighted split for everything else.
    json ingressVirtualService() const
    {
        json http = json::array();
        for (const auto &lane : m_group.lanes) {
            http.push_back({{"match", ingressMatch(lane.name)},
                            {"name", m_group.name + '-' + lane.name + "-forced"},
                            {"route", json::array({ingressRoute(lane, std::nullopt)})}});
        }
        json weighted = json::array();
        for (const auto &lane : m_group.lanes) {
            if (lane.weight > 0) {
                weighted.push_back(ingressRoute(lane, lane.weight));
            }
        }
        http.push_back(
            {{"match", ingressMatch({})}, {"name", m_group.name + "-weighted"}, {"route", weighted}});
        json meta = metadata(ingressVirtualServiceName(m_group), m_group.ns);
        meta["annotations"] = {{kTopologyAnnotation, topologyAnnotation(m_group)}};
        return {{"apiVersion", istioApiVersion()},
                {"kind", "VirtualService"},
                {"metadata", meta},
                {"spec",
                 {{"gateways", json::array({gatewayRef(m_group)})},
                  {"hosts", m_group.ingress.hosts},
                  {"http", http}}}};
    }

    json headerPropagation() const
    {
        return {{"apiVersion", kAsmHeaderPropagationApiVersion},
                {"kind", "ASMHeaderPropagation"},
                {"metadata", metadata(headerPropagationName(m_group), m_group.ns)},
                {"spec", {{"headers", json::array({m_group.routingHeader})}}}};
    }

    json serviceRefs(const std::vector<std::string> &names) const
    {
        json refs = json::array();
        for (const auto &name : names) {
            const Service &s = *m_index.service(name);
            refs.push_back({{"name", s.name}, {"namespace", s.ns}});
        }
        return refs;
    }

    void laneCrds()
    {
        std::vector<std::string> all;
        for (const auto &s : m_group.services) {
            all.push_back(s.name);
        }
        json requestMatch{{"uri", stringMatch(m_group.ingress.uri)}};
        if (!m_group.ingress.headers.empty()) {
            json headers = json::object();
            for (const auto &h : m_group.ingress.headers) {
                headers[h.name] = stringMatch(h.match);
            }
            requestMatch["headers"] = headers;
        }
        json spec{
            {"ingress",
             {{"gateway",
               {{"name", m_group.ingress.gatewayName},
                {"namespace", m_group.ingress.gatewayNamespace},
                {"type", "ASM"}}},
              {"ingressRouting",
               {{"ingressRoutingStrategy", "weighted"},
                {"weightedRoutingRule",
                 {{"hosts", m_group.ingress.hosts}, {"requestMatches", json::array({requestMatch})}}}}}}},
            {"isPermissive", m_group.mode == LaneMode::Permissive},
            {"services", serviceRefs(all)}};
        if (m_group.mode == LaneMode::Permissive) {
            spec["permissiveModeConfiguration"] = {{"fallbackTarget", m_baseline.name},
                                                   {"routeHeader", m_group.routingHeader},
                                                   {"traceHeader", m_group.passThrough == PassThrough::Baggage
                                                                       ? std::string(kBaggageHeader)
                                                                       : m_group.traceHeader}};
        }
        json groupMeta{{"annotations", {{kTopologyAnnotation, topologyAnnotation(m_group)}}},
                       {"name", m_group.name}};
        m_out.resources.push_back({json{{"apiVersion", kAsmLaneApiVersion},
                                        {"kind", "ASMSwimLaneGroup"},
                                        {"metadata", groupMeta},
                                        {"spec", spec}}});
        const Service &entry = *m_index.service(m_group.ingress.entryService);
        for (const auto &lane : m_group.lanes) {
            json laneSpec{{"labelSelector", {{lane.labelKey, lane.labelValue}}},
                          {"services", serviceRefs(lane.services)},
                          {"ingressWeight",
                           {{"destination", {{"host", serviceHost(entry)}, {"portNum", entry.port}}},
                            {"weight", lane.weight}}}};
            m_out.resources.push_back(
                {json{{"apiVersion", kAsmLaneApiVersion},
                      {"kind", "ASMSwimLane"},
                      {"metadata",
                       {{"labels", {{kGroupLabel, m_group.name}}}, {"name", swimLaneName(m_group, lane)}}},
                      {"spec", laneSpec}}});
        }
    }

    const LaneGroup &m_group;
    const LaneGroupIndex m_index;
    Flavor m_flavor;
    IstioVersion m_version;
    const Lane &m_baseline;
    Rendered m_out;
};

} // namespace

Result<Rendered> render(const LaneGroup &group, const RenderOptions &options)
{
    if (const auto problems = validate(group); !problems.empty()) {
        std::string message = "the lane group has " + std::to_string(problems.size()) + " problem(s):";
        for (const auto &p : problems) {
            message += "\n  " + p.toString();
        }
        return Error{message};
    }
    return Generator(group, options).run();
}

} // namespace lanedeck::mesh

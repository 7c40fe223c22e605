#include "mesh/naming.h"

#include <re2/re2.h>

namespace lanedeck::mesh {

std::string serviceHost(const Service &service)
{
    return service.name + '.' + service.ns + ".svc.cluster.local";
}

std::string destinationRuleName(const LaneGroup &group, const Service &service)
{
    return "trafficlabel-dr-" + group.name + '-' + service.ns + '-' + service.name;
}

std::string virtualServiceName(const LaneGroup &group, const Service &service)
{
    return "trafficlabel-vs-" + group.name + '-' + service.ns + '-' + service.name;
}

std::string ingressVirtualServiceName(const LaneGroup &group)
{
    return "trafficlabel-ingress-vs-" + group.name;
}

std::string headerPropagationName(const LaneGroup &group)
{
    return "trafficlabel-hp-" + group.name;
}

std::string swimLaneName(const LaneGroup &group, const Lane &lane)
{
    return group.name + '-' + lane.name;
}

std::string baggageMemberKey(const LaneGroup &group)
{
    return group.routingHeader;
}

std::string baggageLaneRegex(const LaneGroup &group, const std::string &lane)
{
    // W3C baggage: members "key=value;property" separated by commas, optional whitespace (OWS) around
    // every token. Envoy's safe_regex is a full match, so the regex spans the whole header value.
    const std::string ows = "[ \\t]*";
    return "(.*,)?" + ows + RE2::QuoteMeta(baggageMemberKey(group)) + ows + '=' + ows + RE2::QuoteMeta(lane) +
           ows + "(;[^,]*)?(,.*)?";
}

std::map<std::string, std::string> asmLabels(const LaneGroup &group)
{
    return {{"asm-system", "true"}, {"provider", "asm"}, {kGroupLabel, group.name}};
}

std::map<std::string, std::string> istioLabels(const LaneGroup &group)
{
    return {{"app.kubernetes.io/managed-by", "lanedeck"}, {kGroupLabel, group.name}};
}

std::string gatewayRef(const LaneGroup &group)
{
    return group.ingress.gatewayNamespace + '/' + group.ingress.gatewayName;
}

} // namespace lanedeck::mesh

#include "kube/importer.h"

#include "kube/discovery.h"
#include "kube/push.h"
#include "mesh/naming.h"
#include "mesh/topology.h"

#include <algorithm>

namespace lanedeck::kube {
namespace {

using nlohmann::json;

const json *find(const std::vector<json> &objects, const std::string &kind, const std::string &name)
{
    for (const auto &o : objects) {
        if (o.value("kind", "") == kind && metadataOf(o).value("name", "") == name) {
            return &o;
        }
    }
    return nullptr;
}

Result<StringMatch> stringMatch(const json &m, const std::string &field)
{
    if (!m.is_object() || m.size() != 1) {
        return Error{field + ": expected one of exact, prefix, regex"};
    }
    StringMatch out;
    const std::string kind = m.begin().key();
    if (kind == "exact") {
        out.kind = StringMatch::Kind::Exact;
    } else if (kind == "prefix") {
        out.kind = StringMatch::Kind::Prefix;
    } else if (kind == "regex") {
        out.kind = StringMatch::Kind::Regex;
    } else {
        return Error{field + ": unknown match '" + kind + "'"};
    }
    out.value = m.begin().value().get<std::string>();
    return out;
}

std::string annotation(const json &object)
{
    return metadataOf(object).value("annotations", json::object()).value(mesh::kTopologyAnnotation, "");
}

/// Ingress gateway, hosts and request match, shared by the VirtualService and ASMSwimLaneGroup forms.
Result<void> readIngressMatch(const json &match, const std::string &field, const std::string &routingHeader,
                              LaneGroup &g)
{
    if (match.contains("uri")) {
        auto uri = stringMatch(match["uri"], field + ".uri");
        if (!uri) {
            return uri.error();
        }
        g.ingress.uri = *uri;
    }
    g.ingress.headers.clear();
    const json headers = match.value("headers", json::object());
    for (const auto &[header, m] : headers.items()) {
        if (header == routingHeader) {
            continue;
        }
        auto sm = stringMatch(m, field + ".headers." + header);
        if (!sm) {
            return sm.error();
        }
        g.ingress.headers.push_back({header, *sm});
    }
    return {};
}

Result<ImportedGroup> rebuildIstio(ImportedGroup out, const json &ingress, const std::vector<json> &objects)
{
    LaneGroup &g = out.group;
    const std::string where = mesh::Resource{ingress}.displayName();
    if (auto ok = mesh::applyTopologyAnnotation(annotation(ingress), g); !ok) {
        return Error{where + ": " + ok.error().message};
    }
    try {
        const json &spec = ingress.at("spec");
        const std::string gateway = spec.at("gateways").at(0).get<std::string>();
        const auto slash = gateway.find('/');
        g.ingress.gatewayNamespace = slash == std::string::npos ? out.group.ns : gateway.substr(0, slash);
        g.ingress.gatewayName = slash == std::string::npos ? gateway : gateway.substr(slash + 1);
        g.ingress.hosts = spec.at("hosts").get<std::vector<std::string>>();

        // The per-service VirtualServices match the lane on the routing header alone (first match entry).
        for (const auto &s : g.services) {
            if (const json *vs = find(objects, "VirtualService", mesh::virtualServiceName(g, s))) {
                const json headers = vs->at("spec").at("http").at(0).at("match").at(0).at("headers");
                g.routingHeader = headers.begin().key();
                break;
            }
        }
        const json &http = spec.at("http");
        const std::string forcedPrefix = g.name + '-';
        const std::string forcedSuffix = "-forced";
        std::vector<std::string> laneOrder;
        for (const auto &rule : http) {
            const std::string rn = rule.value("name", "");
            if (rn.size() > forcedPrefix.size() + forcedSuffix.size() && rn.starts_with(forcedPrefix) &&
                rn.ends_with(forcedSuffix)) {
                laneOrder.push_back(
                    rn.substr(forcedPrefix.size(), rn.size() - forcedPrefix.size() - forcedSuffix.size()));
            }
        }
        const json &weighted = http.back();
        if (auto ok = readIngressMatch(weighted.at("match").at(0), where + ": spec.http[-1].match[0]",
                                       g.routingHeader, g);
            !ok) {
            return ok.error();
        }
        std::map<std::string, int> weights;
        for (const auto &route : weighted.value("route", json::array())) {
            const std::string lane =
                route.at("headers").at("request").at("set").at(g.routingHeader).get<std::string>();
            weights[lane] = route.value("weight", 0);
            const std::string host = route.at("destination").at("host").get<std::string>();
            for (const auto &s : g.services) {
                if (mesh::serviceHost(s) == host) {
                    g.ingress.entryService = s.name;
                }
            }
        }
        if (g.ingress.entryService.empty() && !http.empty()) {
            const std::string host =
                http.at(0).at("route").at(0).at("destination").at("host").get<std::string>();
            for (const auto &s : g.services) {
                if (mesh::serviceHost(s) == host) {
                    g.ingress.entryService = s.name;
                }
            }
        }

        g.lanes.clear();
        for (const auto &laneName : laneOrder) {
            Lane lane;
            lane.name = laneName;
            lane.weight = weights.count(laneName) ? weights[laneName] : 0;
            for (const auto &s : g.services) {
                const json *dr = find(objects, "DestinationRule", mesh::destinationRuleName(g, s));
                if (!dr) {
                    continue;
                }
                for (const auto &subset : dr->at("spec").value("subsets", json::array())) {
                    if (subset.value("name", "") == laneName) {
                        const json &labels = subset.at("labels");
                        lane.labelKey = labels.begin().key();
                        lane.labelValue = labels.begin().value().get<std::string>();
                        lane.services.push_back(s.name);
                    }
                }
            }
            g.lanes.push_back(std::move(lane));
        }

        // The baseline: where ASM falls back to, or where the istio flavor sends requests without a lane.
        std::string baseline;
        for (const auto &s : g.services) {
            const json *vs = find(objects, "VirtualService", mesh::virtualServiceName(g, s));
            if (!vs) {
                out.notes.push_back("VirtualService " + mesh::virtualServiceName(g, s) + " is missing");
                continue;
            }
            const json &rules = vs->at("spec").at("http");
            if (out.flavor == mesh::Flavor::Asm) {
                baseline =
                    rules.at(0).at("route").at(0).at("fallback").at("target").at("subset").get<std::string>();
            } else {
                baseline = rules.back().at("route").at(0).at("destination").at("subset").get<std::string>();
            }
            break;
        }
        g.baseline = !g.lanes.empty() && baseline == g.lanes.front().name ? std::string() : baseline;
    } catch (const json::exception &e) {
        return Error{where + ": not in the shape LaneDeck writes (" + e.what() + ")"};
    }
    return out;
}

Result<ImportedGroup> rebuildAsmCrd(ImportedGroup out, const json &laneGroup,
                                    const std::vector<json> &objects)
{
    LaneGroup &g = out.group;
    const std::string where = "ASMSwimLaneGroup " + g.name;
    if (auto ok = mesh::applyTopologyAnnotation(annotation(laneGroup), g); !ok) {
        return Error{where + ": " + ok.error().message};
    }
    try {
        const json &spec = laneGroup.at("spec");
        const json &gw = spec.at("ingress").at("gateway");
        g.ingress.gatewayName = gw.at("name").get<std::string>();
        g.ingress.gatewayNamespace = gw.at("namespace").get<std::string>();
        const json &rule = spec.at("ingress").at("ingressRouting").at("weightedRoutingRule");
        g.ingress.hosts = rule.at("hosts").get<std::vector<std::string>>();
        std::string fallback;
        if (spec.contains("permissiveModeConfiguration")) {
            const json &p = spec["permissiveModeConfiguration"];
            g.routingHeader = p.value("routeHeader", g.routingHeader);
            fallback = p.value("fallbackTarget", "");
        } else {
            out.notes.push_back(
                "strict mode: ASMSwimLaneGroup does not record the routing header; kept the default");
        }
        if (auto ok = readIngressMatch(rule.at("requestMatches").at(0), where + ": requestMatches[0]", {}, g);
            !ok) {
            return ok.error();
        }
        g.lanes.clear();
        std::vector<const json *> lanes;
        for (const auto &o : objects) {
            if (o.value("kind", "") == "ASMSwimLane") {
                lanes.push_back(&o);
            }
        }
        std::sort(lanes.begin(), lanes.end(), [](const json *a, const json *b) {
            return metadataOf(*a).value("name", "") < metadataOf(*b).value("name", "");
        });
        for (const json *o : lanes) {
            const std::string objectName = metadataOf(*o).value("name", "");
            Lane lane;
            lane.name =
                objectName.starts_with(g.name + '-') ? objectName.substr(g.name.size() + 1) : objectName;
            const json &ls = o->at("spec");
            const json &selector = ls.at("labelSelector");
            lane.labelKey = selector.begin().key();
            lane.labelValue = selector.begin().value().get<std::string>();
            for (const auto &ref : ls.value("services", json::array())) {
                lane.services.push_back(ref.at("name").get<std::string>());
            }
            const json &iw = ls.at("ingressWeight");
            lane.weight = iw.value("weight", 0);
            const std::string host = iw.at("destination").at("host").get<std::string>();
            for (const auto &s : g.services) {
                if (mesh::serviceHost(s) == host) {
                    g.ingress.entryService = s.name;
                }
            }
            g.lanes.push_back(std::move(lane));
        }
        if (fallback.empty() && !g.lanes.empty()) {
            fallback = g.lanes.front().name;
        }
        g.baseline = !g.lanes.empty() && fallback == g.lanes.front().name ? std::string() : fallback;
    } catch (const json::exception &e) {
        return Error{where + ": not in the shape LaneDeck writes (" + e.what() + ")"};
    }
    out.notes.push_back("asm-crd: the lane order is not recorded in the cluster; lanes are listed by name");
    return out;
}

} // namespace

Result<ImportedGroup> rebuildGroup(const std::string &name, const std::string &ns,
                                   const std::vector<json> &objects)
{
    ImportedGroup out;
    out.group.name = name;
    out.group.ns = ns;
    if (const json *laneGroup = find(objects, "ASMSwimLaneGroup", name)) {
        out.flavor = mesh::Flavor::AsmCrd;
        return rebuildAsmCrd(std::move(out), *laneGroup, objects);
    }
    const json *ingress = find(objects, "VirtualService", mesh::ingressVirtualServiceName(out.group));
    if (!ingress) {
        return Error{"lane group '" + name + "' has no ingress VirtualService " +
                     mesh::ingressVirtualServiceName(out.group) + " in namespace " + ns +
                     " (and no ASMSwimLaneGroup): nothing LaneDeck pushed to import"};
    }
    const json labels = metadataOf(*ingress).value("labels", json::object());
    out.flavor = labels.value("provider", "") == "asm" ? mesh::Flavor::Asm : mesh::Flavor::Istio;
    return rebuildIstio(std::move(out), *ingress, objects);
}

static Result<ImportedGroup> importGroupUnguarded(Client &client, const std::string &name,
                                                  const std::string &ns);

Result<ImportedGroup> importGroup(Client &client, const std::string &name, const std::string &ns)
{
    return readingAnswers("import", [&] { return importGroupUnguarded(client, name, ns); });
}

static Result<ImportedGroup> importGroupUnguarded(Client &client, const std::string &name,
                                                  const std::string &ns)
{
    auto meshInfo = discoverMesh(client);
    if (!meshInfo) {
        return meshInfo.error();
    }
    auto objects = liveGroupObjects(client, *meshInfo, name, ns);
    if (!objects) {
        return objects.error();
    }
    return rebuildGroup(name, ns, *objects);
}

} // namespace lanedeck::kube

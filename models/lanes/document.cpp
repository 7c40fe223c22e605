#include "lanes/document.h"

#include "base/atomicfile.h"
#include "base/utf8.h"
#include "base/yamljson.h"
#include "lanes/validation.h"
#include "lanes/yamlreader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <set>

namespace lanedeck {
namespace {

void readStringMatch(Reader &r, const std::string &path, const YAML::Node &node, StringMatch &out)
{
    int found = 0;
    r.forEachKey(path, node, {"exact", "prefix", "regex"},
                 [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                     ++found;
                     out.kind = key == "exact" ? StringMatch::Kind::Exact
                                               : (key == "prefix" ? StringMatch::Kind::Prefix
                                                                  : StringMatch::Kind::Regex);
                     r.readString(p, v, out.value);
                 });
    if (node.IsMap() && found != 1) {
        r.problem(path, node, "must hold exactly one of exact, prefix, regex");
    }
}

void readIngress(Reader &r, const std::string &path, const YAML::Node &node, Ingress &ingress)
{
    r.forEachKey(
        path, node, {"gateway", "hosts", "match", "entryService"},
        [&](const std::string &key, const YAML::Node &v, const std::string &p) {
            if (key == "gateway") {
                r.forEachKey(p, v, {"namespace", "name"},
                             [&](const std::string &k, const YAML::Node &gv, const std::string &gp) {
                                 r.readString(gp, gv,
                                              k == "name" ? ingress.gatewayName : ingress.gatewayNamespace);
                             });
            } else if (key == "hosts") {
                r.readStringList(p, v, ingress.hosts);
            } else if (key == "entryService") {
                r.readString(p, v, ingress.entryService);
            } else if (key == "match") {
                r.forEachKey(
                    p, v, {"uri", "headers"},
                    [&](const std::string &k, const YAML::Node &mv, const std::string &mp) {
                        if (k == "uri") {
                            readStringMatch(r, mp, mv, ingress.uri);
                            return;
                        }
                        if (!mv.IsSequence()) {
                            r.problem(mp, mv,
                                      "must be a list of header matches, got " + Reader::describe(mv));
                            return;
                        }
                        std::size_t i = 0;
                        for (const auto &item : mv) {
                            const std::string hp = mp + '[' + std::to_string(i++) + ']';
                            r.record(hp, item);
                            HeaderMatch header;
                            int kinds = 0;
                            r.forEachKey(
                                hp, item, {"name", "exact", "prefix", "regex"},
                                [&](const std::string &hk, const YAML::Node &hv, const std::string &hpp) {
                                    if (hk == "name") {
                                        r.readString(hpp, hv, header.name);
                                        return;
                                    }
                                    ++kinds;
                                    header.match.kind = hk == "exact"
                                                            ? StringMatch::Kind::Exact
                                                            : (hk == "prefix" ? StringMatch::Kind::Prefix
                                                                              : StringMatch::Kind::Regex);
                                    r.readString(hpp, hv, header.match.value);
                                });
                            if (item.IsMap() && kinds != 1) {
                                r.problem(hp, item, "must hold exactly one of exact, prefix, regex");
                            }
                            ingress.headers.push_back(std::move(header));
                        }
                    });
            }
        });
}

/// A mapping whose keys must be among `known`, kept as JSON (Istio's own fields, passed through as written).
void readJsonMapping(Reader &r, const std::string &path, const YAML::Node &node,
                     const std::vector<std::string> &known, nlohmann::json &out)
{
    out = nlohmann::json::object();
    const std::set<std::string> keys(known.begin(), known.end());
    r.forEachKey(path, node, keys, [&](const std::string &key, const YAML::Node &v, const std::string &) {
        out[key] = yamlToJson(v);
    });
}

void readAdopted(Reader &r, const std::string &path, const YAML::Node &node, AdoptedSettings &adopted)
{
    r.forEachKey(path, node, {"from", "route", "trafficPolicy"},
                 [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                     if (key == "from") {
                         r.readStringList(p, v, adopted.from);
                     } else if (key == "route") {
                         readJsonMapping(r, p, v, adoptableRouteKeys(), adopted.route);
                     } else {
                         readJsonMapping(r, p, v, adoptablePolicyKeys(), adopted.trafficPolicy);
                     }
                 });
}

void readServices(Reader &r, const std::string &path, const YAML::Node &node, std::vector<Service> &services)
{
    if (!node.IsSequence()) {
        r.problem(path, node, "must be a list of services, got " + Reader::describe(node));
        return;
    }
    std::size_t i = 0;
    for (const auto &item : node) {
        const std::string sp = path + '[' + std::to_string(i++) + ']';
        r.record(sp, item);
        Service service;
        r.forEachKey(sp, item, {"name", "namespace", "port", "calls", "adopted"},
                     [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                         if (key == "adopted") {
                             readAdopted(r, p, v, service.adopted);
                         } else if (key == "name") {
                             r.readString(p, v, service.name);
                         } else if (key == "namespace") {
                             r.readString(p, v, service.ns);
                         } else if (key == "port") {
                             r.readInt(p, v, service.port);
                         } else {
                             r.readStringList(p, v, service.calls);
                         }
                     });
        services.push_back(std::move(service));
    }
}

void readLanes(Reader &r, const std::string &path, const YAML::Node &node, std::vector<Lane> &lanes)
{
    if (!node.IsSequence()) {
        r.problem(path, node, "must be a list of lanes, got " + Reader::describe(node));
        return;
    }
    std::size_t i = 0;
    for (const auto &item : node) {
        const std::string lp = path + '[' + std::to_string(i++) + ']';
        r.record(lp, item);
        Lane lane;
        r.forEachKey(lp, item, {"name", "label", "services", "weight"},
                     [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                         if (key == "name") {
                             r.readString(p, v, lane.name);
                         } else if (key == "label") {
                             r.forEachKey(
                                 p, v, {"key", "value"},
                                 [&](const std::string &k, const YAML::Node &lv, const std::string &lpp) {
                                     r.readString(lpp, lv, k == "key" ? lane.labelKey : lane.labelValue);
                                 });
                         } else if (key == "services") {
                             r.readStringList(p, v, lane.services);
                         } else {
                             r.readInt(p, v, lane.weight);
                         }
                     });
        lanes.push_back(std::move(lane));
    }
}

void readSpec(Reader &r, const YAML::Node &node, LaneGroup &group)
{
    r.forEachKey(
        "spec", node,
        {"mode", "passThrough", "traceHeader", "routingHeader", "baseline", "ingress", "services", "lanes"},
        [&](const std::string &key, const YAML::Node &v, const std::string &p) {
            if (key == "mode") {
                r.readEnum(p, v, {{"strict", LaneMode::Strict}, {"permissive", LaneMode::Permissive}},
                           group.mode);
            } else if (key == "passThrough") {
                r.readEnum(p, v,
                           {{"baggage", PassThrough::Baggage},
                            {"traceId", PassThrough::TraceId},
                            {"custom", PassThrough::Custom}},
                           group.passThrough);
            } else if (key == "traceHeader") {
                r.readString(p, v, group.traceHeader);
            } else if (key == "routingHeader") {
                r.readString(p, v, group.routingHeader);
            } else if (key == "baseline") {
                r.readString(p, v, group.baseline);
            } else if (key == "ingress") {
                readIngress(r, p, v, group.ingress);
            } else if (key == "services") {
                readServices(r, p, v, group.services);
            } else {
                readLanes(r, p, v, group.lanes);
            }
        });
}

/// Reads "<source>:<line>:<column>: " back from the front of a message loadYamlDocuments wrote.
std::optional<SourceLocation> parseLocation(const std::string &message, const std::string &sourceName)
{
    const std::string prefix = sourceName + ':';
    if (message.rfind(prefix, 0) != 0) {
        return std::nullopt;
    }
    int line = 0;
    int column = 0;
    if (std::sscanf(message.c_str() + prefix.size(), "%d:%d:", &line, &column) != 2) {
        return std::nullopt;
    }
    return SourceLocation{sourceName, line, column};
}

nlohmann::ordered_json stringMatchJson(const StringMatch &m)
{
    return nlohmann::ordered_json{{toString(m.kind), m.value}};
}

} // namespace

LoadedDocument parseLaneGroup(const std::string &text, const std::string &sourceName)
{
    LoadedDocument out;
    Reader r(sourceName, out.problems, out.sources);
    if (auto bad = checkYamlText(text)) {
        const std::string before = text.substr(0, bad->offset);
        const int line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
        const auto lineStart = before.rfind('\n');
        const int column =
            static_cast<int>(bad->offset - (lineStart == std::string::npos ? 0 : lineStart + 1)) + 1;
        out.problems.push_back(
            {"", bad->what + " (a lane group document is YAML text)", {sourceName, line, column}});
        return out;
    }
    auto documents = loadYamlDocuments(text, sourceName);
    if (!documents) {
        // yaml-cpp's message already carries "file:line:column: " where it knows the position.
        const std::string &message = documents.error().message;
        out.problems.push_back({"", message.substr(message.find(": ") + 2), {sourceName, 0, 0}});
        if (auto located = parseLocation(message, sourceName)) {
            out.problems.back().where = *located;
        }
        return out;
    }
    if (documents->empty() || (documents->size() == 1 && documents->front().node.IsNull())) {
        out.problems.push_back({"", "the document is empty; expected a LaneGroup", {sourceName, 1, 1}});
        return out;
    }
    // Rollout plans may stand beside their group in one file; any other second document is refused.
    std::vector<std::size_t> groupDocuments;
    for (std::size_t i = 0; i < documents->size(); ++i) {
        const YAML::Node &node = documents->at(i).node;
        const bool rollout =
            node.IsMap() && node["kind"] && node["kind"].IsScalar() && node["kind"].Scalar() == kRolloutKind;
        if (!rollout) {
            groupDocuments.push_back(i);
        }
    }
    if (groupDocuments.empty()) {
        out.problems.push_back(
            {"", "holds only Rollout documents; expected a LaneGroup", {sourceName, 1, 1}});
        return out;
    }
    if (groupDocuments.size() > 1) {
        r.setLineOffset(documents->at(groupDocuments[1]).firstLine);
        out.problems.push_back({"",
                                "holds " + std::to_string(groupDocuments.size()) +
                                    " YAML documents; a lane group file holds exactly one (besides Rollouts)",
                                r.at(documents->at(groupDocuments[1]).node)});
    }
    r.setLineOffset(documents->at(groupDocuments.front()).firstLine);
    YAML::Node root = documents->at(groupDocuments.front()).node;
    try {
        if (!root.IsMap()) {
            r.problem("", root,
                      "must be a mapping with apiVersion, kind, metadata and spec, got " +
                          Reader::describe(root));
            return out;
        }
        std::string apiVersion;
        std::string kind;
        YAML::Node spec;
        // No namespace in the document is no namespace in the group: LaneGroup's default (for a group
        // designed from scratch) must not silently decide where a file's group goes. validate() reports it;
        // lanectl's -n or the console's "Into another namespace" chooses one, visibly.
        out.group.ns.clear();
        r.forEachKey("", root, {"apiVersion", "kind", "metadata", "spec"},
                     [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                         if (key == "apiVersion") {
                             r.readString(p, v, apiVersion);
                         } else if (key == "kind") {
                             r.readString(p, v, kind);
                         } else if (key == "metadata") {
                             r.forEachKey(
                                 p, v, {"name", "namespace"},
                                 [&](const std::string &k, const YAML::Node &mv, const std::string &mp) {
                                     r.readString(mp, mv, k == "name" ? out.group.name : out.group.ns);
                                 });
                         } else {
                             spec = v;
                         }
                     });
        if (apiVersion != kDocumentApiVersion) {
            const bool ours = apiVersion.rfind("lanedeck.io/", 0) == 0;
            r.problem(
                "apiVersion", root["apiVersion"] ? root["apiVersion"] : root,
                apiVersion.empty() ? std::string("missing; expected ") + kDocumentApiVersion
                : ours ? "'" + apiVersion + "' was written by another LaneDeck version; this one reads " +
                             kDocumentApiVersion + " (the file is left as it is)"
                       : "'" + apiVersion + "' is not a LaneDeck document; expected " + kDocumentApiVersion);
            if (ours || !apiVersion.empty()) {
                return out;
            }
        }
        if (kind != kDocumentKind) {
            r.problem("kind", root["kind"] ? root["kind"] : root,
                      "must be " + std::string(kDocumentKind) + ", got '" + kind + "'");
            return out;
        }
        out.readable = true;
        if (!spec) {
            r.problem("spec", root, "missing");
            return out;
        }
        readSpec(r, spec, out.group);
    } catch (const YAML::Exception &e) {
        out.readable = false;
        out.problems.push_back(
            {"", "cannot read: " + e.msg, {sourceName, e.mark.line + 1, e.mark.column + 1}});
    }
    return out;
}

LoadedDocument loadLaneGroupFile(const std::string &path)
{
    auto text = readFileLimited(path, kMaxDocumentBytes);
    if (!text) {
        LoadedDocument out;
        out.problems.push_back({"", text.error().message, {path, 0, 0}});
        out.fileError = text.error();
        return out;
    }
    return parseLaneGroup(*text, path);
}

std::string serializeLaneGroup(const LaneGroup &group)
{
    using Json = nlohmann::ordered_json;
    Json doc;
    doc["apiVersion"] = kDocumentApiVersion;
    doc["kind"] = kDocumentKind;
    doc["metadata"] = Json{{"name", group.name}};
    if (!group.ns.empty()) {
        doc["metadata"]["namespace"] = group.ns;
    }
    Json spec;
    spec["mode"] = toString(group.mode);
    spec["passThrough"] = toString(group.passThrough);
    if (!group.traceHeader.empty()) {
        spec["traceHeader"] = group.traceHeader;
    }
    spec["routingHeader"] = group.routingHeader;
    if (!group.baseline.empty()) {
        spec["baseline"] = group.baseline;
    }
    Json ingress;
    ingress["gateway"] =
        Json{{"namespace", group.ingress.gatewayNamespace}, {"name", group.ingress.gatewayName}};
    ingress["hosts"] = group.ingress.hosts;
    Json match;
    match["uri"] = stringMatchJson(group.ingress.uri);
    if (!group.ingress.headers.empty()) {
        Json headers = Json::array();
        for (const auto &h : group.ingress.headers) {
            headers.push_back(Json{{"name", h.name}, {toString(h.match.kind), h.match.value}});
        }
        match["headers"] = headers;
    }
    ingress["match"] = match;
    ingress["entryService"] = group.ingress.entryService;
    spec["ingress"] = ingress;
    Json services = Json::array();
    for (const auto &s : group.services) {
        Json service{{"name", s.name}, {"namespace", s.ns}, {"port", s.port}};
        if (!s.calls.empty()) {
            service["calls"] = s.calls;
        }
        if (!s.adopted.empty()) {
            Json adopted;
            if (!s.adopted.from.empty()) {
                adopted["from"] = s.adopted.from;
            }
            if (!s.adopted.route.empty()) {
                adopted["route"] = Json::parse(s.adopted.route.dump());
            }
            if (!s.adopted.trafficPolicy.empty()) {
                adopted["trafficPolicy"] = Json::parse(s.adopted.trafficPolicy.dump());
            }
            service["adopted"] = adopted;
        }
        services.push_back(service);
    }
    spec["services"] = services;
    Json lanes = Json::array();
    for (const auto &l : group.lanes) {
        lanes.push_back(Json{{"name", l.name},
                             {"label", Json{{"key", l.labelKey}, {"value", l.labelValue}}},
                             {"services", l.services},
                             {"weight", l.weight}});
    }
    spec["lanes"] = lanes;
    doc["spec"] = spec;
    return toYaml(doc);
}

Result<void> saveLaneGroupFile(const LaneGroup &group, const std::string &path)
{
    return writeFileAtomically(path, serializeLaneGroup(group));
}

std::vector<Diagnostic> checkDocument(const LoadedDocument &document)
{
    std::vector<Diagnostic> all = document.problems;
    if (document.readable) {
        auto found = validate(document.group);
        all.insert(all.end(), found.begin(), found.end());
    }
    locate(all, document.sources);
    return all;
}

} // namespace lanedeck

#include "lanes/document.h"

#include "base/atomicfile.h"
#include "base/utf8.h"
#include "base/yamljson.h"
#include "lanes/validation.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <set>

namespace lanedeck {
namespace {

/// Walks the YAML tree along the document schema, recording positions and every reading problem.
class Reader
{
public:
    Reader(std::string sourceName, LoadedDocument &out) : m_source(std::move(sourceName)), m_out(out) {}

    /// Marks of nodes from a later document of the stream count from that document's first line.
    void setLineOffset(int offset) { m_lineOffset = offset; }

    SourceLocation at(const YAML::Node &node) const
    {
        const YAML::Mark mark = node.Mark();
        if (mark.is_null()) {
            return {m_source, 0, 0};
        }
        return {m_source, m_lineOffset + mark.line + 1, mark.column + 1};
    }

    void problem(const std::string &field, const YAML::Node &node, std::string message)
    {
        m_out.problems.push_back({field, std::move(message), at(node)});
    }

    void record(const std::string &field, const YAML::Node &node) { m_out.sources[field] = at(node); }

    /// Calls `handler` for each key of a map, reporting keys that are not in `known` and duplicate keys.
    bool forEachKey(
        const std::string &path, const YAML::Node &node, const std::set<std::string> &known,
        const std::function<void(const std::string &, const YAML::Node &, const std::string &)> &handler)
    {
        if (!node.IsMap()) {
            problem(path, node, "must be a mapping, got " + describe(node));
            return false;
        }
        std::set<std::string> seen;
        for (const auto &entry : node) {
            if (!entry.first.IsScalar()) {
                problem(path, entry.first, "keys must be plain strings");
                continue;
            }
            const std::string key = entry.first.Scalar();
            const std::string child = path.empty() ? key : path + '.' + key;
            if (!seen.insert(key).second) {
                problem(child, entry.first, "duplicate key '" + key + "'");
                continue;
            }
            if (!known.contains(key)) {
                problem(child, entry.first, "unknown key '" + key + "' (known: " + join(known) + ")");
                continue;
            }
            record(child, entry.second.IsNull() ? entry.first : entry.second);
            handler(key, entry.second, child);
        }
        return true;
    }

    bool readString(const std::string &path, const YAML::Node &node, std::string &out)
    {
        if (!node.IsScalar()) {
            problem(path, node, "must be a string, got " + describe(node));
            return false;
        }
        out = node.Scalar();
        return true;
    }

    bool readInt(const std::string &path, const YAML::Node &node, int &out)
    {
        if (!node.IsScalar()) {
            problem(path, node, "must be an integer, got " + describe(node));
            return false;
        }
        const std::string &text = node.Scalar();
        long long value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (node.Tag() == "!" || ec != std::errc() || end != text.data() + text.size() ||
            value < -1'000'000'000 || value > 1'000'000'000) {
            problem(path, node, "must be an integer, got '" + text + "'");
            return false;
        }
        out = static_cast<int>(value);
        return true;
    }

    bool readStringList(const std::string &path, const YAML::Node &node, std::vector<std::string> &out)
    {
        if (!node.IsSequence()) {
            problem(path, node, "must be a list of strings, got " + describe(node));
            return false;
        }
        out.clear();
        std::size_t i = 0;
        for (const auto &item : node) {
            const std::string itemPath = path + '[' + std::to_string(i++) + ']';
            record(itemPath, item);
            std::string value;
            if (readString(itemPath, item, value)) {
                out.push_back(std::move(value));
            }
        }
        return true;
    }

    template <class Enum>
    bool readEnum(const std::string &path, const YAML::Node &node,
                  std::initializer_list<std::pair<const char *, Enum>> values, Enum &out)
    {
        std::string text;
        if (!readString(path, node, text)) {
            return false;
        }
        std::string names;
        for (const auto &[name, value] : values) {
            if (text == name) {
                out = value;
                return true;
            }
            names += (names.empty() ? "" : ", ") + std::string(name);
        }
        problem(path, node, "must be one of " + names + ", got '" + text + "'");
        return false;
    }

    static std::string describe(const YAML::Node &node)
    {
        switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Null:
            return "nothing";
        case YAML::NodeType::Scalar:
            return "'" + node.Scalar() + "'";
        case YAML::NodeType::Undefined:
            break;
        }
        return "nothing";
    }

    static std::string join(const std::set<std::string> &names)
    {
        std::string out;
        for (const auto &n : names) {
            out += (out.empty() ? "" : ", ") + n;
        }
        return out;
    }

private:
    std::string m_source;
    LoadedDocument &m_out;
    int m_lineOffset = 0;
};

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
        r.forEachKey(sp, item, {"name", "namespace", "port", "calls"},
                     [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                         if (key == "name") {
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
    Reader r(sourceName, out);
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
    if (documents->size() > 1) {
        r.setLineOffset(documents->at(1).firstLine);
        out.problems.push_back({"",
                                "holds " + std::to_string(documents->size()) +
                                    " YAML documents; a lane group file holds exactly one",
                                r.at(documents->at(1).node)});
    }
    r.setLineOffset(documents->front().firstLine);
    YAML::Node root = documents->front().node;
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
    doc["metadata"] = Json{{"name", group.name}, {"namespace", group.ns}};
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

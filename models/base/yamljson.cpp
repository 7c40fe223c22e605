#include "base/yamljson.h"

#include "base/utf8.h"

#include <yaml-cpp/yaml.h>

#include <optional>

#include <array>
#include <charconv>
#include <cstdio>
#include <string_view>

namespace lanedeck {
namespace {

bool isYamlReserved(std::string_view s)
{
    static constexpr std::array<std::string_view, 22> words = {
        "true",  "false", "yes",  "no",   "on",    "off", "y",  "n",  "null", "~",    ".inf",
        "-.inf", "+.inf", ".nan", "True", "False", "Yes", "No", "On", "Off",  "Null", "NULL"};
    for (auto w : words) {
        if (s.size() == w.size()) {
            bool same = true;
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (std::tolower(static_cast<unsigned char>(s[i])) !=
                    std::tolower(static_cast<unsigned char>(w[i]))) {
                    same = false;
                    break;
                }
            }
            if (same) {
                return true;
            }
        }
    }
    return false;
}

bool looksNumeric(std::string_view s)
{
    if (s.empty()) {
        return false;
    }
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size()) {
        return false;
    }
    // Anything starting like a number (digits, ".5", "0x1F", "1e3", "1_000", "12:30") is quoted: YAML 1.1
    // readers such as kubectl's would otherwise turn it into a number or a time.
    return std::isdigit(static_cast<unsigned char>(s[i])) ||
           (s[i] == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])));
}

bool needsQuotes(std::string_view s)
{
    if (s.empty() || isYamlReserved(s) || looksNumeric(s)) {
        return true;
    }
    static constexpr std::string_view leading = "-?:,[]{}#&*!|>'\"%@` \t";
    if (leading.find(s.front()) != std::string_view::npos &&
        !(s.front() == '-' && s.size() > 1 && s[1] != ' ')) {
        return true;
    }
    if (s.rfind("--", 0) == 0 || s.rfind("...", 0) == 0) {
        return true; // "---" starts a document and "..." ends one (found by fuzz_yaml)
    }
    if (s.back() == ' ' || s.back() == ':' || s.back() == '\t') {
        return true;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) {
            return true;
        }
        if ((c == ':' && i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) ||
            (c == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))) {
            return true;
        }
        if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') {
            // Harmless in block context, but a flow-context reader (and humans) are happier with quotes.
            return true;
        }
    }
    return false;
}

bool hasControlCharacters(std::string_view s)
{
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

void appendScalarString(std::string &out, std::string_view s)
{
    if (!needsQuotes(s)) {
        out += s;
        return;
    }
    if (hasControlCharacters(s)) {
        out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
    }
    out += '\'';
    for (char c : s) {
        if (c == '\'') {
            out += '\'';
        }
        out += c;
    }
    out += '\'';
}

template <class Json> void appendScalar(std::string &out, const Json &v)
{
    if (v.is_string()) {
        appendScalarString(out, v.template get_ref<const std::string &>());
    } else if (v.is_null()) {
        out += "null";
    } else {
        out += v.dump();
    }
}

constexpr std::size_t kMaxImplicitKey = 1000;

template <class Json> bool isCollection(const Json &v)
{
    return (v.is_object() || v.is_array()) && !v.empty();
}

template <class Json> void emit(std::string &out, const Json &v, int indent);

template <class Json> void emitMapEntries(std::string &out, const Json &v, int indent, bool firstInline)
{
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!(first && firstInline)) {
            out.append(static_cast<std::size_t>(indent), ' ');
        }
        first = false;
        std::string key;
        appendScalarString(key, it.key());
        if (key.size() > kMaxImplicitKey) {
            // YAML limits implicit keys to 1024 characters; a longer one needs the explicit "? key" form
            // (found by fuzz_yaml: a long key was written in a form no reader accepts).
            out += "? " + key + '\n';
            out.append(static_cast<std::size_t>(indent), ' ');
        } else {
            out += key;
        }
        out += ':';
        const auto &child = it.value();
        if (isCollection(child)) {
            out += '\n';
            emit(out, child, indent + 2);
        } else {
            out += ' ';
            if (child.is_object()) {
                out += "{}";
            } else if (child.is_array()) {
                out += "[]";
            } else {
                appendScalar(out, child);
            }
            out += '\n';
        }
    }
}

template <class Json> void emit(std::string &out, const Json &v, int indent)
{
    if (v.is_object()) {
        emitMapEntries(out, v, indent, false);
    } else if (v.is_array()) {
        for (const auto &item : v) {
            out.append(static_cast<std::size_t>(indent), ' ');
            out += "- ";
            if (item.is_object() && !item.empty()) {
                emitMapEntries(out, item, indent + 2, true);
            } else if (item.is_array() && !item.empty()) {
                out += '\n';
                emit(out, item, indent + 2);
            } else {
                if (item.is_object()) {
                    out += "{}";
                } else if (item.is_array()) {
                    out += "[]";
                } else {
                    appendScalar(out, item);
                }
                out += '\n';
            }
        }
    }
}

template <class Json> std::string toYamlImpl(const Json &value)
{
    std::string out;
    if (isCollection(value)) {
        emit(out, value, 0);
    } else if (value.is_object()) {
        out = "{}\n";
    } else if (value.is_array()) {
        out = "[]\n";
    } else {
        appendScalar(out, value);
        out += '\n';
    }
    return out;
}

nlohmann::json plainScalar(const std::string &s)
{
    if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) {
        return nullptr;
    }
    if (s == "true" || s == "True" || s == "TRUE") {
        return true;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
        return false;
    }
    const char *begin = s.data();
    const char *end = s.data() + s.size();
    if (*begin == '+') {
        ++begin;
    }
    long long integer = 0;
    if (auto [p, ec] = std::from_chars(begin, end, integer); ec == std::errc() && p == end) {
        return integer;
    }
    double real = 0;
    if (auto [p, ec] = std::from_chars(begin, end, real);
        ec == std::errc() && p == end && s.find_first_of("0123456789") != std::string::npos) {
        return real;
    }
    return s;
}

} // namespace

std::string toYaml(const nlohmann::json &value)
{
    return toYamlImpl(value);
}

std::string toYaml(const nlohmann::ordered_json &value)
{
    return toYamlImpl(value);
}

std::string toYamlStream(const std::vector<nlohmann::json> &documents)
{
    std::string out;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (i > 0) {
            out += "---\n";
        }
        out += toYaml(documents[i]);
    }
    return out;
}

nlohmann::json yamlToJson(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto &entry : node) {
            object[entry.first.Scalar()] = yamlToJson(entry.second);
        }
        return object;
    }
    case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto &item : node) {
            array.push_back(yamlToJson(item));
        }
        return array;
    }
    case YAML::NodeType::Scalar:
        // yaml-cpp tags quoted scalars "!" and plain ones "?": only plain scalars are typed.
        return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : plainScalar(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        return nullptr;
    }
    return nullptr;
}

namespace {

bool isMarkerLine(std::string_view line, std::string_view marker)
{
    return line.substr(0, 3) == marker &&
           (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

} // namespace

Result<std::vector<YamlDocument>> loadYamlDocuments(const std::string &text, const std::string &sourceName)
{
    if (auto bad = checkYamlText(text)) {
        return Error{sourceName + ": " + bad->what + " (at byte offset " + std::to_string(bad->offset) + ")"};
    }
    std::vector<YamlDocument> documents;
    std::size_t partStart = 0;
    int partLine = 0;
    int line = 0;
    auto load = [&](std::size_t end) -> std::optional<Error> {
        const std::string part = text.substr(partStart, end - partStart);
        try {
            YAML::Node node = YAML::Load(part);
            if (!node.IsNull() || part.find_first_not_of(" \t\r\n") != std::string::npos) {
                documents.push_back({node, partLine});
            }
            return std::nullopt;
        } catch (const YAML::Exception &e) {
            if (e.mark.is_null()) {
                return Error{sourceName + ": not valid YAML: " + e.msg};
            }
            return Error{sourceName + ":" + std::to_string(partLine + e.mark.line + 1) + ":" +
                         std::to_string(e.mark.column + 1) + ": not valid YAML: " + e.msg};
        }
    };
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t newline = text.find('\n', at);
        const std::size_t end = newline == std::string::npos ? text.size() : newline;
        const std::string_view current(text.data() + at, end - at);
        if (isMarkerLine(current, "---") && at > partStart) {
            if (auto error = load(at)) {
                return *error;
            }
            partStart = at;
            partLine = line;
        } else if (isMarkerLine(current, "...")) {
            const std::size_t next = newline == std::string::npos ? text.size() : newline + 1;
            if (auto error = load(next)) {
                return *error;
            }
            partStart = next;
            partLine = line + 1;
        }
        if (newline == std::string::npos) {
            break;
        }
        at = newline + 1;
        ++line;
    }
    if (partStart < text.size()) {
        if (auto error = load(text.size())) {
            return *error;
        }
    }
    return documents;
}

Result<std::vector<nlohmann::json>> parseYamlStream(const std::string &text, const std::string &sourceName)
{
    auto documents = loadYamlDocuments(text, sourceName);
    if (!documents) {
        return documents.error();
    }
    std::vector<nlohmann::json> out;
    for (const auto &doc : *documents) {
        if (!doc.node.IsNull()) {
            out.push_back(yamlToJson(doc.node));
        }
    }
    return out;
}

} // namespace lanedeck

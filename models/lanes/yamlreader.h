#pragma once

#include "lanes/diagnostic.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace lanedeck {

/// Walks a YAML tree along a document schema, recording each field's position and every reading problem
/// (unknown or duplicate keys, wrong types) with its place. Shared by the LaneGroup and Rollout readers.
class Reader
{
public:
    Reader(std::string sourceName, std::vector<Diagnostic> &problems, SourceMap &sources)
        : m_source(std::move(sourceName)), m_problems(problems), m_sources(sources)
    {}

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
        m_problems.push_back({field, std::move(message), at(node)});
    }

    void record(const std::string &field, const YAML::Node &node) { m_sources[field] = at(node); }

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
    std::vector<Diagnostic> &m_problems;
    SourceMap &m_sources;
    int m_lineOffset = 0;
};

} // namespace lanedeck

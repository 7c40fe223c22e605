#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/node/node.h>

#include <string>
#include <vector>

namespace lanedeck {

/// Block-style YAML for a JSON value: deterministic (map order as the value holds it), keys and strings
/// quoted only where YAML would read them as something else, in the layout kubectl and the ASM console show.
std::string toYaml(const nlohmann::json &value);
std::string toYaml(const nlohmann::ordered_json &value);

/// Several documents joined by `---` lines, as `kubectl apply -f` reads them.
std::string toYamlStream(const std::vector<nlohmann::json> &documents);

/// One document of a YAML stream; its node's marks count lines from `firstLine` (0-based) of the stream.
struct YamlDocument
{
    YAML::Node node;
    int firstLine = 0;
};

/// Every document of a YAML stream. Use this instead of YAML::LoadAll: yaml-cpp 0.7's LoadAll loops
/// forever, allocating, on a stray ',' outside any node (found by fuzz_lanegroup). The stream is split at
/// its document markers (a "---" or "..." line, which YAML forbids inside any content) and each part is
/// loaded on its own. Invalid UTF-8 is refused. Errors name the line and column where yaml-cpp knows them.
Result<std::vector<YamlDocument>> loadYamlDocuments(const std::string &text, const std::string &sourceName);

/// A YAML node as JSON, typing plain scalars as YAML 1.2's core schema does (quoted scalars stay strings).
nlohmann::json yamlToJson(const YAML::Node &node);

/// Every document of a YAML stream as JSON; null documents are skipped. Errors name the line and column.
Result<std::vector<nlohmann::json>> parseYamlStream(const std::string &text, const std::string &sourceName);

} // namespace lanedeck

#pragma once

#include "core/result.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace lanedeck {

/// Block-style YAML for a JSON value: deterministic (map order as the value holds it), keys and strings
/// quoted only where YAML would read them as something else, in the layout kubectl and the ASM console show.
std::string toYaml(const nlohmann::json &value);
std::string toYaml(const nlohmann::ordered_json &value);

/// Several documents joined by `---` lines, as `kubectl apply -f` reads them.
std::string toYamlStream(const std::vector<nlohmann::json> &documents);

/// A YAML node as JSON, typing plain scalars as YAML 1.2's core schema does (quoted scalars stay strings).
nlohmann::json yamlToJson(const YAML::Node &node);

/// Every document of a YAML stream as JSON; null documents are skipped. Errors name the line and column.
Result<std::vector<nlohmann::json>> parseYamlStream(const std::string &text, const std::string &sourceName);

} // namespace lanedeck

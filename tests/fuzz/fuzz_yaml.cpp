// libFuzzer target: YAML stream parsing and the JSON->YAML writer. Property: whatever JSON a stream
// parses to, writing it as YAML and reading that back gives the same JSON.
#include "base/yamljson.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace lanedeck;
    const std::string text(reinterpret_cast<const char *>(data), size);
    auto documents = parseYamlStream(text, "fuzz.yaml");
    if (!documents) {
        return 0;
    }
    for (const auto &json : *documents) {
        const std::string yaml = toYaml(json);
        nlohmann::json back;
        try {
            back = yamlToJson(YAML::Load(yaml));
        } catch (const YAML::Exception &) {
            std::abort(); // the writer produced YAML its own reader rejects
        }
        if (back != json) {
            std::abort();
        }
    }
    return 0;
}

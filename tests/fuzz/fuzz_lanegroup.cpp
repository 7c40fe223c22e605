// libFuzzer target: the lane group loader, validator, generator and lane paths on arbitrary bytes.
// Besides "no crash, no hang, no leak", it checks a property: a group that validates saves to text that
// reads back to the same group, and saving that again gives the same bytes.
#include "lanes/document.h"
#include "lanes/lanepaths.h"
#include "mesh/render.h"
#include "mesh/resource.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace lanedeck;
    const std::string text(reinterpret_cast<const char *>(data), size);
    const LoadedDocument doc = parseLaneGroup(text, "fuzz.yaml");
    if (!checkDocument(doc).empty()) {
        return 0;
    }
    const std::string saved = serializeLaneGroup(doc.group);
    const LoadedDocument again = parseLaneGroup(saved, "saved.yaml");
    if (!checkDocument(again).empty() || !(again.group == doc.group) ||
        serializeLaneGroup(again.group) != saved) {
        std::abort();
    }
    for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio, mesh::Flavor::AsmCrd}) {
        auto rendered = mesh::render(doc.group, {flavor, std::nullopt});
        if (rendered) {
            (void)mesh::toYamlStream(rendered->resources);
        }
    }
    if (lanePaths(doc.group).size() != doc.group.lanes.size()) {
        std::abort();
    }
    return 0;
}

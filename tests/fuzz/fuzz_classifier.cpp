// libFuzzer target: the sampler's asm-mock chain parser and its three classifiers on arbitrary response
// bodies and header values (and arbitrary --classify specs). Property: a chain that parses classifies.
#include "lanes/document.h"
#include "traffic/classifier.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace lanedeck;
    static const LaneGroup group = [] {
        const std::string seed = R"(apiVersion: lanedeck.io/v1alpha1
kind: LaneGroup
metadata: {name: test}
spec:
  ingress: {entryService: mocka}
  services:
    - {name: mocka, calls: [mockb]}
    - {name: mockb, calls: [mockc]}
    - {name: mockc}
  lanes:
    - {name: s1, label: {key: ASM_TRAFFIC_TAG, value: v1}, services: [mocka, mockb, mockc], weight: 60}
    - {name: s2, label: {key: ASM_TRAFFIC_TAG, value: v2}, services: [mocka, mockc], weight: 20}
    - {name: s3, label: {key: ASM_TRAFFIC_TAG, value: v3}, services: [mockb], weight: 20}
)";
        return parseLaneGroup(seed, "seed").group;
    }();
    static const traffic::Classifier chain = traffic::Classifier::chain(group);
    static const traffic::Classifier header = traffic::Classifier::header(group, "x-lane");

    const std::string input(reinterpret_cast<const char *>(data), size);
    const auto split = input.find('\n');
    const std::string first = input.substr(0, split);
    const std::string rest = split == std::string::npos ? std::string() : input.substr(split + 1);

    if (traffic::parseChain(input) && !chain.classify(input, {})) {
        std::abort();
    }
    (void)chain.classify(input, {});
    (void)header.classify(rest, first);
    if (auto custom = traffic::Classifier::parse(group, first)) {
        (void)custom->classify(rest, rest);
    }
    return 0;
}

// libFuzzer target: the Rollout plan reader and checker on arbitrary bytes, read as lanectl reads a plan
// beside its group (one multi-document file). Besides "no crash, no hang, no leak", it checks properties of
// every plan that passes checkPlan(): each step's weights and the rollback weights name every lane of the
// group and add up to 100, and the plan's hash is a pure function of the plan and the group.
#include "lanes/document.h"
#include "rollout/plan.h"

#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>

namespace {

void requireFull(const std::map<std::string, int> &weights, const lanedeck::LaneGroup &group)
{
    int total = 0;
    for (const auto &[lane, weight] : weights) {
        if (!group.lane(lane) || weight < 0 || weight > 100) {
            std::abort();
        }
        total += weight;
    }
    if (total != 100 || weights.size() != group.lanes.size()) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace lanedeck;
    const std::string text(reinterpret_cast<const char *>(data), size);
    const rollout::LoadedPlan loaded = rollout::parsePlan(text, "fuzz.yaml");
    const LoadedDocument doc = parseLaneGroup(text, "fuzz.yaml");
    if (!loaded.readable || !checkDocument(doc).empty()) {
        return 0;
    }
    if (!rollout::checkPlan(loaded, doc.group).empty()) {
        return 0;
    }
    const rollout::Plan &plan = loaded.plan;
    for (const auto &step : plan.steps) {
        requireFull(rollout::stepWeights(plan, step, doc.group), doc.group);
    }
    requireFull(rollout::rollbackWeights(plan, doc.group), doc.group);
    const std::string hash = rollout::planHash(plan, doc.group);
    if (hash.size() != 64 ||
        rollout::planHash(rollout::parsePlan(text, "again.yaml").plan, doc.group) != hash) {
        std::abort();
    }
    return 0;
}

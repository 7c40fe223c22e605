#include "rollout/plan.h"

#include "base/atomicfile.h"
#include "base/utf8.h"
#include "base/yamljson.h"
#include "lanes/yamlreader.h"

#include <QByteArray>
#include <QCryptographicHash>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace lanedeck::rollout {
namespace {

std::optional<double> number(const std::string &text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

/// "30s", "500ms", "2m"; a bare number is seconds.
std::optional<std::chrono::milliseconds> duration(std::string text)
{
    double scale = 1000.0;
    if (text.ends_with("ms")) {
        scale = 1.0;
        text.resize(text.size() - 2);
    } else if (text.ends_with('s')) {
        text.pop_back();
    } else if (text.ends_with('m')) {
        scale = 60000.0;
        text.pop_back();
    }
    const auto value = number(text);
    if (!value || *value <= 0.0 || *value * scale > 24.0 * 3600.0 * 1000.0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(std::llround(*value * scale));
}

/// "5%" or a fraction "0.05".
std::optional<double> fraction(std::string text)
{
    const bool percent = text.ends_with('%');
    if (percent) {
        text.pop_back();
    }
    const auto value = number(text);
    if (!value) {
        return std::nullopt;
    }
    return percent ? *value / 100.0 : *value;
}

class PlanReader
{
public:
    PlanReader(Reader &reader) : r(reader) {}

    void readDuration(const std::string &path, const YAML::Node &node, std::chrono::milliseconds &out)
    {
        std::string text;
        if (!r.readString(path, node, text)) {
            return;
        }
        if (auto parsed = duration(text)) {
            out = *parsed;
        } else {
            r.problem(path, node, "must be a duration like 30s, 500ms or 2m (up to 24h), got '" + text + "'");
        }
    }

    void readFraction(const std::string &path, const YAML::Node &node, std::optional<double> &out)
    {
        std::string text;
        if (!r.readString(path, node, text)) {
            return;
        }
        if (auto parsed = fraction(text)) {
            out = *parsed;
        } else {
            r.problem(path, node, "must be a percentage like 5% or a fraction like 0.05, got '" + text + "'");
        }
    }

    void readNumber(const std::string &path, const YAML::Node &node, double &out)
    {
        std::string text;
        if (!r.readString(path, node, text)) {
            return;
        }
        if (auto parsed = number(text)) {
            out = *parsed;
        } else {
            r.problem(path, node, "must be a number, got '" + text + "'");
        }
    }

    void readCount(const std::string &path, const YAML::Node &node, std::uint64_t &out)
    {
        int value = 0;
        if (r.readInt(path, node, value)) {
            if (value < 0) {
                r.problem(path, node, "must be 0 or more, got " + std::to_string(value));
            } else {
                out = static_cast<std::uint64_t>(value);
            }
        }
    }

    void readWeights(const std::string &path, const YAML::Node &node, std::map<std::string, int> &out)
    {
        if (!node.IsMap()) {
            r.problem(path, node,
                      "must be a mapping of lane names to weights, got " + Reader::describe(node));
            return;
        }
        for (const auto &entry : node) {
            if (!entry.first.IsScalar()) {
                r.problem(path, entry.first, "keys must be lane names");
                continue;
            }
            const std::string lane = entry.first.Scalar();
            const std::string field = path + '.' + lane;
            if (out.contains(lane)) {
                r.problem(field, entry.first, "duplicate key '" + lane + "'");
                continue;
            }
            r.record(field, entry.first);
            int weight = 0;
            if (r.readInt(field, entry.second, weight)) {
                out[lane] = weight;
            }
        }
    }

    void readGates(const std::string &path, const YAML::Node &node, Gates &gates)
    {
        r.forEachKey(
            path, node, {"errorRate", "latencyP99", "split", "leaks"},
            [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                if (key == "errorRate") {
                    gates.errorRate.emplace();
                    r.forEachKey(p, v, {"max", "maxIncrease"},
                                 [&](const std::string &k, const YAML::Node &gv, const std::string &gp) {
                                     readFraction(gp, gv,
                                                  k == "max" ? gates.errorRate->max
                                                             : gates.errorRate->maxIncrease);
                                 });
                } else if (key == "latencyP99") {
                    gates.latencyP99.emplace();
                    r.forEachKey(p, v, {"max", "maxRatio"},
                                 [&](const std::string &k, const YAML::Node &gv, const std::string &gp) {
                                     if (k == "max") {
                                         std::chrono::milliseconds max{0};
                                         readDuration(gp, gv, max);
                                         if (max.count() > 0) {
                                             gates.latencyP99->max = max;
                                         }
                                     } else {
                                         double ratio = 0.0;
                                         readNumber(gp, gv, ratio);
                                         gates.latencyP99->maxRatio = ratio;
                                     }
                                 });
                } else if (key == "split") {
                    gates.split.emplace();
                    r.forEachKey(p, v, {"alpha"},
                                 [&](const std::string &, const YAML::Node &gv, const std::string &gp) {
                                     readNumber(gp, gv, gates.split->alpha);
                                 });
                } else {
                    gates.leaks.emplace();
                    r.forEachKey(p, v, {"max"},
                                 [&](const std::string &, const YAML::Node &gv, const std::string &gp) {
                                     readCount(gp, gv, gates.leaks->max);
                                 });
                }
            });
    }

    void readSteps(const std::string &path, const YAML::Node &node, std::vector<Step> &steps)
    {
        if (!node.IsSequence()) {
            r.problem(path, node, "must be a list of steps, got " + Reader::describe(node));
            return;
        }
        std::size_t i = 0;
        for (const auto &item : node) {
            const std::string sp = path + '[' + std::to_string(i++) + ']';
            r.record(sp, item);
            Step step;
            r.forEachKey(sp, item, {"laneWeight", "weights", "hold", "minRequests", "gates"},
                         [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                             if (key == "laneWeight") {
                                 int weight = 0;
                                 if (r.readInt(p, v, weight)) {
                                     step.laneWeight = weight;
                                 }
                             } else if (key == "weights") {
                                 readWeights(p, v, step.weights);
                             } else if (key == "hold") {
                                 readDuration(p, v, step.hold);
                             } else if (key == "minRequests") {
                                 readCount(p, v, step.minRequests);
                             } else {
                                 step.gates.emplace();
                                 readGates(p, v, *step.gates);
                             }
                         });
            steps.push_back(std::move(step));
        }
    }

    void readGateSource(const std::string &path, const YAML::Node &node, GateSource &out)
    {
        std::string text;
        if (!r.readString(path, node, text)) {
            return;
        }
        if (text == "sampler") {
            out = GateSource::Sampler;
        } else if (text == "telemetry") {
            out = GateSource::Telemetry;
        } else {
            r.problem(path, node, "must be sampler or telemetry, got '" + text + "'");
        }
    }

    void readSpec(const YAML::Node &node, Plan &plan)
    {
        r.forEachKey(
            "spec", node,
            {"group", "groupFile", "lane", "interval", "rate", "gatesFrom", "steps", "gates", "onFailure",
             "onSuccess"},
            [&](const std::string &key, const YAML::Node &v, const std::string &p) {
                if (key == "group") {
                    r.readString(p, v, plan.group);
                } else if (key == "groupFile") {
                    r.readString(p, v, plan.groupFile);
                } else if (key == "lane") {
                    r.readString(p, v, plan.lane);
                } else if (key == "interval") {
                    readDuration(p, v, plan.interval);
                } else if (key == "rate") {
                    readNumber(p, v, plan.rate);
                } else if (key == "gatesFrom") {
                    readGateSource(p, v, plan.gatesFrom);
                } else if (key == "steps") {
                    readSteps(p, v, plan.steps);
                } else if (key == "gates") {
                    readGates(p, v, plan.gates);
                } else if (key == "onFailure") {
                    r.forEachKey(p, v, {"weights"},
                                 [&](const std::string &, const YAML::Node &fv, const std::string &fp) {
                                     readWeights(fp, fv, plan.rollbackWeights);
                                 });
                } else {
                    r.forEachKey(p, v, {"makeBaseline"},
                                 [&](const std::string &, const YAML::Node &sv, const std::string &sp) {
                                     std::string text;
                                     if (!r.readString(sp, sv, text)) {
                                         return;
                                     }
                                     if (text != "true" && text != "false") {
                                         r.problem(sp, sv, "must be true or false, got '" + text + "'");
                                     }
                                     plan.makeBaseline = text == "true";
                                 });
                }
            });
    }

private:
    Reader &r;
};

void checkWeights(const std::string &field, const std::map<std::string, int> &weights, const LaneGroup &group,
                  std::vector<Diagnostic> &out)
{
    int total = 0;
    bool inRange = true;
    for (const auto &[lane, weight] : weights) {
        if (!group.lane(lane)) {
            out.push_back({field + '.' + lane, "no lane '" + lane + "' in group " + group.name, {}});
        }
        if (weight < 0 || weight > 100) {
            out.push_back({field + '.' + lane, "must be 0..100, got " + std::to_string(weight), {}});
            inRange = false;
        }
        total += weight;
    }
    if (inRange && total != 100) {
        out.push_back({field, "the weights must add up to 100, they add up to " + std::to_string(total), {}});
    }
}

void checkGates(const std::string &field, const Gates &gates, std::vector<Diagnostic> &out)
{
    auto add = [&](const std::string &f, const std::string &message) {
        out.push_back({field + f, message, {}});
    };
    if (gates.errorRate) {
        const auto &g = *gates.errorRate;
        if (!g.max && !g.maxIncrease) {
            add(".errorRate", "needs max or maxIncrease");
        }
        if (g.max && (*g.max < 0.0 || *g.max > 1.0)) {
            add(".errorRate.max", "must be 0..100%");
        }
        if (g.maxIncrease && (*g.maxIncrease < 0.0 || *g.maxIncrease > 1.0)) {
            add(".errorRate.maxIncrease", "must be 0..100%");
        }
    }
    if (gates.latencyP99) {
        const auto &g = *gates.latencyP99;
        if (!g.max && !g.maxRatio) {
            add(".latencyP99", "needs max or maxRatio");
        }
        if (g.maxRatio && *g.maxRatio < 1.0) {
            add(".latencyP99.maxRatio", "must be 1 or more (the baseline's p99 times this)");
        }
    }
    if (gates.split && (gates.split->alpha <= 0.0 || gates.split->alpha > 0.5)) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%g", gates.split->alpha);
        add(".split.alpha", std::string("must be above 0 and at most 0.5, got ") + buffer);
    }
}

std::map<std::string, int> baselineOnly(const LaneGroup &group)
{
    std::map<std::string, int> weights;
    for (const auto &lane : group.lanes) {
        weights[lane.name] = 0;
    }
    if (const Lane *baseline = group.baselineLane()) {
        weights[baseline->name] = 100;
    }
    return weights;
}

nlohmann::ordered_json gatesJson(const Gates &gates)
{
    nlohmann::ordered_json json = nlohmann::ordered_json::object();
    if (gates.errorRate) {
        auto &g = json["errorRate"] = nlohmann::ordered_json::object();
        if (gates.errorRate->max) {
            g["max"] = *gates.errorRate->max;
        }
        if (gates.errorRate->maxIncrease) {
            g["maxIncrease"] = *gates.errorRate->maxIncrease;
        }
    }
    if (gates.latencyP99) {
        auto &g = json["latencyP99"] = nlohmann::ordered_json::object();
        if (gates.latencyP99->max) {
            g["maxMicros"] = gates.latencyP99->max->count();
        }
        if (gates.latencyP99->maxRatio) {
            g["maxRatio"] = *gates.latencyP99->maxRatio;
        }
    }
    if (gates.split) {
        json["split"] = {{"alpha", gates.split->alpha}};
    }
    if (gates.leaks) {
        json["leaks"] = {{"max", gates.leaks->max}};
    }
    return json;
}

} // namespace

LoadedPlan parsePlan(const std::string &text, const std::string &sourceName)
{
    LoadedPlan out;
    Reader r(sourceName, out.problems, out.sources);
    auto documents = loadYamlDocuments(text, sourceName);
    if (!documents) {
        out.problems.push_back({"", documents.error().message, {sourceName, 0, 0}});
        return out;
    }
    std::vector<std::size_t> rollouts;
    for (std::size_t i = 0; i < documents->size(); ++i) {
        const YAML::Node &node = documents->at(i).node;
        if (node.IsMap() && node["kind"] && node["kind"].IsScalar() &&
            node["kind"].Scalar() == kRolloutKind) {
            rollouts.push_back(i);
        }
    }
    if (rollouts.empty()) {
        out.problems.push_back({"kind", "holds no Rollout document (kind: Rollout)", {sourceName, 1, 1}});
        return out;
    }
    if (rollouts.size() > 1) {
        r.setLineOffset(documents->at(rollouts[1]).firstLine);
        r.problem("", documents->at(rollouts[1]).node, "a second Rollout document; a file holds one plan");
    }
    r.setLineOffset(documents->at(rollouts.front()).firstLine);
    const YAML::Node root = documents->at(rollouts.front()).node;
    PlanReader reader(r);
    try {
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
                                 p, v, {"name"},
                                 [&](const std::string &, const YAML::Node &mv, const std::string &mp) {
                                     r.readString(mp, mv, out.plan.name);
                                 });
                         } else {
                             spec = v;
                         }
                     });
        if (apiVersion != kDocumentApiVersion) {
            r.problem("apiVersion", root["apiVersion"] ? root["apiVersion"] : root,
                      apiVersion.empty() ? std::string("missing; expected ") + kDocumentApiVersion
                                         : "'" + apiVersion + "' is not read by this LaneDeck; expected " +
                                               kDocumentApiVersion);
            return out;
        }
        out.readable = true;
        if (!spec) {
            r.problem("spec", root, "missing");
            return out;
        }
        reader.readSpec(spec, out.plan);
    } catch (const YAML::Exception &e) {
        out.readable = false;
        out.problems.push_back(
            {"", "cannot read: " + e.msg, {sourceName, e.mark.line + 1, e.mark.column + 1}});
    }
    return out;
}

LoadedPlan loadPlanFile(const std::string &path)
{
    auto text = readFileLimited(path, kMaxDocumentBytes);
    if (!text) {
        LoadedPlan out;
        out.problems.push_back({"", text.error().message, {path, 0, 0}});
        return out;
    }
    return parsePlan(*text, path);
}

std::vector<Diagnostic> validatePlan(const Plan &plan, const LaneGroup &group)
{
    std::vector<Diagnostic> out;
    auto add = [&](const std::string &field, const std::string &message) {
        out.push_back({field, message, {}});
    };
    if (plan.name.empty()) {
        add("metadata.name", "missing: a plan needs a name");
    }
    if (plan.group.empty()) {
        add("spec.group", "missing: the name of the LaneGroup to roll out in");
    } else if (plan.group != group.name) {
        add("spec.group", "names group '" + plan.group + "', but the group document is '" + group.name + "'");
    }
    const Lane *lane = group.lane(plan.lane);
    if (plan.lane.empty()) {
        add("spec.lane", "missing: the lane being rolled out");
    } else if (!lane) {
        add("spec.lane", "no lane '" + plan.lane + "' in group " + group.name);
    } else if (group.baselineLane() == lane) {
        add("spec.lane", "'" + plan.lane + "' is the baseline lane; roll out another lane");
    }
    if (plan.rate <= 0.0 || plan.rate > 10000.0) {
        add("spec.rate", "must be above 0 and at most 10000 requests per second");
    }
    if (plan.steps.empty()) {
        add("spec.steps", "missing: a plan needs at least one step");
    }
    for (std::size_t i = 0; i < plan.steps.size(); ++i) {
        const Step &step = plan.steps[i];
        const std::string field = "spec.steps[" + std::to_string(i) + "]";
        if (step.laneWeight.has_value() == !step.weights.empty()) {
            add(field, "needs exactly one of laneWeight (the lane's percentage) or weights (every lane's)");
        }
        if (step.laneWeight && (*step.laneWeight < 0 || *step.laneWeight > 100)) {
            add(field + ".laneWeight", "must be 0..100, got " + std::to_string(*step.laneWeight));
        }
        if (!step.weights.empty()) {
            checkWeights(field + ".weights", step.weights, group, out);
        }
        if (step.minRequests == 0) {
            add(field + ".minRequests", "must be at least 1");
        }
        if (step.hold < plan.interval) {
            add(field + ".hold",
                "is shorter than spec.interval: the step would end before its first evaluation");
        }
        if (step.gates) {
            checkGates(field + ".gates", *step.gates, out);
        }
    }
    checkGates("spec.gates", plan.gates, out);
    if (!plan.rollbackWeights.empty()) {
        checkWeights("spec.onFailure.weights", plan.rollbackWeights, group, out);
    }
    return out;
}

std::vector<Diagnostic> checkPlan(const LoadedPlan &loaded, const LaneGroup &group)
{
    std::vector<Diagnostic> all = loaded.problems;
    if (loaded.readable) {
        auto found = validatePlan(loaded.plan, group);
        all.insert(all.end(), found.begin(), found.end());
    }
    locate(all, loaded.sources);
    return all;
}

std::map<std::string, int> stepWeights(const Plan &plan, const Step &step, const LaneGroup &group)
{
    std::map<std::string, int> weights;
    for (const auto &lane : group.lanes) {
        weights[lane.name] = 0;
    }
    if (!step.laneWeight) {
        for (const auto &[lane, weight] : step.weights) {
            weights[lane] = weight;
        }
        return weights;
    }
    const int share = std::clamp(*step.laneWeight, 0, 100);
    weights[plan.lane] = share;
    const int rest = 100 - share;
    int others = 0;
    for (const auto &lane : group.lanes) {
        others += lane.name == plan.lane ? 0 : lane.weight;
    }
    if (others == 0) {
        const Lane *baseline = group.baselineLane();
        if (baseline && baseline->name != plan.lane) {
            weights[baseline->name] += rest;
        }
        return weights;
    }
    // Largest remainder: floor each share, then hand the leftover points to the largest remainders.
    struct Part
    {
        std::string lane;
        long long remainder;
        std::size_t order;
    };
    std::vector<Part> parts;
    int given = 0;
    for (std::size_t i = 0; i < group.lanes.size(); ++i) {
        const Lane &lane = group.lanes[i];
        if (lane.name == plan.lane) {
            continue;
        }
        const long long scaled = static_cast<long long>(rest) * lane.weight;
        weights[lane.name] = static_cast<int>(scaled / others);
        given += weights[lane.name];
        parts.push_back({lane.name, scaled % others, i});
    }
    std::stable_sort(parts.begin(), parts.end(),
                     [](const Part &a, const Part &b) { return a.remainder > b.remainder; });
    for (std::size_t i = 0; given < rest && i < parts.size(); ++i, ++given) {
        ++weights[parts[i].lane];
    }
    return weights;
}

std::map<std::string, int> rollbackWeights(const Plan &plan, const LaneGroup &group)
{
    if (plan.rollbackWeights.empty()) {
        return baselineOnly(group);
    }
    std::map<std::string, int> weights;
    for (const auto &lane : group.lanes) {
        weights[lane.name] = 0;
    }
    for (const auto &[lane, weight] : plan.rollbackWeights) {
        weights[lane] = weight;
    }
    return weights;
}

LaneGroup withWeights(LaneGroup group, const std::map<std::string, int> &weights)
{
    for (auto &lane : group.lanes) {
        const auto found = weights.find(lane.name);
        lane.weight = found == weights.end() ? 0 : found->second;
    }
    return group;
}

const Gates &gatesFor(const Plan &plan, const Step &step)
{
    return step.gates ? *step.gates : plan.gates;
}

std::string toString(GateSource source)
{
    return source == GateSource::Telemetry ? "telemetry" : "sampler";
}

nlohmann::ordered_json planJson(const Plan &plan)
{
    nlohmann::ordered_json json;
    json["name"] = plan.name;
    json["group"] = plan.group;
    json["lane"] = plan.lane;
    json["intervalMs"] = plan.interval.count();
    json["rate"] = plan.rate;
    if (plan.gatesFrom != GateSource::Sampler) { // absent for the sampler: older plans keep their hash
        json["gatesFrom"] = toString(plan.gatesFrom);
    }
    auto &steps = json["steps"] = nlohmann::ordered_json::array();
    for (const auto &step : plan.steps) {
        nlohmann::ordered_json s;
        if (step.laneWeight) {
            s["laneWeight"] = *step.laneWeight;
        } else {
            s["weights"] = step.weights;
        }
        s["holdMs"] = step.hold.count();
        s["minRequests"] = step.minRequests;
        if (step.gates) {
            s["gates"] = gatesJson(*step.gates);
        }
        steps.push_back(std::move(s));
    }
    json["gates"] = gatesJson(plan.gates);
    json["onFailure"] = {{"weights", plan.rollbackWeights}};
    json["onSuccess"] = {{"makeBaseline", plan.makeBaseline}};
    return json;
}

std::string planHash(const Plan &plan, const LaneGroup &group)
{
    const std::string text = planJson(plan).dump() + '\n' + serializeLaneGroup(group);
    const QByteArray digest =
        QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256);
    return digest.toHex().toStdString();
}

std::string weightsText(const std::map<std::string, int> &weights, const LaneGroup &group)
{
    std::string text;
    for (const auto &lane : group.lanes) {
        const auto found = weights.find(lane.name);
        text += (text.empty() ? "" : " / ") + lane.name + " " +
                std::to_string(found == weights.end() ? 0 : found->second);
    }
    return text;
}

} // namespace lanedeck::rollout

#pragma once

#include "base/result.h"
#include "lanes/diagnostic.h"
#include "lanes/document.h"
#include "lanes/lanegroup.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lanedeck::rollout {

/// The lane's error rate, absolute (at most `max`) or against the baseline lane's (at most `maxIncrease`
/// above it); both fractions 0..1. A gate may hold both.
struct ErrorRateGate
{
    std::optional<double> max;
    std::optional<double> maxIncrease;
    friend bool operator==(const ErrorRateGate &, const ErrorRateGate &) = default;
};

/// The lane's p99 latency, absolute (at most `max`) or against the baseline's (at most `maxRatio` times it).
struct LatencyGate
{
    std::optional<std::chrono::microseconds> max;
    std::optional<double> maxRatio;
    friend bool operator==(const LatencyGate &, const LatencyGate &) = default;
};

/// The observed split matches the step's weights: Pearson's chi-square p-value at least `alpha`.
struct SplitGate
{
    double alpha = 0.001;
    friend bool operator==(const SplitGate &, const SplitGate &) = default;
};

/// Requests that left their lane (a chain no lane's path explains): at most `max`.
struct LeakGate
{
    std::uint64_t max = 0;
    friend bool operator==(const LeakGate &, const LeakGate &) = default;
};

/// The gates a step is judged by; an absent gate is not judged.
struct Gates
{
    std::optional<ErrorRateGate> errorRate;
    std::optional<LatencyGate> latencyP99;
    std::optional<SplitGate> split;
    std::optional<LeakGate> leaks;
    friend bool operator==(const Gates &, const Gates &) = default;
};

/// One step: the weights to push (explicit per lane, or the rolled-out lane to N% with the other lanes
/// sharing the rest in the group's proportions), how long to hold them, and how many requests an
/// evaluation needs before it may judge.
struct Step
{
    std::map<std::string, int> weights; ///< explicit; lanes left out get 0
    std::optional<int> laneWeight;      ///< the rolled-out lane's percentage instead
    std::chrono::milliseconds hold{30000};
    std::uint64_t minRequests = 100;
    std::optional<Gates> gates; ///< replaces the plan's gates for this step
    friend bool operator==(const Step &, const Step &) = default;
};

/// Where the gates read their numbers: the runner's own probes through the ingress (the sampler), or the
/// mesh's own telemetry (Istio's metrics in Prometheus: every request the ingress served during the step,
/// the operator's traffic included; the probes still send theirs).
enum class GateSource
{
    Sampler,
    Telemetry,
};
std::string toString(GateSource source);

/// A rollout plan (kind Rollout): which lane of which group goes up in which steps, under which gates, and
/// what happens on failure (roll back to given weights, default everything to the baseline) and on success
/// (the last step's weights stay; optionally the lane becomes the baseline).
struct Plan
{
    std::string name;
    std::string group;     ///< the LaneGroup's metadata.name
    std::string groupFile; ///< where the group is, relative to the plan; empty: the plan's own file
    std::string lane;
    std::chrono::milliseconds interval{5000}; ///< how often the gates are evaluated during a hold
    double rate = 200.0;                      ///< probe requests per second through the ingress
    GateSource gatesFrom = GateSource::Sampler;
    std::vector<Step> steps;
    Gates gates;
    std::map<std::string, int> rollbackWeights; ///< empty: 100 to the baseline lane
    bool makeBaseline = false;
    friend bool operator==(const Plan &, const Plan &) = default;
};

/// A plan as read: the plan as far as it could be read, where each field stood, every reading problem.
struct LoadedPlan
{
    Plan plan;
    SourceMap sources;
    std::vector<Diagnostic> problems;
    bool readable = false;
};

/// Reads the Rollout document of a YAML stream (its own file, or beside the LaneGroup); `sourceName` names
/// it in positions. Exactly one Rollout document is expected; a LaneGroup beside it is skipped here.
LoadedPlan parsePlan(const std::string &text, const std::string &sourceName);
LoadedPlan loadPlanFile(const std::string &path);

/// Every problem of the plan against its group (which must be valid), each naming its field path.
std::vector<Diagnostic> validatePlan(const Plan &plan, const LaneGroup &group);
/// Reading problems plus validation problems, each located at file:line:column.
std::vector<Diagnostic> checkPlan(const LoadedPlan &loaded, const LaneGroup &group);

/// The full weights of a step for every lane of the group, in the group's lane order, adding up to 100.
/// "Lane to N%" shares 100 - N among the other lanes in proportion to their group weights (largest
/// remainder, ties to the earlier lane); when those are all 0, the baseline takes the rest.
std::map<std::string, int> stepWeights(const Plan &plan, const Step &step, const LaneGroup &group);
/// The weights a failure rolls back to.
std::map<std::string, int> rollbackWeights(const Plan &plan, const LaneGroup &group);
/// The group with these weights (lanes not named get 0).
LaneGroup withWeights(LaneGroup group, const std::map<std::string, int> &weights);
/// The gates in force for a step.
const Gates &gatesFor(const Plan &plan, const Step &step);

/// The plan as JSON (for the audit log and the hash), in a fixed key order.
nlohmann::ordered_json planJson(const Plan &plan);
/// SHA-256 (hex) of the plan's JSON and the group it runs on: a resume refuses when either changed.
std::string planHash(const Plan &plan, const LaneGroup &group);
/// "s1 54 / s2 10 / s3 36".
std::string weightsText(const std::map<std::string, int> &weights, const LaneGroup &group);

} // namespace lanedeck::rollout

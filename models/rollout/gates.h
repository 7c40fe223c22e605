#pragma once

#include "rollout/plan.h"
#include "traffic/histogram.h"
#include "traffic/sampler.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lanedeck::telemetry {
struct MeshTelemetry;
}

namespace lanedeck::rollout {

/// What one lane answered in an evaluation window: responses served (in its lane or by fallback), HTTP
/// errors attributed to it, and the latency of the served ones.
struct LaneTally
{
    std::uint64_t served = 0;
    std::uint64_t errors = 0;
    traffic::LatencyHistogram latency;
    /// The p99 (µs) measured elsewhere, used instead of `latency`'s: the mesh's own duration histogram,
    /// which Prometheus aggregates server-side. Merging tallies keeps the larger (the cautious choice).
    std::optional<double> measuredP99;

    std::uint64_t requests() const { return served + errors; }
    /// The p99 of the served responses in µs; hasLatency() says whether there is any.
    double p99() const;
    bool hasLatency() const { return measuredP99.has_value() || latency.count() > 0; }
    void merge(const LaneTally &other);
};

/// The requests of an evaluation window, by lane: what the gates judge.
struct Observation
{
    std::uint64_t total = 0;              ///< every request sent and finished
    std::uint64_t unattributedErrors = 0; ///< failures no lane could be told for (connect, timeout, ...)
    std::uint64_t leaked = 0;
    std::map<std::string, LaneTally> lanes;

    void merge(const Observation &other);
};

/// Adds a sampling run's samples to an observation (lanes by the run's lane names).
void addRun(Observation &observation, const traffic::SampleRun &run);

/// The mesh's telemetry over a window as an observation: each lane's requests at the ingress (errors by its
/// entry workload's error rate, the rest served), its p99 from the duration histogram (measuredP99), the
/// requests that left their lane on any hop as leaks, and the ingress total. Counts are rounded from
/// Prometheus's extrapolated increases.
Observation observationFromTelemetry(const telemetry::MeshTelemetry &view);

enum class Verdict
{
    Pass,
    Fail,
    Wait, ///< too few requests to judge yet
};
std::string toString(Verdict verdict);

/// One gate's judgement: what was measured against what threshold, in numbers and in words.
struct GateResult
{
    std::string
        gate; ///< "errorRate", "errorRate/baseline", "latencyP99", "latencyP99/baseline", "split", "leaks"
    Verdict verdict = Verdict::Wait;
    double measurement = 0.0;
    double threshold = 0.0;
    std::string text; ///< "s2 errors 18.0% (95% CI 12.1-25.9%) > max 5.0%"
};

/// The error-rate gate, absolute: fails when the lane's rate is above `max` with 95% confidence (the lower
/// end of its Wilson interval is above it), so a handful of unlucky requests does not roll back a step.
GateResult judgeErrorRate(double max, const std::string &lane, const LaneTally &tally);
/// Relative: fails when the lane's rate exceeds the baseline's by more than `maxIncrease`, one-sided
/// two-proportion z-test at 95% (z > 1.645). Passes when the baseline had no requests (nothing to compare).
GateResult judgeErrorIncrease(double maxIncrease, const std::string &lane, const LaneTally &tally,
                              const LaneTally &baseline);
/// p99 of the lane's served responses from its histogram, against `max` (µs).
GateResult judgeLatency(std::int64_t maxMicros, const std::string &lane, const LaneTally &tally);
/// p99 against the baseline's p99 times `maxRatio`.
GateResult judgeLatencyRatio(double maxRatio, const std::string &lane, const LaneTally &tally,
                             const LaneTally &baseline);
/// Pearson's chi-square of the served counts against the weights: passes when p >= alpha. Responses from a
/// lane at weight 0 fail it outright (the step routes nothing there).
GateResult judgeSplit(double alpha, const Observation &observation,
                      const std::map<std::string, int> &weights);
GateResult judgeLeaks(std::uint64_t max, const Observation &observation);

/// Every gate of `gates` over one window: Wait for all of them while the window has fewer than
/// `minRequests` requests (or the lane none); otherwise each gate's verdict.
std::vector<GateResult> judge(const Gates &gates, const Observation &observation, const std::string &lane,
                              const std::string &baseline, const std::map<std::string, int> &weights,
                              std::uint64_t minRequests);

/// Fail if any gate failed, else Wait if any waits, else Pass (Pass also for no gates).
Verdict overall(const std::vector<GateResult> &results);

} // namespace lanedeck::rollout

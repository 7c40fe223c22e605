#include "rollout/gates.h"

#include "telemetry/meshtelemetry.h"
#include "traffic/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lanedeck::rollout {
namespace {

/// One-sided 95%: the z above which an increase is significant.
constexpr double kZOneSided95 = 1.6448536269514722;

std::string percent(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f%%", value * 100.0);
    return buffer;
}

std::string millis(double micros)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f ms", micros / 1000.0);
    return buffer;
}

double rate(const LaneTally &tally)
{
    return tally.requests() ? double(tally.errors) / double(tally.requests()) : 0.0;
}

} // namespace

void LaneTally::merge(const LaneTally &other)
{
    served += other.served;
    errors += other.errors;
    latency.merge(other.latency);
    if (other.measuredP99) {
        measuredP99 = std::max(measuredP99.value_or(0.0), *other.measuredP99);
    }
}

double LaneTally::p99() const
{
    return measuredP99 ? *measuredP99 : double(latency.percentile(99.0));
}

void Observation::merge(const Observation &other)
{
    total += other.total;
    unattributedErrors += other.unattributedErrors;
    leaked += other.leaked;
    for (const auto &[name, tally] : other.lanes) {
        lanes[name].merge(tally);
    }
}

void addRun(Observation &observation, const traffic::SampleRun &run)
{
    for (const auto &sample : run.samples) {
        ++observation.total;
        const bool named = sample.lane >= 0 && static_cast<std::size_t>(sample.lane) < run.laneNames.size();
        if (sample.error != traffic::ErrorKind::None) {
            if (named && sample.error == traffic::ErrorKind::HttpStatus) {
                ++observation.lanes[run.laneNames[static_cast<std::size_t>(sample.lane)]].errors;
            } else {
                ++observation.unattributedErrors;
            }
            continue;
        }
        if (sample.outcome == traffic::Outcome::Leaked) {
            ++observation.leaked;
        }
        if (named) {
            LaneTally &tally = observation.lanes[run.laneNames[static_cast<std::size_t>(sample.lane)]];
            ++tally.served;
            tally.latency.record(sample.latencyMicros);
        }
    }
}

Observation observationFromTelemetry(const telemetry::MeshTelemetry &view)
{
    Observation observation;
    observation.total = view.split.total;
    observation.leaked = static_cast<std::uint64_t>(std::llround(std::max(0.0, view.leaked)));
    for (std::size_t i = 0; i < view.split.lanes.size(); ++i) {
        const auto &lane = view.split.lanes[i];
        const double errorRate = i < view.laneErrorRates.size() ? view.laneErrorRates[i] : 0.0;
        LaneTally tally;
        tally.errors = std::min<std::uint64_t>(
            lane.count, static_cast<std::uint64_t>(std::llround(double(lane.count) * errorRate)));
        tally.served = lane.count - tally.errors;
        if (lane.count > 0) {
            tally.measuredP99 = double(lane.p99);
        }
        observation.lanes[lane.name] = std::move(tally);
    }
    return observation;
}

std::string toString(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass:
        return "pass";
    case Verdict::Fail:
        return "fail";
    case Verdict::Wait:
        break;
    }
    return "wait";
}

GateResult judgeErrorRate(double max, const std::string &lane, const LaneTally &tally)
{
    GateResult result{"errorRate", Verdict::Pass, rate(tally), max, {}};
    const auto interval = traffic::wilsonInterval(tally.errors, tally.requests());
    // No errors never exceed a threshold, whatever rounding does to the interval's lower end.
    const bool above = tally.errors > 0 && interval.low > max;
    result.verdict = above ? Verdict::Fail : Verdict::Pass;
    result.text = lane + " errors " + percent(result.measurement) + " (95% CI " + percent(interval.low) +
                  "-" + percent(interval.high) + ", " + std::to_string(tally.errors) + "/" +
                  std::to_string(tally.requests()) + ") " + (above ? "> max " : "<= max ") + percent(max);
    return result;
}

GateResult judgeErrorIncrease(double maxIncrease, const std::string &lane, const LaneTally &tally,
                              const LaneTally &baseline)
{
    GateResult result{"errorRate/baseline", Verdict::Pass, rate(tally) - rate(baseline), maxIncrease, {}};
    if (baseline.requests() == 0) {
        result.text = "no baseline requests in this step: " + lane + " not compared";
        return result;
    }
    const double p1 = rate(tally);
    const double p0 = rate(baseline);
    const double variance =
        p1 * (1.0 - p1) / double(tally.requests()) + p0 * (1.0 - p0) / double(baseline.requests());
    const double excess = p1 - p0 - maxIncrease;
    // With no variance (all or nothing failed on both sides) the difference is known exactly.
    const bool above = variance > 0.0 ? excess / std::sqrt(variance) > kZOneSided95 : excess > 0.0;
    result.verdict = above ? Verdict::Fail : Verdict::Pass;
    result.text = lane + " errors " + percent(p1) + " vs baseline " + percent(p0) + ": +" +
                  percent(std::max(0.0, p1 - p0)) + (above ? " > max +" : " <= max +") + percent(maxIncrease);
    return result;
}

GateResult judgeLatency(std::int64_t maxMicros, const std::string &lane, const LaneTally &tally)
{
    const double p99 = tally.p99();
    GateResult result{"latencyP99", Verdict::Pass, p99, double(maxMicros), {}};
    result.verdict = p99 > double(maxMicros) ? Verdict::Fail : Verdict::Pass;
    result.text = lane + " p99 " + millis(p99) + (result.verdict == Verdict::Fail ? " > max " : " <= max ") +
                  millis(double(maxMicros));
    return result;
}

GateResult judgeLatencyRatio(double maxRatio, const std::string &lane, const LaneTally &tally,
                             const LaneTally &baseline)
{
    const double p99 = tally.p99();
    const double base = baseline.p99();
    GateResult result{"latencyP99/baseline", Verdict::Pass, base > 0.0 ? p99 / base : 0.0, maxRatio, {}};
    if (!baseline.hasLatency()) {
        result.text = "no baseline responses in this step: " + lane + " p99 not compared";
        return result;
    }
    result.verdict = p99 > base * maxRatio ? Verdict::Fail : Verdict::Pass;
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, " (x%.2f)%s x%.2f", result.measurement,
                  result.verdict == Verdict::Fail ? " > max" : " <= max", maxRatio);
    result.text = lane + " p99 " + millis(p99) + " vs baseline " + millis(base) + buffer;
    return result;
}

GateResult judgeSplit(double alpha, const Observation &observation, const std::map<std::string, int> &weights)
{
    std::vector<std::uint64_t> observed;
    std::vector<double> expected;
    std::string offWeight;
    std::uint64_t offWeightCount = 0;
    for (const auto &[name, tally] : observation.lanes) {
        const auto found = weights.find(name);
        const int weight = found == weights.end() ? 0 : found->second;
        if (weight == 0 && tally.served > 0) {
            offWeight += (offWeight.empty() ? "" : ", ") + name;
            offWeightCount += tally.served;
        }
    }
    for (const auto &[name, weight] : weights) {
        const auto found = observation.lanes.find(name);
        observed.push_back(found == observation.lanes.end() ? 0 : found->second.served);
        expected.push_back(double(weight));
    }
    const auto test = traffic::chiSquareGoodnessOfFit(observed, expected);
    GateResult result{"split", Verdict::Pass, test.pValue, alpha, {}};
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "chi2 %.2f (df %d), p = %.3g", test.statistic, test.degrees,
                  test.pValue);
    result.text = buffer;
    if (offWeightCount > 0) {
        result.verdict = Verdict::Fail;
        result.measurement = 0.0;
        result.text =
            std::to_string(offWeightCount) + " responses from lanes at weight 0 (" + offWeight + ")";
        return result;
    }
    result.verdict = test.pValue < alpha ? Verdict::Fail : Verdict::Pass;
    std::snprintf(buffer, sizeof buffer, "%s alpha %g", test.pValue < alpha ? " <" : " >=", alpha);
    result.text += buffer;
    return result;
}

GateResult judgeLeaks(std::uint64_t max, const Observation &observation)
{
    GateResult result{"leaks", Verdict::Pass, double(observation.leaked), double(max), {}};
    result.verdict = observation.leaked > max ? Verdict::Fail : Verdict::Pass;
    result.text = std::to_string(observation.leaked) + " leaked" +
                  (result.verdict == Verdict::Fail ? " > max " : " <= max ") + std::to_string(max);
    return result;
}

std::vector<GateResult> judge(const Gates &gates, const Observation &observation, const std::string &lane,
                              const std::string &baseline, const std::map<std::string, int> &weights,
                              std::uint64_t minRequests)
{
    static const LaneTally none;
    const auto laneIt = observation.lanes.find(lane);
    const LaneTally &tally = laneIt == observation.lanes.end() ? none : laneIt->second;
    const auto baseIt = observation.lanes.find(baseline);
    const LaneTally &base = baseIt == observation.lanes.end() ? none : baseIt->second;
    const auto laneWeight = weights.find(lane);
    const bool laneRouted = laneWeight != weights.end() && laneWeight->second > 0;
    std::vector<GateResult> results;
    auto waiting = [&](const std::string &gate) {
        GateResult r{gate, Verdict::Wait, double(observation.total), double(minRequests), {}};
        r.text = "waiting: " + std::to_string(observation.total) + " of " + std::to_string(minRequests) +
                 " requests";
        if (observation.total >= minRequests) {
            r.text = "waiting: no " + lane + " requests yet";
        }
        return r;
    };
    const bool enough = observation.total >= minRequests;
    const bool laneEnough = enough && (tally.requests() > 0 || !laneRouted);
    if (gates.errorRate) {
        if (gates.errorRate->max) {
            results.push_back(laneEnough ? judgeErrorRate(*gates.errorRate->max, lane, tally)
                                         : waiting("errorRate"));
        }
        if (gates.errorRate->maxIncrease) {
            results.push_back(laneEnough
                                  ? judgeErrorIncrease(*gates.errorRate->maxIncrease, lane, tally, base)
                                  : waiting("errorRate/baseline"));
        }
    }
    if (gates.latencyP99) {
        if (gates.latencyP99->max) {
            results.push_back(laneEnough ? judgeLatency(gates.latencyP99->max->count(), lane, tally)
                                         : waiting("latencyP99"));
        }
        if (gates.latencyP99->maxRatio) {
            results.push_back(laneEnough ? judgeLatencyRatio(*gates.latencyP99->maxRatio, lane, tally, base)
                                         : waiting("latencyP99/baseline"));
        }
    }
    if (gates.split) {
        results.push_back(enough ? judgeSplit(gates.split->alpha, observation, weights) : waiting("split"));
    }
    if (gates.leaks) {
        results.push_back(enough ? judgeLeaks(gates.leaks->max, observation) : waiting("leaks"));
    }
    return results;
}

Verdict overall(const std::vector<GateResult> &results)
{
    Verdict verdict = Verdict::Pass;
    for (const auto &result : results) {
        if (result.verdict == Verdict::Fail) {
            return Verdict::Fail;
        }
        if (result.verdict == Verdict::Wait) {
            verdict = Verdict::Wait;
        }
    }
    return verdict;
}

} // namespace lanedeck::rollout

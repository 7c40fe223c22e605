#include "traffic/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lanedeck::traffic {

namespace {

std::string format(const char *pattern, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

std::string formatP(double p)
{
    return p >= 0.001 ? format("%.2g", p) : format("%.1e", p);
}

} // namespace

std::string toString(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None:
        return "none";
    case ErrorKind::Connect:
        return "connect";
    case ErrorKind::Timeout:
        return "timeout";
    case ErrorKind::Transport:
        return "transport";
    case ErrorKind::HttpStatus:
        return "http-status";
    case ErrorKind::Unparseable:
        return "unparseable";
    }
    return {};
}

Aggregate::Aggregate(const std::vector<LaneWeight> &configured)
{
    lanes.reserve(configured.size() + 4); // a Lane holds a 30 KiB histogram: no copies while they are added
    for (const auto &lane : configured) {
        lanes.push_back(Lane{lane.name, lane.weight, 0, 0, {}});
    }
}

std::int32_t Aggregate::laneIndex(const std::string &name)
{
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        if (lanes[i].name == name) {
            return static_cast<std::int32_t>(i);
        }
    }
    lanes.push_back(Lane{name, 0, 0, 0, {}});
    return static_cast<std::int32_t>(lanes.size() - 1);
}

std::int32_t Aggregate::chainIndexOf(const std::string &chain)
{
    if (const auto it = chainIndex.find(chain); it != chainIndex.end()) {
        return it->second;
    }
    if (chainTexts.size() >= kMaxChains) {
        return -1;
    }
    const auto index = static_cast<std::int32_t>(chainTexts.size());
    chainTexts.push_back(chain);
    chainCounts.push_back(0);
    chainFailures.push_back(0);
    chainIndex.emplace(chain, index);
    return index;
}

void Aggregate::add(const Sample &sample)
{
    ++total;
    const auto second = static_cast<std::size_t>(std::max<std::int64_t>(0, sample.scheduledMicros) / 1000000);
    if (seconds.size() <= second) {
        seconds.resize(second + 1);
    }
    Second &bucket = seconds[second];
    if (sample.error != ErrorKind::None) {
        ++errors[static_cast<std::size_t>(sample.error)];
        if (sample.chain >= 0) {
            ++chainFailures[static_cast<std::size_t>(sample.chain)];
        }
        ++bucket.failed;
        return;
    }
    ++bucket.succeeded;
    latency.record(sample.latencyMicros);
    if (sample.chain >= 0) {
        ++chainCounts[static_cast<std::size_t>(sample.chain)];
    } else if (sample.outcome != Outcome::Unclassified) {
        ++otherChains;
    }
    if (sample.outcome == Outcome::Leaked) {
        ++leaked;
    }
    if (sample.lane >= 0 && static_cast<std::size_t>(sample.lane) < lanes.size()) {
        Lane &lane = lanes[static_cast<std::size_t>(sample.lane)];
        ++lane.count;
        lane.fellBack += sample.outcome == Outcome::FellBack;
        lane.latency.record(sample.latencyMicros);
        if (bucket.lanes.size() < lanes.size()) {
            bucket.lanes.resize(lanes.size());
        }
        ++bucket.lanes[static_cast<std::size_t>(sample.lane)];
    }
}

Aggregate::IndexMap Aggregate::merge(const Aggregate &other)
{
    IndexMap map;
    for (std::size_t i = 0; i < other.lanes.size(); ++i) {
        const Lane &from = other.lanes[i];
        const std::int32_t index = laneIndex(from.name);
        Lane &to = lanes[static_cast<std::size_t>(index)];
        to.count += from.count;
        to.fellBack += from.fellBack;
        to.latency.merge(from.latency);
        map.lanes.push_back(index);
        map.identity = map.identity && index == static_cast<std::int32_t>(i);
    }
    for (std::size_t i = 0; i < other.chainTexts.size(); ++i) {
        const std::int32_t index = chainIndexOf(other.chainTexts[i]);
        if (index >= 0) {
            chainCounts[static_cast<std::size_t>(index)] += other.chainCounts[i];
            chainFailures[static_cast<std::size_t>(index)] += other.chainFailures[i];
        } else {
            otherChains += other.chainCounts[i];
        }
        map.chains.push_back(index);
        map.identity = map.identity && index == static_cast<std::int32_t>(i);
    }
    for (std::size_t k = 0; k < kErrorKinds; ++k) {
        errors[k] += other.errors[k];
    }
    total += other.total;
    leaked += other.leaked;
    otherChains += other.otherChains;
    latency.merge(other.latency);
    if (seconds.size() < other.seconds.size()) {
        seconds.resize(other.seconds.size());
    }
    for (std::size_t s = 0; s < other.seconds.size(); ++s) {
        const Second &from = other.seconds[s];
        Second &to = seconds[s];
        to.succeeded += from.succeeded;
        to.failed += from.failed;
        if (!from.lanes.empty() && to.lanes.size() < lanes.size()) {
            to.lanes.resize(lanes.size()); // as add() sizes it
        }
        for (std::size_t i = 0; i < from.lanes.size(); ++i) {
            to.lanes[static_cast<std::size_t>(map.lanes[i])] += from.lanes[i];
        }
    }
    elapsedMicros = std::max(elapsedMicros, other.elapsedMicros);
    return map;
}

std::uint64_t Summary::errorCount() const
{
    std::uint64_t sum = 0;
    for (std::size_t i = 1; i < kErrorKinds; ++i) {
        sum += errors[i];
    }
    return sum;
}

Summary summarize(const Aggregate &aggregate, double alpha)
{
    Summary summary;
    summary.total = aggregate.total;
    summary.leaked = aggregate.leaked;
    summary.errors = aggregate.errors;
    summary.elapsedSeconds = double(aggregate.elapsedMicros) / 1e6;
    summary.achievedRate = summary.elapsedSeconds > 0 ? double(summary.total) / summary.elapsedSeconds : 0.0;
    summary.perSecond = aggregate.seconds;
    summary.p50 = aggregate.latency.percentile(50);
    summary.p90 = aggregate.latency.percentile(90);
    summary.p99 = aggregate.latency.percentile(99);
    summary.max = aggregate.latency.max();

    double weightSum = 0.0;
    for (const auto &lane : aggregate.lanes) {
        summary.classified += lane.count;
        weightSum += std::max(0, lane.weight);
    }
    std::vector<std::uint64_t> observed;
    std::vector<double> weights;
    for (const auto &lane : aggregate.lanes) {
        LaneSummary row;
        row.name = lane.name;
        row.weight = lane.weight;
        row.expectedShare = weightSum > 0 ? std::max(0, lane.weight) / weightSum : 0.0;
        row.count = lane.count;
        row.fellBack = lane.fellBack;
        row.share = summary.classified ? double(lane.count) / double(summary.classified) : 0.0;
        row.interval = wilsonInterval(lane.count, summary.classified);
        row.p50 = lane.latency.percentile(50);
        row.p90 = lane.latency.percentile(90);
        row.p99 = lane.latency.percentile(99);
        row.max = lane.latency.max();
        summary.lanes.push_back(row);
        observed.push_back(lane.count);
        weights.push_back(std::max(0, lane.weight));
    }
    summary.chiSquare = chiSquareGoodnessOfFit(observed, weights);

    for (std::size_t i = 0; i < aggregate.chainTexts.size(); ++i) {
        // A chain seen only in failed responses is no answered path: failedChains has it.
        if (aggregate.chainCounts[i] > 0) {
            summary.chains.push_back({aggregate.chainTexts[i], aggregate.chainCounts[i]});
        }
        if (aggregate.chainFailures[i] > 0) {
            summary.failedChains.push_back({aggregate.chainTexts[i], aggregate.chainFailures[i]});
        }
    }
    const auto byCount = [](const ChainCount &a, const ChainCount &b) { return a.count > b.count; };
    std::stable_sort(summary.chains.begin(), summary.chains.end(), byCount);
    std::stable_sort(summary.failedChains.begin(), summary.failedChains.end(), byCount);

    std::string split;
    for (const auto &lane : aggregate.lanes) {
        if (lane.weight > 0) {
            split += (split.empty() ? "" : "/") + std::to_string(lane.weight);
        }
    }
    std::uint64_t unexpected = summary.leaked;
    for (const auto &row : summary.lanes) {
        unexpected += row.weight > 0 ? 0 : row.count;
    }
    const std::uint64_t expectedTotal = summary.classified - (unexpected - summary.leaked);
    if (summary.classified + summary.leaked == 0) {
        summary.verdict = "no classified responses (" + std::to_string(summary.errorCount()) + " errors)";
        return summary;
    }
    if (unexpected > 0) {
        std::string where;
        for (const auto &row : summary.lanes) {
            if (row.weight <= 0 && row.count > 0) {
                where += (where.empty() ? "" : ", ") + row.name + " " + std::to_string(row.count);
            }
        }
        if (summary.leaked) {
            where += (where.empty() ? "" : ", ") + std::to_string(summary.leaked) +
                     " leaked (matched no lane's path)";
        }
        summary.verdict = "does not match " + split + ": " + std::to_string(unexpected) + " of " +
                          std::to_string(summary.classified + summary.leaked) +
                          " responses outside the weighted lanes (" + where + ")";
        return summary;
    }
    if (summary.chiSquare.degrees == 0 || summary.chiSquare.pValue >= alpha) {
        summary.matches = true;
        summary.verdict = "matches " + split + ", p = " + formatP(summary.chiSquare.pValue);
        if (const auto failed = summary.errorCount()) {
            // The split of what was answered matches, but the run is not clean: say so in the same line.
            summary.verdict += " (but " + std::to_string(failed) + " of " + std::to_string(summary.total) +
                               " requests failed)";
        }
        return summary;
    }
    // The lane with the largest standardized residual is the one that deviates most.
    const LaneSummary *worst = nullptr;
    double worstResidual = -1.0;
    for (const auto &row : summary.lanes) {
        if (row.weight <= 0) {
            continue;
        }
        const double expected = double(expectedTotal) * row.expectedShare;
        const double residual = std::fabs(double(row.count) - expected) / std::sqrt(expected);
        if (residual > worstResidual) {
            worstResidual = residual;
            worst = &row;
        }
    }
    summary.verdict = "does not match " + split + " (p = " + formatP(summary.chiSquare.pValue) +
                      "): " + worst->name + " got " + format("%.1f%%", worst->share * 100.0) + " [" +
                      format("%.1f", worst->interval.low * 100.0) + "-" +
                      format("%.1f%%", worst->interval.high * 100.0) + "], configured " +
                      format("%.0f%%", worst->expectedShare * 100.0) + " (" +
                      format("%+.1f", (worst->share - worst->expectedShare) * 100.0) + " points)";
    return summary;
}

} // namespace lanedeck::traffic

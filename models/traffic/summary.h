#pragma once

#include "traffic/classifier.h"
#include "traffic/histogram.h"
#include "traffic/statistics.h"

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace lanedeck::traffic {

/// Why a request did not yield a classified response.
enum class ErrorKind : std::uint8_t
{
    None,
    Connect,     ///< the connection could not be made (refused, unresolvable)
    Timeout,     ///< no complete response within the timeout
    Transport,   ///< the connection broke mid-exchange (reset, closed without a response)
    HttpStatus,  ///< a response with a status outside 2xx
    Unparseable, ///< not HTTP, or a body/header the classifier cannot read
};
inline constexpr std::size_t kErrorKinds = 6;
std::string toString(ErrorKind kind);

/// One request as sampled: compact, so that a run can keep every one of them (40 bytes each).
struct Sample
{
    std::uint64_t sequence = 0;
    std::int64_t scheduledMicros = 0; ///< when it was due, from the start of the run
    std::int64_t latencyMicros = 0;   ///< from the scheduled time to the end of the response
    std::int16_t status = 0;          ///< HTTP status, 0 when there was none
    ErrorKind error = ErrorKind::None;
    Outcome outcome = Outcome::Unclassified;
    std::int32_t lane = -1;  ///< index into the run's lane names (also for an HTTP error naming its lane)
    std::int32_t chain = -1; ///< index into the run's distinct chains
};

/// The running totals of a sampling run, updated by each sampling thread in O(1) per sample (every thread
/// has its own) and merged for each snapshot. Distinct chains are capped so a misbehaving target cannot grow
/// it without bound.
struct Aggregate
{
    static constexpr std::size_t kMaxChains = 1000;

    struct Lane
    {
        std::string name;
        int weight = 0; ///< 0 for lanes that are not configured (leaked, or an unknown header value)
        std::uint64_t count = 0;
        std::uint64_t fellBack = 0;
        LatencyHistogram latency;
    };
    struct Second
    {
        std::uint64_t succeeded = 0;
        std::uint64_t failed = 0;
        std::vector<std::uint64_t> lanes; ///< by lane index
    };

    std::vector<Lane> lanes; ///< configured lanes first, in the group's order
    std::array<std::uint64_t, kErrorKinds> errors{};
    std::uint64_t total = 0;
    std::uint64_t leaked = 0;
    LatencyHistogram latency;
    std::vector<Second> seconds;
    std::vector<std::string> chainTexts;
    std::vector<std::uint64_t> chainCounts;
    /// By chain index: failed responses (HTTP 5xx/4xx) that still carried the chain, as the sandbox's faults
    /// and asm-mock's errors do: the chain ends with the workload that failed.
    std::vector<std::uint64_t> chainFailures;
    std::unordered_map<std::string, std::int32_t> chainIndex;
    std::uint64_t otherChains = 0; ///< responses whose chain arrived after the cap
    std::int64_t elapsedMicros = 0;

    explicit Aggregate(const std::vector<LaneWeight> &configured = {});
    /// Index of a lane by name, adding an unconfigured lane on first sight.
    std::int32_t laneIndex(const std::string &name);
    /// Index of a chain, or -1 past the cap.
    std::int32_t chainIndexOf(const std::string &chain);
    void add(const Sample &sample);

    /// Where another aggregate's lane and chain indexes land in this one after merge() (-1: a chain past the
    /// cap, counted in otherChains).
    struct IndexMap
    {
        std::vector<std::int32_t> lanes;
        std::vector<std::int32_t> chains;
        bool identity = true; ///< every index maps to itself
    };
    /// Adds `other` (another thread's totals of the same run) to this one: lanes and chains by name, seconds
    /// by index, elapsed time as the longer of the two.
    IndexMap merge(const Aggregate &other);
};

/// One lane's row of the summary.
struct LaneSummary
{
    std::string name;
    int weight = 0;
    double expectedShare = 0.0; ///< weight / sum of weights
    std::uint64_t count = 0;
    std::uint64_t fellBack = 0;
    double share = 0.0;                              ///< of classified responses
    Interval interval;                               ///< 95% Wilson interval of the share
    std::int64_t p50 = 0, p90 = 0, p99 = 0, max = 0; ///< latency in µs
};

struct ChainCount
{
    std::string chain;
    std::uint64_t count = 0;
};

/// What a run shows so far: the table, the test against the weights, and the verdict in words.
struct Summary
{
    std::uint64_t total = 0;      ///< requests completed
    std::uint64_t classified = 0; ///< responses attributed to a lane (configured or not)
    std::uint64_t leaked = 0;
    std::array<std::uint64_t, kErrorKinds> errors{};
    double elapsedSeconds = 0.0;
    double achievedRate = 0.0; ///< completed requests per second
    std::vector<LaneSummary> lanes;
    ChiSquareResult chiSquare;
    bool matches = false;
    std::string verdict;            ///< "matches 60/20/20, p = 0.41" or which lane deviates and by how much
    std::vector<ChainCount> chains; ///< most frequent first
    /// Failed responses by the chain they carried (ending with the workload that failed), most frequent
    /// first.
    std::vector<ChainCount> failedChains;
    std::vector<Aggregate::Second> perSecond;
    std::int64_t p50 = 0, p90 = 0, p99 = 0, max = 0;

    std::uint64_t errorCount() const;
};

/// The significance level below which the verdict says the split does not match the weights.
inline constexpr double kDefaultAlpha = 0.01;

Summary summarize(const Aggregate &aggregate, double alpha = kDefaultAlpha);

} // namespace lanedeck::traffic

#pragma once

#include "base/result.h"
#include "traffic/sampler.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace lanedeck::traffic {

/// Every sample, one CSV row each: sequence,scheduled_us,latency_us,status,error,lane,outcome,chain.
std::string samplesCsv(const SampleRun &run);
/// The summary table, one CSV row per lane: lane,weight,expected_share,count,share,ci_low,ci_high,fell_back,
/// p50_us,p90_us,p99_us,max_us.
std::string summaryCsv(const Summary &summary);
nlohmann::json toJson(const Summary &summary);
/// {"config": ..., "summary": ..., "samples": [...]}
nlohmann::json toJson(const SampleRun &run);

/// Writes samplesCsv to `path` and summaryCsv next to it (<path without .csv>.summary.csv), atomically.
Result<void> writeCsv(const SampleRun &run, const std::string &path);
/// Writes toJson(run) atomically.
Result<void> writeJson(const SampleRun &run, const std::string &path);
/// Where writeCsv puts the summary for a samples file.
std::string summaryCsvPath(const std::string &samplesPath);

/// One run of a sampling session. A push while sampling ends a run and starts the next one against the pushed
/// weights on the same time line, so a session is its runs in order, each with its own summary.
struct SessionRun
{
    std::shared_ptr<const SampleRun> run;
    std::int64_t startMicros = 0; ///< when the run started, from the start of the session's first run
};

/// Every sample of every run: run,session_us followed by samplesCsv's columns (run counts from 1; session_us
/// is scheduled_us on the session's time line).
std::string sessionSamplesCsv(const std::vector<SessionRun> &runs);
/// Every run's summary table: run,start_us followed by summaryCsv's columns.
std::string sessionSummaryCsv(const std::vector<SessionRun> &runs);
/// {"runs": [{"run": 1, "startMicros": 0, "config": ..., "summary": ..., "samples": [...]}, ...]}
nlohmann::json toJson(const std::vector<SessionRun> &runs);
/// Writes sessionSamplesCsv to `path` and sessionSummaryCsv next to it (summaryCsvPath), atomically.
Result<void> writeCsv(const std::vector<SessionRun> &runs, const std::string &path);
/// Writes toJson(runs) atomically.
Result<void> writeJson(const std::vector<SessionRun> &runs, const std::string &path);

} // namespace lanedeck::traffic

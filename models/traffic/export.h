#pragma once

#include "core/result.h"
#include "traffic/sampler.h"

#include <nlohmann/json.hpp>

#include <string>

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

} // namespace lanedeck::traffic

#include "traffic/export.h"

#include "base/atomicfile.h"

#include <cstdio>

namespace lanedeck::traffic {

namespace {

// RFC 4180: quote fields holding a comma, quote or line break; double the quotes.
std::string csvField(const std::string &text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string quoted = "\"";
    for (char c : text) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + '"';
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

const std::string &nameAt(const std::vector<std::string> &names, std::int32_t index)
{
    static const std::string empty;
    return index >= 0 && static_cast<std::size_t>(index) < names.size()
               ? names[static_cast<std::size_t>(index)]
               : empty;
}

constexpr const char *kSampleColumns = "sequence,scheduled_us,latency_us,status,error,lane,outcome,chain\n";
constexpr const char *kSummaryColumns =
    "lane,weight,expected_share,count,share,ci_low,ci_high,fell_back,p50_us,p90_us,p99_us,max_us\n";

/// One sample's row of kSampleColumns, after `prefix`.
void appendSample(std::string &text, const std::string &prefix, const SampleRun &run, const Sample &s)
{
    text += prefix + std::to_string(s.sequence) + ',' + std::to_string(s.scheduledMicros) + ',' +
            std::to_string(s.latencyMicros) + ',' + std::to_string(s.status) + ',' + toString(s.error) + ',' +
            csvField(nameAt(run.laneNames, s.lane)) + ',' + toString(s.outcome) + ',' +
            csvField(nameAt(run.chainTexts, s.chain)) + '\n';
}

/// Each lane's row of kSummaryColumns, after `prefix`.
void appendSummary(std::string &text, const std::string &prefix, const Summary &summary)
{
    for (const auto &l : summary.lanes) {
        text += prefix + csvField(l.name) + ',' + std::to_string(l.weight) + ',' + number(l.expectedShare) +
                ',' + std::to_string(l.count) + ',' + number(l.share) + ',' + number(l.interval.low) + ',' +
                number(l.interval.high) + ',' + std::to_string(l.fellBack) + ',' + std::to_string(l.p50) +
                ',' + std::to_string(l.p90) + ',' + std::to_string(l.p99) + ',' + std::to_string(l.max) +
                '\n';
    }
}

} // namespace

std::string samplesCsv(const SampleRun &run)
{
    std::string text = kSampleColumns;
    text.reserve(text.size() + run.samples.size() * 64);
    for (const auto &s : run.samples) {
        appendSample(text, {}, run, s);
    }
    return text;
}

std::string summaryCsv(const Summary &summary)
{
    std::string text = kSummaryColumns;
    appendSummary(text, {}, summary);
    return text;
}

std::string sessionSamplesCsv(const std::vector<SessionRun> &runs)
{
    std::string text = std::string("run,session_us,") + kSampleColumns;
    std::size_t samples = 0;
    for (const auto &r : runs) {
        samples += r.run ? r.run->samples.size() : 0;
    }
    text.reserve(text.size() + samples * 80);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (!runs[i].run) {
            continue;
        }
        const std::string run = std::to_string(i + 1) + ',';
        for (const auto &s : runs[i].run->samples) {
            appendSample(text, run + std::to_string(runs[i].startMicros + s.scheduledMicros) + ',',
                         *runs[i].run, s);
        }
    }
    return text;
}

std::string sessionSummaryCsv(const std::vector<SessionRun> &runs)
{
    std::string text = std::string("run,start_us,") + kSummaryColumns;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (runs[i].run) {
            appendSummary(text, std::to_string(i + 1) + ',' + std::to_string(runs[i].startMicros) + ',',
                          runs[i].run->summary);
        }
    }
    return text;
}

nlohmann::json toJson(const Summary &summary)
{
    nlohmann::json errors = nlohmann::json::object();
    for (std::size_t i = 1; i < kErrorKinds; ++i) {
        errors[toString(static_cast<ErrorKind>(i))] = summary.errors[i];
    }
    nlohmann::json lanes = nlohmann::json::array();
    for (const auto &l : summary.lanes) {
        lanes.push_back(
            {{"lane", l.name},
             {"weight", l.weight},
             {"expectedShare", l.expectedShare},
             {"count", l.count},
             {"share", l.share},
             {"interval95", {l.interval.low, l.interval.high}},
             {"fellBack", l.fellBack},
             {"latencyMicros", {{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"max", l.max}}}});
    }
    nlohmann::json chains = nlohmann::json::array();
    for (const auto &c : summary.chains) {
        chains.push_back({{"chain", c.chain}, {"count", c.count}});
    }
    nlohmann::json seconds = nlohmann::json::array();
    for (const auto &second : summary.perSecond) {
        seconds.push_back(
            {{"succeeded", second.succeeded}, {"failed", second.failed}, {"lanes", second.lanes}});
    }
    return {{"total", summary.total},
            {"classified", summary.classified},
            {"leaked", summary.leaked},
            {"errors", errors},
            {"elapsedSeconds", summary.elapsedSeconds},
            {"achievedRate", summary.achievedRate},
            {"lanes", lanes},
            {"chiSquare",
             {{"statistic", summary.chiSquare.statistic},
              {"degrees", summary.chiSquare.degrees},
              {"pValue", summary.chiSquare.pValue}}},
            {"matches", summary.matches},
            {"verdict", summary.verdict},
            {"latencyMicros",
             {{"p50", summary.p50}, {"p90", summary.p90}, {"p99", summary.p99}, {"max", summary.max}}},
            {"chains", chains},
            {"perSecond", seconds}};
}

nlohmann::json toJson(const SampleRun &run)
{
    nlohmann::json samples = nlohmann::json::array();
    for (const auto &s : run.samples) {
        samples.push_back({{"sequence", s.sequence},
                           {"scheduledMicros", s.scheduledMicros},
                           {"latencyMicros", s.latencyMicros},
                           {"status", s.status},
                           {"error", toString(s.error)},
                           {"lane", nameAt(run.laneNames, s.lane)},
                           {"outcome", toString(s.outcome)},
                           {"chain", nameAt(run.chainTexts, s.chain)}});
    }
    const auto &c = run.config;
    return {{"config",
             {{"url", c.url},
              {"method", c.method},
              {"headers", c.headers},
              {"count", c.count},
              {"durationMillis", c.duration.count()},
              {"rate", c.rate},
              {"concurrency", c.concurrency},
              {"timeoutMillis", c.timeout.count()}}},
            {"summary", toJson(run.summary)},
            {"samples", samples}};
}

std::string summaryCsvPath(const std::string &samplesPath)
{
    const std::string stem =
        samplesPath.ends_with(".csv") ? samplesPath.substr(0, samplesPath.size() - 4) : samplesPath;
    return stem + ".summary.csv";
}

Result<void> writeCsv(const SampleRun &run, const std::string &path)
{
    if (auto written = writeFileAtomically(path, samplesCsv(run)); !written) {
        return written;
    }
    return writeFileAtomically(summaryCsvPath(path), summaryCsv(run.summary));
}

Result<void> writeJson(const SampleRun &run, const std::string &path)
{
    return writeFileAtomically(path, toJson(run).dump(1) + '\n');
}

nlohmann::json toJson(const std::vector<SessionRun> &runs)
{
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (runs[i].run) {
            nlohmann::json run = toJson(*runs[i].run);
            run["run"] = i + 1;
            run["startMicros"] = runs[i].startMicros;
            out.push_back(std::move(run));
        }
    }
    return {{"runs", out}};
}

Result<void> writeCsv(const std::vector<SessionRun> &runs, const std::string &path)
{
    if (auto written = writeFileAtomically(path, sessionSamplesCsv(runs)); !written) {
        return written;
    }
    return writeFileAtomically(summaryCsvPath(path), sessionSummaryCsv(runs));
}

Result<void> writeJson(const std::vector<SessionRun> &runs, const std::string &path)
{
    return writeFileAtomically(path, toJson(runs).dump(1) + '\n');
}

} // namespace lanedeck::traffic

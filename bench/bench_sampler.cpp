// The sampler's throughput, on both its engines (native and libcurl), next to wrk and hey on the same
// loopback URLs (nginx serving the seed's response line with one worker and with two, and the sandbox end to
// end), one sampling thread against wrk -t1 and two against wrk -t2, its rate accuracy in open-model mode at
// 20,000/s, and its memory after 100,000 kept samples. Each run notes the load average. docs/BENCHMARKS.md
// ("Sandbox and sampler") has the command and results.
//
//   bench_sampler [--seconds S] [--runs R] [--example FILE] [--no-sandbox]
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "sandbox/sandbox.h"
#include "traffic/sampler.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace lanedeck;

namespace {

struct Options
{
    int seconds = 5;
    int runs = 3;
    bool sandbox = true;
    std::string example = LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml";
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

std::string runCommand(const std::string &command)
{
    std::string output;
    if (FILE *pipe = popen((command + " 2>&1").c_str(), "r")) {
        char buffer[4096];
        while (std::fgets(buffer, sizeof buffer, pipe)) {
            output += buffer;
        }
        pclose(pipe);
    }
    return output;
}

/// "Requests/sec:   12345.67" as wrk and hey both print it; 0 when absent (tool missing or failed).
double requestsPerSecond(const std::string &output)
{
    const auto at = output.find("Requests/sec:");
    return at == std::string::npos ? 0.0 : std::atof(output.c_str() + at + 13);
}

bool have(const char *tool)
{
    return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

double loadAverage()
{
    std::ifstream file("/proc/loadavg");
    double load = 0;
    file >> load;
    return load;
}

/// Classified + leaked + errors = completed: every request is accounted for once.
bool nothingLost(const traffic::Summary &s)
{
    return s.classified + s.leaked + s.errorCount() == s.total;
}

const char kUsage[] = "usage: bench_sampler [--seconds S] [--runs R] [--example FILE] [--no-sandbox]\n"
                      "  --seconds S     length of each measured run (default 5)\n"
                      "  --runs R        runs of each comparison; medians are reported (default 3)\n"
                      "  --example FILE  the lane group to classify with (default: the mock example)\n"
                      "  --no-sandbox    leave out the sandbox end-to-end row\n";

/// The options, or an exit code (0 for --help, 2 for bad arguments).
std::optional<int> parseOptions(int argc, char **argv, Options &o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::printf("%s", kUsage);
            return 0;
        }
        if (flag == "--no-sandbox") {
            o.sandbox = false;
            continue;
        }
        if ((flag == "--seconds" || flag == "--runs" || flag == "--example") && i + 1 < argc) {
            const std::string value = argv[++i];
            if (flag == "--example") {
                o.example = value;
                continue;
            }
            const int number = std::atoi(value.c_str());
            if (number < 1) {
                std::fprintf(stderr, "bench_sampler: %s: expected a positive number, got '%s'\n%s",
                             flag.c_str(), value.c_str(), kUsage);
                return 2;
            }
            (flag == "--seconds" ? o.seconds : o.runs) = number;
            continue;
        }
        std::fprintf(stderr, "bench_sampler: unknown or incomplete argument '%s'\n%s", flag.c_str(), kUsage);
        return 2;
    }
    return std::nullopt;
}

double samplerRate(const std::string &url, const Options &o, int connections, int threads,
                   const LaneGroup &group, traffic::SamplerEngine engine, traffic::Summary *summary = nullptr)
{
    traffic::SamplerConfig config;
    config.engine = engine;
    config.url = url;
    config.duration = std::chrono::seconds(o.seconds);
    config.concurrency = connections;
    config.threads = threads;
    config.keepSamples = false;
    auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
    if (!run) {
        std::fprintf(stderr, "sampler: %s\n", run.error().message.c_str());
        return 0.0;
    }
    if (!nothingLost(run->summary)) {
        std::fprintf(stderr, "sampler: LOST REQUESTS: %llu completed, %llu accounted for\n",
                     static_cast<unsigned long long>(run->summary.total),
                     static_cast<unsigned long long>(run->summary.classified + run->summary.leaked +
                                                     run->summary.errorCount()));
    }
    if (summary) {
        *summary = run->summary;
    }
    return run->summary.achievedRate;
}

struct Row
{
    std::string target;
    int connections = 0;
    int threads = 1;
    double native = 0, curl = 0, wrk = 0, hey = 0, nativeOneThread = 0, curlOneThread = 0;
    std::string loads; ///< the load average before each run
    std::uint64_t nativeErrors = 0, curlErrors = 0;
};

std::string formatLoad(double load)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", load);
    return buffer;
}

/// Both engines with `threads` threads, wrk with as many, hey (for one thread) or both engines with one
/// thread (for more: the scaling), interleaved, `o.runs` times.
Row compare(const std::string &name, const std::string &url, const Options &o, int connections, int threads,
            const LaneGroup &group)
{
    using traffic::SamplerEngine;
    std::vector<double> native, curl, w, h, nativeOne, curlOne;
    Row row;
    row.target = name;
    row.connections = connections;
    row.threads = threads;
    const std::string c = std::to_string(connections), d = std::to_string(o.seconds);
    for (int i = 0; i < o.runs; ++i) {
        const double load = loadAverage();
        row.loads += (row.loads.empty() ? "" : ", ") + formatLoad(load);
        traffic::Summary summary;
        native.push_back(samplerRate(url, o, connections, threads, group, SamplerEngine::Native, &summary));
        row.nativeErrors += summary.errorCount();
        curl.push_back(samplerRate(url, o, connections, threads, group, SamplerEngine::Curl, &summary));
        row.curlErrors += summary.errorCount();
        if (have("wrk")) {
            w.push_back(requestsPerSecond(
                runCommand("wrk -t" + std::to_string(threads) + " -c" + c + " -d" + d + "s " + url)));
        }
        if (threads == 1 && have("hey")) {
            h.push_back(requestsPerSecond(runCommand("hey -c " + c + " -z " + d + "s " + url)));
        }
        if (threads > 1) {
            nativeOne.push_back(samplerRate(url, o, connections, 1, group, SamplerEngine::Native));
            curlOne.push_back(samplerRate(url, o, connections, 1, group, SamplerEngine::Curl));
        }
        std::fprintf(
            stderr,
            "  %s, %d connections, %d thread(s), run %d (load %.1f): native %.0f/s, curl %.0f/s, wrk "
            "%.0f/s, hey %.0f/s, with 1 thread: native %.0f/s, curl %.0f/s\n",
            name.c_str(), connections, threads, i + 1, load, native.back(), curl.back(),
            w.empty() ? 0.0 : w.back(), h.empty() ? 0.0 : h.back(),
            nativeOne.empty() ? 0.0 : nativeOne.back(), curlOne.empty() ? 0.0 : curlOne.back());
    }
    row.native = median(native);
    row.curl = median(curl);
    row.wrk = median(w);
    row.hey = median(h);
    row.nativeOneThread = median(nativeOne);
    row.curlOneThread = median(curlOne);
    return row;
}

double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

/// A figure, or "-" where the comparison was not made (hey with more threads, the scaling of one thread).
std::string cell(double value, const char *format)
{
    if (value <= 0) {
        return "-";
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

void printTable(const std::vector<Row> &rows, const Options &o)
{
    std::printf(
        "| target | connections | threads | load before each run | native req/s | curl req/s | wrk req/s | "
        "hey req/s | native/wrk | curl/wrk | native/hey | curl/hey | native, 1 thread | native "
        "scaling 1->N | curl, 1 thread | curl scaling 1->N | errors (native, curl) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (const auto &r : rows) {
        std::printf(
            "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %llu, %llu "
            "|\n",
            r.target.c_str(), r.connections, r.threads, r.loads.c_str(), cell(r.native, "%.0f").c_str(),
            cell(r.curl, "%.0f").c_str(), cell(r.wrk, "%.0f").c_str(), cell(r.hey, "%.0f").c_str(),
            cell(ratio(r.native, r.wrk), "%.2f").c_str(), cell(ratio(r.curl, r.wrk), "%.2f").c_str(),
            cell(ratio(r.native, r.hey), "%.2f").c_str(), cell(ratio(r.curl, r.hey), "%.2f").c_str(),
            cell(r.nativeOneThread, "%.0f").c_str(), cell(ratio(r.native, r.nativeOneThread), "%.2f").c_str(),
            cell(r.curlOneThread, "%.0f").c_str(), cell(ratio(r.curl, r.curlOneThread), "%.2f").c_str(),
            static_cast<unsigned long long>(r.nativeErrors), static_cast<unsigned long long>(r.curlErrors));
    }
    std::printf("\n(medians of %d runs of %d s each, the tools interleaved within each run; wrk with as many "
                "threads as the sampler)\n\n",
                o.runs, o.seconds);
}

/// nginx on a free loopback port returning the seed's s1 line, in the foreground; its pid, or -1.
pid_t startNginx(const std::string &dir, int &port, int workers)
{
    if (!have("nginx")) {
        return -1;
    }
    port = 20000 + (getpid() + workers) % 20000;
    std::ofstream conf(dir + "/nginx.conf");
    conf << "daemon off; worker_processes " << workers << "; pid " << dir << "/nginx.pid; error_log " << dir
         << "/error.log;\n"
         << "events { worker_connections 1024; }\n"
         << "http { access_log off; client_body_temp_path " << dir << "; proxy_temp_path " << dir << ";\n"
         << "  server { listen 127.0.0.1:" << port << "; keepalive_requests 1000000;\n"
         << "    location / { default_type text/plain; return 200 '-> mocka(version: v1, ip: 127.0.0.1:1)"
            "-> mockb(version: v1, ip: 127.0.0.1:2)-> mockc(version: v1, ip: 127.0.0.1:3)'; } } }\n";
    conf.close();
    const pid_t pid = fork();
    if (pid == 0) {
        execlp("nginx", "nginx", "-p", dir.c_str(), "-c", (dir + "/nginx.conf").c_str(),
               static_cast<char *>(nullptr));
        _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return pid;
}

long rssKiB(const char *field)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) {
            return std::atol(line.c_str() + std::string(field).size());
        }
    }
    return -1;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (const auto exitCode = parseOptions(argc, argv, o)) {
        return *exitCode;
    }
    const LaneGroup group = loadLaneGroupFile(o.example).group;
    auto rendered = mesh::render(group, {mesh::Flavor::Asm, {}});
    if (!rendered) {
        std::fprintf(stderr, "%s\n", rendered.error().message.c_str());
        return 1;
    }
    std::vector<Row> rows;

    char dirTemplate[] = "/tmp/bench-sampler-XXXXXX";
    const std::string dir = mkdtemp(dirTemplate);
    int nginxPort = 0;
    pid_t nginx = startNginx(dir, nginxPort, 1);
    const std::string nginxUrl = "http://127.0.0.1:" + std::to_string(nginxPort) + "/";
    if (nginx > 0) {
        rows.push_back(compare("nginx, 1 worker", nginxUrl, o, 16, 1, group));
        rows.push_back(compare("nginx, 1 worker", nginxUrl, o, 32, 1, group));
        kill(nginx, SIGQUIT);
        waitpid(nginx, nullptr, 0);
    }
    int nginx2Port = 0;
    const std::string dir2 = dir + "/two";
    mkdir(dir2.c_str(), 0700);
    const pid_t nginx2 = startNginx(dir2, nginx2Port, 2);
    if (nginx2 > 0) {
        rows.push_back(compare("nginx, 2 workers", "http://127.0.0.1:" + std::to_string(nginx2Port) + "/", o,
                               32, 2, group));
        kill(nginx2, SIGQUIT);
        waitpid(nginx2, nullptr, 0);
    }

    if (o.sandbox) {
        sandbox::Sandbox box(group);
        const auto started = std::chrono::steady_clock::now();
        if (auto ok = box.start(rendered->resources); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().message.c_str());
            return 1;
        }
        const double startMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        rows.push_back(compare("sandbox, gateway + 3 hops (asm flavor)", box.gatewayUrl(), o, 16, 1, group));
        const auto stopping = std::chrono::steady_clock::now();
        box.stop();
        const double stopMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stopping).count();
        std::printf("sandbox start %.1f ms, stop %.1f ms (after the load)\n\n", startMs, stopMs);
    }

    printTable(rows, o);

    nginx = startNginx(dir, nginxPort, 1);
    if (nginx > 0) {
        // Open model at 20,000/s for 10 s: how close the achieved rate is to the target, and the latency from
        // the scheduled time.
        traffic::SamplerConfig config;
        config.url = nginxUrl;
        config.rate = 20000;
        config.duration = std::chrono::seconds(10);
        config.concurrency = 32;
        const double load = loadAverage();
        auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
        if (run) {
            const auto &s = run->summary;
            const auto engine = traffic::samplingEngine(config);
            std::printf(
                "rate accuracy (load %.1f, %s engine, %d threads): target 20000/s for 10 s: %llu requests in "
                "%.3f s "
                "= %.1f/s completed (%+.2f%%); sent on schedule: %.2f%% of 200000; p50 %lld us, p99 %lld "
                "us, max %lld us from the scheduled time; %llu errors; nothing lost: %s\n\n",
                load, engine ? traffic::toString(*engine).c_str() : "?", traffic::samplingThreads(config),
                static_cast<unsigned long long>(s.total), s.elapsedSeconds, s.achievedRate,
                (s.achievedRate - 20000.0) / 200.0, double(s.total) / 2000.0, static_cast<long long>(s.p50),
                static_cast<long long>(s.p99), static_cast<long long>(s.max),
                static_cast<unsigned long long>(s.errorCount()), nothingLost(s) ? "yes" : "NO");
        }

        // Memory: 100,000 kept samples at maximum rate.
        const long before = rssKiB("VmRSS:");
        config.rate = 0;
        config.duration = std::chrono::milliseconds(0);
        config.count = 100000;
        config.keepSamples = true;
        auto big = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
        const long after = rssKiB("VmRSS:");
        if (big) {
            std::printf("memory: 100,000 samples kept (%zu bytes each = %.1f MiB of samples): RSS %ld KiB "
                        "before, %ld KiB "
                        "after the run with the results held (+%.1f MiB); peak RSS %ld KiB; %llu errors\n",
                        sizeof(traffic::Sample), 100000.0 * sizeof(traffic::Sample) / 1048576.0, before,
                        after, double(after - before) / 1024.0, rssKiB("VmHWM:"),
                        static_cast<unsigned long long>(big->summary.errorCount()));
        }
        kill(nginx, SIGQUIT);
        waitpid(nginx, nullptr, 0);
    }
    std::system(("rm -rf " + dir).c_str());
    return 0;
}

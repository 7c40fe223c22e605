// The sampler's throughput next to wrk and hey on the same loopback URLs (the sandbox end to end, and nginx
// serving the seed's response line), its rate accuracy in open-model mode, and its memory after 100,000 kept
// samples. docs/BENCHMARKS.md ("Sandbox and sampler") has the command and results.
//
//   bench_sampler [--seconds S] [--runs R] [--connections C] [--example FILE]
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
#include <string>
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
    int connections = 16;
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

double samplerRate(const std::string &url, const Options &o, const LaneGroup &group,
                   traffic::Summary *summary = nullptr)
{
    traffic::SamplerConfig config;
    config.url = url;
    config.duration = std::chrono::seconds(o.seconds);
    config.concurrency = o.connections;
    config.keepSamples = false;
    auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
    if (!run) {
        std::fprintf(stderr, "sampler: %s\n", run.error().message.c_str());
        return 0.0;
    }
    if (summary) {
        *summary = run->summary;
    }
    return run->summary.achievedRate;
}

struct Row
{
    std::string target;
    double sampler = 0, wrk = 0, hey = 0;
    std::uint64_t samplerErrors = 0;
};

Row compare(const std::string &name, const std::string &url, const Options &o, const LaneGroup &group)
{
    std::vector<double> s, w, h;
    Row row{name};
    const std::string c = std::to_string(o.connections), d = std::to_string(o.seconds);
    for (int i = 0; i < o.runs; ++i) {
        traffic::Summary summary;
        s.push_back(samplerRate(url, o, group, &summary));
        row.samplerErrors += summary.errorCount();
        if (have("wrk")) {
            w.push_back(requestsPerSecond(runCommand("wrk -t1 -c" + c + " -d" + d + "s " + url)));
        }
        if (have("hey")) {
            h.push_back(requestsPerSecond(runCommand("hey -c " + c + " -z " + d + "s " + url)));
        }
        std::fprintf(stderr, "  %s run %d: sampler %.0f/s, wrk %.0f/s, hey %.0f/s\n", name.c_str(), i + 1,
                     s.back(), w.empty() ? 0.0 : w.back(), h.empty() ? 0.0 : h.back());
    }
    row.sampler = median(s);
    row.wrk = median(w);
    row.hey = median(h);
    return row;
}

/// nginx on a free loopback port returning the seed's s1 line, in the foreground; its pid, or -1.
pid_t startNginx(const std::string &dir, int &port)
{
    if (!have("nginx")) {
        return -1;
    }
    port = 20000 + getpid() % 20000;
    std::ofstream conf(dir + "/nginx.conf");
    conf << "daemon off; worker_processes 1; pid " << dir << "/nginx.pid; error_log " << dir
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
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--seconds") {
            o.seconds = std::atoi(argv[i + 1]);
        } else if (flag == "--runs") {
            o.runs = std::atoi(argv[i + 1]);
        } else if (flag == "--connections") {
            o.connections = std::atoi(argv[i + 1]);
        } else if (flag == "--example") {
            o.example = argv[i + 1];
        }
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
    const pid_t nginx = startNginx(dir, nginxPort);
    const std::string nginxUrl = "http://127.0.0.1:" + std::to_string(nginxPort) + "/";
    if (nginx > 0) {
        rows.push_back(compare("nginx (seed's response line)", nginxUrl, o, group));
    }

    {
        sandbox::Sandbox box(group);
        const auto started = std::chrono::steady_clock::now();
        if (auto ok = box.start(rendered->resources); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().message.c_str());
            return 1;
        }
        const double startMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        rows.push_back(compare("sandbox, gateway + 3 hops (asm flavor)", box.gatewayUrl(), o, group));
        const auto stopping = std::chrono::steady_clock::now();
        box.stop();
        const double stopMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stopping).count();
        std::printf("sandbox start %.1f ms, stop %.1f ms (after the load)\n\n", startMs, stopMs);
    }

    std::printf("| target | connections | sampler req/s | wrk -t1 req/s | hey req/s | sampler/wrk | "
                "sampler/hey | sampler errors |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (const auto &r : rows) {
        std::printf("| %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f | %llu |\n", r.target.c_str(),
                    o.connections, r.sampler, r.wrk, r.hey, r.wrk > 0 ? r.sampler / r.wrk : 0.0,
                    r.hey > 0 ? r.sampler / r.hey : 0.0, static_cast<unsigned long long>(r.samplerErrors));
    }
    std::printf("\n(medians of %d runs of %d s each)\n\n", o.runs, o.seconds);

    if (nginx > 0) {
        // Open model at 1000/s for 10 s: how close the achieved rate is to the target.
        traffic::SamplerConfig config;
        config.url = nginxUrl;
        config.rate = 1000;
        config.duration = std::chrono::seconds(10);
        config.concurrency = 16;
        auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
        if (run) {
            const auto &s = run->summary;
            std::printf("rate accuracy: target 1000/s for 10 s: %llu requests in %.3f s = %.1f/s completed "
                        "(%.2f%% off); sent on schedule: %llu = %.2f%% of 10000; p99 latency %lld us\n\n",
                        static_cast<unsigned long long>(s.total), s.elapsedSeconds, s.achievedRate,
                        (s.achievedRate - 1000.0) / 10.0, static_cast<unsigned long long>(s.total),
                        double(s.total) / 100.0, static_cast<long long>(s.p99));
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

// How fast a rollout rolls back: the time from a fault being switched on (mockc v2 failing 20% of its
// requests) to the rollback push being applied, at 200 probe requests/s, against the plan's evaluation
// interval (the target is under two intervals). The fault is switched on at a random point of the hold, so
// that it lands anywhere within an evaluation window. docs/BENCHMARKS.md ("Rollout") has the command and
// results.
//
//   bench_rollout [--runs R] [--intervals MS,MS,...]
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "rollout/runner.h"
#include "sandbox/sandbox.h"

#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace lanedeck;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    if (values.empty()) {
        return 0.0;
    }
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/// One run: returns the fault-to-rollback time in ms, or a negative value when the run did not roll back.
double measure(const LaneGroup &group, std::chrono::milliseconds interval, std::mt19937 &random)
{
    QTemporaryDir dir;
    sandbox::Sandbox box(group);
    auto rendered = mesh::render(group, {mesh::Flavor::Asm, {}});
    if (!rendered || !box.start(rendered->resources)) {
        return -1.0;
    }
    rollout::SandboxTarget target(box, mesh::Flavor::Asm,
                                  dir.filePath(QStringLiteral("state.json")).toStdString());
    rollout::Plan plan;
    plan.name = "bench";
    plan.group = group.name;
    plan.lane = "s2";
    plan.interval = interval;
    plan.rate = 200;
    rollout::Step step;
    step.laneWeight = 50;
    step.hold = interval * 30;
    step.minRequests = 100; // fewer than one window holds at 200/s: every window is judged on its own
    plan.steps = {step};
    plan.gates.errorRate = rollout::ErrorRateGate{0.05, std::nullopt};

    std::mutex mutex;
    std::condition_variable cv;
    bool pushed = false;
    Clock::time_point rolledBack{};
    rollout::RunnerOptions options;
    options.holder = "bench_rollout";
    options.onEvent = [&](const rollout::Event &event) {
        if (event.kind != rollout::Event::Kind::Pushed) {
            return;
        }
        std::lock_guard lock(mutex);
        // The event comes after the push returned: the rollback is applied by then.
        if (pushed) {
            rolledBack = Clock::now();
        }
        pushed = true;
        cv.notify_all();
    };
    rollout::Runner runner(plan, group, target, options);
    rollout::RunResult result;
    std::thread thread([&] { result = runner.run(); });
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return pushed; });
    }
    // Two windows of healthy traffic first, then the fault at a random point of the next window.
    const auto offset = std::uniform_real_distribution<double>(2.0, 3.0)(random);
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(offset * double(interval.count())));
    const auto faultOn = Clock::now();
    (void)box.setFault("mockc", "v2", sandbox::Fault{0.2, 503, {}});
    thread.join();
    if (result.outcome != rollout::Outcome::RolledBack || rolledBack < faultOn) {
        return -1.0;
    }
    return std::chrono::duration<double, std::milli>(rolledBack - faultOn).count();
}

} // namespace

int main(int argc, char *argv[])
{
    int runs = 7;
    std::vector<int> intervals = {500, 1000, 2000};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--runs") {
            runs = std::max(1, std::atoi(argv[i + 1]));
        } else if (option == "--intervals") {
            intervals.clear();
            std::string list = argv[i + 1];
            for (std::size_t start = 0; start < list.size();) {
                auto comma = list.find(',', start);
                intervals.push_back(std::atoi(list.substr(start, comma - start).c_str()));
                start = comma == std::string::npos ? list.size() : comma + 1;
            }
        }
    }
    const auto loaded = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");
    std::mt19937 random(42);
    std::printf("%-12s %6s %12s %12s %12s %10s %8s\n", "interval", "runs", "median ms", "min ms", "max ms",
                "median/int", "missed");
    for (int ms : intervals) {
        std::vector<double> times;
        int missed = 0;
        for (int run = 0; run < runs; ++run) {
            const double t = measure(loaded.group, std::chrono::milliseconds(ms), random);
            if (t < 0) {
                ++missed;
            } else {
                times.push_back(t);
            }
        }
        const double m = median(times);
        std::printf("%-12s %6d %12.0f %12.0f %12.0f %10.2f %8d\n", (std::to_string(ms) + " ms").c_str(), runs,
                    m, times.empty() ? 0.0 : *std::min_element(times.begin(), times.end()),
                    times.empty() ? 0.0 : *std::max_element(times.begin(), times.end()), m / ms, missed);
        std::fflush(stdout);
    }
    return 0;
}

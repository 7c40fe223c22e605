// The sampler's threads under ThreadSanitizer: runs on both engines at 1, 2 and 4 threads to the end and
// stopped from another thread in the middle, with snapshots every 10 ms, and checks that nothing is lost. A
// plain program (no Qt: Qt's libraries are not built with TSan, and Qt Test would drag them in);
// scripts/tsan-sampler.sh builds it with -fsanitize=thread from the sampler's sources and runs it against
// nginx on loopback.
//
//   tsan_sampler URL
#include "traffic/sampler.h"

#include <cstdio>
#include <thread>

using namespace lanedeck;
using namespace lanedeck::traffic;

namespace {

bool consistent(const SampleRun &run)
{
    const Summary &s = run.summary;
    return s.classified + s.leaked + s.errorCount() == s.total && run.samples.size() == s.total;
}

/// The runs at 1, 2 and 4 threads on one engine; the number that lost requests or ended inconsistent.
int runAll(const char *url, const LaneGroup &group, SamplerEngine engine)
{
    int failures = 0;
    for (const int threads : {1, 2, 4}) {
        SamplerConfig config;
        config.engine = engine;
        config.url = url;
        config.count = 20000;
        config.concurrency = 8;
        config.threads = threads;
        config.snapshotInterval = std::chrono::milliseconds(10);
        Sampler sampler(config, Classifier::chain(group));
        std::uint64_t snapshots = 0; // only the reporting thread writes it; wait() joins that thread
        sampler.setSnapshotCallback([&snapshots](const Summary &) { ++snapshots; });
        if (auto started = sampler.start(); !started) {
            std::fprintf(stderr, "%s\n", started.error().message.c_str());
            return 1;
        }
        const SampleRun run = sampler.wait();
        const bool complete = run.summary.total == config.count && consistent(run);
        std::printf("%s, %d thread(s): %llu requests, %llu errors, %llu snapshots: %s\n",
                    toString(engine).c_str(), threads, static_cast<unsigned long long>(run.summary.total),
                    static_cast<unsigned long long>(run.summary.errorCount()),
                    static_cast<unsigned long long>(snapshots), complete ? "ok" : "LOST REQUESTS");
        failures += complete ? 0 : 1;

        config.count = 0;
        config.duration = std::chrono::seconds(60);
        Sampler stopped(config, Classifier::chain(group));
        if (!stopped.start().ok()) {
            return 1;
        }
        std::thread stopper([&stopped] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            stopped.requestStop();
        });
        const SampleRun partial = stopped.wait();
        stopper.join();
        const bool joined = !stopped.isRunning() && consistent(partial);
        std::printf("%s, %d thread(s), stopped after 300 ms: %llu requests: %s\n", toString(engine).c_str(),
                    threads, static_cast<unsigned long long>(partial.summary.total),
                    joined ? "ok" : "INCONSISTENT");
        failures += joined ? 0 : 1;
    }
    return failures;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: tsan_sampler URL\n");
        return 2;
    }
    LaneGroup group;
    for (const char *name : {"s1", "s2"}) {
        Lane lane;
        lane.name = name;
        lane.weight = 50;
        group.lanes.push_back(lane);
    }
    int failures = 0;
    for (const auto engine : {SamplerEngine::Curl, SamplerEngine::Native}) {
        failures += runAll(argv[1], group, engine);
    }
    return failures == 0 ? 0 : 1;
}
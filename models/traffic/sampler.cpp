#include "traffic/sampler.h"

#include "base/curl.h"
#include "traffic/engine.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace lanedeck::traffic {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t micros(Clock::duration d)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

/// What a response means for the statistics, by the indexes of one thread's Aggregate.
struct Meaning
{
    bool parsed = false; ///< false: the classifier could not read it (an Unparseable error)
    Outcome outcome = Outcome::Unclassified;
    std::int32_t lane = -1;
    std::int32_t chain = -1;
};

/// One thread's memory of what each distinct response meant. A lane test sees few distinct responses (one
/// chain per lane and path), so after the first of each, classifying is one hash of the bytes the classifier
/// reads and no allocation. Responses longer than kMaxKey, and distinct ones past kMaxEntries, are classified
/// each time.
class MeaningCache final
{
public:
    static constexpr std::size_t kMaxKey = 4096;
    static constexpr std::size_t kMaxEntries = 4096;

    Meaning classify(const Classifier &classifier, Aggregate &aggregate, std::string_view body,
                     std::string_view headerValue)
    {
        const std::string_view input = classifier.kind() == Classifier::Kind::Header ? headerValue : body;
        const bool cacheable = input.size() <= kMaxKey;
        if (cacheable) {
            m_key.assign(input);
            if (const auto it = m_known.find(m_key); it != m_known.end()) {
                return it->second;
            }
        }
        Meaning meaning;
        if (auto classification = classifier.classify(body, headerValue)) {
            meaning.parsed = true;
            meaning.outcome = classification->outcome;
            if (!classification->lane.empty()) {
                meaning.lane = aggregate.laneIndex(classification->lane);
            }
            if (!classification->chain.empty()) {
                meaning.chain = aggregate.chainIndexOf(classification->chain.substr(0, 1024));
            }
        }
        if (cacheable && m_known.size() < kMaxEntries) {
            m_known.emplace(m_key, meaning);
        }
        return meaning;
    }

private:
    std::string m_key; ///< reused: looking up allocates nothing once it has grown
    std::unordered_map<std::string, Meaning> m_known;
};

/// What libcurl reads to choose a proxy when the transfer names none.
const char *const kProxyVariables[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                       "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};

bool proxyFromEnvironment()
{
    return std::any_of(std::begin(kProxyVariables), std::end(kProxyVariables),
                       [](const char *name) { return std::getenv(name) != nullptr; });
}

/// The URL as libcurl parses it; null when it is not one.
curl::Url parseUrl(const std::string &text)
{
    curl::globalInit();
    curl::Url url(curl_url());
    if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        return {};
    }
    return url;
}

Result<void> validate(const SamplerConfig &c)
{
    if (!(c.url.starts_with("http://") || c.url.starts_with("https://"))) {
        return Error{"URL: expected http://... or https://..., got '" + c.url + "'"};
    }
    if (c.concurrency < 1 || c.concurrency > 10000) {
        return Error{"concurrency: must be 1..10000, got " + std::to_string(c.concurrency)};
    }
    if (c.threads < 0 || c.threads > 256) {
        return Error{"threads: must be 1..256 (or 0: one per core), got " + std::to_string(c.threads)};
    }
    if (c.rate < 0) {
        return Error{"rate: must be positive"};
    }
    if (c.timeout.count() <= 0 || c.connectTimeout.count() <= 0) {
        return Error{"timeout: must be positive"};
    }
    for (const auto &header : c.headers) {
        const auto colon = header.find(':');
        if (colon == std::string::npos || colon == 0) {
            return Error{"header '" + header + "': expected 'Name: value'"};
        }
    }
    return {};
}

/// Native where it serves the configuration exactly (and `native` is then its target), libcurl otherwise.
Result<SamplerEngine> chooseEngine(const SamplerConfig &config, CURLU *url, bool proxy,
                                   std::optional<engine::NativeTarget> &native)
{
    if (config.engine == SamplerEngine::Curl) {
        return SamplerEngine::Curl;
    }
    auto target = engine::nativeTarget(config, url, proxy);
    if (target) {
        native = std::move(*target);
        return SamplerEngine::Native;
    }
    if (config.engine == SamplerEngine::Native) {
        return Error{"engine native cannot serve '" + config.url + "': " + target.error().message +
                     " (engine auto or curl can)"};
    }
    return SamplerEngine::Curl;
}

} // namespace

std::string toString(SamplerEngine engine)
{
    switch (engine) {
    case SamplerEngine::Auto:
        return "auto";
    case SamplerEngine::Curl:
        return "curl";
    case SamplerEngine::Native:
        return "native";
    }
    return {};
}

Result<SamplerEngine> parseSamplerEngine(std::string_view text)
{
    for (const auto engine : {SamplerEngine::Auto, SamplerEngine::Curl, SamplerEngine::Native}) {
        if (text == toString(engine)) {
            return engine;
        }
    }
    return Error{"engine: expected auto, curl or native, got '" + std::string(text) + "'"};
}

Result<SamplerEngine> samplingEngine(const SamplerConfig &config)
{
    if (auto valid = validate(config); !valid) {
        return valid.error();
    }
    const curl::Url url = parseUrl(config.url);
    if (!url) {
        return Error{"URL: '" + config.url + "' is not a valid URL"};
    }
    std::optional<engine::NativeTarget> native;
    return chooseEngine(config, url.get(), proxyFromEnvironment(), native);
}

int samplingThreads(const SamplerConfig &config)
{
    const int wanted = config.threads > 0
                           ? config.threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, std::min(wanted, config.concurrency));
}

struct Sampler::State
{
    /// One sampling thread: its connections (on its own engine), its share of the schedule (requests first,
    /// first + stride, ...) and its own statistics. Only its thread touches it while it runs, except for
    /// `engine` (interrupted by requestStop) and the snapshot hand-off, which is under State::snapshotMutex.
    struct Worker final : engine::Sink
    {
        /// What the request on a slot is, for its sample.
        struct Slot
        {
            std::uint64_t sequence = 0;
            Clock::time_point scheduled;
        };

        State &state;
        const SamplerConfig &config;
        std::uint64_t first = 0;
        std::uint64_t stride = 1;
        std::size_t connections = 1;
        std::unique_ptr<engine::Engine> engine;
        std::thread thread;

        std::vector<Slot> slots;
        std::vector<std::size_t> idle;
        std::size_t inFlight = 0;
        std::uint64_t next = 0; ///< sequence of the next request
        bool sending = true;
        Clock::time_point nextSnapshot;
        Aggregate aggregate;
        MeaningCache meanings;
        std::vector<Sample> samples;

        // Under State::snapshotMutex.
        std::optional<Aggregate> latest;
        bool fresh = false;
        bool done = false;

        Worker(State &s, std::uint64_t index, std::uint64_t threads, std::size_t share)
            : state(s), config(s.config), first(index), stride(threads), connections(share), next(index),
              aggregate(s.classifier.lanes())
        {
            slots.resize(connections);
            for (std::size_t i = 0; i < connections; ++i) {
                idle.push_back(connections - 1 - i);
            }
            if (config.keepSamples && config.count) {
                // Up front for typical runs (40 MB at most in all); longer runs grow the vector as they go.
                const std::uint64_t mine = (config.count + stride - 1 - first) / stride;
                samples.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(mine, 1'000'000 / stride)));
            }
        }

        Clock::time_point dueTime(std::uint64_t sequence) const
        {
            // Rounded to whole nanoseconds, so that request i is due exactly i / rate after the start.
            return state.start + std::chrono::nanoseconds(std::llround(double(sequence) * 1e9 / config.rate));
        }

        /// Whether this thread has sent its share: the count, or the duration (by schedule in the open
        /// model).
        bool exhausted(Clock::time_point now) const
        {
            if (config.count && next >= config.count) {
                return true;
            }
            return config.rate > 0 ? dueTime(next) >= state.deadline : now >= state.deadline;
        }

        void launch(Clock::time_point scheduled, Clock::time_point now)
        {
            const std::size_t slot = idle.back();
            idle.pop_back();
            slots[slot] = {next, scheduled};
            next += stride;
            ++inFlight;
            engine->start(slot, now);
        }

        /// Starts every request that is due (open model) or that a free connection can carry (closed model).
        void launchDue(Clock::time_point now)
        {
            while (sending && !idle.empty()) {
                if (exhausted(now)) {
                    sending = false;
                } else if (config.rate <= 0) {
                    launch(now, now);
                } else if (const auto due = dueTime(next); due <= now) {
                    launch(due, now);
                } else {
                    break;
                }
            }
            if (sending && exhausted(now)) {
                sending = false;
            }
        }

        /// A request ended (the engine calls this from poll()): its sample, into the thread's statistics.
        void finished(const engine::Completion &completion) override
        {
            const Slot &slot = slots[completion.slot];
            Sample sample;
            sample.sequence = slot.sequence;
            sample.scheduledMicros = micros(slot.scheduled - state.start);
            sample.latencyMicros = micros(completion.finished - slot.scheduled);
            sample.status = static_cast<std::int16_t>(std::clamp(completion.status, 0, 999));
            sample.error = completion.error;
            if (sample.error == ErrorKind::None && (completion.status < 200 || completion.status > 299)) {
                sample.error = ErrorKind::HttpStatus;
            }
            if (sample.error == ErrorKind::HttpStatus) {
                // A failed answer that still names its lane (the sandbox's injected faults do) counts against
                // that lane, so a rollout can judge the lane's error rate.
                const Meaning meaning =
                    meanings.classify(state.classifier, aggregate, completion.body, completion.headerValue);
                if (meaning.parsed && meaning.lane >= 0) {
                    sample.lane = meaning.lane;
                }
                if (meaning.parsed) {
                    sample.chain = meaning.chain; // which hop failed, for the topology's error rates
                }
            }
            if (sample.error == ErrorKind::None) {
                const Meaning meaning =
                    meanings.classify(state.classifier, aggregate, completion.body, completion.headerValue);
                if (meaning.parsed) {
                    sample.outcome = meaning.outcome;
                    sample.lane = meaning.lane;
                    sample.chain = meaning.chain;
                } else {
                    sample.error = ErrorKind::Unparseable;
                }
            }
            aggregate.add(sample);
            if (config.keepSamples) {
                samples.push_back(sample);
            }
            --inFlight;
            idle.push_back(completion.slot);
        }

        void run()
        {
            const auto interval = std::max(config.snapshotInterval, std::chrono::milliseconds(10));
            nextSnapshot = state.start + interval;
            while (!state.stopRequested) {
                launchDue(Clock::now());
                const auto now = Clock::now();
                if (now >= nextSnapshot) {
                    publish(now, false);
                    while (nextSnapshot <= now) {
                        nextSnapshot += interval;
                    }
                }
                if (!sending && inFlight == 0) {
                    break;
                }
                // Until a socket is ready, the next request is due, the next snapshot is, the engine's own
                // timers expire, or requestStop() wakes it.
                auto wakeAt = nextSnapshot;
                if (sending && !idle.empty()) {
                    wakeAt = std::min(wakeAt, config.rate > 0 ? dueTime(next) : now);
                }
                engine->poll(now, wakeAt, *this);
            }
            // Requests still in flight when stopped are abandoned, not counted.
            engine->abandon();
            publish(Clock::now(), true);
        }

        /// Hands a copy of the totals to the reporting thread; the last one hands over the totals themselves
        /// (and with them the samples, which the reporting thread reads once `done` is set).
        void publish(Clock::time_point now, bool last)
        {
            aggregate.elapsedMicros = micros(now - state.start);
            std::optional<Aggregate> copy;
            if (!last) {
                copy = aggregate;
            }
            {
                std::lock_guard lock(state.snapshotMutex);
                latest = last ? std::move(aggregate) : std::move(*copy);
                fresh = true;
                done = last;
            }
            state.snapshotReady.notify_one();
        }
    };

    SamplerConfig config;
    Classifier classifier;
    SnapshotCallback callback;

    curl::Slist headers;
    curl::Url url;
    bool proxyFromEnvironment = false;
    SamplerEngine engine = SamplerEngine::Curl; ///< Curl or Native, as start() chose
    std::optional<engine::NativeTarget> native;
    std::vector<std::unique_ptr<Worker>> workers;
    std::mutex engineMutex; // requestStop() may wake the workers from any thread while wait() tears down
    std::thread reporting;
    std::atomic<bool> stopRequested{false};
    std::atomic<bool> running{false};
    bool started = false;
    Clock::time_point start;
    Clock::time_point deadline;

    std::mutex snapshotMutex;
    std::condition_variable snapshotReady;

    SampleRun result;

    State(SamplerConfig c, Classifier k) : config(std::move(c)), classifier(std::move(k)) {}

    /// The engine for one thread's share of the connections.
    Result<std::unique_ptr<engine::Engine>> makeEngine(std::size_t share)
    {
        const std::string &headerName = classifier.headerName();
        if (engine == SamplerEngine::Native) {
            return engine::makeNativeEngine(config, *native, headerName,
                                            classifier.kind() != Classifier::Kind::Header, share);
        }
        return engine::makeCurlEngine(config, {url.get(), headers.get(), proxyFromEnvironment}, headerName,
                                      share);
    }

    /// The threads' latest totals as one, and, once every thread is done, the run's results. Under
    /// snapshotMutex.
    Aggregate merge(bool final)
    {
        Aggregate merged(classifier.lanes());
        std::vector<Aggregate::IndexMap> maps;
        for (auto &worker : workers) {
            worker->fresh = false;
            maps.push_back(worker->latest ? merged.merge(*worker->latest) : Aggregate::IndexMap{});
        }
        if (final) {
            mergeSamples(maps);
            for (const auto &lane : merged.lanes) {
                result.laneNames.push_back(lane.name);
            }
            result.chainTexts = merged.chainTexts;
        }
        return merged;
    }

    /// The threads' samples with their lane and chain indexes made the run's, in the order they completed.
    void mergeSamples(const std::vector<Aggregate::IndexMap> &maps)
    {
        if (workers.size() == 1 && maps.front().identity) {
            result.samples = std::move(workers.front()->samples);
        } else {
            std::size_t total = 0;
            for (const auto &worker : workers) {
                total += worker->samples.size();
            }
            result.samples.reserve(total);
            for (std::size_t w = 0; w < workers.size(); ++w) {
                for (Sample sample : workers[w]->samples) {
                    if (sample.lane >= 0) {
                        sample.lane = maps[w].lanes[static_cast<std::size_t>(sample.lane)];
                    }
                    if (sample.chain >= 0) {
                        sample.chain = maps[w].chains[static_cast<std::size_t>(sample.chain)];
                    }
                    result.samples.push_back(sample);
                }
                std::vector<Sample>().swap(workers[w]->samples);
            }
        }
        // Transfers that finish in the same turn of a thread's loop come out in libcurl's order, and threads
        // interleave: order by the time each one completed.
        // Sequence numbers are unique, so this order is total and the sort needs no buffer (stable_sort's is
        // as large as the samples).
        std::sort(result.samples.begin(), result.samples.end(), [](const Sample &a, const Sample &b) {
            const auto endA = a.scheduledMicros + a.latencyMicros;
            const auto endB = b.scheduledMicros + b.latencyMicros;
            return endA != endB ? endA < endB : a.sequence < b.sequence;
        });
    }

    /// The reporting thread: every snapshot interval, the threads' latest totals merged into a Summary for
    /// the callback; at the end, the run's results and the final Summary.
    void report()
    {
        const auto interval = std::max(config.snapshotInterval, std::chrono::milliseconds(10));
        auto due = start + interval;
        for (;;) {
            std::optional<Aggregate> merged;
            bool last = false;
            {
                std::unique_lock lock(snapshotMutex);
                const auto allDone = [&] {
                    return std::all_of(workers.begin(), workers.end(), [](const auto &w) { return w->done; });
                };
                snapshotReady.wait_until(lock, due, allDone);
                last = allDone();
                const bool fresh =
                    std::any_of(workers.begin(), workers.end(), [](const auto &w) { return w->fresh; });
                if (last || fresh) {
                    merged = merge(last);
                }
            }
            due = std::max(due + interval, Clock::now());
            if (last) {
                result.summary = summarize(*merged);
                running = false;
                if (callback) {
                    callback(result.summary);
                }
                return;
            }
            if (merged && callback) {
                callback(summarize(*merged));
            }
        }
    }
};

Sampler::Sampler(SamplerConfig config, Classifier classifier)
    : m_state(std::make_unique<State>(std::move(config), std::move(classifier)))
{}

Sampler::~Sampler()
{
    requestStop();
    wait();
}

void Sampler::setSnapshotCallback(SnapshotCallback callback)
{
    m_state->callback = std::move(callback);
}

Result<void> Sampler::start()
{
    State &s = *m_state;
    const auto &c = s.config;
    if (s.started) {
        return Error{"the sampler has already run; create a new one"};
    }
    if (auto valid = validate(c); !valid) {
        return valid;
    }
    for (const auto &header : c.headers) {
        s.headers.append(header);
    }
    if (!c.body.empty()) {
        // No "Expect: 100-continue" round trip for bodies: a load generator measures the server, not curl's
        // wait.
        s.headers.append("Expect:");
    }
    s.url = parseUrl(c.url);
    if (!s.url) {
        return Error{"URL: '" + c.url + "' is not a valid URL"};
    }
    s.proxyFromEnvironment = proxyFromEnvironment();
    auto chosen = chooseEngine(c, s.url.get(), s.proxyFromEnvironment, s.native);
    if (!chosen) {
        return chosen.error();
    }
    s.engine = *chosen;
    const auto threads = static_cast<std::size_t>(samplingThreads(c));
    const auto connections = static_cast<std::size_t>(c.concurrency);
    std::lock_guard lock(s.engineMutex);
    for (std::size_t i = 0; i < threads; ++i) {
        const std::size_t share = connections / threads + (i < connections % threads ? 1 : 0);
        auto worker = std::make_unique<State::Worker>(s, i, threads, share);
        auto engine = s.makeEngine(share);
        if (!engine) {
            s.workers.clear();
            return engine.error();
        }
        worker->engine = std::move(*engine);
        s.workers.push_back(std::move(worker));
    }
    s.result.config = c;
    s.started = true;
    s.running = true;
    s.start = Clock::now();
    s.deadline = c.duration.count() > 0 ? s.start + c.duration : Clock::time_point::max();
    for (auto &worker : s.workers) {
        worker->thread = std::thread([w = worker.get()] { w->run(); });
    }
    s.reporting = std::thread([&s] { s.report(); });
    return {};
}

void Sampler::requestStop()
{
    m_state->stopRequested = true;
    std::lock_guard lock(m_state->engineMutex);
    for (auto &worker : m_state->workers) {
        if (worker->engine) {
            worker->engine->interrupt();
        }
    }
}

SampleRun Sampler::wait()
{
    State &s = *m_state;
    for (auto &worker : s.workers) {
        if (worker->thread.joinable()) {
            worker->thread.join();
        }
    }
    if (s.reporting.joinable()) {
        s.reporting.join();
    }
    {
        std::lock_guard lock(s.engineMutex);
        for (auto &worker : s.workers) {
            worker->engine.reset(); // closes the connections
        }
    }
    return s.result;
}

Result<SampleRun> Sampler::run()
{
    if (auto started = start(); !started) {
        return started.error();
    }
    return wait();
}

bool Sampler::isRunning() const
{
    return m_state->running;
}

} // namespace lanedeck::traffic

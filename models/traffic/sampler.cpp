#include "traffic/sampler.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace lanedeck::traffic {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t micros(Clock::duration d)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

/// One connection's request slot: an easy handle reused for every request it carries, so that libcurl keeps
/// its connection alive between them.
struct Transfer
{
    CURL *easy = nullptr;
    std::string body;
    std::size_t bodyLimit = 0;
    std::string headerName; ///< lowercase; empty: headers are not read
    std::string headerValue;
    std::uint64_t sequence = 0;
    Clock::time_point scheduled;
    Clock::time_point started;
};

std::size_t onBody(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const std::size_t bytes = size * count;
    // Keep what classification needs; drain the rest so that huge bodies cost time, not memory.
    const std::size_t room = transfer->bodyLimit - std::min(transfer->bodyLimit, transfer->body.size());
    transfer->body.append(data, std::min(room, bytes));
    return bytes;
}

std::size_t onHeader(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const std::size_t bytes = size * count;
    const std::string_view line(data, bytes);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && colon == transfer->headerName.size()) {
        bool same = true;
        for (std::size_t i = 0; i < colon && same; ++i) {
            same = std::tolower(static_cast<unsigned char>(line[i])) == transfer->headerName[i];
        }
        if (same) {
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
                value.remove_prefix(1);
            }
            while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
                value.remove_suffix(1);
            }
            transfer->headerValue = std::string(value.substr(0, 1024));
        }
    }
    return bytes;
}

ErrorKind errorKind(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return ErrorKind::None;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ErrorKind::Connect;
    case CURLE_OPERATION_TIMEDOUT:
        return ErrorKind::Timeout;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
        return ErrorKind::Unparseable;
    default:
        return ErrorKind::Transport;
    }
}

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

struct Sampler::State
{
    SamplerConfig config;
    Classifier classifier;
    SnapshotCallback callback;

    std::mutex multiMutex; // requestStop() may wake the loop from any thread while wait() tears down
    CURLM *multi = nullptr;
    curl_slist *headers = nullptr;
    std::thread sampling;
    std::thread reporting;
    std::atomic<bool> stopRequested{false};
    std::atomic<bool> running{false};
    bool started = false;

    std::mutex snapshotMutex;
    std::condition_variable snapshotReady;
    std::optional<Aggregate> pending;
    bool finished = false;

    SampleRun result;

    State(SamplerConfig c, Classifier k) : config(std::move(c)), classifier(std::move(k)) {}

    void publish(const Aggregate &aggregate, bool last)
    {
        {
            std::lock_guard lock(snapshotMutex);
            pending = aggregate;
            finished = last;
        }
        snapshotReady.notify_one();
    }

    void report()
    {
        for (;;) {
            std::optional<Aggregate> aggregate;
            bool last = false;
            {
                std::unique_lock lock(snapshotMutex);
                snapshotReady.wait(lock, [&] { return pending.has_value() || finished; });
                aggregate.swap(pending);
                last = finished;
            }
            if (aggregate && callback) {
                callback(summarize(*aggregate));
            }
            if (last) {
                std::lock_guard lock(snapshotMutex);
                if (!pending) {
                    return;
                }
            }
        }
    }

    void setUp(Transfer &transfer)
    {
        CURL *easy = transfer.easy;
        curl_easy_setopt(easy, CURLOPT_URL, config.url.c_str());
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &onBody);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
        if (!transfer.headerName.empty()) {
            curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &onHeader);
            curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
        }
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(config.timeout.count()));
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(config.connectTimeout.count()));
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, config.keepAlive ? 0L : 1L);
        if (config.method == "HEAD") {
            curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        } else if (config.method != "GET" || !config.body.empty()) {
            if (!config.body.empty()) {
                curl_easy_setopt(easy, CURLOPT_POSTFIELDS, config.body.data());
                curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(config.body.size()));
            }
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, config.method.c_str());
        }
    }

    Sample complete(Transfer &transfer, CURLcode code, Aggregate &aggregate, Clock::time_point start)
    {
        Sample sample;
        sample.sequence = transfer.sequence;
        sample.scheduledMicros = micros(transfer.scheduled - start);
        curl_off_t total = 0;
        curl_easy_getinfo(transfer.easy, CURLINFO_TOTAL_TIME_T, &total);
        long status = 0;
        curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
        sample.status = static_cast<std::int16_t>(std::clamp<long>(status, 0, 999));
        sample.latencyMicros =
            micros(transfer.started - transfer.scheduled) + static_cast<std::int64_t>(total);
        sample.error = errorKind(code);
        long osError = 0;
        curl_easy_getinfo(transfer.easy, CURLINFO_OS_ERRNO, &osError);
        if (sample.error == ErrorKind::Connect && osError == ECONNRESET) {
            // The handshake completed and the server reset the connection before curl saw it established:
            // a broken connection, not a refused one.
            sample.error = ErrorKind::Transport;
        }
        if (sample.error == ErrorKind::None && (status < 200 || status > 299)) {
            sample.error = ErrorKind::HttpStatus;
        }
        if (sample.error == ErrorKind::HttpStatus) {
            // A failed answer that still names its lane (the sandbox's injected faults do) counts against
            // that lane, so a rollout can judge the lane's error rate.
            if (auto classification = classifier.classify(transfer.body, transfer.headerValue);
                classification && !classification->lane.empty()) {
                sample.lane = aggregate.laneIndex(classification->lane);
            }
        }
        if (sample.error == ErrorKind::None) {
            if (auto classification = classifier.classify(transfer.body, transfer.headerValue)) {
                sample.outcome = classification->outcome;
                if (!classification->lane.empty()) {
                    sample.lane = aggregate.laneIndex(classification->lane);
                }
                if (!classification->chain.empty()) {
                    sample.chain = aggregate.chainIndexOf(classification->chain.substr(0, 1024));
                }
            } else {
                sample.error = ErrorKind::Unparseable;
            }
        }
        return sample;
    }

    void loop()
    {
        const std::size_t slots = static_cast<std::size_t>(config.concurrency);
        std::vector<Transfer> transfers(slots);
        std::vector<std::size_t> idle;
        for (std::size_t i = 0; i < slots; ++i) {
            transfers[i].easy = curl_easy_init();
            transfers[i].bodyLimit = config.bodyLimit;
            transfers[i].headerName = classifier.headerName();
            setUp(transfers[i]);
            idle.push_back(slots - 1 - i);
        }
        Aggregate aggregate(classifier.lanes());
        const auto start = Clock::now();
        const auto deadline =
            config.duration.count() > 0 ? start + config.duration : Clock::time_point::max();
        const auto interval = std::max(config.snapshotInterval, std::chrono::milliseconds(10));
        auto nextSnapshot = start + interval;
        std::uint64_t sent = 0;
        std::size_t inFlight = 0;
        bool sending = true;
        std::vector<CURL *> active(slots, nullptr);

        auto dueTime = [&](std::uint64_t sequence) {
            return start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(double(sequence) / config.rate));
        };
        auto launch = [&](Clock::time_point scheduled, Clock::time_point now) {
            const std::size_t slot = idle.back();
            idle.pop_back();
            Transfer &transfer = transfers[slot];
            transfer.sequence = sent++;
            transfer.scheduled = scheduled;
            transfer.started = now;
            transfer.body.clear();
            transfer.headerValue.clear();
            curl_easy_setopt(transfer.easy, CURLOPT_PRIVATE, static_cast<void *>(&transfer));
            curl_multi_add_handle(multi, transfer.easy);
            ++inFlight;
        };

        while (!stopRequested) {
            auto now = Clock::now();
            if (sending && config.count && sent >= config.count) {
                sending = false;
            }
            if (sending && config.rate > 0) {
                while (sending && !idle.empty()) {
                    const auto due = dueTime(sent);
                    if (due >= deadline || (config.count && sent >= config.count)) {
                        sending = false;
                    } else if (due <= now) {
                        launch(due, now);
                    } else {
                        break;
                    }
                }
            } else if (sending) {
                if (now >= deadline) {
                    sending = false;
                }
                while (sending && !idle.empty() && !(config.count && sent >= config.count)) {
                    launch(now, now);
                }
            }
            int stillRunning = 0;
            curl_multi_perform(multi, &stillRunning);
            int queued = 0;
            while (CURLMsg *message = curl_multi_info_read(multi, &queued)) {
                if (message->msg != CURLMSG_DONE) {
                    continue;
                }
                Transfer *transfer = nullptr;
                curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE,
                                  reinterpret_cast<char **>(&transfer));
                const CURLcode code = message->data.result;
                curl_multi_remove_handle(multi, transfer->easy);
                --inFlight;
                const Sample sample = complete(*transfer, code, aggregate, start);
                aggregate.add(sample);
                if (config.keepSamples) {
                    result.samples.push_back(sample);
                }
                idle.push_back(static_cast<std::size_t>(transfer - transfers.data()));
            }
            now = Clock::now();
            if (now >= nextSnapshot) {
                aggregate.elapsedMicros = micros(now - start);
                publish(aggregate, false);
                while (nextSnapshot <= now) {
                    nextSnapshot += interval;
                }
            }
            if (!sending && inFlight == 0) {
                break;
            }
            auto wake = nextSnapshot;
            if (sending && !idle.empty()) {
                wake = std::min(wake, config.rate > 0 ? dueTime(sent) : now);
            }
            const auto waitMs = std::clamp<std::int64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count(), 0, 100);
            if (waitMs > 0) {
                curl_multi_poll(multi, nullptr, 0, static_cast<int>(waitMs), nullptr);
            }
        }
        for (auto &transfer : transfers) {
            curl_multi_remove_handle(multi, transfer.easy); // abandoned in-flight requests when stopped
            curl_easy_cleanup(transfer.easy);
        }
        aggregate.elapsedMicros = micros(Clock::now() - start);
        result.laneNames.clear();
        for (const auto &lane : aggregate.lanes) {
            result.laneNames.push_back(lane.name);
        }
        result.chainTexts = aggregate.chainTexts;
        result.summary = summarize(aggregate);
        publish(aggregate, true);
        running = false;
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
    if (!(c.url.starts_with("http://") || c.url.starts_with("https://"))) {
        return Error{"URL: expected http://... or https://..., got '" + c.url + "'"};
    }
    if (c.concurrency < 1 || c.concurrency > 10000) {
        return Error{"concurrency: must be 1..10000, got " + std::to_string(c.concurrency)};
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
    initCurlOnce();
    s.multi = curl_multi_init();
    if (!s.multi) {
        return Error{"libcurl: cannot create a multi handle"};
    }
    curl_multi_setopt(s.multi, CURLMOPT_MAXCONNECTS, long(c.concurrency));
    for (const auto &header : c.headers) {
        s.headers = curl_slist_append(s.headers, header.c_str());
    }
    // No "Expect: 100-continue" round trip for bodies: a load generator measures the server, not curl's wait.
    s.headers = curl_slist_append(s.headers, "Expect:");
    if (c.keepSamples && c.count) {
        // Up front for typical runs (40 MB at most); longer runs grow the vector as they go.
        s.result.samples.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(c.count, 1'000'000)));
    }
    s.result.config = c;
    s.started = true;
    s.running = true;
    s.reporting = std::thread([&s] { s.report(); });
    s.sampling = std::thread([&s] { s.loop(); });
    return {};
}

void Sampler::requestStop()
{
    m_state->stopRequested = true;
    std::lock_guard lock(m_state->multiMutex);
    if (m_state->multi) {
        curl_multi_wakeup(m_state->multi);
    }
}

SampleRun Sampler::wait()
{
    State &s = *m_state;
    if (s.sampling.joinable()) {
        s.sampling.join();
    }
    if (s.reporting.joinable()) {
        s.reporting.join();
    }
    {
        std::lock_guard lock(s.multiMutex);
        if (s.multi) {
            curl_multi_cleanup(s.multi);
            s.multi = nullptr;
        }
    }
    if (s.headers) {
        curl_slist_free_all(s.headers);
        s.headers = nullptr;
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

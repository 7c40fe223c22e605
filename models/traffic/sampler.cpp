#include "traffic/sampler.h"

#include "base/curl.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace lanedeck::traffic {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t micros(Clock::duration d)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

/// One connection's request slot: an easy handle reused for every request it carries, so that libcurl keeps
/// its connection alive between them, and buffers that keep their capacity from one request to the next.
struct Transfer
{
    curl::Easy easy;
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
            transfer->headerValue.assign(value.substr(0, 1024));
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

/// A file descriptor that closes itself.
struct FileDescriptor
{
    int fd = -1;
    explicit FileDescriptor(int f = -1) : fd(f) {}
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    ~FileDescriptor()
    {
        if (fd >= 0) {
            close(fd);
        }
    }
};

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

} // namespace

int samplingThreads(const SamplerConfig &config)
{
    const int wanted = config.threads > 0
                           ? config.threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, std::min(wanted, config.concurrency));
}

struct Sampler::State
{
    /// One sampling thread: its connections, its multi handle, its share of the schedule (requests
    /// first, first + stride, ...) and its own statistics. Only its thread touches it while it runs, except
    /// for `multi` (woken by requestStop) and the snapshot hand-off, which is under State::snapshotMutex.
    struct Worker
    {
        State &state;
        const SamplerConfig &config;
        std::uint64_t first = 0;
        std::uint64_t stride = 1;
        std::size_t connections = 1;
        curl::Multi multi;
        std::thread thread;
        // libcurl's socket interface: it says which sockets to watch (onSocket) and when to call it back
        // (onTimer); epoll says which are ready, so that each turn works on those alone instead of every
        // transfer. `wake` is how requestStop() interrupts epoll_wait.
        FileDescriptor epoll{epoll_create1(EPOLL_CLOEXEC)};
        FileDescriptor wake{eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
        Clock::time_point curlTimer = Clock::time_point::max();

        std::vector<Transfer> transfers;
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
        {}

        static int onSocket(CURL *, curl_socket_t socket, int what, void *user, void *)
        {
            auto *worker = static_cast<Worker *>(user);
            if (what == CURL_POLL_REMOVE) {
                epoll_ctl(worker->epoll.fd, EPOLL_CTL_DEL, socket, nullptr);
                return 0;
            }
            epoll_event event{};
            event.data.fd = socket;
            event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
            if (epoll_ctl(worker->epoll.fd, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
                epoll_ctl(worker->epoll.fd, EPOLL_CTL_ADD, socket, &event);
            }
            return 0;
        }

        static int onTimer(CURLM *, long millis, void *user)
        {
            auto *worker = static_cast<Worker *>(user);
            worker->curlTimer =
                millis < 0 ? Clock::time_point::max() : Clock::now() + std::chrono::milliseconds(millis);
            return 0;
        }

        /// The multi handle's event set-up; false when the system refuses an epoll or event descriptor.
        bool setUpEvents()
        {
            if (epoll.fd < 0 || wake.fd < 0) {
                return false;
            }
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.fd = wake.fd;
            epoll_ctl(epoll.fd, EPOLL_CTL_ADD, wake.fd, &event);
            curl_multi_setopt(multi.get(), CURLMOPT_SOCKETFUNCTION, &onSocket);
            curl_multi_setopt(multi.get(), CURLMOPT_SOCKETDATA, this);
            curl_multi_setopt(multi.get(), CURLMOPT_TIMERFUNCTION, &onTimer);
            curl_multi_setopt(multi.get(), CURLMOPT_TIMERDATA, this);
            return true;
        }

        /// Interrupts the thread's wait, from any thread.
        void interrupt()
        {
            const std::uint64_t one = 1;
            [[maybe_unused]] auto written = write(wake.fd, &one, sizeof one);
        }

        /// The easy handles, configured once: a request only adds its handle to the multi handle.
        void setUp()
        {
            transfers.resize(connections);
            for (std::size_t i = 0; i < connections; ++i) {
                Transfer &transfer = transfers[i];
                transfer.easy = curl::makeEasy();
                transfer.bodyLimit = config.bodyLimit;
                transfer.headerName = state.classifier.headerName();
                state.configure(transfer);
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
            Transfer &transfer = transfers[idle.back()];
            idle.pop_back();
            transfer.sequence = next;
            next += stride;
            transfer.scheduled = scheduled;
            transfer.started = now;
            transfer.body.clear();
            transfer.headerValue.clear();
            curl_multi_add_handle(multi.get(), transfer.easy.get());
            ++inFlight;
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

        Sample complete(const Transfer &transfer, CURLcode code)
        {
            Sample sample;
            sample.sequence = transfer.sequence;
            sample.scheduledMicros = micros(transfer.scheduled - state.start);
            curl_off_t total = 0;
            curl_easy_getinfo(transfer.easy.get(), CURLINFO_TOTAL_TIME_T, &total);
            long status = 0;
            curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &status);
            sample.status = static_cast<std::int16_t>(std::clamp<long>(status, 0, 999));
            sample.latencyMicros =
                micros(transfer.started - transfer.scheduled) + static_cast<std::int64_t>(total);
            sample.error = errorKind(code);
            if (sample.error == ErrorKind::Connect) {
                long osError = 0;
                curl_easy_getinfo(transfer.easy.get(), CURLINFO_OS_ERRNO, &osError);
                if (osError == ECONNRESET) {
                    // The handshake completed and the server reset the connection before curl saw it
                    // established: a broken connection, not a refused one.
                    sample.error = ErrorKind::Transport;
                }
            }
            if (sample.error == ErrorKind::None && (status < 200 || status > 299)) {
                sample.error = ErrorKind::HttpStatus;
            }
            if (sample.error == ErrorKind::HttpStatus) {
                // A failed answer that still names its lane (the sandbox's injected faults do) counts against
                // that lane, so a rollout can judge the lane's error rate.
                const Meaning meaning =
                    meanings.classify(state.classifier, aggregate, transfer.body, transfer.headerValue);
                if (meaning.parsed && meaning.lane >= 0) {
                    sample.lane = meaning.lane;
                }
                if (meaning.parsed) {
                    sample.chain = meaning.chain; // which hop failed, for the topology's error rates
                }
            }
            if (sample.error == ErrorKind::None) {
                const Meaning meaning =
                    meanings.classify(state.classifier, aggregate, transfer.body, transfer.headerValue);
                if (meaning.parsed) {
                    sample.outcome = meaning.outcome;
                    sample.lane = meaning.lane;
                    sample.chain = meaning.chain;
                } else {
                    sample.error = ErrorKind::Unparseable;
                }
            }
            return sample;
        }

        /// Runs libcurl's expired timers (they start the transfers just added) and takes in the transfers
        /// that finished.
        void collectFinished()
        {
            int stillRunning = 0;
            if (Clock::now() >= curlTimer) {
                curlTimer = Clock::time_point::max(); // onTimer sets the next one
                curl_multi_socket_action(multi.get(), CURL_SOCKET_TIMEOUT, 0, &stillRunning);
            }
            int queued = 0;
            while (CURLMsg *message = curl_multi_info_read(multi.get(), &queued)) {
                if (message->msg != CURLMSG_DONE) {
                    continue;
                }
                Transfer *transfer = nullptr;
                curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE,
                                  reinterpret_cast<char **>(&transfer));
                const CURLcode code = message->data.result;
                curl_multi_remove_handle(multi.get(), transfer->easy.get());
                --inFlight;
                const Sample sample = complete(*transfer, code);
                aggregate.add(sample);
                if (config.keepSamples) {
                    samples.push_back(sample);
                }
                idle.push_back(static_cast<std::size_t>(transfer - transfers.data()));
            }
        }

        /// Sleeps until a socket is ready, the next request is due, the next snapshot is, libcurl's timer
        /// expires, or requestStop() wakes it; then hands the ready sockets to libcurl.
        void waitForNextEvent(Clock::time_point now)
        {
            auto wakeAt = nextSnapshot;
            if (sending && !idle.empty()) {
                wakeAt = std::min(wakeAt, config.rate > 0 ? dueTime(next) : now);
            }
            wakeAt = std::min(wakeAt, curlTimer);
            const auto waitMs = std::clamp<std::int64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(wakeAt - now).count(), 0, 100);
            epoll_event events[64];
            const int ready = epoll_wait(epoll.fd, events, 64, static_cast<int>(waitMs));
            for (int i = 0; i < ready; ++i) {
                const int fd = events[i].data.fd;
                if (fd == wake.fd) {
                    std::uint64_t count = 0;
                    [[maybe_unused]] auto read = ::read(wake.fd, &count, sizeof count);
                    continue;
                }
                const auto flags = events[i].events;
                const int mask = ((flags & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                                 ((flags & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                                 ((flags & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
                int stillRunning = 0;
                curl_multi_socket_action(multi.get(), fd, mask, &stillRunning);
            }
        }

        void run()
        {
            const auto interval = std::max(config.snapshotInterval, std::chrono::milliseconds(10));
            nextSnapshot = state.start + interval;
            while (!state.stopRequested) {
                launchDue(Clock::now());
                collectFinished();
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
                waitForNextEvent(now);
            }
            for (auto &transfer : transfers) {
                // Requests still in flight when stopped are abandoned, not counted.
                curl_multi_remove_handle(multi.get(), transfer.easy.get());
            }
            transfers.clear();
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
    std::vector<std::unique_ptr<Worker>> workers;
    std::mutex multiMutex; // requestStop() may wake the workers from any thread while wait() tears down
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

    void configure(Transfer &transfer)
    {
        CURL *easy = transfer.easy.get();
        // Parsed once: libcurl copies the parsed form for each request instead of parsing the text again.
        curl_easy_setopt(easy, CURLOPT_CURLU, url.get());
        if (!proxyFromEnvironment) {
            // The same as libcurl's default without a proxy variable set, minus its look-ups at every
            // request.
            curl_easy_setopt(easy, CURLOPT_PROXY, "");
        }
        curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void *>(&transfer));
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
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
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
    for (const auto &header : c.headers) {
        s.headers.append(header);
    }
    if (!c.body.empty()) {
        // No "Expect: 100-continue" round trip for bodies: a load generator measures the server, not curl's
        // wait.
        s.headers.append("Expect:");
    }
    s.url.reset(curl_url());
    if (!s.url || curl_url_set(s.url.get(), CURLUPART_URL, c.url.c_str(), 0) != CURLUE_OK) {
        return Error{"URL: '" + c.url + "' is not a valid URL"};
    }
    s.proxyFromEnvironment = std::any_of(std::begin(kProxyVariables), std::end(kProxyVariables),
                                         [](const char *name) { return std::getenv(name) != nullptr; });
    const auto threads = static_cast<std::size_t>(samplingThreads(c));
    const auto connections = static_cast<std::size_t>(c.concurrency);
    std::lock_guard lock(s.multiMutex);
    for (std::size_t i = 0; i < threads; ++i) {
        const std::size_t share = connections / threads + (i < connections % threads ? 1 : 0);
        auto worker = std::make_unique<State::Worker>(s, i, threads, share);
        worker->multi = curl::makeMulti();
        if (!worker->multi) {
            s.workers.clear();
            return Error{"libcurl: cannot create a multi handle"};
        }
        curl_multi_setopt(worker->multi.get(), CURLMOPT_MAXCONNECTS, long(share));
        if (!worker->setUpEvents()) {
            s.workers.clear();
            return Error{std::string("cannot create the sampler's event descriptors: ") +
                         std::strerror(errno)};
        }
        worker->setUp();
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
    std::lock_guard lock(m_state->multiMutex);
    for (auto &worker : m_state->workers) {
        if (worker->multi) {
            worker->interrupt();
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
        std::lock_guard lock(s.multiMutex);
        for (auto &worker : s.workers) {
            worker->multi.reset(); // closes the connections
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

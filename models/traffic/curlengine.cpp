// The libcurl engine: one multi handle per sampling thread on libcurl's socket interface, an easy handle per
// connection reused for every request it carries.
#include "base/curl.h"
#include "traffic/engine.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <sys/eventfd.h>
#include <unistd.h>

namespace lanedeck::traffic::engine {

EventLoop::EventLoop() : m_epoll(epoll_create1(EPOLL_CLOEXEC)), m_wake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (valid()) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.ptr = nullptr; // the wake-up; sockets carry their own pointer or descriptor
        event.data.u64 = ~std::uint64_t(0);
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event);
    }
}

EventLoop::~EventLoop()
{
    if (m_epoll >= 0) {
        close(m_epoll);
    }
    if (m_wake >= 0) {
        close(m_wake);
    }
}

void EventLoop::interrupt()
{
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = write(m_wake, &one, sizeof one);
}

int EventLoop::wait(epoll_event *events, int capacity, int millis)
{
    int ready = epoll_wait(m_epoll, events, capacity, millis);
    for (int i = 0; i < ready; ++i) {
        if (events[i].data.u64 == ~std::uint64_t(0)) {
            std::uint64_t count = 0;
            [[maybe_unused]] auto read = ::read(m_wake, &count, sizeof count);
            events[i] = events[--ready];
            --i;
        }
    }
    return std::max(ready, 0);
}

int waitMillis(Clock::time_point now, Clock::time_point at)
{
    return static_cast<int>(std::clamp<std::int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(at - now).count(), 0, 100));
}

namespace {

/// One connection's request slot: an easy handle reused for every request it carries, so that libcurl keeps
/// its connection alive between them, and buffers that keep their capacity from one request to the next.
struct Transfer
{
    curl::Easy easy;
    std::string body;
    std::size_t bodyLimit = 0;
    std::string headerName; ///< lowercase; empty: headers are not read
    std::string headerValue;
    Clock::time_point started;
    bool inFlight = false;
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

class CurlEngine final : public Engine
{
public:
    CurlEngine(const SamplerConfig &config, const CurlShared &shared, const std::string &headerName,
               std::size_t slots)
        : m_config(config), m_shared(shared), m_transfers(slots)
    {
        for (auto &transfer : m_transfers) {
            transfer.easy = curl::makeEasy();
            transfer.bodyLimit = config.bodyLimit;
            transfer.headerName = headerName;
        }
    }

    ~CurlEngine() override
    {
        abandon();
        m_multi.reset();
    }

    /// The multi handle, the event set-up and the easy handles; an error when libcurl or the system refuses.
    Result<void> setUp(std::size_t slots)
    {
        m_multi = curl::makeMulti();
        if (!m_multi) {
            return Error{"libcurl: cannot create a multi handle"};
        }
        if (!m_loop.valid()) {
            return Error{std::string("cannot create the sampler's event descriptors: ") +
                         std::strerror(errno)};
        }
        curl_multi_setopt(m_multi.get(), CURLMOPT_MAXCONNECTS, long(slots));
        curl_multi_setopt(m_multi.get(), CURLMOPT_SOCKETFUNCTION, &onSocket);
        curl_multi_setopt(m_multi.get(), CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(m_multi.get(), CURLMOPT_TIMERFUNCTION, &onTimer);
        curl_multi_setopt(m_multi.get(), CURLMOPT_TIMERDATA, this);
        for (auto &transfer : m_transfers) {
            if (!transfer.easy) {
                return Error{"libcurl: cannot create an easy handle"};
            }
            configure(transfer);
        }
        return {};
    }

    void start(std::size_t slot, Clock::time_point now) override
    {
        Transfer &transfer = m_transfers[slot];
        transfer.started = now;
        transfer.body.clear();
        transfer.headerValue.clear();
        transfer.inFlight = true;
        curl_multi_add_handle(m_multi.get(), transfer.easy.get());
    }

    void poll(Clock::time_point now, Clock::time_point wakeAt, Sink &sink) override
    {
        epoll_event events[64];
        const int ready = m_loop.wait(events, 64, waitMillis(now, std::min(wakeAt, m_timer)));
        int stillRunning = 0;
        for (int i = 0; i < ready; ++i) {
            const auto flags = events[i].events;
            const int mask = ((flags & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                             ((flags & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                             ((flags & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(m_multi.get(), events[i].data.fd, mask, &stillRunning);
        }
        if (Clock::now() >= m_timer) {
            m_timer = Clock::time_point::max(); // onTimer sets the next one
            curl_multi_socket_action(m_multi.get(), CURL_SOCKET_TIMEOUT, 0, &stillRunning);
        }
        collect(sink);
    }

    void interrupt() override { m_loop.interrupt(); }

    void abandon() override
    {
        for (auto &transfer : m_transfers) {
            if (transfer.inFlight) {
                curl_multi_remove_handle(m_multi.get(), transfer.easy.get());
                transfer.inFlight = false;
            }
        }
    }

private:
    static int onSocket(CURL *, curl_socket_t socket, int what, void *user, void *)
    {
        auto *engine = static_cast<CurlEngine *>(user);
        const int epoll = engine->m_loop.fd();
        if (what == CURL_POLL_REMOVE) {
            epoll_ctl(epoll, EPOLL_CTL_DEL, socket, nullptr);
            return 0;
        }
        epoll_event event{};
        event.data.u64 = 0;
        event.data.fd = socket;
        event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
        if (epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0 && errno == ENOENT) {
            epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event);
        }
        return 0;
    }

    static int onTimer(CURLM *, long millis, void *user)
    {
        auto *engine = static_cast<CurlEngine *>(user);
        engine->m_timer =
            millis < 0 ? Clock::time_point::max() : Clock::now() + std::chrono::milliseconds(millis);
        return 0;
    }

    /// Takes in the transfers that finished.
    void collect(Sink &sink)
    {
        int queued = 0;
        while (CURLMsg *message = curl_multi_info_read(m_multi.get(), &queued)) {
            if (message->msg != CURLMSG_DONE) {
                continue;
            }
            Transfer *transfer = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&transfer));
            const CURLcode code = message->data.result;
            curl_multi_remove_handle(m_multi.get(), transfer->easy.get());
            transfer->inFlight = false;
            sink.finished(completion(*transfer, code));
        }
    }

    Completion completion(const Transfer &transfer, CURLcode code) const
    {
        Completion done;
        done.slot = static_cast<std::size_t>(&transfer - m_transfers.data());
        curl_off_t total = 0;
        curl_easy_getinfo(transfer.easy.get(), CURLINFO_TOTAL_TIME_T, &total);
        done.finished = transfer.started + std::chrono::microseconds(total);
        long status = 0;
        curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &status);
        done.status = static_cast<int>(std::clamp<long>(status, 0, 999));
        done.error = errorKind(code);
        if (done.error == ErrorKind::Connect) {
            long osError = 0;
            curl_easy_getinfo(transfer.easy.get(), CURLINFO_OS_ERRNO, &osError);
            if (osError == ECONNRESET) {
                // The handshake completed and the server reset the connection before curl saw it
                // established: a broken connection, not a refused one.
                done.error = ErrorKind::Transport;
            }
        }
        done.body = transfer.body;
        done.headerValue = transfer.headerValue;
        return done;
    }

    void configure(Transfer &transfer)
    {
        CURL *easy = transfer.easy.get();
        // Parsed once: libcurl copies the parsed form for each request instead of parsing the text again.
        curl_easy_setopt(easy, CURLOPT_CURLU, m_shared.url);
        if (!m_shared.proxyFromEnvironment) {
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
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(m_config.timeout.count()));
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(m_config.connectTimeout.count()));
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, m_shared.headers);
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, m_config.keepAlive ? 0L : 1L);
        if (m_config.method == "HEAD") {
            curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        } else if (m_config.method != "GET" || !m_config.body.empty()) {
            if (!m_config.body.empty()) {
                curl_easy_setopt(easy, CURLOPT_POSTFIELDS, m_config.body.data());
                curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(m_config.body.size()));
            }
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, m_config.method.c_str());
        }
    }

    const SamplerConfig &m_config;
    CurlShared m_shared;
    std::vector<Transfer> m_transfers;
    EventLoop m_loop;
    curl::Multi m_multi;
    Clock::time_point m_timer = Clock::time_point::max();
};

} // namespace

Result<std::unique_ptr<Engine>> makeCurlEngine(const SamplerConfig &config, const CurlShared &shared,
                                               const std::string &headerName, std::size_t slots)
{
    auto engine = std::make_unique<CurlEngine>(config, shared, headerName, slots);
    if (auto ready = engine->setUp(slots); !ready) {
        return ready.error();
    }
    return std::unique_ptr<Engine>(std::move(engine));
}

} // namespace lanedeck::traffic::engine

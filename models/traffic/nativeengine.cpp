// The native engine: the sampler's own HTTP/1.1 client for plain http:// targets. Per request on a kept-alive
// connection it makes one send() and one read() (and its share of an epoll_wait), sends bytes built once for
// the run, and parses the answer in place; what it does at each odd server behaviour follows libcurl 7.88, so
// that both engines give the same error kinds (tests/traffic/tst_sampler.cpp runs every fault on both).
#include "traffic/engine.h"
#include "traffic/http1.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace lanedeck::traffic::engine {

namespace {

/// A curl_url_get part, empty when the URL has none.
std::string urlPart(CURLU *url, CURLUPart part, unsigned flags = 0)
{
    char *text = nullptr;
    if (curl_url_get(url, part, &text, flags) != CURLUE_OK || !text) {
        return {};
    }
    std::string value(text);
    curl_free(text);
    return value;
}

struct Connection
{
    enum class Phase : std::uint8_t
    {
        Idle, ///< no request; the connection, if open, waits for the next one
        Connecting,
        Sending,
        Receiving,
    };
    int fd = -1;
    Phase phase = Phase::Idle;
    bool reused =
        false; ///< it carried an earlier response: a close before any answer is the server's idle close
    bool retried = false; ///< this request was sent again on a new connection once already
    std::uint32_t watched = 0;
    std::size_t address = 0;
    std::size_t sent = 0;
    Clock::time_point deadline;        ///< of the request (timeout), or of the connect when sooner
    Clock::time_point requestDeadline; ///< of the request
    http1::ResponseParser parser;
};

class NativeEngine final : public Engine
{
public:
    NativeEngine(const SamplerConfig &config, const NativeTarget &target, const std::string &headerName,
                 bool keepBody, std::size_t slots)
        : m_config(config), m_target(target), m_connections(slots), m_buffer(64 * 1024)
    {
        m_pending.reserve(slots);
        for (auto &connection : m_connections) {
            connection.parser.configure(headerName, keepBody, config.bodyLimit);
        }
    }

    ~NativeEngine() override { abandon(); }

    bool valid() const { return m_loop.valid(); }

    void start(std::size_t slot, Clock::time_point now) override
    {
        m_now = now;
        Connection &c = m_connections[slot];
        c.retried = false;
        c.requestDeadline = now + m_config.timeout;
        c.deadline = c.requestDeadline;
        m_nextCheck = std::min(m_nextCheck, c.deadline);
        c.parser.reset(m_target.head);
        if (c.fd >= 0) {
            c.reused = true;
            c.phase = Connection::Phase::Sending;
            c.sent = 0;
            send(c);
        } else {
            connect(c, now, 0);
        }
    }

    void poll(Clock::time_point now, Clock::time_point wakeAt, Sink &sink) override
    {
        m_sink = &sink;
        const bool pending = !m_pending.empty();
        for (const auto &done : m_pending) {
            sink.finished(done);
        }
        m_pending.clear();
        epoll_event events[64];
        const int ready =
            m_loop.wait(events, 64, pending ? 0 : waitMillis(now, std::min(wakeAt, m_nextCheck)));
        // One clock reading for the batch: the requests it completes ended when epoll_wait returned.
        m_now = Clock::now();
        for (int i = 0; i < ready; ++i) {
            handle(*static_cast<Connection *>(events[i].data.ptr), events[i].events);
        }
        if (m_now >= m_nextCheck) {
            expire();
        }
        m_sink = nullptr;
    }

    void interrupt() override { m_loop.interrupt(); }

    void abandon() override
    {
        for (auto &c : m_connections) {
            closeConnection(c);
            c.phase = Connection::Phase::Idle;
        }
    }

private:
    void watch(Connection &c, std::uint32_t events)
    {
        if (c.watched == events) {
            return;
        }
        epoll_event event{};
        event.events = events;
        event.data.ptr = &c;
        epoll_ctl(m_loop.fd(), c.watched == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &event);
        c.watched = events;
    }

    void closeConnection(Connection &c)
    {
        if (c.fd >= 0) {
            close(c.fd); // also leaves the epoll set
            c.fd = -1;
        }
        c.watched = 0;
        c.reused = false;
    }

    /// Opens a connection to the target's addresses from `address` on, and sends the request once connected.
    void connect(Connection &c, Clock::time_point now, std::size_t address)
    {
        closeConnection(c);
        int error = 0;
        for (; address < m_target.addresses.size(); ++address) {
            const auto &to = m_target.addresses[address];
            c.fd = socket(to.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (c.fd < 0) {
                error = errno;
                continue;
            }
            const int one = 1; // as libcurl: no Nagle delay for a request written in one piece
            setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (::connect(c.fd, reinterpret_cast<const sockaddr *>(&to.storage), to.length) == 0) {
                c.address = address;
                c.phase = Connection::Phase::Sending;
                c.sent = 0;
                send(c);
                return;
            }
            if (errno == EINPROGRESS) {
                c.address = address;
                c.phase = Connection::Phase::Connecting;
                c.deadline = std::min(c.requestDeadline, now + m_config.connectTimeout);
                m_nextCheck = std::min(m_nextCheck, c.deadline);
                watch(c, EPOLLOUT);
                return;
            }
            error = errno;
            closeConnection(c);
        }
        // A reset during the handshake is a broken connection, as the libcurl engine counts it.
        finish(c, error == ECONNRESET ? ErrorKind::Transport : ErrorKind::Connect);
    }

    void connected(Connection &c)
    {
        int error = 0;
        socklen_t length = sizeof error;
        if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
            error = errno;
        }
        if (error == 0) {
            c.deadline = c.requestDeadline;
            c.phase = Connection::Phase::Sending;
            c.sent = 0;
            send(c);
        } else if (error != ECONNRESET && c.address + 1 < m_target.addresses.size()) {
            connect(c, m_now, c.address + 1);
        } else {
            finish(c, error == ECONNRESET ? ErrorKind::Transport : ErrorKind::Connect);
        }
    }

    void send(Connection &c)
    {
        const std::string &request = m_target.request;
        while (c.sent < request.size()) {
            const ssize_t n = ::send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
            if (n > 0) {
                c.sent += static_cast<std::size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                watch(c, EPOLLIN | EPOLLOUT);
                return;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                broken(c, ErrorKind::Transport);
                return;
            }
        }
        c.phase = Connection::Phase::Receiving;
        watch(c, EPOLLIN);
    }

    void handle(Connection &c, std::uint32_t events)
    {
        switch (c.phase) {
        case Connection::Phase::Connecting:
            connected(c);
            break;
        case Connection::Phase::Sending:
            if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                receive(c); // an early answer (or a reset) ends the request before it is sent whole
            } else {
                send(c);
            }
            break;
        case Connection::Phase::Receiving:
            receive(c);
            break;
        case Connection::Phase::Idle:
            // The server closed a kept-alive connection between requests (or sent what nobody asked for).
            closeConnection(c);
            break;
        }
    }

    void receive(Connection &c)
    {
        const ssize_t n = read(c.fd, m_buffer.data(), m_buffer.size());
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return;
        }
        if (n < 0) {
            broken(c, ErrorKind::Transport);
        } else if (n == 0) {
            const bool complete = c.parser.closed() == http1::ResponseParser::Progress::Done;
            if (complete) {
                finish(c, ErrorKind::None);
            } else {
                broken(c, c.parser.error());
            }
        }
        if (n <= 0) {
            return;
        }
        std::size_t consumed = 0;
        switch (c.parser.feed(m_buffer.data(), static_cast<std::size_t>(n), consumed)) {
        case http1::ResponseParser::Progress::NeedMore:
            break;
        case http1::ResponseParser::Progress::Done:
            // Bytes past the response: the connection's framing cannot be trusted any more.
            finish(c, ErrorKind::None, consumed == static_cast<std::size_t>(n));
            break;
        case http1::ResponseParser::Progress::Failed:
            finish(c, c.parser.error());
            break;
        }
    }

    /// The connection broke (a reset, a close, a failed send): the request fails with `error`. On a
    /// kept-alive connection before any byte of the answer, that is the server closing it while idle: like
    /// libcurl, send the request again, once, on a new connection.
    void broken(Connection &c, ErrorKind error)
    {
        if (c.reused && !c.retried && !c.parser.started()) {
            c.retried = true;
            c.parser.reset(m_target.head);
            connect(c, m_now, 0);
            return;
        }
        finish(c, error);
    }

    void finish(Connection &c, ErrorKind error, bool reusable = true)
    {
        const bool keep = error == ErrorKind::None && reusable && m_config.keepAlive && c.parser.keepAlive();
        if (!keep) {
            closeConnection(c);
        }
        c.phase = Connection::Phase::Idle;
        Completion done;
        done.slot = static_cast<std::size_t>(&c - m_connections.data());
        done.error = error;
        done.status = c.parser.status();
        done.finished = m_now;
        done.body = c.parser.body();
        done.headerValue = c.parser.headerValue();
        if (m_sink) {
            m_sink->finished(done);
        } else {
            m_pending.push_back(done); // failed within start(): reported by the next poll()
        }
    }

    /// Fails the requests past their deadline (connect or whole-request timeout) and finds the next deadline.
    void expire()
    {
        m_nextCheck = Clock::time_point::max();
        for (auto &c : m_connections) {
            if (c.phase == Connection::Phase::Idle) {
                continue;
            }
            if (m_now >= c.deadline) {
                finish(c, ErrorKind::Timeout);
            } else {
                m_nextCheck = std::min(m_nextCheck, c.deadline);
            }
        }
    }

    const SamplerConfig &m_config;
    const NativeTarget &m_target;
    std::vector<Connection> m_connections;
    std::vector<char> m_buffer; ///< one read buffer for the thread: every answer is parsed as it arrives
    EventLoop m_loop;
    Sink *m_sink = nullptr; ///< during poll()
    std::vector<Completion> m_pending;
    Clock::time_point m_now;
    Clock::time_point m_nextCheck = Clock::time_point::max(); ///< no deadline comes before this
};

} // namespace

Result<NativeTarget> nativeTarget(const SamplerConfig &config, CURLU *url, bool proxyFromEnvironment)
{
    if (proxyFromEnvironment) {
        return Error{"a proxy variable is set (libcurl applies it, and no_proxy)"};
    }
    if (urlPart(url, CURLUPART_SCHEME) != "http") {
        return Error{"it serves http:// URLs only"};
    }
    if (!urlPart(url, CURLUPART_USER).empty() || !urlPart(url, CURLUPART_PASSWORD).empty()) {
        return Error{"it does not send credentials from the URL"};
    }
    if (!urlPart(url, CURLUPART_ZONEID).empty()) {
        return Error{"it does not handle IPv6 zone ids"};
    }
    std::string host = urlPart(url, CURLUPART_HOST);
    const std::string port = urlPart(url, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    http1::RequestSpec spec;
    spec.method = config.method;
    spec.target = urlPart(url, CURLUPART_PATH);
    if (spec.target.empty()) {
        spec.target.push_back('/');
    }
    if (const std::string query = urlPart(url, CURLUPART_QUERY); !query.empty()) {
        spec.target.append(1, '?').append(query);
    }
    spec.host = host;
    if (port != "80") {
        spec.host.append(1, ':').append(port);
    }
    spec.headers = config.headers;
    spec.body = config.body;

    const std::string name = host.size() > 2 && host.front() == '[' ? host.substr(1, host.size() - 2) : host;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (const int failed = getaddrinfo(name.c_str(), port.c_str(), &hints, &found); failed != 0) {
        return Error{"cannot resolve '" + name + "': " + gai_strerror(failed)};
    }
    NativeTarget target;
    for (const addrinfo *a = found; a; a = a->ai_next) {
        NativeTarget::Address address;
        std::memcpy(&address.storage, a->ai_addr, a->ai_addrlen);
        address.length = a->ai_addrlen;
        target.addresses.push_back(address);
    }
    freeaddrinfo(found);
    target.request = http1::buildRequest(spec);
    target.head = config.method == "HEAD";
    return target;
}

Result<std::unique_ptr<Engine>> makeNativeEngine(const SamplerConfig &config, const NativeTarget &target,
                                                 const std::string &headerName, bool keepBody,
                                                 std::size_t slots)
{
    auto engine = std::make_unique<NativeEngine>(config, target, headerName, keepBody, slots);
    if (!engine->valid()) {
        return Error{std::string("cannot create the sampler's event descriptors: ") + std::strerror(errno)};
    }
    return std::unique_ptr<Engine>(std::move(engine));
}

} // namespace lanedeck::traffic::engine

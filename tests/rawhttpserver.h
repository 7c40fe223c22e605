#pragma once

// A loopback HTTP/1.1 server on raw sockets for fault tests: a handler returns the exact bytes of each answer
// and what to do with the connection afterwards, so a test can simulate what no real server does on purpose
// (an answer broken off mid-body, a reset, a proxy's HTML error page). One thread per connection.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lanedeck::testing {

class RawHttpServer
{
public:
    struct Request
    {
        std::string method;
        std::string path; ///< with its query
        std::string body;
        std::string bytes; ///< the whole request as it arrived: line, headers, body
    };
    struct Reply
    {
        std::string bytes;  ///< sent as they are
        bool close = false; ///< close the connection after sending
        bool reset = false; ///< close it with a TCP reset (RST) instead of an orderly FIN
    };
    using Handler = std::function<Reply(const Request &)>;

    explicit RawHttpServer(Handler handler) : m_handler(std::move(handler))
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        ::listen(m_listen, 64);
        socklen_t length = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &length);
        m_port = ntohs(addr.sin_port);
        m_acceptor = std::thread([this] { acceptLoop(); });
    }

    ~RawHttpServer()
    {
        m_stop = true;
        m_acceptor.join();
        for (auto &t : m_connections) {
            t.join();
        }
        ::close(m_listen);
    }

    RawHttpServer(const RawHttpServer &) = delete;
    RawHttpServer &operator=(const RawHttpServer &) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

    std::vector<Request> requests() const
    {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

    /// A whole answer with Content-Length.
    static std::string response(int status, const std::string &contentType, const std::string &body)
    {
        return "HTTP/1.1 " + std::to_string(status) + " Status\r\nContent-Type: " + contentType +
               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }

private:
    bool readable(int fd)
    {
        while (!m_stop) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0) {
                return true;
            }
        }
        return false;
    }

    void acceptLoop()
    {
        while (readable(m_listen)) {
            const int fd = ::accept(m_listen, nullptr, nullptr);
            if (fd >= 0) {
                m_connections.emplace_back([this, fd] { serve(fd); });
            }
        }
    }

    void serve(int fd)
    {
        std::string buffer;
        char chunk[16384];
        for (;;) {
            std::size_t headerEnd;
            while ((headerEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
                const ssize_t n = readable(fd) ? ::read(fd, chunk, sizeof chunk) : 0;
                if (n <= 0) {
                    ::close(fd);
                    return;
                }
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            Request request;
            const std::string head = buffer.substr(0, headerEnd);
            const auto firstSpace = head.find(' ');
            request.method = head.substr(0, firstSpace);
            request.path = head.substr(firstSpace + 1, head.find(' ', firstSpace + 1) - firstSpace - 1);
            std::string lower = head;
            for (auto &c : lower) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            std::size_t bodySize = 0;
            if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
                bodySize = std::stoul(head.substr(at + 17));
            }
            buffer.erase(0, headerEnd + 4);
            while (buffer.size() < bodySize) {
                const ssize_t n = readable(fd) ? ::read(fd, chunk, sizeof chunk) : 0;
                if (n <= 0) {
                    ::close(fd);
                    return;
                }
                buffer.append(chunk, static_cast<std::size_t>(n));
            }
            request.body = buffer.substr(0, bodySize);
            request.bytes = head + "\r\n\r\n" + request.body;
            buffer.erase(0, bodySize);
            {
                std::lock_guard lock(m_mutex);
                m_requests.push_back(request);
            }
            const Reply reply = m_handler(request);
            for (std::size_t sent = 0; sent < reply.bytes.size();) {
                const ssize_t n =
                    ::send(fd, reply.bytes.data() + sent, reply.bytes.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) {
                    break;
                }
                sent += static_cast<std::size_t>(n);
            }
            if (reply.reset) {
                const linger abort{1, 0};
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
            }
            if (reply.close || reply.reset) {
                ::close(fd);
                return;
            }
        }
    }

    Handler m_handler;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_acceptor;
    std::list<std::thread>
        m_connections; ///< touched by the acceptor thread only, until the destructor joins it
    mutable std::mutex m_mutex;
    std::vector<Request> m_requests;
};

/// A listening loopback socket that is never accepted from: TCP connects (the backlog), nothing ever answers
/// and TLS never starts.
class BlackHole
{
public:
    BlackHole()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        ::listen(m_fd, 128);
        socklen_t len = sizeof addr;
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len);
        m_port = ntohs(addr.sin_port);
    }
    ~BlackHole() { ::close(m_fd); }
    BlackHole(const BlackHole &) = delete;
    BlackHole &operator=(const BlackHole &) = delete;
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

} // namespace lanedeck::testing

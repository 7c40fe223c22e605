#pragma once

#include "base/result.h"
#include "traffic/sampler.h"
#include "traffic/summary.h"

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>

/// What a sampling thread sends its requests with (internal to the sampler: sampler.cpp, curlengine.cpp,
/// nativeengine.cpp). One engine per sampling thread, used by that thread alone except interrupt().
namespace lanedeck::traffic::engine {

using Clock = std::chrono::steady_clock;

/// How one request ended, in the terms the statistics need.
struct Completion
{
    std::size_t slot = 0;
    ErrorKind error = ErrorKind::None; ///< None, Connect, Timeout, Transport or Unparseable; never HttpStatus
    int status = 0;                    ///< HTTP status, 0 when there was none
    Clock::time_point finished;
    std::string_view body; ///< its first bytes, up to SamplerConfig::bodyLimit; valid in finished() only
    std::string_view headerValue; ///< the classifier's header, trimmed and cut at 1024 bytes
};

/// Where an engine reports the requests that ended.
class Sink
{
public:
    virtual void finished(const Completion &completion) = 0;

protected:
    ~Sink() = default;
};

/// A fixed number of request slots (connections), each carrying one request at a time.
class Engine
{
public:
    virtual ~Engine() = default;
    /// Starts a request on an idle slot; `now` is when it was started.
    virtual void start(std::size_t slot, Clock::time_point now) = 0;
    /// Waits until a socket is ready, the engine's own timers expire, `wakeAt` comes or interrupt() is called
    /// (at most 100 ms), works on what is ready and reports every request that ended to `sink`.
    virtual void poll(Clock::time_point now, Clock::time_point wakeAt, Sink &sink) = 0;
    /// Wakes poll() from any thread.
    virtual void interrupt() = 0;
    /// Drops the requests in flight (they are not reported) and closes the connections.
    virtual void abandon() = 0;
};

/// An epoll set with an eventfd in it that interrupt() writes to, so that any thread can end a wait.
class EventLoop final
{
public:
    EventLoop();
    ~EventLoop();
    EventLoop(const EventLoop &) = delete;
    EventLoop &operator=(const EventLoop &) = delete;

    /// False when the system refused a descriptor (errno says why).
    bool valid() const { return m_epoll >= 0 && m_wake >= 0; }
    int fd() const { return m_epoll; }
    void interrupt();
    /// epoll_wait for at most `millis`; the wake-up is consumed and not among the events returned.
    int wait(epoll_event *events, int capacity, int millis);

private:
    int m_epoll = -1;
    int m_wake = -1;
};

/// Milliseconds to wait from `now` until `at`, 0..100 (a stop is also noticed by the wake-up descriptor).
int waitMillis(Clock::time_point now, Clock::time_point at);

/// What the libcurl engine shares among its threads: the parsed URL and the header list.
struct CurlShared
{
    CURLU *url = nullptr;
    curl_slist *headers = nullptr;
    bool proxyFromEnvironment = false;
};

Result<std::unique_ptr<Engine>> makeCurlEngine(const SamplerConfig &config, const CurlShared &shared,
                                               const std::string &headerName, std::size_t slots);

/// Where and what the native engine sends: built once for the run, shared by its threads.
struct NativeTarget
{
    struct Address
    {
        sockaddr_storage storage{};
        socklen_t length = 0;
    };
    std::vector<Address> addresses; ///< tried in order when a connection cannot be made
    std::string request;            ///< the request's bytes, the same for every request
    bool head = false;              ///< a HEAD request: responses have no body
};

/// The native engine's target for `config`, or why it cannot serve it (https, a proxy, credentials in the
/// URL, a host that does not resolve).
Result<NativeTarget> nativeTarget(const SamplerConfig &config, CURLU *url, bool proxyFromEnvironment);

/// `keepBody`: whether classification reads the body (a header classifier does not).
Result<std::unique_ptr<Engine>> makeNativeEngine(const SamplerConfig &config, const NativeTarget &target,
                                                 const std::string &headerName, bool keepBody,
                                                 std::size_t slots);

} // namespace lanedeck::traffic::engine

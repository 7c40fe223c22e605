#pragma once

#include "base/result.h"
#include "traffic/classifier.h"
#include "traffic/summary.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lanedeck::traffic {

/// What sends the requests. Both give the same samples: the same error kinds for the same server behaviour,
/// the same classification; the native engine does a fraction of libcurl's work per request.
enum class SamplerEngine : std::uint8_t
{
    Auto,   ///< native where it serves the target exactly, libcurl otherwise
    Curl,   ///< libcurl's multi interface: every scheme, proxy and server libcurl handles
    Native, ///< the sampler's own HTTP/1.1 client: plain http://, no proxy, a host that resolves at start
};

std::string toString(SamplerEngine engine);
/// "auto", "curl" or "native".
Result<SamplerEngine> parseSamplerEngine(std::string_view text);

/// What to send, how much, and how fast.
struct SamplerConfig
{
    std::string url;
    std::string method = "GET";
    std::vector<std::string> headers; ///< "Name: value" lines (Host, a forced routing header, baggage, ...)
    std::string body;
    std::uint64_t count = 0;               ///< requests to send; 0: until the duration ends
    std::chrono::milliseconds duration{0}; ///< 0: until count requests are sent
    /// Requests per second on a fixed schedule (open model: latency counts from the scheduled time, so a
    /// stalled server shows up as latency instead of as fewer requests). 0: as fast as `concurrency` allows.
    double rate = 0.0;
    int concurrency = 16; ///< requests in flight at most (connections), shared out among the threads
    /// Sampling threads, each with its own connections; 0: one per core. Never more than `concurrency`.
    int threads = 0;
    std::chrono::milliseconds timeout{5000};
    std::chrono::milliseconds connectTimeout{2000};
    bool keepAlive = true;
    bool keepSamples = true;           ///< keep every Sample for export (40 bytes each)
    std::size_t bodyLimit = 64 * 1024; ///< bytes of each body kept for classification; the rest is drained
    std::chrono::milliseconds snapshotInterval{100};
    SamplerEngine engine = SamplerEngine::Auto;
};

/// Everything a finished (or stopped) run produced.
struct SampleRun
{
    SamplerConfig config;
    std::vector<Sample> samples;         ///< in the order they completed
    std::vector<std::string> laneNames;  ///< Sample::lane indexes this
    std::vector<std::string> chainTexts; ///< Sample::chain indexes this
    Summary summary;
};

/// The sampling threads a configuration runs on: `threads` (0: one per core), at most one per connection.
int samplingThreads(const SamplerConfig &config);

/// The engine a configuration runs on (Curl or Native, never Auto), decided as start() decides it: the native
/// engine serves an http:// URL without user name or password, with no proxy variable set (http_proxy,
/// HTTP_PROXY, https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY: with one set, libcurl applies it and no_proxy)
/// and a host that resolves now. An error when `engine` is Native and the native engine cannot serve it.
Result<SamplerEngine> samplingEngine(const SamplerConfig &config);

/// A lane-aware HTTP load generator, on libcurl's multi interface or on its own HTTP/1.1 client
/// (SamplerConfig::engine). Each sampling thread drives its share of the connections with its own multi
/// handle or epoll set, classifies each response into a lane and adds it to its own
/// statistics (no lock per request); the open-model schedule is dealt out round robin (request i goes to
/// thread i mod N), so the rate and the scheduled times are those of one schedule. A reporting thread merges
/// the threads' latest totals into Summary snapshots for the callback, so a slow callback never delays a
/// request (snapshots it cannot take in time are skipped, the latest wins). Thread-safe; no Qt needed (the
/// GUI wraps it).
class Sampler final
{
public:
    using SnapshotCallback = std::function<void(const Summary &)>;

    Sampler(SamplerConfig config, Classifier classifier);
    ~Sampler();
    Sampler(const Sampler &) = delete;
    Sampler &operator=(const Sampler &) = delete;

    /// Called on the snapshot thread at every snapshotInterval, and once more with the final summary.
    void setSnapshotCallback(SnapshotCallback callback);

    /// Starts sampling in the background; fails on an invalid configuration or if already started.
    Result<void> start();
    /// Asks the run to end now: requests in flight are abandoned (not counted). Returns at once.
    void requestStop();
    /// Waits for the run to end (all requests sent and answered, or stopped) and returns its results.
    SampleRun wait();
    /// start() + wait().
    Result<SampleRun> run();
    bool isRunning() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace lanedeck::traffic

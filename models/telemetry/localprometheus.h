#pragma once

#include "base/result.h"

#include <memory>
#include <string>
#include <vector>

namespace lanedeck::telemetry {

/// A Prometheus of its own for the demos: Debian's `prometheus` binary run with a temporary configuration and
/// data directory, on a free loopback port, scraping the given targets every second. stop() (or the
/// destructor) ends it and removes the directory. Not thread-safe.
class LocalPrometheus final
{
public:
    LocalPrometheus();
    ~LocalPrometheus();
    LocalPrometheus(const LocalPrometheus &) = delete;
    LocalPrometheus &operator=(const LocalPrometheus &) = delete;

    /// Where the binary is, or empty when it is not installed.
    static std::string binary();

    /// Starts it scraping `targets` ("127.0.0.1:PORT", serving /metrics) and waits until it is ready (at most
    /// `readySeconds`; 0: returns once the process runs, for callers that must not block). Fails when the
    /// binary is missing, does not start, or is not ready in time.
    Result<void> start(const std::vector<std::string> &targets, int readySeconds = 30);
    void stop();
    bool isRunning() const;
    /// "http://127.0.0.1:PORT", empty when not running.
    std::string url() const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace lanedeck::telemetry

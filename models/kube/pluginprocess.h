#pragma once

#include "base/result.h"

#include <chrono>
#include <string>
#include <vector>

namespace lanedeck::kube {

/// A credential plugin's command line and the limits it runs under.
struct PluginCommand
{
    std::string program; ///< an absolute path
    std::vector<std::string> args;
    std::vector<std::string> environment; ///< "NAME=value", the whole environment
    std::chrono::milliseconds timeout{60'000};
    std::size_t maxOutput = 1 << 20; ///< more on stdout than this is refused (a credential is a few KiB)
};

/// How a plugin ended and what it printed.
struct PluginOutput
{
    int exitCode = 0; ///< meaningful when signal is 0
    int signal = 0;   ///< the signal that ended it, or 0
    std::string out;
    std::string err; ///< the first 64 KiB of stderr
};

/// Runs a plugin as kubectl does: stdin empty, finished once it has exited and its stdout is closed (a
/// process it started may hold stdout open longer; its output counts). It runs in a process group of its own:
/// when the timeout passes or stdout exceeds maxOutput, the whole group is killed (SIGKILL) and reaped, so no
/// process it started is left running and no zombie is left. Errors say what happened without quoting the
/// output.
Result<PluginOutput> runPluginProcess(const PluginCommand &command);

/// "60 s", "1.5 s", "500 ms": a timeout as messages show it.
std::string describeDuration(std::chrono::milliseconds duration);

} // namespace lanedeck::kube

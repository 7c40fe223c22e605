#include "kube/pluginprocess.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lanedeck::kube {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStderr = 64 * 1024;

/// Both ends of a pipe, closed on destruction; O_CLOEXEC so no other child started meanwhile inherits them.
struct Pipe
{
    int read = -1;
    int write = -1;
    bool open()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            return false;
        }
        read = fds[0];
        write = fds[1];
        return ::fcntl(read, F_SETFL, ::fcntl(read, F_GETFL) | O_NONBLOCK) == 0;
    }
    void closeWrite()
    {
        if (write >= 0) {
            ::close(write);
            write = -1;
        }
    }
    void closeRead()
    {
        if (read >= 0) {
            ::close(read);
            read = -1;
        }
    }
    ~Pipe()
    {
        closeRead();
        closeWrite();
    }
};

/// Reads what is there, at most 256 KiB so that a plugin writing without pause cannot keep the caller from
/// its deadline; false at end of file (or on an error, which ends the stream just the same).
bool drain(int fd, std::string &into, std::size_t keep)
{
    char buffer[16384];
    for (int reads = 0; reads < 16; ++reads) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            if (into.size() < keep) {
                into.append(buffer, std::min(static_cast<std::size_t>(n), keep - into.size()));
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
}

/// Whether the process has ended, without reaping it: while it is a zombie its pid, and so the id of its
/// process group, cannot be reused, so killing the group can never hit an unrelated process.
bool hasExited(pid_t pid)
{
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        if (errno != EINTR) {
            return true;
        }
    }
    return info.si_pid == pid;
}

int reap(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

} // namespace

std::string describeDuration(std::chrono::milliseconds duration)
{
    const auto ms = duration.count();
    if (ms < 1000) {
        return std::to_string(ms) + " ms";
    }
    std::string text = std::to_string(ms / 1000);
    if (const auto rest = ms % 1000) {
        std::string fraction = std::to_string(1000 + rest).substr(1);
        while (fraction.back() == '0') {
            fraction.pop_back();
        }
        text += '.' + fraction;
    }
    return text + " s";
}

Result<PluginOutput> runPluginProcess(const PluginCommand &command)
{
    Pipe out;
    Pipe err;
    if (!out.open() || !err.open()) {
        return Error{std::string("could not start (cannot create a pipe: ") + std::strerror(errno) + ")"};
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // A group of its own (pgid = its pid), so that a timeout kills the processes it started too. Signals the
    // parent ignores or blocks (SIGPIPE, for one) are restored for it.
    posix_spawnattr_setflags(&attributes,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t all;
    sigfillset(&all);
    posix_spawnattr_setsigdefault(&attributes, &all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);

    std::vector<char *> argv{const_cast<char *>(command.program.c_str())};
    for (const auto &a : command.args) {
        argv.push_back(const_cast<char *>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<char *> envp;
    for (const auto &e : command.environment) {
        envp.push_back(const_cast<char *>(e.c_str()));
    }
    envp.push_back(nullptr);

    pid_t pid = 0;
    const int spawned =
        ::posix_spawn(&pid, command.program.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) {
        return Error{std::string("could not start (") + std::strerror(spawned) + ")"};
    }
    out.closeWrite();
    err.closeWrite();

    PluginOutput result;
    const auto deadline = Clock::now() + command.timeout;
    bool exited = false;
    std::string failure;
    for (;;) {
        exited = exited || hasExited(pid);
        if (exited && out.read < 0) {
            break;
        }
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            failure = exited ? "exited, but a process it started still held its output open after " +
                                   describeDuration(command.timeout) + ": LaneDeck killed that process"
                             : "did not finish within " + describeDuration(command.timeout) +
                                   ": LaneDeck killed it and every process it started";
            break;
        }
        pollfd fds[2];
        nfds_t count = 0;
        for (const int fd : {out.read, err.read}) {
            if (fd >= 0) {
                fds[count++] = pollfd{fd, POLLIN, 0};
            }
        }
        // Once stdout is closed, only the exit is awaited: look again every few milliseconds.
        const int slice = out.read < 0 ? 5 : static_cast<int>(std::min<long long>(left.count(), 100));
        if (count > 0) {
            ::poll(fds, count, slice);
        } else {
            ::usleep(static_cast<useconds_t>(slice) * 1000);
        }
        if (out.read >= 0 && !drain(out.read, result.out, command.maxOutput + 1)) {
            out.closeRead();
        }
        if (err.read >= 0 && !drain(err.read, result.err, kMaxStderr)) {
            err.closeRead();
        }
        if (result.out.size() > command.maxOutput) {
            failure = "printed more than " + std::to_string(command.maxOutput / 1024) +
                      " KiB, which is no credential: LaneDeck killed it";
            break;
        }
    }
    if (!failure.empty()) {
        ::kill(-pid, SIGKILL);
        reap(pid);
        return Error{failure};
    }
    if (err.read >= 0) {
        drain(err.read, result.err, kMaxStderr); // what it wrote before exiting; a child may keep stderr open
    }
    const int status = reap(pid);
    if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    } else {
        result.exitCode = WEXITSTATUS(status);
    }
    return result;
}

} // namespace lanedeck::kube

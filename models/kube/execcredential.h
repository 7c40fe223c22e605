#pragma once

#include "base/result.h"
#include "kube/kubeconfig.h"

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lanedeck::kube {

/// What an exec credential plugin gave: a bearer token or a client certificate, and until when.
struct Credential
{
    std::string token;
    std::string clientCertificateData; ///< PEM
    std::string clientKeyData;         ///< PEM
    /// Milliseconds, as RFC 3339 times come: a system_clock::time_point (nanoseconds) ends in 2262, and
    /// plugins may write later times for "never".
    std::optional<std::chrono::sys_time<std::chrono::milliseconds>> expiry;
};

/// The command a kubeconfig asks to run, shown to the user before it runs for the first time.
struct ExecApproval
{
    std::string command;
    std::vector<std::string> args;
    std::string kubeconfigFile;
    std::string user;
};

/// Asked before the first run of each command; false refuses it. An empty function allows every command,
/// as kubectl does (lanectl); the GUI asks the operator and remembers the answer.
using ExecApprover = std::function<bool(const ExecApproval &)>;

/// How long an exec plugin may take before it is killed (kubectl has no limit; a plugin that hangs would
/// hang every request).
inline constexpr std::chrono::milliseconds kExecPluginTimeout{60'000};

/// Reads what an exec plugin printed: an ExecCredential of `expectedApiVersion` (the kubeconfig's
/// exec.apiVersion) holding a token, or a client certificate and key, and when it expires. Errors say what is
/// wrong without quoting the plugin's output.
Result<Credential> parseExecCredential(std::string_view output, const std::string &expectedApiVersion);

/// Runs a user's exec plugin once: KUBERNETES_EXEC_INFO in, ExecCredential out. Errors name the kubeconfig
/// and the command, give the installHint when the command is missing, and never quote the plugin's output
/// (only an excerpt of its stderr when it fails). A plugin still running after `timeout` is killed with every
/// process it started (see runPluginProcess).
Result<Credential> runExecPlugin(const UserConfig &user, const ClusterConfig &cluster,
                                 std::chrono::milliseconds timeout = kExecPluginTimeout);

/// Caches an exec plugin's credential until its expirationTimestamp or until invalidate() (after a 401),
/// and asks the approver before the first run of a command it has not seen. Thread-safe.
class ExecCredentialProvider final
{
public:
    ExecCredentialProvider(UserConfig user, ClusterConfig cluster, ExecApprover approver,
                           std::chrono::milliseconds timeout = kExecPluginTimeout);

    Result<Credential> credential();
    void invalidate();
    int runs() const;

private:
    UserConfig m_user;
    ClusterConfig m_cluster;
    ExecApprover m_approver;
    std::chrono::milliseconds m_timeout;
    mutable std::mutex m_mutex;
    std::optional<Credential> m_cached;
    bool m_approved = false;
    int m_runs = 0;
};

} // namespace lanedeck::kube

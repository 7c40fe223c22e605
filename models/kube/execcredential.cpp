#include "kube/execcredential.h"

#include "core/utf8.h"
#include "kube/pluginprocess.h"

#include <QDateTime>
#include <QFileInfo>
#include <QStandardPaths>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <unistd.h> // environ

namespace lanedeck::kube {
namespace {

std::string base64(const std::string &data)
{
    return QByteArray::fromStdString(data).toBase64().toStdString();
}

/// This process's environment with `overrides` replacing or adding variables (the last of a name wins), as
/// kubectl builds a plugin's.
std::vector<std::string> pluginEnvironment(const std::vector<std::pair<std::string, std::string>> &overrides)
{
    std::map<std::string, std::string> replaced;
    for (const auto &[name, value] : overrides) {
        replaced[name] = value;
    }
    std::vector<std::string> env;
    for (char **e = environ; e && *e; ++e) {
        const std::string entry = *e;
        if (!replaced.count(entry.substr(0, entry.find('=')))) {
            env.push_back(entry);
        }
    }
    for (const auto &[name, value] : replaced) {
        env.push_back(name + '=' + value);
    }
    return env;
}

} // namespace

Result<Credential> runExecPlugin(const UserConfig &user, const ClusterConfig &cluster,
                                 std::chrono::milliseconds timeout)
{
    const ExecConfig &exec = *user.exec;
    const std::string where = user.sourceFile + ": user '" + user.name + "': exec plugin '" + exec.command + "'";
    QString program = QString::fromStdString(exec.command);
    if (exec.command.find('/') == std::string::npos) {
        program = QStandardPaths::findExecutable(program);
    }
    if (program.isEmpty() || !QFileInfo(program).isExecutable()) {
        std::string message = where + ": command not found or not executable";
        if (!exec.installHint.empty()) {
            message += "\n" + exec.installHint;
        }
        return Error{message};
    }

    nlohmann::json info{{"apiVersion", exec.apiVersion},
                        {"kind", "ExecCredential"},
                        {"spec", {{"interactive", false}}}};
    if (exec.provideClusterInfo) {
        nlohmann::json c{{"server", cluster.server}, {"insecure-skip-tls-verify", cluster.insecureSkipTlsVerify}};
        if (!cluster.tlsServerName.empty()) {
            c["tls-server-name"] = cluster.tlsServerName;
        }
        if (!cluster.certificateAuthorityData.empty()) {
            c["certificate-authority-data"] = base64(cluster.certificateAuthorityData);
        }
        if (!cluster.proxyUrl.empty()) {
            c["proxy-url"] = cluster.proxyUrl;
        }
        info["spec"]["cluster"] = c;
    }

    std::vector<std::pair<std::string, std::string>> overrides = exec.env;
    overrides.emplace_back("KUBERNETES_EXEC_INFO", info.dump());
    PluginCommand command{program.toStdString(), exec.args, pluginEnvironment(overrides), timeout};
    auto run = runPluginProcess(command);
    if (!run) {
        return Error{where + ": " + run.error().message};
    }
    // The plugin's stderr is its own diagnostic for the user; stdout may hold a credential: never shown.
    const std::string stderrText = printableExcerpt(run->err, 500);
    const std::string diagnostic = stderrText.empty() ? std::string() : ": " + stderrText;
    if (run->signal != 0) {
        const char *name = sigabbrev_np(run->signal);
        return Error{where + ": was killed by signal " + std::to_string(run->signal) +
                     (name ? std::string(" (SIG") + name + ")" : std::string()) + diagnostic};
    }
    if (run->exitCode != 0) {
        return Error{where + ": failed with exit code " + std::to_string(run->exitCode) + diagnostic};
    }
    const std::string &output = run->out;
    nlohmann::json cred = nlohmann::json::parse(output, nullptr, false);
    if (cred.is_discarded() || !cred.is_object()) {
        return Error{where + ": printed something that is not an ExecCredential JSON object"};
    }
    // json::value() throws on a field of another type: check every field read below first.
    const auto strings = [](const nlohmann::json &object, std::initializer_list<const char *> keys) {
        return std::all_of(keys.begin(), keys.end(), [&](const char *key) {
            return !object.contains(key) || object[key].is_string();
        });
    };
    const auto statusField = cred.find("status");
    if (!strings(cred, {"kind", "apiVersion"}) ||
        (statusField != cred.end() &&
         (!statusField->is_object() ||
          !strings(*statusField, {"token", "clientCertificateData", "clientKeyData", "expirationTimestamp"})))) {
        return Error{where + ": printed an ExecCredential with fields of the wrong type (status must be an "
                             "object; kind, apiVersion and the status fields strings)"};
    }
    if (cred.value("kind", "") != "ExecCredential") {
        return Error{where + ": output kind is not ExecCredential"};
    }
    if (cred.value("apiVersion", "") != exec.apiVersion) {
        return Error{where + ": output apiVersion '" + cred.value("apiVersion", "") + "' differs from the " +
                     "kubeconfig's exec.apiVersion '" + exec.apiVersion + "'"};
    }
    const nlohmann::json status = cred.value("status", nlohmann::json::object());
    Credential c;
    c.token = status.value("token", "");
    c.clientCertificateData = status.value("clientCertificateData", "");
    c.clientKeyData = status.value("clientKeyData", "");
    if (c.token.empty() && (c.clientCertificateData.empty() || c.clientKeyData.empty())) {
        return Error{where + ": the ExecCredential has neither status.token nor "
                             "status.clientCertificateData with status.clientKeyData"};
    }
    if (c.clientCertificateData.empty() != c.clientKeyData.empty()) {
        return Error{where + ": status.clientCertificateData and status.clientKeyData must come together"};
    }
    if (const std::string ts = status.value("expirationTimestamp", ""); !ts.empty()) {
        const QDateTime when = QDateTime::fromString(QString::fromStdString(ts), Qt::ISODateWithMs);
        if (!when.isValid()) {
            return Error{where + ": status.expirationTimestamp '" + ts + "' is not an RFC 3339 time"};
        }
        c.expiry = std::chrono::system_clock::time_point(std::chrono::milliseconds(when.toMSecsSinceEpoch()));
    }
    return c;
}

ExecCredentialProvider::ExecCredentialProvider(UserConfig user, ClusterConfig cluster, ExecApprover approver,
                                               std::chrono::milliseconds timeout)
    : m_user(std::move(user)), m_cluster(std::move(cluster)), m_approver(std::move(approver)),
      m_timeout(timeout)
{
}

Result<Credential> ExecCredentialProvider::credential()
{
    std::lock_guard lock(m_mutex);
    if (m_cached && (!m_cached->expiry || std::chrono::system_clock::now() < *m_cached->expiry)) {
        return *m_cached;
    }
    m_cached.reset();
    if (!m_approved && m_approver) {
        const ExecApproval request{m_user.exec->command, m_user.exec->args, m_user.sourceFile, m_user.name};
        if (!m_approver(request)) {
            return Error{m_user.sourceFile + ": user '" + m_user.name + "': running the exec plugin '" +
                         m_user.exec->command + "' was not approved"};
        }
    }
    m_approved = true;
    ++m_runs;
    auto fresh = runExecPlugin(m_user, m_cluster, m_timeout);
    if (!fresh) {
        return fresh.error();
    }
    m_cached = *fresh;
    return fresh;
}

void ExecCredentialProvider::invalidate()
{
    std::lock_guard lock(m_mutex);
    m_cached.reset();
}

int ExecCredentialProvider::runs() const
{
    std::lock_guard lock(m_mutex);
    return m_runs;
}

} // namespace lanedeck::kube

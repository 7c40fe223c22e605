#include "kube/execcredential.h"

#include <QDateTime>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>

#include <nlohmann/json.hpp>

namespace lanedeck::kube {
namespace {

constexpr int kPluginTimeoutMs = 60'000;

std::string base64(const std::string &data)
{
    return QByteArray::fromStdString(data).toBase64().toStdString();
}

} // namespace

Result<Credential> parseExecCredential(std::string_view output, const std::string &expectedApiVersion)
{
    nlohmann::json cred = nlohmann::json::parse(output, nullptr, false);
    if (cred.is_discarded() || !cred.is_object()) {
        return Error{"printed something that is not an ExecCredential JSON object"};
    }
    if (cred.value("kind", "") != "ExecCredential") {
        return Error{"output kind is not ExecCredential"};
    }
    if (cred.value("apiVersion", "") != expectedApiVersion) {
        return Error{"output apiVersion '" + cred.value("apiVersion", "") + "' differs from the " +
                     "kubeconfig's exec.apiVersion '" + expectedApiVersion + "'"};
    }
    const nlohmann::json status = cred.value("status", nlohmann::json::object());
    Credential c;
    c.token = status.value("token", "");
    c.clientCertificateData = status.value("clientCertificateData", "");
    c.clientKeyData = status.value("clientKeyData", "");
    if (c.token.empty() && (c.clientCertificateData.empty() || c.clientKeyData.empty())) {
        return Error{"the ExecCredential has neither status.token nor "
                     "status.clientCertificateData with status.clientKeyData"};
    }
    if (c.clientCertificateData.empty() != c.clientKeyData.empty()) {
        return Error{"status.clientCertificateData and status.clientKeyData must come together"};
    }
    if (const std::string ts = status.value("expirationTimestamp", ""); !ts.empty()) {
        const QDateTime when = QDateTime::fromString(QString::fromStdString(ts), Qt::ISODateWithMs);
        if (!when.isValid()) {
            return Error{"status.expirationTimestamp '" + ts + "' is not an RFC 3339 time"};
        }
        c.expiry = std::chrono::system_clock::time_point(std::chrono::milliseconds(when.toMSecsSinceEpoch()));
    }
    return c;
}

Result<Credential> runExecPlugin(const UserConfig &user, const ClusterConfig &cluster)
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

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto &[name, value] : exec.env) {
        env.insert(QString::fromStdString(name), QString::fromStdString(value));
    }
    env.insert(QStringLiteral("KUBERNETES_EXEC_INFO"), QString::fromStdString(info.dump()));
    QStringList args;
    for (const auto &a : exec.args) {
        args << QString::fromStdString(a);
    }
    QProcess process;
    process.setProcessEnvironment(env);
    process.setInputChannelMode(QProcess::ManagedInputChannel);
    process.start(program, args);
    if (!process.waitForStarted(kPluginTimeoutMs)) {
        return Error{where + ": could not start (" + process.errorString().toStdString() + ")"};
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(kPluginTimeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return Error{where + ": did not finish within " + std::to_string(kPluginTimeoutMs / 1000) + "s"};
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        // The plugin's stderr is its own diagnostic for the user; stdout may hold a credential: never shown.
        std::string stderrText = process.readAllStandardError().left(2000).trimmed().toStdString();
        return Error{where + ": failed with exit code " + std::to_string(process.exitCode()) +
                     (stderrText.empty() ? std::string() : ": " + stderrText)};
    }
    auto credential = parseExecCredential(process.readAllStandardOutput().toStdString(), exec.apiVersion);
    if (!credential) {
        return Error{where + ": " + credential.error().message};
    }
    return credential;
}

ExecCredentialProvider::ExecCredentialProvider(UserConfig user, ClusterConfig cluster, ExecApprover approver)
    : m_user(std::move(user)), m_cluster(std::move(cluster)), m_approver(std::move(approver))
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
    auto fresh = runExecPlugin(m_user, m_cluster);
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

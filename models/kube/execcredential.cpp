#include "kube/execcredential.h"

#include "base/utf8.h"
#include "kube/pluginprocess.h"

#include <QFileInfo>
#include <QStandardPaths>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <unistd.h> // environ

namespace lanedeck::kube {
namespace {

/// How much of what a plugin wrote a message quotes (a field it got wrong).
constexpr std::size_t kMaxQuoteBytes = 100;

std::string base64(const std::string &data)
{
    return QByteArray::fromStdString(data).toBase64().toStdString();
}

/// An RFC 3339 time as client-go reads expirationTimestamp (Go's time.RFC3339): 2006-01-02T15:04:05, an
/// optional fraction of a second (kept to the millisecond, the rest cut), then Z or an offset such as -07:00.
/// Nothing else: QDateTime's ISO reader also took a date alone, 24:00, and a time without a zone, which it
/// read as local time (found by fuzz_execcredential).
std::optional<std::chrono::sys_time<std::chrono::milliseconds>> parseRfc3339(std::string_view text)
{
    using namespace std::chrono;
    std::size_t at = 0;
    auto number = [&text, &at](std::size_t digits, char after) -> std::optional<int> {
        if (at + digits > text.size()) {
            return std::nullopt;
        }
        int value = 0;
        for (std::size_t end = at + digits; at < end; ++at) {
            if (text[at] < '0' || text[at] > '9') {
                return std::nullopt;
            }
            value = value * 10 + (text[at] - '0');
        }
        if (after != '\0') {
            if (at >= text.size() || text[at] != after) {
                return std::nullopt;
            }
            ++at;
        }
        return value;
    };
    const auto y = number(4, '-');
    const auto mo = number(2, '-');
    const auto d = number(2, 'T');
    const auto h = number(2, ':');
    const auto mi = number(2, ':');
    const auto s = number(2, '\0');
    if (!y || !mo || !d || !h || !mi || !s) {
        return std::nullopt;
    }
    const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!date.ok() || *h > 23 || *mi > 59 || *s > 59) {
        return std::nullopt;
    }
    int millis = 0;
    if (at < text.size() && text[at] == '.') {
        std::size_t digits = 0;
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
            if (digits < 3) {
                millis = millis * 10 + (text[at] - '0');
            }
        }
        if (digits == 0) {
            return std::nullopt;
        }
        for (; digits < 3; ++digits) {
            millis *= 10;
        }
    }
    minutes offset{0};
    if (at < text.size() && text[at] == 'Z') {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int sign = text[at++] == '-' ? -1 : 1;
        const auto oh = number(2, ':');
        const auto om = number(2, '\0');
        if (!oh || !om || *oh > 23 || *om > 59) {
            return std::nullopt;
        }
        offset = minutes(sign * (*oh * 60 + *om));
    } else {
        return std::nullopt;
    }
    if (at != text.size()) {
        return std::nullopt;
    }
    return sys_days(date) + hours(*h) + minutes(*mi) + seconds(*s) + milliseconds(millis) - offset;
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

Result<Credential> parseExecCredential(std::string_view output, const std::string &expectedApiVersion)
{
    using nlohmann::json;
    const json cred = json::parse(output, nullptr, false);
    if (cred.is_discarded() || !cred.is_object()) {
        return Error{"printed something that is not an ExecCredential JSON object"};
    }
    // Every member is read by type: a member of another type is an error, not an exception out of the core
    // (found by fuzz_execcredential: {"kind": {...}} ended the process).
    std::string typeError;
    const auto text = [&typeError](const json &object, const char *key, const char *field) {
        const auto it = object.find(key);
        if (it == object.end() || it->is_null()) {
            return std::string();
        }
        if (!it->is_string()) {
            typeError = std::string(field) + " is not a string";
            return std::string();
        }
        return it->get<std::string>();
    };
    if (text(cred, "kind", "kind") != "ExecCredential" || !typeError.empty()) {
        return Error{"output kind is not ExecCredential"};
    }
    const std::string apiVersion = text(cred, "apiVersion", "apiVersion");
    if (apiVersion != expectedApiVersion || !typeError.empty()) {
        return Error{"output apiVersion '" + displayText(apiVersion, kMaxQuoteBytes) + "' differs from the " +
                     "kubeconfig's exec.apiVersion '" + expectedApiVersion + "'"};
    }
    static const json noStatus = json::object();
    const auto statusIt = cred.find("status");
    const json &status = statusIt == cred.end() || statusIt->is_null() ? noStatus : *statusIt;
    if (!status.is_object()) {
        return Error{"status is not an object"};
    }
    Credential c;
    c.token = text(status, "token", "status.token");
    c.clientCertificateData = text(status, "clientCertificateData", "status.clientCertificateData");
    c.clientKeyData = text(status, "clientKeyData", "status.clientKeyData");
    const std::string ts = text(status, "expirationTimestamp", "status.expirationTimestamp");
    if (!typeError.empty()) {
        return Error{typeError};
    }
    if (c.token.empty() && (c.clientCertificateData.empty() || c.clientKeyData.empty())) {
        return Error{"the ExecCredential has neither status.token nor "
                     "status.clientCertificateData with status.clientKeyData"};
    }
    if (c.clientCertificateData.empty() != c.clientKeyData.empty()) {
        return Error{"status.clientCertificateData and status.clientKeyData must come together"};
    }
    // The token goes into an Authorization header: a line break would end the header and smuggle in others, a
    // NUL would cut it short (found by fuzz_execcredential). The message names no character of the token.
    if (std::any_of(c.token.begin(), c.token.end(),
                    [](unsigned char ch) { return ch < 0x20 || ch == 0x7F; })) {
        return Error{"status.token holds a control character, which no bearer token has"};
    }
    if (!ts.empty()) {
        c.expiry = parseRfc3339(ts);
        if (!c.expiry) {
            return Error{"status.expirationTimestamp '" + displayText(ts, kMaxQuoteBytes) +
                         "' is not an RFC 3339 time"};
        }
    }
    return c;
}

Result<Credential> runExecPlugin(const UserConfig &user, const ClusterConfig &cluster,
                                 std::chrono::milliseconds timeout)
{
    const ExecConfig &exec = *user.exec;
    const std::string where =
        user.sourceFile + ": user '" + user.name + "': exec plugin '" + exec.command + "'";
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

    nlohmann::json info{
        {"apiVersion", exec.apiVersion}, {"kind", "ExecCredential"}, {"spec", {{"interactive", false}}}};
    if (exec.provideClusterInfo) {
        nlohmann::json c{{"server", cluster.server},
                         {"insecure-skip-tls-verify", cluster.insecureSkipTlsVerify}};
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
    auto credential = parseExecCredential(run->out, exec.apiVersion);
    if (!credential) {
        return Error{where + ": " + credential.error().message};
    }
    return credential;
}

ExecCredentialProvider::ExecCredentialProvider(UserConfig user, ClusterConfig cluster, ExecApprover approver,
                                               std::chrono::milliseconds timeout)
    : m_user(std::move(user)), m_cluster(std::move(cluster)), m_approver(std::move(approver)),
      m_timeout(timeout)
{}

Result<Credential> ExecCredentialProvider::credential()
{
    std::lock_guard lock(m_mutex);
    // In milliseconds, as the expiry: nanoseconds overflow after the year 2262 (plugins write 9999 for
    // never).
    const auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
    if (m_cached && (!m_cached->expiry || now < *m_cached->expiry)) {
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

#include "kube/kubeconfig.h"

#include "base/atomicfile.h"
#include "kube/certificate.h"

#include <QByteArray>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>

namespace lanedeck::kube {
namespace {

constexpr std::size_t kMaxKubeconfigBytes = 8u * 1024u * 1024u;

/// The `exp` claim (seconds since the epoch) of a JSON Web Token, read without checking its signature (the
/// API server does that); nothing when the token is not a JWT or has no numeric exp.
std::optional<std::int64_t> jwtExpiry(const std::string &token)
{
    const auto first = token.find('.');
    const auto second = first == std::string::npos ? first : token.find('.', first + 1);
    if (second == std::string::npos) {
        return std::nullopt;
    }
    const auto payload =
        QByteArray::fromBase64Encoding(QByteArray::fromStdString(token.substr(first + 1, second - first - 1)),
                                       QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                           QByteArray::AbortOnBase64DecodingErrors);
    if (!payload) {
        return std::nullopt;
    }
    const auto claims = nlohmann::json::parse(payload.decoded.toStdString(), nullptr, false);
    if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number()) {
        return std::nullopt;
    }
    const double exp = claims["exp"].get<double>();
    if (!(exp > 0 && exp < 1e13)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(exp);
}

/// Reads one kubeconfig file into typed entries; the first problem ends the read with an Error that names
/// the file, line and field (and never the value, which may be a secret).
class FileReader
{
public:
    explicit FileReader(std::string path)
        : m_path(std::move(path)),
          m_dir(QFileInfo(QString::fromStdString(m_path)).absolutePath().toStdString())
    {}

    Result<Kubeconfig> read(const std::string &text)
    {
        YAML::Node root;
        try {
            root = YAML::Load(text);
        } catch (const YAML::Exception &e) {
            return Error{m_path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg};
        }
        Kubeconfig config;
        config.files.push_back(m_path);
        if (root.IsNull()) {
            return config;
        }
        if (!root.IsMap()) {
            return fail(root, "", "a kubeconfig must be a mapping (apiVersion, clusters, users, contexts)");
        }
        const std::string kind = scalar(root, "kind", "kind");
        if (!kind.empty() && kind != "Config") {
            return fail(root["kind"], "kind", "expected Config, got '" + kind + "'");
        }
        config.currentContext = scalar(root, "current-context", "current-context");
        if (!config.currentContext.empty()) {
            config.currentContextFile = m_path;
        }
        readList(root, "clusters", "cluster",
                 [&](const YAML::Node &n, const std::string &field, std::string name) {
                     ClusterConfig c = readCluster(n, field);
                     c.name = name;
                     config.clusters.emplace(name, std::move(c));
                 });
        readList(root, "users", "user", [&](const YAML::Node &n, const std::string &field, std::string name) {
            UserConfig u = readUser(n, field);
            u.name = name;
            config.users.emplace(name, std::move(u));
        });
        readList(root, "contexts", "context",
                 [&](const YAML::Node &n, const std::string &field, std::string name) {
                     ContextConfig c;
                     c.name = name;
                     c.cluster = scalar(n, "cluster", field + ".cluster");
                     c.user = scalar(n, "user", field + ".user");
                     c.ns = scalar(n, "namespace", field + ".namespace");
                     c.sourceFile = m_path;
                     config.contexts.emplace(name, std::move(c));
                 });
        if (m_error) {
            return *m_error;
        }
        return config;
    }

private:
    Error fail(const YAML::Node &node, const std::string &field, const std::string &what)
    {
        std::string where = m_path;
        if (node.IsDefined() && node.Mark().line >= 0) {
            where += ":" + std::to_string(node.Mark().line + 1);
        }
        return Error{where + ": " + (field.empty() ? what : field + ": " + what)};
    }

    void setError(const YAML::Node &node, const std::string &field, const std::string &what)
    {
        if (!m_error) {
            m_error = fail(node, field, what);
        }
    }

    std::string scalar(const YAML::Node &map, const char *key, const std::string &field)
    {
        const YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull()) {
            return {};
        }
        if (!n.IsScalar()) {
            setError(n, field, "expected a string");
            return {};
        }
        return n.Scalar();
    }

    bool boolean(const YAML::Node &map, const char *key, const std::string &field)
    {
        const std::string text = scalar(map, key, field);
        if (text.empty() || text == "false") {
            return false;
        }
        if (text == "true") {
            return true;
        }
        setError(map[key], field, "expected true or false");
        return false;
    }

    std::string path(const YAML::Node &map, const char *key, const std::string &field)
    {
        const std::string p = scalar(map, key, field);
        return p.empty() ? p : resolve(p);
    }

    std::string resolve(const std::string &p) const
    {
        if (QDir::isAbsolutePath(QString::fromStdString(p))) {
            return p;
        }
        return QDir::cleanPath(QString::fromStdString(m_dir + '/' + p)).toStdString();
    }

    std::string base64(const YAML::Node &map, const char *key, const std::string &field)
    {
        const std::string text = scalar(map, key, field);
        if (text.empty()) {
            return {};
        }
        const auto decoded = QByteArray::fromBase64Encoding(QByteArray::fromStdString(text),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            setError(map[key], field, "is not valid base64");
            return {};
        }
        return decoded.decoded.toStdString();
    }

    std::vector<std::string> strings(const YAML::Node &map, const char *key, const std::string &field)
    {
        std::vector<std::string> out;
        const YAML::Node n = map[key];
        if (!n.IsDefined() || n.IsNull()) {
            return out;
        }
        if (!n.IsSequence()) {
            setError(n, field, "expected a list of strings");
            return out;
        }
        for (std::size_t i = 0; i < n.size(); ++i) {
            if (!n[i].IsScalar()) {
                setError(n[i], field + '[' + std::to_string(i) + ']', "expected a string");
                continue;
            }
            out.push_back(n[i].Scalar());
        }
        return out;
    }

    template <class F> void readList(const YAML::Node &root, const char *list, const char *inner, F &&add)
    {
        const YAML::Node n = root[list];
        if (!n.IsDefined() || n.IsNull()) {
            return;
        }
        if (!n.IsSequence()) {
            setError(n, list, "expected a list");
            return;
        }
        std::set<std::string> seen;
        for (std::size_t i = 0; i < n.size() && !m_error; ++i) {
            const std::string field = std::string(list) + '[' + std::to_string(i) + ']';
            const YAML::Node entry = n[i];
            if (!entry.IsMap()) {
                setError(entry, field, "expected a mapping with name and " + std::string(inner));
                continue;
            }
            const std::string name = scalar(entry, "name", field + ".name");
            if (name.empty()) {
                setError(entry, field + ".name", "missing");
                continue;
            }
            // client-go refuses a file that defines one name twice.
            if (!seen.insert(name).second) {
                setError(entry, field + ".name", "'" + name + "' is defined twice in this file");
                continue;
            }
            const YAML::Node body = entry[inner];
            if (body.IsDefined() && !body.IsNull() && !body.IsMap()) {
                setError(body, field + '.' + inner, "expected a mapping");
                continue;
            }
            add(body.IsDefined() ? body : YAML::Node(YAML::NodeType::Map), field + '.' + inner, name);
        }
    }

    ClusterConfig readCluster(const YAML::Node &n, const std::string &field)
    {
        ClusterConfig c;
        c.server = scalar(n, "server", field + ".server");
        c.certificateAuthority = path(n, "certificate-authority", field + ".certificate-authority");
        c.certificateAuthorityData =
            base64(n, "certificate-authority-data", field + ".certificate-authority-data");
        c.insecureSkipTlsVerify = boolean(n, "insecure-skip-tls-verify", field + ".insecure-skip-tls-verify");
        c.tlsServerName = scalar(n, "tls-server-name", field + ".tls-server-name");
        c.proxyUrl = scalar(n, "proxy-url", field + ".proxy-url");
        c.sourceFile = m_path;
        return c;
    }

    UserConfig readUser(const YAML::Node &n, const std::string &field)
    {
        UserConfig u;
        u.token = scalar(n, "token", field + ".token");
        u.tokenFile = path(n, "tokenFile", field + ".tokenFile");
        u.clientCertificate = path(n, "client-certificate", field + ".client-certificate");
        u.clientCertificateData = base64(n, "client-certificate-data", field + ".client-certificate-data");
        u.clientKey = path(n, "client-key", field + ".client-key");
        u.clientKeyData = base64(n, "client-key-data", field + ".client-key-data");
        u.username = scalar(n, "username", field + ".username");
        u.password = scalar(n, "password", field + ".password");
        u.impersonate = scalar(n, "as", field + ".as");
        u.impersonateGroups = strings(n, "as-groups", field + ".as-groups");
        if (const YAML::Node ap = n["auth-provider"]; ap.IsDefined() && !ap.IsNull()) {
            if (!ap.IsMap()) {
                setError(ap, field + ".auth-provider", "expected a mapping with name and config");
            } else {
                u.authProvider = scalar(ap, "name", field + ".auth-provider.name");
                if (const YAML::Node cfg = ap["config"]; cfg.IsDefined() && cfg.IsMap()) {
                    for (const auto &kv : cfg) {
                        if (kv.second.IsScalar()) {
                            u.authProviderConfig[kv.first.Scalar()] = kv.second.Scalar();
                        }
                    }
                }
            }
        }
        if (const YAML::Node ex = n["exec"]; ex.IsDefined() && !ex.IsNull()) {
            if (!ex.IsMap()) {
                setError(ex, field + ".exec", "expected a mapping");
            } else {
                u.exec = readExec(ex, field + ".exec");
            }
        }
        u.sourceFile = m_path;
        return u;
    }

    ExecConfig readExec(const YAML::Node &n, const std::string &field)
    {
        ExecConfig e;
        e.command = scalar(n, "command", field + ".command");
        // client-go resolves the command only when it is a path, so that bare names still go through PATH.
        if (e.command.find('/') != std::string::npos) {
            e.command = resolve(e.command);
        }
        e.args = strings(n, "args", field + ".args");
        if (const YAML::Node env = n["env"]; env.IsDefined() && !env.IsNull()) {
            if (!env.IsSequence()) {
                setError(env, field + ".env", "expected a list of {name, value}");
            } else {
                for (std::size_t i = 0; i < env.size(); ++i) {
                    const std::string f = field + ".env[" + std::to_string(i) + ']';
                    if (!env[i].IsMap()) {
                        setError(env[i], f, "expected {name, value}");
                        continue;
                    }
                    e.env.emplace_back(scalar(env[i], "name", f + ".name"),
                                       scalar(env[i], "value", f + ".value"));
                }
            }
        }
        e.apiVersion = scalar(n, "apiVersion", field + ".apiVersion");
        e.installHint = scalar(n, "installHint", field + ".installHint");
        e.provideClusterInfo = boolean(n, "provideClusterInfo", field + ".provideClusterInfo");
        e.interactiveMode = scalar(n, "interactiveMode", field + ".interactiveMode");
        return e;
    }

    std::string m_path;
    std::string m_dir;
    std::optional<Error> m_error;
};

std::string envOr(const std::optional<std::string> &given, const char *name)
{
    if (given) {
        return *given;
    }
    const char *value = std::getenv(name);
    return value ? value : "";
}

std::string readSecretFile(const std::string &path, const std::string &what, const std::string &field,
                           Error &error)
{
    auto content = readFileLimited(path, 1024u * 1024u);
    if (!content) {
        error = Error{field + ": cannot read the " + what + " file " + path + " (" + content.error().message +
                      ")"};
        return {};
    }
    return *content;
}

} // namespace

std::vector<std::string> kubeconfigFiles(const KubeconfigSource &source)
{
    if (!source.explicitPath.empty()) {
        return {source.explicitPath};
    }
    const std::string env = envOr(source.kubeconfigEnv, "KUBECONFIG");
    std::vector<std::string> files;
    if (!env.empty()) {
        std::set<std::string> seen;
        std::size_t start = 0;
        while (start <= env.size()) {
            const std::size_t end = std::min(env.find(':', start), env.size());
            const std::string item = env.substr(start, end - start);
            if (!item.empty() && seen.insert(item).second) {
                files.push_back(item);
            }
            start = end + 1;
        }
        if (!files.empty()) {
            return files;
        }
    }
    return {envOr(source.home, "HOME") + "/.kube/config"};
}

Result<Kubeconfig> loadKubeconfigFiles(const std::vector<std::string> &files, bool mustExist)
{
    Kubeconfig merged;
    for (const auto &file : files) {
        const QFileInfo info(QString::fromStdString(file));
        if (!info.exists()) {
            if (mustExist) {
                return Error{file + ": the kubeconfig file does not exist"};
            }
            continue;
        }
        auto text = readFileLimited(file, kMaxKubeconfigBytes);
        if (!text) {
            return Error{file + ": " + text.error().message};
        }
        auto one = FileReader(file).read(*text);
        if (!one) {
            return one.error();
        }
        merged.files.push_back(file);
        // First file wins per name: emplace keeps what an earlier file defined.
        merged.clusters.merge(one->clusters);
        merged.users.merge(one->users);
        merged.contexts.merge(one->contexts);
        if (merged.currentContext.empty() && !one->currentContext.empty()) {
            merged.currentContext = one->currentContext;
            merged.currentContextFile = file;
        }
    }
    return merged;
}

Result<Kubeconfig> loadKubeconfig(const KubeconfigSource &source)
{
    return loadKubeconfigFiles(kubeconfigFiles(source), !source.explicitPath.empty());
}

std::string describeAuth(const UserConfig &user)
{
    std::vector<std::string> parts;
    if (user.exec) {
        parts.push_back("exec plugin " + user.exec->command);
    }
    if (!user.token.empty() || !user.tokenFile.empty()) {
        parts.push_back("token");
    }
    if (!user.clientCertificate.empty() || !user.clientCertificateData.empty()) {
        parts.push_back("client certificate");
    }
    if (!user.username.empty()) {
        parts.push_back("basic auth");
    }
    if (!user.authProvider.empty()) {
        parts.push_back("auth-provider " + user.authProvider);
    }
    if (!user.impersonate.empty()) {
        parts.push_back("impersonating " + user.impersonate);
    }
    if (parts.empty()) {
        return "anonymous";
    }
    std::string text = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i) {
        text += ", " + parts[i];
    }
    return text;
}

namespace {

// Each check below returns the first problem it finds in one part of a resolved connection, naming the
// file and the entry that holds it; resolveConnection runs them in the order kubectl reports them.

Result<void> checkCluster(Connection &c)
{
    const std::string clusterWhere = c.cluster.sourceFile + ": cluster '" + c.cluster.name + "'";
    if (c.cluster.server.empty()) {
        return Error{clusterWhere + ": server is not set"};
    }
    if (c.cluster.server.rfind("https://", 0) != 0 && c.cluster.server.rfind("http://", 0) != 0) {
        return Error{clusterWhere + ": server must be an http(s) URL, got '" + c.cluster.server + "'"};
    }
    if (!c.cluster.proxyUrl.empty()) {
        const auto &p = c.cluster.proxyUrl;
        const auto end = p.find("://");
        std::string scheme = end == std::string::npos ? std::string() : p.substr(0, end);
        std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                       [](unsigned char ch) { return std::tolower(ch); });
        // Only a scheme is ever quoted: the rest of the URL may hold the proxy's password.
        const bool schemeLike = std::all_of(scheme.begin(), scheme.end(), [](unsigned char ch) {
            return std::isalnum(ch) || ch == '+' || ch == '-' || ch == '.';
        });
        if (scheme != "http" && scheme != "https" && scheme != "socks5") {
            return Error{clusterWhere + ": proxy-url: " +
                         (scheme.empty() || !schemeLike ? std::string("no scheme")
                                                        : "unsupported scheme '" + scheme + "'") +
                         " (http, https and socks5 are supported, as kubectl)"};
        }
    }
    if (c.cluster.insecureSkipTlsVerify) {
        if (!c.cluster.certificateAuthority.empty() || !c.cluster.certificateAuthorityData.empty()) {
            // client-go refuses this combination rather than guessing which one the user meant.
            return Error{clusterWhere +
                         ": insecure-skip-tls-verify cannot be combined with certificate-authority"};
        }
        c.warnings.push_back("cluster '" + c.cluster.name + "' (" + c.cluster.sourceFile +
                             ") sets insecure-skip-tls-verify: the server's certificate is NOT verified");
    }
    if (c.cluster.certificateAuthorityData.empty() && !c.cluster.certificateAuthority.empty()) {
        Error error;
        c.cluster.certificateAuthorityData =
            readSecretFile(c.cluster.certificateAuthority, "certificate-authority", clusterWhere, error);
        if (!error.message.empty()) {
            return error;
        }
    }
    return {};
}

/// A byte that must not reach an HTTP header: a token holding one could add headers of its own.
bool hasControlCharacter(const std::string &text)
{
    return std::any_of(text.begin(), text.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; });
}

Result<void> checkCredentials(Connection &c, const std::string &userWhere)
{
    UserConfig &u = c.user;
    Error error;
    const bool tokenFromFile = u.token.empty() && !u.tokenFile.empty();
    if (tokenFromFile) {
        u.token = readSecretFile(u.tokenFile, "tokenFile", userWhere + ": tokenFile", error);
        while (!u.token.empty() &&
               (u.token.back() == '\n' || u.token.back() == '\r' || u.token.back() == ' ')) {
            u.token.pop_back();
        }
    }
    if (u.clientCertificateData.empty() && !u.clientCertificate.empty()) {
        u.clientCertificateData = readSecretFile(u.clientCertificate, "client-certificate",
                                                 userWhere + ": client-certificate", error);
    }
    if (u.clientKeyData.empty() && !u.clientKey.empty()) {
        u.clientKeyData = readSecretFile(u.clientKey, "client-key", userWhere + ": client-key", error);
    }
    if (!error.message.empty()) {
        return error;
    }
    if (hasControlCharacter(u.token)) {
        // Never quoted: the token is a secret. An exec plugin's token gets the same check (execcredential).
        return Error{userWhere + (tokenFromFile ? ": tokenFile" : ": token") +
                     ": contains a control character (a line break or tab inside the token?); refused so "
                     "that it cannot add headers to the request"};
    }
    if (u.clientCertificateData.empty() != u.clientKeyData.empty()) {
        return Error{userWhere + ": client-certificate and client-key must be given together"};
    }
    if (!u.clientCertificateData.empty()) {
        // Said before connecting: the API server only answers 401 Unauthorized, without the reason.
        if (const auto certificate = readCertificate(u.clientCertificateData)) {
            const std::string problem = validityProblem(*certificate, std::chrono::system_clock::now());
            if (!problem.empty()) {
                c.warnings.push_back(
                    userWhere + ": the client certificate" +
                    (certificate->commonName.empty() ? "" : " (CN " + certificate->commonName + ")") + " " +
                    problem + ": the API server will refuse it (401 Unauthorized)");
            }
        }
    }
    if (!u.token.empty() && !u.username.empty()) {
        return Error{userWhere + ": username/password and token are both set; kubectl accepts only one"};
    }
    return {};
}

Result<void> checkAuthProvider(const UserConfig &u, const std::string &userWhere)
{
    if (u.authProvider.empty()) {
        return {};
    }
    if (u.authProvider != "oidc") {
        return Error{userWhere + ": auth-provider.name: '" + u.authProvider +
                     "' is not supported (only oidc; gcp and azure were removed from kubectl: use their exec "
                     "plugins, gke-gcloud-auth-plugin or kubelogin)"};
    }
    const auto idToken = u.authProviderConfig.find("id-token");
    if (idToken == u.authProviderConfig.end() || idToken->second.empty()) {
        return Error{userWhere + ": auth-provider.config.id-token: missing (LaneDeck uses the id-token as "
                                 "is and does not refresh it: run kubectl once, or use an exec plugin)"};
    }
    // The server would answer a bare 401; kubectl refreshes such a token with the refresh-token, which
    // LaneDeck does not do (it never writes the operator's kubeconfig), so it says so before connecting.
    const auto expiry = jwtExpiry(idToken->second);
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (expiry && *expiry <= now) {
        const QString at = QDateTime::fromSecsSinceEpoch(*expiry, Qt::UTC).toString(Qt::ISODate);
        return Error{userWhere + ": auth-provider oidc: the id-token expired at " + at.toStdString() +
                     " (LaneDeck uses the id-token as is and does not refresh it: run a kubectl command with "
                     "this context once to refresh it, or use an exec plugin such as kubelogin)"};
    }
    return {};
}

Result<void> checkExec(const UserConfig &u, const std::string &userWhere)
{
    if (!u.exec) {
        return {};
    }
    const auto &e = *u.exec;
    if (e.command.empty()) {
        return Error{userWhere + ": exec.command: missing"};
    }
    if (e.apiVersion != "client.authentication.k8s.io/v1" &&
        e.apiVersion != "client.authentication.k8s.io/v1beta1") {
        return Error{userWhere + ": exec.apiVersion: '" + e.apiVersion +
                     "' is not supported (client.authentication.k8s.io/v1 or v1beta1)"};
    }
    if (e.apiVersion == "client.authentication.k8s.io/v1" && e.interactiveMode.empty()) {
        return Error{userWhere + ": exec.interactiveMode: required for client.authentication.k8s.io/v1 "
                                 "(Never, IfAvailable or Always)"};
    }
    if (!e.interactiveMode.empty() && e.interactiveMode != "Never" && e.interactiveMode != "IfAvailable" &&
        e.interactiveMode != "Always") {
        return Error{userWhere + ": exec.interactiveMode: '" + e.interactiveMode +
                     "' is not one of Never, IfAvailable, Always"};
    }
    if (e.interactiveMode == "Always") {
        return Error{userWhere + ": exec.interactiveMode: Always needs a terminal, which LaneDeck does not "
                                 "give plugins; use IfAvailable or Never"};
    }
    return {};
}

} // namespace

Result<Connection> resolveConnection(const Kubeconfig &config, const std::string &context,
                                     const std::string &namespaceOverride)
{
    const std::string filesText = config.files.empty() ? std::string("no kubeconfig file found") : [&] {
        std::string t;
        for (const auto &f : config.files) {
            t += (t.empty() ? "" : ", ") + f;
        }
        return t;
    }();
    const std::string name = context.empty() ? config.currentContext : context;
    if (name.empty()) {
        return Error{"no context chosen: current-context is not set (" + filesText + "); pass --context"};
    }
    const auto ctx = config.contexts.find(name);
    if (ctx == config.contexts.end()) {
        return Error{"context '" + name + "' is not defined (" + filesText + ")"};
    }
    Connection c;
    c.context = name;
    const std::string ctxWhere = ctx->second.sourceFile + ": context '" + name + "'";
    const auto cluster = config.clusters.find(ctx->second.cluster);
    if (ctx->second.cluster.empty() || cluster == config.clusters.end()) {
        return Error{ctxWhere + ": cluster '" + ctx->second.cluster + "' is not defined (" + filesText + ")"};
    }
    c.cluster = cluster->second;
    if (!ctx->second.user.empty()) {
        const auto user = config.users.find(ctx->second.user);
        if (user == config.users.end()) {
            return Error{ctxWhere + ": user '" + ctx->second.user + "' is not defined (" + filesText + ")"};
        }
        c.user = user->second;
    }
    c.ns = !namespaceOverride.empty() ? namespaceOverride
           : !ctx->second.ns.empty()  ? ctx->second.ns
                                      : "default";
    const std::string userWhere = c.user.sourceFile + ": user '" + c.user.name + "'";
    if (auto checked = checkCluster(c); !checked) {
        return checked.error();
    }
    if (auto checked = checkCredentials(c, userWhere); !checked) {
        return checked.error();
    }
    if (auto checked = checkAuthProvider(c.user, userWhere); !checked) {
        return checked.error();
    }
    if (auto checked = checkExec(c.user, userWhere); !checked) {
        return checked.error();
    }
    return c;
}

Result<void> useContext(Kubeconfig &config, const std::string &context)
{
    if (!config.contexts.count(context)) {
        return Error{"context '" + context + "' is not defined"};
    }
    if (config.files.empty()) {
        return Error{"no kubeconfig file to write current-context to"};
    }
    const std::string file =
        config.currentContextFile.empty() ? config.files.front() : config.currentContextFile;
    auto text = readFileLimited(file, kMaxKubeconfigBytes);
    if (!text) {
        return Error{file + ": " + text.error().message};
    }
    try {
        YAML::Node root = YAML::Load(*text);
        root["current-context"] = context;
        YAML::Emitter emitter;
        emitter << root;
        if (auto written = writeFileAtomically(file, std::string(emitter.c_str()) + '\n'); !written) {
            return written;
        }
    } catch (const YAML::Exception &e) {
        return Error{file + ": " + e.msg};
    }
    config.currentContext = context;
    config.currentContextFile = file;
    return {};
}

} // namespace lanedeck::kube

#pragma once

#include "base/result.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lanedeck::kube {

/// clusters[].cluster of a kubeconfig, with relative paths already resolved against the defining file.
struct ClusterConfig
{
    std::string name;
    std::string server;
    std::string certificateAuthority;     ///< a file path
    std::string certificateAuthorityData; ///< PEM (decoded from base64); wins over the file
    bool insecureSkipTlsVerify = false;
    std::string tlsServerName;
    std::string proxyUrl; ///< http, https or socks5; empty: the http(s)_proxy environment, as kubectl
    std::string sourceFile;

    friend bool operator==(const ClusterConfig &, const ClusterConfig &) = default;
};

/// users[].user.exec: a credential plugin (client.authentication.k8s.io v1 or v1beta1).
struct ExecConfig
{
    std::string command; ///< resolved against the kubeconfig's directory when it holds a path separator
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
    std::string apiVersion;
    std::string installHint;
    bool provideClusterInfo = false;
    std::string interactiveMode; ///< Never, IfAvailable, Always

    friend bool operator==(const ExecConfig &, const ExecConfig &) = default;
};

/// users[].user of a kubeconfig. Holds secrets: never print it; describeAuth() says what kind it is.
struct UserConfig
{
    std::string name;
    std::string token;
    std::string tokenFile;
    std::string clientCertificate;
    std::string clientCertificateData; ///< PEM
    std::string clientKey;
    std::string clientKeyData; ///< PEM
    std::string username;
    std::string password;
    std::string impersonate;
    std::vector<std::string> impersonateGroups;
    std::string authProvider; ///< only "oidc" is supported (as in client-go today)
    std::map<std::string, std::string> authProviderConfig;
    std::optional<ExecConfig> exec;
    std::string sourceFile;

    friend bool operator==(const UserConfig &, const UserConfig &) = default;
};

/// contexts[].context.
struct ContextConfig
{
    std::string name;
    std::string cluster;
    std::string user;
    std::string ns;
    std::string sourceFile;

    friend bool operator==(const ContextConfig &, const ContextConfig &) = default;
};

/// The merge of every kubeconfig file that applies, by kubectl's rules: the first file defining a cluster,
/// user or context name wins (the whole entry); the first non-empty current-context wins.
struct Kubeconfig
{
    std::vector<std::string> files; ///< the files actually read, in precedence order
    std::map<std::string, ClusterConfig> clusters;
    std::map<std::string, UserConfig> users;
    std::map<std::string, ContextConfig> contexts;
    std::string currentContext;
    std::string currentContextFile; ///< which file set current-context (empty if none did)
};

/// Where kubeconfig comes from, as kubectl decides: an explicit --kubeconfig path (must exist, read alone);
/// else every file of KUBECONFIG (path-list, de-duplicated, missing files skipped); else ~/.kube/config.
struct KubeconfigSource
{
    std::string explicitPath;
    std::optional<std::string> kubeconfigEnv; ///< empty optional: read $KUBECONFIG
    std::optional<std::string> home;          ///< empty optional: read $HOME
};

/// The file list kubectl would consider for `source` (before skipping missing ones).
std::vector<std::string> kubeconfigFiles(const KubeconfigSource &source);

/// Loads and merges. Errors name the file (and line) and the field; they never quote a credential.
Result<Kubeconfig> loadKubeconfig(const KubeconfigSource &source);
/// Loads and merges the given files in precedence order; missing ones are skipped unless `mustExist`.
Result<Kubeconfig> loadKubeconfigFiles(const std::vector<std::string> &files, bool mustExist);

/// Everything needed to talk to one cluster as one user: the chosen context, resolved and checked.
struct Connection
{
    std::string context;
    ClusterConfig cluster;
    UserConfig user;
    std::string ns = "default"; ///< the context's namespace, or the override, or "default"
    std::vector<std::string> warnings;
};

/// Resolves a context (empty: current-context) with an optional namespace override, as --context and
/// --namespace do. Checks what kubectl would refuse and names the file and field of every problem.
Result<Connection> resolveConnection(const Kubeconfig &config, const std::string &context = {},
                                     const std::string &namespaceOverride = {});

/// "token", "client certificate", "exec plugin /path/cmd", ...: how the user authenticates, without secrets.
std::string describeAuth(const UserConfig &user);

/// Switches context as `kubectl config use-context` does: rewrites current-context in the file that set
/// it (or the first file), atomically. Other content of the file is kept, comments are not.
Result<void> useContext(Kubeconfig &config, const std::string &context);

} // namespace lanedeck::kube

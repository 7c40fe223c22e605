#include "kube/client.h"

#include "base/utf8.h"
#include "kube/certificate.h"
#include "kube/status.h"

#include <QByteArray>

#include <cstring>
#include <deque>
#include <thread>

namespace lanedeck::kube {
namespace {

size_t collect(char *data, size_t size, size_t count, void *target)
{
    static_cast<std::string *>(target)->append(data, size * count);
    return size * count;
}

/// A failed transfer in words. A failure at the proxy names the proxy and where it was configured: the API
/// server was never reached, so blaming it would send the user to the wrong place.
std::string transportError(CURL *easy, CURLcode code, const std::string &detail, const Connection &connection,
                           const ProxyChoice &proxy)
{
    const std::string context = "context '" + connection.context + "'";
    if (proxy.direct()) {
        return "cannot reach the API server " + connection.cluster.server + " (" + context + "): " + detail;
    }
    const std::string where = redactProxyUrl(proxy.url) + " (" + proxy.origin + "; " + context + ")";
    long connectCode = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connectCode);
    long proxyVerify = 0;
    curl_easy_getinfo(easy, CURLINFO_PROXY_SSL_VERIFYRESULT, &proxyVerify);
    long socksError = CURLPX_OK;
    curl_easy_getinfo(easy, CURLINFO_PROXY_ERROR, &socksError);
    if (code == CURLE_COULDNT_RESOLVE_PROXY || (code == CURLE_COULDNT_CONNECT && connectCode == 0)) {
        // libcurl connects to the proxy only: a failed connect is the proxy's.
        return "cannot reach the proxy " + where + ": " + detail;
    }
    if (code == CURLE_OPERATION_TIMEDOUT && connectCode == 0 && proxy.curlUrl.rfind("socks", 0) != 0) {
        // An HTTP proxy that never answered CONNECT (libcurl records its status once it does).
        return "the proxy " + where + " did not answer: " + detail;
    }
    if (proxyVerify != 0) {
        return "cannot reach the proxy " + where + ": its TLS certificate was not accepted: " + detail;
    }
    if (connectCode == 407) {
        return "the proxy " + where + " did not accept the credentials of its URL (HTTP 407)";
    }
    if (socksError == CURLPX_USER_REJECTED || socksError == CURLPX_NO_AUTH) {
        return "the proxy " + where + " did not accept the credentials of its URL: " + detail;
    }
    if (connectCode >= 300 || code == CURLE_PROXY) {
        return "the proxy " + where + " did not open a connection to the API server " +
               connection.cluster.server + ": " + detail;
    }
    return "cannot reach the API server " + connection.cluster.server + " via the proxy " + where + ": " +
           detail;
}

/// The readable text of an answer body for a message: HTML (a proxy's error page) without its markup, scripts
/// and styles, then a short printable excerpt.
std::string bodyExcerpt(const std::string &body, const std::string &contentType)
{
    std::string text = body.substr(0, 64 * 1024);
    const auto first = text.find_first_not_of(" \t\r\n");
    if (contentType.find("html") != std::string::npos || (first != std::string::npos && text[first] == '<')) {
        std::string plain;
        std::size_t i = 0;
        while (i < text.size()) {
            if (text[i] != '<') {
                plain += text[i++];
                continue;
            }
            std::string closing = ">";
            for (const char *block : {"script", "style"}) {
                if (text.compare(i + 1, std::strlen(block), block) == 0) {
                    closing = std::string("</") + block + ">";
                }
            }
            if (text.compare(i, 4, "<!--") == 0) {
                closing = "-->";
            }
            const auto end = text.find(closing, i + 1);
            i = end == std::string::npos ? text.size() : end + closing.size();
            plain += ' ';
        }
        for (const auto &[entity, character] : {std::pair{"&lt;", "<"},
                                                {"&gt;", ">"},
                                                {"&quot;", "\""},
                                                {"&#39;", "'"},
                                                {"&nbsp;", " "},
                                                {"&amp;", "&"}}) {
            for (auto at = plain.find(entity); at != std::string::npos; at = plain.find(entity, at + 1)) {
                plain.replace(at, std::strlen(entity), character);
            }
        }
        text = plain;
    }
    return printableExcerpt(text, 200);
}

/// "text/html": the media type, sanitized, without its parameters.
std::string mediaType(const std::string &contentType)
{
    const std::string type = printableExcerpt(contentType.substr(0, contentType.find(';')), 60);
    return type.empty() ? "no Content-Type" : type;
}

/// Kubernetes answers every request LaneDeck sends with a JSON object; anything else came from something
/// else.
bool isJsonObject(const std::string &body)
{
    const auto first = body.find_first_not_of(" \t\r\n");
    return first != std::string::npos && body[first] == '{' && nlohmann::json::accept(body);
}

/// Whether a request changes what the cluster holds (a server-side dry run does not).
bool writes(const Request &request)
{
    return request.method != "GET" && request.method != "HEAD" &&
           request.path.find("dryRun=All") == std::string::npos;
}

struct StringDeleter
{
    void operator()(char *text) const noexcept { curl_free(text); }
};
using CurlString = std::unique_ptr<char, StringDeleter>;

/// A part of a parsed URL (`flags` as curl_url_get takes them), or null when it has none.
CurlString urlPart(CURLU *url, CURLUPart part, unsigned flags = 0)
{
    char *text = nullptr;
    return curl_url_get(url, part, &text, flags) == CURLUE_OK ? CurlString(text) : CurlString();
}

} // namespace

/// One request in flight: its easy handle and everything the handle points into.
struct Client::Transfer
{
    std::size_t index = 0;
    curl::Easy easy;
    curl::Slist headers;
    std::string url;
    std::string body;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

struct Client::Auth
{
    std::string token;
    std::string clientCertificateData;
    std::string clientKeyData;
    bool fromExec = false;
    bool tokenFromExec = false;
    bool certificateFromExec = false;

    /// For a 401: "kubeconfig user 'u': its client certificate (CN u) expired at ...". The API server never
    /// says why it refused credentials; what LaneDeck can see locally, it says.
    std::string describe(const UserConfig &user) const
    {
        std::vector<std::string> parts;
        if (!clientCertificateData.empty()) {
            std::string part =
                std::string(certificateFromExec ? "the exec plugin's" : "its") + " client certificate";
            if (const auto certificate = readCertificate(clientCertificateData)) {
                const std::string cn = certificate->commonName.empty() ? "" : "CN " + certificate->commonName;
                const auto now = std::chrono::system_clock::now();
                const std::string problem = validityProblem(*certificate, now);
                if (!problem.empty()) {
                    part += (cn.empty() ? "" : " (" + cn + ")") + " " + problem +
                            (now > certificate->notAfter ? ": renew it" : "");
                } else {
                    part += " (" + (cn.empty() ? "" : cn + ", ") + "valid until " +
                            formatUtc(certificate->notAfter) +
                            ") was not accepted: is it issued by the cluster's client CA?";
                }
            }
            parts.push_back(part);
        }
        if (!token.empty()) {
            parts.push_back(tokenFromExec ? "the exec plugin's token" : "its token");
        } else if (!user.username.empty()) {
            parts.push_back("its username and password");
        }
        std::string text = "kubeconfig user '" + user.name + "'";
        for (std::size_t i = 0; i < parts.size(); ++i) {
            text += (i == 0 ? ": " : "; ") + parts[i];
        }
        return text;
    }
};

nlohmann::json Response::json() const
{
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

std::string Response::message() const
{
    const std::string mayHaveHappened =
        outcomeUnknown ? " (the request had reached the server: it may have been carried out)" : "";
    if (!error.empty()) {
        return error + mayHaveHappened;
    }
    // A Status's message as parseStatus makes it safe to show; any other body as a short excerpt.
    const ApiStatus parsed = parseStatus(body, status);
    std::string text = "HTTP " + std::to_string(status);
    if (parsed.isStatus) {
        text += ": " + parsed.message;
    } else if (!body.empty()) {
        text +=
            " (" + mediaType(contentType) + ", not a Kubernetes Status): " + bodyExcerpt(body, contentType);
    }
    if (status == 401) {
        text += " (the server did not accept the credentials of " +
                (rejectedCredentials.empty() ? std::string("this kubeconfig user") : rejectedCredentials) +
                ")";
    } else if (status == 403) {
        text += " (the kubeconfig user lacks the RBAC permission for this; ask for a role that allows it)";
    }
    return text + mayHaveHappened;
}

std::string apiPrefix(const std::string &apiVersion)
{
    return apiVersion.find('/') == std::string::npos ? "/api/" + apiVersion : "/apis/" + apiVersion;
}

std::string urlEncode(const std::string &text)
{
    std::string out;
    static const char *hex = "0123456789ABCDEF";
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

Client::Client(Connection connection, ClientOptions options)
    : m_connection(std::move(connection)), m_options(std::move(options))
{}

Result<std::unique_ptr<Client>> Client::create(const Connection &connection, const ClientOptions &options)
{
    std::unique_ptr<Client> client(new Client(connection, options));
    std::string server = connection.cluster.server;
    while (!server.empty() && server.back() == '/') {
        server.pop_back();
    }
    client->m_url = server;
    if (!connection.cluster.tlsServerName.empty()) {
        // libcurl takes the TLS name (SNI and verification) from the URL: request the tls-server-name and
        // connect to the real server underneath.
        curl::globalInit();
        const curl::Url u(curl_url());
        const bool parsed = u && curl_url_set(u.get(), CURLUPART_URL, server.c_str(), 0) == CURLUE_OK;
        const CurlString host = parsed ? urlPart(u.get(), CURLUPART_HOST) : nullptr;
        const CurlString port = parsed ? urlPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT) : nullptr;
        if (!host || !port) {
            return Error{connection.cluster.sourceFile + ": cluster '" + connection.cluster.name +
                         "': server is not a valid URL"};
        }
        client->m_connectTo =
            connection.cluster.tlsServerName + ':' + port.get() + ':' + host.get() + ':' + port.get();
        curl_url_set(u.get(), CURLUPART_HOST, connection.cluster.tlsServerName.c_str(), 0);
        const CurlString url = urlPart(u.get(), CURLUPART_URL);
        client->m_url = url ? url.get() : "";
        while (!client->m_url.empty() && client->m_url.back() == '/') {
            client->m_url.pop_back();
        }
    }
    auto proxy = chooseProxy(connection.cluster);
    if (!proxy) {
        return proxy.error();
    }
    client->m_proxy = std::move(*proxy);
    if (connection.user.exec) {
        client->m_exec = std::make_unique<ExecCredentialProvider>(connection.user, connection.cluster,
                                                                  options.approveExec, options.execTimeout);
    }
    client->m_multi = curl::makeMulti();
    if (!client->m_multi) {
        return Error{"libcurl: cannot create a multi handle"};
    }
    curl_multi_setopt(client->m_multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(client->m_multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
    return client;
}

Client::~Client() = default;

void Client::cancel()
{
    m_cancelled = true;
    if (m_multi) {
        curl_multi_wakeup(m_multi.get());
    }
}

int Client::execRuns() const
{
    return m_exec ? m_exec->runs() : 0;
}

Result<Client::Auth> Client::currentAuth()
{
    Auth auth;
    const UserConfig &u = m_connection.user;
    auth.token = u.token;
    auth.clientCertificateData = u.clientCertificateData;
    auth.clientKeyData = u.clientKeyData;
    if (u.authProvider == "oidc") {
        auth.token = u.authProviderConfig.at("id-token");
    }
    if (m_exec) {
        auto cred = m_exec->credential();
        if (!cred) {
            return cred.error();
        }
        auth.fromExec = true;
        if (!cred->token.empty()) {
            auth.token = cred->token;
            auth.tokenFromExec = true;
        }
        if (!cred->clientCertificateData.empty()) {
            auth.clientCertificateData = cred->clientCertificateData;
            auth.clientKeyData = cred->clientKeyData;
            auth.certificateFromExec = true;
        }
    }
    return auth;
}

namespace {

/// Everything of the client's own that must never appear in a body it quotes: the bearer token, the basic
/// auth user:password (redactSecrets adds its base64 form, as it went into the header), the password alone,
/// the proxy URL's user:password and password, the client key.
std::vector<std::string> ownSecrets(const Connection &connection, std::vector<std::string> secrets)
{
    const UserConfig &u = connection.user;
    secrets.insert(secrets.end(), {u.token, u.password, u.clientKeyData});
    if (!u.username.empty()) {
        secrets.push_back(u.username + ":" + u.password);
    }
    const std::string &proxy = connection.cluster.proxyUrl;
    const auto scheme = proxy.find("://");
    const auto at = proxy.rfind('@');
    if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
        const std::string userInfo = proxy.substr(scheme + 3, at - scheme - 3);
        secrets.push_back(userInfo);
        secrets.push_back(QByteArray::fromPercentEncoding(QByteArray::fromStdString(userInfo)).toStdString());
        if (const auto colon = userInfo.find(':'); colon != std::string::npos) {
            const std::string password = userInfo.substr(colon + 1);
            secrets.push_back(password);
            secrets.push_back(
                QByteArray::fromPercentEncoding(QByteArray::fromStdString(password)).toStdString());
        }
    }
    return secrets;
}

} // namespace

std::vector<Response> Client::send(const std::vector<Request> &requests)
{
    std::vector<std::string> used;
    auto out = sendWithRetries(requests, used);
    // Only failed answers are ever quoted (Response::message); a proxy's error page may echo our headers.
    const auto secrets = ownSecrets(m_connection, std::move(used));
    for (auto &r : out) {
        if (!r.ok() && !r.body.empty()) {
            redactSecrets(r.body, secrets);
        }
    }
    return out;
}

std::vector<Response> Client::sendWithRetries(const std::vector<Request> &requests,
                                              std::vector<std::string> &credentialsUsed)
{
    std::vector<Response> out(requests.size());
    if (requests.empty()) {
        return out;
    }
    auto auth = currentAuth();
    if (!auth) {
        for (auto &r : out) {
            r.error = auth.error().message;
        }
        return out;
    }
    credentialsUsed.insert(credentialsUsed.end(), {auth->token, auth->clientKeyData});
    std::vector<std::size_t> all(requests.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = i;
    }
    sendOnceResendingRefused(requests, all, *auth, out);
    // 429: the server sheds load or a resource's storage is still initializing (fresh CRDs); client-go
    // retries after Retry-After (1s from the apiserver), up to 10 times.
    for (int attempt = 0; attempt < 10 && !m_cancelled; ++attempt) {
        std::vector<std::size_t> throttled;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (out[i].error.empty() && out[i].status == 429) {
                throttled.push_back(i);
            }
        }
        if (throttled.empty()) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
        sendOnceResendingRefused(requests, throttled, *auth, out);
    }
    if (auth->fromExec) {
        std::vector<std::size_t> unauthorized;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (out[i].error.empty() && out[i].status == 401) {
                unauthorized.push_back(i);
            }
        }
        if (!unauthorized.empty()) {
            // The plugin's credential may have been revoked before its expiry: client-go reruns it once.
            m_exec->invalidate();
            auto fresh = currentAuth();
            if (!fresh) {
                for (auto i : unauthorized) {
                    out[i].error = fresh.error().message;
                }
                return out;
            }
            credentialsUsed.insert(credentialsUsed.end(), {fresh->token, fresh->clientKeyData});
            sendOnceResendingRefused(requests, unauthorized, *fresh, out);
        }
    }
    return out;
}

Response Client::send(const Request &request)
{
    return send(std::vector<Request>{request}).front();
}

void Client::configureTls(CURL *e, const Auth &auth) const
{
    const ClusterConfig &cluster = m_connection.cluster;
    if (cluster.insecureSkipTlsVerify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!cluster.certificateAuthorityData.empty()) {
        curl_blob blob{const_cast<char *>(cluster.certificateAuthorityData.data()),
                       cluster.certificateAuthorityData.size(), CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
        // The blob replaces the default CA bundle but not the default CA directory (/etc/ssl/certs on
        // Debian), which would still trust every system CA. kubectl trusts the kubeconfig's CA alone.
        curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
    }
    if (!auth.clientCertificateData.empty()) {
        curl_blob cert{const_cast<char *>(auth.clientCertificateData.data()),
                       auth.clientCertificateData.size(), CURL_BLOB_COPY};
        curl_blob key{const_cast<char *>(auth.clientKeyData.data()), auth.clientKeyData.size(),
                      CURL_BLOB_COPY};
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
    }
    // Always set: an empty proxy stops libcurl from reading http(s)_proxy/no_proxy by its own rules,
    // which differ from kubectl's (chooseProxy applies those).
    curl_easy_setopt(e, CURLOPT_PROXY, m_proxy.curlUrl.c_str());
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    if (m_proxy.tls) {
        // Go's transport verifies an https proxy with the same TLS settings as the server.
        if (cluster.insecureSkipTlsVerify) {
            curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYHOST, 0L);
        } else if (!cluster.certificateAuthorityData.empty()) {
            curl_blob blob{const_cast<char *>(cluster.certificateAuthorityData.data()),
                           cluster.certificateAuthorityData.size(), CURL_BLOB_COPY};
            curl_easy_setopt(e, CURLOPT_PROXY_CAINFO_BLOB, &blob);
            curl_easy_setopt(e, CURLOPT_PROXY_CAPATH, nullptr);
        }
    }
}

std::unique_ptr<Client::Transfer> Client::configure(const Request &r, std::size_t index, const Auth &auth,
                                                    bool http1) const
{
    const UserConfig &user = m_connection.user;
    auto t = std::make_unique<Transfer>();
    t->index = index;
    t->url = m_url + r.path;
    t->easy = curl::makeEasy();
    CURL *e = t->easy.get();
    if (!e) {
        return nullptr;
    }
    curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errorBuffer);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->body);
    // HTTP/2 inside the TLS connection to an https proxy stalls now and then with libcurl 7.88 (Debian
    // 12): a stream gets no response until the request timeout (libcurl's known problem, curl/curl#6936).
    // HTTP/1.1 through the same proxy does not stall (tst_clusterproxy).
    curl_easy_setopt(
        e, CURLOPT_HTTP_VERSION,
        static_cast<long>(m_proxy.tls || http1 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connectTimeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.requestTimeout.count()));
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (r.method == "HEAD") {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    }
    if (!r.body.empty()) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    configureTls(e, auth);
    curl::Slist &h = t->headers;
    h.append("Accept: application/json");
    h.append("User-Agent: lanedeck/" LANEDECK_VERSION);
    if (!r.body.empty()) {
        h.append("Content-Type: " + r.contentType);
    }
    if (!auth.token.empty()) {
        h.append("Authorization: Bearer " + auth.token);
    } else if (!user.username.empty()) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
        curl_easy_setopt(e, CURLOPT_USERNAME, user.username.c_str());
        curl_easy_setopt(e, CURLOPT_PASSWORD, user.password.c_str());
    }
    if (!user.impersonate.empty()) {
        h.append("Impersonate-User: " + user.impersonate);
    }
    for (const auto &g : user.impersonateGroups) {
        h.append("Impersonate-Group: " + g);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h.get());
    return t;
}

Response Client::toResponse(const Request &request, Transfer &transfer, CURLcode code, const Auth &auth) const
{
    CURL *easy = transfer.easy.get();
    const std::string server = "the API server " + m_connection.cluster.server + " (" +
                               (m_proxy.direct() ? "" : "via proxy " + redactProxyUrl(m_proxy.url) + ", ") +
                               "context '" + m_connection.context + "')";
    Response resp;
    const std::string what = request.method + ' ' + request.path.substr(0, request.path.find('?'));
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp.status);
    const char *contentType = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &contentType) == CURLE_OK && contentType) {
        resp.contentType = contentType;
    }
    if (code == CURLE_OK) {
        long version = 0;
        curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
        resp.httpVersion = version == CURL_HTTP_VERSION_2_0 ? 2 : 1;
        resp.body = std::move(transfer.body);
        const bool fromKubernetes = isJsonObject(resp.body);
        if (resp.status >= 200 && resp.status < 300 && !fromKubernetes) {
            // Something between LaneDeck and the API server answered: a proxy's or a login page.
            resp.outcomeUnknown = writes(request);
            resp.error = server + " answered " + what + " with HTTP " + std::to_string(resp.status) + " (" +
                         mediaType(resp.contentType) +
                         "), not a Kubernetes JSON object; is a proxy or a login page in between? " +
                         (resp.body.empty() ? "The body is empty."
                                            : "It said: " + bodyExcerpt(resp.body, resp.contentType));
        } else if (resp.status == 504 || (resp.status == 502 && !fromKubernetes)) {
            // A gateway gave up waiting, or lost the upstream connection, possibly after forwarding.
            resp.outcomeUnknown = writes(request);
        } else if (resp.status == 401) {
            resp.rejectedCredentials = auth.describe(m_connection.user);
        }
        return resp;
    }
    const std::string detail = transfer.errorBuffer[0] ? transfer.errorBuffer : curl_easy_strerror(code);
    curl_off_t beforeTransfer = 0;
    curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &beforeTransfer);
    long requestBytes = 0;
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &requestBytes);
    // An HTTP proxy's CONNECT request counts in the request size: to an https server through such a
    // proxy, ours went out only once the proxy opened the tunnel (a plain http server gets no tunnel).
    long connectCode = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connectCode);
    const bool tunnelled = !m_proxy.direct() && m_proxy.curlUrl.rfind("socks", 0) != 0 &&
                           m_connection.cluster.server.rfind("https://", 0) == 0;
    const bool tunnelUp = !tunnelled || (connectCode >= 200 && connectCode < 300);
    const bool sent = tunnelUp && code != CURLE_PROXY && (beforeTransfer > 0 || requestBytes > 0);
    resp.outcomeUnknown = sent && writes(request);
    if (!sent) {
        // Nothing went out: the server, or the proxy in front of it, could not be reached.
        resp.error = transportError(easy, code, detail, m_connection, m_proxy);
    } else if (resp.status == 0) {
        resp.error = server + " did not answer " + what + ": " + detail;
    } else {
        curl_off_t received = 0;
        curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &received);
        resp.error = server + " broke off its answer to " + what + " (HTTP " + std::to_string(resp.status) +
                     ", " + std::to_string(received) + " bytes of the body received): " + detail;
    }
    resp.status = 0;
    resp.contentType.clear();
    return resp;
}

void Client::sendOnceResendingRefused(const std::vector<Request> &requests,
                                      const std::vector<std::size_t> &which, const Auth &auth,
                                      std::vector<Response> &out)
{
    std::vector<std::size_t> refused;
    sendOnce(requests, which, auth, out, &refused);
    // kube-apiserver closes the HTTP/2 connection of an anonymous client after its first answer (feature gate
    // UnauthenticatedHTTP2DOSMitigation, beta and on by default), and --goaway-chance does so to anyone
    // now and then: streams sent alongside that answer get a GOAWAY and no answer, which libcurl 7.88 reports
    // as a framing error. They were not processed; sent again over HTTP/1.1, each gets its own connection.
    std::erase_if(refused, [&requests](std::size_t i) {
        return writes(requests[i]) && requests[i].contentType != "application/apply-patch+yaml";
    });
    if (!refused.empty() && !m_cancelled) {
        sendOnce(requests, refused, auth, out, nullptr, true);
    }
}

void Client::sendOnce(const std::vector<Request> &requests, const std::vector<std::size_t> &which,
                      const Auth &auth, std::vector<Response> &out, std::vector<std::size_t> *refused,
                      bool http1)
{
    m_requestsSent += which.size();
    CURLM *multi = m_multi.get();
    curl::Slist connectTo;
    if (!m_connectTo.empty()) {
        connectTo.append(m_connectTo);
    }
    std::deque<std::size_t> pending(which.begin(), which.end());
    std::vector<std::unique_ptr<Transfer>> running;
    auto launch = [&] {
        while (!pending.empty() && static_cast<int>(running.size()) < std::max(1, m_options.maxParallel)) {
            const std::size_t index = pending.front();
            pending.pop_front();
            auto t = configure(requests[index], index, auth, http1);
            if (!t) {
                out[index] = Response{};
                out[index].error = "libcurl: out of memory for a transfer";
                continue;
            }
            if (!connectTo.empty()) {
                curl_easy_setopt(t->easy.get(), CURLOPT_CONNECT_TO, connectTo.get());
            }
            curl_multi_add_handle(multi, t->easy.get());
            running.push_back(std::move(t));
        }
    };
    std::size_t done = 0;
    launch();
    while (!running.empty()) {
        if (m_cancelled) {
            for (auto &t : running) {
                out[t->index].error = "cancelled";
                out[t->index].cancelled = true;
                out[t->index].status = 0;
                curl_multi_remove_handle(multi, t->easy.get());
            }
            running.clear();
            for (auto i : pending) {
                out[i].error = "cancelled";
                out[i].cancelled = true;
            }
            break;
        }
        int stillRunning = 0;
        curl_multi_perform(multi, &stillRunning);
        int queued = 0;
        while (CURLMsg *msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            Transfer *t = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
            const CURLcode code = msg->data.result;
            out[t->index] = toResponse(requests[t->index], *t, code, auth);
            long status = 0;
            curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &status);
            if (refused && status == 0 && (code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM)) {
                refused->push_back(t->index);
            }
            curl_multi_remove_handle(multi, t->easy.get());
            ++done;
            if (m_progress) {
                m_progress(done, which.size());
            }
            std::erase_if(running, [t](const auto &p) { return p.get() == t; });
        }
        launch();
        if (!running.empty()) {
            curl_multi_poll(multi, nullptr, 0, 200, nullptr);
        }
    }
}

} // namespace lanedeck::kube

#include "kube/client.h"

#include "kube/status.h"

#include <curl/curl.h>

#include <deque>
#include <mutex>
#include <thread>

namespace lanedeck::kube {
namespace {

std::once_flag g_curlInit;

size_t collect(char *data, size_t size, size_t count, void *target)
{
    static_cast<std::string *>(target)->append(data, size * count);
    return size * count;
}

/// A proxy URL without its user:password part, for messages.
std::string redactUrl(const std::string &url)
{
    const auto scheme = url.find("://");
    const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos) {
        return url;
    }
    return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

/// One request in flight: its easy handle and everything the handle points into.
struct Transfer
{
    std::size_t index = 0;
    CURL *easy = nullptr;
    curl_slist *headers = nullptr;
    std::string url;
    std::string body;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

} // namespace

struct Client::Auth
{
    std::string token;
    std::string clientCertificateData;
    std::string clientKeyData;
    bool fromExec = false;
};

nlohmann::json Response::json() const
{
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    return j.is_discarded() ? nlohmann::json() : j;
}

std::string Response::message() const
{
    return error.empty() ? parseStatus(body, status).summary() : error;
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
{
}

Result<std::unique_ptr<Client>> Client::create(const Connection &connection, const ClientOptions &options)
{
    std::call_once(g_curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::unique_ptr<Client> client(new Client(connection, options));
    std::string server = connection.cluster.server;
    while (!server.empty() && server.back() == '/') {
        server.pop_back();
    }
    client->m_url = server;
    if (!connection.cluster.tlsServerName.empty()) {
        // libcurl takes the TLS name (SNI and verification) from the URL: request the tls-server-name and
        // connect to the real server underneath.
        CURLU *u = curl_url();
        char *host = nullptr;
        char *port = nullptr;
        if (curl_url_set(u, CURLUPART_URL, server.c_str(), 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
            curl_url_cleanup(u);
            return Error{connection.cluster.sourceFile + ": cluster '" + connection.cluster.name +
                         "': server is not a valid URL"};
        }
        client->m_connectTo = connection.cluster.tlsServerName + ':' + port + ':' + host + ':' + port;
        curl_url_set(u, CURLUPART_HOST, connection.cluster.tlsServerName.c_str(), 0);
        char *url = nullptr;
        curl_url_get(u, CURLUPART_URL, &url, 0);
        client->m_url = url;
        while (!client->m_url.empty() && client->m_url.back() == '/') {
            client->m_url.pop_back();
        }
        curl_free(url);
        curl_free(host);
        curl_free(port);
        curl_url_cleanup(u);
    }
    if (connection.user.exec) {
        client->m_exec =
            std::make_unique<ExecCredentialProvider>(connection.user, connection.cluster, options.approveExec);
    }
    CURLM *multi = curl_multi_init();
    if (!multi) {
        return Error{"libcurl: cannot create a multi handle"};
    }
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
    client->m_multi = multi;
    return client;
}

Client::~Client()
{
    if (m_multi) {
        curl_multi_cleanup(static_cast<CURLM *>(m_multi));
    }
}

void Client::cancel()
{
    m_cancelled = true;
    if (m_multi) {
        curl_multi_wakeup(static_cast<CURLM *>(m_multi));
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
        }
        if (!cred->clientCertificateData.empty()) {
            auth.clientCertificateData = cred->clientCertificateData;
            auth.clientKeyData = cred->clientKeyData;
        }
    }
    return auth;
}

std::vector<Response> Client::send(const std::vector<Request> &requests)
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
    std::vector<std::size_t> all(requests.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = i;
    }
    sendOnce(requests, all, *auth, out);
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
        sendOnce(requests, throttled, *auth, out);
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
            sendOnce(requests, unauthorized, *fresh, out);
        }
    }
    return out;
}

Response Client::send(const Request &request)
{
    return send(std::vector<Request>{request}).front();
}

void Client::sendOnce(const std::vector<Request> &requests, const std::vector<std::size_t> &which, const Auth &auth,
                      std::vector<Response> &out)
{
    CURLM *multi = static_cast<CURLM *>(m_multi);
    const ClusterConfig &cluster = m_connection.cluster;
    const UserConfig &user = m_connection.user;

    auto start = [&](std::size_t index) {
        auto t = std::make_unique<Transfer>();
        t->index = index;
        const Request &r = requests[index];
        t->url = m_url + r.path;
        CURL *e = curl_easy_init();
        t->easy = e;
        curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
        curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errorBuffer);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->body);
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
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
        if (cluster.insecureSkipTlsVerify) {
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        } else if (!cluster.certificateAuthorityData.empty()) {
            curl_blob blob{const_cast<char *>(cluster.certificateAuthorityData.data()),
                           cluster.certificateAuthorityData.size(), CURL_BLOB_COPY};
            curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (!auth.clientCertificateData.empty()) {
            curl_blob cert{const_cast<char *>(auth.clientCertificateData.data()), auth.clientCertificateData.size(),
                           CURL_BLOB_COPY};
            curl_blob key{const_cast<char *>(auth.clientKeyData.data()), auth.clientKeyData.size(), CURL_BLOB_COPY};
            curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
            curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cert);
            curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
            curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
        }
        if (!cluster.proxyUrl.empty()) {
            curl_easy_setopt(e, CURLOPT_PROXY, cluster.proxyUrl.c_str());
        }
        curl_slist *h = nullptr;
        h = curl_slist_append(h, "Accept: application/json");
        h = curl_slist_append(h, "User-Agent: lanedeck/" LANEDECK_VERSION);
        if (!r.body.empty()) {
            h = curl_slist_append(h, ("Content-Type: " + r.contentType).c_str());
        }
        if (!auth.token.empty()) {
            h = curl_slist_append(h, ("Authorization: Bearer " + auth.token).c_str());
        } else if (!user.username.empty()) {
            curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
            curl_easy_setopt(e, CURLOPT_USERNAME, user.username.c_str());
            curl_easy_setopt(e, CURLOPT_PASSWORD, user.password.c_str());
        }
        if (!user.impersonate.empty()) {
            h = curl_slist_append(h, ("Impersonate-User: " + user.impersonate).c_str());
        }
        for (const auto &g : user.impersonateGroups) {
            h = curl_slist_append(h, ("Impersonate-Group: " + g).c_str());
        }
        t->headers = h;
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
        return t;
    };

    curl_slist *connectTo = nullptr;
    if (!m_connectTo.empty()) {
        connectTo = curl_slist_append(nullptr, m_connectTo.c_str());
    }
    std::deque<std::size_t> pending(which.begin(), which.end());
    std::vector<std::unique_ptr<Transfer>> running;
    auto finish = [&](Transfer *t, CURLcode code) {
        Response &resp = out[t->index];
        resp = Response{};
        if (code == CURLE_OK) {
            curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &resp.status);
            long version = 0;
            curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
            resp.httpVersion = version == CURL_HTTP_VERSION_2_0 ? 2 : 1;
            resp.body = std::move(t->body);
        } else {
            std::string detail = t->errorBuffer[0] ? t->errorBuffer : curl_easy_strerror(code);
            resp.error = "cannot reach the API server " + m_connection.cluster.server + " (" +
                         (cluster.proxyUrl.empty() ? "" : "via proxy " + redactUrl(cluster.proxyUrl) + ", ") +
                         "context '" + m_connection.context + "'): " + detail;
        }
        curl_multi_remove_handle(multi, t->easy);
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
    };
    auto launch = [&] {
        while (!pending.empty() && static_cast<int>(running.size()) < std::max(1, m_options.maxParallel)) {
            auto t = start(pending.front());
            pending.pop_front();
            if (connectTo) {
                curl_easy_setopt(t->easy, CURLOPT_CONNECT_TO, connectTo);
            }
            curl_multi_add_handle(multi, t->easy);
            running.push_back(std::move(t));
        }
    };
    std::size_t done = 0;
    launch();
    while (!running.empty()) {
        if (m_cancelled) {
            for (auto &t : running) {
                out[t->index].error = "cancelled";
                out[t->index].status = 0;
                curl_multi_remove_handle(multi, t->easy);
                curl_easy_cleanup(t->easy);
                curl_slist_free_all(t->headers);
            }
            running.clear();
            for (auto i : pending) {
                out[i].error = "cancelled";
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
            finish(t, code);
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
    curl_slist_free_all(connectTo);
}

} // namespace lanedeck::kube

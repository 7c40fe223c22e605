#pragma once

#include "base/curl.h"
#include "base/result.h"
#include "kube/execcredential.h"
#include "kube/kubeconfig.h"
#include "kube/proxy.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lanedeck::kube {

struct ClientOptions
{
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds requestTimeout{60'000};
    int maxParallel = 64; ///< requests in flight at once (HTTP/2 streams on one connection)
    std::chrono::milliseconds execTimeout = kExecPluginTimeout; ///< an exec plugin still running is killed
    ExecApprover approveExec;
};

/// One REST call. `path` starts with /api or /apis and carries its query.
struct Request
{
    std::string method = "GET";
    std::string path;
    std::string body;
    std::string contentType = "application/json";
};

/// What came back: an HTTP status and body, or a transport error (no HTTP status) in `error`. A 2xx answer
/// whose body is not a JSON object (a proxy's or a login page's) keeps its status and is an error too.
struct Response
{
    long status = 0;
    std::string body;
    std::string error;
    int httpVersion = 0;     ///< 1 or 2: what the connection spoke
    std::string contentType; ///< the answer's Content-Type, as the server sent it
    /// A write whose outcome is unknown: its answer broke off after the request had gone out, or came from
    /// something in between (a gateway's 502 or 504, a 2xx that is no JSON object). It may have been carried
    /// out; message() says so.
    bool outcomeUnknown = false;
    /// On a 401: whose credentials the server refused, and why when LaneDeck can tell (an expired
    /// certificate).
    std::string rejectedCredentials;

    /// Set when Client::cancel() stopped the request before it ended (`error` then says "cancelled").
    bool cancelled = false;

    bool ok() const { return error.empty() && status >= 200 && status < 300; }
    /// Cancelled, Network for a transport error (no answer, or one that broke off), Failed for an answer
    /// that is an error.
    Error::Kind errorKind() const
    {
        return cancelled        ? Error::Kind::Cancelled
               : !error.empty() ? Error::Kind::Network
                                : Error::Kind::Failed;
    }
    bool notFound() const { return error.empty() && status == 404; }
    /// The body as JSON (null when it is not JSON).
    nlohmann::json json() const;
    /// The server's Status message (made safe to show by parseStatus, status.h: "HTTP 409: Apply failed with
    /// 1 conflict: ..."), a short printable excerpt of any other body ("HTTP 502 (text/html, not a Kubernetes
    /// Status): 502 Bad Gateway nginx"), or the transport error; for 401/403 followed by what the user can
    /// do.
    std::string message() const;
};

/// A Kubernetes API client on libcurl for one Connection: TLS verified unless the kubeconfig turns it off,
/// through the proxy kubectl would use (chooseProxy), HTTP/2 when the server offers it (HTTP/1.1 through an
/// https proxy), and every batch of independent requests in parallel on one multi handle (connections are
/// reused across batches). Not reentrant: one send() at a time; cancel() from any thread.
class Client final
{
public:
    static Result<std::unique_ptr<Client>> create(const Connection &connection,
                                                  const ClientOptions &options = {});
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    /// Runs every request, in parallel, and returns their responses in the same order. A 401 with an exec
    /// credential reruns the plugin once and retries the requests that got it.
    std::vector<Response> send(const std::vector<Request> &requests);
    Response send(const Request &request);

    /// Aborts the running send() (its unfinished requests fail with "cancelled") and every later one.
    void cancel();
    bool cancelled() const { return m_cancelled.load(); }

    /// Called on the sending thread after each response of a send(): done, total.
    void setProgress(std::function<void(std::size_t, std::size_t)> progress)
    {
        m_progress = std::move(progress);
    }

    const Connection &connection() const { return m_connection; }
    /// How many times the exec plugin ran (0 without one).
    int execRuns() const;
    /// How many requests went out since the client was made (retries count again).
    std::size_t requestsSent() const { return m_requestsSent.load(); }

private:
    Client(Connection connection, ClientOptions options);
    struct Auth;
    struct Transfer;
    Result<Auth> currentAuth();
    /// send() without the redaction; `credentialsUsed` gets the token and key of each credential it used.
    std::vector<Response> sendWithRetries(const std::vector<Request> &requests,
                                          std::vector<std::string> &credentialsUsed);
    /// sendOnce, then once more over HTTP/1.1 for every request that may be repeated (reads, dry runs,
    /// server-side apply) whose HTTP/2 stream ended without an answer: a server that closes the connection
    /// gracefully (GOAWAY) leaves the streams it did not take unanswered, and libcurl 7.88 reports them as
    /// "Error in the HTTP2 framing layer" instead of sending them again (docs/RELIABILITY.md).
    void sendOnceResendingRefused(const std::vector<Request> &requests, const std::vector<std::size_t> &which,
                                  const Auth &auth, std::vector<Response> &out);
    /// `refused` (when given) gets the indices whose HTTP/2 stream ended without any answer.
    void sendOnce(const std::vector<Request> &requests, const std::vector<std::size_t> &which,
                  const Auth &auth, std::vector<Response> &out, std::vector<std::size_t> *refused = nullptr,
                  bool http1 = false);
    /// A transfer for requests[index], configured and ready to add to the multi handle (null: out of memory);
    /// `http1` keeps it to HTTP/1.1.
    std::unique_ptr<Transfer> configure(const Request &request, std::size_t index, const Auth &auth,
                                        bool http1 = false) const;
    void configureTls(CURL *easy, const Auth &auth) const;
    /// What a finished transfer means for the caller: the answer, or an error that says where it failed.
    Response toResponse(const Request &request, Transfer &transfer, CURLcode code, const Auth &auth) const;

    Connection m_connection;
    ClientOptions m_options;
    std::unique_ptr<ExecCredentialProvider> m_exec;
    curl::Multi m_multi;
    std::atomic<bool> m_cancelled{false};
    std::atomic<std::size_t> m_requestsSent{0};
    std::function<void(std::size_t, std::size_t)> m_progress;
    std::string m_url;       ///< server URL as requested (host replaced by tls-server-name when set)
    std::string m_connectTo; ///< CURLOPT_CONNECT_TO entry when tls-server-name is set
    ProxyChoice m_proxy;
};

/// "/apis/<group>/<version>" or "/api/v1" for an apiVersion.
std::string apiPrefix(const std::string &apiVersion);

/// Percent-encodes a query parameter value.
std::string urlEncode(const std::string &text);

/// Runs `read`, code that reads server answers with nlohmann's typed accessors, and turns an answer of
/// another shape (a member of another type, where those accessors throw) into an error saying `what` failed
/// and how, instead of an exception out of the core. `after` is added to the message (what the user should
/// know).
template <class F>
auto readingAnswers(const std::string &what, F read, const std::string &after = {}) -> decltype(read())
{
    try {
        return read();
    } catch (const nlohmann::json::exception &e) {
        return Error{what + ": an answer of the API server is not shaped as Kubernetes answers are (" +
                     std::string(e.what()) + ")" + after};
    }
}

} // namespace lanedeck::kube

#pragma once

#include "traffic/summary.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// The sampler's own HTTP/1.1 client pieces (the native engine, see sampler.h): the request bytes, built once
/// per distinct request, and an incremental response parser. Both follow what libcurl 7.88 does for the same
/// request and response, so that the two engines put the same bytes on the wire and give the same error
/// kinds.
namespace lanedeck::traffic::http1 {

/// One request as the sampler configures it.
struct RequestSpec
{
    std::string method = "GET";
    std::string target = "/";         ///< path and query, as in the request line
    std::string host;                 ///< the Host header's default value: host, ":port" unless it is 80
    std::vector<std::string> headers; ///< "Name: value"; an empty value suppresses that header
    std::string body;
};

/// The bytes libcurl sends for `spec`: request line, Host, Accept, the custom headers in order, then for a
/// body Content-Length and Content-Type (each unless a custom header of that name exists), the blank line and
/// the body. A custom Host replaces the default in place; "Name:" with no value is not sent. HEAD sends no
/// body.
std::string buildRequest(const RequestSpec &spec);

/// Reads one response after another from a connection's bytes, as they arrive in pieces: the status line, the
/// headers it needs (Content-Length, Transfer-Encoding: chunked, Connection, and the classifier's header),
/// and a body delimited by its length, by chunks or by the connection's close. It keeps the first `bodyLimit`
/// bytes of the body (classification reads no more) and consumes the rest. After the first response it
/// allocates nothing: its buffers keep their capacity.
class ResponseParser final
{
public:
    enum class Progress
    {
        NeedMore, ///< the response is not complete yet
        Done,     ///< a whole response; status(), body() and the rest are valid until reset()
        Failed,   ///< not a response that can be read; error() says how libcurl would have reported it
    };

    /// Lines longer than this (libcurl's CURL_MAX_HTTP_HEADER) fail the response.
    static constexpr std::size_t kMaxLine = 100 * 1024;
    /// The classifier's header value is cut at this length, as the libcurl engine cuts it.
    static constexpr std::size_t kMaxHeaderValue = 1024;

    /// `headerName`: the header to keep the value of (lowercase; empty: none). `keepBody`: whether to keep
    /// body bytes at all (a header classifier does not read them).
    void configure(std::string headerName, bool keepBody, std::size_t bodyLimit);

    /// Ready for the next response; `headRequest`: the response has no body whatever its headers say.
    void reset(bool headRequest);

    /// Consumes bytes of the response; `consumed` says how many belonged to it (after Done, the rest do not:
    /// the server sent more than one response's worth).
    Progress feed(const char *data, std::size_t size, std::size_t &consumed);
    /// The server closed the connection: completes a body that the close delimits, fails any other response
    /// that is not complete (headers cut short: Unparseable; nothing, part of a status line or a body cut
    /// short: Transport, as libcurl's "empty reply" and "transfer closed").
    Progress closed();

    bool started() const { return m_started; } ///< any byte of the response arrived
    int status() const { return m_status; }
    /// Whether the connection can carry another request after this response (HTTP/1.1 without
    /// "Connection: close", HTTP/1.0 with "Connection: keep-alive", a body not delimited by the close).
    bool keepAlive() const { return m_keepAlive && m_state != State::UntilClose; }
    ErrorKind error() const { return m_error; }
    std::string_view body() const { return m_body; }
    std::string_view headerValue() const { return m_headerValue; }

private:
    enum class State : std::uint8_t
    {
        StatusLine,
        Headers,
        FixedBody,
        ChunkSize,
        ChunkLineEnd,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done,
        Failed,
    };

    Progress fail(ErrorKind kind);
    bool line(std::string_view text);
    bool statusLine(std::string_view text);
    void header(std::string_view name, std::string_view value);
    void headersEnd();
    void keep(const char *data, std::size_t size);
    std::size_t chunked(const char *data, std::size_t size);

    std::string m_headerName;
    bool m_keepBody = true;
    std::size_t m_bodyLimit = 0;

    State m_state = State::StatusLine;
    bool m_head = false;
    bool m_interim = false; ///< a 1xx answer: another status line follows its headers
    bool m_started = false;
    bool m_keepAlive = true;
    bool m_http10 = false;
    bool m_chunked = false;
    bool m_hasLength = false;
    int m_status = 0;
    ErrorKind m_error = ErrorKind::None;
    std::uint64_t m_remaining = 0; ///< of the fixed-length body, or of the current chunk
    std::uint64_t m_length = 0;
    int m_hexDigits = 0;
    std::string m_line; ///< a status or header line (or trailer) that arrived in pieces
    std::string m_body;
    std::string m_headerValue;
};

} // namespace lanedeck::traffic::http1

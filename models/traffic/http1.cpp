#include "traffic/http1.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace lanedeck::traffic::http1 {

namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool sameIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

/// Whether the comma-separated list `value` has `token` (lowercase) in it, in any case.
bool hasToken(std::string_view value, std::string_view token)
{
    while (!value.empty()) {
        const auto comma = value.find(',');
        if (sameIgnoringCase(trim(value.substr(0, comma)), token)) {
            return true;
        }
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
    return false;
}

int hexValue(char c)
{
    if (isDigit(c)) {
        return c - '0';
    }
    const char l = lower(c);
    return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

std::string_view nameOf(std::string_view header)
{
    return header.substr(0, header.find(':'));
}

std::string_view valueOf(std::string_view header)
{
    const auto colon = header.find(':');
    return colon == std::string_view::npos ? std::string_view() : trim(header.substr(colon + 1));
}

} // namespace

std::string buildRequest(const RequestSpec &spec)
{
    const auto custom = [&spec](std::string_view name) -> const std::string * {
        for (const auto &header : spec.headers) {
            if (sameIgnoringCase(nameOf(header), name)) {
                return &header;
            }
        }
        return nullptr;
    };
    const bool withBody = spec.method != "HEAD" && !spec.body.empty();
    std::string request = spec.method + ' ' + spec.target + " HTTP/1.1\r\n";
    if (const std::string *host = custom("Host")) {
        if (!valueOf(*host).empty()) {
            request += "Host:" + host->substr(host->find(':') + 1) + "\r\n";
        }
    } else {
        request += "Host: " + spec.host + "\r\n";
    }
    if (!custom("Accept")) {
        request += "Accept: */*\r\n";
    }
    for (const auto &header : spec.headers) {
        if (!sameIgnoringCase(nameOf(header), "Host") && !valueOf(header).empty()) {
            request += header + "\r\n";
        }
    }
    if (withBody) {
        if (!custom("Content-Length")) {
            request += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n";
        }
        if (!custom("Content-Type")) {
            request += "Content-Type: application/x-www-form-urlencoded\r\n";
        }
    }
    request += "\r\n";
    if (withBody) {
        request += spec.body;
    }
    return request;
}

void ResponseParser::configure(std::string headerName, bool keepBody, std::size_t bodyLimit)
{
    m_headerName = std::move(headerName);
    m_keepBody = keepBody;
    m_bodyLimit = bodyLimit;
    m_body.reserve(keepBody ? std::min<std::size_t>(bodyLimit, 4096) : 0);
}

void ResponseParser::reset(bool headRequest)
{
    m_state = State::StatusLine;
    m_head = headRequest;
    m_interim = false;
    m_started = false;
    m_keepAlive = true;
    m_http10 = false;
    m_chunked = false;
    m_hasLength = false;
    m_status = 0;
    m_error = ErrorKind::None;
    m_remaining = 0;
    m_length = 0;
    m_hexDigits = 0;
    m_line.clear();
    m_body.clear();
    m_headerValue.clear();
}

ResponseParser::Progress ResponseParser::fail(ErrorKind kind)
{
    m_state = State::Failed;
    m_error = kind;
    m_keepAlive = false;
    return Progress::Failed;
}

void ResponseParser::keep(const char *data, std::size_t size)
{
    if (m_keepBody && m_body.size() < m_bodyLimit) {
        m_body.append(data, std::min(size, m_bodyLimit - m_body.size()));
    }
}

ResponseParser::Progress ResponseParser::feed(const char *data, std::size_t size, std::size_t &consumed)
{
    std::size_t at = 0;
    m_started = m_started || size > 0;
    while (at < size && m_state != State::Done && m_state != State::Failed) {
        switch (m_state) {
        case State::StatusLine:
        case State::Headers:
        case State::Trailers: {
            const char *begin = data + at;
            const auto *end = static_cast<const char *>(std::memchr(begin, '\n', size - at));
            const std::size_t length = end ? std::size_t(end - begin) + 1 : size - at;
            if (m_line.size() + length > kMaxLine) {
                return fail(ErrorKind::Transport); // libcurl: "Avoided giant realloc for header"
            }
            std::string_view text(begin, length);
            if (!m_line.empty() || !end) {
                m_line.append(begin, length);
                text = m_line;
            }
            at += length;
            if (m_state == State::StatusLine) {
                // libcurl tells a non-HTTP answer by its first bytes, without waiting for a whole line.
                const std::string_view prefix = text.substr(0, 5);
                if (!sameIgnoringCase(prefix, std::string_view("HTTP/").substr(0, prefix.size()))) {
                    return fail(ErrorKind::Unparseable);
                }
            }
            if (!end) {
                break;
            }
            text.remove_suffix(1);
            if (!text.empty() && text.back() == '\r') {
                text.remove_suffix(1);
            }
            const bool ok = line(text);
            m_line.clear();
            if (!ok) {
                return Progress::Failed;
            }
            break;
        }
        case State::FixedBody: {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, size - at));
            keep(data + at, n);
            at += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = State::Done;
            }
            break;
        }
        case State::UntilClose:
            keep(data + at, size - at);
            at = size;
            break;
        default:
            at += chunked(data + at, size - at);
            if (m_state == State::Failed) {
                return Progress::Failed;
            }
            break;
        }
    }
    consumed = at;
    return m_state == State::Done ? Progress::Done : Progress::NeedMore;
}

ResponseParser::Progress ResponseParser::closed()
{
    m_keepAlive = false;
    if (m_state == State::UntilClose || m_state == State::Done) {
        m_state = State::Done;
        return Progress::Done;
    }
    if (m_state == State::Headers) {
        return fail(ErrorKind::Unparseable); // headers cut short: libcurl's "weird server reply"
    }
    // Nothing at all, or not even a whole status line ("empty reply from server"), or a body short of its
    // length or its last chunk ("transfer closed with outstanding read data remaining").
    return fail(ErrorKind::Transport);
}

bool ResponseParser::line(std::string_view text)
{
    switch (m_state) {
    case State::StatusLine:
        return statusLine(text);
    case State::Headers:
        if (text.empty()) {
            headersEnd();
            return true;
        }
        if (const auto colon = text.find(':'); colon != std::string_view::npos) {
            header(text.substr(0, colon), trim(text.substr(colon + 1)));
        }
        return m_state != State::Failed;
    default: // trailers: read and forgotten, up to the blank line that ends the response
        if (text.empty()) {
            m_state = State::Done;
        }
        return true;
    }
}

bool ResponseParser::statusLine(std::string_view text)
{
    // "HTTP/1.x NNN reason", as libcurl reads it: versions 1.0 and 1.1, a three-digit code from 100.
    const bool shaped = text.size() >= 12 && text.starts_with("HTTP/1.") &&
                        (text[7] == '0' || text[7] == '1') && text[8] == ' ' && isDigit(text[9]) &&
                        text[9] != '0' && isDigit(text[10]) && isDigit(text[11]) &&
                        (text.size() == 12 || !isDigit(text[12]));
    if (!shaped) {
        fail(ErrorKind::Unparseable);
        return false;
    }
    m_status = (text[9] - '0') * 100 + (text[10] - '0') * 10 + (text[11] - '0');
    m_http10 = text[7] == '0';
    m_keepAlive = !m_http10;
    m_interim = m_status < 200 && m_status != 101;
    m_chunked = false;
    m_hasLength = false;
    m_state = State::Headers;
    return true;
}

void ResponseParser::header(std::string_view name, std::string_view value)
{
    const bool bodyless = m_head || m_status < 200 || m_status == 204 || m_status == 304;
    if (sameIgnoringCase(name, "content-length") && !bodyless) {
        if (value.empty() || !isDigit(value.front())) {
            fail(ErrorKind::Unparseable); // libcurl: "Invalid Content-Length: value"
            return;
        }
        std::uint64_t length = 0;
        bool overflow = false;
        for (std::size_t i = 0; i < value.size() && isDigit(value[i]); ++i) {
            const auto digit = static_cast<std::uint64_t>(value[i] - '0');
            overflow =
                overflow || length > (std::uint64_t(std::numeric_limits<std::int64_t>::max()) - digit) / 10;
            length = overflow ? 0 : length * 10 + digit;
        }
        // Too large to be true: libcurl reads such a body up to the close.
        m_hasLength = !overflow;
        m_length = length;
        m_keepAlive = m_keepAlive && !overflow;
    } else if (sameIgnoringCase(name, "transfer-encoding")) {
        m_chunked = m_chunked || hasToken(value, "chunked");
    } else if (sameIgnoringCase(name, "connection")) {
        if (hasToken(value, "close")) {
            m_keepAlive = false;
        } else if (m_http10 && hasToken(value, "keep-alive")) {
            m_keepAlive = true;
        }
    }
    if (!m_headerName.empty() && sameIgnoringCase(name, m_headerName)) {
        m_headerValue.assign(value.substr(0, kMaxHeaderValue));
    }
}

void ResponseParser::headersEnd()
{
    if (m_interim) {
        m_state = State::StatusLine; // "100 Continue" and the like: the real answer follows
        return;
    }
    if (m_head || m_status < 200 || m_status == 204 || m_status == 304) {
        m_state = State::Done;
        m_keepAlive = m_keepAlive && m_status != 101;
    } else if (m_chunked) {
        m_state = State::ChunkSize;
        m_length = 0;
        m_hexDigits = 0;
    } else if (m_hasLength) {
        m_remaining = m_length;
        m_state = m_length == 0 ? State::Done : State::FixedBody;
    } else {
        m_state = State::UntilClose;
    }
}

std::size_t ResponseParser::chunked(const char *data, std::size_t size)
{
    // As libcurl's chunk reader: a hex size (16 digits at most), anything up to the line's end (extensions),
    // the data, then CR LF; size 0 ends the chunks and trailer lines follow. Bad framing is a receive error.
    std::size_t at = 0;
    while (at < size) {
        const char c = data[at];
        switch (m_state) {
        case State::ChunkSize:
            if (const int value = hexValue(c); value >= 0) {
                if (m_hexDigits == 16) {
                    fail(ErrorKind::Transport);
                    return at;
                }
                m_length = m_length * 16 + std::uint64_t(value);
                ++m_hexDigits;
                ++at;
            } else if (m_hexDigits == 0) {
                fail(ErrorKind::Transport);
                return at;
            } else {
                m_state = State::ChunkLineEnd;
            }
            break;
        case State::ChunkLineEnd:
            ++at;
            if (c == '\n') {
                m_remaining = m_length;
                m_state = m_length == 0 ? State::Trailers : State::ChunkData;
                if (m_length == 0) {
                    return at;
                }
            }
            break;
        case State::ChunkData: {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_remaining, size - at));
            keep(data + at, n);
            at += n;
            m_remaining -= n;
            if (m_remaining == 0) {
                m_state = State::ChunkDataEnd;
            }
            break;
        }
        case State::ChunkDataEnd:
            ++at;
            if (c == '\n') {
                m_state = State::ChunkSize;
                m_length = 0;
                m_hexDigits = 0;
            } else if (c != '\r') {
                fail(ErrorKind::Transport);
                return at;
            }
            break;
        default:
            return at;
        }
    }
    return at;
}

} // namespace lanedeck::traffic::http1

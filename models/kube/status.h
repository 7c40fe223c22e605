#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lanedeck::kube {

/// One entry of a Status's details.causes: a field the server refused, and why.
struct StatusCause
{
    std::string reason; ///< "FieldManagerConflict", "FieldValueInvalid", ...
    std::string message;
    std::string field;
};

/// What an API server answered to a failed request: its Status object (metav1.Status) when the body is one,
/// else the start of whatever the body is (a proxy's HTML page, "404 page not found"). Every text is made
/// safe for display (displayText: valid UTF-8, no control characters but line feed and tab, bounded), so a
/// broken or hostile server can neither flood a message nor smuggle terminal escapes into it.
struct ApiStatus
{
    long httpStatus = 0;
    bool isStatus = false; ///< the body is a Status object with a message
    std::string message;   ///< the Status's message, or the start of a body that is not a Status
    std::vector<StatusCause> causes;

    /// "HTTP 409: <message>", and for 401 and 403 what the user can do about it.
    std::string summary() const;
};

/// Bounds of the texts an ApiStatus holds, in bytes (a cut text ends in "…", three bytes more).
inline constexpr std::size_t kMaxStatusMessageBytes = 4000;
inline constexpr std::size_t kMaxBodyQuoteBytes = 500;
inline constexpr std::size_t kMaxCauseTextBytes = 500;
inline constexpr std::size_t kMaxStatusCauses = 100;

/// Reads the body of an answer with HTTP status `httpStatus`. Never fails: a field of the wrong type counts
/// as missing, and a body that is not a Status is quoted (its start) instead.
ApiStatus parseStatus(std::string_view body, long httpStatus);

/// What a quoted body puts in place of one of the client's own secrets.
inline constexpr std::string_view kRedacted = "[redacted]";

/// Replaces, in `body`, every occurrence of each secret (and of its base64 and percent-encoded forms) with
/// kRedacted. For the bodies the client may quote: a proxy or gateway that echoes the request's headers in
/// its error page would otherwise put the client's token or password into a message. Secrets shorter than
/// 6 bytes are skipped: they would match ordinary text, and no real credential is that short.
void redactSecrets(std::string &body, const std::vector<std::string> &secrets);

} // namespace lanedeck::kube

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lanedeck {

/// The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points above
/// U+10FFFF included), or nothing when the text is valid. YAML and JSON text must be Unicode: input that
/// is not is refused at the edge rather than carried into documents and resources.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

/// Why text cannot be YAML, and at which byte: invalid UTF-8, or a NUL byte (which YAML forbids, and which
/// makes yaml-cpp guess UTF-16 or UTF-32 and decode the rest into garbage; found by fuzz_yaml).
struct TextProblem
{
    std::size_t offset = 0;
    std::string what;
};
std::optional<TextProblem> checkYamlText(std::string_view text);

/// At most `maxChars` characters of text someone else wrote (a server's error page, a plugin's stderr), safe
/// to put in a one-line message: every run of whitespace, control characters (C1 controls included) and
/// terminal escape sequences ("ESC [ 31 m") becomes one space, bytes that are not UTF-8 become U+FFFD, the
/// ends are trimmed, and a cut is marked with "...".
std::string printableExcerpt(std::string_view text, std::size_t maxChars);

/// Text another program wrote (an API server's message, a web page, a plugin's output), made safe to show
/// in a label and print to a terminal: bytes that are not UTF-8 and control characters other than line feed
/// and tab (C0, DEL, C1, and the bidirectional marks, overrides and isolates, which reorder what is shown)
/// each become U+FFFD, and text beyond `maxBytes` is cut at a character boundary and ends in "…". The result
/// is valid UTF-8 of at most maxBytes + 3 bytes; printable text comes back unchanged.
std::string displayText(std::string_view text, std::size_t maxBytes);

} // namespace lanedeck

#include "base/utf8.h"

#include <algorithm>

namespace lanedeck {

namespace {

/// The code point that starts at bytes[i] and its length in bytes, or a length of 0 when the bytes there
/// are not UTF-8 (overlong forms, surrogates and code points above U+10FFFF included).
struct Decoded
{
    char32_t codePoint = 0;
    std::size_t length = 0;
};

Decoded decodeAt(std::string_view text, std::size_t i)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t size = text.size();
    const unsigned char c = bytes[i];
    if (c < 0x80) {
        return {c, 1};
    }
    std::size_t length = 0;
    char32_t codePoint = 0;
    char32_t minimum = 0;
    if ((c & 0xE0) == 0xC0) {
        length = 2, codePoint = c & 0x1F, minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        length = 3, codePoint = c & 0x0F, minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        length = 4, codePoint = c & 0x07, minimum = 0x10000;
    } else {
        return {};
    }
    if (i + length > size) {
        return {};
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((bytes[i + k] & 0xC0) != 0x80) {
            return {};
        }
        codePoint = (codePoint << 6) | (bytes[i + k] & 0x3F);
    }
    if (codePoint < minimum || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
        return {};
    }
    return {codePoint, length};
}

bool hiddenControl(char32_t c)
{
    if (c == '\n' || c == '\t') {
        return false;
    }
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x200E || c == 0x200F ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

} // namespace

std::optional<std::size_t> firstInvalidUtf8(std::string_view text)
{
    for (std::size_t i = 0; i < text.size();) {
        const Decoded d = decodeAt(text, i);
        if (d.length == 0) {
            return i;
        }
        i += d.length;
    }
    return std::nullopt;
}

std::optional<TextProblem> checkYamlText(std::string_view text)
{
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        return TextProblem{nul, "a NUL byte, which YAML text cannot hold"};
    }
    if (auto bad = firstInvalidUtf8(text)) {
        return TextProblem{*bad, "not UTF-8 text"};
    }
    return std::nullopt;
}

std::string printableExcerpt(std::string_view text, std::size_t maxChars)
{
    std::string out;
    std::size_t chars = 0;
    bool space = false;
    std::size_t i = 0;
    while (i < text.size() && chars < maxChars) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = c < 0x80             ? 1
                             : (c & 0xE0) == 0xC0 ? 2
                             : (c & 0xF0) == 0xE0 ? 3
                             : (c & 0xF8) == 0xF0 ? 4
                                                  : 0;
        if (length > 1 && (i + length > text.size() || firstInvalidUtf8(text.substr(i, length)))) {
            length = 0;
        }
        const bool c1Control = length == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
        if (c == 0x1B && i + 1 < text.size() && text[i + 1] == '[') {
            // A terminal control sequence (colours, cursor moves): ESC [, parameters, a final byte @..~.
            length = 2;
            while (i + length < text.size() && (text[i + length] < 0x40 || text[i + length] > 0x7E)) {
                ++length;
            }
            ++length;
        }
        if ((length == 1 && (c <= 0x20 || c == 0x7F)) || c1Control || c == 0x1B) {
            space = !out.empty();
            i += length;
            continue;
        }
        if (space) {
            out += ' ';
            ++chars;
            space = false;
        }
        if (length == 0) {
            out += "\xEF\xBF\xBD"; // U+FFFD for a byte that is not UTF-8
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
        ++chars;
    }
    if (i < text.size()) {
        // Only a cut that drops more than trailing whitespace is marked.
        const auto rest = text.substr(i);
        if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            out += "...";
        }
    }
    return out;
}

std::string displayText(std::string_view text, std::size_t maxBytes)
{
    static constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD
    static constexpr std::string_view ellipsis = "\xE2\x80\xA6";    // U+2026
    std::string out;
    out.reserve(std::min(text.size(), maxBytes) + ellipsis.size());
    for (std::size_t i = 0; i < text.size();) {
        const Decoded d = decodeAt(text, i);
        const bool keep = d.length > 0 && !hiddenControl(d.codePoint);
        const std::string_view piece = keep ? text.substr(i, d.length) : replacement;
        if (out.size() + piece.size() > maxBytes) {
            out += ellipsis;
            break;
        }
        out += piece;
        i += std::max<std::size_t>(d.length, 1);
    }
    return out;
}

} // namespace lanedeck

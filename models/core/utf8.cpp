#include "core/utf8.h"

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

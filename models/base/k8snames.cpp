#include "base/k8snames.h"

#include <cctype>

namespace lanedeck::k8s {
namespace {

bool isLowerAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isAlnum(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

std::optional<std::string> checkQualifiedNamePart(std::string_view name)
{
    if (name.empty()) {
        return "name part must not be empty";
    }
    if (name.size() > 63) {
        return "name part must be no more than 63 characters";
    }
    if (!isAlnum(name.front()) || !isAlnum(name.back())) {
        return "name part must start and end with an alphanumeric character";
    }
    for (char c : name) {
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
            return "name part must consist of alphanumeric characters, '-', '_' or '.'";
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<std::string> checkDns1123Label(std::string_view value)
{
    if (value.empty()) {
        return "must not be empty";
    }
    if (value.size() > 63) {
        return "must be no more than 63 characters";
    }
    if (!isLowerAlnum(value.front()) || !isLowerAlnum(value.back())) {
        return "must start and end with a lowercase letter or digit (RFC 1123 label)";
    }
    for (char c : value) {
        if (!isLowerAlnum(c) && c != '-') {
            return "must consist of lowercase letters, digits and '-' (RFC 1123 label)";
        }
    }
    return std::nullopt;
}

std::optional<std::string> checkDns1123Subdomain(std::string_view value)
{
    if (value.empty()) {
        return "must not be empty";
    }
    if (value.size() > 253) {
        return "must be no more than 253 characters";
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = value.find('.', start);
        const std::string_view part =
            value.substr(start, dot == std::string_view::npos ? value.npos : dot - start);
        if (auto problem = checkDns1123Label(part)) {
            return "must be a lowercase RFC 1123 subdomain (dot-separated labels); a label " + *problem;
        }
        if (dot == std::string_view::npos) {
            return std::nullopt;
        }
        start = dot + 1;
    }
}

std::optional<std::string> checkLabelKey(std::string_view value)
{
    const std::size_t slash = value.find('/');
    std::string_view name = value;
    if (slash != std::string_view::npos) {
        const std::string_view prefix = value.substr(0, slash);
        if (auto problem = checkDns1123Subdomain(prefix)) {
            return "prefix " + *problem;
        }
        name = value.substr(slash + 1);
    }
    return checkQualifiedNamePart(name);
}

std::optional<std::string> checkLabelValue(std::string_view value)
{
    if (value.empty()) {
        return std::nullopt;
    }
    if (value.size() > 63) {
        return "must be no more than 63 characters";
    }
    if (!isAlnum(value.front()) || !isAlnum(value.back())) {
        return "must start and end with an alphanumeric character";
    }
    for (char c : value) {
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
            return "must consist of alphanumeric characters, '-', '_' or '.'";
        }
    }
    return std::nullopt;
}

std::optional<std::string> checkHeaderName(std::string_view value)
{
    if (value.empty()) {
        return "must not be empty";
    }
    static constexpr std::string_view tokenSymbols = "!#$%&'*+-.^_`|~";
    for (char c : value) {
        const bool symbol = tokenSymbols.find(c) != std::string_view::npos;
        if (!isAlnum(c) && !symbol) {
            return "must be an HTTP header name (RFC 7230 token: letters, digits and !#$%&'*+-.^_`|~)";
        }
        if (std::isupper(static_cast<unsigned char>(c))) {
            return "must be lowercase (HTTP/2 and Envoy match header names in lowercase)";
        }
    }
    return std::nullopt;
}

} // namespace lanedeck::k8s

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lanedeck::k8s {

// Kubernetes' own naming rules (apimachinery/pkg/util/validation). Each returns the reason a name is
// rejected, in the API server's words, or nothing when it is valid.

/// RFC 1123 label: lowercase alphanumerics and '-', starts and ends alphanumeric, at most 63 characters.
std::optional<std::string> checkDns1123Label(std::string_view value);
/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
std::optional<std::string> checkDns1123Subdomain(std::string_view value);
/// A label key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.
std::optional<std::string> checkLabelKey(std::string_view value);
/// A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric.
std::optional<std::string> checkLabelValue(std::string_view value);
/// An HTTP header name as Envoy matches it: an RFC 7230 token in lowercase.
std::optional<std::string> checkHeaderName(std::string_view value);

} // namespace lanedeck::k8s

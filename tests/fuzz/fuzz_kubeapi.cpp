// libFuzzer target: the readers of Kubernetes API answers. The input is an HTTP status line ("409") and the
// body after it; every reader gets the body, as each of them may meet any answer a server (or a proxy in
// front of it) sends: the Status reader (parseStatus, behind every error message), and discovery's readers of
// an APIGroup, an APIResourceList, the VirtualService CRD and /version. One target for all of them: they
// share the input (a response body) and its seeds (real answers of the test cluster), and a structure found
// for one reader is worth trying on the others. Besides "no crash, hang or leak":
// - a Status message is bounded and safe to show: the summary starts with "HTTP <status>", is valid UTF-8
//   without control characters other than line feed and tab (no terminal escapes, no carriage returns, no
//   bidirectional overrides), at most 4 KiB of message; every cause is bounded and safe too;
// - a Status message that is plain printable text and not too long is shown verbatim;
// - discovery only yields what it may build request paths from: the versions of an APIGroup are versions of
//   the group asked for (DNS labels), and every kind of an APIResourceList has a resource name that is a DNS
//   subdomain, so objectPath stays under the group version's prefix;
// - a CRD read as declaring `fallback` does have a property of that name;
// - a server version (GET /version) is bounded and safe to show.
#include "base/k8snames.h"
#include "kube/discovery.h"
#include "kube/status.h"

#include <QList>
#include <QString>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace lanedeck;
using nlohmann::json;

constexpr std::size_t kMessageBound = 4096; // bytes of a Status message or a quoted body, cut mark included
constexpr std::size_t kSummaryExtra = 200;  // "HTTP 403: " and the advice after the message
constexpr std::size_t kVerbatimUpTo = 1000; // a plain message this long or shorter is shown as it is

[[noreturn]] void fail(const char *property, const std::string &detail)
{
    std::fprintf(stderr, "property violated: %s\n%s\n", property, detail.c_str());
    std::abort();
}

/// Valid UTF-8 with no control character but line feed and tab, and no bidirectional mark, override or
/// isolate. Decoded by Qt, independently of the product's own text handling.
bool safeToShow(const std::string &text)
{
    const QString decoded = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
    if (decoded.toUtf8() != QByteArray::fromStdString(text)) {
        return false; // Qt replaced bytes that are not UTF-8
    }
    for (char32_t c : decoded.toUcs4()) {
        if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c <= 0x9F) || c == 0x200E || c == 0x200F ||
            (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
            return false;
        }
    }
    return true;
}

bool plainText(const std::string &text)
{
    for (unsigned char c : text) {
        if ((c < 0x20 && c != '\n') || c > 0x7E) {
            return false;
        }
    }
    return true;
}

void checkStatus(const std::string &body, long httpStatus)
{
    const kube::ApiStatus status = kube::parseStatus(body, httpStatus);
    const std::string summary = status.summary();
    const std::string prefix = "HTTP " + std::to_string(httpStatus);
    if (summary.compare(0, prefix.size(), prefix) != 0) {
        fail("a summary starts with HTTP <status>", summary);
    }
    if (status.message.size() > kMessageBound || summary.size() > kMessageBound + kSummaryExtra) {
        fail("a Status message is bounded", std::to_string(summary.size()) + " bytes");
    }
    if (!safeToShow(summary)) {
        fail("a Status message is safe to show", summary);
    }
    for (const auto &cause : status.causes) {
        for (const std::string *text : {&cause.reason, &cause.message, &cause.field}) {
            if (text->size() > kMessageBound || !safeToShow(*text)) {
                fail("a Status cause is bounded and safe to show", *text);
            }
        }
    }
    const json j = json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("kind") && j["kind"] == "Status" && j.contains("message") &&
        j["message"].is_string()) {
        const std::string message = j["message"].get<std::string>();
        if (!message.empty() && message.size() <= kVerbatimUpTo && plainText(message) &&
            summary.find(message) == std::string::npos) {
            fail("a plain Status message is shown verbatim", summary + "\n" + message);
        }
    }
}

void checkDiscovery(const std::string &body)
{
    for (const std::string group : {"networking.istio.io", "istio.alibabacloud.com"}) {
        if (auto versions = kube::parseApiGroup(body, group)) {
            for (const auto &v : *versions) {
                if (v.groupVersion != group + '/' + v.version || k8s::checkDns1123Label(v.version)) {
                    fail("an APIGroup's versions belong to the group asked for",
                         v.groupVersion + " / " + v.version);
                }
            }
        }
        const std::string groupVersion = group + "/v1";
        if (auto kinds = kube::parseApiResourceList(body, groupVersion)) {
            for (const auto &kind : *kinds) {
                if (kind.apiVersion != groupVersion || kind.kind.empty() ||
                    k8s::checkDns1123Subdomain(kind.plural)) {
                    fail("an APIResourceList's kinds have DNS resource names in the version asked for",
                         kind.apiVersion + " " + kind.kind + " " + kind.plural);
                }
                const std::string path = kube::objectPath(kind, "ns", "name");
                const std::string expected = kube::apiPrefix(groupVersion) +
                                             (kind.namespaced ? "/namespaces/ns/" : "/") + kind.plural +
                                             "/name";
                if (path != expected) {
                    fail("an object path stays under its group version", path);
                }
            }
        }
    }
    if (auto version = kube::parseServerVersion(body);
        version && (version->size() > 200 || !safeToShow(*version))) {
        fail("a server version is bounded and safe to show", *version);
    }
    if (auto declared = kube::parseFallbackDeclared(body); declared && *declared) {
        if (json::parse(body, nullptr, false).dump().find("\"fallback\":") == std::string::npos) {
            fail("a CRD declaring fallback has a property of that name", body.substr(0, 200));
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char *>(data), size);
    const auto newline = input.find('\n');
    long httpStatus = 0;
    const std::string line = input.substr(0, newline);
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), httpStatus);
    if (newline == std::string::npos || ec != std::errc() || end != line.data() + line.size() ||
        httpStatus < 100 || httpStatus > 599) {
        return -1; // not "<status>\n<body>": libFuzzer keeps no such input in the corpus
    }
    const std::string body = input.substr(newline + 1);
    checkStatus(body, httpStatus);
    checkDiscovery(body);
    return 0;
}

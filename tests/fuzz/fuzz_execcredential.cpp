// libFuzzer target: the ExecCredential reader (parseExecCredential) on anything an exec plugin may print,
// read as client.authentication.k8s.io/v1 and as v1beta1. Besides "no crash, hang or leak":
// - an error never quotes the credential the output holds (the token, key or certificate in its status):
//   checked differentially, as fuzz_kubeconfig does, against the same output with the credential masked;
// - output that is not JSON gets the same error whatever it is (nothing of it is quoted);
// - an accepted credential is usable: a token, or a certificate with its key, and a token that fits an HTTP
//   header (no control characters, which would end the Authorization header or cut it short);
// - an accepted expirationTimestamp is RFC 3339 as client-go reads it (an independent strict reader here
//   agrees on the instant, and refuses what it refuses), and it round-trips: written back in UTC, it reads
//   as the same instant.
#include "kube/execcredential.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace {

using nlohmann::json;
using namespace std::chrono;

[[noreturn]] void fail(const char *property, const std::string &detail)
{
    std::fprintf(stderr, "property violated: %s\n%s\n", property, detail.c_str());
    std::abort();
}

std::size_t occurrences(const std::string &text, const std::string &needle)
{
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

/// RFC 3339 as Go's time.Parse(time.RFC3339, ...) takes it (client-go reads expirationTimestamp so):
/// YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or +hh:mm/-hh:mm; the day must exist in its month.
/// Milliseconds, fraction truncated, as LaneDeck keeps the expiry.
std::optional<sys_time<milliseconds>> referenceRfc3339(const std::string &s)
{
    auto digits = [&s](std::size_t at, std::size_t n) -> std::optional<int> {
        if (at + n > s.size()) {
            return std::nullopt;
        }
        int value = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') {
                return std::nullopt;
            }
            value = value * 10 + (s[i] - '0');
        }
        return value;
    };
    auto is = [&s](std::size_t at, char c) { return at < s.size() && s[at] == c; };
    const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
               sec = digits(17, 2);
    if (!y || !mo || !d || !h || !mi || !sec || !is(4, '-') || !is(7, '-') || !is(10, 'T') || !is(13, ':') ||
        !is(16, ':')) {
        return std::nullopt;
    }
    const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
    if (!date.ok() || *h > 23 || *mi > 59 || *sec > 59) {
        return std::nullopt;
    }
    std::size_t at = 19;
    milliseconds fraction{0};
    if (is(at, '.')) {
        std::size_t n = 0;
        int ms = 0;
        for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++n) {
            if (n < 3) {
                ms = ms * 10 + (s[at] - '0');
            }
        }
        if (n == 0) {
            return std::nullopt;
        }
        for (std::size_t k = n; k < 3; ++k) {
            ms *= 10;
        }
        fraction = milliseconds(ms);
    }
    minutes offset{0};
    if (is(at, 'Z')) {
        ++at;
    } else if (is(at, '+') || is(at, '-')) {
        const auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
        if (!oh || !om || !is(at + 3, ':') || *oh > 23 || *om > 59) {
            return std::nullopt;
        }
        offset = minutes((*oh) * 60 + *om) * (s[at] == '-' ? -1 : 1);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != s.size()) {
        return std::nullopt;
    }
    return sys_days(date) + hours(*h) + minutes(*mi) + seconds(*sec) + fraction - offset;
}

/// An instant as RFC 3339 in UTC with milliseconds, or nothing outside the years 0000-9999 RFC 3339 can
/// write.
std::optional<std::string> formatRfc3339(sys_time<milliseconds> ms)
{
    const auto dayStart = floor<days>(ms);
    const year_month_day date{dayStart};
    if (int(date.year()) < 0 || int(date.year()) > 9999) {
        return std::nullopt;
    }
    const hh_mm_ss time{ms - dayStart};
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(date.year()),
                  unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                  int(time.minutes().count()), int(time.seconds().count()), int(time.subseconds().count()));
    return std::string(text);
}

/// The status member `key` when the output is an object whose status is an object holding a string there.
const json *statusString(const json &output, const char *key)
{
    if (!output.is_object() || !output.contains("status") || !output["status"].is_object()) {
        return nullptr;
    }
    const json &status = output["status"];
    return status.contains(key) && status[key].is_string() ? &status[key] : nullptr;
}

void check(const std::string &input, const json &parsed, const std::string &apiVersion)
{
    using lanedeck::kube::parseExecCredential;
    const auto result = parseExecCredential(input, apiVersion);
    if (!result) {
        const std::string &said = result.error().message;
        // Refused for its expirationTimestamp alone (a plain one in its place is accepted): the reference
        // must refuse that timestamp too.
        if (const json *timestamp = statusString(parsed, "expirationTimestamp");
            timestamp && referenceRfc3339(timestamp->get<std::string>())) {
            json plain = parsed;
            plain["status"]["expirationTimestamp"] = "2030-01-01T00:00:00Z";
            if (parseExecCredential(plain.dump(), apiVersion)) {
                fail("an RFC 3339 expirationTimestamp is accepted", timestamp->get<std::string>());
            }
        }
        if (parsed.is_discarded()) {
            static const std::string notJson = parseExecCredential("", apiVersion).error().message;
            if (said != notJson) {
                fail("output that is not JSON gets one fixed error", said);
            }
            return;
        }
        // Mask every credential by a same-length run of another character; the real credential must not show
        // up more often than with the mask in place (it may legitimately equal other text an error quotes).
        json masked = parsed;
        std::vector<std::string> secrets;
        for (const char *key : {"token", "clientKeyData", "clientCertificateData"}) {
            if (const json *secret = statusString(parsed, key);
                secret && secret->get<std::string>().size() >= 8) {
                const std::string value = secret->get<std::string>();
                secrets.push_back(value);
                masked["status"][key] = std::string(value.size(), value.front() == 'x' ? 'y' : 'x');
            }
        }
        if (secrets.empty()) {
            return;
        }
        const auto maskedResult = parseExecCredential(masked.dump(), apiVersion);
        const std::string saidMasked = maskedResult ? std::string() : maskedResult.error().message;
        for (const auto &secret : secrets) {
            // The whole credential, and its start (a quote cut short still gives it away).
            for (const std::string &part : {secret, secret.substr(0, 8)}) {
                if (occurrences(said, part) > occurrences(saidMasked, part)) {
                    fail("an error never quotes the credential", said);
                }
            }
        }
        return;
    }

    const auto &credential = *result;
    if (credential.token.empty() &&
        (credential.clientCertificateData.empty() || credential.clientKeyData.empty())) {
        fail("an accepted credential has a token or a certificate with its key", input);
    }
    for (unsigned char c : credential.token) {
        if (c < 0x20 || c == 0x7F) {
            fail("an accepted token fits an HTTP header", input);
        }
    }
    const json *timestamp = statusString(parsed, "expirationTimestamp");
    const std::string ts = timestamp ? timestamp->get<std::string>() : std::string();
    if (ts.empty()) {
        if (credential.expiry) {
            fail("no expirationTimestamp, no expiry", input);
        }
        return;
    }
    const auto reference = referenceRfc3339(ts);
    if (!credential.expiry || !reference || *credential.expiry != *reference) {
        fail("an accepted expirationTimestamp is the RFC 3339 instant client-go reads", ts);
    }
    if (const auto written = formatRfc3339(*credential.expiry)) {
        json again = parsed;
        again["status"]["expirationTimestamp"] = *written;
        const auto reread = parseExecCredential(again.dump(), apiVersion);
        if (!reread || reread->expiry != credential.expiry) {
            fail("an expirationTimestamp written back in UTC reads as the same instant",
                 ts + " -> " + *written);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char *>(data), size);
    const json parsed = json::parse(input, nullptr, false);
    for (const char *apiVersion :
         {"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"}) {
        check(input, parsed, apiVersion);
    }
    return 0;
}

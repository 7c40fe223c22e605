#include "kube/proxy.h"

#include <curl/curl.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <vector>

namespace lanedeck::kube {
namespace {

/// The parts of a URL this file needs, through libcurl's parser (the one the request will use).
struct UrlParts
{
    std::string scheme;
    std::string host; ///< without the brackets of an IPv6 literal
    std::string port; ///< empty when the URL has none
};

std::optional<UrlParts> parseUrl(const std::string &url)
{
    CURLU *u = curl_url();
    if (!u) {
        return std::nullopt;
    }
    std::optional<UrlParts> parts;
    if (curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        parts.emplace();
        auto get = [u](CURLUPart part, std::string &out) {
            char *text = nullptr;
            if (curl_url_get(u, part, &text, 0) == CURLUE_OK && text) {
                out = text;
            }
            curl_free(text);
        };
        get(CURLUPART_SCHEME, parts->scheme);
        get(CURLUPART_HOST, parts->host);
        get(CURLUPART_PORT, parts->port);
        if (parts->host.size() > 2 && parts->host.front() == '[' && parts->host.back() == ']') {
            parts->host = parts->host.substr(1, parts->host.size() - 2);
        }
    }
    curl_url_cleanup(u);
    return parts;
}

/// `url` for libcurl: Go's default port for the scheme made explicit (libcurl's default is 1080 for every
/// scheme), and socks5 as socks5h: Go's SOCKS5 client sends the host name to the proxy, libcurl's socks5://
/// resolves it locally first.
std::string curlProxyUrl(const std::string &url, const std::string &scheme, const std::string &port)
{
    CURLU *u = curl_url();
    std::string out = url;
    if (u && curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        if (port.empty()) {
            const char *fallback = scheme == "http" ? "80" : scheme == "https" ? "443" : "1080";
            curl_url_set(u, CURLUPART_PORT, fallback, 0);
        }
        if (scheme == "socks5") {
            curl_url_set(u, CURLUPART_SCHEME, "socks5h", CURLU_NON_SUPPORT_SCHEME);
        }
        char *text = nullptr;
        if (curl_url_get(u, CURLUPART_URL, &text, 0) == CURLUE_OK && text) {
            out = text;
        }
        curl_free(text);
    }
    curl_url_cleanup(u);
    return out;
}

/// An IP address as Go's net.IP compares it: IPv4-mapped IPv6 addresses count as IPv4.
struct Ip
{
    bool v4 = false;
    std::array<unsigned char, 16> bytes{}; ///< the first 4 for IPv4

    std::size_t size() const { return v4 ? 4 : 16; }
    friend bool operator==(const Ip &, const Ip &) = default;
};

std::optional<Ip> parseIp(const std::string &text)
{
    Ip ip;
    if (inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
        ip.v4 = true;
        return ip;
    }
    if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) != 1) {
        return std::nullopt;
    }
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(mapped), std::end(mapped), ip.bytes.begin())) {
        std::copy(ip.bytes.begin() + 12, ip.bytes.end(), ip.bytes.begin());
        std::fill(ip.bytes.begin() + 4, ip.bytes.end(), 0);
        ip.v4 = true;
    }
    return ip;
}

bool isLoopback(const Ip &ip)
{
    if (ip.v4) {
        return ip.bytes[0] == 127;
    }
    static const std::array<unsigned char, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return ip.bytes == one;
}

struct Cidr
{
    Ip network;
    int bits = 0;

    bool contains(const Ip &ip) const
    {
        if (ip.v4 != network.v4) {
            return false;
        }
        for (int i = 0; i < bits; ++i) {
            const int mask = 0x80 >> (i % 8);
            if ((ip.bytes[i / 8] & mask) != (network.bytes[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
};

std::optional<Cidr> parseCidr(const std::string &text)
{
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        return std::nullopt;
    }
    const auto ip = parseIp(text.substr(0, slash));
    const std::string bits = text.substr(slash + 1);
    if (!ip || bits.empty() || bits.size() > 3 ||
        !std::all_of(bits.begin(), bits.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return std::nullopt;
    }
    const int n = std::stoi(bits);
    // The prefix length counts in the family the address is written in; an IPv4-mapped IPv6 network
    // ("::ffff:10.0.0.0/104") holds IPv4 addresses, as Go's IPNet.Contains sees it.
    const bool written4 = text.substr(0, slash).find(':') == std::string::npos;
    if (n > (written4 ? 32 : 128)) {
        return std::nullopt;
    }
    return Cidr{*ip, written4 || !ip->v4 ? n : std::max(0, n - 96)};
}

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::string trim(const std::string &text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

/// "host:port" or "[v6]:port" split as Go's net.SplitHostPort; false when `text` has no port.
bool splitHostPort(const std::string &text, std::string &host, std::string &port)
{
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            return false;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        return true;
    }
    const auto colon = text.find(':');
    if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos) {
        return false;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    return true;
}

/// NO_PROXY as golang.org/x/net/http/httpproxy reads it: "*", CIDRs, IPs and domains (each optionally with
/// ":port"); "example.com" matches it and its subdomains, ".example.com" and "*.example.com" only subdomains.
bool excludedByNoProxy(const std::string &noProxy, const std::string &serverHost,
                       const std::string &serverPort)
{
    const std::optional<Ip> ip = parseIp(serverHost);
    const std::string host = lower(trim(serverHost));
    std::stringstream entries(noProxy);
    std::string entry;
    while (std::getline(entries, entry, ',')) {
        entry = lower(trim(entry));
        if (entry.empty()) {
            continue;
        }
        if (entry == "*") {
            return true;
        }
        if (const auto cidr = parseCidr(entry)) {
            if (ip && cidr->contains(*ip)) {
                return true;
            }
            continue;
        }
        std::string entryHost = entry;
        std::string entryPort;
        if (splitHostPort(entry, entryHost, entryPort) && entryHost.empty()) {
            continue;
        }
        const bool portMatches = entryPort.empty() || entryPort == serverPort;
        if (const auto entryIp = parseIp(entryHost)) {
            if (ip && *ip == *entryIp && portMatches) {
                return true;
            }
            continue;
        }
        if (entryHost.empty() || ip) {
            continue;
        }
        if (entryHost.rfind("*.", 0) == 0) {
            entryHost = entryHost.substr(1);
        }
        const bool matchHost = entryHost.front() != '.';
        if (matchHost) {
            entryHost = '.' + entryHost;
        }
        const bool suffix = host.size() >= entryHost.size() &&
                            host.compare(host.size() - entryHost.size(), entryHost.size(), entryHost) == 0;
        if ((suffix || (matchHost && host == entryHost.substr(1))) && portMatches) {
            return true;
        }
    }
    return false;
}

/// The first non-empty of the variables, and which one it was (Go's getEnvAny).
std::pair<std::string, std::string> firstSet(const EnvironmentLookup &environment,
                                             std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        std::string value = environment(name);
        if (!value.empty()) {
            return {name, value};
        }
    }
    return {};
}

Result<ProxyChoice> describe(std::string url, std::string origin, bool fromEnvironment)
{
    // Go reads a proxy variable without a scheme ("proxy.corp:3128") as http.
    if (fromEnvironment && url.find("://") == std::string::npos) {
        url = "http://" + url;
    }
    const auto parts = parseUrl(url);
    if (!parts || parts->host.empty()) {
        return Error{origin + ": '" + redactProxyUrl(url) + "' is not a proxy URL with a host"};
    }
    const std::string scheme = lower(parts->scheme);
    // Go's transport also takes socks5h from the environment; a kubeconfig's proxy-url is checked when the
    // kubeconfig is resolved (http, https or socks5, as client-go).
    if (scheme != "http" && scheme != "https" && scheme != "socks5" &&
        !(fromEnvironment && scheme == "socks5h")) {
        return Error{origin + ": unsupported proxy scheme '" + scheme +
                     "' (http, https and socks5 are supported)"};
    }
    ProxyChoice choice;
    choice.url = url;
    choice.origin = std::move(origin);
    choice.curlUrl = curlProxyUrl(url, scheme, parts->port);
    choice.tls = scheme == "https";
    return choice;
}

} // namespace

std::string processEnvironment(const char *name)
{
    const char *value = std::getenv(name);
    return value ? value : "";
}

std::string redactProxyUrl(const std::string &url)
{
    // Up to the last '@': a password with an unescaped '@' or '/' must not leak either.
    const auto scheme = url.find("://");
    const auto start = scheme == std::string::npos ? 0 : scheme + 3;
    const auto at = url.rfind('@');
    if (at == std::string::npos || at < start) {
        return url;
    }
    return url.substr(0, start) + "***@" + url.substr(at + 1);
}

Result<ProxyChoice> chooseProxy(const ClusterConfig &cluster, const EnvironmentLookup &environment)
{
    if (!cluster.proxyUrl.empty()) {
        return describe(cluster.proxyUrl,
                        "proxy-url of cluster '" + cluster.name + "' in " + cluster.sourceFile, false);
    }
    const auto server = parseUrl(cluster.server);
    if (!server) {
        return ProxyChoice{};
    }
    const std::string scheme = lower(server->scheme);
    std::pair<std::string, std::string> proxy;
    if (scheme == "https") {
        proxy = firstSet(environment, {"HTTPS_PROXY", "https_proxy"});
    } else if (scheme == "http") {
        proxy = firstSet(environment, {"HTTP_PROXY", "http_proxy"});
        if (!proxy.second.empty() && !environment("REQUEST_METHOD").empty()) {
            // Go refuses it (golang.org/s/cgihttpproxy): in a CGI program a client sets HTTP_PROXY through
            // the Proxy: request header.
            return Error{proxy.first + ": refusing to use it in a CGI environment (REQUEST_METHOD is set)"};
        }
    }
    if (proxy.second.empty()) {
        return ProxyChoice{};
    }
    // Go never sends requests to localhost or a loopback address through an environment proxy.
    const auto ip = parseIp(server->host);
    if (server->host == "localhost" || (ip && isLoopback(*ip))) {
        return ProxyChoice{};
    }
    std::string port = server->port.empty() ? (scheme == "https" ? "443" : "80") : server->port;
    if (excludedByNoProxy(firstSet(environment, {"NO_PROXY", "no_proxy"}).second, server->host, port)) {
        return ProxyChoice{};
    }
    return describe(proxy.second, proxy.first + " in the environment", true);
}

} // namespace lanedeck::kube

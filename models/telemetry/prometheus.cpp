#include "telemetry/prometheus.h"

#include "kube/client.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace lanedeck::telemetry {

namespace {

std::once_flag g_curlInit;

std::size_t appendBody(char *data, std::size_t size, std::size_t count, void *target)
{
    auto *body = static_cast<std::string *>(target);
    // Prometheus answers are bounded by its own limits; a runaway body (not Prometheus) is cut at 64 MiB.
    if (body->size() > (64u << 20)) {
        return 0;
    }
    body->append(data, size * count);
    return size * count;
}

/// A short printable excerpt of a body that is not Prometheus's JSON, for the message.
std::string excerpt(const std::string &body)
{
    std::string out;
    bool space = false;
    for (char c : body) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        out += c;
        if (out.size() >= 120) {
            out += "...";
            break;
        }
    }
    return out;
}

std::string urlWithoutUserInfo(const std::string &url)
{
    const auto scheme = url.find("://");
    const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (scheme == std::string::npos || at == std::string::npos ||
        (slash != std::string::npos && at > slash)) {
        return url;
    }
    return url.substr(0, scheme + 3) + url.substr(at + 1);
}

double seconds(std::chrono::milliseconds d)
{
    return double(d.count()) / 1000.0;
}

std::string formatSeconds(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", value);
    return buffer;
}

} // namespace

std::string PrometheusEndpoint::describe() const
{
    std::string auth = "no authentication";
    if (!bearerToken.empty()) {
        auth = "bearer token";
    } else if (!username.empty()) {
        auth = "basic auth as " + username;
    }
    return urlWithoutUserInfo(url) + " (" + auth + ")";
}

PrometheusTransport directTransport(PrometheusEndpoint endpoint)
{
    std::call_once(g_curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    std::string base = endpoint.url;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    return [endpoint = std::move(endpoint), base](const std::string &pathAndQuery) {
        HttpAnswer answer;
        CURL *easy = curl_easy_init();
        if (!easy) {
            answer.error = "libcurl: cannot create a handle";
            return answer;
        }
        char errorBuffer[CURL_ERROR_SIZE] = {};
        const std::string url = base + pathAndQuery;
        curl_slist *headers = curl_slist_append(nullptr, "Accept: application/json");
        if (!endpoint.bearerToken.empty()) {
            headers = curl_slist_append(headers, ("Authorization: Bearer " + endpoint.bearerToken).c_str());
        }
        curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errorBuffer);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(endpoint.timeout.count()));
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(endpoint.connectTimeout.count()));
        curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, appendBody);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer.body);
        if (!endpoint.username.empty()) {
            curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
            curl_easy_setopt(easy, CURLOPT_USERNAME, endpoint.username.c_str());
            curl_easy_setopt(easy, CURLOPT_PASSWORD, endpoint.password.c_str());
        }
        if (!endpoint.caFile.empty()) {
            curl_easy_setopt(easy, CURLOPT_CAINFO, endpoint.caFile.c_str());
        }
        if (endpoint.insecureSkipTlsVerify) {
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        const CURLcode code = curl_easy_perform(easy);
        if (code == CURLE_OK) {
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &answer.status);
            const char *type = nullptr;
            if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) {
                answer.contentType = type;
            }
        } else if (code == CURLE_OPERATION_TIMEDOUT) {
            answer.body.clear();
            answer.error = "no answer within " + formatSeconds(seconds(endpoint.timeout)) + " s (timed out)";
        } else {
            answer.body.clear();
            answer.error = errorBuffer[0] ? errorBuffer : curl_easy_strerror(code);
        }
        curl_slist_free_all(headers);
        curl_easy_cleanup(easy);
        return answer;
    };
}

PrometheusTransport serviceProxyTransport(kube::Client &client, std::string ns, std::string service,
                                          std::string port)
{
    const std::string prefix = "/api/v1/namespaces/" + kube::urlEncode(ns) + "/services/" +
                               kube::urlEncode(service) + ":" + kube::urlEncode(port) + "/proxy";
    return [&client, prefix](const std::string &pathAndQuery) {
        kube::Request request;
        request.path = prefix + pathAndQuery;
        const kube::Response response = client.send(request);
        HttpAnswer answer;
        answer.status = response.status;
        answer.body = response.body;
        answer.contentType = response.contentType;
        if (response.status == 0) {
            answer.error = response.error;
        } else if (response.status == 401 || response.status == 403 ||
                   (response.status == 404 && response.body.find("\"kind\"") != std::string::npos)) {
            // The API server itself refused (or has no such service): its Status says why.
            answer.error = response.message();
        } else if (response.status == 503 && response.body.find("\"kind\"") != std::string::npos) {
            answer.error = "the API server cannot reach the service: " + response.message();
        }
        return answer;
    };
}

PrometheusClient::PrometheusClient(PrometheusTransport transport, std::string description)
    : m_transport(std::move(transport)), m_description(std::move(description))
{}

namespace {

/// The data.result of an answer, after checking it is Prometheus's success JSON of the given type.
Result<nlohmann::json> resultOf(const HttpAnswer &answer, const std::string &where,
                                const std::string &resultType)
{
    if (!answer.error.empty()) {
        return Error{where + ": " + answer.error};
    }
    const auto json = nlohmann::json::parse(answer.body, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("status")) {
        return Error{where + " answered HTTP " + std::to_string(answer.status) + " with " +
                     (answer.contentType.empty() ? std::string("no Content-Type") : answer.contentType) +
                     ", not Prometheus's JSON; is this the Prometheus API (a login page or a proxy in "
                     "between?)" +
                     (answer.body.empty() ? std::string(". The body is empty.")
                                          : ". It said: " + excerpt(answer.body))};
    }
    const auto text = [&](const char *key) {
        const auto it = json.find(key);
        return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (text("status") != "success") {
        const std::string type = text("errorType");
        return Error{where + " refused the query (HTTP " + std::to_string(answer.status) +
                     (type.empty() ? std::string() : ", " + type) + "): " + excerpt(text("error"))};
    }
    const auto data = json.find("data");
    if (data == json.end() || !data->is_object() || !data->contains("result") ||
        !(*data)["result"].is_array()) {
        return Error{where + ": the answer has no data.result"};
    }
    const auto type = data->find("resultType");
    if (type == data->end() || !type->is_string() || type->get<std::string>() != resultType) {
        return Error{where + ": expected a " + resultType + " result, got " +
                     (type != data->end() && type->is_string() ? type->get<std::string>() : "none")};
    }
    return (*data)["result"];
}

bool readLabels(const nlohmann::json &item, std::map<std::string, std::string> &labels)
{
    const auto metric = item.find("metric");
    if (metric == item.end() || !metric->is_object()) {
        return false;
    }
    for (const auto &[name, value] : metric->items()) {
        if (!value.is_string()) {
            return false;
        }
        labels[name] = value.get<std::string>();
    }
    return true;
}

bool readPoint(const nlohmann::json &point, std::pair<double, double> &out)
{
    if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_string()) {
        return false;
    }
    out.first = point[0].get<double>();
    const std::string text = point[1].get<std::string>();
    char *end = nullptr;
    out.second = std::strtod(text.c_str(), &end);
    return end && *end == '\0' && end != text.c_str();
}

} // namespace

Result<std::vector<PromSample>> PrometheusClient::query(const std::string &expression,
                                                        std::optional<double> time)
{
    std::string path = "/api/v1/query?query=" + kube::urlEncode(expression);
    if (time) {
        path += "&time=" + formatSeconds(*time);
    }
    ++m_sent;
    const auto result = resultOf(m_transport(path), "Prometheus at " + m_description, "vector");
    if (!result) {
        return result.error();
    }
    std::vector<PromSample> samples;
    for (const auto &item : *result) {
        PromSample sample;
        std::pair<double, double> point;
        if (!item.is_object() || !readLabels(item, sample.labels) || !item.contains("value") ||
            !readPoint(item["value"], point)) {
            return Error{"Prometheus at " + m_description + ": a series of the answer is malformed"};
        }
        sample.value = point.second;
        samples.push_back(std::move(sample));
    }
    return samples;
}

namespace {

/// The series of a matrix result.
Result<std::vector<PromSeries>> readMatrix(const nlohmann::json &result, const std::string &description)
{
    std::vector<PromSeries> matrix;
    for (const auto &item : result) {
        PromSeries series;
        if (!item.is_object() || !readLabels(item, series.labels) || !item.contains("values") ||
            !item["values"].is_array()) {
            return Error{"Prometheus at " + description + ": a series of the answer is malformed"};
        }
        for (const auto &value : item["values"]) {
            std::pair<double, double> point;
            if (!readPoint(value, point)) {
                return Error{"Prometheus at " + description + ": a point of the answer is malformed"};
            }
            series.points.push_back(point);
        }
        matrix.push_back(std::move(series));
    }
    return matrix;
}

} // namespace

Result<std::vector<PromSeries>> PrometheusClient::querySamples(const std::string &expression, double time)
{
    const std::string path =
        "/api/v1/query?query=" + kube::urlEncode(expression) + "&time=" + formatSeconds(time);
    ++m_sent;
    const auto result = resultOf(m_transport(path), "Prometheus at " + m_description, "matrix");
    if (!result) {
        return result.error();
    }
    return readMatrix(*result, m_description);
}

Result<std::vector<PromSeries>> PrometheusClient::queryRange(const std::string &expression, double start,
                                                             double end, double step)
{
    const std::string path = "/api/v1/query_range?query=" + kube::urlEncode(expression) +
                             "&start=" + formatSeconds(start) + "&end=" + formatSeconds(end) +
                             "&step=" + formatSeconds(step);
    ++m_sent;
    const auto result = resultOf(m_transport(path), "Prometheus at " + m_description, "matrix");
    if (!result) {
        return result.error();
    }
    return readMatrix(*result, m_description);
}

Result<PrometheusService> parseServiceRef(const std::string &text)
{
    const auto slash = text.find('/');
    const auto colon = text.rfind(':');
    if (slash == std::string::npos || colon == std::string::npos || colon < slash || slash == 0 ||
        colon == slash + 1 || colon + 1 == text.size()) {
        return Error{"expected NS/NAME:PORT (e.g. istio-system/prometheus:9090), got '" + text + "'"};
    }
    return PrometheusService{text.substr(0, slash), text.substr(slash + 1, colon - slash - 1),
                             text.substr(colon + 1)};
}

Result<PrometheusService> discoverPrometheus(kube::Client &client)
{
    const std::vector<kube::Request> requests = {
        {"GET", "/api/v1/namespaces/istio-system/services/prometheus", {}, "application/json"},
        {"GET",
         "/api/v1/services?labelSelector=" + kube::urlEncode("app=prometheus"),
         {},
         "application/json"},
        {"GET",
         "/api/v1/services?labelSelector=" + kube::urlEncode("app.kubernetes.io/name=prometheus"),
         {},
         "application/json"},
    };
    const auto responses = client.send(requests);
    auto portOf = [](const nlohmann::json &service) -> std::string {
        const auto ports =
            service.value(nlohmann::json::json_pointer("/spec/ports"), nlohmann::json::array());
        std::string first;
        for (const auto &port : ports) {
            const std::string name = port.value("name", std::string());
            const int number = port.value("port", 0);
            if (name == "http" || name == "web") {
                return name;
            }
            if (number == 9090) {
                first = "9090";
            } else if (first.empty() && number > 0) {
                first = std::to_string(number);
            }
        }
        return first;
    };
    std::vector<PrometheusService> found;
    return kube::readingAnswers("discovering Prometheus", [&]() -> Result<PrometheusService> {
        if (responses[0].ok()) {
            const auto service = responses[0].json();
            if (const auto port = portOf(service); !port.empty()) {
                return PrometheusService{"istio-system", "prometheus", port};
            }
        }
        std::string failure;
        for (std::size_t i = 1; i < responses.size(); ++i) {
            if (!responses[i].ok()) {
                failure = responses[i].message();
                continue;
            }
            for (const auto &item : responses[i].json().value("items", nlohmann::json::array())) {
                const std::string port = portOf(item);
                if (!port.empty()) {
                    found.push_back({item.at("metadata").value("namespace", std::string()),
                                     item.at("metadata").value("name", std::string()), port});
                }
            }
        }
        if (found.empty()) {
            return Error{"no Prometheus found: neither istio-system/prometheus nor a Service labelled "
                         "app=prometheus or app.kubernetes.io/name=prometheus" +
                         (failure.empty() ? std::string() : " (" + failure + ")") +
                         "; give --via-service NS/NAME:PORT or --prometheus URL"};
        }
        std::sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
            return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
        });
        return found.front();
    });
}

} // namespace lanedeck::telemetry

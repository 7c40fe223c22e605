#include "sandbox/istiometrics.h"

#include <cstdio>

namespace lanedeck::sandbox {

namespace {

/// A label value escaped as the text format requires (backslash, double quote, line feed).
std::string escaped(const std::string &value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

void label(std::string &out, const char *name, const std::string &value)
{
    if (!out.empty()) {
        out += ',';
    }
    out += name;
    out += "=\"";
    out += escaped(value.empty() ? std::string("unknown") : value);
    out += '"';
}

} // namespace

std::string workloadName(const std::string &service, const std::string &version)
{
    return service + "-" + version;
}

void IstioMetrics::record(const char *reporter, const Peer &source, const Peer &destination, int code,
                          const std::string &flags, std::chrono::nanoseconds duration)
{
    std::string labels;
    label(labels, "reporter", reporter);
    label(labels, "source_workload", source.workload);
    label(labels, "source_workload_namespace", source.ns);
    label(labels, "source_app", source.app);
    label(labels, "source_version", source.version);
    label(labels, "destination_workload", destination.workload);
    label(labels, "destination_workload_namespace", destination.ns);
    label(labels, "destination_app", destination.app);
    label(labels, "destination_version", destination.version);
    label(labels, "destination_service", destination.service);
    label(labels, "destination_service_name", destination.serviceName);
    label(labels, "destination_service_namespace", destination.serviceNamespace);
    label(labels, "request_protocol", "http");
    label(labels, "response_code", std::to_string(code));
    label(labels, "response_flags", flags.empty() ? std::string("-") : flags);
    const double millis = std::chrono::duration<double, std::milli>(duration).count();
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && millis > kBuckets[bucket]) {
        ++bucket;
    }
    std::lock_guard lock(m_mutex);
    Series &series = m_series[labels];
    ++series.count;
    series.sumMillis += millis;
    if (bucket < kBuckets.size()) {
        ++series.buckets[bucket];
    }
}

void IstioMetrics::restart()
{
    std::lock_guard lock(m_mutex);
    m_series.clear();
}

std::string IstioMetrics::render() const
{
    std::map<std::string, Series> series;
    {
        std::lock_guard lock(m_mutex);
        series = m_series;
    }
    std::string out;
    out.reserve(series.size() * 4096);
    out += "# HELP istio_requests_total Total requests, as an Istio proxy counts them.\n"
           "# TYPE istio_requests_total counter\n";
    for (const auto &[labels, s] : series) {
        out += "istio_requests_total{" + labels + "} " + std::to_string(s.count) + "\n";
    }
    out += "# HELP istio_request_duration_milliseconds Request duration, as an Istio proxy measures it.\n"
           "# TYPE istio_request_duration_milliseconds histogram\n";
    for (const auto &[labels, s] : series) {
        unsigned long long cumulative = 0;
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += s.buckets[i];
            out += "istio_request_duration_milliseconds_bucket{" + labels + ",le=\"" + number(kBuckets[i]) +
                   "\"} " + std::to_string(cumulative) + "\n";
        }
        out += "istio_request_duration_milliseconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(s.count) + "\n";
        out += "istio_request_duration_milliseconds_sum{" + labels + "} " + number(s.sumMillis) + "\n";
        out += "istio_request_duration_milliseconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
    }
    return out;
}

} // namespace lanedeck::sandbox

#pragma once

// A Prometheus the test API server's service proxy can reach. The API server proxies only to endpoint
// addresses that are a Pod's IP and refuses loopback, so Prometheus listens in a network namespace joined to
// this one by a veth pair on a private /30 (needs root: ip netns), scrapes the sandbox's metrics through a
// relay on the host's end of the pair, and a Pod (never scheduled; its status carries the address), a Service
// without selector, its Endpoints (which the service proxy reads) and its EndpointSlice point at it.

#include "kube/client.h"
#include "kube/testcluster.h"
#include "prometheusprocess.h"
#include "sandbox/sandbox.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QStringList>

#include <unistd.h>

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace lanedeck::testing {

inline bool ip(const QStringList &arguments, QString *error = nullptr)
{
    const Run r = run(QStringLiteral("ip"), arguments, QProcessEnvironment::systemEnvironment(), 30'000);
    if (r.exitCode != 0 && error) {
        *error = QStringLiteral("ip ") + arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") +
                 QString::fromUtf8(r.err);
    }
    return r.exitCode == 0;
}

/// Why a test cannot run Prometheus in a network namespace here (the reason for QSKIP), or empty.
inline QString netnsPrometheusUnavailable()
{
    if (::geteuid() != 0) {
        return QStringLiteral(
            "needs root: the Prometheus behind the service proxy runs in a network namespace (ip netns)");
    }
    if (PrometheusProcess::binary().isEmpty()) {
        return QStringLiteral("Debian's prometheus is not installed (scripts/install-deps.sh installs it)");
    }
    return {};
}

/// A network namespace joined to this one by a veth pair on a private /30; removed on destruction.
struct NetworkNamespace
{
    QString name;
    QString hostAddress;
    QString innerAddress;
    QString hostEnd;
    bool created = false;

    bool create(QString &error)
    {
        const qint64 pid = QCoreApplication::applicationPid();
        name = QStringLiteral("ldtel%1").arg(pid);
        hostEnd = QStringLiteral("ldt%1a").arg(pid);
        const QString innerEnd = QStringLiteral("ldt%1b").arg(pid);
        const QString prefix = QStringLiteral("10.213.%1.%2").arg(pid % 250);
        const int base = int((pid / 250) % 60) * 4;
        hostAddress = prefix.arg(base + 1);
        innerAddress = prefix.arg(base + 2);
        if (!ip({QStringLiteral("netns"), QStringLiteral("add"), name}, &error)) {
            return false;
        }
        created = true;
        return ip({QStringLiteral("link"), QStringLiteral("add"), hostEnd, QStringLiteral("type"),
                   QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), innerEnd,
                   QStringLiteral("netns"), name},
                  &error) &&
               ip({QStringLiteral("addr"), QStringLiteral("add"), hostAddress + QStringLiteral("/30"),
                   QStringLiteral("dev"), hostEnd},
                  &error) &&
               ip({QStringLiteral("link"), QStringLiteral("set"), hostEnd, QStringLiteral("up")}, &error) &&
               ip({QStringLiteral("-n"), name, QStringLiteral("addr"), QStringLiteral("add"),
                   innerAddress + QStringLiteral("/30"), QStringLiteral("dev"), innerEnd},
                  &error) &&
               ip({QStringLiteral("-n"), name, QStringLiteral("link"), QStringLiteral("set"), innerEnd,
                   QStringLiteral("up")},
                  &error) &&
               ip({QStringLiteral("-n"), name, QStringLiteral("link"), QStringLiteral("set"),
                   QStringLiteral("lo"), QStringLiteral("up")},
                  &error);
    }

    ~NetworkNamespace()
    {
        if (created) {
            // Deleting one end deletes the pair at once; the namespace's own teardown is asynchronous.
            ip({QStringLiteral("link"), QStringLiteral("del"), hostEnd});
            ip({QStringLiteral("netns"), QStringLiteral("del"), name});
        }
    }
};

/// Serves the sandbox's /metrics on another address (the host's end of the veth pair), through `rewrite`
/// when given (a test that hides a label).
class MetricsRelay final
{
public:
    MetricsRelay(const sandbox::Sandbox &box, const std::string &address,
                 std::function<std::string(std::string)> rewrite = {})
    {
        m_server.Get("/metrics", [&box, rewrite](const httplib::Request &, httplib::Response &response) {
            std::string text = box.metricsText();
            response.set_content(rewrite ? rewrite(std::move(text)) : text, "text/plain; version=0.0.4");
        });
        m_port = m_server.bind_to_any_port(address);
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
    }
    ~MetricsRelay()
    {
        while (!m_server.is_running()) {
            std::this_thread::yield();
        }
        m_server.stop();
        m_thread.join();
    }
    int port() const { return m_port; }

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
};

/// Starts `prometheus` inside `netns` on its address, port 9090, scraping the relay on the host's end of the
/// pair, and waits until it is ready. Empty on success, else why not.
inline QString startInNamespace(PrometheusProcess &prometheus, const NetworkNamespace &netns,
                                const MetricsRelay &relay)
{
    if (!prometheus.start(
            {netns.hostAddress + QStringLiteral(":%1").arg(relay.port())},
            netns.innerAddress + QStringLiteral(":9090"),
            {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), netns.name}) ||
        !prometheus.waitReady()) {
        return prometheus.error();
    }
    return {};
}

/// Whether `prometheus` has scraped `requests` requests through the sandbox's gateway (its own query, not
/// LaneDeck's: the test's yardstick).
inline bool scrapedGatewayRequests(const PrometheusProcess &prometheus, std::uint64_t requests)
{
    httplib::Client direct(prometheus.host(), prometheus.port());
    const auto answer = direct.Get("/api/v1/query?query=sum(istio_requests_total%7Breporter%3D%22source%22%2C"
                                   "source_workload%3D%22istio-ingressgateway%22%7D)");
    return answer && answer->body.find('"' + std::to_string(requests) + '"') != std::string::npos;
}

inline kube::Request post(const std::string &path, const nlohmann::json &body)
{
    return {"POST", path, body.dump(), "application/json"};
}

/// Points the Service default/metrics-store (labelled app.kubernetes.io/name=prometheus, port "web" 9090) at
/// `address`: a Pod whose status carries the address, the Service without selector, its Endpoints and its
/// EndpointSlice. Empty on success, else the API server's message.
inline std::string exposePrometheus(kube::Client &client, const std::string &address)
{
    const auto account = client.send(std::vector<kube::Request>{
        post("/api/v1/namespaces/default/serviceaccounts",
             {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}})});
    if (!account[0].ok() && account[0].status != 409) {
        return account[0].message();
    }
    const auto pod = client.send(std::vector<kube::Request>{
        post("/api/v1/namespaces/default/pods",
             {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "metrics-store-0"}}},
              {"spec", {{"containers", {{{"name", "prometheus"}, {"image", "prom/prometheus"}}}}}}})});
    if (!pod[0].ok()) {
        return pod[0].message();
    }
    const auto status = client.send(kube::Request{
        "PATCH", "/api/v1/namespaces/default/pods/metrics-store-0/status",
        nlohmann::json{{"status", {{"podIP", address}, {"podIPs", {{{"ip", address}}}}}}}.dump(),
        "application/merge-patch+json"});
    if (!status.ok()) {
        return status.message();
    }
    const auto created = client.send(std::vector<kube::Request>{
        post("/api/v1/namespaces/default/services",
             {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata",
               {{"name", "metrics-store"}, {"labels", {{"app.kubernetes.io/name", "prometheus"}}}}},
              {"spec", {{"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}}}),
        post(
            "/api/v1/namespaces/default/endpoints",
            {{"apiVersion", "v1"},
             {"kind", "Endpoints"},
             {"metadata", {{"name", "metrics-store"}}},
             {"subsets",
              {{{"addresses",
                 {{{"ip", address},
                   {"targetRef", {{"kind", "Pod"}, {"namespace", "default"}, {"name", "metrics-store-0"}}}}}},
                {"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}}}}),
        post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
             {{"apiVersion", "discovery.k8s.io/v1"},
              {"kind", "EndpointSlice"},
              {"metadata",
               {{"name", "metrics-store-1"}, {"labels", {{"kubernetes.io/service-name", "metrics-store"}}}}},
              {"addressType", "IPv4"},
              {"endpoints", {{{"addresses", {address}}}}},
              {"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}),
    });
    for (const auto &response : created) {
        if (!response.ok()) {
            return response.message();
        }
    }
    return {};
}

} // namespace lanedeck::testing

// lanectl observe through the API server's service proxy, against the real test API server. The API server
// refuses loopback endpoints, so the Prometheus it proxies to listens in a network namespace this test
// creates (a veth pair with a private /30) and removes; a Service without selector, its Endpoints and its
// EndpointSlice point at it. Prometheus scrapes the sandbox's metrics through a relay on the host's end of
// the pair. Needs root (ip netns); skips with the reason otherwise.
#include "kube/client.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "prometheusprocess.h"
#include "sandbox/sandbox.h"
#include "testcluster.h"
#include "testsupport.h"
#include "traffic/sampler.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <QtTest>

#include <thread>

#include <unistd.h>

using namespace lanedeck;
using namespace lanedeck::testing;

namespace {

bool ip(const QStringList &arguments, QString *error = nullptr)
{
    const Run r = run(QStringLiteral("ip"), arguments, QProcessEnvironment::systemEnvironment(), 30'000);
    if (r.exitCode != 0 && error) {
        *error = QStringLiteral("ip ") + arguments.join(QLatin1Char(' ')) + QStringLiteral(": ") +
                 QString::fromUtf8(r.err);
    }
    return r.exitCode == 0;
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

/// Serves the sandbox's /metrics on another address (the host's end of the veth pair).
class MetricsRelay final
{
public:
    MetricsRelay(const sandbox::Sandbox &box, const std::string &address)
    {
        m_server.Get("/metrics", [&box](const httplib::Request &, httplib::Response &response) {
            response.set_content(box.metricsText(), "text/plain; version=0.0.4");
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

kube::Request post(const std::string &path, const nlohmann::json &body)
{
    return {"POST", path, body.dump(), "application/json"};
}

} // namespace

class TestTelemetryProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void observeThroughServiceProxy()
    {
        if (::geteuid() != 0) {
            QSKIP(
                "needs root: the Prometheus behind the service proxy runs in a network namespace (ip netns)");
        }
        if (PrometheusProcess::binary().isEmpty()) {
            QSKIP("Debian's prometheus is not installed (scripts/install-deps.sh installs it)");
        }
        NetworkNamespace netns;
        QString error;
        QVERIFY2(netns.create(error), qPrintable(error));

        const LaneGroup group = seedGroup();
        auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
        QVERIFY(rendered.ok());
        sandbox::Sandbox box(group, {});
        QVERIFY(box.start(rendered->resources).ok());
        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 300;
        config.concurrency = 4;
        traffic::Sampler sampler(config, traffic::Classifier::chain(group));
        const auto sampled = sampler.run();
        QVERIFY(sampled.ok());
        QCOMPARE(sampled->summary.total, std::uint64_t(300));
        MetricsRelay relay(box, netns.hostAddress.toStdString());
        QVERIFY(relay.port() > 0);

        PrometheusProcess prometheus;
        QVERIFY2(prometheus.start(
                     {netns.hostAddress + QStringLiteral(":%1").arg(relay.port())},
                     netns.innerAddress + QStringLiteral(":9090"),
                     {QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), netns.name}),
                 qPrintable(prometheus.error()));
        QVERIFY2(prometheus.waitReady(), qPrintable(prometheus.error()));
        httplib::Client direct(prometheus.host(), prometheus.port());
        auto scraped = [&] {
            auto answer = direct.Get(
                "/api/v1/"
                "query?query=sum(istio_requests_total%7Breporter%3D%22source%22%2Csource_workload%3D%22istio-"
                "ingressgateway%22%7D)");
            return answer && answer->body.find("\"300\"") != std::string::npos;
        };
        QTRY_VERIFY_WITH_TIMEOUT(scraped(), 30'000);

        TestCluster cluster;
        QVERIFY2(cluster.start(error), qPrintable(error));
        struct StopOnExit
        {
            TestCluster &cluster;
            ~StopOnExit() { cluster.stop(); }
        } stopOnExit{cluster};
        auto client = clientFor(cluster.kubeconfig());
        QVERIFY(client);
        const std::string address = netns.innerAddress.toStdString();
        // The service proxy goes only to endpoint addresses that are a Pod's IP (isValidAddress in
        // kube-apiserver's service storage): a Pod, never scheduled here, with the address as its status.
        const auto pod = client->send(std::vector<kube::Request>{
            post("/api/v1/namespaces/default/serviceaccounts",
                 {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}})});
        QVERIFY2(pod[0].ok() || pod[0].status == 409, pod[0].message().c_str());
        const auto podCreated = client->send(std::vector<kube::Request>{
            post("/api/v1/namespaces/default/pods",
                 {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", {{"name", "metrics-store-0"}}},
                  {"spec", {{"containers", {{{"name", "prometheus"}, {"image", "prom/prometheus"}}}}}}})});
        QVERIFY2(podCreated[0].ok(), podCreated[0].message().c_str());
        const auto podStatus = client->send(
            kube::Request{"PATCH", "/api/v1/namespaces/default/pods/metrics-store-0/status",
                          nlohmann::json{{"status",
                                          {{"podIP", netns.innerAddress.toStdString()},
                                           {"podIPs", {{{"ip", netns.innerAddress.toStdString()}}}}}}}
                              .dump(),
                          "application/merge-patch+json"});
        QVERIFY2(podStatus.ok(), podStatus.message().c_str());
        const auto created = client->send(std::vector<kube::Request>{
            post("/api/v1/namespaces/default/services",
                 {{"apiVersion", "v1"},
                  {"kind", "Service"},
                  {"metadata",
                   {{"name", "metrics-store"}, {"labels", {{"app.kubernetes.io/name", "prometheus"}}}}},
                  {"spec", {{"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}}}),
            post("/api/v1/namespaces/default/endpoints",
                 {{"apiVersion", "v1"},
                  {"kind", "Endpoints"},
                  {"metadata", {{"name", "metrics-store"}}},
                  {"subsets",
                   {{{"addresses",
                      {{{"ip", address},
                        {"targetRef",
                         {{"kind", "Pod"}, {"namespace", "default"}, {"name", "metrics-store-0"}}}}}},
                     {"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}}}}),
            post("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                 {{"apiVersion", "discovery.k8s.io/v1"},
                  {"kind", "EndpointSlice"},
                  {"metadata",
                   {{"name", "metrics-store-1"},
                    {"labels", {{"kubernetes.io/service-name", "metrics-store"}}}}},
                  {"addressType", "IPv4"},
                  {"endpoints", {{{"addresses", {address}}}}},
                  {"ports", {{{"name", "web"}, {"port", 9090}, {"protocol", "TCP"}}}}}),
        });
        for (const auto &response : created) {
            QVERIFY2(response.ok(), response.message().c_str());
        }

        const QString file = QString::fromStdString(sourcePath("resources/examples/mock.lanes.yaml"));
        for (const bool discover : {false, true}) {
            QStringList arguments{QStringLiteral("observe"),      file,
                                  QStringLiteral("--kubeconfig"), cluster.kubeconfig(),
                                  QStringLiteral("--window"),     QStringLiteral("10m"),
                                  QStringLiteral("-o"),           QStringLiteral("json")};
            if (!discover) {
                arguments << QStringLiteral("--via-service") << QStringLiteral("default/metrics-store:9090");
            }
            const Run r = run(QStringLiteral(LANECTL_PATH), arguments);
            const auto json = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
            QVERIFY2(json.is_object(), r.err.constData());
            QCOMPARE(json["requests"].get<std::uint64_t>(), std::uint64_t(300));
            QCOMPARE(json["lanes"][0]["requests"].get<std::uint64_t>(), sampled->summary.lanes[0].count);
            QVERIFY2(json["source"].get<std::string>().find("default/metrics-store:") == 0,
                     json["source"].get<std::string>().c_str());
            if (discover) {
                QVERIFY(r.err.contains("found in the cluster"));
            }
        }
        const qint64 pid = prometheus.pid();
        prometheus.stop();
        QVERIFY(pid > 0 && !processRunning(pid));
    }
};

QTEST_GUILESS_MAIN(TestTelemetryProxy)
#include "tst_telemetryproxy.moc"

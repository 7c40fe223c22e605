// lanectl observe through the API server's service proxy, against the real test API server. The API server
// refuses loopback endpoints, so the Prometheus it proxies to listens in a network namespace this test
// creates (a veth pair with a private /30) and removes (tests/netnsprometheus.h). Needs root (ip netns);
// skips with the reason otherwise.
#include "kube/client.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "netnsprometheus.h"
#include "prometheusprocess.h"
#include "sandbox/sandbox.h"
#include "testsupport.h"
#include "traffic/sampler.h"

#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::testing;

class TestTelemetryProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void observeThroughServiceProxy()
    {
        if (const QString why = netnsPrometheusUnavailable(); !why.isEmpty()) {
            QSKIP(qPrintable(why));
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
        const QString notStarted = startInNamespace(prometheus, netns, relay);
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        QTRY_VERIFY_WITH_TIMEOUT(scrapedGatewayRequests(prometheus, 300), 30'000);

        TestCluster cluster;
        QVERIFY2(cluster.start(error), qPrintable(error));
        auto client = clientFor(cluster.kubeconfig());
        QVERIFY(client);
        const std::string exposed = exposePrometheus(*client, netns.innerAddress.toStdString());
        QVERIFY2(exposed.empty(), exposed.c_str());

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

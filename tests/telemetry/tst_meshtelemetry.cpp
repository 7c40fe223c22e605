// The mesh's telemetry end to end: the sandbox counts every hop as Istio's proxies do, a real Prometheus
// (Debian's) scrapes it every second, LaneDeck's sampler sends traffic, and the split and leaks read back
// from Prometheus agree with what the sampler counted.
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "prometheusprocess.h"
#include "sandbox/sandbox.h"
#include "telemetry/meshtelemetry.h"
#include "testsupport.h"
#include "traffic/sampler.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace lanedeck;
using lanedeck::testing::PrometheusProcess;

namespace {

std::vector<mesh::Resource> istioResources(const LaneGroup &group)
{
    auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
    return rendered.ok() ? rendered->resources : std::vector<mesh::Resource>{};
}

std::string metricsTarget(const sandbox::Sandbox &box)
{
    const std::string url = box.metricsUrl(); // http://127.0.0.1:PORT/metrics
    return url.substr(7, url.find('/', 7) - 7);
}

traffic::SampleRun sample(const sandbox::Sandbox &box, const LaneGroup &group, std::uint64_t count)
{
    traffic::SamplerConfig config;
    config.url = box.gatewayUrl();
    config.count = count;
    config.concurrency = 4;
    traffic::Sampler sampler(config, traffic::Classifier::chain(group));
    auto run = sampler.run();
    return run.ok() ? std::move(*run) : traffic::SampleRun{};
}

/// Prometheus's newest scraped count of requests the gateway sent, or -1.
double scrapedGatewayRequests(telemetry::PrometheusClient &client)
{
    const auto answer = client.query(
        R"(sum(istio_requests_total{reporter="source",source_workload="istio-ingressgateway"}))");
    return answer.ok() && !answer->empty() ? answer->front().value : -1.0;
}

std::uint64_t laneCount(const traffic::Summary &summary, const std::string &lane)
{
    for (const auto &row : summary.lanes) {
        if (row.name == lane) {
            return row.count;
        }
    }
    return 0;
}

} // namespace

class TestMeshTelemetry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (PrometheusProcess::binary().isEmpty()) {
            QSKIP("Debian's prometheus is not installed (scripts/install-deps.sh installs it)");
        }
    }

    void metricsAreIstiosAndPassPromtool()
    {
        const LaneGroup group = lanedeck::testing::seedGroup();
        sandbox::Sandbox box(group, {});
        QVERIFY(box.start(istioResources(group)).ok());
        const auto run = sample(box, group, 50);
        QCOMPARE(run.summary.total, std::uint64_t(50));
        const std::string text = box.metricsText();
        // Each hop as both proxies report it, with the workload names the sandbox gives its mocks.
        QVERIFY(
            text.find(
                R"(reporter="source",source_workload="istio-ingressgateway",source_workload_namespace="istio-system")") !=
            std::string::npos);
        QVERIFY(
            text.find(
                R"(reporter="destination",source_workload="mocka-v1",source_workload_namespace="default",source_app="mocka",source_version="v1",destination_workload="mockb-v1")") !=
            std::string::npos);
        QVERIFY(text.find(R"(destination_service="mockc.default.svc.cluster.local")") != std::string::npos);
        QVERIFY(text.find(R"(response_code="200",response_flags="-",le="+Inf"})") != std::string::npos);

        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        if (promtool.isEmpty()) {
            QSKIP("promtool is not installed");
        }
        QProcess check;
        check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(check.waitForStarted());
        check.write(QByteArray::fromStdString(text));
        check.closeWriteChannel();
        QVERIFY(check.waitForFinished(30'000));
        const QString report =
            QString::fromUtf8(check.readAllStandardOutput() + check.readAllStandardError());
        // Exit 3 is lint only; the one lint allowed is Istio's own unit in the metric name.
        QVERIFY2(check.exitCode() == 0 || check.exitCode() == 3, qPrintable(report));
        for (const auto &line : report.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            QCOMPARE(
                line.trimmed(),
                QStringLiteral(
                    R"(istio_request_duration_milliseconds use base unit "seconds" instead of "milliseconds")"));
        }
        // Errors get Envoy's response flag: a route to nowhere is NR.
        sandbox::Sandbox empty(group, {});
        QVERIFY(empty.start({}).ok());
        httplib::Client client("127.0.0.1", empty.gatewayPort());
        QVERIFY(client.Get("/"));
        QVERIFY(empty.metricsText().find(R"(response_code="404",response_flags="NR")") != std::string::npos);
    }

    void telemetrySplitAgreesWithSampler_data()
    {
        QTest::addColumn<QString>("silentService");
        QTest::addColumn<int>("leakingHop");
        QTest::addColumn<QString>("leakingLane");
        QTest::addRow("propagating") << QString() << -1 << QString();
        // mockb drops baggage: s2's requests (mocka v2 -> mockb v1) reach mockc v1 instead of v2.
        QTest::addRow("mockb-without-baggage") << QStringLiteral("mockb") << 2 << QStringLiteral("s2");
    }
    void telemetrySplitAgreesWithSampler()
    {
        QFETCH(QString, silentService);
        QFETCH(int, leakingHop);
        QFETCH(QString, leakingLane);
        const LaneGroup group = lanedeck::testing::seedGroup();
        sandbox::SandboxOptions options;
        options.seed = 7;
        sandbox::Sandbox box(group, options);
        QVERIFY(box.start(istioResources(group)).ok());
        if (!silentService.isEmpty()) {
            box.setBaggagePropagation(silentService.toStdString(), false);
        }
        QString directory;
        qint64 pid = 0;
        {
            PrometheusProcess prometheus;
            QVERIFY2(prometheus.start({QString::fromStdString(metricsTarget(box))}),
                     qPrintable(prometheus.error()));
            QVERIFY2(prometheus.waitReady(), qPrintable(prometheus.error()));
            directory = prometheus.directory();
            pid = prometheus.pid();

            const auto run = sample(box, group, 600);
            QCOMPARE(run.summary.total, std::uint64_t(600));
            QCOMPARE(run.summary.errorCount(), std::uint64_t(0));

            telemetry::PrometheusEndpoint endpoint;
            endpoint.url = prometheus.url();
            telemetry::PrometheusClient client(telemetry::directTransport(endpoint), endpoint.describe());
            // Within the scrape window: once Prometheus has scraped the sandbox after the run, it has it all.
            QTRY_COMPARE_WITH_TIMEOUT(scrapedGatewayRequests(client), 600.0, 30'000);

            const auto workloads = telemetry::workloadsFromSandbox(group, box.instances());
            telemetry::TelemetryWindow window;
            window.window = std::chrono::seconds(120);
            const auto view = telemetry::observe(client, group, workloads, window);
            QVERIFY2(view.ok(), view.ok() ? "" : view.error().message.c_str());
            QVERIFY(!view->stale);
            QCOMPARE(view->queries.size(), std::size_t(4));
            // The sampler tells a leaked response by its chain and counts it in no lane; the telemetry counts
            // it in the lane it entered.
            for (const auto &lane : group.lanes) {
                const std::uint64_t leaked =
                    QString::fromStdString(lane.name) == leakingLane ? run.summary.leaked : 0;
                QCOMPARE(laneCount(view->split, lane.name), laneCount(run.summary, lane.name) + leaked);
            }
            QCOMPARE(view->split.total, std::uint64_t(600));
            if (silentService.isEmpty()) {
                QCOMPARE(view->split.matches, run.summary.matches);
            }
            QVERIFY(view->split.lanes[0].p50 > 0);
            QVERIFY(view->split.lanes[0].p50 <= view->split.lanes[0].p99);
            QCOMPARE(view->hops.size(), std::size_t(3));
            for (std::size_t hop = 0; hop < view->hops.size(); ++hop) {
                for (const auto &lane : view->hops[hop].lanes) {
                    const bool leaking =
                        int(hop) == leakingHop && QString::fromStdString(lane.name) == leakingLane;
                    QCOMPARE(lane.leaked, leaking ? double(run.summary.leaked) : 0.0);
                }
            }
            QCOMPARE(view->leaked, double(run.summary.leaked));
            if (!silentService.isEmpty()) {
                QVERIFY(run.summary.leaked > 0);
            }

            // lanectl observe shows the same numbers.
            QProcess lanectl;
            lanectl.start(
                QStringLiteral(LANECTL_PATH),
                {QStringLiteral("observe"),
                 QString::fromStdString(lanedeck::testing::sourcePath("resources/examples/mock.lanes.yaml")),
                 QStringLiteral("--prometheus"), QString::fromStdString(prometheus.url()),
                 QStringLiteral("--window"), QStringLiteral("2m"), QStringLiteral("-o"),
                 QStringLiteral("json")});
            QVERIFY(lanectl.waitForFinished(60'000));
            const auto json =
                nlohmann::json::parse(lanectl.readAllStandardOutput().toStdString(), nullptr, false);
            QVERIFY2(json.is_object(), lanectl.readAllStandardError().constData());
            QCOMPARE(json["requests"].get<std::uint64_t>(), std::uint64_t(600));
            QCOMPARE(json["lanes"][1]["requests"].get<std::uint64_t>(), laneCount(view->split, "s2"));
            QCOMPARE(json["leaked"].get<double>(), double(run.summary.leaked));
            QCOMPARE(lanectl.exitCode(), silentService.isEmpty() && run.summary.matches ? 0 : 1);
        }
        // Stopped, and nothing left behind.
        QVERIFY(!lanedeck::testing::processRunning(pid));
        QVERIFY(!QDir(directory).exists());
    }

    // Every proxy restarts between two runs: its counters start again from zero, and Prometheus sees each
    // series drop (a reset) or vanish. The requests of both runs still count, and the view says why.
    void countsAcrossACounterRestart()
    {
        const LaneGroup group = lanedeck::testing::seedGroup();
        sandbox::SandboxOptions options;
        options.seed = 11;
        sandbox::Sandbox box(group, options);
        QVERIFY(box.start(istioResources(group)).ok());
        PrometheusProcess prometheus;
        QVERIFY2(prometheus.start({QString::fromStdString(metricsTarget(box))}),
                 qPrintable(prometheus.error()));
        QVERIFY2(prometheus.waitReady(), qPrintable(prometheus.error()));
        telemetry::PrometheusEndpoint endpoint;
        endpoint.url = prometheus.url();
        telemetry::PrometheusClient client(telemetry::directTransport(endpoint), endpoint.describe());

        const auto before = sample(box, group, 300);
        QCOMPARE(before.summary.total, std::uint64_t(300));
        QTRY_COMPARE_WITH_TIMEOUT(scrapedGatewayRequests(client), 300.0, 30'000);
        box.restartMetrics();
        // Scraped without its series: Prometheus marks them stale.
        QTRY_COMPARE_WITH_TIMEOUT(scrapedGatewayRequests(client), -1.0, 30'000);
        const auto after = sample(box, group, 200);
        QCOMPARE(after.summary.total, std::uint64_t(200));
        QTRY_COMPARE_WITH_TIMEOUT(scrapedGatewayRequests(client), 200.0, 30'000);

        const auto workloads = telemetry::workloadsFromSandbox(group, box.instances());
        telemetry::TelemetryWindow window;
        window.window = std::chrono::seconds(600);
        const auto view = telemetry::observe(client, group, workloads, window);
        QVERIFY2(view.ok(), view.ok() ? "" : view.error().message.c_str());
        QVERIFY(!view->stale);
        QCOMPARE(view->split.total, std::uint64_t(500));
        for (const auto &lane : group.lanes) {
            QCOMPARE(laneCount(view->split, lane.name),
                     laneCount(before.summary, lane.name) + laneCount(after.summary, lane.name));
        }
        QCOMPARE(view->leaked, 0.0);
        // The two queries that count the restarted pairs from their raw samples, in the export too.
        QCOMPARE(view->queries.size(), std::size_t(6));
        QVERIFY(QString::fromStdString(view->queries[4]).startsWith(QStringLiteral("istio_requests_total{")));
        bool said = false;
        for (const auto &problem : view->problems) {
            said = said || (problem.find("istio-system/istio-ingressgateway -> default/mocka-v1 restarted "
                                         "within the window") != std::string::npos &&
                            problem.find("counted across the restart") != std::string::npos);
        }
        QVERIFY2(said, view->problems.empty() ? "no problem" : view->problems.front().c_str());
        QVERIFY(view->split.lanes[0].p50 > 0);
    }
};

QTEST_GUILESS_MAIN(TestMeshTelemetry)
#include "tst_meshtelemetry.moc"

// The Traffic page's "mesh telemetry" source: a real Prometheus scraping the sandbox, the panel's models and
// verdict from it (refreshed off the GUI thread), leaks in the hop table, and no old numbers kept when
// Prometheus stops answering.
#include "mesh/render.h"
#include "mesh/resource.h"
#include "sandbox/sandbox.h"
#include "telemetry/localprometheus.h"
#include "telemetry/meshtelemetry.h"
#include "testsupport.h"
#include "traffic/sampler.h"
#include "ui/documentcontroller.h"
#include "ui/telemetrypanel.h"
#include "ui/trafficmodels.h"
#include "ui/trafficpage.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::ui;

class TestTelemetryPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("lanedeck-test-telemetrypanel"));
        QStandardPaths::setTestModeEnabled(true);
        if (telemetry::LocalPrometheus::binary().empty()) {
            QSKIP("Debian's prometheus is not installed (scripts/install-deps.sh installs it)");
        }
    }

    void showsTheSplitAndLeaksFromPrometheus()
    {
        const LaneGroup group = lanedeck::testing::seedGroup();
        auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
        QVERIFY(rendered.ok());
        sandbox::Sandbox box(group, {});
        box.setBaggagePropagation("mockb", false);
        QVERIFY(box.start(rendered->resources).ok());
        telemetry::LocalPrometheus prometheus;
        const auto started = prometheus.start({"127.0.0.1:" + std::to_string(box.metricsPort())});
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());

        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 500;
        config.concurrency = 4;
        traffic::Sampler sampler(config, traffic::Classifier::chain(group));
        const auto run = sampler.run();
        QVERIFY(run.ok());

        DocumentController document;
        document.edit(group, QStringLiteral("example"));
        TrafficPage page(&document);
        TelemetryPanel *panel = page.telemetryPanel();
        QAbstractItemModelTester laneTester(panel->laneModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester hopTester(panel->hopModel(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel->setWorkloads(telemetry::workloadsFromSandbox(group, box.instances()));
        panel->setContext(QStringLiteral("sandbox-test"));
        const QString url = QString::fromStdString(prometheus.url());
        panel->setPrometheusUrl(url);
        panel->setWindowSeconds(300);
        page.setSource(TrafficPage::Source::MeshTelemetry);
        QCOMPARE(page.findChild<QStackedWidget *>()->currentWidget(), panel);

        // Refresh until Prometheus has scraped every request (within its 1 s scrape interval).
        QSignalSpy updated(panel, &TelemetryPanel::updated);
        auto requests = [&] {
            panel->refresh();
            if (!updated.wait(20'000) || !panel->view()) {
                return std::uint64_t(0);
            }
            return panel->view()->split.total;
        };
        QTRY_COMPARE_WITH_TIMEOUT(requests(), std::uint64_t(500), 60'000);
        QCOMPARE(panel->laneModel()->rowCount(), 3);
        const QModelIndex s2 = panel->laneModel()->index(1, TrafficLaneModel::Count);
        QCOMPARE(s2.data(ValueRole).toULongLong(), run->summary.leaked + run->summary.lanes[1].count);
        QVERIFY(panel->verdict().startsWith(QStringLiteral("matches 60/20/20")));
        QVERIFY2(panel->status().contains(QStringLiteral("left their lane")), qPrintable(panel->status()));
        double leakedOnMockc = 0;
        for (int row = 0; row < panel->hopModel()->rowCount(); ++row) {
            const auto leaked =
                panel->hopModel()->index(row, TelemetryHopModel::Leaked).data(ValueRole).toDouble();
            const QString hop = panel->hopModel()->index(row, TelemetryHopModel::Hop).data().toString();
            if (hop.startsWith(QStringLiteral("mockb"))) {
                leakedOnMockc += leaked;
            } else {
                QCOMPARE(leaked, 0.0);
            }
        }
        QCOMPARE(leakedOnMockc, double(run->summary.leaked));

        QTemporaryDir dir;
        QString error;
        QVERIFY2(panel->exportJson(dir.filePath(QStringLiteral("t.json")), &error), qPrintable(error));
        QVERIFY2(panel->exportCsv(dir.filePath(QStringLiteral("t.csv")), &error), qPrintable(error));
        const std::string csv =
            lanedeck::testing::readText(dir.filePath(QStringLiteral("t.csv")).toStdString());
        QVERIFY(csv.find("# query: ") != std::string::npos);
        QVERIFY(csv.find("hop,\"mockb\",\"mockc\",\"s2\"") != std::string::npos);

        // Prometheus gone: the panel says so and keeps no old numbers on screen.
        prometheus.stop();
        QSignalSpy failed(panel, &TelemetryPanel::failed);
        panel->refresh();
        QVERIFY(failed.wait(30'000));
        QVERIFY(!panel->view());
        QCOMPARE(panel->laneModel()->rowCount(), 0);
        QCOMPARE(panel->hopModel()->rowCount(), 0);
        QVERIFY(panel->verdict().isEmpty());
        QVERIFY(panel->status().contains(QStringLiteral("Prometheus at")));
        QVERIFY(!panel->exportCsv(dir.filePath(QStringLiteral("u.csv")), &error));

        // The URL is remembered for the context.
        TelemetryPanel other;
        other.setContext(QStringLiteral("sandbox-test"));
        QCOMPARE(other.prometheusUrl(), url);
    }
};

QTEST_MAIN(TestTelemetryPanel)
#include "tst_telemetrypanel.moc"

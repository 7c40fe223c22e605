// The Traffic page's mesh-telemetry source connected to a cluster (the real test API server): the operator
// picks "through the cluster's API server", the panel finds the Prometheus Service, reads it through the
// service proxy, and maps workloads to lanes through the cluster's inventory with the document's label key.
// The metrics relay hides destination_version, so only the inventory can tell which workload is which lane's.
// Prometheus runs in a network namespace (tests/netnsprometheus.h): needs root, skips with the reason
// otherwise.
#include "lanes/lanegroup.h"
#include "mesh/render.h"
#include "netnsprometheus.h"
#include "prometheusprocess.h"
#include "sandbox/sandbox.h"
#include "testsupport.h"
#include "traffic/sampler.h"
#include "ui/clusterbar.h"
#include "ui/documentcontroller.h"
#include "ui/kubeconfigtargetsource.h"
#include "ui/mainwindow.h"
#include "ui/sandboxtarget.h"
#include "ui/settings.h"
#include "ui/telemetrypanel.h"
#include "ui/trafficmodels.h"
#include "ui/trafficpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <regex>

using namespace lanedeck;
using namespace lanedeck::testing;
using namespace lanedeck::ui;

namespace {

/// The sandbox's workloads as Deployments (pod templates with the lane label only, no `version`) behind
/// Services that select them by app.
std::string createWorkloads(kube::Client &client, const LaneGroup &group,
                            const std::vector<sandbox::SandboxInstance> &instances)
{
    std::vector<kube::Request> requests;
    for (const auto &service : group.services) {
        requests.push_back(post("/api/v1/namespaces/" + service.ns + "/services",
                                {{"apiVersion", "v1"},
                                 {"kind", "Service"},
                                 {"metadata", {{"name", service.name}}},
                                 {"spec",
                                  {{"selector", {{"app", service.name}}},
                                   {"ports", {{{"name", "http"}, {"port", service.port}}}}}}}));
    }
    for (const auto &instance : instances) {
        const Service *service = group.service(instance.service);
        nlohmann::json labels = {{"app", instance.service}};
        for (const auto &lane : group.lanes) {
            if (lane.labelValue == instance.version) {
                labels[lane.labelKey] = lane.labelValue;
            }
        }
        requests.push_back(
            post("/apis/apps/v1/namespaces/" + service->ns + "/deployments",
                 {{"apiVersion", "apps/v1"},
                  {"kind", "Deployment"},
                  {"metadata", {{"name", instance.workload}}},
                  {"spec",
                   {{"selector", {{"matchLabels", labels}}},
                    {"template",
                     {{"metadata", {{"labels", labels}}},
                      {"spec", {{"containers", {{{"name", "mock"}, {"image", "asm-mock"}}}}}}}}}}}));
    }
    for (const auto &response : client.send(requests)) {
        if (!response.ok()) {
            return response.message();
        }
    }
    return {};
}

} // namespace

class TestTelemetryCluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
        QApplication::setApplicationName(QStringLiteral("tst_telemetrycluster"));
        QSettings().clear(); // what an earlier run remembered for the context (it ends on a wrong Service)
    }

    void serviceProxyAndInventoryFromTheConsole()
    {
        if (const QString why = netnsPrometheusUnavailable(); !why.isEmpty()) {
            QSKIP(qPrintable(why));
        }
        NetworkNamespace netns;
        QString error;
        QVERIFY2(netns.create(error), qPrintable(error));

        // The seed's lanes carry ASM_TRAFFIC_TAG: the label key the inventory must be read with.
        const LaneGroup group = seedGroup();
        QCOMPARE(group.lanes.front().labelKey, std::string("ASM_TRAFFIC_TAG"));
        auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
        QVERIFY(rendered.ok());
        sandbox::Sandbox box(group, {});
        QVERIFY(box.start(rendered->resources).ok());
        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 400;
        config.concurrency = 4;
        traffic::Sampler sampler(config, traffic::Classifier::chain(group));
        const auto sampled = sampler.run();
        QVERIFY(sampled.ok());
        QCOMPARE(sampled->summary.total, std::uint64_t(400));
        const std::regex version("destination_version=\"[^\"]*\"");
        MetricsRelay relay(box, netns.hostAddress.toStdString(), [&version](std::string text) {
            return std::regex_replace(text, version, "destination_version=\"unknown\"");
        });
        QVERIFY(relay.port() > 0);
        PrometheusProcess prometheus;
        const QString notStarted = startInNamespace(prometheus, netns, relay);
        QVERIFY2(notStarted.isEmpty(), qPrintable(notStarted));
        QTRY_VERIFY_WITH_TIMEOUT(scrapedGatewayRequests(prometheus, 400), 30'000);

        TestCluster cluster;
        QVERIFY2(cluster.start(error), qPrintable(error));
        auto client = clientFor(cluster.kubeconfig());
        QVERIFY(client);
        std::string failure = exposePrometheus(*client, netns.innerAddress.toStdString());
        QVERIFY2(failure.empty(), failure.c_str());
        failure = createWorkloads(*client, group, box.instances());
        QVERIFY2(failure.empty(), failure.c_str());

        QTemporaryDir autosave;
        MainWindow::Options options;
        options.autosaveDirectory = autosave.path();
        options.autosaveIdleMs = 3'600'000;
        MainWindow window(options);
        KubeconfigTargetSource::Options kube;
        kube.explicitPath = cluster.kubeconfig();
        KubeconfigTargetSource source(kube);
        source.setGroupProvider([&window] { return window.document()->group(); }); // as main.cpp does
        CompositeTargetSource targets;
        targets.addSource(window.sandboxTarget());
        targets.addSource(&source);
        window.document()->edit(group, QStringLiteral("seed"));
        window.setTargetSource(&targets);
        TrafficPage *page = window.trafficPage();
        TelemetryPanel *panel = page->telemetryPanel();
        QAbstractItemModelTester laneTester(panel->laneModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.show();
        window.showTab(QStringLiteral("traffic"));
        page->setSource(TrafficPage::Source::MeshTelemetry);
        panel->setWindowSeconds(900);

        // Not connected to a cluster yet: the service proxy is not offered.
        window.clusterBar()->selectTarget(QString::fromLatin1(kLocalSandboxId));
        QVERIFY(!panel->canUseServiceProxy());
        window.clusterBar()->selectTarget(QStringLiteral("testcluster"));
        QTRY_VERIFY_WITH_TIMEOUT(window.clusterBar()->state() == ConnectionState::Connected, 180'000);
        QVERIFY(panel->canUseServiceProxy());

        // The operator switches to the service proxy and leaves the Service empty: it is found.
        auto *reach = panel->findChild<QComboBox *>(QStringLiteral("telemetryReach"));
        auto *service = panel->findChild<QLineEdit *>(QStringLiteral("telemetryService"));
        QVERIFY(reach && service);
        QSignalSpy updated(panel, &TelemetryPanel::updated);
        QSignalSpy failed(panel, &TelemetryPanel::failed);
        reach->setCurrentIndex(1);
        QVERIFY(service->isVisible());
        QVERIFY(!panel->findChild<QLineEdit *>(QStringLiteral("telemetryUrl"))->isVisible());
        // Each refresh after the inventory arrived maps through it; until then no workload is a lane's.
        auto firstLane = [&] {
            const qsizetype answers = updated.count() + failed.count();
            panel->refresh();
            QElapsedTimer waited;
            waited.start();
            while (updated.count() + failed.count() == answers && waited.elapsed() < 60'000) {
                QTest::qWait(50);
            }
            if (!panel->view() || panel->view()->split.lanes.empty()) {
                qInfo("no view yet: %s", qPrintable(panel->status()));
                return std::uint64_t(0);
            }
            if (!panel->view()->problems.empty()) {
                qInfo("%s", panel->view()->problems.front().c_str());
            }
            return panel->view()->split.lanes.front().count;
        };
        QTRY_COMPARE_WITH_TIMEOUT(firstLane(), sampled->summary.lanes.front().count, 120'000);
        QCOMPARE(panel->view()->split.total, std::uint64_t(400));
        QCOMPARE(service->text(), QStringLiteral("default/metrics-store:web"));
        QVERIFY2(panel->status().contains(QStringLiteral("default/metrics-store:web via the API server")),
                 qPrintable(panel->status()));
        QCOMPARE(panel->laneModel()->rowCount(), int(group.lanes.size()));
        for (int row = 0; row < panel->laneModel()->rowCount(); ++row) {
            QCOMPARE(panel->laneModel()->index(row, TrafficLaneModel::Count).data(ValueRole).toULongLong(),
                     sampled->summary.lanes[std::size_t(row)].count);
        }
        QVERIFY2(panel->verdict().startsWith(QStringLiteral("matches 60/20/20")),
                 qPrintable(panel->verdict()));

        // Remembered for the context.
        const auto remembered = TelemetrySourceSettings::load(QStringLiteral("testcluster"));
        QVERIFY(remembered.viaService);
        QCOMPARE(remembered.service, QStringLiteral("default/metrics-store:web"));

        // A Service that is not there: the API server's answer in the view, and no numbers left on screen.
        service->setText(QStringLiteral("default/nothing-here:9090"));
        service->setModified(true);
        QMetaObject::invokeMethod(service, "editingFinished");
        QVERIFY(failed.wait(60'000) || !failed.isEmpty());
        QVERIFY(!panel->view());
        QCOMPARE(panel->laneModel()->rowCount(), 0);
        QVERIFY2(panel->status().contains(QStringLiteral("nothing-here")), qPrintable(panel->status()));

        // Back to the sandbox: no API server, so the service proxy says what it needs.
        window.clusterBar()->selectTarget(QString::fromLatin1(kLocalSandboxId));
        QTRY_VERIFY(!panel->canUseServiceProxy());
        const qint64 pid = prometheus.pid();
        prometheus.stop();
        QVERIFY(pid > 0 && !processRunning(pid));
    }
};

QTEST_MAIN(TestTelemetryCluster)
#include "tst_telemetrycluster.moc"

// A rollout against a real kube-apiserver (tests/kube/testcluster): every step's weights are in the ingress
// VirtualService while the step holds, as kubectl reads them; a rollback puts back the weights before the
// rollout; the state and the lease are annotations on that VirtualService, and a second rollout is refused.
// The cluster has no data plane: a sandbox fed the same pushes stands in for it, so the gates have traffic.
#include "kube/push.h"
#include "kube/testcluster.h"
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "rollout/clustertarget.h"
#include "sandbox/sandbox.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::rollout;
using namespace lanedeck::testing;

namespace {

LaneGroup mockGroup(const std::string &name)
{
    LaneGroup group = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
    group.name = name;
    return group;
}

/// The cluster target, with each push also applied to a sandbox that plays the mesh's data plane.
class ClusterWithSandbox final : public Target
{
public:
    ClusterWithSandbox(ClusterTarget &cluster, sandbox::Sandbox &box) : m_cluster(cluster), m_box(box) {}
    std::string describe() const override { return m_cluster.describe(); }
    Result<std::vector<std::string>> push(const LaneGroup &weighted) override
    {
        auto pushed = m_cluster.push(weighted);
        if (pushed) {
            auto rendered = mesh::render(weighted, {mesh::Flavor::Istio, {}});
            if (!rendered || !m_box.apply(rendered->resources)) {
                return Error{"the sandbox did not take the push"};
            }
        }
        return pushed;
    }
    Result<traffic::SamplerConfig> probe() override { return m_cluster.probe(); }
    Result<std::optional<RolloutState>> loadState() override { return m_cluster.loadState(); }
    Result<void> saveState(const RolloutState &state) override { return m_cluster.saveState(state); }
    Result<void> acquireLease(const std::string &holder, std::int64_t expiresMs) override
    {
        return m_cluster.acquireLease(holder, expiresMs);
    }
    void releaseLease(const std::string &holder) override { m_cluster.releaseLease(holder); }

private:
    ClusterTarget &m_cluster;
    sandbox::Sandbox &m_box;
};

Plan quickPlan(const std::string &group)
{
    Plan plan;
    plan.name = "cluster-quick";
    plan.group = group;
    plan.lane = "s2";
    plan.interval = std::chrono::milliseconds(250);
    plan.rate = 400;
    for (int weight : {10, 50}) {
        Step step;
        step.laneWeight = weight;
        step.hold = std::chrono::milliseconds(500);
        step.minRequests = 100;
        plan.steps.push_back(step);
    }
    plan.gates.errorRate = ErrorRateGate{0.05, std::nullopt};
    return plan;
}

} // namespace

class TestRolloutCluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
        QVERIFY2(!m_kubectl.isEmpty(), "kubectl is needed to read back what the rollout pushed");
        QString error;
        QVERIFY2(m_cluster.start(error),
                 qPrintable(QStringLiteral("the test cluster did not start:\n") + error));
    }

    void cleanupTestCase() { QVERIFY(m_cluster.stop()); }

    void eachStepIsVisibleAndRollbackRestores_data()
    {
        QTest::addColumn<bool>("fault");
        QTest::addRow("promotes") << false;
        QTest::addRow("fault-rolls-back") << true;
    }
    void eachStepIsVisibleAndRollbackRestores()
    {
        QFETCH(bool, fault);
        const LaneGroup group = mockGroup(fault ? "rollout-fault" : "rollout-ok");
        auto client = clientFor(m_cluster.kubeconfig());
        QVERIFY(client);
        // The group as it stands before the rollout: 60/20/20.
        auto initial = kube::push(*client, group, {mesh::Flavor::Istio, {}}, {});
        QVERIFY2(initial && initial->ok(), initial ? "push failed" : initial.error().message.c_str());

        sandbox::Sandbox box(group);
        auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
        QVERIFY(rendered && box.start(rendered->resources).ok());
        if (fault) {
            QVERIFY(box.setFault("mockc", "v2", sandbox::Fault{0.5, 503, {}}).ok());
        }
        ClusterTarget cluster(*client, group, {mesh::Flavor::Istio, {}}, box.gatewayUrl());
        ClusterWithSandbox target(cluster, box);
        Plan plan = quickPlan(group.name);
        plan.rollbackWeights = {{"s1", 60}, {"s2", 20}, {"s3", 20}}; // the weights before the rollout

        std::vector<std::map<std::string, int>> seenWhileHolding;
        RunnerOptions options;
        options.holder = "tst_rolloutcluster";
        options.onEvent = [&](const Event &event) {
            if (event.kind == Event::Kind::Evaluated && event.step + 1 > int(seenWhileHolding.size())) {
                seenWhileHolding.push_back(liveWeights(group));
            }
        };
        const RunResult result = Runner(plan, group, target, options).run();
        if (fault) {
            QVERIFY2(result.outcome == Outcome::RolledBack, result.message.c_str());
            QCOMPARE(seenWhileHolding.size(), std::size_t(1));
        } else {
            QVERIFY2(result.outcome == Outcome::Promoted, result.message.c_str());
            QCOMPARE(seenWhileHolding.size(), std::size_t(2));
            QCOMPARE(seenWhileHolding[1], (std::map<std::string, int>{{"s1", 38}, {"s2", 50}, {"s3", 12}}));
        }
        QCOMPARE(seenWhileHolding[0], (std::map<std::string, int>{{"s1", 68}, {"s2", 10}, {"s3", 22}}));
        const auto after = liveWeights(group);
        QCOMPARE(after, fault ? (std::map<std::string, int>{{"s1", 60}, {"s2", 20}, {"s3", 20}})
                              : (std::map<std::string, int>{{"s1", 38}, {"s2", 50}, {"s3", 12}}));
        // The state is on the VirtualService, and the lease was given back.
        const QJsonObject annotations =
            liveIngress(group)[QLatin1String("metadata")].toObject()[QLatin1String("annotations")].toObject();
        const auto state =
            QJsonDocument::fromJson(annotations[QLatin1String(kStateAnnotation)].toString().toUtf8())
                .object();
        QCOMPARE(state[QLatin1String("phase")].toString(),
                 fault ? QStringLiteral("rolledBack") : QStringLiteral("promoted"));
        QVERIFY(!annotations.contains(QLatin1String(kLeaseAnnotation)));
    }

    void aSecondRolloutIsRefused()
    {
        const LaneGroup group = mockGroup("rollout-lease");
        auto client = clientFor(m_cluster.kubeconfig());
        QVERIFY(client);
        auto initial = kube::push(*client, group, {mesh::Flavor::Istio, {}}, {});
        QVERIFY(initial && initial->ok());
        ClusterTarget first(*client, group, {mesh::Flavor::Istio, {}}, "http://127.0.0.1:1/");
        QVERIFY(first.acquireLease("first", nowMs() + 60000).ok());
        auto other = clientFor(m_cluster.kubeconfig());
        ClusterTarget second(*other, group, {mesh::Flavor::Istio, {}}, "http://127.0.0.1:1/");
        const RunResult result = Runner(quickPlan(group.name), group, second, {}).run();
        QVERIFY(result.outcome == Outcome::Refused);
        QVERIFY2(result.message.find("another rollout of this group is running (first") != std::string::npos,
                 result.message.c_str());
        first.releaseLease("first");
        QVERIFY(second.acquireLease("second", nowMs() + 60000).ok());
        // An expired lease is taken over.
        QVERIFY(second.acquireLease("second", nowMs() - 1).ok());
        QVERIFY(first.acquireLease("first", nowMs() + 60000).ok());
    }

    void lanectlRollsOutOnTheCluster()
    {
        const LaneGroup group = mockGroup("test"); // the name the written plan names
        auto client = clientFor(m_cluster.kubeconfig());
        QVERIFY(client);
        auto initial = kube::push(*client, group, {mesh::Flavor::Istio, {}}, {});
        QVERIFY(initial && initial->ok());
        // The data plane: a sandbox at the group's weights (the error gate alone judges, so it need not
        // follow the pushes).
        sandbox::Sandbox box(group);
        auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
        QVERIFY(rendered && box.start(rendered->resources).ok());
        QTemporaryDir dir;
        const QString plan = dir.filePath(QStringLiteral("plan.yaml"));
        QFile file(plan);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("apiVersion: lanedeck.io/v1alpha1\n"
                   "kind: Rollout\n"
                   "metadata: {name: on-cluster}\n"
                   "spec:\n"
                   "  group: test\n"
                   "  groupFile: " LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml\n"
                   "  lane: s2\n"
                   "  interval: 250ms\n"
                   "  rate: 400\n"
                   "  steps:\n"
                   "    - {laneWeight: 30, hold: 500ms}\n"
                   "  gates:\n"
                   "    errorRate: {max: 5%}\n");
        file.close();
        const QStringList rollout{QStringLiteral("rollout"),      plan,
                                  QStringLiteral("--target"),     QStringLiteral("testcluster"),
                                  QStringLiteral("--kubeconfig"), m_cluster.kubeconfig(),
                                  QStringLiteral("--flavor"),     QStringLiteral("istio"),
                                  QStringLiteral("--probe-url"),  QString::fromStdString(box.gatewayUrl())};
        // The push gate of lanectl apply: this cluster runs none of the group's workloads, so the analysis
        // finds errors and the rollout does not start; nothing is pushed.
        const Run gated = run(QStringLiteral(LANECTL_PATH), rollout);
        QVERIFY2(gated.exitCode == 6, (gated.out + gated.err).constData());
        QVERIFY2(gated.err.contains("Error [") &&
                     gated.err.contains("the analysis found errors; nothing was pushed"),
                 gated.err.constData());
        QCOMPARE(liveWeights(group), (std::map<std::string, int>{{"s1", 60}, {"s2", 20}, {"s3", 20}}));
        // Overridden, it runs; the findings are still printed.
        const Run r =
            run(QStringLiteral(LANECTL_PATH), rollout + QStringList{QStringLiteral("--ignore-analysis")});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QVERIFY(r.err.contains("Error ["));
        QVERIFY(r.out.startsWith("promoted: s1 53 / s2 30 / s3 17"));
        QCOMPARE(liveWeights(group), (std::map<std::string, int>{{"s1", 53}, {"s2", 30}, {"s3", 17}}));
    }

private:
    QJsonObject liveIngress(const LaneGroup &group)
    {
        const Run r =
            run(m_kubectl,
                {QStringLiteral("--kubeconfig"), m_cluster.kubeconfig(), QStringLiteral("-n"),
                 QString::fromStdString(group.ns), QStringLiteral("get"), QStringLiteral("virtualservice"),
                 QStringLiteral("trafficlabel-ingress-vs-") + QString::fromStdString(group.name),
                 QStringLiteral("-o"), QStringLiteral("json")});
        if (r.exitCode != 0) {
            qWarning("kubectl: %s", r.err.constData());
        }
        return QJsonDocument::fromJson(r.out).object();
    }

    /// The weights of the ingress VirtualService's weighted rule, by lane (the routing header it sets).
    std::map<std::string, int> liveWeights(const LaneGroup &group)
    {
        std::map<std::string, int> weights;
        for (const auto &lane : group.lanes) {
            weights[lane.name] = 0;
        }
        const auto http =
            liveIngress(group)[QLatin1String("spec")].toObject()[QLatin1String("http")].toArray();
        for (const auto &rule : http) {
            if (!rule.toObject()[QLatin1String("name")].toString().endsWith(QLatin1String("-weighted"))) {
                continue;
            }
            for (const auto &route : rule.toObject()[QLatin1String("route")].toArray()) {
                const auto set = route.toObject()[QLatin1String("headers")]
                                     .toObject()[QLatin1String("request")]
                                     .toObject()[QLatin1String("set")]
                                     .toObject();
                const std::string lane = set[QLatin1String("x-asm-prefer-tag")].toString().toStdString();
                weights[lane] += route.toObject()[QLatin1String("weight")].toInt();
            }
        }
        return weights;
    }

    TestCluster m_cluster;
    QString m_kubectl;
};

QTEST_GUILESS_MAIN(TestRolloutCluster)
#include "tst_rolloutcluster.moc"

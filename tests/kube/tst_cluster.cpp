// LaneDeck against a REAL kube-apiserver (tests/kube/testcluster, started by scripts/testcluster.sh): push,
// dry run, conflicts, prune, diff, import, RBAC, exec credentials, client certificates outside their
// validity, exec plugins that hang or fail, a server that dies mid-push, and kubectl reading back what
// LaneDeck applied. If the server cannot be built or started, the test fails.
#include "base/atomicfile.h"
#include "base/yamljson.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/importer.h"
#include "kube/ingress.h"
#include "kube/inventory.h"
#include "kube/kubeconfig.h"
#include "kube/push.h"
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "testcertificates.h"
#include "testcluster.h"
#include "testsupport.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <sys/types.h>

using namespace lanedeck;
using namespace lanedeck::testing;
using nlohmann::json;

Q_DECLARE_METATYPE(mesh::Flavor)

namespace {

std::unique_ptr<kube::Client> connectTo(const TestCluster &cluster, const char *user = "admin",
                                        const kube::ClientOptions &options = {})
{
    return clientFor(cluster.kubeconfig(user), options);
}

LaneGroup mockGroup(const std::string &name)
{
    LaneGroup group = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
    group.name = name;
    return group;
}

std::map<std::string, kube::Outcome> outcomes(const kube::PushReport &report)
{
    std::map<std::string, kube::Outcome> out;
    for (const auto &r : report.results) {
        out[r.resource] = r.outcome;
    }
    return out;
}

bool all(const kube::PushReport &report, kube::Outcome outcome)
{
    return !report.results.empty() &&
           std::all_of(report.results.begin(), report.results.end(),
                       [&](const kube::ResourceResult &r) { return r.outcome == outcome; });
}

std::string describe(const kube::PushReport &report)
{
    std::string text;
    for (const auto &r : report.results) {
        text += r.resource + ": " + kube::toString(r.outcome) + " " + r.message + "\n";
    }
    for (const auto &n : report.notes) {
        text += "note: " + n + "\n";
    }
    return text;
}

/// A kubeconfig in `dir` for the istio test cluster with one user "u", whose users: entry is `user`.
QString writeKubeconfig(const QTemporaryDir &dir, const TestCluster &cluster, const std::string &user)
{
    auto admin = kube::loadKubeconfig({cluster.kubeconfig().toStdString(), {}, {}});
    const std::string text =
        "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n"
        "    server: " +
        admin->clusters.begin()->second.server +
        "\n    certificate-authority: " + cluster.path(QStringLiteral("ca.crt")).toStdString() +
        "\nusers:\n- name: u\n  user:\n" + user + "contexts:\n- name: t\n  context: {cluster: c, user: u}\n";
    const QString file = dir.filePath(QStringLiteral("kubeconfig"));
    return writeFileAtomically(file.toStdString(), text).ok() ? file : QString();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString isoUtc(std::chrono::system_clock::time_point when)
{
    return QDateTime::fromSecsSinceEpoch(std::chrono::system_clock::to_time_t(when), Qt::UTC)
        .toString(Qt::ISODate);
}

int execRuns(const TestCluster &cluster)
{
    QFile f(cluster.path(QStringLiteral("exec-plugin.log")));
    return f.open(QIODevice::ReadOnly) ? static_cast<int>(f.readAll().count('\n')) : 0;
}

} // namespace

#define VERIFY_RESULT(r) QVERIFY2((r).ok(), (r).ok() ? "" : (r).error().message.c_str())

class TestCluster_ : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void applyThenReapply_data();
    void applyThenReapply();
    void tlsVerification_data();
    void tlsVerification();
    void moreAuthKinds_data();
    void moreAuthKinds();
    void dryRunWritesNothing();
    void conflictThenForce();
    void pruneAfterRemovingLane();
    void diffAfterKubectlEdit();
    void importRoundTrip_data();
    void importRoundTrip();
    void readOnlyUserGetsClear403();
    void anonymousClientGetsEveryAnswer_data();
    void anonymousClientGetsEveryAnswer();
    void oidcIdTokenUser();
    void expiredExecCredentialIsRefreshed();
    void refusesFlavorsTheMeshCannotTake();
    void kubectlReadsBackTheSameSpecs();
    void inventoryFlagsLanesWithoutReadyWorkloads();
    void ingressAddress_data();
    void ingressAddress();
    void deleteGroup();
    void lanectlEndToEnd();
    void machineReadableOutput_data();
    void machineReadableOutput();
    void clientCertificateOutsideItsValidity_data();
    void clientCertificateOutsideItsValidity();
    void misbehavingExecPluginThroughLanectl_data();
    void misbehavingExecPluginThroughLanectl();
    void apiServerStoppedMidPush();

private:
    TestCluster m_istio;
    TestCluster m_asm;
    QString m_kubectl;
};

void TestCluster_::initTestCase()
{
    QVERIFY2(QFileInfo(testclusterScript()).isExecutable(),
             qPrintable(QStringLiteral("no test cluster script at ") + testclusterScript()));
    m_kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
    QVERIFY2(!m_kubectl.isEmpty(), "kubectl is needed to cross-check what LaneDeck applied");
    m_istio.mesh = QStringLiteral("istio");
    m_asm.mesh = QStringLiteral("asm");
    QString error;
    // Building the server (first run only) is part of this: a build failure fails the test.
    QVERIFY2(m_istio.start(error),
             qPrintable(QStringLiteral("the istio test cluster did not start:\n") + error));
    QVERIFY2(m_asm.start(error), qPrintable(QStringLiteral("the asm test cluster did not start:\n") + error));
}

void TestCluster_::cleanupTestCase()
{
    for (TestCluster *c : {&m_istio, &m_asm}) {
        const qint64 pid = c->pid();
        QVERIFY(c->stop());
        if (pid > 0) {
            QVERIFY2(::kill(static_cast<pid_t>(pid), 0) != 0, "the test cluster process is still running");
        }
    }
}

void TestCluster_::applyThenReapply_data()
{
    QTest::addColumn<bool>("asmMesh");
    QTest::addColumn<mesh::Flavor>("flavor");
    QTest::addColumn<QString>("user");
    QTest::addRow("asm-token") << true << mesh::Flavor::Asm << "admin";
    QTest::addRow("istio-client-cert-relative-paths") << false << mesh::Flavor::Istio << "cert";
    QTest::addRow("asm-crd-exec-plugin") << true << mesh::Flavor::AsmCrd << "exec";
    QTest::addRow("istio-on-asm-mesh") << true << mesh::Flavor::Istio << "admin";
}

void TestCluster_::applyThenReapply()
{
    QFETCH(bool, asmMesh);
    QFETCH(mesh::Flavor, flavor);
    QFETCH(QString, user);
    const TestCluster &cluster = asmMesh ? m_asm : m_istio;
    auto client = connectTo(cluster, user.toLatin1().constData());
    QVERIFY(client);
    const LaneGroup group = mockGroup("reapply-" + mesh::toString(flavor) + "-" + user.toStdString());
    auto first = kube::push(*client, group, {flavor, {}}, {});
    VERIFY_RESULT(first);
    QVERIFY2(first->ok() && all(*first, kube::Outcome::Created), describe(*first).c_str());
    auto second = kube::push(*client, group, {flavor, {}}, {});
    VERIFY_RESULT(second);
    QVERIFY2(second->ok() && all(*second, kube::Outcome::Unchanged), describe(*second).c_str());
    QCOMPARE(second->results.size(), first->results.size());
    QCOMPARE(client->send(kube::Request{"GET", "/version", {}, {}}).httpVersion, 2);
}

void TestCluster_::tlsVerification_data()
{
    QTest::addColumn<QString>("tlsServerName");
    QTest::addColumn<bool>("dropCa");
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<bool>("reachable");
    QTest::addRow("ca-from-kubeconfig") << "" << false << false << true;
    QTest::addRow("tls-server-name-in-certificate") << "kubernetes.default" << false << false << true;
    QTest::addRow("tls-server-name-not-in-certificate") << "wrong.example" << false << false << false;
    QTest::addRow("unknown-ca-refused") << "" << true << false << false;
    QTest::addRow("insecure-skip-tls-verify") << "" << true << true << true;
}

void TestCluster_::tlsVerification()
{
    QFETCH(QString, tlsServerName);
    QFETCH(bool, dropCa);
    QFETCH(bool, insecure);
    QFETCH(bool, reachable);
    kube::KubeconfigSource source;
    source.explicitPath = m_istio.kubeconfig().toStdString();
    auto connection = kube::resolveConnection(*kube::loadKubeconfig(source));
    VERIFY_RESULT(connection);
    connection->cluster.tlsServerName = tlsServerName.toStdString();
    if (dropCa) {
        connection->cluster.certificateAuthorityData.clear();
    }
    connection->cluster.insecureSkipTlsVerify = insecure;
    auto client = kube::Client::create(*connection);
    VERIFY_RESULT(client);
    const kube::Response r = (*client)->send(kube::Request{"GET", "/api/v1/namespaces/default", {}, {}});
    QVERIFY2(r.ok() == reachable, r.message().c_str());
    if (!reachable) {
        QVERIFY2(r.message().find("cannot reach the API server") != std::string::npos &&
                     (r.message().find("SSL") != std::string::npos ||
                      r.message().find("certificate") != std::string::npos),
                 r.message().c_str());
    }
}

void TestCluster_::moreAuthKinds_data()
{
    QTest::addColumn<QString>("user"); // the users: entry of a kubeconfig written beside the cluster's files
    QTest::addColumn<QString>("expected"); // "ok", or what the 403 must name
    QTest::addRow("token-file-relative") << "    tokenFile: admin.token\n"
                                         << "ok";
    QTest::addRow("exec-v1-client-certificate")
        << "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Never\n"
           "      command: ./cert-plugin.sh\n      args: [client.authentication.k8s.io/v1]\n"
        << "ok";
    QTest::addRow("exec-v1beta1-client-certificate")
        << "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: "
           "./cert-plugin.sh\n"
           "      args: [client.authentication.k8s.io/v1beta1]\n"
        << "ok";
    QTest::addRow("impersonation")
        << "    tokenFile: admin.token\n    as: lanedeck-readonly\n    as-groups: [readers]\n"
        << "User \"lanedeck-readonly\" cannot patch";
}

void TestCluster_::moreAuthKinds()
{
    QFETCH(QString, user);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    auto admin = kube::loadKubeconfig({m_istio.kubeconfig().toStdString(), {}, {}});
    VERIFY_RESULT(admin);
    const auto &adminUser = admin->users.begin()->second;
    const auto &cluster = admin->clusters.begin()->second;
    QVERIFY(
        writeFileAtomically(dir.filePath(QStringLiteral("admin.token")).toStdString(), adminUser.token + "\n")
            .ok());
    // An exec plugin that answers with the test cluster's client certificate (system:masters).
    const std::string plugin =
        "#!/bin/sh\nesc() { sed -e ':a' -e 'N' -e '$!ba' -e 's/\\n/\\\\n/g' \"$1\"; }\n"
        "printf "
        "'{\"apiVersion\":\"%s\",\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"%"
        "s\\\\n\",'"
        " \"$1\" \"$(esc " +
        m_istio.path(QStringLiteral("client/admin.crt")).toStdString() +
        ")\"\n"
        "printf '\"clientKeyData\":\"%s\\\\n\"}}\\n' \"$(esc " +
        m_istio.path(QStringLiteral("client/admin.key")).toStdString() + ")\"\n";
    const QString pluginPath = dir.filePath(QStringLiteral("cert-plugin.sh"));
    QVERIFY(writeFileAtomically(pluginPath.toStdString(), plugin).ok());
    QVERIFY(QFile::setPermissions(pluginPath, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const std::string kubeconfig =
        "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n"
        "    server: " +
        cluster.server +
        "\n    certificate-authority: " + m_istio.path(QStringLiteral("ca.crt")).toStdString() +
        "\nusers:\n- name: u\n  user:\n" + user.toStdString() +
        "contexts:\n- name: t\n  context: {cluster: c, user: u}\n";
    const QString file = dir.filePath(QStringLiteral("kubeconfig"));
    QVERIFY(writeFileAtomically(file.toStdString(), kubeconfig).ok());
    auto config = kube::loadKubeconfig({file.toStdString(), {}, {}});
    VERIFY_RESULT(config);
    auto connection = kube::resolveConnection(*config);
    VERIFY_RESULT(connection);
    auto client = kube::Client::create(*connection);
    VERIFY_RESULT(client);
    static int groups = 0;
    const LaneGroup group = mockGroup("auth-" + std::to_string(++groups));
    auto report = kube::push(**client, group, {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(report);
    if (expected == QLatin1String("ok")) {
        QVERIFY2(report->ok() && all(*report, kube::Outcome::Created), describe(*report).c_str());
    } else {
        QVERIFY(!report->ok());
        QVERIFY2(report->results.front().message.find(expected.toStdString()) != std::string::npos,
                 report->results.front().message.c_str());
    }
}

void TestCluster_::dryRunWritesNothing()
{
    auto client = connectTo(m_istio);
    QVERIFY(client);
    LaneGroup group = mockGroup("dry");
    kube::PushOptions dry;
    dry.dryRun = true;
    auto report = kube::push(*client, group, {mesh::Flavor::Istio, {}}, dry);
    VERIFY_RESULT(report);
    QVERIFY2(report->ok() && report->dryRun && all(*report, kube::Outcome::Created),
             describe(*report).c_str());
    auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
    for (const auto &r : rendered->resources) {
        const auto path = "/apis/" + r.apiVersion() + "/namespaces/" + r.ns() + "/" +
                          (r.kind() == "VirtualService" ? "virtualservices/" : "destinationrules/") +
                          r.name();
        QVERIFY2(client->send(kube::Request{"GET", path, {}, {}}).notFound(), path.c_str());
    }
    // On existing objects: a change shows as configured, yet the live object keeps its value.
    auto applied = kube::push(*client, group, {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(applied);
    QVERIFY(applied->ok());
    group.lanes[0].weight = 40;
    group.lanes[1].weight = 40;
    auto changed = kube::push(*client, group, {mesh::Flavor::Istio, {}}, dry);
    VERIFY_RESULT(changed);
    const auto o = outcomes(*changed);
    QCOMPARE(kube::toString(o.at("VirtualService istio-system/trafficlabel-ingress-vs-dry")),
             std::string("configured"));
    QCOMPARE(kube::toString(o.at("DestinationRule istio-system/trafficlabel-dr-dry-default-mocka")),
             std::string("unchanged"));
    const Run weights =
        run(m_kubectl, {QStringLiteral("--kubeconfig"), m_istio.kubeconfig(), QStringLiteral("-n"),
                        QStringLiteral("istio-system"), QStringLiteral("get"),
                        QStringLiteral("virtualservice"), QStringLiteral("trafficlabel-ingress-vs-dry"),
                        QStringLiteral("-o"), QStringLiteral("jsonpath={.spec.http[3].route[*].weight}")});
    QCOMPARE(weights.out, QByteArray("60 20 20"));
}

void TestCluster_::conflictThenForce()
{
    auto client = connectTo(m_istio);
    QVERIFY(client);
    const LaneGroup group = mockGroup("conflict");
    const mesh::RenderOptions istio{mesh::Flavor::Istio, {}};
    auto applied = kube::push(*client, group, istio, {});
    VERIFY_RESULT(applied);
    QVERIFY(applied->ok());

    // Another field manager takes .spec.http of the ingress VirtualService with kubectl.
    auto rendered = mesh::render(group, istio);
    json ingress;
    for (const auto &r : rendered->resources) {
        if (r.name() == "trafficlabel-ingress-vs-conflict") {
            ingress = r.object;
        }
    }
    ingress["spec"]["http"].back()["route"][0]["weight"] = 70;
    ingress["spec"]["http"].back()["route"][1]["weight"] = 10;
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("ingress.yaml"));
    QVERIFY(writeFileAtomically(file.toStdString(), toYaml(ingress)).ok());
    const Run other =
        run(m_kubectl, {QStringLiteral("--kubeconfig"), m_istio.kubeconfig(), QStringLiteral("apply"),
                        QStringLiteral("--server-side"), QStringLiteral("--field-manager=other"),
                        QStringLiteral("--force-conflicts"), QStringLiteral("-f"), file});
    QVERIFY2(other.exitCode == 0, other.err.constData());

    auto conflicted = kube::push(*client, group, istio, {});
    VERIFY_RESULT(conflicted);
    QVERIFY(!conflicted->ok());
    bool sawConflict = false;
    for (const auto &r : conflicted->results) {
        if (r.resource == "VirtualService istio-system/trafficlabel-ingress-vs-conflict") {
            sawConflict = true;
            QCOMPARE(kube::toString(r.outcome), std::string("failed"));
            QVERIFY2(r.message.find("HTTP 409: Apply failed with 1 conflict: conflict with \"other\"") !=
                         std::string::npos,
                     r.message.c_str());
            QVERIFY2(r.message.find(".spec.http") != std::string::npos &&
                         r.message.find("--force") != std::string::npos,
                     r.message.c_str());
            QCOMPARE(r.conflicts.size(), std::size_t(1));
        } else {
            QCOMPARE(kube::toString(r.outcome), std::string("skipped"));
        }
    }
    QVERIFY(sawConflict);

    kube::PushOptions force;
    force.force = true;
    auto forced = kube::push(*client, group, istio, force);
    VERIFY_RESULT(forced);
    QVERIFY2(forced->ok(), describe(*forced).c_str());
    QCOMPARE(
        kube::toString(outcomes(*forced).at("VirtualService istio-system/trafficlabel-ingress-vs-conflict")),
        std::string("configured"));
    auto again = kube::push(*client, group, istio, {});
    VERIFY_RESULT(again);
    QVERIFY2(again->ok() && all(*again, kube::Outcome::Unchanged), describe(*again).c_str());
}

void TestCluster_::pruneAfterRemovingLane()
{
    auto client = connectTo(m_asm);
    QVERIFY(client);
    LaneGroup group = mockGroup("prune");
    const mesh::RenderOptions crd{mesh::Flavor::AsmCrd, {}};
    auto applied = kube::push(*client, group, crd, {});
    VERIFY_RESULT(applied);
    QVERIFY(applied->ok());
    group.lanes.pop_back(); // s3
    group.lanes[1].weight = 40;
    const std::string lanePath = "/apis/istio.alibabacloud.com/v1/asmswimlanes/prune-s3";

    auto withoutPrune = kube::push(*client, group, crd, {});
    VERIFY_RESULT(withoutPrune);
    QVERIFY(withoutPrune->ok());
    QVERIFY(client->send(kube::Request{"GET", lanePath, {}, {}}).ok());

    kube::PushOptions prune;
    prune.prune = true;
    prune.dryRun = true;
    auto dry = kube::push(*client, group, crd, prune);
    VERIFY_RESULT(dry);
    QCOMPARE(kube::toString(outcomes(*dry).at("ASMSwimLane prune-s3")), std::string("pruned"));
    QVERIFY(client->send(kube::Request{"GET", lanePath, {}, {}}).ok());

    prune.dryRun = false;
    auto pruned = kube::push(*client, group, crd, prune);
    VERIFY_RESULT(pruned);
    QVERIFY2(pruned->ok(), describe(*pruned).c_str());
    const auto o = outcomes(*pruned);
    QCOMPARE(kube::toString(o.at("ASMSwimLane prune-s3")), std::string("pruned"));
    QCOMPARE(kube::toString(o.at("ASMSwimLane prune-s2")), std::string("unchanged"));
    QCOMPARE(o.size(), std::size_t(4)); // group, s1, s2 + the pruned s3; nothing else touched
    QVERIFY(client->send(kube::Request{"GET", lanePath, {}, {}}).notFound());
}

void TestCluster_::diffAfterKubectlEdit()
{
    auto client = connectTo(m_istio);
    QVERIFY(client);
    const LaneGroup group = mockGroup("diff");
    const mesh::RenderOptions istio{mesh::Flavor::Istio, {}};
    QVERIFY(kube::push(*client, group, istio, {})->ok());
    auto clean = kube::diffGroup(*client, group, istio);
    VERIFY_RESULT(clean);
    for (const auto &d : *clean) {
        QVERIFY2(d.state == kube::ResourceDiff::State::Identical, (d.resource + "\n" + d.diff).c_str());
    }
    // A hand edit, with kubectl edit itself (the "editor" is sed).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBE_EDITOR"), QStringLiteral("sed -i -e s/weight:\\ 60/weight:\\ 55/"));
    const Run edit = run(m_kubectl,
                         {QStringLiteral("--kubeconfig"), m_istio.kubeconfig(), QStringLiteral("-n"),
                          QStringLiteral("istio-system"), QStringLiteral("edit"),
                          QStringLiteral("virtualservice"), QStringLiteral("trafficlabel-ingress-vs-diff")},
                         env);
    QVERIFY2(edit.exitCode == 0, (edit.out + edit.err).constData());
    auto diffs = kube::diffGroup(*client, group, istio);
    VERIFY_RESULT(diffs);
    int changed = 0;
    for (const auto &d : *diffs) {
        if (d.resource == "VirtualService istio-system/trafficlabel-ingress-vs-diff") {
            ++changed;
            QCOMPARE(int(d.state), int(kube::ResourceDiff::State::Changed));
            QVERIFY2(d.diff.find("\n-          weight: 55\n+          weight: 60\n") != std::string::npos,
                     d.diff.c_str());
            QVERIFY2(d.diff.starts_with(
                         "--- live/VirtualService istio-system/trafficlabel-ingress-vs-diff\n+++ generated/"),
                     d.diff.c_str());
            QVERIFY2(d.diff.find("managedFields") == std::string::npos &&
                         d.diff.find("resourceVersion") == std::string::npos,
                     d.diff.c_str());
        } else {
            QVERIFY2(d.state == kube::ResourceDiff::State::Identical, d.resource.c_str());
        }
    }
    QCOMPARE(changed, 1);
}

void TestCluster_::importRoundTrip_data()
{
    QTest::addColumn<bool>("asmMesh");
    QTest::addColumn<mesh::Flavor>("flavor");
    QTest::addRow("asm-on-asm-mesh") << true << mesh::Flavor::Asm;
    QTest::addRow("istio-on-istio-mesh") << false << mesh::Flavor::Istio;
    QTest::addRow("asm-crd-on-asm-mesh") << true << mesh::Flavor::AsmCrd;
}

void TestCluster_::importRoundTrip()
{
    QFETCH(bool, asmMesh);
    QFETCH(mesh::Flavor, flavor);
    auto client = connectTo(asmMesh ? m_asm : m_istio);
    QVERIFY(client);
    LaneGroup group = mockGroup("imp-" + mesh::toString(flavor));
    group.ingress.headers = {{"x-tenant", {StringMatch::Kind::Exact, "acme"}}};
    auto applied = kube::push(*client, group, {flavor, {}}, {});
    VERIFY_RESULT(applied);
    QVERIFY2(applied->ok(), describe(*applied).c_str());
    auto imported = kube::importGroup(*client, group.name, group.ns);
    VERIFY_RESULT(imported);
    QCOMPARE(mesh::toString(imported->flavor), mesh::toString(flavor));
    QCOMPARE(QString::fromStdString(serializeLaneGroup(imported->group)),
             QString::fromStdString(serializeLaneGroup(group)));
    QVERIFY(imported->group == group);
}

void TestCluster_::readOnlyUserGetsClear403()
{
    auto client = connectTo(m_istio, "readonly");
    QVERIFY(client);
    auto report = kube::push(*client, mockGroup("readonly"), {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(report);
    QVERIFY(!report->ok());
    const auto &first = report->results.front();
    QCOMPARE(kube::toString(first.outcome), std::string("failed"));
    for (const char *part : {"HTTP 403", "is forbidden: User \"lanedeck-readonly\" cannot patch resource",
                             "lacks the RBAC permission"}) {
        QVERIFY2(first.message.find(part) != std::string::npos, first.message.c_str());
    }
    // Reading is allowed: the inventory works for the same user.
    QVERIFY(kube::readInventory(*client, {"default"}).ok());
}

void TestCluster_::anonymousClientGetsEveryAnswer_data()
{
    QTest::addColumn<QByteArray>("user"); // the kubeconfig's users: entry
    QTest::addRow("basic-auth") << QByteArray("    username: someone\n    password: not-checked\n");
    QTest::addRow("no-credential") << QByteArray("    {}\n");
}

// kube-apiserver closes an anonymous client's HTTP/2 connection after one answer (GOAWAY; feature gate
// UnauthenticatedHTTP2DOSMitigation). The requests multiplexed beside it used to end in libcurl's "Error in
// the HTTP2 framing layer" in about one discovery in eight (docs/RELIABILITY.md); now each gets its 403.
void TestCluster_::anonymousClientGetsEveryAnswer()
{
    QFETCH(QByteArray, user);
    QTemporaryDir dir;
    const QString kubeconfig = writeKubeconfig(dir, m_istio, user.toStdString());
    QVERIFY(!kubeconfig.isEmpty());
    for (int attempt = 0; attempt < 25; ++attempt) {
        auto client = clientFor(kubeconfig); // a new connection each time, as each lanectl run has
        QVERIFY(client);
        const auto mesh = kube::discoverMesh(*client);
        QVERIFY(!mesh);
        QVERIFY2(mesh.error().message.find("a permission problem") != std::string::npos,
                 (std::to_string(attempt) + ": " + mesh.error().message).c_str());
        // Eight reads at once: each is answered (403), none is lost with the closed connection.
        std::vector<kube::Request> reads;
        for (const char *path :
             {"/api/v1/namespaces", "/api/v1/services", "/api/v1/pods", "/apis/apps/v1/deployments",
              "/apis/apps/v1/statefulsets", "/apis/apps/v1/daemonsets", "/apis/apps/v1/replicasets",
              "/apis/networking.istio.io"}) {
            reads.push_back({"GET", path, {}, {}});
        }
        for (const auto &r : client->send(reads)) {
            QVERIFY2(r.error.empty() && r.status == 403,
                     (std::to_string(attempt) + ": " + r.message()).c_str());
        }
    }
}

void TestCluster_::oidcIdTokenUser()
{
    // The test cluster runs an OpenID Connect issuer and trusts it (--oidc-issuer-url); oidc.kubeconfig holds
    // an auth-provider oidc user with an ID token it signed. The real kubectl confirms the set-up.
    const Run whoami =
        run(QStringLiteral("kubectl"), {QStringLiteral("--kubeconfig"), m_istio.kubeconfig("oidc"),
                                        QStringLiteral("auth"), QStringLiteral("whoami")});
    QVERIFY2(whoami.exitCode == 0 && whoami.out.contains("oidc:alice"),
             (whoami.out + whoami.err).constData());

    auto client = connectTo(m_istio, "oidc");
    QVERIFY(client);
    auto report = kube::push(*client, mockGroup("oidc"), {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(report);
    QVERIFY2(report->ok() && all(*report, kube::Outcome::Created), describe(*report).c_str());

    // An expired ID token: LaneDeck does not refresh it (kubectl would, with a refresh-token), and says so
    // before sending it, naming the user and the expiry, never the token.
    auto expired = kube::loadKubeconfig({m_istio.kubeconfig("oidc-expired").toStdString(), {}, {}});
    VERIFY_RESULT(expired);
    const std::string token = expired->users.begin()->second.authProviderConfig.at("id-token");
    auto connection = kube::resolveConnection(*expired);
    QVERIFY(!connection);
    const std::string &message = connection.error().message;
    for (const char *part :
         {"oidc-expired.kubeconfig: user 'oidc': auth-provider oidc: the id-token expired at 20",
          "does not refresh it"}) {
        QVERIFY2(message.find(part) != std::string::npos, message.c_str());
    }
    QVERIFY(message.find(token) == std::string::npos);
    QVERIFY(message.find(token.substr(token.find('.') + 1, 16)) == std::string::npos);
    // The same through lanectl, which exits with its failure code.
    const Run lanectl =
        run(QStringLiteral(LANECTL_PATH), {QStringLiteral("inventory"), QStringLiteral("--kubeconfig"),
                                           m_istio.kubeconfig("oidc-expired")});
    QCOMPARE(lanectl.exitCode, 1);
    QVERIFY2(lanectl.err.contains("the id-token expired at"), lanectl.err.constData());
    QVERIFY(!lanectl.err.contains(QByteArray::fromStdString(token)));
    // And the server agrees the token is no longer good: sent anyway, it is refused.
    kube::Kubeconfig forced = *expired;
    auto &config = forced.users.begin()->second.authProviderConfig;
    config["id-token"] = "not.a-jwt"; // resolveConnection cannot read its expiry, so it passes through
    auto passed = kube::resolveConnection(forced);
    VERIFY_RESULT(passed);
    passed->user.authProviderConfig["id-token"] = token;
    auto stale = kube::Client::create(*passed);
    VERIFY_RESULT(stale);
    auto inventory = kube::readInventory(**stale, {"default"});
    QVERIFY(!inventory);
    QVERIFY2(inventory.error().message.find("HTTP 401") != std::string::npos,
             inventory.error().message.c_str());
}

void TestCluster_::expiredExecCredentialIsRefreshed()
{
    qputenv("LANEDECK_EXEC_TTL_SECONDS", "2");
    auto client = connectTo(m_istio, "exec");
    QVERIFY(client);
    const LaneGroup group = mockGroup("exec");
    const int before = execRuns(m_istio);
    QVERIFY(kube::push(*client, group, {mesh::Flavor::Istio, {}}, {})->ok());
    QCOMPARE(execRuns(m_istio), before + 1); // one credential for the whole push: cached until expiry
    QThread::sleep(3);
    QVERIFY(kube::push(*client, group, {mesh::Flavor::Istio, {}}, {})->ok());
    QCOMPARE(execRuns(m_istio), before + 2); // expired: the plugin ran again
    QCOMPARE(client->execRuns(), 2);

    // A credential the server rejects (401) makes the client rerun the plugin once.
    qputenv("LANEDECK_EXEC_TTL_SECONDS", "none");
    QFile tokenFile(m_istio.path(QStringLiteral("exec-plugin.token")));
    QVERIFY(tokenFile.open(QIODevice::ReadOnly));
    const QByteArray token = tokenFile.readAll();
    tokenFile.close();
    QVERIFY(writeFileAtomically(tokenFile.fileName().toStdString(), "revoked-token").ok());
    auto fresh = connectTo(m_istio, "exec");
    const kube::Response rejected = fresh->send(kube::Request{"GET", "/api/v1/namespaces/default", {}, {}});
    QCOMPARE(rejected.status, 401L);
    QVERIFY2(rejected.message().find("did not accept the credentials") != std::string::npos,
             rejected.message().c_str());
    QCOMPARE(fresh->execRuns(), 2); // first run + the rerun after the 401
    QVERIFY(writeFileAtomically(tokenFile.fileName().toStdString(), token.toStdString()).ok());
    const kube::Response accepted = fresh->send(kube::Request{"GET", "/api/v1/namespaces/default", {}, {}});
    QVERIFY2(accepted.ok(), accepted.message().c_str());
    QCOMPARE(fresh->execRuns(),
             3); // the cached (revoked) token got a 401, the plugin ran and the retry passed
    qunsetenv("LANEDECK_EXEC_TTL_SECONDS");
}

void TestCluster_::refusesFlavorsTheMeshCannotTake()
{
    auto client = connectTo(m_istio);
    QVERIFY(client);
    auto asmPush = kube::push(*client, mockGroup("refused"), {mesh::Flavor::Asm, {}}, {});
    QVERIFY(!asmPush.ok());
    QVERIFY2(asmPush.error().message.find("does not declare `fallback`") != std::string::npos &&
                 asmPush.error().message.find("--flavor istio") != std::string::npos,
             asmPush.error().message.c_str());
    auto crdPush = kube::push(*client, mockGroup("refused"), {mesh::Flavor::AsmCrd, {}}, {});
    QVERIFY(!crdPush.ok());
    QVERIFY2(crdPush.error().message.find("ASM's lane CRDs") != std::string::npos,
             crdPush.error().message.c_str());
    auto crd =
        client->send(kube::Request{"GET",
                                   "/apis/networking.istio.io/v1/namespaces/istio-system/virtualservices/"
                                   "trafficlabel-vs-refused-default-mocka",
                                   {},
                                   {}});
    QVERIFY(crd.notFound()); // refused before anything was written

    auto onAsm = connectTo(m_asm);
    auto discovered = kube::discoverMesh(*onAsm);
    VERIFY_RESULT(discovered);
    QVERIFY(discovered->fallbackDeclared && discovered->asmLaneCrds && discovered->asmHeaderPropagation);
    QVERIFY(discovered->virtualService && discovered->destinationRule && discovered->gateway);
    auto upstream = kube::discoverMesh(*client);
    VERIFY_RESULT(upstream);
    QVERIFY(!upstream->fallbackDeclared && !upstream->asmLaneCrds);
    QVERIFY(std::find(upstream->istioVersions.begin(), upstream->istioVersions.end(), "v1") !=
            upstream->istioVersions.end());
    QVERIFY(std::find(upstream->istioVersions.begin(), upstream->istioVersions.end(), "v1beta1") !=
            upstream->istioVersions.end());
}

void TestCluster_::kubectlReadsBackTheSameSpecs()
{
    auto client = connectTo(m_istio);
    QVERIFY(client);
    const LaneGroup group = mockGroup("readback");
    const mesh::RenderOptions istio{mesh::Flavor::Istio, {}};
    QVERIFY(kube::push(*client, group, istio, {})->ok());
    const Run get = run(m_kubectl, {QStringLiteral("--kubeconfig"), m_istio.kubeconfig(),
                                    QStringLiteral("get"), QStringLiteral("virtualservices"),
                                    QStringLiteral("-A"), QStringLiteral("-o"), QStringLiteral("json")});
    QVERIFY2(get.exitCode == 0, get.err.constData());
    const json list = json::parse(get.out.toStdString());
    int compared = 0;
    const auto rendered = mesh::render(group, istio);
    for (const auto &r : rendered->resources) {
        if (r.kind() != "VirtualService") {
            continue;
        }
        for (const auto &item : list.at("items")) {
            if (item["metadata"]["name"] == r.name() && item["metadata"]["namespace"] == r.ns()) {
                QCOMPARE(QString::fromStdString(item["spec"].dump(2)),
                         QString::fromStdString(r.object["spec"].dump(2)));
                QVERIFY(item["metadata"]["labels"] == r.object["metadata"]["labels"]);
                ++compared;
            }
        }
    }
    QCOMPARE(compared, 4);
}

void TestCluster_::inventoryFlagsLanesWithoutReadyWorkloads()
{
    QTemporaryDir dir;
    std::string yaml;
    for (const char *service : {"mocka", "mockb", "mockc"}) {
        yaml += std::string("apiVersion: v1\nkind: Service\nmetadata: {name: ") + service +
                ", namespace: default}\nspec:\n  selector: {app: " + service +
                "}\n  ports: [{port: 8000}]\n---\n";
    }
    // v1 everywhere, v2 of mocka and mockc, v3 of mockb: the seed's workloads.
    const std::vector<std::pair<std::string, std::string>> workloads{
        {"mocka", "v1"}, {"mocka", "v2"}, {"mockb", "v1"}, {"mockb", "v3"}, {"mockc", "v1"}, {"mockc", "v2"}};
    for (const auto &[s, v] : workloads) {
        yaml += "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + s + "-" + v +
                ", namespace: default}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: " + s +
                ", version: " + v + "}}\n  template:\n    metadata: {labels: {app: " + s + ", version: " + v +
                ", ASM_TRAFFIC_TAG: " + v + "}}\n    spec: {containers: [{name: app, image: mock}]}\n---\n";
    }
    const QString file = dir.filePath(QStringLiteral("workloads.yaml"));
    QVERIFY(writeFileAtomically(file.toStdString(), yaml).ok());
    const QStringList kc{QStringLiteral("--kubeconfig"), m_istio.kubeconfig()};
    Run apply = run(m_kubectl, kc + QStringList{QStringLiteral("apply"), QStringLiteral("-f"), file});
    QVERIFY2(apply.exitCode == 0, apply.err.constData());
    // No controllers run in the test cluster: mark every Deployment ready except mockb-v3.
    for (const auto &[s, v] : workloads) {
        if (s == "mockb" && v == "v3") {
            continue;
        }
        Run status =
            run(m_kubectl,
                kc + QStringList{QStringLiteral("-n"), QStringLiteral("default"), QStringLiteral("patch"),
                                 QStringLiteral("deployment"), QString::fromStdString(s + "-" + v),
                                 QStringLiteral("--subresource=status"), QStringLiteral("--type=merge"),
                                 QStringLiteral("-p"),
                                 QStringLiteral("{\"status\":{\"replicas\":1,\"readyReplicas\":1}}")});
        QVERIFY2(status.exitCode == 0, status.err.constData());
    }
    auto client = connectTo(m_istio);
    auto inventory = kube::readInventory(*client, {"default"});
    VERIFY_RESULT(inventory);
    const auto *mockb = inventory->service("mockb", "default");
    QVERIFY(mockb);
    QCOMPARE(mockb->ports, std::vector<int>{8000});
    const auto values = mockb->laneValues("ASM_TRAFFIC_TAG");
    QCOMPARE(values.size(), std::size_t(2));
    QCOMPARE(values.at("v1"), 1);
    QCOMPARE(values.at("v3"), 0);
    const auto problems = kube::checkLanes(mockGroup("inv"), *inventory);
    QCOMPARE(problems.size(), std::size_t(1));
    QCOMPARE(problems.front().lane, std::string("s3"));
    QCOMPARE(problems.front().service, std::string("mockb"));
    QVERIFY2(problems.front().message.find("no ready replica") != std::string::npos,
             problems.front().message.c_str());
}

void TestCluster_::ingressAddress_data()
{
    QTest::addColumn<QString>("type");     // of the gateway's Service; empty: no Gateway at all
    QTest::addColumn<QString>("balancer"); // the load balancer's IP written to the Service's status, or empty
    QTest::addColumn<QString>("url");  // "cluster-ip": the Service's allocated cluster IP; empty: an error
    QTest::addColumn<QString>("says"); // in the origin, or in the error
    QTest::addRow("load-balancer")
        << "LoadBalancer"
        << "203.0.113.10"
        << "http://203.0.113.10/"
        << "load balancer IP 203.0.113.10, port 80 (http2), the Gateway serves HTTP on it";
    QTest::addRow("pending") << "LoadBalancer"
                             << ""
                             << ""
                             << "has no external address yet (pending)";
    QTest::addRow("cluster-ip") << "ClusterIP"
                                << ""
                                << "cluster-ip"
                                << "(type ClusterIP, selected like the Gateway";
    QTest::addRow("no-gateway") << ""
                                << ""
                                << ""
                                << "ingressgateway (networking.istio.io/v1) that the lane group's "
                                   "ingress names does not exist";
}

void TestCluster_::ingressAddress()
{
    QFETCH(QString, type);
    QFETCH(QString, balancer);
    QFETCH(QString, url);
    QFETCH(QString, says);
    auto client = connectTo(m_istio);
    QVERIFY(client);
    // A namespace per case, and a selector of its own, so the cases never see each other's Services.
    const std::string ns = "ingress-" + std::string(QTest::currentDataTag());
    const std::string selector = "gw-" + std::string(QTest::currentDataTag());
    const auto apply = [&client](const std::string &path, const json &object) {
        return client->send(kube::Request{"PATCH", path + "?fieldManager=tst-cluster", object.dump(),
                                          "application/apply-patch+yaml"});
    };
    kube::Response r = apply("/api/v1/namespaces/" + ns,
                             {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
    QVERIFY2(r.ok(), r.message().c_str());
    if (!type.isEmpty()) {
        r = apply(
            "/apis/networking.istio.io/v1/namespaces/" + ns + "/gateways/ingressgateway",
            {{"apiVersion", "networking.istio.io/v1"},
             {"kind", "Gateway"},
             {"metadata", {{"name", "ingressgateway"}, {"namespace", ns}}},
             {"spec",
              {{"selector", {{"istio", selector}}},
               {"servers", json::array({{{"port", {{"number", 80}, {"name", "http"}, {"protocol", "HTTP"}}},
                                         {"hosts", {"*"}}}})}}}});
        QVERIFY2(r.ok(), r.message().c_str());
        r = apply("/api/v1/namespaces/" + ns + "/services/istio-ingressgateway",
                  {{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", {{"name", "istio-ingressgateway"}, {"namespace", ns}}},
                   {"spec",
                    {{"type", type.toStdString()},
                     {"selector", {{"app", "istio-ingressgateway"}, {"istio", selector}}},
                     {"ports", json::array({{{"name", "status-port"}, {"port", 15021}},
                                            {{"name", "http2"}, {"port", 80}, {"targetPort", 8080}},
                                            {{"name", "https"}, {"port", 443}, {"targetPort", 8443}}})}}}});
        QVERIFY2(r.ok(), r.message().c_str());
    }
    if (!balancer.isEmpty()) {
        // What a cloud controller does once the load balancer exists: the status subresource, as kubectl
        // would.
        const Run status =
            run(m_kubectl,
                {QStringLiteral("--kubeconfig"), m_istio.kubeconfig(), QStringLiteral("-n"),
                 QString::fromStdString(ns), QStringLiteral("patch"), QStringLiteral("service"),
                 QStringLiteral("istio-ingressgateway"), QStringLiteral("--subresource=status"),
                 QStringLiteral("--type=merge"), QStringLiteral("-p"),
                 QStringLiteral(R"({"status":{"loadBalancer":{"ingress":[{"ip":"%1"}]}}})").arg(balancer)});
        QVERIFY2(status.exitCode == 0, status.err.constData());
    }
    if (url == QLatin1String("cluster-ip")) {
        const kube::Response service = client->send(
            kube::Request{"GET", "/api/v1/namespaces/" + ns + "/services/istio-ingressgateway", {}, {}});
        QVERIFY2(service.ok(), service.message().c_str());
        const std::string clusterIp = service.json()["spec"].value("clusterIP", "");
        QVERIFY(clusterIp.starts_with("10.96."));
        url = QStringLiteral("http://%1/").arg(QString::fromStdString(clusterIp));
    }

    LaneGroup group = mockGroup("ingress");
    Ingress &ingress = group.ingress;
    ingress.gatewayNamespace = ns;
    ingress.hosts = {"shop.example.com"};
    const auto address = kube::resolveIngress(*client, ingress);
    if (url.isEmpty()) {
        QVERIFY2(!address.ok(), address.ok() ? address->url.c_str() : "");
        QVERIFY2(QString::fromStdString(address.error().message).contains(says),
                 address.error().message.c_str());
    } else {
        VERIFY_RESULT(address);
        QCOMPARE(QString::fromStdString(address->url), url);
        QCOMPARE(address->host, std::string("shop.example.com"));
        QCOMPARE(address->service, ns + "/istio-ingressgateway");
        QVERIFY(!address->byName);
        QVERIFY2(QString::fromStdString(address->origin).contains(says), address->origin.c_str());
        const bool inside =
            !address->warnings.empty() &&
            address->warnings.front().find("reachable only from inside the cluster") != std::string::npos;
        QCOMPARE(inside, type == QLatin1String("ClusterIP"));
    }

    // lanectl ingress says the same: the URL alone on stdout, the rest on stderr, exit code 1 without one.
    QTemporaryDir dir;
    const QString doc = dir.filePath(QStringLiteral("group.lanes.yaml"));
    QVERIFY(saveLaneGroupFile(group, doc.toStdString()).ok());
    const Run lanectl =
        run(QStringLiteral(LANECTL_PATH),
            {QStringLiteral("ingress"), doc, QStringLiteral("--kubeconfig"), m_istio.kubeconfig()});
    if (url.isEmpty()) {
        QCOMPARE(lanectl.exitCode, 1);
        QVERIFY(lanectl.out.isEmpty());
        QVERIFY2(QString::fromUtf8(lanectl.err).contains(says), lanectl.err.constData());
    } else {
        QVERIFY2(lanectl.exitCode == 0, lanectl.err.constData());
        QCOMPARE(QString::fromUtf8(lanectl.out), url + QLatin1Char('\n'));
        QVERIFY2(lanectl.err.contains("Host: shop.example.com\n") &&
                     lanectl.err.contains((QStringLiteral("sample it: lanectl sample ") + url +
                                           QStringLiteral(" --group ") + doc +
                                           QStringLiteral(" -H 'Host: shop.example.com'"))
                                              .toUtf8()),
                 lanectl.err.constData());
    }
}

void TestCluster_::deleteGroup()
{
    auto client = connectTo(m_asm);
    QVERIFY(client);
    const LaneGroup group = mockGroup("gone");
    QVERIFY(kube::push(*client, group, {mesh::Flavor::Asm, {}}, {})->ok());
    QVERIFY(kube::push(*client, group, {mesh::Flavor::AsmCrd, {}}, {})->ok());
    auto deleted = kube::deleteGroup(*client, group.name, group.ns);
    VERIFY_RESULT(deleted);
    QVERIFY2(deleted->ok() && all(*deleted, kube::Outcome::Deleted), describe(*deleted).c_str());
    QCOMPARE(deleted->results.size(),
             std::size_t(8 + 4)); // asm: 3 DR + 3 VS + ingress VS + HP; asm-crd: group + 3 lanes
    auto mesh = kube::discoverMesh(*client);
    auto left = kube::liveGroupObjects(*client, *mesh, group.name, group.ns);
    VERIFY_RESULT(left);
    QVERIFY(left->empty());
}

void TestCluster_::lanectlEndToEnd()
{
    const QString lanectl = QStringLiteral(LANECTL_PATH);
    const QString doc = QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");
    const QStringList kc{QStringLiteral("--kubeconfig"), m_istio.kubeconfig()};
    // The test cluster runs no workloads, so the preflight analysis (tst_analysis) would stop every push
    // here; these tests are about the push itself.
    Run apply = run(lanectl, QStringList{QStringLiteral("apply"), doc, QStringLiteral("--flavor"),
                                         QStringLiteral("istio"), QStringLiteral("--ignore-analysis")} +
                                 kc);
    QVERIFY2(apply.exitCode == 0, (apply.out + apply.err).constData());
    QVERIFY(apply.out.contains("VirtualService istio-system/trafficlabel-ingress-vs-test"));
    Run diff = run(
        lanectl,
        QStringList{QStringLiteral("diff"), doc, QStringLiteral("--flavor"), QStringLiteral("istio")} + kc);
    QCOMPARE(diff.exitCode, 0);
    QTemporaryDir dir;
    const QString imported = dir.filePath(QStringLiteral("imported.lanes.yaml"));
    Run import =
        run(lanectl, QStringList{QStringLiteral("import"), QStringLiteral("test"), QStringLiteral("-n"),
                                 QStringLiteral("istio-system"), QStringLiteral("-o"), imported} +
                         kc);
    QVERIFY2(import.exitCode == 0, import.err.constData());
    QFile a(imported);
    QFile b(doc);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), b.readAll());
    Run contexts = run(lanectl, QStringList{QStringLiteral("contexts")} + kc);
    QCOMPARE(contexts.exitCode, 0);
    Run denied = run(lanectl, QStringList{QStringLiteral("apply"), doc, QStringLiteral("--flavor"),
                                          QStringLiteral("istio"), QStringLiteral("--ignore-analysis"),
                                          QStringLiteral("--kubeconfig"), m_istio.kubeconfig("readonly")});
    QCOMPARE(denied.exitCode, 1);
    QVERIFY(denied.out.contains("HTTP 403"));
    Run del = run(lanectl, QStringList{QStringLiteral("delete"), QStringLiteral("test"), QStringLiteral("-n"),
                                       QStringLiteral("istio-system")} +
                               kc);
    QVERIFY2(del.exitCode == 0 && del.out.contains("deleted"), (del.out + del.err).constData());

    // No credential of any kubeconfig user shows up in anything lanectl printed.
    QFile tokens(m_istio.path(QStringLiteral("pki/tokens.csv")));
    QVERIFY(tokens.open(QIODevice::ReadOnly));
    const QByteArray everything = apply.out + apply.err + diff.out + diff.err + import.out + import.err +
                                  contexts.out + contexts.err + denied.out + denied.err + del.out + del.err;
    int checked = 0;
    for (const QByteArray &line : tokens.readAll().split('\n')) {
        const QByteArray token = line.split(',').front();
        if (token.size() >= 16) {
            QVERIFY2(!everything.contains(token), "a token leaked into lanectl's output");
            ++checked;
        }
    }
    QCOMPARE(checked, 3);
    QVERIFY(!everything.contains("BEGIN"));
}

void TestCluster_::machineReadableOutput_data()
{
    QTest::addColumn<QString>("format");
    QTest::addRow("json") << QStringLiteral("json");
    QTest::addRow("yaml") << QStringLiteral("yaml");
}

// contexts, apply, diff and delete with -o json|yaml: stdout parses alone and has docs/CLI.md's shape.
void TestCluster_::machineReadableOutput()
{
    QFETCH(QString, format);
    const QString lanectl = QStringLiteral(LANECTL_PATH);
    const QStringList kc{QStringLiteral("--kubeconfig"), m_istio.kubeconfig()};
    const QStringList o{QStringLiteral("-o"), format};
    const std::string groupName = "machine-" + format.toStdString();
    QTemporaryDir dir;
    const QString doc = dir.filePath(QStringLiteral("g.lanes.yaml"));
    QVERIFY(saveLaneGroupFile(mockGroup(groupName), doc.toStdString()).ok());
    auto parsed = [](const Run &r) {
        auto values = parseYamlStream(r.out.toStdString(), "stdout");
        return values && values->size() == 1 ? values->front() : json();
    };

    const Run contexts = run(lanectl, QStringList{QStringLiteral("contexts")} + kc + o);
    QVERIFY2(contexts.exitCode == 0, contexts.err.constData());
    const json c = parsed(contexts);
    QVERIFY2(c.is_object() && c["contexts"].size() == 1, contexts.out.constData());
    QVERIFY(c["contexts"][0]["current"] == json(true));
    QVERIFY(c["contexts"][0]["name"] == c["currentContext"]);
    QVERIFY(c["contexts"][0]["server"].get<std::string>().rfind("https://127.0.0.1:", 0) == 0);
    QVERIFY(c["contexts"][0]["auth"] == json("token"));

    const QStringList push{QStringLiteral("apply"), doc, QStringLiteral("--flavor"), QStringLiteral("istio"),
                           QStringLiteral("--ignore-analysis")};
    const Run dryRun = run(lanectl, push + QStringList{QStringLiteral("--dry-run")} + kc + o);
    QVERIFY2(dryRun.exitCode == 0, dryRun.err.constData());
    const json d = parsed(dryRun);
    QVERIFY(d["dryRun"] == json(true));
    QVERIFY(d["ok"] == json(true));
    const auto rendered = mesh::render(mockGroup(groupName), {mesh::Flavor::Istio, {}});
    VERIFY_RESULT(rendered);
    QVERIFY2(d["results"].size() == rendered->resources.size(), dryRun.out.constData());
    for (const auto &r : d["results"]) {
        QVERIFY(r["result"] == json("created"));
    }
    QVERIFY(d["analysis"]["findings"].is_array());
    QVERIFY(d["deletedAdopted"].is_array());

    const Run applied = run(lanectl, push + kc + o);
    QVERIFY2(applied.exitCode == 0, applied.err.constData());
    QVERIFY(parsed(applied)["dryRun"] == json(false));
    QCOMPARE(parsed(applied)["results"].size(), d["results"].size());

    const Run same = run(lanectl, QStringList{QStringLiteral("diff"), doc, QStringLiteral("--flavor"),
                                              QStringLiteral("istio")} +
                                      kc + o);
    QCOMPARE(same.exitCode, 0);
    const json identical = parsed(same);
    QVERIFY(identical["changed"] == json(false));
    QCOMPARE(identical["resources"].size(), d["results"].size());
    for (const auto &r : identical["resources"]) {
        QVERIFY(r["state"] == json("identical"));
        QVERIFY(r["diff"] == json(""));
    }
    // One lane's weight changed in the document: that VirtualService is "changed", with its diff.
    LaneGroup changedGroup = mockGroup(groupName);
    changedGroup.lanes[0].weight = 40;
    changedGroup.lanes[1].weight = 40;
    QVERIFY(saveLaneGroupFile(changedGroup, doc.toStdString()).ok());
    const Run differs = run(lanectl, QStringList{QStringLiteral("diff"), doc, QStringLiteral("--flavor"),
                                                 QStringLiteral("istio")} +
                                         kc + o);
    QCOMPARE(differs.exitCode, 1);
    const json changed = parsed(differs);
    QVERIFY(changed["changed"] == json(true));
    int changedResources = 0;
    for (const auto &r : changed["resources"]) {
        if (r["state"] == "changed") {
            ++changedResources;
            QVERIFY(r["diff"].get<std::string>().find("weight") != std::string::npos);
        }
    }
    QVERIFY2(changedResources >= 1, differs.out.constData());

    const QStringList del{QStringLiteral("delete"), QString::fromStdString(groupName), QStringLiteral("-n"),
                          QStringLiteral("istio-system")};
    const Run deleteDry = run(lanectl, del + QStringList{QStringLiteral("--dry-run")} + kc + o);
    QVERIFY2(deleteDry.exitCode == 0, deleteDry.err.constData());
    QVERIFY(parsed(deleteDry)["dryRun"] == json(true));
    const Run deleted = run(lanectl, del + kc + o);
    QVERIFY2(deleted.exitCode == 0, deleted.err.constData());
    const json gone = parsed(deleted);
    QVERIFY(gone["ok"] == json(true));
    QCOMPARE(gone["results"].size(), d["results"].size());
    for (const auto &r : gone["results"]) {
        QVERIFY(r["result"] == json("deleted"));
    }
}

void TestCluster_::clientCertificateOutsideItsValidity_data()
{
    QTest::addColumn<int>("fromDays"); // the validity period, in days from now
    QTest::addColumn<int>("toDays");
    QTest::addColumn<bool>("clusterCa");  // signed by the cluster's client CA, or self-signed
    QTest::addColumn<QString>("warning"); // before connecting ("%1": the time); empty: none
    QTest::addColumn<QString>("refusal"); // what the 401 says; empty: accepted
    QTest::addRow("valid-control") << -1 << 30 << true << ""
                                   << "";
    QTest::addRow("expired") << -30 << -1 << true
                             << "user 'u': the client certificate (CN lanedeck-cert-admin) expired at %1: "
                                "the API server will refuse it "
                                "(401 Unauthorized)"
                             << "HTTP 401: Unauthorized (the server did not accept the credentials of "
                                "kubeconfig user 'u': its client "
                                "certificate (CN lanedeck-cert-admin) expired at %1: renew it)";
    QTest::addRow("not-valid-yet")
        << 1 << 30 << true
        << "user 'u': the client certificate (CN lanedeck-cert-admin) is not valid before %1 (is this "
           "computer's "
           "clock right?): the API server will refuse it (401 Unauthorized)"
        << "HTTP 401: Unauthorized (the server did not accept the credentials of kubeconfig user 'u': its "
           "client "
           "certificate (CN lanedeck-cert-admin) is not valid before %1 (is this computer's clock right?))";
    QTest::addRow("issued-by-another-ca") << -1 << 30 << false << ""
                                          << "HTTP 401: Unauthorized (the server did not accept the "
                                             "credentials of kubeconfig user 'u': its client "
                                             "certificate (CN lanedeck-cert-admin, valid until %1) was not "
                                             "accepted: is it issued by the cluster's "
                                             "client CA?)";
}

void TestCluster_::clientCertificateOutsideItsValidity()
{
    QFETCH(int, fromDays);
    QFETCH(int, toDays);
    QFETCH(bool, clusterCa);
    QFETCH(QString, warning);
    QFETCH(QString, refusal);
    const auto now = std::chrono::system_clock::now();
    const auto from = now + std::chrono::hours(24 * fromDays);
    const auto to = now + std::chrono::hours(24 * toDays);
    // The same user and group as the cluster's own client certificate: only the validity differs.
    const auto minted = testing::mintClientCertificate(
        "lanedeck-cert-admin", "system:masters", from, to,
        clusterCa ? readAll(m_istio.path(QStringLiteral("ca.crt"))).toStdString() : std::string(),
        clusterCa ? readAll(m_istio.path(QStringLiteral("ca.key"))).toStdString() : std::string());
    QVERIFY(!minted.keyPem.empty());
    QTemporaryDir dir;
    QVERIFY(
        writeFileAtomically(dir.filePath(QStringLiteral("u.crt")).toStdString(), minted.certificatePem).ok());
    QVERIFY(writeFileAtomically(dir.filePath(QStringLiteral("u.key")).toStdString(), minted.keyPem).ok());
    const QString kubeconfig =
        writeKubeconfig(dir, m_istio, "    client-certificate: u.crt\n    client-key: u.key\n");
    QVERIFY(!kubeconfig.isEmpty());
    const QString when = isoUtc(fromDays > 0 ? from : to);
    warning = warning.isEmpty() ? QString() : kubeconfig + QStringLiteral(": ") + warning.arg(when);
    refusal = refusal.isEmpty() ? QString() : refusal.arg(when);

    auto config = kube::loadKubeconfig({kubeconfig.toStdString(), {}, {}});
    VERIFY_RESULT(config);
    auto connection = kube::resolveConnection(*config);
    VERIFY_RESULT(connection);
    QCOMPARE(connection->warnings.size(), std::size_t(warning.isEmpty() ? 0 : 1));
    if (!warning.isEmpty()) {
        QCOMPARE(QString::fromStdString(connection->warnings.front()), warning);
    }
    auto client = kube::Client::create(*connection);
    VERIFY_RESULT(client);
    const kube::Response r = (*client)->send(kube::Request{"GET", "/api/v1/namespaces/default", {}, {}});
    QCOMPARE(r.status, refusal.isEmpty() ? 200L : 401L);
    if (!refusal.isEmpty()) {
        QCOMPARE(QString::fromStdString(r.message()), refusal);
    }

    // lanectl warns before connecting, then names the refusal.
    const Run apply = run(QStringLiteral(LANECTL_PATH),
                          {QStringLiteral("apply"),
                           QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml"),
                           QStringLiteral("--flavor"), QStringLiteral("istio"), QStringLiteral("--dry-run"),
                           QStringLiteral("--ignore-analysis"), QStringLiteral("--kubeconfig"), kubeconfig});
    const QString err = QString::fromUtf8(apply.err);
    QCOMPARE(apply.exitCode, refusal.isEmpty() ? 0 : 1);
    QCOMPARE(err.contains(QStringLiteral("warning: ") + warning + QLatin1Char('\n')), !warning.isEmpty());
    if (!refusal.isEmpty()) {
        QVERIFY2(err.contains(QStringLiteral("lanectl: discovery failed: ") + refusal + QLatin1Char('\n')),
                 qPrintable(err));
    }
    QVERIFY(!apply.out.contains("BEGIN") && !err.contains(QStringLiteral("BEGIN")));
}

void TestCluster_::misbehavingExecPluginThroughLanectl_data()
{
    QTest::addColumn<QByteArray>(
        "body"); // the plugin's shell script after "cd <its directory>; echo $$ >> pids"
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("untilTimeout");
    QTest::addRow("never-exits")
        << QByteArray("sleep 300 &\necho $! >> pids\nwait\n")
        << "did not finish within 2 s: LaneDeck killed it and every process it started" << true;
    // Even with a good credential printed: the output is not complete until it is closed (as in kubectl).
    QTest::addRow("exits-while-a-child-holds-stdout")
        << QByteArray(
               "sleep 300 &\necho $! >> pids\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
               "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$(cat token)\"\nexit 0\n")
        << "exited, but a process it started still held its output open after 2 s: LaneDeck killed that "
           "process"
        << true;
    QTest::addRow("exits-non-zero")
        << QByteArray("echo 'corp-login: your session expired; run corp-login' >&2\nexit 3\n")
        << "failed with exit code 3: corp-login: your session expired; run corp-login" << false;
}

void TestCluster_::misbehavingExecPluginThroughLanectl()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    QFETCH(bool, untilTimeout);
    QTemporaryDir dir;
    const QString plugin = dir.filePath(QStringLiteral("plugin.sh"));
    QVERIFY(
        writeFileAtomically(plugin.toStdString(),
                            ("#!/bin/sh\ncd \"$(dirname \"$0\")\"\necho $$ >> pids\n" + body).toStdString())
            .ok());
    QVERIFY(QFile::setPermissions(plugin, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    QVERIFY(QFile::copy(m_istio.path(QStringLiteral("exec-plugin.token")),
                        dir.filePath(QStringLiteral("token"))));
    const QString kubeconfig =
        writeKubeconfig(dir, m_istio,
                        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      "
                        "interactiveMode: Never\n      command: ./plugin.sh\n");
    QVERIFY(!kubeconfig.isEmpty());
    QElapsedTimer timer;
    timer.start();
    const Run apply = run(
        QStringLiteral(LANECTL_PATH),
        {QStringLiteral("apply"), QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml"),
         QStringLiteral("--flavor"), QStringLiteral("istio"), QStringLiteral("--request-timeout"),
         QStringLiteral("2s"), QStringLiteral("--kubeconfig"), kubeconfig});
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(apply.exitCode, 1);
    const QString err = QString::fromUtf8(apply.err);
    // apply reads the cluster for its preflight analysis first, which is where the plugin's failure surfaces.
    const QString message = QStringLiteral("lanectl: cannot read the cluster: ") + kubeconfig +
                            QStringLiteral(": user 'u': exec plugin '") + plugin + QStringLiteral("': ") +
                            expected + QLatin1Char('\n');
    QVERIFY2(err.endsWith(message), qPrintable(err));
    QVERIFY(elapsed < 30'000);
    if (untilTimeout) {
        QVERIFY(elapsed >= 2000);
    }
    const QList<QByteArray> pids = readAll(dir.filePath(QStringLiteral("pids"))).trimmed().split('\n');
    QCOMPARE(pids.size(), body.contains("echo $!") ? 2 : 1);
    for (const QByteArray &pid : pids) {
        QTRY_VERIFY2_WITH_TIMEOUT(!testing::processRunning(pid.toLongLong()), pid.constData(), 5000);
    }
    // Nothing was written: the push stopped before its first request.
    auto admin = connectTo(m_istio);
    QVERIFY(admin);
    QVERIFY(admin
                ->send(kube::Request{"GET",
                                     "/apis/networking.istio.io/v1/namespaces/istio-system/virtualservices/"
                                     "trafficlabel-ingress-vs-test",
                                     {},
                                     {}})
                .notFound());
}

void TestCluster_::apiServerStoppedMidPush()
{
    // Runs last: it restarts the istio cluster (same directory, same data, a new port).
    LaneGroup group = mockGroup("midpush");
    kube::ClientOptions sequential;
    sequential.maxParallel = 1;
    auto client = connectTo(m_istio, "admin", sequential);
    QVERIFY(client);
    bool stopped = false;
    kube::PushOptions options;
    options.progress = [&](const std::string &phase, std::size_t done, std::size_t) {
        if (phase == "apply" && done == 2 && !stopped) {
            stopped = m_istio.stop();
        }
    };
    auto report = kube::push(*client, group, {mesh::Flavor::Istio, {}}, options);
    QVERIFY(stopped);
    VERIFY_RESULT(report);
    QVERIFY(!report->ok());
    int created = 0;
    int failed = 0;
    for (const auto &r : report->results) {
        if (r.outcome == kube::Outcome::Created) {
            ++created;
        } else {
            ++failed;
            QCOMPARE(kube::toString(r.outcome), std::string("failed"));
            QVERIFY2(r.message.find("cannot reach the API server https://127.0.0.1:") != std::string::npos,
                     r.message.c_str());
        }
    }
    QCOMPARE(created, 2);
    QCOMPARE(failed, 5);

    QString error;
    QVERIFY2(m_istio.start(error), qPrintable(error));
    auto again = connectTo(m_istio);
    QVERIFY(again);
    auto rerun = kube::push(*again, group, {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(rerun);
    QVERIFY2(rerun->ok(), describe(*rerun).c_str());
    const auto o = outcomes(*rerun);
    int unchanged = 0;
    for (const auto &[name, outcome] : o) {
        unchanged += outcome == kube::Outcome::Unchanged;
    }
    QCOMPARE(unchanged, 2);
    QCOMPARE(o.size(), std::size_t(7));
}

QTEST_GUILESS_MAIN(TestCluster_)
#include "tst_cluster.moc"

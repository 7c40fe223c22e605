// A kubeconfig's proxy-url for real: LaneDeck (the client and lanectl) and kubectl talk to a REAL
// kube-apiserver through the test cluster's HTTP CONNECT, HTTPS and SOCKS5 proxies
// (tests/kube/testcluster/proxy.go), whose counters show the traffic went through them. The proxy kubeconfigs
// name the server by a host name only the proxies resolve, so nothing can succeed around them. Also: failing
// proxies give errors that name the proxy, and the environment (HTTPS_PROXY, NO_PROXY, ...) is honoured
// exactly when and as kubectl honours it: each environment case runs lanectl and kubectl side by side.
#include "kube/discovery.h"
#include "kube/push.h"
#include "lanes/document.h"
#include "testcluster.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <csignal>

using namespace lanedeck;
using namespace lanedeck::testing;

namespace {

const QStringList kProxies{QStringLiteral("http"), QStringLiteral("https"), QStringLiteral("socks5"),
                           QStringLiteral("http-auth"), QStringLiteral("socks5-auth")};

/// One proxy's counters from DIR/proxy-stats.json.
struct ProxyStats
{
    QString url; ///< without credentials
    int relayed = 0;
    int authFailures = 0;
    std::map<std::string, int> targets;
};

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

std::map<QString, ProxyStats> proxyStats(const TestCluster &cluster)
{
    std::map<QString, ProxyStats> out;
    const auto j = nlohmann::json::parse(
        readFile(cluster.path(QStringLiteral("proxy-stats.json"))).toStdString(), nullptr, false);
    if (!j.is_object()) {
        return out;
    }
    for (const auto &[name, c] : j.items()) {
        ProxyStats &s = out[QString::fromStdString(name)];
        s.url = QString::fromStdString(c.value("url", ""));
        s.relayed = c.value("relayed", 0);
        s.authFailures = c.value("authFailures", 0);
        s.targets = c.value("targets", std::map<std::string, int>{});
    }
    return out;
}

/// How many tunnels `proxy` opened to `target`.
int tunnels(const std::map<QString, ProxyStats> &stats, const QString &proxy, const QString &target)
{
    const auto &targets = stats.at(proxy).targets;
    const auto it = targets.find(target.toStdString());
    return it == targets.end() ? 0 : it->second;
}

/// Which proxies relayed anything between two readings.
QStringList moved(const std::map<QString, ProxyStats> &before, const std::map<QString, ProxyStats> &after)
{
    QStringList names;
    for (const auto &[name, s] : after) {
        const auto b = before.find(name);
        if (b == before.end() || s.relayed != b->second.relayed) {
            names << name;
        }
    }
    return names;
}

/// The environment of a child process: this one's without any proxy variable, plus `vars` ("A=x;B=y").
QProcessEnvironment environment(const QString &vars)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
                             "ALL_PROXY", "all_proxy", "REQUEST_METHOD"}) {
        env.remove(QString::fromLatin1(name));
    }
    for (const QString &v : vars.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        env.insert(v.section(QLatin1Char('='), 0, 0), v.section(QLatin1Char('='), 1));
    }
    return env;
}

LaneGroup mockGroup(const std::string &name)
{
    LaneGroup group = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
    group.name = name;
    return group;
}

std::string describe(const kube::PushReport &report)
{
    std::string text;
    for (const auto &r : report.results) {
        text += r.resource + ": " + kube::toString(r.outcome) + " " + r.message + "\n";
    }
    return text;
}

bool all(const kube::PushReport &report, kube::Outcome outcome)
{
    return !report.results.empty() &&
           std::all_of(report.results.begin(), report.results.end(),
                       [&](const kube::ResourceResult &r) { return r.outcome == outcome; });
}

} // namespace

#define VERIFY_RESULT(r) QVERIFY2((r).ok(), (r).ok() ? "" : (r).error().message.c_str())

class TestClusterProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void clientThroughProxy_data();
    void clientThroughProxy();
    void tlsServerNameThroughProxy_data();
    void tlsServerNameThroughProxy();
    void httpsProxyTlsSettings_data();
    void httpsProxyTlsSettings();
    void lanectlThroughProxy_data();
    void lanectlThroughProxy();
    void proxyFailures_data();
    void proxyFailures();
    void environmentAsKubectl_data();
    void environmentAsKubectl();

private:
    Run kubectl(const QString &kubeconfig, const QStringList &args,
                const QProcessEnvironment &env = environment({}));
    /// The server's "host:port" as the proxy kubeconfigs name it.
    QString serverTarget() const;

    TestCluster m_cluster;
    QString m_kubectl;
    QByteArray m_password; ///< the auth proxies' password: no output may show it
    QByteArray m_token;    ///< the admin token: likewise
};

void TestClusterProxy::initTestCase()
{
    QVERIFY2(QFileInfo(testclusterScript()).isExecutable(),
             qPrintable(QStringLiteral("no test cluster script at ") + testclusterScript()));
    m_kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
    QVERIFY2(!m_kubectl.isEmpty(), "kubectl is needed to check the kubeconfigs and the environment rules");
    QString error;
    QVERIFY2(m_cluster.start(error), qPrintable(QStringLiteral("the test cluster did not start:\n") + error));
    m_password = readFile(m_cluster.path(QStringLiteral("proxy.password"))).toUtf8();
    QVERIFY(m_password.size() >= 16);
    for (const QString &line :
         readFile(m_cluster.path(QStringLiteral("pki/tokens.csv"))).split(QLatin1Char('\n'))) {
        if (line.contains(QLatin1String(",lanedeck-admin,"))) {
            m_token = line.section(QLatin1Char(','), 0, 0).toUtf8();
        }
    }
    QVERIFY(m_token.size() >= 16);
    const auto stats = proxyStats(m_cluster);
    for (const QString &name : kProxies) {
        QVERIFY2(stats.count(name) && !stats.at(name).url.isEmpty(), qPrintable(name));
    }
}

void TestClusterProxy::cleanupTestCase()
{
    const qint64 pid = m_cluster.pid();
    QVERIFY(m_cluster.stop());
    if (pid > 0) {
        QVERIFY2(::kill(static_cast<pid_t>(pid), 0) != 0, "the test cluster process is still running");
    }
}

Run TestClusterProxy::kubectl(const QString &kubeconfig, const QStringList &args,
                              const QProcessEnvironment &env)
{
    return run(m_kubectl,
               QStringList{QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("--cache-dir"),
                           m_cluster.path(QStringLiteral("kubectl-cache")),
                           QStringLiteral("--request-timeout=20s")} +
                   args,
               env, 120'000);
}

QString TestClusterProxy::serverTarget() const
{
    const QString url = readFile(m_cluster.path(QStringLiteral("server-url"))).trimmed();
    return QStringLiteral("apiserver.lanedeck.invalid:") + url.section(QLatin1Char(':'), -1);
}

void TestClusterProxy::clientThroughProxy_data()
{
    QTest::addColumn<QString>("proxy");
    for (const QString &p : kProxies) {
        QTest::addRow("%s", qPrintable(p)) << p;
    }
}

void TestClusterProxy::clientThroughProxy()
{
    // Discovery, apply, re-apply, diff and delete, all through the proxy; kubectl reads back through it too.
    QFETCH(QString, proxy);
    const QString kubeconfig = m_cluster.kubeconfig(QStringLiteral("proxy-") + proxy);
    const auto before = proxyStats(m_cluster);
    auto client = clientFor(kubeconfig);
    QVERIFY(client);
    auto mesh = kube::discoverMesh(*client);
    VERIFY_RESULT(mesh);
    QVERIFY(mesh->virtualService && mesh->destinationRule);
    const LaneGroup group = mockGroup("via-" + proxy.toStdString());
    auto first = kube::push(*client, group, {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(first);
    QVERIFY2(first->ok() && all(*first, kube::Outcome::Created), describe(*first).c_str());
    auto second = kube::push(*client, group, {mesh::Flavor::Istio, {}}, {});
    VERIFY_RESULT(second);
    QVERIFY2(second->ok() && all(*second, kube::Outcome::Unchanged), describe(*second).c_str());
    auto diff = kube::diffGroup(*client, group, {mesh::Flavor::Istio, {}});
    VERIFY_RESULT(diff);
    QCOMPARE(diff->size(), first->results.size());
    for (const auto &d : *diff) {
        QVERIFY2(d.state == kube::ResourceDiff::State::Identical, d.diff.c_str());
    }
    // HTTP/2 inside the tunnel, as without a proxy; HTTP/1.1 inside TLS to an https proxy (libcurl 7.88
    // stalls).
    QCOMPARE(client->send(kube::Request{"GET", "/version", {}, {}}).httpVersion,
             proxy == QLatin1String("https") ? 1 : 2);

    const auto after = proxyStats(m_cluster);
    QCOMPARE(moved(before, after), QStringList{proxy});
    // The proxy was asked for the server by name: for SOCKS5 that means the proxy resolved it, as with
    // kubectl.
    QVERIFY(tunnels(after, proxy, serverTarget()) > tunnels(before, proxy, serverTarget()));

    const Run get =
        kubectl(kubeconfig, {QStringLiteral("get"), QStringLiteral("virtualservices.networking.istio.io"),
                             QStringLiteral("-n"), QStringLiteral("istio-system"), QStringLiteral("-l"),
                             QStringLiteral("swimlane-group=via-") + proxy, QStringLiteral("-o"),
                             QStringLiteral("name")});
    QVERIFY2(get.exitCode == 0, get.err.constData());
    QCOMPARE(get.out.count('\n'), qsizetype(4));
    QCOMPARE(moved(after, proxyStats(m_cluster)), QStringList{proxy});

    auto deleted = kube::deleteGroup(*client, group.name, group.ns);
    VERIFY_RESULT(deleted);
    QVERIFY2(deleted->ok() && all(*deleted, kube::Outcome::Deleted), describe(*deleted).c_str());
}

void TestClusterProxy::tlsServerNameThroughProxy_data()
{
    QTest::addColumn<QString>("proxy");
    QTest::addRow("http") << "http";
    QTest::addRow("socks5") << "socks5";
}

void TestClusterProxy::tlsServerNameThroughProxy()
{
    // tls-server-name changes the name TLS checks, not where the proxy connects to (kubectl likewise).
    QFETCH(QString, proxy);
    kube::KubeconfigSource source;
    source.explicitPath = m_cluster.kubeconfig(QStringLiteral("proxy-") + proxy).toStdString();
    auto connection = kube::resolveConnection(*kube::loadKubeconfig(source));
    VERIFY_RESULT(connection);
    connection->cluster.tlsServerName = "kubernetes.default";
    auto client = kube::Client::create(*connection);
    VERIFY_RESULT(client);
    const auto before = proxyStats(m_cluster);
    const kube::Response r = (*client)->send(kube::Request{"GET", "/api/v1/namespaces/default", {}, {}});
    QVERIFY2(r.ok(), r.message().c_str());
    const auto after = proxyStats(m_cluster);
    QCOMPARE(moved(before, after), QStringList{proxy});
    QCOMPARE(tunnels(after, proxy, serverTarget()), tunnels(before, proxy, serverTarget()) + 1);
    QCOMPARE(tunnels(after, proxy,
                     QStringLiteral("kubernetes.default:") + serverTarget().section(QLatin1Char(':'), -1)),
             0);
}

void TestClusterProxy::httpsProxyTlsSettings_data()
{
    // The https proxy is verified with the cluster's TLS settings, as kubectl's transport does (checked by
    // hand: kubectl fails with "proxyconnect tcp: tls: failed to verify certificate" for the wrong CA).
    QTest::addColumn<QString>(
        "ca"); // certificate-authority: "cluster" (ca.crt), or a file in the cluster dir
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<QString>("expected"); // "ok" or what the message starts with
    QTest::addRow("cluster-ca") << "cluster" << false << "ok";
    QTest::addRow("insecure-skip-tls-verify-covers-the-proxy") << "" << true << "ok";
    QTest::addRow("wrong-ca-refuses-the-proxy")
        << "client/admin.crt" << false << "cannot reach the proxy https://127.0.0.1:";
}

void TestClusterProxy::httpsProxyTlsSettings()
{
    QFETCH(QString, ca);
    QFETCH(bool, insecure);
    QFETCH(QString, expected);
    kube::KubeconfigSource source;
    source.explicitPath = m_cluster.kubeconfig(QStringLiteral("proxy-https")).toStdString();
    auto connection = kube::resolveConnection(*kube::loadKubeconfig(source));
    VERIFY_RESULT(connection);
    connection->cluster.insecureSkipTlsVerify = insecure;
    connection->cluster.certificateAuthorityData =
        ca.isEmpty()
            ? std::string()
            : readFile(m_cluster.path(ca == QLatin1String("cluster") ? QStringLiteral("ca.crt") : ca))
                  .toStdString();
    auto client = kube::Client::create(*connection);
    VERIFY_RESULT(client);
    const kube::Response r = (*client)->send(kube::Request{"GET", "/version", {}, {}});
    if (expected == QLatin1String("ok")) {
        QVERIFY2(r.ok(), r.message().c_str());
    } else {
        QVERIFY2(r.message().rfind(expected.toStdString(), 0) == 0, r.message().c_str());
        QVERIFY2(r.message().find("its TLS certificate was not accepted") != std::string::npos,
                 r.message().c_str());
    }
}

void TestClusterProxy::lanectlThroughProxy_data()
{
    clientThroughProxy_data();
}

void TestClusterProxy::lanectlThroughProxy()
{
    QFETCH(QString, proxy);
    const QString lanectl = QStringLiteral(LANECTL_PATH);
    const QString doc = QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");
    const QStringList kc{QStringLiteral("--kubeconfig"),
                         m_cluster.kubeconfig(QStringLiteral("proxy-") + proxy)};
    const QStringList istio{QStringLiteral("--flavor"), QStringLiteral("istio")};
    const auto before = proxyStats(m_cluster);
    // The test cluster runs no workloads: the preflight analysis would stop the push this test is about.
    const Run apply = run(
        lanectl, QStringList{QStringLiteral("apply"), doc, QStringLiteral("--ignore-analysis")} + istio + kc,
        environment({}));
    QVERIFY2(apply.exitCode == 0, (apply.out + apply.err).constData());
    QVERIFY(apply.out.contains("VirtualService istio-system/trafficlabel-ingress-vs-test"));
    const Run diff = run(lanectl, QStringList{QStringLiteral("diff"), doc} + istio + kc, environment({}));
    QVERIFY2(diff.exitCode == 0, (diff.out + diff.err).constData());
    const Run del = run(lanectl,
                        QStringList{QStringLiteral("delete"), QStringLiteral("test"), QStringLiteral("-n"),
                                    QStringLiteral("istio-system")} +
                            kc,
                        environment({}));
    QVERIFY2(del.exitCode == 0 && del.out.contains("deleted"), (del.out + del.err).constData());
    QCOMPARE(moved(before, proxyStats(m_cluster)), QStringList{proxy});
    const QByteArray everything = apply.out + apply.err + diff.out + diff.err + del.out + del.err;
    QVERIFY(!everything.contains(m_password));
    QVERIFY(!everything.contains(m_token));
}

void TestClusterProxy::proxyFailures_data()
{
    // proxy-url replaces the one of proxy-http.kubeconfig ({password}, {http-auth} and {socks5-auth} are
    // filled in; {X-auth} is that proxy's host:port); server, when set, replaces the server.
    QTest::addColumn<QString>("proxyUrl");
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("expected"); // what stderr says ({file} is the kubeconfig)
    QTest::addRow("http-proxy-down")
        << "http://lanedeck-proxy:{password}@127.0.0.1:1"
        << ""
        << "lanectl: inventory of namespace default: cannot reach the proxy http://***@127.0.0.1:1 "
           "(proxy-url of cluster 'testcluster' in {file}; context 'testcluster'): ";
    QTest::addRow("socks5-proxy-down") << "socks5://127.0.0.1:1"
                                       << ""
                                       << "cannot reach the proxy socks5://127.0.0.1:1 (proxy-url of cluster "
                                          "'testcluster' in {file}; context 'testcluster'): ";
    QTest::addRow("proxy-host-unknown")
        << "http://proxy.lanedeck.invalid:3128"
        << ""
        << "cannot reach the proxy http://proxy.lanedeck.invalid:3128 (proxy-url";
    QTest::addRow("http-wrong-password") << "http://lanedeck-proxy:not-{password}@{http-auth}"
                                         << ""
                                         << "the proxy http://***@{http-auth} (proxy-url of cluster "
                                            "'testcluster' in {file}; context 'testcluster') "
                                            "did not accept the credentials of its URL (HTTP 407)";
    QTest::addRow("http-no-password")
        << "http://{http-auth}"
        << ""
        << "the proxy http://{http-auth} (proxy-url of cluster 'testcluster' in {file}; "
           "context 'testcluster') did not accept the credentials of its URL";
    QTest::addRow("socks5-wrong-password")
        << "socks5://lanedeck-proxy:not-{password}@{socks5-auth}"
        << ""
        << "the proxy socks5://***@{socks5-auth} (proxy-url of cluster 'testcluster' in {file}; context "
           "'testcluster') did not accept the credentials of its URL";
    QTest::addRow("http-proxy-refuses-server")
        << ""
        << "https://elsewhere.lanedeck.invalid:443"
        << "did not open a connection to the API server https://elsewhere.lanedeck.invalid:443";
    QTest::addRow("socks5-proxy-refuses-server")
        << "socks5://{socks5}"
        << "https://elsewhere.lanedeck.invalid:443"
        << "did not open a connection to the API server https://elsewhere.lanedeck.invalid:443";
    QTest::addRow("unsupported-scheme")
        << "socks4://lanedeck-proxy:{password}@127.0.0.1:1080"
        << ""
        << "lanectl: {file}: cluster 'testcluster': proxy-url: unsupported scheme "
           "'socks4' (http, https and socks5 are supported, as kubectl)";
    QTest::addRow("no-scheme") << "lanedeck-proxy:{password}@127.0.0.1:1080"
                               << ""
                               << "{file}: cluster 'testcluster': proxy-url: no scheme";
}

void TestClusterProxy::proxyFailures()
{
    QFETCH(QString, proxyUrl);
    QFETCH(QString, server);
    QFETCH(QString, expected);
    const auto stats = proxyStats(m_cluster);
    auto fill = [&](QString text, const QString &file) {
        for (const QString &name : kProxies) {
            text.replace(QLatin1Char('{') + name + QLatin1Char('}'),
                         stats.at(name).url.section(QLatin1String("://"), 1));
        }
        return text.replace(QLatin1String("{password}"), QString::fromUtf8(m_password))
            .replace(QLatin1String("{file}"), file);
    };
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("failing.kubeconfig"));
    QString config = readFile(m_cluster.kubeconfig(QStringLiteral("proxy-http")));
    QVERIFY(config.contains(QLatin1String("proxy-url: ")));
    QStringList lines = config.split(QLatin1Char('\n'));
    for (QString &line : lines) {
        if (!proxyUrl.isEmpty() && line.trimmed().startsWith(QLatin1String("proxy-url: "))) {
            line = QStringLiteral("    proxy-url: ") + fill(proxyUrl, file);
        }
        if (!server.isEmpty() && line.trimmed().startsWith(QLatin1String("server: "))) {
            line = QStringLiteral("    server: ") + server;
        }
    }
    QVERIFY(writeFile(file, lines.join(QLatin1Char('\n')).toUtf8()));

    QElapsedTimer timer;
    timer.start();
    const Run r = run(QStringLiteral(LANECTL_PATH),
                      {QStringLiteral("inventory"), QStringLiteral("--kubeconfig"), file,
                       QStringLiteral("-n"), QStringLiteral("default")},
                      environment({}), 120'000);
    QVERIFY2(timer.elapsed() < 30'000,
             "the default request timeout (60 s) is far away: nothing may wait for it");
    QCOMPARE(r.exitCode, 1);
    const QByteArray shown = r.out + r.err;
    QVERIFY2(r.err.contains(fill(expected, file).toUtf8()), shown.constData());
    QVERIFY2(!shown.contains(m_password), shown.constData());
    QVERIFY2(!shown.contains(m_token), shown.constData());
}

void TestClusterProxy::environmentAsKubectl_data()
{
    // Each row runs `lanectl inventory` and `kubectl get ns` in the same environment ({http} and {socks5} are
    // those proxies' URLs): both must succeed or both fail, and the same proxy (or none) must carry them.
    QTest::addColumn<QString>("kubeconfig");
    QTest::addColumn<QString>("env");
    QTest::addColumn<bool>("reachable");
    QTest::addColumn<QString>("carrier");     // the proxy whose counter moves; empty: none
    QTest::addColumn<QString>("lanectlSays"); // on failure, in lanectl's stderr
    const QString byName = QStringLiteral("cannot reach the API server https://apiserver.lanedeck.invalid:");
    QTest::addRow("HTTPS_PROXY") << "hostname"
                                 << "HTTPS_PROXY={http}" << true << "http"
                                 << "";
    QTest::addRow("https_proxy-lower-case") << "hostname"
                                            << "https_proxy={http}" << true << "http"
                                            << "";
    QTest::addRow("HTTPS_PROXY-socks5") << "hostname"
                                        << "HTTPS_PROXY={socks5}" << true << "socks5"
                                        << "";
    QTest::addRow("no-proxy-at-all") << "hostname"
                                     << "" << false << "" << byName;
    QTest::addRow("NO_PROXY-domain") << "hostname"
                                     << "HTTPS_PROXY={http};NO_PROXY=.lanedeck.invalid" << false << ""
                                     << byName;
    QTest::addRow("no_proxy-lower-case")
        << "hostname"
        << "HTTPS_PROXY={http};no_proxy=lanedeck.invalid" << false << "" << byName;
    QTest::addRow("NO_PROXY-other-hosts")
        << "hostname"
        << "HTTPS_PROXY={http};NO_PROXY=example.com,10.0.0.0/8,127.0.0.1" << true << "http"
        << "";
    QTest::addRow("loopback-server-never-proxied") << "admin"
                                                   << "HTTPS_PROXY={http};https_proxy={http}" << true << ""
                                                   << "";
    QTest::addRow("proxy-url-wins-over-HTTPS_PROXY") << "proxy-socks5"
                                                     << "HTTPS_PROXY={http}" << true << "socks5"
                                                     << "";
    QTest::addRow("proxy-url-wins-over-NO_PROXY") << "proxy-http"
                                                  << "NO_PROXY=*;no_proxy=*" << true << "http"
                                                  << "";
    QTest::addRow("ALL_PROXY-ignored") << "hostname"
                                       << "ALL_PROXY={http};all_proxy={http}" << false << "" << byName;
    QTest::addRow("HTTP_PROXY-not-for-https")
        << "hostname"
        << "HTTP_PROXY={http};http_proxy={http}" << false << "" << byName;
    QTest::addRow("HTTPS_PROXY-down")
        << "hostname"
        << "HTTPS_PROXY=http://127.0.0.1:1" << false << ""
        << "cannot reach the proxy http://127.0.0.1:1 (HTTPS_PROXY in the environment";
}

void TestClusterProxy::environmentAsKubectl()
{
    QFETCH(QString, kubeconfig);
    QFETCH(QString, env);
    QFETCH(bool, reachable);
    QFETCH(QString, carrier);
    QFETCH(QString, lanectlSays);
    const auto stats = proxyStats(m_cluster);
    env.replace(QLatin1String("{http}"), stats.at(QStringLiteral("http")).url)
        .replace(QLatin1String("{socks5}"), stats.at(QStringLiteral("socks5")).url);
    const QProcessEnvironment processEnv = environment(env);
    const QStringList expectedCarrier = carrier.isEmpty() ? QStringList{} : QStringList{carrier};
    const QString file = m_cluster.kubeconfig(kubeconfig);

    const Run k = kubectl(file, {QStringLiteral("get"), QStringLiteral("ns")}, processEnv);
    const auto afterKubectl = proxyStats(m_cluster);
    QVERIFY2((k.exitCode == 0) == reachable, (k.out + k.err).constData());
    QCOMPARE(moved(stats, afterKubectl), expectedCarrier);

    const Run l = run(QStringLiteral(LANECTL_PATH),
                      {QStringLiteral("inventory"), QStringLiteral("--kubeconfig"), file,
                       QStringLiteral("-n"), QStringLiteral("default")},
                      processEnv, 120'000);
    QVERIFY2((l.exitCode == 0) == reachable, (l.out + l.err).constData());
    QCOMPARE(moved(afterKubectl, proxyStats(m_cluster)), expectedCarrier);
    if (!reachable) {
        QVERIFY2(l.err.contains(lanectlSays.toUtf8()), l.err.constData());
    }
}

QTEST_GUILESS_MAIN(TestClusterProxy)
#include "tst_clusterproxy.moc"

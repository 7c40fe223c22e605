// The credential scan, lanectl: every command that reaches a cluster or writes a file, run as a user runs it
// with each kind of kubeconfig user (token, client certificate from files and inline, exec plugin, read-only,
// a revoked token, a revoked exec token, basic-auth password, OIDC, a proxy with a password), must leave no
// secret of any of them in what lanectl printed (stdout, stderr) or wrote (rendered resources, imported lane
// groups, traffic exports, and anything under its HOME: settings, caches, logs, temporary files). Runs
// against a REAL kube-apiserver (scripts/testcluster.sh) and fails, never skips, when it cannot start.
#include "base/atomicfile.h"
#include "secretscan.h"
#include "testcluster.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace lanedeck;
using namespace lanedeck::testing;

namespace {

const QString kDocument = QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");

/// A kubeconfig user of the scan and what its apply must end in.
struct User
{
    QString name;
    QString kubeconfig;
    bool succeeds = false;
    QList<QByteArray> failures; ///< what the apply's output says when it fails: one of these
};

} // namespace

class TestCredentialScan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void lanectlPrintsAndWritesNoSecret();
    void theScanFindsASeededSecret();

private:
    QString writeKubeconfig(const QString &name, QString text);
    Run lanectl(const QStringList &args, const QString &label);
    QString clusterFile(const QString &name) const { return m_cluster.filePath(name); }

    QTemporaryDir m_cluster;
    QTemporaryDir m_home; ///< lanectl's HOME, XDG folders and TMPDIR: whatever it writes there is scanned
    QTemporaryDir m_out;  ///< where lanectl is told to write
    QList<Secret> m_secrets;
    QList<User> m_users;
    std::map<QString, QByteArray> m_printed; ///< "<label> stdout|stderr" -> text
};

QString TestCredentialScan::writeKubeconfig(const QString &name, QString text)
{
    const QString path = clusterFile(name + QStringLiteral(".kubeconfig"));
    return writeFileAtomically(path.toStdString(), text.toStdString()).ok() ? path : QString();
}

void TestCredentialScan::initTestCase()
{
    QVERIFY(m_cluster.isValid() && m_home.isValid() && m_out.isValid());
    const Run started = run(testclusterScript(), {QStringLiteral("start"), m_cluster.path()});
    QVERIFY2(started.exitCode == 0 && started.out.contains("READY"),
             qPrintable(QStringLiteral("the test cluster did not start:\n") +
                        QString::fromUtf8(started.err.right(3000))));

    // The cluster's own credentials: its users' tokens, the exec plugin's token, the client key.
    m_secrets = testClusterSecrets(m_cluster.path());
    QCOMPARE(m_secrets.size(), 4); // admin, exec (what the plugin prints), readonly, the client key

    // Kubeconfigs for the other kinds of user, written from the admin one. Their secrets are scanned for too.
    const QString admin = QString::fromUtf8(fileContents(clusterFile(QStringLiteral("admin.kubeconfig"))));
    static const QRegularExpression tokenLine(QStringLiteral(R"(^(\s*)token:\s*\S+\s*$)"),
                                              QRegularExpression::MultilineOption);
    static const QRegularExpression serverLine(QStringLiteral(R"(^(\s*)server:(.*)$)"),
                                               QRegularExpression::MultilineOption);
    QVERIFY(admin.contains(tokenLine) && admin.contains(serverLine));
    const QByteArray revoked = "revoked-0d5c2f7a9e8b41c6a3f0e2d4b6c8a1f3";
    const QByteArray password = "basic-pass-5e1f0c9d8b7a6e5f4d3c2b1a";
    const QByteArray idToken = "oidc-id-token-7b3e9c1d5f2a8e4b6c0d";
    const QByteArray refreshToken = "oidc-refresh-token-2f8a4c6e0b1d3f5a";
    const QByteArray clientSecret = "oidc-client-secret-9d7b5f3a1c8e6a4c";
    const QByteArray proxyPassword = "proxy-pass-4a6c8e0f2b4d6f8a0c2e";
    m_secrets << tokenSecret(QStringLiteral("revoked token"), revoked)
              << passwordSecret(QStringLiteral("basic-auth password"), "lanedeck-basic", password)
              << tokenSecret(QStringLiteral("OIDC id-token"), idToken)
              << tokenSecret(QStringLiteral("OIDC refresh-token"), refreshToken)
              << tokenSecret(QStringLiteral("OIDC client-secret"), clientSecret)
              << passwordSecret(QStringLiteral("proxy password"), "lanedeck-proxy", proxyPassword);
    const auto replaceUser = [&admin](const QString &lines) {
        QString text = admin;
        return text.replace(tokenLine, lines);
    };
    const QString badToken = writeKubeconfig(
        QStringLiteral("revoked"), replaceUser(QStringLiteral("\\1token: ") + QString::fromLatin1(revoked)));
    const QString basic = writeKubeconfig(
        QStringLiteral("basic"), replaceUser(QStringLiteral("\\1username: lanedeck-basic\n\\1password: ") +
                                             QString::fromLatin1(password)));
    const QString oidc = writeKubeconfig(
        QStringLiteral("oidc"),
        replaceUser(
            QStringLiteral("\\1auth-provider:\n\\1  name: oidc\n\\1  config:\n\\1    client-id: lanedeck\n"
                           "\\1    client-secret: %1\n\\1    id-token: %2\n\\1    refresh-token: %3\n"
                           "\\1    idp-issuer-url: https://issuer.example")
                .arg(QString::fromLatin1(clientSecret), QString::fromLatin1(idToken),
                     QString::fromLatin1(refreshToken))));
    QString viaProxy = admin;
    viaProxy.replace(serverLine, QStringLiteral("\\1server:\\2\n\\1proxy-url: http://lanedeck-proxy:") +
                                     QString::fromLatin1(proxyPassword) + QStringLiteral("@127.0.0.1:1"));
    const QString proxy = writeKubeconfig(QStringLiteral("proxy"), viaProxy);
    // The client certificate inline, as client-key-data (base64 of the PEM), rather than by file.
    QString inlineCert = admin;
    inlineCert.replace(
        tokenLine, QStringLiteral("\\1client-certificate-data: %1\n\\1client-key-data: %2")
                       .arg(QString::fromLatin1(
                                fileContents(clusterFile(QStringLiteral("client/admin.crt"))).toBase64()),
                            QString::fromLatin1(
                                fileContents(clusterFile(QStringLiteral("client/admin.key"))).toBase64())));
    const QString certData = writeKubeconfig(QStringLiteral("certdata"), inlineCert);
    QVERIFY(!badToken.isEmpty() && !basic.isEmpty() && !oidc.isEmpty() && !proxy.isEmpty() &&
            !certData.isEmpty());

    m_users = {
        {QStringLiteral("admin"), clusterFile(QStringLiteral("admin.kubeconfig")), true, {}},
        {QStringLiteral("cert"), clusterFile(QStringLiteral("cert.kubeconfig")), true, {}},
        {QStringLiteral("certdata"), certData, true, {}},
        {QStringLiteral("exec"), clusterFile(QStringLiteral("exec.kubeconfig")), true, {}},
        {QStringLiteral("readonly"), clusterFile(QStringLiteral("readonly.kubeconfig")), false, {"HTTP 403"}},
        {QStringLiteral("revoked"), badToken, false, {"HTTP 401"}},
        // Basic auth is no authentication to kube-apiserver: discovery is forbidden to system:anonymous, and
        // lanectl says so. (The server closes an anonymous HTTP/2 connection after one answer; the requests
        // sent beside it are sent again, so none ends in a framing error: docs/RELIABILITY.md.)
        {QStringLiteral("basic"), basic, false, {"a permission problem"}},
        {QStringLiteral("oidc"), oidc, false, {"HTTP 401"}},
        {QStringLiteral("proxy"), proxy, false, {"the proxy http://***@127.0.0.1:1"}},
    };
}

void TestCredentialScan::cleanupTestCase()
{
    QVERIFY(run(testclusterScript(), {QStringLiteral("stop"), m_cluster.path()}).exitCode == 0);
}

Run TestCredentialScan::lanectl(const QStringList &args, const QString &label)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("KUBECONFIG"));
    env.insert(QStringLiteral("HOME"), m_home.path());
    for (const char *xdg :
         {"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "TMPDIR"}) {
        const QString dir = m_home.filePath(QString::fromLatin1(xdg).toLower());
        QDir().mkpath(dir);
        env.insert(QString::fromLatin1(xdg), dir);
    }
    if (label.startsWith(QLatin1String("merged "))) {
        QStringList all;
        for (const User &u : std::as_const(m_users)) {
            all << u.kubeconfig;
        }
        env.insert(QStringLiteral("KUBECONFIG"), all.join(QLatin1Char(':')));
    }
    const Run r = run(QStringLiteral(LANECTL_PATH), args, env);
    m_printed[label + QStringLiteral(" stdout")] = r.out;
    m_printed[label + QStringLiteral(" stderr")] = r.err;
    return r;
}

void TestCredentialScan::lanectlPrintsAndWritesNoSecret()
{
    const QStringList istio{QStringLiteral("--flavor"), QStringLiteral("istio")};
    const QStringList group{QStringLiteral("test"), QStringLiteral("-n"), QStringLiteral("istio-system")};
    const auto everyCommand = [&](const User &user, const QString &as) {
        const QStringList kc{QStringLiteral("--kubeconfig"), user.kubeconfig};
        lanectl(QStringList{QStringLiteral("contexts")} + kc, as + QStringLiteral(" contexts"));
        lanectl(QStringList{QStringLiteral("inventory"), QStringLiteral("-n"), QStringLiteral("default"),
                            QStringLiteral("--lanes"), kDocument} +
                    kc,
                as + QStringLiteral(" inventory"));
        // --ignore-analysis: the test cluster runs no workloads, so the analysis would stop every push.
        lanectl(QStringList{QStringLiteral("apply"), kDocument, QStringLiteral("--dry-run"),
                            QStringLiteral("--ignore-analysis")} +
                    istio + kc,
                as + QStringLiteral(" apply --dry-run"));
        const Run apply = lanectl(
            QStringList{QStringLiteral("apply"), kDocument, QStringLiteral("--ignore-analysis")} + istio + kc,
            as + QStringLiteral(" apply"));
        const Run diff = lanectl(QStringList{QStringLiteral("diff"), kDocument} + istio + kc,
                                 as + QStringLiteral(" diff"));
        lanectl(QStringList{QStringLiteral("import")} + group +
                    QStringList{QStringLiteral("-o"), m_out.filePath(as + QStringLiteral(".lanes.yaml"))} +
                    kc,
                as + QStringLiteral(" import"));
        lanectl(QStringList{QStringLiteral("delete")} + group + QStringList{QStringLiteral("--dry-run")} + kc,
                as + QStringLiteral(" delete --dry-run"));
        return std::make_pair(apply, diff);
    };
    for (const User &user : std::as_const(m_users)) {
        const auto [apply, diff] = everyCommand(user, user.name);
        const QByteArray said = apply.out + apply.err;
        if (user.succeeds) {
            // The scan means something only if the commands did their work.
            QVERIFY2(apply.exitCode == 0,
                     qPrintable(user.name + QStringLiteral(": ") + QString::fromUtf8(said)));
            QVERIFY2(diff.exitCode == 0,
                     qPrintable(user.name + QStringLiteral(": ") + QString::fromUtf8(diff.out + diff.err)));
        } else {
            QVERIFY2(apply.exitCode != 0 &&
                         std::any_of(user.failures.begin(), user.failures.end(),
                                     [&said](const QByteArray &f) { return said.contains(f); }),
                     qPrintable(user.name + QStringLiteral(": ") + QString::fromUtf8(said)));
        }
    }
    // The exec plugin handing out a token the server refuses (the 401 reruns it once; it fails again).
    const QString execTokenFile = clusterFile(QStringLiteral("exec-plugin.token"));
    const QByteArray execToken = fileContents(execTokenFile);
    const QByteArray revokedExec = "revoked-exec-8c1e5a3f7b9d2e4c6a0f";
    m_secrets << tokenSecret(QStringLiteral("revoked exec token"), revokedExec);
    QVERIFY(writeFileAtomically(execTokenFile.toStdString(), revokedExec.toStdString()).ok());
    const auto [refused, refusedDiff] = everyCommand(m_users[3], QStringLiteral("exec-revoked"));
    QVERIFY(writeFileAtomically(execTokenFile.toStdString(), execToken.toStdString()).ok());
    QVERIFY2(refused.exitCode != 0 && (refused.out + refused.err).contains("HTTP 401"),
             (refused.out + refused.err).constData());
    Q_UNUSED(refusedDiff);
    // Every context at once, as KUBECONFIG lists them.
    QVERIFY(lanectl({QStringLiteral("contexts")}, QStringLiteral("merged contexts")).exitCode == 0);

    // Exports: rendered resources, one file each and as a stream, and a traffic run's CSV and JSON.
    QVERIFY(lanectl(QStringList{QStringLiteral("render"), kDocument, QStringLiteral("-o"),
                                m_out.filePath(QStringLiteral("rendered"))} +
                        istio,
                    QStringLiteral("render -o"))
                .exitCode == 0);
    QVERIFY(lanectl({QStringLiteral("render"), kDocument}, QStringLiteral("render")).exitCode == 0);
    QVERIFY(lanectl({QStringLiteral("paths"), kDocument}, QStringLiteral("paths")).exitCode == 0);
    QProcess sandbox;
    sandbox.start(QStringLiteral(LANECTL_PATH), QStringList{QStringLiteral("sandbox"), kDocument} + istio);
    QVERIFY(sandbox.waitForStarted());
    for (int i = 0; i < 300 && !sandbox.canReadLine(); ++i) {
        sandbox.waitForReadyRead(100);
    }
    const QString url = QString::fromUtf8(sandbox.readLine()).trimmed();
    QVERIFY2(url.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(url));
    const Run sample =
        lanectl({QStringLiteral("sample"), url, QStringLiteral("--group"), kDocument, QStringLiteral("-n"),
                 QStringLiteral("40"), QStringLiteral("--csv"), m_out.filePath(QStringLiteral("run.csv")),
                 QStringLiteral("--json"), m_out.filePath(QStringLiteral("run.json")),
                 QStringLiteral("--timeout"), QStringLiteral("30s")},
                QStringLiteral("sample"));
    sandbox.terminate();
    QVERIFY(sandbox.waitForFinished(30'000));
    QVERIFY2(QFile::exists(m_out.filePath(QStringLiteral("run.json"))),
             (sample.out + sample.err).constData());

    // The scan: everything printed, every file written.
    QStringList found;
    for (const auto &[label, text] : m_printed) {
        found << findSecrets(text, m_secrets, QStringLiteral("lanectl ") + label);
    }
    int files = 0;
    found << findSecretsInFiles(m_out.path(), m_secrets, &files);
    found << findSecretsInFiles(m_home.path(), m_secrets, &files);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    // What was scanned: 7 commands for each of 10 users, the merged contexts and 4 more; the lane groups the
    // users that may read imported, the rendered files and the traffic exports.
    QCOMPARE(m_printed.size(), std::size_t(2 * (7 * 10 + 1 + 4)));
    QVERIFY2(files >= 4 + 8 + 3, qPrintable(QString::number(files)));
}

void TestCredentialScan::theScanFindsASeededSecret()
{
    // The same scan over the same output, each secret planted once in turn: it must report exactly that one.
    QVERIFY(!m_printed.empty());
    const QByteArray printed = m_printed.begin()->second;
    for (const Secret &secret : std::as_const(m_secrets)) {
        for (const QByteArray &needle : secret.needles) {
            const QStringList found = findSecrets(printed + needle, m_secrets, QStringLiteral("seeded"));
            QVERIFY2(found == QStringList{QStringLiteral("seeded: ") + secret.what},
                     qPrintable(found.join(QLatin1Char(' '))));
        }
    }
    const QString planted = m_home.filePath(QStringLiteral("xdg_cache_home/lanedeck/seeded.log"));
    QVERIFY(QDir().mkpath(QFileInfo(planted).path()));
    QVERIFY(
        writeFileAtomically(planted.toStdString(), "token=" + m_secrets.front().needles.front().toStdString())
            .ok());
    const QStringList found = findSecretsInFiles(m_home.path(), m_secrets);
    QCOMPARE(found, QStringList{planted + QStringLiteral(": ") + m_secrets.front().what});
    QVERIFY(QFile::remove(planted));
}

QTEST_GUILESS_MAIN(TestCredentialScan)
#include "tst_credentialscan.moc"

// Exec credential plugins (v1, v1beta1): what the plugin receives, what it may return, caching until expiry,
// the approval callback, installHint, that no credential reaches a message, and plugins that hang, crash or
// flood: killed after the timeout with every process they started, and said so.
#include "kube/client.h"
#include "kube/execcredential.h"
#include "kube/kubeconfig.h"
#include "testsupport.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace lanedeck::kube;

namespace {

const char *kSecret = "exec-SECRET-9f8e7d";

/// A plugin script that logs each run, saves its KUBERNETES_EXEC_INFO and prints `output`.
QString writePlugin(const QTemporaryDir &dir, const QByteArray &output, int exitCode = 0)
{
    const QString path = dir.filePath(QStringLiteral("plugin.sh"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        return {};
    }
    f.write("#!/bin/sh\necho run >> \"$(dirname \"$0\")/runs.log\"\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > "
            "\"$(dirname \"$0\")/info.json\"\necho \"plugin-arg=$1 env=$PLUGIN_ENV\" > \"$(dirname "
            "\"$0\")/args.txt\"\n"
            "cat <<'JSON'\n" +
            output + "\nJSON\necho 'plugin diagnostic' >&2\nexit " + QByteArray::number(exitCode) + "\n");
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

int runs(const QTemporaryDir &dir)
{
    QFile f(dir.filePath(QStringLiteral("runs.log")));
    if (!f.open(QIODevice::ReadOnly)) {
        return 0;
    }
    return f.readAll().count('\n');
}

UserConfig execUser(const QString &command, const std::string &apiVersion)
{
    UserConfig u;
    u.name = "plugin-user";
    u.sourceFile = "/tmp/test.kubeconfig";
    ExecConfig e;
    e.command = command.toStdString();
    e.args = {"first"};
    e.env = {{"PLUGIN_ENV", "from-kubeconfig"}};
    e.apiVersion = apiVersion;
    e.interactiveMode = "IfAvailable";
    e.installHint = "install it with: apt-get install the-plugin";
    u.exec = e;
    return u;
}

QByteArray credential(const std::string &apiVersion, const QString &expiry = {})
{
    nlohmann::json status{{"token", kSecret}};
    if (!expiry.isEmpty()) {
        status["expirationTimestamp"] = expiry.toStdString();
    }
    return QByteArray::fromStdString(
        nlohmann::json{{"apiVersion", apiVersion}, {"kind", "ExecCredential"}, {"status", status}}.dump());
}

/// A plugin with the given shell body, which may append the ids of the processes it starts to "pids".
QString writeScript(const QTemporaryDir &dir, const QByteArray &body)
{
    const QString path = dir.filePath(QStringLiteral("script-plugin.sh"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        return {};
    }
    f.write("#!/bin/sh\ncd \"$(dirname \"$0\")\"\necho $$ >> pids\n" + body);
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

} // namespace

class TestExecCredential : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plugin_data();
    void plugin();
    void cachesUntilExpiry();
    void readsCredentials_data();
    void readsCredentials();
    void refusesOutput_data();
    void refusesOutput();
    void approval();
    void badOutput_data();
    void badOutput();
    void missingCommandGivesInstallHint();
    void noCredentialInTransportErrors();
    void misbehavingPluginIsKilled_data();
    void misbehavingPluginIsKilled();
    void hangingPluginFailsEveryRequest();
};

void TestExecCredential::plugin_data()
{
    QTest::addColumn<QString>("apiVersion");
    QTest::addColumn<bool>("provideClusterInfo");
    QTest::addRow("v1") << "client.authentication.k8s.io/v1" << false;
    QTest::addRow("v1beta1") << "client.authentication.k8s.io/v1beta1" << false;
    QTest::addRow("v1-cluster-info") << "client.authentication.k8s.io/v1" << true;
}

void TestExecCredential::plugin()
{
    QFETCH(QString, apiVersion);
    QFETCH(bool, provideClusterInfo);
    QTemporaryDir dir;
    const std::string version = apiVersion.toStdString();
    UserConfig user = execUser(writePlugin(dir, credential(version)), version);
    user.exec->provideClusterInfo = provideClusterInfo;
    ClusterConfig cluster;
    cluster.server = "https://cluster.example:6443";
    cluster.certificateAuthorityData = "CA";
    auto cred = runExecPlugin(user, cluster);
    QVERIFY2(cred.ok(), cred.ok() ? "" : cred.error().message.c_str());
    QCOMPARE(cred->token, std::string(kSecret));
    QVERIFY(!cred->expiry);
    QFile infoFile(dir.filePath(QStringLiteral("info.json")));
    QVERIFY(infoFile.open(QIODevice::ReadOnly));
    const auto info = nlohmann::json::parse(infoFile.readAll().toStdString());
    QCOMPARE(info.value("apiVersion", ""), version);
    QCOMPARE(info.value("kind", ""), std::string("ExecCredential"));
    QCOMPARE(info["spec"].value("interactive", true), false);
    QCOMPARE(info["spec"].contains("cluster"), provideClusterInfo);
    if (provideClusterInfo) {
        QCOMPARE(info["spec"]["cluster"].value("server", ""), cluster.server);
        QCOMPARE(info["spec"]["cluster"].value("certificate-authority-data", ""), std::string("Q0E="));
    }
    QFile argsFile(dir.filePath(QStringLiteral("args.txt")));
    QVERIFY(argsFile.open(QIODevice::ReadOnly));
    QCOMPARE(argsFile.readAll().trimmed(), QByteArray("plugin-arg=first env=from-kubeconfig"));
}

void TestExecCredential::cachesUntilExpiry()
{
    QTemporaryDir dir;
    const std::string v1 = "client.authentication.k8s.io/v1";
    const QString later = QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate);
    UserConfig user = execUser(writePlugin(dir, credential(v1, later)), v1);
    ExecCredentialProvider provider(user, {}, {});
    QVERIFY(provider.credential().ok());
    QVERIFY(provider.credential().ok());
    QCOMPARE(runs(dir), 1); // cached: valid for an hour
    provider.invalidate();  // what a 401 does
    QVERIFY(provider.credential().ok());
    QCOMPARE(runs(dir), 2);

    const QString past = QDateTime::currentDateTimeUtc().addSecs(-5).toString(Qt::ISODate);
    UserConfig expired = execUser(writePlugin(dir, credential(v1, past)), v1);
    ExecCredentialProvider again(expired, {}, {});
    QVERIFY(again.credential().ok());
    QVERIFY(again.credential().ok());
    QCOMPARE(runs(dir), 4); // already expired: every use reruns the plugin
    QCOMPARE(again.runs(), 2);

    // Found by fuzz_execcredential: a time after 2262 overflowed the nanosecond clock (undefined behaviour).
    UserConfig forever =
        execUser(writePlugin(dir, credential(v1, QStringLiteral("9999-12-31T23:59:59Z"))), v1);
    ExecCredentialProvider cached(forever, {}, {});
    QVERIFY(cached.credential().ok());
    QVERIFY(cached.credential().ok());
    QCOMPARE(cached.runs(), 1);
}

void TestExecCredential::readsCredentials_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QString>("apiVersion");
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("certificate");
    QTest::addColumn<qint64>("expiryMs"); // -1: none
    const QString v1 = QStringLiteral("client.authentication.k8s.io/v1");
    const QString v1beta1 = QStringLiteral("client.authentication.k8s.io/v1beta1");
    const auto seed = [](const char *name) {
        QFile f(QStringLiteral(LANEDECK_SOURCE_DIR "/tests/fuzz/corpus/execcredential/") +
                QLatin1String(name));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    // The test cluster's plugin, as it prints.
    QTest::addRow("test cluster plugin")
        << seed("testcluster-plugin-ttl.json") << v1 << "lanedeck-fuzz-seed-0123456789abcdef0123456789abcdef"
        << false
        << QDateTime::fromString(QStringLiteral("2026-11-28T21:34:44Z"), Qt::ISODate).toMSecsSinceEpoch();
    QTest::addRow("no expiry") << seed("testcluster-plugin-no-expiry.json") << v1
                               << "lanedeck-fuzz-seed-0123456789abcdef0123456789abcdef" << false
                               << qint64(-1);
    QTest::addRow("offset")
        << seed("v1beta1-offset-timestamp.json") << v1beta1 << "k8s-aws-v1.bGFuZWRlY2stZnV6ei1zZWVk" << false
        << QDateTime::fromString(QStringLiteral("2018-03-06T01:30:20Z"), Qt::ISODate).toMSecsSinceEpoch();
    // Found by fuzz_execcredential: QDateTime rounded .126912 up to 127 ms; client-go keeps the instant, and
    // LaneDeck keeps its milliseconds, cutting the rest.
    QTest::addRow("fraction cut to milliseconds")
        << seed("v1beta1-spec-echoed.json") << v1beta1 << "ya29.lanedeck-fuzz-seed-not-a-real-token" << false
        << QDateTime::fromString(QStringLiteral("2026-11-28T22:31:07.123Z"), Qt::ISODateWithMs)
               .toMSecsSinceEpoch();
    QTest::addRow("after 2262") << credential(v1.toStdString(), QStringLiteral("9999-12-31T23:59:59.999Z"))
                                << v1 << kSecret << false << qint64(253402300799999);
    QTest::addRow("client certificate")
        << seed("client-certificate-v1.json") << v1 << "" << true
        << QDateTime::fromString(QStringLiteral("2026-11-28T22:00:00Z"), Qt::ISODate).toMSecsSinceEpoch();
}

void TestExecCredential::readsCredentials()
{
    QFETCH(QByteArray, output);
    QFETCH(QString, apiVersion);
    QFETCH(QString, token);
    QFETCH(bool, certificate);
    QFETCH(qint64, expiryMs);
    QVERIFY(!output.isEmpty());
    const auto read = parseExecCredential(output.toStdString(), apiVersion.toStdString());
    QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
    QCOMPARE(QString::fromStdString(read->token), token);
    QCOMPARE(read->clientCertificateData.find("-----BEGIN CERTIFICATE-----") == 0, certificate);
    QCOMPARE(read->clientKeyData.find("PRIVATE KEY") != std::string::npos, certificate);
    QCOMPARE(read->expiry.has_value(), expiryMs >= 0);
    if (read->expiry) {
        QCOMPARE(qint64(read->expiry->time_since_epoch().count()), expiryMs);
    }
}

void TestExecCredential::refusesOutput_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QString>("expected");
    const std::string v1 = "client.authentication.k8s.io/v1";
    const auto withStatus = [&v1](const nlohmann::json &status) {
        return QByteArray::fromStdString(
            nlohmann::json{{"apiVersion", v1}, {"kind", "ExecCredential"}, {"status", status}}.dump());
    };
    // Found by fuzz_execcredential: members of another type threw out of the core and ended the process.
    QTest::addRow("kind an object") << QByteArray(R"({"kind":{"token":"x"}})")
                                    << "output kind is not ExecCredential";
    QTest::addRow("status a list")
        << QByteArray::fromStdString(
               nlohmann::json{{"apiVersion", v1}, {"kind", "ExecCredential"}, {"status", {1}}}.dump())
        << "status is not an object";
    QTest::addRow("token a number") << withStatus({{"token", 5}}) << "status.token is not a string";
    QTest::addRow("expiry a number") << withStatus({{"token", kSecret}, {"expirationTimestamp", 5}})
                                     << "status.expirationTimestamp is not a string";
    // Found by fuzz_execcredential: a line break in the token went into the Authorization header.
    QTest::addRow("token with a line break")
        << withStatus({{"token", std::string(kSecret) + "\r\nX-Injected: 1"}})
        << "status.token holds a control character";
    QTest::addRow("token with a NUL") << withStatus({{"token", std::string(kSecret) + '\0' + "rest"}})
                                      << "status.token holds a control character";
    // RFC 3339 as client-go reads it; QDateTime took these (a time without a zone as local time).
    for (const char *ts : {"2026-11-28", "2026-11-28T10:00:00", "2026-11-28T24:00:00Z",
                           "2026-11-28 10:00:00Z", "2026-11-28T10:00:00+0500", "2026-11-28T10:00:00,5Z",
                           "2026-02-30T10:00:00Z", "2026-11-28T10:00:60Z", "tomorrow"}) {
        QTest::addRow("expiry %s", ts)
            << withStatus({{"token", kSecret}, {"expirationTimestamp", ts}}) << "is not an RFC 3339 time";
    }
}

void TestExecCredential::refusesOutput()
{
    QFETCH(QByteArray, output);
    QFETCH(QString, expected);
    const auto read = parseExecCredential(output.toStdString(), "client.authentication.k8s.io/v1");
    QVERIFY(!read.ok());
    const std::string &message = read.error().message;
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    QVERIFY2(message.find(kSecret) == std::string::npos, message.c_str());
}

void TestExecCredential::approval()
{
    QTemporaryDir dir;
    const std::string v1 = "client.authentication.k8s.io/v1";
    UserConfig user = execUser(writePlugin(dir, credential(v1)), v1);
    int asked = 0;
    ExecApproval seen;
    ExecCredentialProvider refused(user, {}, [&](const ExecApproval &a) {
        ++asked;
        seen = a;
        return false;
    });
    auto cred = refused.credential();
    QVERIFY(!cred.ok());
    QVERIFY(cred.error().message.find("was not approved") != std::string::npos);
    QCOMPARE(runs(dir), 0); // refused: never ran
    QCOMPARE(seen.command, user.exec->command);
    QCOMPARE(seen.args, user.exec->args);
    QCOMPARE(seen.kubeconfigFile, user.sourceFile);

    ExecCredentialProvider allowed(user, {}, [&](const ExecApproval &) {
        ++asked;
        return true;
    });
    QVERIFY(allowed.credential().ok());
    allowed.invalidate();
    QVERIFY(allowed.credential().ok());
    QCOMPARE(asked, 2); // once per provider, not per run
    QCOMPARE(runs(dir), 2);
}

void TestExecCredential::badOutput_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    const QByteArray secretJson = QByteArray("{\"token\":\"") + kSecret + "\"}";
    QTest::addRow("not-json") << QByteArray("token ") + kSecret << 0 << "not an ExecCredential JSON";
    QTest::addRow("wrong-kind")
        << QByteArray("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"Pod\"}") << 0
        << "kind is not ExecCredential";
    QTest::addRow("wrong-api-version") << credential("client.authentication.k8s.io/v1beta1") << 0
                                       << "differs from the kubeconfig's exec.apiVersion";
    QTest::addRow("no-credential") << QByteArray("{\"apiVersion\":\"client.authentication.k8s.io/"
                                                 "v1\",\"kind\":\"ExecCredential\",\"status\":{}}")
                                   << 0 << "neither status.token";
    QTest::addRow("cert-without-key")
        << QByteArray(
               "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":"
               "{\"clientCertificateData\":\"C\",\"token\":\"t\"}}")
        << 0 << "must come together";
    QTest::addRow("bad-expiry") << credential("client.authentication.k8s.io/v1", QStringLiteral("tomorrow"))
                                << 0 << "is not an RFC 3339 time";
    QTest::addRow("exit-code") << secretJson << 3 << "failed with exit code 3: plugin diagnostic";
    // Each of these aborted lanectl: nlohmann's value() threw on the field of another type.
    const QByteArray head =
        "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",";
    QTest::addRow("status-not-an-object")
        << head + "\"status\":\"" + kSecret + "\"}" << 0 << "status is not an object";
    QTest::addRow("token-not-a-string")
        << head + "\"status\":{\"token\":[\"" + kSecret + "\"]}}" << 0 << "status.token is not a string";
    QTest::addRow("kind-not-a-string")
        << QByteArray("{\"kind\":7,\"status\":{\"token\":\"") + kSecret + "\"}}" << 0
        << "output kind is not ExecCredential";
    QTest::addRow("expiry-not-a-string") << head + "\"status\":{\"token\":\"t\",\"expirationTimestamp\":1}}"
                                         << 0 << "status.expirationTimestamp is not a string";
}

void TestExecCredential::misbehavingPluginIsKilled_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("untilTimeout"); // ends only because the timeout passed
    const QByteArray cred = "printf '%s' '" + credential("client.authentication.k8s.io/v1") + "'\n";
    QTest::addRow("never-exits")
        << QByteArray("sleep 300 &\necho $! >> pids\nwait\n")
        << "did not finish within 1.5 s: LaneDeck killed it and every process it started" << true;
    QTest::addRow("exits-while-a-child-holds-stdout")
        << QByteArray("sleep 300 &\necho $! >> pids\n") + cred + "exit 0\n"
        << "exited, but a process it started still held its output open after 1.5 s: LaneDeck killed that "
           "process"
        << true;
    QTest::addRow("ignores-sigterm") << QByteArray("trap '' TERM HUP INT\nwhile :; do sleep 1; done\n")
                                     << "did not finish within 1.5 s" << true;
    QTest::addRow("killed-by-a-signal") << QByteArray("echo 'about to crash' >&2\nkill -SEGV $$\n")
                                        << "was killed by signal 11 (SIGSEGV): about to crash" << false;
    QTest::addRow("exit-code-with-coloured-stderr")
        << QByteArray("printf '\\033[31merror:\\033[0m token expired\\nrun: corp-login\\n' >&2\nexit 4\n")
        << "failed with exit code 4: error: token expired run: corp-login" << false;
    QTest::addRow("floods-stderr") << QByteArray("yes >&2\n") << "did not finish within 1.5 s" << true;
    QTest::addRow("floods-stdout") << QByteArray("yes\n")
                                   << "printed more than 1024 KiB, which is no credential: LaneDeck killed it"
                                   << false;
}

void TestExecCredential::misbehavingPluginIsKilled()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    QFETCH(bool, untilTimeout);
    QTemporaryDir dir;
    UserConfig user = execUser(writeScript(dir, body), "client.authentication.k8s.io/v1");
    QElapsedTimer timer;
    timer.start();
    auto cred = runExecPlugin(user, {}, std::chrono::milliseconds(1500));
    const qint64 elapsed = timer.elapsed();
    QVERIFY(!cred.ok());
    const std::string &message = cred.error().message;
    const std::string where =
        user.sourceFile + ": user 'plugin-user': exec plugin '" + user.exec->command + "': ";
    QVERIFY2(message.rfind(where, 0) == 0, message.c_str());
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    QVERIFY2(message.find('\n') == std::string::npos && message.find('\x1b') == std::string::npos,
             message.c_str());
    QVERIFY2(message.find(kSecret) == std::string::npos, message.c_str());
    QVERIFY(elapsed < 10'000);
    if (untilTimeout) {
        QVERIFY(elapsed >= 1500);
    }
    // Neither the plugin nor anything it started is left running (SIGKILL is delivered asynchronously).
    QFile pids(dir.filePath(QStringLiteral("pids")));
    QVERIFY(pids.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = pids.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), body.contains("echo $!") ? 2 : 1);
    for (const QByteArray &line : lines) {
        QTRY_VERIFY2_WITH_TIMEOUT(!lanedeck::testing::processRunning(line.toLongLong()), line.constData(),
                                  5000);
    }
}

void TestExecCredential::hangingPluginFailsEveryRequest()
{
    // Nothing listens on port 1: the requests never get that far, the plugin is what fails them.
    QTemporaryDir dir;
    Connection c;
    c.context = "ctx";
    c.cluster.name = "c";
    c.cluster.server = "https://127.0.0.1:1";
    c.user =
        execUser(writeScript(dir, "sleep 300 &\necho $! >> pids\nwait\n"), "client.authentication.k8s.io/v1");
    ClientOptions options;
    options.execTimeout = std::chrono::milliseconds(1000);
    auto client = Client::create(c, options);
    QVERIFY(client.ok());
    QElapsedTimer timer;
    timer.start();
    const auto responses =
        (*client)->send(std::vector<Request>(3, Request{"GET", "/api/v1/namespaces", {}, {}}));
    QVERIFY(timer.elapsed() < 10'000);
    for (const auto &r : responses) {
        QVERIFY(!r.ok());
        QVERIFY2(r.message().find("exec plugin '" + c.user.exec->command + "': did not finish within 1 s") !=
                     std::string::npos,
                 r.message().c_str());
    }
    QCOMPARE((*client)->execRuns(), 1); // once for the whole batch, not once per request
}

void TestExecCredential::badOutput()
{
    QFETCH(QByteArray, output);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    UserConfig user = execUser(writePlugin(dir, output, exitCode), "client.authentication.k8s.io/v1");
    auto cred = runExecPlugin(user, {});
    QVERIFY(!cred.ok());
    const std::string &message = cred.error().message;
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    QVERIFY2(message.find(user.sourceFile) != std::string::npos, message.c_str());
    QVERIFY2(message.find(kSecret) == std::string::npos, message.c_str());
}

void TestExecCredential::missingCommandGivesInstallHint()
{
    for (const QString &command :
         {QStringLiteral("/nonexistent/plugin"), QStringLiteral("no-such-plugin-on-path")}) {
        UserConfig user = execUser(command, "client.authentication.k8s.io/v1");
        auto cred = runExecPlugin(user, {});
        QVERIFY(!cred.ok());
        QVERIFY2(cred.error().message.find("install it with: apt-get install the-plugin") !=
                     std::string::npos,
                 cred.error().message.c_str());
        QVERIFY2(cred.error().message.find("command not found") != std::string::npos,
                 cred.error().message.c_str());
    }
}

void TestExecCredential::noCredentialInTransportErrors()
{
    // A connection that fails (nothing listens on port 1), with every kind of credential set: no message
    // may carry one.
    QTemporaryDir dir;
    const std::string v1 = "client.authentication.k8s.io/v1";
    Connection c;
    c.context = "ctx";
    c.cluster.name = "c";
    c.cluster.server = "https://127.0.0.1:1";
    c.cluster.proxyUrl = "";
    c.user = execUser(writePlugin(dir, credential(v1)), v1);
    c.user.token = "static-SECRET-token";
    c.user.impersonate = "someone";
    ClientOptions options;
    options.connectTimeout = std::chrono::milliseconds(2000);
    auto client = Client::create(c, options);
    QVERIFY(client.ok());
    const auto responses = (*client)->send(
        std::vector<Request>{{"GET", "/api/v1/namespaces", {}, {}},
                             {"PATCH", "/apis/x/v1/y", "{\"a\":1}", "application/apply-patch+yaml"}});
    for (const auto &r : responses) {
        QVERIFY(!r.ok());
        const std::string m = r.message();
        QVERIFY2(m.find("cannot reach the API server https://127.0.0.1:1") != std::string::npos, m.c_str());
        QVERIFY2(m.find(kSecret) == std::string::npos && m.find("static-SECRET") == std::string::npos,
                 m.c_str());
    }
    QCOMPARE((*client)->execRuns(), 1);
    QCOMPARE(describeAuth(c.user).find("SECRET"), std::string::npos);

    c.user.exec.reset();
    c.cluster.proxyUrl = "http://proxyuser:proxy-SECRET@127.0.0.1:1";
    auto viaProxy = Client::create(c, options);
    QVERIFY(viaProxy.ok());
    const std::string m = (*viaProxy)->send(Request{"GET", "/version", {}, {}}).message();
    QVERIFY2(m.find("cannot reach the proxy http://***@127.0.0.1:1") != std::string::npos, m.c_str());
    QVERIFY2(m.find("proxy-SECRET") == std::string::npos, m.c_str());
}

QTEST_GUILESS_MAIN(TestExecCredential)
#include "tst_execcredential.moc"

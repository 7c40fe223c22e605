// kubeconfig loading and merging by kubectl's rules, on files the test writes; errors name file and field
// and never quote a credential.
#include "kube/kubeconfig.h"
#include "testcertificates.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace lanedeck::kube;

namespace {

const char *kSecretToken = "tok-SECRET-a1b2c3";

/// An unsigned JSON Web Token with the given claims (LaneDeck reads exp; the server checks signatures).
QByteArray jwt(const QByteArray &claims)
{
    const auto encode = [](const QByteArray &b) {
        return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    return encode(R"({"alg":"RS256","typ":"JWT"})") + '.' + encode(claims) + ".c2lnbmF0dXJl";
}

void write(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    f.write(content);
}

/// A kubeconfig with one cluster, one user and one context, each named as given.
QByteArray config(const QByteArray &cluster, const QByteArray &server, const QByteArray &user,
                  const QByteArray &context, const QByteArray &current, const QByteArray &clusterExtra = {},
                  const QByteArray &userExtra = {}, const QByteArray &ns = {})
{
    QByteArray text = "apiVersion: v1\nkind: Config\n";
    if (!current.isEmpty()) {
        text += "current-context: " + current + "\n";
    }
    text += "clusters:\n- name: " + cluster + "\n  cluster:\n    server: " + server + "\n" + clusterExtra;
    text += "users:\n- name: " + user + "\n  user:\n    token: tok-" + user + "\n" + userExtra;
    text += "contexts:\n- name: " + context + "\n  context:\n    cluster: " + cluster +
            "\n    user: " + user + "\n";
    if (!ns.isEmpty()) {
        text += "    namespace: " + ns + "\n";
    }
    return text;
}

} // namespace

class TestKubeconfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void merge_data();
    void merge();
    void relativePaths();
    void errors_data();
    void errors();
    void oidcIdTokensThatAreUsable_data();
    void oidcIdTokensThatAreUsable();
    void useContextRewritesTheDefiningFile();
    void insecureIsAlwaysAWarning();
    void clientCertificateOutsideItsValidityIsAWarning_data();
    void clientCertificateOutsideItsValidityIsAWarning();
};

void TestKubeconfig::merge_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<QString>("kubeconfigEnv"); // A and B stand for the two files, M for a missing one
    QTest::addColumn<QString>("explicitFile");  // "", "A" or "B"
    QTest::addColumn<QString>("contextFlag");
    QTest::addColumn<QString>("namespaceFlag");
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("ns");

    const QByteArray a = config("c", "https://a.example:6443", "u", "ctx", "ctx", {}, {}, "team-a");
    const QByteArray b = config("c", "https://b.example:6443", "u", "ctx-b", "ctx-b");
    QTest::addRow("first-file-wins-per-cluster-name")
        << a << config("c", "https://b.example:6443", "v", "ctx-b", {}) << "A:B"
        << ""
        << "ctx-b"
        << ""
        << "ctx-b"
        << "https://a.example:6443"
        << "tok-v"
        << "default";
    QTest::addRow("first-file-wins-whole-entry-no-field-merge")
        << config("c", "https://a.example:6443", "u", "ctx", "ctx")
        << config("c", "https://b.example:6443", "u", "ctx", {}, "    tls-server-name: b\n") << "B:A"
        << ""
        << ""
        << ""
        << "ctx"
        << "https://b.example:6443"
        << "tok-u"
        << "default";
    QTest::addRow("first-non-empty-current-context")
        << config("c", "https://a.example:6443", "u", "ctx", {}) << b << "A:B"
        << ""
        << ""
        << ""
        << "ctx-b"
        << "https://a.example:6443"
        << "tok-u"
        << "default";
    QTest::addRow("earlier-current-context-wins") << a << b << "A:B"
                                                  << ""
                                                  << ""
                                                  << ""
                                                  << "ctx"
                                                  << "https://a.example:6443"
                                                  << "tok-u"
                                                  << "team-a";
    QTest::addRow("order-decides") << a << b << "B:A"
                                   << ""
                                   << ""
                                   << ""
                                   << "ctx-b"
                                   << "https://b.example:6443"
                                   << "tok-u"
                                   << "default";
    QTest::addRow("missing-file-skipped") << a << b << "M:B:A"
                                          << ""
                                          << ""
                                          << ""
                                          << "ctx-b"
                                          << "https://b.example:6443"
                                          << "tok-u"
                                          << "default";
    QTest::addRow("duplicates-and-empty-entries-ignored") << a << b << "A::A:B"
                                                          << ""
                                                          << ""
                                                          << ""
                                                          << "ctx"
                                                          << "https://a.example:6443"
                                                          << "tok-u"
                                                          << "team-a";
    QTest::addRow("explicit-path-overrides-env") << a << b << "A:B"
                                                 << "B"
                                                 << ""
                                                 << ""
                                                 << "ctx-b"
                                                 << "https://b.example:6443"
                                                 << "tok-u"
                                                 << "default";
    QTest::addRow("context-flag") << a << b << "B:A"
                                  << ""
                                  << "ctx"
                                  << ""
                                  << "ctx"
                                  << "https://b.example:6443"
                                  << "tok-u"
                                  << "team-a";
    QTest::addRow("namespace-flag-overrides-context") << a << b << "A:B"
                                                      << ""
                                                      << ""
                                                      << "ns-x"
                                                      << "ctx"
                                                      << "https://a.example:6443"
                                                      << "tok-u"
                                                      << "ns-x";
    QTest::addRow("default-home-config") << a << b << ""
                                         << ""
                                         << ""
                                         << ""
                                         << "ctx"
                                         << "https://a.example:6443"
                                         << "tok-u"
                                         << "team-a";
}

void TestKubeconfig::merge()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(QString, kubeconfigEnv);
    QFETCH(QString, explicitFile);
    QFETCH(QString, contextFlag);
    QFETCH(QString, namespaceFlag);
    QTemporaryDir dir;
    const QString fileA = dir.filePath(QStringLiteral("home/.kube/config"));
    const QString fileB = dir.filePath(QStringLiteral("other/b.yaml"));
    write(fileA, a);
    write(fileB, b);
    QStringList paths;
    for (const QString &token : kubeconfigEnv.split(QLatin1Char(':'))) {
        paths << (token == QLatin1String("A")   ? fileA
                  : token == QLatin1String("B") ? fileB
                  : token == QLatin1String("M") ? dir.filePath(QStringLiteral("missing"))
                                                : token);
    }
    const QString env = paths.join(QLatin1Char(':'));
    KubeconfigSource source;
    source.kubeconfigEnv = env.toStdString();
    source.home = dir.filePath(QStringLiteral("home")).toStdString();
    if (!explicitFile.isEmpty()) {
        source.explicitPath = (explicitFile == QLatin1String("A") ? fileA : fileB).toStdString();
    }
    auto config = loadKubeconfig(source);
    QVERIFY2(config.ok(), config.ok() ? "" : config.error().message.c_str());
    auto c = resolveConnection(*config, contextFlag.toStdString(), namespaceFlag.toStdString());
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
    QTEST(QString::fromStdString(c->context), "context");
    QTEST(QString::fromStdString(c->cluster.server), "server");
    QTEST(QString::fromStdString(c->user.token), "token");
    QTEST(QString::fromStdString(c->ns), "ns");
}

void TestKubeconfig::relativePaths()
{
    QTemporaryDir dir;
    // The CA, client cert/key and tokenFile sit beside the second file; the first file is elsewhere.
    write(dir.filePath(QStringLiteral("one/config")), config("c1", "https://one:6443", "u1", "ctx1", "ctx1"));
    write(dir.filePath(QStringLiteral("two/pki/ca.crt")), "CA-PEM");
    write(dir.filePath(QStringLiteral("two/pki/me.crt")), "CERT-PEM");
    write(dir.filePath(QStringLiteral("two/pki/me.key")), "KEY-PEM");
    write(dir.filePath(QStringLiteral("two/token")), "file-token\n");
    write(dir.filePath(QStringLiteral("two/bin/plugin")), "#!/bin/sh\n");
    write(dir.filePath(QStringLiteral("two/config")),
          "clusters:\n- name: c2\n  cluster:\n    server: https://two:6443\n    certificate-authority: "
          "pki/ca.crt\n"
          "users:\n- name: u2\n  user:\n    client-certificate: pki/me.crt\n    client-key: ./pki/me.key\n"
          "    tokenFile: token\n- name: u3\n  user:\n    exec:\n      apiVersion: "
          "client.authentication.k8s.io/v1beta1\n"
          "      command: bin/plugin\n- name: u4\n  user:\n    exec:\n      apiVersion: "
          "client.authentication.k8s.io/v1beta1\n"
          "      command: kubelogin\n"
          "contexts:\n- name: ctx2\n  context:\n    cluster: c2\n    user: u2\n");
    KubeconfigSource source;
    source.kubeconfigEnv = (dir.filePath(QStringLiteral("one/config")) + QLatin1Char(':') +
                            dir.filePath(QStringLiteral("two/config")))
                               .toStdString();
    auto config = loadKubeconfig(source);
    QVERIFY2(config.ok(), config.ok() ? "" : config.error().message.c_str());
    const std::string two = dir.filePath(QStringLiteral("two")).toStdString();
    QCOMPARE(config->clusters.at("c2").certificateAuthority, two + "/pki/ca.crt");
    QCOMPARE(config->users.at("u2").clientKey, two + "/pki/me.key");
    QCOMPARE(config->users.at("u2").tokenFile, two + "/token");
    QCOMPARE(config->users.at("u3").exec->command, two + "/bin/plugin");
    QCOMPARE(config->users.at("u4").exec->command, std::string("kubelogin")); // PATH lookup, not resolved
    auto c = resolveConnection(*config, "ctx2");
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
    QCOMPARE(c->cluster.certificateAuthorityData, std::string("CA-PEM"));
    QCOMPARE(c->user.clientCertificateData, std::string("CERT-PEM"));
    QCOMPARE(c->user.clientKeyData, std::string("KEY-PEM"));
    QCOMPARE(c->user.token, std::string("file-token"));
    QCOMPARE(c->ns, std::string("default"));
}

void TestKubeconfig::errors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("expected"); // must appear in the message, after the file name

    const QByteArray head = "clusters:\n- name: c\n  cluster:\n    server: https://x:6443\n";
    const QByteArray ctx =
        "contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\ncurrent-context: ctx\n";
    const QByteArray secret = QByteArray("    token: ") + kSecretToken + "\n";
    QTest::addRow("not-yaml") << QByteArray("clusters: [\n  - {") << ""
                              << "not valid YAML";
    QTest::addRow("clusters-not-a-list") << QByteArray("clusters: 3\n") << ""
                                         << "clusters: expected a list";
    QTest::addRow("token-not-a-string")
        << head + "users:\n- name: u\n  user:\n    token: {a: 1}\n" + ctx << ""
        << "users[0].user.token: expected a string";
    QTest::addRow("bad-base64") << head + "    certificate-authority-data: '!!notbase64'\n" + ctx << ""
                                << "clusters[0].cluster.certificate-authority-data: is not valid base64";
    QTest::addRow("entry-without-name") << QByteArray("users:\n- user:\n    token: x\n") << ""
                                        << "users[0].name: missing";
    QTest::addRow("name-defined-twice") << head + "- name: c\n  cluster:\n    server: https://y\n"
                                        << ""
                                        << "clusters[1].name: 'c' is defined twice";
    QTest::addRow("insecure-not-bool")
        << head + "    insecure-skip-tls-verify: maybe\n"
        << ""
        << "clusters[0].cluster.insecure-skip-tls-verify: expected true or false";
    QTest::addRow("gcp-auth-provider")
        << head + "users:\n- name: u\n  user:\n" + secret + "    auth-provider:\n      name: gcp\n" + ctx
        << ""
        << "user 'u': auth-provider.name: 'gcp' is not supported";
    QTest::addRow("oidc-without-id-token")
        << head +
               "users:\n- name: u\n  user:\n    auth-provider:\n      name: oidc\n      config:\n"
               "        refresh-token: r-SECRET\n" +
               ctx
        << ""
        << "auth-provider.config.id-token: missing";
    QTest::addRow("oidc-id-token-expired")
        << head +
               "users:\n- name: u\n  user:\n    auth-provider:\n      name: oidc\n      config:\n"
               "        refresh-token: r-SECRET\n        id-token: " +
               jwt(R"({"sub":"SECRET","exp":1000000000})") + "\n" + ctx
        << ""
        << "user 'u': auth-provider oidc: the id-token expired at 2001-09-09T01:46:40Z";
    QTest::addRow("exec-v1alpha1")
        << head +
               "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
               "client.authentication.k8s.io/v1alpha1\n"
               "      command: x\n" +
               ctx
        << ""
        << "user 'u': exec.apiVersion: 'client.authentication.k8s.io/v1alpha1' is not supported";
    QTest::addRow("exec-v1-without-interactive-mode")
        << head +
               "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
               "      command: x\n" +
               ctx
        << ""
        << "exec.interactiveMode: required";
    QTest::addRow("undefined-user") << head + "users: []\n" + ctx << ""
                                    << "context 'ctx': user 'u' is not defined";
    QTest::addRow("undefined-context") << head + ctx << "nope"
                                       << "context 'nope' is not defined";
    QTest::addRow("no-current-context") << head << ""
                                        << "current-context is not set";
    QTest::addRow("no-server")
        << QByteArray("clusters:\n- name: c\n  cluster: {}\nusers:\n- name: u\n  user: {}\n") + ctx << ""
        << "cluster 'c': server is not set";
    QTest::addRow("token-and-basic-auth") << head + "users:\n- name: u\n  user:\n" + secret +
                                                 "    username: admin\n    password: pw-SECRET\n" + ctx
                                          << ""
                                          << "username/password and token are both set";
    QTest::addRow("insecure-with-ca")
        << head +
               "    insecure-skip-tls-verify: true\n    certificate-authority: ca.crt\n"
               "users:\n- name: u\n  user: {}\n" +
               ctx
        << ""
        << "insecure-skip-tls-verify cannot be combined";
    QTest::addRow("missing-client-key-file")
        << head +
               "users:\n- name: u\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key: "
               "nokey.pem\n" +
               ctx
        << ""
        << "user 'u': client-key: cannot read the client-key file";
    QTest::addRow("cert-without-key")
        << head + "users:\n- name: u\n  user:\n    client-certificate-data: Q0VSVA==\n" + ctx << ""
        << "client-certificate and client-key must be given together";
    QTest::addRow("bad-proxy-scheme")
        << head + "    proxy-url: ftp://u:pw-SECRET@proxy:21\nusers:\n- name: u\n  user: {}\n" + ctx << ""
        << "cluster 'c': proxy-url: unsupported scheme 'ftp'";
    QTest::addRow("socks5h-as-kubectl")
        << head + "    proxy-url: socks5h://proxy:1080\nusers:\n- name: u\n  user: {}\n" + ctx << ""
        << "proxy-url: unsupported scheme 'socks5h'";
    // A token holding a line break would add headers of its own to every request (header injection).
    QTest::addRow("token-with-line-break")
        << head + "users:\n- name: u\n  user:\n    token: \"abc-SECRET\\r\\nX-Injected: yes\"\n" + ctx << ""
        << "user 'u': token: contains a control character";
    QTest::addRow("token-with-nul") << head +
                                           "users:\n- name: u\n  user:\n    token: \"abc-SECRET\\0rest\"\n" +
                                           ctx
                                    << ""
                                    << "user 'u': token: contains a control character";
    QTest::addRow("proxy-without-scheme")
        << head + "    proxy-url: u:pw-SECRET@proxy://x\nusers:\n- name: u\n  user: {}\n" + ctx << ""
        << "proxy-url: no scheme";
}

void TestKubeconfig::errors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, context);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("kubeconfig"));
    write(file, content);
    KubeconfigSource source;
    source.explicitPath = file.toStdString();
    std::string message;
    auto config = loadKubeconfig(source);
    if (!config) {
        message = config.error().message;
    } else {
        auto c = resolveConnection(*config, context.toStdString());
        QVERIFY2(!c.ok(), "the kubeconfig was accepted");
        message = c.error().message;
    }
    QVERIFY2(message.find(file.toStdString()) != std::string::npos, message.c_str());
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    for (const char *secret : {kSecretToken, "pw-SECRET", "r-SECRET"}) {
        QVERIFY2(!QString::fromStdString(message).contains(QLatin1String(secret), Qt::CaseInsensitive),
                 message.c_str());
    }
}

void TestKubeconfig::oidcIdTokensThatAreUsable_data()
{
    QTest::addColumn<QByteArray>("idToken");
    QTest::addRow("expires in 2100") << jwt(R"({"sub":"a","exp":4102444800})");
    QTest::addRow("no exp claim") << jwt(R"({"sub":"a"})");
    QTest::addRow("exp not a number") << jwt(R"({"exp":"yesterday"})");
    QTest::addRow("payload not JSON") << jwt("not json");
    QTest::addRow("payload not base64url") << QByteArray("e30.!!!.sig");
    QTest::addRow("opaque token") << QByteArray("opaque-token-value");
}

void TestKubeconfig::oidcIdTokensThatAreUsable()
{
    // Only a readable exp claim in the past stops a connection; anything else is the server's to judge.
    QFETCH(QByteArray, idToken);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("config"));
    write(file, config("c", "https://x:6443", "u", "ctx", "ctx")
                    .replace("    token: tok-u\n",
                             "    auth-provider:\n      name: oidc\n      config:\n        id-token: '" +
                                 idToken + "'\n"));
    KubeconfigSource source;
    source.explicitPath = file.toStdString();
    auto loaded = loadKubeconfig(source);
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->users.at("u").authProvider, std::string("oidc"));
    auto c = resolveConnection(*loaded);
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
}

void TestKubeconfig::useContextRewritesTheDefiningFile()
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a"));
    const QString b = dir.filePath(QStringLiteral("b"));
    write(a, config("c", "https://a:6443", "u", "ctx-a", {}));
    write(b, config("d", "https://b:6443", "v", "ctx-b", "ctx-b"));
    QVERIFY(QFile::setPermissions(b, QFile::ReadOwner | QFile::WriteOwner));
    KubeconfigSource source;
    source.kubeconfigEnv = (a + QLatin1Char(':') + b).toStdString();
    auto config = loadKubeconfig(source);
    QVERIFY(config.ok());
    QCOMPARE(config->currentContext, std::string("ctx-b"));
    QVERIFY(useContext(*config, "ctx-a").ok());
    QVERIFY(!useContext(*config, "nope").ok());
    auto reloaded = loadKubeconfig(source);
    QVERIFY(reloaded.ok());
    QCOMPARE(reloaded->currentContext, std::string("ctx-a"));
    QCOMPARE(reloaded->currentContextFile, b.toStdString()); // kubectl writes where current-context was set
    QCOMPARE(reloaded->users.at("v").token, std::string("tok-v")); // the rest of the file survives
    // It holds credentials: still readable by its owner only.
    QCOMPARE(QFile::permissions(b) & (QFile::ReadGroup | QFile::ReadOther), QFileDevice::Permissions());
}

void TestKubeconfig::insecureIsAlwaysAWarning()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("config"));
    write(file, config("c", "https://x:6443", "u", "ctx", "ctx", "    insecure-skip-tls-verify: true\n"));
    KubeconfigSource source;
    source.explicitPath = file.toStdString();
    auto c = resolveConnection(*loadKubeconfig(source));
    QVERIFY(c.ok());
    QVERIFY(c->cluster.insecureSkipTlsVerify);
    QCOMPARE(c->warnings.size(), std::size_t(1));
    QVERIFY2(c->warnings.front().find("NOT verified") != std::string::npos &&
                 c->warnings.front().find(file.toStdString()) != std::string::npos,
             c->warnings.front().c_str());
    write(file, config("c", "https://x:6443", "u", "ctx", "ctx"));
    auto verified = resolveConnection(*loadKubeconfig(source));
    QVERIFY(verified.ok());
    QVERIFY(!verified->cluster.insecureSkipTlsVerify);
    QVERIFY(verified->warnings.empty());
}

void TestKubeconfig::clientCertificateOutsideItsValidityIsAWarning_data()
{
    QTest::addColumn<int>("fromDays"); // the validity period, in days from now
    QTest::addColumn<int>("toDays");
    QTest::addColumn<QString>("expected"); // the warning, "%1" standing for the time; empty: none
    QTest::addRow("expired")
        << -30 << -1
        << "user 'u': the client certificate (CN jane) expired at %1: the API server will refuse "
           "it (401 Unauthorized)";
    QTest::addRow("not-valid-yet")
        << 1 << 30
        << "user 'u': the client certificate (CN jane) is not valid before %1 (is this "
           "computer's clock right?): the API server will refuse it (401 Unauthorized)";
    QTest::addRow("valid") << -1 << 1 << "";
}

void TestKubeconfig::clientCertificateOutsideItsValidityIsAWarning()
{
    QFETCH(int, fromDays);
    QFETCH(int, toDays);
    QFETCH(QString, expected);
    const auto now = std::chrono::system_clock::now();
    const auto from =
        std::chrono::time_point_cast<std::chrono::seconds>(now + std::chrono::hours(24 * fromDays));
    const auto to = std::chrono::time_point_cast<std::chrono::seconds>(now + std::chrono::hours(24 * toDays));
    const auto minted = lanedeck::testing::mintClientCertificate("jane", "devs", from, to);
    QVERIFY(!minted.keyPem.empty());
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("config"));
    write(
        file,
        config("c", "https://x:6443", "u", "ctx", "ctx", {},
               "    client-certificate-data: " + QByteArray::fromStdString(minted.certificatePem).toBase64() +
                   "\n    client-key-data: " + QByteArray::fromStdString(minted.keyPem).toBase64() + "\n"));
    auto c = resolveConnection(*loadKubeconfig({file.toStdString(), {}, {}}));
    QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
    if (expected.isEmpty()) {
        QVERIFY(c->warnings.empty());
        return;
    }
    const auto when = QDateTime::fromSecsSinceEpoch(
        std::chrono::system_clock::to_time_t(fromDays > 0 ? from : to), Qt::UTC);
    const std::string warning =
        file.toStdString() + ": " + expected.arg(when.toString(Qt::ISODate)).toStdString();
    QCOMPARE(c->warnings.size(), std::size_t(1));
    QCOMPARE(c->warnings.front(), warning);
}

QTEST_GUILESS_MAIN(TestKubeconfig)
#include "tst_kubeconfig.moc"

// The credential scan's own check: each kind of secret, seeded in each form LaneDeck could write it in, is
// found (so a clean scan of LaneDeck's output means something), near misses are not, and files are found
// wherever they are under the scanned folder.
#include "secretscan.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace lanedeck::testing;

namespace {

const QByteArray kToken = "3f9a1c0e5b7d2468ace013579bdf2468ace01357";
const QByteArray kUser = "lanedeck-basic";
const QByteArray kPassword = "pass/word+with:specials-0123456789";
// A throwaway key in the shape the test cluster writes (EC, PEM).
const QByteArray kKey = "-----BEGIN EC PRIVATE KEY-----\n"
                        "MHcCAQEEIHx7vYq0cW2n8Qe3o1JbC6s9m0XQvQ0iG3uK4b1yZ2cXoAoGCCqGSM49\n"
                        "AwEHoUQDQgAE4d2mJqk7TQn2JY1WwG7q0nq8x5f9dZlqvX8b3o6w3vS0m4nH1q2Q\n"
                        "c1Xy8e2t0mF3sQ9l7k8a6b5c4d3e2f1g0h==\n"
                        "-----END EC PRIVATE KEY-----\n";

QList<Secret> secrets()
{
    return {tokenSecret(QStringLiteral("token"), kToken),
            passwordSecret(QStringLiteral("password"), kUser, kPassword),
            pemKeySecret(QStringLiteral("key"), kKey)};
}

QByteArray jsonEscaped(QByteArray text)
{
    return text.replace("\n", "\\n");
}

} // namespace

class TestSecretScan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsEveryForm_data();
    void findsEveryForm();
    void nearMissesAreClean_data();
    void nearMissesAreClean();
    void findsFilesAnywhereUnderTheFolder();
    void testClusterSecretsAreRead();
};

void TestSecretScan::findsEveryForm_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    QTest::addRow("token as it is") << "Authorization: Bearer " + kToken + "\n"
                                    << "token";
    QTest::addRow("token in base64") << "token-data: " + kToken.toBase64() << "token";
    QTest::addRow("16 characters of the token") << "...token " + kToken.mid(20, 16) + "..."
                                                << "token";
    QTest::addRow("part of the password") << "pw=" + kPassword.mid(3, 16) << "password";
    QTest::addRow("part of a line of the key") << "key " + kKey.split('\n').at(1).mid(30, 20) << "key";
    QTest::addRow("password as it is") << "password: " + kPassword << "password";
    QTest::addRow("password in a URL")
        << "http://" + kUser + ':' + kPassword.toPercentEncoding() + "@proxy:3128"
        << "password";
    QTest::addRow("password in a basic auth header")
        << "Authorization: Basic " + (kUser + ':' + kPassword).toBase64() << "password";
    QTest::addRow("key as PEM") << "key:\n" + kKey << "key";
    QTest::addRow("one line of the key") << kKey.split('\n').at(2) << "key";
    QTest::addRow("key escaped in JSON") << "{\"clientKeyData\":\"" + jsonEscaped(kKey) + "\"}"
                                         << "key";
    QTest::addRow("key as client-key-data") << "client-key-data: " + kKey.toBase64() << "key";
    QByteArray wrapped = kKey.toBase64();
    for (qsizetype at = 76; at < wrapped.size(); at += 77) {
        wrapped.insert(at, '\n');
    }
    QTest::addRow("key as base64 wrapped at 76") << wrapped << "key";
}

void TestSecretScan::findsEveryForm()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    const QStringList found =
        findSecrets("some output\n" + text + "\nmore output", secrets(), QStringLiteral("out"));
    QCOMPARE(found, QStringList{QStringLiteral("out: ") + expected});
    QVERIFY(!found.join(QLatin1Char(' ')).contains(QString::fromLatin1(kToken)));
}

void TestSecretScan::nearMissesAreClean_data()
{
    QTest::addColumn<QByteArray>("text");
    QByteArray changed = kToken;
    for (qsizetype at = 0; at < changed.size(); at += 15) {
        changed[at] = 'X';
    }
    QTest::addRow("token with every 15th character changed") << changed;
    QTest::addRow("token's first 15 characters") << kToken.left(15);
    QTest::addRow("user name alone") << "user: " + kUser;
    QTest::addRow("PEM armor alone") << QByteArray(
        "-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----");
    QTest::addRow("redacted proxy URL") << QByteArray("via proxy http://***@proxy:3128");
}

void TestSecretScan::nearMissesAreClean()
{
    QFETCH(QByteArray, text);
    QCOMPARE(findSecrets(text, secrets(), QStringLiteral("out")), QStringList());
}

void TestSecretScan::findsFilesAnywhereUnderTheFolder()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("a/.hidden/b")));
    const auto write = [&dir](const QString &name, const QByteArray &content) {
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
    };
    QVERIFY(write(QStringLiteral("clean.yaml"), "kind: VirtualService\n"));
    QVERIFY(write(QStringLiteral("a/.hidden/b/leak.log"), "token " + kToken));
    QVERIFY(write(QStringLiteral("a/.settings.ini"), "key=" + kKey.toBase64()));
    int scanned = 0;
    QStringList found = findSecretsInFiles(dir.path(), secrets(), &scanned);
    found.sort();
    QCOMPARE(scanned, 3);
    QCOMPARE(found,
             (QStringList{dir.filePath(QStringLiteral("a/.hidden/b/leak.log")) + QStringLiteral(": token"),
                          dir.filePath(QStringLiteral("a/.settings.ini")) + QStringLiteral(": key")}));
}

void TestSecretScan::testClusterSecretsAreRead()
{
    // A test cluster directory as tests/kube/testcluster writes it; the exec plugin prints the exec user's
    // token.
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("pki")) &&
            QDir(dir.path()).mkpath(QStringLiteral("client")));
    const auto write = [&dir](const QString &name, const QByteArray &content) {
        QFile f(dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
    };
    QVERIFY(write(QStringLiteral("pki/tokens.csv"),
                  kToken + ",lanedeck-admin,uid-admin,\"system:masters\"\n" + kToken.toUpper() +
                      ",lanedeck-exec,uid-exec,\"system:masters\"\n"));
    QVERIFY(write(QStringLiteral("exec-plugin.token"), kToken.toUpper()));
    QVERIFY(write(QStringLiteral("client/admin.key"), kKey));
    const QList<Secret> read = testClusterSecrets(dir.path());
    QStringList names;
    for (const Secret &s : read) {
        names << s.what;
    }
    QCOMPARE(names,
             (QStringList{QStringLiteral("token of lanedeck-admin"), QStringLiteral("token of lanedeck-exec"),
                          QStringLiteral("client certificate key")}));
    QVERIFY(write(QStringLiteral("exec-plugin.token"), "another-token-0123456789"));
    QCOMPARE(testClusterSecrets(dir.path()).size(), 4);
}

QTEST_APPLESS_MAIN(TestSecretScan)
#include "tst_secretscan.moc"

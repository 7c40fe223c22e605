// lanectl sandbox, sample and demo as a user runs them: separate processes talking over loopback.
#include "base/yamljson.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kExample = QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");

struct Finished
{
    int exitCode = -1;
    QString out;
    QString err;
};

Finished runLanectl(const QStringList &arguments, int timeoutMs = 120000)
{
    QProcess process;
    process.start(QStringLiteral(LANECTL_PATH), arguments);
    Finished result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace

class TestLanectlTraffic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoShowsTheSeedsSplitAndChains_data()
    {
        QTest::addColumn<QString>("flavor");
        QTest::addRow("asm") << QStringLiteral("asm");
        QTest::addRow("istio") << QStringLiteral("istio");
    }

    void demoShowsTheSeedsSplitAndChains()
    {
        QFETCH(QString, flavor);
        // A seeded gateway: the split of these 1000 requests is fixed, so the verdict is too.
        const auto demo =
            runLanectl({QStringLiteral("demo"), kExample, QStringLiteral("--flavor"), flavor,
                        QStringLiteral("-n"), QStringLiteral("1000"), QStringLiteral("--seed"),
                        QStringLiteral("3"), QStringLiteral("--timeout"), QStringLiteral("30s")});
        QVERIFY2(demo.exitCode == 0, qPrintable(demo.out + demo.err));
        QVERIFY(demo.out.contains(QLatin1String("matches 60/20/20, p = ")));
        QVERIFY(demo.out.contains(QLatin1String("1000 requests in")));
        QVERIFY(demo.out.contains(QLatin1String(", 0 errors")));
        static const QRegularExpression table(QStringLiteral("^s1 +598 +59\\.8% .*60\\.0%"),
                                              QRegularExpression::MultilineOption);
        QVERIFY2(demo.out.contains(table), qPrintable(demo.out));
        for (const char *chain : {"-> mocka\\(version: v1, ip: [0-9.:]+\\)-> mockb\\(version: v1, ip: "
                                  "[0-9.:]+\\)-> mockc\\(version: v1",
                                  "-> mocka\\(version: v2, ip: [0-9.:]+\\)-> mockb\\(version: v1, ip: "
                                  "[0-9.:]+\\)-> mockc\\(version: v2",
                                  "-> mocka\\(version: v1, ip: [0-9.:]+\\)-> mockb\\(version: v3, ip: "
                                  "[0-9.:]+\\)-> mockc\\(version: v1"}) {
            QVERIFY2(demo.out.contains(QRegularExpression(QString::fromLatin1(chain))), chain);
        }
    }

    void sampleAgainstARunningSandbox()
    {
        QProcess sandbox;
        sandbox.start(QStringLiteral(LANECTL_PATH), {QStringLiteral("sandbox"), kExample,
                                                     QStringLiteral("--flavor"), QStringLiteral("istio")});
        QVERIFY(sandbox.waitForStarted());
        QString url;
        for (int i = 0; i < 100 && !sandbox.canReadLine(); ++i) {
            sandbox.waitForReadyRead(100);
        }
        url = QString::fromUtf8(sandbox.readLine()).trimmed();
        QVERIFY2(url.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(url));

        QTemporaryDir dir;
        const QString json = dir.filePath(QStringLiteral("run.json"));
        const QString csv = dir.filePath(QStringLiteral("run.csv"));
        const auto forced = runLanectl(
            {QStringLiteral("sample"), url, QStringLiteral("--group"), kExample, QStringLiteral("-n"),
             QStringLiteral("60"), QStringLiteral("-c"), QStringLiteral("4"), QStringLiteral("-H"),
             QStringLiteral("x-asm-prefer-tag: s3"), QStringLiteral("--json"), json, QStringLiteral("--csv"),
             csv, QStringLiteral("--timeout"), QStringLiteral("30s")});
        // Everything went to s3: a valid measurement whose split does not match 60/20/20 (exit 1).
        QCOMPARE(forced.exitCode, 1);
        QVERIFY2(forced.out.contains(QRegularExpression(QStringLiteral("^s3 +60 +100\\.0%"),
                                                        QRegularExpression::MultilineOption)),
                 qPrintable(forced.out));
        QVERIFY(forced.out.contains(QLatin1String("does not match 60/20/20")));
        QVERIFY(forced.out.contains(
            QRegularExpression(QStringLiteral("^LANE +COUNT +SHARE +95% INTERVAL +WEIGHT +P50 +P99$"),
                               QRegularExpression::MultilineOption)));
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto root = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(root[QStringLiteral("samples")].toArray().size(), 60);
        QCOMPARE(root[QStringLiteral("samples")].toArray()[0].toObject()[QStringLiteral("lane")].toString(),
                 QStringLiteral("s3"));
        QVERIFY(QFile::exists(csv));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("run.summary.csv"))));

        const auto byRegex =
            runLanectl({QStringLiteral("sample"), url, QStringLiteral("--group"), kExample,
                        QStringLiteral("-d"), QStringLiteral("300ms"), QStringLiteral("--rate"),
                        QStringLiteral("100"), QStringLiteral("-H"), QStringLiteral("x-asm-prefer-tag: s2"),
                        QStringLiteral("--classify"), QStringLiteral("regex:mocka\\(version: (v\\d)")});
        QCOMPARE(byRegex.exitCode, 1);
        QVERIFY2(byRegex.out.contains(QRegularExpression(QStringLiteral("^s2 +\\d+ +100\\.0%"),
                                                         QRegularExpression::MultilineOption)),
                 qPrintable(byRegex.out));

        // -o json|yaml: the summary alone on stdout, as --json F writes it without the samples.
        for (const QString &format : {QStringLiteral("json"), QStringLiteral("yaml")}) {
            const auto machine = runLanectl(
                {QStringLiteral("sample"), url, QStringLiteral("--group"), kExample, QStringLiteral("-n"),
                 QStringLiteral("40"), QStringLiteral("-H"), QStringLiteral("x-asm-prefer-tag: s2"),
                 QStringLiteral("-o"), format, QStringLiteral("--timeout"), QStringLiteral("30s")});
            QCOMPARE(machine.exitCode, 1);
            auto parsed = lanedeck::parseYamlStream(machine.out.toStdString(), "stdout");
            QVERIFY2(parsed && parsed->size() == 1, qPrintable(machine.out));
            const nlohmann::json &summary = parsed->front();
            QVERIFY(summary["total"] == nlohmann::json(40));
            QVERIFY(summary["matches"] == nlohmann::json(false));
            QVERIFY(summary["verdict"].get<std::string>().find("does not match 60/20/20") !=
                    std::string::npos);
            QVERIFY(!summary.contains("samples"));
            bool s2 = false;
            for (const auto &lane : summary["lanes"]) {
                if (lane["lane"] == "s2") {
                    s2 = true;
                    QVERIFY(lane["count"] == nlohmann::json(40));
                    QVERIFY(lane["weight"] == nlohmann::json(20));
                }
            }
            QVERIFY2(s2, qPrintable(machine.out));
        }
        const auto badFormat = runLanectl({QStringLiteral("sample"), url, QStringLiteral("--group"), kExample,
                                           QStringLiteral("-o"), QStringLiteral("table")});
        QCOMPARE(badFormat.exitCode, 2);

        sandbox.terminate(); // SIGTERM: a clean stop
        QVERIFY(sandbox.waitForFinished(10000));
        QCOMPARE(sandbox.exitStatus(), QProcess::NormalExit);
        QCOMPARE(sandbox.exitCode(), 0);
        QVERIFY(QString::fromUtf8(sandbox.readAllStandardError()).contains(QLatin1String("sandbox stopped")));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("sample-without-group")
            << QStringList{QStringLiteral("sample"), QStringLiteral("http://127.0.0.1:1/")} << 2;
        QTest::addRow("sample-n-and-d")
            << QStringList{QStringLiteral("sample"),  QStringLiteral("http://127.0.0.1:1/"),
                           QStringLiteral("--group"), kExample,
                           QStringLiteral("-n"),      QStringLiteral("5"),
                           QStringLiteral("-d"),      QStringLiteral("1s")}
            << 2;
        QTest::addRow("sample-bad-classify")
            << QStringList{QStringLiteral("sample"),     QStringLiteral("http://127.0.0.1:1/"),
                           QStringLiteral("--group"),    kExample,
                           QStringLiteral("--classify"), QStringLiteral("body")}
            << 2;
        QTest::addRow("sample-bad-engine")
            << QStringList{QStringLiteral("sample"),   QStringLiteral("http://127.0.0.1:1/"),
                           QStringLiteral("--group"),  kExample,
                           QStringLiteral("--engine"), QStringLiteral("fast")}
            << 2;
        // The native engine serves plain http:// only; asked for by name, it refuses instead of falling back.
        QTest::addRow("sample-native-https")
            << QStringList{QStringLiteral("sample"),   QStringLiteral("https://127.0.0.1:1/"),
                           QStringLiteral("--group"),  kExample,
                           QStringLiteral("--engine"), QStringLiteral("native")}
            << 2;
        QTest::addRow("sandbox-asm-crd") << QStringList{QStringLiteral("sandbox"), kExample,
                                                        QStringLiteral("--flavor"), QStringLiteral("asm-crd")}
                                         << 2;
        QTest::addRow("demo-missing-file")
            << QStringList{QStringLiteral("demo"), QStringLiteral("/nonexistent.lanes.yaml")} << 3;
        // Nothing listens: every request is a connect error, and no split can match; on either engine.
        for (const char *engine : {"auto", "curl", "native"}) {
            QTest::addRow("sample-refused-%s", engine)
                << QStringList{QStringLiteral("sample"),   QStringLiteral("http://127.0.0.1:1/"),
                               QStringLiteral("--group"),  kExample,
                               QStringLiteral("-n"),       QStringLiteral("3"),
                               QStringLiteral("--engine"), QString::fromLatin1(engine)}
                << 1;
        }
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        const auto result = runLanectl(arguments);
        QVERIFY2(result.exitCode == exitCode,
                 qPrintable(QString::number(result.exitCode) + result.out + result.err));
    }
};

QTEST_GUILESS_MAIN(TestLanectlTraffic)
#include "tst_lanectltraffic.moc"

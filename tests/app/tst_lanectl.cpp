#include "testsupport.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace lanedeck;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run lanectl(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(LANECTL_PATH), arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QString example()
{
    return QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"));
}

} // namespace

class TestLanectl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stdoutHas");
        QTest::addColumn<QString>("stderrHas");
        QTest::addRow("version") << QStringList{QStringLiteral("--version")} << 0
                                 << QStringLiteral("lanectl " LANEDECK_VERSION) << QString();
        QTest::addRow("help") << QStringList{QStringLiteral("--help")} << 0 << QStringLiteral("render")
                              << QString();
        QTest::addRow("no command") << QStringList{} << 2 << QString() << QStringLiteral("usage: lanectl");
        QTest::addRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2 << QString()
                                         << QStringLiteral("unknown command 'frobnicate'");
        QTest::addRow("render help") << QStringList{QStringLiteral("render"), QStringLiteral("--help")} << 0
                                     << QStringLiteral("--flavor") << QString();
        QTest::addRow("validate missing argument")
            << QStringList{QStringLiteral("validate")} << 2 << QString()
            << QStringLiteral("wrong number of arguments");
        QTest::addRow("unknown option")
            << QStringList{QStringLiteral("render"), QStringLiteral("--bogus"), example()} << 2 << QString()
            << QStringLiteral("Unknown option 'bogus'");
        QTest::addRow("unknown flavor") << QStringList{QStringLiteral("render"), example(),
                                                       QStringLiteral("--flavor"), QStringLiteral("linkerd")}
                                        << 2 << QString() << QStringLiteral("unknown flavor 'linkerd'");
        QTest::addRow("validate valid") << QStringList{QStringLiteral("validate"), example()} << 0
                                        << QStringLiteral(": valid") << QString();
        QTest::addRow("bad request timeout")
            << QStringList{QStringLiteral("apply"), example(), QStringLiteral("--request-timeout"),
                           QStringLiteral("soon")}
            << 2 << QString() << QStringLiteral("--request-timeout: expected a duration like 30s, 500ms, 2m");
        QTest::addRow("validate missing file")
            << QStringList{QStringLiteral("validate"), QStringLiteral("/nonexistent.yaml")} << 3 << QString()
            << QStringLiteral("cannot open");
        QTest::addRow("render to a file where a directory must go")
            << QStringList{QStringLiteral("render"), example(), QStringLiteral("-o"),
                           QStringLiteral("/dev/null/out")}
            << 3 << QString() << QStringLiteral("cannot create the directory");
    }

    void exitCodes()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, stdoutHas);
        QFETCH(QString, stderrHas);
        const Run run = lanectl(arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.out.contains(stdoutHas), qPrintable(run.out));
        QVERIFY2(run.err.contains(stderrHas), qPrintable(run.err));
    }

    // Exit code 3 is for files that cannot be read or written, not for a file that reads but is no document
    // (Error::kind, not the shape of the problem list, decides).
    void syntaxErrorIsNoIoError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("syntax.lanes.yaml"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("metadata: [unclosed\n");
        file.close();
        const Run run = lanectl({QStringLiteral("validate"), path});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(path + QStringLiteral(":")), qPrintable(run.err));
    }

    void validateListsEveryProblem()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.lanes.yaml"));
        LaneGroup g = testing::seedGroup();
        g.lanes[0].weight = 10;
        g.lanes[2].services.push_back("mockq");
        QVERIFY(saveLaneGroupFile(g, path.toStdString()).ok());
        const Run run = lanectl({QStringLiteral("validate"), path});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(path + QStringLiteral(":58:11: spec.lanes[2].services[1]")),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("spec.lanes[2].services[1]: names service 'mockq'")),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(
                     path + QStringLiteral(
                                ":35:5: spec.lanes: the lane weights must add up to 100, they add up to 50")),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("2 problem(s)")), qPrintable(run.err));
        // render refuses the same file the same way.
        QCOMPARE(lanectl({QStringLiteral("render"), path}).exitCode, 1);
    }

    void renderPrintsTheSeedResources()
    {
        const Run run =
            lanectl({QStringLiteral("render"), example(), QStringLiteral("--flavor"), QStringLiteral("asm")});
        QCOMPARE(run.exitCode, 0);
        const std::string seed = testing::readText(std::string(LANEDECK_TEST_DATA) + "/seed/mocka-asm.yaml");
        const std::string dr =
            seed.substr(seed.find("apiVersion"), seed.find("---") - seed.find("apiVersion"));
        const std::string vs = seed.substr(seed.find("---") + 4);
        QVERIFY(run.out.contains(QString::fromStdString(dr)));
        QVERIFY(run.out.contains(QString::fromStdString(vs)));
    }

    void renderToDirectory()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        Run run = lanectl({QStringLiteral("render"), example(), QStringLiteral("-o"), out,
                           QStringLiteral("--flavor"), QStringLiteral("istio")});
        QCOMPARE(run.exitCode, 0);
        QDir outDir(out);
        const QStringList files = outDir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
        QCOMPARE(files.size(),
                 8); // 3 DestinationRules, 3 VirtualServices, the ingress VS, kustomization.yaml
        QVERIFY(files.contains(QStringLiteral("kustomization.yaml")));
        QVERIFY(files.contains(QStringLiteral("destinationrule-trafficlabel-dr-test-default-mocka.yaml")));
        const std::string kustomization =
            testing::readText(outDir.filePath(QStringLiteral("kustomization.yaml")).toStdString());
        QVERIFY(kustomization.find("  - virtualservice-trafficlabel-ingress-vs-test.yaml\n") !=
                std::string::npos);

        // Rendering a group that lost a service removes the files that are no longer generated, and only
        // those.
        LaneGroup g = testing::seedGroup();
        g.services[1].calls.clear();
        g.services.pop_back();
        g.lanes[0].services.pop_back();
        g.lanes[1].services.pop_back();
        const QString smaller = dir.filePath(QStringLiteral("smaller.lanes.yaml"));
        QVERIFY(saveLaneGroupFile(g, smaller.toStdString()).ok());
        QFile keep(outDir.filePath(QStringLiteral("notes.yaml")));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.close();
        run = lanectl({QStringLiteral("render"), smaller, QStringLiteral("-o"), out,
                       QStringLiteral("--flavor"), QStringLiteral("istio")});
        QCOMPARE(run.exitCode, 0);
        const QStringList after = outDir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
        QVERIFY(!after.contains(QStringLiteral("destinationrule-trafficlabel-dr-test-default-mockc.yaml")));
        QVERIFY(after.contains(QStringLiteral("notes.yaml")));
        QCOMPARE(after.size(), 7);
    }

    void pathsPrintsTheSeedChains()
    {
        const Run run = lanectl({QStringLiteral("paths"), example()});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith(QStringLiteral("LANE")));
        QVERIFY(lines[1].startsWith(QStringLiteral("s1 (baseline)")));
        QVERIFY(lines[1].endsWith(QStringLiteral("mocka v1 -> mockb v1 -> mockc v1")));
        QVERIFY(lines[2].endsWith(QStringLiteral("mocka v2 -> mockb v1 (fallback to s1) -> mockc v2")));
        QVERIFY(lines[3].endsWith(
            QStringLiteral("mocka v1 (fallback to s1) -> mockb v3 -> mockc v1 (fallback to s1)")));
    }
};

QTEST_GUILESS_MAIN(TestLanectl)
#include "tst_lanectl.moc"

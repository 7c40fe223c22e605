#include "base/yamljson.h"

#include "testsupport.h"
#include <nlohmann/json.hpp>

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
        const QStringList lines = run.out.split(QLatin1Char('\n'));
        QCOMPARE(lines.mid(0, 4),
                 (QStringList{QStringLiteral("s1 (baseline), weight 60%"), QStringLiteral("  mocka v1"),
                              QStringLiteral("  └─ mockb v1"), QStringLiteral("     └─ mockc v1")}));
        QVERIFY(run.out.contains(QStringLiteral("s3, weight 20%\n  mocka v1 (fallback to s1)\n  └─ mockb v3\n"
                                                "     └─ mockc v1 (fallback to s1)\n")));
    }

    void pathsAsJsonOrYaml_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addRow("json") << QStringLiteral("json");
        QTest::addRow("yaml") << QStringLiteral("yaml");
    }

    // docs/CLI.md's shape: {lanes: [{lane, baseline, weight, hops: [{service, version, servedBy, fallback,
    // depth, calledBy}]}]}, on the seed's s3 (its own mockb, the rest falling back to s1).
    void pathsAsJsonOrYaml()
    {
        QFETCH(QString, format);
        const Run run = lanectl({QStringLiteral("paths"), example(), QStringLiteral("-o"), format});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        auto parsed = parseYamlStream(run.out.toStdString(), "stdout");
        QVERIFY2(parsed && parsed->size() == 1, qPrintable(run.out));
        const nlohmann::json &lanes = parsed->front()["lanes"];
        QCOMPARE(lanes.size(), std::size_t(3));
        QVERIFY(lanes[0]["lane"] == nlohmann::json("s1"));
        QVERIFY(lanes[0]["baseline"] == nlohmann::json(true));
        QVERIFY(lanes[0]["weight"] == nlohmann::json(60));
        const nlohmann::json &s3 = lanes[2];
        QVERIFY(s3["baseline"] == nlohmann::json(false));
        QVERIFY(s3["weight"] == nlohmann::json(20));
        const nlohmann::json expected = nlohmann::json::parse(R"([
            {"service": "mocka", "version": "v1", "servedBy": "s1", "fallback": true, "depth": 0, "calledBy": null},
            {"service": "mockb", "version": "v3", "servedBy": "s3", "fallback": false, "depth": 1, "calledBy": 0},
            {"service": "mockc", "version": "v1", "servedBy": "s1", "fallback": true, "depth": 2, "calledBy": 1}
        ])");
        QCOMPARE(QString::fromStdString(s3["hops"].dump()), QString::fromStdString(expected.dump()));
        const Run bad =
            lanectl({QStringLiteral("paths"), example(), QStringLiteral("-o"), QStringLiteral("xml")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains(QStringLiteral("unknown output format 'xml'")));
    }

    // The branching group: each callee under its caller (scripts/update-golden.sh regenerates the file).
    void pathsPrintsBranchesAsATree()
    {
        const Run run =
            lanectl({QStringLiteral("paths"),
                     QString::fromStdString(testing::sourcePath("resources/examples/shop.lanes.yaml"))});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out, QString::fromStdString(
                              testing::readText(testing::sourcePath("tests/data/golden/shop-paths.txt"))));
    }

    void graphWritesSvgWithEveryService_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("title");
        QTest::addRow("all lanes") << QStringList{} << QStringLiteral("Lane group shop, all lanes");
        QTest::addRow("one lane, dark")
            << QStringList{QStringLiteral("--lane"), QStringLiteral("cart-v2"), QStringLiteral("--dark")}
            << QStringLiteral("Lane group shop, lane cart-v2");
    }

    void graphWritesSvgWithEveryService()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, title);
        QTemporaryDir dir;
        const QString svg = dir.filePath(QStringLiteral("shop.svg"));
        const Run run = lanectl(
            QStringList{QStringLiteral("graph"),
                        QString::fromStdString(testing::sourcePath("resources/examples/shop.lanes.yaml")),
                        QStringLiteral("-o"), svg} +
            options);
        QCOMPARE(run.exitCode, 0);
        const QString text = QString::fromStdString(testing::readText(svg.toStdString()));
        QVERIFY(text.contains(QStringLiteral("<title>") + title + QStringLiteral("</title>")));
        for (const char *service : {"web", "cart", "search", "db"}) {
            QVERIFY2(text.contains(QStringLiteral("data-service=\"%1\"").arg(QLatin1String(service))),
                     service);
        }
        QCOMPARE(text.count(QStringLiteral("class=\"edge\"")), 3);
    }

    void graphRejectsBadInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrHas");
        QTest::addRow("unknown lane")
            << QStringList{example(), QStringLiteral("--lane"), QStringLiteral("s9")} << 2
            << QStringLiteral("no lane 's9' in the group (lanes: s1, s2, s3)");
        QTest::addRow("unknown format")
            << QStringList{example(), QStringLiteral("-o"), QStringLiteral("g.gif")} << 2
            << QStringLiteral("must end in .svg or .png");
        QTest::addRow("missing file") << QStringList{QStringLiteral("/nonexistent/x.lanes.yaml")} << 3
                                      << QStringLiteral("x.lanes.yaml");
    }

    void graphRejectsBadInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrHas);
        const Run run = lanectl(QStringList{QStringLiteral("graph")} + arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.err.contains(stderrHas), qPrintable(run.err));
        QVERIFY(run.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLanectl)
#include "tst_lanectl.moc"

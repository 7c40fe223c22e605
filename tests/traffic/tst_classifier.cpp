// Classifying responses into lanes: the seed's asm-mock chains against the lane paths, header values and
// regex captures.
#include "lanes/document.h"
#include "traffic/classifier.h"

#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::traffic;

Q_DECLARE_METATYPE(lanedeck::traffic::Outcome)

namespace {

LaneGroup exampleGroup()
{
    return loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
}

// The seed's Step 3 lines, verbatim.
const char *const kS1 = "-> mocka(version: v1, ip: 192.168.0.193)-> mockb(version: v1, ip: 192.168.0.1)-> "
                        "mockc(version: v1, ip: 192.168.0.190)";
const char *const kS2 = "-> mocka(version: v2, ip: 192.168.0.184)-> mockb(version: v1, ip: 192.168.0.1)-> "
                        "mockc(version: v2, ip: 192.168.0.189)";
const char *const kS3 = "-> mocka(version: v1, ip: 192.168.0.193)-> mockb(version: v3, ip: 192.168.0.2)-> "
                        "mockc(version: v1, ip: 192.168.0.190)";

} // namespace

class TestClassifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseChain_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<int>("hops"); // -1: not a chain
        QTest::addColumn<QString>("second");
        QTest::addRow("seed-s2") << QString::fromLatin1(kS2) << 3 << QStringLiteral("mockb v1 192.168.0.1");
        QTest::addRow("trailing-newline")
            << QString::fromLatin1(kS1) + QLatin1Char('\n') << 3 << QStringLiteral("mockb v1 192.168.0.1");
        QTest::addRow("single") << QStringLiteral("-> mockc(version: v2, ip: 127.0.0.1:9)") << 1 << QString();
        QTest::addRow("empty") << QString() << -1 << QString();
        QTest::addRow("html") << QStringLiteral("<html>503</html>") << -1 << QString();
        QTest::addRow("trailing-junk")
            << QStringLiteral("-> mocka(version: v1, ip: x) oops") << -1 << QString();
        QTest::addRow("no-version") << QStringLiteral("-> mocka(ip: x)") << -1 << QString();
        QTest::addRow("error-hop") << QStringLiteral("-> mocka(version: v1, ip: x)-> mockb(error: 404 NR)")
                                   << -1 << QString();
    }

    void parseChain()
    {
        QFETCH(QString, body);
        QFETCH(int, hops);
        QFETCH(QString, second);
        const auto chain = traffic::parseChain(body.toStdString());
        QCOMPARE(chain.has_value(), hops >= 0);
        if (chain) {
            QCOMPARE(int(chain->size()), hops);
            if (!second.isEmpty()) {
                const auto &h = chain->at(1);
                QCOMPARE(QString::fromStdString(h.service + " " + h.version + " " + h.address), second);
            }
        }
    }

    void chainClassifier_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<Outcome>("outcome");
        QTest::addRow("s1-in-lane") << QString::fromLatin1(kS1) << QStringLiteral("s1") << Outcome::InLane;
        QTest::addRow("s2-falls-back-for-mockb")
            << QString::fromLatin1(kS2) << QStringLiteral("s2") << Outcome::FellBack;
        QTest::addRow("s3-falls-back-for-mocka-mockc")
            << QString::fromLatin1(kS3) << QStringLiteral("s3") << Outcome::FellBack;
        QTest::addRow("s2-lost-at-mockc-leaks")
            << QStringLiteral(
                   "-> mocka(version: v2, ip: a)-> mockb(version: v1, ip: b)-> mockc(version: v1, ip: c)")
            << QString() << Outcome::Leaked;
        QTest::addRow("short-chain-leaks")
            << QStringLiteral("-> mocka(version: v1, ip: a)") << QString() << Outcome::Leaked;
    }

    void chainClassifier()
    {
        QFETCH(QString, body);
        QFETCH(QString, lane);
        QFETCH(Outcome, outcome);
        const auto classifier = Classifier::chain(exampleGroup());
        const auto result = classifier.classify(body.toStdString(), {});
        QVERIFY(result);
        QCOMPARE(QString::fromStdString(result->lane), lane);
        QCOMPARE(QString::fromStdString(toString(result->outcome)),
                 QString::fromStdString(toString(outcome)));
        QCOMPARE(QString::fromStdString(result->chain), body.trimmed());
        QVERIFY(!classifier.classify("not a chain", {}));
    }

    void headerAndRegexClassifiers_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("lane"); // empty: unparseable
        QTest::addRow("header-lane-name")
            << QStringLiteral("header:X-Lane") << QString() << QStringLiteral("s3") << QStringLiteral("s3");
        QTest::addRow("header-label-value")
            << QStringLiteral("header:x-lane") << QString() << QStringLiteral(" v2 ") << QStringLiteral("s2");
        QTest::addRow("header-unknown-value") << QStringLiteral("header:x-lane") << QString()
                                              << QStringLiteral("canary") << QStringLiteral("canary");
        QTest::addRow("header-missing")
            << QStringLiteral("header:x-lane") << QString() << QString() << QString();
        QTest::addRow("regex-entry-version") << QStringLiteral("regex:mocka\\(version: (v\\d+)")
                                             << QString::fromLatin1(kS2) << QString() << QStringLiteral("s2");
        QTest::addRow("regex-mockb-version") << QStringLiteral("regex:mockb\\(version: (v\\d+)")
                                             << QString::fromLatin1(kS3) << QString() << QStringLiteral("s3");
        QTest::addRow("regex-no-match")
            << QStringLiteral("regex:lane=(\\w+)") << QString::fromLatin1(kS1) << QString() << QString();
    }

    void headerAndRegexClassifiers()
    {
        QFETCH(QString, spec);
        QFETCH(QString, body);
        QFETCH(QString, header);
        QFETCH(QString, lane);
        const auto classifier = Classifier::parse(exampleGroup(), spec.toStdString());
        QVERIFY(classifier.ok());
        if (spec.startsWith(QLatin1String("header:"))) {
            QCOMPARE(QString::fromStdString(classifier->headerName()), spec.mid(7).toLower());
        }
        const auto result = classifier->classify(body.toStdString(), header.toStdString());
        QCOMPARE(result.has_value(), !lane.isEmpty());
        if (result) {
            QCOMPARE(QString::fromStdString(result->lane), lane);
        }
    }

    void refusesBadSpecs_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addRow("unknown") << QStringLiteral("body");
        QTest::addRow("empty-header") << QStringLiteral("header:");
        QTest::addRow("regex-without-group") << QStringLiteral("regex:v\\d");
        QTest::addRow("regex-invalid") << QStringLiteral("regex:(v");
    }

    void refusesBadSpecs()
    {
        QFETCH(QString, spec);
        QVERIFY(!Classifier::parse(exampleGroup(), spec.toStdString()).ok());
    }
};

QTEST_APPLESS_MAIN(TestClassifier)
#include "tst_classifier.moc"

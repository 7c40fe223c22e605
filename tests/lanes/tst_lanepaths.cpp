#include "lanes/lanepaths.h"
#include "testsupport.h"

#include <QTest>

using namespace lanedeck;

class TestLanePaths : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedChains_data()
    {
        QTest::addColumn<int>("lane");
        QTest::addColumn<QString>("expected");
        QTest::addRow("s1 baseline") << 0 << QStringLiteral("mocka v1 -> mockb v1 -> mockc v1");
        QTest::addRow("s2 falls back on mockb")
            << 1 << QStringLiteral("mocka v2 -> mockb v1 (fallback to s1) -> mockc v2");
        QTest::addRow("s3 falls back on mocka and mockc")
            << 2 << QStringLiteral("mocka v1 (fallback to s1) -> mockb v3 -> mockc v1 (fallback to s1)");
    }

    void seedChains()
    {
        QFETCH(int, lane);
        QFETCH(QString, expected);
        const auto paths = lanePaths(testing::seedGroup());
        QCOMPARE(paths.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(paths[static_cast<std::size_t>(lane)].describe()), expected);
    }

    void hopsCarryServingLaneAndDepth()
    {
        const auto paths = lanePaths(testing::seedGroup());
        const auto &s3 = paths[2].hops;
        QCOMPARE(s3.size(), std::size_t(3));
        QCOMPARE(s3[0], (Hop{"mocka", "v1", "s1", true, 0}));
        QCOMPARE(s3[1], (Hop{"mockb", "v3", "s3", false, 1}));
        QCOMPARE(s3[2], (Hop{"mockc", "v1", "s1", true, 2}));
    }

    // gateway -> front, which calls auth then cart; cart calls db. Answers come depth-first in call order.
    void branchingCallGraph()
    {
        LaneGroup g;
        g.name = "shop";
        g.ingress.entryService = "front";
        g.services = {{"front", "shop", 80, {"auth", "cart"}, {}},
                      {"auth", "shop", 80, {}, {}},
                      {"cart", "shop", 80, {"db"}, {}},
                      {"db", "shop", 80, {}, {}}};
        g.lanes = {{"base", "version", "v1", {"front", "auth", "cart", "db"}, 50},
                   {"canary", "version", "v2", {"cart"}, 50}};
        const auto paths = lanePaths(g);
        QCOMPARE(paths[0].describe(), std::string("front v1 -> auth v1 -> cart v1 -> db v1"));
        QCOMPARE(paths[1].describe(),
                 std::string("front v1 (fallback to base) -> auth v1 (fallback to base) -> "
                             "cart v2 -> db v1 (fallback to base)"));
        QCOMPARE(paths[1].hops[3].depth, 2);
        QCOMPARE(paths[1].hops[1].depth, 1);
    }

    void treeNestsCalleesUnderCallers_data()
    {
        QTest::addColumn<int>("lane");
        QTest::addColumn<QStringList>("expected");
        QTest::addRow("base") << 0
                              << QStringList{QStringLiteral("web v1"), QStringLiteral("├─ cart v1"),
                                             QStringLiteral("│  └─ db v1"), QStringLiteral("└─ search v1")};
        QTest::addRow("cart-v2: db is cart's callee, not search's caller")
            << 1
            << QStringList{QStringLiteral("web v1 (fallback to base)"), QStringLiteral("├─ cart v2"),
                           QStringLiteral("│  └─ db v2"), QStringLiteral("└─ search v1 (fallback to base)")};
        QTest::addRow("search-v2") << 2
                                   << QStringList{QStringLiteral("web v1 (fallback to base)"),
                                                  QStringLiteral("├─ cart v1 (fallback to base)"),
                                                  QStringLiteral("│  └─ db v1 (fallback to base)"),
                                                  QStringLiteral("└─ search v3")};
    }

    void treeNestsCalleesUnderCallers()
    {
        QFETCH(int, lane);
        QFETCH(QStringList, expected);
        const auto paths = lanePaths(testing::shopGroup());
        QCOMPARE(paths.size(), std::size_t(3));
        QStringList lines;
        for (const auto &line : paths[static_cast<std::size_t>(lane)].describeTree()) {
            lines << QString::fromStdString(line);
        }
        QCOMPARE(lines, expected);
        QCOMPARE(paths[static_cast<std::size_t>(lane)].callers(), (std::vector<int>{-1, 0, 1, 0}));
    }

    void straightChainTreeIndentsEachCall()
    {
        const auto paths = lanePaths(testing::seedGroup());
        QCOMPARE(paths[1].describeTree(),
                 (std::vector<std::string>{"mocka v2", "└─ mockb v1 (fallback to s1)", "   └─ mockc v2"}));
    }

    void baselineChosenExplicitly()
    {
        LaneGroup g = testing::seedGroup();
        g.baseline = "s2";
        const auto paths = lanePaths(g);
        QCOMPARE(paths[2].hops[0].servedBy, std::string("s2"));
        QCOMPARE(paths[2].hops[0].version, std::string("v2"));
    }
};

QTEST_APPLESS_MAIN(TestLanePaths)
#include "tst_lanepaths.moc"

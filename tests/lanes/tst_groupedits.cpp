// The pure lane group edits behind the designer (models/lanes/groupedits.h): weights, names, references.
#include "lanes/groupedits.h"
#include "testsupport.h"

#include <QTest>

#include <algorithm>

using namespace lanedeck;

class TestGroupEdits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rebalanced_data();
    void rebalanced();
    void normalized_data();
    void normalized();
    void uniqueName_data();
    void uniqueName();
    void renameKeepsReferences();
    void moveLaneKeepsBaseline();
    void removeServiceDropsReferences();
    void addLaneStartsEmptyAfterBaseline();
    void laneServicesKeepGroupOrder();
    void setCallsDropsBlanks();
};

void TestGroupEdits::rebalanced_data()
{
    QTest::addColumn<std::vector<int>>("before");
    QTest::addColumn<int>("lane");
    QTest::addColumn<int>("value");
    QTest::addColumn<std::vector<int>>("expected");
    QTest::addRow("seed-s1-to-80") << std::vector<int>{60, 20, 20} << 0 << 80 << std::vector<int>{80, 10, 10};
    QTest::addRow("seed-s2-to-50") << std::vector<int>{60, 20, 20} << 1 << 50 << std::vector<int>{38, 50, 12};
    QTest::addRow("others-zero-share-equally")
        << std::vector<int>{100, 0, 0} << 0 << 60 << std::vector<int>{60, 20, 20};
    QTest::addRow("remainder-to-earlier")
        << std::vector<int>{100, 0, 0, 0} << 0 << 0 << std::vector<int>{0, 34, 33, 33};
    QTest::addRow("all-to-one") << std::vector<int>{60, 20, 20} << 2 << 100 << std::vector<int>{0, 0, 100};
    QTest::addRow("single-lane-keeps-typed") << std::vector<int>{100} << 0 << 70 << std::vector<int>{70};
    QTest::addRow("over-100-before") << std::vector<int>{90, 90} << 0 << 30 << std::vector<int>{30, 70};
}

void TestGroupEdits::rebalanced()
{
    QFETCH(std::vector<int>, before);
    QFETCH(int, lane);
    QFETCH(int, value);
    QFETCH(std::vector<int>, expected);
    const auto after = edits::rebalanced(before, static_cast<std::size_t>(lane), value);
    QCOMPARE(after, expected);
    QCOMPARE(after[static_cast<std::size_t>(lane)], value); // what the user set is never changed
}

void TestGroupEdits::normalized_data()
{
    QTest::addColumn<std::vector<int>>("before");
    QTest::addColumn<std::vector<int>>("expected");
    QTest::addRow("already-100") << std::vector<int>{60, 20, 20} << std::vector<int>{60, 20, 20};
    QTest::addRow("scaled-up") << std::vector<int>{30, 10, 10} << std::vector<int>{60, 20, 20};
    QTest::addRow("all-zero-equal") << std::vector<int>{0, 0, 0} << std::vector<int>{34, 33, 33};
    QTest::addRow("scaled-down") << std::vector<int>{100, 100} << std::vector<int>{50, 50};
}

void TestGroupEdits::normalized()
{
    QFETCH(std::vector<int>, before);
    QFETCH(std::vector<int>, expected);
    QCOMPARE(edits::normalized(before), expected);
}

void TestGroupEdits::renameKeepsReferences()
{
    LaneGroup g = testing::seedGroup();
    edits::renameService(g, 0, "front");
    QCOMPARE(g.ingress.entryService, std::string("front"));
    QCOMPARE(g.lanes[1].services, (std::vector<std::string>{"front", "mockc"}));
    edits::renameService(g, 1, "middle");
    QCOMPARE(g.services[0].calls, (std::vector<std::string>{"middle"}));
    edits::setBaseline(g, 2);
    edits::renameLane(g, 2, "base");
    QCOMPARE(g.baseline, std::string("base"));
}

void TestGroupEdits::moveLaneKeepsBaseline()
{
    LaneGroup g = testing::seedGroup();
    edits::moveLane(g, 0, 2);
    QCOMPARE(g.baselineLane()->name, std::string("s1"));
    edits::moveLane(g, 2, 0);
    QCOMPARE(g, testing::seedGroup()); // back first: the implicit baseline again, byte for byte
}

void TestGroupEdits::uniqueName_data()
{
    QTest::addColumn<std::string>("stem");
    QTest::addColumn<std::vector<std::string>>("taken");
    QTest::addColumn<std::string>("expected");
    QTest::addRow("free-stem") << std::string("svc") << std::vector<std::string>{"other"}
                               << std::string("svc");
    QTest::addRow("stem-taken") << std::string("svc") << std::vector<std::string>{"svc"}
                                << std::string("svc2");
    QTest::addRow("gap-filled-first")
        << std::string("s") << std::vector<std::string>{"s", "s3"} << std::string("s2");
    QTest::addRow("skips-taken-numbers")
        << std::string("s") << std::vector<std::string>{"s", "s2", "s3"} << std::string("s4");
}

void TestGroupEdits::uniqueName()
{
    QFETCH(std::string, stem);
    QFETCH(std::vector<std::string>, taken);
    QFETCH(std::string, expected);
    QCOMPARE(edits::uniqueName(stem, taken), expected);
}

void TestGroupEdits::removeServiceDropsReferences()
{
    LaneGroup g = testing::seedGroup();
    const std::string removed = g.services[1].name;
    edits::removeService(g, 1);
    QCOMPARE(g.services.size(), std::size_t(2));
    for (const auto &service : g.services) {
        QVERIFY(std::find(service.calls.begin(), service.calls.end(), removed) == service.calls.end());
    }
    for (const auto &lane : g.lanes) {
        QVERIFY(std::find(lane.services.begin(), lane.services.end(), removed) == lane.services.end());
    }
    edits::removeService(g, 0); // the entry service: the next one takes its place
    QCOMPARE(g.ingress.entryService, g.services.front().name);
}

void TestGroupEdits::addLaneStartsEmptyAfterBaseline()
{
    LaneGroup g;
    edits::addService(g, "a");
    edits::addService(g, "b");
    QCOMPARE(g.ingress.entryService, std::string("a"));
    edits::addLane(g, "base");
    QCOMPARE(g.lanes[0].services, (std::vector<std::string>{"a", "b"}));
    QCOMPARE(g.lanes[0].weight, 100);
    g.lanes[0].labelKey = "version";
    edits::addLane(g, "canary");
    QCOMPARE(g.lanes[1].labelKey, std::string("version"));
    QVERIFY(g.lanes[1].services.empty());
    QCOMPARE(g.lanes[1].weight, 0);
    QCOMPARE(edits::totalWeight(g), 100);
    edits::addService(g, "c"); // a new service joins the baseline only
    QCOMPARE(g.lanes[0].services, (std::vector<std::string>{"a", "b", "c"}));
    QVERIFY(g.lanes[1].services.empty());
}

void TestGroupEdits::laneServicesKeepGroupOrder()
{
    LaneGroup g = testing::seedGroup();
    const std::string first = g.services[0].name;
    const std::string last = g.services[2].name;
    edits::setLaneHasService(g, 2, last, false);
    edits::setLaneHasService(g, 2, first, false);
    edits::setLaneHasService(g, 2, last, true);
    edits::setLaneHasService(g, 2, first, true);
    QCOMPARE(g.lanes[2].services.front(), first);
    QCOMPARE(g.lanes[2].services.back(), last);
    edits::moveService(g, 0, 2);
    QCOMPARE(g.lanes[2].services.back(), first);
}

void TestGroupEdits::setCallsDropsBlanks()
{
    LaneGroup g = testing::seedGroup();
    edits::setCalls(g, 0, {"x", "", "y"});
    QCOMPARE(g.services[0].calls, (std::vector<std::string>{"x", "y"}));
    const LaneGroup before = g;
    edits::setCalls(g, 9, {"z"}); // out of range: nothing changes
    QCOMPARE(g, before);
}

QTEST_APPLESS_MAIN(TestGroupEdits)
#include "tst_groupedits.moc"

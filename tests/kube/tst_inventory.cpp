// What the console makes of a cluster inventory (models/kube/inventory.h), without a cluster: the namespaces
// it reads, the services and label values it offers, and the lanes it flags.
#include "kube/inventory.h"
#include "testsupport.h"

#include <QTest>

using namespace lanedeck;
using namespace lanedeck::kube;

namespace {

Workload workload(const std::string &version, int ready)
{
    return {"w-" + version, {{"app", "x"}, {"ASM_TRAFFIC_TAG", version}}, 1, ready};
}

/// The seed's services (mocka, mockb, mockc in default): v1 everywhere, v2 of mocka and mockc ready, v3 of
/// mockb deployed but not ready.
Inventory seedInventory()
{
    Inventory inventory;
    inventory.services.push_back(
        {"mockc", "default", {80}, {{"app", "x"}}, {workload("v1", 1), workload("v2", 2)}});
    inventory.services.push_back(
        {"mocka", "default", {80}, {{"app", "x"}}, {workload("v1", 1), workload("v2", 1)}});
    inventory.services.push_back(
        {"mockb", "default", {80}, {{"app", "x"}}, {workload("v1", 1), workload("v3", 0)}});
    inventory.services.push_back({"mocka", "other", {80}, {{"app", "x"}}, {workload("v9", 0)}});
    return inventory;
}

} // namespace

class TestInventory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void namespaces_data();
    void namespaces();
    void summaryOffersReadyValuesSortedOnce();
    void emptyInventory();
    void shortfallsPerLane();
    void noShortfallWhenEverythingIsReady();
};

void TestInventory::namespaces_data()
{
    QTest::addColumn<bool>("withGroup");
    QTest::addColumn<std::vector<std::string>>("serviceNamespaces");
    QTest::addColumn<std::string>("connection");
    QTest::addColumn<std::vector<std::string>>("expected");
    QTest::addRow("no-group-connection-only")
        << false << std::vector<std::string>{} << std::string("team") << std::vector<std::string>{"team"};
    QTest::addRow("group-order-then-connection")
        << true << std::vector<std::string>{"b", "a", "b"} << std::string("c")
        << std::vector<std::string>{"b", "a", "c"};
    QTest::addRow("connection-already-listed") << true << std::vector<std::string>{"a", "c"}
                                               << std::string("a") << std::vector<std::string>{"a", "c"};
    QTest::addRow("blanks-dropped") << true << std::vector<std::string>{"", "a"} << std::string("")
                                    << std::vector<std::string>{"a"};
}

void TestInventory::namespaces()
{
    QFETCH(bool, withGroup);
    QFETCH(std::vector<std::string>, serviceNamespaces);
    QFETCH(std::string, connection);
    QFETCH(std::vector<std::string>, expected);
    LaneGroup group;
    for (std::size_t i = 0; i < serviceNamespaces.size(); ++i) {
        Service service;
        service.name = "s" + std::to_string(i);
        service.ns = serviceNamespaces[i];
        group.services.push_back(service);
    }
    QCOMPARE(inventoryNamespaces(withGroup ? &group : nullptr, connection), expected);
}

void TestInventory::summaryOffersReadyValuesSortedOnce()
{
    const InventorySummary summary = summarizeInventory(seedInventory());
    QCOMPARE(summary.services, (std::vector<std::string>{"mocka", "mockb", "mockc"}));
    QCOMPARE(summary.labelValues.size(), std::size_t(2));
    QCOMPARE(summary.labelValues.at("app"), (std::vector<std::string>{"x"}));
    // v3 and v9 have no ready replica, so they are not offered.
    QCOMPARE(summary.labelValues.at("ASM_TRAFFIC_TAG"), (std::vector<std::string>{"v1", "v2"}));
}

void TestInventory::emptyInventory()
{
    QCOMPARE(summarizeInventory({}), InventorySummary{});
    QVERIFY(laneShortfalls(testing::seedGroup(), {}).size() == 3); // every lane misses its services
}

void TestInventory::shortfallsPerLane()
{
    const LaneGroup group = testing::seedGroup();
    Inventory inventory = seedInventory();
    inventory.services.erase(inventory.services.begin()); // mockc is gone
    const auto shortfalls = laneShortfalls(group, inventory);
    // s1 (v1) misses mockc; s2 (v2: mocka, mockc) misses mockc; s3 (v3: mockb) is not ready.
    QCOMPARE(shortfalls.size(), std::size_t(3));
    QCOMPARE(shortfalls[0], (LaneShortfall{"s1", {"mockc"}}));
    QCOMPARE(shortfalls[1], (LaneShortfall{"s2", {"mockc"}}));
    QCOMPARE(shortfalls[2], (LaneShortfall{"s3", {"mockb"}}));
}

void TestInventory::noShortfallWhenEverythingIsReady()
{
    Inventory inventory = seedInventory();
    inventory.services[2].workloads[1].readyReplicas = 1; // mockb v3 comes up
    QVERIFY(laneShortfalls(testing::seedGroup(), inventory).empty());
}

QTEST_APPLESS_MAIN(TestInventory)
#include "tst_inventory.moc"

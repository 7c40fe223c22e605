// The lane groups a cluster holds, offline: summarizeGroups on the objects LaneDeck pushes (as a list call
// returns them, with LaneDeck's field manager), edited, thinned out, or written by someone else.
// (tst_clustergui lists, opens and deletes them through a real API server.)
#include "kube/clustergroups.h"
#include "lanes/document.h"
#include "mesh/naming.h"
#include "mesh/render.h"
#include "mesh/resource.h"

#include <QTest>

using namespace lanedeck;
using nlohmann::json;

Q_DECLARE_METATYPE(mesh::Flavor)

namespace {

LaneGroup mockGroup(const std::string &name = "test", const std::string &ns = "istio-system")
{
    LaneGroup group = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
    group.name = name;
    group.ns = ns;
    return group;
}

/// What the cluster holds after LaneDeck pushed `group`: the rendered objects with the server's fields.
std::vector<json> pushed(const LaneGroup &group, mesh::Flavor flavor, const char *manager = "lanedeck")
{
    std::vector<json> objects;
    const auto rendered = mesh::render(group, {flavor, {}});
    if (!rendered) {
        qWarning("%s", rendered.error().message.c_str());
        return objects;
    }
    for (auto resource : rendered->resources) {
        json &meta = resource.object["metadata"];
        meta["managedFields"] = json::array({{{"manager", manager}, {"operation", "Apply"}}});
        meta["resourceVersion"] = "42";
        meta["uid"] = "0b1c";
        objects.push_back(resource.object);
    }
    return objects;
}

} // namespace

class TestClusterGroups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stateOfOneGroup_data();
    void stateOfOneGroup();
    void groupsByNamespaceAndName();
    void othersObjectsAndAsmsOwnGroups();
};

void TestClusterGroups::stateOfOneGroup_data()
{
    QTest::addColumn<mesh::Flavor>("flavor");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("state");
    for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio, mesh::Flavor::AsmCrd}) {
        const std::string f = mesh::toString(flavor);
        QTest::addRow("%s-as-pushed-is-in-sync", f.c_str()) << flavor << ""
                                                            << "in sync";
        QTest::addRow("%s-edited-by-hand-is-drifted", f.c_str()) << flavor << "edit"
                                                                 << "drifted";
        // asm-crd: the deleted object is a lane, and the remaining lanes' weights no longer add up.
        QTest::addRow("%s-one-deleted", f.c_str())
            << flavor << "delete" << (flavor == mesh::Flavor::AsmCrd ? "drifted" : "partly missing");
    }
    // The DestinationRule of mockb, the one service of lane s3: the rebuilt s3 has no label left.
    for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio}) {
        QTest::addRow("%s-lone-lane-service-rule-deleted", mesh::toString(flavor).c_str())
            << flavor << "delete-mockb-rule"
            << "partly missing";
    }
    QTest::addRow("istio-without-ingress-route-is-unreadable") << mesh::Flavor::Istio << "ingress"
                                                               << "unreadable";
}

void TestClusterGroups::stateOfOneGroup()
{
    QFETCH(mesh::Flavor, flavor);
    QFETCH(QString, change);
    QFETCH(QString, state);
    const LaneGroup group = mockGroup();
    std::vector<json> objects = pushed(group, flavor);
    std::string touched;
    if (change == QLatin1String("edit")) {
        // The last object (a lane, a route) gets a field nobody generated.
        objects.back()["spec"]["edited"] = true;
        touched = mesh::Resource{objects.back()}.displayName();
    } else if (change == QLatin1String("delete")) {
        // One object other than the one holding the topology (the ingress route, the ASMSwimLaneGroup).
        const auto victim = std::find_if(objects.begin(), objects.end(), [&group](const json &o) {
            return o["kind"] != "ASMSwimLaneGroup" &&
                   o["metadata"]["name"] != mesh::ingressVirtualServiceName(group);
        });
        QVERIFY(victim != objects.end());
        touched = mesh::Resource{*victim}.displayName();
        objects.erase(victim);
    } else if (change == QLatin1String("delete-mockb-rule")) {
        const std::string rule = mesh::destinationRuleName(group, *group.service("mockb"));
        const auto victim = std::find_if(objects.begin(), objects.end(), [&rule](const json &o) {
            return o["kind"] == "DestinationRule" && o["metadata"]["name"] == rule;
        });
        QVERIFY(victim != objects.end());
        touched = mesh::Resource{*victim}.displayName();
        objects.erase(victim);
    } else if (change == QLatin1String("ingress")) {
        std::erase_if(objects, [&group](const json &o) {
            return o["metadata"]["name"] == mesh::ingressVirtualServiceName(group);
        });
    }
    const auto groups = kube::summarizeGroups(objects);
    QCOMPARE(groups.size(), std::size_t(1));
    const kube::GroupSummary &g = groups.front();
    QVERIFY2(QString::fromStdString(kube::toString(g.state)) == state, g.problem.c_str());
    QCOMPARE(g.name, std::string("test"));
    QCOMPARE(g.ns, flavor == mesh::Flavor::AsmCrd ? std::string() : std::string("istio-system"));
    QCOMPARE(g.objects.size(), objects.size());
    if (g.state == kube::GroupSummary::State::Unreadable) {
        QVERIFY2(g.problem.find("ingress VirtualService") != std::string::npos, g.problem.c_str());
        return;
    }
    if (!g.problem.empty()) {
        // The live objects no longer make a valid group: the problem says why, and what is missing is named.
        QVERIFY2(g.problem.starts_with("the live objects no longer make a valid group: "), g.problem.c_str());
        QCOMPARE(g.missing, flavor == mesh::Flavor::AsmCrd ? std::vector<std::string>{}
                                                           : std::vector<std::string>{touched});
        return;
    }
    QCOMPARE(mesh::toString(g.flavor), mesh::toString(flavor));
    QVERIFY(g.lanedeck);
    QCOMPARE(g.lanes, (std::vector<std::string>{"s1", "s2", "s3"}));
    QCOMPARE(g.services, (std::vector<std::string>{"mocka", "mockb", "mockc"}));
    QCOMPARE(g.missing, change == QLatin1String("delete") ? std::vector<std::string>{touched}
                                                          : std::vector<std::string>{});
    QCOMPARE(g.drifted, change == QLatin1String("edit") ? std::vector<std::string>{touched}
                                                        : std::vector<std::string>{});
}

void TestClusterGroups::groupsByNamespaceAndName()
{
    // Two groups of one name in two namespaces, and a second group beside the first: three groups, sorted.
    std::vector<json> objects = pushed(mockGroup("test", "shop"), mesh::Flavor::Istio);
    for (auto &o : pushed(mockGroup("test", "istio-system"), mesh::Flavor::Asm)) {
        objects.push_back(o);
    }
    for (auto &o : pushed(mockGroup("canary", "shop"), mesh::Flavor::Istio)) {
        objects.push_back(o);
    }
    const auto groups = kube::summarizeGroups(objects);
    QCOMPARE(groups.size(), std::size_t(3));
    QCOMPARE(groups[0].ns + '/' + groups[0].name, std::string("istio-system/test"));
    QCOMPARE(mesh::toString(groups[0].flavor), std::string("asm"));
    QCOMPARE(groups[1].ns + '/' + groups[1].name, std::string("shop/canary"));
    QCOMPARE(groups[2].ns + '/' + groups[2].name, std::string("shop/test"));
    for (const auto &g : groups) {
        QCOMPARE(QString::fromStdString(kube::toString(g.state)), QStringLiteral("in sync"));
    }
}

void TestClusterGroups::othersObjectsAndAsmsOwnGroups()
{
    // Objects labelled with a group that another field manager wrote are not LaneDeck's group; an
    // ASMSwimLaneGroup that ASM made is listed as ASM's.
    std::vector<json> objects = pushed(mockGroup("theirs"), mesh::Flavor::Istio, "kubectl-client-side-apply");
    for (auto &o : pushed(mockGroup("asmgroup"), mesh::Flavor::AsmCrd, "asm-console")) {
        if (o["kind"] == "ASMSwimLaneGroup") {
            o["metadata"].erase("annotations"); // ASM's console records no LaneDeck topology
            objects.push_back(o);
        }
    }
    const auto groups = kube::summarizeGroups(objects);
    QCOMPARE(groups.size(), std::size_t(1));
    QCOMPARE(groups.front().name, std::string("asmgroup"));
    QVERIFY(!groups.front().lanedeck);
    QCOMPARE(groups.front().objects, std::vector<std::string>{"ASMSwimLaneGroup asmgroup"});
}

QTEST_APPLESS_MAIN(TestClusterGroups)
#include "tst_clustergroups.moc"

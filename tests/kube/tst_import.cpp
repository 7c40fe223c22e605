// import(render(doc)) == doc, offline: the objects LaneDeck generates carry everything import needs.
// (tst_cluster checks the same through a real API server.)
#include "kube/importer.h"
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"

#include <QTest>

using namespace lanedeck;

Q_DECLARE_METATYPE(mesh::Flavor)

namespace {

LaneGroup mockGroup()
{
    const auto doc = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");
    return doc.group;
}

} // namespace

class TestImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void refusesWhatLaneDeckDidNotPush();
};

void TestImport::roundTrip_data()
{
    QTest::addColumn<mesh::Flavor>("flavor");
    QTest::addColumn<int>("variant");
    for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio, mesh::Flavor::AsmCrd}) {
        const std::string f = mesh::toString(flavor);
        QTest::addRow("%s-seed", f.c_str()) << flavor << 0;
        QTest::addRow("%s-baseline-not-first", f.c_str()) << flavor << 1;
        QTest::addRow("%s-ingress-headers-and-exact-uri", f.c_str()) << flavor << 2;
        if (flavor != mesh::Flavor::AsmCrd) {
            QTest::addRow("%s-custom-pass-through", f.c_str()) << flavor << 3;
            QTest::addRow("%s-strict", f.c_str()) << flavor << 4;
        }
    }
}

void TestImport::roundTrip()
{
    QFETCH(mesh::Flavor, flavor);
    QFETCH(int, variant);
    LaneGroup group = mockGroup();
    QVERIFY(!group.lanes.empty());
    if (variant == 1) {
        group.lanes[1].services = {"mocka", "mockb", "mockc"};
        group.lanes[0].services = {"mocka"};
        group.baseline = group.lanes[1].name;
    } else if (variant == 2) {
        group.ingress.uri = {StringMatch::Kind::Exact, "/api"};
        group.ingress.headers = {{"x-a", {StringMatch::Kind::Exact, "1"}},
                                 {"x-b", {StringMatch::Kind::Regex, "v.*"}}};
        group.ingress.hosts = {"mock.example.com"};
        group.ingress.gatewayName = "gw";
        group.routingHeader = "x-lane";
    } else if (variant == 3) {
        group.passThrough = PassThrough::Custom;
        group.traceHeader = "x-my-lane";
    } else if (variant == 4) {
        group.mode = LaneMode::Strict;
        for (auto &lane : group.lanes) {
            lane.services = {"mocka", "mockb", "mockc"};
        }
    }
    auto rendered = mesh::render(group, {flavor, {}});
    QVERIFY2(rendered.ok(), rendered.ok() ? "" : rendered.error().message.c_str());
    std::vector<nlohmann::json> objects;
    for (const auto &r : rendered->resources) {
        objects.push_back(r.object);
    }
    auto imported = kube::rebuildGroup(group.name, group.ns, objects);
    QVERIFY2(imported.ok(), imported.ok() ? "" : imported.error().message.c_str());
    QCOMPARE(mesh::toString(imported->flavor), mesh::toString(flavor));
    QCOMPARE(QString::fromStdString(serializeLaneGroup(imported->group)),
             QString::fromStdString(serializeLaneGroup(group)));
    QVERIFY(imported->group == group);
}

void TestImport::refusesWhatLaneDeckDidNotPush()
{
    auto imported = kube::rebuildGroup("test", "istio-system", {});
    QVERIFY(!imported.ok());
    QVERIFY2(imported.error().message.find("trafficlabel-ingress-vs-test") != std::string::npos,
             imported.error().message.c_str());
}

QTEST_APPLESS_MAIN(TestImport)
#include "tst_import.moc"

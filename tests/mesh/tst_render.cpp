#include "base/yamljson.h"
#include "mesh/naming.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "testsupport.h"

#include <QTest>
#include <re2/re2.h>

#include <map>
#include <set>

using namespace lanedeck;
using nlohmann::json;

namespace {

mesh::Rendered renderOrFail(const LaneGroup &g, mesh::Flavor flavor,
                            std::optional<mesh::IstioVersion> version = std::nullopt)
{
    auto rendered = mesh::render(g, {flavor, version});
    if (!rendered) {
        qFatal("render failed: %s", rendered.error().message.c_str());
    }
    return *rendered;
}

const json *find(const mesh::Rendered &r, const std::string &kind, const std::string &name)
{
    for (const auto &res : r.resources) {
        if (res.kind() == kind && res.name() == name) {
            return &res.object;
        }
    }
    return nullptr;
}

} // namespace

class TestRender : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The seed shows what ASM generates for mocka; the asm flavor must equal it field for field.
    void asmFlavorEqualsTheSeedsMockaResources()
    {
        auto seed = parseYamlStream(
            testing::readText(std::string(LANEDECK_TEST_DATA) + "/seed/mocka-asm.yaml"), "seed");
        QVERIFY(seed.ok());
        QCOMPARE(seed->size(), std::size_t(2));
        const auto r = renderOrFail(testing::seedGroup(), mesh::Flavor::Asm);
        const json *dr = find(r, "DestinationRule", "trafficlabel-dr-test-default-mocka");
        const json *vs = find(r, "VirtualService", "trafficlabel-vs-test-default-mocka");
        QVERIFY(dr && vs);
        COMPARE_JSON(*dr, seed->at(0));
        COMPARE_JSON(*vs, seed->at(1));
    }

    // Golden files: regenerate with scripts/update-golden.sh and read the diff before committing it.
    void goldenFiles_data()
    {
        QTest::addColumn<QString>("flavor");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("golden");
        QTest::addRow("asm") << QStringLiteral("asm") << QString() << QStringLiteral("mock-asm.yaml");
        QTest::addRow("istio v1") << QStringLiteral("istio") << QString()
                                  << QStringLiteral("mock-istio.yaml");
        QTest::addRow("istio v1beta1") << QStringLiteral("istio") << QStringLiteral("v1beta1")
                                       << QStringLiteral("mock-istio-v1beta1.yaml");
        QTest::addRow("asm-crd") << QStringLiteral("asm-crd") << QString()
                                 << QStringLiteral("mock-asm-crd.yaml");
    }

    void goldenFiles()
    {
        QFETCH(QString, flavor);
        QFETCH(QString, version);
        QFETCH(QString, golden);
        const auto f = mesh::parseFlavor(flavor.toStdString());
        QVERIFY(f);
        std::optional<mesh::IstioVersion> v;
        if (!version.isEmpty()) {
            v = mesh::parseIstioVersion(version.toStdString());
        }
        const auto r = renderOrFail(testing::seedGroup(), *f, v);
        const std::string expected =
            testing::readText(std::string(LANEDECK_TEST_DATA) + "/golden/" + golden.toStdString());
        QVERIFY(!expected.empty());
        QCOMPARE(mesh::toYamlStream(r.resources), expected);
    }

    void outputIsDeterministic()
    {
        for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio, mesh::Flavor::AsmCrd}) {
            QCOMPARE(mesh::toYamlStream(renderOrFail(testing::seedGroup(), flavor).resources),
                     mesh::toYamlStream(renderOrFail(testing::seedGroup(), flavor).resources));
        }
    }

    // Open-source Istio rejects `fallback` and fails routes to undefined subsets: every route of the istio
    // flavor names a subset that its host's DestinationRule defines.
    void istioFlavorNeverRoutesToAnUndefinedSubset()
    {
        LaneGroup g = testing::seedGroup();
        const auto r = renderOrFail(g, mesh::Flavor::Istio);
        std::map<std::string, std::set<std::string>> subsets;
        for (const auto &res : r.resources) {
            if (res.kind() == "DestinationRule") {
                for (const auto &s : res.object["spec"]["subsets"]) {
                    subsets[res.object["spec"]["host"]].insert(s["name"]);
                }
            }
        }
        int routes = 0;
        for (const auto &res : r.resources) {
            QVERIFY(res.object.dump().find("fallback") == std::string::npos);
            if (res.kind() != "VirtualService") {
                continue;
            }
            for (const auto &rule : res.object["spec"]["http"]) {
                for (const auto &route : rule["route"]) {
                    const std::string host = route["destination"]["host"];
                    const std::string subset = route["destination"]["subset"];
                    QVERIFY2(subsets[host].contains(subset), (host + " has no subset " + subset).c_str());
                    ++routes;
                }
            }
        }
        QVERIFY(routes > 10);
        // s3 lacks mocka: the gateway sends s3's weight to mocka's baseline subset, labelled for s3.
        const json *ingress = find(r, "VirtualService", "trafficlabel-ingress-vs-test");
        QVERIFY(ingress);
        const json &weighted = ingress->at("spec").at("http").back();
        COMPARE_JSON(weighted["route"][2]["destination"]["subset"], json("s1"));
        COMPARE_JSON(weighted["route"][2]["weight"], json(20));
        COMPARE_JSON(weighted["route"][2]["headers"]["request"]["set"]["x-asm-prefer-tag"], json("s3"));
        COMPARE_JSON(weighted["route"][2]["headers"]["request"]["set"]["baggage"],
                     json("x-asm-prefer-tag=s3"));
    }

    void istioApiVersionSelectable()
    {
        for (const auto &[version, text] :
             {std::pair{mesh::IstioVersion::V1, "networking.istio.io/v1"},
              std::pair{mesh::IstioVersion::V1beta1, "networking.istio.io/v1beta1"}}) {
            const auto r = renderOrFail(testing::seedGroup(), mesh::Flavor::Istio, version);
            for (const auto &res : r.resources) {
                QCOMPARE(res.apiVersion(), std::string(text));
            }
        }
    }

    void baggageRegex_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<bool>("matchesS2");
        QTest::addRow("alone") << QStringLiteral("x-asm-prefer-tag=s2") << true;
        QTest::addRow("spaces") << QStringLiteral("  x-asm-prefer-tag = s2 ") << true;
        QTest::addRow("among others")
            << QStringLiteral("userId=alice,x-asm-prefer-tag=s2,serverNode=DF%2028") << true;
        QTest::addRow("spaces after commas") << QStringLiteral("a=1, x-asm-prefer-tag=s2 , b=2") << true;
        QTest::addRow("with property") << QStringLiteral("x-asm-prefer-tag=s2;ttl=30, b=2") << true;
        QTest::addRow("property with spaces") << QStringLiteral("a=1,x-asm-prefer-tag=s2 ; p") << true;
        QTest::addRow("other lane") << QStringLiteral("x-asm-prefer-tag=s3") << false;
        QTest::addRow("longer lane name") << QStringLiteral("x-asm-prefer-tag=s20") << false;
        QTest::addRow("key suffix") << QStringLiteral("my-x-asm-prefer-tag=s2") << false;
        QTest::addRow("value in another member's property")
            << QStringLiteral("a=1;x-asm-prefer-tag=s2") << false;
        QTest::addRow("key as value") << QStringLiteral("a=x-asm-prefer-tag=s2") << false;
        QTest::addRow("empty") << QString() << false;
    }

    void baggageRegex()
    {
        QFETCH(QString, header);
        QFETCH(bool, matchesS2);
        const RE2 re(mesh::baggageLaneRegex(testing::seedGroup(), "s2"));
        QVERIFY(re.ok());
        QCOMPARE(RE2::FullMatch(header.toStdString(), re), matchesS2);
    }

    void asmCrdFlavor()
    {
        const auto r = renderOrFail(testing::seedGroup(), mesh::Flavor::AsmCrd);
        QCOMPARE(r.resources.size(), std::size_t(4));
        const json &group = r.resources[0].object;
        COMPARE_JSON(group["kind"], json("ASMSwimLaneGroup"));
        COMPARE_JSON(group["spec"]["isPermissive"], json(true));
        COMPARE_JSON(group["spec"]["permissiveModeConfiguration"]["fallbackTarget"], json("s1"));
        COMPARE_JSON(group["spec"]["permissiveModeConfiguration"]["traceHeader"], json("baggage"));
        COMPARE_JSON(group["spec"]["permissiveModeConfiguration"]["routeHeader"], json("x-asm-prefer-tag"));
        COMPARE_JSON(group["spec"]["ingress"]["ingressRouting"]["ingressRoutingStrategy"], json("weighted"));
        const json &s2 = r.resources[2].object;
        COMPARE_JSON(s2["kind"], json("ASMSwimLane"));
        COMPARE_JSON(s2["metadata"]["labels"]["swimlane-group"], json("test"));
        COMPARE_JSON(s2["spec"]["labelSelector"]["ASM_TRAFFIC_TAG"], json("v2"));
        COMPARE_JSON(s2["spec"]["ingressWeight"]["weight"], json(20));
        QCOMPARE(s2["spec"]["services"].size(), std::size_t(2));
    }

    void invalidGroupIsRefusedWithEveryProblem()
    {
        LaneGroup g = testing::seedGroup();
        g.lanes[0].weight = 10;
        g.ingress.entryService = "nope";
        auto r = mesh::render(g, {});
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("2 problem(s)") != std::string::npos);
        QVERIFY(r.error().message.find("spec.ingress.entryService") != std::string::npos);
    }

    void traceIdOnIstioIsRefused()
    {
        LaneGroup g = testing::seedGroup();
        g.passThrough = PassThrough::TraceId;
        g.traceHeader = "x-request-id";
        auto r = mesh::render(g, {mesh::Flavor::Istio, std::nullopt});
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("cannot map a trace id") != std::string::npos);
        QVERIFY(mesh::render(g, {mesh::Flavor::Asm, std::nullopt}).ok());
    }

    void everyResourceCarriesTheGroupLabel()
    {
        for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio}) {
            for (const auto &res : renderOrFail(testing::seedGroup(), flavor).resources) {
                COMPARE_JSON(res.object["metadata"]["labels"][mesh::kGroupLabel], json("test"));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestRender)
#include "tst_render.moc"

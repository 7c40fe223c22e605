// The sidecar/gateway routing decisions, without HTTP: each Istio/ASM rule the sandbox claims to apply.
#include "sandbox/meshconfig.h"

#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::sandbox;
using nlohmann::json;

namespace {

mesh::Resource dr(const std::string &host, json subsets)
{
    return {json{{"apiVersion", "networking.istio.io/v1"},
                 {"kind", "DestinationRule"},
                 {"metadata", {{"name", "dr-" + host}, {"namespace", "default"}}},
                 {"spec", {{"host", host}, {"subsets", subsets}}}}};
}

mesh::Resource vs(const std::string &name, json spec)
{
    return {json{{"apiVersion", "networking.istio.io/v1"},
                 {"kind", "VirtualService"},
                 {"metadata", {{"name", name}, {"namespace", "default"}}},
                 {"spec", spec}}};
}

std::vector<Instance> instances()
{
    auto make = [](const std::string &service, const std::string &version, int port) {
        return Instance{service,
                        service + ".default.svc.cluster.local",
                        version,
                        {{"app", service}, {"version", version}, {"ASM_TRAFFIC_TAG", version}},
                        port};
    };
    return {make("mockb", "v1", 1001), make("mockb", "v3", 1003)};
}

json subsets()
{
    return json::array({{{"name", "s1"}, {"labels", {{"ASM_TRAFFIC_TAG", "v1"}}}},
                        {{"name", "s3"}, {"labels", {{"ASM_TRAFFIC_TAG", "v3"}}}},
                        {{"name", "s4"}, {"labels", {{"ASM_TRAFFIC_TAG", "v4"}}}}});
}

json destination(const std::string &subset)
{
    return {{"host", "mockb.default.svc.cluster.local"}, {"subset", subset}};
}

/// JSON written with single quotes, so that the test data reads without escapes.
json parseQuoted(const QByteArray &text)
{
    return json::parse(QByteArray(text).replace('\'', '"').toStdString());
}

} // namespace

class TestMeshConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void route_data()
    {
        QTest::addColumn<QByteArray>("match");   // the header match of the single rule, as JSON
        QTest::addColumn<QByteArray>("headers"); // the request headers, as JSON
        QTest::addColumn<QByteArray>("routes");  // the rule's route list, as JSON
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("port");
        QTest::addColumn<bool>("fellBack");

        const QByteArray s3 = "[{'destination':{'host':'mockb.default.svc.cluster.local','subset':'s3'}}]";
        QTest::addRow("exact-match") << QByteArray("{'x-lane':{'exact':'s3'}}")
                                     << QByteArray("{'x-lane':'s3'}") << s3 << 0 << 1003 << false;
        QTest::addRow("exact-mismatch-no-route-404")
            << QByteArray("{'x-lane':{'exact':'s3'}}") << QByteArray("{'x-lane':'s33'}") << s3 << 404 << 0
            << false;
        QTest::addRow("prefix-match") << QByteArray("{'x-lane':{'prefix':'s'}}")
                                      << QByteArray("{'x-lane':'s33'}") << s3 << 0 << 1003 << false;
        QTest::addRow("regex-is-full-match") << QByteArray("{'x-lane':{'regex':'s3'}}")
                                             << QByteArray("{'x-lane':'xs3'}") << s3 << 404 << 0 << false;
        QTest::addRow("regex-match") << QByteArray("{'x-lane':{'regex':'s[0-9]'}}")
                                     << QByteArray("{'x-lane':'s3'}") << s3 << 0 << 1003 << false;
        QTest::addRow("missing-header-404")
            << QByteArray("{'x-lane':{'exact':'s3'}}") << QByteArray("{}") << s3 << 404 << 0 << false;
        QTest::addRow("undefined-subset-503")
            << QByteArray("{}") << QByteArray("{}")
            << QByteArray("[{'destination':{'host':'mockb.default.svc.cluster.local','subset':'s9'}}]") << 503
            << 0 << false;
        QTest::addRow("subset-without-instances-503")
            << QByteArray("{}") << QByteArray("{}")
            << QByteArray("[{'destination':{'host':'mockb.default.svc.cluster.local','subset':'s4'}}]") << 503
            << 0 << false;
        QTest::addRow("asm-fallback-undefined-subset")
            << QByteArray("{}") << QByteArray("{}")
            << QByteArray("[{'destination':{'host':'mockb.default.svc.cluster.local','subset':'s9'}, "
                          "'fallback':{'target':{'host':'mockb.default.svc.cluster.local','subset':'s1'}}}]")
            << 0 << 1001 << true;
        QTest::addRow("asm-fallback-no-instances")
            << QByteArray("{}") << QByteArray("{}")
            << QByteArray("[{'destination':{'host':'mockb','subset':'s4'}, "
                          "'fallback':{'target':{'host':'mockb','subset':'s1'}}}]")
            << 0 << 1001 << true;
        QTest::addRow("fallback-not-used-when-subset-has-instances")
            << QByteArray("{}") << QByteArray("{}")
            << QByteArray("[{'destination':{'host':'mockb','subset':'s3'}, "
                          "'fallback':{'target':{'host':'mockb','subset':'s1'}}}]")
            << 0 << 1003 << false;
        QTest::addRow("weight-100-wins")
            << QByteArray("{}") << QByteArray("{}")
            << QByteArray("[{'destination':{'host':'mockb','subset':'s1'},'weight':0}, "
                          "{'destination':{'host':'mockb','subset':'s3'},'weight':100}]")
            << 0 << 1003 << false;
    }

    void route()
    {
        QFETCH(QByteArray, match);
        QFETCH(QByteArray, headers);
        QFETCH(QByteArray, routes);
        QFETCH(int, status);
        QFETCH(int, port);
        QFETCH(bool, fellBack);

        json rule{{"route", parseQuoted(routes)}};
        const json headerMatch = parseQuoted(match);
        if (!headerMatch.empty()) {
            rule["match"] = json::array({{{"headers", headerMatch}}});
        }
        auto config = parseMeshConfig(
            {dr("mockb.default.svc.cluster.local", subsets()),
             vs("mockb", {{"hosts", {"mockb.default.svc.cluster.local"}}, {"http", {rule}}})});
        QVERIFY2(config.ok(), config.ok() ? "" : config.error().message.c_str());
        const auto all = instances();
        ProxyRequest request{"mockb.default.svc.cluster.local", "/", "GET",
                             parseQuoted(headers).get<std::map<std::string, std::string>>()};
        std::mt19937_64 random(1);
        const RouteDecision decision = sandbox::route(*config, all, request, false, random);
        QCOMPARE(decision.localStatus, status);
        QCOMPARE(decision.instance ? decision.instance->port : 0, port);
        QCOMPARE(decision.fellBack, fellBack);
    }

    void weightsSplitTraffic()
    {
        json rule{{"route", json::array({{{"destination", destination("s1")}, {"weight", 75}},
                                         {{"destination", destination("s3")}, {"weight", 25}}})}};
        auto config = parseMeshConfig({dr("mockb.default.svc.cluster.local", subsets()),
                                       vs("mockb", {{"hosts", {"mockb"}}, {"http", {rule}}})});
        QVERIFY(config.ok());
        const auto all = instances();
        std::mt19937_64 random(42);
        int toV3 = 0;
        const int n = 4000;
        for (int i = 0; i < n; ++i) {
            toV3 +=
                sandbox::route(*config, all, {"mockb", "/", "GET", {}}, false, random).instance->port == 1003;
        }
        // 25% of 4000 = 1000, sd ~27: 6 sd either side.
        QVERIFY2(toV3 > 840 && toV3 < 1160, std::to_string(toV3).c_str());
    }

    void headerOperationsAndGatewayHosts()
    {
        json rule{{"match", json::array({{{"uri", {{"prefix", "/api"}}}}})},
                  {"route",
                   json::array({{{"destination", destination("s1")},
                                 {"headers",
                                  {{"request", {{"set", {{"X-Lane", "s1"}}}, {"remove", {"x-drop"}}}}}}}})}};
        auto config = parseMeshConfig(
            {dr("mockb.default.svc.cluster.local", subsets()),
             vs("ingress",
                {{"hosts", {"*.example.com"}}, {"gateways", {"istio-system/gw"}}, {"http", {rule}}})});
        QVERIFY(config.ok());
        const auto all = instances();
        std::mt19937_64 random(1);
        auto decision = sandbox::route(
            *config, all, {"shop.example.com:8080", "/api/x", "GET", {{"x-drop", "1"}}}, true, random);
        QCOMPARE(decision.localStatus, 0);
        QCOMPARE(decision.headers.at("x-lane"), std::string("s1"));
        QVERIFY(!decision.headers.count("x-drop"));
        QCOMPARE(sandbox::route(*config, all, {"other.org", "/api", "GET", {}}, true, random).localStatus,
                 404);
        QCOMPARE(sandbox::route(*config, all, {"a.example.com", "/web", "GET", {}}, true, random).localStatus,
                 404);
        // The gateway's VirtualService does not apply to sidecars: mesh traffic to mockb goes to any
        // instance.
        QVERIFY(sandbox::route(*config, all, {"mockb", "/", "GET", {}}, false, random).instance != nullptr);
    }

    void refusesWhatItCannotRun_data()
    {
        QTest::addColumn<QByteArray>("object");
        QTest::addColumn<QString>("message");
        QTest::addRow("bad-regex")
            << QByteArray("{'kind':'VirtualService','metadata':{'name':'v'},'spec':{'hosts':['a'], "
                          "'http':[{'match':[{'headers':{'x':{'regex':'('}}}],'route':[{'destination':{'host'"
                          ":'a'}}]}]}}")
            << QStringLiteral("headers.x.regex");
        QTest::addRow("asm-crd") << QByteArray(
                                        "{'kind':'ASMSwimLaneGroup','metadata':{'name':'g'},'spec':{}}")
                                 << QStringLiteral("ASM's lane CRDs");
        QTest::addRow("redirect-rule") << QByteArray("{'kind':'VirtualService','metadata':{'name':'v'},'spec'"
                                                     ":{'hosts':['a'], 'http':[{'redirect':{'uri':'/x'}}]}}")
                                       << QStringLiteral("route rules only");
        QTest::addRow("two-match-kinds")
            << QByteArray("{'kind':'VirtualService','metadata':{'name':'v'},'spec':{'hosts':['a'], "
                          "'http':[{'match':[{'uri':{'exact':'/','prefix':'/"
                          "'}}],'route':[{'destination':{'host':'a'}}]}]}}")
            << QStringLiteral("exactly one of");
    }

    void refusesWhatItCannotRun()
    {
        QFETCH(QByteArray, object);
        QFETCH(QString, message);
        const auto config = parseMeshConfig({mesh::Resource{parseQuoted(object)}});
        QVERIFY(!config.ok());
        QVERIFY2(QString::fromStdString(config.error().message).contains(message),
                 config.error().message.c_str());
    }

    void baggageMembers_data()
    {
        QTest::addColumn<QString>("baggage");
        QTest::addColumn<QString>("value");
        QTest::addRow("only") << QStringLiteral("x-asm-prefer-tag=s2") << QStringLiteral("s2");
        QTest::addRow("among-others")
            << QStringLiteral("a=1, x-asm-prefer-tag = s3 ;prop=1 ,b=2") << QStringLiteral("s3");
        QTest::addRow("absent") << QStringLiteral("a=1,b=2") << QString();
        QTest::addRow("prefix-is-not-key") << QStringLiteral("x-asm-prefer-tag-old=s1") << QString();
    }

    void baggageMembers()
    {
        QFETCH(QString, baggage);
        QFETCH(QString, value);
        QCOMPARE(QString::fromStdString(baggageMember(baggage.toStdString(), "x-asm-prefer-tag")), value);
    }
};

QTEST_APPLESS_MAIN(TestMeshConfig)
#include "tst_meshconfig.moc"

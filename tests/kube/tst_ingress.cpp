// The ingress gateway's address from objects as the API server returns them: which Service fronts the
// Gateway, which of its addresses and ports, and what is said when there is none. tst_cluster checks the same
// against a real API server.
#include "kube/ingress.h"

#include <QTest>

using namespace lanedeck;
using namespace lanedeck::kube;
using nlohmann::json;

namespace {

json gateway(const json &selector, const json &servers = json::array())
{
    return {{"apiVersion", "networking.istio.io/v1"},
            {"kind", "Gateway"},
            {"metadata", {{"name", "ingressgateway"}, {"namespace", "istio-system"}}},
            {"spec", {{"selector", selector}, {"servers", servers}}}};
}

json service(const std::string &name, const json &spec, const json &status = json::object(),
             const std::string &ns = "istio-system")
{
    return {{"metadata", {{"name", name}, {"namespace", ns}}}, {"spec", spec}, {"status", status}};
}

const json kIstioSelector = {{"istio", "ingressgateway"}};
const json kGatewayPodSelector = {{"app", "istio-ingressgateway"}, {"istio", "ingressgateway"}};
const json kPorts = json::array({{{"name", "status-port"}, {"port", 15021}, {"nodePort", 30021}},
                                 {{"name", "http2"}, {"port", 80}, {"nodePort", 31380}},
                                 {{"name", "https"}, {"port", 443}, {"nodePort", 31390}}});

json loadBalancer(const json &ingress)
{
    return {{"loadBalancer", {{"ingress", ingress}}}};
}

} // namespace

class TestIngress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void address_data();
    void address();
    void hostAndPath_data();
    void hostAndPath();
};

void TestIngress::address_data()
{
    QTest::addColumn<QString>("gatewayJson");
    QTest::addColumn<QString>("servicesJson");
    QTest::addColumn<QString>("url"); // empty: an error is expected
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("says"); // in the origin, or in the error
    QTest::addColumn<QString>("warns");

    const auto row = [](const char *name, const json &gw, const json &services, const char *url,
                        const char *service, const char *says, const char *warns) {
        QTest::addRow("%s", name) << QString::fromStdString(gw.dump())
                                  << QString::fromStdString(services.dump()) << QString::fromUtf8(url)
                                  << QString::fromUtf8(service) << QString::fromUtf8(says)
                                  << QString::fromUtf8(warns);
    };
    const json lbSpec = {{"type", "LoadBalancer"},
                         {"selector", kGatewayPodSelector},
                         {"clusterIP", "10.96.0.20"},
                         {"ports", kPorts}};
    row("load-balancer-ip", gateway(kIstioSelector),
        json::array(
            {service("istio-ingressgateway", lbSpec, loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "http://203.0.113.10/", "istio-system/istio-ingressgateway",
        "type LoadBalancer, selected like the Gateway istio-system/ingressgateway (istio=ingressgateway)): "
        "load "
        "balancer IP 203.0.113.10, port 80 (http2), named for HTTP",
        "");
    row("load-balancer-hostname", gateway(kIstioSelector),
        json::array({service(
            "istio-ingressgateway", lbSpec,
            loadBalancer(json::array({{{"hostname", "gw.elb.example.com"}}, {{"ip", "192.0.2.1"}}})))}),
        "http://gw.elb.example.com/", "istio-system/istio-ingressgateway",
        "load balancer hostname gw.elb.example.com (the first of 2)", "");
    row("ipv6-in-brackets", gateway(kIstioSelector),
        json::array(
            {service("istio-ingressgateway", lbSpec, loadBalancer(json::array({{{"ip", "2001:db8::7"}}})))}),
        "http://[2001:db8::7]/", "istio-system/istio-ingressgateway", "load balancer IP 2001:db8::7", "");
    row("pending-load-balancer", gateway(kIstioSelector),
        json::array({service("istio-ingressgateway", lbSpec, loadBalancer(json::array()))}), "",
        "istio-system/istio-ingressgateway",
        "Service istio-system/istio-ingressgateway (type LoadBalancer) has no external address yet "
        "(pending): the "
        "load balancer is not provisioned; meanwhile it listens on node port 31380 of every node",
        "");
    row("external-ip", gateway(kIstioSelector),
        json::array({service("istio-ingressgateway", {{"type", "ClusterIP"},
                                                      {"selector", kIstioSelector},
                                                      {"clusterIP", "10.96.0.20"},
                                                      {"externalIPs", {"198.51.100.4"}},
                                                      {"ports", kPorts}})}),
        "http://198.51.100.4/", "istio-system/istio-ingressgateway", "external IP 198.51.100.4", "");
    row("node-port-says-so", gateway(kIstioSelector),
        json::array({service("istio-ingressgateway", {{"type", "NodePort"},
                                                      {"selector", kIstioSelector},
                                                      {"clusterIP", "10.96.0.20"},
                                                      {"ports", kPorts}})}),
        "", "",
        "is of type NodePort: the gateway listens on port 31380 of every node, and LaneDeck does not know "
        "which "
        "node address is reachable from here; type http://<node-address>:31380/ in the target field",
        "");
    row("cluster-ip-with-warning", gateway(kIstioSelector),
        json::array({service("istio-ingressgateway",
                             {{"selector", kIstioSelector},
                              {"clusterIP", "10.96.0.20"},
                              {"ports", json::array({{{"name", "http"}, {"port", 8080}}})}})}),
        "http://10.96.0.20:8080/", "istio-system/istio-ingressgateway", "(type ClusterIP",
        "has only a cluster IP, reachable only from inside the cluster; from here run kubectl -n "
        "istio-system "
        "port-forward svc/istio-ingressgateway 8080:8080 and sample http://127.0.0.1:8080/");
    row("gateway-https-server-only",
        gateway(kIstioSelector, json::array({{{"port", {{"number", 8443}, {"protocol", "HTTPS"}}}}})),
        json::array({service("gw",
                             {{"type", "LoadBalancer"},
                              {"selector", kIstioSelector},
                              {"ports", json::array({{{"name", "tls"}, {"port", 8443}}})}},
                             loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "https://203.0.113.10:8443/", "istio-system/gw", "port 8443 (tls), the Gateway serves HTTPS on it",
        "");
    row("gateway-http-server-wins-over-port-names",
        gateway(kIstioSelector, json::array({{{"port", {{"number", 8080}, {"protocol", "HTTP"}}}}})),
        json::array({service(
            "gw",
            {{"type", "LoadBalancer"},
             {"selector", kIstioSelector},
             {"ports", json::array({{{"name", "http"}, {"port", 80}}, {{"name", "alt"}, {"port", 8080}}})}},
            loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "http://203.0.113.10:8080/", "istio-system/gw", "port 8080 (alt), the Gateway serves HTTP on it", "");
    row("https-443-by-number", gateway(kIstioSelector),
        json::array({service("gw",
                             {{"type", "LoadBalancer"},
                              {"selector", kIstioSelector},
                              {"ports", json::array({{{"name", "secure"}, {"port", 443}}})}},
                             loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "https://203.0.113.10/", "istio-system/gw", "port 443 (secure)", "");
    row("no-http-port", gateway(kIstioSelector),
        json::array({service("gw",
                             {{"type", "LoadBalancer"},
                              {"selector", kIstioSelector},
                              {"ports", json::array({{{"name", "tcp"}, {"port", 31400}}})}},
                             loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "", "", "Service istio-system/gw has no HTTP or HTTPS port (ports: tcp 31400)", "");
    // Several Services: the same namespace first, then the closest selector, then LoadBalancer before others;
    // headless Services and Services without selector never count.
    row("best-of-several", gateway(kGatewayPodSelector),
        json::array(
            {service("a-internal", {{"type", "ClusterIP"},
                                    {"selector", kGatewayPodSelector},
                                    {"clusterIP", "10.96.0.9"},
                                    {"ports", kPorts}}),
             service("a-headless", {{"selector", kIstioSelector}, {"clusterIP", "None"}, {"ports", kPorts}}),
             service("b-public", lbSpec, loadBalancer(json::array({{{"ip", "203.0.113.10"}}}))),
             service(
                 "a-wider",
                 {{"type", "LoadBalancer"}, {"selector", {{"istio", "ingressgateway"}}}, {"ports", kPorts}}),
             service("c-unrelated",
                     {{"type", "LoadBalancer"}, {"selector", {{"app", "x"}}}, {"ports", kPorts}}),
             service("elsewhere", lbSpec, loadBalancer(json::array({{{"ip", "192.0.2.99"}}})), "other")}),
        "http://203.0.113.10/", "istio-system/b-public", "selected like the Gateway",
        "other Services match the Gateway's selector too (istio-system/a-internal, istio-system/a-wider, "
        "other/elsewhere); istio-system/b-public was taken as the best match (type LoadBalancer)");
    row("other-namespace-by-selector", gateway(kIstioSelector),
        json::array({service("istio-ingressgateway", lbSpec,
                             loadBalancer(json::array({{{"ip", "192.0.2.99"}}})), "gateways")}),
        "http://192.0.2.99/", "gateways/istio-ingressgateway", "selected like the Gateway", "");
    row("by-name-with-warning", gateway({{"istio", "custom"}}),
        json::array(
            {service("istio-ingressgateway", lbSpec, loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "http://203.0.113.10/", "istio-system/istio-ingressgateway", "(type LoadBalancer, taken by its name)",
        "no Service selects the pods of the Gateway istio-system/ingressgateway (selector istio=custom); "
        "istio-system/istio-ingressgateway was taken by its name: check that it fronts the gateway's pods");
    row("gateway-without-selector-by-name", gateway(json::object()),
        json::array(
            {service("ingressgateway", lbSpec, loadBalancer(json::array({{{"ip", "203.0.113.10"}}})))}),
        "http://203.0.113.10/", "istio-system/ingressgateway", "taken by its name",
        "the Gateway istio-system/ingressgateway has no spec.selector");
    row("no-service", gateway(kIstioSelector),
        json::array({service(
            "mocka", {{"selector", {{"app", "mocka"}}}, {"clusterIP", "10.96.0.30"}, {"ports", kPorts}},
            json::object(), "default")}),
        "", "",
        "no Service selects the pods of the Gateway istio-system/ingressgateway (selector "
        "istio=ingressgateway), "
        "and namespace istio-system has no Service named ingressgateway or istio-ingressgateway",
        "");
    row("external-name-refused", gateway(json::object()),
        json::array({service("istio-ingressgateway",
                             {{"type", "ExternalName"}, {"externalName", "gw.example.com"}})}),
        "", "", "is of type ExternalName (an alias of gw.example.com)", "");
    row("fields-missing-anywhere", gateway(kIstioSelector),
        json::array(
            {json::object(), json{{"metadata", nullptr}}, service("istio-ingressgateway", nullptr, nullptr)}),
        "", "", "has no HTTP or HTTPS port (ports: none)", "");
}

void TestIngress::address()
{
    QFETCH(QString, gatewayJson);
    QFETCH(QString, servicesJson);
    QFETCH(QString, url);
    QFETCH(QString, service);
    QFETCH(QString, says);
    QFETCH(QString, warns);
    Ingress ingress;
    std::vector<json> services;
    for (const auto &s : json::parse(servicesJson.toStdString())) {
        services.push_back(s);
    }
    const auto address = ingressAddress(ingress, json::parse(gatewayJson.toStdString()), services);
    if (url.isEmpty()) {
        QVERIFY2(!address.ok(), address.ok() ? address->url.c_str() : "");
        QVERIFY2(QString::fromStdString(address.error().message).contains(says),
                 address.error().message.c_str());
        return;
    }
    QVERIFY2(address.ok(), address.ok() ? "" : address.error().message.c_str());
    QCOMPARE(QString::fromStdString(address->url), url);
    QCOMPARE(QString::fromStdString(address->service), service);
    QVERIFY2(QString::fromStdString(address->origin).contains(says), address->origin.c_str());
    QCOMPARE(address->byName,
             QString::fromStdString(address->origin).contains(QLatin1String("taken by its name")));
    QString warnings;
    for (const auto &w : address->warnings) {
        warnings += QString::fromStdString(w) + QLatin1Char('\n');
    }
    if (warns.isEmpty()) {
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings));
    } else {
        QVERIFY2(warnings.contains(warns), qPrintable(warnings));
    }
}

void TestIngress::hostAndPath_data()
{
    QTest::addColumn<QStringList>("hosts");
    QTest::addColumn<int>("uriKind");
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("headerMatch");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("warns");
    QTest::addRow("any-host-root") << QStringList{QStringLiteral("*")} << int(StringMatch::Kind::Prefix)
                                   << "/" << false << "http://203.0.113.10/"
                                   << ""
                                   << "";
    QTest::addRow("first-concrete-host")
        << QStringList{QStringLiteral("*.example.com"), QStringLiteral("shop.example.com")}
        << int(StringMatch::Kind::Prefix) << "/api/" << false << "http://203.0.113.10/api/"
        << "shop.example.com"
        << "";
    QTest::addRow("only-wildcards") << QStringList{QStringLiteral("*.example.com")}
                                    << int(StringMatch::Kind::Exact) << "/healthz" << false
                                    << "http://203.0.113.10/healthz"
                                    << ""
                                    << "the group's ingress hosts are wildcards (*.example.com)";
    QTest::addRow("regex-uri") << QStringList{QStringLiteral("*")} << int(StringMatch::Kind::Regex)
                               << "/v[0-9]+/.*" << false << "http://203.0.113.10/"
                               << ""
                               << "matches URIs by the regex /v[0-9]+/.*";
    QTest::addRow("header-match") << QStringList{QStringLiteral("*")} << int(StringMatch::Kind::Prefix) << "/"
                                  << true << "http://203.0.113.10/"
                                  << ""
                                  << "also matches request headers (x-user)";
}

void TestIngress::hostAndPath()
{
    QFETCH(QStringList, hosts);
    QFETCH(int, uriKind);
    QFETCH(QString, uri);
    QFETCH(bool, headerMatch);
    Ingress ingress;
    ingress.hosts.clear();
    for (const auto &h : hosts) {
        ingress.hosts.push_back(h.toStdString());
    }
    ingress.uri = {static_cast<StringMatch::Kind>(uriKind), uri.toStdString()};
    if (headerMatch) {
        ingress.headers.push_back({"x-user", {StringMatch::Kind::Exact, "alice"}});
    }
    const json lb = service("istio-ingressgateway",
                            {{"type", "LoadBalancer"}, {"selector", kIstioSelector}, {"ports", kPorts}},
                            loadBalancer(json::array({{{"ip", "203.0.113.10"}}})));
    const auto address = ingressAddress(ingress, gateway(kIstioSelector), {lb});
    QVERIFY2(address.ok(), address.ok() ? "" : address.error().message.c_str());
    QTEST(QString::fromStdString(address->url), "url");
    QTEST(QString::fromStdString(address->host), "host");
    QFETCH(QString, warns);
    QString warnings;
    for (const auto &w : address->warnings) {
        warnings += QString::fromStdString(w);
    }
    QVERIFY2(warns.isEmpty() ? warnings.isEmpty() : warnings.contains(warns), qPrintable(warnings));
}

QTEST_APPLESS_MAIN(TestIngress)
#include "tst_ingress.moc"

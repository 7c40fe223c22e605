// Preflight analysis (models/kube/analysis.h, lanectl analyze / apply's gate / --adopt) against a REAL
// kube-apiserver holding what a real cluster would: Deployments, StatefulSets, DaemonSets and bare Pods with
// their status written through the status subresource, Pods with and without istio-proxy, namespace
// injection labels, Gateways with their workloads, VirtualServices and DestinationRules the group did not
// make, another lane group's objects, an ASMSwimLaneGroup and what ASM generates from it. Then istioctl
// analyze on the same cluster, side by side (skipped only when istioctl cannot be built).
#include "base/atomicfile.h"
#include "base/yamljson.h"
#include "kube/analysis.h"
#include "kube/discovery.h"
#include "kube/importer.h"
#include "kube/push.h"
#include "lanes/document.h"
#include "mesh/naming.h"
#include "mesh/render.h"
#include "testcluster.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <csignal>
#include <set>

using namespace lanedeck;
using namespace lanedeck::testing;
using nlohmann::json;

Q_DECLARE_METATYPE(mesh::Flavor)

namespace {

/// A Deployment (or StatefulSet, DaemonSet) of `app` whose pod template carries `labels`.
std::string workload(const std::string &kind, const std::string &ns, const std::string &name,
                     const std::string &labels, const std::string &templateExtra = {})
{
    std::string spec = "spec:\n";
    if (kind != "DaemonSet") {
        spec += "  replicas: 1\n";
    }
    if (kind == "StatefulSet") {
        spec += "  serviceName: " + name + "\n";
    }
    return "apiVersion: apps/v1\nkind: " + kind + "\nmetadata: {name: " + name + ", namespace: " + ns +
           "}\n" + spec + "  selector: {matchLabels: " + labels +
           "}\n  template:\n    metadata: {labels: " + labels + templateExtra +
           "}\n    spec: {containers: [{name: app, image: app}]}\n---\n";
}

/// A Pod (owned by a made-up ReplicaSet unless `bare`), with an istio-proxy container when `proxy`.
std::string pod(const std::string &ns, const std::string &name, const std::string &labels, bool proxy,
                bool bare = false)
{
    std::string owner = bare ? std::string()
                             : ", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: " + name +
                                   "-rs, uid: 00000000-0000-0000-0000-000000000001, controller: true}]";
    return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + ", namespace: " + ns +
           ", labels: " + labels + owner +
           "}\nspec:\n  automountServiceAccountToken: false\n  containers:\n  - {name: app, image: app}\n" +
           (proxy ? "  - {name: istio-proxy, image: proxyv2}\n" : "") + "---\n";
}

std::string service(const std::string &ns, const std::string &name, const std::string &ports)
{
    return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns +
           "}\nspec:\n  selector: {app: " + name + "}\n  ports: " + ports + "\n---\n";
}

std::string namespaceYaml(const std::string &ns, const std::string &labels = "{}")
{
    return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + ", labels: " + labels +
           "}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: " + ns +
           "}\n---\n";
}

std::string gateway(const std::string &ns, const std::string &name, const std::string &servers,
                    const std::string &selector)
{
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: " + name +
           ", namespace: " + ns + "}\nspec:\n  selector: " + selector + "\n  servers: " + servers + "\n---\n";
}

/// What a finding must look like: "code|object|lane|service", where * stands for anything.
bool matches(const kube::Finding &f, const QString &pattern)
{
    const QStringList parts = pattern.split(QLatin1Char('|'));
    const std::string fields[] = {f.code, f.object, f.lane, f.service};
    for (int i = 0; i < 4 && i < parts.size(); ++i) {
        if (parts[i] != QLatin1String("*") && parts[i].toStdString() != fields[i]) {
            return false;
        }
    }
    return true;
}

std::string describe(const kube::Analysis &analysis)
{
    std::string text;
    for (const auto &f : analysis.findings) {
        text += kube::toString(f.severity) + " " + f.code + "|" + f.object + "|" + f.lane + "|" + f.service +
                ": " + f.message + "\n";
    }
    for (const auto &n : analysis.notes) {
        text += "note: " + n + "\n";
    }
    return text;
}

/// One scenario: the cluster state (YAML applied with kubectl, then the status of each workload), the
/// group, and what the analysis must and must not find.
struct Scenario
{
    std::string yaml;
    /// "Kind ns/name" -> status (merge-patched through the status subresource).
    std::vector<std::pair<std::string, std::string>> status;
    std::string group; ///< the lane group document
    mesh::Flavor flavor = mesh::Flavor::Istio;
    bool asmCluster = false;
    QStringList present; ///< "code|object|lane|service" each must match a finding
    QStringList absent;  ///< and these none
    std::vector<std::string> istioctlNamespaces;
};

std::string ready(int n)
{
    return "{\"status\":{\"replicas\":" + std::to_string(n) + ",\"readyReplicas\":" + std::to_string(n) +
           "}}";
}
const std::string kPodRunning =
    R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})";

std::string groupDoc(const std::string &name, const std::string &ns, const std::string &gatewayNs,
                     const std::string &gatewayName, const std::string &hosts, const std::string &entry,
                     const std::string &services, const std::string &lanes)
{
    return "apiVersion: lanedeck.io/v1alpha1\nkind: LaneGroup\nmetadata: {name: " + name +
           ", namespace: " + ns +
           "}\nspec:\n  mode: permissive\n  passThrough: baggage\n  routingHeader: x-lane\n  ingress:\n"
           "    gateway: {namespace: " +
           gatewayNs + ", name: " + gatewayName + "}\n    hosts: " + hosts +
           "\n    match: {uri: {prefix: /}}\n    entryService: " + entry + "\n  services: " + services +
           "\n  lanes: " + lanes + "\n";
}

/// The scenario of issue 10: namespace shop, a group generating its own VirtualService and
/// DestinationRule for cart, where cart-timeouts and cart-mtls already hold the operator's settings.
Scenario shopScenario()
{
    Scenario s;
    s.yaml = namespaceYaml("shop") + service("shop", "frontend", "[{name: http, port: 8000}]") +
             service("shop", "cart", "[{name: http, port: 8000}]");
    for (const auto &[app, v] : std::vector<std::pair<std::string, std::string>>{
             {"frontend", "v1"}, {"cart", "v1"}, {"cart", "v2"}}) {
        const std::string labels = "{app: " + app + ", version: " + v + "}";
        s.yaml += workload("Deployment", "shop", app + "-" + v, labels,
                           ", annotations: {sidecar.istio.io/inject: \"true\"}");
        s.yaml += pod("shop", app + "-" + v + "-0", labels, true);
        s.status.push_back({"deployment shop/" + app + "-" + v, ready(1)});
        s.status.push_back({"pod shop/" + app + "-" + v + "-0", kPodRunning});
    }
    s.yaml += gateway("shop", "shop-gateway",
                      "[{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]",
                      "{istio: shop-gateway}");
    s.yaml += workload("Deployment", "shop", "shop-gateway", "{istio: shop-gateway}");
    s.yaml += pod("shop", "shop-gateway-0", "{istio: shop-gateway}", true);
    s.status.push_back({"deployment shop/shop-gateway", ready(1)});
    s.status.push_back({"pod shop/shop-gateway-0", kPodRunning});
    s.yaml +=
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart-timeouts, "
        "namespace: "
        "shop}\nspec:\n  hosts: [cart]\n  http:\n  - route: [{destination: {host: cart}}]\n"
        "    timeout: 2s\n    retries: {attempts: 3, perTryTimeout: 500ms}\n---\n"
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cart-mtls, namespace: "
        "shop}\nspec:\n  host: cart.shop.svc.cluster.local\n  trafficPolicy: {tls: {mode: "
        "ISTIO_MUTUAL}}\n---\n";
    s.group =
        groupDoc("shop", "shop", "shop", "shop-gateway", "[shop.example.com]", "frontend",
                 "[{name: frontend, namespace: shop, port: 8000, calls: [cart]}, "
                 "{name: cart, namespace: shop, port: 8000}]",
                 "[{name: base, label: {key: version, value: v1}, services: [frontend, cart], weight: 100}, "
                 "{name: v2, label: {key: version, value: v2}, services: [cart], weight: 0}]");
    s.present = {QStringLiteral("vs-conflict|VirtualService shop/cart-timeouts|*|cart"),
                 QStringLiteral("dr-conflict|DestinationRule shop/cart-mtls|*|cart")};
    s.absent = {QStringLiteral("workload-missing|*|*|*"), QStringLiteral("sidecar-missing|*|*|*"),
                QStringLiteral("gateway-missing|*|*|*"), QStringLiteral("gateway-host-not-served|*|*|*"),
                QStringLiteral("port-not-http|*|*|*")};
    s.istioctlNamespaces = {"shop"};
    return s;
}

} // namespace

#define VERIFY_RESULT(r) QVERIFY2((r).ok(), (r).ok() ? "" : (r).error().message.c_str())

class TestAnalysis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void hosts_data();
    void hosts();
    void findings_data();
    void findings();
    void readsFewListCalls();
    void inventoryUsesTheDocumentsLabelKey();
    void jsonOutput();
    void istioctlSideBySide_data();
    void istioctlSideBySide();
    void shopScenarioEndToEnd();

private:
    bool prepare(const QString &name, const Scenario &s, QString &groupFile);
    Run lanectl(const QStringList &args) const
    {
        return run(QStringLiteral(LANECTL_PATH), args, QProcessEnvironment::systemEnvironment(), 120'000);
    }
    TestCluster m_istio;
    TestCluster m_asm;
    QString m_kubectl;
    QTemporaryDir m_files;
    std::set<QString> m_prepared;
};

void TestAnalysis::initTestCase()
{
    m_kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
    QVERIFY2(!m_kubectl.isEmpty(), "kubectl is needed to write the cluster state");
    m_istio.flags = {QStringLiteral("--all-istio-crds"), QStringLiteral("--max-lifetime"),
                     QStringLiteral("30m")};
    m_asm.mesh = QStringLiteral("asm");
    m_asm.flags = m_istio.flags;
    QString error;
    QVERIFY2(m_istio.start(error),
             qPrintable(QStringLiteral("the istio test cluster did not start:\n") + error));
    QVERIFY2(m_asm.start(error), qPrintable(QStringLiteral("the asm test cluster did not start:\n") + error));
}

void TestAnalysis::cleanupTestCase()
{
    QVERIFY(m_istio.stop());
    QVERIFY(m_asm.stop());
}

void TestAnalysis::hosts_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("intersect");
    QTest::addRow("same") << "cart.shop.svc.cluster.local"
                          << "cart.shop.svc.cluster.local" << true;
    QTest::addRow("star") << "*"
                          << "shop.example.com" << true;
    QTest::addRow("suffix-wildcard") << "*.example.com"
                                     << "shop.example.com" << true;
    QTest::addRow("both-wildcards") << "*.shop.example.com"
                                    << "*.example.com" << true;
    QTest::addRow("other-suffix") << "*.example.org"
                                  << "shop.example.com" << false;
    QTest::addRow("different") << "cart.shop.svc.cluster.local"
                               << "cart.other.svc.cluster.local" << false;
}

void TestAnalysis::hosts()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, intersect);
    QCOMPARE(kube::hostsIntersect(a.toStdString(), b.toStdString()), intersect);
    QCOMPARE(kube::hostsIntersect(b.toStdString(), a.toStdString()), intersect);
    QCOMPARE(kube::qualifiedHost("cart", "shop"), std::string("cart.shop.svc.cluster.local"));
    QCOMPARE(kube::qualifiedHost("cart.shop", "x"), std::string("cart.shop"));
    QCOMPARE(kube::qualifiedHost("shop.example.com", "x"), std::string("shop.example.com"));
}

static std::vector<std::pair<QString, Scenario>> scenarios()
{
    std::vector<std::pair<QString, Scenario>> out;
    out.push_back({QStringLiteral("shop-conflicts"), shopScenario()});
    {
        // Workloads of every kind, a Service that is missing, one on the wrong port, port names Istio cannot
        // read as HTTP, a lane without workload, one not ready, a baseline not ready, and a hop without
        // sidecar (pod label says no, although the namespace is injected).
        Scenario s;
        const std::string ns = "an-w";
        s.yaml = namespaceYaml(ns, "{istio-injection: enabled}") +
                 service(ns, "front", "[{name: http-web, port: 8000}]") +
                 service(ns, "pay", "[{port: 8000}]") + service(ns, "stock", "[{name: tcp-db, port: 9000}]") +
                 service(ns, "ship", "[{name: http, port: 7000}]");
        s.yaml += workload("Deployment", ns, "front-stable", "{app: front, track: stable}");
        s.yaml += pod(ns, "front-stable-0", "{app: front, track: stable}", true);
        s.yaml += workload("StatefulSet", ns, "front-canary", "{app: front, track: canary}");
        s.yaml += pod(ns, "pay-stable", "{app: pay, track: stable, sidecar.istio.io/inject: \"false\"}",
                      false, true);
        s.yaml += workload("DaemonSet", ns, "stock-stable", "{app: stock, track: stable}");
        s.yaml += workload("Deployment", ns, "ship-stable", "{app: ship, track: stable}");
        s.status = {
            {"deployment an-w/front-stable", ready(2)},
            {"pod an-w/front-stable-0", kPodRunning},
            {"statefulset an-w/front-canary", "{\"status\":{\"replicas\":1,\"readyReplicas\":0}}"},
            {"pod an-w/pay-stable", kPodRunning},
            {"daemonset an-w/stock-stable",
             "{\"status\":{\"desiredNumberScheduled\":1,\"numberReady\":0,\"currentNumberScheduled\":1,"
             "\"numberMisscheduled\":0}}"},
            {"deployment an-w/ship-stable", ready(1)}};
        s.yaml +=
            gateway(ns, "gw", "[{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*.shop.example']}]",
                    "{istio: gw-w}");
        s.yaml += pod(ns, "gw-w", "{istio: gw-w}", true, true);
        s.status.push_back({"pod an-w/gw-w", kPodRunning});
        s.group = groupDoc(
            "w", ns, ns, "gw", "[front.shop.example]", "front",
            "[{name: front, namespace: an-w, port: 8000, calls: [pay]}, "
            "{name: pay, namespace: an-w, port: 8000, calls: [stock]}, "
            "{name: stock, namespace: an-w, port: 9000}, {name: ship, namespace: an-w, port: 8000}, "
            "{name: ghost, namespace: an-w, port: 8000}]",
            "[{name: base, label: {key: track, value: stable}, services: [front, pay, stock, ship, ghost], "
            "weight: 90}, {name: canary, label: {key: track, value: canary}, services: [front, pay], "
            "weight: 10}]");
        s.present = {QStringLiteral("service-missing|Service an-w/ghost||ghost"),
                     QStringLiteral("service-port-missing|Service an-w/ship||ship"),
                     QStringLiteral("port-not-http|Service an-w/pay||pay"),
                     QStringLiteral("port-not-http|Service an-w/stock||stock"),
                     QStringLiteral("workload-not-ready||canary|front"),
                     QStringLiteral("workload-missing||canary|pay"),
                     QStringLiteral("baseline-not-ready||base|stock"),
                     QStringLiteral("sidecar-missing||base|pay")};
        s.absent = {QStringLiteral("sidecar-missing||base|front"),
                    QStringLiteral("workload-missing||base|front"),
                    QStringLiteral("port-not-http|Service an-w/front|*|*"),
                    QStringLiteral("gateway-missing|*|*|*"),
                    QStringLiteral("gateway-host-not-served|*|*|*"),
                    QStringLiteral("gateway-workload-missing|*|*|*"),
                    QStringLiteral("namespace-not-injected|*|*|*"),
                    QStringLiteral("vs-conflict|*|*|*")};
        s.istioctlNamespaces = {ns};
        out.push_back({QStringLiteral("workloads"), s});
    }
    {
        // A Gateway without HTTP server, without the group's host, and without a workload; the namespace is
        // injected by revision.
        Scenario s;
        const std::string ns = "an-i";
        s.yaml = namespaceYaml(ns, "{istio.io/rev: default}") +
                 service(ns, "web", "[{name: http, port: 8000}]") +
                 workload("Deployment", ns, "web-v1", "{app: web, v: one}") +
                 pod(ns, "web-v1-0", "{app: web, v: one}", true);
        s.status = {{"deployment an-i/web-v1", ready(1)}, {"pod an-i/web-v1-0", kPodRunning}};
        s.yaml +=
            gateway(ns, "gw",
                    "[{port: {number: 443, name: tls, protocol: TLS}, hosts: [other.example], tls: {mode: "
                    "PASSTHROUGH}}]",
                    "{istio: nothing-runs-this}");
        s.group =
            groupDoc("i", ns, ns, "gw", "[web.example]", "web", "[{name: web, namespace: an-i, port: 8000}]",
                     "[{name: one, label: {key: v, value: one}, services: [web], weight: 100}]");
        s.present = {QStringLiteral("gateway-no-http-port|Gateway an-i/gw||"),
                     QStringLiteral("gateway-host-not-served|Gateway an-i/gw||"),
                     QStringLiteral("gateway-workload-missing|Gateway an-i/gw||")};
        s.absent = {QStringLiteral("gateway-missing|*|*|*"), QStringLiteral("namespace-not-injected|*|*|*"),
                    QStringLiteral("sidecar-missing|*|*|*"), QStringLiteral("workload-missing|*|*|*")};
        s.istioctlNamespaces = {ns};
        out.push_back({QStringLiteral("ingress"), s});
    }
    {
        // The Gateway the group names does not exist; the namespace holds no injection label and the pods no
        // sidecar.
        Scenario s;
        const std::string ns = "an-g";
        s.yaml = namespaceYaml(ns) + service(ns, "web", "[{name: http, port: 8000}]") +
                 workload("Deployment", ns, "web-v1", "{app: web, v: one}") +
                 pod(ns, "web-v1-0", "{app: web, v: one}", false);
        s.status = {{"deployment an-g/web-v1", ready(1)}, {"pod an-g/web-v1-0", kPodRunning}};
        s.group =
            groupDoc("g", ns, ns, "absent", "['*']", "web", "[{name: web, namespace: an-g, port: 8000}]",
                     "[{name: one, label: {key: v, value: one}, services: [web], weight: 100}]");
        s.present = {QStringLiteral("gateway-missing|Gateway an-g/absent||"),
                     QStringLiteral("namespace-not-injected|Namespace an-g||"),
                     QStringLiteral("sidecar-missing||one|web")};
        s.absent = {QStringLiteral("workload-missing|*|*|*")};
        s.istioctlNamespaces = {ns};
        out.push_back({QStringLiteral("missing-gateway-no-injection"), s});
    }
    {
        // What the group would shadow: an operator's VirtualService (mesh), one for mesh and the gateway
        // managed by Argo CD, one on the gateway for the same host, a DestinationRule with the lanes' subset
        // names, and another LaneDeck group holding service b (pushed by the test before the analysis).
        Scenario s;
        const std::string ns = "an-c";
        s.yaml = namespaceYaml(ns, "{istio-injection: enabled}") +
                 service(ns, "a", "[{name: http, port: 8000}]") +
                 service(ns, "b", "[{name: http, port: 8000}]");
        for (const char *app : {"a", "b"}) {
            const std::string labels = std::string("{app: ") + app + ", v: one}";
            s.yaml += workload("Deployment", ns, std::string(app) + "-one", labels) +
                      pod(ns, std::string(app) + "-one-0", labels, true);
            s.status.push_back({"deployment an-c/" + std::string(app) + "-one", ready(1)});
            s.status.push_back({"pod an-c/" + std::string(app) + "-one-0", kPodRunning});
        }
        s.yaml += gateway(ns, "gw", "[{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]",
                          "{istio: gw-c}") +
                  pod(ns, "gw-c", "{istio: gw-c}", true, true);
        s.status.push_back({"pod an-c/gw-c", kPodRunning});
        s.yaml +=
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a-routes, namespace: "
            "an-c}\n"
            "spec:\n  hosts: [a]\n  http:\n  - route: [{destination: {host: a}}]\n    retries: {attempts: "
            "5}\n---\n"
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: b-everywhere\n"
            "  namespace: an-c\n  annotations: {argocd.argoproj.io/tracking-id: "
            "'shop-app:networking.istio.io/"
            "VirtualService:an-c/b-everywhere'}\nspec:\n  hosts: [b.an-c.svc.cluster.local]\n  gateways: "
            "[mesh, an-c/gw]\n"
            "  http:\n  - route: [{destination: {host: b}}]\n---\n"
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: site, namespace: "
            "an-c}\n"
            "spec:\n  hosts: [c.example]\n  gateways: [gw]\n  http:\n  - route: [{destination: {host: "
            "a}}]\n---\n"
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: a-subsets, "
            "namespace: an-c}\n"
            "spec:\n  host: a\n  subsets: [{name: one, labels: {v: one}}]\n---\n"
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: elsewhere, "
            "namespace: an-c}\n"
            "spec:\n  host: z.an-c.svc.cluster.local\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n---\n";
        s.group = groupDoc(
            "c", ns, ns, "gw", "[c.example]", "a",
            "[{name: a, namespace: an-c, port: 8000, calls: [b]}, {name: b, namespace: an-c, port: 8000}]",
            "[{name: one, label: {key: v, value: one}, services: [a, b], weight: 100}]");
        s.present = {QStringLiteral("vs-conflict|VirtualService an-c/a-routes||a"),
                     QStringLiteral("vs-conflict|VirtualService an-c/b-everywhere||b"),
                     QStringLiteral("gateway-route-overlap|VirtualService an-c/site||"),
                     QStringLiteral("dr-conflict|DestinationRule an-c/a-subsets||a"),
                     QStringLiteral("group-overlap|VirtualService an-c/trafficlabel-vs-other-an-c-b||b"),
                     QStringLiteral("group-overlap|DestinationRule an-c/trafficlabel-dr-other-an-c-b||b"),
                     QStringLiteral("gitops-managed|VirtualService an-c/trafficlabel-vs-c-an-c-a||")};
        s.absent = {QStringLiteral("vs-conflict|VirtualService an-c/trafficlabel-vs-c-an-c-a|*|*"),
                    QStringLiteral("dr-conflict|DestinationRule an-c/elsewhere|*|*"),
                    QStringLiteral("dr-conflict|DestinationRule an-c/trafficlabel-dr-c-an-c-a|*|*")};
        s.istioctlNamespaces = {ns};
        out.push_back({QStringLiteral("coexistence"), s});
    }
    {
        // ASM's own lane group holds service a, and ASM's controller made a VirtualService for it.
        Scenario s;
        const std::string ns = "an-asm";
        s.asmCluster = true;
        s.flavor = mesh::Flavor::Asm;
        s.yaml = namespaceYaml(ns, "{istio-injection: enabled}") +
                 service(ns, "a", "[{name: http, port: 8000}]") +
                 workload("Deployment", ns, "a-one", "{app: a, ASM_TRAFFIC_TAG: one}") +
                 pod(ns, "a-one-0", "{app: a, ASM_TRAFFIC_TAG: one}", true);
        s.status = {{"deployment an-asm/a-one", ready(1)}, {"pod an-asm/a-one-0", kPodRunning}};
        s.yaml += gateway(ns, "gw", "[{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]",
                          "{istio: gw-a}") +
                  pod(ns, "gw-a", "{istio: gw-a}", true, true);
        s.status.push_back({"pod an-asm/gw-a", kPodRunning});
        s.yaml +=
            "apiVersion: istio.alibabacloud.com/v1\nkind: ASMSwimLaneGroup\nmetadata: {name: asm-lanes}\n"
            "spec:\n  services: [{name: a, namespace: an-asm}]\n---\n"
            "apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: asm-lanes-a\n"
            "  namespace: an-asm\n  labels: {swimlane-group: asm-lanes, asm-system: 'true', provider: asm}\n"
            "spec:\n  hosts: [a.an-asm.svc.cluster.local]\n  http:\n  - route: [{destination: {host: "
            "a}}]\n---\n";
        s.group =
            groupDoc("mine", ns, ns, "gw", "['*']", "a", "[{name: a, namespace: an-asm, port: 8000}]",
                     "[{name: one, label: {key: ASM_TRAFFIC_TAG, value: one}, services: [a], weight: 100}]");
        s.present = {QStringLiteral("asm-lane-group-overlap|ASMSwimLaneGroup asm-lanes||a"),
                     QStringLiteral("asm-lane-group-overlap|VirtualService an-asm/asm-lanes-a||a")};
        s.absent = {QStringLiteral("vs-conflict|*|*|*"), QStringLiteral("flavor-unsupported|*|*|*")};
        out.push_back({QStringLiteral("asm-lane-group"), s});
    }
    {
        // The asm flavor on upstream Istio, and services in a namespace that does not exist.
        Scenario s;
        s.flavor = mesh::Flavor::Asm;
        s.group = groupDoc("v", "an-nowhere", "an-nowhere", "gw", "['*']", "a",
                           "[{name: a, namespace: an-nowhere, port: 8000}]",
                           "[{name: one, label: {key: v, value: one}, services: [a], weight: 100}]");
        s.present = {QStringLiteral("flavor-unsupported|||"),
                     QStringLiteral("namespace-missing|Namespace an-nowhere||a"),
                     QStringLiteral("istiod-not-found|||")};
        s.absent = {QStringLiteral("service-missing|*|*|*")};
        out.push_back({QStringLiteral("version-and-namespace"), s});
    }
    return out;
}

bool TestAnalysis::prepare(const QString &name, const Scenario &s, QString &groupFile)
{
    groupFile = m_files.filePath(name + QStringLiteral(".lanes.yaml"));
    if (!writeFileAtomically(groupFile.toStdString(), s.group).ok()) {
        return false;
    }
    if (m_prepared.count(name) || s.yaml.empty()) {
        return true;
    }
    const TestCluster &cluster = s.asmCluster ? m_asm : m_istio;
    const QStringList kc{QStringLiteral("--kubeconfig"), cluster.kubeconfig()};
    const QString file = m_files.filePath(name + QStringLiteral(".cluster.yaml"));
    if (!writeFileAtomically(file.toStdString(), s.yaml).ok()) {
        return false;
    }
    // Namespaces first (kubectl applies in file order, but a namespace must exist before what it holds).
    Run apply = run(m_kubectl, kc + QStringList{QStringLiteral("apply"), QStringLiteral("-f"), file});
    if (apply.exitCode != 0) {
        apply = run(m_kubectl, kc + QStringList{QStringLiteral("apply"), QStringLiteral("-f"), file});
    }
    if (apply.exitCode != 0) {
        qWarning("kubectl apply: %s", apply.err.constData());
        return false;
    }
    // No controllers run in the test cluster: write each workload's status as they would.
    for (const auto &[object, status] : s.status) {
        const QString ref = QString::fromStdString(object);
        const QString kind = ref.section(QLatin1Char(' '), 0, 0);
        const QString ns = ref.section(QLatin1Char(' '), 1).section(QLatin1Char('/'), 0, 0);
        const QString objectName = ref.section(QLatin1Char('/'), 1);
        Run patch = run(m_kubectl, kc + QStringList{QStringLiteral("-n"), ns, QStringLiteral("patch"), kind,
                                                    objectName, QStringLiteral("--subresource=status"),
                                                    QStringLiteral("--type=merge"), QStringLiteral("-p"),
                                                    QString::fromStdString(status)});
        if (patch.exitCode != 0) {
            qWarning("kubectl patch %s: %s", qPrintable(ref), patch.err.constData());
            return false;
        }
    }
    if (name == QLatin1String("coexistence")) {
        // Another LaneDeck group holding b, and this group's own objects already pushed (and then put under
        // Flux by someone): the analysis must not report its own objects as foreign.
        auto client = clientFor(cluster.kubeconfig());
        LaneGroup other = parseLaneGroup(s.group, "other").group;
        other.name = "other";
        other.services = {other.services[1]};
        other.services[0].calls.clear();
        other.ingress.entryService = "b";
        other.ingress.hosts = {"other.example"};
        other.lanes[0].services = {"b"};
        for (const LaneGroup &g : {other, parseLaneGroup(s.group, "c").group}) {
            auto pushed = kube::push(*client, g, {mesh::Flavor::Istio, {}}, {});
            if (!pushed || !pushed->ok()) {
                qWarning("push of %s failed", g.name.c_str());
                return false;
            }
        }
        Run label = run(m_kubectl, kc + QStringList{QStringLiteral("-n"), QStringLiteral("an-c"),
                                                    QStringLiteral("label"), QStringLiteral("virtualservice"),
                                                    QStringLiteral("trafficlabel-vs-c-an-c-a"),
                                                    QStringLiteral("kustomize.toolkit.fluxcd.io/name=mesh")});
        if (label.exitCode != 0) {
            qWarning("kubectl label: %s", label.err.constData());
            return false;
        }
    }
    m_prepared.insert(name);
    return true;
}

void TestAnalysis::findings_data()
{
    QTest::addColumn<QString>("name");
    for (const auto &[name, s] : scenarios()) {
        QTest::addRow("%s", qPrintable(name)) << name;
    }
}

void TestAnalysis::findings()
{
    QFETCH(QString, name);
    Scenario s;
    for (const auto &[n, sc] : scenarios()) {
        if (n == name) {
            s = sc;
        }
    }
    QString groupFile;
    QVERIFY(prepare(name, s, groupFile));
    const LoadedDocument doc = parseLaneGroup(s.group, name.toStdString());
    const auto problems = checkDocument(doc);
    QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().toString().c_str());
    auto client = clientFor((s.asmCluster ? m_asm : m_istio).kubeconfig());
    QVERIFY(client);
    auto analysis = kube::analyze(*client, doc.group, {s.flavor, {}});
    VERIFY_RESULT(analysis);
    const std::string text = describe(*analysis);
    for (const auto &pattern : s.present) {
        const bool found = std::any_of(analysis->findings.begin(), analysis->findings.end(),
                                       [&](const kube::Finding &f) { return matches(f, pattern); });
        QVERIFY2(found, qPrintable(QStringLiteral("no finding ") + pattern + QStringLiteral(" in:\n") +
                                   QString::fromStdString(text)));
    }
    for (const auto &pattern : s.absent) {
        const bool found = std::any_of(analysis->findings.begin(), analysis->findings.end(),
                                       [&](const kube::Finding &f) { return matches(f, pattern); });
        QVERIFY2(!found, qPrintable(QStringLiteral("unexpected finding ") + pattern +
                                    QStringLiteral(" in:\n") + QString::fromStdString(text)));
    }
    for (const auto &f : analysis->findings) {
        QVERIFY2(!f.message.empty() && !f.fix.empty(), (f.code + " without message or fix").c_str());
    }
}

void TestAnalysis::readsFewListCalls()
{
    // Discovery (networking.istio.io, istio.alibabacloud.com, the VirtualService CRD, one call per served
    // version) and then one list per kind, however many services and lanes the group holds.
    QString groupFile;
    const Scenario s = shopScenario();
    QVERIFY(prepare(QStringLiteral("shop-conflicts"), s, groupFile));
    auto client = clientFor(m_istio.kubeconfig());
    auto state = kube::readClusterState(*client, parseLaneGroup(s.group, "shop").group);
    VERIFY_RESULT(state);
    QVERIFY(state->unreadable.empty());
    const std::size_t versions = state->mesh->istioVersions.size();
    QCOMPARE(state->requests, 3 + versions + 10);
    QVERIFY(!state->deployments.empty() && !state->pods.empty() && !state->virtualServices.empty());
}

void TestAnalysis::shopScenarioEndToEnd()
{
    // Issue 10's "Done when": apply stops with the two conflicts named and the fix offered; --adopt, the
    // push and the offered deletion; cart's generated VirtualService and DestinationRule carry the timeout,
    // retries and tls mode; the analysis then finds no conflict; import keeps the adopted settings.
    const Scenario s = shopScenario();
    QString groupFile;
    QVERIFY(prepare(
        QStringLiteral("shop-e2e"),
        [&] {
            Scenario copy = s;
            copy.yaml.clear(); // the cluster state is the shop-conflicts scenario's
            return copy;
        }(),
        groupFile));
    QString unused;
    QVERIFY(prepare(QStringLiteral("shop-conflicts"), s, unused));
    const QStringList kc{QStringLiteral("--kubeconfig"), m_istio.kubeconfig(), QStringLiteral("--flavor"),
                         QStringLiteral("istio")};
    Run stopped = lanectl(QStringList{QStringLiteral("apply"), groupFile} + kc);
    QCOMPARE(stopped.exitCode, 1);
    QVERIFY2(stopped.err.contains("[vs-conflict] VirtualService shop/cart-timeouts"),
             stopped.err.constData());
    QVERIFY2(stopped.err.contains("[dr-conflict] DestinationRule shop/cart-mtls"), stopped.err.constData());
    QVERIFY2(stopped.err.contains("--adopt"), stopped.err.constData());
    QVERIFY2(stopped.err.contains("--ignore-analysis"), stopped.err.constData());
    auto client = clientFor(m_istio.kubeconfig());
    const std::string vsPath = "/apis/networking.istio.io/v1/namespaces/shop/virtualservices/";
    const std::string drPath = "/apis/networking.istio.io/v1/namespaces/shop/destinationrules/";
    QVERIFY(client->send(kube::Request{"GET", vsPath + "trafficlabel-vs-shop-shop-cart", {}, {}}).notFound());

    const QString adopted = m_files.filePath(QStringLiteral("shop-adopted.lanes.yaml"));
    Run adopt = lanectl(QStringList{QStringLiteral("analyze"), groupFile, QStringLiteral("--adopt"),
                                    QStringLiteral("-o"), adopted} +
                        kc);
    QVERIFY2(adopt.exitCode == 0, adopt.err.constData());
    QVERIFY2(adopt.err.contains("adopted the settings of VirtualService shop/cart-timeouts"),
             adopt.err.constData());
    const LoadedDocument doc = loadLaneGroupFile(adopted.toStdString());
    QVERIFY(checkDocument(doc).empty());
    const Service *cart = doc.group.service("cart");
    QCOMPARE(cart->adopted.route.value("timeout", ""), std::string("2s"));
    QCOMPARE(cart->adopted.route["retries"].value("attempts", 0), 3);
    QCOMPARE(cart->adopted.trafficPolicy["tls"].value("mode", ""), std::string("ISTIO_MUTUAL"));
    QVERIFY(doc.group.service("frontend")->adopted.empty());

    // Pushed without --delete-adopted: the old objects stay, and their deletion is offered.
    Run pushed = lanectl(QStringList{QStringLiteral("apply"), adopted} + kc);
    QVERIFY2(pushed.exitCode == 0, pushed.err.constData());
    QVERIFY2(pushed.err.contains("adopted-object-present") && pushed.err.contains("--delete-adopted"),
             pushed.err.constData());
    QVERIFY(client->send(kube::Request{"GET", vsPath + "cart-timeouts", {}, {}}).ok());
    Run deleted =
        lanectl(QStringList{QStringLiteral("apply"), adopted, QStringLiteral("--delete-adopted")} + kc);
    QVERIFY2(deleted.exitCode == 0, deleted.err.constData());
    QVERIFY2(deleted.out.contains("VirtualService shop/cart-timeouts") && deleted.out.contains("deleted"),
             deleted.out.constData());
    QVERIFY(client->send(kube::Request{"GET", vsPath + "cart-timeouts", {}, {}}).notFound());
    QVERIFY(client->send(kube::Request{"GET", drPath + "cart-mtls", {}, {}}).notFound());

    const json vs =
        client->send(kube::Request{"GET", vsPath + "trafficlabel-vs-shop-shop-cart", {}, {}}).json();
    QVERIFY(vs["spec"]["http"].size() >= 2);
    for (const auto &rule : vs["spec"]["http"]) {
        QCOMPARE(rule.value("timeout", ""), std::string("2s"));
        QCOMPARE(rule["retries"].value("attempts", 0), 3);
    }
    const json dr =
        client->send(kube::Request{"GET", drPath + "trafficlabel-dr-shop-shop-cart", {}, {}}).json();
    QCOMPARE(dr["spec"]["trafficPolicy"]["tls"].value("mode", ""), std::string("ISTIO_MUTUAL"));

    Run after = lanectl(
        QStringList{QStringLiteral("analyze"), adopted, QStringLiteral("-o"), QStringLiteral("json")} + kc);
    QVERIFY2(after.exitCode == 0, after.err.constData());
    const json report = json::parse(after.out.toStdString());
    for (const auto &f : report["findings"]) {
        QVERIFY2(f["code"] != "vs-conflict" && f["code"] != "dr-conflict" &&
                     f["code"] != "adopted-object-present",
                 f.dump().c_str());
    }
    auto imported = kube::importGroup(*client, "shop", "shop");
    VERIFY_RESULT(imported);
    QCOMPARE(imported->group.service("cart")->adopted, cart->adopted);
}

void TestAnalysis::inventoryUsesTheDocumentsLabelKey()
{
    QString groupFile;
    const Scenario s = shopScenario();
    QVERIFY(prepare(QStringLiteral("shop-conflicts"), s, groupFile));
    Run inventory =
        lanectl({QStringLiteral("inventory"), QStringLiteral("-n"), QStringLiteral("shop"),
                 QStringLiteral("--lanes"), groupFile, QStringLiteral("--kubeconfig"), m_istio.kubeconfig()});
    QVERIFY2(inventory.exitCode == 0, inventory.err.constData());
    const QList<QByteArray> lines = inventory.out.split('\n');
    QVERIFY2(lines.front().contains("VERSION") || lines.front().contains("version"),
             inventory.out.constData());
    QVERIFY2(!lines.front().contains("ASM_TRAFFIC_TAG"), inventory.out.constData());
    bool v2 = false;
    for (const auto &line : lines) {
        v2 |= line.contains("cart-v2") && line.simplified().split(' ').contains("v2");
    }
    QVERIFY2(v2, inventory.out.constData());
}

void TestAnalysis::jsonOutput()
{
    QString groupFile;
    const Scenario s = shopScenario();
    QVERIFY(prepare(QStringLiteral("shop-conflicts"), s, groupFile));
    const QStringList kc{QStringLiteral("--kubeconfig"), m_istio.kubeconfig()};
    for (const char *format : {"json", "yaml"}) {
        Run r = lanectl(QStringList{QStringLiteral("inventory"), QStringLiteral("-n"), QStringLiteral("shop"),
                                    QStringLiteral("-o"), QString::fromLatin1(format)} +
                        kc);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto parsed = parseYamlStream(r.out.toStdString(), "out");
        VERIFY_RESULT(parsed);
        const json &value = parsed->front();
        bool cartV2 = false;
        for (const auto &svc : value["services"]) {
            for (const auto &w : svc["workloads"]) {
                cartV2 |= w["name"] == "cart-v2";
            }
        }
        QVERIFY2(cartV2, r.out.constData());
    }
    Run bad =
        lanectl(QStringList{QStringLiteral("inventory"), QStringLiteral("-o"), QStringLiteral("xml")} + kc);
    QCOMPARE(bad.exitCode, 2);
}

// ---- istioctl side by side -------------------------------------------------------------------------------

void TestAnalysis::istioctlSideBySide_data()
{
    findings_data();
}

void TestAnalysis::istioctlSideBySide()
{
    QFETCH(QString, name);
    Scenario s;
    for (const auto &[n, sc] : scenarios()) {
        if (n == name) {
            s = sc;
        }
    }
    if (s.istioctlNamespaces.empty()) {
        QSKIP("istioctl analyze has nothing to say about a namespace that does not exist or ASM's objects");
    }
    const Run built =
        run(QStringLiteral(LANEDECK_SOURCE_DIR "/scripts/istioctl.sh"), {QStringLiteral("build")});
    const QString istioctl = QString::fromUtf8(built.out.trimmed());
    if (built.exitCode != 0 || !QFileInfo(istioctl).isExecutable()) {
        QSKIP(qPrintable(QStringLiteral("istioctl could not be built (scripts/istioctl.sh build): ") +
                         QString::fromUtf8(built.err.right(500))));
    }
    QString groupFile;
    QVERIFY(prepare(name, s, groupFile));
    const TestCluster &cluster = s.asmCluster ? m_asm : m_istio;
    auto client = clientFor(cluster.kubeconfig());
    const LaneGroup group = parseLaneGroup(s.group, "g").group;
    // The group pushed (ignoring its own analysis), as istioctl sees it after a push.
    auto pushed = kube::push(*client, group, {s.flavor, {}}, {});
    VERIFY_RESULT(pushed);
    QVERIFY2(pushed->ok(), pushed->results.empty() ? "" : pushed->results.front().message.c_str());
    auto analysis = kube::analyze(*client, group, {s.flavor, {}});
    VERIFY_RESULT(analysis);
    auto rendered = mesh::render(group, {s.flavor, {}});
    VERIFY_RESULT(rendered);
    // The group's objects: what it generates, its Services and namespaces, its Gateway, and what it shadows.
    std::set<std::string> groupObjects;
    for (const auto &r : rendered->resources) {
        groupObjects.insert(r.displayName());
    }
    for (const auto &svc : group.services) {
        groupObjects.insert("Service " + svc.ns + "/" + svc.name);
        groupObjects.insert("Namespace " + svc.ns);
    }
    groupObjects.insert("Gateway " + group.ingress.gatewayNamespace + "/" + group.ingress.gatewayName);
    for (const auto &f : analysis->findings) {
        if (!f.object.empty()) {
            groupObjects.insert(f.object);
        }
    }
    std::set<std::string> istioCodes;
    std::set<std::string> ourCodes;
    for (const auto &f : analysis->findings) {
        ourCodes.insert(f.code);
    }
    std::string uncovered;
    for (const auto &ns : s.istioctlNamespaces) {
        const Run r = run(istioctl, {QStringLiteral("analyze"), QStringLiteral("-n"),
                                     QString::fromStdString(ns), QStringLiteral("--kubeconfig"),
                                     cluster.kubeconfig(), QStringLiteral("-o"), QStringLiteral("json")});
        auto start = r.out.indexOf('[');
        QVERIFY2(start >= 0, qPrintable(QStringLiteral("istioctl analyze gave no JSON: ") +
                                        QString::fromUtf8(r.out + r.err)));
        const json messages = json::parse(r.out.mid(start).toStdString(), nullptr, false);
        QVERIFY2(messages.is_array(), r.out.constData());
        for (const auto &m : messages) {
            const std::string code = m.value("code", "");
            // origin: "VirtualService shop/cart-timeouts" (older istioctl: "networking.istio.io/v1,
            // Kind=...")
            std::string origin = m.value("origin", "");
            if (const auto kind = origin.find("Kind="); kind != std::string::npos) {
                origin = origin.substr(kind + 5);
            }
            if (!groupObjects.contains(origin) && origin.rfind("Pod ", 0) != 0) {
                continue;
            }
            istioCodes.insert(code);
            const bool covered = std::any_of(
                analysis->findings.begin(), analysis->findings.end(), [&](const kube::Finding &f) {
                    return f.object == origin ||
                           std::find(f.related.begin(), f.related.end(), origin) != f.related.end() ||
                           (origin.rfind("Pod ", 0) == 0 && f.code == "sidecar-missing");
                });
            if (!covered) {
                uncovered += code + " " + origin + ": " + m.value("message", "") + "\n";
            }
        }
    }
    std::string codes = "istioctl:";
    for (const auto &c : istioCodes) {
        codes += " " + c;
    }
    codes += " | lanedeck:";
    for (const auto &c : ourCodes) {
        codes += " " + c;
    }
    qInfo("side by side %s: %s", qPrintable(name), codes.c_str());
    if (name != QLatin1String("coexistence")) {
        auto removed = kube::deleteGroup(*client, group.name, group.ns);
        VERIFY_RESULT(removed);
    }
    QVERIFY2(uncovered.empty(), ("istioctl messages about the group's objects without a LaneDeck finding:\n" +
                                 uncovered + "LaneDeck:\n" + describe(*analysis))
                                    .c_str());
}

QTEST_GUILESS_MAIN(TestAnalysis)
#include "tst_analysis.moc"

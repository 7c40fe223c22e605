#include "kube/analysis.h"

#include "mesh/naming.h"
#include "mesh/render.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <set>
#include <tuple>

namespace lanedeck::kube {
namespace {

using nlohmann::json;
using StringMap = std::map<std::string, std::string>;

/// Where Istio's sidecar container is called so (injected, or in the pod template by hand).
constexpr const char *kProxyContainer = "istio-proxy";
constexpr const char *kInjectLabel = "sidecar.istio.io/inject";

StringMap stringMap(const json &object)
{
    StringMap out;
    if (object.is_object()) {
        for (const auto &[k, v] : object.items()) {
            if (v.is_string()) {
                out[k] = v.get<std::string>();
            }
        }
    }
    return out;
}

std::string str(const json &object, const char *key)
{
    if (object.is_object()) {
        const auto it = object.find(key);
        if (it != object.end() && it->is_string()) {
            return it->get<std::string>();
        }
    }
    return {};
}

int integer(const json &object, const char *key, int fallback)
{
    if (object.is_object()) {
        const auto it = object.find(key);
        if (it != object.end() && it->is_number_integer()) {
            return it->get<int>();
        }
    }
    return fallback;
}

const json &arrayMember(const json &object, const char *key)
{
    static const json empty = json::array();
    if (object.is_object()) {
        const auto it = object.find(key);
        if (it != object.end() && it->is_array()) {
            return *it;
        }
    }
    return empty;
}

std::string nameOf(const json &object)
{
    return str(metadataOf(object), "name");
}
std::string nsOf(const json &object)
{
    return str(metadataOf(object), "namespace");
}
StringMap labelsOf(const json &object)
{
    return stringMap(objectMember(metadataOf(object), "labels"));
}
StringMap annotationsOf(const json &object)
{
    return stringMap(objectMember(metadataOf(object), "annotations"));
}

std::string display(const std::string &kind, const json &object)
{
    const std::string ns = nsOf(object);
    return kind + ' ' + (ns.empty() ? nameOf(object) : ns + '/' + nameOf(object));
}

bool selects(const StringMap &selector, const StringMap &labels)
{
    if (selector.empty()) {
        return false;
    }
    for (const auto &[k, v] : selector) {
        const auto it = labels.find(k);
        if (it == labels.end() || it->second != v) {
            return false;
        }
    }
    return true;
}

std::string describeSelector(const StringMap &selector)
{
    std::string out;
    for (const auto &[k, v] : selector) {
        out += (out.empty() ? "" : ",") + k + '=' + v;
    }
    return out;
}

std::string joined(const std::vector<std::string> &items, const std::string &separator = ", ")
{
    std::string out;
    for (const auto &i : items) {
        out += (out.empty() ? "" : separator) + i;
    }
    return out;
}

bool hasProxyContainer(const json &podSpec)
{
    for (const char *list : {"containers", "initContainers"}) {
        for (const auto &c : arrayMember(podSpec, list)) {
            if (str(c, "name") == kProxyContainer) {
                return true;
            }
        }
    }
    return false;
}

/// A pod template of any workload kind, or a bare pod, with what the checks need from it.
struct Workload
{
    std::string display; ///< "Deployment shop/cart-v2"
    std::string ns;
    StringMap labels;      ///< the pod template's
    StringMap annotations; ///< the pod template's
    int ready = 0;
    int desired = 0;
    bool proxyInTemplate = false;
};

bool ownedByController(const json &object)
{
    for (const auto &ref : arrayMember(metadataOf(object), "ownerReferences")) {
        if (ref.is_object() && ref.value("controller", false)) {
            return true;
        }
    }
    return false;
}

bool podReady(const json &pod)
{
    const json &status = objectMember(pod, "status");
    if (str(status, "phase") != "Running") {
        return false;
    }
    for (const auto &c : arrayMember(status, "conditions")) {
        if (str(c, "type") == "Ready") {
            return str(c, "status") == "True";
        }
    }
    return false;
}

std::vector<Workload> collectWorkloads(const ClusterState &state)
{
    std::vector<Workload> out;
    auto fromTemplate = [&](const char *kind, const json &object, int ready, int desired) {
        const json &tmpl = objectMember(objectMember(object, "spec"), "template");
        out.push_back({display(kind, object), nsOf(object),
                       stringMap(objectMember(objectMember(tmpl, "metadata"), "labels")),
                       stringMap(objectMember(objectMember(tmpl, "metadata"), "annotations")), ready, desired,
                       hasProxyContainer(objectMember(tmpl, "spec"))});
    };
    for (const auto &d : state.deployments) {
        fromTemplate("Deployment", d, integer(objectMember(d, "status"), "readyReplicas", 0),
                     integer(objectMember(d, "spec"), "replicas", 1));
    }
    for (const auto &s : state.statefulSets) {
        fromTemplate("StatefulSet", s, integer(objectMember(s, "status"), "readyReplicas", 0),
                     integer(objectMember(s, "spec"), "replicas", 1));
    }
    for (const auto &d : state.daemonSets) {
        fromTemplate("DaemonSet", d, integer(objectMember(d, "status"), "numberReady", 0),
                     integer(objectMember(d, "status"), "desiredNumberScheduled", 0));
    }
    // A ReplicaSet or Pod that a controller owns is counted through its owner.
    for (const auto &r : state.replicaSets) {
        if (!ownedByController(r)) {
            fromTemplate("ReplicaSet", r, integer(objectMember(r, "status"), "readyReplicas", 0),
                         integer(objectMember(r, "spec"), "replicas", 1));
        }
    }
    for (const auto &p : state.pods) {
        if (!ownedByController(p)) {
            out.push_back({display("Pod", p), nsOf(p), labelsOf(p), annotationsOf(p), podReady(p) ? 1 : 0, 1,
                           hasProxyContainer(objectMember(p, "spec"))});
        }
    }
    return out;
}

/// Whether Istio reads a Service port as HTTP: its appProtocol, else its name's prefix (protocol
/// selection). Empty: it cannot tell and sniffs; "tcp" etc.: explicitly something else.
std::string portProtocol(const json &port)
{
    std::string protocol = str(port, "appProtocol");
    if (protocol.empty()) {
        const std::string name = str(port, "name");
        protocol = name.substr(0, name.find('-'));
    }
    std::transform(protocol.begin(), protocol.end(), protocol.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return protocol;
}

bool isHttpProtocol(const std::string &protocol)
{
    static const std::set<std::string> http{"http", "http2", "grpc", "grpc-web", "kubernetes.io/h2c"};
    return http.contains(protocol);
}

struct TrackedBy
{
    std::string tool; ///< "Argo CD" or "Flux"
    std::string owner;
};

std::optional<TrackedBy> gitOpsOwner(const json &object)
{
    const StringMap labels = labelsOf(object);
    const StringMap annotations = annotationsOf(object);
    if (const auto it = annotations.find("argocd.argoproj.io/tracking-id"); it != annotations.end()) {
        return TrackedBy{"Argo CD", "application " + it->second.substr(0, it->second.find(':'))};
    }
    if (const auto it = labels.find("argocd.argoproj.io/instance"); it != labels.end()) {
        return TrackedBy{"Argo CD", "application " + it->second};
    }
    for (const char *kind : {"kustomize", "helm"}) {
        const std::string prefix = std::string(kind) + ".toolkit.fluxcd.io/";
        if (const auto it = labels.find(prefix + "name"); it != labels.end()) {
            const auto ns = labels.find(prefix + "namespace");
            return TrackedBy{"Flux",
                             std::string(kind == std::string("helm") ? "HelmRelease " : "Kustomization ") +
                                 (ns == labels.end() ? "" : ns->second + '/') + it->second};
        }
    }
    return std::nullopt;
}

/// The route settings in a VirtualService's HTTP rules and the policy of a DestinationRule that a push of
/// lanes would shadow (the fields `--adopt` carries over).
std::vector<std::string> routeSettingsIn(const json &vs)
{
    std::set<std::string> found;
    for (const auto &rule : arrayMember(objectMember(vs, "spec"), "http")) {
        for (const auto &key : adoptableRouteKeys()) {
            if (rule.is_object() && rule.contains(key)) {
                found.insert(key);
            }
        }
    }
    return {found.begin(), found.end()};
}

std::vector<std::string> policySettingsIn(const json &dr)
{
    std::vector<std::string> found;
    const json &policy = objectMember(objectMember(dr, "spec"), "trafficPolicy");
    if (policy.is_object()) {
        for (const auto &[k, v] : policy.items()) {
            (void)v;
            found.push_back(k);
        }
    }
    return found;
}

/// Objects by (namespace, label key, label value), so that finding what a selector picks looks at the few
/// objects that carry its rarest label instead of all of them (a group of 1,000 services x 20 lanes).
template <class T> class LabelIndex
{
public:
    void add(const std::string &ns, const StringMap &labels, const T *item)
    {
        for (const auto &[k, v] : labels) {
            m_index[{ns, k, v}].push_back(item);
        }
    }

    /// The candidates that may match `selector` in `ns` (a superset; empty for an empty selector).
    const std::vector<const T *> &candidates(const std::string &ns, const StringMap &selector) const
    {
        static const std::vector<const T *> none;
        const std::vector<const T *> *best = nullptr;
        for (const auto &[k, v] : selector) {
            const auto it = m_index.find({ns, k, v});
            if (it == m_index.end()) {
                return none;
            }
            if (!best || it->second.size() < best->size()) {
                best = &it->second;
            }
        }
        return best ? *best : none;
    }

private:
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<const T *>> m_index;
};

class Analyzer
{
public:
    Analyzer(const LaneGroup &group, const mesh::RenderOptions &render, const ClusterState &state)
        : m_group(group), m_render(render), m_state(state), m_workloads(collectWorkloads(state))
    {
        for (const auto &ns : state.namespaces) {
            m_namespaces[nameOf(ns)] = &ns;
        }
        for (const auto &w : m_workloads) {
            m_workloadIndex.add(w.ns, w.labels, &w);
        }
        for (const auto &p : state.pods) {
            m_podLabels.push_back(labelsOf(p));
            m_podIndex.add(nsOf(p), m_podLabels.back(), &p);
        }
        for (const auto &s : state.services) {
            m_services[{nsOf(s), nameOf(s)}] = &s;
        }
        if (auto rendered = mesh::render(group, render)) {
            for (const auto &r : rendered->resources) {
                m_ours.insert(r.displayName());
            }
        } else {
            m_out.notes.push_back("coexistence: the group does not render (" + rendered.error().message +
                                  ")");
        }
        for (const auto &g : state.asmLaneGroups) {
            m_asmGroups.insert(nameOf(g));
        }
    }

    Analysis run()
    {
        for (const auto &u : m_state.unreadable) {
            m_out.notes.push_back("not read: " + u);
        }
        versionFit();
        workloads();
        ingress();
        coexistence();
        gitOpsOfOurs();
        std::stable_sort(m_out.findings.begin(), m_out.findings.end(),
                         [](const Finding &a, const Finding &b) {
                             return std::tie(a.severity, a.object, a.lane, a.service, a.code) <
                                    std::tie(b.severity, b.object, b.lane, b.service, b.code);
                         });
        return std::move(m_out);
    }

private:
    void add(Finding f) { m_out.findings.push_back(std::move(f)); }

    bool isIstioFlavor() const { return m_render.flavor == mesh::Flavor::Istio; }

    std::string ourDestinationRule(const Service &s) const
    {
        return "DestinationRule " + m_group.ns + '/' + mesh::destinationRuleName(m_group, s);
    }
    std::string ourVirtualService(const Service &s) const
    {
        return "VirtualService " + m_group.ns + '/' + mesh::virtualServiceName(m_group, s);
    }
    std::string ourIngressVirtualService() const
    {
        return "VirtualService " + m_group.ns + '/' + mesh::ingressVirtualServiceName(m_group);
    }
    /// The group's own objects a finding about `s` concerns (none for asm-crd, whose objects ASM makes).
    std::vector<std::string> ourObjects(const Service &s) const
    {
        if (m_render.flavor == mesh::Flavor::AsmCrd) {
            return {};
        }
        return {ourVirtualService(s), ourDestinationRule(s)};
    }

    void versionFit()
    {
        if (!m_state.mesh) {
            m_out.notes.push_back("version fit: the mesh APIs could not be discovered");
            return;
        }
        const bool needsHp =
            m_render.flavor == mesh::Flavor::Asm && m_group.passThrough == PassThrough::Baggage;
        if (auto ok = checkFlavor(*m_state.mesh, m_render, needsHp); !ok) {
            add({"flavor-unsupported",
                 Severity::Error,
                 {},
                 {},
                 {},
                 {},
                 ok.error().message,
                 "render for a flavor this cluster serves (asm, istio, asm-crd), or connect to the mesh's "
                 "cluster"});
        }
        const json *istiod = nullptr;
        for (const auto &d : m_state.deployments) {
            const StringMap labels = labelsOf(d);
            const auto app = labels.find("app");
            if (nameOf(d).rfind("istiod", 0) == 0 || (app != labels.end() && app->second == "istiod")) {
                istiod = &d;
                break;
            }
        }
        std::string served = joined(m_state.mesh->istioVersions);
        if (!istiod) {
            add({"istiod-not-found",
                 Severity::Info,
                 {},
                 {},
                 {},
                 {},
                 "no istiod Deployment is visible: the mesh's control plane is not in this cluster, or not "
                 "readable; networking.istio.io serves " +
                     (served.empty() ? std::string("nothing") : served),
                 "connect to the cluster that runs the mesh's control plane (for ASM, the data-plane "
                 "cluster's kubeconfig holds the CRDs only)"});
            return;
        }
        std::string tag;
        for (const auto &c :
             arrayMember(objectMember(objectMember(objectMember(*istiod, "spec"), "template"), "spec"),
                         "containers")) {
            const std::string image = str(c, "image");
            if (const auto colon = image.rfind(':');
                colon != std::string::npos && image.find('/', colon) == std::string::npos) {
                tag = image.substr(colon + 1);
            }
        }
        m_out.notes.push_back("mesh: " + display("Deployment", *istiod) +
                              (tag.empty() ? "" : " runs " + tag) + "; networking.istio.io serves " + served);
        int major = 0;
        int minor = 0;
        if (!tag.empty() && std::sscanf(tag.c_str(), "%d.%d", &major, &minor) == 2 && major == 1 &&
            minor < 22 &&
            m_render.istioVersion.value_or(mesh::defaultIstioVersion(m_render.flavor)) ==
                mesh::IstioVersion::V1) {
            add({"istio-too-old",
                 Severity::Error,
                 display("Deployment", *istiod),
                 {},
                 {},
                 {},
                 "istiod " + tag + " predates networking.istio.io/v1 (Istio 1.22)",
                 "render with --api-version v1beta1"});
        }
    }

    bool namespaceInjected(const std::string &ns) const
    {
        const auto it = m_namespaces.find(ns);
        if (it == m_namespaces.end()) {
            return false;
        }
        const StringMap labels = labelsOf(*it->second);
        const auto injection = labels.find("istio-injection");
        return (injection != labels.end() && injection->second == "enabled") ||
               (labels.count("istio.io/rev") &&
                (injection == labels.end() || injection->second != "disabled"));
    }

    /// Whether the workload's pods get a sidecar: running pods say so; otherwise the injection labels.
    bool getsSidecar(const Workload &w, const StringMap &podSelector) const
    {
        bool anyPod = false;
        for (const json *p : m_podIndex.candidates(w.ns, podSelector)) {
            if (selects(podSelector, labelsOf(*p)) && str(objectMember(*p, "status"), "phase") == "Running") {
                anyPod = true;
                if (hasProxyContainer(objectMember(*p, "spec"))) {
                    return true;
                }
            }
        }
        if (anyPod) {
            return false;
        }
        if (w.proxyInTemplate) {
            return true;
        }
        const auto label = w.labels.find(kInjectLabel);
        const auto annotation = w.annotations.find(kInjectLabel);
        if ((label != w.labels.end() && label->second == "false") ||
            (annotation != w.annotations.end() && annotation->second == "false")) {
            return false;
        }
        if (label != w.labels.end() && label->second == "true") {
            return true;
        }
        return namespaceInjected(w.ns);
    }

    void workloads()
    {
        if (m_state.namespaces.empty() && m_state.services.empty()) {
            m_out.notes.push_back("workloads: neither namespaces nor services could be read");
            return;
        }
        const Lane *baseline = m_group.baselineLane();
        std::set<std::string> reported;
        for (const auto &service : m_group.services) {
            if (!m_namespaces.empty() && !m_namespaces.count(service.ns)) {
                if (reported.insert(service.ns).second) {
                    add({"namespace-missing",
                         Severity::Error,
                         "Namespace " + service.ns,
                         {},
                         service.name,
                         {},
                         "namespace " + service.ns + " does not exist (it should hold " + service.name + ")",
                         "create it (kubectl create namespace " + service.ns +
                             "), label it istio-injection=enabled and deploy the services"});
                }
                continue;
            }
            if (reported.insert(service.ns).second && !namespaceInjected(service.ns)) {
                add({"namespace-not-injected",
                     Severity::Info,
                     "Namespace " + service.ns,
                     {},
                     {},
                     {},
                     "namespace " + service.ns +
                         " has neither istio-injection=enabled nor istio.io/rev: only pods that ask for it "
                         "get a sidecar",
                     "kubectl label namespace " + service.ns +
                         " istio-injection=enabled, then restart the "
                         "workloads"});
            }
            const auto found = m_services.find({service.ns, service.name});
            const std::string serviceObject = "Service " + service.ns + '/' + service.name;
            if (found == m_services.end()) {
                add({"service-missing",
                     Severity::Error,
                     serviceObject,
                     {},
                     service.name,
                     ourObjects(service),
                     "Service " + service.ns + '/' + service.name + " does not exist: no lane can reach " +
                         service.name,
                     "deploy the service, or correct its name or namespace in the document"});
                continue;
            }
            const json &svc = *found->second;
            servicePort(service, svc, serviceObject);
            const StringMap selector = stringMap(objectMember(objectMember(svc, "spec"), "selector"));
            if (selector.empty()) {
                add({"service-without-selector",
                     Severity::Warning,
                     serviceObject,
                     {},
                     service.name,
                     {},
                     serviceObject + " has no selector: its endpoints are managed by hand, and its lanes' "
                                     "workloads cannot be checked",
                     "give the Service a selector so that lane subsets select its pods"});
                continue;
            }
            for (const auto &lane : m_group.lanes) {
                if (m_group.laneHas(lane, service.name)) {
                    laneService(lane, service, selector, baseline && lane.name == baseline->name);
                }
            }
        }
    }

    void servicePort(const Service &service, const json &svc, const std::string &object)
    {
        const json *port = nullptr;
        std::string ports;
        for (const auto &p : arrayMember(objectMember(svc, "spec"), "ports")) {
            ports += (ports.empty() ? "" : ", ") + std::to_string(integer(p, "port", 0));
            if (integer(p, "port", 0) == service.port) {
                port = &p;
            }
        }
        if (!port) {
            add({"service-port-missing",
                 Severity::Error,
                 object,
                 {},
                 service.name,
                 ourObjects(service),
                 object + " has no port " + std::to_string(service.port) + " (it has " +
                     (ports.empty() ? std::string("none") : ports) + ")",
                 "set the service's port in the document to one the Service exposes"});
            return;
        }
        const std::string protocol = portProtocol(*port);
        if (isHttpProtocol(protocol)) {
            return;
        }
        const std::string name = str(*port, "name");
        static const std::set<std::string> opaque{"tcp", "tls", "https", "mongo", "mysql", "redis", "udp"};
        const bool other = opaque.contains(protocol);
        add({"port-not-http",
             other ? Severity::Error : Severity::Warning,
             object,
             {},
             service.name,
             {},
             "port " + std::to_string(service.port) + " of " + object +
                 (name.empty() ? std::string(" has no name") : " is named '" + name + "'") +
                 (str(*port, "appProtocol").empty() ? std::string(" and no appProtocol")
                                                    : " (appProtocol " + str(*port, "appProtocol") + ")") +
                 (other
                      ? ": Istio treats it as " + protocol +
                            " and cannot route it by header, so no lane "
                            "reaches " +
                            service.name
                      : ": Istio has to sniff the protocol, and routes by lane only the requests it detects "
                        "as HTTP"),
             "name the port http (or http-<suffix>), or set appProtocol: http"});
    }

    void laneService(const Lane &lane, const Service &service, const StringMap &selector, bool isBaseline)
    {
        StringMap podSelector = selector;
        podSelector[lane.labelKey] = lane.labelValue;
        std::vector<const Workload *> matching;
        for (const Workload *w : m_workloadIndex.candidates(service.ns, podSelector)) {
            if (selects(podSelector, w->labels)) {
                matching.push_back(w);
            }
        }
        const std::string who = service.name + " in lane " + lane.name;
        const std::vector<std::string> related = m_render.flavor == mesh::Flavor::AsmCrd
                                                     ? std::vector<std::string>{}
                                                     : std::vector<std::string>{ourDestinationRule(service)};
        // Without fallback (the istio flavor resolves it when generating), a lane's subset without endpoints
        // answers 503; ASM's fallback sends the lane's requests to the baseline instead.
        const std::string consequence =
            isBaseline ? "it is every other lane's fallback, so requests to " + service.name +
                             " outside a lane holding it fail"
            : isIstioFlavor()
                ? "lane " + lane.name + "'s requests to " + service.name + " fail (HTTP 503)"
                : "lane " + lane.name + "'s requests to " + service.name + " fall back to the baseline";
        const Severity severity = isBaseline || isIstioFlavor() ? Severity::Error : Severity::Warning;
        if (matching.empty()) {
            add({"workload-missing",
                 severity,
                 {},
                 lane.name,
                 service.name,
                 related,
                 "no workload of " + service.ns + '/' + service.name + " (selector " +
                     describeSelector(selector) + ") carries " + lane.labelKey + '=' + lane.labelValue +
                     ": " + consequence,
                 "deploy " + service.name + "'s version for lane " + lane.name + " with pod label " +
                     lane.labelKey + ": " + lane.labelValue + ", or remove " + service.name +
                     " from the lane"});
            return;
        }
        int ready = 0;
        std::vector<std::string> names;
        for (const auto *w : matching) {
            ready += w->ready;
            names.push_back(w->display);
        }
        if (ready == 0) {
            add({isBaseline ? "baseline-not-ready" : "workload-not-ready",
                 severity,
                 {},
                 lane.name,
                 service.name,
                 related,
                 joined(names) + " (" + who + ") has no ready replica: " + consequence,
                 "check the pods of " + joined(names) + " (kubectl describe) and wait until they are ready"});
        }
        bool sidecar = false;
        for (const auto *w : matching) {
            sidecar |= getsSidecar(*w, podSelector);
        }
        if (!sidecar) {
            const bool calls = !service.calls.empty();
            add({"sidecar-missing",
                 calls ? Severity::Warning : Severity::Info,
                 {},
                 lane.name,
                 service.name,
                 names,
                 joined(names) + " (" + who + ") gets no istio-proxy sidecar: " +
                     (calls ? "its calls to " + joined(service.calls) + " are not routed by lane, so lane " +
                                  lane.name + " ends at this hop (they reach any version)"
                            : std::string("requests to it are still routed by the caller's sidecar, but it "
                                          "takes no part in the mesh (no mTLS, no telemetry)")),
                 "enable injection (namespace label istio-injection=enabled or pod label " +
                     std::string(kInjectLabel) + ": \"true\") and restart the workload"});
        }
    }

    void ingress()
    {
        const Ingress &in = m_group.ingress;
        const std::string object = "Gateway " + in.gatewayNamespace + '/' + in.gatewayName;
        const std::vector<std::string> related = m_render.flavor == mesh::Flavor::AsmCrd
                                                     ? std::vector<std::string>{}
                                                     : std::vector<std::string>{ourIngressVirtualService()};
        const json *gateway = nullptr;
        for (const auto &g : m_state.gateways) {
            if (nsOf(g) == in.gatewayNamespace && nameOf(g) == in.gatewayName) {
                gateway = &g;
            }
        }
        if (!gateway) {
            add({"gateway-missing",
                 Severity::Error,
                 object,
                 {},
                 {},
                 related,
                 object + " does not exist: no request enters the lanes",
                 "create the Gateway, or name an existing one in the document's ingress.gateway"});
            return;
        }
        const json &spec = objectMember(*gateway, "spec");
        std::vector<std::string> serverHosts;
        bool http = false;
        for (const auto &server : arrayMember(spec, "servers")) {
            const std::string protocol = str(objectMember(server, "port"), "protocol");
            http |= protocol == "HTTP" || protocol == "HTTPS" || protocol == "HTTP2" || protocol == "GRPC";
            for (const auto &h : arrayMember(server, "hosts")) {
                if (h.is_string()) {
                    const std::string host = h.get<std::string>();
                    serverHosts.push_back(
                        host.find('/') == std::string::npos ? host : host.substr(host.find('/') + 1));
                }
            }
        }
        if (!http) {
            add({"gateway-no-http-port",
                 Severity::Error,
                 object,
                 {},
                 {},
                 related,
                 object + " has no HTTP, HTTPS, HTTP2 or GRPC server: the gateway cannot route requests by "
                          "header",
                 "add a server with port protocol HTTP (or HTTPS with TLS termination)"});
        }
        for (const auto &host : in.hosts) {
            const bool served = std::any_of(serverHosts.begin(), serverHosts.end(),
                                            [&](const std::string &s) { return hostsIntersect(s, host); });
            if (!served) {
                add({"gateway-host-not-served",
                     Severity::Error,
                     object,
                     {},
                     {},
                     related,
                     object + " serves " + joined(serverHosts) + ", not " + host +
                         ": requests for it do not enter the lanes",
                     "add " + host + " to a server of the Gateway, or correct ingress.hosts"});
            }
        }
        const StringMap selector = stringMap(objectMember(spec, "selector"));
        const bool workload = selector.empty() ||
                              std::any_of(m_workloads.begin(), m_workloads.end(),
                                          [&](const Workload &w) { return selects(selector, w.labels); }) ||
                              std::any_of(m_state.pods.begin(), m_state.pods.end(),
                                          [&](const json &p) { return selects(selector, labelsOf(p)); });
        if (!workload) {
            add({"gateway-workload-missing",
                 Severity::Error,
                 object,
                 {},
                 {},
                 related,
                 "no gateway workload matches the selector " + describeSelector(selector) + " of " + object +
                     ": nothing serves it",
                 "deploy the ingress gateway, or correct the Gateway's selector"});
            return;
        }
        gatewayPorts(object, spec, selector, related);
    }

    /// Each server port must reach the gateway's pods through a Service that selects them (its targetPort,
    /// as istioctl reads it for IST0162); checked when the gateway's pods are visible.
    void gatewayPorts(const std::string &object, const json &spec, const StringMap &selector,
                      const std::vector<std::string> &related)
    {
        std::set<int> exposed;
        bool pods = false;
        for (const auto &p : m_state.pods) {
            const StringMap labels = labelsOf(p);
            if (selector.empty() || !selects(selector, labels)) {
                continue;
            }
            pods = true;
            for (const auto &svc : m_state.services) {
                const StringMap svcSelector = stringMap(objectMember(objectMember(svc, "spec"), "selector"));
                if (nsOf(svc) != nsOf(p) || !selects(svcSelector, labels)) {
                    continue;
                }
                for (const auto &port : arrayMember(objectMember(svc, "spec"), "ports")) {
                    const auto target = port.is_object() ? port.find("targetPort") : port.end();
                    exposed.insert(target != port.end() && target->is_number_integer()
                                       ? target->get<int>()
                                       : integer(port, "port", 0));
                }
            }
        }
        if (!pods) {
            return;
        }
        for (const auto &server : arrayMember(spec, "servers")) {
            const int number = integer(objectMember(server, "port"), "number", 0);
            if (number > 0 && !exposed.contains(number)) {
                add({"gateway-port-not-on-workload",
                     Severity::Warning,
                     object,
                     {},
                     {},
                     related,
                     object + " listens on port " + std::to_string(number) +
                         ", but no Service that selects its pods forwards to that port: requests to it do "
                         "not "
                         "reach the gateway",
                     "expose port " + std::to_string(number) +
                         " (as targetPort) on the gateway's Service, or use the port the Service forwards "
                         "to"});
            }
        }
    }

    /// "another LaneDeck group", "ASM's lane group X" or empty, for an object that holds swimlane-group.
    std::string heldBy(const json &object) const
    {
        const StringMap labels = labelsOf(object);
        const auto it = labels.find(mesh::kGroupLabel);
        if (it == labels.end()) {
            return {};
        }
        return it->second;
    }

    bool isOurs(const std::string &displayName, const json &object) const
    {
        return m_ours.contains(displayName) || (nsOf(object) == m_group.ns && heldBy(object) == m_group.name);
    }

    /// The code for shadowing an object another lane group made, or `plain` for an operator's object.
    std::string overlapCode(const json &object, const std::string &plain) const
    {
        const std::string other = heldBy(object);
        if (other.empty()) {
            return plain;
        }
        return m_asmGroups.contains(other) ? "asm-lane-group-overlap" : "group-overlap";
    }

    std::string gitOpsNote(const json &object) const
    {
        if (auto owner = gitOpsOwner(object)) {
            return "; it is managed by " + owner->tool + " (" + owner->owner +
                   "), so delete or change it in its Git repository";
        }
        return {};
    }

    /// An object whose settings the service adopted: one warning that it is still there and shadows the
    /// group until it is deleted.
    bool adoptedFrom(const Service &service, const std::string &name, const json &object)
    {
        const auto &from = service.adopted.from;
        if (std::find(from.begin(), from.end(), name) == from.end()) {
            return false;
        }
        add({"adopted-object-present",
             Severity::Warning,
             name,
             {},
             service.name,
             ourObjects(service),
             service.name + "'s settings were adopted from " + name +
                 ", which still exists: until it is deleted, it competes with the group's rules for " +
                 mesh::serviceHost(service) + gitOpsNote(object),
             "delete it right after the push: lanectl apply FILE --delete-adopted (or kubectl delete -n " +
                 nsOf(object) + ' ' + name.substr(0, name.find(' ')) + ' ' + nameOf(object) + ")"});
        return true;
    }

    /// The group's service hosts, for the coexistence checks.
    std::map<std::string, const Service *> serviceHosts() const
    {
        std::map<std::string, const Service *> hosts;
        for (const auto &s : m_group.services) {
            hosts[mesh::serviceHost(s)] = &s;
        }
        return hosts;
    }

    void coexistence()
    {
        virtualServiceConflicts();
        destinationRuleConflicts();
        asmLaneGroupOverlaps();
    }

    void virtualServiceConflicts()
    {
        const auto hosts = serviceHosts();
        const std::string gatewayRef = mesh::gatewayRef(m_group);
        for (const auto &vs : m_state.virtualServices) {
            const std::string name = display("VirtualService", vs);
            if (isOurs(name, vs)) {
                continue;
            }
            const json &spec = objectMember(vs, "spec");
            bool mesh = true;
            bool ourGateway = false;
            const json &gateways = arrayMember(spec, "gateways");
            if (!gateways.empty()) {
                mesh = false;
                for (const auto &g : gateways) {
                    const std::string ref = g.is_string() ? g.get<std::string>() : std::string();
                    mesh |= ref == "mesh";
                    ourGateway |= ref == gatewayRef || (ref == m_group.ingress.gatewayName &&
                                                        nsOf(vs) == m_group.ingress.gatewayNamespace);
                }
            }
            const std::vector<std::string> settings = routeSettingsIn(vs);
            const std::string code = overlapCode(vs, "vs-conflict");
            for (const auto &h : arrayMember(spec, "hosts")) {
                const std::string host = qualifiedHost(h.is_string() ? h.get<std::string>() : "", nsOf(vs));
                if (mesh) {
                    for (const auto &[ours, service] : hosts) {
                        if (!hostsIntersect(host, ours)) {
                            continue;
                        }
                        if (adoptedFrom(*service, name, vs)) {
                            continue;
                        }
                        const std::string who =
                            heldBy(vs).empty() ? std::string() : " (lane group " + heldBy(vs) + ")";
                        add({code,
                             Severity::Error,
                             name,
                             {},
                             service->name,
                             m_render.flavor == mesh::Flavor::AsmCrd
                                 ? std::vector<std::string>{}
                                 : std::vector<std::string>{ourVirtualService(*service)},
                             name + who + " also binds " + ours +
                                 " for the mesh: with two VirtualServices for one host Istio applies one of "
                                 "them (which one is undefined; istioctl: IST0109), so either the lanes or "
                                 "its "
                                 "routes" +
                                 (settings.empty() ? std::string()
                                                   : " and settings (" + joined(settings) + ")") +
                                 " stop applying" + gitOpsNote(vs),
                             settings.empty() ? "delete it after moving its routes into the group, or take " +
                                                    service->name + " out of the group"
                                              : "adopt its settings (lanectl analyze FILE --adopt -o "
                                                "ADOPTED.yaml), push the "
                                                "adopted document, then delete " +
                                                    name});
                    }
                }
                if (ourGateway && m_render.flavor != mesh::Flavor::AsmCrd) {
                    for (const auto &ingressHost : m_group.ingress.hosts) {
                        if (hostsIntersect(host, ingressHost)) {
                            add({overlapCode(vs, "gateway-route-overlap"),
                                 Severity::Warning,
                                 name,
                                 {},
                                 {},
                                 {ourIngressVirtualService()},
                                 name + " also routes " + host + " on gateway " + gatewayRef +
                                     ": Istio merges the routes of both in an order it does not promise, so "
                                     "the lanes' catch-all match may take its requests, or its match the "
                                     "lanes'" +
                                     gitOpsNote(vs),
                                 "give the group an ingress host of its own, or narrow the group's match"});
                            break;
                        }
                    }
                }
            }
        }
    }

    void destinationRuleConflicts()
    {
        const auto hosts = serviceHosts();
        for (const auto &dr : m_state.destinationRules) {
            const std::string name = display("DestinationRule", dr);
            if (isOurs(name, dr)) {
                continue;
            }
            const json &spec = objectMember(dr, "spec");
            const std::string host = qualifiedHost(str(spec, "host"), nsOf(dr));
            for (const auto &[ours, service] : hosts) {
                if (host != ours) {
                    continue;
                }
                std::vector<std::string> sameSubsets;
                for (const auto &subset : arrayMember(spec, "subsets")) {
                    const std::string subsetName = str(subset, "name");
                    for (const auto &lane : m_group.lanes) {
                        if (lane.name == subsetName && m_group.laneHas(lane, service->name)) {
                            sameSubsets.push_back(subsetName);
                        }
                    }
                }
                if (adoptedFrom(*service, name, dr)) {
                    continue;
                }
                const std::vector<std::string> policy = policySettingsIn(dr);
                const bool severe = !policy.empty() || !sameSubsets.empty() || !heldBy(dr).empty();
                std::string what = name + " is a second DestinationRule for " + ours;
                if (!policy.empty()) {
                    what += ": its trafficPolicy (" + joined(policy) +
                            ") and the group's compete, and Istio keeps the older rule's, so the one pushed "
                            "later loses";
                }
                if (!sameSubsets.empty()) {
                    what += std::string(policy.empty() ? ":" : ";") + " both define subset(s) " +
                            joined(sameSubsets) + ", of which Istio keeps one";
                }
                add({overlapCode(dr, "dr-conflict"),
                     severe ? Severity::Error : Severity::Warning,
                     name,
                     {},
                     service->name,
                     m_render.flavor == mesh::Flavor::AsmCrd
                         ? std::vector<std::string>{}
                         : std::vector<std::string>{ourDestinationRule(*service)},
                     what + gitOpsNote(dr),
                     policy.empty()
                         ? "delete it after the push, or take " + service->name + " out of the group"
                         : "adopt its trafficPolicy (lanectl analyze FILE --adopt -o ADOPTED.yaml), "
                           "push the adopted document, then delete " +
                               name});
            }
        }
    }

    void asmLaneGroupOverlaps()
    {
        for (const auto &g : m_state.asmLaneGroups) {
            if (nameOf(g) == m_group.name && m_render.flavor == mesh::Flavor::AsmCrd) {
                continue;
            }
            std::vector<std::string> shared;
            for (const auto &ref : arrayMember(objectMember(g, "spec"), "services")) {
                for (const auto &s : m_group.services) {
                    if (str(ref, "name") == s.name && str(ref, "namespace") == s.ns) {
                        shared.push_back(s.name);
                    }
                }
            }
            if (!shared.empty()) {
                add({"asm-lane-group-overlap",
                     Severity::Error,
                     display("ASMSwimLaneGroup", g),
                     {},
                     shared.front(),
                     {},
                     "ASM's lane group " + nameOf(g) + " also holds " + joined(shared) +
                         ": ASM generates VirtualServices and DestinationRules for them that compete with "
                         "this "
                         "group's",
                     "take the shared services out of one of the two groups, or delete the "
                     "ASMSwimLaneGroup"});
            }
        }
    }

    void gitOpsOfOurs()
    {
        for (const auto *list : {&m_state.virtualServices, &m_state.destinationRules}) {
            const char *kind = list == &m_state.virtualServices ? "VirtualService" : "DestinationRule";
            for (const auto &object : *list) {
                const std::string name = display(kind, object);
                if (!m_ours.contains(name)) {
                    continue;
                }
                if (auto owner = gitOpsOwner(object)) {
                    add({"gitops-managed",
                         Severity::Warning,
                         name,
                         {},
                         {},
                         {},
                         name + " is managed by " + owner->tool + " (" + owner->owner +
                             "): a push is reverted at its next sync",
                         "commit the group's files to that Git repository instead (lanectl render FILE -o "
                         "DIR "
                         "writes them with a kustomization.yaml)"});
                }
            }
        }
    }

    const LaneGroup &m_group;
    const mesh::RenderOptions &m_render;
    const ClusterState &m_state;
    std::vector<Workload> m_workloads;
    std::map<std::string, const json *> m_namespaces;
    std::map<std::pair<std::string, std::string>, const json *> m_services;
    std::set<std::string> m_ours;
    std::set<std::string> m_asmGroups;
    LabelIndex<Workload> m_workloadIndex;
    LabelIndex<json> m_podIndex;
    std::deque<StringMap> m_podLabels;
    Analysis m_out;
};

/// The namespaces the group touches: its own, its services', its gateway's.
std::vector<std::string> groupNamespaces(const LaneGroup &group)
{
    std::set<std::string> out{group.ns, group.ingress.gatewayNamespace};
    for (const auto &s : group.services) {
        out.insert(s.ns);
    }
    return {out.begin(), out.end()};
}

struct ListTarget
{
    std::string name;   ///< how notes name it ("pods")
    std::string prefix; ///< "/api/v1" or "/apis/<g>/<v>"
    std::string plural;
    bool namespaced = true;
    std::vector<json> *into = nullptr;
};

Result<ClusterState> readUnguarded(Client &client, const LaneGroup &group)
{
    ClusterState state;
    const std::size_t before = client.requestsSent();
    auto mesh = discoverMesh(client);
    if (!mesh && mesh.error().kind != Error::Kind::Failed) {
        // Nothing answered (no connection, no credential, cancelled): every later read would fail the same
        // way, after running a failing exec plugin or waiting out a timeout once more.
        std::string why = mesh.error().message;
        if (const std::string prefix = "discovery failed: "; why.rfind(prefix, 0) == 0) {
            why.erase(0, prefix.size());
        }
        return Error{"cannot read the cluster: " + why, mesh.error().kind};
    }
    if (mesh) {
        state.mesh = *mesh;
    } else {
        state.unreadable.push_back("mesh API discovery: " + mesh.error().message);
    }
    std::vector<ListTarget> targets{
        {"namespaces", "/api/v1", "namespaces", false, &state.namespaces},
        {"services", "/api/v1", "services", true, &state.services},
        {"pods", "/api/v1", "pods", true, &state.pods},
        {"deployments", "/apis/apps/v1", "deployments", true, &state.deployments},
        {"statefulsets", "/apis/apps/v1", "statefulsets", true, &state.statefulSets},
        {"daemonsets", "/apis/apps/v1", "daemonsets", true, &state.daemonSets},
        {"replicasets", "/apis/apps/v1", "replicasets", true, &state.replicaSets},
    };
    if (state.mesh && !state.mesh->istioVersions.empty()) {
        const std::string apiVersion =
            std::string(mesh::kIstioGroup) + '/' + state.mesh->istioVersions.front();
        for (auto [kind, into] :
             {std::pair{"VirtualService", &state.virtualServices},
              std::pair{"DestinationRule", &state.destinationRules}, std::pair{"Gateway", &state.gateways}}) {
            if (auto info = kindInfo(*state.mesh, apiVersion, kind)) {
                targets.push_back({info->plural, apiPrefix(apiVersion), info->plural, true, into});
            }
        }
        if (state.mesh->asmLaneCrds) {
            if (auto info = kindInfo(*state.mesh, mesh::kAsmLaneApiVersion, "ASMSwimLaneGroup")) {
                targets.push_back({info->plural, apiPrefix(mesh::kAsmLaneApiVersion), info->plural, false,
                                   &state.asmLaneGroups});
            }
        }
    }
    std::vector<Request> requests;
    for (const auto &t : targets) {
        requests.push_back({"GET", t.prefix + '/' + t.plural, {}, {}});
    }
    const auto responses = client.send(requests);
    const auto namespaces = groupNamespaces(group);
    std::vector<Request> retries;
    std::vector<std::pair<std::size_t, std::string>> retryOf; ///< target, namespace
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const Response &r = responses[i];
        if (!r.error.empty() && i == 0) {
            return Error{"cannot read the cluster: " + r.message()};
        }
        if (r.ok()) {
            const json body = r.json();
            for (const auto &item : arrayMember(body, "items")) {
                targets[i].into->push_back(item);
            }
            continue;
        }
        if (r.status != 403) {
            state.unreadable.push_back(targets[i].name + ": " + r.message());
            continue;
        }
        // Not allowed cluster-wide: read what the group touches, one namespace at a time.
        for (const auto &ns : namespaces) {
            retries.push_back(
                {"GET",
                 targets[i].namespaced
                     ? targets[i].prefix + "/namespaces/" + urlEncode(ns) + '/' + targets[i].plural
                     : targets[i].prefix + '/' + targets[i].plural + '/' + urlEncode(ns),
                 {},
                 {}});
            retryOf.push_back({i, ns});
            if (!targets[i].namespaced && targets[i].plural != "namespaces") {
                retries.pop_back();
                retryOf.pop_back();
                state.unreadable.push_back(targets[i].name + ": " + r.message());
                break;
            }
        }
    }
    const auto retried = client.send(retries);
    std::set<std::size_t> failed;
    for (std::size_t j = 0; j < retried.size(); ++j) {
        const auto &[i, ns] = retryOf[j];
        const Response &r = retried[j];
        if (r.ok()) {
            const json body = r.json();
            if (targets[i].namespaced) {
                for (const auto &item : arrayMember(body, "items")) {
                    targets[i].into->push_back(item);
                }
            } else {
                targets[i].into->push_back(body);
            }
        } else if (!r.notFound() && failed.insert(i).second) {
            state.unreadable.push_back(targets[i].name + " in " + ns + ": " + r.message());
        }
    }
    state.requests = client.requestsSent() - before;
    return state;
}

} // namespace

std::string toString(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        break;
    }
    return "info";
}

bool Analysis::hasErrors() const
{
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding &f) { return f.severity == Severity::Error; });
}

std::string qualifiedHost(const std::string &host, const std::string &ns)
{
    if (host.empty() || host.find('*') != std::string::npos) {
        return host;
    }
    // As Istio resolves short names: only a name without a dot is completed; "cart.shop" stays as it is.
    if (host.find('.') == std::string::npos) {
        return host + '.' + ns + ".svc.cluster.local";
    }
    return host;
}

bool hostsIntersect(const std::string &a, const std::string &b)
{
    auto matches = [](const std::string &pattern, const std::string &name) {
        if (pattern == "*") {
            return true;
        }
        if (pattern.rfind("*", 0) == 0) {
            const std::string suffix = pattern.substr(1);
            return name.size() >= suffix.size() &&
                   name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
        }
        return pattern == name;
    };
    return a == b || matches(a, b) || matches(b, a);
}

Result<ClusterState> readClusterState(Client &client, const LaneGroup &group)
{
    return readingAnswers("analysis", [&] { return readUnguarded(client, group); });
}

Analysis analyzeCluster(const LaneGroup &group, const mesh::RenderOptions &render, const ClusterState &state)
{
    return Analyzer(group, render, state).run();
}

Result<Analysis> analyze(Client &client, const LaneGroup &group, const mesh::RenderOptions &render)
{
    auto state = readClusterState(client, group);
    if (!state) {
        return state.error();
    }
    return analyzeCluster(group, render, *state);
}

Adoption adoptShadowedSettings(const LaneGroup &group, const mesh::RenderOptions &render,
                               const ClusterState &state)
{
    Adoption out{group, {}, {}};
    std::set<std::string> ours;
    if (auto rendered = mesh::render(group, render)) {
        for (const auto &r : rendered->resources) {
            ours.insert(r.displayName());
        }
    }
    auto foreign = [&](const std::string &name, const json &object) {
        return !ours.contains(name) && labelsOf(object).count(mesh::kGroupLabel) == 0;
    };
    auto remember = [](Service &service, const std::string &name) {
        auto &from = service.adopted.from;
        if (std::find(from.begin(), from.end(), name) == from.end()) {
            from.push_back(name);
        }
    };
    auto take = [&](json &into, const std::string &key, const json &value, const std::string &name,
                    const Service &service) {
        if (!into.contains(key)) {
            into[key] = value;
        } else if (into[key] != value) {
            out.notes.push_back(name + ": " + key + " differs from what " + service.name +
                                " already adopted; the first is kept");
        }
    };
    for (auto &service : out.group.services) {
        const std::string host = mesh::serviceHost(service);
        for (const auto &vs : state.virtualServices) {
            const std::string name = display("VirtualService", vs);
            const json &spec = objectMember(vs, "spec");
            const json &gateways = arrayMember(spec, "gateways");
            const bool mesh =
                gateways.empty() || std::any_of(gateways.begin(), gateways.end(), [](const json &g) {
                    return g.is_string() && g.get<std::string>() == "mesh";
                });
            const json &hosts = arrayMember(spec, "hosts");
            const bool binds = std::any_of(hosts.begin(), hosts.end(), [&](const json &h) {
                return h.is_string() && qualifiedHost(h.get<std::string>(), nsOf(vs)) == host;
            });
            if (!mesh || !binds || !foreign(name, vs)) {
                continue;
            }
            const json &rules = arrayMember(spec, "http");
            if (rules.empty()) {
                continue;
            }
            // The catch-all rule (no match) speaks for the service as a whole; else the last rule.
            const json *source = &rules.back();
            for (const auto &rule : rules) {
                if (arrayMember(rule, "match").empty()) {
                    source = &rule;
                }
            }
            bool any = false;
            for (const auto &key : adoptableRouteKeys()) {
                if (source->is_object() && source->contains(key)) {
                    take(service.adopted.route, key, source->at(key), name, service);
                    any = true;
                }
            }
            for (const auto &rule : rules) {
                for (const auto &key : adoptableRouteKeys()) {
                    if (&rule != source && rule.is_object() && rule.contains(key) &&
                        (!source->contains(key) || source->at(key) != rule.at(key))) {
                        out.notes.push_back(name + ": a rule with its own match sets " + key +
                                            " differently; only the catch-all rule's settings are adopted");
                    }
                }
            }
            if (rules.size() > 1 || !arrayMember(rules.back(), "match").empty()) {
                out.notes.push_back(name + ": its " + std::to_string(rules.size()) +
                                    " rule(s) with their matches and destinations are not adopted, only the "
                                    "settings; check that the lanes cover its routes before deleting it");
            }
            if (any) {
                remember(service, name);
                out.adopted.push_back(name);
            }
        }
        for (const auto &dr : state.destinationRules) {
            const std::string name = display("DestinationRule", dr);
            const json &spec = objectMember(dr, "spec");
            if (qualifiedHost(str(spec, "host"), nsOf(dr)) != host || !foreign(name, dr)) {
                continue;
            }
            const json &policy = objectMember(spec, "trafficPolicy");
            bool any = false;
            for (const auto &key : adoptablePolicyKeys()) {
                if (policy.is_object() && policy.contains(key)) {
                    take(service.adopted.trafficPolicy, key, policy.at(key), name, service);
                    any = true;
                }
            }
            if (!arrayMember(spec, "subsets").empty()) {
                out.notes.push_back(name + ": its subsets are not adopted (the lanes define the group's)");
            }
            if (any) {
                remember(service, name);
                out.adopted.push_back(name);
            }
        }
    }
    return out;
}

nlohmann::json toJson(const Analysis &analysis)
{
    json findings = json::array();
    for (const auto &f : analysis.findings) {
        findings.push_back({{"code", f.code},
                            {"severity", toString(f.severity)},
                            {"object", f.object},
                            {"lane", f.lane},
                            {"service", f.service},
                            {"related", f.related},
                            {"message", f.message},
                            {"fix", f.fix}});
    }
    return {{"findings", findings}, {"notes", analysis.notes}, {"errors", analysis.hasErrors()}};
}

} // namespace lanedeck::kube

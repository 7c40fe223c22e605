#include "kube/ingress.h"

#include "kube/discovery.h"
#include "mesh/naming.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace lanedeck::kube {
namespace {

using nlohmann::json;
using Labels = std::map<std::string, std::string>;

Labels stringMap(const json &object)
{
    Labels out;
    if (object.is_object()) {
        for (const auto &[k, v] : object.items()) {
            if (v.is_string()) {
                out[k] = v.get<std::string>();
            }
        }
    }
    return out;
}

/// A member of an object, or null: the objects come from the server and may lack any field.
const json &at(const json &object, const char *key)
{
    static const json null;
    if (object.is_object()) {
        if (const auto it = object.find(key); it != object.end()) {
            return *it;
        }
    }
    return null;
}

std::string text(const json &object, const char *key)
{
    const json &value = at(object, key);
    return value.is_string() ? value.get<std::string>() : std::string();
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string describe(const Labels &labels)
{
    std::string out;
    for (const auto &[k, v] : labels) {
        out += (out.empty() ? "" : ",") + k + "=" + v;
    }
    return out;
}

bool within(const Labels &inner, const Labels &outer)
{
    return std::all_of(inner.begin(), inner.end(), [&outer](const auto &kv) {
        const auto it = outer.find(kv.first);
        return it != outer.end() && it->second == kv.second;
    });
}

/// How well a Service's selector matches the Gateway's: 2 equal or stricter (the Service picks gateway pods
/// only), 1 wider (it picks every gateway pod, and maybe others), 0 no match.
int selectorMatch(const Labels &service, const Labels &gateway)
{
    if (service.empty() || gateway.empty()) {
        return 0; // a Service without selector has hand-made endpoints; a Gateway without one selects nothing
    }
    if (within(gateway, service)) {
        return 2;
    }
    return within(service, gateway) ? 1 : 0;
}

std::string typeOf(const json &service)
{
    const std::string type = text(at(service, "spec"), "type");
    return type.empty() ? "ClusterIP" : type;
}

int typeRank(const std::string &type)
{
    return type == "LoadBalancer" ? 3 : type == "NodePort" ? 2 : type == "ClusterIP" ? 1 : 0;
}

bool headless(const json &service)
{
    return text(at(service, "spec"), "clusterIP") == "None";
}

std::string nameOf(const json &object)
{
    return text(metadataOf(object), "name");
}

std::string namespaceOf(const json &object)
{
    return text(metadataOf(object), "namespace");
}

std::string refOf(const json &object)
{
    return namespaceOf(object) + "/" + nameOf(object);
}

/// Services (not headless, in `services`' order) whose selector matches the gateway's, best first.
std::vector<const json *> selectorMatches(const Labels &gatewaySelector, const std::string &gatewayNamespace,
                                          const std::vector<json> &services)
{
    struct Candidate
    {
        const json *service;
        int match;
        bool sameNamespace;
        int type;
    };
    std::vector<Candidate> candidates;
    for (const auto &s : services) {
        const int match = selectorMatch(stringMap(at(at(s, "spec"), "selector")), gatewaySelector);
        if (match > 0 && !headless(s)) {
            candidates.push_back({&s, match, namespaceOf(s) == gatewayNamespace, typeRank(typeOf(s))});
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
        if (a.sameNamespace != b.sameNamespace) {
            return a.sameNamespace;
        }
        if (a.match != b.match) {
            return a.match > b.match;
        }
        if (a.type != b.type) {
            return a.type > b.type;
        }
        return refOf(*a.service) < refOf(*b.service);
    });
    std::vector<const json *> out;
    for (const auto &c : candidates) {
        out.push_back(c.service);
    }
    return out;
}

enum class Scheme
{
    Http,
    Https
};

struct Port
{
    Scheme scheme = Scheme::Http;
    int port = 0;
    int nodePort = 0;
    std::string why; ///< "port 80 (http)"
};

/// The port to send to: HTTP before HTTPS; within each, a port the Gateway serves that protocol on, then
/// the Service's port name or appProtocol, then the well-known number.
std::optional<Port> choosePort(const json &service, const json &gateway)
{
    std::set<int> gatewayHttp;
    std::set<int> gatewayHttps;
    for (const auto &server :
         at(at(gateway, "spec"), "servers").is_array() ? at(at(gateway, "spec"), "servers") : json::array()) {
        const json &port = at(server, "port");
        const int number = at(port, "number").is_number_integer() ? at(port, "number").get<int>() : 0;
        const std::string protocol = lower(text(port, "protocol"));
        if (protocol == "http" || protocol == "http2") {
            gatewayHttp.insert(number);
        } else if (protocol == "https") {
            gatewayHttps.insert(number);
        }
    }
    const json &ports = at(at(service, "spec"), "ports");
    if (!ports.is_array()) {
        return std::nullopt;
    }
    const auto named = [](const std::string &name, const std::string &prefix) {
        return name == prefix || name.starts_with(prefix + "-");
    };
    // (scheme, rule) in order of preference; rule 0: the Gateway serves it, 1: name or appProtocol, 2:
    // number.
    for (const Scheme scheme : {Scheme::Http, Scheme::Https}) {
        for (int rule = 0; rule < 3; ++rule) {
            for (const auto &p : ports) {
                const int number = at(p, "port").is_number_integer() ? at(p, "port").get<int>() : 0;
                const std::string name = lower(text(p, "name"));
                const std::string app = lower(text(p, "appProtocol"));
                const bool httpsNamed = named(name, "https") || app == "https";
                const bool httpNamed =
                    !httpsNamed && (named(name, "http") || named(name, "http2") || app == "http" ||
                                    app == "http2" || app == "kubernetes.io/h2c");
                bool fits = false;
                std::string why;
                if (scheme == Scheme::Http) {
                    fits = rule == 0   ? gatewayHttp.contains(number) && !httpsNamed
                           : rule == 1 ? httpNamed
                                       : number == 80 && !httpsNamed;
                    why = rule == 0 ? "the Gateway serves HTTP on it" : rule == 1 ? "named for HTTP" : "";
                } else {
                    fits = rule == 0 ? gatewayHttps.contains(number) : rule == 1 ? httpsNamed : number == 443;
                    why = rule == 0 ? "the Gateway serves HTTPS on it" : rule == 1 ? "named for HTTPS" : "";
                }
                if (fits && number > 0) {
                    Port out;
                    out.scheme = scheme;
                    out.port = number;
                    out.nodePort = at(p, "nodePort").is_number_integer() ? at(p, "nodePort").get<int>() : 0;
                    out.why = "port " + std::to_string(number) + (name.empty() ? "" : " (" + name + ")") +
                              (why.empty() ? "" : ", " + why);
                    return out;
                }
            }
        }
    }
    return std::nullopt;
}

std::string portList(const json &service)
{
    std::string out;
    const json &ports = at(at(service, "spec"), "ports");
    for (const auto &p : ports.is_array() ? ports : json::array()) {
        const std::string name = text(p, "name");
        out += (out.empty() ? "" : ", ") + (name.empty() ? std::string() : name + " ") +
               std::to_string(at(p, "port").is_number_integer() ? at(p, "port").get<int>() : 0);
    }
    return out.empty() ? "none" : out;
}

std::string urlOf(Scheme scheme, const std::string &address, int port, const std::string &path)
{
    const bool https = scheme == Scheme::Https;
    std::string url = https ? "https://" : "http://";
    url += address.find(':') != std::string::npos ? "[" + address + "]" : address; // IPv6
    if (port != (https ? 443 : 80)) {
        url += ":" + std::to_string(port);
    }
    return url + path;
}

/// The path the ingress match takes: an exact URI or a prefix as it is; "/" for a regex (with a warning).
std::string pathOf(const Ingress &ingress, std::vector<std::string> &warnings)
{
    const StringMatch &uri = ingress.uri;
    if (uri.kind == StringMatch::Kind::Regex) {
        warnings.push_back("the group's ingress matches URIs by the regex " + uri.value +
                           ": check that the path of the URL matches it");
        return "/";
    }
    if (uri.value.empty()) {
        return "/";
    }
    return uri.value.front() == '/' ? uri.value : "/" + uri.value;
}

/// The Host header: the group's first host without a wildcard; none when the group takes any host.
std::string hostOf(const Ingress &ingress, std::vector<std::string> &warnings)
{
    std::string wildcards;
    for (const auto &host : ingress.hosts) {
        if (host.find('*') == std::string::npos) {
            return host;
        }
        if (host != "*") {
            wildcards += (wildcards.empty() ? "" : ", ") + host;
        }
    }
    if (!wildcards.empty()) {
        warnings.push_back("the group's ingress hosts are wildcards (" + wildcards +
                           "): set a Host header that matches one");
    }
    return {};
}

/// The gateway's own Service: the one selecting the Gateway's pods like its selector, or else the one named
/// like the gateway (a warning says so). `how` tells which way it was found, for the address's origin.
Result<const json *> gatewayService(const Ingress &ingress, const json &gateway,
                                    const std::vector<json> &services, IngressAddress &out, std::string &how)
{
    const std::string gatewayRef = ingress.gatewayNamespace + "/" + ingress.gatewayName;
    const Labels selector = stringMap(at(at(gateway, "spec"), "selector"));
    const auto matches = selectorMatches(selector, ingress.gatewayNamespace, services);
    if (!matches.empty()) {
        const json *service = matches.front();
        how = "selected like the Gateway " + gatewayRef + " (" + describe(selector) + ")";
        std::string others;
        for (std::size_t i = 1; i < matches.size(); ++i) {
            others += (others.empty() ? "" : ", ") + refOf(*matches[i]);
        }
        if (!others.empty()) {
            out.warnings.push_back("other Services match the Gateway's selector too (" + others + "); " +
                                   refOf(*service) + " was taken as the best match (type " +
                                   typeOf(*service) + ")");
        }
        return service;
    }
    const std::vector<std::string> names =
        ingress.gatewayName.starts_with("istio-")
            ? std::vector<std::string>{ingress.gatewayName}
            : std::vector<std::string>{ingress.gatewayName, "istio-" + ingress.gatewayName};
    const json *service = nullptr;
    for (const auto &name : names) {
        const auto it = std::find_if(services.begin(), services.end(), [&](const json &s) {
            return nameOf(s) == name && namespaceOf(s) == ingress.gatewayNamespace;
        });
        if (it != services.end()) {
            service = &*it;
            break;
        }
    }
    const std::string noMatch = selector.empty() ? "the Gateway " + gatewayRef + " has no spec.selector"
                                                 : "no Service selects the pods of the Gateway " +
                                                       gatewayRef + " (selector " + describe(selector) + ")";
    if (!service) {
        std::string tried;
        for (const auto &name : names) {
            tried += (tried.empty() ? "" : " or ") + name;
        }
        return Error{noMatch + ", and namespace " + ingress.gatewayNamespace + " has no Service named " +
                     tried};
    }
    out.byName = true;
    how = "taken by its name";
    out.warnings.push_back(noMatch + "; " + refOf(*service) +
                           " was taken by its name: check that it fronts the gateway's pods");
    return service;
}

} // namespace

Result<IngressAddress> ingressAddress(const Ingress &ingress, const json &gateway,
                                      const std::vector<json> &services)
{
    IngressAddress out;
    std::string how;
    const auto found = gatewayService(ingress, gateway, services, out, how);
    if (!found) {
        return found.error();
    }
    const json *service = *found;

    const std::string ref = refOf(*service);
    const std::string type = typeOf(*service);
    out.service = ref;
    if (type == "ExternalName") {
        return Error{"Service " + ref + " is of type ExternalName (an alias of " +
                     text(at(*service, "spec"), "externalName") + "), not the gateway's own Service"};
    }
    const auto port = choosePort(*service, gateway);
    if (!port) {
        return Error{"Service " + ref + " has no HTTP or HTTPS port (ports: " + portList(*service) + ")"};
    }
    const std::string path = pathOf(ingress, out.warnings);
    out.host = hostOf(ingress, out.warnings);
    const json &spec = at(*service, "spec");
    const json &lbIngress = at(at(at(*service, "status"), "loadBalancer"), "ingress");
    std::string address;
    std::string where;
    if (lbIngress.is_array() && !lbIngress.empty()) {
        const std::string ip = text(lbIngress[0], "ip");
        address = ip.empty() ? text(lbIngress[0], "hostname") : ip;
        where = (ip.empty() ? "load balancer hostname " : "load balancer IP ") + address;
        if (lbIngress.size() > 1) {
            where += " (the first of " + std::to_string(lbIngress.size()) + ")";
        }
    }
    if (address.empty() && at(spec, "externalIPs").is_array() && !at(spec, "externalIPs").empty() &&
        at(spec, "externalIPs")[0].is_string()) {
        address = at(spec, "externalIPs")[0].get<std::string>();
        where = "external IP " + address;
    }
    if (address.empty() && type == "LoadBalancer") {
        std::string meanwhile;
        if (port->nodePort > 0) {
            meanwhile =
                "; meanwhile it listens on node port " + std::to_string(port->nodePort) + " of every node";
        }
        return Error{"Service " + ref +
                     " (type LoadBalancer) has no external address yet (pending): the load "
                     "balancer is not provisioned" +
                     meanwhile};
    }
    if (address.empty() && type == "NodePort") {
        return Error{"Service " + ref + " is of type NodePort: the gateway listens on port " +
                     std::to_string(port->nodePort) +
                     " of every node, and LaneDeck does not know which node "
                     "address is reachable from here; type " +
                     urlOf(port->scheme, "<node-address>", port->nodePort, path) + " in the target field"};
    }
    if (address.empty()) {
        const std::string clusterIp = text(spec, "clusterIP");
        if (clusterIp.empty()) {
            return Error{"Service " + ref + " has no address: no load balancer, external or cluster IP"};
        }
        address = clusterIp;
        where = "cluster IP " + address;
        out.warnings.push_back("Service " + ref +
                               " has only a cluster IP, reachable only from inside the cluster; "
                               "from here run kubectl -n " +
                               namespaceOf(*service) + " port-forward svc/" + nameOf(*service) +
                               " 8080:" + std::to_string(port->port) + " and sample " +
                               urlOf(port->scheme, "127.0.0.1", 8080, path));
    }
    out.url = urlOf(port->scheme, address, port->port, path);
    out.origin = "Service " + ref + " (type " + type + ", " + how + "): " + where + ", " + port->why;
    if (!ingress.headers.empty()) {
        std::string names;
        for (const auto &h : ingress.headers) {
            names += (names.empty() ? "" : ", ") + h.name;
        }
        out.warnings.push_back("the group's ingress also matches request headers (" + names +
                               "): add them to the requests");
    }
    return out;
}

Result<IngressAddress> resolveIngress(Client &client, const Ingress &ingress)
{
    const std::string &ns = ingress.gatewayNamespace;
    const std::string gatewayRef = ns + "/" + ingress.gatewayName;
    const auto first = client.send(
        std::vector<Request>{{"GET", std::string("/apis/") + mesh::kIstioGroup, {}, {}},
                             {"GET", "/api/v1/namespaces/" + urlEncode(ns) + "/services", {}, {}}});
    if (first[0].notFound()) {
        return Error{std::string("the cluster serves no ") + mesh::kIstioGroup +
                     " API (Istio's CRDs are not installed), so it has no Gateway " + gatewayRef};
    }
    if (!first[0].ok()) {
        return Error{std::string("cannot read the ") + mesh::kIstioGroup + " API: " + first[0].message(),
                     first[0].errorKind()};
    }
    if (!first[1].ok()) {
        return Error{"cannot list the Services of namespace " + ns + ": " + first[1].message(),
                     first[1].errorKind()};
    }
    const json group = first[0].json();
    std::string groupVersion = text(at(group, "preferredVersion"), "groupVersion");
    if (groupVersion.empty() && at(group, "versions").is_array() && !at(group, "versions").empty()) {
        groupVersion = text(at(group, "versions")[0], "groupVersion");
    }
    if (groupVersion.empty()) {
        return Error{std::string("the ") + mesh::kIstioGroup + " API lists no version"};
    }
    const Response gatewayResponse =
        client.send(Request{"GET",
                            "/apis/" + groupVersion + "/namespaces/" + urlEncode(ns) + "/gateways/" +
                                urlEncode(ingress.gatewayName),
                            {},
                            {}});
    if (gatewayResponse.notFound()) {
        return Error{"the Gateway " + gatewayRef + " (" + groupVersion +
                     ") that the lane group's ingress names does not exist"};
    }
    if (!gatewayResponse.ok()) {
        return Error{"cannot read the Gateway " + gatewayRef + ": " + gatewayResponse.message(),
                     gatewayResponse.errorKind()};
    }
    const json gateway = gatewayResponse.json();
    std::vector<json> services;
    for (const auto &s :
         at(first[1].json(), "items").is_array() ? at(first[1].json(), "items") : json::array()) {
        services.push_back(s);
    }
    // List items may leave out their namespace; the choice compares it with the Gateway's.
    for (auto &s : services) {
        if (s.is_object() && namespaceOf(s).empty()) {
            s["metadata"]["namespace"] = ns;
        }
    }
    std::string otherNamespaces;
    const Labels selector = stringMap(at(at(gateway, "spec"), "selector"));
    if (!selector.empty() && selectorMatches(selector, ns, services).empty()) {
        const Response all = client.send(Request{"GET", "/api/v1/services", {}, {}});
        if (all.ok()) {
            for (const auto &s :
                 at(all.json(), "items").is_array() ? at(all.json(), "items") : json::array()) {
                if (namespaceOf(s) != ns) {
                    services.push_back(s);
                }
            }
        } else {
            otherNamespaces =
                " (the Services of other namespaces could not be listed: " + all.message() + ")";
        }
    }
    auto address = ingressAddress(ingress, gateway, services);
    if (!address && !otherNamespaces.empty()) {
        return Error{address.error().message + otherNamespaces};
    }
    return address;
}

} // namespace lanedeck::kube

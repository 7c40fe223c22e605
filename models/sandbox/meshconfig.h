#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace lanedeck::sandbox {

/// An Istio StringMatch (exact, prefix, or RE2 full-match regex) ready to evaluate.
struct Matcher
{
    enum class Kind
    {
        Exact,
        Prefix,
        Regex
    };
    Kind kind = Kind::Exact;
    std::string value;
    std::shared_ptr<const re2::RE2> regex; ///< compiled once, for Kind::Regex

    bool matches(std::string_view text) const;
};

/// One entry of an http[].match list: every condition in it must hold.
struct MatchCondition
{
    std::optional<Matcher> uri;
    std::optional<Matcher> method;
    std::vector<std::pair<std::string, Matcher>> headers; ///< header names in lowercase
};

/// headers.request of a rule or route: what the proxy changes on the request before forwarding it.
struct HeaderOperations
{
    std::vector<std::pair<std::string, std::string>> set;
    std::vector<std::pair<std::string, std::string>> add;
    std::vector<std::string> remove;
};

/// A host and optional subset, as a route destination or an ASM fallback target names it.
struct Target
{
    std::string host;
    std::string subset;
};

struct WeightedRoute
{
    Target destination;
    int weight = 0;
    std::optional<Target> fallback; ///< ASM's route[].fallback.target
    HeaderOperations headers;
};

struct HttpRule
{
    std::string name;
    std::vector<MatchCondition> matches; ///< empty: matches every request
    std::vector<WeightedRoute> routes;
    HeaderOperations headers;
};

struct VirtualServiceRules
{
    std::string name;
    std::vector<std::string> hosts;
    std::vector<std::string> gateways; ///< empty: the mesh (sidecars) only
    std::vector<HttpRule> http;

    bool appliesToMesh() const;
    bool appliesToGateways() const;
};

struct DestinationSubsets
{
    std::string name;
    std::string host;
    std::map<std::string, std::map<std::string, std::string>> subsets; ///< subset name -> labels
};

/// The routing configuration the sandbox's proxies apply, read from generated mesh resources: the
/// VirtualServices, DestinationRules and (asm flavor) ASMHeaderPropagation, as the control plane would
/// hand them to Envoy. Immutable once built; the sandbox swaps whole configurations on apply().
struct MeshConfig
{
    std::vector<VirtualServiceRules> virtualServices;
    std::vector<DestinationSubsets> destinationRules;
    /// Headers that ASMHeaderPropagation makes the sidecars re-attach from baggage members.
    std::vector<std::string> propagatedHeaders;
};

/// Reads VirtualService, DestinationRule and ASMHeaderPropagation objects; ignores other kinds that do not
/// route (Gateway, ...) and refuses what the sandbox cannot run (ASM's lane CRDs, malformed specs).
Result<MeshConfig> parseMeshConfig(const std::vector<mesh::Resource> &resources);

/// A running workload: one (service, version) of the group, with its pod labels and loopback port.
struct Instance
{
    std::string service; ///< the service's name
    std::string host;    ///< its in-mesh host, <name>.<namespace>.svc.cluster.local
    std::string version; ///< the lane label value it was deployed with
    std::map<std::string, std::string> labels;
    int port = 0;
};

/// A request as a proxy sees it: path, method, and headers keyed by lowercase name.
struct ProxyRequest
{
    std::string authority; ///< the Host header (gateway) or the called service's host (sidecar)
    std::string path = "/";
    std::string method = "GET";
    std::map<std::string, std::string> headers;
};

/// What a proxy decided: forward to an instance with the headers changed, or answer locally with an
/// Envoy-style status and reason (404 no route, 503 no cluster / no healthy upstream).
struct RouteDecision
{
    int localStatus = 0; ///< 0: forward; otherwise answer with this status
    std::string reason;  ///< Envoy's response flag and why: "NR: no route matched", "UH: ..."
    const Instance *instance = nullptr;
    std::map<std::string, std::string> headers; ///< the request headers to forward, after header operations
    bool fellBack = false;                      ///< an ASM fallback target was used
};

/// Routes one request as an Istio proxy would. `gateway` selects the gateway's VirtualServices (bound to a
/// gateway, matched against the Host header) instead of the mesh ones (matched against the called host).
/// A host no mesh VirtualService claims goes to any instance of its service, as plain Kubernetes would.
RouteDecision route(const MeshConfig &config, const std::vector<Instance> &instances,
                    const ProxyRequest &request, bool gateway, std::mt19937_64 &random);

/// The member `key` of a W3C baggage header value, or empty when absent.
std::string baggageMember(std::string_view baggage, std::string_view key);

/// Whether two host names denote the same service: "mocka", "mocka.default" and
/// "mocka.default.svc.cluster.local" all name mocka in namespace default, as Istio resolves short names.
bool sameHost(std::string_view a, std::string_view b);

} // namespace lanedeck::sandbox

#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lanedeck {

/// How a request string is matched (Istio StringMatch): exact, prefix, or an RE2 full-match regex.
struct StringMatch
{
    enum class Kind
    {
        Exact,
        Prefix,
        Regex
    };
    Kind kind = Kind::Prefix;
    std::string value = "/";

    friend bool operator==(const StringMatch &, const StringMatch &) = default;
};

/// One request header condition of the ingress match.
struct HeaderMatch
{
    std::string name;
    StringMatch match;

    friend bool operator==(const HeaderMatch &, const HeaderMatch &) = default;
};

/// Where traffic enters the mesh and which requests the lane group takes.
struct Ingress
{
    std::string gatewayNamespace = "istio-system";
    std::string gatewayName = "ingressgateway";
    std::vector<std::string> hosts = {"*"};
    StringMatch uri;
    std::vector<HeaderMatch> headers;
    std::string entryService;

    friend bool operator==(const Ingress &, const Ingress &) = default;
};

/// Production settings a service's traffic had before the group took it over, adopted from the
/// VirtualServices and DestinationRules that held them so that pushing lanes does not drop them: every rule
/// and DestinationRule generated for the service carries them (see `lanectl analyze --adopt`).
struct AdoptedSettings
{
    /// Istio HTTPRoute fields set on every rule of the service's VirtualService (kAdoptableRouteKeys).
    nlohmann::json route = nlohmann::json::object();
    /// The DestinationRule's trafficPolicy (tls, connectionPool, outlierDetection, loadBalancer, ...).
    nlohmann::json trafficPolicy = nlohmann::json::object();
    /// The objects they were taken from ("VirtualService shop/cart-timeouts"): what to delete after the push.
    std::vector<std::string> from;

    bool empty() const { return route.empty() && trafficPolicy.empty() && from.empty(); }
    friend bool operator==(const AdoptedSettings &, const AdoptedSettings &) = default;
};

/// The HTTPRoute fields that can be adopted (the rest of a rule, match and route, is the lanes' own).
inline const std::vector<std::string> &adoptableRouteKeys()
{
    static const std::vector<std::string> keys{"corsPolicy", "fault",   "headers", "mirror",
                                               "retries",    "rewrite", "timeout"};
    return keys;
}
/// The DestinationRule trafficPolicy fields that can be adopted.
inline const std::vector<std::string> &adoptablePolicyKeys()
{
    static const std::vector<std::string> keys{"connectionPool", "loadBalancer", "outlierDetection",
                                               "portLevelSettings", "tls"};
    return keys;
}

/// A service of the group and the services it calls (its edges in the call graph, in call order).
struct Service
{
    std::string name;
    std::string ns = "default";
    int port = 8000;
    std::vector<std::string> calls;
    AdoptedSettings adopted;

    friend bool operator==(const Service &, const Service &) = default;
};

/// A lane: the versions selected by one label value, the services it holds, and its share of ingress traffic.
struct Lane
{
    std::string name;
    std::string labelKey = "ASM_TRAFFIC_TAG";
    std::string labelValue;
    std::vector<std::string> services;
    int weight = 0;

    friend bool operator==(const Lane &, const Lane &) = default;
};

enum class LaneMode
{
    Strict,
    Permissive
};

/// How the lane travels between services: which trace context the applications pass through.
enum class PassThrough
{
    Baggage, ///< W3C baggage, propagated by OpenTelemetry auto-instrumentation (the seed's choice)
    TraceId, ///< a trace-id header the applications already forward (e.g. x-request-id)
    Custom,  ///< a header of the operator's choosing
};

/// A lane group as the operator designs it: everything the ASM console's lane group and lane forms hold.
struct LaneGroup
{
    std::string name;
    std::string ns = "istio-system";
    Ingress ingress;
    LaneMode mode = LaneMode::Permissive;
    PassThrough passThrough = PassThrough::Baggage;
    std::string traceHeader; ///< the header for TraceId and Custom pass-through
    std::string routingHeader = "x-asm-prefer-tag";
    std::vector<Service> services;
    std::vector<Lane> lanes;
    std::string baseline; ///< empty: the first lane

    friend bool operator==(const LaneGroup &, const LaneGroup &) = default;

    const Lane *baselineLane() const;
    const Lane *lane(const std::string &name) const;
    const Service *service(const std::string &name) const;
    bool laneHas(const Lane &lane, const std::string &service) const;
};

/// Hash look-ups over one group, for code that asks "which service is called X" or "does lane L hold X" once
/// per service or cell (validation, lane paths, the drawing, the grid): LaneGroup's own look-ups are linear,
/// which makes such loops quadratic in the group's size. The index is a snapshot: it keeps pointers into
/// `group`, so it is valid while that group lives unchanged and unmoved. Cheap to build (a hash map of the
/// service names and a bit per lane and service). Immutable after construction, so threads may share it.
class LaneGroupIndex final
{
public:
    explicit LaneGroupIndex(const LaneGroup &group);

    /// The service's position in group.services, or -1.
    int serviceIndex(std::string_view name) const;
    const Service *service(std::string_view name) const;
    /// Whether lane number `lane` lists `service` (same answer as LaneGroup::laneHas).
    bool laneHas(std::size_t lane, std::string_view service) const;
    bool laneHas(const Lane &lane, std::string_view service) const;

private:
    struct Hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    const LaneGroup *m_group;
    std::unordered_map<std::string, int, Hash, std::equal_to<>> m_services;
    /// m_members[lane][service index]: the lane lists the service.
    std::vector<std::vector<bool>> m_members;
    /// Names a lane lists that are no service of the group (an invalid group still answers laneHas).
    std::vector<std::vector<std::string>> m_strays;
};

std::string toString(LaneMode mode);
std::string toString(PassThrough mode);
std::string toString(StringMatch::Kind kind);

} // namespace lanedeck

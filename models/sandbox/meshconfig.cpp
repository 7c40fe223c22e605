#include "sandbox/meshconfig.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace lanedeck::sandbox {

namespace {

using nlohmann::json;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

Result<Matcher> parseMatcher(const json &object, const std::string &where)
{
    if (!object.is_object() || object.size() != 1) {
        return Error{where + ": expected exactly one of exact, prefix, regex"};
    }
    const std::string key = object.begin().key();
    const json &value = object.begin().value();
    if (!value.is_string()) {
        return Error{where + "." + key + ": must be a string"};
    }
    Matcher matcher;
    matcher.value = value.get<std::string>();
    if (key == "exact") {
        matcher.kind = Matcher::Kind::Exact;
    } else if (key == "prefix") {
        matcher.kind = Matcher::Kind::Prefix;
    } else if (key == "regex") {
        matcher.kind = Matcher::Kind::Regex;
        RE2::Options options;
        options.set_log_errors(false);
        auto regex = std::make_shared<RE2>(matcher.value, options);
        if (!regex->ok()) {
            return Error{where + ".regex: " + regex->error()};
        }
        matcher.regex = std::move(regex);
    } else {
        return Error{where + ": unsupported string match '" + key + "'"};
    }
    return matcher;
}

Result<HeaderOperations> parseHeaderOperations(const json &headers, const std::string &where)
{
    HeaderOperations ops;
    if (!headers.is_object() || !headers.contains("request")) {
        return ops;
    }
    const json &request = headers["request"];
    for (const char *field : {"set", "add"}) {
        if (!request.contains(field)) {
            continue;
        }
        if (!request[field].is_object()) {
            return Error{where + ".headers.request." + field + ": must be a map"};
        }
        auto &target = std::string_view(field) == "set" ? ops.set : ops.add;
        for (const auto &[name, value] : request[field].items()) {
            if (!value.is_string()) {
                return Error{where + ".headers.request." + field + "." + name + ": must be a string"};
            }
            target.emplace_back(lower(name), value.get<std::string>());
        }
    }
    if (request.contains("remove")) {
        for (const auto &name : request["remove"]) {
            if (name.is_string()) {
                ops.remove.push_back(lower(name.get<std::string>()));
            }
        }
    }
    return ops;
}

Result<Target> parseTarget(const json &object, const std::string &where)
{
    if (!object.is_object() || !object.contains("host") || !object["host"].is_string()) {
        return Error{where + ".host: required"};
    }
    Target target;
    target.host = object["host"].get<std::string>();
    if (object.contains("subset") && object["subset"].is_string()) {
        target.subset = object["subset"].get<std::string>();
    }
    return target;
}

Result<VirtualServiceRules> parseVirtualService(const mesh::Resource &resource)
{
    const std::string where = resource.displayName() + ": spec";
    const json spec = resource.object.value("spec", json::object());
    VirtualServiceRules vs;
    vs.name = resource.name();
    for (const auto &host : spec.value("hosts", json::array())) {
        vs.hosts.push_back(host.get<std::string>());
    }
    for (const auto &gateway : spec.value("gateways", json::array())) {
        vs.gateways.push_back(gateway.get<std::string>());
    }
    const json http = spec.value("http", json::array());
    for (std::size_t i = 0; i < http.size(); ++i) {
        const std::string at = where + ".http[" + std::to_string(i) + "]";
        const json &rule = http[i];
        HttpRule parsed;
        parsed.name = rule.value("name", std::string());
        const json matches = rule.value("match", json::array());
        for (std::size_t m = 0; m < matches.size(); ++m) {
            const json &match = matches[m];
            const std::string mat = at + ".match[" + std::to_string(m) + "]";
            MatchCondition condition;
            for (const char *field : {"uri", "method"}) {
                if (match.contains(field)) {
                    auto matcher = parseMatcher(match[field], mat + "." + field);
                    if (!matcher) {
                        return matcher.error();
                    }
                    (std::string_view(field) == "uri" ? condition.uri : condition.method) =
                        std::move(*matcher);
                }
            }
            const json headers = match.value("headers", json::object());
            for (const auto &[name, value] : headers.items()) {
                auto matcher = parseMatcher(value, mat + ".headers." + name);
                if (!matcher) {
                    return matcher.error();
                }
                condition.headers.emplace_back(lower(name), std::move(*matcher));
            }
            parsed.matches.push_back(std::move(condition));
        }
        auto ruleHeaders = parseHeaderOperations(rule.value("headers", json::object()), at);
        if (!ruleHeaders) {
            return ruleHeaders.error();
        }
        parsed.headers = std::move(*ruleHeaders);
        const json routes = rule.value("route", json::array());
        for (std::size_t r = 0; r < routes.size(); ++r) {
            const std::string rat = at + ".route[" + std::to_string(r) + "]";
            WeightedRoute route;
            auto destination = parseTarget(routes[r].value("destination", json()), rat + ".destination");
            if (!destination) {
                return destination.error();
            }
            route.destination = std::move(*destination);
            // Istio: a single destination takes all traffic; several without weights are invalid, and the
            // sandbox treats a missing weight as 0 like the API's default.
            route.weight = routes[r].value("weight", routes.size() == 1 ? 100 : 0);
            if (routes[r].contains("fallback")) {
                auto fallback =
                    parseTarget(routes[r]["fallback"].value("target", json()), rat + ".fallback.target");
                if (!fallback) {
                    return fallback.error();
                }
                route.fallback = std::move(*fallback);
            }
            auto headers = parseHeaderOperations(routes[r].value("headers", json::object()), rat);
            if (!headers) {
                return headers.error();
            }
            route.headers = std::move(*headers);
            parsed.routes.push_back(std::move(route));
        }
        if (parsed.routes.empty()) {
            return Error{at +
                         ": the sandbox runs route rules only (no redirect, direct response or delegate)"};
        }
        vs.http.push_back(std::move(parsed));
    }
    return vs;
}

void applyOperations(const HeaderOperations &ops, std::map<std::string, std::string> &headers)
{
    for (const auto &name : ops.remove) {
        headers.erase(name);
    }
    for (const auto &[name, value] : ops.set) {
        headers[name] = value;
    }
    for (const auto &[name, value] : ops.add) {
        auto &slot = headers[name];
        slot = slot.empty() ? value : slot + "," + value;
    }
}

bool conditionHolds(const MatchCondition &condition, const ProxyRequest &request)
{
    if (condition.uri && !condition.uri->matches(request.path)) {
        return false;
    }
    if (condition.method && !condition.method->matches(request.method)) {
        return false;
    }
    for (const auto &[name, matcher] : condition.headers) {
        const auto it = request.headers.find(name);
        if (it == request.headers.end() || !matcher.matches(it->second)) {
            return false;
        }
    }
    return true;
}

bool hostPatternMatches(std::string_view pattern, std::string_view authority)
{
    if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        authority = authority.substr(0, colon);
    }
    if (pattern == "*") {
        return true;
    }
    if (pattern.starts_with("*.")) {
        return authority.size() > pattern.size() - 1 && authority.ends_with(pattern.substr(1));
    }
    return sameHost(pattern, authority);
}

const DestinationSubsets *destinationRule(const MeshConfig &config, std::string_view host)
{
    for (const auto &dr : config.destinationRules) {
        if (sameHost(dr.host, host)) {
            return &dr;
        }
    }
    return nullptr;
}

// The endpoints of a host and subset; `defined` tells whether Envoy would have a cluster for it at all.
std::vector<const Instance *> endpoints(const MeshConfig &config, const std::vector<Instance> &instances,
                                        const Target &target, bool &defined)
{
    const std::map<std::string, std::string> *labels = nullptr;
    defined = true;
    if (!target.subset.empty()) {
        const auto *dr = destinationRule(config, target.host);
        const auto it = dr ? dr->subsets.find(target.subset) : decltype(dr->subsets.end())();
        if (!dr || it == dr->subsets.end()) {
            defined = false;
            return {};
        }
        labels = &it->second;
    }
    std::vector<const Instance *> result;
    for (const auto &instance : instances) {
        if (!sameHost(instance.host, target.host)) {
            continue;
        }
        const bool selected = !labels || std::all_of(labels->begin(), labels->end(), [&](const auto &label) {
            const auto found = instance.labels.find(label.first);
            return found != instance.labels.end() && found->second == label.second;
        });
        if (selected) {
            result.push_back(&instance);
        }
    }
    return result;
}

const Instance *pick(const std::vector<const Instance *> &candidates, std::mt19937_64 &random)
{
    if (candidates.empty()) {
        return nullptr;
    }
    return candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(random)];
}

std::string describe(const Target &target)
{
    return target.subset.empty() ? target.host : target.host + " subset " + target.subset;
}

} // namespace

bool Matcher::matches(std::string_view text) const
{
    switch (kind) {
    case Kind::Exact:
        return text == value;
    case Kind::Prefix:
        return text.starts_with(value);
    case Kind::Regex:
        return regex && RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *regex);
    }
    return false;
}

bool VirtualServiceRules::appliesToMesh() const
{
    return gateways.empty() || std::find(gateways.begin(), gateways.end(), "mesh") != gateways.end();
}

bool VirtualServiceRules::appliesToGateways() const
{
    return std::any_of(gateways.begin(), gateways.end(), [](const std::string &g) { return g != "mesh"; });
}

bool sameHost(std::string_view a, std::string_view b)
{
    if (a.size() > b.size()) {
        std::swap(a, b);
    }
    return a == b || (b.starts_with(a) && b[a.size()] == '.');
}

std::string baggageMember(std::string_view baggage, std::string_view key)
{
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
        }
        return s;
    };
    while (!baggage.empty()) {
        const auto comma = baggage.find(',');
        std::string_view member = baggage.substr(0, comma);
        baggage = comma == std::string_view::npos ? std::string_view() : baggage.substr(comma + 1);
        member = member.substr(0, member.find(';'));
        const auto equals = member.find('=');
        if (equals != std::string_view::npos && trim(member.substr(0, equals)) == key) {
            return std::string(trim(member.substr(equals + 1)));
        }
    }
    return {};
}

Result<MeshConfig> parseMeshConfig(const std::vector<mesh::Resource> &resources)
{
    MeshConfig config;
    try {
        for (const auto &resource : resources) {
            const std::string kind = resource.kind();
            if (kind == "VirtualService") {
                auto vs = parseVirtualService(resource);
                if (!vs) {
                    return vs.error();
                }
                config.virtualServices.push_back(std::move(*vs));
            } else if (kind == "DestinationRule") {
                DestinationSubsets dr;
                dr.name = resource.name();
                const json spec = resource.object.value("spec", json::object());
                dr.host = spec.value("host", std::string());
                for (const auto &subset : spec.value("subsets", json::array())) {
                    dr.subsets[subset.value("name", std::string())] =
                        subset.value("labels", std::map<std::string, std::string>());
                }
                config.destinationRules.push_back(std::move(dr));
            } else if (kind == "ASMHeaderPropagation") {
                const json headers =
                    resource.object.value("spec", json::object()).value("headers", json::array());
                for (const auto &header : headers) {
                    config.propagatedHeaders.push_back(lower(header.get<std::string>()));
                }
            } else if (kind == "ASMSwimLaneGroup" || kind == "ASMSwimLane") {
                return Error{
                    resource.displayName() +
                    ": the sandbox runs the asm or istio flavor; ASM's lane CRDs need ASM's controller"};
            }
        }
    } catch (const json::exception &e) {
        // A malformed object (a hand-edited resource): say which kind of value was wrong, do not throw on.
        return Error{std::string("malformed mesh resource: ") + e.what()};
    }
    return config;
}

RouteDecision route(const MeshConfig &config, const std::vector<Instance> &instances,
                    const ProxyRequest &request, bool gateway, std::mt19937_64 &random)
{
    RouteDecision decision;
    decision.headers = request.headers;
    const VirtualServiceRules *vs = nullptr;
    for (const auto &candidate : config.virtualServices) {
        if (gateway ? !candidate.appliesToGateways() : !candidate.appliesToMesh()) {
            continue;
        }
        const bool claims =
            std::any_of(candidate.hosts.begin(), candidate.hosts.end(), [&](const std::string &h) {
                return gateway ? hostPatternMatches(h, request.authority) : sameHost(h, request.authority);
            });
        if (claims) {
            vs = &candidate;
            break;
        }
    }
    if (!vs) {
        if (gateway) {
            decision.localStatus = 404;
            decision.reason = "NR: no gateway route for host " + request.authority;
            return decision;
        }
        bool defined = true;
        decision.instance =
            pick(endpoints(config, instances, Target{request.authority, {}}, defined), random);
        if (!decision.instance) {
            decision.localStatus = 503;
            decision.reason = "UH: no healthy upstream for " + request.authority;
        }
        return decision;
    }
    const HttpRule *rule = nullptr;
    for (const auto &candidate : vs->http) {
        if (candidate.matches.empty() ||
            std::any_of(candidate.matches.begin(), candidate.matches.end(),
                        [&](const MatchCondition &c) { return conditionHolds(c, request); })) {
            rule = &candidate;
            break;
        }
    }
    if (!rule) {
        decision.localStatus = 404;
        decision.reason = "NR: no route of " + vs->name + " matched";
        return decision;
    }
    int total = 0;
    for (const auto &r : rule->routes) {
        total += std::max(0, r.weight);
    }
    const WeightedRoute *chosen = &rule->routes.front();
    if (total > 0) {
        int ticket = std::uniform_int_distribution<int>(0, total - 1)(random);
        for (const auto &r : rule->routes) {
            ticket -= std::max(0, r.weight);
            if (ticket < 0) {
                chosen = &r;
                break;
            }
        }
    }
    applyOperations(rule->headers, decision.headers);
    applyOperations(chosen->headers, decision.headers);

    bool defined = true;
    auto candidates = endpoints(config, instances, chosen->destination, defined);
    if (candidates.empty() && chosen->fallback) {
        // ASM: fall back when the subset has no endpoints, which includes a subset the DR does not define.
        candidates = endpoints(config, instances, *chosen->fallback, defined);
        decision.fellBack = true;
        if (candidates.empty()) {
            decision.localStatus = 503;
            decision.reason = "UH: neither " + describe(chosen->destination) + " nor its fallback " +
                              describe(*chosen->fallback) + " has an instance";
            return decision;
        }
    } else if (!defined) {
        decision.localStatus = 503;
        decision.reason = "NC: subset " + chosen->destination.subset + " of " + chosen->destination.host +
                          " is not defined by a DestinationRule";
        return decision;
    } else if (candidates.empty()) {
        decision.localStatus = 503;
        decision.reason = "UH: no healthy upstream for " + describe(chosen->destination);
        return decision;
    }
    decision.instance = pick(candidates, random);
    return decision;
}

} // namespace lanedeck::sandbox

#include "lanes/validation.h"

#include "base/k8snames.h"
#include "mesh/naming.h"

#include <re2/re2.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace lanedeck {
namespace {

class Checker
{
public:
    explicit Checker(const LaneGroup &group) : m_group(group), m_index(group) {}

    std::vector<Diagnostic> run()
    {
        checkMetadata();
        checkHeaders();
        checkIngress();
        checkServices();
        checkCallGraph();
        checkLanes();
        checkBaselineAndMode();
        return std::move(m_found);
    }

private:
    void add(std::string field, std::string message)
    {
        m_found.push_back({std::move(field), std::move(message), {}});
    }

    void check(const std::string &field, std::optional<std::string> problem, const std::string &what)
    {
        if (problem) {
            add(field, what + " " + *problem);
        }
    }

    static std::string quoted(const std::string &s) { return "'" + s + "'"; }

    void checkMetadata()
    {
        check("metadata.name", k8s::checkDns1123Label(m_group.name), "the group name");
        check("metadata.name", k8s::checkLabelValue(m_group.name), "the group name (a label value)");
        if (m_group.ns.empty()) {
            add("metadata.namespace",
                "missing: name the namespace the group's resources go into (LaneDeck does not pick one; for "
                "a push, lanectl's -n or the console's \"Into another namespace\" can choose it)");
        } else {
            check("metadata.namespace", k8s::checkDns1123Label(m_group.ns), "the namespace");
        }
    }

    void checkHeaders()
    {
        check("spec.routingHeader", k8s::checkHeaderName(m_group.routingHeader), "the routing header");
        if (m_group.passThrough == PassThrough::Baggage) {
            if (!m_group.traceHeader.empty()) {
                add("spec.traceHeader",
                    "is only used with passThrough traceId or custom; baggage pass-through "
                    "uses the W3C baggage header");
            }
            return;
        }
        if (m_group.traceHeader.empty()) {
            add("spec.traceHeader", "passThrough " + toString(m_group.passThrough) +
                                        " needs the name of the header the applications pass through");
            return;
        }
        check("spec.traceHeader", k8s::checkHeaderName(m_group.traceHeader), "the trace header");
    }

    void checkRegex(const std::string &field, const StringMatch &m)
    {
        if (m.kind != StringMatch::Kind::Regex) {
            return;
        }
        RE2 re(m.value, RE2::Quiet);
        if (!re.ok()) {
            add(field, "not a valid RE2 regex: " + re.error());
        }
    }

    void checkIngress()
    {
        const Ingress &in = m_group.ingress;
        check("spec.ingress.gateway.name", k8s::checkDns1123Subdomain(in.gatewayName), "the gateway name");
        check("spec.ingress.gateway.namespace", k8s::checkDns1123Label(in.gatewayNamespace),
              "the gateway namespace");
        if (in.hosts.empty()) {
            add("spec.ingress.hosts", "must name at least one host ('*' for any)");
        }
        for (std::size_t i = 0; i < in.hosts.size(); ++i) {
            const std::string &host = in.hosts[i];
            const std::string bare = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
            if (host != "*" && k8s::checkDns1123Subdomain(bare)) {
                add("spec.ingress.hosts[" + std::to_string(i) + "]",
                    "host " + quoted(host) + " must be '*', a DNS name, or '*.' followed by one");
            }
        }
        if (in.uri.kind != StringMatch::Kind::Regex && in.uri.value.empty()) {
            add("spec.ingress.match.uri", "must not be empty (use prefix '/' for every request)");
        }
        checkRegex("spec.ingress.match.uri", in.uri);
        for (std::size_t i = 0; i < in.headers.size(); ++i) {
            const std::string field = "spec.ingress.match.headers[" + std::to_string(i) + "]";
            check(field + ".name", k8s::checkHeaderName(in.headers[i].name), "the header name");
            checkRegex(field, in.headers[i].match);
        }
        if (in.entryService.empty()) {
            add("spec.ingress.entryService", "must name the service that ingress traffic enters");
        } else if (!m_index.service(in.entryService)) {
            add("spec.ingress.entryService",
                "unknown service " + quoted(in.entryService) + "; it must be one of spec.services");
        }
    }

    void checkServices()
    {
        std::map<std::string, std::size_t> firstIndex;
        for (std::size_t i = 0; i < m_group.services.size(); ++i) {
            const Service &s = m_group.services[i];
            const std::string field = "spec.services[" + std::to_string(i) + "]";
            check(field + ".name", k8s::checkDns1123Label(s.name), "the service name");
            check(field + ".namespace", k8s::checkDns1123Label(s.ns), "the namespace");
            if (s.port < 1 || s.port > 65535) {
                add(field + ".port", "must be 1..65535, got " + std::to_string(s.port));
            }
            if (auto [it, inserted] = firstIndex.emplace(s.name, i); !inserted) {
                add(field + ".name", "duplicate service " + quoted(s.name) + " (also spec.services[" +
                                         std::to_string(it->second) + "])");
            }
            // A bad group name spoils every generated name; it is reported once, at the group name.
            if (!k8s::checkDns1123Label(s.name) && !k8s::checkDns1123Label(m_group.name) &&
                !k8s::checkDns1123Label(s.ns)) {
                check(field + ".name", k8s::checkDns1123Subdomain(mesh::destinationRuleName(m_group, s)),
                      "the generated resource name " + quoted(mesh::destinationRuleName(m_group, s)));
            }
            std::set<std::string> seen;
            for (std::size_t c = 0; c < s.calls.size(); ++c) {
                const std::string callField = field + ".calls[" + std::to_string(c) + "]";
                if (!m_index.service(s.calls[c])) {
                    add(callField, "calls unknown service " + quoted(s.calls[c]));
                } else if (s.calls[c] == s.name) {
                    add(callField, "a service cannot call itself in the call graph");
                } else if (!seen.insert(s.calls[c]).second) {
                    add(callField, "calls " + quoted(s.calls[c]) + " twice");
                }
            }
        }
        if (m_group.services.empty()) {
            add("spec.services", "must list at least one service");
        }
    }

    void checkCallGraph()
    {
        enum class Mark
        {
            None,
            Active,
            Done
        };
        std::map<std::string, Mark> marks;
        std::vector<std::string> stack;
        std::set<std::string> reported;
        std::function<void(const Service &)> visit = [&](const Service &s) {
            marks[s.name] = Mark::Active;
            stack.push_back(s.name);
            const auto index = static_cast<std::size_t>(&s - m_group.services.data());
            for (std::size_t c = 0; c < s.calls.size(); ++c) {
                const Service *callee = m_index.service(s.calls[c]);
                if (!callee || callee == &s) {
                    continue;
                }
                if (marks[callee->name] == Mark::Active) {
                    std::string cycle;
                    auto from = std::find(stack.begin(), stack.end(), callee->name);
                    for (auto it = from; it != stack.end(); ++it) {
                        cycle += *it + " -> ";
                    }
                    cycle += callee->name;
                    if (reported.insert(cycle).second) {
                        add("spec.services[" + std::to_string(index) + "].calls[" + std::to_string(c) + "]",
                            "the call graph has a cycle: " + cycle);
                    }
                } else if (marks[callee->name] == Mark::None) {
                    visit(*callee);
                }
            }
            stack.pop_back();
            marks[s.name] = Mark::Done;
        };
        for (const auto &s : m_group.services) {
            if (marks[s.name] == Mark::None) {
                visit(s);
            }
        }
    }

    void checkLanes()
    {
        if (m_group.lanes.empty()) {
            add("spec.lanes", "must hold at least one lane (the baseline)");
            return;
        }
        std::map<std::string, std::size_t> names;
        std::map<std::pair<std::string, std::string>, std::size_t> labels;
        long long total = 0;
        bool weightsInRange = true;
        for (std::size_t i = 0; i < m_group.lanes.size(); ++i) {
            const Lane &l = m_group.lanes[i];
            const std::string field = "spec.lanes[" + std::to_string(i) + "]";
            check(field + ".name", k8s::checkDns1123Label(l.name), "the lane name (a subset name)");
            if (auto [it, inserted] = names.emplace(l.name, i); !inserted) {
                add(field + ".name", "duplicate lane " + quoted(l.name) + " (also spec.lanes[" +
                                         std::to_string(it->second) + "])");
            }
            check(field + ".label.key", k8s::checkLabelKey(l.labelKey), "the label key");
            if (l.labelValue.empty()) {
                add(field + ".label.value", "must not be empty: it selects the lane's workloads");
            } else {
                check(field + ".label.value", k8s::checkLabelValue(l.labelValue), "the label value");
            }
            if (auto [it, inserted] = labels.emplace(std::pair(l.labelKey, l.labelValue), i);
                !inserted && !l.labelValue.empty()) {
                add(field + ".label", "selects the same workloads (" + l.labelKey + "=" + l.labelValue +
                                          ") as spec.lanes[" + std::to_string(it->second) + "]");
            }
            std::set<std::string> seen;
            for (std::size_t s = 0; s < l.services.size(); ++s) {
                const std::string serviceField = field + ".services[" + std::to_string(s) + "]";
                if (!m_index.service(l.services[s])) {
                    add(serviceField,
                        "names service " + quoted(l.services[s]) + " that the group does not have");
                } else if (!seen.insert(l.services[s]).second) {
                    add(serviceField, "lists " + quoted(l.services[s]) + " twice");
                }
            }
            if (l.weight < 0 || l.weight > 100) {
                add(field + ".weight", "must be 0..100, got " + std::to_string(l.weight));
                weightsInRange = false;
            }
            total += l.weight;
        }
        if (weightsInRange && total != 100) {
            add("spec.lanes", "the lane weights must add up to 100, they add up to " + std::to_string(total));
        }
    }

    void checkBaselineAndMode()
    {
        const Lane *baseline = m_group.baselineLane();
        if (!baseline) {
            if (!m_group.lanes.empty()) {
                add("spec.baseline",
                    "names lane " + quoted(m_group.baseline) + " that the group does not have");
            }
            return;
        }
        const bool strict = m_group.mode == LaneMode::Strict;
        for (std::size_t i = 0; i < m_group.lanes.size(); ++i) {
            const Lane &l = m_group.lanes[i];
            const bool isBaseline = &l == baseline;
            if (!strict && !isBaseline) {
                continue;
            }
            std::string missing;
            for (const auto &s : m_group.services) {
                if (!m_index.laneHas(l, s.name)) {
                    missing += (missing.empty() ? "" : ", ") + s.name;
                }
            }
            if (missing.empty()) {
                continue;
            }
            if (isBaseline && !strict) {
                add(m_group.baseline.empty() ? "spec.lanes[" + std::to_string(i) + "].services"
                                             : "spec.baseline",
                    "the baseline lane " + quoted(l.name) + " lacks " + missing +
                        "; permissive mode falls back to the baseline, so it must hold every service");
            } else {
                add("spec.lanes[" + std::to_string(i) + "].services",
                    "strict mode needs every service in every lane; lane " + quoted(l.name) + " lacks " +
                        missing);
            }
        }
    }

    const LaneGroup &m_group;
    const LaneGroupIndex m_index;
    std::vector<Diagnostic> m_found;
};

} // namespace

std::vector<Diagnostic> validate(const LaneGroup &group)
{
    return Checker(group).run();
}

} // namespace lanedeck

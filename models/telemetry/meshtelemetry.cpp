#include "telemetry/meshtelemetry.h"

#include "kube/inventory.h"
#include "mesh/naming.h"
#include "sandbox/sandbox.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <set>
#include <string_view>

namespace lanedeck::telemetry {

namespace {

constexpr const char *kIngress = kIngressCaller;
constexpr const char *kUnknown = "unknown";
constexpr const char *kPairLabels = "source_workload,source_workload_namespace,destination_workload,"
                                    "destination_workload_namespace";

std::string label(const PromSample &sample, const char *name)
{
    const auto it = sample.labels.find(name);
    return it == sample.labels.end() ? std::string() : it->second;
}

std::string id(const std::string &ns, const std::string &workload)
{
    return ns + "/" + workload;
}

/// The lane (by name) whose label the labels carry, or empty.
std::string laneOfLabels(const LaneGroup &group, const std::map<std::string, std::string> &labels)
{
    for (const auto &lane : group.lanes) {
        const auto it = labels.find(lane.labelKey);
        if (it != labels.end() && it->second == lane.labelValue) {
            return lane.name;
        }
    }
    return {};
}

const Service *serviceOfHost(const LaneGroup &group, const std::string &host)
{
    for (const auto &service : group.services) {
        if (host == mesh::serviceHost(service) || host == service.name + "." + service.ns ||
            host == service.name) {
            return &service;
        }
    }
    return nullptr;
}

std::string namespacesRegex(const LaneGroup &group)
{
    std::set<std::string> names;
    for (const auto &service : group.services) {
        names.insert(service.ns);
    }
    std::string regex;
    for (const auto &name : names) {
        regex += (regex.empty() ? "" : "|") + name;
    }
    return regex;
}

/// The calls the source proxies report into the group's namespaces.
std::string sourceSelector(const LaneGroup &group)
{
    return "reporter=\"source\",destination_service_namespace=~\"" + namespacesRegex(group) + "\"";
}

/// counter now minus counter `window` earlier, per group; a group that did not exist then counts from 0.
std::string delta(const std::string &metric, const std::string &by, const std::string &selector,
                  long long window)
{
    const std::string now = "sum by (" + by + ") (" + metric + "{" + selector + "})";
    const std::string then =
        "sum by (" + by + ") (" + metric + "{" + selector + "} offset " + std::to_string(window) + "s)";
    return now + " - (" + then + " or " + now + " * 0)";
}

/// histogram_quantile's arithmetic on cumulative buckets (le -> count): linear within the bucket.
double quantile(double q, const std::map<double, double> &buckets)
{
    if (buckets.empty()) {
        return std::nan("");
    }
    const double total = buckets.rbegin()->second;
    if (total <= 0) {
        return std::nan("");
    }
    const double rank = q * total;
    double lowerBound = 0.0;
    double lowerCount = 0.0;
    for (const auto &[le, count] : buckets) {
        if (count >= rank) {
            if (std::isinf(le)) {
                return lowerBound; // as Prometheus: the highest finite bound
            }
            const double inBucket = count - lowerCount;
            return inBucket <= 0 ? le : lowerBound + (le - lowerBound) * (rank - lowerCount) / inBucket;
        }
        lowerBound = le;
        lowerCount = count;
    }
    return lowerBound;
}

std::int64_t micros(double millis)
{
    return std::isnan(millis) ? 0 : static_cast<std::int64_t>(std::llround(millis * 1000.0));
}

std::string number(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

/// The lane whose workload of `service` a request of `lane` reaches: its own when the lane has the service,
/// else the baseline's (ASM's fallback, and what LaneDeck's istio flavor routes to).
std::string laneServing(const LaneGroup &group, const Lane &lane, const std::string &service)
{
    if (group.laneHas(lane, service)) {
        return lane.name;
    }
    const Lane *baseline = group.baselineLane();
    return baseline ? baseline->name : lane.name;
}

struct Hop
{
    std::string caller; ///< service, or kIngress
    std::string callee;
};

/// The call graph's hops from the ingress, breadth first.
std::vector<Hop> hopsOf(const LaneGroup &group)
{
    std::vector<Hop> hops;
    if (!group.service(group.ingress.entryService)) {
        return hops;
    }
    hops.push_back({kIngress, group.ingress.entryService});
    std::set<std::string> seen{group.ingress.entryService};
    std::deque<std::string> queue{group.ingress.entryService};
    while (!queue.empty()) {
        const Service *service = group.service(queue.front());
        queue.pop_front();
        if (!service) {
            continue;
        }
        for (const auto &callee : service->calls) {
            hops.push_back({service->name, callee});
            if (seen.insert(callee).second) {
                queue.push_back(callee);
            }
        }
    }
    return hops;
}

using StringPair = std::pair<std::string, std::string>;

std::string token(const std::string &service, const std::string &lane)
{
    return service + "@" + lane;
}

/// Requests observed on a hop or on one (caller token, callee token) pair of it.
struct Observed
{
    double requests = 0.0;
    double errors = 0.0;
    std::map<StringPair, double> edgeRequests, edgeErrors;
};

/// What analyse() learns step by step: workloads' roles, observed and expected pairs per hop (tokens are
/// service@lane), and each lane's requests.
struct Analysis
{
    explicit Analysis(const LaneGroup &g) : group(g), hopList(hopsOf(g)) {}

    const WorkloadRole *roleOf(const std::string &ns, const std::string &workload) const
    {
        const auto it = roles.find({ns, workload});
        return it == roles.end() ? nullptr : &it->second;
    }

    double observedOn(const Hop &hop, const StringPair &pair) const
    {
        const auto h = seen.find({hop.caller, hop.callee});
        if (h == seen.end()) {
            return 0.0;
        }
        const auto p = h->second.find(pair);
        return p == h->second.end() ? 0.0 : p->second.requests;
    }

    const LaneGroup &group;
    WorkloadMap roles;
    std::vector<Hop> hopList;
    std::map<StringPair, std::map<StringPair, Observed>> seen;
    std::map<StringPair, Observed> hopTotals;
    std::map<StringPair, std::map<StringPair, std::vector<std::size_t>>> expected;
    std::vector<std::optional<double>> laneRequests;
    double ingressRequests = 0.0;
};

/// Freshness: no series, none for the group's namespaces, or a newest sample too old to be live.
void checkFreshness(MeshTelemetry &view, const LaneGroup &group, const TelemetryWindow &window, double end,
                    const std::vector<PromSample> &freshness)
{
    std::set<std::string> namespaces;
    for (const auto &service : group.services) {
        namespaces.insert(service.ns);
    }
    for (const auto &row : freshness) {
        if (namespaces.count(label(row, "destination_service_namespace"))) {
            view.newestSample = std::max(view.newestSample, row.value);
        }
    }
    const std::string nsList = namespacesRegex(group);
    if (freshness.empty()) {
        view.problems.push_back("Prometheus holds no istio_requests_total series at all: it does not scrape "
                                "Istio's proxies (or the mesh has no Istio telemetry)");
    } else if (view.newestSample == 0.0) {
        view.problems.push_back("Prometheus holds Istio metrics, but none for calls into namespace(s) " +
                                nsList + " (the lane group's)");
    } else if (end - view.newestSample > double(window.staleAfter.count())) {
        view.problems.push_back("the newest sample is " + number(end - view.newestSample) +
                                " s old: Prometheus no longer scrapes the proxies; these numbers are not "
                                "current");
    } else {
        view.stale = false;
    }
}

/// Each workload's role: the map (inventory), else destination_version where it equals a lane's label
/// value (the shortcut), learnt from the series where the workload is called.
WorkloadMap rolesOf(const LaneGroup &group, const WorkloadMap &workloads,
                    const std::vector<PromSample> &requests)
{
    WorkloadMap roles = workloads;
    for (const auto &row : requests) {
        const WorkloadId callee{label(row, "destination_workload_namespace"),
                                label(row, "destination_workload")};
        if (callee.second.empty() || callee.second == kUnknown || roles.count(callee)) {
            continue;
        }
        const Service *service = serviceOfHost(group, label(row, "destination_service"));
        if (!service) {
            continue;
        }
        const std::string version = label(row, "destination_version");
        WorkloadRole role{service->name, {}};
        for (const auto &lane : group.lanes) {
            if (lane.labelValue == version) {
                role.lane = lane.name;
                break;
            }
        }
        roles[callee] = role;
    }
    return roles;
}

/// Observed requests per hop and (caller token, callee token).
void observeRequests(Analysis &a, MeshTelemetry &view, const std::vector<PromSample> &requests)
{
    const LaneGroup &group = a.group;
    bool anyGroupWorkload = false;
    for (const auto &row : requests) {
        const double count = std::max(0.0, row.value);
        if (count == 0.0) {
            continue;
        }
        const int code = std::atoi(label(row, "response_code").c_str());
        const bool error = code == 0 || code >= 400;
        const std::string calleeNs = label(row, "destination_workload_namespace");
        const std::string calleeName = label(row, "destination_workload");
        const WorkloadRole *caller =
            a.roleOf(label(row, "source_workload_namespace"), label(row, "source_workload"));
        const WorkloadRole *callee = a.roleOf(calleeNs, calleeName);
        const Service *calleeService =
            callee ? group.service(callee->service) : serviceOfHost(group, label(row, "destination_service"));
        if (!calleeService) {
            continue;
        }
        anyGroupWorkload =
            anyGroupWorkload || (caller && !caller->lane.empty()) || (callee && !callee->lane.empty());
        const std::string hopCaller = caller ? caller->service : kIngress;
        if (!caller && calleeService->name != group.ingress.entryService) {
            continue; // traffic from outside the group to a service behind the entry: not the lanes'
        }
        const std::string callerToken = caller ? token(caller->service, caller->lane) : kIngress;
        const std::string calleeToken = callee ? token(callee->service, callee->lane) : kUnknown;
        auto &pair = a.seen[{hopCaller, calleeService->name}][{callerToken, calleeToken}];
        pair.requests += count;
        pair.errors += error ? count : 0.0;
        const StringPair edge{
            caller ? id(label(row, "source_workload_namespace"), label(row, "source_workload")) : kIngress,
            callee ? id(calleeNs, calleeName) : kUnknown};
        auto &hop = a.hopTotals[{hopCaller, calleeService->name}];
        hop.requests += count;
        hop.errors += error ? count : 0.0;
        hop.edgeRequests[edge] += count;
        hop.edgeErrors[edge] += error ? count : 0.0;
    }
    if (!requests.empty() && !anyGroupWorkload) {
        std::string example;
        if (!group.lanes.empty() && !group.services.empty()) {
            example = " (e.g. " + group.services.front().name + " with " + group.lanes.front().labelKey +
                      "=" + group.lanes.front().labelValue + ")";
        }
        view.problems.push_back("the series name none of the lane group's workloads" + example +
                                ": is the inventory current, and are these the right namespaces?");
    }
}

/// Expected (caller token, callee token) per hop and lane.
void expectPairs(Analysis &a)
{
    for (const auto &hop : a.hopList) {
        auto &pairs = a.expected[{hop.caller, hop.callee}];
        for (std::size_t i = 0; i < a.group.lanes.size(); ++i) {
            const Lane &lane = a.group.lanes[i];
            const std::string callerToken = hop.caller == kIngress
                                                ? std::string(kIngress)
                                                : token(hop.caller, laneServing(a.group, lane, hop.caller));
            pairs[{callerToken, token(hop.callee, laneServing(a.group, lane, hop.callee))}].push_back(i);
        }
    }
}

/// Each lane's requests: from the first hop where its pair of workloads is shared only with lanes already
/// known (peeling), so that a lane whose entry is the baseline's (fallback) is counted where it parts.
void countLaneRequests(Analysis &a, MeshTelemetry &view)
{
    a.laneRequests.assign(a.group.lanes.size(), std::nullopt);
    for (bool progress = true; progress;) {
        progress = false;
        for (const auto &hop : a.hopList) {
            for (const auto &[pair, lanes] : a.expected[{hop.caller, hop.callee}]) {
                std::vector<std::size_t> unknown;
                double known = 0.0;
                for (std::size_t lane : lanes) {
                    if (a.laneRequests[lane]) {
                        known += *a.laneRequests[lane];
                    } else {
                        unknown.push_back(lane);
                    }
                }
                if (unknown.size() == 1) {
                    a.laneRequests[unknown.front()] = std::max(0.0, a.observedOn(hop, pair) - known);
                    progress = true;
                    break;
                }
            }
            if (progress) {
                break;
            }
        }
    }
    std::vector<std::string> undetermined;
    for (std::size_t i = 0; i < a.group.lanes.size(); ++i) {
        if (!a.laneRequests[i]) {
            undetermined.push_back(a.group.lanes[i].name);
        }
    }
    if (!undetermined.empty()) {
        std::string names;
        for (const auto &name : undetermined) {
            names += (names.empty() ? "" : ", ") + name;
        }
        view.problems.push_back(
            "lanes " + names +
            " reach the same workloads on every hop as another lane: telemetry cannot tell "
            "them apart (counted as 0)");
    }
}

/// The ingress split, through the sampler's statistics: the same chart and verdict.
void splitAtIngress(Analysis &a, MeshTelemetry &view)
{
    std::vector<traffic::LaneWeight> weights;
    for (const auto &lane : a.group.lanes) {
        weights.push_back({lane.name, lane.weight});
    }
    traffic::Aggregate aggregate(weights);
    aggregate.elapsedMicros = static_cast<std::int64_t>(view.windowSeconds * 1e6);
    for (std::size_t i = 0; i < a.group.lanes.size(); ++i) {
        aggregate.lanes[i].count = static_cast<std::uint64_t>(std::llround(a.laneRequests[i].value_or(0.0)));
    }
    if (!a.hopList.empty()) {
        const Hop &ingress = a.hopList.front();
        const auto &pairs = a.expected[{ingress.caller, ingress.callee}];
        if (const auto h = a.seen.find({ingress.caller, ingress.callee}); h != a.seen.end()) {
            for (const auto &[pair, observed] : h->second) {
                a.ingressRequests += observed.requests;
                if (!pairs.count(pair) && pair.second != kUnknown) {
                    // Entered a workload no lane routes to: shown as a lane of its own, outside the weights.
                    const auto index = aggregate.laneIndex(pair.second);
                    aggregate.lanes[static_cast<std::size_t>(index)].count +=
                        static_cast<std::uint64_t>(std::llround(observed.requests));
                }
            }
        }
        const auto totals = a.hopTotals.find({ingress.caller, ingress.callee});
        const double errors = totals == a.hopTotals.end() ? 0.0 : totals->second.errors;
        aggregate.errors[static_cast<std::size_t>(traffic::ErrorKind::HttpStatus)] =
            static_cast<std::uint64_t>(std::llround(errors));
    }
    aggregate.total = static_cast<std::uint64_t>(std::llround(a.ingressRequests));
    view.split = traffic::summarize(aggregate);
    view.split.elapsedSeconds = view.windowSeconds;
    view.split.achievedRate = a.ingressRequests / view.windowSeconds;
}

/// Latency and error rate per lane: at the ingress, on the workload the lane enters.
void latencyPerLane(Analysis &a, MeshTelemetry &view, const std::vector<PromSample> &buckets)
{
    const LaneGroup &group = a.group;
    std::map<std::string, std::map<double, double>> entryBuckets; // callee token -> le -> count
    std::map<double, double> allBuckets;
    for (const auto &row : buckets) {
        if (a.roleOf(label(row, "source_workload_namespace"), label(row, "source_workload"))) {
            continue;
        }
        const WorkloadRole *callee =
            a.roleOf(label(row, "destination_workload_namespace"), label(row, "destination_workload"));
        if (!callee || callee->service != group.ingress.entryService) {
            continue;
        }
        const std::string le = label(row, "le");
        const double bound = le == "+Inf" ? INFINITY : std::strtod(le.c_str(), nullptr);
        entryBuckets[token(callee->service, callee->lane)][bound] += std::max(0.0, row.value);
        allBuckets[bound] += std::max(0.0, row.value);
    }
    view.split.p50 = micros(quantile(0.5, allBuckets));
    view.split.p90 = micros(quantile(0.9, allBuckets));
    view.split.p99 = micros(quantile(0.99, allBuckets));
    view.laneErrorRates.assign(view.split.lanes.size(), 0.0);
    for (std::size_t i = 0; i < group.lanes.size() && i < view.split.lanes.size(); ++i) {
        const std::string entry =
            token(group.ingress.entryService, laneServing(group, group.lanes[i], group.ingress.entryService));
        const auto &histogram = entryBuckets[entry];
        auto &row = view.split.lanes[i];
        row.p50 = micros(quantile(0.5, histogram));
        row.p90 = micros(quantile(0.9, histogram));
        row.p99 = micros(quantile(0.99, histogram));
        row.max = 0;
        if (const auto h = a.seen.find({kIngress, group.ingress.entryService}); h != a.seen.end()) {
            if (const auto p = h->second.find({kIngress, entry});
                p != h->second.end() && p->second.requests > 0) {
                view.laneErrorRates[i] = p->second.errors / p->second.requests;
            }
        }
    }
}

/// A hop's requests per lane (a pair's requests shared among the lanes expected on it, by their ingress
/// requests) and leaks (a lane's expected pair got less than the lane sent, beyond a tolerance for the
/// requests in flight when the counters were read; local replies of the caller's proxy are errors, not
/// leaks).
void shareAmongLanes(Analysis &a, const Hop &hop, HopTraffic &traffic)
{
    const auto &pairs = a.expected[{hop.caller, hop.callee}];
    const auto observedPairs = a.seen.find({hop.caller, hop.callee});
    std::map<std::string, double> localErrors; // by caller token
    if (observedPairs != a.seen.end()) {
        for (const auto &[pair, observed] : observedPairs->second) {
            if (pair.second == kUnknown) {
                localErrors[pair.first] += observed.requests;
            }
        }
    }
    for (const auto &[pair, lanes] : pairs) {
        double demand = 0.0;
        for (std::size_t lane : lanes) {
            demand += a.laneRequests[lane].value_or(0.0);
        }
        const double got = a.observedOn(hop, pair);
        double errors = 0.0;
        if (observedPairs != a.seen.end()) {
            if (const auto p = observedPairs->second.find(pair); p != observedPairs->second.end()) {
                errors = p->second.errors;
            }
        }
        double shortfall = std::max(0.0, demand - got);
        double &local = localErrors[pair.first];
        const double explained = std::min(local, shortfall);
        local -= explained;
        shortfall -= explained;
        const double tolerance = 2.0 + 0.02 * demand;
        for (std::size_t lane : lanes) {
            const double share =
                demand > 0 ? a.laneRequests[lane].value_or(0.0) / demand : 1.0 / double(lanes.size());
            HopLane &row = traffic.lanes[lane];
            row.requests += std::min(got, demand > 0 ? demand : got) * share;
            row.errors += (errors + explained) * share;
            if (shortfall > tolerance) {
                row.leaked += shortfall * share;
            }
        }
    }
}

/// A hop's observed workload pairs, each with what the lanes' split says it should carry, for the edge table.
void addEdges(Analysis &a, const Hop &hop, HopTraffic &traffic)
{
    if (const auto totals = a.hopTotals.find({hop.caller, hop.callee}); totals != a.hopTotals.end()) {
        traffic.requests = totals->second.requests;
        traffic.errors = totals->second.errors;
        for (const auto &[edge, count] : totals->second.edgeRequests) {
            WorkloadEdge row;
            row.caller = edge.first;
            row.callee = edge.second;
            row.requests = count;
            row.errors = totals->second.edgeErrors[edge];
            traffic.edges.push_back(row);
        }
    }
    const auto &pairs = a.expected[{hop.caller, hop.callee}];
    for (auto &edge : traffic.edges) {
        const auto slash = [](const std::string &text) { return text.find('/'); };
        const WorkloadRole *caller = edge.caller == kIngress
                                         ? nullptr
                                         : a.roleOf(edge.caller.substr(0, slash(edge.caller)),
                                                    edge.caller.substr(slash(edge.caller) + 1));
        const WorkloadRole *callee = edge.callee == kUnknown
                                         ? nullptr
                                         : a.roleOf(edge.callee.substr(0, slash(edge.callee)),
                                                    edge.callee.substr(slash(edge.callee) + 1));
        const std::string callerToken = caller ? token(caller->service, caller->lane) : kIngress;
        const auto p = callee ? pairs.find({callerToken, token(callee->service, callee->lane)}) : pairs.end();
        if (p == pairs.end()) {
            edge.unexpected = edge.callee != kUnknown;
            continue;
        }
        for (std::size_t lane : p->second) {
            edge.expected += a.laneRequests[lane].value_or(0.0);
        }
    }
}

/// Each hop: requests, errors and leaks per lane, and its workload edges.
void hopsAndLeaks(Analysis &a, MeshTelemetry &view)
{
    for (const auto &hop : a.hopList) {
        HopTraffic traffic;
        traffic.caller = hop.caller;
        traffic.callee = hop.callee;
        for (const auto &lane : a.group.lanes) {
            traffic.lanes.push_back({lane.name, 0.0, 0.0, 0.0, 0.0});
        }
        shareAmongLanes(a, hop, traffic);
        addEdges(a, hop, traffic);
        for (auto &row : traffic.lanes) {
            row.perSecond = row.requests / view.windowSeconds;
            traffic.leaked += row.leaked;
        }
        view.leaked += traffic.leaked;
        view.hops.push_back(std::move(traffic));
    }
}

/// Prometheus's default lookback (--query.lookback-delta): `x offset W` is the newest sample of x at most
/// this long before the window's start.
constexpr double kLookbackSeconds = 300.0;

using PairKey =
    std::array<std::string, 4>; ///< source namespace and workload, destination namespace and workload

PairKey pairOf(const PromSample &sample)
{
    return {label(sample, "source_workload_namespace"), label(sample, "source_workload"),
            label(sample, "destination_workload_namespace"), label(sample, "destination_workload")};
}

std::string regexQuoted(const std::string &text)
{
    std::string out;
    for (char c : text) {
        if (std::string_view(".^$*+?()[]{}|\\").find(c) != std::string_view::npos) {
            out += "\\\\"; // a backslash for the regex, escaped for PromQL's string
        } else if (c == '"') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

/// A counter's increase after `from` out of its raw samples: the plain difference against the newest sample
/// at or before `from` (0 when the series did not exist then, as query 1 counts it), except that a sample
/// below its predecessor is a counter that started again from zero, so all of it is new.
double increaseAcrossRestarts(const std::vector<std::pair<double, double>> &points, double from)
{
    std::optional<double> previous;
    double increase = 0.0;
    for (const auto &[time, value] : points) {
        if (time <= from) {
            previous = value;
            continue;
        }
        const double base = previous.value_or(0.0);
        increase += value >= base ? value - base : value;
        previous = value;
    }
    return increase;
}

/// The rows of a difference query (`metric` summed by `by` over the window) recomputed from the raw samples
/// of the workload pairs whose counters restarted: one query for all of them.
Result<std::vector<PromSample>> rowsAcrossRestarts(PrometheusClient &client, const std::string &metric,
                                                   const std::string &selector,
                                                   const std::vector<std::string> &by,
                                                   const std::set<PairKey> &pairs, double window, double end,
                                                   std::string &query)
{
    std::array<std::set<std::string>, 4> values;
    for (const auto &pair : pairs) {
        for (std::size_t i = 0; i < pair.size(); ++i) {
            values[i].insert(pair[i]);
        }
    }
    static constexpr std::array<const char *, 4> kNames = {"source_workload_namespace", "source_workload",
                                                           "destination_workload_namespace",
                                                           "destination_workload"};
    std::string matchers = selector;
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        std::string alternatives;
        for (const auto &value : values[i]) {
            alternatives += (alternatives.empty() ? "" : "|") + regexQuoted(value);
        }
        matchers += std::string(",") + kNames[i] + "=~\"" + alternatives + "\"";
    }
    // The range reaches back to the sample `offset W` would take at the window's start.
    query = metric + "{" + matchers + "}[" + std::to_string(std::llround(window + kLookbackSeconds)) + "s]";
    auto series = client.querySamples(query, end);
    if (!series) {
        return series.error();
    }
    std::map<std::map<std::string, std::string>, double> sums;
    for (const auto &one : *series) {
        PromSample probe;
        probe.labels = one.labels;
        if (!pairs.count(pairOf(probe))) {
            continue; // the regexes of several pairs also match their cross products
        }
        std::map<std::string, std::string> key;
        for (const auto &name : by) {
            if (const auto it = one.labels.find(name); it != one.labels.end()) {
                key[name] = it->second;
            }
        }
        sums[key] += increaseAcrossRestarts(one.points, end - window);
    }
    std::vector<PromSample> rows;
    for (const auto &[labels, value] : sums) {
        rows.push_back({labels, value});
    }
    return rows;
}

/// `rows` with those of `pairs` replaced by `corrected`.
void replacePairs(std::vector<PromSample> &rows, const std::set<PairKey> &pairs,
                  std::vector<PromSample> corrected)
{
    std::erase_if(rows, [&](const PromSample &row) { return pairs.count(pairOf(row)) > 0; });
    rows.insert(rows.end(), std::make_move_iterator(corrected.begin()),
                std::make_move_iterator(corrected.end()));
}

std::vector<std::string> splitLabels(const std::string &list)
{
    std::vector<std::string> names;
    std::string::size_type start = 0;
    while (start <= list.size()) {
        const auto comma = list.find(',', start);
        names.push_back(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return names;
}

} // namespace

WorkloadMap workloadsFromInventory(const LaneGroup &group, const kube::Inventory &inventory)
{
    WorkloadMap map;
    for (const auto &service : group.services) {
        const auto *found = inventory.service(service.name, service.ns);
        if (!found) {
            continue;
        }
        for (const auto &workload : found->workloads) {
            map[{service.ns, workload.name}] = {service.name, laneOfLabels(group, workload.labels)};
        }
    }
    return map;
}

WorkloadMap workloadsFromSandbox(const LaneGroup &group,
                                 const std::vector<sandbox::SandboxInstance> &instances)
{
    WorkloadMap map;
    for (const auto &instance : instances) {
        const Service *service = group.service(instance.service);
        if (service) {
            map[{service->ns, instance.workload}] = {instance.service, laneOfLabels(group, instance.labels)};
        }
    }
    return map;
}

std::vector<std::string> telemetryQueries(const LaneGroup &group, const TelemetryWindow &window)
{
    const std::string selector = sourceSelector(group);
    const long long seconds = std::max<long long>(1, window.window.count());
    const std::string pairs = kPairLabels;
    const Service *entry = group.service(group.ingress.entryService);
    const std::string entrySelector =
        selector + ",destination_service=\"" + (entry ? mesh::serviceHost(*entry) : std::string()) + "\"";
    return {
        delta("istio_requests_total", pairs + ",destination_service,destination_version,response_code",
              selector, seconds),
        // Latency is read at the ingress hop only: the lane's entry workload.
        delta("istio_request_duration_milliseconds_bucket", pairs + ",le", entrySelector, seconds),
        // Restarted counters: a series that went down, or one that was there in the window and is gone now
        // (its proxy restarted or its pod was replaced: the plain difference would lose its requests).
        "sum by (" + pairs + ") (resets(istio_requests_total{" + selector + "}[" + std::to_string(seconds) +
            "s])) > 0 or sum by (" + pairs + ") (count_over_time(istio_requests_total{" + selector + "}[" +
            std::to_string(seconds) + "s]) unless istio_requests_total{" + selector + "})",
        "max by (destination_service_namespace) (timestamp(istio_requests_total{reporter=\"source\"}))",
    };
}

Result<MeshTelemetry> observe(PrometheusClient &client, const LaneGroup &group, const WorkloadMap &workloads,
                              const TelemetryWindow &window)
{
    const double end =
        window.end
            ? *window.end
            : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto queries = telemetryQueries(group, window);
    std::vector<std::vector<PromSample>> answers;
    for (const auto &query : queries) {
        auto answer = client.query(query, end);
        if (!answer) {
            return answer.error();
        }
        answers.push_back(std::move(*answer));
    }
    // Counters that restarted (a proxy restarted or was replaced) make the plain difference wrong: those of a
    // series that went down (resets) or of a group whose series changed (a negative difference). Their pairs
    // are counted again from the raw samples; everything else keeps the cheap difference.
    std::set<PairKey> restarted;
    for (const auto &row : answers[2]) {
        restarted.insert(pairOf(row));
    }
    for (const auto *rows : {&answers[0], &answers[1]}) {
        for (const auto &row : *rows) {
            if (row.value < 0) {
                restarted.insert(pairOf(row));
            }
        }
    }
    std::vector<std::string> extraQueries;
    if (!restarted.empty()) {
        const std::string selector = sourceSelector(group);
        const Service *entry = group.service(group.ingress.entryService);
        const std::string entrySelector =
            selector + ",destination_service=\"" + (entry ? mesh::serviceHost(*entry) : std::string()) + "\"";
        auto by = splitLabels(kPairLabels);
        auto requestsBy = by;
        requestsBy.insert(requestsBy.end(), {"destination_service", "destination_version", "response_code"});
        auto bucketsBy = by;
        bucketsBy.push_back("le");
        const double seconds = double(std::max<long long>(1, window.window.count()));
        std::string query;
        auto requests = rowsAcrossRestarts(client, "istio_requests_total", selector, requestsBy, restarted,
                                           seconds, end, query);
        if (!requests) {
            return requests.error();
        }
        extraQueries.push_back(query);
        auto buckets = rowsAcrossRestarts(client, "istio_request_duration_milliseconds_bucket", entrySelector,
                                          bucketsBy, restarted, seconds, end, query);
        if (!buckets) {
            return buckets.error();
        }
        extraQueries.push_back(query);
        replacePairs(answers[0], restarted, std::move(*requests));
        replacePairs(answers[1], restarted, std::move(*buckets));
        answers[2].clear();
        for (const auto &pair : restarted) {
            answers[2].push_back({{{"source_workload_namespace", pair[0]},
                                   {"source_workload", pair[1]},
                                   {"destination_workload_namespace", pair[2]},
                                   {"destination_workload", pair[3]}},
                                  1.0});
        }
    }
    MeshTelemetry view =
        analyse(group, workloads, window, end, answers[0], answers[1], answers[2], answers[3]);
    view.queries.insert(view.queries.end(), extraQueries.begin(), extraQueries.end());
    view.source = client.description();
    return view;
}

MeshTelemetry analyse(const LaneGroup &group, const WorkloadMap &workloads, const TelemetryWindow &window,
                      double end, const std::vector<PromSample> &requests,
                      const std::vector<PromSample> &buckets, const std::vector<PromSample> &resets,
                      const std::vector<PromSample> &freshness)
{
    MeshTelemetry view;
    view.windowSeconds = double(std::max<long long>(1, window.window.count()));
    view.end = end;
    view.queries = telemetryQueries(group, window);

    checkFreshness(view, group, window, end, freshness);
    Analysis analysis(group);
    analysis.roles = rolesOf(group, workloads, requests);
    observeRequests(analysis, view, requests);
    expectPairs(analysis);
    countLaneRequests(analysis, view);
    splitAtIngress(analysis, view);
    latencyPerLane(analysis, view, buckets);
    hopsAndLeaks(analysis, view);

    for (const auto &row : resets) {
        view.problems.push_back(
            "the counters of " + id(label(row, "source_workload_namespace"), label(row, "source_workload")) +
            " -> " + id(label(row, "destination_workload_namespace"), label(row, "destination_workload")) +
            " restarted within the window (a proxy restarted or was replaced): counted across the restart "
            "from Prometheus's raw samples; requests it served after its last scrape before the restart were "
            "never scraped and are missing");
    }
    if (!view.stale && analysis.ingressRequests == 0.0 && view.problems.empty()) {
        view.problems.push_back("no requests entered the lane group in the window");
    }
    return view;
}

nlohmann::json toJson(const MeshTelemetry &view)
{
    nlohmann::json lanes = nlohmann::json::array();
    for (std::size_t i = 0; i < view.split.lanes.size(); ++i) {
        const auto &lane = view.split.lanes[i];
        lanes.push_back({{"lane", lane.name},
                         {"weight", lane.weight},
                         {"expectedShare", lane.expectedShare},
                         {"requests", lane.count},
                         {"share", lane.share},
                         {"ciLow", lane.interval.low},
                         {"ciHigh", lane.interval.high},
                         {"errorRate", i < view.laneErrorRates.size() ? view.laneErrorRates[i] : 0.0},
                         {"p50Ms", double(lane.p50) / 1000.0},
                         {"p90Ms", double(lane.p90) / 1000.0},
                         {"p99Ms", double(lane.p99) / 1000.0}});
    }
    nlohmann::json hops = nlohmann::json::array();
    for (const auto &hop : view.hops) {
        nlohmann::json perLane = nlohmann::json::array();
        for (const auto &lane : hop.lanes) {
            perLane.push_back({{"lane", lane.name},
                               {"requests", lane.requests},
                               {"perSecond", lane.perSecond},
                               {"errors", lane.errors},
                               {"leaked", lane.leaked}});
        }
        nlohmann::json edges = nlohmann::json::array();
        for (const auto &edge : hop.edges) {
            edges.push_back({{"caller", edge.caller},
                             {"callee", edge.callee},
                             {"requests", edge.requests},
                             {"errors", edge.errors},
                             {"expected", edge.expected},
                             {"unexpected", edge.unexpected}});
        }
        hops.push_back({{"caller", hop.caller},
                        {"callee", hop.callee},
                        {"requests", hop.requests},
                        {"errors", hop.errors},
                        {"leaked", hop.leaked},
                        {"lanes", perLane},
                        {"edges", edges}});
    }
    return {{"source", view.source},
            {"end", view.end},
            {"windowSeconds", view.windowSeconds},
            {"stale", view.stale},
            {"newestSample", view.newestSample},
            {"verdict", view.split.verdict},
            {"matches", view.split.matches},
            {"pValue", view.split.chiSquare.pValue},
            {"requests", view.split.total},
            {"leaked", view.leaked},
            {"lanes", lanes},
            {"hops", hops},
            {"problems", view.problems},
            {"queries", view.queries}};
}

std::string toCsv(const MeshTelemetry &view)
{
    auto quoted = [](const std::string &text) {
        std::string out = "\"";
        for (char c : text) {
            out += c == '"' ? std::string("\"\"") : std::string(1, c);
        }
        return out + "\"";
    };
    std::string csv = "# window_s=" + number(view.windowSeconds) + " end=" + number(view.end) +
                      (view.stale ? " stale" : "") + "\n";
    for (const auto &query : view.queries) {
        csv += "# query: " + query + "\n";
    }
    csv +=
        "kind,caller,callee,lane,weight,requests,share,per_second,error_rate,leaked,p50_ms,p90_ms,p99_ms\n";
    for (std::size_t i = 0; i < view.split.lanes.size(); ++i) {
        const auto &lane = view.split.lanes[i];
        csv += "lane,ingress,," + quoted(lane.name) + "," + std::to_string(lane.weight) + "," +
               std::to_string(lane.count) + "," + number(lane.share) + "," +
               number(double(lane.count) / view.windowSeconds) + "," +
               number(i < view.laneErrorRates.size() ? view.laneErrorRates[i] : 0.0) + ",0," +
               number(double(lane.p50) / 1000.0) + "," + number(double(lane.p90) / 1000.0) + "," +
               number(double(lane.p99) / 1000.0) + "\n";
    }
    for (const auto &hop : view.hops) {
        for (const auto &lane : hop.lanes) {
            csv += "hop," + quoted(hop.caller) + "," + quoted(hop.callee) + "," + quoted(lane.name) + ",," +
                   number(lane.requests) + ",," + number(lane.perSecond) + "," +
                   number(lane.requests > 0 ? lane.errors / lane.requests : 0.0) + "," + number(lane.leaked) +
                   ",,,\n";
        }
    }
    return csv;
}

} // namespace lanedeck::telemetry

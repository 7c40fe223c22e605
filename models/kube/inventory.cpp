#include "kube/inventory.h"

#include "kube/discovery.h"

#include <algorithm>
#include <set>

namespace lanedeck::kube {
namespace {

using nlohmann::json;

std::map<std::string, std::string> stringMap(const json &object)
{
    std::map<std::string, std::string> out;
    if (object.is_object()) {
        for (const auto &[k, v] : object.items()) {
            if (v.is_string()) {
                out[k] = v.get<std::string>();
            }
        }
    }
    return out;
}

bool selects(const std::map<std::string, std::string> &selector,
             const std::map<std::string, std::string> &labels)
{
    if (selector.empty()) {
        return false; // a Service without selector has hand-made endpoints, no workloads of its own
    }
    for (const auto &[k, v] : selector) {
        const auto it = labels.find(k);
        if (it == labels.end() || it->second != v) {
            return false;
        }
    }
    return true;
}

} // namespace

std::map<std::string, int> ServiceInventory::laneValues(const std::string &labelKey) const
{
    std::map<std::string, int> out;
    for (const auto &w : workloads) {
        if (const auto it = w.labels.find(labelKey); it != w.labels.end()) {
            out[it->second] += w.readyReplicas;
        }
    }
    return out;
}

const ServiceInventory *Inventory::service(const std::string &name, const std::string &ns) const
{
    for (const auto &s : services) {
        if (s.name == name && s.ns == ns) {
            return &s;
        }
    }
    return nullptr;
}

static Result<Inventory> readInventoryUnguarded(Client &client, const std::vector<std::string> &namespaces);

Result<Inventory> readInventory(Client &client, const std::vector<std::string> &namespaces)
{
    return readingAnswers("inventory", [&] { return readInventoryUnguarded(client, namespaces); });
}

static Result<Inventory> readInventoryUnguarded(Client &client, const std::vector<std::string> &namespaces)
{
    std::vector<Request> requests;
    for (const auto &ns : namespaces) {
        requests.push_back({"GET", "/api/v1/namespaces/" + urlEncode(ns) + "/services", {}, {}});
        requests.push_back({"GET", "/apis/apps/v1/namespaces/" + urlEncode(ns) + "/deployments", {}, {}});
    }
    const auto responses = client.send(requests);
    Inventory inventory;
    for (std::size_t n = 0; n < namespaces.size(); ++n) {
        const Response &services = responses[2 * n];
        const Response &deployments = responses[2 * n + 1];
        for (const Response *r : {&services, &deployments}) {
            if (!r->ok()) {
                return Error{"inventory of namespace " + namespaces[n] + ": " + r->message(), r->errorKind()};
            }
        }
        std::vector<Workload> workloads;
        for (const auto &d : deployments.json().value("items", json::array())) {
            Workload w;
            w.name = metadataOf(d).value("name", "");
            w.labels = stringMap(objectMember(objectMember(objectMember(d, "spec"), "template"), "metadata")
                                     .value("labels", json::object()));
            w.replicas = objectMember(d, "spec").value("replicas", 1);
            w.readyReplicas = d.value("status", json::object()).value("readyReplicas", 0);
            workloads.push_back(std::move(w));
        }
        for (const auto &s : services.json().value("items", json::array())) {
            ServiceInventory si;
            si.name = metadataOf(s).value("name", "");
            si.ns = namespaces[n];
            si.selector = stringMap(objectMember(s, "spec").value("selector", json::object()));
            for (const auto &p : objectMember(s, "spec").value("ports", json::array())) {
                si.ports.push_back(p.value("port", 0));
            }
            for (const auto &w : workloads) {
                if (selects(si.selector, w.labels)) {
                    si.workloads.push_back(w);
                }
            }
            inventory.services.push_back(std::move(si));
        }
    }
    return inventory;
}

std::vector<LaneProblem> checkLanes(const LaneGroup &group, const Inventory &inventory)
{
    std::vector<LaneProblem> problems;
    for (const auto &lane : group.lanes) {
        for (const auto &name : lane.services) {
            const Service *service = group.service(name);
            if (!service) {
                continue;
            }
            const ServiceInventory *si = inventory.service(service->name, service->ns);
            if (!si) {
                problems.push_back(
                    {lane.name, name, "service " + service->ns + "/" + name + " does not exist"});
                continue;
            }
            const auto values = si->laneValues(lane.labelKey);
            const auto it = values.find(lane.labelValue);
            if (it == values.end()) {
                problems.push_back(
                    {lane.name, name,
                     "no workload of " + name + " has " + lane.labelKey + "=" + lane.labelValue});
            } else if (it->second == 0) {
                problems.push_back({lane.name, name,
                                    "the workloads of " + name + " with " + lane.labelKey + "=" +
                                        lane.labelValue + " have no ready replica"});
            }
        }
    }
    return problems;
}

std::vector<std::string> inventoryNamespaces(const LaneGroup *group, const std::string &connectionNamespace)
{
    std::vector<std::string> namespaces;
    const auto add = [&namespaces](const std::string &ns) {
        if (!ns.empty() && std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end()) {
            namespaces.push_back(ns);
        }
    };
    if (group) {
        for (const auto &service : group->services) {
            add(service.ns);
        }
    }
    add(connectionNamespace);
    return namespaces;
}

InventorySummary summarizeInventory(const Inventory &inventory)
{
    std::set<std::string> services;
    std::map<std::string, std::set<std::string>> values;
    for (const auto &service : inventory.services) {
        services.insert(service.name);
        for (const auto &workload : service.workloads) {
            if (workload.readyReplicas <= 0) {
                continue;
            }
            for (const auto &[key, value] : workload.labels) {
                values[key].insert(value);
            }
        }
    }
    InventorySummary summary;
    summary.services.assign(services.begin(), services.end());
    for (const auto &[key, set] : values) {
        summary.labelValues.emplace(key, std::vector<std::string>(set.begin(), set.end()));
    }
    return summary;
}

std::vector<LaneShortfall> laneShortfalls(const LaneGroup &group, const Inventory &inventory)
{
    std::vector<LaneShortfall> shortfalls;
    for (const auto &problem : checkLanes(group, inventory)) {
        auto it = std::find_if(shortfalls.begin(), shortfalls.end(),
                               [&problem](const LaneShortfall &s) { return s.lane == problem.lane; });
        if (it == shortfalls.end()) {
            it = shortfalls.insert(shortfalls.end(), LaneShortfall{problem.lane, {}});
        }
        it->services.push_back(problem.service);
    }
    return shortfalls;
}

} // namespace lanedeck::kube

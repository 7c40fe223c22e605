#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "lanes/lanegroup.h"

#include <map>
#include <string>
#include <vector>

namespace lanedeck::kube {

/// A Deployment that backs a Service: its pod template labels and how many replicas are ready.
struct Workload
{
    std::string name;
    std::map<std::string, std::string> labels; ///< the pod template's
    int replicas = 0;
    int readyReplicas = 0;

    friend bool operator==(const Workload &, const Workload &) = default;
};

/// A Service, its ports and the workloads its selector picks.
struct ServiceInventory
{
    std::string name;
    std::string ns;
    std::vector<int> ports;
    std::map<std::string, std::string> selector;
    std::vector<Workload> workloads;

    /// Values of `labelKey` on the workloads' pod templates and their ready replicas (summed per value).
    std::map<std::string, int> laneValues(const std::string &labelKey) const;
};

struct Inventory
{
    std::vector<ServiceInventory> services;
    const ServiceInventory *service(const std::string &name, const std::string &ns) const;
};

/// Services and Deployments of the namespaces, read in parallel.
Result<Inventory> readInventory(Client &client, const std::vector<std::string> &namespaces);

/// A lane that cannot serve a service: no workload carries its label value with a ready replica.
struct LaneProblem
{
    std::string lane;
    std::string service;
    std::string message;
};

/// Checks every lane's services against the inventory (a lane whose label value has no ready workload).
std::vector<LaneProblem> checkLanes(const LaneGroup &group, const Inventory &inventory);

/// The namespaces an inventory for `group` reads: each service's namespace in the group's order, then
/// `connectionNamespace`; blanks and repeats dropped. `group` may be null (no document open).
std::vector<std::string> inventoryNamespaces(const LaneGroup *group, const std::string &connectionNamespace);

/// What the console offers from an inventory when the operator edits a lane group.
struct InventorySummary
{
    std::vector<std::string> services; ///< service names, sorted, each once (a name may recur per namespace)
    /// Per pod label key, its values on workloads with a ready replica, sorted, each once: a lane cannot
    /// route to a workload that is not up, so the others are not offered.
    std::map<std::string, std::vector<std::string>> labelValues;

    friend bool operator==(const InventorySummary &, const InventorySummary &) = default;
};
InventorySummary summarizeInventory(const Inventory &inventory);

/// A lane and the services it cannot reach a ready workload of (checkLanes, grouped per lane).
struct LaneShortfall
{
    std::string lane;
    std::vector<std::string> services; ///< in checkLanes' order

    friend bool operator==(const LaneShortfall &, const LaneShortfall &) = default;
};
/// checkLanes grouped per lane, lanes in the order of their first problem: short enough for the cluster bar.
std::vector<LaneShortfall> laneShortfalls(const LaneGroup &group, const Inventory &inventory);

} // namespace lanedeck::kube

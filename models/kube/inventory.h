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

} // namespace lanedeck::kube

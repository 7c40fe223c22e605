#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lanedeck::kube {

// Preflight: whether a lane group will work in a cluster, and what it would shadow there (docs/CLUSTER.md,
// "Analysis"). One engine for lanectl and the console: readClusterState() does every read (on the caller's
// thread, blocking), analyzeCluster() is a pure function of the document and what was read, so the console
// can rerun it on each edit without reading again.

enum class Severity
{
    Error,   ///< the lanes will not work as designed, or something the cluster holds stops applying
    Warning, ///< works, but not as the operator may expect (a lane falls back, a push will be reverted)
    Info,    ///< worth knowing (no sidecar injection label, no istiod visible)
};
std::string toString(Severity severity);

/// One thing the analysis found. `code` is stable (docs/CLUSTER.md lists them); the rest is for people.
struct Finding
{
    std::string code;
    Severity severity = Severity::Warning;
    /// The cluster object it concerns, as Resource::displayName() names it ("VirtualService shop/cart"),
    /// empty when it concerns a lane x service only.
    std::string object;
    std::string lane;    ///< the lane it concerns, or empty
    std::string service; ///< the group's service it concerns (its name), or empty
    /// Other objects it is about: the group's own generated objects that are affected, and pods.
    std::vector<std::string> related;
    std::string message;
    std::string fix;

    friend bool operator==(const Finding &, const Finding &) = default;
};

/// Everything the analysis reads from a cluster, as the server answered (lists' items). A kind that could
/// not be read is listed in `unreadable` with the reason; the checks that need it are skipped and say so.
struct ClusterState
{
    std::optional<MeshDiscovery> mesh; ///< empty when discovery failed (see unreadable)
    std::vector<nlohmann::json> namespaces;
    std::vector<nlohmann::json> services;
    std::vector<nlohmann::json> pods;
    std::vector<nlohmann::json> deployments;
    std::vector<nlohmann::json> statefulSets;
    std::vector<nlohmann::json> daemonSets;
    std::vector<nlohmann::json> replicaSets;
    std::vector<nlohmann::json> virtualServices;
    std::vector<nlohmann::json> destinationRules;
    std::vector<nlohmann::json> gateways;
    std::vector<nlohmann::json> asmLaneGroups; ///< ASMSwimLaneGroups, when the cluster serves them
    std::vector<std::string> unreadable;       ///< "pods: HTTP 403: ..." per kind that could not be listed
    std::size_t requests = 0;                  ///< requests sent for the reads (discovery included)
};

/// Reads what analyzeCluster() needs: discovery of the mesh APIs, then one list call per kind across all
/// namespaces, all in parallel. A kind the user may not list cluster-wide (403) is listed again in each
/// namespace the group touches. The Error case is for a cluster that cannot be reached at all.
Result<ClusterState> readClusterState(Client &client, const LaneGroup &group);

/// What the analysis of a group against a cluster state gave.
struct Analysis
{
    std::vector<Finding> findings;  ///< ordered: errors first, then by object, lane, service, code
    std::vector<std::string> notes; ///< checks that were skipped, and why
    bool hasErrors() const;
};

/// The checks of docs/CLUSTER.md: workloads per lane x service, baseline readiness, ingress, coexistence
/// with objects the group did not make, GitOps ownership and version fit. Pure: no I/O, no clock.
Analysis analyzeCluster(const LaneGroup &group, const mesh::RenderOptions &render, const ClusterState &state);

/// readClusterState() then analyzeCluster().
Result<Analysis> analyze(Client &client, const LaneGroup &group, const mesh::RenderOptions &render);

/// What adoption gave: the document with the settings of the objects it would shadow, which objects they
/// came from, and what could not be carried over.
struct Adoption
{
    LaneGroup group;
    std::vector<std::string> adopted; ///< the objects whose settings the group now carries
    std::vector<std::string> notes;   ///< settings left behind, and why
};

/// Pure: for each service of the group, the route settings (adoptableRouteKeys) of the VirtualServices the
/// group did not make that bind its host for the mesh, and the trafficPolicy of such DestinationRules for
/// it, become the service's adopted settings (kept where the document already has them). Objects of other
/// lane groups are left alone. The console offers this as the fix of a vs-conflict or dr-conflict finding.
Adoption adoptShadowedSettings(const LaneGroup &group, const mesh::RenderOptions &render,
                               const ClusterState &state);

/// The analysis as JSON (the shape docs/CLI.md documents for `lanectl analyze -o json`).
nlohmann::json toJson(const Analysis &analysis);

/// The host a VirtualService or DestinationRule in namespace `ns` means by `host`: as Istio reads it, a name
/// without a dot is completed with the namespace and svc.cluster.local; any other is taken as written.
std::string qualifiedHost(const std::string &host, const std::string &ns);

/// Whether two host patterns (each exact or "*"/"*.suffix") can both match one name.
bool hostsIntersect(const std::string &a, const std::string &b);

} // namespace lanedeck::kube

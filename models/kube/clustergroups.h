#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "kube/push.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lanedeck::kube {

/// A lane group that lives in the cluster, as Cluster > Open from Cluster lists it: LaneDeck's (objects
/// labelled swimlane-group=<name> that LaneDeck's field manager wrote) or an ASMSwimLaneGroup that ASM's
/// console or controller made.
struct GroupSummary
{
    enum class State
    {
        InSync,        ///< every object the group generates is there, as generated
        Drifted,       ///< some live objects differ from what the group generates (edited by hand, ...)
        PartlyMissing, ///< some objects the group generates are not in the cluster
        Unreadable     ///< the group cannot be rebuilt from its objects: `problem` says why
    };
    std::string name;
    std::string ns; ///< where its namespaced objects live; empty for a group of cluster-scoped ASM lane CRDs
    mesh::Flavor flavor = mesh::Flavor::Istio;
    bool lanedeck = true; ///< false: an ASMSwimLaneGroup that LaneDeck did not write
    std::vector<std::string> lanes;
    std::vector<std::string> services;
    State state = State::InSync;
    std::vector<std::string> missing; ///< "Kind ns/name" the group generates and the cluster lacks
    std::vector<std::string> drifted; ///< "Kind ns/name" whose live object differs, or is no longer generated
    std::vector<ResourceDiff> diffs;  ///< the diff engine's (diffObjects) for every missing or drifted object
    std::string problem;
    std::vector<std::string> objects; ///< the live objects, "Kind ns/name", sorted
};
std::string toString(GroupSummary::State state);

/// The groups `objects` (live objects of any group, as listed) hold, by name and namespace, each rebuilt
/// (rebuildGroup) and rendered again to compare with what is live. Objects LaneDeck did not write are left
/// out, except ASMSwimLaneGroups, which are listed as ASM's. Sorted by namespace, then name.
std::vector<GroupSummary> summarizeGroups(const std::vector<nlohmann::json> &objects);

/// Lists the lane groups in namespace `ns` (empty: every namespace): one list call per kind a group may
/// hold (label selector swimlane-group), plus ASMSwimLaneGroups when the cluster serves them.
Result<std::vector<GroupSummary>> listGroups(Client &client, const std::string &ns);

/// Whether namespace `ns` exists. A user who may not read namespaces gets true: the push then says what the
/// server says per resource, as before.
Result<bool> namespaceExists(Client &client, const std::string &ns);

/// Creates namespace `ns` (POST /api/v1/namespaces, field manager lanedeck): a server-side dry run first,
/// then, unless `dryRun`, for real. One row, "Namespace <ns>": created, unchanged (it exists already) or
/// failed with the server's message.
ResourceResult createNamespace(Client &client, const std::string &ns, bool dryRun);

} // namespace lanedeck::kube

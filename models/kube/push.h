#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "kube/discovery.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"

#include <functional>
#include <string>
#include <vector>

namespace lanedeck::kube {

enum class Outcome
{
    Created,
    Configured,
    Unchanged,
    Pruned,  ///< deleted: labelled with the group but no longer generated
    Deleted, ///< deleted by deleteGroup
    Failed,
    Skipped, ///< not written because another resource failed (the dry run keeps the cluster untouched)
};
std::string toString(Outcome outcome);

/// One row of a push, prune or delete: the resource, what happened, and the server's message when it failed.
struct ResourceResult
{
    std::string resource; ///< Resource::displayName()
    Outcome outcome = Outcome::Failed;
    std::string message; ///< the server's Status message verbatim, plus what to do (failures, conflicts)
    std::vector<std::string> conflicts; ///< on a 409: "<manager>: <field>" per conflicting field
};

struct PushOptions
{
    bool dryRun = false; ///< only the server-side dry run: nothing is written
    bool force = false;  ///< take over fields another field manager owns
    bool prune = false;  ///< delete the group's objects that are no longer generated
    /// Called after each response: phase ("read", "dry-run", "apply", "prune"), done, total.
    std::function<void(const std::string &phase, std::size_t done, std::size_t total)> progress;
};

struct PushReport
{
    std::vector<ResourceResult> results;
    std::vector<std::string> notes;
    bool dryRun = false;
    bool ok() const;
};

/// Renders the group and server-side-applies every resource as field manager "lanedeck": first all with
/// dryRun=All (if any fails, nothing is written), then for real, then prunes when asked. Refuses a flavor
/// the mesh cannot take (see checkFlavor). The Error case is for failures before any resource was tried.
Result<PushReport> push(Client &client, const LaneGroup &group, const mesh::RenderOptions &render,
                        const PushOptions &options);

/// Applies already rendered resources (push without rendering or flavor checks; the benchmark uses it).
Result<PushReport> applyResources(Client &client, const MeshDiscovery &mesh,
                                  const std::vector<mesh::Resource> &resources, const PushOptions &options);

/// Deletes every object LaneDeck applied for the group (labelled swimlane-group=<group>, managed by lanedeck,
/// plus the ASMSwimLaneGroup of that name), each with uid and resourceVersion preconditions.
Result<PushReport> deleteGroup(Client &client, const std::string &group, const std::string &ns,
                               bool dryRun = false);

/// The group's live objects LaneDeck manages: labelled with it in `ns` (and cluster-scoped ASM lanes).
Result<std::vector<nlohmann::json>> liveGroupObjects(Client &client, const MeshDiscovery &mesh,
                                                     const std::string &group, const std::string &ns);

/// Whether LaneDeck's field manager ("lanedeck") wrote `object` (its managedFields name it).
bool managedByLanedeck(const nlohmann::json &object);

/// The kinds LaneDeck may have written for a group, one served version each (any version lists all objects).
std::vector<KindInfo> groupKinds(const MeshDiscovery &mesh);

/// One resource's difference between what LaneDeck generates and what the cluster holds.
struct ResourceDiff
{
    enum class State
    {
        Identical,
        Changed,
        New,
        Removed
    };
    std::string resource;
    State state = State::Identical;
    std::string diff; ///< unified diff, live (---) to generated (+++)
};

/// Generated vs live, per resource, ignoring what the server fills in (managedFields, resourceVersion, uid,
/// creationTimestamp, generation, status, kubectl's last-applied annotation). Objects of the group that are
/// no longer generated show as Removed.
Result<std::vector<ResourceDiff>> diffGroup(Client &client, const LaneGroup &group,
                                            const mesh::RenderOptions &render);

/// The diff engine behind diffGroup and listGroups' states, on objects already read: each generated resource
/// against the live object of the same kind, namespace and name (Identical, Changed or New, in the order
/// generated), then each live object that nothing generates (Removed). `live` holds objects as the server
/// returns them: the fields it populates are ignored (withoutServerFields); an object given twice counts
/// once.
std::vector<ResourceDiff> diffObjects(const std::vector<mesh::Resource> &generated,
                                      const std::vector<nlohmann::json> &live);

/// An object without the fields the server populates, for comparing and showing.
nlohmann::json withoutServerFields(nlohmann::json object);

} // namespace lanedeck::kube

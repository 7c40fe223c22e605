#pragma once

#include "base/result.h"
#include "kube/client.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lanedeck::kube {

/// A lane group rebuilt from the cluster, the flavor it was pushed in, and what could not be recovered.
struct ImportedGroup
{
    LaneGroup group;
    mesh::Flavor flavor = mesh::Flavor::Asm;
    std::vector<std::string> notes;
};

/// Rebuilds the document of group `name` in namespace `ns` from the objects LaneDeck pushed for it (asm,
/// istio, asm-crd flavors), so that rebuildGroup(push(doc)) == doc for documents in canonical form: lanes
/// list their services in the group's service order, ingress headers sorted by name, baseline empty when it
/// is the first lane (and, for asm-crd, lanes sorted by name).
Result<ImportedGroup> rebuildGroup(const std::string &name, const std::string &ns,
                                   const std::vector<nlohmann::json> &objects);

/// Reads the group's live objects (label swimlane-group=<name>) and rebuilds the document.
Result<ImportedGroup> importGroup(Client &client, const std::string &name, const std::string &ns);

} // namespace lanedeck::kube

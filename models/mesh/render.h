#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"

#include <string>
#include <vector>

namespace lanedeck::mesh {

/// The resources for a lane group, in a stable order, and notes about choices the operator should know.
struct Rendered
{
    std::vector<Resource> resources;
    std::vector<std::string> notes;
};

/// Validates the group and generates its resources. An invalid group gives an Error listing every problem.
Result<Rendered> render(const LaneGroup &group, const RenderOptions &options);

} // namespace lanedeck::mesh

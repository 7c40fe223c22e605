#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"

#include <string>

namespace lanedeck::mesh {

/// The parts of a lane group that mesh resources cannot express (lane mode, pass-through, and each
/// service's namespace, port and calls), as the compact JSON stored in kTopologyAnnotation.
std::string topologyAnnotation(const LaneGroup &group);

/// Reads kTopologyAnnotation back into `group` (mode, pass-through, services).
Result<void> applyTopologyAnnotation(const std::string &annotation, LaneGroup &group);

} // namespace lanedeck::mesh

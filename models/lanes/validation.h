#pragma once

#include "lanes/diagnostic.h"
#include "lanes/lanegroup.h"

#include <vector>

namespace lanedeck {

/// Every problem that would make the group's generated resources wrong or rejected, all at once, each
/// naming its field path. An empty list means the group can be rendered and pushed.
std::vector<Diagnostic> validate(const LaneGroup &group);

} // namespace lanedeck

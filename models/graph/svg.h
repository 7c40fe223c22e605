#pragma once

#include "graph/drawing.h"

#include <string>

namespace lanedeck::graph {

/// The drawing as a standalone SVG 1.1 document: every service a <g class="node" data-service="..."> with a
/// <title> (its description), every call a <g class="edge" data-from data-to>. The console's File > Export
/// Graph and `lanectl graph` both write this.
std::string toSvg(const Drawing &drawing, const Style &style);

/// The path of an arrowhead for `route`: three points, the tip on the callee's border first.
std::vector<Point> arrowHead(const EdgeRoute &route, double size);

} // namespace lanedeck::graph

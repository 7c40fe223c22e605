#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"

#include <cstddef>
#include <string>
#include <vector>

namespace lanedeck::graph {

/// A point of the drawing, in drawing units (1/72 inch, as Graphviz and SVG user units), y pointing down.
struct Point
{
    double x = 0;
    double y = 0;

    friend bool operator==(const Point &, const Point &) = default;
};

/// The box of one service, top-left corner and size.
struct NodeBox
{
    std::string service;
    double x = 0;
    double y = 0;
    double width = 0;
    double height = 0;

    double centerX() const { return x + width / 2; }
    double centerY() const { return y + height / 2; }
    friend bool operator==(const NodeBox &, const NodeBox &) = default;
};

/// One call, routed: a cubic Bézier spline (start, then three points per segment) ending at the arrow's
/// base, and the arrow's tip on the callee's border.
struct EdgeRoute
{
    std::size_t from = 0; ///< index into GraphLayout::nodes
    std::size_t to = 0;
    std::vector<Point> spline;
    Point tip;

    friend bool operator==(const EdgeRoute &, const EdgeRoute &) = default;
};

/// The call graph placed by Graphviz's `dot`, left to right from the entry service. Nodes are in the group's
/// service order; edges in the order of the services' calls (calls to unknown services are left out).
struct GraphLayout
{
    std::vector<NodeBox> nodes;
    std::vector<EdgeRoute> edges;
    double width = 0;
    double height = 0;

    friend bool operator==(const GraphLayout &, const GraphLayout &) = default;
};

/// The size each service's box needs, in the group's service order.
struct NodeSize
{
    double width = 0;
    double height = 0;
};

/// Lays the group's call graph out with Graphviz (libgvc, the `dot` layered layout, rankdir LR). Services are
/// given to dot in breadth-first order from the entry service, then the rest in document order, so a small
/// edit keeps the other services' order within their ranks and the picture does not reshuffle.
///
/// Thread: any; Graphviz keeps global state, so layouts run one at a time (an internal mutex). Errors: a
/// size list that does not match the services, or Graphviz failing, as an Error.
[[nodiscard]] Result<GraphLayout> layoutGraph(const LaneGroup &group, const std::vector<NodeSize> &sizes);

} // namespace lanedeck::graph

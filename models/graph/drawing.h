#pragma once

#include "base/result.h"
#include "graph/layout.h"
#include "lanes/lanegroup.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lanedeck::graph {

/// Traffic seen on one call for one lane (from the sampler's statistics today, from the mesh's metrics
/// later): a plain value so any source can fill it.
struct EdgeTraffic
{
    std::string from;
    std::string to;
    std::string lane;
    double requestsPerSecond = 0;
    /// Requests of `lane` on this call answered by a version of another lane than the path says.
    bool leaking = false;

    friend bool operator==(const EdgeTraffic &, const EdgeTraffic &) = default;
};

/// Traffic seen at one service: requests/s and the share of them that failed (0..1).
struct NodeTraffic
{
    std::string service;
    double requestsPerSecond = 0;
    double errorRate = 0;

    friend bool operator==(const NodeTraffic &, const NodeTraffic &) = default;
};

struct Traffic
{
    std::vector<EdgeTraffic> edges;
    std::vector<NodeTraffic> nodes;

    bool empty() const { return edges.empty() && nodes.empty(); }
    friend bool operator==(const Traffic &, const Traffic &) = default;
};

/// How a node or edge stands for the selected lane.
enum class Reach
{
    Plain,    ///< no lane selected ("all lanes")
    Lane,     ///< the lane's own version serves it
    Fallback, ///< reached, but the lane lacks the service: the baseline's version serves it
    Unreached ///< the lane's requests never get there
};

/// A version label on a node: the lane (its index, for its colour) and the label value.
struct Chip
{
    int lane = 0;
    std::string text;
    bool fallback = false; ///< drawn as an outline: the version serves the lane only by falling back

    friend bool operator==(const Chip &, const Chip &) = default;
};

/// One service as drawn: its box, its lines of text, its version chips, and how the selected lane reaches it.
struct DrawnNode
{
    NodeBox box;
    std::string ns;
    bool entry = false;
    Reach reach = Reach::Plain;
    std::vector<Chip> chips;
    std::vector<NodeBox> chipBoxes; ///< where each chip goes, in drawing units
    double errorRate = -1;          ///< negative: no traffic seen
    /// "cart in shop, lane cart-v2: v2" — what a screen reader says, and the SVG's <title>.
    std::string description;

    friend bool operator==(const DrawnNode &, const DrawnNode &) = default;
};

/// One call as drawn.
struct DrawnEdge
{
    EdgeRoute route;
    Reach reach = Reach::Plain;
    double strokeWidth = 1.5;
    std::string label;    ///< requests/s while traffic flows ("12.5/s"), else empty
    Point labelAt;        ///< the label's centre
    int labelLane = -1;   ///< the lane whose colour the label takes, -1: the text colour
    bool leaking = false; ///< traffic of a lane left its path on this call
    std::string description;

    friend bool operator==(const DrawnEdge &, const DrawnEdge &) = default;
};

/// The whole picture, display-free: what the console's canvas shows and `lanectl graph` writes, so both draw
/// the same thing. Coordinates are drawing units (points), origin top-left.
struct Drawing
{
    std::string title; ///< "Lane group shop, lane cart-v2"
    double width = 0;
    double height = 0;
    int lane = -1; ///< the selected lane, -1 for all lanes
    std::vector<std::string> laneNames;
    std::vector<DrawnNode> nodes;
    std::vector<DrawnEdge> edges;

    friend bool operator==(const Drawing &, const Drawing &) = default;
};

/// The colours of a drawing (0xRRGGBB), for a light or a dark background; lanes take laneRgb().
struct Style
{
    std::uint32_t background;
    std::uint32_t text;
    std::uint32_t mutedText;
    std::uint32_t nodeFill;
    std::uint32_t nodeStroke;
    std::uint32_t edge;
    std::uint32_t problem;
    double dimmedOpacity;

    static Style light();
    static Style dark();
};

/// The geometry every drawing uses: a node's text rows and chips. A character is counted kCharWidth wide,
/// which the canvas and the SVG both honour by fitting their text into the boxes.
struct Metrics
{
    static constexpr double kFontSize = 12;
    static constexpr double kCharWidth = 7.2;
    static constexpr double kPadding = 8;
    static constexpr double kRow = 17;
    static constexpr double kChipHeight = 16;
    static constexpr double kChipGap = 4;
    static constexpr std::size_t kChipsPerRow = 5;
    static constexpr double kMargin = 12;
    /// Room kept at the right of the name row for the error rate ("100.0% err" at 10 px), so traffic
    /// arriving never moves a node.
    static constexpr double kErrorLabel = 64;
};

/// The box sizes for layoutGraph(): wide enough for the name, the namespace and every lane's version chip
/// (the "all lanes" view, so picking a lane never moves a node).
std::vector<NodeSize> nodeSizes(const LaneGroup &group);

/// A chip's text: the version, and for a fallback "v1 ↪ base".
std::string chipText(const Chip &chip, const std::vector<std::string> &laneNames);

/// Lays the group out (nodeSizes, layoutGraph) and draws it for `lane` (-1: all lanes) with `traffic`.
[[nodiscard]] Result<Drawing> drawGroup(const LaneGroup &group, int lane, const Traffic &traffic = {});

/// Draws an already laid-out group: what the canvas does when only the lane or the traffic changed.
/// `layout` must come from layoutGraph() for the same services.
Drawing draw(const LaneGroup &group, const GraphLayout &layout, int lane, const Traffic &traffic = {});

/// The lane colours as 0xRRGGBB, shared by every view (Okabe-Ito, then Tol's muted set: readable with the
/// common colour-vision deficiencies).
std::uint32_t laneRgb(int lane);

} // namespace lanedeck::graph

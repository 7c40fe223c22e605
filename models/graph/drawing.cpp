#include "graph/drawing.h"

#include "lanes/lanepaths.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

namespace lanedeck::graph {
namespace {

using M = Metrics;

double textWidth(const std::string &text, double scale = 1.0)
{
    // Count code points, not bytes, so a non-ASCII name is not drawn too wide.
    std::size_t chars = 0;
    for (const unsigned char c : text) {
        chars += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    return static_cast<double>(chars) * M::kCharWidth * scale;
}

double chipWidth(const std::string &text)
{
    return textWidth(text, 0.9) + 10;
}

/// Every service's version chips, one per lane that holds it, in lane order: one pass over the lanes rather
/// than a search of every lane per service (1,000 services x 20 lanes).
std::unordered_map<std::string, std::vector<Chip>> allLaneChips(const LaneGroup &group)
{
    std::unordered_map<std::string, std::vector<Chip>> chips;
    for (std::size_t l = 0; l < group.lanes.size(); ++l) {
        for (const auto &service : group.lanes[l].services) {
            auto &list = chips[service];
            if (list.empty() || list.back().lane != static_cast<int>(l)) {
                list.push_back({static_cast<int>(l), group.lanes[l].labelValue, false});
            }
        }
    }
    return chips;
}

/// The chips' boxes, kChipsPerRow to a row, below the name and namespace rows of `box`.
std::vector<NodeBox> placeChips(const NodeBox &box, const std::vector<Chip> &chips,
                                const std::vector<std::string> &laneNames)
{
    std::vector<NodeBox> boxes;
    double x = box.x + M::kPadding;
    double y = box.y + M::kPadding + 2 * M::kRow;
    for (std::size_t i = 0; i < chips.size(); ++i) {
        if (i > 0 && i % M::kChipsPerRow == 0) {
            x = box.x + M::kPadding;
            y += M::kChipHeight + M::kChipGap;
        }
        const std::string text = chipText(chips[i], laneNames);
        const double w = chipWidth(text);
        boxes.push_back({text, x, y, w, M::kChipHeight});
        x += w + M::kChipGap;
    }
    return boxes;
}

std::string rate(double perSecond)
{
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, perSecond, std::chars_format::fixed,
                                         perSecond < 10 ? 1 : 0);
    return ec == std::errc() ? std::string(buffer, end) + "/s" : std::string();
}

/// The point halfway along a spline's control points: close enough to the curve's middle for a label.
Point middle(const std::vector<Point> &spline)
{
    if (spline.empty()) {
        return {};
    }
    if (spline.size() >= 4 && spline.size() % 3 == 1) {
        // Evaluate the middle segment at t = 0.5.
        const std::size_t segments = (spline.size() - 1) / 3;
        const std::size_t s = segments / 2;
        const Point &p0 = spline[s * 3];
        const Point &p1 = spline[s * 3 + 1];
        const Point &p2 = spline[s * 3 + 2];
        const Point &p3 = spline[s * 3 + 3];
        if (segments % 2 == 0) {
            return p0;
        }
        return {(p0.x + 3 * p1.x + 3 * p2.x + p3.x) / 8, (p0.y + 3 * p1.y + 3 * p2.y + p3.y) / 8};
    }
    return spline[spline.size() / 2];
}

} // namespace

std::uint32_t laneRgb(int lane)
{
    static constexpr std::array<std::uint32_t, 10> colors = {
        0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7, 0x56B4E9, 0xD55E00, 0xF0E442, 0x882255, 0x44AA99, 0x999933};
    return colors[static_cast<std::size_t>(lane < 0 ? 0 : lane) % colors.size()];
}

Style Style::light()
{
    return {0xFFFFFF, 0x1F2328, 0x59636E, 0xF6F8FA, 0x8C959F, 0x57606A, 0xD32F2F, 0.3};
}

Style Style::dark()
{
    return {0x1E1F22, 0xE6EDF3, 0x9DA7B3, 0x2B2D31, 0x6E7681, 0xA0A8B2, 0xFF6B6B, 0.3};
}

std::string chipText(const Chip &chip, const std::vector<std::string> &laneNames)
{
    if (!chip.fallback || chip.lane < 0 || static_cast<std::size_t>(chip.lane) >= laneNames.size()) {
        return chip.text;
    }
    return chip.text + " ↪ " + laneNames[static_cast<std::size_t>(chip.lane)];
}

std::vector<NodeSize> nodeSizes(const LaneGroup &group)
{
    const Lane *baseline = group.baselineLane();
    const double fallbackChip =
        baseline ? chipWidth(chipText({0, baseline->labelValue, true}, {baseline->name})) : 0.0;
    std::vector<NodeSize> sizes;
    sizes.reserve(group.services.size());
    const auto chipsOf = allLaneChips(group);
    for (const auto &service : group.services) {
        double width = std::max(
            {textWidth(service.name, 1.1) + M::kErrorLabel, textWidth(service.ns, 0.9), fallbackChip, 60.0});
        static const std::vector<Chip> none;
        const auto found = chipsOf.find(service.name);
        const auto &chips = found == chipsOf.end() ? none : found->second;
        double row = 0;
        for (std::size_t i = 0; i < chips.size(); ++i) {
            if (i % M::kChipsPerRow == 0) {
                row = 0;
            }
            row += chipWidth(chips[i].text) + (i % M::kChipsPerRow == 0 ? 0 : M::kChipGap);
            width = std::max(width, row);
        }
        const std::size_t rows =
            std::max<std::size_t>(1, (chips.size() + M::kChipsPerRow - 1) / M::kChipsPerRow);
        const double height = 2 * M::kPadding + 2 * M::kRow + static_cast<double>(rows) * M::kChipHeight +
                              static_cast<double>(rows - 1) * M::kChipGap;
        sizes.push_back({std::ceil(width + 2 * M::kPadding), std::ceil(height)});
    }
    return sizes;
}

namespace {

/// How the selected lane's requests reach each service and call (a service reached both by its own version
/// and by fallback, through two callers, counts as its own).
struct LaneReach
{
    std::map<std::string, Hop> hopOf;
    std::map<std::pair<std::string, std::string>, Reach> callReach;
};

LaneReach laneReach(const LaneGroup &group, const Lane &selected)
{
    LaneReach reach;
    auto &hopOf = reach.hopOf;
    auto &callReach = reach.callReach;
    for (const auto &path : lanePaths(group)) {
        if (path.lane != selected.name) {
            continue;
        }
        const auto callers = path.callers();
        for (std::size_t i = 0; i < path.hops.size(); ++i) {
            const Hop &hop = path.hops[i];
            if (auto [it, inserted] = hopOf.emplace(hop.service, hop); !inserted && !hop.fallback) {
                it->second = hop;
            }
            if (callers[i] >= 0) {
                const auto key =
                    std::make_pair(path.hops[static_cast<std::size_t>(callers[i])].service, hop.service);
                const Reach r = hop.fallback ? Reach::Fallback : Reach::Lane;
                if (auto [it, inserted] = callReach.emplace(key, r); !inserted && r == Reach::Lane) {
                    it->second = Reach::Lane;
                }
            }
        }
    }
    return reach;
}

/// The drawing's nodes, one per box of `layout`: text, chips (every lane's, or the selected lane's hop), how
/// the selected lane reaches them, the chips' places and the error rate seen.
void drawNodes(Drawing &drawing, const LaneGroup &group, const GraphLayout &layout, const Lane *selected,
               const LaneReach &reach, const Traffic &traffic)
{
    const auto &hopOf = reach.hopOf;
    const auto chipsOf = selected ? decltype(allLaneChips(group)){} : allLaneChips(group);
    std::unordered_map<std::string, std::size_t> serviceIndex;
    for (std::size_t i = 0; i < group.services.size(); ++i) {
        serviceIndex.emplace(group.services[i].name, i);
    }
    for (const NodeBox &box : layout.nodes) {
        DrawnNode node;
        node.box = box;
        node.box.x += M::kMargin;
        node.box.y += M::kMargin;
        const auto known = serviceIndex.find(box.service);
        const Service *service = known == serviceIndex.end() ? nullptr : &group.services[known->second];
        node.ns = service ? service->ns : std::string();
        node.entry = box.service == group.ingress.entryService;
        node.description =
            box.service + " (namespace " + node.ns + ")" + (node.entry ? ", entry service" : "");
        if (!selected) {
            if (auto found = chipsOf.find(box.service); found != chipsOf.end()) {
                node.chips = found->second;
            }
            std::string versions;
            for (const auto &chip : node.chips) {
                versions += (versions.empty() ? "" : ", ") +
                            group.lanes[static_cast<std::size_t>(chip.lane)].name + ' ' + chip.text;
            }
            node.description += versions.empty() ? "; in no lane" : "; " + versions;
        } else if (auto it = hopOf.find(box.service); it != hopOf.end()) {
            const Hop &hop = it->second;
            node.reach = hop.fallback ? Reach::Fallback : Reach::Lane;
            const auto servedBy = std::find_if(group.lanes.begin(), group.lanes.end(),
                                               [&hop](const Lane &l) { return l.name == hop.servedBy; });
            node.chips.push_back(
                {static_cast<int>(servedBy - group.lanes.begin()), hop.version, hop.fallback});
            node.description += "; lane " + selected->name + ": " + hop.describe();
        } else {
            node.reach = Reach::Unreached;
            node.description += "; not reached by lane " + selected->name;
        }
        drawing.nodes.push_back(std::move(node));
    }
    std::unordered_map<std::string, double> errorRates;
    for (const auto &t : traffic.nodes) {
        errorRates[t.service] = t.errorRate;
    }
    for (auto &node : drawing.nodes) {
        node.chipBoxes = placeChips(node.box, node.chips, drawing.laneNames);
        if (auto it = errorRates.find(node.box.service); it != errorRates.end()) {
            node.errorRate = it->second;
        }
    }
}

/// The drawing's edges, one per route of `layout`: how the selected lane uses them and the traffic seen.
void drawEdges(Drawing &drawing, const GraphLayout &layout, const Lane *selected, const LaneReach &reach,
               const Traffic &traffic)
{
    const auto &callReach = reach.callReach;
    std::map<std::pair<std::string, std::string>, std::vector<const EdgeTraffic *>> trafficOf;
    for (const auto &t : traffic.edges) {
        if (!selected || t.lane == selected->name) {
            trafficOf[{t.from, t.to}].push_back(&t);
        }
    }

    for (const EdgeRoute &route : layout.edges) {
        DrawnEdge edge;
        edge.route = route;
        for (auto &p : edge.route.spline) {
            p.x += M::kMargin;
            p.y += M::kMargin;
        }
        edge.route.tip.x += M::kMargin;
        edge.route.tip.y += M::kMargin;
        const std::string &from = layout.nodes[route.from].service;
        const std::string &to = layout.nodes[route.to].service;
        edge.description = from + " calls " + to;
        if (selected) {
            auto it = callReach.find({from, to});
            edge.reach = it == callReach.end() ? Reach::Unreached : it->second;
            edge.description += it == callReach.end() ? "; not on lane " + selected->name + "'s path"
                                : it->second == Reach::Fallback
                                    ? "; lane " + selected->name + " falls back here"
                                    : "; on lane " + selected->name + "'s path";
        }
        double perSecond = 0;
        const auto flows = trafficOf.find({from, to});
        if (flows != trafficOf.end()) {
            for (const EdgeTraffic *t : flows->second) {
                perSecond += t->requestsPerSecond;
                edge.leaking = edge.leaking || t->leaking;
            }
            edge.label = rate(perSecond);
            edge.strokeWidth = 1.5 + std::min(6.0, std::log2(1 + perSecond));
            edge.labelAt = middle(edge.route.spline);
            edge.labelAt.y -= 6 + edge.strokeWidth / 2;
            edge.labelLane = drawing.lane;
            edge.description += "; " + edge.label + (edge.leaking ? ", leaking out of its lane" : "");
        }
        drawing.edges.push_back(std::move(edge));
    }
}

} // namespace

Drawing draw(const LaneGroup &group, const GraphLayout &layout, int lane, const Traffic &traffic)
{
    Drawing drawing;
    drawing.width = layout.width + 2 * M::kMargin;
    drawing.height = layout.height + 2 * M::kMargin;
    drawing.title = "Lane group " + group.name;
    drawing.lane = lane >= 0 && static_cast<std::size_t>(lane) < group.lanes.size() ? lane : -1;
    for (const auto &l : group.lanes) {
        drawing.laneNames.push_back(l.name);
    }
    const Lane *selected = drawing.lane >= 0 ? &group.lanes[static_cast<std::size_t>(drawing.lane)] : nullptr;
    drawing.title += selected ? ", lane " + selected->name : ", all lanes";

    const LaneReach reach = selected ? laneReach(group, *selected) : LaneReach{};
    drawNodes(drawing, group, layout, selected, reach, traffic);
    drawEdges(drawing, layout, selected, reach, traffic);
    return drawing;
}

Result<Drawing> drawGroup(const LaneGroup &group, int lane, const Traffic &traffic)
{
    auto layout = layoutGraph(group, nodeSizes(group));
    if (!layout) {
        return layout.error();
    }
    return draw(group, *layout, lane, traffic);
}

} // namespace lanedeck::graph

#include "graph/svg.h"

#include <charconv>
#include <cmath>

namespace lanedeck::graph {
namespace {

using M = Metrics;

std::string num(double value)
{
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 1);
    return ec == std::errc() ? std::string(buffer, end) : std::string("0");
}

std::string color(std::uint32_t rgb)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "#";
    for (int shift = 20; shift >= 0; shift -= 4) {
        out += hex[(rgb >> shift) & 0xF];
    }
    return out;
}

std::string escape(const std::string &text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

bool darkColor(std::uint32_t rgb)
{
    const double r = ((rgb >> 16) & 0xFF) / 255.0;
    const double g = ((rgb >> 8) & 0xFF) / 255.0;
    const double b = (rgb & 0xFF) / 255.0;
    return 0.2126 * r + 0.7152 * g + 0.0722 * b <= 0.5;
}

std::string text(double x, double y, const std::string &content, const std::string &attributes)
{
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + attributes + ">" + escape(content) +
           "</text>";
}

} // namespace

std::vector<Point> arrowHead(const EdgeRoute &route, double size)
{
    if (route.spline.empty()) {
        return {};
    }
    const Point base = route.spline.back();
    double dx = route.tip.x - base.x;
    double dy = route.tip.y - base.y;
    double length = std::hypot(dx, dy);
    Point tip = route.tip;
    if (length < 0.5) {
        // No arrow room left by the router: point along the last control segment instead.
        const Point before = route.spline.size() > 1 ? route.spline[route.spline.size() - 2] : base;
        dx = base.x - before.x;
        dy = base.y - before.y;
        length = std::max(std::hypot(dx, dy), 1e-9);
        tip = base;
    }
    const double ux = dx / length;
    const double uy = dy / length;
    const Point back{tip.x - ux * size, tip.y - uy * size};
    return {tip,
            {back.x - uy * size * 0.45, back.y + ux * size * 0.45},
            {back.x + uy * size * 0.45, back.y - ux * size * 0.45}};
}

std::string toSvg(const Drawing &drawing, const Style &style)
{
    std::string out;
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(drawing.width) +
           "\" height=\"" + num(drawing.height) + "\" viewBox=\"0 0 " + num(drawing.width) + ' ' +
           num(drawing.height) + "\" font-family=\"DejaVu Sans, Noto Sans, sans-serif\" font-size=\"" +
           num(M::kFontSize) + "\">\n";
    out += "<title>" + escape(drawing.title) + "</title>\n";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"" + color(style.background) + "\"/>\n";

    const std::uint32_t baselineRgb = laneRgb(0);
    for (const DrawnEdge &edge : drawing.edges) {
        const auto &from = drawing.nodes[edge.route.from].box.service;
        const auto &to = drawing.nodes[edge.route.to].box.service;
        std::uint32_t stroke = style.edge;
        double width = edge.strokeWidth;
        std::string extra;
        if (edge.reach == Reach::Lane) {
            stroke = laneRgb(drawing.lane);
            width = std::max(width, 2.5);
        } else if (edge.reach == Reach::Fallback) {
            stroke = baselineRgb;
            width = std::max(width, 2.0);
            extra = " stroke-dasharray=\"6 4\"";
        } else if (edge.reach == Reach::Unreached) {
            extra = " opacity=\"" + num(style.dimmedOpacity) + "\"";
        }
        if (edge.leaking) {
            stroke = style.problem;
        }
        out += "<g class=\"edge\" data-from=\"" + escape(from) + "\" data-to=\"" + escape(to) + "\"" + extra +
               ">\n<title>" + escape(edge.description) + "</title>\n";
        if (!edge.route.spline.empty()) {
            std::string d = "M" + num(edge.route.spline[0].x) + ',' + num(edge.route.spline[0].y);
            for (std::size_t i = 1; i + 2 < edge.route.spline.size(); i += 3) {
                d += " C" + num(edge.route.spline[i].x) + ',' + num(edge.route.spline[i].y) + ' ' +
                     num(edge.route.spline[i + 1].x) + ',' + num(edge.route.spline[i + 1].y) + ' ' +
                     num(edge.route.spline[i + 2].x) + ',' + num(edge.route.spline[i + 2].y);
            }
            out += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + color(stroke) + "\" stroke-width=\"" +
                   num(width) + "\"/>\n";
            std::string points;
            for (const Point &p : arrowHead(edge.route, 6 + width)) {
                points += (points.empty() ? "" : " ") + num(p.x) + ',' + num(p.y);
            }
            out += "<polygon points=\"" + points + "\" fill=\"" + color(stroke) + "\"/>\n";
        }
        if (!edge.label.empty()) {
            const std::string label = edge.leaking ? edge.label + " leak" : edge.label;
            out += text(edge.labelAt.x, edge.labelAt.y + 4, label,
                        "text-anchor=\"middle\" font-size=\"11\" fill=\"" +
                            color(edge.leaking ? style.problem : style.text) + "\" stroke=\"" +
                            color(style.background) + "\" stroke-width=\"3\" paint-order=\"stroke\"") +
                   "\n";
        }
        out += "</g>\n";
    }

    for (const DrawnNode &node : drawing.nodes) {
        const NodeBox &b = node.box;
        std::string extra;
        if (node.reach == Reach::Unreached) {
            extra = " opacity=\"" + num(style.dimmedOpacity) + "\"";
        }
        out += "<g class=\"node\" data-service=\"" + escape(b.service) + "\"" + extra + ">\n<title>" +
               escape(node.description) + "</title>\n";
        std::uint32_t stroke = style.nodeStroke;
        double width = 1;
        std::string dash;
        if (node.reach == Reach::Lane) {
            stroke = laneRgb(drawing.lane);
            width = 2.5;
        } else if (node.reach == Reach::Fallback) {
            stroke = baselineRgb;
            width = 2;
            dash = " stroke-dasharray=\"6 4\"";
        }
        if (node.entry) {
            // The ingress arrow: traffic enters the graph here.
            out += "<polygon points=\"" + num(b.x - 1) + ',' + num(b.centerY()) + ' ' + num(b.x - 10) + ',' +
                   num(b.centerY() - 5) + ' ' + num(b.x - 10) + ',' + num(b.centerY() + 5) + "\" fill=\"" +
                   color(style.text) + "\"/>\n";
        }
        out += "<rect x=\"" + num(b.x) + "\" y=\"" + num(b.y) + "\" width=\"" + num(b.width) +
               "\" height=\"" + num(b.height) + "\" rx=\"6\" fill=\"" + color(style.nodeFill) +
               "\" stroke=\"" + color(stroke) + "\" stroke-width=\"" + num(width) + "\"" + dash + "/>\n";
        out += text(b.x + M::kPadding, b.y + M::kPadding + M::kRow - 5, b.service,
                    "font-weight=\"bold\" fill=\"" + color(style.text) + "\"") +
               "\n";
        out += text(b.x + M::kPadding, b.y + M::kPadding + 2 * M::kRow - 5, node.ns,
                    "font-size=\"11\" fill=\"" + color(style.mutedText) + "\"") +
               "\n";
        if (node.errorRate >= 0) {
            out += text(b.x + b.width - M::kPadding, b.y + M::kPadding + M::kRow - 5,
                        num(node.errorRate * 100) + "% err",
                        "text-anchor=\"end\" font-size=\"10\" fill=\"" +
                            color(node.errorRate > 0 ? style.problem : style.mutedText) + "\"") +
                   "\n";
        }
        for (std::size_t i = 0; i < node.chips.size() && i < node.chipBoxes.size(); ++i) {
            const Chip &chip = node.chips[i];
            const NodeBox &c = node.chipBoxes[i];
            const std::uint32_t rgb = laneRgb(chip.lane);
            if (chip.fallback) {
                out += "<rect x=\"" + num(c.x + 0.75) + "\" y=\"" + num(c.y + 0.75) + "\" width=\"" +
                       num(c.width - 1.5) + "\" height=\"" + num(c.height - 1.5) +
                       "\" rx=\"4\" fill=\"none\" stroke=\"" + color(rgb) +
                       "\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n";
            } else {
                out += "<rect x=\"" + num(c.x) + "\" y=\"" + num(c.y) + "\" width=\"" + num(c.width) +
                       "\" height=\"" + num(c.height) + "\" rx=\"4\" fill=\"" + color(rgb) + "\"/>\n";
            }
            const std::uint32_t ink = chip.fallback ? style.text : (darkColor(rgb) ? 0xFFFFFF : 0x000000);
            out += text(c.centerX(), c.y + c.height - 4.5, c.service,
                        "text-anchor=\"middle\" font-size=\"11\" fill=\"" + color(ink) + "\"") +
                   "\n";
        }
        out += "</g>\n";
    }
    out += "</svg>\n";
    return out;
}

} // namespace lanedeck::graph

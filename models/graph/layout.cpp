#include "graph/layout.h"

#include <graphviz/gvc.h>

#include <algorithm>
#include <charconv>
#include <clocale>
#include <deque>
#include <locale.h>
#include <mutex>
#include <unordered_map>

namespace lanedeck::graph {
namespace {

constexpr double kPointsPerInch = 72.0;

/// Graphviz reads numbers with strtod, which follows LC_NUMERIC; the GUI sets the user's locale, where the
/// decimal separator may be a comma. This switches the calling thread to the C locale for one layout.
class CNumericLocale
{
public:
    CNumericLocale()
        : m_c(newlocale(LC_NUMERIC_MASK, "C", static_cast<locale_t>(nullptr))),
          m_previous(m_c ? uselocale(m_c) : static_cast<locale_t>(nullptr))
    {}
    ~CNumericLocale()
    {
        if (m_c) {
            uselocale(m_previous);
            freelocale(m_c);
        }
    }
    CNumericLocale(const CNumericLocale &) = delete;
    CNumericLocale &operator=(const CNumericLocale &) = delete;

private:
    locale_t m_c;
    locale_t m_previous;
};

std::string number(double value)
{
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 4);
    return ec == std::errc() ? std::string(buffer, end) : std::string("1");
}

void set(void *object, const char *name, const std::string &value)
{
    agsafeset(object, const_cast<char *>(name), const_cast<char *>(value.c_str()), const_cast<char *>(""));
}

/// The services in the order dot gets them: breadth-first from the entry service along the calls, then the
/// services no call reaches, in document order.
std::vector<std::size_t> feedOrder(const LaneGroup &group)
{
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < group.services.size(); ++i) {
        index.emplace(group.services[i].name, i);
    }
    std::vector<bool> seen(group.services.size(), false);
    std::vector<std::size_t> order;
    std::deque<std::size_t> queue;
    if (auto entry = index.find(group.ingress.entryService); entry != index.end()) {
        queue.push_back(entry->second);
        seen[entry->second] = true;
    }
    while (!queue.empty()) {
        const std::size_t s = queue.front();
        queue.pop_front();
        order.push_back(s);
        for (const auto &callee : group.services[s].calls) {
            if (auto it = index.find(callee); it != index.end() && !seen[it->second]) {
                seen[it->second] = true;
                queue.push_back(it->second);
            }
        }
    }
    for (std::size_t i = 0; i < group.services.size(); ++i) {
        if (!seen[i]) {
            order.push_back(i);
        }
    }
    return order;
}

std::mutex &graphvizMutex()
{
    static std::mutex mutex;
    return mutex;
}

} // namespace

Result<GraphLayout> layoutGraph(const LaneGroup &group, const std::vector<NodeSize> &sizes)
{
    if (sizes.size() != group.services.size()) {
        return Error{"graph layout: " + std::to_string(sizes.size()) + " node sizes for " +
                     std::to_string(group.services.size()) + " services"};
    }
    GraphLayout layout;
    if (group.services.empty()) {
        return layout;
    }
    const std::lock_guard lock(graphvizMutex());
    const CNumericLocale cLocale;
    // One context for the process: creating it loads the plugin configuration, which costs more than a
    // small layout.
    static GVC_t *const context = gvContext();
    if (!context) {
        return Error{"graph layout: Graphviz could not start (is the dot layout plugin installed?)"};
    }
    Agraph_t *g = agopen(const_cast<char *>("lanes"), Agdirected, nullptr);
    set(g, "rankdir", "LR");
    set(g, "nodesep", "0.35");
    // Room between ranks for an edge's traffic label ("250/s leak" at 11 px is about 60 pt): the label sits
    // above the edge's middle and must not slip under the boxes.
    set(g, "ranksep", "1.0");
    set(g, "ordering", "out");
    set(g, "splines", "spline");
    std::vector<Agnode_t *> nodes(group.services.size(), nullptr);
    std::unordered_map<std::string, std::size_t> index;
    for (const std::size_t s : feedOrder(group)) {
        const std::string name = "n" + std::to_string(s);
        Agnode_t *n = agnode(g, const_cast<char *>(name.c_str()), 1);
        set(n, "shape", "box");
        set(n, "fixedsize", "true");
        set(n, "label", "");
        set(n, "width", number(sizes[s].width / kPointsPerInch));
        set(n, "height", number(sizes[s].height / kPointsPerInch));
        nodes[s] = n;
        index.emplace(group.services[s].name, s);
    }
    std::vector<std::pair<Agedge_t *, EdgeRoute>> edges;
    for (const std::size_t s : feedOrder(group)) {
        for (const auto &callee : group.services[s].calls) {
            if (auto it = index.find(callee); it != index.end()) {
                Agedge_t *e = agedge(g, nodes[s], nodes[it->second], nullptr, 1);
                edges.push_back({e, EdgeRoute{s, it->second, {}, {}}});
            }
        }
    }
    if (gvLayout(context, g, "dot") != 0) {
        agclose(g);
        return Error{"graph layout: Graphviz's dot layout failed"};
    }
    const boxf bb = GD_bb(g);
    const auto point = [&bb](pointf p) { return Point{p.x - bb.LL.x, bb.UR.y - p.y}; };
    layout.width = bb.UR.x - bb.LL.x;
    layout.height = bb.UR.y - bb.LL.y;
    for (std::size_t s = 0; s < group.services.size(); ++s) {
        const Point center = point(ND_coord(nodes[s]));
        const double w = ND_width(nodes[s]) * kPointsPerInch;
        const double h = ND_height(nodes[s]) * kPointsPerInch;
        layout.nodes.push_back({group.services[s].name, center.x - w / 2, center.y - h / 2, w, h});
    }
    // Edges in the order of the services' calls (document order), whatever order dot was fed.
    std::vector<EdgeRoute> routes;
    for (auto &[e, route] : edges) {
        const splines *spl = ED_spl(e);
        if (spl && spl->size > 0) {
            const bezier &bz = spl->list[0];
            for (std::size_t i = 0; i < static_cast<std::size_t>(bz.size); ++i) {
                route.spline.push_back(point(bz.list[i]));
            }
            route.tip = bz.eflag ? point(bz.ep) : route.spline.back();
        }
        routes.push_back(std::move(route));
    }
    std::stable_sort(routes.begin(), routes.end(),
                     [](const EdgeRoute &a, const EdgeRoute &b) { return a.from < b.from; });
    layout.edges = std::move(routes);
    gvFreeLayout(context, g);
    agclose(g);
    return layout;
}

} // namespace lanedeck::graph

#include "graph/drawing.h"
#include "graph/layout.h"
#include "graph/svg.h"
#include "graph/traffic.h"
#include "lanes/validation.h"
#include "telemetry/meshtelemetry.h"
#include "testsupport.h"

#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>

using namespace lanedeck;
using namespace lanedeck::graph;

// QCOMPARE prints a Traffic that differs (found by argument-dependent lookup).
namespace lanedeck::graph {
char *toString(const Traffic &traffic)
{
    std::string text;
    for (const auto &e : traffic.edges) {
        text += e.from + "->" + e.to + " " + e.lane + " " + std::to_string(e.requestsPerSecond) + "/s" +
                (e.leaking ? " leaking" : "") + "; ";
    }
    for (const auto &n : traffic.nodes) {
        text += n.service + " " + std::to_string(n.requestsPerSecond) + "/s err " +
                std::to_string(n.errorRate) + "; ";
    }
    return qstrdup(text.c_str());
}
} // namespace lanedeck::graph

namespace {

/// A hop of a telemetry view: its totals and, per lane, {requests, errors, leaked}.
telemetry::HopTraffic hop(const std::string &caller, const std::string &callee, double errors,
                          const std::vector<std::pair<std::string, std::array<double, 3>>> &lanes)
{
    telemetry::HopTraffic h;
    h.caller = caller;
    h.callee = callee;
    h.errors = errors;
    for (const auto &[name, figures] : lanes) {
        h.lanes.push_back({name, figures[0], figures[0] / 10.0, figures[1], figures[2]});
        h.requests += figures[0] + figures[2];
        h.leaked += figures[2];
    }
    return h;
}

/// A current telemetry view over 10 s.
telemetry::MeshTelemetry view(std::vector<telemetry::HopTraffic> hops)
{
    telemetry::MeshTelemetry v;
    v.windowSeconds = 10;
    v.stale = false;
    v.hops = std::move(hops);
    return v;
}

const NodeBox &node(const GraphLayout &layout, const std::string &service)
{
    return *std::find_if(layout.nodes.begin(), layout.nodes.end(),
                         [&](const NodeBox &n) { return n.service == service; });
}

const DrawnNode &node(const Drawing &drawing, const std::string &service)
{
    return *std::find_if(drawing.nodes.begin(), drawing.nodes.end(),
                         [&](const DrawnNode &n) { return n.box.service == service; });
}

const DrawnEdge &edge(const Drawing &drawing, const std::string &from, const std::string &to)
{
    return *std::find_if(drawing.edges.begin(), drawing.edges.end(), [&](const DrawnEdge &e) {
        return drawing.nodes[e.route.from].box.service == from && drawing.nodes[e.route.to].box.service == to;
    });
}

GraphLayout layoutOf(const LaneGroup &group)
{
    auto layout = layoutGraph(group, nodeSizes(group));
    if (!layout) {
        qFatal("layout failed: %s", layout.error().message.c_str());
    }
    return *layout;
}

/// The services of one rank (same x), top to bottom.
std::vector<std::string> column(const GraphLayout &layout, double x)
{
    std::vector<NodeBox> boxes;
    for (const auto &n : layout.nodes) {
        if (std::abs(n.centerX() - x) < 1) {
            boxes.push_back(n);
        }
    }
    std::sort(boxes.begin(), boxes.end(), [](const NodeBox &a, const NodeBox &b) { return a.y < b.y; });
    std::vector<std::string> names;
    for (const auto &b : boxes) {
        names.push_back(b.service);
    }
    return names;
}

} // namespace

class TestGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void seedIsOneRowLeftToRight()
    {
        const GraphLayout layout = layoutOf(testing::seedGroup());
        QCOMPARE(layout.nodes.size(), std::size_t(3));
        QCOMPARE(layout.edges.size(), std::size_t(2));
        QVERIFY(node(layout, "mocka").x + node(layout, "mocka").width < node(layout, "mockb").x);
        QVERIFY(node(layout, "mockb").x + node(layout, "mockb").width < node(layout, "mockc").x);
        QCOMPARE(node(layout, "mocka").centerY(), node(layout, "mockb").centerY());
        QCOMPARE(layout.edges[0].from, std::size_t(0));
        QCOMPARE(layout.edges[0].to, std::size_t(1));
        for (const auto &n : layout.nodes) {
            QVERIFY(n.x >= 0 && n.y >= 0 && n.x + n.width <= layout.width + 0.01 &&
                    n.y + n.height <= layout.height + 0.01);
        }
    }

    void branchesShareARank()
    {
        const GraphLayout layout = layoutOf(testing::shopGroup());
        QCOMPARE(layout.nodes.size(), std::size_t(4));
        QCOMPARE(layout.edges.size(), std::size_t(3));
        const NodeBox &web = node(layout, "web");
        const NodeBox &cart = node(layout, "cart");
        const NodeBox &search = node(layout, "search");
        const NodeBox &db = node(layout, "db");
        QVERIFY(web.centerX() < cart.centerX());
        QCOMPARE(cart.centerX(), search.centerX());
        QVERIFY(cart.centerX() < db.centerX());
        // Calls in document order: web's first callee above its second.
        QCOMPARE(column(layout, cart.centerX()), (std::vector<std::string>{"cart", "search"}));
        for (const auto &e : layout.edges) {
            QVERIFY(e.spline.size() >= 4);
            // The arrow ends on the callee's left side.
            QVERIFY(std::abs(e.tip.x - layout.nodes[e.to].x) < 2);
        }
    }

    void smallEditKeepsThePicture()
    {
        LaneGroup group = testing::shopGroup();
        const GraphLayout before = layoutOf(group);
        group.services.push_back({"reviews", "shop", 8000, {}, {}});
        group.services[2].calls.push_back("reviews"); // search -> reviews
        group.lanes[0].services.push_back("reviews");
        const GraphLayout after = layoutOf(group);
        QCOMPARE(after.nodes.size(), std::size_t(5));
        QVERIFY(node(after, "search").centerX() < node(after, "reviews").centerX());
        QCOMPARE(column(after, node(after, "cart").centerX()), (std::vector<std::string>{"cart", "search"}));
        QVERIFY(node(after, "web").centerX() < node(after, "cart").centerX());
        QCOMPARE(node(after, "db").centerX(), node(after, "reviews").centerX());
    }

    void sizesMustMatchServices()
    {
        const auto layout = layoutGraph(testing::shopGroup(), {});
        QVERIFY(!layout);
        QVERIFY(layout.error().message.find("0 node sizes for 4 services") != std::string::npos);
    }

    void laneLightsUpItsPath_data()
    {
        QTest::addColumn<int>("lane");
        QTest::addColumn<QList<int>>("reach"); // web, cart, search, db
        QTest::addColumn<QStringList>("versions");
        const auto r = [](Reach x) { return static_cast<int>(x); };
        QTest::addRow("base") << 0
                              << QList<int>{r(Reach::Lane), r(Reach::Lane), r(Reach::Lane), r(Reach::Lane)}
                              << QStringList{QStringLiteral("v1"), QStringLiteral("v1"), QStringLiteral("v1"),
                                             QStringLiteral("v1")};
        QTest::addRow("cart-v2") << 1
                                 << QList<int>{r(Reach::Fallback), r(Reach::Lane), r(Reach::Fallback),
                                               r(Reach::Lane)}
                                 << QStringList{QStringLiteral("v1 ↪ base"), QStringLiteral("v2"),
                                                QStringLiteral("v1 ↪ base"), QStringLiteral("v2")};
        QTest::addRow("search-v2") << 2
                                   << QList<int>{r(Reach::Fallback), r(Reach::Fallback), r(Reach::Lane),
                                                 r(Reach::Fallback)}
                                   << QStringList{QStringLiteral("v1 ↪ base"), QStringLiteral("v1 ↪ base"),
                                                  QStringLiteral("v3"), QStringLiteral("v1 ↪ base")};
    }

    void laneLightsUpItsPath()
    {
        QFETCH(int, lane);
        QFETCH(QList<int>, reach);
        QFETCH(QStringList, versions);
        const auto drawing = drawGroup(testing::shopGroup(), lane);
        QVERIFY(drawing);
        QCOMPARE(drawing->lane, lane);
        int i = 0;
        for (const char *service : {"web", "cart", "search", "db"}) {
            const DrawnNode &n = node(*drawing, service);
            QCOMPARE(static_cast<int>(n.reach), reach[i]);
            QCOMPARE(n.chipBoxes.size(), std::size_t(1));
            QCOMPARE(QString::fromStdString(n.chipBoxes[0].service), versions[i]);
            ++i;
        }
        // A call is drawn as the callee is reached: dashed when the callee falls back.
        QCOMPARE(static_cast<int>(edge(*drawing, "web", "cart").reach), reach[1]);
        QCOMPARE(static_cast<int>(edge(*drawing, "cart", "db").reach), reach[3]);
        QCOMPARE(static_cast<int>(edge(*drawing, "web", "search").reach), reach[2]);
    }

    void unreachedServicesAreDimmed()
    {
        LaneGroup group = testing::shopGroup();
        group.services.push_back({"audit", "shop", 8000, {"db"}, {}}); // nobody calls audit
        group.lanes[0].services.push_back("audit");
        const auto drawing = drawGroup(group, 1);
        QVERIFY(drawing);
        QCOMPARE(node(*drawing, "audit").reach, Reach::Unreached);
        QVERIFY(node(*drawing, "audit").chips.empty());
        QCOMPARE(edge(*drawing, "audit", "db").reach, Reach::Unreached);
        QCOMPARE(node(*drawing, "db").reach, Reach::Lane);
    }

    void allLanesShowEveryVersion()
    {
        const auto drawing = drawGroup(testing::shopGroup(), -1);
        QVERIFY(drawing);
        const DrawnNode &db = node(*drawing, "db");
        QCOMPARE(db.reach, Reach::Plain);
        QCOMPARE(db.chips, (std::vector<Chip>{{0, "v1", false}, {1, "v2", false}}));
        QCOMPARE(node(*drawing, "search").chips, (std::vector<Chip>{{0, "v1", false}, {2, "v3", false}}));
        QVERIFY(node(*drawing, "web").entry);
        QVERIFY(!node(*drawing, "db").entry);
        // Chips sit inside their node.
        for (const auto &n : drawing->nodes) {
            for (const auto &c : n.chipBoxes) {
                QVERIFY(c.x >= n.box.x && c.x + c.width <= n.box.x + n.box.width + 0.01);
                QVERIFY(c.y >= n.box.y && c.y + c.height <= n.box.y + n.box.height + 0.01);
            }
        }
    }

    void trafficWidensEdges()
    {
        Traffic traffic;
        traffic.edges = {{"web", "cart", "cart-v2", 40, false},
                         {"web", "cart", "base", 100, false},
                         {"cart", "db", "cart-v2", 4, true}};
        traffic.nodes = {{"db", 4, 0.25}};
        const auto all = drawGroup(testing::shopGroup(), -1, traffic);
        QVERIFY(all);
        QCOMPARE(edge(*all, "web", "cart").label, std::string("140/s"));
        QVERIFY(edge(*all, "web", "cart").strokeWidth > edge(*all, "cart", "db").strokeWidth);
        QVERIFY(edge(*all, "web", "search").label.empty());
        QCOMPARE(node(*all, "db").errorRate, 0.25);
        QCOMPARE(node(*all, "web").errorRate, -1.0);
        const auto lane = drawGroup(testing::shopGroup(), 1, traffic);
        QCOMPARE(edge(*lane, "web", "cart").label, std::string("40/s"));
        QCOMPARE(edge(*lane, "cart", "db").label, std::string("4.0/s"));
        QVERIFY(edge(*lane, "cart", "db").leaking);
        QVERIFY(!edge(*lane, "web", "cart").leaking);
    }

    // Each lane's responses walked its path; a leaked chain counts on its lane's calls up to the call into
    // its first wrong version, which it marks. Every service the chains name gets its requests/s and the
    // share that failed there (a failed chain's last service); failures without a chain go to the entry
    // service.
    void trafficFromTheSamplersSummary()
    {
        traffic::Summary summary;
        summary.elapsedSeconds = 10;
        summary.total = 1000;
        summary.errors[1] = 30;                                                        // connect: no chain
        summary.errors[static_cast<std::size_t>(traffic::ErrorKind::HttpStatus)] = 20; // db failed
        traffic::LaneSummary base;
        base.name = "base";
        base.count = 700;
        traffic::LaneSummary cart;
        cart.name = "cart-v2";
        cart.count = 200;
        traffic::LaneSummary search;
        search.name = "search-v2";
        summary.lanes = {base, cart, search};
        summary.chains = {{"-> web(version: v1, ip: a)-> cart(version: v1, ip: b)-> db(version: v1, ip: c)-> "
                           "search(version: v1, "
                           "ip: d)",
                           700},
                          {"-> web(version: v1, ip: a)-> cart(version: v2, ip: b)-> db(version: v1, ip: c)-> "
                           "search(version: v1, "
                           "ip: d)",
                           30}};
        summary.failedChains = {
            {"-> web(version: v1, ip: a)-> cart(version: v1, ip: b)-> db(version: v1, ip: c)", 20}};
        const Traffic t = trafficFromSummary(testing::shopGroup(), summary);
        const auto find = [&t](const std::string &from, const std::string &to, const std::string &lane) {
            for (const auto &e : t.edges) {
                if (e.from == from && e.to == to && e.lane == lane) {
                    return e;
                }
            }
            return EdgeTraffic{};
        };
        QCOMPARE(find("web", "cart", "base").requestsPerSecond, 70.0);
        QCOMPARE(find("web", "search", "base").requestsPerSecond, 70.0);
        QCOMPARE(find("web", "cart", "cart-v2").requestsPerSecond, 23.0); // 20 in the lane, 3 that leak later
        QVERIFY(!find("web", "cart", "cart-v2").leaking);
        QCOMPARE(find("cart", "db", "cart-v2").requestsPerSecond, 23.0);
        QVERIFY(find("cart", "db", "cart-v2").leaking);
        QVERIFY(!find("cart", "db", "base").leaking);
        QCOMPARE(find("web", "search", "search-v2").requestsPerSecond, 0.0); // no responses: no edges
        QCOMPARE(t.edges.size(), std::size_t(6));
        const auto node = [&t](const std::string &service) {
            for (const auto &n : t.nodes) {
                if (n.service == service) {
                    return n;
                }
            }
            return NodeTraffic{};
        };
        QCOMPARE(t.nodes.size(), std::size_t(4));
        QCOMPARE(node("web").requestsPerSecond, 78.0); // 730 answered, 20 failed at db, 30 without a chain
        QCOMPARE(node("web").errorRate, 30.0 / 780.0);
        QCOMPARE(node("cart").requestsPerSecond, 75.0);
        QCOMPARE(node("cart").errorRate, 0.0);
        QCOMPARE(node("db").errorRate, 20.0 / 750.0);
        QCOMPARE(node("search").requestsPerSecond, 73.0);
        QCOMPARE(node("search").errorRate, 0.0);

        // Classified by header: no chains, so only the ingress's totals, on the entry service.
        summary.chains.clear();
        summary.failedChains.clear();
        const Traffic byHeader = trafficFromSummary(testing::shopGroup(), summary);
        QCOMPARE(byHeader.nodes.size(), std::size_t(1));
        QCOMPARE(byHeader.nodes[0].service, std::string("web"));
        QCOMPARE(byHeader.nodes[0].errorRate, 0.05);
        QCOMPARE(byHeader.nodes[0].requestsPerSecond, 100.0);
        summary.elapsedSeconds = 0;
        QVERIFY(trafficFromSummary(testing::shopGroup(), summary).empty());
    }

    // The mesh's view, hop by hop: each lane's requests/s (with those that left the lane there) on the call
    // it took, leaks marked, the ingress hop on the entry service's node only, and each node's own failures
    // (those its calls answered with are counted where they began).
    void trafficFromTheMeshsTelemetry_data()
    {
        QTest::addColumn<telemetry::MeshTelemetry>("telemetry");
        QTest::addColumn<Traffic>("expected");
        // The seed: mocka -> mockb -> mockc; mockc fails 10 of lane s1's requests, mockb and mocka pass them
        // on.
        const auto chain =
            view({hop("ingress", "mocka", 10, {{"s1", {60, 10, 0}}, {"s2", {20, 0, 0}}, {"s3", {20, 0, 0}}}),
                  hop("mocka", "mockb", 10, {{"s1", {60, 10, 0}}, {"s2", {20, 0, 0}}, {"s3", {20, 0, 0}}}),
                  hop("mockb", "mockc", 10, {{"s1", {60, 10, 0}}, {"s2", {20, 0, 0}}, {"s3", {20, 0, 0}}})});
        QTest::addRow("straight chain") << chain
                                        << Traffic{{{"mocka", "mockb", "s1", 6, false},
                                                    {"mocka", "mockb", "s2", 2, false},
                                                    {"mocka", "mockb", "s3", 2, false},
                                                    {"mockb", "mockc", "s1", 6, false},
                                                    {"mockb", "mockc", "s2", 2, false},
                                                    {"mockb", "mockc", "s3", 2, false}},
                                                   {{"mocka", 10, 0}, {"mockb", 10, 0}, {"mockc", 10, 0.1}}};
        // shop.lanes.yaml: web -> {cart, search}, cart -> db; web calls both. db fails 5 of base's requests,
        // cart and web pass them on. search-v2's requests did not reach db in this window: no edge for them.
        QTest::addRow("branching group")
            << view({hop("ingress", "web", 5,
                         {{"base", {70, 5, 0}}, {"cart-v2", {20, 0, 0}}, {"search-v2", {10, 0, 0}}}),
                     hop("web", "cart", 5,
                         {{"base", {70, 5, 0}}, {"cart-v2", {20, 0, 0}}, {"search-v2", {10, 0, 0}}}),
                     hop("web", "search", 0,
                         {{"base", {70, 0, 0}}, {"cart-v2", {20, 0, 0}}, {"search-v2", {10, 0, 0}}}),
                     hop("cart", "db", 5,
                         {{"base", {70, 5, 0}}, {"cart-v2", {20, 0, 0}}, {"search-v2", {0, 0, 0}}})})
            << Traffic{{{"web", "cart", "base", 7, false},
                        {"web", "cart", "cart-v2", 2, false},
                        {"web", "cart", "search-v2", 1, false},
                        {"web", "search", "base", 7, false},
                        {"web", "search", "cart-v2", 2, false},
                        {"web", "search", "search-v2", 1, false},
                        {"cart", "db", "base", 7, false},
                        {"cart", "db", "cart-v2", 2, false}},
                       {{"web", 10, 0}, {"cart", 10, 0}, {"search", 10, 0}, {"db", 9, 5.0 / 90}}};
        // mockb forwards no baggage: lane s2's requests to mockc all reach the baseline's version. They still
        // took the call, in s2's colour, marked.
        QTest::addRow("leak")
            << view({hop("ingress", "mocka", 0, {{"s1", {60, 0, 0}}, {"s2", {20, 0, 0}}, {"s3", {20, 0, 0}}}),
                     hop("mocka", "mockb", 0, {{"s1", {60, 0, 0}}, {"s2", {20, 0, 0}}, {"s3", {20, 0, 0}}}),
                     hop("mockb", "mockc", 0, {{"s1", {60, 0, 0}}, {"s2", {0, 0, 20}}, {"s3", {20, 0, 0}}})})
            << Traffic{{{"mocka", "mockb", "s1", 6, false},
                        {"mocka", "mockb", "s2", 2, false},
                        {"mocka", "mockb", "s3", 2, false},
                        {"mockb", "mockc", "s1", 6, false},
                        {"mockb", "mockc", "s2", 2, true},
                        {"mockb", "mockc", "s3", 2, false}},
                       {{"mocka", 10, 0}, {"mockb", 10, 0}, {"mockc", 10, 0}}};
        // mocka retries mockb's failures (more failed calls out than in) and fails 2 of its own: never below
        // 0.
        QTest::addRow("retries") << view({hop("ingress", "mocka", 2, {{"s1", {100, 2, 0}}}),
                                          hop("mocka", "mockb", 30, {{"s1", {130, 30, 0}}})})
                                 << Traffic{{{"mocka", "mockb", "s1", 13, false}},
                                            {{"mocka", 10, 0}, {"mockb", 13, 30.0 / 130}}};
        // No samples near the end: nothing is current, and the canvas clears.
        auto stale = chain;
        stale.stale = true;
        QTest::addRow("stale") << stale << Traffic{};
        auto empty = chain;
        empty.windowSeconds = 0;
        QTest::addRow("empty window") << empty << Traffic{};
    }

    void trafficFromTheMeshsTelemetry()
    {
        QFETCH(telemetry::MeshTelemetry, telemetry);
        QFETCH(Traffic, expected);
        QCOMPARE(trafficFromTelemetry(telemetry), expected);
    }

    void svgParsesAndNamesEveryService_data()
    {
        QTest::addColumn<int>("lane");
        QTest::addColumn<bool>("dark");
        QTest::addRow("all lanes, light") << -1 << false;
        QTest::addRow("cart-v2, dark") << 1 << true;
    }

    void svgParsesAndNamesEveryService()
    {
        QFETCH(int, lane);
        QFETCH(bool, dark);
        const LaneGroup group = testing::shopGroup();
        const auto drawing = drawGroup(group, lane, {{{"web", "cart", "cart-v2", 3, true}}, {}});
        QVERIFY(drawing);
        const std::string svg = toSvg(*drawing, dark ? Style::dark() : Style::light());
        QXmlStreamReader xml(QByteArray::fromStdString(svg));
        QStringList services;
        int edges = 0;
        int dashed = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement) {
                continue;
            }
            const auto attributes = xml.attributes();
            if (attributes.value(QStringLiteral("class")) == QStringLiteral("node")) {
                services << attributes.value(QStringLiteral("data-service")).toString();
            } else if (attributes.value(QStringLiteral("class")) == QStringLiteral("edge")) {
                ++edges;
            }
            dashed += attributes.hasAttribute(QStringLiteral("stroke-dasharray")) ? 1 : 0;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        services.sort();
        QCOMPARE(services, (QStringList{QStringLiteral("cart"), QStringLiteral("db"),
                                        QStringLiteral("search"), QStringLiteral("web")}));
        QCOMPARE(edges, 3);
        // cart-v2 falls back on web and search: their boxes, chips and the call to search are dashed.
        QCOMPARE(dashed, lane < 0 ? 0 : 5);
        QVERIFY(svg.find(dark ? "#1e1f22" : "#ffffff") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestGraph)
#include "tst_graph.moc"

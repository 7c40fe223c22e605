// The topology canvas: nodes and edges from Graphviz's layout, lane highlighting, every canvas edit as one
// undoable step shared with the tables, keyboard use, export, and layout off the GUI thread for big groups.
#include "accessibleevents.h"
#include "testsupport.h"

#include "graph/svg.h"
#include "graph/traffic.h"
#include "lanes/groupedits.h"
#include "mesh/render.h"
#include "sandbox/sandbox.h"
#include "telemetry/localprometheus.h"
#include "traffic/sampler.h"
#include "ui/clustertarget.h"
#include "ui/documentcontroller.h"
#include "ui/mainwindow.h"
#include "ui/servicetablemodel.h"
#include "ui/telemetrypanel.h"
#include "ui/topologyview.h"
#include "ui/trafficpage.h"

#include <QAccessible>
#include <QComboBox>
#include <QGraphicsItem>
#include <QGraphicsView>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <QXmlStreamReader>

#include <functional>

using namespace lanedeck;
using namespace lanedeck::ui;

namespace {

LaneGroup withServices(std::size_t count)
{
    LaneGroup group = testing::shopGroup();
    for (std::size_t i = 0; i < count; ++i) {
        const std::string name = "svc" + std::to_string(i);
        group.services.push_back({name, "shop", 8000, {}, {}});
        group.services[i % 4].calls.push_back(name);
        group.lanes[0].services.push_back(name);
    }
    return group;
}

const graph::DrawnNode *drawnNode(const TopologyView &view, const std::string &service)
{
    for (const auto &node : view.drawing().nodes) {
        if (node.box.service == service) {
            return &node;
        }
    }
    return nullptr;
}

const graph::DrawnEdge *drawnEdge(const TopologyView &view, const std::string &from, const std::string &to)
{
    for (const auto &edge : view.drawing().edges) {
        if (view.drawing().nodes[edge.route.from].box.service == from &&
            view.drawing().nodes[edge.route.to].box.service == to) {
            return &edge;
        }
    }
    return nullptr;
}

/// The requests/s an edge's label says ("12.5/s"), or -1.
double labelRate(const graph::DrawnEdge *edge)
{
    if (!edge || edge->label.size() < 3 || edge->label.substr(edge->label.size() - 2) != "/s") {
        return -1;
    }
    return std::stod(edge->label.substr(0, edge->label.size() - 2));
}

/// The seed in the sandbox as the propagation-off demonstration runs it (the Istio flavor, mockb dropping the
/// baggage header, so lane s2 leaks on mockb -> mockc), with mockc v1 failing half its requests; null if it
/// does not start.
std::unique_ptr<sandbox::Sandbox> leakingSandbox(const LaneGroup &group)
{
    auto rendered = mesh::render(group, {mesh::Flavor::Istio, {}});
    if (!rendered.ok()) {
        return nullptr;
    }
    std::unique_ptr<sandbox::Sandbox> box(new sandbox::Sandbox(group, {}));
    box->setBaggagePropagation("mockb", false);
    sandbox::Fault fault;
    fault.errorRate = 0.5;
    fault.status = 503;
    if (!box->setFault("mockc", "v1", fault).ok() || !box->start(rendered->resources).ok()) {
        return nullptr;
    }
    return box;
}

/// 600 requests sampled through the sandbox's gateway, classified by their chains.
std::optional<traffic::Summary> sample600(const sandbox::Sandbox &box, const LaneGroup &group)
{
    traffic::SamplerConfig config;
    config.url = box.gatewayUrl();
    config.count = 600;
    config.concurrency = 4;
    traffic::Sampler sampler(config, traffic::Classifier::chain(group));
    auto run = sampler.run();
    return run.ok() ? std::optional(run->summary) : std::nullopt;
}

QPoint centerOf(TopologyView &view, const QString &service)
{
    const QGraphicsItem *item = view.nodeItem(service);
    return item ? view.canvas()->mapFromScene(item->sceneBoundingRect().center()) : QPoint();
}

} // namespace

class TestTopologyView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the telemetry source remembers its Prometheus per context
        QCoreApplication::setOrganizationName(QStringLiteral("lanedeck-test-topologyview"));
    }

    void init()
    {
        m_doc = std::make_unique<DocumentController>();
        m_doc->newDocument(testing::shopGroup());
        m_view = std::make_unique<TopologyView>(m_doc.get());
        m_view->resize(1000, 600);
        m_view->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    }

    void cleanup()
    {
        m_view.reset();
        m_doc.reset();
    }

    void nodesAndEdgesInLayoutOrder_data()
    {
        QTest::addColumn<bool>("seed");
        QTest::addColumn<int>("nodes");
        QTest::addColumn<int>("edges");
        QTest::addColumn<QStringList>("leftToRight"); // services of increasing x (ties: any order)
        QTest::addRow("seed") << true << 3 << 2
                              << QStringList{QStringLiteral("mocka"), QStringLiteral("mockb"),
                                             QStringLiteral("mockc")};
        QTest::addRow("branching") << false << 4 << 3
                                   << QStringList{QStringLiteral("web"), QStringLiteral("cart"),
                                                  QStringLiteral("db")};
    }

    void nodesAndEdgesInLayoutOrder()
    {
        QFETCH(bool, seed);
        QFETCH(int, nodes);
        QFETCH(int, edges);
        QFETCH(QStringList, leftToRight);
        if (seed) {
            m_doc->newDocument(testing::seedGroup());
        }
        int nodeItems = 0;
        int edgeItems = 0;
        for (const QGraphicsItem *item : m_view->canvas()->scene()->items()) {
            nodeItems += item->data(0).toString() == QStringLiteral("node") ? 1 : 0;
            edgeItems += item->data(0).toString() == QStringLiteral("edge") ? 1 : 0;
        }
        QCOMPARE(nodeItems, nodes);
        QCOMPARE(edgeItems, edges);
        for (int i = 1; i < leftToRight.size(); ++i) {
            const QGraphicsItem *a = m_view->nodeItem(leftToRight[i - 1]);
            const QGraphicsItem *b = m_view->nodeItem(leftToRight[i]);
            QVERIFY(a && b);
            QVERIFY2(a->sceneBoundingRect().center().x() < b->sceneBoundingRect().center().x(),
                     qPrintable(leftToRight[i]));
        }
        if (!seed) {
            // Branches share a column, web's first call on top.
            const QRectF cart = m_view->nodeItem(QStringLiteral("cart"))->sceneBoundingRect();
            const QRectF search = m_view->nodeItem(QStringLiteral("search"))->sceneBoundingRect();
            QCOMPARE(cart.center().x(), search.center().x());
            QVERIFY(cart.center().y() < search.center().y());
            QVERIFY(m_view->edgeItem(QStringLiteral("cart"), QStringLiteral("db")));
            QVERIFY(!m_view->edgeItem(QStringLiteral("db"), QStringLiteral("search")));
        }
    }

    void laneChoiceLightsUpPath_data()
    {
        QTest::addColumn<int>("comboIndex");
        QTest::addColumn<QStringList>("tooltips"); // web, cart, search, db, audit
        QTest::addRow("all lanes") << 0
                                   << QStringList{QStringLiteral("entry service; base v1"),
                                                  QStringLiteral("; base v1, cart-v2 v2"),
                                                  QStringLiteral("; base v1, search-v2 v3"),
                                                  QStringLiteral("; base v1, cart-v2 v2"),
                                                  QStringLiteral("(namespace shop); base v1")};
        QTest::addRow("cart-v2") << 2
                                 << QStringList{QStringLiteral("lane cart-v2: web v1 (fallback to base)"),
                                                QStringLiteral("lane cart-v2: cart v2"),
                                                QStringLiteral("lane cart-v2: search v1 (fallback to base)"),
                                                QStringLiteral("lane cart-v2: db v2"),
                                                QStringLiteral("not reached by lane cart-v2")};
    }

    void laneChoiceLightsUpPath()
    {
        QFETCH(int, comboIndex);
        QFETCH(QStringList, tooltips);
        LaneGroup group = testing::shopGroup();
        group.services.push_back({"audit", "shop", 8000, {}, {}});
        group.lanes[0].services.push_back("audit");
        m_doc->newDocument(group);
        auto *combo = m_view->findChild<QComboBox *>(QStringLiteral("topologyLane"));
        QVERIFY(combo);
        QCOMPARE(combo->count(), 4);
        combo->setFocus();
        combo->setCurrentIndex(comboIndex);
        Q_EMIT combo->activated(comboIndex);
        QCOMPARE(m_view->lane(), comboIndex - 1);
        int i = 0;
        for (const char *service : {"web", "cart", "search", "db", "audit"}) {
            const QGraphicsItem *item = m_view->nodeItem(QLatin1String(service));
            QVERIFY(item);
            QVERIFY2(item->toolTip().contains(tooltips[i]), qPrintable(item->toolTip()));
            ++i;
        }
        const auto reach = [this](const char *service) {
            for (const auto &n : m_view->drawing().nodes) {
                if (n.box.service == service) {
                    return n.reach;
                }
            }
            return graph::Reach::Plain;
        };
        QCOMPARE(reach("audit"), comboIndex == 0 ? graph::Reach::Plain : graph::Reach::Unreached);
        QCOMPARE(reach("cart"), comboIndex == 0 ? graph::Reach::Plain : graph::Reach::Lane);
        QCOMPARE(reach("web"), comboIndex == 0 ? graph::Reach::Plain : graph::Reach::Fallback);
    }

    void dragDrawsACallUndoRemovesIt()
    {
        const QPoint from = centerOf(*m_view, QStringLiteral("search"));
        const QPoint to = centerOf(*m_view, QStringLiteral("db"));
        QWidget *viewport = m_view->canvas()->viewport();
        QTest::mousePress(viewport, Qt::LeftButton, {}, from);
        QTest::mouseMove(viewport, from + QPoint(10, 10));
        QTest::mouseMove(viewport, to);
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
        QCOMPARE(m_doc->group().service("search")->calls, (std::vector<std::string>{"db"}));
        QVERIFY(m_view->edgeItem(QStringLiteral("search"), QStringLiteral("db")));
        QCOMPARE(m_doc->undoStack()->count(), 1);
        // The services table shows the new call too.
        ServiceTableModel table(m_doc.get());
        QCOMPARE(table.index(2, ServiceTableModel::Calls).data().toString(), QStringLiteral("db"));
        m_doc->undoStack()->undo();
        QVERIFY(m_doc->group().service("search")->calls.empty());
        QVERIFY(!m_view->edgeItem(QStringLiteral("search"), QStringLiteral("db")));
        QCOMPARE(table.index(2, ServiceTableModel::Calls).data().toString(), QString());
    }

    void dragThatWouldCycleIsRefused()
    {
        QSignalSpy messages(m_view.get(), &TopologyView::statusMessage);
        const QPoint from = centerOf(*m_view, QStringLiteral("db"));
        const QPoint to = centerOf(*m_view, QStringLiteral("web"));
        QWidget *viewport = m_view->canvas()->viewport();
        QTest::mousePress(viewport, Qt::LeftButton, {}, from);
        QTest::mouseMove(viewport, from + QPoint(10, 10));
        QTest::mouseMove(viewport, to);
        QTest::mouseRelease(viewport, Qt::LeftButton, {}, to);
        QCOMPARE(m_doc->group(), testing::shopGroup());
        QCOMPARE(m_doc->undoStack()->count(), 0);
        QVERIFY(!messages.isEmpty());
        QVERIFY(messages.last().first().toString().contains(QStringLiteral("cycle")));
    }

    void callProblemSaysWhy_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("problem");
        QTest::addRow("allowed") << QStringLiteral("search") << QStringLiteral("db") << QString();
        QTest::addRow("itself") << QStringLiteral("db") << QStringLiteral("db")
                                << QStringLiteral("a service cannot call itself");
        QTest::addRow("duplicate") << QStringLiteral("web") << QStringLiteral("cart")
                                   << QStringLiteral("web already calls cart");
        QTest::addRow("cycle through two calls")
            << QStringLiteral("db") << QStringLiteral("web")
            << QStringLiteral("a call from db to web would make a cycle (web already reaches db)");
        QTest::addRow("unknown") << QStringLiteral("web") << QStringLiteral("nope")
                                 << QStringLiteral("no service named 'nope'");
    }

    void callProblemSaysWhy()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, problem);
        QCOMPARE(QString::fromStdString(
                     edits::callProblem(testing::shopGroup(), from.toStdString(), to.toStdString())),
                 problem);
        LaneGroup group = testing::shopGroup();
        edits::addCall(group, from.toStdString(), to.toStdString());
        QCOMPARE(group == testing::shopGroup(), !problem.isEmpty());
    }

    void canvasEditIsOneUndoableStep_data()
    {
        QTest::addColumn<std::function<void(TopologyView &)>>("act");
        QTest::addColumn<std::function<bool(const LaneGroup &)>>("check");
        QTest::addColumn<int>("nodes");
        QTest::addColumn<int>("edges");
        QTest::addRow("add service") << std::function<void(TopologyView &)>([](TopologyView &v) {
            v.addService(QStringLiteral("pay"));
        }) << std::function<bool(const LaneGroup &)>([](const LaneGroup &g) {
            return g.service("pay") && g.laneHas(g.lanes[0], "pay");
        }) << 5 << 3;
        QTest::addRow("add call") << std::function<void(TopologyView &)>([](TopologyView &v) {
            v.addCall(QStringLiteral("search"), QStringLiteral("db"));
        }) << std::function<bool(const LaneGroup &)>([](const LaneGroup &g) {
            return g.service("search")->calls == std::vector<std::string>{"db"};
        }) << 4 << 4;
        QTest::addRow("remove call") << std::function<void(TopologyView &)>([](TopologyView &v) {
            v.removeCall(QStringLiteral("web"), QStringLiteral("search"));
        }) << std::function<bool(const LaneGroup &)>([](const LaneGroup &g) {
            return g.service("web")->calls == std::vector<std::string>{"cart"};
        }) << 4 << 2;
        QTest::addRow("remove service") << std::function<void(TopologyView &)>([](TopologyView &v) {
            v.removeService(QStringLiteral("cart"));
        }) << std::function<bool(const LaneGroup &)>([](const LaneGroup &g) {
            return !g.service("cart") && g.service("web")->calls == std::vector<std::string>{"search"} &&
                   !g.laneHas(g.lanes[1], "cart");
        }) << 3 << 1;
        QTest::addRow("set entry") << std::function<void(TopologyView &)>([](TopologyView &v) {
            v.setEntryService(QStringLiteral("cart"));
        }) << std::function<bool(const LaneGroup &)>([](const LaneGroup &g) {
            return g.ingress.entryService == "cart";
        }) << 4 << 3;
        QTest::addRow("toggle in lane") << std::function<void(TopologyView &)>([](TopologyView &v) {
            v.setLane(2);
            v.toggleInLane(QStringLiteral("db"));
        }) << std::function<bool(const LaneGroup &)>([](const LaneGroup &g) {
            return g.lanes[2].services == std::vector<std::string>{"search", "db"};
        }) << 4 << 3;
    }

    void canvasEditIsOneUndoableStep()
    {
        QFETCH(std::function<void(TopologyView &)>, act);
        QFETCH(std::function<bool(const LaneGroup &)>, check);
        QFETCH(int, nodes);
        QFETCH(int, edges);
        act(*m_view);
        QVERIFY(check(m_doc->group()));
        QCOMPARE(m_doc->undoStack()->count(), 1);
        QCOMPARE(static_cast<int>(m_view->drawing().nodes.size()), nodes);
        QCOMPARE(static_cast<int>(m_view->drawing().edges.size()), edges);
        m_doc->undoStack()->undo();
        QCOMPARE(m_doc->group(), testing::shopGroup());
        QCOMPARE(m_view->drawing().nodes.size(), std::size_t(4));
        QCOMPARE(m_view->drawing().edges.size(), std::size_t(3));
        m_doc->undoStack()->redo();
        QVERIFY(check(m_doc->group()));
    }

    void keyboardMovesSelectsAndEdits()
    {
        QGraphicsView *canvas = m_view->canvas();
        canvas->setFocus();
        QTest::keyClick(canvas, Qt::Key_Right);
        QCOMPARE(m_view->selectedService(), QStringLiteral("web"));
        QTest::keyClick(canvas, Qt::Key_Right);
        QVERIFY(m_view->selectedService() == QStringLiteral("cart") ||
                m_view->selectedService() == QStringLiteral("search"));
        const QString first = m_view->selectedService();
        QTest::keyClick(canvas, first == QStringLiteral("cart") ? Qt::Key_Down : Qt::Key_Up);
        QCOMPARE(m_view->selectedService(),
                 first == QStringLiteral("cart") ? QStringLiteral("search") : QStringLiteral("cart"));
        m_view->selectService(QStringLiteral("cart"));
        QVERIFY(canvas->accessibleDescription().startsWith(QStringLiteral("cart (namespace shop)")));
        QTest::keyClick(canvas, Qt::Key_E);
        QCOMPARE(m_doc->group().ingress.entryService, std::string("cart"));
        m_view->selectService(QStringLiteral("db"));
        QTest::keyClick(canvas, Qt::Key_Delete);
        QVERIFY(!m_doc->group().service("db"));
        QCOMPARE(m_doc->undoStack()->count(), 2);
    }

    void assistiveToolsListEachServiceAndCall()
    {
        QGraphicsView *canvas = m_view->canvas();
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(canvas);
        QVERIFY(list);
        QCOMPARE(list->role(), QAccessible::List);
        const auto &drawing = m_view->drawing();
        QCOMPARE(list->childCount(), static_cast<int>(drawing.nodes.size() + drawing.edges.size()));
        QStringList names;
        const QRect canvasOnScreen(canvas->mapToGlobal(QPoint(0, 0)), canvas->size());
        for (int i = 0; i < list->childCount(); ++i) {
            QAccessibleInterface *item = list->child(i);
            QVERIFY(item && item->isValid());
            QCOMPARE(item->role(), QAccessible::ListItem);
            QCOMPARE(item->parent(), list);
            QCOMPARE(list->indexOfChild(item), i);
            QVERIFY2(!item->text(QAccessible::Description).isEmpty(),
                     qPrintable(item->text(QAccessible::Name)));
            QVERIFY2(canvasOnScreen.intersects(item->rect()), qPrintable(item->text(QAccessible::Name)));
            names << item->text(QAccessible::Name);
        }
        names.sort();
        QCOMPARE(names, QStringList({QStringLiteral("cart"), QStringLiteral("cart → db"),
                                     QStringLiteral("db"), QStringLiteral("search"), QStringLiteral("web"),
                                     QStringLiteral("web → cart"), QStringLiteral("web → search")}));

        // The selection moves from item to item with the arrow keys; the list's focus child follows it (the
        // events that tell assistive tools: assistiveToolsHearTheSelectionMove).
        canvas->setFocus();
        QTest::keyClick(canvas, Qt::Key_Right);
        QCOMPARE(m_view->selectedService(), QStringLiteral("web"));
        QAccessibleInterface *selected = list->focusChild();
        QVERIFY(selected);
        QCOMPARE(selected->text(QAccessible::Name), QStringLiteral("web"));
        QVERIFY(selected->state().selected);
        QCOMPARE(list->indexOfChild(selected), 0); // services first, in the drawing's order: web is the entry

        // A redrawn graph (one service fewer) leaves no item pointing at a deleted one.
        m_view->selectService(QStringLiteral("db"));
        m_view->removeSelected();
        QCOMPARE(list->childCount(), 5);
        QVERIFY(!list->child(6));
        for (int i = 0; i < list->childCount(); ++i) {
            QVERIFY(list->child(i)->text(QAccessible::Name) != QStringLiteral("db"));
        }
    }

    void assistiveToolsHearTheSelectionMove()
    {
        QGraphicsView *canvas = m_view->canvas();
        QAccessibleInterface *list = QAccessible::queryAccessibleInterface(canvas);
        testing::AccessibleEvents events;
        QVERIFY(QAccessible::isActive());
        canvas->setFocus();
        QTest::keyClick(canvas, Qt::Key_Right);
        QCOMPARE(m_view->selectedService(), QStringLiteral("web"));
        QCOMPARE(events.children(QAccessible::Selection, canvas), std::vector<int>{0});
        events.clear();
        QTest::keyClick(canvas, Qt::Key_Right);
        const int next = list->indexOfChild(list->focusChild());
        QCOMPARE(list->child(next)->text(QAccessible::Name), m_view->selectedService());
        QVERIFY(next > 0);
        QVERIFY(!events.children(QAccessible::Selection, canvas).empty());
        QCOMPARE(events.children(QAccessible::Selection, canvas).back(), next);

        // Focus events follow the selection only while the canvas has the keyboard.
        events.clear();
        m_view->selectService(QStringLiteral("db"));
        const int db = list->indexOfChild(list->focusChild());
        QCOMPARE(list->child(db)->text(QAccessible::Name), QStringLiteral("db"));
        QVERIFY(canvas->hasFocus());
        QCOMPARE(events.children(QAccessible::Focus, canvas), std::vector<int>{db});
        canvas->clearFocus(); // Qt sends a focus event of its own for the widget that lost the focus
        events.clear();
        m_view->selectService(QStringLiteral("cart"));
        QCOMPARE(events.children(QAccessible::Selection, canvas).size(), std::size_t(1));
        QVERIFY(events.children(QAccessible::Focus, canvas).empty());

        // A redrawn graph tells them to read the list again.
        events.clear();
        m_view->selectService(QStringLiteral("db"));
        m_view->removeSelected();
        QVERIFY(!events.children(QAccessible::ObjectReorder, canvas).empty());
    }

    void zoomAndFit()
    {
        m_view->fitToView();
        const double fitted = m_view->canvas()->transform().m11();
        m_view->zoomBy(2);
        QCOMPARE(m_view->canvas()->transform().m11(), fitted * 2);
        m_view->fitToView();
        QCOMPARE(m_view->canvas()->transform().m11(), fitted);
        // Zoomed in, then another document: it is fitted again, the whole graph in view.
        m_view->zoomBy(4);
        QVERIFY(!m_view->canvas()->viewport()->rect().contains(
            m_view->canvas()->mapFromScene(m_view->canvas()->sceneRect()).boundingRect()));
        m_doc->newDocument(testing::seedGroup());
        QVERIFY(m_view->canvas()->viewport()->rect().contains(
            m_view->canvas()->mapFromScene(m_view->canvas()->sceneRect()).boundingRect()));
    }

    void exportWritesSvgAndPng_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::addRow("light") << false;
        QTest::addRow("dark") << true;
    }

    void exportWritesSvgAndPng()
    {
        QFETCH(bool, dark);
        m_view->setDarkPalette(dark);
        m_view->setLane(1);
        QTemporaryDir dir;
        const QString svg = dir.filePath(QStringLiteral("g.svg"));
        QString error;
        QVERIFY2(m_view->exportTo(svg, &error), qPrintable(error));
        const std::string text = testing::readText(svg.toStdString());
        // The very drawing lanectl graph writes.
        QCOMPARE(text, graph::toSvg(m_view->drawing(), dark ? graph::Style::dark() : graph::Style::light()));
        QXmlStreamReader xml(QByteArray::fromStdString(text));
        QStringList services;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement &&
                xml.attributes().hasAttribute(QStringLiteral("data-service"))) {
                services << xml.attributes().value(QStringLiteral("data-service")).toString();
            }
        }
        QVERIFY(!xml.hasError());
        services.sort();
        QCOMPARE(services, (QStringList{QStringLiteral("cart"), QStringLiteral("db"),
                                        QStringLiteral("search"), QStringLiteral("web")}));
        const QString png = dir.filePath(QStringLiteral("g.png"));
        QVERIFY2(m_view->exportTo(png, &error), qPrintable(error));
        const QImage image(png);
        QCOMPARE(image.width(), static_cast<int>(std::ceil(m_view->drawing().width * 2)));
        const QColor corner = image.pixelColor(1, 1);
        QCOMPARE(corner.lightness() < 128, dark);
        QVERIFY(!m_view->exportTo(dir.filePath(QStringLiteral("no/such/dir/g.svg")), &error));
        QVERIFY(!error.isEmpty());
    }

    void trafficLabelsEdges()
    {
        graph::Traffic traffic;
        traffic.edges = {{"web", "cart", "base", 12, false}, {"cart", "db", "cart-v2", 3, true}};
        m_view->setTraffic(traffic);
        const QGraphicsItem *edge = m_view->edgeItem(QStringLiteral("cart"), QStringLiteral("db"));
        QVERIFY(edge);
        QVERIFY2(edge->toolTip().contains(QStringLiteral("3.0/s, leaking out of its lane")),
                 qPrintable(edge->toolTip()));
        QVERIFY(m_view->edgeItem(QStringLiteral("web"), QStringLiteral("cart"))
                    ->toolTip()
                    .contains(QStringLiteral("12/s")));
        m_view->setTraffic({});
        QVERIFY(!m_view->edgeItem(QStringLiteral("web"), QStringLiteral("cart"))
                     ->toolTip()
                     .contains(QStringLiteral("/s")));
    }

    // The sampler's figures on the canvas, from a real sandbox: each lane's requests/s on the calls of its
    // path, the call where a lane leaks (mockb forwards no baggage, so lane s2's requests reach mockc's
    // baseline version) marked, and every node's error rate (mockc v1 fails half its requests on purpose;
    // mocka and mockb only pass those failures on).
    void samplerTrafficFillsTheEdges()
    {
        const LaneGroup group = testing::seedGroup();
        m_doc->newDocument(group);
        const auto box = leakingSandbox(group);
        QVERIFY(box);
        const auto sampled = sample600(*box, group);
        QVERIFY(sampled);
        const traffic::Summary &summary = *sampled;
        QVERIFY(summary.errorCount() > 0);
        QVERIFY(summary.leaked > 0);

        m_view->setTraffic(graph::trafficFromSummary(group, summary));
        for (std::size_t lane = 0; lane < 2; ++lane) {
            m_view->setLane(static_cast<int>(lane));
            // Lane s2's leaked requests went through mocka -> mockb in their lane before they left it.
            const std::uint64_t requests = summary.lanes[lane].count + (lane == 1 ? summary.leaked : 0);
            const double expected = static_cast<double>(requests) / summary.elapsedSeconds;
            const double shown = labelRate(drawnEdge(*m_view, "mocka", "mockb"));
            QVERIFY2(
                std::abs(shown - expected) <= 0.05 * expected + 0.1,
                qPrintable(
                    QStringLiteral("lane %1: %2/s shown, %3/s sampled").arg(lane).arg(shown).arg(expected)));
            QVERIFY(!drawnEdge(*m_view, "mocka", "mockb")->leaking);
        }
        // Lane s2 (selected last) leaks on the call into mockc, and the canvas item says so.
        QVERIFY(drawnEdge(*m_view, "mockb", "mockc")->leaking);
        const QGraphicsItem *leak = m_view->edgeItem(QStringLiteral("mockb"), QStringLiteral("mockc"));
        QVERIFY(leak);
        QVERIFY2(leak->toolTip().contains(QStringLiteral("leaking out of its lane")),
                 qPrintable(leak->toolTip()));

        const graph::DrawnNode *mocka = drawnNode(*m_view, "mocka");
        const graph::DrawnNode *mockb = drawnNode(*m_view, "mockb");
        const graph::DrawnNode *mockc = drawnNode(*m_view, "mockc");
        QVERIFY(mocka && mockb && mockc);
        QCOMPARE(mocka->errorRate, 0.0);
        QCOMPARE(mockb->errorRate, 0.0);
        QVERIFY2(mockc->errorRate > 0.2 && mockc->errorRate < 0.8,
                 qPrintable(QString::number(mockc->errorRate)));
        m_view->setTraffic({});
        QCOMPARE(drawnNode(*m_view, "mockc")->errorRate, -1.0);
        QVERIFY(drawnEdge(*m_view, "mocka", "mockb")->label.empty());
    }

    // The mesh's figures on the canvas, through the main window: a real Prometheus scrapes the sandbox's
    // Istio metrics, the Traffic page's telemetry source is chosen and the Topology tab is shown (the panel
    // itself hidden, so only the topology keeps it refreshing). Every call gets each lane's requests/s, the
    // leaking call (mockb forwards no baggage) is marked, mockc shows the failures it makes (mocka and mockb
    // only pass them on); the sampler chosen instead clears the mesh's numbers, and so does Prometheus gone.
    void telemetryTrafficFillsTheEdges()
    {
        if (telemetry::LocalPrometheus::binary().empty()) {
            QSKIP("Debian's prometheus is not installed (scripts/install-deps.sh installs it)");
        }
        const LaneGroup group = testing::seedGroup();
        const auto box = leakingSandbox(group);
        QVERIFY(box);
        telemetry::LocalPrometheus prometheus;
        const auto started = prometheus.start({"127.0.0.1:" + std::to_string(box->metricsPort())});
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
        const auto sampled = sample600(*box, group);
        QVERIFY(sampled);
        const traffic::Summary &summary = *sampled;
        QVERIFY(summary.leaked > 0);

        QTemporaryDir autosaves;
        MainWindow window({autosaves.path(), 60000});
        window.document()->newDocument(group);
        TrafficPage *page = window.trafficPage();
        TelemetryPanel *panel = page->telemetryPanel();
        panel->setWorkloads(telemetry::workloadsFromSandbox(group, box->instances()));
        panel->setContext(QString::fromLatin1(kLocalSandboxId)); // the window's target, as the demo does
        panel->setPrometheusUrl(QString::fromStdString(prometheus.url()));
        panel->setWindowSeconds(300);
        panel->setRefreshInterval(500);
        page->setSource(TrafficPage::Source::MeshTelemetry);
        window.showTab(QStringLiteral("topology"));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!panel->isVisible());
        TopologyView &view = *window.topology();
        // Until Prometheus has scraped every request (1 s scrape interval); refreshed by the watched panel.
        QTRY_VERIFY_WITH_TIMEOUT(panel->view() && panel->view()->split.total == summary.total &&
                                     drawnEdge(view, "mockb", "mockc")->leaking,
                                 90'000);
        // Each lane's requests at the ingress (failed ones too, which the sampler's lanes leave out) took
        // both calls in its colour, lane s2's leaked ones included.
        const telemetry::MeshTelemetry mesh = *panel->view();
        for (std::size_t lane = 0; lane < 3; ++lane) {
            view.setLane(static_cast<int>(lane));
            const double expected = static_cast<double>(mesh.split.lanes[lane].count) / mesh.windowSeconds;
            for (const auto &[from, to] : {std::pair{"mocka", "mockb"}, std::pair{"mockb", "mockc"}}) {
                const double shown = labelRate(drawnEdge(view, from, to));
                QVERIFY2(std::abs(shown - expected) <= 0.05 * expected + 0.06,
                         qPrintable(QStringLiteral("lane %1, %2 -> %3: %4/s shown, %5/s sampled")
                                        .arg(lane)
                                        .arg(QLatin1String(from), QLatin1String(to))
                                        .arg(shown)
                                        .arg(expected)));
            }
            QCOMPARE(drawnEdge(view, "mockb", "mockc")->leaking, lane == 1);
            QVERIFY(!drawnEdge(view, "mocka", "mockb")->leaking);
        }
        view.setLane(1); // s2: its leak, said on the canvas item
        QVERIFY2(view.edgeItem(QStringLiteral("mockb"), QStringLiteral("mockc"))
                     ->toolTip()
                     .contains(QStringLiteral("leaking out of its lane")),
                 qPrintable(view.edgeItem(QStringLiteral("mockb"), QStringLiteral("mockc"))->toolTip()));
        QCOMPARE(drawnNode(view, "mocka")->errorRate, 0.0);
        QCOMPARE(drawnNode(view, "mockb")->errorRate, 0.0);
        const double mockc = drawnNode(view, "mockc")->errorRate;
        QVERIFY2(mockc > 0.2 && mockc < 0.8, qPrintable(QString::number(mockc)));

        // The sampler chosen (it has not sampled in this window): the mesh's numbers go at once.
        page->setSource(TrafficPage::Source::Sampler);
        QVERIFY(drawnEdge(view, "mocka", "mockb")->label.empty());
        QCOMPARE(drawnNode(view, "mockc")->errorRate, -1.0);
        page->setSource(TrafficPage::Source::MeshTelemetry);
        QVERIFY(!drawnEdge(view, "mocka", "mockb")->label.empty());

        // Prometheus gone: the next refresh fails and the canvas keeps no old numbers.
        prometheus.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->view(), 60'000);
        QVERIFY(drawnEdge(view, "mocka", "mockb")->label.empty());
        QVERIFY(drawnEdge(view, "mockb", "mockc")->label.empty());
        QCOMPARE(drawnNode(view, "mockc")->errorRate, -1.0);
    }

    // From kBackgroundLayout services on, layout runs on a worker; an edit made meanwhile supersedes it.
    void bigGroupLaysOutOffTheGuiThread()
    {
        const std::size_t extra = TopologyView::kBackgroundLayout;
        m_doc->newDocument(withServices(extra));
        QVERIFY(m_view->layoutPending());
        LaneGroup edited = m_doc->group();
        edits::addService(edited, "late");
        m_doc->edit(edited, QStringLiteral("add late"));
        QVERIFY(m_view->layoutPending());
        QTRY_VERIFY_WITH_TIMEOUT(!m_view->layoutPending(), 60000);
        QCOMPARE(m_view->drawing().nodes.size(), extra + 5);
        QVERIFY(m_view->nodeItem(QStringLiteral("late")));
        QVERIFY(m_view->drawing().nodes.back().box.width > 0);
    }

private:
    std::unique_ptr<DocumentController> m_doc;
    std::unique_ptr<TopologyView> m_view;
};

QTEST_MAIN(TestTopologyView)
#include "tst_topologyview.moc"

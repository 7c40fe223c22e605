#include "ui/topologyview.h"

#include "base/atomicfile.h"
#include "graph/svg.h"
#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"
#include "ui/topologyaccessible.h"
#include "ui/whenfinished.h"

#include <QAccessible>
#include <QAction>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QGraphicsItem>
#include <QGraphicsLineItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPainterPathStroker>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QStyle>
#include <QStyleOptionGraphicsItem>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <utility>

namespace lanedeck::ui {
namespace {

using graph::Metrics;
using graph::Reach;

constexpr int kKindKey = 0;
constexpr int kNameKey = 1;
constexpr int kCalleeKey = 2;
const QString kNodeKind = QStringLiteral("node");
const QString kEdgeKind = QStringLiteral("edge");

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QColor rgb(std::uint32_t value)
{
    return QColor::fromRgb(static_cast<QRgb>(value));
}

QFont fontOfSize(const QFont &base, double pixels, bool bold = false)
{
    QFont font = base;
    font.setPixelSize(static_cast<int>(pixels));
    font.setBold(bold);
    return font;
}

/// The drawing's colours and font, shared by every item of one scene.
struct Look
{
    graph::Style style;
    QFont font;
    int lane = -1;
    std::vector<std::string> laneNames;
};

std::shared_ptr<const Look> makeLook(const graph::Style &style, const QFont &font,
                                     const graph::Drawing &drawing)
{
    auto look = std::make_shared<Look>();
    look->style = style;
    look->font = font;
    look->lane = drawing.lane;
    look->laneNames = drawing.laneNames;
    return look;
}

class NodeItem final : public QGraphicsItem
{
public:
    NodeItem(graph::DrawnNode node, std::shared_ptr<const Look> look)
        : m_node(std::move(node)), m_look(std::move(look))
    {
        setFlags(ItemIsSelectable | ItemIsFocusable);
        setData(kKindKey, kNodeKind);
        setData(kNameKey, qs(m_node.box.service));
        setToolTip(qs(m_node.description));
        setZValue(1);
    }

    const graph::DrawnNode &node() const { return m_node; }

    /// Takes the node's new state in place (same box): a lane, traffic or membership change.
    void setNode(graph::DrawnNode node, std::shared_ptr<const Look> look)
    {
        m_node = std::move(node);
        m_look = std::move(look);
        setToolTip(qs(m_node.description));
        update();
    }

    QRectF boundingRect() const override
    {
        const auto &b = m_node.box;
        return QRectF(b.x - 12, b.y - 4, b.width + 16, b.height + 8);
    }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        const graph::Style &style = m_look->style;
        const auto &b = m_node.box;
        const QRectF box(b.x, b.y, b.width, b.height);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        if (m_node.reach == Reach::Unreached) {
            painter->setOpacity(style.dimmedOpacity);
        }
        if (m_node.entry) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(rgb(style.text));
            const QPointF tip(b.x - 1, box.center().y());
            painter->drawPolygon(QPolygonF{tip, tip + QPointF(-9, -5), tip + QPointF(-9, 5)});
        }
        QPen pen(rgb(style.nodeStroke), 1);
        if (m_node.reach == Reach::Lane) {
            pen = QPen(rgb(graph::laneRgb(m_look->lane)), 2.5);
        } else if (m_node.reach == Reach::Fallback) {
            pen = QPen(rgb(graph::laneRgb(0)), 2, Qt::DashLine);
        }
        if (option->state & QStyle::State_Selected) {
            pen.setWidthF(pen.widthF() + 1.5);
            pen.setColor(option->palette.color(QPalette::Highlight));
        }
        painter->setPen(pen);
        painter->setBrush(rgb(style.nodeFill));
        painter->drawRoundedRect(box, 6, 6);

        const double inner = b.width - 2 * Metrics::kPadding;
        const QFont nameFont = fontOfSize(m_look->font, Metrics::kFontSize, true);
        painter->setFont(nameFont);
        painter->setPen(rgb(style.text));
        const QRectF nameRow(b.x + Metrics::kPadding, b.y + Metrics::kPadding, inner, Metrics::kRow);
        double nameWidth = inner;
        if (m_node.errorRate >= 0) {
            // The box keeps Metrics::kErrorLabel for it; the name gets what the label leaves.
            const QFont small = fontOfSize(m_look->font, 10);
            const QString errors = QObject::tr("%1% err").arg(m_node.errorRate * 100, 0, 'f', 1);
            nameWidth = inner - QFontMetricsF(small).horizontalAdvance(errors) - 4;
            painter->setFont(small);
            painter->setPen(rgb(m_node.errorRate > 0 ? style.problem : style.mutedText));
            painter->drawText(nameRow, Qt::AlignRight | Qt::AlignVCenter, errors);
            painter->setFont(nameFont);
            painter->setPen(rgb(style.text));
        }
        painter->drawText(nameRow, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetricsF(nameFont).elidedText(qs(b.service), Qt::ElideRight, nameWidth));
        const QFont small = fontOfSize(m_look->font, 11);
        painter->setFont(small);
        painter->setPen(rgb(style.mutedText));
        painter->drawText(QRectF(nameRow.x(), nameRow.bottom(), inner, Metrics::kRow),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetricsF(small).elidedText(qs(m_node.ns), Qt::ElideRight, inner));
        for (std::size_t i = 0; i < m_node.chips.size() && i < m_node.chipBoxes.size(); ++i) {
            const auto &chip = m_node.chips[i];
            const auto &c = m_node.chipBoxes[i];
            const QRectF rect(c.x, c.y, c.width, c.height);
            const QColor color = rgb(graph::laneRgb(chip.lane));
            QColor ink;
            if (chip.fallback) {
                painter->setPen(QPen(color, 1.5, Qt::DashLine));
                painter->setBrush(Qt::NoBrush);
                painter->drawRoundedRect(rect.adjusted(0.75, 0.75, -0.75, -0.75), 4, 4);
                ink = rgb(style.text);
            } else {
                painter->setPen(Qt::NoPen);
                painter->setBrush(color);
                painter->drawRoundedRect(rect, 4, 4);
                const double luminance =
                    0.2126 * color.redF() + 0.7152 * color.greenF() + 0.0722 * color.blueF();
                ink = luminance > 0.5 ? QColor(Qt::black) : QColor(Qt::white);
            }
            painter->setPen(ink);
            painter->drawText(rect, Qt::AlignCenter, qs(c.service));
        }
        painter->restore();
    }

private:
    graph::DrawnNode m_node;
    std::shared_ptr<const Look> m_look;
};

class EdgeItem final : public QGraphicsItem
{
public:
    EdgeItem(graph::DrawnEdge edge, const QString &from, const QString &to, std::shared_ptr<const Look> look)
        : m_edge(std::move(edge)), m_look(std::move(look))
    {
        setFlags(ItemIsSelectable);
        setData(kKindKey, kEdgeKind);
        setData(kNameKey, from);
        setData(kCalleeKey, to);
        shapeEdge();
    }

    /// Takes the edge's new state in place (same route): its width and label follow the traffic.
    void setEdge(graph::DrawnEdge edge, std::shared_ptr<const Look> look)
    {
        prepareGeometryChange();
        m_edge = std::move(edge);
        m_look = std::move(look);
        shapeEdge();
        update();
    }

    QRectF boundingRect() const override { return m_bounds.adjusted(-2, -2, 2, 2); }
    QPainterPath shape() const override { return m_shape; }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        const graph::Style &style = m_look->style;
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        QColor color = rgb(style.edge);
        Qt::PenStyle dash = Qt::SolidLine;
        if (m_edge.reach == Reach::Lane) {
            color = rgb(graph::laneRgb(m_look->lane));
        } else if (m_edge.reach == Reach::Fallback) {
            color = rgb(graph::laneRgb(0));
            dash = Qt::DashLine;
        } else if (m_edge.reach == Reach::Unreached) {
            painter->setOpacity(style.dimmedOpacity);
        }
        if (m_edge.leaking) {
            color = rgb(style.problem);
        }
        if (option->state & QStyle::State_Selected) {
            color = option->palette.color(QPalette::Highlight);
        }
        QPen pen(color, width(), dash, Qt::FlatCap);
        if (dash == Qt::DashLine) {
            // The SVG's 6 4 dashes, in pen widths as Qt counts them.
            pen.setDashPattern({6 / width(), 4 / width()});
        }
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(m_path);
        painter->setPen(Qt::NoPen);
        painter->setBrush(color);
        painter->drawPolygon(m_arrow);
        if (!m_edge.label.empty()) {
            const QFont font = fontOfSize(m_look->font, 11);
            painter->setFont(font);
            const QString text =
                m_edge.leaking ? QObject::tr("%1 leak").arg(qs(m_edge.label)) : qs(m_edge.label);
            QPainterPath outline;
            const QRectF rect = labelRect();
            const double baseline = m_edge.labelAt.y + 4;
            const double x = rect.center().x() - QFontMetricsF(font).horizontalAdvance(text) / 2;
            outline.addText(QPointF(x, baseline), font, text);
            painter->setPen(QPen(rgb(style.background), 3));
            painter->setBrush(Qt::NoBrush);
            painter->drawPath(outline);
            painter->setPen(Qt::NoPen);
            painter->setBrush(rgb(m_edge.leaking ? style.problem : style.text));
            painter->drawPath(outline);
        }
        painter->restore();
    }

private:
    void shapeEdge()
    {
        setToolTip(qs(m_edge.description));
        m_path.clear();
        m_arrow.clear();
        const auto &s = m_edge.route.spline;
        if (!s.empty()) {
            m_path.moveTo(s[0].x, s[0].y);
            for (std::size_t i = 1; i + 2 < s.size(); i += 3) {
                m_path.cubicTo(s[i].x, s[i].y, s[i + 1].x, s[i + 1].y, s[i + 2].x, s[i + 2].y);
            }
        }
        for (const auto &p : graph::arrowHead(m_edge.route, 6 + width())) {
            m_arrow << QPointF(p.x, p.y);
        }
        QPainterPathStroker stroker;
        stroker.setWidth(std::max(10.0, width() + 6));
        m_shape = stroker.createStroke(m_path);
        m_shape.addPolygon(m_arrow);
        m_bounds = m_shape.boundingRect();
        if (!m_edge.label.empty()) {
            m_bounds = m_bounds.united(labelRect());
        }
    }

    double width() const
    {
        double w = m_edge.strokeWidth;
        if (m_edge.reach == Reach::Lane) {
            w = std::max(w, 2.5);
        } else if (m_edge.reach == Reach::Fallback) {
            w = std::max(w, 2.0);
        }
        return w;
    }
    QRectF labelRect() const
    {
        const double w = (static_cast<double>(m_edge.label.size()) + 5) * Metrics::kCharWidth;
        return QRectF(m_edge.labelAt.x - w / 2, m_edge.labelAt.y - 10, w, 18);
    }

    graph::DrawnEdge m_edge;
    std::shared_ptr<const Look> m_look;
    QPainterPath m_path;
    QPainterPath m_shape;
    QPolygonF m_arrow;
    QRectF m_bounds;
};

/// What a background layout hands back (QFuture wants a default-constructible value).
struct LayoutOutcome
{
    graph::GraphLayout layout;
    QString error;
};

LayoutOutcome runLayout(const LaneGroup &group, const std::vector<graph::NodeSize> &sizes)
{
    auto layout = graph::layoutGraph(group, sizes);
    if (!layout) {
        return {{}, qs(layout.error().message)};
    }
    return {std::move(*layout), {}};
}

std::vector<std::string> layoutKey(const LaneGroup &group, const std::vector<graph::NodeSize> &sizes)
{
    std::vector<std::string> key{group.ingress.entryService};
    for (std::size_t i = 0; i < group.services.size(); ++i) {
        std::string line = group.services[i].name + ' ' + std::to_string(sizes[i].width) + 'x' +
                           std::to_string(sizes[i].height) + ':';
        for (const auto &c : group.services[i].calls) {
            line += ' ' + c;
        }
        key.push_back(std::move(line));
    }
    return key;
}

} // namespace

/// The QGraphicsView of the topology: pans by dragging the background, draws a call by dragging from node to
/// node, zooms with Ctrl+wheel and +/-, and moves the selection with the arrow keys.
class TopologyCanvas final : public QGraphicsView
{
public:
    TopologyCanvas(QGraphicsScene *scene, TopologyView *view) : QGraphicsView(scene, view), m_view(view)
    {
        setObjectName(QStringLiteral("topologyCanvas"));
        setAccessibleName(TopologyView::tr("Call graph"));
        setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
        setDragMode(QGraphicsView::ScrollHandDrag);
        setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
        setFocusPolicy(Qt::StrongFocus);
        setToolTip(
            TopologyView::tr("Drag from a service to another to add a call; drag the background to pan; "
                             "Ctrl+wheel or +/- zooms, F fits; arrow keys move between services; Delete "
                             "removes, E makes the entry service, Space toggles the service in the lane; "
                             "the context menu holds the rest."));
    }

    QGraphicsItem *nodeAt(const QPoint &pos) const
    {
        for (QGraphicsItem *item : items(pos)) {
            if (item->data(kKindKey).toString() == kNodeKind) {
                return item;
            }
        }
        return nullptr;
    }

protected:
    void mousePressEvent(QMouseEvent *event) override
    {
        if (event->button() == Qt::LeftButton && event->modifiers() == Qt::NoModifier) {
            if (QGraphicsItem *node = nodeAt(event->position().toPoint())) {
                scene()->clearSelection();
                node->setSelected(true);
                m_dragFrom = node->data(kNameKey).toString();
                m_pressPos = event->position().toPoint();
                event->accept();
                return;
            }
        }
        QGraphicsView::mousePressEvent(event);
    }

    void mouseMoveEvent(QMouseEvent *event) override
    {
        if (m_dragFrom.isEmpty()) {
            QGraphicsView::mouseMoveEvent(event);
            return;
        }
        const QPointF from = nodeCenter(m_dragFrom);
        const QPointF to = mapToScene(event->position().toPoint());
        if (!m_line) {
            if ((event->position().toPoint() - m_pressPos).manhattanLength() < 4) {
                return;
            }
            m_line = scene()->addLine(QLineF(from, to),
                                      QPen(palette().color(QPalette::Highlight), 2, Qt::DashLine));
            m_line->setZValue(2);
        }
        m_line->setLine(QLineF(from, to));
    }

    void mouseReleaseEvent(QMouseEvent *event) override
    {
        if (m_dragFrom.isEmpty()) {
            QGraphicsView::mouseReleaseEvent(event);
            return;
        }
        const QString from = m_dragFrom;
        m_dragFrom.clear();
        const bool dragged = m_line != nullptr;
        if (m_line) {
            scene()->removeItem(m_line);
            delete m_line;
            m_line = nullptr;
        }
        QGraphicsItem *target = nodeAt(event->position().toPoint());
        if (dragged && target && target->data(kNameKey).toString() != from) {
            m_view->addCall(from, target->data(kNameKey).toString());
        }
        event->accept();
    }

    void wheelEvent(QWheelEvent *event) override
    {
        if (event->modifiers() & Qt::ControlModifier) {
            m_view->zoomBy(std::pow(1.0015, event->angleDelta().y()));
            event->accept();
            return;
        }
        QGraphicsView::wheelEvent(event);
    }

    void keyPressEvent(QKeyEvent *event) override
    {
        switch (event->key()) {
        case Qt::Key_Left:
        case Qt::Key_Right:
        case Qt::Key_Up:
        case Qt::Key_Down:
            moveSelection(event->key());
            return;
        case Qt::Key_Delete:
        case Qt::Key_Backspace:
            m_view->removeSelected();
            return;
        case Qt::Key_E:
            if (!m_view->selectedService().isEmpty()) {
                m_view->setEntryService(m_view->selectedService());
            }
            return;
        case Qt::Key_Space:
            if (!m_view->selectedService().isEmpty()) {
                m_view->toggleInLane(m_view->selectedService());
            }
            return;
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            m_view->zoomBy(1.25);
            return;
        case Qt::Key_Minus:
            m_view->zoomBy(0.8);
            return;
        case Qt::Key_F:
        case Qt::Key_0:
            m_view->fitToView();
            return;
        case Qt::Key_Menu: {
            QPoint at = viewport()->rect().center();
            if (auto *item = m_view->nodeItem(m_view->selectedService())) {
                at = mapFromScene(item->sceneBoundingRect().center());
            }
            m_view->showContextMenu(viewport()->mapToGlobal(at));
            return;
        }
        default:
            QGraphicsView::keyPressEvent(event);
        }
    }

    void contextMenuEvent(QContextMenuEvent *event) override
    {
        if (event->reason() == QContextMenuEvent::Mouse) {
            const QList<QGraphicsItem *> hit = items(event->pos());
            scene()->clearSelection();
            for (QGraphicsItem *item : hit) {
                if (item->flags() & QGraphicsItem::ItemIsSelectable) {
                    item->setSelected(true);
                    break;
                }
            }
        }
        m_view->showContextMenu(event->globalPos());
    }

    void resizeEvent(QResizeEvent *event) override
    {
        QGraphicsView::resizeEvent(event);
        if (m_view->m_fitPending && isVisible()) {
            m_view->fitToView();
        }
    }

private:
    QPointF nodeCenter(const QString &service) const
    {
        const QGraphicsItem *item = m_view->nodeItem(service);
        return item ? item->sceneBoundingRect().center() : QPointF();
    }

    /// Selects the nearest service in the arrow's direction (or the entry service when none is selected).
    void moveSelection(int key)
    {
        const QString current = m_view->selectedService();
        const QGraphicsItem *from = m_view->nodeItem(current);
        if (!from) {
            const auto &nodes = m_view->drawing().nodes;
            for (const auto &n : nodes) {
                if (n.entry || &n == &nodes.back()) {
                    m_view->selectService(qs(n.box.service));
                    break;
                }
            }
            return;
        }
        QPointF origin;
        for (const auto &n : m_view->drawing().nodes) {
            if (qs(n.box.service) == current) {
                origin = QPointF(n.box.centerX(), n.box.centerY());
            }
        }
        QString best;
        double bestScore = 0;
        for (const auto &n : m_view->drawing().nodes) {
            if (qs(n.box.service) == current) {
                continue;
            }
            const QPointF d = QPointF(n.box.centerX(), n.box.centerY()) - origin;
            const double along = key == Qt::Key_Right  ? d.x()
                                 : key == Qt::Key_Left ? -d.x()
                                 : key == Qt::Key_Down ? d.y()
                                                       : -d.y();
            const double across =
                key == Qt::Key_Left || key == Qt::Key_Right ? std::abs(d.y()) : std::abs(d.x());
            if (along <= 1) {
                continue;
            }
            const double score = along + 2 * across;
            if (best.isEmpty() || score < bestScore) {
                best = qs(n.box.service);
                bestScore = score;
            }
        }
        if (!best.isEmpty()) {
            m_view->selectService(best);
        }
    }

    TopologyView *m_view;
    QString m_dragFrom;
    QPoint m_pressPos;
    QGraphicsLineItem *m_line = nullptr;
};

// Qt makes a widget's accessible interface as the widget is created: the canvas's factory must be in place
// before the canvas is, hence its installation in the base's initializer.
TopologyView::TopologyView(DocumentController *controller, QWidget *parent)
    : QWidget((installTopologyAccessibility(), parent)), m_controller(controller),
      m_laneBox(new QComboBox(this)), m_newService(new QLineEdit(this)), m_legend(new QLabel(this)),
      m_scene(new QGraphicsScene(this)), m_canvas(new TopologyCanvas(m_scene, this))
{
    auto *layout = new QVBoxLayout(this);
    auto *tools = new QHBoxLayout;
    auto *laneLabel = new QLabel(tr("&Lane:"), this);
    laneLabel->setBuddy(m_laneBox);
    m_laneBox->setObjectName(QStringLiteral("topologyLane"));
    m_laneBox->setAccessibleName(tr("Lane shown on the graph"));
    m_laneBox->setToolTip(tr("Light up one lane's path, or show every lane's versions"));
    m_laneBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_newService->setObjectName(QStringLiteral("topologyNewService"));
    m_newService->setPlaceholderText(tr("New service name"));
    m_newService->setAccessibleName(tr("New service name"));
    m_newService->setMaximumWidth(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 14);
    auto *add = new QPushButton(tr("Add service"), this);
    add->setObjectName(QStringLiteral("topologyAddService"));
    const auto button = [this](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QToolButton(this);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        b->setAccessibleName(tip);
        b->setAutoRaise(true);
        return b;
    };
    auto *zoomOut = button(QStringLiteral("topologyZoomOut"), QStringLiteral("−"), tr("Zoom out (-)"));
    auto *zoomIn = button(QStringLiteral("topologyZoomIn"), QStringLiteral("+"), tr("Zoom in (+)"));
    auto *fit = button(QStringLiteral("topologyFit"), tr("Fit"), tr("Fit the graph in the view (F)"));
    tools->addWidget(laneLabel);
    tools->addWidget(m_laneBox);
    tools->addSpacing(fontMetrics().height());
    tools->addWidget(m_newService);
    tools->addWidget(add);
    tools->addStretch(1);
    tools->addWidget(zoomOut);
    tools->addWidget(zoomIn);
    tools->addWidget(fit);
    layout->addLayout(tools);
    layout->addWidget(m_canvas, 1);
    m_legend->setObjectName(QStringLiteral("topologyLegend"));
    m_legend->setWordWrap(true);
    layout->addWidget(m_legend);

    connect(m_laneBox, &QComboBox::activated, this, [this](int index) { setLane(index - 1); });
    connect(m_newService, &QLineEdit::returnPressed, add, &QPushButton::click);
    connect(add, &QPushButton::clicked, this, [this] {
        addService(m_newService->text().trimmed());
        m_newService->clear();
    });
    connect(zoomOut, &QToolButton::clicked, this, [this] { zoomBy(0.8); });
    connect(zoomIn, &QToolButton::clicked, this, [this] { zoomBy(1.25); });
    connect(fit, &QToolButton::clicked, this, &TopologyView::fitToView);
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &TopologyView::updateAccessibleDescription);
    connect(controller, &DocumentController::groupChanged, this, &TopologyView::refresh);
    // A new document is fitted to the view once its layout is on the canvas (now, or when the worker's
    // layout arrives); the previous document's traffic no longer applies.
    connect(controller, &DocumentController::documentReplaced, this, [this] {
        m_fitPending = true;
        setTraffic({});
        if (!layoutPending() && m_canvas->isVisible()) {
            fitToView();
        }
    });
    refresh();
}

TopologyView::~TopologyView()
{
    // The scene is a child: QObject deletes it after this destructor, and clearing its items emits
    // selectionChanged to a view that is no longer a TopologyView (UBSan: downcast of a QWidget).
    disconnect(m_scene, nullptr, this, nullptr);
}

QGraphicsView *TopologyView::canvas() const
{
    return m_canvas;
}

graph::Style TopologyView::style() const
{
    const bool dark = m_dark.value_or(palette().color(QPalette::Base).lightness() < 128);
    return dark ? graph::Style::dark() : graph::Style::light();
}

void TopologyView::setDarkPalette(bool dark)
{
    m_dark = dark;
    rebuildScene();
}

void TopologyView::setLane(int lane)
{
    lane = lane >= 0 && static_cast<std::size_t>(lane) < m_controller->group().lanes.size() ? lane : -1;
    if (lane == m_lane) {
        return;
    }
    m_lane = lane;
    m_laneBox->setCurrentIndex(m_lane + 1);
    redraw();
}

void TopologyView::setTraffic(const graph::Traffic &traffic)
{
    if (traffic == m_traffic) {
        return;
    }
    m_traffic = traffic;
    redraw();
}

void TopologyView::refresh()
{
    updateLanes();
    startLayout();
}

void TopologyView::updateLanes()
{
    const LaneGroup &group = m_controller->group();
    if (m_lane >= static_cast<int>(group.lanes.size())) {
        m_lane = -1;
    }
    QStringList names{tr("All lanes")};
    for (const auto &lane : group.lanes) {
        names << qs(lane.name);
    }
    QStringList shown;
    for (int i = 0; i < m_laneBox->count(); ++i) {
        shown << m_laneBox->itemText(i);
    }
    if (shown != names) {
        m_laneBox->clear();
        m_laneBox->addItems(names);
    }
    m_laneBox->setCurrentIndex(m_lane + 1);
}

void TopologyView::startLayout()
{
    const LaneGroup &group = m_controller->group();
    const auto sizes = graph::nodeSizes(group);
    auto key = layoutKey(group, sizes);
    if (key == m_layoutKey && m_pendingGeneration == 0) {
        redraw();
        return;
    }
    const quint64 generation = ++m_generation;
    if (group.services.size() < kBackgroundLayout) {
        m_pendingGeneration = 0;
        LayoutOutcome outcome = runLayout(group, sizes);
        if (!outcome.error.isEmpty()) {
            Q_EMIT statusMessage(outcome.error);
        }
        takeLayout(outcome.layout, key);
        return;
    }
    m_pendingGeneration = generation;
    whenFinished(QtConcurrent::run(runLayout, group, sizes), this,
                 [this, generation, key = std::move(key)](const LayoutOutcome &outcome) {
                     // A newer edit started another layout: this one no longer matches the group.
                     if (generation != m_generation) {
                         return;
                     }
                     m_pendingGeneration = 0;
                     if (!outcome.error.isEmpty()) {
                         Q_EMIT statusMessage(outcome.error);
                     }
                     takeLayout(outcome.layout, key);
                 });
    redraw();
}

void TopologyView::takeLayout(const graph::GraphLayout &layout, const std::vector<std::string> &key)
{
    m_layout = layout;
    m_layoutKey = key;
    redraw();
}

void TopologyView::redraw()
{
    const LaneGroup &group = m_controller->group();
    // Until a background layout arrives the previous one is drawn: its services are matched by name.
    graph::Drawing drawing = graph::draw(group, m_layout, m_lane, m_traffic);
    if (drawing == m_drawing && !m_scene->items().isEmpty()) {
        return;
    }
    const graph::Drawing before = std::exchange(m_drawing, std::move(drawing));
    // A change of lanes in a service, of the lane shown or of traffic keeps every box and route where it
    // was: the items take their new state in place instead of a new scene of a thousand items.
    if (!restyleScene(before)) {
        rebuildScene();
    }
    QString legend;
    if (m_lane < 0) {
        legend = tr("Every lane's versions as coloured chips. Pick a lane to light up its path.");
    } else {
        legend =
            tr("Lane %1: its versions outlined in its colour; dashed: falls back to the baseline; faded: "
               "not reached.")
                .arg(qs(group.lanes[static_cast<std::size_t>(m_lane)].name));
    }
    if (!m_traffic.empty()) {
        legend += QLatin1Char(' ') +
                  tr("Edges carry requests/s from the Traffic page's source (the sampler or the mesh's "
                     "telemetry); red: traffic leaving its lane.");
    }
    m_legend->setText(legend);
    Q_EMIT drawingChanged();
}

void TopologyView::rebuildScene()
{
    const QStringList selected = [this] {
        QStringList keys;
        for (const QGraphicsItem *item : m_scene->selectedItems()) {
            keys << item->data(kKindKey).toString() + QLatin1Char(':') + item->data(kNameKey).toString() +
                        QLatin1Char('>') + item->data(kCalleeKey).toString();
        }
        return keys;
    }();
    const QSignalBlocker blocker(m_scene);
    m_scene->clear();
    const auto look = makeLook(style(), font(), m_drawing);
    m_scene->setBackgroundBrush(rgb(look->style.background));
    m_scene->setSceneRect(0, 0, m_drawing.width, m_drawing.height);
    m_edgeItems.clear();
    m_nodeItems.clear();
    for (const auto &edge : m_drawing.edges) {
        auto *item = new EdgeItem(edge, qs(m_drawing.nodes[edge.route.from].box.service),
                                  qs(m_drawing.nodes[edge.route.to].box.service), look);
        m_scene->addItem(item);
        m_edgeItems.push_back(item);
    }
    for (const auto &node : m_drawing.nodes) {
        auto *item = new NodeItem(node, look);
        m_scene->addItem(item);
        m_nodeItems.push_back(item);
    }
    for (QGraphicsItem *item : m_scene->items()) {
        const QString key = item->data(kKindKey).toString() + QLatin1Char(':') +
                            item->data(kNameKey).toString() + QLatin1Char('>') +
                            item->data(kCalleeKey).toString();
        if (selected.contains(key)) {
            item->setSelected(true);
        }
    }
    m_canvas->setAccessibleDescription(qs(m_drawing.title));
    if (m_fitPending && m_canvas->isVisible()) {
        fitToView();
    }
    if (QAccessible::isActive()) {
        QAccessibleEvent reorder(m_canvas,
                                 QAccessible::ObjectReorder); // new items: assistive tools read again
        QAccessible::updateAccessibility(&reorder);
    }
    updateAccessibleDescription();
}

bool TopologyView::restyleScene(const graph::Drawing &before)
{
    const graph::Drawing &now = m_drawing;
    if (m_nodeItems.size() != now.nodes.size() || m_edgeItems.size() != now.edges.size() ||
        before.nodes.size() != now.nodes.size() || before.edges.size() != now.edges.size() ||
        before.lane != now.lane || before.laneNames != now.laneNames || before.width != now.width ||
        before.height != now.height) {
        return false;
    }
    for (std::size_t i = 0; i < now.nodes.size(); ++i) {
        if (!(before.nodes[i].box == now.nodes[i].box)) {
            return false;
        }
    }
    for (std::size_t i = 0; i < now.edges.size(); ++i) {
        if (!(before.edges[i].route == now.edges[i].route)) {
            return false;
        }
    }
    const auto look = makeLook(style(), font(), now);
    for (std::size_t i = 0; i < now.nodes.size(); ++i) {
        if (!(before.nodes[i] == now.nodes[i])) {
            static_cast<NodeItem *>(m_nodeItems[i])->setNode(now.nodes[i], look);
        }
    }
    for (std::size_t i = 0; i < now.edges.size(); ++i) {
        if (!(before.edges[i] == now.edges[i])) {
            static_cast<EdgeItem *>(m_edgeItems[i])->setEdge(now.edges[i], look);
        }
    }
    m_canvas->setAccessibleDescription(qs(now.title));
    updateAccessibleDescription();
    return true;
}

QGraphicsItem *TopologyView::nodeItem(const QString &service) const
{
    for (QGraphicsItem *item : m_scene->items()) {
        if (item->data(kKindKey).toString() == kNodeKind && item->data(kNameKey).toString() == service) {
            return item;
        }
    }
    return nullptr;
}

QGraphicsItem *TopologyView::edgeItem(const QString &from, const QString &to) const
{
    for (QGraphicsItem *item : m_scene->items()) {
        if (item->data(kKindKey).toString() == kEdgeKind && item->data(kNameKey).toString() == from &&
            item->data(kCalleeKey).toString() == to) {
            return item;
        }
    }
    return nullptr;
}

QString TopologyView::selectedService() const
{
    for (const QGraphicsItem *item : m_scene->selectedItems()) {
        if (item->data(kKindKey).toString() == kNodeKind) {
            return item->data(kNameKey).toString();
        }
    }
    return {};
}

std::optional<std::pair<QString, QString>> TopologyView::selectedCall() const
{
    for (const QGraphicsItem *item : m_scene->selectedItems()) {
        if (item->data(kKindKey).toString() == kEdgeKind) {
            return std::make_pair(item->data(kNameKey).toString(), item->data(kCalleeKey).toString());
        }
    }
    return std::nullopt;
}

void TopologyView::selectService(const QString &service)
{
    QGraphicsItem *item = nodeItem(service);
    if (!item) {
        return;
    }
    m_scene->clearSelection();
    item->setSelected(true);
    m_canvas->ensureVisible(item, 24, 24);
}

void TopologyView::updateAccessibleDescription()
{
    QGraphicsItem *selected = selectedItem();
    m_canvas->setAccessibleDescription(selected ? selected->toolTip() : qs(m_drawing.title));
    const int index = graphItemIndex(selected);
    if (index >= 0 && QAccessible::isActive()) {
        // Assistive tools follow the selection from item to item (the arrow keys move it).
        QAccessibleEvent selection(m_canvas, QAccessible::Selection);
        selection.setChild(index);
        QAccessible::updateAccessibility(&selection);
        if (m_canvas->hasFocus()) {
            QAccessibleEvent focus(m_canvas, QAccessible::Focus);
            focus.setChild(index);
            QAccessible::updateAccessibility(&focus);
        }
    }
}

int TopologyView::graphItemCount() const
{
    return static_cast<int>(m_nodeItems.size() + m_edgeItems.size());
}

QGraphicsItem *TopologyView::graphItem(int index) const
{
    const auto i = static_cast<std::size_t>(index);
    if (index < 0 || i >= m_nodeItems.size() + m_edgeItems.size()) {
        return nullptr;
    }
    return i < m_nodeItems.size() ? m_nodeItems[i] : m_edgeItems[i - m_nodeItems.size()];
}

int TopologyView::graphItemIndex(const QGraphicsItem *item) const
{
    if (!item) {
        return -1;
    }
    const auto node = std::find(m_nodeItems.begin(), m_nodeItems.end(), item);
    if (node != m_nodeItems.end()) {
        return static_cast<int>(node - m_nodeItems.begin());
    }
    const auto edge = std::find(m_edgeItems.begin(), m_edgeItems.end(), item);
    return edge != m_edgeItems.end() ? static_cast<int>(m_nodeItems.size() + (edge - m_edgeItems.begin()))
                                     : -1;
}

QGraphicsItem *TopologyView::selectedItem() const
{
    const QList<QGraphicsItem *> selected = m_scene->selectedItems();
    return selected.isEmpty() ? nullptr : selected.front();
}

QString TopologyView::accessibleNameOf(const QGraphicsItem *item)
{
    if (!item) {
        return {};
    }
    if (item->data(kKindKey).toString() == kEdgeKind) {
        return tr("%1 → %2", "a call on the topology")
            .arg(item->data(kNameKey).toString(), item->data(kCalleeKey).toString());
    }
    return item->data(kNameKey).toString();
}

void TopologyView::zoomBy(double factor)
{
    const double scale = m_canvas->transform().m11() * factor;
    if (scale < 0.05 || scale > 8) {
        return;
    }
    m_fitPending = false;
    m_canvas->scale(factor, factor);
}

void TopologyView::fitToView()
{
    m_fitPending = !m_canvas->isVisible();
    m_canvas->fitInView(m_scene->sceneRect(), Qt::KeepAspectRatio);
    // A small graph is not blown up past a comfortable size.
    if (m_canvas->transform().m11() > 1.5) {
        m_canvas->setTransform(QTransform::fromScale(1.5, 1.5));
    }
}

bool TopologyView::exportTo(const QString &path, QString *error) const
{
    const auto fail = [error](const QString &message) {
        if (error) {
            *error = message;
        }
        return false;
    };
    if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        QImage image(QSize(static_cast<int>(std::ceil(m_drawing.width * 2)),
                           static_cast<int>(std::ceil(m_drawing.height * 2))),
                     QImage::Format_ARGB32_Premultiplied);
        image.fill(rgb(style().background));
        {
            // The picture, not the session: no selection in it.
            const QList<QGraphicsItem *> selected = m_scene->selectedItems();
            const QSignalBlocker blocker(m_scene);
            for (QGraphicsItem *item : selected) {
                item->setSelected(false);
            }
            QPainter painter(&image);
            painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
            m_scene->render(&painter, QRectF(0, 0, image.width(), image.height()), m_scene->sceneRect());
            painter.end();
            for (QGraphicsItem *item : selected) {
                item->setSelected(true);
            }
        }
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
            return fail(tr("Could not write %1: %2").arg(path, file.errorString()));
        }
        return true;
    }
    const auto written = writeFileAtomically(path.toStdString(), graph::toSvg(m_drawing, style()));
    if (!written) {
        return fail(qs(written.error().message));
    }
    return true;
}

void TopologyView::addService(const QString &name)
{
    if (name.isEmpty()) {
        return;
    }
    LaneGroup after = m_controller->group();
    std::vector<std::string> taken;
    for (const auto &s : after.services) {
        taken.push_back(s.name);
    }
    const std::string unique = edits::uniqueName(name.toStdString(), taken);
    edits::addService(after, unique);
    m_controller->edit(after, tr("Add service %1").arg(qs(unique)));
}

bool TopologyView::addCall(const QString &from, const QString &to)
{
    const LaneGroup &group = m_controller->group();
    const std::string problem = edits::callProblem(group, from.toStdString(), to.toStdString());
    if (!problem.empty()) {
        Q_EMIT statusMessage(tr("No call added: %1.").arg(qs(problem)));
        return false;
    }
    LaneGroup after = group;
    edits::addCall(after, from.toStdString(), to.toStdString());
    m_controller->edit(after, tr("Add call %1 → %2").arg(from, to));
    return true;
}

void TopologyView::removeCall(const QString &from, const QString &to)
{
    LaneGroup after = m_controller->group();
    edits::removeCall(after, from.toStdString(), to.toStdString());
    m_controller->edit(after, tr("Remove call %1 → %2").arg(from, to));
}

void TopologyView::removeService(const QString &service)
{
    LaneGroup after = m_controller->group();
    for (std::size_t i = 0; i < after.services.size(); ++i) {
        if (after.services[i].name == service.toStdString()) {
            edits::removeService(after, i);
            m_controller->edit(after, tr("Remove service %1").arg(service));
            return;
        }
    }
}

void TopologyView::setEntryService(const QString &service)
{
    LaneGroup after = m_controller->group();
    edits::setEntryService(after, service.toStdString());
    m_controller->edit(after, tr("Make %1 the entry service").arg(service));
}

void TopologyView::toggleInLane(const QString &service)
{
    const LaneGroup &group = m_controller->group();
    if (m_lane < 0 || static_cast<std::size_t>(m_lane) >= group.lanes.size()) {
        Q_EMIT statusMessage(tr("Pick a lane first: Space adds the service to it or takes it out."));
        return;
    }
    const Lane &lane = group.lanes[static_cast<std::size_t>(m_lane)];
    const bool has = group.laneHas(lane, service.toStdString());
    LaneGroup after = group;
    edits::setLaneHasService(after, static_cast<std::size_t>(m_lane), service.toStdString(), !has);
    m_controller->edit(after, has ? tr("Remove %1 from lane %2").arg(service, qs(lane.name))
                                  : tr("Add %1 to lane %2").arg(service, qs(lane.name)));
}

void TopologyView::removeSelected()
{
    if (const auto call = selectedCall()) {
        removeCall(call->first, call->second);
    } else if (const QString service = selectedService(); !service.isEmpty()) {
        removeService(service);
    }
}

void TopologyView::showContextMenu(const QPoint &globalPos)
{
    QMenu menu(this);
    const LaneGroup &group = m_controller->group();
    if (const QString service = selectedService(); !service.isEmpty()) {
        QAction *entry =
            menu.addAction(tr("Make entry service"), this, [this, service] { setEntryService(service); });
        entry->setShortcut(Qt::Key_E);
        entry->setEnabled(qs(group.ingress.entryService) != service);
        if (m_lane >= 0) {
            const Lane &lane = group.lanes[static_cast<std::size_t>(m_lane)];
            const bool has = group.laneHas(lane, service.toStdString());
            QAction *toggle = menu.addAction(has ? tr("Take out of lane %1").arg(qs(lane.name))
                                                 : tr("Add to lane %1").arg(qs(lane.name)),
                                             this, [this, service] { toggleInLane(service); });
            toggle->setShortcut(Qt::Key_Space);
        }
        QMenu *calls = menu.addMenu(tr("Add call to"));
        for (const auto &s : group.services) {
            QAction *a = calls->addAction(qs(s.name), this,
                                          [this, service, to = qs(s.name)] { addCall(service, to); });
            a->setEnabled(edits::callProblem(group, service.toStdString(), s.name).empty());
        }
        menu.addSeparator();
        menu.addAction(tr("Remove service %1").arg(service), this,
                       [this, service] { removeService(service); })
            ->setShortcut(Qt::Key_Delete);
    } else if (const auto call = selectedCall()) {
        menu.addAction(tr("Remove call %1 → %2").arg(call->first, call->second), this,
                       [this, c = *call] { removeCall(c.first, c.second); })
            ->setShortcut(Qt::Key_Delete);
    } else {
        menu.addAction(tr("Fit"), this, &TopologyView::fitToView);
    }
    menu.exec(globalPos);
}

} // namespace lanedeck::ui

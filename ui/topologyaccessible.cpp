#include "ui/topologyaccessible.h"

#include "ui/topologyview.h"

#include <QAccessible>
#include <QAccessibleWidget>
#include <QGraphicsItem>
#include <QGraphicsView>
#include <QPointer>

namespace lanedeck::ui {
namespace {

/// The TopologyView the canvas is part of (somewhere up its parents).
TopologyView *viewOf(QObject *canvas)
{
    for (QObject *up = canvas ? canvas->parent() : nullptr; up; up = up->parent()) {
        if (auto *view = qobject_cast<TopologyView *>(up)) {
            return view;
        }
    }
    return nullptr;
}

/// One service or call of the canvas, by its index in TopologyView::graphItems(): it reads the item anew at
/// each question, so a redrawn scene needs no bookkeeping here, and an index past the end is just invalid.
class GraphItemAccessible final : public QAccessibleInterface
{
public:
    GraphItemAccessible(QGraphicsView *canvas, int index) : m_canvas(canvas), m_index(index) {}

    bool isValid() const override { return item() != nullptr; }
    QObject *object() const override { return nullptr; }
    QWindow *window() const override { return m_canvas ? m_canvas->window()->windowHandle() : nullptr; }
    QAccessibleInterface *focusChild() const override { return nullptr; }
    QAccessibleInterface *childAt(int, int) const override { return nullptr; }
    QAccessibleInterface *parent() const override { return QAccessible::queryAccessibleInterface(m_canvas); }
    QAccessibleInterface *child(int) const override { return nullptr; }
    int childCount() const override { return 0; }
    int indexOfChild(const QAccessibleInterface *) const override { return -1; }
    void setText(QAccessible::Text, const QString &) override {}
    QAccessible::Role role() const override { return QAccessible::ListItem; }

    QString text(QAccessible::Text t) const override
    {
        const QGraphicsItem *it = item();
        if (!it) {
            return {};
        }
        switch (t) {
        case QAccessible::Name:
            return TopologyView::accessibleNameOf(it);
        case QAccessible::Description:
            return it->toolTip();
        default:
            return {};
        }
    }

    QRect rect() const override
    {
        const QGraphicsItem *it = item();
        if (!it) {
            return {};
        }
        const QRect onViewport = m_canvas->mapFromScene(it->sceneBoundingRect()).boundingRect();
        return QRect(m_canvas->viewport()->mapToGlobal(onViewport.topLeft()), onViewport.size());
    }

    QAccessible::State state() const override
    {
        QAccessible::State s;
        const QGraphicsItem *it = item();
        if (!it) {
            s.invalid = true;
            return s;
        }
        s.selectable = it->flags().testFlag(QGraphicsItem::ItemIsSelectable);
        s.focusable = s.selectable;
        s.selected = it->isSelected();
        s.focused = s.selected && m_canvas->hasFocus();
        s.invisible = !it->isVisible();
        return s;
    }

private:
    QGraphicsItem *item() const
    {
        TopologyView *view = m_canvas ? viewOf(m_canvas) : nullptr;
        if (!view) {
            return nullptr;
        }
        return view->graphItem(m_index);
    }

    QPointer<QGraphicsView> m_canvas;
    int m_index;
};

/// The canvas as a list of its services and calls.
class CanvasAccessible final : public QAccessibleWidget
{
public:
    explicit CanvasAccessible(QGraphicsView *canvas) : QAccessibleWidget(canvas, QAccessible::List) {}

    ~CanvasAccessible() override
    {
        for (QAccessible::Id id : std::as_const(m_children)) {
            QAccessible::deleteAccessibleInterface(id);
        }
    }

    int childCount() const override
    {
        TopologyView *view = viewOf(object());
        return view ? view->graphItemCount() : 0;
    }

    QAccessibleInterface *child(int index) const override
    {
        if (index < 0 || index >= childCount()) {
            return nullptr;
        }
        if (const auto it = m_children.constFind(index); it != m_children.constEnd()) {
            return QAccessible::accessibleInterface(*it);
        }
        auto *child = new GraphItemAccessible(static_cast<QGraphicsView *>(widget()), index);
        m_children.insert(index, QAccessible::registerAccessibleInterface(child));
        return child;
    }

    int indexOfChild(const QAccessibleInterface *child) const override
    {
        for (auto it = m_children.constBegin(); it != m_children.constEnd(); ++it) {
            if (QAccessible::accessibleInterface(it.value()) == child) {
                return it.key();
            }
        }
        return -1;
    }

    QAccessibleInterface *focusChild() const override
    {
        TopologyView *view = viewOf(object());
        if (!view) {
            return nullptr;
        }
        const int selected = view->graphItemIndex(view->selectedItem());
        return selected >= 0 ? child(selected) : nullptr;
    }

private:
    mutable QHash<int, QAccessible::Id> m_children;
};

QAccessibleInterface *canvasFactory(const QString &className, QObject *object)
{
    Q_UNUSED(className);
    auto *canvas = qobject_cast<QGraphicsView *>(object);
    if (canvas && canvas->objectName() == QLatin1String("topologyCanvas") && viewOf(canvas)) {
        return new CanvasAccessible(canvas);
    }
    return nullptr;
}

} // namespace

void installTopologyAccessibility()
{
    static const bool installed = [] {
        QAccessible::installFactory(canvasFactory);
        return true;
    }();
    Q_UNUSED(installed);
}

} // namespace lanedeck::ui

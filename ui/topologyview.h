#pragma once

#include "graph/drawing.h"
#include "graph/layout.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QGraphicsItem;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QLineEdit;

namespace lanedeck::ui {

class DocumentController;
class TopologyCanvas;

/// The topology tab: the group's call graph as Graphviz's dot lays it out (models/graph), drawn on a
/// QGraphicsView from the same display-free Drawing that `lanectl graph` writes as SVG. Pick a lane and its
/// path lights up; live traffic (the sampler's, or the mesh's telemetry) widens the edges. Every edit made on
/// the canvas (a service, a call dragged from node to node, the entry service, a service in the selected
/// lane) is one undoable edit of the document, like the tables' edits.
///
/// Layout runs on the GUI thread for small groups and on a worker for large ones (kBackgroundLayout services
/// and up); a layout overtaken by a newer edit is dropped. Picking a lane or new traffic only redraws.
class TopologyView final : public QWidget
{
    Q_OBJECT
public:
    /// From this many services on, layout runs off the GUI thread.
    static constexpr std::size_t kBackgroundLayout = 150;

    explicit TopologyView(DocumentController *controller, QWidget *parent = nullptr);
    ~TopologyView() override;

    /// The lane whose path is lit, -1 for all lanes.
    int lane() const { return m_lane; }
    void setLane(int lane);
    /// Requests/s per call and lane, error rates per service; an empty Traffic clears the edges' labels.
    void setTraffic(const graph::Traffic &traffic);
    void setDarkPalette(bool dark);

    const graph::Drawing &drawing() const { return m_drawing; }
    /// Whether a background layout is still running (the drawing shows the previous layout meanwhile).
    bool layoutPending() const { return m_pendingGeneration != 0; }
    QGraphicsView *canvas() const;
    QGraphicsItem *nodeItem(const QString &service) const;
    QGraphicsItem *edgeItem(const QString &from, const QString &to) const;
    /// The selected service, or empty.
    QString selectedService() const;
    /// The selected call as {from, to}, or nothing.
    std::optional<std::pair<QString, QString>> selectedCall() const;
    void selectService(const QString &service);

    /// The canvas's services, then its calls, in the drawing's order: what assistive tools list (see
    /// topologyaccessible.h). Null past the end.
    int graphItemCount() const;
    QGraphicsItem *graphItem(int index) const;
    /// The index of a service's or call's item, or -1.
    int graphItemIndex(const QGraphicsItem *item) const;
    /// The selected service or call's item, or null.
    QGraphicsItem *selectedItem() const;
    /// What assistive tools call a service or a call of the canvas: "mockb", "mocka → mockb".
    static QString accessibleNameOf(const QGraphicsItem *item);

    /// Writes the picture as SVG (the same as `lanectl graph`) or, for a .png path, as an image at twice the
    /// drawing's size.
    bool exportTo(const QString &path, QString *error) const;

    // The canvas's edits, each one undoable step of the document.
    void addService(const QString &name);
    /// Adds the call, or says in statusMessage why not (a cycle, a duplicate, itself).
    bool addCall(const QString &from, const QString &to);
    void removeCall(const QString &from, const QString &to);
    void removeService(const QString &service);
    void setEntryService(const QString &service);
    /// Adds the service to the selected lane, or takes it out; nothing in "all lanes".
    void toggleInLane(const QString &service);
    /// Removes the selected call or service.
    void removeSelected();

    void zoomBy(double factor);
    void fitToView();

Q_SIGNALS:
    /// A new drawing is on the canvas (layout, lane, traffic or palette changed).
    void drawingChanged();
    void statusMessage(const QString &message);

private:
    friend class TopologyCanvas;
    void refresh();
    void startLayout();
    void takeLayout(const graph::GraphLayout &layout, const std::vector<std::string> &key);
    void redraw();
    void rebuildScene();
    /// Brings the scene's items to m_drawing in place, if it has the same boxes and routes as `before`.
    bool restyleScene(const graph::Drawing &before);
    void updateLanes();
    void updateAccessibleDescription();
    void showContextMenu(const QPoint &globalPos);
    graph::Style style() const;

    DocumentController *m_controller;
    QComboBox *m_laneBox;
    QLineEdit *m_newService;
    QLabel *m_legend;
    QGraphicsScene *m_scene;
    TopologyCanvas *m_canvas;
    int m_lane = -1;
    std::optional<bool> m_dark;
    graph::Traffic m_traffic;
    graph::GraphLayout m_layout;
    /// What the layout depends on (services, calls, entry, box sizes), to lay out again only when it changed.
    std::vector<std::string> m_layoutKey;
    quint64 m_generation = 0;
    quint64 m_pendingGeneration = 0;
    graph::Drawing m_drawing;
    /// The scene's items in m_drawing's order (owned by the scene).
    std::vector<QGraphicsItem *> m_nodeItems;
    std::vector<QGraphicsItem *> m_edgeItems;
    bool m_fitPending = true;
};

} // namespace lanedeck::ui

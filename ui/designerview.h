#pragma once

#include "lanes/lanegroup.h"
#include "ui/clustertarget.h"

#include <QWidget>

#include <functional>
#include <span>
#include <vector>

class QComboBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;

namespace lanedeck::ui {

class DocumentController;
class LaneGridModel;
class LaneTableModel;
class ServiceTableModel;
class WeightPanel;
struct TextFieldSpec;

/// The lane designer: the group's settings and ingress on the left, the services x lanes grid with the lane
/// and service tables in the middle, the traffic split on the right. Every change is an edit of the document;
/// every field the validation names is marked with its message.
class DesignerView final : public QWidget
{
    Q_OBJECT
public:
    explicit DesignerView(DocumentController *controller, QWidget *parent = nullptr);

    /// Offers the cluster's Services and label values as completions when adding services and typing labels.
    void setInventory(const ClusterInventory &inventory);
    const ClusterInventory &inventory() const { return m_inventory; }

    /// Shows and focuses the widget or cell that `fieldPath` names (from the Problems panel).
    void revealField(const QString &fieldPath);
    /// Focuses the lane grid's cell of `lane` x `service` (a cluster finding's place); false when either is
    /// not in the group.
    bool revealLaneService(const QString &lane, const QString &service);

    LaneGridModel *gridModel() const { return m_gridModel; }
    LaneTableModel *laneModel() const { return m_laneModel; }
    ServiceTableModel *serviceModel() const { return m_serviceModel; }

Q_SIGNALS:
    /// Something to say in the status bar: why an edit was refused.
    void statusMessage(const QString &message);

private:
    /// A line edit bound to one field of the group.
    struct TextField
    {
        QLineEdit *edit;
        QStringList paths; ///< diagnostics shown on this field (each with the fields below it)
        std::function<QString(const LaneGroup &)> get;
        std::function<void(LaneGroup &, const QString &)> set;
        QString undoText;
        QString tooltip;
    };

    QWidget *createSettingsPane();
    QGroupBox *createGroupBox(QWidget *pane);
    QGroupBox *createIngressBox(QWidget *pane);
    void addHeaderMatchRow(QFormLayout *ingress, QGroupBox *ingressBox);
    /// Line edits for `specs` (see addTextField), each in a row of `form` when it has a label.
    QList<QLineEdit *> addTextRows(QFormLayout *form, std::span<const TextFieldSpec> specs);
    QWidget *createGridPane();
    QGroupBox *createGridBox(QWidget *pane);
    /// The grid's lane and service headers: context menus and double-click to rename.
    void connectGridHeaders();
    void addLaneBox(QWidget *pane, QSplitter *stack);
    void addServiceBox(QWidget *pane, QSplitter *stack);
    QWidget *createWeightsPane();
    QLineEdit *addTextField(const QString &objectName, const QStringList &paths, const QString &undoText,
                            const QString &tooltip, std::function<QString(const LaneGroup &)> get,
                            std::function<void(LaneGroup &, const QString &)> set);
    void refresh();
    void markWidget(QWidget *widget, const QStringList &problems, const QString &tooltip);
    QStringList problemsUnder(const QStringList &paths) const;

    /// Why the name typed into `edit` (the new lane or new service field) cannot be added; empty when it can.
    QString takenName(const QLineEdit *edit) const;
    void markNewNames();
    void addNameShortcut(const QKeySequence &keys, QLineEdit *edit, void (DesignerView::*add)());
    void addLane();
    void removeLane();
    void moveLane(int delta);
    void addService();
    void removeService();
    void moveService(int delta);
    int currentRow(QTableView *view) const;

    DocumentController *m_controller;
    LaneGridModel *m_gridModel;
    LaneTableModel *m_laneModel;
    ServiceTableModel *m_serviceModel;
    std::vector<TextField> m_fields;
    QComboBox *m_mode = nullptr;
    QComboBox *m_passThrough = nullptr;
    QComboBox *m_uriKind = nullptr;
    QComboBox *m_entryService = nullptr;
    QLineEdit *m_traceHeader = nullptr;
    QTableView *m_grid = nullptr;
    QTableView *m_lanes = nullptr;
    QTableView *m_services = nullptr;
    QLineEdit *m_newLane = nullptr;
    QLineEdit *m_newService = nullptr;
    WeightPanel *m_weights = nullptr;
    QString m_newServiceTip;
    ClusterInventory m_inventory;
};

} // namespace lanedeck::ui

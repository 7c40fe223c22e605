#pragma once

#include "ui/clustertarget.h"

#include <QAbstractTableModel>
#include <QDialog>
#include <QPointer>

#include <functional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace lanedeck::ui {

/// The lane groups a cluster holds, a row each: name, namespace, flavor, lanes, services and state.
class ClusterGroupsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Namespace,
        Flavor,
        Lanes,
        Services,
        State,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setGroups(const QList<ClusterGroup> &groups);
    const QList<ClusterGroup> &groups() const { return m_groups; }
    static QString stateText(ClusterGroup::State state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ClusterGroup> m_groups;
};

/// Cluster > Open from Cluster and Cluster > Delete from Cluster: lists the lane groups the connected target
/// holds (off the GUI thread), shows the selected one's objects and state, and opens it (an import) or
/// deletes it after a confirmation that lists its objects (a server-side dry run first).
class ClusterGroupsDialog final : public QDialog
{
    Q_OBJECT
public:
    enum class Mode
    {
        Open,
        Delete
    };
    /// Asked before deleting: the group's name and the objects that go; true deletes.
    using Confirm = std::function<bool(const QString &group, const QStringList &objects)>;

    ClusterGroupsDialog(ClusterTargetSource *source, Mode mode, const QString &targetName,
                        QWidget *parent = nullptr);
    ~ClusterGroupsDialog() override;

    ClusterGroupsModel *model() const { return m_model; }
    bool isRunning() const { return m_list || m_import || m_delete; }
    /// Lists the groups again.
    void refresh();
    void selectGroup(int row);
    /// Open: imports the selected group (imported() follows). Delete: confirms, then deletes it.
    void actOnSelected();
    /// Replaces the confirmation box (tests).
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    QString summary() const;

Q_SIGNALS:
    void imported(const lanedeck::LaneGroup &group, const QString &flavor, const QStringList &notes);
    /// Every object of the group was deleted.
    void deleted(const QString &group, const QString &ns);

private:
    void showDetails();
    void runDelete(const ClusterGroup &group, bool dryRun);

    QPointer<ClusterTargetSource> m_source;
    Mode m_mode;
    ClusterGroupsModel *m_model;
    QLabel *m_summary;
    QTableView *m_table;
    QPlainTextEdit *m_details;
    QPushButton *m_refresh;
    QPushButton *m_act;
    QDialogButtonBox *m_buttons;
    QPointer<GroupListJob> m_list;
    QPointer<ImportJob> m_import;
    QPointer<PushJob> m_delete;
    Confirm m_confirm;
};

} // namespace lanedeck::ui

#pragma once

#include "lanes/lanegroup.h"
#include "ui/diagnosticindex.h"

#include <QAbstractTableModel>

namespace lanedeck::ui {

class DocumentController;

/// The base of the editor's table models: each shows a part of the document a DocumentController holds and
/// follows it. It keeps a copy of the group and its diagnostics, taken whenever the controller says the group
/// changed. A change of shape (rows or columns) resets the model; any other change is announced in place
/// (announceChanges: every cell and header unless a table names the cells it knows changed), so views keep
/// their selection and scroll position while the user edits, and a big group's views repaint only what an
/// edit touched.
class GroupTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    int rowCount(const QModelIndex &parent = {}) const final;
    int columnCount(const QModelIndex &parent = {}) const final;

Q_SIGNALS:
    /// An edit of `index` was not made, for `reason` (a name another row already has).
    void editRefused(const QModelIndex &index, const QString &reason);

protected:
    GroupTableModel(DocumentController *controller, QObject *parent);

    /// The table's shape for a group.
    virtual int rowsOf(const LaneGroup &group) const = 0;
    virtual int columnsOf(const LaneGroup &group) const = 0;

    DocumentController *controller() const { return m_controller; }
    /// The group as the table last showed it.
    const LaneGroup &group() const { return m_group; }
    const DiagnosticIndex &diagnostics() const { return m_diagnostics; }

    /// True for a cell of this table (valid, top level, in range).
    bool isCell(const QModelIndex &index) const;
    /// How a cell with these validation messages looks: red text on a tinted background. An empty QVariant
    /// for cells without problems and for roles other than Qt::ForegroundRole and Qt::BackgroundRole.
    static QVariant problemStyle(int role, const QStringList &problems);

    /// Called when group() has just been replaced (inside the reset of a shape change too): for tables that
    /// derive look-ups from it.
    virtual void groupTaken() {}
    /// Emits dataChanged and headerDataChanged for what changed from `before` to group() (same shape). The
    /// default announces every cell and header.
    virtual void announceChanges(const LaneGroup &before, bool diagnosticsChanged);
    /// dataChanged for every cell and headerDataChanged for every section.
    void announceAll();

private:
    void refresh();

    DocumentController *m_controller;
    LaneGroup m_group;
    DiagnosticIndex m_diagnostics;
};

} // namespace lanedeck::ui

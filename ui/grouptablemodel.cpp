#include "ui/grouptablemodel.h"

#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"

#include <utility>

namespace lanedeck::ui {

GroupTableModel::GroupTableModel(DocumentController *controller, QObject *parent)
    : QAbstractTableModel(parent), m_controller(controller), m_group(controller->group()),
      m_diagnostics(controller->diagnostics())
{
    connect(controller, &DocumentController::groupChanged, this, &GroupTableModel::refresh);
}

int GroupTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : rowsOf(m_group);
}

int GroupTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : columnsOf(m_group);
}

bool GroupTableModel::isCell(const QModelIndex &index) const
{
    return checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid);
}

QVariant GroupTableModel::problemStyle(int role, const QStringList &problems)
{
    if (problems.isEmpty()) {
        return {};
    }
    switch (role) {
    case Qt::ForegroundRole:
        return problemColor();
    case Qt::BackgroundRole:
        return problemBackground();
    default:
        return {};
    }
}

void GroupTableModel::refresh()
{
    const LaneGroup &next = m_controller->group();
    const bool sameShape = rowsOf(next) == rowsOf(m_group) && columnsOf(next) == columnsOf(m_group);
    if (!sameShape) {
        beginResetModel();
        m_group = next;
        m_diagnostics = m_controller->diagnostics();
        groupTaken();
        endResetModel();
        return;
    }
    LaneGroup before = std::exchange(m_group, next);
    const bool diagnosticsChanged = m_diagnostics.all() != m_controller->diagnostics().all();
    if (diagnosticsChanged) {
        m_diagnostics = m_controller->diagnostics();
    }
    groupTaken();
    announceChanges(before, diagnosticsChanged);
}

void GroupTableModel::announceChanges(const LaneGroup &, bool)
{
    announceAll();
}

void GroupTableModel::announceAll()
{
    const int rows = rowCount();
    const int columns = columnCount();
    if (rows > 0 && columns > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rows - 1, columns - 1));
    }
    // Headers can name what the cells hold (the lane grid's lane and service names).
    if (columns > 0) {
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, columns - 1);
    }
    if (rows > 0) {
        Q_EMIT headerDataChanged(Qt::Vertical, 0, rows - 1);
    }
}

} // namespace lanedeck::ui

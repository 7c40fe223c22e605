#include "ui/problemsmodel.h"

#include "ui/documentcontroller.h"
#include "ui/qtconvert.h"

namespace lanedeck::ui {

ProblemsModel::ProblemsModel(DocumentController *controller, QObject *parent)
    : QAbstractTableModel(parent), m_controller(controller), m_diagnostics(controller->diagnostics())
{
    connect(controller, &DocumentController::groupChanged, this, &ProblemsModel::refresh);
}

void ProblemsModel::refresh()
{
    if (m_controller->diagnostics().all() == m_diagnostics.all()) {
        return;
    }
    beginResetModel();
    m_diagnostics = m_controller->diagnostics();
    endResetModel();
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_diagnostics.all().size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Diagnostic &d = m_diagnostics.all()[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == Field ? toQString(d.field) : toQString(d.message);
    case Qt::ToolTipRole:
        return toQString(d.toString());
    case FieldPathRole:
        return toQString(d.field);
    default:
        return {};
    }
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == Field ? tr("Field") : section == Message ? tr("Problem") : QVariant();
}

} // namespace lanedeck::ui

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

void ProblemsModel::setClusterFindings(const QList<ClusterFinding> &findings)
{
    if (findings == m_findings) {
        return;
    }
    const int first = static_cast<int>(m_diagnostics.all().size());
    if (!m_findings.isEmpty()) {
        beginRemoveRows({}, first, first + static_cast<int>(m_findings.size()) - 1);
        m_findings.clear();
        endRemoveRows();
    }
    if (!findings.isEmpty()) {
        beginInsertRows({}, first, first + static_cast<int>(findings.size()) - 1);
        m_findings = findings;
        endInsertRows();
    }
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_diagnostics.all().size() + m_findings.size());
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
    const int documentRows = static_cast<int>(m_diagnostics.all().size());
    if (index.row() >= documentRows) {
        const ClusterFinding &f = m_findings[index.row() - documentRows];
        QString where = f.object;
        if (!f.lane.isEmpty() && !f.service.isEmpty()) {
            where = tr("lane %1 × %2").arg(f.lane, f.service);
        } else if (where.isEmpty()) {
            where = !f.service.isEmpty() ? f.service : f.lane;
        }
        const QString severity = f.severity == ClusterFinding::Severity::Error     ? tr("error")
                                 : f.severity == ClusterFinding::Severity::Warning ? tr("warning")
                                                                                   : tr("info");
        switch (role) {
        case Qt::DisplayRole:
            return index.column() == Field     ? where
                   : index.column() == Message ? f.message
                                               : tr("cluster %1").arg(severity);
        case Qt::ToolTipRole:
            return f.fix.isEmpty() ? tr("%1 [%2]").arg(f.message, f.code)
                                   : tr("%1 [%2]\nFix: %3").arg(f.message, f.code, f.fix);
        case LaneRole:
            return f.lane;
        case ServiceRole:
            return f.service;
        case CodeRole:
            return f.code;
        default:
            return {};
        }
    }
    const Diagnostic &d = m_diagnostics.all()[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == Field     ? toQString(d.field)
               : index.column() == Message ? toQString(d.message)
                                           : tr("document");
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
    return section == Field     ? tr("Field")
           : section == Message ? tr("Problem")
           : section == Source  ? tr("Source")
                                : QVariant();
}

} // namespace lanedeck::ui

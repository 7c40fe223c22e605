#include "ui/lanepathsmodel.h"

#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

#include <algorithm>

namespace lanedeck::ui {

LanePathsModel::LanePathsModel(DocumentController *controller, QObject *parent)
    : QAbstractTableModel(parent), m_controller(controller)
{
    connect(controller, &DocumentController::groupChanged, this, &LanePathsModel::refresh);
    refresh();
}

void LanePathsModel::refresh()
{
    const LaneGroup &group = m_controller->group();
    // lanePaths() needs a call graph without unknown services or cycles; while the call graph is wrong there
    // are no paths to show (the Problems panel says why).
    bool callGraphValid = true;
    for (const auto &d : m_controller->diagnostics().all()) {
        if (d.field.find(".calls[") != std::string::npos || d.field == "spec.ingress.entryService") {
            callGraphValid = false;
        }
    }
    std::vector<LanePath> paths = callGraphValid ? lanePaths(group) : std::vector<LanePath>{};
    std::vector<int> weights;
    std::vector<std::string> laneNames;
    for (const auto &lane : group.lanes) {
        weights.push_back(lane.weight);
        laneNames.push_back(lane.name);
    }
    if (paths == m_paths && weights == m_weights && laneNames == m_laneNames) {
        return;
    }
    std::vector<QVariantList> hopLists;
    for (const auto &path : paths) {
        QVariantList hops;
        for (const auto &hop : path.hops) {
            hops << QVariantMap{
                {QStringLiteral("service"), toQString(hop.service)},
                {QStringLiteral("version"), toQString(hop.version)},
                {QStringLiteral("servedBy"), toQString(hop.servedBy)},
                {QStringLiteral("servedByIndex"),
                 static_cast<int>(std::find(laneNames.begin(), laneNames.end(), hop.servedBy) -
                                  laneNames.begin())},
                {QStringLiteral("fallback"), hop.fallback},
                {QStringLiteral("depth"), hop.depth}};
        }
        hopLists.push_back(hops);
    }
    if (paths.size() == m_paths.size()) {
        m_hops = std::move(hopLists);
        m_paths = std::move(paths);
        m_weights = std::move(weights);
        m_laneNames = std::move(laneNames);
        if (!m_paths.empty()) {
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        }
        return;
    }
    beginResetModel();
    m_hops = std::move(hopLists);
    m_paths = std::move(paths);
    m_weights = std::move(weights);
    m_laneNames = std::move(laneNames);
    endResetModel();
}

int LanePathsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_paths.size());
}

int LanePathsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LanePathsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const LanePath &path = m_paths[static_cast<std::size_t>(index.row())];
    const int weight = static_cast<std::size_t>(index.row()) < m_weights.size() ? m_weights[index.row()] : 0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Lane:
            return toQString(path.lane);
        case Weight:
            return tr("%1%").arg(weight);
        case Path:
            return toQString(path.describe());
        }
        return {};
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("Lane %1 (%2% of ingress traffic): %3")
            .arg(toQString(path.lane))
            .arg(weight)
            .arg(toQString(path.describe()));
    case Qt::DecorationRole:
        return index.column() == Lane ? QVariant(laneColor(index.row())) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Weight ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case HopsRole:
        return m_hops[static_cast<std::size_t>(index.row())];
    case LaneIndexRole:
        return index.row();
    default:
        return {};
    }
}

QVariant LanePathsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Lane:
        return tr("Lane");
    case Weight:
        return tr("Weight");
    case Path:
        return tr("Path of a request (fallback hops dashed)");
    default:
        return {};
    }
}

} // namespace lanedeck::ui

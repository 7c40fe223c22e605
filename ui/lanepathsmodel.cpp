#include "ui/lanepathsmodel.h"

#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

#include <algorithm>

namespace lanedeck::ui {
namespace {

/// The path as lanectl paths prints it: one line per hop, each callee under its caller.
QString tree(const LanePath &path)
{
    QStringList lines;
    for (const auto &line : path.describeTree()) {
        lines << QString::fromStdString(line);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

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
    if (paths.size() != m_paths.size()) {
        beginResetModel();
        m_laneNames = std::move(laneNames);
        m_weights = std::move(weights);
        m_paths = std::move(paths);
        m_hops.clear();
        m_revisions.clear();
        for (const auto &path : m_paths) {
            m_hops.push_back(hopList(path));
            m_revisions.push_back(m_nextRevision++);
        }
        endResetModel();
        return;
    }
    // Same rows: rebuild and announce only the rows whose path or weight changed, so views re-measure
    // and repaint those (a path of a big group is a thousand hops).
    const bool namesChanged = laneNames != m_laneNames;
    std::vector<std::pair<int, int>> changed; // row, first column
    for (std::size_t row = 0; row < paths.size(); ++row) {
        if (namesChanged || !(paths[row] == m_paths[row])) {
            changed.emplace_back(static_cast<int>(row), static_cast<int>(Lane));
        } else if (weights[row] != m_weights[row]) {
            changed.emplace_back(static_cast<int>(row), static_cast<int>(Weight));
        }
    }
    m_laneNames = std::move(laneNames);
    m_weights = std::move(weights);
    for (const auto &[row, column] : changed) {
        const auto r = static_cast<std::size_t>(row);
        if (column == Lane) {
            m_paths[r] = std::move(paths[r]);
            m_hops[r] = hopList(m_paths[r]);
            m_revisions[r] = m_nextRevision++;
        }
        Q_EMIT dataChanged(index(row, column), index(row, column == Lane ? ColumnCount - 1 : Weight));
    }
}

QVariantList LanePathsModel::hopList(const LanePath &path) const
{
    QVariantList hops;
    const std::vector<int> callers = path.callers();
    for (std::size_t i = 0; i < path.hops.size(); ++i) {
        const Hop &hop = path.hops[i];
        const auto served = std::find(m_laneNames.begin(), m_laneNames.end(), hop.servedBy);
        hops << QVariantMap{{QStringLiteral("service"), toQString(hop.service)},
                            {QStringLiteral("version"), toQString(hop.version)},
                            {QStringLiteral("servedBy"), toQString(hop.servedBy)},
                            {QStringLiteral("servedByIndex"), static_cast<int>(served - m_laneNames.begin())},
                            {QStringLiteral("fallback"), hop.fallback},
                            {QStringLiteral("depth"), hop.depth},
                            {QStringLiteral("caller"), callers[i]}};
    }
    return hops;
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
            return tree(path);
        }
        return {};
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("Lane %1 (%2% of ingress traffic): %3")
            .arg(toQString(path.lane))
            .arg(weight)
            .arg(tree(path));
    case Qt::DecorationRole:
        return index.column() == Lane ? QVariant(laneColor(index.row())) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Weight ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case HopsRole:
        return m_hops[static_cast<std::size_t>(index.row())];
    case LaneIndexRole:
        return index.row();
    case RevisionRole:
        return static_cast<qulonglong>(m_revisions[static_cast<std::size_t>(index.row())]);
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

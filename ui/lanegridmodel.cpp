#include "ui/lanegridmodel.h"

#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

namespace lanedeck::ui {

LaneGridModel::LaneGridModel(DocumentController *controller, QObject *parent)
    : GroupTableModel(controller, parent)
{
    groupTaken();
}

void LaneGridModel::groupTaken()
{
    m_index.emplace(group());
}

namespace {

/// Whether the cells of every lane read the same in both groups apart from the lanes' service lists: the
/// lanes' names, labels and the baseline, the fallback mode and the services in their order.
bool sameFrame(const LaneGroup &a, const LaneGroup &b)
{
    if (a.mode != b.mode || a.baseline != b.baseline || a.lanes.size() != b.lanes.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.lanes.size(); ++i) {
        const Lane &x = a.lanes[i];
        const Lane &y = b.lanes[i];
        if (x.name != y.name || x.labelKey != y.labelKey || x.labelValue != y.labelValue) {
            return false;
        }
    }
    return true;
}

} // namespace

void LaneGridModel::announceChanges(const LaneGroup &before, bool diagnosticsChanged)
{
    const LaneGroup &after = group();
    // Problems can mark any cell, and the frame (lane names, labels, baseline) shows in every cell.
    if (diagnosticsChanged || !sameFrame(before, after)) {
        announceAll();
        return;
    }
    const int columns = columnCount();
    for (std::size_t row = 0; row < after.services.size(); ++row) {
        const Service &a = before.services[row];
        const Service &b = after.services[row];
        if (a.name != b.name || a.ns != b.ns || a.port != b.port) {
            const int r = static_cast<int>(row);
            Q_EMIT dataChanged(index(r, 0), index(r, columns - 1));
            Q_EMIT headerDataChanged(Qt::Vertical, r, r);
        }
    }
    const LaneGroupIndex old(before);
    for (std::size_t lane = 0; lane < after.lanes.size(); ++lane) {
        const Lane &a = before.lanes[lane];
        const Lane &b = after.lanes[lane];
        if (a.weight != b.weight) {
            Q_EMIT headerDataChanged(Qt::Horizontal, static_cast<int>(lane), static_cast<int>(lane));
        }
        if (a.services == b.services) {
            continue;
        }
        // Only the cells whose membership flipped (an edit reorders nothing the grid shows).
        const int column = static_cast<int>(lane);
        for (std::size_t row = 0; row < after.services.size(); ++row) {
            const std::string &name = after.services[row].name;
            if (old.laneHas(lane, name) != m_index->laneHas(lane, name)) {
                const QModelIndex cell = index(static_cast<int>(row), column);
                Q_EMIT dataChanged(cell, cell);
            }
        }
    }
}

int LaneGridModel::rowsOf(const LaneGroup &group) const
{
    return static_cast<int>(group.services.size());
}

int LaneGridModel::columnsOf(const LaneGroup &group) const
{
    return static_cast<int>(group.lanes.size());
}

QStringList LaneGridModel::problems(int service, int lane) const
{
    if (diagnostics().isEmpty()) {
        return {};
    }
    const Lane &l = group().lanes[static_cast<std::size_t>(lane)];
    const std::string &name = group().services[static_cast<std::size_t>(service)].name;
    const bool has = m_index->laneHas(static_cast<std::size_t>(lane), name);
    const QString lanePath = QStringLiteral("spec.lanes[%1].services").arg(lane);
    QStringList out;
    if (!has) {
        // "lacks ..." diagnostics name the lane's whole service list; they concern the missing cells.
        out << diagnostics().messages(lanePath);
        if (&l == group().baselineLane()) {
            out << diagnostics().messages(QStringLiteral("spec.baseline"));
        }
    }
    for (std::size_t k = 0; k < l.services.size(); ++k) {
        if (l.services[k] == name) {
            out << diagnostics().messages(lanePath + QStringLiteral("[%1]").arg(k));
        }
    }
    return out;
}

QVariant LaneGridModel::data(const QModelIndex &index, int role) const
{
    if (!isCell(index)) {
        return {};
    }
    const Lane &lane = group().lanes[static_cast<std::size_t>(index.column())];
    const Service &service = group().services[static_cast<std::size_t>(index.row())];
    const bool has = m_index->laneHas(static_cast<std::size_t>(index.column()), service.name);
    const Lane *baseline = group().baselineLane();
    const bool fallsBack = !has && group().mode == LaneMode::Permissive && baseline && baseline != &lane;
    const QString fallback =
        fallsBack ? QStringLiteral("%1 (%2)").arg(toQString(baseline->name), toQString(baseline->labelValue))
                  : QString();
    switch (role) {
    case Qt::DisplayRole:
        if (has) {
            return lane.labelValue.empty() ? tr("(no label value)") : toQString(lane.labelValue);
        }
        return fallsBack ? QStringLiteral("↪ ") + fallback : tr("missing");
    case Qt::CheckStateRole:
        return has ? Qt::Checked : Qt::Unchecked;
    case Qt::ToolTipRole: {
        QString tip = has ? tr("%1 in lane %2 is served by the workloads labelled %3=%4.")
                                .arg(toQString(service.name), toQString(lane.name), toQString(lane.labelKey),
                                     toQString(lane.labelValue))
                      : fallsBack ? tr("Lane %1 has no %2: requests fall back to lane %3.")
                                        .arg(toQString(lane.name), toQString(service.name), fallback)
                                  : tr("Lane %1 has no %2, and nothing to fall back to.")
                                        .arg(toQString(lane.name), toQString(service.name));
        const QStringList p = problems(index.row(), index.column());
        return p.isEmpty() ? tip : tip + QLatin1Char('\n') + DiagnosticIndex::tooltip(p);
    }
    case Qt::AccessibleTextRole:
        return has ? tr("%1 in %2: version %3")
                         .arg(toQString(service.name), toQString(lane.name), toQString(lane.labelValue))
                   : tr("%1 in %2: not included").arg(toQString(service.name), toQString(lane.name));
    case IncludedRole:
        return has;
    case FallbackRole:
        return fallback;
    case ProblemsRole:
        return problems(index.row(), index.column());
    case LaneColorRole:
        return laneColor(index.column());
    case BaselineRole:
        return baseline == &lane;
    default:
        return {};
    }
}

bool LaneGridModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::CheckStateRole || !isCell(index)) {
        return false;
    }
    const bool include = value.value<Qt::CheckState>() == Qt::Checked;
    LaneGroup after = group();
    const std::string service = group().services[static_cast<std::size_t>(index.row())].name;
    edits::setLaneHasService(after, static_cast<std::size_t>(index.column()), service, include);
    const QString lane = toQString(group().lanes[static_cast<std::size_t>(index.column())].name);
    controller()->edit(after, include ? tr("Add %1 to lane %2").arg(toQString(service), lane)
                                      : tr("Remove %1 from lane %2").arg(toQString(service), lane));
    return true;
}

Qt::ItemFlags LaneGridModel::flags(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable;
}

QVariant LaneGridModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= columnCount()) {
            return {};
        }
        const Lane &lane = group().lanes[static_cast<std::size_t>(section)];
        const bool isBaseline = group().baselineLane() == &lane;
        switch (role) {
        case Qt::DisplayRole:
            return isBaseline ? tr("%1 ★ baseline").arg(toQString(lane.name)) : toQString(lane.name);
        case Qt::ToolTipRole:
            return tr("Lane %1: %2=%3, weight %4%")
                       .arg(toQString(lane.name), toQString(lane.labelKey), toQString(lane.labelValue))
                       .arg(lane.weight) +
                   (isBaseline
                        ? tr("\nThe baseline lane: requests for services a lane lacks fall back to it.")
                        : QString());
        case Qt::DecorationRole:
            return laneColor(section);
        default:
            return {};
        }
    }
    if (section < 0 || section >= rowCount()) {
        return {};
    }
    const Service &service = group().services[static_cast<std::size_t>(section)];
    switch (role) {
    case Qt::DisplayRole:
        return toQString(service.name);
    case Qt::ToolTipRole:
        return tr("%1.%2, port %3").arg(toQString(service.name), toQString(service.ns)).arg(service.port);
    default:
        return {};
    }
}

} // namespace lanedeck::ui

#include "ui/trafficmodels.h"

#include <QMap>

#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

#include <QColor>
#include <QLocale>

#include <algorithm>

namespace lanedeck::ui {
namespace {

QString percent(double share)
{
    return QLocale().toString(share * 100.0, 'f', 1) + QLatin1Char('%');
}

QString millis(std::int64_t micros)
{
    return QLocale().toString(double(micros) / 1000.0, 'f', micros < 10000 ? 2 : 0);
}

/// The amber tint of hops and chains that fell back: expected, but worth seeing.
QColor fallbackBackground()
{
    return QColor(0xE0, 0x9A, 0x00, 56);
}

} // namespace

// ---- TrafficLaneModel ------------------------------------------------------------------------------------

void TrafficLaneModel::setSummary(const traffic::Summary &summary)
{
    const auto sameLane = [](const traffic::LaneSummary &a, const traffic::LaneSummary &b) {
        return a.name == b.name;
    };
    const bool prefix = summary.lanes.size() >= m_lanes.size() &&
                        std::equal(m_lanes.begin(), m_lanes.end(), summary.lanes.begin(), sameLane);
    if (!prefix) {
        beginResetModel();
        m_lanes = summary.lanes;
        endResetModel();
        return;
    }
    const int before = static_cast<int>(m_lanes.size());
    const int after = static_cast<int>(summary.lanes.size());
    if (after > before) {
        beginInsertRows({}, before, after - 1);
        m_lanes.insert(m_lanes.end(), summary.lanes.begin() + before, summary.lanes.end());
        endInsertRows();
    }
    std::copy(summary.lanes.begin(), summary.lanes.begin() + before, m_lanes.begin());
    if (before > 0) {
        Q_EMIT dataChanged(index(0, 0), index(before - 1, ColumnCount - 1));
    }
}

void TrafficLaneModel::clear()
{
    beginResetModel();
    m_lanes.clear();
    endResetModel();
}

int TrafficLaneModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_lanes.size());
}

int TrafficLaneModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrafficLaneModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const auto &lane = m_lanes[static_cast<std::size_t>(index.row())];
    if (role == Qt::DecorationRole && index.column() == Lane) {
        return laneColor(index.row());
    }
    if (role == Qt::TextAlignmentRole) {
        return index.column() == Lane ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == ValueRole) {
        switch (static_cast<Column>(index.column())) {
        case Lane:
            return toQString(lane.name);
        case Weight:
            return lane.expectedShare;
        case Count:
            return QVariant::fromValue<quint64>(lane.count);
        case Share:
            return lane.share;
        case Low:
            return lane.interval.low;
        case High:
            return lane.interval.high;
        case FellBack:
            return QVariant::fromValue<quint64>(lane.fellBack);
        case P50:
            return double(lane.p50) / 1000.0;
        case P90:
            return double(lane.p90) / 1000.0;
        case P99:
            return double(lane.p99) / 1000.0;
        case Max:
            return double(lane.max) / 1000.0;
        case ColumnCount:
            break;
        }
        return {};
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) {
        return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Lane:
        return toQString(lane.name);
    case Weight:
        return lane.weight > 0 ? percent(lane.expectedShare) : tr("not weighted");
    case Count:
        return QLocale().toString(static_cast<qulonglong>(lane.count));
    case Share:
        return percent(lane.share);
    case Low:
        return percent(lane.interval.low);
    case High:
        return percent(lane.interval.high);
    case FellBack:
        return QLocale().toString(static_cast<qulonglong>(lane.fellBack));
    case P50:
        return millis(lane.p50);
    case P90:
        return millis(lane.p90);
    case P99:
        return millis(lane.p99);
    case Max:
        return millis(lane.max);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TrafficLaneModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (static_cast<Column>(section)) {
    case Lane:
        return tr("Lane");
    case Weight:
        return tr("Weight");
    case Count:
        return tr("Count");
    case Share:
        return tr("Share");
    case Low:
        return tr("95% low");
    case High:
        return tr("95% high");
    case FellBack:
        return tr("Fell back");
    case P50:
        return tr("p50 ms");
    case P90:
        return tr("p90 ms");
    case P99:
        return tr("p99 ms");
    case Max:
        return tr("Max ms");
    case ColumnCount:
        break;
    }
    return {};
}

// ---- TrafficTimelineModel --------------------------------------------------------------------------------

void TrafficTimelineModel::beginRun()
{
    m_base = std::max(0, static_cast<int>(m_rows.size()) - 1);
    m_runStarts.append(m_base);
}

void TrafficTimelineModel::setSummary(const traffic::Summary &summary, bool running)
{
    m_running = running;
    // Lanes are matched by name, so a restarted run continues each lane's series.
    std::vector<std::size_t> column;
    QStringList names = m_laneNames;
    for (const auto &lane : summary.lanes) {
        const QString name = toQString(lane.name);
        qsizetype at = names.indexOf(name);
        if (at < 0) {
            names.append(name);
            at = names.size() - 1;
        }
        column.push_back(static_cast<std::size_t>(at));
    }
    const bool newLanes = names.size() != m_laneNames.size();
    if (newLanes) {
        beginResetModel();
        m_laneNames = names;
    }
    const std::size_t needed = static_cast<std::size_t>(m_base) + summary.perSecond.size();
    const int before = static_cast<int>(m_rows.size());
    const bool grows = !newLanes && needed > m_rows.size();
    if (grows) {
        beginInsertRows({}, before, static_cast<int>(needed) - 1);
    }
    if (needed > m_rows.size()) {
        m_rows.resize(needed);
    }
    for (std::size_t i = 0; i < summary.perSecond.size(); ++i) {
        const auto &second = summary.perSecond[i];
        Row &row = m_rows[static_cast<std::size_t>(m_base) + i];
        row.succeeded = second.succeeded;
        row.failed = second.failed;
        row.lanes.assign(static_cast<std::size_t>(m_laneNames.size()), 0);
        for (std::size_t lane = 0; lane < second.lanes.size() && lane < column.size(); ++lane) {
            row.lanes[column[lane]] = second.lanes[lane];
        }
    }
    if (newLanes) {
        endResetModel();
        return;
    }
    if (grows) {
        endInsertRows();
    }
    if (m_base < before) {
        Q_EMIT dataChanged(index(m_base, 0), index(before - 1, columnCount() - 1));
    }
}

void TrafficTimelineModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_laneNames.clear();
    m_base = 0;
    m_runStarts.clear();
    m_labels.clear();
    endResetModel();
}

void TrafficTimelineModel::labelMark(const QString &label)
{
    const int last = std::max(0, rowCount() - 1);
    // A push while sampling began a run at the last (unfinished) second, or the one before it.
    const int row = !m_runStarts.isEmpty() && m_runStarts.back() >= last - 1 ? m_runStarts.back() : last;
    m_labels.append({row, label});
}

QList<TrafficTimelineModel::Mark> TrafficTimelineModel::marks() const
{
    QMap<int, QStringList> byRow;
    for (int row : m_runStarts) {
        byRow[row];
    }
    for (const Mark &mark : m_labels) {
        byRow[mark.row] << mark.label;
    }
    QList<Mark> out;
    for (auto it = byRow.cbegin(); it != byRow.cend(); ++it) {
        out.append({it.key(), it.value().join(QStringLiteral(" / "))});
    }
    return out;
}

quint64 TrafficTimelineModel::laneCount(int row, int lane) const
{
    if (row < 0 || row >= rowCount() || lane < 0) {
        return 0;
    }
    const auto &lanes = m_rows[static_cast<std::size_t>(row)].lanes;
    return static_cast<std::size_t>(lane) < lanes.size() ? lanes[static_cast<std::size_t>(lane)] : 0;
}

int TrafficTimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TrafficTimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FirstLane + static_cast<int>(m_laneNames.size());
}

QVariant TrafficTimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    if (role != Qt::DisplayRole && role != ValueRole) {
        return {};
    }
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    switch (index.column()) {
    case Second:
        return index.row();
    case Requests:
        return QVariant::fromValue<quint64>(row.succeeded + row.failed);
    case Errors:
        return QVariant::fromValue<quint64>(row.failed);
    default:
        break;
    }
    quint64 classified = 0;
    for (quint64 count : row.lanes) {
        classified += count;
    }
    const quint64 count = laneCount(index.row(), index.column() - FirstLane);
    const double share = classified ? double(count) / double(classified) : 0.0;
    return role == ValueRole ? QVariant(share) : QVariant(percent(share));
}

QVariant TrafficTimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount()) {
        return {};
    }
    switch (section) {
    case Second:
        return tr("Second");
    case Requests:
        return tr("Requests");
    case Errors:
        return tr("Errors");
    default:
        return m_laneNames.value(section - FirstLane);
    }
}

// ---- TrafficChainModel -----------------------------------------------------------------------------------

void TrafficChainModel::setClassifier(const LaneGroup &group,
                                      const std::optional<traffic::Classifier> &classifier)
{
    beginResetModel();
    m_rows.clear();
    m_rowOf.clear();
    m_total = 0;
    m_classifier = classifier;
    m_paths = lanePaths(group);
    endResetModel();
}

TrafficChainModel::Row TrafficChainModel::makeRow(const std::string &chain) const
{
    Row row;
    row.chain = chain;
    if (m_classifier) {
        if (auto classification = m_classifier->classify(chain, {})) {
            row.classification = *classification;
        }
    }
    if (row.classification.outcome == traffic::Outcome::FellBack) {
        for (const auto &path : m_paths) {
            if (path.lane != row.classification.lane) {
                continue;
            }
            for (const auto &hop : path.hops) {
                if (hop.fallback) {
                    row.fallbackServices.push_back(hop.service);
                }
            }
        }
    }
    return row;
}

void TrafficChainModel::setSummary(const traffic::Summary &summary)
{
    std::vector<Row> added;
    quint64 total = 0;
    for (const auto &chain : summary.chains) {
        total += chain.count;
        if (const auto found = m_rowOf.find(chain.chain); found != m_rowOf.end()) {
            m_rows[static_cast<std::size_t>(found->second)].count = chain.count;
            continue;
        }
        // Summary::chains holds each chain once; a new one is classified once, here, and never again.
        Row row = makeRow(chain.chain);
        row.count = chain.count;
        m_rowOf.emplace(chain.chain, static_cast<int>(m_rows.size() + added.size()));
        added.push_back(std::move(row));
    }
    m_total = total;
    const int before = static_cast<int>(m_rows.size());
    if (before > 0) {
        Q_EMIT dataChanged(index(0, 0), index(before - 1, ColumnCount - 1));
    }
    if (!added.empty()) {
        beginInsertRows({}, before, before + static_cast<int>(added.size()) - 1);
        std::move(added.begin(), added.end(), std::back_inserter(m_rows));
        endInsertRows();
    }
}

void TrafficChainModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowOf.clear();
    m_total = 0;
    endResetModel();
}

int TrafficChainModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TrafficChainModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TrafficChainModel::detail(const Row &row) const
{
    // No live numbers here: the text stays put while the run goes on, so it can be read and selected.
    QString text = tr("Sample response (HTTP 200):");
    text += QLatin1String("\n\n") + toQString(row.chain) + QLatin1String("\n\n");
    if (const auto hops = traffic::parseChain(row.chain)) {
        text += tr("Hops:") + QLatin1Char('\n');
        for (const auto &hop : *hops) {
            const bool fellBack = std::find(row.fallbackServices.begin(), row.fallbackServices.end(),
                                            hop.service) != row.fallbackServices.end();
            text += QStringLiteral("  %1  %2  %3%4\n")
                        .arg(toQString(hop.service), toQString(hop.version), toQString(hop.address),
                             fellBack ? tr("  (fell back to the baseline)") : QString());
        }
    }
    const auto &c = row.classification;
    switch (c.outcome) {
    case traffic::Outcome::InLane:
        text += tr("\nServed entirely by lane %1.").arg(toQString(c.lane));
        break;
    case traffic::Outcome::FellBack:
        text += tr("\nLane %1, with the hops it lacks served by the baseline, as its path expects.")
                    .arg(toQString(c.lane));
        break;
    case traffic::Outcome::Leaked:
        text += tr("\nLeaked: this chain matches no lane's path. Routing or header propagation is broken "
                   "somewhere along it.");
        break;
    case traffic::Outcome::Unclassified:
        break;
    }
    for (const auto &path : m_paths) {
        if (path.lane == c.lane) {
            text += tr("\nExpected path of %1: %2").arg(toQString(path.lane), toQString(path.describe()));
        }
    }
    return text;
}

QVariant TrafficChainModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const auto outcome = row.classification.outcome;
    switch (role) {
    case OutcomeRole:
        return static_cast<int>(outcome);
    case DetailRole:
        return detail(row);
    case Qt::BackgroundRole:
        if (outcome == traffic::Outcome::Leaked) {
            return problemBackground();
        }
        if (outcome == traffic::Outcome::FellBack && (index.column() == Outcome || index.column() == Chain)) {
            return fallbackBackground();
        }
        return {};
    case Qt::ForegroundRole:
        return outcome == traffic::Outcome::Leaked && index.column() == Outcome ? QVariant(problemColor())
                                                                                : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() <= Share ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ToolTipRole:
        return index.column() == Chain || index.column() == Outcome ? detail(row) : QVariant();
    case ValueRole:
        switch (static_cast<Column>(index.column())) {
        case Count:
            return QVariant::fromValue<quint64>(row.count);
        case Share:
            return m_total ? double(row.count) / double(m_total) : 0.0;
        case Lane:
            return toQString(row.classification.lane);
        case Outcome:
            return static_cast<int>(outcome);
        case Chain:
            return toQString(row.chain);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (static_cast<Column>(index.column())) {
    case Count:
        return QLocale().toString(static_cast<qulonglong>(row.count));
    case Share:
        return percent(m_total ? double(row.count) / double(m_total) : 0.0);
    case Lane:
        return row.classification.lane.empty() ? QStringLiteral("–") : toQString(row.classification.lane);
    case Outcome:
        switch (outcome) {
        case traffic::Outcome::InLane:
            return tr("in lane");
        case traffic::Outcome::FellBack: {
            const QStringList services = toQStringList(row.fallbackServices);
            return services.isEmpty() ? tr("fell back")
                                      : tr("fell back: %1").arg(services.join(QLatin1String(", ")));
        }
        case traffic::Outcome::Leaked:
            return tr("leaked");
        case traffic::Outcome::Unclassified:
            return tr("unclassified");
        }
        return {};
    case Chain:
        return toQString(row.chain);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TrafficChainModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (static_cast<Column>(section)) {
    case Count:
        return tr("Count");
    case Share:
        return tr("Share");
    case Lane:
        return tr("Lane");
    case Outcome:
        return tr("Outcome");
    case Chain:
        return tr("Response chain");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace lanedeck::ui

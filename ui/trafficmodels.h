#pragma once

#include "lanes/lanepaths.h"
#include "traffic/classifier.h"
#include "traffic/summary.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace lanedeck::ui {

/// Roles the traffic models share: the raw number behind a formatted cell, for charts and tests.
enum TrafficRole
{
    ValueRole = Qt::UserRole + 1
};

/// The lanes of a sampling summary, a row per lane: configured weight, observed share with its 95% Wilson
/// interval, and latency percentiles, all as the core's traffic::summarize computed them. Backs the share
/// against weight chart, the latency chart and the lane table.
class TrafficLaneModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Lane,
        Weight,
        Count,
        Share,
        Low,
        High,
        FellBack,
        P50,
        P90,
        P99,
        Max,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setSummary(const traffic::Summary &summary);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<traffic::LaneSummary> m_lanes;
};

/// The run's per-second series, a row per second: requests, errors and each lane's share of the classified
/// responses in that second. Seconds of earlier runs stay in front (beginRun()), so a run restarted after a
/// push continues the same time line. Backs the share-over-time and errors-over-time charts.
class TrafficTimelineModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Second,
        Requests,
        Errors,
        FirstLane
    };

    using QAbstractTableModel::QAbstractTableModel;

    /// The next summaries belong to a new run that follows the current one at once (a restart after a push):
    /// its seconds replace the second the previous run left unfinished and follow the ones before it. (Adding
    /// the two would count one second's worth of requests twice over; a lost fraction of a second shows
    /// less.)
    void beginRun();
    /// `running`: the last second is still filling up (charts leave it out until the run ends).
    void setSummary(const traffic::Summary &summary, bool running);
    void clear();

    /// Whether the last row is a second still in progress.
    bool lastRowPartial() const { return m_running; }
    QStringList laneNames() const { return m_laneNames; }
    /// The row where the current run's first second is.
    int runStartRow() const { return m_base; }
    /// The rows where runs after the first began (pushes while sampling), in order.
    QList<int> runStartRows() const { return m_runStarts; }
    /// A vertical mark on the time line: where a push restarted the run, or a labelled event (a rollout
    /// step).
    struct Mark
    {
        int row = 0;
        QString label; ///< empty: an unnamed push
    };
    /// Names the latest push "label" (a rollout step): the run start it just made, else the last second.
    void labelMark(const QString &label);
    /// Every run start and every labelled mark, a mark per row, in order (labels at one row joined).
    QList<Mark> marks() const;
    /// Classified responses of lane column `lane` (0-based among the lanes) in `row`.
    quint64 laneCount(int row, int lane) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        quint64 succeeded = 0;
        quint64 failed = 0;
        std::vector<quint64> lanes; ///< by index into m_laneNames
    };
    std::vector<Row> m_rows;
    QStringList m_laneNames;
    int m_base = 0;
    QList<int> m_runStarts;
    QList<Mark> m_labels;
    bool m_running = false;
};

/// The distinct response chains of a run, a row per chain in the order they were first seen (views sort
/// through a proxy), with what the core's classifier makes of each: the lane, and whether it stayed in lane,
/// fell back as the lane's path expects, or leaked.
class TrafficChainModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Count,
        Share,
        Lane,
        Outcome,
        Chain,
        ColumnCount
    };
    enum Role
    {
        OutcomeRole = ValueRole + 1,
        DetailRole
    };

    using QAbstractTableModel::QAbstractTableModel;

    /// The group and classifier of the run whose chains follow (chains of an earlier run are cleared).
    void setClassifier(const LaneGroup &group, const std::optional<traffic::Classifier> &classifier);
    void setSummary(const traffic::Summary &summary);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        std::string chain;
        quint64 count = 0;
        traffic::Classification classification;
        std::vector<std::string> fallbackServices; ///< the hops that fell back to the baseline
    };
    Row makeRow(const std::string &chain) const;
    QString detail(const Row &row) const;

    std::vector<Row> m_rows;
    std::unordered_map<std::string, int> m_rowOf; ///< chain text to row: a leaky target may show a thousand
    quint64 m_total = 0;
    std::optional<traffic::Classifier> m_classifier;
    std::vector<LanePath> m_paths;
};

} // namespace lanedeck::ui

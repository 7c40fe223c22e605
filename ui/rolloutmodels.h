#pragma once

#include "lanes/lanegroup.h"
#include "rollout/gates.h"
#include "rollout/plan.h"

#include <QAbstractTableModel>

#include <vector>

namespace lanedeck::ui {

/// A rollout plan's steps as a time line, a row per step: the weights it pushes, how long it holds, the
/// requests an evaluation needs, and how far the running rollout got with it. The step in force is the
/// current one (bold, highlighted). Adapts the core's plan and the runner's events; computes nothing itself.
class RolloutStepModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Step,
        Weights,
        Hold,
        MinRequests,
        State,
        ColumnCount
    };
    enum class StepState
    {
        Pending,
        Holding,
        Paused,
        Passed,
        RolledBack, ///< rolled back at this step (a gate failed, or the operator asked)
        Stopped     ///< aborted while this step was in force; it stays pushed
    };

    using QAbstractTableModel::QAbstractTableModel;

    /// A new plan (or the same plan for a new run): every step pending, none current.
    void setPlan(const rollout::Plan &plan, const LaneGroup &group);
    /// Step `step` is in force now, in `state`; the steps before it keep their own states.
    void setStepState(int step, StepState state);
    StepState stepState(int step) const;
    /// The step in force (-1 before the first push).
    int currentStep() const { return m_current; }
    /// "held 4.0 of 6 s" etc. next to the state of the current step.
    void setCurrentDetail(const QString &detail);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString toString(StepState state);

private:
    struct Row
    {
        QString weights;
        QString hold;
        quint64 minRequests = 0;
        StepState state = StepState::Pending;
    };
    void rowChanged(int row);

    std::vector<Row> m_rows;
    int m_current = -1;
    QString m_detail;
};

/// The gates of the latest evaluation, a row per gate: its verdict (pass, fail, or waiting for requests) and
/// its measurement against its threshold in the core's words.
class RolloutGateModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Gate,
        Verdict,
        Measurement,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setGates(const std::vector<rollout::GateResult> &gates);
    void clear();
    const std::vector<rollout::GateResult> &gates() const { return m_gates; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<rollout::GateResult> m_gates;
};

} // namespace lanedeck::ui

#include "ui/rolloutmodels.h"

#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace lanedeck::ui {
namespace {

QString secondsText(std::chrono::milliseconds duration)
{
    return QCoreApplication::translate("RolloutStepModel", "%1 s")
        .arg(QLocale().toString(double(duration.count()) / 1000.0, 'g', 4));
}

const QColor kPassColor(0x1B, 0x7F, 0x3B);

} // namespace

// ---- RolloutStepModel ------------------------------------------------------------------------------------

void RolloutStepModel::setPlan(const rollout::Plan &plan, const LaneGroup &group)
{
    beginResetModel();
    m_rows.clear();
    for (const auto &step : plan.steps) {
        Row row;
        row.weights = toQString(rollout::weightsText(rollout::stepWeights(plan, step, group), group));
        row.hold = secondsText(step.hold);
        row.minRequests = step.minRequests;
        m_rows.push_back(row);
    }
    m_current = -1;
    m_detail.clear();
    endResetModel();
}

void RolloutStepModel::setStepState(int step, StepState state)
{
    if (step < 0 || step >= rowCount()) {
        return;
    }
    const int previous = m_current;
    m_current = step;
    if (previous != step) {
        m_detail.clear();
    }
    m_rows[std::size_t(step)].state = state;
    if (previous >= 0 && previous != step) {
        rowChanged(previous);
    }
    rowChanged(step);
}

RolloutStepModel::StepState RolloutStepModel::stepState(int step) const
{
    return step >= 0 && step < rowCount() ? m_rows[std::size_t(step)].state : StepState::Pending;
}

void RolloutStepModel::setCurrentDetail(const QString &detail)
{
    m_detail = detail;
    if (m_current >= 0) {
        rowChanged(m_current);
    }
}

void RolloutStepModel::rowChanged(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

int RolloutStepModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RolloutStepModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RolloutStepModel::toString(StepState state)
{
    switch (state) {
    case StepState::Pending:
        return tr("pending");
    case StepState::Holding:
        return tr("holding");
    case StepState::Paused:
        return tr("paused");
    case StepState::Passed:
        return tr("passed");
    case StepState::RolledBack:
        return tr("rolled back");
    case StepState::Stopped:
        break;
    }
    return tr("stopped: stays in force");
}

QVariant RolloutStepModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const Row &row = m_rows[std::size_t(index.row())];
    const bool current = index.row() == m_current;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Step:
            return index.row() + 1;
        case Weights:
            return row.weights;
        case Hold:
            return row.hold;
        case MinRequests:
            return QLocale().toString(row.minRequests);
        case State:
            return current && !m_detail.isEmpty() ? tr("%1 · %2").arg(toString(row.state), m_detail)
                                                  : toString(row.state);
        default:
            return {};
        }
    case Qt::FontRole:
        if (current) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::BackgroundRole:
        if (current) {
            QColor highlight = QGuiApplication::palette().color(QPalette::Highlight);
            highlight.setAlpha(60);
            return highlight;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == State && row.state == StepState::RolledBack) {
            return problemColor();
        }
        if (index.column() == State && row.state == StepState::Passed) {
            return kPassColor;
        }
        return {};
    case Qt::AccessibleTextRole:
        return tr("Step %1: %2, hold %3, at least %4 requests, %5%6")
            .arg(index.row() + 1)
            .arg(row.weights, row.hold)
            .arg(row.minRequests)
            .arg(toString(row.state), current ? tr(" (current)") : QString());
    default:
        return {};
    }
}

QVariant RolloutStepModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Step:
        return tr("Step");
    case Weights:
        return tr("Weights");
    case Hold:
        return tr("Hold");
    case MinRequests:
        return tr("Min requests");
    case State:
        return tr("State");
    default:
        return {};
    }
}

// ---- RolloutGateModel ------------------------------------------------------------------------------------

void RolloutGateModel::setGates(const std::vector<rollout::GateResult> &gates)
{
    if (gates.size() == m_gates.size()) {
        m_gates = gates;
        if (!m_gates.empty()) {
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        }
        return;
    }
    beginResetModel();
    m_gates = gates;
    endResetModel();
}

void RolloutGateModel::clear()
{
    setGates({});
}

int RolloutGateModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_gates.size());
}

int RolloutGateModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RolloutGateModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const auto &gate = m_gates[std::size_t(index.row())];
    const QString verdict = gate.verdict == rollout::Verdict::Pass   ? tr("pass")
                            : gate.verdict == rollout::Verdict::Fail ? tr("fail")
                                                                     : tr("waiting for requests");
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Gate:
            return toQString(gate.gate);
        case Verdict:
            return verdict;
        case Measurement:
            return toQString(gate.text);
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == Verdict && gate.verdict != rollout::Verdict::Wait) {
            return gate.verdict == rollout::Verdict::Pass ? kPassColor : problemColor();
        }
        return {};
    case Qt::AccessibleTextRole:
        return tr("%1: %2, %3").arg(toQString(gate.gate), verdict, toQString(gate.text));
    default:
        return {};
    }
}

QVariant RolloutGateModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Gate:
        return tr("Gate");
    case Verdict:
        return tr("Verdict");
    case Measurement:
        return tr("Measurement against threshold");
    default:
        return {};
    }
}

} // namespace lanedeck::ui

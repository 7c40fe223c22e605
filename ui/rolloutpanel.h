#pragma once

#include "lanes/lanegroup.h"
#include "rollout/plan.h"
#include "rollout/runner.h"

#include <QPointer>
#include <QStringList>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTimer;

namespace lanedeck::ui {

class DocumentController;
class RolloutGateModel;
class RolloutStepModel;
class SandboxTargetSource;

/// The Traffic page's Rollout panel: open or edit a Rollout plan (validated as it is typed, every problem at
/// line:column), run it with the core's rollout::Runner against the local sandbox, watch its steps as a time
/// line (the step in force highlighted), each gate's measurement against its threshold, and the decision
/// log (the runner's audit events); pause, resume, promote the step, abort, roll back. Also sets the
/// sandbox's faults per service version while it runs.
///
/// The runner runs on a thread of the panel's own pool; its events come back to the GUI thread as queued
/// calls, so the GUI never waits for it (except on destruction, which aborts the run and waits for the
/// runner to stop). The plan runs on the console's lane group; its state and lease live in a temporary
/// folder for the session, since the sandbox lives in this process and ends with it.
class RolloutPanel final : public QWidget
{
    Q_OBJECT
public:
    enum class Phase
    {
        Idle,       ///< no run yet
        Running,    ///< the runner runs
        Paused,     ///< the runner holds the step in force
        Promoted,   ///< ended: every step passed
        RolledBack, ///< ended: a gate failed, or the operator rolled back
        Aborted,    ///< ended without a decision: the step in force stays (Run continues it)
        Refused     ///< did not start
    };

    RolloutPanel(DocumentController *document, QWidget *parent = nullptr);
    ~RolloutPanel() override;

    /// The sandbox the plan runs on and whose faults the panel sets (not owned).
    void setSandbox(SandboxTargetSource *sandbox);
    /// Aborts a running rollout and waits for the runner to stop (the window closing).
    void shutdown();

    /// Reads a plan file (a Rollout, alone or beside its LaneGroup; Qt resource paths too) into the editor.
    /// When the file holds (or names with groupFile) a group other than the console's, groupFileRequested()
    /// asks for it to be opened. False, with `error` in words, when the file cannot be read.
    bool openPlan(const QString &path, QString *error = nullptr);
    /// Writes the editor's text to the plan's file (QSaveFile).
    bool savePlan(const QString &path, QString *error = nullptr);
    void setPlanText(const QString &text, const QString &sourceName = QString());
    QString planText() const;
    QString planPath() const { return m_planPath; }
    /// The plan's problems as shown, "file:line:column: field: message"; empty when it can run.
    QStringList problems() const;

    /// Starts (or, after an abort, continues) the plan; false with `error` when it cannot start.
    bool start(QString *error = nullptr);
    void pause();
    void resume();
    /// Ends the current step's hold as if it had passed.
    void promoteStep();
    void abort();
    /// Rolls back: the running rollout at once, or one that was aborted.
    void rollBack();

    /// Wide enough for a step's weights and a gate's measurement beside each other.
    QSize sizeHint() const override;

    Phase phase() const { return m_phase; }
    bool isRunning() const { return m_phase == Phase::Running || m_phase == Phase::Paused; }
    RolloutStepModel *stepModel() const { return m_steps; }
    RolloutGateModel *gateModel() const { return m_gates; }
    /// The decision log as shown, a line per event.
    QStringList log() const { return m_logLines; }
    /// The events as the audit log's JSON Lines.
    QStringList auditLines() const { return m_auditLines; }
    /// What the status line says (the last decision).
    QString status() const;

    /// Sets a fault on one workload of the running sandbox ("mockc", "v2"); an error in words, or empty.
    QString setFault(const QString &service, const QString &version, double errorRate, int latencyMs);

Q_SIGNALS:
    /// The runner pushed a step (`label` "step 2: s2 25%") or the rollback weights (`label` "rollback"):
    /// the charts mark where it began.
    void stepPushed(const QString &label);
    void phaseChanged(lanedeck::ui::RolloutPanel::Phase phase);
    /// Every event of the runner, once the panel has shown it.
    void eventShown(const lanedeck::rollout::Event &event);
    /// The plan's group is in another file than the console's document: open it there.
    void groupFileRequested(const QString &path);
    void statusMessage(const QString &message);

private:
    struct Job;
    /// Makes the promoted weights the document's, one undoable edit.
    void takePromotedWeights(const std::map<std::string, int> &weights);

    QWidget *createPlanBar();
    QWidget *createProgressTab();
    QWidget *createPlanTab();
    QWidget *createFaultsTab();
    QWidget *createControls();
    void connectControls();
    void connectEditor();

    void validate();
    void takeEvent(quint64 generation, const rollout::Event &event);
    void applyEvent(const rollout::Event &event);
    QString pushLabel(const rollout::Event &event) const;
    void finished(quint64 generation, const rollout::RunResult &result);
    void setPhase(Phase phase);
    void updateControls();
    void refreshFaultTargets();
    void applyFaultForm();
    void openInteractively();
    void saveLogInteractively();
    void launch(std::shared_ptr<Job> job, bool rollBackOnly);
    std::optional<rollout::Plan> runnablePlan(QString *error);

    DocumentController *m_document;
    QPointer<SandboxTargetSource> m_sandbox;
    RolloutStepModel *m_steps;
    RolloutGateModel *m_gates;

    QLabel *m_planName = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_save = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_stepView = nullptr;
    QTableView *m_gateView = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QPushButton *m_saveLog = nullptr;
    QPlainTextEdit *m_editor = nullptr;
    QListWidget *m_problems = nullptr;
    QTimer *m_validateTimer = nullptr;
    QComboBox *m_faultWorkload = nullptr;
    QDoubleSpinBox *m_faultErrors = nullptr;
    QSpinBox *m_faultLatency = nullptr;
    QPushButton *m_faultApply = nullptr;
    QLabel *m_faultState = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_promote = nullptr;
    QPushButton *m_abort = nullptr;
    QPushButton *m_rollBack = nullptr;
    QLabel *m_status = nullptr;

    QString m_planPath;
    QString m_sourceName;
    std::optional<rollout::Plan> m_plan; ///< the editor's plan when it has no problems
    QStringList m_problemLines;
    Phase m_phase = Phase::Idle;
    QStringList m_logLines;
    QStringList m_auditLines;
    LaneGroup m_runGroup; ///< the group the current run runs on
    rollout::Plan m_runPlan;
    std::shared_ptr<Job> m_job;
    quint64 m_generation = 0;
    QTemporaryDir m_stateDir;
    QThreadPool m_pool; ///< the runner's thread; declared last, so it is waited for first
};

} // namespace lanedeck::ui

#include "ui/rolloutpanel.h"

#include "sandbox/sandbox.h"
#include "ui/documentcontroller.h"
#include "ui/qtconvert.h"
#include "ui/rolloutmodels.h"
#include "ui/sandboxtarget.h"
#include "ui/whenfinished.h"
#include "ui/yamlhighlighter.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSpinBox>
#include <QSysInfo>
#include <QTabWidget>
#include <QTableView>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lanedeck::ui {

/// One run of the runner and the target it borrows, shared by the panel and the pool thread.
struct RolloutPanel::Job
{
    std::unique_ptr<rollout::Target> target;
    std::unique_ptr<rollout::Runner> runner;
};

namespace {

QTableView *makeTable(QAbstractItemModel *model, const QString &objectName, const QString &name,
                      QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(objectName);
    view->setAccessibleName(name);
    view->setModel(model);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setTabKeyNavigation(false);
    view->setWordWrap(false);
    view->verticalHeader()->setVisible(false);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}

QString holderName()
{
    return QStringLiteral("lanedeck@%1:%2")
        .arg(QSysInfo::machineHostName())
        .arg(QCoreApplication::applicationPid());
}

} // namespace

RolloutPanel::RolloutPanel(DocumentController *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_steps(new RolloutStepModel(this)),
      m_gates(new RolloutGateModel(this))
{
    setObjectName(QStringLiteral("rolloutPanel"));
    m_pool.setMaxThreadCount(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createPlanBar());
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("rolloutTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createProgressTab(), tr("Progress"));
    m_tabs->addTab(createPlanTab(), tr("Plan"));
    m_tabs->addTab(createFaultsTab(), tr("Sandbox faults"));
    layout->addWidget(m_tabs, 1);
    layout->addWidget(createControls());
    connectControls();
    connectEditor();
    updateControls();
}

RolloutPanel::~RolloutPanel()
{
    shutdown();
}

void RolloutPanel::shutdown()
{
    // The runner must not outlive the panel its events go to: stop it now and wait for its thread.
    if (m_job) {
        m_job->runner->requestAbort();
    }
    m_pool.waitForDone();
}

/// The plan's name, open and save, and the last decision.
QWidget *RolloutPanel::createPlanBar()
{
    auto *bar = new QWidget(this);
    auto *layout = new QGridLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    m_planName = new QLabel(tr("No plan: open one, or write one under Plan"), bar);
    m_planName->setObjectName(QStringLiteral("rolloutPlanName"));
    QFont bold = font();
    bold.setBold(true);
    m_planName->setFont(bold);
    m_planName->setWordWrap(true);
    m_open = new QPushButton(tr("Open plan…"), bar);
    m_open->setObjectName(QStringLiteral("rolloutOpen"));
    m_open->setToolTip(tr("A Rollout plan: its own file, or beside its LaneGroup in one file"));
    m_save = new QPushButton(tr("Save plan"), bar);
    m_save->setObjectName(QStringLiteral("rolloutSave"));
    m_status = new QLabel(bar);
    m_status->setObjectName(QStringLiteral("rolloutStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_planName, 0, 0);
    layout->addWidget(m_open, 0, 1);
    layout->addWidget(m_save, 0, 2);
    layout->addWidget(m_status, 1, 0, 1, 3);
    layout->setColumnStretch(0, 1);
    return bar;
}

/// The steps as a time line, the latest evaluation's gates, and the decision log.
QWidget *RolloutPanel::createProgressTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_stepView = makeTable(m_steps, QStringLiteral("rolloutSteps"), tr("Rollout steps"), page);
    m_gateView =
        makeTable(m_gates, QStringLiteral("rolloutGates"), tr("Gates of the latest evaluation"), page);
    m_log = new QPlainTextEdit(page);
    m_log->setObjectName(QStringLiteral("rolloutLog"));
    m_log->setAccessibleName(tr("Decision log"));
    m_log->setReadOnly(true);
    m_log->setTabChangesFocus(true);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Every push, evaluation and decision of the runner, as it happens"));
    m_saveLog = new QPushButton(tr("Save log (JSON Lines)…"), page);
    m_saveLog->setObjectName(QStringLiteral("rolloutSaveLog"));
    m_saveLog->setToolTip(tr("The audit log, as lanectl rollout --json-log writes it"));
    // Room for the header and three steps before the log takes the rest.
    m_stepView->setMinimumHeight(m_stepView->verticalHeader()->defaultSectionSize() * 4 +
                                 m_stepView->horizontalHeader()->sizeHint().height() / 2);
    m_gateView->setMinimumHeight(m_stepView->minimumHeight());
    layout->addWidget(new QLabel(tr("Steps"), page));
    layout->addWidget(m_stepView, 2);
    layout->addWidget(new QLabel(tr("Gates (latest evaluation)"), page));
    layout->addWidget(m_gateView, 2);
    auto *logRow = new QHBoxLayout;
    logRow->addWidget(new QLabel(tr("Decision log"), page), 1);
    logRow->addWidget(m_saveLog);
    layout->addLayout(logRow);
    layout->addWidget(m_log, 3);
    return page;
}

/// The plan's YAML, validated as it is typed, and its problems at line:column.
QWidget *RolloutPanel::createPlanTab()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    m_editor = new QPlainTextEdit(page);
    m_editor->setObjectName(QStringLiteral("rolloutEditor"));
    m_editor->setAccessibleName(tr("Rollout plan (YAML)"));
    m_editor->setTabChangesFocus(true); // YAML indents with spaces; Tab moves on, as everywhere else
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlaceholderText(tr("apiVersion: lanedeck.io/v1alpha1\nkind: Rollout\n…"));
    new YamlHighlighter(m_editor->document(), palette().color(QPalette::Window).lightness() < 128);
    m_problems = new QListWidget(page);
    m_problems->setObjectName(QStringLiteral("rolloutProblems"));
    m_problems->setAccessibleName(tr("Plan problems"));
    m_problems->setMaximumHeight(fontMetrics().height() * 6);
    m_problems->setToolTip(tr("Activate a problem to go to its line and column"));
    m_validateTimer = new QTimer(this);
    m_validateTimer->setSingleShot(true);
    m_validateTimer->setInterval(300);
    layout->addWidget(m_editor, 1);
    layout->addWidget(new QLabel(tr("Problems"), page));
    layout->addWidget(m_problems);
    return page;
}

/// A fault per service version of the running sandbox: error rate and added latency.
QWidget *RolloutPanel::createFaultsTab()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_faultWorkload = new QComboBox(page);
    m_faultWorkload->setObjectName(QStringLiteral("faultWorkload"));
    auto *workloadLabel = new QLabel(tr("Service version:"), page);
    workloadLabel->setBuddy(m_faultWorkload);
    form->addRow(workloadLabel, m_faultWorkload);
    m_faultErrors = new QDoubleSpinBox(page);
    m_faultErrors->setObjectName(QStringLiteral("faultErrorRate"));
    m_faultErrors->setRange(0, 100);
    m_faultErrors->setDecimals(1);
    m_faultErrors->setSuffix(tr(" %"));
    m_faultErrors->setToolTip(tr("The share of its requests answered with HTTP 503"));
    auto *errorsLabel = new QLabel(tr("Error rate:"), page);
    errorsLabel->setBuddy(m_faultErrors);
    form->addRow(errorsLabel, m_faultErrors);
    m_faultLatency = new QSpinBox(page);
    m_faultLatency->setObjectName(QStringLiteral("faultLatency"));
    m_faultLatency->setRange(0, 60000);
    m_faultLatency->setSingleStep(50);
    m_faultLatency->setSuffix(tr(" ms"));
    auto *latencyLabel = new QLabel(tr("Added latency:"), page);
    latencyLabel->setBuddy(m_faultLatency);
    form->addRow(latencyLabel, m_faultLatency);
    m_faultApply = new QPushButton(tr("Set fault"), page);
    m_faultApply->setObjectName(QStringLiteral("faultApply"));
    m_faultApply->setToolTip(tr("From the next request on; 0 % and 0 ms clear the fault"));
    form->addRow(QString(), m_faultApply);
    m_faultState = new QLabel(page);
    m_faultState->setObjectName(QStringLiteral("faultState"));
    m_faultState->setWordWrap(true);
    m_faultState->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_faultState);
    return page;
}

QWidget *RolloutPanel::createControls()
{
    auto *box = new QWidget(this);
    auto *grid = new QGridLayout(box);
    grid->setContentsMargins(0, 0, 0, 0);
    m_run = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Run"), box);
    m_run->setObjectName(QStringLiteral("rolloutRun"));
    m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), box);
    m_pause->setObjectName(QStringLiteral("rolloutPause"));
    m_pause->setToolTip(tr("After the window being sampled: the step stays, its hold time stands still"));
    m_resume = new QPushButton(tr("Resume"), box);
    m_resume->setObjectName(QStringLiteral("rolloutResume"));
    m_promote = new QPushButton(style()->standardIcon(QStyle::SP_MediaSkipForward), tr("Promote step"), box);
    m_promote->setObjectName(QStringLiteral("rolloutPromote"));
    m_promote->setToolTip(tr("End this step's hold now; the gates still judge what was sampled"));
    m_abort = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Abort"), box);
    m_abort->setObjectName(QStringLiteral("rolloutAbort"));
    m_abort->setToolTip(tr("Stop without a decision: the step in force stays; Run continues it"));
    m_rollBack = new QPushButton(tr("Roll back"), box);
    m_rollBack->setObjectName(QStringLiteral("rolloutRollBack"));
    m_rollBack->setToolTip(tr("Push the plan's rollback weights and end the rollout"));
    const QList<QPushButton *> buttons = {m_run, m_pause, m_resume, m_promote, m_abort, m_rollBack};
    for (int i = 0; i < buttons.size(); ++i) {
        grid->addWidget(buttons[i], i / 3, i % 3);
    }
    return box;
}

void RolloutPanel::connectControls()
{
    connect(m_open, &QPushButton::clicked, this, &RolloutPanel::openInteractively);
    connect(m_save, &QPushButton::clicked, this, [this] {
        QString path = m_planPath;
        if (path.isEmpty() || path.startsWith(QLatin1Char(':'))) {
            path = QFileDialog::getSaveFileName(this, tr("Save rollout plan"), QFileInfo(path).fileName(),
                                                tr("Rollout plans (*.yaml)"));
        }
        QString error;
        if (!path.isEmpty() && !savePlan(path, &error)) {
            Q_EMIT statusMessage(error);
        }
    });
    connect(m_saveLog, &QPushButton::clicked, this, &RolloutPanel::saveLogInteractively);
    connect(m_run, &QPushButton::clicked, this, [this] {
        QString error;
        if (!start(&error)) {
            m_status->setText(error);
            Q_EMIT statusMessage(error);
        }
    });
    connect(m_pause, &QPushButton::clicked, this, &RolloutPanel::pause);
    connect(m_resume, &QPushButton::clicked, this, &RolloutPanel::resume);
    connect(m_promote, &QPushButton::clicked, this, &RolloutPanel::promoteStep);
    connect(m_abort, &QPushButton::clicked, this, &RolloutPanel::abort);
    connect(m_rollBack, &QPushButton::clicked, this, &RolloutPanel::rollBack);
    connect(m_faultApply, &QPushButton::clicked, this, &RolloutPanel::applyFaultForm);
    connect(m_faultWorkload, &QComboBox::currentIndexChanged, this, [this] {
        const QStringList workload = m_faultWorkload->currentData().toStringList();
        if (m_sandbox && workload.size() == 2) {
            const auto faults = m_sandbox->faults();
            const auto found = faults.find({toStdString(workload[0]), toStdString(workload[1])});
            const sandbox::Fault fault = found != faults.end() ? found->second : sandbox::Fault{};
            m_faultErrors->setValue(fault.errorRate * 100.0);
            m_faultLatency->setValue(static_cast<int>(fault.delay.count()));
        }
    });
}

void RolloutPanel::connectEditor()
{
    connect(m_editor, &QPlainTextEdit::textChanged, m_validateTimer, qOverload<>(&QTimer::start));
    connect(m_validateTimer, &QTimer::timeout, this, &RolloutPanel::validate);
    connect(m_document, &DocumentController::groupChanged, m_validateTimer, qOverload<>(&QTimer::start));
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const int line = item->data(Qt::UserRole).toInt();
        const int column = item->data(Qt::UserRole + 1).toInt();
        if (line <= 0) {
            return;
        }
        const QTextBlock block = m_editor->document()->findBlockByNumber(line - 1);
        QTextCursor cursor(block);
        cursor.setPosition(block.position() + std::clamp(column - 1, 0, std::max(0, block.length() - 1)));
        m_editor->setTextCursor(cursor);
        m_editor->setFocus(Qt::OtherFocusReason);
    });
}

void RolloutPanel::setSandbox(SandboxTargetSource *sandbox)
{
    m_sandbox = sandbox;
    connect(sandbox, &SandboxTargetSource::gatewayChanged, this, [this] {
        refreshFaultTargets();
        updateControls();
    });
    connect(sandbox, &SandboxTargetSource::applied, this, &RolloutPanel::refreshFaultTargets);
    refreshFaultTargets();
    updateControls();
}

bool RolloutPanel::openPlan(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error) {
            *error = tr("Cannot read %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    const QString text = QString::fromUtf8(file.readAll());
    m_planPath = path;
    setPlanText(text, path);
    // The plan runs on the console's group: offer the plan's own when another one is open.
    const rollout::LoadedPlan loaded = rollout::parsePlan(toStdString(text), toStdString(path));
    if (loaded.readable && loaded.plan.group != m_document->group().name) {
        static const QRegularExpression laneGroup(QStringLiteral("^kind:\\s*LaneGroup\\s*$"),
                                                  QRegularExpression::MultilineOption);
        if (text.contains(laneGroup)) {
            Q_EMIT groupFileRequested(path);
        } else if (!loaded.plan.groupFile.empty()) {
            Q_EMIT groupFileRequested(QFileInfo(path).dir().filePath(toQString(loaded.plan.groupFile)));
        }
    }
    return true;
}

bool RolloutPanel::savePlan(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->toPlainText().toUtf8()) < 0 ||
        !file.commit()) {
        if (error) {
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    m_planPath = path;
    m_sourceName = path;
    validate();
    Q_EMIT statusMessage(tr("Wrote %1").arg(path));
    return true;
}

void RolloutPanel::setPlanText(const QString &text, const QString &sourceName)
{
    m_sourceName = sourceName;
    m_editor->setPlainText(text);
    validate();
}

QString RolloutPanel::planText() const
{
    return m_editor->toPlainText();
}

QStringList RolloutPanel::problems() const
{
    return m_problemLines;
}

QSize RolloutPanel::sizeHint() const
{
    return {fontMetrics().horizontalAdvance(QLatin1Char('m')) * 52, QWidget::sizeHint().height()};
}

QString RolloutPanel::status() const
{
    return m_status->text();
}

/// Reads and checks the editor's plan against the console's group; shows every problem at line:column.
void RolloutPanel::validate()
{
    m_validateTimer->stop();
    m_problems->clear();
    m_problemLines.clear();
    m_plan.reset();
    const QString text = m_editor->toPlainText();
    const std::string source = m_sourceName.isEmpty() ? std::string("plan") : toStdString(m_sourceName);
    const LaneGroup &group = m_document->group();
    std::vector<Diagnostic> problems;
    rollout::LoadedPlan loaded;
    if (text.trimmed().isEmpty()) {
        problems.push_back({"", "no plan: open one, or write a Rollout document here", {}});
    } else if (!m_document->diagnostics().all().empty()) {
        problems.push_back({"", "the lane group has problems: fix them first (the plan runs on it)", {}});
    } else {
        loaded = rollout::parsePlan(toStdString(text), source);
        problems = loaded.readable ? rollout::checkPlan(loaded, group) : loaded.problems;
    }
    for (const Diagnostic &problem : problems) {
        const QString line = toQString(problem.toString());
        auto *item = new QListWidgetItem(line, m_problems);
        item->setData(Qt::UserRole, problem.where.line);
        item->setData(Qt::UserRole + 1, problem.where.column);
        m_problemLines << line;
    }
    if (problems.empty() && loaded.readable) {
        m_plan = loaded.plan;
        m_planName->setText(tr("%1: lane %2 in %n step(s)", nullptr, int(loaded.plan.steps.size()))
                                .arg(toQString(loaded.plan.name), toQString(loaded.plan.lane)));
        if (!isRunning() && m_phase != Phase::Aborted) {
            m_steps->setPlan(*m_plan, group);
        }
    } else if (!text.trimmed().isEmpty()) {
        m_planName->setText(tr("The plan has %n problem(s): see Plan", nullptr, int(problems.size())));
    }
    updateControls();
}

std::optional<rollout::Plan> RolloutPanel::runnablePlan(QString *error)
{
    validate();
    if (!m_plan) {
        m_tabs->setCurrentIndex(1);
        *error = m_problemLines.isEmpty() ? tr("No plan to run.")
                                          : tr("The plan cannot run: %1").arg(m_problemLines.front());
        return std::nullopt;
    }
    if (m_plan->gatesFrom == rollout::GateSource::Telemetry) {
        *error = tr("This plan's gates read the mesh's telemetry (gatesFrom: telemetry), which the console "
                    "does not give its runner: run it with lanectl rollout --telemetry.");
        return std::nullopt;
    }
    if (!m_sandbox || m_sandbox->gatewayUrl().isEmpty()) {
        *error = tr("The local sandbox is not running: push the group to it first (the rollout runs on it).");
        return std::nullopt;
    }
    return m_plan;
}

bool RolloutPanel::start(QString *error)
{
    QString why;
    if (isRunning()) {
        why = tr("A rollout is running already.");
    }
    const auto plan = why.isEmpty() ? runnablePlan(&why) : std::nullopt;
    if (!plan) {
        if (error) {
            *error = why;
        }
        return false;
    }
    // After an abort the same plan continues from the step in force; anything else starts afresh.
    const bool resume = m_phase == Phase::Aborted && *plan == m_runPlan && m_document->group() == m_runGroup;
    const QString statePath = m_stateDir.filePath(QStringLiteral("rollout.state.json"));
    if (!resume) {
        QFile::remove(statePath);
        m_runPlan = *plan;
        m_runGroup = m_document->group();
        m_steps->setPlan(m_runPlan, m_runGroup);
        m_gates->clear();
        m_log->clear();
        m_logLines.clear();
        m_auditLines.clear();
    }
    auto job = std::make_shared<Job>();
    job->target = m_sandbox->rolloutTarget(statePath);
    rollout::RunnerOptions options;
    options.resume = resume;
    options.holder = toStdString(holderName());
    const quint64 generation = ++m_generation;
    options.onEvent = [this, generation](const rollout::Event &event) {
        // On the runner's thread: the panel takes it from its event loop (it outlives the runner).
        QMetaObject::invokeMethod(
            this, [this, generation, event] { takeEvent(generation, event); }, Qt::QueuedConnection);
    };
    job->runner = std::make_unique<rollout::Runner>(m_runPlan, m_runGroup, *job->target, options);
    launch(std::move(job), false);
    return true;
}

void RolloutPanel::launch(std::shared_ptr<Job> job, bool rollBackOnly)
{
    m_job = job;
    const quint64 generation = m_generation;
    const auto result = QtConcurrent::run(&m_pool, [job, rollBackOnly] {
        return rollBackOnly ? job->runner->rollBackOnly() : job->runner->run();
    });
    whenFinished(result, this,
                 [this, generation](const rollout::RunResult &ended) { finished(generation, ended); });
    setPhase(Phase::Running);
}

void RolloutPanel::pause()
{
    if (m_job && m_phase == Phase::Running) {
        m_job->runner->requestPause();
        m_status->setText(tr("Pausing once the window being sampled is judged…"));
        m_pause->setEnabled(false);
    }
}

void RolloutPanel::resume()
{
    if (m_job && m_phase == Phase::Paused) {
        m_job->runner->requestResume();
    }
}

void RolloutPanel::promoteStep()
{
    if (m_job && isRunning()) {
        m_job->runner->requestPromote();
    }
}

void RolloutPanel::abort()
{
    if (m_job && isRunning()) {
        m_job->runner->requestAbort();
    }
}

void RolloutPanel::rollBack()
{
    if (m_job && isRunning()) {
        m_job->runner->requestRollback();
        return;
    }
    if (m_phase != Phase::Aborted || !m_sandbox) {
        return;
    }
    // The aborted rollout's step is in force: push the rollback weights without sampling.
    auto job = std::make_shared<Job>();
    job->target = m_sandbox->rolloutTarget(m_stateDir.filePath(QStringLiteral("rollout.state.json")));
    rollout::RunnerOptions options;
    options.holder = toStdString(holderName());
    const quint64 generation = ++m_generation;
    options.onEvent = [this, generation](const rollout::Event &event) {
        QMetaObject::invokeMethod(
            this, [this, generation, event] { takeEvent(generation, event); }, Qt::QueuedConnection);
    };
    job->runner = std::make_unique<rollout::Runner>(m_runPlan, m_runGroup, *job->target, options);
    launch(std::move(job), true);
}

void RolloutPanel::takeEvent(quint64 generation, const rollout::Event &event)
{
    if (generation == m_generation) {
        applyEvent(event);
    }
}

/// A step push or the rollback: what the charts' mark says.
QString RolloutPanel::pushLabel(const rollout::Event &event) const
{
    const int steps = static_cast<int>(m_runPlan.steps.size());
    const bool stepPush =
        event.step >= 0 && event.step < steps &&
        event.weights ==
            rollout::stepWeights(m_runPlan, m_runPlan.steps[std::size_t(event.step)], m_runGroup);
    if (!stepPush) {
        return tr("rollback");
    }
    const auto lane = event.weights.find(m_runPlan.lane);
    return tr("step %1: %2 %3%")
        .arg(event.step + 1)
        .arg(toQString(m_runPlan.lane))
        .arg(lane != event.weights.end() ? lane->second : 0);
}

void RolloutPanel::applyEvent(const rollout::Event &event)
{
    using Kind = rollout::Event::Kind;
    using State = RolloutStepModel::StepState;
    m_auditLines << toQString(rollout::eventJson(event).dump());
    const QString line =
        QStringLiteral("%1  %2  %3")
            .arg(QDateTime::fromMSecsSinceEpoch(event.timeMs).toString(QStringLiteral("HH:mm:ss")),
                 toQString(rollout::toString(event.kind)), toQString(event.message));
    m_logLines << line;
    m_log->appendPlainText(line);
    switch (event.kind) {
    case Kind::Pushed: {
        const QString label = pushLabel(event);
        // The same step pushed again while it holds is the promotion's push; a stopped step resumes.
        const State before = m_steps->stepState(event.step);
        const bool again = before == State::Holding || before == State::Paused || before == State::Passed;
        if (label != tr("rollback") && !again) {
            m_steps->setStepState(event.step, State::Holding);
            m_gates->clear();
        }
        if (m_sandbox && event.pushOk) {
            m_sandbox->announceApplied(rollout::withWeights(m_runGroup, event.weights));
        }
        if (event.pushOk && (label == tr("rollback") || !again)) {
            Q_EMIT stepPushed(label);
        }
        break;
    }
    case Kind::Evaluated:
        m_gates->setGates(event.gates);
        m_steps->setCurrentDetail(tr("%1 requests judged: %2")
                                      .arg(event.requests)
                                      .arg(toQString(rollout::toString(event.verdict))));
        break;
    case Kind::StepPassed:
        m_steps->setStepState(event.step, State::Passed);
        break;
    case Kind::RolledBack:
        m_steps->setStepState(event.step, State::RolledBack);
        break;
    case Kind::Aborted:
        m_steps->setStepState(event.step, State::Stopped);
        break;
    case Kind::Promoted:
        takePromotedWeights(event.weights);
        break;
    case Kind::Paused:
        m_steps->setStepState(event.step, State::Paused);
        setPhase(Phase::Paused);
        break;
    case Kind::Resumed:
        m_steps->setStepState(event.step, State::Holding);
        setPhase(Phase::Running);
        break;
    default:
        break;
    }
    if (m_steps->currentStep() >= 0) {
        m_stepView->scrollTo(m_steps->index(m_steps->currentStep(), 0));
    }
    m_status->setText(toQString(event.message));
    Q_EMIT eventShown(event);
}

void RolloutPanel::takePromotedWeights(const std::map<std::string, int> &weights)
{
    // The document follows the promotion: left at its old weights, the next push from the console would
    // undo the rollout without a word, and the drift indicator would call the promoted sandbox drifted.
    if (weights.empty()) {
        return;
    }
    const LaneGroup &group = m_document->group();
    LaneGroup after = group;
    for (Lane &lane : after.lanes) {
        if (const auto it = weights.find(lane.name); it != weights.end()) {
            lane.weight = it->second;
        }
    }
    if (after == group) {
        return;
    }
    m_document->edit(after, tr("Take the weights rollout %1 promoted").arg(toQString(m_runPlan.name)));
    Q_EMIT statusMessage(tr("The document now has the promoted weights (Undo restores the old ones)"));
}

void RolloutPanel::finished(quint64 generation, const rollout::RunResult &result)
{
    if (generation != m_generation) {
        return;
    }
    m_job.reset();
    switch (result.outcome) {
    case rollout::Outcome::Promoted:
        setPhase(Phase::Promoted);
        break;
    case rollout::Outcome::RolledBack:
        setPhase(Phase::RolledBack);
        break;
    case rollout::Outcome::Aborted:
        setPhase(Phase::Aborted);
        break;
    case rollout::Outcome::Refused:
        setPhase(Phase::Refused);
        break;
    }
    const QString message =
        tr("Rollout %1: %2").arg(toQString(rollout::toString(result.outcome)), toQString(result.message));
    m_status->setText(message);
    Q_EMIT statusMessage(message);
}

void RolloutPanel::setPhase(Phase phase)
{
    if (m_phase == phase) {
        return;
    }
    m_phase = phase;
    updateControls();
    Q_EMIT phaseChanged(phase);
}

void RolloutPanel::updateControls()
{
    const bool running = isRunning();
    const bool sandboxUp = m_sandbox && !m_sandbox->gatewayUrl().isEmpty();
    const bool continues = m_phase == Phase::Aborted && m_plan && *m_plan == m_runPlan;
    m_run->setEnabled(!running && m_plan.has_value() && sandboxUp);
    m_run->setText(continues ? tr("Continue") : tr("Run"));
    m_run->setToolTip(!sandboxUp  ? tr("Push the group to the local sandbox first: the rollout runs on it")
                      : !m_plan   ? tr("The plan has problems: see Plan")
                      : continues ? tr("Continue the aborted rollout from the step in force")
                                  : tr("Run the plan on the local sandbox"));
    m_pause->setEnabled(m_phase == Phase::Running);
    m_resume->setEnabled(m_phase == Phase::Paused);
    m_promote->setEnabled(running);
    m_abort->setEnabled(running);
    m_rollBack->setEnabled(running || m_phase == Phase::Aborted);
    m_saveLog->setEnabled(!m_auditLines.isEmpty() || running);
    m_faultApply->setEnabled(sandboxUp && m_faultWorkload->count() > 0);
}

void RolloutPanel::refreshFaultTargets()
{
    const QString current = m_faultWorkload->currentText();
    m_faultWorkload->clear();
    QStringList active;
    if (m_sandbox) {
        for (const auto &instance : m_sandbox->instances()) {
            m_faultWorkload->addItem(
                QStringLiteral("%1 %2").arg(toQString(instance.service), toQString(instance.version)),
                QStringList{toQString(instance.service), toQString(instance.version)});
        }
        for (const auto &[workload, fault] : m_sandbox->faults()) {
            active << QStringLiteral("%1 %2: %3")
                          .arg(toQString(workload.first), toQString(workload.second),
                               toQString(sandbox::toString(fault)));
        }
    }
    if (const int at = m_faultWorkload->findText(current); at >= 0) {
        m_faultWorkload->setCurrentIndex(at);
    }
    m_faultState->setText(m_faultWorkload->count() == 0
                              ? tr("The sandbox is not running: push the group to it first.")
                          : active.isEmpty() ? tr("No faults: every service version answers normally.")
                                             : tr("Faults: %1").arg(active.join(QStringLiteral("; "))));
    updateControls();
}

QString RolloutPanel::setFault(const QString &service, const QString &version, double errorRate,
                               int latencyMs)
{
    if (!m_sandbox) {
        return tr("No sandbox.");
    }
    sandbox::Fault fault;
    fault.errorRate = errorRate;
    fault.delay = std::chrono::milliseconds(latencyMs);
    const QString error = m_sandbox->setFault(service, version, fault);
    refreshFaultTargets();
    Q_EMIT statusMessage(
        error.isEmpty() ? tr("%1 %2: %3").arg(service, version, toQString(sandbox::toString(fault))) : error);
    return error;
}

void RolloutPanel::applyFaultForm()
{
    const QStringList workload = m_faultWorkload->currentData().toStringList();
    if (workload.size() != 2) {
        return;
    }
    const QString error =
        setFault(workload[0], workload[1], m_faultErrors->value() / 100.0, m_faultLatency->value());
    if (!error.isEmpty()) {
        m_faultState->setText(error);
    }
}

void RolloutPanel::openInteractively()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open rollout plan"), QFileInfo(m_planPath).absolutePath(),
                                     tr("Rollout plans (*.yaml *.yml);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !openPlan(path, &error)) {
        m_status->setText(error);
        Q_EMIT statusMessage(error);
    }
}

void RolloutPanel::saveLogInteractively()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save decision log"), QStringLiteral("rollout-log.jsonl"),
                                     tr("JSON Lines (*.jsonl *.json)"));
    if (path.isEmpty()) {
        return;
    }
    QSaveFile file(path);
    const QByteArray text = (m_auditLines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
    const bool ok = file.open(QIODevice::WriteOnly) && file.write(text) == text.size() && file.commit();
    Q_EMIT statusMessage(ok ? tr("Wrote %1").arg(path)
                            : tr("Cannot write %1: %2").arg(path, file.errorString()));
}

} // namespace lanedeck::ui

#include "ui/pushdialog.h"

#include "ui/lanecolors.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <memory>

namespace lanedeck::ui {

void PushResultModel::clear()
{
    beginResetModel();
    m_outcomes.clear();
    endResetModel();
}

void PushResultModel::append(const PushOutcome &outcome)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_outcomes.push_back(outcome);
    endInsertRows();
}

int PushResultModel::count(PushOutcome::Result result) const
{
    return static_cast<int>(std::count_if(m_outcomes.begin(), m_outcomes.end(),
                                          [result](const PushOutcome &o) { return o.result == result; }));
}

int PushResultModel::conflictCount() const
{
    return static_cast<int>(std::count_if(m_outcomes.begin(), m_outcomes.end(),
                                          [](const PushOutcome &o) { return o.isConflict(); }));
}

QString PushResultModel::resultText(PushOutcome::Result result)
{
    switch (result) {
    case PushOutcome::Result::Created:
        return tr("created");
    case PushOutcome::Result::Configured:
        return tr("configured");
    case PushOutcome::Result::Unchanged:
        return tr("unchanged");
    case PushOutcome::Result::Pruned:
        return tr("pruned");
    case PushOutcome::Result::Deleted:
        return tr("deleted");
    case PushOutcome::Result::Failed:
        return tr("failed");
    case PushOutcome::Result::Skipped:
        return tr("skipped");
    case PushOutcome::Result::Missing:
        return tr("missing");
    }
    return {};
}

int PushResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_outcomes.size());
}

int PushResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PushResultModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const PushOutcome &o = m_outcomes[static_cast<std::size_t>(index.row())];
    const bool bad = o.result == PushOutcome::Result::Failed || o.result == PushOutcome::Result::Missing;
    const QString message =
        o.conflicts.isEmpty()
            ? o.message
            : tr("%1 (conflicts: %2)").arg(o.message, o.conflicts.join(QStringLiteral("; ")));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Resource:
            return o.resource;
        case Result:
            return o.isConflict() ? tr("conflict") : resultText(o.result);
        case Message:
            return message;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Resource) {
            return o.resource;
        }
        return message.isEmpty() ? QVariant() : QVariant(message);
    case Qt::ForegroundRole:
        return bad && index.column() == Result ? QVariant(problemColor()) : QVariant();
    default:
        return {};
    }
}

QVariant PushResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Resource:
        return tr("Resource");
    case Result:
        return tr("Result");
    case Message:
        return tr("Server message");
    default:
        return {};
    }
}

PushDialog::PushDialog(ClusterTargetSource *source, LaneGroup group, mesh::RenderOptions render,
                       int resourceCount, const QString &targetName, QWidget *parent)
    : QDialog(parent), m_source(source), m_group(std::move(group)), m_render(render),
      m_resourceCount(resourceCount), m_model(new PushResultModel(this)), m_summary(new QLabel(this)),
      m_table(new QTableView(this)), m_progress(new QProgressBar(this)),
      m_force(
          new QCheckBox(tr("&Force: take over the conflicting fields from their current managers"), this)),
      m_prune(new QCheckBox(tr("P&rune: delete this group's resources that are no longer generated"), this)),
      m_apply(new QPushButton(tr("&Apply"), this)), m_rerun(new QPushButton(tr("&Dry Run Again"), this)),
      m_createNamespace(new QPushButton(this)), m_switchFlavor(new QPushButton(this)),
      m_pushAnyway(new QPushButton(tr("Push &Anyway"), this)), m_findingList(new QListWidget(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("pushDialog"));
    setWindowTitle(tr("Push to %1").arg(targetName));
    auto *layout = new QVBoxLayout(this);
    m_summary->setObjectName(QStringLiteral("pushSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_findingList->setObjectName(QStringLiteral("pushFindings"));
    m_findingList->setAccessibleName(tr("What the analysis found"));
    m_findingList->setVisible(false);
    m_findingList->setMaximumHeight(fontMetrics().height() * 8);
    layout->addWidget(m_findingList);
    m_table->setObjectName(QStringLiteral("pushResults"));
    m_table->setAccessibleName(tr("Push results"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTabKeyNavigation(false);
    // Resource and Result fit their contents once rows arrive; the operator can widen any column.
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setWordWrap(false);
    connect(m_table->horizontalHeader(), &QHeaderView::sectionResized, this, [this] {
        if (m_table->isVisible() && QApplication::mouseButtons() != Qt::NoButton) {
            m_columnsResized = true; // the operator's widths are kept
        }
    });
    layout->addWidget(m_table, 1);
    auto *fixes = new QHBoxLayout;
    m_createNamespace->setObjectName(QStringLiteral("pushCreateNamespaceButton"));
    m_createNamespace->setVisible(false);
    connect(m_createNamespace, &QPushButton::clicked, this, &PushDialog::createMissingNamespace);
    m_switchFlavor->setObjectName(QStringLiteral("pushFlavorSwitchButton"));
    m_switchFlavor->setVisible(false);
    connect(m_switchFlavor, &QPushButton::clicked, this, [this] { Q_EMIT flavorSwitchRequested(m_advice); });
    m_pushAnyway->setObjectName(QStringLiteral("pushAnywayButton"));
    m_pushAnyway->setToolTip(tr("Run the dry run although the analysis found errors"));
    m_pushAnyway->setVisible(false);
    connect(m_pushAnyway, &QPushButton::clicked, this, &PushDialog::pushAnyway);
    fixes->addWidget(m_pushAnyway);
    fixes->addWidget(m_createNamespace);
    fixes->addWidget(m_switchFlavor);
    fixes->addStretch(1);
    layout->addLayout(fixes);
    m_progress->setObjectName(QStringLiteral("pushProgress"));
    layout->addWidget(m_progress);
    m_force->setObjectName(QStringLiteral("pushForceCheck"));
    m_force->setVisible(false);
    layout->addWidget(m_force);
    m_prune->setObjectName(QStringLiteral("pushPruneCheck"));
    m_prune->setToolTip(
        tr("Objects labelled with this lane group that the current design no longer generates are "
           "deleted. The dry run shows which."));
    connect(m_prune, &QCheckBox::toggled, this, [this] {
        if (m_stage == Stage::Review || m_stage == Stage::Failed) {
            run(true); // what prune would delete shows in a fresh dry run
        }
    });
    layout->addWidget(m_prune);
    m_apply->setObjectName(QStringLiteral("pushApplyButton"));
    m_apply->setEnabled(false);
    m_apply->setToolTip(tr("Apply the resources as the dry run showed them"));
    m_buttons->addButton(m_apply, QDialogButtonBox::AcceptRole);
    m_rerun->setObjectName(QStringLiteral("pushRerunButton"));
    m_rerun->setToolTip(tr("Run the server-side dry run again, after fixing something in the cluster"));
    m_rerun->setEnabled(false);
    m_buttons->addButton(m_rerun, QDialogButtonBox::ActionRole);
    connect(m_rerun, &QPushButton::clicked, this, [this] { run(true); });
    layout->addWidget(m_buttons);
    connect(m_apply, &QPushButton::clicked, this, [this] { run(false); });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PushDialog::reject);
    resize(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 70, fontMetrics().height() * 28);
}

PushDialog::~PushDialog()
{
    if (m_analysisJob) {
        m_analysisJob->cancel();
    }
    for (const auto &job : {m_job, m_namespaceJob}) {
        if (job) {
            job->cancel();
        }
    }
}

void PushDialog::setRender(const mesh::RenderOptions &render, int resourceCount)
{
    m_render = render;
    m_resourceCount = resourceCount;
    if (!m_job && !m_analysisJob) {
        analyzeFirst();
    }
}

void PushDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    if (!m_started) {
        start();
    }
}

void PushDialog::start()
{
    m_started = true;
    analyzeFirst();
}

void PushDialog::analyzeFirst()
{
    // The flavor is checked first: the analysis of resources the cluster cannot take says nothing useful.
    const FlavorAdvice advice = m_source ? m_source->flavorAdvice(m_group, m_render) : FlavorAdvice{};
    AnalysisJob *job =
        m_source && advice.problem.isEmpty() ? m_source->analyze(m_group, m_render, true) : nullptr;
    if (!job) {
        run(true);
        return;
    }
    m_analysisJob = job;
    job->setParent(this);
    setStage(Stage::Analyzing, tr("Checking whether the lanes will work in the cluster…"));
    connect(job, &AnalysisJob::finished, this,
            [this, job](const QList<ClusterFinding> &findings, const QStringList &notes, bool cancelled,
                        const QString &error) {
                Q_UNUSED(notes);
                job->deleteLater();
                m_analysisJob.clear();
                if (cancelled) {
                    setStage(Stage::Failed, tr("Cancelled; nothing was applied."));
                    return;
                }
                m_findings = findings;
                m_findingList->clear();
                int errors = 0;
                for (const auto &f : findings) {
                    const bool error = f.severity == ClusterFinding::Severity::Error;
                    errors += error;
                    const QString severity = error                                             ? tr("error")
                                             : f.severity == ClusterFinding::Severity::Warning ? tr("warning")
                                                                                               : tr("info");
                    auto *item = new QListWidgetItem(tr("%1: %2").arg(severity, f.message), m_findingList);
                    item->setToolTip(f.fix.isEmpty() ? f.code : tr("%1\nFix: %2").arg(f.code, f.fix));
                    if (error) {
                        item->setForeground(problemColor());
                    }
                }
                m_findingList->setVisible(!findings.isEmpty());
                Q_EMIT analyzed(findings);
                if (!error.isEmpty()) {
                    m_findingList->addItem(tr("The analysis could not run: %1").arg(error));
                    m_findingList->setVisible(true);
                }
                if (errors == 0) {
                    run(true);
                    return;
                }
                m_pushAnyway->setVisible(true);
                m_rerun->setEnabled(true);
                setStage(
                    Stage::Findings,
                    tr("The analysis found %n error(s): the lanes would not work as designed, or what the "
                       "cluster holds would stop applying. Fix them, or Push Anyway to run the dry run.",
                       nullptr, errors));
            });
}

void PushDialog::pushAnyway()
{
    if (m_stage == Stage::Findings) {
        m_pushAnyway->setVisible(false);
        run(true);
    }
}

void PushDialog::run(bool dryRun)
{
    if (m_job || m_namespaceJob || m_analysisJob) {
        return; // one phase at a time
    }
    m_pushAnyway->setVisible(false);
    m_model->clear();
    m_missingNamespace.clear();
    m_createNamespace->setVisible(false);
    m_switchFlavor->setVisible(false);
    m_rerun->setEnabled(false);
    m_apply->setEnabled(false);
    m_force->setEnabled(false);
    m_prune->setEnabled(false);
    m_progress->setRange(0, m_resourceCount);
    m_progress->setValue(0);
    setStage(dryRun ? Stage::DryRun : Stage::Applying,
             dryRun ? tr("Dry run of %n resource(s) on the server…", nullptr, m_resourceCount)
                    : tr("Applying %n resource(s)…", nullptr, m_resourceCount));
    PushRequest request;
    request.dryRun = dryRun;
    request.force = m_force->isChecked();
    request.prune = m_prune->isChecked();
    // A flavor the cluster cannot take is said in the console's words, with the switch, before the server
    // is asked.
    m_advice = m_source ? m_source->flavorAdvice(m_group, m_render) : FlavorAdvice{};
    if (!m_advice.problem.isEmpty()) {
        m_prune->setEnabled(true);
        m_rerun->setEnabled(true);
        m_switchFlavor->setText(m_advice.switchText());
        m_switchFlavor->setToolTip(m_advice.problem);
        m_switchFlavor->setVisible(!m_advice.flavor.isEmpty());
        setStage(Stage::Failed, m_advice.problem);
        return;
    }
    PushJob *job = m_source ? m_source->push(m_group, m_render, request) : nullptr;
    if (!job) {
        setStage(Stage::Failed, tr("This target cannot push."));
        return;
    }
    m_job = job;
    job->setParent(this);
    connect(job, &PushJob::progress, this, [this](const QString &phase, int done, int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
        m_progress->setFormat(tr("%1: %v of %m").arg(phase));
    });
    connect(job, &PushJob::outcome, m_model, &PushResultModel::append);
    connect(job, &PushJob::namespaceMissing, this, &PushDialog::namespaceMissing);
    connect(job, &PushJob::finished, this, [this, job, dryRun](bool cancelled, const QString &error) {
        job->deleteLater();
        m_job.clear();
        phaseFinished(dryRun, cancelled, error);
    });
}

void PushDialog::namespaceMissing(const QString &ns)
{
    m_missingNamespace = ns;
    PushOutcome row;
    row.resource = tr("Namespace %1").arg(ns);
    row.result = PushOutcome::Result::Missing;
    row.message = tr("The namespace does not exist, so none of the %n resource(s) can be created in it.",
                     nullptr, m_resourceCount);
    m_model->append(row);
    // Like everything pushed, creating it is tried as a dry run first: the row says whether it would work.
    PushJob *job = m_source ? m_source->createNamespace(ns, true) : nullptr;
    if (!job) {
        return;
    }
    m_namespaceJob = job;
    job->setParent(this);
    connect(job, &PushJob::outcome, this, [this, ns](const PushOutcome &outcome) {
        if (m_model->outcomes().empty()) {
            return;
        }
        PushOutcome updated = m_model->outcomes().front();
        if (outcome.result == PushOutcome::Result::Failed) {
            updated.message += QLatin1Char(' ') + tr("Creating it would fail: %1").arg(outcome.message);
        } else {
            updated.message +=
                QLatin1Char(' ') +
                tr("A dry run of creating it passed: Create Namespace creates %1, then the dry "
                   "run of the group runs again.")
                    .arg(ns);
            m_createNamespace->setText(tr("Create &Namespace %1").arg(ns));
            m_createNamespace->setVisible(true);
        }
        m_model->clear();
        m_model->append(updated);
        fitColumns();
    });
    connect(job, &PushJob::finished, this, [this, job] {
        job->deleteLater();
        m_namespaceJob.clear();
        m_createNamespace->setEnabled(true);
    });
    m_createNamespace->setEnabled(false);
}

void PushDialog::createMissingNamespace()
{
    const QString ns = m_missingNamespace;
    PushJob *job =
        m_source && !ns.isEmpty() && !m_namespaceJob ? m_source->createNamespace(ns, false) : nullptr;
    if (!job) {
        return;
    }
    m_namespaceJob = job;
    job->setParent(this);
    m_createNamespace->setEnabled(false);
    m_rerun->setEnabled(false);
    setStage(Stage::Applying, tr("Creating namespace %1…").arg(ns));
    auto outcome = std::make_shared<PushOutcome>();
    connect(job, &PushJob::outcome, this, [outcome](const PushOutcome &o) { *outcome = o; });
    connect(job, &PushJob::finished, this, [this, job, outcome, ns](bool cancelled, const QString &error) {
        job->deleteLater();
        m_namespaceJob.clear();
        if (cancelled || !error.isEmpty() || outcome->result == PushOutcome::Result::Failed) {
            m_createNamespace->setEnabled(true);
            m_rerun->setEnabled(true);
            setStage(Stage::Failed, cancelled ? tr("Creating namespace %1 was cancelled.").arg(ns)
                                    : error.isEmpty()
                                        ? tr("Cannot create namespace %1: %2").arg(ns, outcome->message)
                                        : tr("Cannot create namespace %1: %2").arg(ns, error));
            return;
        }
        run(true); // the fix is in: the group's own dry run again
    });
}

void PushDialog::fitColumns()
{
    if (m_columnsResized) {
        return;
    }
    for (const int column : {PushResultModel::Resource, PushResultModel::Result}) {
        m_table->resizeColumnToContents(column);
    }
    // The message column keeps at least a third of the table.
    const int most = m_table->viewport()->width() * 2 / 3;
    const int resource = m_table->columnWidth(PushResultModel::Resource);
    if (resource > most - m_table->columnWidth(PushResultModel::Result)) {
        m_table->setColumnWidth(PushResultModel::Resource,
                                std::max(most - m_table->columnWidth(PushResultModel::Result), most / 2));
    }
}

void PushDialog::phaseFinished(bool dryRun, bool cancelled, const QString &error)
{
    m_prune->setEnabled(true);
    m_rerun->setEnabled(true);
    fitColumns();
    if (cancelled) {
        setStage(Stage::Failed, dryRun ? tr("Dry run cancelled; nothing was applied.")
                                       : tr("Apply cancelled; some resources may be applied."));
        return;
    }
    if (!error.isEmpty()) {
        setStage(Stage::Failed, error);
        return;
    }
    if (!m_missingNamespace.isEmpty()) {
        setStage(Stage::Failed, tr("Namespace %1 does not exist: create it, or put the group into another "
                                   "namespace. Nothing was written.")
                                    .arg(m_missingNamespace));
        return;
    }
    const int conflicts = m_model->conflictCount();
    const int failed = m_model->count(PushOutcome::Result::Failed) - conflicts;
    const QString counts = tr("%1 created, %2 configured, %3 unchanged, %4 pruned, %5 conflicts, %6 failed.")
                               .arg(m_model->count(PushOutcome::Result::Created))
                               .arg(m_model->count(PushOutcome::Result::Configured))
                               .arg(m_model->count(PushOutcome::Result::Unchanged))
                               .arg(m_model->count(PushOutcome::Result::Pruned))
                               .arg(conflicts)
                               .arg(failed);
    if (!dryRun) {
        setStage(failed + conflicts == 0 ? Stage::Done : Stage::Failed,
                 (failed + conflicts == 0 ? tr("Applied. ") : tr("Apply finished with errors. ")) + counts);
        return;
    }
    m_force->setVisible(conflicts > 0);
    m_force->setEnabled(true);
    const bool applicable = failed == 0;
    m_apply->setEnabled(applicable);
    if (conflicts > 0) {
        // Apply stays possible: without force the conflicting resources fail again and say why.
        m_apply->setToolTip(tr("Conflicting resources apply only with Force"));
    }
    setStage(Stage::Review, tr("Dry run, nothing written yet: %1").arg(counts) +
                                (applicable ? tr(" Apply to make these changes.")
                                            : tr(" Fix the failures before applying.")));
}

void PushDialog::setStage(Stage stage, const QString &message)
{
    m_stage = stage;
    m_summary->setText(message);
    const bool running = stage == Stage::Analyzing || stage == Stage::DryRun || stage == Stage::Applying;
    m_buttons->button(QDialogButtonBox::Cancel)->setText(running ? tr("&Cancel") : tr("&Close"));
}

void PushDialog::reject()
{
    if (m_analysisJob) {
        m_analysisJob->cancel();
        return;
    }
    if (m_job || m_namespaceJob) {
        for (const auto &job : {m_job, m_namespaceJob}) {
            if (job) {
                job->cancel();
            }
        }
        return; // finished() follows and updates the stage; the dialog stays to show what happened
    }
    QDialog::reject();
}

} // namespace lanedeck::ui

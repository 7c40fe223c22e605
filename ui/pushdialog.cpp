#include "ui/pushdialog.h"

#include "ui/lanecolors.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

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
    const bool bad = o.result == PushOutcome::Result::Failed;
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
      m_apply(new QPushButton(tr("&Apply"), this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("pushDialog"));
    setWindowTitle(tr("Push to %1").arg(targetName));
    auto *layout = new QVBoxLayout(this);
    m_summary->setObjectName(QStringLiteral("pushSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_table->setObjectName(QStringLiteral("pushResults"));
    m_table->setAccessibleName(tr("Push results"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTabKeyNavigation(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);
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
    layout->addWidget(m_buttons);
    connect(m_apply, &QPushButton::clicked, this, [this] { run(false); });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PushDialog::reject);
    resize(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 70, fontMetrics().height() * 28);
}

PushDialog::~PushDialog()
{
    if (m_job) {
        m_job->cancel();
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
    run(true);
}

void PushDialog::run(bool dryRun)
{
    m_model->clear();
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
    connect(job, &PushJob::finished, this, [this, job, dryRun](bool cancelled, const QString &error) {
        job->deleteLater();
        m_job.clear();
        phaseFinished(dryRun, cancelled, error);
    });
}

void PushDialog::phaseFinished(bool dryRun, bool cancelled, const QString &error)
{
    m_prune->setEnabled(true);
    if (cancelled) {
        setStage(Stage::Failed, dryRun ? tr("Dry run cancelled; nothing was applied.")
                                       : tr("Apply cancelled; some resources may be applied."));
        return;
    }
    if (!error.isEmpty()) {
        setStage(Stage::Failed, error);
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
    const bool running = stage == Stage::DryRun || stage == Stage::Applying;
    m_buttons->button(QDialogButtonBox::Cancel)->setText(running ? tr("&Cancel") : tr("&Close"));
}

void PushDialog::reject()
{
    if (m_job) {
        m_job->cancel();
        return; // finished() follows and updates the stage; the dialog stays to show what happened
    }
    QDialog::reject();
}

} // namespace lanedeck::ui

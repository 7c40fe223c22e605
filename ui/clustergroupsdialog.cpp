#include "ui/clustergroupsdialog.h"

#include "ui/lanecolors.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <memory>

namespace lanedeck::ui {

void ClusterGroupsModel::setGroups(const QList<ClusterGroup> &groups)
{
    beginResetModel();
    m_groups = groups;
    endResetModel();
}

QString ClusterGroupsModel::stateText(ClusterGroup::State state)
{
    switch (state) {
    case ClusterGroup::State::InSync:
        return tr("in sync");
    case ClusterGroup::State::Drifted:
        return tr("drifted");
    case ClusterGroup::State::PartlyMissing:
        return tr("partly missing");
    case ClusterGroup::State::Unreadable:
        return tr("unreadable");
    }
    return {};
}

int ClusterGroupsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_groups.size());
}

int ClusterGroupsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClusterGroupsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const ClusterGroup &g = m_groups[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return g.lanedeck ? g.name : tr("%1 (ASM's)").arg(g.name);
        case Namespace:
            return g.ns.isEmpty() ? tr("(cluster-scoped)") : g.ns;
        case Flavor:
            return flavorDisplayName(g.flavor);
        case Lanes:
            return g.lanes.join(QStringLiteral(", "));
        case Services:
            return g.services.join(QStringLiteral(", "));
        case State:
            return stateText(g.state);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == State && !g.problem.isEmpty()) {
            return g.problem;
        }
        if (index.column() == State && g.state != ClusterGroup::State::InSync) {
            return (g.missing + g.drifted).join(QLatin1Char('\n'));
        }
        return data(index, Qt::DisplayRole);
    case Qt::ForegroundRole:
        return index.column() == State && g.state != ClusterGroup::State::InSync ? QVariant(problemColor())
                                                                                 : QVariant();
    default:
        return {};
    }
}

QVariant ClusterGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case Name:
        return tr("Group");
    case Namespace:
        return tr("Namespace");
    case Flavor:
        return tr("Flavor");
    case Lanes:
        return tr("Lanes");
    case Services:
        return tr("Services");
    case State:
        return tr("State");
    default:
        return {};
    }
}

ClusterGroupsDialog::ClusterGroupsDialog(ClusterTargetSource *source, Mode mode, const QString &targetName,
                                         QWidget *parent)
    : QDialog(parent), m_source(source), m_mode(mode), m_model(new ClusterGroupsModel(this)),
      m_summary(new QLabel(this)), m_table(new QTableView(this)), m_details(new QPlainTextEdit(this)),
      m_refresh(new QPushButton(tr("&Refresh"), this)),
      m_act(new QPushButton(mode == Mode::Open ? tr("&Open") : tr("&Delete…"), this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Close, this))
{
    setObjectName(QStringLiteral("clusterGroupsDialog"));
    setWindowTitle(mode == Mode::Open ? tr("Open from %1").arg(targetName)
                                      : tr("Delete from %1").arg(targetName));
    auto *layout = new QVBoxLayout(this);
    m_summary->setObjectName(QStringLiteral("clusterGroupsSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table->setObjectName(QStringLiteral("clusterGroupsView"));
    m_table->setAccessibleName(tr("Lane groups in the cluster"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_details->setObjectName(QStringLiteral("clusterGroupDetails"));
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    splitter->addWidget(m_table);
    splitter->addWidget(m_details);
    layout->addWidget(splitter, 1);
    m_refresh->setObjectName(QStringLiteral("clusterGroupsRefreshButton"));
    m_act->setObjectName(QStringLiteral("clusterGroupsActButton"));
    m_act->setEnabled(false);
    m_buttons->addButton(m_refresh, QDialogButtonBox::ActionRole);
    m_buttons->addButton(m_act, mode == Mode::Open ? QDialogButtonBox::AcceptRole
                                                   : QDialogButtonBox::DestructiveRole);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_refresh, &QPushButton::clicked, this, &ClusterGroupsDialog::refresh);
    connect(m_act, &QPushButton::clicked, this, &ClusterGroupsDialog::actOnSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ClusterGroupsDialog::showDetails);
    connect(m_table, &QTableView::activated, this, [this] {
        if (m_mode == Mode::Open) {
            actOnSelected();
        }
    });
    m_confirm = [this](const QString &group, const QStringList &objects) {
        QMessageBox box(QMessageBox::Warning, tr("Delete %1?").arg(group),
                        tr("Delete lane group %1 from the cluster? %n object(s) go:", nullptr,
                           static_cast<int>(objects.size()))
                            .arg(group),
                        QMessageBox::Cancel, this);
        box.setInformativeText(objects.join(QLatin1Char('\n')));
        box.addButton(tr("&Delete"), QMessageBox::DestructiveRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        return box.buttonRole(box.clickedButton()) == QMessageBox::DestructiveRole;
    };
    resize(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 80, fontMetrics().height() * 30);
    refresh();
}

ClusterGroupsDialog::~ClusterGroupsDialog()
{
    if (m_list) {
        m_list->cancel();
    }
    if (m_import) {
        m_import->cancel();
    }
    if (m_delete) {
        m_delete->cancel();
    }
}

QString ClusterGroupsDialog::summary() const
{
    return m_summary->text();
}

void ClusterGroupsDialog::refresh()
{
    if (isRunning()) {
        return;
    }
    GroupListJob *job = m_source ? m_source->listGroups(QString()) : nullptr;
    if (!job) {
        m_summary->setText(tr("This target holds no lane groups to open or delete: connect to a cluster."));
        return;
    }
    m_list = job;
    job->setParent(this);
    m_refresh->setEnabled(false);
    m_act->setEnabled(false);
    m_summary->setText(tr("Reading the lane groups of every namespace…"));
    connect(job, &GroupListJob::finished, this,
            [this, job](const QList<ClusterGroup> &groups, bool cancelled, const QString &error) {
                job->deleteLater();
                m_list.clear();
                m_refresh->setEnabled(true);
                if (cancelled || !error.isEmpty()) {
                    m_summary->setText(cancelled ? tr("Cancelled.") : error);
                    return;
                }
                m_model->setGroups(groups);
                m_table->resizeColumnsToContents();
                m_summary->setText(groups.isEmpty() ? tr("The cluster holds no lane group.")
                                                    : tr("%n lane group(s) in the cluster.", nullptr,
                                                         static_cast<int>(groups.size())));
                if (!groups.isEmpty()) {
                    selectGroup(0);
                }
            });
}

void ClusterGroupsDialog::selectGroup(int row)
{
    m_table->setCurrentIndex(m_model->index(row, 0));
    showDetails();
}

void ClusterGroupsDialog::showDetails()
{
    const int row = m_table->currentIndex().row();
    if (row < 0 || row >= m_model->groups().size()) {
        m_details->clear();
        m_act->setEnabled(false);
        return;
    }
    const ClusterGroup &g = m_model->groups()[row];
    QStringList lines;
    lines << tr("%1: %2").arg(g.name, ClusterGroupsModel::stateText(g.state));
    if (!g.problem.isEmpty()) {
        lines << g.problem;
    }
    for (const QString &missing : g.missing) {
        lines << tr("missing: %1").arg(missing);
    }
    for (const QString &drifted : g.drifted) {
        lines << tr("differs: %1").arg(drifted);
    }
    lines << QString() << tr("Objects:");
    lines << g.objects;
    if (!g.diff.isEmpty()) {
        lines << QString() << tr("What differs (live → as the group generates it):") << g.diff;
    }
    m_details->setPlainText(lines.join(QLatin1Char('\n')));
    // ASM's own lane groups are its controller's: LaneDeck opens them when it can, never deletes them.
    m_act->setEnabled(!isRunning() &&
                      (m_mode == Mode::Open ? g.state != ClusterGroup::State::Unreadable : g.lanedeck));
    m_act->setToolTip(m_mode == Mode::Delete && !g.lanedeck
                          ? tr("ASM's controller made this group: delete it in ASM, not here")
                          : QString());
}

void ClusterGroupsDialog::actOnSelected()
{
    const int row = m_table->currentIndex().row();
    if (isRunning() || row < 0 || row >= m_model->groups().size() || !m_act->isEnabled()) {
        return;
    }
    const ClusterGroup group = m_model->groups()[row];
    if (m_mode == Mode::Delete) {
        runDelete(group, true);
        return;
    }
    ImportJob *job = m_source ? m_source->importGroup(group.name, group.ns) : nullptr;
    if (!job) {
        return;
    }
    m_import = job;
    job->setParent(this);
    m_act->setEnabled(false);
    m_summary->setText(tr("Reading %1…").arg(group.name));
    connect(job, &ImportJob::finished, this,
            [this, job](const LaneGroup &imported, const QString &flavor, const QStringList &notes,
                        bool cancelled, const QString &error) {
                job->deleteLater();
                m_import.clear();
                if (cancelled || !error.isEmpty()) {
                    m_summary->setText(cancelled ? tr("Cancelled.") : error);
                    showDetails();
                    return;
                }
                Q_EMIT this->imported(imported, flavor, notes);
                accept();
            });
}

void ClusterGroupsDialog::runDelete(const ClusterGroup &group, bool dryRun)
{
    PushJob *job = m_source ? m_source->deleteGroup(group.name, group.ns, dryRun) : nullptr;
    if (!job) {
        return;
    }
    m_delete = job;
    job->setParent(this);
    m_act->setEnabled(false);
    m_refresh->setEnabled(false);
    m_summary->setText(dryRun ? tr("Dry run of deleting %1…").arg(group.name)
                              : tr("Deleting %1…").arg(group.name));
    auto outcomes = std::make_shared<QList<PushOutcome>>();
    connect(job, &PushJob::outcome, this, [outcomes](const PushOutcome &o) { *outcomes << o; });
    connect(
        job, &PushJob::finished, this,
        [this, job, outcomes, group, dryRun](bool cancelled, const QString &error) {
            job->deleteLater();
            m_delete.clear();
            m_refresh->setEnabled(true);
            QStringList objects;
            QStringList failures;
            for (const auto &o : std::as_const(*outcomes)) {
                objects << o.resource;
                if (o.result == PushOutcome::Result::Failed) {
                    failures << tr("%1: %2").arg(o.resource, o.message);
                }
            }
            if (cancelled || !error.isEmpty() || !failures.isEmpty()) {
                m_summary->setText(cancelled ? tr("Cancelled; nothing more is deleted.")
                                             : (error.isEmpty() ? failures.join(QLatin1Char('\n')) : error));
                showDetails();
                return;
            }
            if (dryRun) {
                if (objects.isEmpty()) {
                    m_summary->setText(
                        tr("LaneDeck wrote no object of %1: nothing to delete.").arg(group.name));
                    showDetails();
                } else if (m_confirm && m_confirm(group.name, objects)) {
                    runDelete(group, false);
                } else {
                    m_summary->setText(tr("Nothing was deleted."));
                    showDetails();
                }
                return;
            }
            m_details->setPlainText(tr("Deleted:\n%1").arg(objects.join(QLatin1Char('\n'))));
            Q_EMIT deleted(group.name, group.ns);
            refresh();
            m_summary->setText(
                tr("Deleted %1 (%n object(s)).", nullptr, static_cast<int>(objects.size())).arg(group.name));
        });
}

} // namespace lanedeck::ui

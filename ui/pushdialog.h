#pragma once

#include "ui/clustertarget.h"

#include <QAbstractTableModel>
#include <QDialog>
#include <QPointer>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;

namespace lanedeck::ui {

/// The outcomes of one push phase, a row per resource, in the order the server answered.
class PushResultModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Resource,
        Result,
        Message,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void clear();
    void append(const PushOutcome &outcome);
    const std::vector<PushOutcome> &outcomes() const { return m_outcomes; }
    int count(PushOutcome::Result result) const;
    int conflictCount() const;

    static QString resultText(PushOutcome::Result result);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<PushOutcome> m_outcomes;
};

/// Pushes the lane group: a server-side dry run first, its outcome per resource for review, then the apply on
/// confirmation. Conflicts offer a force option, pruning is opt-in; both phases show progress and can be
/// cancelled.
class PushDialog final : public QDialog
{
    Q_OBJECT
public:
    enum class Stage
    {
        Analyzing, ///< the cluster analysis runs before the dry run
        Findings,  ///< the analysis found errors: Push Anyway runs the dry run regardless
        DryRun,
        Review,
        Applying,
        Done,
        Failed
    };

    PushDialog(ClusterTargetSource *source, LaneGroup group, mesh::RenderOptions render, int resourceCount,
               const QString &targetName, QWidget *parent = nullptr);
    ~PushDialog() override;

    Stage stage() const { return m_stage; }
    PushResultModel *model() const { return m_model; }

    /// Starts the dry run (the dialog calls it when shown).
    void start();
    /// Renders with `render` from now on (the operator took the flavor switch) and runs the dry run again.
    void setRender(const mesh::RenderOptions &render, int resourceCount);
    /// What the analysis before the dry run found.
    const QList<ClusterFinding> &findings() const { return m_findings; }
    /// Runs the dry run although the analysis found errors.
    void pushAnyway();
    /// The namespace the dry run found missing, or empty.
    QString missingNamespace() const { return m_missingNamespace; }
    /// Creates the missing namespace (a dry run of it ran already), then runs the dry run again.
    void createMissingNamespace();
    /// Cancel while a phase runs stops it (the dialog stays to show what happened); otherwise closes.
    void reject() override;

Q_SIGNALS:
    /// The operator took the offered flavor switch; the window changes the flavor and calls setRender().
    void flavorSwitchRequested(const lanedeck::ui::FlavorAdvice &advice);
    /// The analysis before the dry run finished (the window shows the findings in the Problems panel).
    void analyzed(const QList<lanedeck::ui::ClusterFinding> &findings);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void run(bool dryRun);
    void phaseFinished(bool dryRun, bool cancelled, const QString &error);
    void setStage(Stage stage, const QString &message);
    void namespaceMissing(const QString &ns);
    void analyzeFirst();
    void fitColumns();

    QPointer<ClusterTargetSource> m_source;
    LaneGroup m_group;
    mesh::RenderOptions m_render;
    int m_resourceCount;
    PushResultModel *m_model;
    QLabel *m_summary;
    QTableView *m_table;
    QProgressBar *m_progress;
    QCheckBox *m_force;
    QCheckBox *m_prune;
    QPushButton *m_apply;
    QPushButton *m_rerun;
    QPushButton *m_createNamespace;
    QPushButton *m_switchFlavor;
    QPushButton *m_pushAnyway;
    QListWidget *m_findingList;
    QDialogButtonBox *m_buttons;
    QPointer<PushJob> m_job;
    QPointer<PushJob> m_namespaceJob;
    QPointer<AnalysisJob> m_analysisJob;
    QList<ClusterFinding> m_findings;
    QString m_missingNamespace;
    FlavorAdvice m_advice;
    bool m_columnsResized = false;
    Stage m_stage = Stage::Analyzing;
    bool m_started = false;
};

} // namespace lanedeck::ui

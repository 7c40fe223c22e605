#pragma once

#include "lanes/lanegroup.h"
#include "ui/autosave.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QLabel;
class QMenu;
class QTabWidget;
class QTableView;

namespace lanedeck::ui {

class ClusterBar;
class ClusterTargetSource;
class DesignerView;
class DiffDialog;
class ExecApprovalPrompt;
class DocumentController;
struct IngressAddress;
class LanePathsModel;
class ProblemsModel;
class PushDialog;
class ResourcesView;
class SandboxTargetSource;
class TrafficPage;

/// LaneDeck's main window: the cluster bar, the designer, lane paths and resources tabs, the Problems panel,
/// and the file, edit and cluster actions around one document.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        QString autosaveDirectory; ///< empty: Autosaver::defaultDirectory()
        int autosaveIdleMs = -1;   ///< negative: from the settings (30 s by default)
    };

    explicit MainWindow(QWidget *parent = nullptr);
    MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    DocumentController *document() const { return m_document; }
    DesignerView *designer() const { return m_designer; }
    ResourcesView *resources() const { return m_resources; }
    ClusterBar *clusterBar() const { return m_clusterBar; }
    Autosaver *autosaver() const { return m_autosaver; }
    LanePathsModel *lanePathsModel() const { return m_pathsModel; }
    ProblemsModel *problemsModel() const { return m_problemsModel; }
    TrafficPage *trafficPage() const { return m_traffic; }
    /// The "Local sandbox" target: pushing to it runs the group in the in-process sandbox.
    SandboxTargetSource *sandboxTarget() const { return m_defaultSource; }
    /// For the cluster client's kube::ExecApprover: asks before a kubeconfig exec plugin first runs.
    ExecApprovalPrompt *execApproval() const { return m_execApproval; }

    /// Where push and diff go (not owned). The window starts with its local sandbox (sandboxTarget());
    /// lanedeck's main sets a CompositeTargetSource of the sandbox and the kubeconfig's contexts.
    void setTargetSource(ClusterTargetSource *source);

    /// Opens the push dialog for the current resources (a dry run first); nullptr when pushing is not
    /// possible.
    PushDialog *push();
    /// Opens the diff of the generated resources against the target's live ones; nullptr when not possible.
    DiffDialog *diff();
    /// Opens `path`. On failure returns false and sets `error`, or, without `error`, says why in a message
    /// box.
    bool openFile(const QString &path, QString *error = nullptr);
    /// Replaces the document (after the unsaved-changes prompt) by the seed scenario, as a new untitled
    /// group.
    bool openExample();
    /// Shows the tab named "designer", "paths", "resources" or "traffic".
    void showTab(const QString &name);
    /// Offers the autosaves of sessions that ended without saving; returns whether one was restored.
    bool offerRecovery();
    /// Restores one autosave as the current (modified) document and removes it.
    bool recover(const Recovery &recovery, QString *error);
    /// Recolours what the palette alone does not reach (the YAML highlighter) for a dark or light palette.
    void setDarkPalette(bool dark);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createCentralWidget();
    QWidget *createPathsPage();
    void createProblemsDock();
    void createStatusBar();
    void createActions();
    void createMenus();
    void connectDocument();
    void connectPages();
    void connectTargets();
    void restoreSettings();
    void updateTitle();
    void updateRecentMenu();
    void updatePushState();
    bool sandboxSelected() const;
    void followTarget(const QString &id);
    void requestIngress();
    void showIngress(const IngressAddress &address);
    bool maybeSave();
    void newDocument();
    void open();
    bool save();
    bool saveAs();

    QString m_autosaveDirectory;
    DocumentController *m_document;
    Autosaver *m_autosaver;
    SandboxTargetSource *m_defaultSource;
    ClusterBar *m_clusterBar;
    QTabWidget *m_tabs;
    DesignerView *m_designer;
    ResourcesView *m_resources;
    TrafficPage *m_traffic;
    LanePathsModel *m_pathsModel;
    ProblemsModel *m_problemsModel;
    QTableView *m_problems;
    ExecApprovalPrompt *m_execApproval;
    QLabel *m_validity;
    QMenu *m_recentMenu = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_exampleAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_exportFileAction = nullptr;
    QAction *m_exportDirectoryAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_normalizeAction = nullptr;
    QAction *m_diffAction = nullptr;
    QAction *m_pushAction = nullptr;
    bool m_darkPalette = false;
    // The traffic page's target follows the selected cluster target: the ingress address is asked for once
    // the cluster is connected, and again when the document's ingress changes.
    bool m_ingressWanted = false;
    std::optional<Ingress> m_ingressAsked;
};

} // namespace lanedeck::ui

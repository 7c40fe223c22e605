#include "ui/mainwindow.h"

#include "base/k8snames.h"
#include "lanes/document.h"
#include "ui/clusterbar.h"
#include "ui/clustergroupsdialog.h"
#include "ui/clustertarget.h"
#include "ui/designerview.h"
#include "ui/diffdialog.h"
#include "ui/documentcontroller.h"
#include "ui/execapproval.h"
#include "ui/helpdialogs.h"
#include "ui/lanecolors.h"
#include "ui/lanepainting.h"
#include "ui/lanepathsmodel.h"
#include "ui/problemsmodel.h"
#include "ui/pushdialog.h"
#include "ui/qtconvert.h"
#include "ui/resourcesview.h"
#include "ui/resourcetreemodel.h"
#include "ui/rolloutpanel.h"
#include "ui/sandboxtarget.h"
#include "ui/settings.h"
#include "ui/telemetrypanel.h"
#include "ui/topologyview.h"
#include "ui/trafficpage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFocusFrame>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

namespace lanedeck::ui {
namespace {
const QString kFileFilter = QStringLiteral("Lane groups (*.lanes.yaml *.yaml *.yml);;All files (*)");

/// The window icon in every size resources/icons holds.
QIcon lanedeckIcon()
{
    QIcon icon;
    for (int size : {16, 32, 48, 128, 256}) {
        icon.addFile(QStringLiteral(":/lanedeck/icons/hicolor/%1x%1/lanedeck.png").arg(size),
                     QSize(size, size));
    }
    return icon;
}
} // namespace

MainWindow::MainWindow(QWidget *parent) : MainWindow(Options{}, parent) {}

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent),
      m_autosaveDirectory(options.autosaveDirectory.isEmpty() ? Autosaver::defaultDirectory()
                                                              : options.autosaveDirectory),
      m_document(new DocumentController(this)),
      m_autosaver(new Autosaver(m_document, m_autosaveDirectory,
                                options.autosaveIdleMs >= 0 ? options.autosaveIdleMs
                                                            : UiSettings().autosaveSeconds() * 1000,
                                this)),
      m_defaultSource(new SandboxTargetSource(this)), m_clusterBar(new ClusterBar(this)),
      m_tabs(new QTabWidget(this)), m_designer(new DesignerView(m_document, this)),
      m_resources(new ResourcesView(m_document, this)), m_traffic(new TrafficPage(m_document, this)),
      m_topology(new TopologyView(m_document, this)), m_pathsModel(new LanePathsModel(m_document, this)),
      m_problemsModel(new ProblemsModel(m_document, this)), m_problems(new QTableView(this)),
      m_execApproval(new ExecApprovalPrompt(this, this)), m_validity(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(lanedeckIcon());
    createCentralWidget();
    createProblemsDock();
    createStatusBar();
    createFocusRing();
    createActions();
    createMenus();
    connectDocument();
    connectPages();
    connectTargets();
    restoreSettings();
    followProblems();
    setTargetSource(m_defaultSource);
    updateTitle();
    updatePushState();
    statusBar()->showMessage(tr("Ready"), 3000);
}

/// The Problems panel takes room only while it has something to show: it opens when the first problem appears
/// and closes when the last is fixed (View > Problems still toggles it in between). After restoreSettings(),
/// which may have reopened it.
void MainWindow::followProblems()
{
    auto *dock = findChild<QDockWidget *>(QStringLiteral("problemsDock"));
    const auto follow = [this, dock] {
        const bool any = m_problemsModel->rowCount() > 0;
        if (any != m_hadProblems) {
            m_hadProblems = any;
            dock->setVisible(any);
        }
    };
    m_hadProblems = m_problemsModel->rowCount() == 0;
    follow();
    connect(m_problemsModel, &QAbstractItemModel::modelReset, this, follow);
    connect(m_problemsModel, &QAbstractItemModel::rowsInserted, this, follow);
    connect(m_problemsModel, &QAbstractItemModel::rowsRemoved, this, follow);
}

/// The cluster bar above the tabs: designer, lane paths, resources, traffic, topology.
void MainWindow::createCentralWidget()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_clusterBar->setObjectName(QStringLiteral("clusterBar"));
    layout->addWidget(m_clusterBar);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->tabBar()->setAccessibleName(tr("Pages"));
    m_designer->setObjectName(QStringLiteral("designer"));
    m_resources->setObjectName(QStringLiteral("resourcesView"));
    m_tabs->addTab(m_designer, tr("Designer"));
    m_tabs->addTab(createPathsPage(), tr("Lane paths"));
    m_tabs->addTab(m_resources, tr("Resources"));
    m_tabs->addTab(m_traffic, tr("Traffic"));
    m_topology->setObjectName(QStringLiteral("topologyView"));
    m_tabs->addTab(m_topology, tr("Topology"));
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
}

/// The lane paths table with a line that says how to read it.
QWidget *MainWindow::createPathsPage()
{
    auto *paths = new QTableView(this);
    paths->setObjectName(QStringLiteral("lanePathsView"));
    paths->setAccessibleName(tr("Lane paths"));
    paths->setModel(m_pathsModel);
    paths->setItemDelegate(new LanePathDelegate(paths));
    paths->setSelectionBehavior(QAbstractItemView::SelectRows);
    paths->setEditTriggers(QAbstractItemView::NoEditTriggers);
    paths->setTabKeyNavigation(false);
    paths->verticalHeader()->setVisible(false);
    paths->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    paths->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    paths->horizontalHeader()->setStretchLastSection(true);
    paths->setShowGrid(false);
    auto *pathsPage = new QWidget(this);
    auto *pathsLayout = new QVBoxLayout(pathsPage);
    auto *pathsHint =
        new QLabel(tr("The versions a request of each lane reaches, from the entry service along the "
                      "call graph. Dashed hops fall back to the baseline lane."),
                   pathsPage);
    pathsHint->setWordWrap(true);
    pathsLayout->addWidget(pathsHint);
    pathsLayout->addWidget(paths, 1);
    return pathsPage;
}

/// The Problems panel at the bottom (Ctrl+4 shows and hides it).
void MainWindow::createProblemsDock()
{
    auto *dock = new QDockWidget(tr("Problems"), this);
    dock->setObjectName(QStringLiteral("problemsDock"));
    m_problems->setObjectName(QStringLiteral("problemsView"));
    m_problems->setAccessibleName(tr("Problems"));
    m_problems->setModel(m_problemsModel);
    m_problems->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problems->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_problems->setTabKeyNavigation(false);
    m_problems->verticalHeader()->setVisible(false);
    m_problems->horizontalHeader()->setSectionResizeMode(ProblemsModel::Field, QHeaderView::ResizeToContents);
    m_problems->horizontalHeader()->setSectionResizeMode(ProblemsModel::Message, QHeaderView::Stretch);
    m_problems->horizontalHeader()->setSectionResizeMode(ProblemsModel::Source,
                                                         QHeaderView::ResizeToContents);
    m_problems->setWordWrap(false);
    m_problems->verticalHeader()->setDefaultSectionSize(m_problems->fontMetrics().height() + 6);
    dock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    // Five problems at once: a new group has several, and three rows hid the rest.
    resizeDocks({dock},
                {m_problems->verticalHeader()->defaultSectionSize() * 5 +
                 m_problems->horizontalHeader()->sizeHint().height() + fontMetrics().height() * 2},
                Qt::Vertical);
    dock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
}

void MainWindow::createStatusBar()
{
    m_validity->setObjectName(QStringLiteral("validityLabel"));
    statusBar()->addPermanentWidget(m_validity);
}

/// Item views and text views show the focus only on a current cell or as a cursor; empty or read-only,
/// nothing showed where the focus was. A ring around the focused one, in the highlight colour, does.
void MainWindow::createFocusRing()
{
    auto *focusRing = new QFocusFrame(this);
    focusRing->setObjectName(QStringLiteral("focusRing"));
    QPalette ringPalette = focusRing->palette();
    ringPalette.setColor(QPalette::WindowText, palette().color(QPalette::Highlight));
    focusRing->setPalette(ringPalette);
    focusRing->hide();
    connect(qApp, &QApplication::focusChanged, focusRing, [this, focusRing](QWidget *, QWidget *now) {
        auto *area = qobject_cast<QAbstractScrollArea *>(now);
        focusRing->setWidget(area && area->window() == this ? area : nullptr);
    });
}

/// The title, the push state and the status line follow the document and its undo stack.
void MainWindow::connectDocument()
{
    connect(m_document, &DocumentController::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &DocumentController::filePathChanged, this, &MainWindow::updateTitle);
    connect(m_document, &DocumentController::groupChanged, this, &MainWindow::updatePushState);
    // Say what an edit, undo or redo did, since its effect may be in another part of the window.
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this, [this](int index) {
        const QUndoStack *stack = m_document->undoStack();
        if (index > 0 && index <= stack->count()) {
            statusBar()->showMessage(stack->text(index - 1), 3000);
        }
    });
}

/// Messages and settings from the pages; a problem's row leads to its field in the designer.
void MainWindow::connectPages()
{
    connect(m_problems, &QTableView::activated, this, [this](const QModelIndex &index) {
        m_tabs->setCurrentWidget(m_designer);
        // A cluster finding points at a lane x service cell, or at a service; the document's at a field.
        const QString lane = index.data(ProblemsModel::LaneRole).toString();
        const QString service = index.data(ProblemsModel::ServiceRole).toString();
        if (!lane.isEmpty() && m_designer->revealLaneService(lane, service)) {
            return;
        }
        const auto &services = m_document->group().services;
        for (std::size_t i = 0; i < services.size(); ++i) {
            if (!service.isEmpty() && toQString(services[i].name) == service) {
                m_designer->revealField(QStringLiteral("spec.services[%1]").arg(i));
                return;
            }
        }
        m_designer->revealField(index.data(ProblemsModel::FieldPathRole).toString());
    });

    connect(m_resources, &ResourcesView::statusMessage, this,
            [this](const QString &m) { statusBar()->showMessage(m, 5000); });
    connect(m_resources, &ResourcesView::optionsChanged, this, [this] {
        UiSettings settings;
        settings.setFlavor(m_resources->flavorName());
        settings.setApiVersion(m_resources->apiVersionName());
        m_clusterBar->setFlavor(m_resources->flavorName());
        updateFlavorAdvice();
        m_clusterRefresh->start();
    });
    // One flavor, shown in two places: the cluster bar (where push and diff are) and the Resources tab.
    connect(m_clusterBar, &ClusterBar::flavorChanged, this, [this](const QString &flavor) {
        m_resources->setOptions(flavor, m_resources->apiVersionName());
    });
    connect(m_clusterBar, &ClusterBar::adviceTaken, this, &MainWindow::takeFlavorAdvice);
    // One namespace: the document's, unless the operator chose another in the cluster bar for this document;
    // the preview, the diff and the push all follow it.
    connect(m_clusterBar, &ClusterBar::namespaceOverrideChanged, this, [this](const QString &ns) {
        m_resources->setNamespaceOverride(ns);
        updatePushState();
        m_clusterRefresh->start();
    });
    connect(m_document, &DocumentController::documentReplaced, this, [this] {
        m_clusterBar->setNamespaceOverride(QString());
        m_clusterBar->setDrift(QString(), false); // the previous document's; checked again shortly
    });
    m_clusterRefresh = new QTimer(this);
    m_clusterRefresh->setSingleShot(true);
    m_clusterRefresh->setInterval(400);
    connect(m_clusterRefresh, &QTimer::timeout, this, &MainWindow::updateFlavorAdvice);
    connect(m_clusterRefresh, &QTimer::timeout, this, &MainWindow::refreshDrift);
    connect(m_clusterRefresh, &QTimer::timeout, this, [this] { runAnalysis(false); });
    connect(m_document, &DocumentController::groupChanged, this, [this] {
        m_clusterBar->setDocumentNamespace(QString::fromStdString(m_document->group().ns));
        m_clusterRefresh->start();
    });
    connect(m_designer, &DesignerView::statusMessage, this,
            [this](const QString &m) { statusBar()->showMessage(m, 5000); });
    connect(m_traffic, &TrafficPage::statusMessage, this,
            [this](const QString &m) { statusBar()->showMessage(m, 5000); });
    connect(m_topology, &TopologyView::statusMessage, this,
            [this](const QString &m) { statusBar()->showMessage(m, 5000); });
    // The topology's edges carry the Traffic page's active source: the sampler's snapshots or the mesh's
    // telemetry, which keeps refreshing while the Topology tab shows it.
    connect(m_traffic, &TrafficPage::liveTrafficChanged, m_topology,
            [this] { m_topology->setTraffic(m_traffic->liveTraffic()); });
    connect(m_tabs, &QTabWidget::currentChanged, m_traffic,
            [this] { m_traffic->setWatchedElsewhere(m_tabs->currentWidget() == m_topology); });
}

/// The traffic page's target, the saved target and the push state follow the cluster bar.
void MainWindow::connectTargets()
{
    // The traffic page's target follows the cluster bar: the sandbox's gateway (a push to it restarts the
    // statistics against the pushed weights), or a cluster's ingress gateway, looked up once connected.
    // (m_traffic as the context: setTargetSource() cuts the previous source's connections to this window.)
    connect(m_defaultSource, &SandboxTargetSource::gatewayChanged, m_traffic, [this] {
        if (sandboxSelected()) {
            followTarget(m_clusterBar->currentTargetId());
        }
    });
    connect(m_clusterBar, &ClusterBar::targetChanged, this, &MainWindow::followTarget);
    // The Rollout panel runs on the window's sandbox, and opens a plan's group in the window when asked.
    m_traffic->rolloutPanel()->setSandbox(m_defaultSource);
    connect(m_traffic->rolloutPanel(), &RolloutPanel::groupFileRequested, this, [this](const QString &path) {
        if (m_document->filePath() != path && maybeSave()) {
            openFile(path);
        }
    });
    connect(m_document, &DocumentController::groupChanged, this, [this] {
        if (m_ingressAsked && *m_ingressAsked != m_document->group().ingress) {
            requestIngress();
        }
    });
    connect(m_autosaver, &Autosaver::failed, this, [this](const QString &m) { statusBar()->showMessage(m); });
    connect(m_clusterBar, &ClusterBar::targetChanged, this,
            [](const QString &id) { UiSettings().setLastTarget(id); });
    connect(m_clusterBar, &ClusterBar::stateChanged, this, &MainWindow::updatePushState);
    connect(m_clusterBar, &ClusterBar::stateChanged, this, [this](ConnectionState state) {
        updateFlavorAdvice();
        if (state == ConnectionState::Connected) {
            m_clusterRefresh->start();
            if (!m_clusterRead) { // once per connection: the source says Connected again as it learns more
                m_clusterRead = true;
                runAnalysis(true);
            }
        } else {
            m_clusterRead = false;
            m_clusterBar->setDrift(QString(), false);
            m_problemsModel->setClusterFindings({});
        }
    });
}

MainWindow::~MainWindow()
{
    // ~QUndoStack clears the stack and signals indexChanged while this window is already half destroyed.
    m_document->undoStack()->disconnect(this);
    // A running rollout pushes to this window's sandbox: it ends first.
    m_traffic->rolloutPanel()->shutdown();
    // Background cluster work of this window ends with it.
    if (m_analysisJob) {
        m_analysisJob->cancel();
    }
    if (m_driftJob) {
        m_driftJob->cancel();
    }
}

void MainWindow::createActions()
{
    auto make = [this](const QString &text, const QKeySequence &shortcut, QStyle::StandardPixmap icon,
                       const QString &tip) {
        auto *action = new QAction(style()->standardIcon(icon, nullptr, this), text, this);
        action->setShortcut(shortcut);
        action->setStatusTip(tip);
        action->setToolTip(tip);
        return action;
    };
    m_newAction = make(tr("&New"), QKeySequence::New, QStyle::SP_FileIcon, tr("Start a new lane group"));
    m_openAction =
        make(tr("&Open…"), QKeySequence::Open, QStyle::SP_DialogOpenButton, tr("Open a lane group document"));
    m_exampleAction = make(tr("Open E&xample"), QKeySequence(), QStyle::SP_FileDialogInfoView,
                           tr("Open the seed scenario: mocka → mockb → mockc in lanes s1, s2, s3"));
    m_exampleAction->setObjectName(QStringLiteral("openExampleAction"));
    m_saveAction =
        make(tr("&Save"), QKeySequence::Save, QStyle::SP_DialogSaveButton, tr("Save the lane group"));
    m_saveAsAction = make(tr("Save &As…"), QKeySequence::SaveAs, QStyle::SP_DialogSaveButton,
                          tr("Save the lane group under a new name"));
    m_exportFileAction = make(tr("&Export Resources…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                              QStyle::SP_ArrowDown, tr("Write the generated resources to one YAML file"));
    m_exportGraphAction = make(tr("Export &Graph…"), QKeySequence(), QStyle::SP_DriveFDIcon,
                               tr("Write the topology picture as SVG or PNG (the same as lanectl graph)"));
    m_exportGraphAction->setObjectName(QStringLiteral("exportGraphAction"));
    connect(m_exportGraphAction, &QAction::triggered, this, &MainWindow::exportGraph);
    m_exportDirectoryAction =
        make(tr("Export Resources to &Directory…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
             QStyle::SP_DirIcon, tr("Write one file per resource and a kustomization.yaml"));
    m_quitAction = make(tr("&Quit"), QKeySequence::Quit, QStyle::SP_DialogCloseButton, tr("Quit LaneDeck"));
    m_undoAction = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_undoAction->setIcon(style()->standardIcon(QStyle::SP_ArrowBack, nullptr, this));
    m_redoAction = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setShortcut(QKeySequence::Redo);
    m_redoAction->setIcon(style()->standardIcon(QStyle::SP_ArrowForward, nullptr, this));
    m_normalizeAction = make(tr("&Normalize Weights"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N),
                             QStyle::SP_BrowserReload, tr("Scale the lane weights so they add up to 100%"));
    m_diffAction = make(tr("&Diff Against Cluster…"), QKeySequence(Qt::CTRL | Qt::Key_D),
                        QStyle::SP_FileDialogContentsView, QString());
    m_pushAction = make(tr("&Push…"), QKeySequence(Qt::CTRL | Qt::Key_P), QStyle::SP_ArrowUp, QString());
    m_pushAction->setObjectName(QStringLiteral("pushAction"));
    m_saveAsAction->setObjectName(QStringLiteral("saveAsAction"));
    m_openFromClusterAction = make(tr("&Open from Cluster…"), QKeySequence(), QStyle::SP_DirOpenIcon,
                                   tr("Open a lane group that lives in the connected cluster"));
    m_openFromClusterAction->setObjectName(QStringLiteral("openFromClusterAction"));
    m_deleteFromClusterAction = make(tr("D&elete from Cluster…"), QKeySequence(), QStyle::SP_TrashIcon,
                                     tr("Delete a lane group's objects from the connected cluster"));
    m_deleteFromClusterAction->setObjectName(QStringLiteral("deleteFromClusterAction"));
    connect(m_openFromClusterAction, &QAction::triggered, this, &MainWindow::openFromCluster);
    connect(m_deleteFromClusterAction, &QAction::triggered, this, &MainWindow::deleteFromCluster);
    m_adoptAction =
        make(tr("&Adopt Shadowed Settings"), QKeySequence(), QStyle::SP_DialogApplyButton,
             tr("Carry the timeouts, retries and traffic policies of the cluster's own "
                "VirtualServices and DestinationRules for the group's services into the document"));
    m_adoptAction->setObjectName(QStringLiteral("adoptAction"));
    m_adoptAction->setEnabled(false);
    connect(m_adoptAction, &QAction::triggered, this, &MainWindow::adoptShadowedSettings);
    m_diffAction->setObjectName(QStringLiteral("diffAction"));
    m_exportFileAction->setObjectName(QStringLiteral("exportFileAction"));
    m_exportDirectoryAction->setObjectName(QStringLiteral("exportDirectoryAction"));

    connect(m_newAction, &QAction::triggered, this, &MainWindow::newDocument);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::open);
    connect(m_exampleAction, &QAction::triggered, this, &MainWindow::openExample);
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::save);
    connect(m_saveAsAction, &QAction::triggered, this, &MainWindow::saveAs);
    connect(m_exportFileAction, &QAction::triggered, m_resources, &ResourcesView::exportFileInteractively);
    connect(m_exportDirectoryAction, &QAction::triggered, m_resources,
            &ResourcesView::exportDirectoryInteractively);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    connect(m_normalizeAction, &QAction::triggered, m_document, &DocumentController::normalizeWeights);
    connect(m_pushAction, &QAction::triggered, this, &MainWindow::push);
    connect(m_diffAction, &QAction::triggered, this, &MainWindow::diff);

    auto *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(m_newAction);
    toolbar->addAction(m_openAction);
    toolbar->addAction(m_saveAction);
    toolbar->addSeparator();
    // The toolbar says "Undo" and "Redo" only, with what they would do in the tooltip: the menu's texts
    // ("Undo Set label value of lane canary") made the toolbar change width with every edit.
    for (QAction *menuAction : {m_undoAction, m_redoAction}) {
        const bool undo = menuAction == m_undoAction;
        auto *tool = new QAction(menuAction->icon(), undo ? tr("Undo") : tr("Redo"), toolbar);
        tool->setObjectName(undo ? QStringLiteral("undoToolAction") : QStringLiteral("redoToolAction"));
        connect(tool, &QAction::triggered, menuAction, &QAction::trigger);
        auto follow = [tool, menuAction] {
            tool->setEnabled(menuAction->isEnabled());
            QString what = menuAction->text();
            what.remove(QLatin1Char('&'));
            tool->setToolTip(
                tr("%1 (%2)").arg(what, menuAction->shortcut().toString(QKeySequence::NativeText)));
            tool->setStatusTip(what);
        };
        connect(menuAction, &QAction::changed, tool, follow);
        follow();
        toolbar->addAction(tool);
    }
    toolbar->addSeparator();
    toolbar->addAction(m_exportFileAction);
    toolbar->addAction(m_diffAction);
    toolbar->addAction(m_pushAction);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(m_exampleAction);
    file->addSeparator();
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    file->addSeparator();
    file->addAction(m_exportFileAction);
    file->addAction(m_exportDirectoryAction);
    file->addAction(m_exportGraphAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);
    edit->addSeparator();
    edit->addAction(m_normalizeAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QStringList names = {tr("&Designer"), tr("Lane &Paths"), tr("&Resources")};
    for (int i = 0; i < names.size(); ++i) {
        auto *action = view->addAction(names[i]);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
    }
    auto *traffic = view->addAction(tr("&Traffic"));
    traffic->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    connect(traffic, &QAction::triggered, this, [this] { m_tabs->setCurrentWidget(m_traffic); });
    auto *topology = view->addAction(tr("T&opology"));
    topology->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    connect(topology, &QAction::triggered, this, [this] { m_tabs->setCurrentWidget(m_topology); });
    view->addSeparator();
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("problemsDock"))) {
        view->addAction(dock->toggleViewAction());
    }

    QMenu *cluster = menuBar()->addMenu(tr("&Cluster"));
    cluster->addAction(m_diffAction);
    cluster->addAction(m_pushAction);
    cluster->addSeparator();
    cluster->addAction(m_adoptAction);
    cluster->addSeparator();
    cluster->addAction(m_openFromClusterAction);
    cluster->addAction(m_deleteFromClusterAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *docs =
        help->addAction(tr("&Documentation"), this, [this] { documentationDialog(this)->show(); });
    docs->setShortcut(QKeySequence::HelpContents);
    docs->setObjectName(QStringLiteral("documentationAction"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QList<QAction *> actions;
        for (QAction *menu : menuBar()->actions()) {
            if (menu->menu()) {
                actions << menu->menu()->actions();
            }
        }
        shortcutsDialog(actions, this)->show();
    });
    keys->setObjectName(QStringLiteral("shortcutsAction"));
    help->addAction(m_exampleAction);
    help->addSeparator();
    help->addAction(tr("&About LaneDeck"), this, [this] {
        QMessageBox::about(
            this, tr("About LaneDeck"),
            tr("<h3>LaneDeck %1</h3><p>Design, preview, push and demonstrate traffic lanes on Istio "
               "and Alibaba Cloud ASM meshes.</p>")
                .arg(QApplication::applicationVersion()));
    });
    updateRecentMenu();
}

void MainWindow::restoreSettings()
{
    UiSettings settings;
    if (!settings.windowGeometry().isEmpty()) {
        restoreGeometry(settings.windowGeometry());
    } else {
        resize(1280, 820);
    }
    if (!settings.windowState().isEmpty()) {
        restoreState(settings.windowState());
    }
    m_resources->setOptions(settings.flavor(), settings.apiVersion());
    m_clusterBar->setFlavor(m_resources->flavorName());
    m_clusterBar->setDocumentNamespace(QString::fromStdString(m_document->group().ns));
}

void MainWindow::setTargetSource(ClusterTargetSource *source)
{
    if (ClusterTargetSource *previous = m_clusterBar->source()) {
        disconnect(previous, nullptr, this, nullptr);
        disconnect(previous, nullptr, m_designer, nullptr);
    }
    connect(source, &ClusterTargetSource::inventoryChanged, m_designer, &DesignerView::setInventory);
    // The mesh-telemetry view maps workloads to lanes through the connected cluster's inventory, and reaches
    // its Prometheus through the cluster's API server when asked to.
    connect(source, &ClusterTargetSource::inventoryChanged, this, [this](const ClusterInventory &inventory) {
        m_traffic->telemetryPanel()->setInventory(inventory.detail);
    });
    connect(source, &ClusterTargetSource::stateChanged, this,
            [this, source](ConnectionState state, const QString &message) {
                m_traffic->telemetryPanel()->setCluster(
                    m_clusterBar->currentTargetId(),
                    state == ConnectionState::Connected ? source->apiClientFactory() : KubeClientFactory());
                if (state == ConnectionState::Connected) {
                    source->requestInventory();
                    if (m_ingressWanted) {
                        requestIngress();
                    }
                } else if (state == ConnectionState::Failed && m_ingressWanted) {
                    m_traffic->setTargetUrl(QString(), tr("⚠ No ingress address: %1").arg(message));
                }
            });
    connect(source, &ClusterTargetSource::ingressResolved, this, &MainWindow::showIngress);
    // A push to the target restarts the traffic statistics against the pushed weights (the live canary).
    connect(source, &ClusterTargetSource::applied, this, [this](const LaneGroup &group) {
        m_traffic->targetApplied(group);
        m_clusterRefresh->start(); // the drift indicator follows the push
    });
    m_clusterBar->setSource(source);
    m_clusterBar->selectTarget(UiSettings().lastTarget());
    updatePushState();
}

void MainWindow::updateTitle()
{
    // QGuiApplication::applicationDisplayName ("LaneDeck") is appended by Qt where the platform shows it. A
    // saved document is the window's file path, from which Qt makes the title, "[*]" included.
    const QString path = m_document->filePath();
    setWindowFilePath(path);
    setWindowTitle(path.isEmpty() ? tr("%1[*]").arg(m_document->displayName()) : QString());
    setWindowModified(m_document->isModified());
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = UiSettings().recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        auto *action = m_recentMenu->addAction(tr("&%1 %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] {
            if (maybeSave()) {
                openFile(path);
            }
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::updatePushState()
{
    // A group without a namespace is pushed, diffed and previewed into the one chosen in the cluster bar
    // ("Into another namespace"): then its missing metadata.namespace is no obstacle (the choice is checked
    // below); everything else is.
    const bool namespaceChosen = !m_clusterBar->namespaceOverride().isEmpty();
    std::vector<Diagnostic> diagnostics;
    for (const auto &d : m_document->diagnostics().all()) {
        if (!(namespaceChosen && d.field == "metadata.namespace" && m_document->group().ns.empty())) {
            diagnostics.push_back(d);
        }
    }
    QString reason;
    if (!diagnostics.empty()) {
        reason = tr("The lane group has %n problem(s); fix them to push (first: %1)", nullptr,
                    static_cast<int>(diagnostics.size()))
                     .arg(toQString(diagnostics.front().toString()));
        m_validity->setText(tr("⚠ %n problem(s)", nullptr, static_cast<int>(diagnostics.size())));
        QPalette palette = m_validity->palette();
        palette.setColor(QPalette::WindowText, problemColor());
        m_validity->setPalette(palette);
    } else {
        m_validity->setText(tr("✓ Valid"));
        m_validity->setPalette(QPalette());
    }
    m_validity->setToolTip(reason.isEmpty() ? tr("The lane group is valid and can be rendered.") : reason);
    const QString other = m_clusterBar->namespaceOverride();
    if (const auto bad = k8s::checkDns1123Label(other.toStdString());
        reason.isEmpty() && !other.isEmpty() && bad) {
        reason = tr("The cluster bar's other namespace '%1' is not a valid namespace name: %2")
                     .arg(other, QString::fromStdString(*bad));
    }
    const ClusterTargetSource *source = m_clusterBar->source();
    if (reason.isEmpty() && !(source && source->canPush())) {
        reason = tr("%1 cannot push or diff yet: the cluster client is not connected to this window.")
                     .arg(m_clusterBar->currentTargetName());
    }
    m_pushAction->setEnabled(reason.isEmpty());
    m_pushAction->setToolTip(reason.isEmpty() ? tr("Dry-run the resources on the target, then apply them")
                                              : reason);
    m_pushAction->setStatusTip(m_pushAction->toolTip());
    m_diffAction->setEnabled(reason.isEmpty());
    m_diffAction->setToolTip(reason.isEmpty() ? tr("Compare the generated resources with the live ones")
                                              : reason);
    m_diffAction->setStatusTip(m_diffAction->toolTip());
    const bool canReach = source && source->canPush();
    m_openFromClusterAction->setEnabled(canReach);
    m_deleteFromClusterAction->setEnabled(canReach);
    // Validation is the gate: rendering a large group on every keystroke just to grey out a menu is too slow,
    // and the rare flavor-specific refusal is reported when exporting.
    const QString exportReason = diagnostics.empty() ? QString() : m_validity->toolTip();
    for (QAction *action : {m_exportFileAction, m_exportDirectoryAction}) {
        action->setEnabled(diagnostics.empty());
        action->setStatusTip(exportReason.isEmpty() ? action->toolTip() : exportReason);
    }
}

void MainWindow::updateFlavorAdvice()
{
    const ClusterTargetSource *source = m_clusterBar->source();
    m_clusterBar->setFlavorAdvice(
        source && m_clusterBar->state() == ConnectionState::Connected
            ? source->flavorAdvice(m_resources->targetGroup(), m_resources->options())
            : FlavorAdvice{});
}

void MainWindow::refreshDrift()
{
    if (m_driftJob) {
        m_driftJob->disconnect(this);
        m_driftJob->cancel();
        m_driftJob->deleteLater();
        m_driftJob.clear();
    }
    ClusterTargetSource *source = m_clusterBar->source();
    const bool checkable = source && m_clusterBar->state() == ConnectionState::Connected &&
                           source->canPush() && m_document->diagnostics().all().empty() &&
                           m_clusterBar->flavorAdvice().problem.isEmpty();
    if (checkable && m_resources->renderPending()) {
        // The resources render on a worker; the check follows once they are there, not on this thread now.
        m_resources->requestRender();
        connect(m_resources, &ResourcesView::rendered, this, &MainWindow::refreshDrift,
                static_cast<Qt::ConnectionType>(Qt::SingleShotConnection | Qt::UniqueConnection));
        return;
    }
    if (!checkable || !m_resources->canRender()) {
        m_clusterBar->setDrift(QString(), false);
        return;
    }
    DiffJob *job = source->diff(m_resources->targetGroup(), m_resources->options());
    if (!job) {
        m_clusterBar->setDrift(QString(), false);
        return;
    }
    m_driftJob = job;
    job->setParent(this);
    connect(job, &DiffJob::finished, this,
            [this, job](const QList<ResourceDiff> &diffs, bool cancelled, const QString &error) {
                job->deleteLater();
                m_driftJob.clear();
                if (cancelled) {
                    return;
                }
                if (!error.isEmpty()) {
                    m_clusterBar->setDrift(tr("⚠ Drift unknown: %1").arg(error), true);
                    return;
                }
                QStringList differ;
                int fresh = 0;
                for (const auto &d : diffs) {
                    fresh += d.state == ResourceDiff::State::New;
                    if (d.state == ResourceDiff::State::Changed || d.state == ResourceDiff::State::Removed) {
                        differ << d.resource;
                    }
                }
                if (!diffs.isEmpty() && fresh == diffs.size()) {
                    m_clusterBar->setDrift(tr("Not in the cluster yet"), false);
                } else if (differ.isEmpty() && fresh == 0) {
                    m_clusterBar->setDrift(tr("✓ In sync with the cluster"), false);
                } else {
                    m_clusterBar->setDrift(tr("⚠ Drifted: %n of %1 live resource(s) differ from the document",
                                              nullptr, static_cast<int>(differ.size() + fresh))
                                               .arg(diffs.size()),
                                           true);
                }
            });
}

void MainWindow::runAnalysis(bool reread)
{
    if (m_analysisJob) {
        if (!reread) {
            return; // the running one answers soon; the next edit asks again
        }
        m_analysisJob->disconnect(this);
        m_analysisJob->cancel();
        m_analysisJob->deleteLater();
        m_analysisJob.clear();
    }
    ClusterTargetSource *source = m_clusterBar->source();
    if (!source || m_clusterBar->state() != ConnectionState::Connected ||
        !m_document->diagnostics().all().empty() || !m_clusterBar->flavorAdvice().problem.isEmpty()) {
        m_problemsModel->setClusterFindings({});
        m_adoptAction->setEnabled(false);
        return;
    }
    AnalysisJob *job = source->analyze(m_resources->targetGroup(), m_resources->options(), reread);
    if (!job) {
        m_problemsModel->setClusterFindings({});
        m_adoptAction->setEnabled(false);
        return;
    }
    m_analysisJob = job;
    job->setParent(this);
    connect(
        job, &AnalysisJob::finished, this,
        [this, job](const QList<ClusterFinding> &findings, const QStringList &, bool cancelled,
                    const QString &error) {
            job->deleteLater();
            m_analysisJob.clear();
            if (cancelled) {
                return;
            }
            if (!error.isEmpty()) {
                statusBar()->showMessage(tr("Cannot analyze the group in the cluster: %1").arg(error), 8000);
            }
            m_problemsModel->setClusterFindings(findings);
            m_adoptAction->setEnabled(
                std::any_of(findings.begin(), findings.end(), [](const ClusterFinding &f) {
                    return f.code.startsWith(QLatin1String("vs-")) || f.code.startsWith(QLatin1String("dr-"));
                }));
        });
}

void MainWindow::adoptShadowedSettings()
{
    ClusterTargetSource *source = m_clusterBar->source();
    QStringList adopted;
    const auto group =
        source ? source->adoptShadowed(m_resources->targetGroup(), m_resources->options(), &adopted)
               : std::nullopt;
    if (!group) {
        statusBar()->showMessage(tr("Nothing to adopt: the group shadows no setting in the cluster"), 5000);
        return;
    }
    LaneGroup edited = *group;
    edited.ns = m_document->group().ns; // the cluster bar's "Into another" is no edit of the document
    m_document->edit(edited, tr("Adopt the settings of %1").arg(adopted.join(QStringLiteral(", "))));
}

ClusterGroupsDialog *MainWindow::openFromCluster()
{
    return openGroupsDialog(false);
}

ClusterGroupsDialog *MainWindow::deleteFromCluster()
{
    return openGroupsDialog(true);
}

ClusterGroupsDialog *MainWindow::openGroupsDialog(bool deleting)
{
    ClusterTargetSource *source = m_clusterBar->source();
    if (!source || !source->canPush()) {
        return nullptr;
    }
    auto *dialog = new ClusterGroupsDialog(
        source, deleting ? ClusterGroupsDialog::Mode::Delete : ClusterGroupsDialog::Mode::Open,
        m_clusterBar->currentTargetName(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ClusterGroupsDialog::imported, this,
            [this](const LaneGroup &group, const QString &flavor, const QStringList &notes) {
                if (!maybeSave()) {
                    return;
                }
                m_document->newDocument(group);
                m_resources->setOptions(flavor, QString());
                statusBar()->showMessage(
                    notes.isEmpty()
                        ? tr("Opened %1 from %2; save it to keep it as a file")
                              .arg(QString::fromStdString(group.name), m_clusterBar->currentTargetName())
                        : tr("Opened %1 from %2 (%3)")
                              .arg(QString::fromStdString(group.name), m_clusterBar->currentTargetName(),
                                   notes.join(QStringLiteral("; "))),
                    8000);
            });
    connect(dialog, &ClusterGroupsDialog::deleted, this, [this] { m_clusterRefresh->start(); });
    dialog->open();
    return dialog;
}

void MainWindow::takeFlavorAdvice(const FlavorAdvice &advice)
{
    if (advice.flavor.isEmpty()) {
        return;
    }
    m_resources->setOptions(advice.flavor, advice.apiVersion);
    statusBar()->showMessage(tr("Rendering for %1 now, as %2 needs")
                                 .arg(flavorDisplayName(advice.flavor), m_clusterBar->currentTargetName()),
                             5000);
}

bool MainWindow::sandboxSelected() const
{
    return m_clusterBar->currentTargetId() == QLatin1String(kLocalSandboxId);
}

void MainWindow::followTarget(const QString &id)
{
    m_ingressAsked.reset();
    m_ingressWanted = false;
    if (id == QLatin1String(kLocalSandboxId)) {
        const QString url = m_defaultSource->gatewayUrl();
        m_traffic->setTargetUrl(url, url.isEmpty() ? tr("The local sandbox's gateway, once a push starts it")
                                                   : tr("The local sandbox's gateway"));
        return;
    }
    // Never the previous target's address while this one's is not known.
    m_ingressWanted = true;
    m_traffic->setTargetUrl(
        QString(),
        tr("Looking up the ingress gateway of %1 once connected…").arg(m_clusterBar->currentTargetName()));
}

void MainWindow::requestIngress()
{
    ClusterTargetSource *source = m_clusterBar->source();
    if (!source || sandboxSelected()) {
        return;
    }
    m_ingressWanted = false;
    m_ingressAsked = m_document->group().ingress;
    source->requestIngress(*m_ingressAsked);
}

void MainWindow::showIngress(const IngressAddress &address)
{
    if (sandboxSelected()) {
        return; // a late answer for a cluster no longer selected
    }
    const QString target = m_clusterBar->currentTargetName();
    if (!address.error.isEmpty()) {
        m_traffic->setTargetUrl(QString(), tr("⚠ No ingress address from %1: %2").arg(target, address.error));
        return;
    }
    QString origin = tr("From %1: %2").arg(target, address.origin);
    for (const QString &warning : address.warnings) {
        origin += QLatin1Char('\n') + tr("⚠ %1").arg(warning);
    }
    m_traffic->setTargetUrl(address.url, origin, address.host);
}

PushDialog *MainWindow::push()
{
    ClusterTargetSource *source = m_clusterBar->source();
    if (!source || !source->canPush() || !m_resources->canRender()) {
        return nullptr;
    }
    auto *dialog = new PushDialog(source, m_resources->targetGroup(), m_resources->options(),
                                  static_cast<int>(m_resources->rendering().documents.size()),
                                  m_clusterBar->currentTargetName(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PushDialog::analyzed, m_problemsModel, &ProblemsModel::setClusterFindings);
    connect(dialog, &PushDialog::flavorSwitchRequested, this, [this, dialog](const FlavorAdvice &advice) {
        takeFlavorAdvice(advice);
        if (m_resources->canRender()) {
            dialog->setRender(m_resources->options(),
                              static_cast<int>(m_resources->rendering().documents.size()));
        }
    });
    dialog->open();
    return dialog;
}

DiffDialog *MainWindow::diff()
{
    ClusterTargetSource *source = m_clusterBar->source();
    if (!source || !source->canPush() || !m_resources->canRender()) {
        return nullptr;
    }
    auto *dialog = new DiffDialog(source, m_resources->targetGroup(), m_resources->options(),
                                  m_clusterBar->currentTargetName(), m_darkPalette, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DiffDialog::flavorSwitchRequested, this, [this, dialog](const FlavorAdvice &advice) {
        takeFlavorAdvice(advice);
        dialog->setRender(m_resources->options());
    });
    dialog->open();
    return dialog;
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified()) {
        return true;
    }
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved changes"), tr("%1 has unsaved changes. Save them?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        return save();
    }
    if (answer == QMessageBox::Discard) {
        m_autosaver->discard();
        return true;
    }
    return false;
}

void MainWindow::newDocument()
{
    if (!maybeSave()) {
        return;
    }
    m_document->newDocument();
    statusBar()->showMessage(tr("New lane group"), 3000);
}

void MainWindow::open()
{
    if (!maybeSave()) {
        return;
    }
    const QString start =
        m_document->filePath().isEmpty() ? QString() : QFileInfo(m_document->filePath()).path();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open lane group"), start, kFileFilter);
    if (!path.isEmpty()) {
        openFile(path);
    }
}

bool MainWindow::openExample()
{
    if (!maybeSave()) {
        return false;
    }
    QFile file(QStringLiteral(":/lanedeck/examples/mock.lanes.yaml"));
    if (!file.open(QIODevice::ReadOnly)) {
        return false;
    }
    const LoadedDocument loaded = parseLaneGroup(file.readAll().toStdString(), "mock.lanes.yaml");
    if (!loaded.readable) {
        return false;
    }
    m_document->newDocument(loaded.group);
    statusBar()->showMessage(tr("Opened the example lane group; save it to keep your changes"), 5000);
    return true;
}

bool MainWindow::openFile(const QString &path, QString *errorOut)
{
    QString error;
    if (!m_document->open(path, &error)) {
        if (errorOut) {
            *errorOut = error;
        } else {
            QMessageBox::warning(this, tr("Cannot open %1").arg(QFileInfo(path).fileName()), error);
        }
        UiSettings().removeRecentFile(QFileInfo(path).absoluteFilePath());
        updateRecentMenu();
        return false;
    }
    UiSettings().addRecentFile(m_document->filePath());
    updateRecentMenu();
    statusBar()->showMessage(tr("Opened %1").arg(m_document->filePath()), 5000);
    return true;
}

bool MainWindow::save()
{
    if (m_document->filePath().isEmpty()) {
        return saveAs();
    }
    QString error;
    if (!m_document->save(&error)) {
        QMessageBox::warning(this, tr("Save failed"), error);
        return false;
    }
    UiSettings().addRecentFile(m_document->filePath());
    updateRecentMenu();
    showSaved();
    return true;
}

bool MainWindow::saveAs()
{
    QString suggested = m_document->filePath();
    if (suggested.isEmpty()) {
        const std::string name = m_document->group().name.empty() ? "untitled" : m_document->group().name;
        suggested = toQString(name) + QStringLiteral(".lanes.yaml");
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Save lane group"), suggested, kFileFilter);
    if (path.isEmpty()) {
        return false;
    }
    QString error;
    if (!m_document->saveAs(path, &error)) {
        QMessageBox::warning(this, tr("Save failed"), error);
        return false;
    }
    UiSettings().addRecentFile(m_document->filePath());
    updateRecentMenu();
    showSaved();
    return true;
}

void MainWindow::showSaved()
{
    // Saving an invalid group is allowed (work in progress), but it must not look like a finished one.
    const auto count = static_cast<int>(m_document->diagnostics().all().size());
    statusBar()->showMessage(
        count == 0 ? tr("Saved %1").arg(m_document->filePath())
                   : tr("Saved %1 with %n problem(s): it cannot be pushed or exported until they are fixed "
                        "(see Problems)",
                        nullptr, count)
                         .arg(m_document->filePath()),
        count == 0 ? 5000 : 15000);
}

void MainWindow::showTab(const QString &name)
{
    if (name == QLatin1String("paths")) {
        m_tabs->setCurrentIndex(1);
    } else if (name == QLatin1String("resources")) {
        m_tabs->setCurrentIndex(2);
    } else if (name == QLatin1String("traffic")) {
        m_tabs->setCurrentWidget(m_traffic);
    } else if (name == QLatin1String("topology")) {
        m_tabs->setCurrentWidget(m_topology);
    } else {
        m_tabs->setCurrentIndex(0);
    }
}

bool MainWindow::offerRecovery()
{
    const QList<Recovery> found = Autosaver::pending(m_autosaveDirectory);
    if (found.isEmpty()) {
        return false;
    }
    const Recovery &latest = found.front();
    const QString what = latest.originalPath.isEmpty() ? tr("an unsaved lane group")
                                                       : QFileInfo(latest.originalPath).fileName();
    const auto answer = QMessageBox::question(
        this, tr("Recover unsaved changes?"),
        tr("LaneDeck did not close properly. Changes to %1 from %2 were autosaved.\n\nRecover them?")
            .arg(what, QLocale().toString(latest.savedAt, QLocale::ShortFormat)),
        QMessageBox::Yes | QMessageBox::Discard, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
        for (const auto &r : found) {
            Autosaver::remove(r);
        }
        return false;
    }
    QString error;
    if (!recover(latest, &error)) {
        QMessageBox::warning(this, tr("Recovery failed"), error);
        return false;
    }
    return true;
}

bool MainWindow::recover(const Recovery &recovery, QString *error)
{
    LaneGroup group;
    if (!Autosaver::read(recovery, &group, error)) {
        return false;
    }
    m_document->recover(group, recovery.originalPath);
    Autosaver::remove(recovery);
    // The recovered document now lives only in memory: autosave it under this session at once.
    m_autosaver->saveNow();
    statusBar()->showMessage(tr("Recovered unsaved changes; save to keep them"));
    return true;
}

void MainWindow::setDarkPalette(bool dark)
{
    m_darkPalette = dark;
    m_resources->setDarkPalette(dark);
    m_topology->setDarkPalette(dark);
}

void MainWindow::exportGraph()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export Graph"), QString(),
                                                tr("SVG image (*.svg);;PNG image (*.png)"));
    if (path.isEmpty()) {
        return;
    }
    if (!path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive) &&
        !path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        path += QStringLiteral(".svg");
    }
    QString error;
    if (!m_topology->exportTo(path, &error)) {
        QMessageBox::warning(this, tr("Export Graph"), error);
        return;
    }
    statusBar()->showMessage(tr("Graph written to %1").arg(path), 5000);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    UiSettings settings;
    settings.setWindowGeometry(saveGeometry());
    settings.setWindowState(saveState());
    m_autosaver->discard();
    event->accept();
}

} // namespace lanedeck::ui

#include "ui/mainwindow.h"

#include "lanes/document.h"
#include "ui/clusterbar.h"
#include "ui/clustertarget.h"
#include "ui/designerview.h"
#include "ui/diffdialog.h"
#include "ui/documentcontroller.h"
#include "ui/execapproval.h"
#include "ui/lanecolors.h"
#include "ui/lanepainting.h"
#include "ui/lanepathsmodel.h"
#include "ui/problemsmodel.h"
#include "ui/pushdialog.h"
#include "ui/qtconvert.h"
#include "ui/resourcesview.h"
#include "ui/resourcetreemodel.h"
#include "ui/sandboxtarget.h"
#include "ui/settings.h"
#include "ui/trafficpage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
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
      m_pathsModel(new LanePathsModel(m_document, this)),
      m_problemsModel(new ProblemsModel(m_document, this)), m_problems(new QTableView(this)),
      m_execApproval(new ExecApprovalPrompt(this, this)), m_validity(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(lanedeckIcon());
    createCentralWidget();
    createProblemsDock();
    createStatusBar();
    createActions();
    createMenus();
    connectDocument();
    connectPages();
    connectTargets();
    restoreSettings();
    setTargetSource(m_defaultSource);
    updateTitle();
    updatePushState();
    statusBar()->showMessage(tr("Ready"), 3000);
}

/// The cluster bar above the tabs: designer, lane paths, resources, traffic.
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
    m_designer->setObjectName(QStringLiteral("designer"));
    m_resources->setObjectName(QStringLiteral("resourcesView"));
    m_tabs->addTab(m_designer, tr("&Designer"));
    m_tabs->addTab(createPathsPage(), tr("Lane &paths"));
    m_tabs->addTab(m_resources, tr("&Resources"));
    m_tabs->addTab(m_traffic, tr("&Traffic"));
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
    m_problems->verticalHeader()->setVisible(false);
    m_problems->horizontalHeader()->setSectionResizeMode(ProblemsModel::Field, QHeaderView::ResizeToContents);
    m_problems->horizontalHeader()->setStretchLastSection(true);
    m_problems->setWordWrap(false);
    m_problems->verticalHeader()->setDefaultSectionSize(m_problems->fontMetrics().height() + 6);
    dock->setWidget(m_problems);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {fontMetrics().height() * 7}, Qt::Vertical);
    dock->toggleViewAction()->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
}

void MainWindow::createStatusBar()
{
    m_validity->setObjectName(QStringLiteral("validityLabel"));
    statusBar()->addPermanentWidget(m_validity);
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
        m_designer->revealField(index.data(ProblemsModel::FieldPathRole).toString());
    });

    connect(m_resources, &ResourcesView::statusMessage, this,
            [this](const QString &m) { statusBar()->showMessage(m, 5000); });
    connect(m_resources, &ResourcesView::optionsChanged, this, [this] {
        UiSettings settings;
        settings.setFlavor(m_resources->flavorName());
        settings.setApiVersion(m_resources->apiVersionName());
    });
    connect(m_traffic, &TrafficPage::statusMessage, this,
            [this](const QString &m) { statusBar()->showMessage(m, 5000); });
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
    connect(m_document, &DocumentController::groupChanged, this, [this] {
        if (m_ingressAsked && *m_ingressAsked != m_document->group().ingress) {
            requestIngress();
        }
    });
    connect(m_autosaver, &Autosaver::failed, this, [this](const QString &m) { statusBar()->showMessage(m); });
    connect(m_clusterBar, &ClusterBar::targetChanged, this, [](const QString &id, const QString &ns) {
        UiSettings settings;
        settings.setLastTarget(id);
        settings.setLastNamespace(ns);
    });
    connect(m_clusterBar, &ClusterBar::stateChanged, this, &MainWindow::updatePushState);
}

MainWindow::~MainWindow()
{
    // ~QUndoStack clears the stack and signals indexChanged while this window is already half destroyed.
    m_document->undoStack()->disconnect(this);
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
    m_exampleAction = make(tr("Open &Example"), QKeySequence(), QStyle::SP_FileDialogInfoView,
                           tr("Open the seed scenario: mocka → mockb → mockc in lanes s1, s2, s3"));
    m_exampleAction->setObjectName(QStringLiteral("openExampleAction"));
    m_saveAction =
        make(tr("&Save"), QKeySequence::Save, QStyle::SP_DialogSaveButton, tr("Save the lane group"));
    m_saveAsAction = make(tr("Save &As…"), QKeySequence::SaveAs, QStyle::SP_DialogSaveButton,
                          tr("Save the lane group under a new name"));
    m_exportFileAction = make(tr("&Export Resources…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                              QStyle::SP_ArrowDown, tr("Write the generated resources to one YAML file"));
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
    toolbar->addAction(m_undoAction);
    toolbar->addAction(m_redoAction);
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
    view->addSeparator();
    if (auto *dock = findChild<QDockWidget *>(QStringLiteral("problemsDock"))) {
        view->addAction(dock->toggleViewAction());
    }

    QMenu *cluster = menuBar()->addMenu(tr("&Cluster"));
    cluster->addAction(m_diffAction);
    cluster->addAction(m_pushAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
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
    m_clusterBar->setNamespace(settings.lastNamespace());
}

void MainWindow::setTargetSource(ClusterTargetSource *source)
{
    if (ClusterTargetSource *previous = m_clusterBar->source()) {
        disconnect(previous, nullptr, this, nullptr);
        disconnect(previous, nullptr, m_designer, nullptr);
    }
    connect(source, &ClusterTargetSource::inventoryChanged, m_designer, &DesignerView::setInventory);
    connect(source, &ClusterTargetSource::stateChanged, this,
            [this, source](ConnectionState state, const QString &message) {
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
    connect(source, &ClusterTargetSource::applied, this,
            [this](const LaneGroup &group) { m_traffic->targetApplied(group); });
    m_clusterBar->setSource(source);
    m_clusterBar->selectTarget(UiSettings().lastTarget());
    updatePushState();
}

void MainWindow::updateTitle()
{
    // QGuiApplication::applicationDisplayName ("LaneDeck") is appended by Qt where the platform shows it.
    setWindowTitle(tr("%1[*]").arg(m_document->displayName()));
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
    const auto &diagnostics = m_document->diagnostics().all();
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
    // Validation is the gate: rendering a large group on every keystroke just to grey out a menu is too slow,
    // and the rare flavor-specific refusal is reported when exporting.
    const QString exportReason = diagnostics.empty() ? QString() : m_validity->toolTip();
    for (QAction *action : {m_exportFileAction, m_exportDirectoryAction}) {
        action->setEnabled(diagnostics.empty());
        action->setStatusTip(exportReason.isEmpty() ? action->toolTip() : exportReason);
    }
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
    auto *dialog = new PushDialog(source, m_document->group(), m_resources->options(),
                                  static_cast<int>(m_resources->resources().size()),
                                  m_clusterBar->currentTargetName(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

DiffDialog *MainWindow::diff()
{
    ClusterTargetSource *source = m_clusterBar->source();
    if (!source || !source->canPush() || !m_resources->canRender()) {
        return nullptr;
    }
    auto *dialog = new DiffDialog(source, m_document->group(), m_resources->options(),
                                  m_clusterBar->currentTargetName(), m_darkPalette, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
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
    statusBar()->showMessage(tr("Saved %1").arg(m_document->filePath()), 5000);
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
    statusBar()->showMessage(tr("Saved %1").arg(m_document->filePath()), 5000);
    return true;
}

void MainWindow::showTab(const QString &name)
{
    if (name == QLatin1String("paths")) {
        m_tabs->setCurrentIndex(1);
    } else if (name == QLatin1String("resources")) {
        m_tabs->setCurrentIndex(2);
    } else if (name == QLatin1String("traffic")) {
        m_tabs->setCurrentWidget(m_traffic);
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

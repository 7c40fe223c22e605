// The console against a REAL kube-apiserver (tests/kube/testcluster, started by scripts/testcluster.sh): the
// cluster bar lists the kubeconfig's contexts, connects, and the push and diff dialogs work through
// KubeconfigTargetSource. If the server cannot be built or started, the test fails.
#include "base/atomicfile.h"
#include "kube/push.h"
#include "kube/testcluster.h"
#include "lanes/document.h"
#include "mesh/naming.h"
#include "secretscan.h"
#include "ui/clusterbar.h"
#include "ui/clustergroupsdialog.h"
#include "ui/clustertarget.h"
#include "ui/diffdialog.h"
#include "ui/documentcontroller.h"
#include "ui/execapproval.h"
#include "ui/kubeconfigtargetsource.h"
#include "ui/mainwindow.h"
#include "ui/problemsmodel.h"
#include "ui/pushdialog.h"
#include "ui/resourcesview.h"
#include "ui/resourcetreemodel.h"
#include "ui/sandboxtarget.h"
#include "ui/settings.h"
#include "ui/trafficpage.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextEdit>
#include <QUndoStack>

#include <csignal>
#include <memory>
#include <sys/types.h>

using namespace lanedeck;
using namespace lanedeck::testing;
using namespace lanedeck::ui;

namespace {

constexpr int kNetworkTimeoutMs = 180'000; // a loaded machine answers slowly; a hang still fails

/// The window with the sources main.cpp gives it: the window's own local sandbox, then the kubeconfig's
/// contexts.
struct Console
{
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<KubeconfigTargetSource> kube;
    CompositeTargetSource targets;

    ~Console()
    {
        window.reset(); // the dialogs (and their jobs) go before the sources
    }
};

} // namespace

class TestClusterGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void clusterBarListsTheContexts();
    void pushTheSeedThroughTheDialog();
    void diffShowsAKubectlEdit();
    void readOnlyUserSees403InTheRow();
    void execPluginIsApprovedOnce();
    void tlsStateInWords_data();
    void tlsStateInWords();
    void supersededConnectionIsDropped();
    void pushJobReportsProgressAndCancels();
    void unreadableKubeconfigSaysWhy();
    void trafficPageFollowsTheIngressGateway();
    void oneNamespaceForPreviewDiffAndPush();
    void groupWithoutNamespaceIsAVisibleChoice();
    void flavorAdvice_data();
    void flavorAdvice();
    void flavorFollowsTheCluster();
    void groupsInTheClusterOpenDeleteAndDrift();
    void openFromClusterShowsEachState();
    void clusterFindingsInProblemsAndPush();
    void noSecretInWhatTheConsoleShowsOrWrites();

private:
    std::unique_ptr<Console> makeConsole(const QString &kubeconfigEnv = {});
    bool connectTo(Console &console, const QString &context);
    PushDialog *openPush(Console &console);
    /// Runs the dry run and, when `apply`, the apply; returns the results of the last phase.
    std::vector<PushOutcome> pushOnce(Console &console, bool apply);
    /// Runs the diff dialog to its end; the resource names it compared.
    QStringList diffOnce(Console &console);
    int execRuns() const;

    QTemporaryDir m_cluster;
    QTemporaryDir m_autosave;
    QString m_kubeconfigEnv;
    QString m_kubectl;
};

void TestClusterGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
    QApplication::setApplicationName(QStringLiteral("tst_clustergui"));
    QVERIFY2(QFileInfo(testclusterScript()).isExecutable(),
             qPrintable(QStringLiteral("no test cluster script at ") + testclusterScript()));
    m_kubectl = QStandardPaths::findExecutable(QStringLiteral("kubectl"));
    QVERIFY2(!m_kubectl.isEmpty(), "kubectl is needed to edit a resource by hand");
    QVERIFY(m_cluster.isValid());
    const Run started = run(testclusterScript(), {QStringLiteral("start"), m_cluster.path()});
    QVERIFY2(started.exitCode == 0 && started.out.contains("READY"),
             qPrintable(QStringLiteral("the istio test cluster did not start:\n") +
                        QString::fromUtf8(started.err.right(3000))));

    // The cluster writes one kubeconfig per user, each with a context named "testcluster". Renamed copies,
    // listed in KUBECONFIG, give the merged view an operator with several contexts has.
    QStringList files;
    for (const QString &user :
         {QStringLiteral("admin"), QStringLiteral("readonly"), QStringLiteral("exec")}) {
        QFile in(m_cluster.filePath(user + QStringLiteral(".kubeconfig")));
        QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(in.fileName()));
        QString text = QString::fromUtf8(in.readAll());
        static const QRegularExpression names(
            QStringLiteral(R"(^(\s*-?\s*(?:name|cluster|current-context):\s*)testcluster\s*$)"),
            QRegularExpression::MultilineOption);
        text.replace(names, QStringLiteral("\\1lanedeck-") + user);
        const QString path =
            m_cluster.filePath(QStringLiteral("gui-") + user + QStringLiteral(".kubeconfig"));
        QVERIFY(writeFileAtomically(path.toStdString(), text.toStdString()).ok());
        files << path;
    }
    m_kubeconfigEnv = files.join(QLatin1Char(':'));
}

void TestClusterGui::cleanupTestCase()
{
    QFile pidFile(m_cluster.filePath(QStringLiteral("pid")));
    const qint64 pid = pidFile.open(QIODevice::ReadOnly) ? pidFile.readAll().trimmed().toLongLong() : 0;
    QVERIFY(run(testclusterScript(), {QStringLiteral("stop"), m_cluster.path()}).exitCode == 0);
    if (pid > 0) {
        QVERIFY2(::kill(static_cast<pid_t>(pid), 0) != 0, "the test cluster process is still running");
    }
}

void TestClusterGui::init()
{
    QSettings().clear();
}

std::unique_ptr<Console> TestClusterGui::makeConsole(const QString &kubeconfigEnv)
{
    auto console = std::make_unique<Console>();
    MainWindow::Options options;
    options.autosaveDirectory = m_autosave.path();
    options.autosaveIdleMs = 3'600'000;
    console->window = std::make_unique<MainWindow>(options);
    KubeconfigTargetSource::Options kube;
    kube.kubeconfigEnv = kubeconfigEnv.isEmpty() ? m_kubeconfigEnv : kubeconfigEnv;
    kube.home = m_cluster.path(); // no ~/.kube/config of the machine
    console->kube = std::make_unique<KubeconfigTargetSource>(kube);
    console->kube->setExecApproval(console->window->execApproval());
    MainWindow *window = console->window.get();
    console->kube->setGroupProvider([window] { return window->document()->group(); });
    console->targets.addSource(console->window->sandboxTarget());
    console->targets.addSource(console->kube.get());
    console->window->setTargetSource(&console->targets);
    console->window->resize(1280, 820);
    console->window->show();
    if (!QTest::qWaitForWindowExposed(console->window.get())) {
        qWarning("window not exposed");
    }
    return console;
}

bool TestClusterGui::connectTo(Console &console, const QString &context)
{
    auto *combo = console.window->findChild<QComboBox *>(QStringLiteral("clusterTargetCombo"));
    auto *state = console.window->findChild<QLabel *>(QStringLiteral("clusterStateLabel"));
    if (!combo || !state) {
        qWarning("cluster bar widgets missing");
        return false;
    }
    const int index = combo->findData(context);
    if (index < 0) {
        qWarning("no context %s", qPrintable(context));
        return false;
    }
    QSignalSpy states(console.window->clusterBar(), &ClusterBar::stateChanged);
    combo->setCurrentIndex(index);
    QElapsedTimer timer;
    timer.start();
    while (console.window->clusterBar()->state() != ConnectionState::Connected) {
        if (console.window->clusterBar()->state() == ConnectionState::Failed ||
            timer.elapsed() > kNetworkTimeoutMs) {
            qWarning("not connected: %s", qPrintable(state->text()));
            return false;
        }
        states.wait(1000);
    }
    return state->text().startsWith(QStringLiteral("Connected to ") + context);
}

PushDialog *TestClusterGui::openPush(Console &console)
{
    auto *action = console.window->findChild<QAction *>(QStringLiteral("pushAction"));
    if (!action || !action->isEnabled()) {
        qWarning("push not possible: %s", action ? qPrintable(action->toolTip()) : "no action");
        return nullptr;
    }
    action->trigger();
    auto *dialog = console.window->findChild<PushDialog *>(QStringLiteral("pushDialog"));
    if (!dialog) {
        return nullptr;
    }
    // The analysis runs first. The test cluster runs no workloads, so it finds errors for every lane: these
    // cases are about the dry run and the apply, which Push Anyway reaches.
    [&] { QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::Analyzing, kNetworkTimeoutMs); }();
    if (dialog->stage() == PushDialog::Stage::Findings) {
        QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pushAnywayButton")),
                          Qt::LeftButton);
    }
    return dialog;
}

std::vector<PushOutcome> TestClusterGui::pushOnce(Console &console, bool apply)
{
    PushDialog *dialog = openPush(console);
    if (!dialog) {
        return {};
    }
    QAbstractItemModelTester tester(dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    [&] { QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::DryRun, kNetworkTimeoutMs); }();
    if (apply) {
        auto *applyButton = dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"));
        if (!applyButton || !applyButton->isEnabled()) {
            qWarning("cannot apply after the dry run: %s",
                     qPrintable(dialog->findChild<QLabel *>(QStringLiteral("pushSummary"))->text()));
            return {};
        }
        QTest::mouseClick(applyButton, Qt::LeftButton);
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::Applying, kNetworkTimeoutMs);
        }();
    }
    std::vector<PushOutcome> outcomes = dialog->model()->outcomes();
    delete dialog;
    return outcomes;
}

QStringList TestClusterGui::diffOnce(Console &console)
{
    auto *action = console.window->findChild<QAction *>(QStringLiteral("diffAction"));
    if (!action || !action->isEnabled()) {
        qWarning("diff not possible: %s", action ? qPrintable(action->toolTip()) : "no action");
        return {};
    }
    action->trigger();
    auto *dialog = console.window->findChild<DiffDialog *>(QStringLiteral("diffDialog"));
    if (!dialog) {
        return {};
    }
    [&] { QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), kNetworkTimeoutMs); }();
    QStringList names;
    for (const auto &d : dialog->diffs()) {
        names << d.resource;
    }
    delete dialog;
    return names;
}

int TestClusterGui::execRuns() const
{
    QFile f(m_cluster.filePath(QStringLiteral("exec-plugin.log")));
    return f.open(QIODevice::ReadOnly) ? static_cast<int>(f.readAll().count('\n')) : 0;
}

static QString describe(const std::vector<PushOutcome> &outcomes)
{
    QString text;
    for (const auto &o : outcomes) {
        text += o.resource + QLatin1Char(' ') + PushResultModel::resultText(o.result) + QLatin1Char(' ') +
                o.message + QLatin1Char('\n');
    }
    return text;
}

static bool all(const std::vector<PushOutcome> &outcomes, PushOutcome::Result result)
{
    return !outcomes.empty() && std::all_of(outcomes.begin(), outcomes.end(),
                                            [result](const PushOutcome &o) { return o.result == result; });
}

/// Every text of an item model, at every index and in every role a view shows or tips, and its headers.
static void addModelTexts(const QAbstractItemModel *model, const QModelIndex &parent, QStringList &texts)
{
    if (!model) {
        return;
    }
    static const int roles[] = {Qt::DisplayRole, Qt::ToolTipRole, Qt::StatusTipRole, Qt::WhatsThisRole};
    if (!parent.isValid()) {
        for (int c = 0; c < model->columnCount(); ++c) {
            for (int role : roles) {
                texts << model->headerData(c, Qt::Horizontal, role).toString();
            }
        }
    }
    for (int r = 0; r < model->rowCount(parent); ++r) {
        for (int c = 0; c < model->columnCount(parent); ++c) {
            const QModelIndex index = model->index(r, c, parent);
            for (int role : roles) {
                texts << model->data(index, role).toString();
            }
            if (c == 0 && model->hasChildren(index)) {
                addModelTexts(model, index, texts);
            }
        }
    }
}

/// Every text the console shows now, in every window it has open (dialogs and message boxes included):
/// labels, buttons, line and text edits, the status bar, combo box items, tabs, group titles, item views
/// and their tooltips, every widget's and action's tooltip, status tip and "What's this?".
static QStringList shownTexts()
{
    QStringList texts;
    for (QWidget *w : QApplication::allWidgets()) {
        texts << w->windowTitle() << w->toolTip() << w->statusTip() << w->whatsThis() << w->accessibleName()
              << w->accessibleDescription();
        if (auto *label = qobject_cast<QLabel *>(w)) {
            texts << label->text();
        } else if (auto *button = qobject_cast<QAbstractButton *>(w)) {
            texts << button->text();
        } else if (auto *edit = qobject_cast<QLineEdit *>(w)) {
            texts << edit->text() << edit->placeholderText();
        } else if (auto *text = qobject_cast<QTextEdit *>(w)) {
            texts << text->toPlainText();
        } else if (auto *plain = qobject_cast<QPlainTextEdit *>(w)) {
            texts << plain->toPlainText();
        } else if (auto *bar = qobject_cast<QStatusBar *>(w)) {
            texts << bar->currentMessage();
        } else if (auto *combo = qobject_cast<QComboBox *>(w)) {
            for (int i = 0; i < combo->count(); ++i) {
                texts << combo->itemText(i) << combo->itemData(i, Qt::ToolTipRole).toString();
            }
        } else if (auto *box = qobject_cast<QMessageBox *>(w)) {
            texts << box->text() << box->informativeText() << box->detailedText();
        } else if (auto *tabs = qobject_cast<QTabWidget *>(w)) {
            for (int i = 0; i < tabs->count(); ++i) {
                texts << tabs->tabText(i) << tabs->tabToolTip(i);
            }
        } else if (auto *group = qobject_cast<QGroupBox *>(w)) {
            texts << group->title();
        } else if (auto *view = qobject_cast<QAbstractItemView *>(w)) {
            addModelTexts(view->model(), QModelIndex(), texts);
        }
        for (const QAction *action : w->actions()) {
            texts << action->text() << action->toolTip() << action->statusTip() << action->whatsThis();
        }
    }
    texts.removeAll(QString());
    return texts;
}

void TestClusterGui::clusterBarListsTheContexts()
{
    auto console = makeConsole();
    auto *combo = console->window->findChild<QComboBox *>(QStringLiteral("clusterTargetCombo"));
    QVERIFY(combo);
    QStringList listed;
    for (int i = 0; i < combo->count(); ++i) {
        listed << combo->itemText(i);
    }
    // The sandbox first, then kubectl's current context (the first file's), then the others by name.
    QCOMPARE(listed, (QStringList{QStringLiteral("Local sandbox"), QStringLiteral("lanedeck-admin"),
                                  QStringLiteral("lanedeck-exec"), QStringLiteral("lanedeck-readonly")}));
    QVERIFY(combo->itemData(1, Qt::ToolTipRole).toString().contains(QStringLiteral("https://127.0.0.1")));

    QVERIFY(console->window->openExample());
    QSignalSpy inventories(&console->targets, &ClusterTargetSource::inventoryChanged);
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    auto *stateLabel = console->window->findChild<QLabel *>(QStringLiteral("clusterStateLabel"));
    const QString state = stateLabel->text();
    QVERIFY2(state.contains(QStringLiteral("Kubernetes v1.")) && state.contains(QStringLiteral("Istio v1")),
             qPrintable(state));
    // Where the group goes is the document's namespace, shown beside the target.
    QCOMPARE(console->window->findChild<QLabel *>(QStringLiteral("clusterDestinationLabel"))->text(),
             QStringLiteral("istio-system"));
    // The window asks for the inventory once connected, in the namespaces of the group's services
    // ("default" holds the "kubernetes" Service) and the working one.
    QVERIFY(inventories.count() > 0 || inventories.wait(kNetworkTimeoutMs));
    const auto inventory = inventories.first().first().value<ClusterInventory>();
    QVERIFY2(inventory.services.contains(QStringLiteral("kubernetes")),
             qPrintable(inventory.services.join(QLatin1Char(' '))));
    // The test cluster runs no workloads: every lane of the seed is flagged, in the cluster bar.
    QTRY_VERIFY2_WITH_TIMEOUT(stateLabel->text().contains(QStringLiteral("without a ready workload")),
                              qPrintable(stateLabel->text()), kNetworkTimeoutMs);
    QVERIFY2(stateLabel->text().endsWith(QStringLiteral(
                 "lanes without a ready workload: s1 (mocka, mockb, mockc); s2 (mocka, mockc); s3 (mockb)")),
             qPrintable(stateLabel->text()));
    QCOMPARE(UiSettings().lastTarget(), QStringLiteral("lanedeck-admin"));
    // No credential in what the operator sees.
    QVERIFY(!state.contains(QStringLiteral("token"), Qt::CaseInsensitive));
}

void TestClusterGui::pushTheSeedThroughTheDialog()
{
    auto console = makeConsole();
    console->window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(console->window->openExample());
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    // Each real push announces the group it wrote (the traffic page restarts its statistics on it); a dry
    // run does not.
    QSignalSpy applied(&console->targets, &ClusterTargetSource::applied);

    const auto dryRun = pushOnce(*console, false);
    QVERIFY2(all(dryRun, PushOutcome::Result::Created), qPrintable(describe(dryRun)));
    const auto first = pushOnce(*console, true);
    QVERIFY2(all(first, PushOutcome::Result::Created), qPrintable(describe(first)));
    QCOMPARE(first.size(), dryRun.size());
    QTRY_COMPARE(applied.count(), 1);
    const auto pushed = applied.takeFirst().first().value<LaneGroup>();
    QCOMPARE(pushed.ns, std::string("istio-system"));
    QCOMPARE(pushed.lanes.size(), std::size_t(3));
    QCOMPARE(pushed.lanes[0].weight, 60);
    const auto again = pushOnce(*console, true);
    QVERIFY2(all(again, PushOutcome::Result::Unchanged), qPrintable(describe(again)));
    QCOMPARE(again.size(), first.size());
    QTRY_COMPARE(applied.count(), 1);
    // What the dialog applied is really there, as kubectl sees it.
    const Run get = run(
        m_kubectl, {QStringLiteral("--kubeconfig"), m_cluster.filePath(QStringLiteral("admin.kubeconfig")),
                    QStringLiteral("-n"), QStringLiteral("istio-system"), QStringLiteral("get"),
                    QStringLiteral("virtualservices"), QStringLiteral("-o"), QStringLiteral("name")});
    QVERIFY2(get.exitCode == 0 && get.out.contains("trafficlabel-ingress-vs-test"),
             (get.out + get.err).constData());
}

void TestClusterGui::diffShowsAKubectlEdit()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBE_EDITOR"), QStringLiteral("sed -i -e s/weight:\\ 60/weight:\\ 55/"));
    const Run edit =
        run(m_kubectl,
            {QStringLiteral("--kubeconfig"), m_cluster.filePath(QStringLiteral("admin.kubeconfig")),
             QStringLiteral("-n"), QStringLiteral("istio-system"), QStringLiteral("edit"),
             QStringLiteral("virtualservice"), QStringLiteral("trafficlabel-ingress-vs-test")},
            env);
    QVERIFY2(edit.exitCode == 0, (edit.out + edit.err).constData());

    auto console = makeConsole();
    console->window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(console->window->openExample());
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    auto *action = console->window->findChild<QAction *>(QStringLiteral("diffAction"));
    QVERIFY(action && action->isEnabled());
    action->trigger();
    auto *dialog = console->window->findChild<DiffDialog *>(QStringLiteral("diffDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->isRunning(), kNetworkTimeoutMs);
    int changed = 0;
    for (const auto &d : dialog->diffs()) {
        if (d.resource == QLatin1String("VirtualService istio-system/trafficlabel-ingress-vs-test")) {
            ++changed;
            QCOMPARE(d.state, ResourceDiff::State::Changed);
            QVERIFY2(
                d.unifiedDiff.contains(QStringLiteral("\n-          weight: 55\n+          weight: 60\n")),
                qPrintable(d.unifiedDiff));
        } else {
            QVERIFY2(d.state == ResourceDiff::State::Identical, qPrintable(d.resource));
        }
    }
    QCOMPARE(changed, 1);
}

void TestClusterGui::readOnlyUserSees403InTheRow()
{
    auto console = makeConsole();
    console->window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(console->window->openExample());
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-readonly")));
    PushDialog *dialog = openPush(*console);
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::DryRun, kNetworkTimeoutMs);
    auto *table = dialog->findChild<QTableView *>(QStringLiteral("pushResults"));
    QVERIFY(table && table->model()->rowCount() > 0);
    const QString result = table->model()->index(0, PushResultModel::Result).data().toString();
    const QString message = table->model()->index(0, PushResultModel::Message).data().toString();
    QCOMPARE(result, QStringLiteral("failed"));
    for (const char *part : {"HTTP 403", "is forbidden: User \"lanedeck-readonly\" cannot patch resource"}) {
        QVERIFY2(message.contains(QString::fromUtf8(part)), qPrintable(message));
    }
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"))->isEnabled());
}

void TestClusterGui::execPluginIsApprovedOnce()
{
    auto console = makeConsole();
    console->window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(console->window->openExample());
    QList<ExecRequest> asked;
    console->window->execApproval()->setAsker([&asked](const ExecRequest &request) {
        asked << request;
        return true;
    });
    const int before = execRuns();
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-exec")));
    // The diff case's kubectl edit made kubectl-edit a manager of the ingress route: the dry run reports the
    // conflict, and Force (offered in the dialog) takes the fields back.
    PushDialog *dialog = openPush(*console);
    QVERIFY(dialog);
    QAbstractItemModelTester tester(dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::DryRun, kNetworkTimeoutMs);
    QCOMPARE(dialog->stage(), PushDialog::Stage::Review);
    QVERIFY2(dialog->model()->conflictCount() == 1, qPrintable(describe(dialog->model()->outcomes())));
    auto *force = dialog->findChild<QCheckBox *>(QStringLiteral("pushForceCheck"));
    QVERIFY(force && force->isVisible() && force->isEnabled());
    QTest::mouseClick(force, Qt::LeftButton, {}, QPoint(4, force->height() / 2));
    QVERIFY(force->isChecked());
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::Applying, kNetworkTimeoutMs);
    const auto pushed = dialog->model()->outcomes();
    QVERIFY2(dialog->stage() == PushDialog::Stage::Done &&
                 dialog->model()->count(PushOutcome::Result::Configured) == 1 &&
                 dialog->model()->count(PushOutcome::Result::Unchanged) ==
                     static_cast<int>(pushed.size()) - 1,
             qPrintable(describe(pushed)));
    delete dialog;
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.front().command, m_cluster.filePath(QStringLiteral("exec-plugin.sh")));
    QVERIFY(asked.front().kubeconfigFile.endsWith(QStringLiteral("gui-exec.kubeconfig")));
    QVERIFY(execRuns() > before); // the approved plugin really ran

    // A refusal is asked once too: the next operations fail without asking again. The first console goes
    // first: its background work (the cluster analysis it started on connecting) must not approve again.
    console.reset();
    QSettings().clear();
    auto refusing = makeConsole();
    QList<ExecRequest> refused;
    refusing->window->execApproval()->setAsker([&refused](const ExecRequest &request) {
        refused << request;
        return false;
    });
    const int runsBefore = execRuns();
    QVERIFY(!connectTo(*refusing, QStringLiteral("lanedeck-exec")));
    refusing->window->findChild<QComboBox *>(QStringLiteral("clusterTargetCombo"))->setCurrentIndex(0);
    QVERIFY(!connectTo(*refusing, QStringLiteral("lanedeck-exec")));
    QCOMPARE(refused.size(), 1);
    QCOMPARE(execRuns(), runsBefore);
}

void TestClusterGui::tlsStateInWords_data()
{
    QTest::addColumn<bool>("insecure");
    QTest::addColumn<QString>("expected");
    QTest::addRow("insecure-skip-tls-verify-connects-with-a-warning")
        << true << QStringLiteral("the server's certificate is NOT verified");
    QTest::addRow("unknown-ca-fails-in-words") << false << QStringLiteral("cannot reach the API server");
}

void TestClusterGui::tlsStateInWords()
{
    QFETCH(bool, insecure);
    QFETCH(QString, expected);
    // The admin kubeconfig without its CA: unverifiable unless the kubeconfig turns verification off.
    QFile in(m_cluster.filePath(QStringLiteral("admin.kubeconfig")));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(in.readAll());
    static const QRegularExpression ca(QStringLiteral(R"(^(\s*)certificate-authority-data:.*$)"),
                                       QRegularExpression::MultilineOption);
    text.replace(ca, insecure ? QStringLiteral("\\1insecure-skip-tls-verify: true") : QString());
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config"));
    QVERIFY(writeFileAtomically(path.toStdString(), text.toStdString()).ok());

    KubeconfigTargetSource::Options options;
    options.explicitPath = path;
    KubeconfigTargetSource source(options);
    QCOMPARE(source.targets().size(), 1);
    QSignalSpy states(&source, &ClusterTargetSource::stateChanged);
    source.connectTo(source.targets().front(), QStringLiteral("istio-system"));
    QVERIFY(states.wait(kNetworkTimeoutMs));
    const auto state = states.first().at(0).value<ConnectionState>();
    const QString message = states.first().at(1).toString();
    QCOMPARE(state, insecure ? ConnectionState::Connected : ConnectionState::Failed);
    QVERIFY2(message.contains(expected), qPrintable(message));
    QCOMPARE(source.canPush(), insecure);
    // Credentials never reach what the operator reads.
    QFile tokenSource(m_cluster.filePath(QStringLiteral("admin.kubeconfig")));
    QVERIFY(tokenSource.open(QIODevice::ReadOnly));
    static const QRegularExpression tokenLine(QStringLiteral(R"(^\s*token:\s*(\S+)\s*$)"),
                                              QRegularExpression::MultilineOption);
    const QString token = tokenLine.match(QString::fromUtf8(tokenSource.readAll())).captured(1);
    QVERIFY(!token.isEmpty());
    QVERIFY(!message.contains(token));
    QVERIFY(!source.targets().front().detail.contains(token));
}

void TestClusterGui::supersededConnectionIsDropped()
{
    KubeconfigTargetSource::Options options;
    options.kubeconfigEnv = m_kubeconfigEnv;
    options.home = m_cluster.path();
    KubeconfigTargetSource source(options);
    const auto targets = source.targets();
    const auto byId = [&targets](const QString &id) {
        return *std::find_if(targets.begin(), targets.end(),
                             [&id](const ClusterTarget &t) { return t.id == id; });
    };
    QSignalSpy states(&source, &ClusterTargetSource::stateChanged);
    // No approval object: the exec context would fail. Switching away at once must drop that answer.
    source.connectTo(byId(QStringLiteral("lanedeck-exec")), QStringLiteral("istio-system"));
    source.connectTo(byId(QStringLiteral("lanedeck-admin")), QStringLiteral("istio-system"));
    QVERIFY(states.wait(kNetworkTimeoutMs));
    QTest::qWait(500); // room for a late answer of the first request
    QCOMPARE(states.size(), 1);
    QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Connected);
    QVERIFY2(states.first().at(1).toString().startsWith(QStringLiteral("Connected to lanedeck-admin")),
             qPrintable(states.first().at(1).toString()));
}

void TestClusterGui::pushJobReportsProgressAndCancels()
{
    KubeconfigTargetSource::Options options;
    options.kubeconfigEnv = m_kubeconfigEnv;
    options.home = m_cluster.path();
    KubeconfigTargetSource source(options);
    QSignalSpy states(&source, &ClusterTargetSource::stateChanged);
    source.connectTo(source.targets().front(), QStringLiteral("istio-system"));
    QVERIFY(states.wait(kNetworkTimeoutMs));
    QVERIFY(source.canPush());
    const LaneGroup group =
        loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
    const mesh::RenderOptions istio{mesh::Flavor::Istio, {}};

    std::unique_ptr<PushJob> job(source.push(group, istio, PushRequest{}));
    QVERIFY(job);
    QSignalSpy progress(job.get(), &PushJob::progress);
    QSignalSpy outcomes(job.get(), &PushJob::outcome);
    QSignalSpy finished(job.get(), &PushJob::finished);
    QVERIFY(finished.wait(kNetworkTimeoutMs));
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toString(), QString());
    QVERIFY(!outcomes.isEmpty());
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toString(), QStringLiteral("dry-run"));
    QCOMPARE(progress.last().at(1).toInt(), progress.last().at(2).toInt());

    // Cancelled at once: the job still finishes, saying so.
    std::unique_ptr<PushJob> cancelled(source.push(group, istio, PushRequest{}));
    QSignalSpy cancelledFinished(cancelled.get(), &PushJob::finished);
    cancelled->cancel();
    QVERIFY(cancelledFinished.wait(kNetworkTimeoutMs));
    QCOMPARE(cancelledFinished.first().at(0).toBool(), true);
}

void TestClusterGui::unreadableKubeconfigSaysWhy()
{
    KubeconfigTargetSource::Options options;
    options.explicitPath = m_cluster.filePath(QStringLiteral("missing.kubeconfig"));
    KubeconfigTargetSource source(options);
    QVERIFY(!source.loadError().isEmpty());
    QCOMPARE(source.targets().size(), 1);
    QCOMPARE(source.targets().front().id, QString::fromLatin1(KubeconfigTargetSource::kErrorTargetId));
    QSignalSpy states(&source, &ClusterTargetSource::stateChanged);
    source.connectTo(source.targets().front(), QString());
    QVERIFY(states.wait(5'000));
    QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Failed);
    QVERIFY2(states.first().at(1).toString().contains(QStringLiteral("missing.kubeconfig")),
             qPrintable(states.first().at(1).toString()));
    QVERIFY(!source.canPush());
}

void TestClusterGui::trafficPageFollowsTheIngressGateway()
{
    // The operator's ingress gateway: an Istio Gateway, and a LoadBalancer Service selecting the same pods
    // whose load balancer a cloud controller has provisioned (written to the status subresource, as it
    // would).
    const QStringList kc{QStringLiteral("--kubeconfig"),
                         m_cluster.filePath(QStringLiteral("admin.kubeconfig"))};
    const QString manifest = m_cluster.filePath(QStringLiteral("ingressgateway.yaml"));
    QVERIFY(writeFileAtomically(manifest.toStdString(), R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  selector: {app: istio-ingressgateway, istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}, {name: https, port: 443, targetPort: 8443}]
)")
                .ok());
    const Run applied =
        run(m_kubectl, kc + QStringList{QStringLiteral("apply"), QStringLiteral("-f"), manifest});
    QVERIFY2(applied.exitCode == 0, (applied.out + applied.err).constData());
    const Run status = run(
        m_kubectl,
        kc + QStringList{
                 QStringLiteral("-n"), QStringLiteral("istio-system"), QStringLiteral("patch"),
                 QStringLiteral("service"), QStringLiteral("istio-ingressgateway"),
                 QStringLiteral("--subresource=status"), QStringLiteral("--type=merge"), QStringLiteral("-p"),
                 QStringLiteral(R"({"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}})")});
    QVERIFY2(status.exitCode == 0, status.err.constData());

    auto console = makeConsole();
    QVERIFY(console->window->openExample());
    LaneGroup group = console->window->document()->group();
    group.ingress.hosts = {"shop.example.com"};
    console->window->document()->edit(group, QStringLiteral("hosts"));
    TrafficPage *page = console->window->trafficPage();
    auto *url = page->findChild<QLineEdit *>(QStringLiteral("trafficUrl"));
    auto *host = page->findChild<QLineEdit *>(QStringLiteral("trafficHost"));
    QVERIFY(url && host);
    auto *combo = console->window->findChild<QComboBox *>(QStringLiteral("clusterTargetCombo"));
    QCOMPARE(combo->currentData().toString(), QString::fromLatin1(kLocalSandboxId));

    // The sandbox first: its gateway is the target once a push started it.
    SandboxTargetSource *sandbox = console->window->sandboxTarget();
    PushRequest request;
    request.dryRun = false;
    std::unique_ptr<PushJob> job(sandbox->push(console->window->document()->group(),
                                               mesh::RenderOptions{mesh::Flavor::Asm, {}}, request));
    QVERIFY(job);
    QSignalSpy pushed(job.get(), &PushJob::finished);
    QVERIFY(pushed.wait(kNetworkTimeoutMs));
    const QString sandboxUrl = sandbox->gatewayUrl();
    QVERIFY(sandboxUrl.startsWith(QLatin1String("http://127.0.0.1:")));
    QCOMPARE(page->targetUrl(), sandboxUrl);
    QCOMPARE(host->text(), QString());

    // The cluster: the field empties at once (the sandbox's address would be wrong there), and the ingress
    // gateway's address and the group's host arrive from the GUI thread's event loop, never blocking it.
    QSignalSpy resolved(&console->targets, &ClusterTargetSource::ingressResolved);
    combo->setCurrentIndex(combo->findData(QStringLiteral("lanedeck-admin")));
    QCOMPARE(page->targetUrl(), QString());
    QVERIFY2(
        page->targetOrigin().startsWith(QStringLiteral("Looking up the ingress gateway of lanedeck-admin")),
        qPrintable(page->targetOrigin()));
    QTRY_COMPARE_WITH_TIMEOUT(page->targetUrl(), QStringLiteral("http://203.0.113.10/"), kNetworkTimeoutMs);
    QCOMPARE(resolved.size(), 1);
    QCOMPARE(host->text(), QStringLiteral("shop.example.com"));
    QVERIFY2(page->targetOrigin().startsWith(
                 QStringLiteral("From lanedeck-admin: Service istio-system/istio-ingressgateway (type "
                                "LoadBalancer, selected like "
                                "the Gateway istio-system/ingressgateway (istio=ingressgateway)): load "
                                "balancer IP 203.0.113.10")),
             qPrintable(page->targetOrigin()));

    // A document naming a Gateway the cluster does not have: asked again, and said, with no address.
    group.ingress.gatewayName = "no-such-gateway";
    console->window->document()->edit(group, QStringLiteral("gateway"));
    QTRY_COMPARE_WITH_TIMEOUT(resolved.size(), 2, kNetworkTimeoutMs);
    QCOMPARE(page->targetUrl(), QString());
    QVERIFY2(page->targetOrigin().contains(QStringLiteral("istio-system/no-such-gateway")) &&
                 page->targetOrigin().contains(QStringLiteral("does not exist")),
             qPrintable(page->targetOrigin()));
    console->window->document()->undoStack()->undo();
    QTRY_COMPARE_WITH_TIMEOUT(page->targetUrl(), QStringLiteral("http://203.0.113.10/"), kNetworkTimeoutMs);

    // Back to the sandbox: its address again, and no Host header.
    combo->setCurrentIndex(combo->findData(QString::fromLatin1(kLocalSandboxId)));
    QCOMPARE(page->targetUrl(), sandboxUrl);
    QCOMPARE(host->text(), QString());

    // What the operator types is theirs: the cluster's answer does not replace it.
    console->window->showTab(QStringLiteral("traffic"));
    url->selectAll();
    QTest::keyClicks(url, QStringLiteral("http://127.0.0.1:8080/"));
    host->selectAll();
    QTest::keyClicks(host, QStringLiteral("mine.example.com"));
    const int answers = resolved.size();
    combo->setCurrentIndex(combo->findData(QStringLiteral("lanedeck-admin")));
    QTRY_COMPARE_WITH_TIMEOUT(resolved.size(), answers + 1, kNetworkTimeoutMs);
    QCOMPARE(resolved.last().first().value<IngressAddress>().url, QStringLiteral("http://203.0.113.10/"));
    QCOMPARE(page->targetUrl(), QStringLiteral("http://127.0.0.1:8080/"));
    QCOMPARE(host->text(), QStringLiteral("mine.example.com"));
    combo->setCurrentIndex(combo->findData(QString::fromLatin1(kLocalSandboxId)));
    QCOMPARE(page->targetUrl(), QStringLiteral("http://127.0.0.1:8080/"));
    sandbox->stop();
}

/// Whether every resource name ("Kind ns/name") lies in namespace `ns`.
static bool allIn(const QStringList &names, const QString &ns)
{
    return !names.isEmpty() && std::all_of(names.begin(), names.end(), [&ns](const QString &name) {
        return name.section(QLatin1Char(' '), 1).startsWith(ns + QLatin1Char('/'));
    });
}

void TestClusterGui::oneNamespaceForPreviewDiffAndPush()
{
    auto console = makeConsole();
    MainWindow *window = console->window.get();
    window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(window->openExample());
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    auto *destination = window->findChild<QLabel *>(QStringLiteral("clusterDestinationLabel"));
    auto *other = window->findChild<QCheckBox *>(QStringLiteral("clusterOtherNamespaceCheck"));
    auto *otherEdit = window->findChild<QLineEdit *>(QStringLiteral("clusterNamespaceEdit"));
    QVERIFY(destination && other && otherEdit);
    QCOMPARE(destination->text(), QStringLiteral("istio-system"));
    QVERIFY(!otherEdit->isEnabled());
    QVERIFY(allIn(diffOnce(*console), QStringLiteral("istio-system")));

    // "Into another namespace" is a visible choice, and the preview, the diff and the push all follow it.
    const QString ns = QStringLiteral("lanedeck-elsewhere");
    QTest::mouseClick(other, Qt::LeftButton, {}, QPoint(4, other->height() / 2));
    QVERIFY(otherEdit->isEnabled());
    QTest::keyClicks(otherEdit, ns);
    QTest::keyClick(otherEdit, Qt::Key_Return);
    QCOMPARE(window->clusterBar()->targetNamespace(), ns);
    QVERIFY2(destination->text().contains(ns) && destination->text().contains(QStringLiteral("istio-system")),
             qPrintable(destination->text()));
    QTRY_COMPARE_WITH_TIMEOUT(window->clusterBar()->state(), ConnectionState::Connected, kNetworkTimeoutMs);
    QStringList previewed;
    for (const auto &document : window->resources()->rendering().documents) {
        previewed << document.displayName;
    }
    QVERIFY2(allIn(previewed, ns), qPrintable(previewed.join(QLatin1Char('\n'))));
    QVERIFY(window->findChild<QLabel *>(QStringLiteral("renderStatusLabel"))->text().contains(ns));
    QVERIFY(allIn(diffOnce(*console), ns));

    // The namespace does not exist: one row saying so, with its fix (a dry run of it passed), not a 404 per
    // resource.
    PushDialog *dialog = openPush(*console);
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::DryRun, kNetworkTimeoutMs);
    auto *create = dialog->findChild<QPushButton *>(QStringLiteral("pushCreateNamespaceButton"));
    QTRY_VERIFY_WITH_TIMEOUT(create->isVisible() && create->isEnabled(), kNetworkTimeoutMs);
    QCOMPARE(dialog->stage(), PushDialog::Stage::Failed);
    QCOMPARE(dialog->missingNamespace(), ns);
    QCOMPARE(dialog->model()->rowCount(), 1);
    const PushOutcome row = dialog->model()->outcomes().front();
    QCOMPARE(row.resource, QStringLiteral("Namespace ") + ns);
    QCOMPARE(row.result, PushOutcome::Result::Missing);
    QVERIFY2(row.message.contains(QStringLiteral("dry run of creating it passed")), qPrintable(row.message));
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"))->isEnabled());
    const Run before = run(m_kubectl, {QStringLiteral("--kubeconfig"),
                                       m_cluster.filePath(QStringLiteral("admin.kubeconfig")),
                                       QStringLiteral("get"), QStringLiteral("namespace"), ns});
    QVERIFY2(before.exitCode != 0, before.out.constData()); // the dry run created nothing
    QTest::mouseClick(create, Qt::LeftButton);
    // Created, then the group's dry run again, by itself: every resource would be created there.
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == PushDialog::Stage::Review, kNetworkTimeoutMs);
    QStringList pushed;
    for (const auto &o : dialog->model()->outcomes()) {
        QCOMPARE(o.result, PushOutcome::Result::Created);
        pushed << o.resource;
    }
    pushed.sort();
    previewed.sort();
    QCOMPARE(pushed, previewed); // answers come in the order the server gave them
    // The columns fit what they hold and the operator can widen them.
    auto *table = dialog->findChild<QTableView *>(QStringLiteral("pushResults"));
    for (const int column : {PushResultModel::Resource, PushResultModel::Result}) {
        QCOMPARE(table->horizontalHeader()->sectionResizeMode(column), QHeaderView::Interactive);
    }
    QVERIFY2(table->columnWidth(PushResultModel::Result) >=
                 table->fontMetrics().horizontalAdvance(QStringLiteral("created")),
             qPrintable(QString::number(table->columnWidth(PushResultModel::Result))));
    QVERIFY(table->columnWidth(PushResultModel::Resource) >
            table->fontMetrics().horizontalAdvance(QStringLiteral("DestinationRule")));
    // The dry run can be run again from the dialog.
    auto *rerun = dialog->findChild<QPushButton *>(QStringLiteral("pushRerunButton"));
    QVERIFY(rerun->isEnabled());
    QTest::mouseClick(rerun, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == PushDialog::Stage::Review, kNetworkTimeoutMs);
    QCOMPARE(dialog->model()->rowCount(), static_cast<int>(pushed.size()));
    delete dialog;
    const Run after = run(m_kubectl, {QStringLiteral("--kubeconfig"),
                                      m_cluster.filePath(QStringLiteral("admin.kubeconfig")),
                                      QStringLiteral("get"), QStringLiteral("namespace"), ns});
    QVERIFY2(after.exitCode == 0, after.err.constData());

    // Another document: the choice was for the old one; the new group goes where it says.
    QVERIFY(window->openExample());
    QCOMPARE(window->clusterBar()->namespaceOverride(), QString());
    QVERIFY(!other->isChecked());
    QCOMPARE(destination->text(), QStringLiteral("istio-system"));
    QTRY_COMPARE_WITH_TIMEOUT(window->clusterBar()->state(), ConnectionState::Connected, kNetworkTimeoutMs);
    QVERIFY(allIn(diffOnce(*console), QStringLiteral("istio-system")));
}

// A document without metadata.namespace (the parser no longer reads it as istio-system): nothing goes
// anywhere until the operator names a namespace; named in the cluster bar, the preview and the push follow
// it.
void TestClusterGui::groupWithoutNamespaceIsAVisibleChoice()
{
    auto console = makeConsole();
    MainWindow *window = console->window.get();
    window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(window->openExample());
    LaneGroup group = window->document()->group();
    group.ns.clear();
    window->document()->edit(group, QStringLiteral("group"));
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    auto *destination = window->findChild<QLabel *>(QStringLiteral("clusterDestinationLabel"));
    auto *other = window->findChild<QCheckBox *>(QStringLiteral("clusterOtherNamespaceCheck"));
    auto *otherEdit = window->findChild<QLineEdit *>(QStringLiteral("clusterNamespaceEdit"));
    auto *push = window->findChild<QAction *>(QStringLiteral("pushAction"));
    QVERIFY(destination && other && otherEdit && push);
    QCOMPARE(destination->text(), QStringLiteral("(none: the group has no namespace)"));
    QTRY_VERIFY(!push->isEnabled());
    QVERIFY2(push->toolTip().contains(QStringLiteral("metadata.namespace: missing")),
             qPrintable(push->toolTip()));
    QVERIFY(window->resources()->rendering().documents.empty());

    const QString ns = QStringLiteral("lanedeck-chosen");
    QTest::mouseClick(other, Qt::LeftButton, {}, QPoint(4, other->height() / 2));
    QTest::keyClicks(otherEdit, ns);
    QTest::keyClick(otherEdit, Qt::Key_Return);
    QCOMPARE(window->clusterBar()->targetNamespace(), ns);
    QTRY_COMPARE_WITH_TIMEOUT(window->clusterBar()->state(), ConnectionState::Connected, kNetworkTimeoutMs);
    QTRY_VERIFY2(push->isEnabled(), qPrintable(push->toolTip()));
    QStringList previewed;
    for (const auto &document : window->resources()->rendering().documents) {
        previewed << document.displayName;
    }
    QVERIFY(!previewed.isEmpty());
    QVERIFY2(allIn(previewed, ns), qPrintable(previewed.join(QLatin1Char('\n'))));
    // Clearing the choice takes the push away again.
    QTest::mouseClick(other, Qt::LeftButton, {}, QPoint(4, other->height() / 2));
    QTRY_VERIFY(!push->isEnabled());
}

void TestClusterGui::flavorAdvice_data()
{
    QTest::addColumn<QString>("cluster");
    QTest::addColumn<QString>("flavor");
    QTest::addColumn<QString>("apiVersion");
    QTest::addColumn<QString>("problem");  // a part of it; empty: the flavor fits
    QTest::addColumn<QString>("switchTo"); // the flavor offered
    QTest::addColumn<QString>("switchVersion");
    QTest::addRow("upstream-istio-asm-switches-to-istio") << "istio"
                                                          << "asm"
                                                          << ""
                                                          << "upstream Istio"
                                                          << "istio"
                                                          << "";
    QTest::addRow("upstream-istio-asm-crd-switches-to-istio") << "istio"
                                                              << "asm-crd"
                                                              << ""
                                                              << "lane CRDs"
                                                              << "istio"
                                                              << "";
    QTest::addRow("upstream-istio-istio-fits") << "istio"
                                               << "istio"
                                               << ""
                                               << ""
                                               << ""
                                               << "";
    QTest::addRow("asm-without-header-propagation-switches-to-istio") << "asm-old"
                                                                      << "asm"
                                                                      << ""
                                                                      << "ASMHeaderPropagation"
                                                                      << "istio"
                                                                      << "";
    QTest::addRow("asm-asm-fits") << "asm"
                                  << "asm"
                                  << ""
                                  << ""
                                  << ""
                                  << "";
    QTest::addRow("v1beta1-only-istio-switches-version") << "istio-v1beta1"
                                                         << "istio"
                                                         << ""
                                                         << "networking.istio.io/v1 "
                                                         << "istio"
                                                         << "v1beta1";
    QTest::addRow("no-istio-api-no-switch") << "bare"
                                            << "asm"
                                            << ""
                                            << "no Istio networking API"
                                            << ""
                                            << "";
}

void TestClusterGui::flavorAdvice()
{
    QFETCH(QString, cluster);
    QFETCH(QString, flavor);
    QFETCH(QString, apiVersion);
    QFETCH(QString, problem);
    QFETCH(QString, switchTo);
    QFETCH(QString, switchVersion);
    kube::MeshDiscovery mesh;
    if (cluster != QLatin1String("bare")) {
        mesh.virtualService = mesh.destinationRule = mesh.gateway = true;
        mesh.istioVersions = cluster == QLatin1String("istio-v1beta1")
                                 ? std::vector<std::string>{"v1beta1"}
                                 : std::vector<std::string>{"v1", "v1beta1"};
    }
    if (cluster.startsWith(QLatin1String("asm"))) {
        mesh.fallbackDeclared = mesh.asmLaneCrds = true;
        mesh.asmHeaderPropagation = cluster == QLatin1String("asm");
    }
    const LaneGroup group =
        loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
    mesh::RenderOptions render{*mesh::parseFlavor(flavor.toStdString()), {}};
    if (!apiVersion.isEmpty()) {
        render.istioVersion = mesh::parseIstioVersion(apiVersion.toStdString());
    }
    const FlavorAdvice advice = adviseFlavor(mesh, group, render);
    QVERIFY2(problem.isEmpty() ? advice.problem.isEmpty() : advice.problem.contains(problem),
             qPrintable(advice.problem));
    QCOMPARE(advice.flavor, switchTo);
    QCOMPARE(advice.apiVersion, switchVersion);
    // The console's words, not lanectl's.
    QVERIFY2(!advice.problem.contains(QStringLiteral("--")), qPrintable(advice.problem));
}

void TestClusterGui::flavorFollowsTheCluster()
{
    auto console = makeConsole();
    MainWindow *window = console->window.get();
    window->resources()->setOptions(QStringLiteral("asm"), QString());
    QVERIFY(window->openExample());
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin"))); // upstream Istio: no fallback
    auto *barFlavor = window->findChild<QComboBox *>(QStringLiteral("clusterFlavorCombo"));
    auto *resourcesFlavor = window->findChild<QComboBox *>(QStringLiteral("flavorCombo"));
    auto *barSwitch = window->findChild<QPushButton *>(QStringLiteral("clusterFlavorSwitchButton"));
    auto *advice = window->findChild<QLabel *>(QStringLiteral("clusterFlavorAdviceLabel"));
    QVERIFY(barFlavor && resourcesFlavor && barSwitch && advice);
    QCOMPARE(barFlavor->currentData().toString(), QStringLiteral("asm"));
    QVERIFY(barSwitch->isVisible());
    QCOMPARE(barSwitch->text(), QStringLiteral("Use the Istio flavor"));
    QVERIFY2(advice->text().contains(QStringLiteral("upstream Istio")), qPrintable(advice->text()));

    // The failing diff says so in the console's words and offers the same switch; taking it diffs again.
    auto *diffAction = window->findChild<QAction *>(QStringLiteral("diffAction"));
    diffAction->trigger();
    auto *diff = window->findChild<DiffDialog *>(QStringLiteral("diffDialog"));
    QVERIFY(diff);
    auto *summary = diff->findChild<QLabel *>(QStringLiteral("diffSummary"));
    QVERIFY2(summary->text().contains(QStringLiteral("upstream Istio")) &&
                 !summary->text().contains(QStringLiteral("--flavor")),
             qPrintable(summary->text()));
    auto *diffSwitch = diff->findChild<QPushButton *>(QStringLiteral("diffFlavorSwitchButton"));
    QVERIFY(diffSwitch && diffSwitch->isVisible());
    QTest::mouseClick(diffSwitch, Qt::LeftButton);
    QCOMPARE(resourcesFlavor->currentData().toString(), QStringLiteral("istio"));
    QCOMPARE(barFlavor->currentData().toString(), QStringLiteral("istio"));
    QVERIFY(!barSwitch->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!diff->isRunning(), kNetworkTimeoutMs);
    QVERIFY2(!diff->diffs().isEmpty(), qPrintable(summary->text()));
    delete diff;

    // The bar's own selector is the same choice; the push dialog offers the switch too.
    barFlavor->setCurrentIndex(barFlavor->findData(QStringLiteral("asm")));
    QCOMPARE(resourcesFlavor->currentData().toString(), QStringLiteral("asm"));
    QVERIFY(barSwitch->isVisible());
    PushDialog *push = openPush(*console);
    QVERIFY(push);
    QCOMPARE(push->stage(), PushDialog::Stage::Failed);
    auto *pushSwitch = push->findChild<QPushButton *>(QStringLiteral("pushFlavorSwitchButton"));
    QVERIFY(pushSwitch && pushSwitch->isVisible());
    QTest::mouseClick(pushSwitch, Qt::LeftButton);
    // Analyzed again in the new flavor, then (past the test cluster's missing workloads) the dry run.
    QTRY_VERIFY_WITH_TIMEOUT(push->stage() == PushDialog::Stage::Findings, kNetworkTimeoutMs);
    push->pushAnyway();
    QTRY_VERIFY_WITH_TIMEOUT(push->stage() == PushDialog::Stage::Review, kNetworkTimeoutMs);
    QVERIFY(push->model()->rowCount() > 0);
    delete push;
    // One click in the bar does the same.
    barFlavor->setCurrentIndex(barFlavor->findData(QStringLiteral("asm")));
    QTest::mouseClick(barSwitch, Qt::LeftButton);
    QCOMPARE(resourcesFlavor->currentData().toString(), QStringLiteral("istio"));
    QVERIFY(!barSwitch->isVisible());
}

void TestClusterGui::groupsInTheClusterOpenDeleteAndDrift()
{
    const QStringList kc{QStringLiteral("--kubeconfig"),
                         m_cluster.filePath(QStringLiteral("admin.kubeconfig"))};
    const QString ns = QStringLiteral("lanedeck-groups");
    const Run created =
        run(m_kubectl, kc + QStringList{QStringLiteral("create"), QStringLiteral("namespace"), ns});
    QVERIFY2(created.exitCode == 0, created.err.constData());

    auto console = makeConsole();
    MainWindow *window = console->window.get();
    window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(window->openExample());
    LaneGroup group = window->document()->group();
    group.name = "shop-lanes";
    group.ns = ns.toStdString();
    window->document()->edit(group, QStringLiteral("group"));
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    auto *drift = window->findChild<QLabel *>(QStringLiteral("clusterDriftLabel"));
    QVERIFY(drift);
    QTRY_COMPARE_WITH_TIMEOUT(drift->text(), QStringLiteral("Not in the cluster yet"), kNetworkTimeoutMs);

    const auto pushed = pushOnce(*console, true);
    QVERIFY2(all(pushed, PushOutcome::Result::Created), qPrintable(describe(pushed)));
    QTRY_COMPARE_WITH_TIMEOUT(drift->text(), QStringLiteral("✓ In sync with the cluster"), kNetworkTimeoutMs);

    // Someone edits a weight by hand: the bar says the live objects drifted once it looks again.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBE_EDITOR"), QStringLiteral("sed -i -e s/weight:\\ 60/weight:\\ 55/"));
    const QString ingress = QString::fromStdString(mesh::ingressVirtualServiceName(group));
    const Run edit = run(m_kubectl,
                         kc + QStringList{QStringLiteral("-n"), ns, QStringLiteral("edit"),
                                          QStringLiteral("virtualservice"), ingress},
                         env);
    QVERIFY2(edit.exitCode == 0, (edit.out + edit.err).constData());
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("clusterTargetCombo"));
    combo->setCurrentIndex(0);
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    QTRY_VERIFY2_WITH_TIMEOUT(drift->text().startsWith(QStringLiteral("⚠ Drifted: 1 of ")),
                              qPrintable(drift->text()), kNetworkTimeoutMs);

    // Open from Cluster lists it, drifted, with its flavor, lanes and services.
    const auto findRow = [](const ClusterGroupsModel *model, const QString &name, const QString &in) {
        for (int row = 0; row < model->groups().size(); ++row) {
            if (model->groups()[row].name == name && model->groups()[row].ns == in) {
                return row;
            }
        }
        return -1;
    };
    ClusterGroupsDialog *open = window->openFromCluster();
    QVERIFY(open);
    QAbstractItemModelTester tester(open->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(!open->isRunning(), kNetworkTimeoutMs);
    const int row = findRow(open->model(), QStringLiteral("shop-lanes"), ns);
    QVERIFY2(row >= 0, qPrintable(open->summary()));
    const ClusterGroup listed = open->model()->groups()[row];
    // The hand-edited weights (55/20/20) are no group LaneDeck would generate.
    QCOMPARE(listed.state, ClusterGroup::State::Drifted);
    QVERIFY2(listed.problem.contains(QStringLiteral("add up to 95")), qPrintable(listed.problem));
    QCOMPARE(listed.flavor, QStringLiteral("istio"));
    QCOMPARE(listed.lanes, (QStringList{QStringLiteral("s1"), QStringLiteral("s2"), QStringLiteral("s3")}));
    QCOMPARE(listed.services,
             (QStringList{QStringLiteral("mocka"), QStringLiteral("mockb"), QStringLiteral("mockc")}));
    QCOMPARE(listed.objects.size(), static_cast<int>(pushed.size()));
    QCOMPARE(open->model()->index(row, ClusterGroupsModel::State).data().toString(),
             QStringLiteral("drifted"));

    // Opening it imports the live state, hand edit included: the document says what is wrong with it.
    QTemporaryDir saved; // saved first: no unsaved-changes question
    QString error;
    QVERIFY2(window->document()->saveAs(saved.filePath(QStringLiteral("shop.lanes.yaml")), &error),
             qPrintable(error));
    open->selectGroup(row);
    QSignalSpy imported(open, &ClusterGroupsDialog::imported);
    open->actOnSelected();
    QTRY_COMPARE_WITH_TIMEOUT(imported.size(), 1, kNetworkTimeoutMs);
    QCOMPARE(window->document()->group().name, std::string("shop-lanes"));
    QCOMPARE(window->document()->group().ns, ns.toStdString());
    QCOMPARE(window->document()->group().lanes.front().weight, 55);
    QCOMPARE(window->resources()->flavorName(), QStringLiteral("istio"));
    QVERIFY(!window->document()->diagnostics().all().empty());
    QTRY_VERIFY(!drift->isVisible()); // an invalid document is not compared
    // Put right in the document, it differs from the live objects in the one edited route.
    window->document()->setLaneWeight(0, 60, true);
    QVERIFY(window->document()->diagnostics().all().empty());
    QTRY_VERIFY2_WITH_TIMEOUT(drift->isVisible() &&
                                  drift->text().startsWith(QStringLiteral("⚠ Drifted: 1 of ")),
                              qPrintable(drift->text()), kNetworkTimeoutMs);

    // Delete from Cluster: a dry run, then the confirmation lists every object; "no" deletes nothing.
    const auto liveObjects = [&] {
        const Run get = run(m_kubectl, kc + QStringList{QStringLiteral("-n"), ns, QStringLiteral("get"),
                                                        QStringLiteral("virtualservices,destinationrules"),
                                                        QStringLiteral("-o"), QStringLiteral("name")});
        return get.exitCode == 0 ? QString::fromUtf8(get.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                                 : QStringList{QStringLiteral("kubectl failed")};
    };
    QCOMPARE(liveObjects().size(), static_cast<int>(pushed.size()));
    ClusterGroupsDialog *remove = window->deleteFromCluster();
    QVERIFY(remove);
    QTRY_VERIFY_WITH_TIMEOUT(!remove->isRunning(), kNetworkTimeoutMs);
    QList<QStringList> asked;
    bool answer = false;
    remove->setConfirm([&asked, &answer](const QString &name, const QStringList &objects) {
        asked << (QStringList{name} + objects);
        return answer;
    });
    remove->selectGroup(findRow(remove->model(), QStringLiteral("shop-lanes"), ns));
    remove->actOnSelected();
    QTRY_VERIFY_WITH_TIMEOUT(!remove->isRunning(), kNetworkTimeoutMs);
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.front().size(), 1 + static_cast<int>(pushed.size()));
    QVERIFY(asked.front().contains(QStringLiteral("VirtualService ") + ns + QLatin1Char('/') + ingress));
    QCOMPARE(liveObjects().size(), static_cast<int>(pushed.size()));
    answer = true;
    QSignalSpy deleted(remove, &ClusterGroupsDialog::deleted);
    remove->actOnSelected();
    QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 1, kNetworkTimeoutMs);
    QCOMPARE(asked.size(), 2);
    QCOMPARE(liveObjects(), QStringList());
    QTRY_VERIFY_WITH_TIMEOUT(!remove->isRunning(), kNetworkTimeoutMs);
    QCOMPARE(findRow(remove->model(), QStringLiteral("shop-lanes"), ns), -1);
    delete remove;
    QTRY_COMPARE_WITH_TIMEOUT(drift->text(), QStringLiteral("Not in the cluster yet"), kNetworkTimeoutMs);
}

// Three groups pushed alike, then one left alone, one edited by hand (still a valid group: a field the
// generator does not write) and one with an object deleted: Open from Cluster lists them in sync, drifted and
// partly missing, as lanectl diff sees them, and its details show what differs.
void TestClusterGui::openFromClusterShowsEachState()
{
    const QString kubeconfig = m_cluster.filePath(QStringLiteral("admin.kubeconfig"));
    const QStringList kc{QStringLiteral("--kubeconfig"), kubeconfig};
    const QString ns = QStringLiteral("lanedeck-states");
    const Run created =
        run(m_kubectl, kc + QStringList{QStringLiteral("create"), QStringLiteral("namespace"), ns});
    QVERIFY2(created.exitCode == 0, created.err.constData());
    auto client = clientFor(kubeconfig);
    QVERIFY(client);
    const mesh::RenderOptions istio{mesh::Flavor::Istio, {}};
    auto groupNamed = [&ns](const std::string &name) {
        LaneGroup group = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
        group.name = name;
        group.ns = ns.toStdString();
        return group;
    };
    for (const char *name : {"as-pushed", "edited", "thinned"}) {
        auto pushed = kube::push(*client, groupNamed(name), istio, {});
        QVERIFY2(pushed && pushed->ok(), name);
    }
    const auto drName = [&](const std::string &group) {
        const LaneGroup g = groupNamed(group);
        return QString::fromStdString(mesh::destinationRuleName(g, *g.service("mockb")));
    };
    const Run edit = run(m_kubectl, kc + QStringList{QStringLiteral("-n"), ns, QStringLiteral("patch"),
                                                     QStringLiteral("destinationrule"), drName("edited"),
                                                     QStringLiteral("--type=merge"), QStringLiteral("-p"),
                                                     QStringLiteral(R"({"spec":{"exportTo":["."]}})")});
    QVERIFY2(edit.exitCode == 0, (edit.out + edit.err).constData());
    const Run removed =
        run(m_kubectl, kc + QStringList{QStringLiteral("-n"), ns, QStringLiteral("delete"),
                                        QStringLiteral("destinationrule"), drName("thinned")});
    QVERIFY2(removed.exitCode == 0, (removed.out + removed.err).constData());
    // lanectl diff's engine agrees: identical, one changed, one new.
    for (const auto &[name, state] : std::vector<std::pair<std::string, kube::ResourceDiff::State>>{
             {"as-pushed", kube::ResourceDiff::State::Identical},
             {"edited", kube::ResourceDiff::State::Changed},
             {"thinned", kube::ResourceDiff::State::New}}) {
        auto diffs = kube::diffGroup(*client, groupNamed(name), istio);
        QVERIFY2(diffs, name.c_str());
        QCOMPARE(std::count_if(diffs->begin(), diffs->end(),
                               [](const kube::ResourceDiff &d) {
                                   return d.state != kube::ResourceDiff::State::Identical;
                               }),
                 state == kube::ResourceDiff::State::Identical ? 0 : 1);
    }

    auto console = makeConsole();
    MainWindow *window = console->window.get();
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    ClusterGroupsDialog *open = window->openFromCluster();
    QVERIFY(open);
    QAbstractItemModelTester tester(open->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(!open->isRunning(), kNetworkTimeoutMs);
    QMap<QString, int> rows;
    for (int row = 0; row < open->model()->rowCount(); ++row) {
        if (open->model()->groups()[row].ns == ns) {
            rows[open->model()->groups()[row].name] = row;
        }
    }
    QCOMPARE(rows.keys(), (QList<QString>{QStringLiteral("as-pushed"), QStringLiteral("edited"),
                                          QStringLiteral("thinned")}));
    const auto stateOf = [&](const char *name) {
        return open->model()->index(rows[QLatin1String(name)], ClusterGroupsModel::State).data().toString();
    };
    QCOMPARE(stateOf("as-pushed"), QStringLiteral("in sync"));
    QCOMPARE(stateOf("edited"), QStringLiteral("drifted"));
    QCOMPARE(stateOf("thinned"), QStringLiteral("partly missing"));
    const QString dr = QStringLiteral("DestinationRule ") + ns + QLatin1Char('/');
    const ClusterGroup &edited = open->model()->groups()[rows[QStringLiteral("edited")]];
    QCOMPARE(edited.drifted, QStringList{dr + drName("edited")});
    QVERIFY(edited.missing.isEmpty());
    const ClusterGroup &thinned = open->model()->groups()[rows[QStringLiteral("thinned")]];
    QCOMPARE(thinned.missing, QStringList{dr + drName("thinned")});
    QVERIFY(thinned.drifted.isEmpty());
    QVERIFY(open->model()->groups()[rows[QStringLiteral("as-pushed")]].diff.isEmpty());

    // The details pane: the state, what differs, and the diff itself (the hand-added exportTo goes).
    auto *details = open->findChild<QPlainTextEdit *>();
    QVERIFY(details);
    open->selectGroup(rows[QStringLiteral("edited")]);
    QVERIFY2(details->toPlainText().startsWith(QStringLiteral("edited: drifted\ndiffers: ") + dr +
                                               drName("edited")),
             qPrintable(details->toPlainText()));
    QVERIFY2(details->toPlainText().contains(
                 QRegularExpression(QStringLiteral("^-  exportTo:"), QRegularExpression::MultilineOption)),
             qPrintable(details->toPlainText()));
    open->selectGroup(rows[QStringLiteral("thinned")]);
    // mockb's rule held lane s3's only service: what is left is no valid group, and the dialog says so.
    QVERIFY2(details->toPlainText().startsWith(QStringLiteral("thinned: partly missing\n")) &&
                 details->toPlainText().contains(QStringLiteral("\nmissing: ") + dr + drName("thinned") +
                                                 QLatin1Char('\n')),
             qPrintable(details->toPlainText()));
    open->selectGroup(rows[QStringLiteral("as-pushed")]);
    QVERIFY(!details->toPlainText().contains(QStringLiteral("What differs")));
    delete open;
}

void TestClusterGui::clusterFindingsInProblemsAndPush()
{
    // The operator's own routing for mocka: timeouts and retries, and mTLS, which the group's generated
    // VirtualService and DestinationRule would shadow; and the three Services, without workloads.
    const QStringList kc{QStringLiteral("--kubeconfig"),
                         m_cluster.filePath(QStringLiteral("admin.kubeconfig"))};
    const QString manifest = m_cluster.filePath(QStringLiteral("mocka-own.yaml"));
    QVERIFY(writeFileAtomically(manifest.toStdString(), R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mocka-timeouts, namespace: default}
spec:
  hosts: [mocka.default.svc.cluster.local]
  http: [{timeout: 2s, retries: {attempts: 3}, route: [{destination: {host: mocka.default.svc.cluster.local}}]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mocka-mtls, namespace: default}
spec:
  host: mocka.default.svc.cluster.local
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
---
apiVersion: v1
kind: Service
metadata: {name: mocka, namespace: default}
spec:
  selector: {app: mocka}
  ports: [{name: http, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: mockb, namespace: default}
spec:
  selector: {app: mockb}
  ports: [{name: http, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: mockc, namespace: default}
spec:
  selector: {app: mockc}
  ports: [{name: http, port: 8000}]
)")
                .ok());
    const Run applied =
        run(m_kubectl, kc + QStringList{QStringLiteral("apply"), QStringLiteral("-f"), manifest});
    QVERIFY2(applied.exitCode == 0, (applied.out + applied.err).constData());

    auto console = makeConsole();
    MainWindow *window = console->window.get();
    window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(window->openExample());
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    ProblemsModel *problems = window->problemsModel();
    QAbstractItemModelTester tester(problems, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto rowOf = [problems](const QString &code, const QString &object = {}) {
        for (int row = 0; row < problems->rowCount(); ++row) {
            if (problems->index(row, 0).data(ProblemsModel::CodeRole).toString() == code &&
                (object.isEmpty() ||
                 problems->index(row, ProblemsModel::Field).data().toString() == object)) {
                return row;
            }
        }
        return -1;
    };
    // On connecting, the cluster's findings join the Problems panel, each saying where it comes from.
    QTRY_VERIFY_WITH_TIMEOUT(
        rowOf(QStringLiteral("vs-conflict"), QStringLiteral("VirtualService default/mocka-timeouts")) >= 0,
        kNetworkTimeoutMs);
    const int conflict =
        rowOf(QStringLiteral("vs-conflict"), QStringLiteral("VirtualService default/mocka-timeouts"));
    QVERIFY(problems->index(conflict, ProblemsModel::Source)
                .data()
                .toString()
                .startsWith(QStringLiteral("cluster")));
    QVERIFY(rowOf(QStringLiteral("dr-conflict"), QStringLiteral("DestinationRule default/mocka-mtls")) >= 0);
    QCOMPARE(problems->headerData(ProblemsModel::Source, Qt::Horizontal).toString(),
             QStringLiteral("Source"));

    // A lane x service finding focuses that cell of the lane grid.
    int cell = -1;
    for (int row = 0; row < problems->rowCount() && cell < 0; ++row) {
        if (problems->index(row, 0).data(ProblemsModel::LaneRole).toString() == QLatin1String("s2") &&
            problems->index(row, 0).data(ProblemsModel::ServiceRole).toString() == QLatin1String("mockc")) {
            cell = row;
        }
    }
    QVERIFY2(cell >= 0, "no finding for lane s2 x mockc (the test cluster runs no workloads)");
    auto *view = window->findChild<QTableView *>(QStringLiteral("problemsView"));
    Q_EMIT view->activated(problems->index(cell, ProblemsModel::Message));
    auto *grid = window->findChild<QTableView *>(QStringLiteral("laneGrid"));
    QCOMPARE(grid->currentIndex().row(), 2);    // mockc
    QCOMPARE(grid->currentIndex().column(), 1); // s2

    // Adopting the shadowed settings is one undoable edit of the document.
    auto *adopt = window->findChild<QAction *>(QStringLiteral("adoptAction"));
    QVERIFY(adopt && adopt->isEnabled());
    const LaneGroup before = window->document()->group();
    adopt->trigger();
    const LaneGroup after = window->document()->group();
    const Service *mocka = after.service("mocka");
    QVERIFY(mocka);
    QCOMPARE(QString::fromStdString(mocka->adopted.route.value("timeout", "")), QStringLiteral("2s"));
    QCOMPARE(QString::fromStdString(mocka->adopted.trafficPolicy["tls"].value("mode", "")),
             QStringLiteral("ISTIO_MUTUAL"));
    QCOMPARE(after.ns, before.ns);
    window->document()->undoStack()->undo();
    QVERIFY(window->document()->group() == before);

    // The push dialog analyzes again first, lists the findings, and offers Push Anyway for the errors.
    auto *action = window->findChild<QAction *>(QStringLiteral("pushAction"));
    action->trigger();
    auto *dialog = window->findChild<PushDialog *>(QStringLiteral("pushDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::Analyzing, kNetworkTimeoutMs);
    QCOMPARE(dialog->stage(), PushDialog::Stage::Findings);
    QVERIFY(std::any_of(dialog->findings().begin(), dialog->findings().end(),
                        [](const ClusterFinding &f) { return f.code == QLatin1String("vs-conflict"); }));
    auto *findings = dialog->findChild<QListWidget *>(QStringLiteral("pushFindings"));
    QVERIFY(findings && findings->isVisible() && findings->count() == dialog->findings().size());
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"))->isEnabled());
    auto *anyway = dialog->findChild<QPushButton *>(QStringLiteral("pushAnywayButton"));
    QVERIFY(anyway && anyway->isVisible());
    QTest::mouseClick(anyway, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() == PushDialog::Stage::Review, kNetworkTimeoutMs);
    QVERIFY(dialog->model()->rowCount() > 0);
    delete dialog;

    const Run removed =
        run(m_kubectl, kc + QStringList{QStringLiteral("delete"), QStringLiteral("-f"), manifest});
    QVERIFY2(removed.exitCode == 0, removed.err.constData());
}

void TestClusterGui::noSecretInWhatTheConsoleShowsOrWrites()
{
    // The credential scan, console: connect, push, diff, and fail (read-only user, revoked token, revoked
    // exec token, a proxy with a password, basic auth), and after each step walk every text of every window;
    // record every status bar and connection message on the way; then save the document, export the resources
    // and scan those files, the autosave folder and the settings. None may hold a token, key or password of
    // any kubeconfig listed.
    using namespace lanedeck::testing;
    QList<Secret> secrets = testClusterSecrets(m_cluster.path());
    QCOMPARE(secrets.size(), 4); // admin, exec (what the plugin prints), readonly, the client key
    const QByteArray revoked = "revoked-gui-6f1d3b8e0a2c4e6f8b0d";
    const QByteArray password = "basic-gui-pass-3c5e7a9b1d2f4a6c8e";
    const QByteArray revokedExec = "revoked-gui-exec-9a7c5e3b1f0d2b4d";
    const QByteArray proxyPassword = "proxy-gui-pass-1b3d5f7a9c0e2a4c";
    secrets << tokenSecret(QStringLiteral("revoked token"), revoked)
            << passwordSecret(QStringLiteral("basic-auth password"), "lanedeck-basic", password)
            << tokenSecret(QStringLiteral("revoked exec token"), revokedExec)
            << passwordSecret(QStringLiteral("proxy password"), "lanedeck-proxy", proxyPassword);
    const QString admin =
        QString::fromUtf8(fileContents(m_cluster.filePath(QStringLiteral("gui-admin.kubeconfig"))));
    static const QRegularExpression tokenLine(QStringLiteral(R"(^(\s*)token:\s*\S+\s*$)"),
                                              QRegularExpression::MultilineOption);
    QVERIFY(admin.contains(tokenLine));
    // Each copy gets user, cluster and context names of its own: merged, the first file's "admin" would win.
    static const QRegularExpression names(QStringLiteral(R"(^(\s*-?\s*(?:name|user):\s*)admin\s*$)"),
                                          QRegularExpression::MultilineOption);
    const auto renamed = [](QString text, const QString &name) {
        return text.replace(names, QStringLiteral("\\1") + name)
            .replace(QStringLiteral("lanedeck-admin"), QStringLiteral("lanedeck-") + name);
    };
    QStringList files{m_kubeconfigEnv};
    for (const auto &[name, user] :
         {std::pair{QStringLiteral("revoked"), QStringLiteral("\\1token: ") + QString::fromLatin1(revoked)},
          std::pair{QStringLiteral("basic"), QStringLiteral("\\1username: lanedeck-basic\n\\1password: ") +
                                                 QString::fromLatin1(password)}}) {
        QString text = admin;
        text = renamed(text.replace(tokenLine, user), name);
        const QString path =
            m_cluster.filePath(QStringLiteral("gui-") + name + QStringLiteral(".kubeconfig"));
        QVERIFY(writeFileAtomically(path.toStdString(), text.toStdString()).ok());
        files << path;
    }
    // The admin user through a proxy that needs a password, where nothing listens.
    static const QRegularExpression serverLine(QStringLiteral(R"(^(\s*)server:(.*)$)"),
                                               QRegularExpression::MultilineOption);
    QString viaProxy = admin;
    viaProxy = renamed(
        viaProxy.replace(serverLine, QStringLiteral("\\1server:\\2\n\\1proxy-url: http://lanedeck-proxy:") +
                                         QString::fromLatin1(proxyPassword) + QStringLiteral("@127.0.0.1:1")),
        QStringLiteral("proxy"));
    files << m_cluster.filePath(QStringLiteral("gui-proxy.kubeconfig"));
    QVERIFY(writeFileAtomically(files.last().toStdString(), viaProxy.toStdString()).ok());

    auto console = makeConsole(files.join(QLatin1Char(':')));
    console->window->resources()->setOptions(QStringLiteral("istio"), QString());
    QVERIFY(console->window->openExample());
    console->window->execApproval()->setAsker([](const ExecRequest &) { return true; });
    QSignalSpy statusMessages(console->window->statusBar(), &QStatusBar::messageChanged);
    QSignalSpy states(console->window->clusterBar(), &ClusterBar::stateChanged);
    QStringList seen;
    int walks = 0;
    const auto walk = [&seen, &walks] {
        seen << shownTexts();
        ++walks;
    };
    const auto waitForState = [&console] {
        QTRY_VERIFY_WITH_TIMEOUT(console->window->clusterBar()->state() == ConnectionState::Connected ||
                                     console->window->clusterBar()->state() == ConnectionState::Failed,
                                 kNetworkTimeoutMs);
    };
    const auto select = [&console, &waitForState](const QString &context) {
        auto *combo = console->window->findChild<QComboBox *>(QStringLiteral("clusterTargetCombo"));
        combo->setCurrentIndex(0); // the sandbox: selecting the context again connects anew
        combo->setCurrentIndex(combo->findData(context));
        waitForState();
    };
    const auto pushAndWalk = [&console, &walk, this](bool apply) {
        PushDialog *dialog = openPush(*console);
        if (!dialog) {
            return false;
        }
        [&] { QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::DryRun, kNetworkTimeoutMs); }();
        walk();
        auto *applyButton = dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"));
        if (apply && applyButton->isEnabled()) {
            QTest::mouseClick(applyButton, Qt::LeftButton);
            [&] {
                QTRY_VERIFY_WITH_TIMEOUT(dialog->stage() != PushDialog::Stage::Applying, kNetworkTimeoutMs);
            }();
            walk();
        }
        delete dialog;
        return true;
    };

    // Connected, pushed, diffed.
    QVERIFY(connectTo(*console, QStringLiteral("lanedeck-admin")));
    walk();
    QVERIFY(pushAndWalk(true));
    auto *diffAction = console->window->findChild<QAction *>(QStringLiteral("diffAction"));
    QVERIFY(diffAction && diffAction->isEnabled());
    diffAction->trigger();
    auto *diff = console->window->findChild<DiffDialog *>(QStringLiteral("diffDialog"));
    QVERIFY(diff);
    QTRY_VERIFY_WITH_TIMEOUT(!diff->isRunning(), kNetworkTimeoutMs);
    QVERIFY(!diff->diffs().isEmpty());
    walk();
    delete diff;
    // The exec plugin's user, then the same plugin handing out a token the server refuses.
    select(QStringLiteral("lanedeck-exec"));
    QCOMPARE(console->window->clusterBar()->state(), ConnectionState::Connected);
    walk();
    QVERIFY(pushAndWalk(false));
    const QString execTokenFile = m_cluster.filePath(QStringLiteral("exec-plugin.token"));
    const QByteArray execToken = fileContents(execTokenFile);
    QVERIFY(writeFileAtomically(execTokenFile.toStdString(), revokedExec.toStdString()).ok());
    select(QStringLiteral("lanedeck-exec"));
    const ConnectionState revokedExecState = console->window->clusterBar()->state();
    walk();
    QVERIFY(writeFileAtomically(execTokenFile.toStdString(), execToken.toStdString()).ok());
    QCOMPARE(revokedExecState, ConnectionState::Failed);
    // Failing: a read-only user's push, a revoked token, basic auth.
    select(QStringLiteral("lanedeck-readonly"));
    QVERIFY(pushAndWalk(false));
    select(QStringLiteral("lanedeck-revoked"));
    QCOMPARE(console->window->clusterBar()->state(), ConnectionState::Failed);
    walk();
    select(QStringLiteral("lanedeck-proxy"));
    QCOMPARE(console->window->clusterBar()->state(), ConnectionState::Failed);
    walk();
    select(QStringLiteral("lanedeck-basic")); // kube-apiserver takes basic auth for system:anonymous
    walk();
    pushAndWalk(false);
    // The failures said so, in words the operator sees: the scan below looked at real messages.
    const QString failures = seen.join(QLatin1Char('\n'));
    for (const char *part : {"HTTP 401", "HTTP 403", "is forbidden: User \"lanedeck-readonly\"",
                             "the proxy http://***@127.0.0.1:1"}) {
        QVERIFY2(failures.contains(QString::fromUtf8(part)), part);
    }

    // What the console wrote: an autosave of an edit, the document, the exported resources, the settings.
    console->window->document()->setLaneWeight(0, 55, true);
    QVERIFY(console->window->autosaver()->saveNow());
    QVERIFY(QFile::exists(console->window->autosaver()->autosavePath()));
    int scanned = 0;
    QStringList found = findSecretsInFiles(m_autosave.path(), secrets, &scanned);
    QTemporaryDir written;
    QString error;
    QVERIFY2(
        console->window->document()->saveAs(written.filePath(QStringLiteral("group.lanes.yaml")), &error),
        qPrintable(error));
    QVERIFY2(console->window->resources()->exportToFile(written.filePath(QStringLiteral("resources.yaml")),
                                                        &error),
             qPrintable(error));
    QStringList exported;
    QVERIFY2(console->window->resources()->exportToDirectory(written.filePath(QStringLiteral("resources")),
                                                             &exported, &error),
             qPrintable(error));
    QSettings().sync();

    for (const QString &text : std::as_const(seen)) {
        found << findSecrets(text.toUtf8(), secrets, QStringLiteral("shown"));
    }
    for (const auto &args : std::as_const(statusMessages)) {
        found << findSecrets(args.at(0).toString().toUtf8(), secrets, QStringLiteral("status bar"));
    }
    for (const auto &args : std::as_const(states)) {
        found << findSecrets(args.at(1).toString().toUtf8(), secrets, QStringLiteral("cluster bar"));
    }
    found << findSecretsInFiles(written.path(), secrets, &scanned);
    found << findSecrets(fileContents(QSettings().fileName()), secrets, QSettings().fileName());
    found.removeDuplicates();
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    QVERIFY2(walks >= 10, qPrintable(QString::number(walks)));
    QVERIFY2(scanned >= 1 + 2 + exported.size(), qPrintable(QString::number(scanned)));
    QVERIFY(states.size() >= 7);

    // The walk can fail: a secret in a label of the status bar is found, and named.
    auto *planted = new QLabel(QString::fromLatin1("token " + secrets.front().needles.front()),
                               console->window->statusBar());
    QStringList plantedFound;
    for (const QString &text : shownTexts()) {
        plantedFound << findSecrets(text.toUtf8(), secrets, QStringLiteral("shown"));
    }
    delete planted;
    QCOMPARE(plantedFound, QStringList{QStringLiteral("shown: ") + secrets.front().what});
}

QTEST_MAIN(TestClusterGui)
#include "tst_clustergui.moc"

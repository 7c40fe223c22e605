// The console against a REAL kube-apiserver (tests/kube/testcluster, started by scripts/testcluster.sh): the
// cluster bar lists the kubeconfig's contexts, connects, and the push and diff dialogs work through
// KubeconfigTargetSource. If the server cannot be built or started, the test fails.
#include "base/atomicfile.h"
#include "kube/testcluster.h"
#include "lanes/document.h"
#include "secretscan.h"
#include "ui/clusterbar.h"
#include "ui/clustertarget.h"
#include "ui/diffdialog.h"
#include "ui/documentcontroller.h"
#include "ui/execapproval.h"
#include "ui/kubeconfigtargetsource.h"
#include "ui/mainwindow.h"
#include "ui/pushdialog.h"
#include "ui/resourcesview.h"
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
#include <QLabel>
#include <QLineEdit>
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
    void noSecretInWhatTheConsoleShowsOrWrites();

private:
    std::unique_ptr<Console> makeConsole(const QString &kubeconfigEnv = {});
    bool connectTo(Console &console, const QString &context);
    PushDialog *openPush(Console &console);
    /// Runs the dry run and, when `apply`, the apply; returns the results of the last phase.
    std::vector<PushOutcome> pushOnce(Console &console, bool apply);
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
    auto *ns = console.window->findChild<QLineEdit *>(QStringLiteral("clusterNamespaceEdit"));
    auto *state = console.window->findChild<QLabel *>(QStringLiteral("clusterStateLabel"));
    if (!combo || !ns || !state) {
        qWarning("cluster bar widgets missing");
        return false;
    }
    ns->setText(QStringLiteral("istio-system"));
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
    return console.window->findChild<PushDialog *>(QStringLiteral("pushDialog"));
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
    QVERIFY2(state.contains(QStringLiteral("Kubernetes v1.")) && state.contains(QStringLiteral("Istio v1")) &&
                 state.contains(QStringLiteral("namespace istio-system")),
             qPrintable(state));
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

    // A refusal is asked once too: the next operations fail without asking again.
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

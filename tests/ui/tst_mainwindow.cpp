// The real main window, driven as an operator would: the seed scenario built by clicking and typing, then
// compared with what `lanectl render` prints for resources/examples/mock.lanes.yaml.
#include "mesh/render.h"
#include "testsupport.h"

#include "lanes/document.h"
#include "lanes/groupedits.h"
#include "mesh/resource.h"
#include "ui/autosave.h"
#include "ui/clusterbar.h"
#include "ui/clustertarget.h"
#include "ui/designerview.h"
#include "ui/diffdialog.h"
#include "ui/documentcontroller.h"
#include "ui/execapproval.h"
#include "ui/lanegridmodel.h"
#include "ui/lanetablemodel.h"
#include "ui/mainwindow.h"
#include "ui/pushdialog.h"
#include "ui/resourcesview.h"
#include "ui/resourcetreemodel.h"
#include "ui/servicetablemodel.h"
#include "ui/yamltextview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QtConcurrent/QtConcurrentRun>

using namespace lanedeck;
using namespace lanedeck::ui;

/// A push job that answers from a script, asynchronously like a real one.
class FakeJob final : public PushJob
{
    Q_OBJECT
public:
    FakeJob(std::vector<PushOutcome> outcomes, bool hang) : m_outcomes(std::move(outcomes))
    {
        if (!hang) {
            QTimer::singleShot(0, this, [this] {
                int done = 0;
                for (const auto &o : m_outcomes) {
                    Q_EMIT outcome(o);
                    Q_EMIT progress(QStringLiteral("dry-run"), ++done, static_cast<int>(m_outcomes.size()));
                }
                Q_EMIT finished(false, QString());
            });
        }
    }
    void cancel() override
    {
        QTimer::singleShot(0, this, [this] { Q_EMIT finished(true, QString()); });
    }

private:
    std::vector<PushOutcome> m_outcomes;
};

/// A target that cannot push, under the local sandbox's id: connects at once and offers nothing else.
class PushlessSource final : public ClusterTargetSource
{
    Q_OBJECT
public:
    QList<ClusterTarget> targets() const override
    {
        return {ClusterTarget{ClusterTarget::Kind::Sandbox, QString::fromLatin1(kLocalSandboxId),
                              QStringLiteral("Local sandbox"), QStringLiteral("no cluster needed"),
                              QStringLiteral("istio-system")}};
    }
    void connectTo(const ClusterTarget &, const QString &) override
    {
        QTimer::singleShot(0, this,
                           [this] { Q_EMIT stateChanged(ConnectionState::Connected, QStringLiteral("ok")); });
    }
};

/// A target that can push: records each request and answers with `conflictOn` in conflict unless forced.
class FakeSource final : public ClusterTargetSource
{
    Q_OBJECT
public:
    QList<ClusterTarget> targets() const override
    {
        return {ClusterTarget{ClusterTarget::Kind::KubeContext, QStringLiteral("fake"),
                              QStringLiteral("fake-context"), QStringLiteral("https://fake:6443"),
                              QStringLiteral("istio-system")}};
    }
    void connectTo(const ClusterTarget &, const QString &) override
    {
        QTimer::singleShot(0, this,
                           [this] { Q_EMIT stateChanged(ConnectionState::Connected, QStringLiteral("ok")); });
    }
    bool canPush() const override { return true; }
    void requestInventory() override
    {
        Q_EMIT inventoryChanged(
            ClusterInventory{{QStringLiteral("mocka"), QStringLiteral("mockd")},
                             {{QStringLiteral("ASM_TRAFFIC_TAG"), {QStringLiteral("v1")}}},
                             nullptr});
    }
    PushJob *push(const LaneGroup &group, const mesh::RenderOptions &render,
                  const PushRequest &request) override
    {
        requests.push_back({request, group});
        std::vector<PushOutcome> outcomes;
        const auto rendered = mesh::render(group, render);
        for (const auto &r : rendered->resources) {
            const QString name = QString::fromStdString(r.displayName());
            if (name.contains(conflictOn) && !conflictOn.isEmpty() && !request.force) {
                outcomes.push_back({name,
                                    PushOutcome::Result::Failed,
                                    QStringLiteral("Apply failed with a conflict"),
                                    {QStringLiteral("kubectl: .spec.http")}});
            } else {
                outcomes.push_back({name, PushOutcome::Result::Created, QString(), {}});
            }
        }
        return new FakeJob(std::move(outcomes), hang);
    }
    DiffJob *diff(const LaneGroup &, const mesh::RenderOptions &) override;

    struct Request
    {
        PushRequest request;
        LaneGroup group;
    };
    std::vector<Request> requests;
    QString conflictOn;
    bool hang = false;
};

class FakeDiffJob final : public DiffJob
{
    Q_OBJECT
public:
    explicit FakeDiffJob(QList<ResourceDiff> diffs)
    {
        QTimer::singleShot(0, this, [this, diffs] { Q_EMIT finished(diffs, false, QString()); });
    }
    void cancel() override {}
};

DiffJob *FakeSource::diff(const LaneGroup &, const mesh::RenderOptions &)
{
    return new FakeDiffJob(
        {ResourceDiff{
             QStringLiteral("VirtualService istio-system/trafficlabel-vs-test-default-mocka"),
             ResourceDiff::State::Changed,
             QStringLiteral("--- live\n+++ generated\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 3\n c: 4\n")},
         ResourceDiff{QStringLiteral("DestinationRule istio-system/trafficlabel-dr-test-default-mocka"),
                      ResourceDiff::State::Identical, QString()}});
}

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void buildSeedByClickingAndTyping();
    void weightEditsKeepTotal();
    void fieldValidationMarksField();
    void exportWritesFiles();
    void autosaveRecovery();
    void pushDryRunThenApply();
    void pushConflictOffersForce();
    void pushCancel();
    void inventoryCompletes();
    void sideBySideLayout_data();
    void sideBySideLayout();
    void diffDialogShowsBothViews();
    void execApprovalAsksOnceFromWorker();
    void renameLaneFromGridHeader();
    void exampleIsTheSeed();
    void compositeRoutesToSelectedTarget();
    void toolbarKeepsItsWidth();
    void savingAnInvalidGroupSaysSo();
    void helpMenuOffersDocsKeysAndExample();

private:
    PushDialog *openPush(MainWindow *window, FakeSource *source);
    std::unique_ptr<MainWindow> makeWindow(int autosaveMs = 60000);
    template <class T> T *child(QWidget *window, const char *name)
    {
        auto *found = window->findChild<T *>(QString::fromLatin1(name));
        if (!found) {
            qWarning("no child %s", name);
        }
        return found;
    }
    void typeInto(QLineEdit *edit, const QString &text, bool pressReturn);
    void editCell(QTableView *view, int row, int column, const QString &text);
    void clickCell(QTableView *view, int row, int column);
    void pickCalls(QTableView *view, int row, const QStringList &calls);

    std::unique_ptr<QTemporaryDir> m_autosaveDir;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
    QApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
}

void TestMainWindow::init()
{
    QSettings().clear();
    m_autosaveDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_autosaveDir->isValid());
}

void TestMainWindow::cleanup()
{
    m_autosaveDir.reset();
}

std::unique_ptr<MainWindow> TestMainWindow::makeWindow(int autosaveMs)
{
    MainWindow::Options options;
    options.autosaveDirectory = m_autosaveDir->path();
    options.autosaveIdleMs = autosaveMs;
    auto window = std::make_unique<MainWindow>(options);
    window->resize(1280, 820);
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowExposed(window.get())) {
        qWarning("window not exposed");
    }
    return window;
}

void TestMainWindow::typeInto(QLineEdit *edit, const QString &text, bool pressReturn)
{
    QTest::mouseClick(edit, Qt::LeftButton);
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(edit, text);
    if (pressReturn) {
        QTest::keyClick(edit, Qt::Key_Return);
    }
}

void TestMainWindow::clickCell(QTableView *view, int row, int column)
{
    const QModelIndex index = view->model()->index(row, column);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

void TestMainWindow::editCell(QTableView *view, int row, int column, const QString &text)
{
    const QModelIndex index = view->model()->index(row, column);
    view->scrollTo(index);
    const QPoint center = view->visualRect(index).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, center);
    QCOMPARE(view->currentIndex(), index);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_F2);
    auto *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    if (!editor) {
        editor = view->viewport()->findChild<QLineEdit *>();
    }
    QVERIFY2(editor, "the cell opened a line editor");
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    // The delegate commits Return through a queued call.
    QTRY_COMPARE(index.data(Qt::EditRole).toString(), text);
}

void TestMainWindow::pickCalls(QTableView *view, int row, const QStringList &calls)
{
    // The calls editor lists the other services to check, the current calls first and checked.
    const QModelIndex index = view->model()->index(row, ServiceTableModel::Calls);
    clickCell(view, row, ServiceTableModel::Calls);
    QCOMPARE(view->currentIndex(), index);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_F2);
    auto *list = qobject_cast<QListWidget *>(QApplication::focusWidget());
    QVERIFY2(list, "the cell opened the list of services");
    QCOMPARE(list->frameShape(), QFrame::StyledPanel);
    for (int i = 0; i < list->count(); ++i) {
        QListWidgetItem *item = list->item(i);
        QVERIFY2(item->text() != index.siblingAtColumn(ServiceTableModel::Name).data().toString(),
                 "a service is not offered to call itself");
        if ((item->checkState() == Qt::Checked) != calls.contains(item->text())) {
            list->setCurrentRow(i);
            QTest::keyClick(list, Qt::Key_Space);
        }
    }
    QTest::keyClick(list, Qt::Key_Return);
    QTRY_COMPARE(index.data(Qt::EditRole).toString(), calls.join(QStringLiteral(", ")));
}

void TestMainWindow::buildSeedByClickingAndTyping()
{
    auto window = makeWindow();
    DocumentController *doc = window->document();
    QCOMPARE(doc->group(), LaneGroup{});

    typeInto(child<QLineEdit>(window.get(), "groupNameEdit"), QStringLiteral("test"), false);
    auto *newService = child<QLineEdit>(window.get(), "newServiceEdit");
    for (const char *name : {"mocka", "mockb", "mockc"}) {
        typeInto(newService, QString::fromLatin1(name), true);
    }
    auto *newLane = child<QLineEdit>(window.get(), "newLaneEdit");
    typeInto(newLane, QStringLiteral("s1"), true);
    typeInto(newLane, QStringLiteral("s2"), false);
    QTest::mouseClick(child<QPushButton>(window.get(), "addLaneButton"), Qt::LeftButton);
    typeInto(newLane, QStringLiteral("s3"), true);
    QCOMPARE(doc->group().lanes.size(), std::size_t(3));

    auto *lanes = child<QTableView>(window.get(), "laneTable");
    editCell(lanes, 0, LaneTableModel::LabelValue, QStringLiteral("v1"));
    editCell(lanes, 1, LaneTableModel::LabelValue, QStringLiteral("v2"));
    editCell(lanes, 2, LaneTableModel::LabelValue, QStringLiteral("v3"));

    auto *services = child<QTableView>(window.get(), "serviceTable");
    pickCalls(services, 0, {QStringLiteral("mockb")});
    pickCalls(services, 1, {QStringLiteral("mockc")});

    auto *grid = child<QTableView>(window.get(), "laneGrid");
    clickCell(grid, 0, 1); // mocka in s2
    clickCell(grid, 2, 1); // mockc in s2
    clickCell(grid, 1, 2); // mockb in s3
    QCOMPARE(grid->model()->index(1, 1).data().toString(), QStringLiteral("↪ s1 (v1)"));

    auto *s1 = child<QSpinBox>(window.get(), "weightSpin_0");
    QTest::mouseClick(s1, Qt::LeftButton);
    s1->setFocus();
    QTest::keyClick(s1, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(s1, QStringLiteral("60"));
    QCOMPARE(edits::weights(doc->group()), (std::vector<int>{60, 20, 20}));

    auto *entry = child<QComboBox>(window.get(), "entryServiceCombo");
    QCOMPARE(entry->currentText(), QStringLiteral("mocka"));

    // The document is now the seed scenario, byte for byte...
    const std::string seedPath = testing::sourcePath("resources/examples/mock.lanes.yaml");
    QCOMPARE(serializeLaneGroup(doc->group()), testing::readText(seedPath));
    QVERIFY(doc->diagnostics().isEmpty());

    // ...and the preview is what `lanectl render mock.lanes.yaml` prints.
    window->showTab(QStringLiteral("resources"));
    const auto expected = mesh::render(loadLaneGroupFile(seedPath).group, {});
    QVERIFY(expected.ok());
    auto *preview = child<YamlTextView>(window.get(), "yamlPreview");
    QCOMPARE(preview->text(), QString::fromStdString(mesh::toYamlStream(expected->resources)));
    QVERIFY(window->findChild<QAction *>(QStringLiteral("exportFileAction"))->isEnabled());

    // Flavor switch re-renders; back to asm gives the same text.
    auto *flavor = child<QComboBox>(window.get(), "flavorCombo");
    flavor->setCurrentIndex(flavor->findData(QStringLiteral("istio")));
    const auto istio = mesh::render(doc->group(), {mesh::Flavor::Istio, {}});
    QCOMPARE(preview->text(), QString::fromStdString(mesh::toYamlStream(istio->resources)));
    flavor->setCurrentIndex(flavor->findData(QStringLiteral("asm")));
    QCOMPARE(preview->text(), QString::fromStdString(mesh::toYamlStream(expected->resources)));

    // Undo everything: the empty document; redo everything: the seed again, exactly.
    const LaneGroup built = doc->group();
    QUndoStack *stack = doc->undoStack();
    QVERIFY(stack->count() > 10);
    while (stack->canUndo()) {
        stack->undo();
    }
    QCOMPARE(doc->group(), LaneGroup{});
    QVERIFY(!doc->isModified());
    while (stack->canRedo()) {
        stack->redo();
    }
    QCOMPARE(doc->group(), built);

    // Save, reopen: identical bytes.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("test.lanes.yaml"));
    QString error;
    QVERIFY2(doc->saveAs(path, &error), qPrintable(error));
    QCOMPARE(testing::readText(path.toStdString()), testing::readText(seedPath));
    QVERIFY(!window->isWindowModified());
    QVERIFY(window->openFile(path));
    QCOMPARE(doc->group(), built);
    QVERIFY(doc->save(&error));
    QCOMPARE(testing::readText(path.toStdString()), testing::readText(seedPath));
}

void TestMainWindow::weightEditsKeepTotal()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    DocumentController *doc = window->document();
    auto *slider = child<QSlider>(window.get(), "weightSlider_1");
    slider->setFocus();
    for (int i = 0; i < 3; ++i) {
        QTest::keyClick(slider, Qt::Key_PageUp); // +10 each
        QCOMPARE(edits::totalWeight(doc->group()), 100);
    }
    QCOMPARE(doc->group().lanes[1].weight, 50);
    QCOMPARE(child<QSpinBox>(window.get(), "weightSpin_1")->value(), 50);
    QCOMPARE(doc->undoStack()->count(), 1); // the slider moves merged into one step
    doc->undoStack()->undo();
    QCOMPARE(doc->group(), testing::seedGroup());

    // With "keep total" off, a typed value stays and the total shows red until Normalize.
    QTest::mouseClick(child<QCheckBox>(window.get(), "keepTotalCheck"), Qt::LeftButton);
    auto *spin = child<QSpinBox>(window.get(), "weightSpin_2");
    spin->setFocus();
    QTest::keyClick(spin, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(spin, QStringLiteral("40"));
    QCOMPARE(edits::weights(doc->group()), (std::vector<int>{60, 20, 40}));
    auto *total = child<QLabel>(window.get(), "totalWeightLabel");
    QVERIFY2(total->text().contains(QStringLiteral("120")), qPrintable(total->text()));
    QVERIFY(!window->findChild<QAction *>(QStringLiteral("pushAction"))->isEnabled());
    QVERIFY(window->findChild<QAction *>(QStringLiteral("pushAction"))
                ->toolTip()
                .contains(QStringLiteral("100")));
    auto *normalize = child<QPushButton>(window.get(), "normalizeButton");
    QVERIFY(normalize->isEnabled());
    QTest::mouseClick(normalize, Qt::LeftButton);
    QCOMPARE(edits::totalWeight(doc->group()), 100);
    QVERIFY(!normalize->isEnabled());
}

void TestMainWindow::fieldValidationMarksField()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    auto *header = child<QLineEdit>(window.get(), "routingHeaderEdit");
    auto *name = child<QLineEdit>(window.get(), "groupNameEdit");
    typeInto(header, QStringLiteral("x bad header"), false);
    QVERIFY(header->property("lanedeckProblem").toBool());
    QVERIFY2(header->toolTip().contains(QStringLiteral("routing header")), qPrintable(header->toolTip()));
    QVERIFY(!name->property("lanedeckProblem").toBool());
    // Invalid: export is off with the reason, saving still works.
    QVERIFY(!window->findChild<QAction *>(QStringLiteral("exportFileAction"))->isEnabled());
    QString reason;
    QVERIFY(!window->resources()->canRender(&reason));
    QVERIFY(reason.contains(QStringLiteral("routingHeader")));
    QTemporaryDir dir;
    QString error;
    QVERIFY(window->document()->saveAs(dir.filePath(QStringLiteral("invalid.lanes.yaml")), &error));
    // Fixing it (undo) clears the mark.
    window->document()->undoStack()->undo();
    QVERIFY(!header->property("lanedeckProblem").toBool());
    QCOMPARE(header->text(), QStringLiteral("x-asm-prefer-tag"));
}

void TestMainWindow::exportWritesFiles()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    const auto expected = mesh::render(window->document()->group(), {});
    QTemporaryDir dir;
    QString error;
    const QString file = dir.filePath(QStringLiteral("all.yaml"));
    QVERIFY2(window->resources()->exportToFile(file, &error), qPrintable(error));
    QCOMPARE(testing::readText(file.toStdString()), mesh::toYamlStream(expected->resources));
    QStringList written;
    const QString out = dir.filePath(QStringLiteral("kustomize"));
    QVERIFY2(window->resources()->exportToDirectory(out, &written, &error), qPrintable(error));
    QCOMPARE(written.size(), static_cast<int>(expected->resources.size()) + 1);
    QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("kustomization.yaml"))));
    for (const auto &r : expected->resources) {
        QVERIFY(QFile::exists(QDir(out).filePath(QString::fromStdString(r.fileName()))));
    }
}

void TestMainWindow::autosaveRecovery()
{
    LaneGroup edited;
    {
        auto crashed = makeWindow(20);
        QVERIFY(crashed->openFile(
            QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
        QSignalSpy saved(crashed->autosaver(), &Autosaver::saved);
        typeInto(child<QLineEdit>(crashed.get(), "groupNameEdit"), QStringLiteral("recovered"), false);
        QVERIFY(saved.wait(2000));
        edited = crashed->document()->group();
        QCOMPARE(edited.name, std::string("recovered"));
        // The window goes away without closing (no prompt, no discard): as after a crash.
    }
    const QList<Recovery> pending = Autosaver::pending(m_autosaveDir->path());
    QCOMPARE(pending.size(), 1);
    QVERIFY(pending.front().originalPath.endsWith(QStringLiteral("mock.lanes.yaml")));

    auto window = makeWindow();
    QString error;
    QVERIFY2(window->recover(pending.front(), &error), qPrintable(error));
    QCOMPARE(window->document()->group(), edited);
    QVERIFY(window->document()->isModified());
    QVERIFY(window->isWindowModified());
    // This session owns the recovered work now; nothing is left to offer.
    QVERIFY(Autosaver::pending(m_autosaveDir->path()).isEmpty());

    // Saving ends the autosave.
    QTemporaryDir dir;
    QVERIFY(window->document()->saveAs(dir.filePath(QStringLiteral("r.lanes.yaml")), &error));
    QVERIFY(!QFile::exists(window->autosaver()->autosavePath()));
}

PushDialog *TestMainWindow::openPush(MainWindow *window, FakeSource *source)
{
    window->setTargetSource(source);
    auto *action = window->findChild<QAction *>(QStringLiteral("pushAction"));
    if (!QTest::qWaitFor([action] { return action->isEnabled(); })) {
        return nullptr;
    }
    action->trigger();
    auto *dialog = window->findChild<PushDialog *>(QStringLiteral("pushDialog"));
    if (dialog) {
        new QAbstractItemModelTester(dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest,
                                     dialog);
    }
    return dialog;
}

void TestMainWindow::pushDryRunThenApply()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    // The default target, the local sandbox, pushes too; the fake source below records what is pushed.
    QTRY_VERIFY(window->findChild<QAction *>(QStringLiteral("pushAction"))->isEnabled());
    FakeSource source;
    PushDialog *dialog = openPush(window.get(), &source);
    QVERIFY(dialog);
    QTRY_COMPARE(dialog->stage(), PushDialog::Stage::Review);
    QCOMPARE(source.requests.size(), std::size_t(1));
    QCOMPARE(source.requests[0].request.dryRun, true);
    QCOMPARE(source.requests[0].group, window->document()->group());
    QCOMPARE(dialog->model()->rowCount(), 8);
    auto *apply = dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"));
    QVERIFY(apply->isEnabled());
    QVERIFY(!dialog->findChild<QCheckBox *>(QStringLiteral("pushForceCheck"))->isVisible());
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE(dialog->stage(), PushDialog::Stage::Done);
    QCOMPARE(source.requests.size(), std::size_t(2));
    QCOMPARE(source.requests[1].request.dryRun, false);
    QCOMPARE(source.requests[1].request.force, false);
    QCOMPARE(source.requests[1].request.prune, false);
    QCOMPARE(dialog->model()->count(PushOutcome::Result::Created), 8);
    dialog->reject();
}

void TestMainWindow::pushConflictOffersForce()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    FakeSource source;
    source.conflictOn = QStringLiteral("mockb");
    PushDialog *dialog = openPush(window.get(), &source);
    QVERIFY(dialog);
    QTRY_COMPARE(dialog->stage(), PushDialog::Stage::Review);
    QCOMPARE(dialog->model()->conflictCount(), 2); // DestinationRule and VirtualService
    QVERIFY(dialog->model()
                ->index(2, PushResultModel::Message)
                .data()
                .toString()
                .contains(QStringLiteral("kubectl")));
    auto *force = dialog->findChild<QCheckBox *>(QStringLiteral("pushForceCheck"));
    QVERIFY(force->isVisible());
    QTest::mouseClick(force, Qt::LeftButton);
    QVERIFY(force->isChecked());
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton")), Qt::LeftButton);
    QTRY_COMPARE(dialog->stage(), PushDialog::Stage::Done);
    QCOMPARE(source.requests.back().request.force, true);
    QCOMPARE(dialog->model()->conflictCount(), 0);
    dialog->reject();
}

void TestMainWindow::pushCancel()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    FakeSource source;
    source.hang = true;
    PushDialog *dialog = openPush(window.get(), &source);
    QVERIFY(dialog);
    QCOMPARE(dialog->stage(), PushDialog::Stage::DryRun);
    dialog->reject(); // Cancel while running: the job stops, the dialog stays to say so
    QTRY_COMPARE(dialog->stage(), PushDialog::Stage::Failed);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("pushApplyButton"))->isEnabled());
    QCOMPARE(source.requests.size(), std::size_t(1));
    dialog->reject();
}

void TestMainWindow::inventoryCompletes()
{
    auto window = makeWindow();
    FakeSource source;
    window->setTargetSource(&source);
    QTRY_COMPARE(window->designer()->inventory().services.size(), 2);
    auto *newService = child<QLineEdit>(window.get(), "newServiceEdit");
    QVERIFY(newService->completer());
    newService->completer()->setCompletionPrefix(QStringLiteral("mockd"));
    QCOMPARE(newService->completer()->currentCompletion(), QStringLiteral("mockd"));
}

void TestMainWindow::sideBySideLayout_data()
{
    using K = SideBySideRow::Kind;
    QTest::addColumn<QString>("diff");
    QTest::addColumn<std::vector<SideBySideRow>>("expected");
    QTest::addRow("change-between-context")
        << QStringLiteral("--- a\n+++ b\n@@ -1,3 +1,3 @@\n x\n-y\n+z\n w\n")
        << std::vector<SideBySideRow>{
               {K::Hunk, QStringLiteral("@@ -1,3 +1,3 @@"), QStringLiteral("@@ -1,3 +1,3 @@"), 0, 0},
               {K::Context, QStringLiteral("x"), QStringLiteral("x"), 1, 1},
               {K::Changed, QStringLiteral("y"), QStringLiteral("z"), 2, 2},
               {K::Context, QStringLiteral("w"), QStringLiteral("w"), 3, 3}};
    QTest::addRow("more-added-than-removed")
        << QStringLiteral("@@ -5,1 +5,2 @@\n-old\n+new1\n+new2\n")
        << std::vector<SideBySideRow>{
               {K::Hunk, QStringLiteral("@@ -5,1 +5,2 @@"), QStringLiteral("@@ -5,1 +5,2 @@"), 0, 0},
               {K::Changed, QStringLiteral("old"), QStringLiteral("new1"), 5, 5},
               {K::Added, QString(), QStringLiteral("new2"), 0, 6}};
    QTest::addRow("removal-only") << QStringLiteral("@@ -2,2 +2,1 @@\n k\n-gone\n")
                                  << std::vector<SideBySideRow>{
                                         {K::Hunk, QStringLiteral("@@ -2,2 +2,1 @@"),
                                          QStringLiteral("@@ -2,2 +2,1 @@"), 0, 0},
                                         {K::Context, QStringLiteral("k"), QStringLiteral("k"), 2, 2},
                                         {K::Removed, QStringLiteral("gone"), QString(), 3, 0}};
    QTest::addRow("empty") << QString() << std::vector<SideBySideRow>{};
}

void TestMainWindow::sideBySideLayout()
{
    QFETCH(QString, diff);
    QFETCH(std::vector<SideBySideRow>, expected);
    const auto rows = sideBySide(diff);
    QCOMPARE(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QVERIFY2(rows[i] == expected[i], qPrintable(QStringLiteral("row %1: %2 | %3 (%4/%5)")
                                                        .arg(i)
                                                        .arg(rows[i].left, rows[i].right)
                                                        .arg(rows[i].leftLine)
                                                        .arg(rows[i].rightLine)));
    }
}

void TestMainWindow::diffDialogShowsBothViews()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    QTRY_VERIFY(window->findChild<QAction *>(QStringLiteral("diffAction"))->isEnabled()); // the local sandbox
    FakeSource source;
    window->setTargetSource(&source);
    auto *action = window->findChild<QAction *>(QStringLiteral("diffAction"));
    QTRY_VERIFY(action->isEnabled());
    action->trigger();
    auto *dialog = window->findChild<DiffDialog *>(QStringLiteral("diffDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(!dialog->isRunning());
    QCOMPARE(dialog->diffs().size(), 2);
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("diffSummary"))
                ->text()
                .contains(QStringLiteral("1 of 2")));
    auto *unified = dialog->findChild<QPlainTextEdit *>(QStringLiteral("diffUnified"));
    QVERIFY(unified->toPlainText().contains(QStringLiteral("+b: 3")));
    auto *mode = dialog->findChild<QComboBox *>(QStringLiteral("diffModeCombo"));
    mode->setCurrentIndex(1);
    auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("diffSideBySide"));
    QVERIFY(table->isVisible());
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->item(2, 0)->text(), QStringLiteral("b: 2"));
    QCOMPARE(table->item(2, 1)->text(), QStringLiteral("b: 3"));
    dialog->showResource(1);
    QCOMPARE(table->rowCount(), 0);
    dialog->reject();
}

void TestMainWindow::execApprovalAsksOnceFromWorker()
{
    ExecApprovalPrompt prompt(nullptr);
    int asked = 0;
    bool answer = false;
    prompt.setAsker([&](const ExecRequest &request) {
        ++asked;
        // The operator is asked on the GUI thread, whichever thread the cluster client runs on.
        [&] { QCOMPARE(QThread::currentThread(), QCoreApplication::instance()->thread()); }();
        return answer && request.command == QStringLiteral("gke-gcloud-auth-plugin");
    });
    const ExecRequest request{QStringLiteral("gke-gcloud-auth-plugin"),
                              {},
                              QStringLiteral("/home/op/.kube/config"),
                              QStringLiteral("op")};
    auto fromWorker = [&] {
        auto future = QtConcurrent::run([&] { return prompt.approveFromAnyThread(request); });
        while (!future.isFinished()) {
            QCoreApplication::processEvents();
        }
        return future.result();
    };
    QVERIFY(!fromWorker()); // refused: not remembered
    QCOMPARE(asked, 1);
    answer = true;
    QVERIFY(fromWorker());
    QCOMPARE(asked, 2);
    QVERIFY(prompt.approve(request)); // remembered: not asked again
    QCOMPARE(asked, 2);
    ExecRequest other = request;
    other.args = {QStringLiteral("--other")};
    answer = false;
    QVERIFY(!prompt.approve(other));
    QCOMPARE(asked, 3);
}

void TestMainWindow::renameLaneFromGridHeader()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    window->document()->edit(
        [&] {
            LaneGroup g = window->document()->group();
            edits::setBaseline(g, 2); // named explicitly: a rename must follow it
            return g;
        }(),
        QStringLiteral("baseline s3"));
    auto *grid = child<QTableView>(window.get(), "laneGrid");
    QHeaderView *header = grid->horizontalHeader();
    const QPoint pos(header->sectionViewportPosition(2) + header->sectionSize(2) / 2, header->height() / 2);
    QTest::mouseDClick(header->viewport(), Qt::LeftButton, {}, pos);
    auto *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QVERIFY2(editor, "double-clicking a lane header edits its name");
    QTest::keyClick(editor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(editor, QStringLiteral("canary"));
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_COMPARE(window->document()->group().lanes[2].name, std::string("canary"));
    QCOMPARE(window->document()->group().baseline, std::string("canary"));
    QVERIFY(grid->model()->headerData(2, Qt::Horizontal).toString().startsWith(QStringLiteral("canary")));
}

void TestMainWindow::exampleIsTheSeed()
{
    auto window = makeWindow();
    auto *action = window->findChild<QAction *>(QStringLiteral("openExampleAction"));
    QVERIFY(action);
    action->trigger();
    QCOMPARE(window->document()->group(), testing::seedGroup());
    QVERIFY(window->document()->filePath().isEmpty());
    QVERIFY(!window->document()->isModified());
    QVERIFY(!window->windowIcon().isNull());
}

void TestMainWindow::compositeRoutesToSelectedTarget()
{
    auto window = makeWindow();
    QVERIFY(
        window->openFile(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml"))));
    PushlessSource sandbox;
    FakeSource cluster;
    CompositeTargetSource composite;
    composite.addSource(&sandbox);
    composite.addSource(&cluster);
    QCOMPARE(composite.targets().size(), 2);
    window->setTargetSource(&composite);
    auto *combo = child<QComboBox>(window.get(), "clusterTargetCombo");
    QCOMPARE(combo->count(), 2);
    auto *push = window->findChild<QAction *>(QStringLiteral("pushAction"));
    combo->setCurrentIndex(combo->findData(QString::fromLatin1(kLocalSandboxId)));
    QTRY_COMPARE(window->clusterBar()->state(), ConnectionState::Connected);
    QVERIFY(!push->isEnabled()); // the pushless source cannot push
    combo->setCurrentIndex(combo->findData(QStringLiteral("fake")));
    QTRY_VERIFY(push->isEnabled());
    QTRY_COMPARE(window->designer()->inventory().services.size(), 2); // the cluster's inventory, routed
    PushDialog *dialog = window->push();
    QVERIFY(dialog);
    QTRY_COMPARE(dialog->stage(), PushDialog::Stage::Review);
    QCOMPARE(cluster.requests.size(), std::size_t(1));
    dialog->reject();
}

QTEST_MAIN(TestMainWindow)
void TestMainWindow::toolbarKeepsItsWidth()
{
    // The toolbar says Undo and Redo; what they would undo is in their tooltips, so edits do not resize it.
    auto window = makeWindow();
    auto *toolbar = window->findChild<QToolBar *>(QStringLiteral("mainToolBar"));
    QVERIFY(toolbar);
    const int width = toolbar->sizeHint().width();
    LaneGroup g = window->document()->group();
    g.name = "a-rather-long-lane-group-name-to-make-the-undo-text-long";
    window->document()->edit(g, QStringLiteral("Rename lane group to a rather long name, as an edit would"));
    QCoreApplication::processEvents();
    QCOMPARE(toolbar->sizeHint().width(), width);
    auto *undo = window->findChild<QAction *>(QStringLiteral("undoToolAction"));
    QVERIFY(undo && undo->isEnabled());
    QCOMPARE(undo->text(), QStringLiteral("Undo"));
    QVERIFY2(undo->toolTip().contains(QLatin1String("rather long name")), qPrintable(undo->toolTip()));
    undo->trigger();
    QCOMPARE(window->document()->group(), LaneGroup{});
    QVERIFY(!undo->isEnabled());
}

void TestMainWindow::savingAnInvalidGroupSaysSo()
{
    auto window = makeWindow();
    QTemporaryDir dir;
    QString error;
    QVERIFY(
        window->openFile(QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml"), &error));
    LaneGroup g = window->document()->group();
    g.lanes[0].weight = 10;
    window->document()->edit(g, QStringLiteral("break the weights"));
    QVERIFY(!window->document()->diagnostics().isEmpty());
    const QString path = dir.filePath(QStringLiteral("invalid.lanes.yaml"));
    QTimer::singleShot(0, window.get(), [path] {
        auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->selectFile(path);
        QMetaObject::invokeMethod(dialog, &QDialog::accept);
    });
    window->findChild<QAction *>(QStringLiteral("saveAsAction"))->trigger();
    QTRY_COMPARE(window->document()->filePath(), path);
    QVERIFY(QFile::exists(path)); // saved all the same
    const QString said = window->statusBar()->currentMessage();
    QVERIFY2(said.contains(QLatin1String("1 problem")) || said.contains(QLatin1String("problem(s)")),
             qPrintable(said));
    QVERIFY2(said.contains(QLatin1String("cannot be pushed")), qPrintable(said));
}

void TestMainWindow::helpMenuOffersDocsKeysAndExample()
{
    auto window = makeWindow();
    auto *docs = window->findChild<QAction *>(QStringLiteral("documentationAction"));
    auto *keys = window->findChild<QAction *>(QStringLiteral("shortcutsAction"));
    QVERIFY(docs && keys);
    docs->trigger();
    auto *browser = window->findChild<QTextBrowser *>(QStringLiteral("documentationText"));
    QVERIFY(browser);
    QVERIFY2(browser->toPlainText().contains(QLatin1String("LaneDeck")), "the README is built in");
    keys->trigger();
    auto *table = window->findChild<QTableWidget *>(QStringLiteral("shortcutsTable"));
    QVERIFY(table);
    QStringList rows;
    for (int r = 0; r < table->rowCount(); ++r) {
        rows << table->item(r, 0)->text() + QLatin1Char(' ') + table->item(r, 1)->text();
    }
    QVERIFY2(rows.filter(QStringLiteral("Push")).size() == 1, qPrintable(rows.join(u'\n')));
    QVERIFY2(rows.filter(QStringLiteral("F2")).size() == 1, qPrintable(rows.join(u'\n')));
    bool exampleInHelp = false;
    for (QAction *menu : window->menuBar()->actions()) {
        if (menu->text() == QLatin1String("&Help")) {
            exampleInHelp = menu->menu()->actions().contains(
                window->findChild<QAction *>(QStringLiteral("openExampleAction")));
        }
    }
    QVERIFY(exampleInHelp);
}

#include "tst_mainwindow.moc"

// The Traffic page's Rollout panel driven as an operator would, against the window's real in-process sandbox:
// a plan with mistakes shows them at line:column; a plan beside its LaneGroup opens that group; the demo's
// canary of s2 promotes, and rolls back by itself with a fault on mockc v2; pause, resume, abort and roll
// back; faults set from the panel. The runner is the core's rollout::Runner, as lanectl rollout uses it.
#include "testsupport.h"

#include "sandbox/sandbox.h"
#include "ui/documentcontroller.h"
#include "ui/mainwindow.h"
#include "ui/rolloutmodels.h"
#include "ui/rolloutpanel.h"
#include "ui/sandboxtarget.h"
#include "ui/trafficdemo.h"
#include "ui/trafficmodels.h"
#include "ui/trafficpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <nlohmann/json.hpp>

#include <memory>

using namespace lanedeck;
using namespace lanedeck::ui;

namespace {

constexpr int kTimeoutMs = 240000; // generous: the machine is shared; nothing here measures time
using Phase = RolloutPanel::Phase;
using StepState = RolloutStepModel::StepState;

/// The demo plan with holds that the test controls: long steps (ended by Promote step), judged every second.
const char *kLongPlan = R"(apiVersion: lanedeck.io/v1alpha1
kind: Rollout
metadata:
  name: s2-long
spec:
  group: test
  lane: s2
  interval: 1s
  rate: 200
  steps:
    - {laneWeight: 10, hold: 10m, minRequests: 100}
    - {laneWeight: 30, hold: 10m, minRequests: 100}
  gates:
    errorRate: {max: 5%}
    split: {alpha: 0.000001}
)";

QStringList markLabels(TrafficTimelineModel *model)
{
    QStringList labels;
    for (const auto &mark : model->marks()) {
        if (!mark.label.isEmpty()) {
            labels << mark.label;
        }
    }
    return labels;
}

int countEvents(const QSignalSpy &spy, rollout::Event::Kind kind)
{
    int n = 0;
    for (const auto &arguments : spy) {
        n += arguments.at(0).value<rollout::Event>().kind == kind;
    }
    return n;
}

} // namespace

Q_DECLARE_METATYPE(lanedeck::rollout::Event)

class TestRolloutPanel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void planProblemsAtLineAndColumn();
    void planBesideItsGroupOpensTheGroup();
    void demoRolloutPromotes();
    void demoRolloutWithAFaultRollsBack();
    void pauseResumeAbortAndRollBack();

private:
    /// The window sampling the sandbox through the demo, with the demo plan in the panel.
    void startDemo(const QString &rollout);
    RolloutPanel *panel() const { return m_window->trafficPage()->rolloutPanel(); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<TrafficDemo> m_demo;
    std::unique_ptr<QAbstractItemModelTester> m_stepTester;
    std::unique_ptr<QAbstractItemModelTester> m_gateTester;
};

void TestRolloutPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
    QApplication::setApplicationName(QStringLiteral("tst_rolloutpanel"));
    qRegisterMetaType<rollout::Event>();
}

void TestRolloutPanel::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    MainWindow::Options options;
    options.autosaveDirectory = m_dir->filePath(QStringLiteral("autosave"));
    m_window = std::make_unique<MainWindow>(options);
    m_window->resize(1360, 860);
    m_window->show();
    m_stepTester = std::make_unique<QAbstractItemModelTester>(panel()->stepModel());
    m_gateTester = std::make_unique<QAbstractItemModelTester>(panel()->gateModel());
}

void TestRolloutPanel::cleanup()
{
    m_stepTester.reset();
    m_gateTester.reset();
    m_demo.reset();
    if (m_window) {
        m_window->trafficPage()->stop();
        m_window->document()->undoStack()->setClean();
        m_window.reset();
    }
}

void TestRolloutPanel::startDemo(const QString &rollout)
{
    TrafficDemo::Options options;
    options.rate = 200;
    options.concurrency = 4;
    options.telemetry = false;
    options.rollout = rollout;
    options.rolloutAfterMs = 0;
    // The demo plan with a latency limit a shared, busy machine cannot break with one stalled second (the
    // gates themselves are tested against known values in tests/rollout/tst_gates.cpp).
    QFile demoPlan(TrafficDemo::rolloutPlanPath());
    QVERIFY(demoPlan.open(QIODevice::ReadOnly));
    QString plan = QString::fromUtf8(demoPlan.readAll());
    QVERIFY(plan.contains(QLatin1String("latencyP99: {max: 500ms}")));
    plan.replace(QStringLiteral("latencyP99: {max: 500ms}"), QStringLiteral("latencyP99: {max: 30s}"));
    options.rolloutPlan = m_dir->filePath(QStringLiteral("s2-canary.rollout.yaml"));
    QFile copy(options.rolloutPlan);
    QVERIFY(copy.open(QIODevice::WriteOnly) && copy.write(plan.toUtf8()) > 0);
    copy.close();
    m_demo = std::make_unique<TrafficDemo>(m_window.get(), options);
    QSignalSpy started(m_demo.get(), &TrafficDemo::started);
    QString error;
    QVERIFY2(m_demo->start(QString(), &error), qPrintable(error));
    QVERIFY(started.wait(kTimeoutMs));
    QCOMPARE(started.at(0).at(0).toString(), QString());
    QCOMPARE(panel()->planPath(), options.rolloutPlan);
    QVERIFY2(panel()->problems().isEmpty(), qPrintable(panel()->problems().join(QLatin1Char('\n'))));
}

void TestRolloutPanel::planProblemsAtLineAndColumn()
{
    QVERIFY(m_window->openExample());
    QString plan = QString::fromLatin1(kLongPlan);
    plan.replace(QStringLiteral("lane: s2"), QStringLiteral("lane: s9"));
    plan.replace(QStringLiteral("laneWeight: 30"), QStringLiteral("laneWeight: 130"));
    panel()->setPlanText(plan, QStringLiteral("bad.rollout.yaml"));
    const QStringList problems = panel()->problems();
    QVERIFY2(problems.size() >= 2, qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY2(problems.filter(QStringLiteral("bad.rollout.yaml:7:9: spec.lane")).size() == 1,
             qPrintable(problems.join(QLatin1Char('\n'))));
    QVERIFY2(problems.filter(QStringLiteral("bad.rollout.yaml:12:")).size() >= 1,
             qPrintable(problems.join(QLatin1Char('\n'))));
    auto *run = panel()->findChild<QPushButton *>(QStringLiteral("rolloutRun"));
    QVERIFY(run);
    QVERIFY(!run->isEnabled());
    QString error;
    QVERIFY(!panel()->start(&error));
    QVERIFY2(error.contains(QLatin1String("bad.rollout.yaml:")), qPrintable(error));
    // Activating a problem puts the cursor on its line and column.
    auto *list = panel()->findChild<QListWidget *>(QStringLiteral("rolloutProblems"));
    auto *editor = panel()->findChild<QPlainTextEdit *>(QStringLiteral("rolloutEditor"));
    QVERIFY(list && editor);
    const auto items = list->findItems(QStringLiteral("spec.lane"), Qt::MatchContains);
    QCOMPARE(items.size(), 1);
    Q_EMIT list->itemActivated(items.front());
    QCOMPARE(editor->textCursor().blockNumber(), 6);
    QCOMPARE(editor->textCursor().positionInBlock(), 8);
    // A plan gated by the mesh's telemetry is for lanectl: the console has no Prometheus to give its runner.
    QString telemetryPlan = QString::fromLatin1(kLongPlan);
    telemetryPlan.replace(QStringLiteral("  interval: 1s"),
                          QStringLiteral("  gatesFrom: telemetry\n  interval: 1s"));
    editor->setPlainText(telemetryPlan);
    QTRY_VERIFY2(panel()->problems().isEmpty(), qPrintable(panel()->problems().join(QLatin1Char('\n'))));
    QVERIFY(!panel()->start(&error));
    QVERIFY2(error.contains(QLatin1String("gatesFrom: telemetry")), qPrintable(error));
    // Fixed in the editor, the plan validates again by itself.
    plan.replace(QStringLiteral("lane: s9"), QStringLiteral("lane: s2"));
    plan.replace(QStringLiteral("laneWeight: 130"), QStringLiteral("laneWeight: 30"));
    editor->setPlainText(plan);
    QTRY_VERIFY2(panel()->problems().isEmpty(), qPrintable(panel()->problems().join(QLatin1Char('\n'))));
    QCOMPARE(panel()->stepModel()->rowCount(), 2);
    QCOMPARE(panel()->stepModel()->index(1, RolloutStepModel::Weights).data().toString(),
             QStringLiteral("s1 53 / s2 30 / s3 17"));
}

void TestRolloutPanel::planBesideItsGroupOpensTheGroup()
{
    // The window has another group open; the file holds the plan's group beside the plan.
    const QString path = QStringLiteral(LANEDECK_SOURCE_DIR "/tests/data/rollout/group-and-plan.yaml");
    LaneGroup other = m_window->document()->group();
    other.name = "another";
    m_window->document()->edit(other, QStringLiteral("rename"));
    m_window->document()->undoStack()->setClean();
    QString error;
    QVERIFY2(panel()->openPlan(path, &error), qPrintable(error));
    QTRY_COMPARE(m_window->document()->filePath(), path);
    QCOMPARE(m_window->document()->group().name, std::string("test"));
    QTRY_VERIFY2(panel()->problems().isEmpty(), qPrintable(panel()->problems().join(QLatin1Char('\n'))));
    QCOMPARE(panel()->stepModel()->rowCount(), 1);
    QCOMPARE(panel()->stepModel()->index(0, RolloutStepModel::Weights).data().toString(),
             QStringLiteral("s1 53 / s2 17 / s3 30"));
}

void TestRolloutPanel::demoRolloutPromotes()
{
    // lanedeck --demo --rollout promote: s2 from 0 to 50% in three steps, every gate passing.
    QSignalSpy phases(panel(), &RolloutPanel::phaseChanged);
    startDemo(QStringLiteral("promote"));
    QCOMPARE(m_window->document()->group().lane("s2")->weight, 0);
    QTRY_VERIFY_WITH_TIMEOUT(!panel()->isRunning() && panel()->phase() != Phase::Idle, kTimeoutMs);
    QVERIFY2(panel()->phase() == Phase::Promoted, qPrintable(panel()->status()));
    RolloutStepModel *steps = panel()->stepModel();
    QCOMPARE(steps->rowCount(), 3);
    QCOMPARE(steps->currentStep(), 2);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(steps->stepState(i), StepState::Passed);
    }
    QCOMPARE(steps->index(2, RolloutStepModel::Weights).data().toString(),
             QStringLiteral("s1 38 / s2 50 / s3 12"));
    QVERIFY(steps->index(2, 0).data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(!steps->index(1, 0).data(Qt::FontRole).value<QFont>().bold());
    RolloutGateModel *gates = panel()->gateModel();
    QVERIFY(gates->rowCount() >= 4);
    for (int row = 0; row < gates->rowCount(); ++row) {
        QCOMPARE(gates->index(row, RolloutGateModel::Verdict).data().toString(), QStringLiteral("pass"));
    }
    const QStringList log = panel()->log();
    QVERIFY2(log.filter(QStringLiteral("  pushed  step 3: s1 38 / s2 50 / s3 12")).size() == 1,
             qPrintable(log.join(QLatin1Char('\n'))));
    QVERIFY2(log.last().contains(QLatin1String("promoted  promoted: s1 38 / s2 50 / s3 12")),
             qPrintable(log.last()));
    const auto last = nlohmann::json::parse(panel()->auditLines().last().toStdString());
    QCOMPARE(last.at("event").get<std::string>(), std::string("promoted"));
    // The document took the promoted weights, as one undoable edit: a push from the console now keeps them.
    DocumentController *document = m_window->document();
    QCOMPARE(document->group().lane("s1")->weight, 38);
    QCOMPARE(document->group().lane("s2")->weight, 50);
    QCOMPARE(document->group().lane("s3")->weight, 12);
    QVERIFY2(document->undoStack()->undoText().contains(QStringLiteral("promoted")),
             qPrintable(document->undoStack()->undoText()));
    document->undoStack()->undo();
    QCOMPARE(document->group().lane("s2")->weight, 0);
    // The charts mark where each step began; the Traffic page compares with the pushed weights.
    TrafficPage *page = m_window->trafficPage();
    QCOMPARE(markLabels(page->timelineModel()),
             (QStringList{QStringLiteral("step 1: s2 10%"), QStringLiteral("step 2: s2 25%"),
                          QStringLiteral("step 3: s2 50%")}));
    QTRY_VERIFY_WITH_TIMEOUT(page->laneModel()->rowCount() == 3, kTimeoutMs);
    QVERIFY(phases.size() >= 2);
}

void TestRolloutPanel::demoRolloutWithAFaultRollsBack()
{
    // lanedeck --demo --rollout fault: mockc v2 fails 20% of its requests; the error gate fails at the first
    // judged evaluation and the runner rolls back to the baseline by itself.
    startDemo(QStringLiteral("fault"));
    QTRY_VERIFY_WITH_TIMEOUT(!panel()->isRunning() && panel()->phase() != Phase::Idle, kTimeoutMs);
    QVERIFY2(panel()->phase() == Phase::RolledBack, qPrintable(panel()->status()));
    const auto faults = m_window->sandboxTarget()->faults();
    QCOMPARE(faults.at({"mockc", "v2"}).errorRate, 0.2);
    RolloutStepModel *steps = panel()->stepModel();
    QCOMPARE(steps->currentStep(), 0);
    QCOMPARE(steps->stepState(0), StepState::RolledBack);
    QCOMPARE(steps->stepState(1), StepState::Pending);
    QVERIFY(
        steps->index(0, RolloutStepModel::State).data().toString().startsWith(QLatin1String("rolled back")));
    RolloutGateModel *gates = panel()->gateModel();
    bool errorGateFailed = false;
    for (int row = 0; row < gates->rowCount(); ++row) {
        if (gates->index(row, RolloutGateModel::Gate).data().toString() == QLatin1String("errorRate")) {
            errorGateFailed =
                gates->index(row, RolloutGateModel::Verdict).data().toString() == QLatin1String("fail");
        }
    }
    QVERIFY(errorGateFailed);
    const QStringList log = panel()->log();
    QVERIFY2(
        log.last().contains(QLatin1String("rolledBack  rolled back: step 1 failed: errorRate: s2 errors")),
        qPrintable(log.join(QLatin1Char('\n'))));
    QVERIFY2(log.filter(QStringLiteral("pushed  roll back: step 1 failed")).size() == 1,
             qPrintable(log.join(QLatin1Char('\n'))));
    QCOMPARE(markLabels(m_window->trafficPage()->timelineModel()),
             (QStringList{QStringLiteral("step 1: s2 10%"), QStringLiteral("rollback")}));
    QVERIFY(panel()->status().contains(QLatin1String("rolled back")));
}

void TestRolloutPanel::pauseResumeAbortAndRollBack()
{
    startDemo(QString());
    QVERIFY(!m_window->trafficPage()->isRolloutVisible());
    m_window->trafficPage()->setRolloutVisible(true);
    QVERIFY(panel()->isVisible());
    panel()->setPlanText(QString::fromLatin1(kLongPlan), QStringLiteral("long.rollout.yaml"));
    QVERIFY2(panel()->problems().isEmpty(), qPrintable(panel()->problems().join(QLatin1Char('\n'))));
    QSignalSpy events(panel(), &RolloutPanel::eventShown);
    auto *run = panel()->findChild<QPushButton *>(QStringLiteral("rolloutRun"));
    auto *pause = panel()->findChild<QPushButton *>(QStringLiteral("rolloutPause"));
    auto *resume = panel()->findChild<QPushButton *>(QStringLiteral("rolloutResume"));
    auto *promote = panel()->findChild<QPushButton *>(QStringLiteral("rolloutPromote"));
    auto *abort = panel()->findChild<QPushButton *>(QStringLiteral("rolloutAbort"));
    auto *rollBack = panel()->findChild<QPushButton *>(QStringLiteral("rolloutRollBack"));
    QVERIFY(run && pause && resume && promote && abort && rollBack);
    QVERIFY(run->isEnabled());
    run->click();
    QVERIFY2(panel()->phase() == Phase::Running, qPrintable(panel()->status()));
    QVERIFY(!run->isEnabled() && pause->isEnabled() && !resume->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, rollout::Event::Kind::Evaluated) >= 1, kTimeoutMs);
    QCOMPARE(panel()->stepModel()->stepState(0), StepState::Holding);
    QVERIFY(panel()->gateModel()->rowCount() >= 2);

    pause->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel()->phase(), Phase::Paused, kTimeoutMs);
    QCOMPARE(panel()->stepModel()->stepState(0), StepState::Paused);
    QVERIFY(resume->isEnabled() && !pause->isEnabled());
    const int judgedBefore = countEvents(events, rollout::Event::Kind::Evaluated);
    QTest::qWait(
        2500); // two and a half intervals paused: nothing is judged (a count, not a time, is checked)
    QCOMPARE(countEvents(events, rollout::Event::Kind::Evaluated), judgedBefore);
    resume->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel()->phase(), Phase::Running, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, rollout::Event::Kind::Evaluated) > judgedBefore, kTimeoutMs);

    // Promote step ends step 1's ten-minute hold; step 2 follows.
    promote->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel()->stepModel()->currentStep(), 1, kTimeoutMs);
    QCOMPARE(panel()->stepModel()->stepState(0), StepState::Passed);

    // A fault set from the panel's form while it runs.
    auto *workload = panel()->findChild<QComboBox *>(QStringLiteral("faultWorkload"));
    auto *errors = panel()->findChild<QDoubleSpinBox *>(QStringLiteral("faultErrorRate"));
    auto *latency = panel()->findChild<QSpinBox *>(QStringLiteral("faultLatency"));
    auto *apply = panel()->findChild<QPushButton *>(QStringLiteral("faultApply"));
    QVERIFY(workload && errors && latency && apply);
    workload->setCurrentIndex(workload->findText(QStringLiteral("mockb v3")));
    QVERIFY(workload->currentIndex() >= 0);
    latency->setValue(5);
    errors->setValue(0);
    apply->click();
    QCOMPARE(m_window->sandboxTarget()->faults().at({"mockb", "v3"}).delay, std::chrono::milliseconds(5));
    auto *faultState = panel()->findChild<QLabel *>(QStringLiteral("faultState"));
    QVERIFY2(faultState->text().contains(QLatin1String("mockb v3: ")), qPrintable(faultState->text()));

    abort->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel()->phase(), Phase::Aborted, kTimeoutMs);
    QCOMPARE(panel()->stepModel()->stepState(1), StepState::Stopped);
    QCOMPARE(run->text(), QStringLiteral("Continue"));
    QVERIFY(rollBack->isEnabled());
    QVERIFY(panel()->log().last().contains(QLatin1String("aborted  stopped by the operator; step 2 stays")));

    // Continue resumes the same plan from the step in force; abort it again to roll back from there.
    run->click();
    QTRY_VERIFY_WITH_TIMEOUT(countEvents(events, rollout::Event::Kind::Started) == 2, kTimeoutMs);
    QVERIFY2(panel()->log().filter(QStringLiteral("started  resume s2-long")).size() == 1,
             qPrintable(panel()->log().join(QLatin1Char('\n'))));
    QTRY_COMPARE_WITH_TIMEOUT(panel()->stepModel()->stepState(1), StepState::Holding, kTimeoutMs);
    QCOMPARE(panel()->stepModel()->stepState(0), StepState::Passed); // the earlier step kept its state
    abort->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel()->phase(), Phase::Aborted, kTimeoutMs);

    // Roll back after the abort: the rollback weights, without sampling.
    rollBack->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel()->phase(), Phase::RolledBack, kTimeoutMs);
    QVERIFY2(panel()->log().last().contains(QLatin1String("rolled back: the operator asked to roll back")),
             qPrintable(panel()->log().last()));
    // Pushed within a second of step 2, the rollback may share its mark: "step 2: s2 30% / rollback".
    QVERIFY(markLabels(m_window->trafficPage()->timelineModel()).last().endsWith(QLatin1String("rollback")));
}

QTEST_MAIN(TestRolloutPanel)
#include "tst_rolloutpanel.moc"

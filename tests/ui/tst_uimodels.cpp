// Every item model of the console under QAbstractItemModelTester, through edits, undo and reshaping.
#include "mesh/render.h"
#include "testsupport.h"

#include "base/yamljson.h"
#include "lanes/groupedits.h"
#include "mesh/resource.h"
#include "ui/documentcontroller.h"
#include "ui/headermatchmodel.h"
#include "ui/lanegridmodel.h"
#include "ui/lanepathsmodel.h"
#include "ui/lanetablemodel.h"
#include "ui/problemsmodel.h"
#include "ui/resourcetreemodel.h"
#include "ui/rolloutmodels.h"
#include "ui/servicetablemodel.h"
#include "ui/trafficmodels.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>

using namespace lanedeck;
using namespace lanedeck::ui;

class TestUiModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void gridShowsVersionsAndFallbacks();
    void gridCheckEditsDocument();
    void gridMarksMissingBaselineService();
    void laneTableMarksLabelValue_data();
    void laneTableMarksLabelValue();
    void tablesRefuseDuplicateNames();
    void serviceTableEditsCallGraph();
    void lanePathsFollowGroup();
    void problemsListDiagnostics();
    void problemFieldsInWords_data();
    void problemFieldsInWords();
    void resourceTreeByKind();
    void modelsSurviveReshaping();
    void headerMatchesEditIngress();
    void rolloutStepsFollowTheRun();
    void rolloutGateVerdicts_data();
    void rolloutGateVerdicts();
    void timelineMarksLabelSteps_data();
    void timelineMarksLabelSteps();

private:
    std::unique_ptr<DocumentController> m_doc;
};

void TestUiModels::init()
{
    m_doc = std::make_unique<DocumentController>();
    m_doc->newDocument(testing::seedGroup());
}

void TestUiModels::gridShowsVersionsAndFallbacks()
{
    LaneGridModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 3);
    QCOMPARE(model.index(0, 1).data().toString(), QStringLiteral("v2"));        // mocka in s2
    QCOMPARE(model.index(1, 1).data().toString(), QStringLiteral("↪ s1 (v1)")); // mockb in s2 falls back
    QCOMPARE(model.index(1, 2).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QCOMPARE(model.index(2, 2).data(LaneGridModel::FallbackRole).toString(), QStringLiteral("s1 (v1)"));
    QVERIFY(model.headerData(0, Qt::Horizontal).toString().contains(QStringLiteral("baseline")));
    QVERIFY(!model.headerData(1, Qt::Horizontal).toString().contains(QStringLiteral("baseline")));
    QCOMPARE(model.headerData(2, Qt::Vertical).toString(), QStringLiteral("mockc"));
}

void TestUiModels::gridCheckEditsDocument()
{
    LaneGridModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setData(model.index(1, 1), Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(m_doc->group().lanes[1].services, (std::vector<std::string>{"mocka", "mockb", "mockc"}));
    QCOMPARE(model.index(1, 1).data().toString(), QStringLiteral("v2"));
    m_doc->undoStack()->undo();
    QCOMPARE(m_doc->group(), testing::seedGroup());
    QCOMPARE(model.index(1, 1).data(LaneGridModel::IncludedRole).toBool(), false);
}

void TestUiModels::gridMarksMissingBaselineService()
{
    LaneGridModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setData(model.index(1, 0), Qt::Unchecked, Qt::CheckStateRole)); // mockb out of the baseline
    const QStringList problems = model.index(1, 0).data(LaneGridModel::ProblemsRole).toStringList();
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.front().contains(QStringLiteral("lacks mockb")), qPrintable(problems.front()));
    QVERIFY(model.index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("lacks mockb")));
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column) {
            if (row != 1 || column != 0) {
                QVERIFY2(model.index(row, column).data(LaneGridModel::ProblemsRole).toStringList().isEmpty(),
                         qPrintable(QStringLiteral("cell %1,%2 marked").arg(row).arg(column)));
            }
        }
    }
}

void TestUiModels::laneTableMarksLabelValue_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::addRow("space-in-value") << int(LaneTableModel::LabelValue) << QStringLiteral("v 2")
                                    << QStringLiteral("label value");
    QTest::addRow("empty-value") << int(LaneTableModel::LabelValue) << QString()
                                 << QStringLiteral("must not be empty");
    QTest::addRow("same-as-s1") << int(LaneTableModel::LabelValue) << QStringLiteral("v1")
                                << QStringLiteral("selects the same workloads");
    QTest::addRow("bad-name") << int(LaneTableModel::Name) << QStringLiteral("S_2")
                              << QStringLiteral("lane name");
}

void TestUiModels::tablesRefuseDuplicateNames()
{
    // A name another row has is refused when typed, with the reason; the document is untouched.
    LaneTableModel lanes(m_doc.get());
    ServiceTableModel services(m_doc.get());
    QSignalSpy laneRefused(&lanes, &GroupTableModel::editRefused);
    QSignalSpy serviceRefused(&services, &GroupTableModel::editRefused);
    const LaneGroup before = m_doc->group();
    QVERIFY(!lanes.setData(lanes.index(1, LaneTableModel::Name), QStringLiteral("s1")));
    QVERIFY(!services.setData(services.index(2, ServiceTableModel::Name), QStringLiteral(" mocka ")));
    QCOMPARE(m_doc->group(), before);
    QCOMPARE(laneRefused.size(), 1);
    QVERIFY(laneRefused.front().at(1).toString().contains(QLatin1String("Lane s1 exists already")));
    QCOMPARE(serviceRefused.size(), 1);
    QVERIFY(serviceRefused.front().at(1).toString().contains(QLatin1String("mocka")));
    // Its own name again is no duplicate.
    QVERIFY(lanes.setData(lanes.index(1, LaneTableModel::Name), QStringLiteral("s2")));
    QCOMPARE(laneRefused.size(), 1);
}

void TestUiModels::laneTableMarksLabelValue()
{
    QFETCH(int, column);
    QFETCH(QString, value);
    QFETCH(QString, message);
    LaneTableModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setData(model.index(1, column), value));
    const QStringList problems = model.index(1, column).data(LaneTableModel::ProblemsRole).toStringList();
    QVERIFY2(!problems.isEmpty() && problems.join(QLatin1Char(' ')).contains(message),
             qPrintable(problems.join(u';')));
    QVERIFY(model.index(1, column).data(Qt::ForegroundRole).isValid());
    QVERIFY(model.index(2, column).data(LaneTableModel::ProblemsRole).toStringList().isEmpty());
    QVERIFY(model.index(1, column == LaneTableModel::Name ? LaneTableModel::LabelKey : LaneTableModel::Name)
                .data(LaneTableModel::ProblemsRole)
                .toStringList()
                .isEmpty());
}

void TestUiModels::serviceTableEditsCallGraph()
{
    ServiceTableModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.index(0, ServiceTableModel::Calls).data().toString(), QStringLiteral("mockb"));
    QVERIFY(model.setData(model.index(2, ServiceTableModel::Calls), QStringLiteral("mocka")));
    QVERIFY2(model.index(2, ServiceTableModel::Calls)
                 .data(ServiceTableModel::ProblemsRole)
                 .toStringList()
                 .join(u' ')
                 .contains(QStringLiteral("cycle")),
             "a cycle is marked on the call that closes it");
    QVERIFY(model.setData(model.index(2, ServiceTableModel::Calls), QString()));
    QVERIFY(m_doc->diagnostics().isEmpty());
    QVERIFY(model.setData(model.index(1, ServiceTableModel::Port), 99999));
    QVERIFY(!model.index(1, ServiceTableModel::Port)
                 .data(ServiceTableModel::ProblemsRole)
                 .toStringList()
                 .isEmpty());
}

void TestUiModels::lanePathsFollowGroup()
{
    LanePathsModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(2, LanePathsModel::Path).data().toString(),
             QStringLiteral("mocka v1 (fallback to s1)\n└─ mockb v3\n   └─ mockc v1 (fallback to s1)"));
    const QVariantList hops = model.index(2, 0).data(LanePathsModel::HopsRole).toList();
    QCOMPARE(hops.size(), 3);
    QCOMPARE(hops[2].toMap().value(QStringLiteral("caller")).toInt(), 1);
    QCOMPARE(hops[0].toMap().value(QStringLiteral("fallback")).toBool(), true);
    QCOMPARE(hops[1].toMap().value(QStringLiteral("fallback")).toBool(), false);
    QCOMPARE(hops[1].toMap().value(QStringLiteral("servedByIndex")).toInt(), 2);
    // A cycle in the call graph: no paths rather than an endless walk.
    LaneGroup cyclic = m_doc->group();
    cyclic.services[2].calls = {"mocka"};
    m_doc->edit(cyclic, QStringLiteral("cycle"));
    QCOMPARE(model.rowCount(), 0);
    m_doc->undoStack()->undo();
    QCOMPARE(model.rowCount(), 3);
}

void TestUiModels::problemsListDiagnostics()
{
    ProblemsModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    m_doc->setLaneWeight(0, 90, false);
    QCOMPARE(model.rowCount(), 1);
    // The field in the words on screen; the path stays for the tooltip and for finding the field.
    QCOMPARE(model.index(0, ProblemsModel::Field).data().toString(), QStringLiteral("Lanes"));
    QCOMPARE(model.index(0, ProblemsModel::Field).data(ProblemsModel::FieldPathRole).toString(),
             QStringLiteral("spec.lanes"));
    QVERIFY(model.index(0, ProblemsModel::Field)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("spec.lanes")));
    QVERIFY(model.index(0, ProblemsModel::Message).data().toString().contains(QStringLiteral("130")));
}

void TestUiModels::problemFieldsInWords_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("words");
    QTest::addRow("lane label value") << "spec.lanes[1].label.value"
                                      << "Lane s2, Label value";
    QTest::addRow("lane weight") << "spec.lanes[2].weight"
                                 << "Lane s3, Weight";
    QTest::addRow("lane service") << "spec.lanes[1].services[0]"
                                  << "Lane s2, Service mocka";
    QTest::addRow("service port") << "spec.services[0].port"
                                  << "Service mocka, Port";
    QTest::addRow("service call") << "spec.services[1].calls[0]"
                                  << "Service mockb, Calls mockc";
    QTest::addRow("lane out of range") << "spec.lanes[7].name"
                                       << "Lane 8, Name";
    QTest::addRow("group name") << "metadata.name"
                                << "Lane group, Name";
    QTest::addRow("routing header") << "spec.routingHeader"
                                    << "Lane group, Routing header";
    QTest::addRow("entry service") << "spec.ingress.entryService"
                                   << "Ingress, Entry service";
    QTest::addRow("header condition") << "spec.ingress.match.headers[0].name"
                                      << "Ingress, Header condition 1";
    QTest::addRow("unknown path") << "spec.somethingNew"
                                  << "spec.somethingNew";
}

void TestUiModels::problemFieldsInWords()
{
    QFETCH(QString, path);
    QFETCH(QString, words);
    QCOMPARE(ProblemsModel::fieldInWords(path, m_doc->group()), words);
}

void TestUiModels::resourceTreeByKind()
{
    ResourceTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto rendered = mesh::render(m_doc->group(), {});
    QVERIFY(rendered.ok());
    model.setResources(rendered->resources);
    QCOMPARE(model.index(0, 0).data(ResourceTreeModel::YamlRole).toString(),
             QString::fromStdString(mesh::toYamlStream(rendered->resources)));
    int leaves = 0;
    for (int k = 1; k < model.rowCount(); ++k) {
        const QModelIndex kind = model.index(k, 0);
        for (int r = 0; r < model.rowCount(kind); ++r) {
            const QModelIndex leaf = model.index(r, 0, kind);
            QCOMPARE(leaf.parent(), kind);
            QVERIFY(kind.data().toString().startsWith(
                leaf.data(Qt::ToolTipRole).toString().section(QLatin1Char(' '), 0, 0)));
            ++leaves;
        }
    }
    QCOMPARE(leaves, static_cast<int>(rendered->resources.size()));
    const QModelIndex dr = model.index(0, 0, model.index(1, 0));
    QCOMPARE(dr.data().toString(), QStringLiteral("trafficlabel-dr-test-default-mocka"));
    QCOMPARE(dr.data(ResourceTreeModel::YamlRole).toString(),
             QString::fromStdString(toYaml(rendered->resources.front().object)));
    // The worker's way (consuming the JSON as it writes) gives the same rendering and leaves nothing behind.
    auto consumed = rendered->resources;
    QCOMPARE(RenderedYaml::from(std::move(consumed)), *model.rendering());
    QVERIFY(consumed.empty());
    model.setResources({});
    QCOMPARE(model.rowCount(), 0);
}

void TestUiModels::modelsSurviveReshaping()
{
    LaneGridModel grid(m_doc.get());
    LaneTableModel lanes(m_doc.get());
    ServiceTableModel services(m_doc.get());
    LanePathsModel paths(m_doc.get());
    ProblemsModel problems(m_doc.get());
    QAbstractItemModelTester t1(&grid, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&lanes, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(&services, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(&paths, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t5(&problems, QAbstractItemModelTester::FailureReportingMode::QtTest);
    LaneGroup g = m_doc->group();
    edits::addLane(g, "s4");
    edits::addService(g, "mockd");
    m_doc->edit(g, QStringLiteral("grow"));
    QCOMPARE(grid.columnCount(), 4);
    QCOMPARE(services.rowCount(), 4);
    g = m_doc->group();
    edits::removeLane(g, 0);
    edits::removeService(g, 0);
    m_doc->edit(g, QStringLiteral("shrink"));
    QCOMPARE(grid.rowCount(), 3);
    QCOMPARE(lanes.rowCount(), 3);
    m_doc->newDocument();
    QCOMPARE(grid.rowCount(), 0);
    QCOMPARE(lanes.rowCount(), 0);
    QVERIFY(problems.rowCount() > 0);
    while (m_doc->undoStack()->canUndo()) {
        m_doc->undoStack()->undo();
    }
}

void TestUiModels::headerMatchesEditIngress()
{
    HeaderMatchModel model(m_doc.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.addHeader(), 0);
    QCOMPARE(m_doc->group().ingress.headers.size(), std::size_t(1));
    QVERIFY(model.setData(model.index(0, HeaderMatchModel::Name), QStringLiteral("x-canary")));
    QVERIFY(model.setData(model.index(0, HeaderMatchModel::Kind), int(StringMatch::Kind::Regex)));
    QVERIFY(model.setData(model.index(0, HeaderMatchModel::Value), QStringLiteral("(unclosed")));
    const HeaderMatch expected{"x-canary", StringMatch{StringMatch::Kind::Regex, "(unclosed"}};
    QVERIFY(m_doc->group().ingress.headers.front() == expected);
    QCOMPARE(model.index(0, HeaderMatchModel::Kind).data().toString(), QStringLiteral("regex"));
    QVERIFY(!model.index(0, HeaderMatchModel::Value)
                 .data(HeaderMatchModel::ProblemsRole)
                 .toStringList()
                 .isEmpty());
    QVERIFY(
        model.index(0, HeaderMatchModel::Name).data(HeaderMatchModel::ProblemsRole).toStringList().isEmpty());
    model.removeHeader(0);
    QCOMPARE(model.rowCount(), 0);
    m_doc->undoStack()->undo();
    QCOMPARE(model.rowCount(), 1);
}

void TestUiModels::rolloutStepsFollowTheRun()
{
    rollout::Plan plan;
    plan.lane = "s2";
    for (int weight : {10, 50}) {
        rollout::Step step;
        step.laneWeight = weight;
        step.hold = std::chrono::milliseconds(1500);
        step.minRequests = 300;
        plan.steps.push_back(step);
    }
    RolloutStepModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPlan(plan, m_doc->group());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.currentStep(), -1);
    QCOMPARE(model.index(0, RolloutStepModel::Weights).data().toString(),
             QStringLiteral("s1 68 / s2 10 / s3 22"));
    QCOMPARE(model.index(1, RolloutStepModel::Weights).data().toString(),
             QStringLiteral("s1 38 / s2 50 / s3 12"));
    QCOMPARE(model.index(0, RolloutStepModel::Hold).data().toString(), QStringLiteral("1.5 s"));
    QCOMPARE(model.index(1, RolloutStepModel::State).data().toString(), QStringLiteral("pending"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setStepState(0, RolloutStepModel::StepState::Holding);
    model.setCurrentDetail(QStringLiteral("120 requests judged: wait"));
    QCOMPARE(model.index(0, RolloutStepModel::State).data().toString(),
             QStringLiteral("holding · 120 requests judged: wait"));
    QVERIFY(model.index(0, RolloutStepModel::Step).data(Qt::FontRole).value<QFont>().bold());
    model.setStepState(0, RolloutStepModel::StepState::Passed);
    model.setStepState(1, RolloutStepModel::StepState::RolledBack);
    QCOMPARE(model.currentStep(), 1);
    QCOMPARE(model.index(0, RolloutStepModel::State).data().toString(), QStringLiteral("passed"));
    QVERIFY(!model.index(0, RolloutStepModel::Step).data(Qt::FontRole).value<QFont>().bold());
    QCOMPARE(model.index(1, RolloutStepModel::State).data().toString(), QStringLiteral("rolled back"));
    QVERIFY(changed.size() >= 4);
}

void TestUiModels::rolloutGateVerdicts_data()
{
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("shown");
    QTest::addRow("pass") << int(rollout::Verdict::Pass) << QStringLiteral("pass");
    QTest::addRow("fail") << int(rollout::Verdict::Fail) << QStringLiteral("fail");
    QTest::addRow("wait") << int(rollout::Verdict::Wait) << QStringLiteral("waiting for requests");
}

void TestUiModels::rolloutGateVerdicts()
{
    QFETCH(int, verdict);
    QFETCH(QString, shown);
    RolloutGateModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setGates({rollout::GateResult{"errorRate", static_cast<rollout::Verdict>(verdict), 0.2, 0.05,
                                        "s2 errors 20.0% > max 5.0%"},
                    rollout::GateResult{"leaks", rollout::Verdict::Pass, 0, 0, "0 leaked <= max 0"}});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, RolloutGateModel::Gate).data().toString(), QStringLiteral("errorRate"));
    QCOMPARE(model.index(0, RolloutGateModel::Verdict).data().toString(), shown);
    QCOMPARE(model.index(0, RolloutGateModel::Measurement).data().toString(),
             QStringLiteral("s2 errors 20.0% > max 5.0%"));
    QCOMPARE(model.index(0, RolloutGateModel::Verdict).data(Qt::ForegroundRole).isValid(),
             verdict != int(rollout::Verdict::Wait));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestUiModels::timelineMarksLabelSteps_data()
{
    QTest::addColumn<bool>("restarted");
    QTest::addColumn<QString>("expected");
    // A push while sampling restarts the run: the label goes on that run's mark; otherwise a mark of its own.
    QTest::addRow("on the run a push restarted") << true << QStringLiteral("2:step 1: s2 10%");
    QTest::addRow("without a restart") << false << QStringLiteral("2:step 1: s2 10%");
}

void TestUiModels::timelineMarksLabelSteps()
{
    QFETCH(bool, restarted);
    QFETCH(QString, expected);
    TrafficTimelineModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    traffic::Summary summary;
    summary.perSecond.resize(3);
    model.setSummary(summary, true);
    if (restarted) {
        model.beginRun();
    }
    model.labelMark(QStringLiteral("step 1: s2 10%"));
    const auto marks = model.marks();
    QCOMPARE(marks.size(), 1);
    QCOMPARE(QStringLiteral("%1:%2").arg(marks[0].row).arg(marks[0].label), expected);
    if (restarted) {
        QCOMPARE(model.runStartRows(), QList<int>{2});
    }
    model.labelMark(QStringLiteral("rollback"));
    QCOMPARE(model.marks().size(), 1);
    QCOMPARE(model.marks().front().label, QStringLiteral("step 1: s2 10% / rollback"));
    model.clear();
    QVERIFY(model.marks().isEmpty());
}

QTEST_MAIN(TestUiModels)
#include "tst_uimodels.moc"

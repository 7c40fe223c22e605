// Every item model of the console under QAbstractItemModelTester, through edits, undo and reshaping.
#include "mesh/render.h"
#include "testsupport.h"

#include "lanes/groupedits.h"
#include "mesh/resource.h"
#include "ui/documentcontroller.h"
#include "ui/headermatchmodel.h"
#include "ui/lanegridmodel.h"
#include "ui/lanepathsmodel.h"
#include "ui/lanetablemodel.h"
#include "ui/problemsmodel.h"
#include "ui/resourcetreemodel.h"
#include "ui/servicetablemodel.h"

#include <QAbstractItemModelTester>
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
    void serviceTableEditsCallGraph();
    void lanePathsFollowGroup();
    void problemsListDiagnostics();
    void resourceTreeByKind();
    void modelsSurviveReshaping();
    void headerMatchesEditIngress();

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
    QTest::addRow("duplicate-name") << int(LaneTableModel::Name) << QStringLiteral("s1")
                                    << QStringLiteral("duplicate");
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
             QString::fromStdString(lanePaths(m_doc->group())[2].describe()));
    const QVariantList hops = model.index(2, 0).data(LanePathsModel::HopsRole).toList();
    QCOMPARE(hops.size(), 3);
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
    QCOMPARE(model.index(0, ProblemsModel::Field).data().toString(), QStringLiteral("spec.lanes"));
    QVERIFY(model.index(0, ProblemsModel::Message).data().toString().contains(QStringLiteral("130")));
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

QTEST_MAIN(TestUiModels)
#include "tst_uimodels.moc"

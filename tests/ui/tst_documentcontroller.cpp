// The document controller: weight drags, undo/redo, files (the pure edits are
// tests/lanes/tst_groupedits.cpp).
#include "testsupport.h"

#include "lanes/document.h"
#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace lanedeck;
using namespace lanedeck::ui;

class TestDocumentController : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void weightDragMergesAndRestores();
    void weightWithoutRebalanceKeepsOthers();
    void undoRedoRestoreExactly();
    void saveReopenIdenticalBytes();
    void openRefusesGarbage();
};

void TestDocumentController::weightDragMergesAndRestores()
{
    DocumentController doc;
    const LaneGroup seed = testing::seedGroup();
    doc.newDocument(seed);
    // A drag of s1's slider: many values, one undo step, others computed from where the drag started.
    for (int v : {61, 70, 95, 100, 40, 0, 33, 60}) {
        doc.setLaneWeight(0, v, true);
        QCOMPARE(edits::totalWeight(doc.group()), 100);
        QCOMPARE(doc.group().lanes[0].weight, v);
    }
    // Back at 60 the drag changed nothing, so the merged step is obsolete and gone.
    QCOMPARE(doc.group(), seed);
    QCOMPARE(doc.undoStack()->count(), 0);

    doc.setLaneWeight(1, 30, true);
    doc.setLaneWeight(1, 40, true);
    QCOMPARE(doc.undoStack()->count(), 1);
    QCOMPARE(edits::weights(doc.group()), (std::vector<int>{45, 40, 15}));
    doc.setLaneWeight(2, 25, true); // another lane: a new step
    QCOMPARE(doc.undoStack()->count(), 2);
    doc.undoStack()->undo();
    doc.undoStack()->undo();
    QCOMPARE(doc.group(), seed);
    QVERIFY(!doc.isModified());
}

void TestDocumentController::weightWithoutRebalanceKeepsOthers()
{
    DocumentController doc;
    doc.newDocument(testing::seedGroup());
    doc.setLaneWeight(1, 35, false);
    QCOMPARE(edits::weights(doc.group()), (std::vector<int>{60, 35, 20}));
    QVERIFY(!doc.diagnostics().messages(QStringLiteral("spec.lanes")).isEmpty());
    doc.normalizeWeights();
    QCOMPARE(edits::totalWeight(doc.group()), 100);
    QVERIFY(doc.diagnostics().isEmpty());
}

void TestDocumentController::undoRedoRestoreExactly()
{
    DocumentController doc;
    const LaneGroup seed = testing::seedGroup();
    doc.newDocument(seed);
    std::vector<LaneGroup> states{doc.group()};
    auto step = [&](auto change, const char *text) {
        LaneGroup g = doc.group();
        change(g);
        doc.edit(g, QString::fromLatin1(text));
        states.push_back(doc.group());
    };
    step([](LaneGroup &g) { edits::addLane(g, "s4"); }, "add lane");
    step([](LaneGroup &g) { edits::setLaneHasService(g, 3, "mockc", true); }, "include");
    step([](LaneGroup &g) { edits::renameService(g, 1, "mockbee"); }, "rename");
    step([](LaneGroup &g) { edits::setBaseline(g, 1); }, "baseline");
    step([](LaneGroup &g) { g.mode = LaneMode::Strict; }, "mode");
    step([](LaneGroup &g) { edits::removeLane(g, 0); }, "remove");
    QCOMPARE(doc.undoStack()->count(), 6);
    for (int i = 6; i > 0; --i) {
        QCOMPARE(doc.group(), states[static_cast<std::size_t>(i)]);
        doc.undoStack()->undo();
    }
    QCOMPARE(doc.group(), seed);
    for (std::size_t i = 1; i < states.size(); ++i) {
        doc.undoStack()->redo();
        QCOMPARE(doc.group(), states[i]);
    }
}

void TestDocumentController::saveReopenIdenticalBytes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    DocumentController doc;
    QSignalSpy modified(&doc, &DocumentController::modifiedChanged);
    QString error;
    QVERIFY2(
        doc.open(QString::fromStdString(testing::sourcePath("resources/examples/mock.lanes.yaml")), &error),
        qPrintable(error));
    doc.setLaneWeight(0, 50, true);
    QVERIFY(doc.isModified());
    const QString path = dir.filePath(QStringLiteral("copy.lanes.yaml"));
    QVERIFY2(doc.saveAs(path, &error), qPrintable(error));
    QVERIFY(!doc.isModified());
    QCOMPARE(doc.filePath(), path);
    const std::string first = testing::readText(path.toStdString());

    DocumentController reopened;
    QVERIFY(reopened.open(path, &error));
    QCOMPARE(reopened.group(), doc.group());
    QVERIFY(reopened.save(&error));
    QCOMPARE(testing::readText(path.toStdString()), first);
    QVERIFY(modified.count() >= 2);
}

void TestDocumentController::openRefusesGarbage()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.yaml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("kind: [unclosed\n");
    file.close();
    DocumentController doc;
    doc.newDocument(testing::seedGroup());
    QString error;
    QVERIFY(!doc.open(path, &error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(doc.group(), testing::seedGroup());
}

QTEST_GUILESS_MAIN(TestDocumentController)
#include "tst_documentcontroller.moc"

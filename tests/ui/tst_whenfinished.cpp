// whenFinished(), which hands background work's answers to the GUI thread: from the event loop only, and not
// at all once the receiving object is gone (QFuture::then(context, ...) in Qt 6.4 asserts then, in a Debug
// build, and answers at once when the work was already done).
#include "ui/whenfinished.h"

#include <QScopeGuard>
#include <QSemaphore>
#include <QTest>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

using namespace lanedeck::ui;

class TestWhenFinished : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void answersFromTheEventLoop_data();
    void answersFromTheEventLoop();
    void deletedContextGetsNoAnswer();
};

void TestWhenFinished::answersFromTheEventLoop_data()
{
    QTest::addColumn<bool>("doneBefore");
    QTest::addRow("work-still-running") << false;
    QTest::addRow("work-done-before-the-call") << true;
}

void TestWhenFinished::answersFromTheEventLoop()
{
    QFETCH(bool, doneBefore);
    const auto go = std::make_shared<QSemaphore>();
    const auto release = qScopeGuard([go] { go->release(); }); // a failing check must not leave it waiting
    QFuture<int> future = QtConcurrent::run([go] {
        go->acquire();
        return 42;
    });
    if (doneBefore) {
        go->release();
        future.waitForFinished();
    }
    QObject context;
    int answer = 0;
    QThread *answeredOn = nullptr;
    whenFinished(future, &context, [&answer, &answeredOn](int value) {
        answer = value;
        answeredOn = QThread::currentThread();
    });
    // Never inside the call: whoever started the work connects to its job after the call returns.
    QCOMPARE(answer, 0);
    if (!doneBefore) {
        go->release();
    }
    QTRY_COMPARE(answer, 42);
    QCOMPARE(answeredOn, context.thread());
    QTRY_VERIFY(context.children().isEmpty()); // nothing is left behind once answered
}

void TestWhenFinished::deletedContextGetsNoAnswer()
{
    const auto go = std::make_shared<QSemaphore>();
    const auto release = qScopeGuard([go] { go->release(); });
    QFuture<int> future = QtConcurrent::run([go] {
        go->acquire();
        return 42;
    });
    auto context = std::make_unique<QObject>();
    bool answered = false;
    whenFinished(future, context.get(), [&answered](int) { answered = true; });
    // The receiver goes away (a dialog closed, a run superseded) while the work still runs.
    context.reset();
    go->release();
    future.waitForFinished();
    QTest::qWait(50); // room for a wrongly posted answer to arrive
    QVERIFY(!answered);
}

QTEST_GUILESS_MAIN(TestWhenFinished)

#include "tst_whenfinished.moc"

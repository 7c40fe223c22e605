// The unified line diff (Myers): hunks, context, ranges exactly as `diff -u` prints them.
#include "kube/linediff.h"

#include <QTest>

using namespace lanedeck::kube;

#define HEAD "--- a\n+++ b\n"

class TestLineDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void diff_data();
    void diff();
    void reconstructs_data();
    void reconstructs();
};

void TestLineDiff::diff_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("context");
    QTest::addColumn<QString>("expected");
    QTest::addRow("equal") << "x\ny\n"
                           << "x\ny\n"
                           << 3 << "";
    QTest::addRow("change-in-middle") << "a\nb\nc\nd\ne\n"
                                      << "a\nb\nX\nd\ne\n"
                                      << 1 << HEAD "@@ -2,3 +2,3 @@\n b\n-c\n+X\n d\n";
    QTest::addRow("insert-at-start") << "b\nc\n"
                                     << "a\nb\nc\n"
                                     << 3 << HEAD "@@ -1,2 +1,3 @@\n+a\n b\n c\n";
    QTest::addRow("append") << "a\n"
                            << "a\nb\n"
                            << 3 << HEAD "@@ -1 +1,2 @@\n a\n+b\n";
    QTest::addRow("from-empty") << ""
                                << "a\nb\n"
                                << 3 << HEAD "@@ -0,0 +1,2 @@\n+a\n+b\n";
    QTest::addRow("to-empty") << "a\nb\n"
                              << "" << 3 << HEAD "@@ -1,2 +0,0 @@\n-a\n-b\n";
    QTest::addRow("two-hunks") << "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"
                               << "1\nX\n3\n4\n5\n6\n7\n8\nY\n10\n"
                               << 1
                               << HEAD "@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n@@ -8,3 +8,3 @@\n 8\n-9\n+Y\n 10\n";
    QTest::addRow("close-changes-merge") << "1\n2\n3\n4\n5\n"
                                         << "X\n2\n3\nY\n5\n"
                                         << 1 << HEAD "@@ -1,5 +1,5 @@\n-1\n+X\n 2\n 3\n-4\n+Y\n 5\n";
    QTest::addRow("weight-edit") << "spec:\n  http:\n  - weight: 60\n  - weight: 20\n"
                                 << "spec:\n  http:\n  - weight: 50\n  - weight: 20\n"
                                 << 3
                                 << HEAD
        "@@ -1,4 +1,4 @@\n spec:\n   http:\n-  - weight: 60\n+  - weight: 50\n   - weight: 20\n";
}

void TestLineDiff::diff()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, context);
    QTEST(QString::fromStdString(unifiedDiff(before.toStdString(), after.toStdString(), "a", "b", context)),
          "expected");
}

void TestLineDiff::reconstructs_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addRow("shuffled") << "a\nb\nc\nd\ne\nf\ng\n"
                              << "g\nb\nx\nd\ny\nf\na\n";
    QTest::addRow("repeats") << "a\na\nb\na\nb\nb\n"
                             << "b\na\nb\nb\na\na\n";
    QTest::addRow("disjoint") << "1\n2\n3\n"
                              << "4\n5\n";
}

void TestLineDiff::reconstructs()
{
    // Applying the hunks with no context to `before` must give `after`, and every hunk line must be real.
    QFETCH(QString, before);
    QFETCH(QString, after);
    const std::string d = unifiedDiff(before.toStdString(), after.toStdString(), "a", "b", 1000);
    std::string rebuiltAfter;
    std::string rebuiltBefore;
    for (const auto &line : splitLines(d)) {
        if (line.starts_with("---") || line.starts_with("+++") || line.starts_with("@@")) {
            continue;
        }
        const std::string text = line.substr(1) + '\n';
        if (line[0] != '-') {
            rebuiltAfter += text;
        }
        if (line[0] != '+') {
            rebuiltBefore += text;
        }
    }
    QCOMPARE(QString::fromStdString(rebuiltBefore), before);
    QCOMPARE(QString::fromStdString(rebuiltAfter), after);
}

QTEST_APPLESS_MAIN(TestLineDiff)
#include "tst_linediff.moc"

// The main window fits a 1366x768 laptop screen whatever the group: its minimum size (what the window
// manager gets as WM_NORMAL_HINTS) stays within 1366x700, with the seed and with 20 lanes.
#include "testsupport.h"

#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"
#include "ui/elidedlabel.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDockWidget>
#include <QLayout>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace lanedeck;
using namespace lanedeck::ui;

class TestWindowFit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
        QApplication::setApplicationName(QStringLiteral("tst_windowfit"));
    }

    void minimumSizeFitsALaptop_data()
    {
        QTest::addColumn<int>("lanes");
        QTest::addColumn<int>("services");
        QTest::addColumn<bool>("withProblem");
        QTest::addRow("seed") << 3 << 3 << false;
        QTest::addRow("20 lanes") << 20 << 3 << false;
        QTest::addRow("20 lanes, 40 services, a problem") << 20 << 40 << true;
    }

    void minimumSizeFitsALaptop()
    {
        QFETCH(int, lanes);
        QFETCH(int, services);
        QFETCH(bool, withProblem);
        LaneGroup group = testing::seedGroup();
        for (int i = static_cast<int>(group.lanes.size()); i < lanes; ++i) {
            edits::addLane(group, "lane" + std::to_string(i));
            group.lanes.back().labelValue = "v" + std::to_string(i + 1);
        }
        for (int i = static_cast<int>(group.services.size()); i < services; ++i) {
            edits::addService(group, "service" + std::to_string(i));
        }
        if (withProblem) {
            group.lanes[1].weight = 150;
        }
        QTemporaryDir autosave;
        MainWindow::Options options;
        options.autosaveDirectory = autosave.path();
        options.autosaveIdleMs = 3600 * 1000;
        MainWindow window(options);
        window.document()->newDocument(group);
        QCOMPARE(window.document()->group().lanes.size(), std::size_t(lanes));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.layout()->activate();
        QApplication::processEvents();
        const QSize minimum = window.minimumSize().expandedTo(window.minimumSizeHint());
        qInfo("minimum size %dx%d", minimum.width(), minimum.height());
        QVERIFY2(minimum.width() <= 1366 && minimum.height() <= 700,
                 qPrintable(QStringLiteral("minimum %1x%2").arg(minimum.width()).arg(minimum.height())));
        // The Problems dock shows only while there is something to show.
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("problemsDock"));
        QVERIFY(dock);
        QCOMPARE(dock->isVisible(), withProblem);
        // Shrunk to its minimum, the window still shows every tab's page.
        window.resize(minimum);
        QApplication::processEvents();
        QVERIFY(window.height() <= 700);
    }

    // At a laptop's width the cluster bar's state sentence does not fit whole: it ends in "…" where it is cut
    // (not clipped mid-word), the label still holds it whole, and the tooltip shows it.
    void clusterStateIsElidedNotClipped()
    {
        QTemporaryDir autosave;
        MainWindow::Options options;
        options.autosaveDirectory = autosave.path();
        options.autosaveIdleMs = 3600 * 1000;
        MainWindow window(options);
        window.document()->newDocument(testing::seedGroup());
        window.resize(1000, 700);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *state = window.findChild<ElidedLabel *>(QStringLiteral("clusterStateLabel"));
        QVERIFY(state);
        QTRY_VERIFY(!state->text().isEmpty());
        const QString whole = state->text();
        QVERIFY2(state->fontMetrics().horizontalAdvance(whole) > state->width(), qPrintable(whole));
        const QString shown = state->displayedText();
        QVERIFY2(shown.endsWith(QChar(0x2026)), qPrintable(shown));
        QVERIFY(whole.startsWith(shown.chopped(1)));
        QCOMPARE(state->toolTip(), whole);
        // Wide enough, it shows whole.
        window.resize(3000, 700);
        QApplication::processEvents();
        if (state->fontMetrics().horizontalAdvance(whole) <= state->contentsRect().width()) {
            QCOMPARE(state->displayedText(), whole);
        }
    }
};

QTEST_MAIN(TestWindowFit)
#include "tst_windowfit.moc"

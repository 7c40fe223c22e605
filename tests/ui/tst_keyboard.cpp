// The console as a keyboard user meets it: the main flow done with key events only, the Tab order of every
// page (never trapped, focus always visible), Alt mnemonics without collisions, and an accessible name on
// everything Tab reaches.
#include "testsupport.h"

#include "lanes/groupedits.h"
#include "ui/designerview.h"
#include "ui/documentcontroller.h"
#include "ui/lanetablemodel.h"
#include "ui/mainwindow.h"
#include "ui/problemsmodel.h"
#include "ui/sandboxtarget.h"
#include "ui/servicetablemodel.h"
#include "ui/trafficpage.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QFileDialog>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <QWindow>

#include <functional>

using namespace lanedeck;
using namespace lanedeck::ui;

namespace {

constexpr int kTimeoutMs = 120000; // generous: the machine is shared; nothing here measures time
// "traffic-rollout": the Traffic page with its Rollout panel shown, on each of the panel's tabs.
const QStringList kPages = {QStringLiteral("designer"),
                            QStringLiteral("paths"),
                            QStringLiteral("resources"),
                            QStringLiteral("traffic"),
                            QStringLiteral("traffic-rollout"),
                            QStringLiteral("traffic-rollout-plan"),
                            QStringLiteral("traffic-rollout-faults")};

QStringList g_badMessages;
QtMessageHandler g_previousHandler = nullptr;

/// Fails the test on Qt's warning that a view was asked to commit an editor it no longer has (an editor
/// committed twice, or after the model moved under it).
void watchMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.contains(
            QLatin1String("commitData called with an editor that does not belong to this view"))) {
        g_badMessages << message;
    }
    if (g_previousHandler) {
        g_previousHandler(type, context, message);
    }
}

QWidget *focused()
{
    return QApplication::focusWidget();
}

/// A key to whatever has the focus, as a keyboard would send it.
void press(int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QWidget *target = focused() ? focused() : QApplication::activeWindow();
    if (qEnvironmentVariableIsSet(
            "KEYDEBUG")) { // KEYDEBUG=1 tst_keyboard: where each key went, to debug a step
        qDebug() << "key" << Qt::Key(key) << modifiers << "to" << target;
    }
    QVERIFY2(target, "something has the focus");
    QTest::keyClick(target, static_cast<Qt::Key>(key), modifiers);
}

void type(const QString &text)
{
    QWidget *target = focused();
    QVERIFY2(target, "something has the focus");
    QTest::keyClicks(target, text);
}

QString describe(const QWidget *w)
{
    return w ? QStringLiteral("%1 '%2'").arg(QString::fromLatin1(w->metaObject()->className()),
                                             w->objectName())
             : QStringLiteral("nothing");
}

/// What Tab should reach: visible, enabled widgets that take focus by Tab and are not part of a compound
/// widget that takes the focus for them (a spin box's line edit, a scroll area's viewport).
bool tabStop(const QWidget *w)
{
    if (!w->isVisible() || !w->isEnabled() || (w->focusPolicy() & Qt::TabFocus) != Qt::TabFocus ||
        w->focusProxy()) {
        return false;
    }
    for (const QWidget *p = w->parentWidget(); p; p = p->parentWidget()) {
        if (qobject_cast<const QAbstractSpinBox *>(p) || qobject_cast<const QComboBox *>(p) ||
            (qobject_cast<const QAbstractScrollArea *>(p) &&
             w == static_cast<const QAbstractScrollArea *>(p)->viewport())) {
            return false;
        }
    }
    return true;
}

QList<QWidget *> tabStops(QWidget *root)
{
    QList<QWidget *> out;
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (w->window() == root->window() && tabStop(w)) {
            out << w;
        }
    }
    return out;
}

/// Whether `w` looks different with the keyboard focus than without: a focus frame, a cursor, a highlighted
/// cell. Pixels, because that is what the operator sees.
bool showsFocus(QWidget *w)
{
    // The widget and a few pixels around it, as the window shows them: a focus ring may be drawn outside.
    QWidget *window = w->window();
    const QRect area(w->mapTo(window, QPoint(-4, -4)), w->size() + QSize(8, 8));
    const QImage with = window->grab(area).toImage();
    w->clearFocus();
    QCoreApplication::processEvents();
    const QImage without = window->grab(area).toImage();
    w->setFocus(Qt::TabFocusReason);
    QCoreApplication::processEvents();
    return with != without;
}

/// Answers the next modal dialog or message box from the keyboard: `keys` runs once it has the focus.
void whenModal(std::function<void(QWidget *)> keys)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, keys] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal || !modal->isVisible() || !focused() || focused()->window() != modal) {
            return;
        }
        timer->stop();
        timer->deleteLater();
        keys(modal);
    });
    timer->start();
}

} // namespace

class TestKeyboard final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void mnemonicsAreUnique_data();
    void mnemonicsAreUnique();
    void menusKeepTheirMnemonics();
    void tabWalkNeverTraps_data();
    void tabWalkNeverTraps();
    void tabStopsHaveAccessibleNames_data();
    void tabStopsHaveAccessibleNames();
    void typingDoesNotEditCells();
    void editorOpenWhileTheTableChanges_data();
    void editorOpenWhileTheTableChanges();
    void removingTheBaselineAsksAndRebalances();
    void mainFlowByKeyboardOnly();

private:
    void makeWindow();
    void backToWindow();
    void showPage(const QString &page);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void TestKeyboard::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("LaneDeckTest"));
    QApplication::setApplicationName(QStringLiteral("tst_keyboard"));
    g_previousHandler = qInstallMessageHandler(watchMessages);
}

void TestKeyboard::init()
{
    QSettings().clear();
    g_badMessages.clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestKeyboard::cleanup()
{
    if (m_window) {
        m_window->trafficPage()->stop();
        m_window->document()->undoStack()->setClean(); // no save prompt on close
        m_window.reset();
    }
    QVERIFY2(g_badMessages.isEmpty(), qPrintable(g_badMessages.join(QLatin1Char('\n'))));
}

void TestKeyboard::makeWindow()
{
    MainWindow::Options options;
    options.autosaveDirectory = m_dir->filePath(QStringLiteral("autosave"));
    m_window = std::make_unique<MainWindow>(options);
    m_window->resize(1366, 740);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestKeyboard::showPage(const QString &page)
{
    if (!page.startsWith(QLatin1String("traffic-rollout"))) {
        m_window->showTab(page);
        return;
    }
    m_window->showTab(QStringLiteral("traffic"));
    m_window->trafficPage()->setRolloutVisible(true);
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("rolloutTabs"));
    QVERIFY(tabs);
    tabs->setCurrentIndex(page.endsWith(QLatin1String("plan"))     ? 1
                          : page.endsWith(QLatin1String("faults")) ? 2
                                                                   : 0);
}

void TestKeyboard::backToWindow()
{
    // After a dialog closes, the window manager activates the window again; the offscreen platform does not.
    if (QApplication::activeWindow() != m_window.get()) {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }
    QTRY_VERIFY(focused());
}

void TestKeyboard::mnemonicsAreUnique_data()
{
    QTest::addColumn<QString>("page");
    QTest::addColumn<bool>("example");
    for (const QString &page : kPages) {
        QTest::addRow("%s, new group", qPrintable(page)) << page << false;
        QTest::addRow("%s, example", qPrintable(page)) << page << true;
    }
}

void TestKeyboard::mnemonicsAreUnique()
{
    // Every Alt+letter the window answers on a page: the menu titles, and the labels, buttons and tabs shown.
    QFETCH(QString, page);
    QFETCH(bool, example);
    makeWindow();
    if (example) {
        QVERIFY(m_window->openExample());
    }
    showPage(page);
    QCoreApplication::processEvents();
    QMap<QString, QStringList> owners;
    auto add = [&owners](const QString &text, const QString &owner) {
        const QKeySequence mnemonic = QKeySequence::mnemonic(text);
        if (!mnemonic.isEmpty()) {
            owners[mnemonic.toString()] << QStringLiteral("%1 (%2)").arg(text, owner);
        }
    };
    for (QAction *menu : m_window->menuBar()->actions()) {
        add(menu->text(), QStringLiteral("menu"));
    }
    int fields = 0;
    for (QWidget *w : m_window->findChildren<QWidget *>()) {
        if (!w->isVisible() || w->window() != m_window.get()) {
            continue;
        }
        if (auto *label = qobject_cast<QLabel *>(w); label && label->buddy()) {
            add(label->text(), describe(label->buddy()));
            ++fields;
        } else if (auto *button = qobject_cast<QAbstractButton *>(w)) {
            add(button->text(), describe(button));
        } else if (auto *box = qobject_cast<QGroupBox *>(w); box && box->isCheckable()) {
            add(box->title(), describe(box));
        } else if (auto *tabs = qobject_cast<QTabBar *>(w)) {
            for (int i = 0; i < tabs->count(); ++i) {
                add(tabs->tabText(i), describe(tabs));
            }
        }
    }
    QVERIFY2(fields > 1, "the page has labelled fields"); // the cluster bar's at least
    QStringList clashes;
    for (auto it = owners.cbegin(); it != owners.cend(); ++it) {
        if (it.value().size() > 1) {
            clashes << QStringLiteral("%1: %2").arg(it.key(), it.value().join(QStringLiteral(", ")));
        }
    }
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));
    // The menus answer their letters: Alt+E opens Edit even on a page full of fields.
    for (const char *menu : {"File", "Edit", "View", "Cluster", "Help"}) {
        QVERIFY2(
            owners.contains(QKeySequence::mnemonic(QStringLiteral("&") + QLatin1String(menu)).toString()),
            menu);
    }
}

void TestKeyboard::menusKeepTheirMnemonics()
{
    makeWindow();
    QStringList clashes;
    for (QAction *top : m_window->menuBar()->actions()) {
        QVERIFY2(!QKeySequence::mnemonic(top->text()).isEmpty(), qPrintable(top->text()));
        QMap<QString, QStringList> owners;
        for (QAction *action : top->menu()->actions()) {
            const QKeySequence mnemonic = QKeySequence::mnemonic(action->text());
            if (!mnemonic.isEmpty()) {
                owners[mnemonic.toString()] << action->text();
            }
        }
        for (auto it = owners.cbegin(); it != owners.cend(); ++it) {
            if (it.value().size() > 1) {
                clashes << QStringLiteral("%1 %2: %3")
                               .arg(top->text(), it.key(), it.value().join(QStringLiteral(", ")));
            }
        }
    }
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));
    // Alt+E opens the Edit menu, not a field of the designer.
    m_window->showTab(QStringLiteral("designer"));
    QWidget *before = focused();
    QTest::keyClick(m_window.get(), Qt::Key_E, Qt::AltModifier);
    QTRY_VERIFY(QApplication::activePopupWidget());
    auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
    QVERIFY(menu);
    QCOMPARE(menu->title(), QStringLiteral("&Edit"));
    QTest::keyClick(menu, Qt::Key_Escape); // the menu closes, the menu bar keeps the keyboard
    QTRY_VERIFY(!QApplication::activePopupWidget());
    if (focused() != before) {
        press(Qt::Key_Escape); // and gives it back
    }
    QTRY_COMPARE(focused(), before);
}

void TestKeyboard::tabWalkNeverTraps_data()
{
    QTest::addColumn<QString>("page");
    for (const QString &page : kPages) {
        QTest::addRow("%s", qPrintable(page)) << page;
    }
}

void TestKeyboard::tabWalkNeverTraps()
{
    // From the first field of the page, Tab goes around the whole window and back: every stop of the page is
    // reached, no widget keeps the focus (a table that moves between its cells on Tab would), and every
    // widget that has the focus shows it.
    QFETCH(QString, page);
    makeWindow();
    QVERIFY(m_window->openExample());
    showPage(page);
    QCoreApplication::processEvents();
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"));
    QVERIFY(tabs);
    const QList<QWidget *> pageStops = tabStops(tabs->currentWidget());
    const QList<QWidget *> windowStops = tabStops(m_window.get());
    QVERIFY2(!pageStops.isEmpty() || page == QLatin1String("paths"), "the page has fields");
    tabs->tabBar()->setFocus(Qt::TabFocusReason);
    QSet<QWidget *> visited;
    QStringList hidden;
    for (int i = 0; i < windowStops.size() * 2 + 2; ++i) {
        QWidget *before = focused();
        press(Qt::Key_Tab);
        QWidget *now = focused();
        QVERIFY2(
            now && now != before,
            qPrintable(QStringLiteral("Tab left the focus on %1 (step %2)").arg(describe(before)).arg(i)));
        QVERIFY2(now->window() == m_window.get(), qPrintable(describe(now)));
        if (!visited.contains(now) && !showsFocus(now)) {
            hidden << describe(now);
        }
        visited.insert(now);
    }
    QVERIFY2(hidden.isEmpty(),
             qPrintable(QStringLiteral("no visible focus: ") + hidden.join(QStringLiteral(", "))));
    QStringList missed;
    for (QWidget *w : pageStops) {
        if (!visited.contains(w)) {
            missed << describe(w);
        }
    }
    QVERIFY2(missed.isEmpty(),
             qPrintable(QStringLiteral("never reached: ") + missed.join(QStringLiteral(", "))));

    // Shift+Tab and Ctrl+Tab leave the tables and the grid too.
    for (QTableView *table : tabs->currentWidget()->findChildren<QTableView *>()) {
        if (!tabStop(table)) {
            continue;
        }
        table->setFocus(Qt::TabFocusReason);
        press(Qt::Key_Backtab, Qt::ShiftModifier);
        QVERIFY2(focused() != table, qPrintable(describe(table)));
        // Ctrl+Tab turns the page of the nearest tab widget: the window's, or one inside the page.
        QTabWidget *pages = nullptr;
        for (QWidget *p = table->parentWidget(); p && !pages; p = p->parentWidget()) {
            pages = qobject_cast<QTabWidget *>(p);
        }
        QVERIFY(pages);
        table->setFocus(Qt::TabFocusReason);
        const int index = pages->currentIndex();
        press(Qt::Key_Tab, Qt::ControlModifier);
        QVERIFY2(pages->currentIndex() != index,
                 qPrintable(QStringLiteral("Ctrl+Tab stayed in ") + describe(table)));
        pages->setCurrentIndex(index);
    }
}

void TestKeyboard::tabStopsHaveAccessibleNames_data()
{
    tabWalkNeverTraps_data();
}

void TestKeyboard::tabStopsHaveAccessibleNames()
{
    // What Tab reaches, a screen reader names: an accessible name, or a label whose buddy it is.
    QFETCH(QString, page);
    makeWindow();
    QVERIFY(m_window->openExample());
    showPage(page);
    QCoreApplication::processEvents();
    QStringList unnamed;
    const QList<QWidget *> stops = tabStops(m_window.get());
    QVERIFY(!stops.isEmpty());
    for (QWidget *w : stops) {
        QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(w);
        if (!iface || iface->text(QAccessible::Name).trimmed().isEmpty()) {
            unnamed << describe(w);
        }
    }
    QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
}

void TestKeyboard::typingDoesNotEditCells()
{
    // A stray "20" typed while a table has the focus used to become a service's calls.
    makeWindow();
    QVERIFY(m_window->openExample());
    const LaneGroup before = m_window->document()->group();
    for (const char *name : {"serviceTable", "laneTable", "laneGrid"}) {
        auto *table = m_window->findChild<QTableView *>(QString::fromLatin1(name));
        QVERIFY(table);
        table->setFocus(Qt::TabFocusReason);
        table->setCurrentIndex(table->model()->index(0, table->model()->columnCount() - 1));
        type(QStringLiteral("20"));
        QTest::keyClick(focused(), Qt::Key_Return);
        QCOMPARE(m_window->document()->group(), before);
    }
}

void TestKeyboard::editorOpenWhileTheTableChanges_data()
{
    QTest::addColumn<QString>("table");
    QTest::addColumn<int>("column");
    QTest::addRow("lane name") << "laneTable" << int(LaneTableModel::Name);
    QTest::addRow("lane label value") << "laneTable" << int(LaneTableModel::LabelValue);
    QTest::addRow("service calls") << "serviceTable" << int(ServiceTableModel::Calls);
    QTest::addRow("service port") << "serviceTable" << int(ServiceTableModel::Port);
}

void TestKeyboard::editorOpenWhileTheTableChanges()
{
    // A cell being edited while the table changes shape (a lane or service added elsewhere, an undo): the
    // editor goes without committing twice; cleanup() fails on Qt's "commitData called with an editor that
    // does not belong to this view".
    QFETCH(QString, table);
    QFETCH(int, column);
    makeWindow();
    QVERIFY(m_window->openExample());
    auto *view = m_window->findChild<QTableView *>(table);
    QVERIFY(view);
    view->setFocus(Qt::TabFocusReason);
    view->setCurrentIndex(view->model()->index(1, column));
    press(Qt::Key_F2);
    QTRY_VERIFY(focused() != view && view->isAncestorOf(focused()));
    const LaneGroup example = m_window->document()->group();
    LaneGroup grown = m_window->document()->group();
    edits::addLane(grown, "s4");
    edits::addService(grown, "mockd");
    m_window->document()->edit(grown, QStringLiteral("grow"));
    QCoreApplication::processEvents();
    press(Qt::Key_Tab);
    QCoreApplication::processEvents();
    m_window->document()->undoStack()->undo();
    QCoreApplication::processEvents();
    QCOMPARE(m_window->document()->group(), example); // the open editor committed nothing of its own
    QCOMPARE(view->model()->rowCount(), 3);
}

void TestKeyboard::removingTheBaselineAsksAndRebalances()
{
    // s1 is the baseline at 60%: removing it asks first; once removed, "Keep total at 100%" gives its share
    // to s2 and s3 in proportion; undo brings everything back.
    makeWindow();
    QVERIFY(m_window->openExample());
    DocumentController *doc = m_window->document();
    const LaneGroup example = doc->group();
    auto *lanes = m_window->findChild<QTableView *>(QStringLiteral("laneTable"));
    auto *remove = m_window->findChild<QAbstractButton *>(QStringLiteral("removeLaneButton"));
    QVERIFY(lanes && remove);
    lanes->setFocus(Qt::TabFocusReason);
    lanes->setCurrentIndex(lanes->model()->index(0, LaneTableModel::Name));
    QString asked;
    whenModal([&asked](QWidget *box) {
        asked = static_cast<QMessageBox *>(box)->text();
        press(Qt::Key_Escape);
    });
    remove->setFocus(Qt::TabFocusReason);
    press(Qt::Key_Space);
    QTRY_VERIFY(!asked.isEmpty());
    QVERIFY2(asked.contains(QLatin1String("s1 is the baseline lane")), qPrintable(asked));
    QCOMPARE(doc->group(), example);
    backToWindow();

    lanes->setCurrentIndex(lanes->model()->index(0, LaneTableModel::Name));
    whenModal([](QWidget *) { press(Qt::Key_R, Qt::AltModifier); }); // "&Remove s1"
    remove->setFocus(Qt::TabFocusReason);
    press(Qt::Key_Space);
    QTRY_COMPARE(doc->group().lanes.size(), std::size_t(2));
    QCOMPARE(edits::weights(doc->group()), (std::vector<int>{50, 50}));
    backToWindow();
    doc->undoStack()->undo();
    QCOMPARE(doc->group(), example);

    // A lane that is not the baseline goes without a question, its share rebalanced too.
    lanes->setCurrentIndex(lanes->model()->index(2, LaneTableModel::Name));
    remove->setFocus(Qt::TabFocusReason);
    press(Qt::Key_Space);
    QCOMPARE(edits::weights(doc->group()), (std::vector<int>{75, 25}));
}

void TestKeyboard::mainFlowByKeyboardOnly()
{
    // New group, three services, two lanes, weights, save, push to the sandbox, sample, export: key events
    // only, each to whatever has the focus.
    makeWindow();
    DocumentController *doc = m_window->document();
    press(Qt::Key_N, Qt::ControlModifier);
    press(Qt::Key_N, Qt::AltModifier); // Name
    QCOMPARE(focused()->objectName(), QStringLiteral("groupNameEdit"));
    type(QStringLiteral("shop"));
    press(Qt::Key_S, Qt::AltModifier); // Namespace
    QCOMPARE(focused()->objectName(), QStringLiteral("groupNamespaceEdit"));
    press(Qt::Key_A, Qt::ControlModifier);
    type(QStringLiteral("demo"));

    // Ctrl+K goes to the new service field; each Enter adds the name typed and stays there for the next.
    press(Qt::Key_K, Qt::ControlModifier);
    QCOMPARE(focused()->objectName(), QStringLiteral("newServiceEdit"));
    for (const char *name : {"front", "api", "store"}) {
        type(QString::fromLatin1(name));
        press(Qt::Key_Return);
    }
    QCOMPARE(doc->group().services.size(), std::size_t(3));
    // The first takes the group's namespace, the next the previous row's namespace and port.
    for (const Service &s : doc->group().services) {
        QCOMPARE(s.ns, std::string("demo"));
    }

    // Ports: the service table, F2 on the first port; the next rows copy it when added, so set it first.
    auto *services = m_window->findChild<QTableView *>(QStringLiteral("serviceTable"));
    while (focused() != services) {
        press(Qt::Key_Tab);
    }
    press(Qt::Key_Home, Qt::ControlModifier);
    for (int i = 0; i < ServiceTableModel::Port; ++i) {
        press(Qt::Key_Right);
    }
    QCOMPARE(services->currentIndex().column(), int(ServiceTableModel::Port));
    for (int row = 0; row < 3; ++row) {
        press(Qt::Key_F2);
        press(Qt::Key_A, Qt::ControlModifier);
        type(QStringLiteral("9080"));
        press(Qt::Key_Return);
        QTRY_COMPARE(doc->group().services[std::size_t(row)].port, 9080);
        press(Qt::Key_Down);
    }
    // Calls, picked from the services: front calls api, api calls store.
    press(Qt::Key_Home, Qt::ControlModifier);
    for (int i = 0; i < ServiceTableModel::Calls; ++i) {
        press(Qt::Key_Right);
    }
    press(Qt::Key_F2);
    QTRY_VERIFY(qobject_cast<QListWidget *>(focused()));
    auto *calls = qobject_cast<QListWidget *>(focused());
    QCOMPARE(calls->count(), 2); // api and store; never front itself
    QCOMPARE(calls->currentItem()->text(), QStringLiteral("api"));
    press(Qt::Key_Space);
    press(Qt::Key_Return);
    QTRY_COMPARE(doc->group().services[0].calls, std::vector<std::string>{"api"});
    QTRY_COMPARE(focused(), services);
    press(Qt::Key_Down);
    press(Qt::Key_F2);
    QTRY_VERIFY(qobject_cast<QListWidget *>(focused()));
    press(Qt::Key_Down); // front, store
    press(Qt::Key_Space);
    press(Qt::Key_Return);
    QTRY_COMPARE(doc->group().services[1].calls, std::vector<std::string>{"store"});

    // Lanes: stable with label key "version" first, so canary takes the key when added.
    QTRY_COMPARE(focused(), services);
    press(Qt::Key_L, Qt::ControlModifier);
    QCOMPARE(focused()->objectName(), QStringLiteral("newLaneEdit"));
    type(QStringLiteral("stable"));
    press(Qt::Key_Return);
    auto *lanes = m_window->findChild<QTableView *>(QStringLiteral("laneTable"));
    while (focused() != lanes) {
        press(Qt::Key_Tab);
    }
    press(Qt::Key_Home, Qt::ControlModifier);
    press(Qt::Key_Right); // label key
    press(Qt::Key_F2);
    press(Qt::Key_A, Qt::ControlModifier);
    type(QStringLiteral("version"));
    press(Qt::Key_Return);
    QTRY_COMPARE(doc->group().lanes[0].labelKey, std::string("version"));
    press(Qt::Key_Right); // label value
    press(Qt::Key_F2);
    type(QStringLiteral("v1"));
    press(Qt::Key_Return);
    QTRY_COMPARE(doc->group().lanes[0].labelValue, std::string("v1"));
    press(Qt::Key_L, Qt::ControlModifier);
    type(QStringLiteral("canary"));
    press(Qt::Key_Return);
    QCOMPARE(doc->group().lanes.size(), std::size_t(2));
    QCOMPARE(doc->group().lanes[1].labelKey, std::string("version"));
    // A duplicate is refused as it is typed and when Enter is pressed.
    type(QStringLiteral("stable"));
    press(Qt::Key_Return);
    QCOMPARE(doc->group().lanes.size(), std::size_t(2));
    press(Qt::Key_A, Qt::ControlModifier);
    press(Qt::Key_Delete);
    while (focused() != lanes) {
        press(Qt::Key_Tab);
    }
    press(Qt::Key_Down);
    press(Qt::Key_F2);
    press(Qt::Key_End);
    type(QStringLiteral("v2"));
    press(Qt::Key_Return);
    QTRY_COMPARE(doc->group().lanes[1].labelValue, std::string("v2"));

    // The grid: api gets its canary version (row api, column canary), Space checks it.
    auto *grid = m_window->findChild<QTableView *>(QStringLiteral("laneGrid"));
    while (focused() != grid) {
        press(Qt::Key_Tab, Qt::ShiftModifier);
    }
    press(Qt::Key_Home, Qt::ControlModifier);
    press(Qt::Key_Down);
    press(Qt::Key_Right);
    press(Qt::Key_Space);
    QCOMPARE(doc->group().lanes[1].services, std::vector<std::string>{"api"});

    // Weights: Tab reaches canary's box; 20 there keeps the total at 100.
    auto *canaryWeight = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_1"));
    QVERIFY(canaryWeight);
    for (int i = 0; i < 40 && focused() != canaryWeight; ++i) {
        press(Qt::Key_Tab);
    }
    QCOMPARE(focused(), canaryWeight);
    press(Qt::Key_A, Qt::ControlModifier);
    type(QStringLiteral("20"));
    QCOMPARE(doc->group().lanes[0].weight, 80);
    QCOMPARE(doc->group().lanes[1].weight, 20);
    QVERIFY2(doc->diagnostics().isEmpty(),
             qPrintable(m_window->problemsModel()->index(0, ProblemsModel::Message).data().toString()));

    // Save (Ctrl+S): the file dialog takes the path typed into it.
    const QString path = m_dir->filePath(QStringLiteral("shop.lanes.yaml"));
    whenModal([path](QWidget *) {
        press(Qt::Key_A, Qt::ControlModifier);
        type(path);
        press(Qt::Key_Return);
    });
    press(Qt::Key_S, Qt::ControlModifier);
    QTRY_COMPARE(doc->filePath(), path);
    backToWindow();
    QVERIFY(!doc->isModified());
    QVERIFY(m_window->windowHandle()->title().contains(QStringLiteral("shop.lanes.yaml")));

    // Push to the local sandbox (Ctrl+P): the dry run first, then Alt+A applies.
    SandboxTargetSource *sandbox = m_window->sandboxTarget();
    QSignalSpy gateway(sandbox, &SandboxTargetSource::gatewayChanged);
    press(Qt::Key_P, Qt::ControlModifier);
    QTRY_VERIFY(QApplication::activeModalWidget() || QApplication::activeWindow() != m_window.get());
    auto *apply = m_window->findChild<QPushButton *>(QStringLiteral("pushApplyButton"));
    QVERIFY(apply);
    QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), kTimeoutMs);
    QTest::keyClick(apply->window(), Qt::Key_A, Qt::AltModifier);
    QTRY_VERIFY_WITH_TIMEOUT(gateway.size() >= 1, kTimeoutMs);
    QTest::keyClick(apply->window(), Qt::Key_Escape);
    QTRY_VERIFY(!apply->window()->isVisible());
    backToWindow();

    // Sample 300 requests: Ctrl+T to the Traffic page, Alt+N to the amount, Alt+S starts.
    TrafficPage *traffic = m_window->trafficPage();
    QTRY_COMPARE(traffic->targetUrl(), sandbox->gatewayUrl());
    press(Qt::Key_T, Qt::ControlModifier);
    press(Qt::Key_N, Qt::AltModifier);
    QCOMPARE(focused()->objectName(), QStringLiteral("trafficAmount"));
    press(Qt::Key_A, Qt::ControlModifier);
    type(QStringLiteral("300"));
    press(Qt::Key_S, Qt::AltModifier);
    QTRY_VERIFY_WITH_TIMEOUT(traffic->lastRun() != nullptr, kTimeoutMs);
    QCOMPARE(traffic->lastRun()->summary.total, std::uint64_t(300));

    // Export the samples (Alt+U), the path typed into the file dialog.
    const QString csv = m_dir->filePath(QStringLiteral("samples.csv"));
    whenModal([csv](QWidget *) {
        press(Qt::Key_A, Qt::ControlModifier);
        type(csv);
        press(Qt::Key_Return);
    });
    press(Qt::Key_U, Qt::AltModifier);
    QTRY_VERIFY(QFile::exists(csv));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().count('\n'), 301); // a header and a row per request
}

QTEST_MAIN(TestKeyboard)
#include "tst_keyboard.moc"

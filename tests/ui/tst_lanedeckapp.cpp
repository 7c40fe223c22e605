// The lanedeck executable's command line: --version and --help without a display, FILE opening, and the
// --screenshot option scripts/screenshots.sh relies on.
#include "testsupport.h"

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

class TestLanedeckApp : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void infoWithoutDisplay_data();
    void infoWithoutDisplay();
    void screenshotOfOpenedFile();
    void unreadableFileFailsScreenshot();
    void lastKubeconfigContextIsRestored();

private:
    static QProcessEnvironment environment(const QString &platform, const QString &home);
};

QProcessEnvironment TestLanedeckApp::environment(const QString &platform, const QString &home)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    if (platform.isEmpty()) {
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    } else {
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), platform);
    }
    if (!home.isEmpty()) {
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    }
    return env;
}

void TestLanedeckApp::infoWithoutDisplay_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::addRow("version") << QStringLiteral("--version") << QStringLiteral("lanedeck " LANEDECK_VERSION);
    QTest::addRow("help") << QStringLiteral("--help") << QStringLiteral("--screenshot <FILE>");
    QTest::addRow("help-kubeconfig") << QStringLiteral("--help") << QStringLiteral("--kubeconfig <FILE>");
}

void TestLanedeckApp::infoWithoutDisplay()
{
    QFETCH(QString, option);
    QFETCH(QString, expected);
    QProcess process;
    process.setProcessEnvironment(environment(QString(), QString()));
    process.start(QStringLiteral(LANEDECK_PATH), {option});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(out.contains(expected), qPrintable(out));
}

void TestLanedeckApp::screenshotOfOpenedFile()
{
    QTemporaryDir home;
    const QString png = home.filePath(QStringLiteral("shot.png"));
    QProcess process;
    process.setProcessEnvironment(environment(QStringLiteral("offscreen"), home.path()));
    process.start(
        QStringLiteral(LANEDECK_PATH),
        {QString::fromStdString(lanedeck::testing::sourcePath("resources/examples/mock.lanes.yaml")),
         QStringLiteral("--screenshot"), png, QStringLiteral("--size"), QStringLiteral("1200x800")});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    const QImage image(png);
    QCOMPARE(image.size(), QSize(1200, 800));
}

void TestLanedeckApp::unreadableFileFailsScreenshot()
{
    QTemporaryDir home;
    QProcess process;
    process.setProcessEnvironment(environment(QStringLiteral("offscreen"), home.path()));
    process.start(QStringLiteral(LANEDECK_PATH),
                  {home.filePath(QStringLiteral("missing.lanes.yaml")), QStringLiteral("--screenshot"),
                   home.filePath(QStringLiteral("x.png"))});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(!QFile::exists(home.filePath(QStringLiteral("x.png"))));
}

void TestLanedeckApp::lastKubeconfigContextIsRestored()
{
    // Two contexts of a --kubeconfig file, the second one used last. Nothing listens on the server: the
    // context is selected (and stays the remembered one) even though connecting fails.
    QTemporaryDir home;
    const QString kubeconfig = home.filePath(QStringLiteral("kubeconfig"));
    {
        QFile file(kubeconfig);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("apiVersion: v1\nkind: Config\ncurrent-context: alpha\n"
                   "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
                   "users:\n- name: u\n  user:\n    token: not-a-real-token\n"
                   "contexts:\n- name: alpha\n  context: {cluster: c, user: u}\n"
                   "- name: beta\n  context: {cluster: c, user: u, namespace: lanes}\n");
    }
    const QString settingsPath = home.filePath(QStringLiteral("config/LaneDeck/lanedeck.conf"));
    {
        QSettings settings(settingsPath, QSettings::IniFormat);
        settings.setValue(QStringLiteral("cluster/target"), QStringLiteral("beta"));
    }
    QProcess process;
    process.setProcessEnvironment(environment(QStringLiteral("offscreen"), home.path()));
    process.start(QStringLiteral(LANEDECK_PATH),
                  {QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("--screenshot"),
                   home.filePath(QStringLiteral("shot.png"))});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    QSettings settings(settingsPath, QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("cluster/target")).toString(), QStringLiteral("beta"));
}

QTEST_GUILESS_MAIN(TestLanedeckApp)
#include "tst_lanedeckapp.moc"

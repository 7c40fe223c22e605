// lanectl rollout as a user runs it: the dry run, a bad plan, a fault that rolls back (exit 4, the audit log
// says why), SIGTERM (exit 5), and a process killed mid-step that --resume continues, or refuses to once the
// plan changed (exit 6).
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

namespace {

struct Finished
{
    int exitCode = -1;
    QString out;
    QString err;
};

Finished finish(QProcess &process, int timeoutMs = 120000)
{
    Finished result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

Finished runLanectl(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(LANECTL_PATH), arguments);
    return finish(process);
}

/// The mock group and a Rollout of s2 in one file: three short steps.
QString writePlan(const QTemporaryDir &dir, const QString &hold = QStringLiteral("600ms"))
{
    QFile example(QStringLiteral(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml"));
    if (!example.open(QIODevice::ReadOnly)) {
        return {};
    }
    QByteArray text = example.readAll();
    text += "---\n"
            "apiVersion: lanedeck.io/v1alpha1\n"
            "kind: Rollout\n"
            "metadata: {name: s2-quick}\n"
            "spec:\n"
            "  group: test\n"
            "  lane: s2\n"
            "  interval: 300ms\n"
            "  rate: 400\n"
            "  steps:\n"
            "    - {laneWeight: 10, hold: " +
            hold.toUtf8() +
            ", minRequests: 100}\n"
            "    - {laneWeight: 25, hold: " +
            hold.toUtf8() +
            ", minRequests: 100}\n"
            "    - {laneWeight: 50, hold: " +
            hold.toUtf8() +
            ", minRequests: 100}\n"
            "  gates:\n"
            "    errorRate: {max: 5%}\n"
            "    split: {alpha: 0.000001}\n";
    const QString path = dir.filePath(QStringLiteral("s2.yaml"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size()) {
        return {};
    }
    return path;
}

QList<QJsonObject> auditLog(const QString &path)
{
    QFile file(path);
    QList<QJsonObject> events;
    if (file.open(QIODevice::ReadOnly)) {
        for (const auto &line : file.readAll().split('\n')) {
            if (!line.isEmpty()) {
                events.push_back(QJsonDocument::fromJson(line).object());
            }
        }
    }
    return events;
}

} // namespace

class TestLanectlRollout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dryRunPrintsEachStep()
    {
        QTemporaryDir dir;
        const QString plan = writePlan(dir);
        const auto run = runLanectl({QStringLiteral("rollout"), plan, QStringLiteral("--dry-run")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(QLatin1String("s1 68 / s2 10 / s3 22")), qPrintable(run.out));
        QVERIFY(run.out.contains(QLatin1String("s1 38 / s2 50 / s3 12")));
        QVERIFY(run.out.contains(QLatin1String("rollback  s1 100 / s2 0 / s3 0")));
        QVERIFY(!QFile::exists(plan + QStringLiteral(".state.json"))); // a dry run writes nothing
    }

    void aBadPlanNamesItsPlace()
    {
        QTemporaryDir dir;
        const QString plan = writePlan(dir, QStringLiteral("forever"));
        const auto run = runLanectl({QStringLiteral("rollout"), plan});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(plan + QStringLiteral(":69:30: spec.steps[0].hold: must be a duration")),
                 qPrintable(run.err));
    }

    void aFaultRollsBackAndTheLogSaysWhy()
    {
        QTemporaryDir dir;
        const QString plan = writePlan(dir);
        const QString log = dir.filePath(QStringLiteral("audit.jsonl"));
        const auto run =
            runLanectl({QStringLiteral("rollout"), plan, QStringLiteral("--fault"),
                        QStringLiteral("mockc:v2:error=30%"), QStringLiteral("--json-log"), log});
        QVERIFY2(run.exitCode == 4, qPrintable(run.out + run.err));
        QVERIFY(run.out.startsWith(QLatin1String("rolled back: step 1 failed: errorRate: s2 errors")));
        const auto events = auditLog(log);
        QVERIFY(events.size() >= 4);
        QCOMPARE(events.back()[QLatin1String("event")].toString(), QStringLiteral("rolledBack"));
        const QJsonObject failed = events[events.size() - 3];
        QCOMPARE(failed[QLatin1String("event")].toString(), QStringLiteral("evaluated"));
        QCOMPARE(failed[QLatin1String("verdict")].toString(), QStringLiteral("fail"));
        const QJsonObject gate = failed[QLatin1String("gates")].toArray().first().toObject();
        QCOMPARE(gate[QLatin1String("gate")].toString(), QStringLiteral("errorRate"));
        QCOMPARE(gate[QLatin1String("verdict")].toString(), QStringLiteral("fail"));
        QCOMPARE(gate[QLatin1String("threshold")].toDouble(), 0.05);
        QVERIFY(gate[QLatin1String("measurement")].toDouble() > 0.05);
        const QJsonObject rollback = events[events.size() - 2];
        QCOMPARE(rollback[QLatin1String("event")].toString(), QStringLiteral("pushed"));
        QCOMPARE(rollback[QLatin1String("weights")].toObject()[QLatin1String("s1")].toInt(), 100);
    }

    // gatesFrom: telemetry: the gates judge what Debian's prometheus scraped from the sandbox's sidecars
    // (lanectl starts it with --telemetry), over the time since each step was pushed.
    void gatesReadTheMeshsTelemetry_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("outcome");
        QTest::addRow("promotes") << QString() << 0 << QStringLiteral("promoted: s1 38 / s2 50 / s3 12");
        QTest::addRow("fault rolls back")
            << QStringLiteral("mockc:v2:error=30%") << 4
            << QStringLiteral("rolled back: step 1 failed: errorRate: s2 errors");
    }
    void gatesReadTheMeshsTelemetry()
    {
        QFETCH(QString, fault);
        QFETCH(int, exitCode);
        QFETCH(QString, outcome);
        QTemporaryDir dir;
        QString plan = writePlan(dir, QStringLiteral("5s"));
        QFile file(plan);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray text =
            file.readAll().replace("  interval: 300ms\n", "  interval: 1s\n  gatesFrom: telemetry\n");
        QVERIFY(file.resize(0) && file.write(text) == text.size());
        file.close();
        const auto unsourced = runLanectl({QStringLiteral("rollout"), plan});
        QCOMPARE(unsourced.exitCode, 2);
        QVERIFY2(unsourced.err.contains(QLatin1String("give --telemetry")), qPrintable(unsourced.err));
        QStringList arguments{QStringLiteral("rollout"), plan, QStringLiteral("--telemetry")};
        if (!fault.isEmpty()) {
            arguments << QStringLiteral("--fault") << fault;
        }
        const auto run = runLanectl(arguments);
        QVERIFY2(run.exitCode == exitCode, qPrintable(run.out + run.err));
        QVERIFY2(run.err.contains(QLatin1String("gates read the mesh's telemetry from http://127.0.0.1:")),
                 qPrintable(run.err));
        QVERIFY2(run.out.startsWith(outcome), qPrintable(run.out));
    }

    void killedMidStepResumes()
    {
        QTemporaryDir dir;
        const QString plan = writePlan(dir, QStringLiteral("3s"));
        QProcess first;
        first.setReadChannel(QProcess::StandardError); // the live lines
        first.start(QStringLiteral(LANECTL_PATH), {QStringLiteral("rollout"), plan});
        QByteArray err;
        while (!err.contains("pushed step 2") && first.waitForReadyRead(60000)) {
            err += first.readAllStandardError();
        }
        QVERIFY2(err.contains("pushed step 2"), err.constData());
        ::kill(static_cast<pid_t>(first.processId()), SIGKILL); // a crash: no chance to clean up
        finish(first);
        // The lock died with the process; the state still says step 2 is in force.
        const auto again = runLanectl({QStringLiteral("rollout"), plan});
        QCOMPARE(again.exitCode, 6);
        QVERIFY2(again.out.contains(QLatin1String("in progress at step 2")), qPrintable(again.out));

        const QString log = dir.filePath(QStringLiteral("resume.jsonl"));
        const auto resumed = runLanectl(
            {QStringLiteral("rollout"), plan, QStringLiteral("--resume"), QStringLiteral("--json-log"), log});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.out + resumed.err));
        QStringList pushedSteps;
        for (const auto &event : auditLog(log)) {
            if (event[QLatin1String("event")].toString() == QLatin1String("pushed")) {
                pushedSteps << QString::number(event[QLatin1String("step")].toInt() + 1);
            }
        }
        QCOMPARE(pushedSteps, (QStringList{QStringLiteral("2"), QStringLiteral("3")}));
    }

    void resumeRefusesAChangedPlan()
    {
        QTemporaryDir dir;
        const QString plan = writePlan(dir, QStringLiteral("3s"));
        QProcess first;
        first.setReadChannel(QProcess::StandardError); // the live lines
        first.start(QStringLiteral(LANECTL_PATH), {QStringLiteral("rollout"), plan});
        QByteArray err;
        while (!err.contains("pushed step 1") && first.waitForReadyRead(60000)) {
            err += first.readAllStandardError();
        }
        first.terminate(); // SIGTERM, as Ctrl-C: aborted, the step stays
        const auto stopped = finish(first);
        QVERIFY2(stopped.exitCode == 5, qPrintable(stopped.out + stopped.err));
        QVERIFY(stopped.out.contains(QLatin1String("step 1 stays in force")));
        const QString changed = QString::fromUtf8([&] {
            QFile file(plan);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }());
        QFile file(plan);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QString(changed)
                       .replace(QStringLiteral("laneWeight: 50"), QStringLiteral("laneWeight: 60"))
                       .toUtf8());
        file.close();
        const auto resumed = runLanectl({QStringLiteral("rollout"), plan, QStringLiteral("--resume")});
        QCOMPARE(resumed.exitCode, 6);
        QVERIFY2(resumed.out.contains(QLatin1String("changed since step 1 was pushed")),
                 qPrintable(resumed.out));
        // The operator undoes it instead.
        const auto undone = runLanectl({QStringLiteral("rollout"), plan, QStringLiteral("--rollback")});
        QVERIFY2(undone.exitCode == 4, qPrintable(undone.out + undone.err));
    }
};

QTEST_GUILESS_MAIN(TestLanectlRollout)
#include "tst_lanectlrollout.moc"

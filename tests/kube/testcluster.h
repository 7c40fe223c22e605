#pragma once

// A real kube-apiserver for a test (tests/kube/testcluster, started by scripts/testcluster.sh in a temporary
// directory), and running programs (lanectl, kubectl) against it.

#include "kube/client.h"
#include "kube/kubeconfig.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace lanedeck::testing {

inline QString testclusterScript()
{
    const QByteArray env = qgetenv("LANEDECK_TESTCLUSTER_SCRIPT");
    return env.isEmpty() ? QStringLiteral(LANEDECK_SOURCE_DIR "/scripts/testcluster.sh")
                         : QString::fromLocal8Bit(env);
}

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

inline Run run(const QString &program, const QStringList &args,
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
               int timeoutMs = 900'000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    Run r;
    if (!p.waitForStarted(30'000) || !p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "did not run: " + p.errorString().toUtf8();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/// One test cluster in a temporary directory (see tests/kube/testcluster/README.md for what it holds).
struct TestCluster
{
    QTemporaryDir dir;
    QString mesh = QStringLiteral("istio");
    /// More testcluster flags (e.g. --all-istio-crds, which istioctl analyze needs).
    QStringList flags;

    QString path(const QString &name) const { return dir.filePath(name); }

    TestCluster() = default;
    TestCluster(const TestCluster &) = delete;
    TestCluster &operator=(const TestCluster &) = delete;
    /// A cluster started and not stopped is stopped here, so a test that fails half way leaves no server.
    ~TestCluster()
    {
        if (m_started) {
            stop();
        }
    }

    bool start(QString &error)
    {
        m_started = true; // even a failed start may have left a process behind
        QStringList args{QStringLiteral("start"), dir.path()};
        if (mesh == QLatin1String("asm")) {
            args << QStringLiteral("--mesh") << QStringLiteral("asm");
        }
        args << flags;
        const Run r = run(testclusterScript(), args);
        if (r.exitCode != 0 || !r.out.contains("READY")) {
            error = QString::fromUtf8(r.err.right(3000));
            return false;
        }
        return true;
    }

    qint64 pid() const
    {
        QFile f(path(QStringLiteral("pid")));
        return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : 0;
    }

    bool stop()
    {
        m_started = false;
        return run(testclusterScript(), {QStringLiteral("stop"), dir.path()}).exitCode == 0;
    }

    QString kubeconfig(const QString &name) const { return path(name + QStringLiteral(".kubeconfig")); }
    QString kubeconfig(const char *name = "admin") const { return kubeconfig(QString::fromLatin1(name)); }

private:
    bool m_started = false;
};

/// A client for the current context of a kubeconfig file; null (with a warning) when it cannot be made.
inline std::unique_ptr<kube::Client> clientFor(const QString &kubeconfig,
                                               const kube::ClientOptions &options = {})
{
    kube::KubeconfigSource source;
    source.explicitPath = kubeconfig.toStdString();
    auto config = kube::loadKubeconfig(source);
    if (!config) {
        qWarning("%s", config.error().message.c_str());
        return nullptr;
    }
    auto connection = kube::resolveConnection(*config);
    if (!connection) {
        qWarning("%s", connection.error().message.c_str());
        return nullptr;
    }
    auto client = kube::Client::create(*connection, options);
    if (!client) {
        qWarning("%s", client.error().message.c_str());
        return nullptr;
    }
    return std::move(*client);
}

} // namespace lanedeck::testing

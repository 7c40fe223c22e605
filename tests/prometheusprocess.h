#pragma once

// A real Prometheus (Debian's `prometheus` binary) for a test: a temporary config and data directory, a free
// loopback port (or a given address), a scrape interval of 1 s. The destructor stops it and removes the
// directory, so nothing is left behind.

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace lanedeck::testing {

/// A TCP port nobody listens on at the moment (bound and released).
inline int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

class PrometheusProcess final
{
public:
    /// The binary, or empty when it is not installed.
    static QString binary() { return QStandardPaths::findExecutable(QStringLiteral("prometheus")); }

    /// `targets`: "host:port" scrape targets serving /metrics. `listen`: "127.0.0.1:PORT" (empty: a free
    /// loopback port). `wrapper`: a program and arguments to run Prometheus under (e.g. `ip netns exec NS`).
    bool start(const QStringList &targets, const QString &listen = {}, const QStringList &wrapper = {})
    {
        if (!m_dir.isValid() || binary().isEmpty()) {
            m_error = QStringLiteral("no prometheus binary or no temporary directory");
            return false;
        }
        m_listen = listen.isEmpty() ? QStringLiteral("127.0.0.1:%1").arg(freeLoopbackPort()) : listen;
        QString list;
        for (const auto &target : targets) {
            list += (list.isEmpty() ? QString() : QStringLiteral(", ")) + QLatin1Char('"') + target +
                    QLatin1Char('"');
        }
        QFile config(m_dir.filePath(QStringLiteral("prometheus.yml")));
        if (!config.open(QIODevice::WriteOnly)) {
            m_error = QStringLiteral("cannot write the config");
            return false;
        }
        config.write(QStringLiteral("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                    "scrape_configs:\n  - job_name: sandbox\n    static_configs:\n"
                                    "      - targets: [%1]\n")
                         .arg(list)
                         .toUtf8());
        config.close();
        QStringList arguments = wrapper;
        arguments << binary() << QStringLiteral("--config.file=") + config.fileName()
                  << QStringLiteral("--storage.tsdb.path=") + m_dir.filePath(QStringLiteral("data"))
                  << QStringLiteral("--web.listen-address=") + m_listen << QStringLiteral("--log.level=warn");
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.setStandardOutputFile(m_dir.filePath(QStringLiteral("log")));
        m_process.start(arguments.takeFirst(), arguments);
        if (!m_process.waitForStarted(10'000)) {
            m_error = QStringLiteral("prometheus did not start: ") + m_process.errorString();
            return false;
        }
        return true;
    }

    /// Waits until /-/ready answers 200 through `get` (a loopback Prometheus by default).
    bool waitReady(int seconds = 30)
    {
        for (int i = 0; i < seconds * 10; ++i) {
            if (m_process.state() != QProcess::Running) {
                m_error = QStringLiteral("prometheus exited: ") + log();
                return false;
            }
            httplib::Client client(host(), port());
            client.set_connection_timeout(0, 200'000);
            if (auto answer = client.Get("/-/ready"); answer && answer->status == 200) {
                return true;
            }
            QThread::msleep(100);
        }
        m_error = QStringLiteral("prometheus not ready within %1 s: ").arg(seconds) + log();
        return false;
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(15'000)) {
                m_process.kill();
                m_process.waitForFinished(5'000);
            }
        }
    }

    ~PrometheusProcess() { stop(); }

    std::string url() const { return "http://" + m_listen.toStdString(); }
    std::string host() const { return m_listen.section(QLatin1Char(':'), 0, 0).toStdString(); }
    int port() const { return m_listen.section(QLatin1Char(':'), 1, 1).toInt(); }
    qint64 pid() const { return m_process.processId(); }
    QString directory() const { return m_dir.path(); }
    QString error() const { return m_error; }
    QString log() const
    {
        QFile file(m_dir.filePath(QStringLiteral("log")));
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(2000)) : QString();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_listen;
    QString m_error;
};

} // namespace lanedeck::testing

#include "telemetry/localprometheus.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <curl/curl.h>

#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace lanedeck::telemetry {

namespace {

/// A loopback port nobody listens on now (bound and released; Prometheus binds it a moment later).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

std::size_t discard(char *, std::size_t size, std::size_t count, void *)
{
    return size * count;
}

bool ready(const std::string &url)
{
    CURL *easy = curl_easy_init();
    if (!easy) {
        return false;
    }
    const std::string probe = url + "/-/ready";
    curl_easy_setopt(easy, CURLOPT_URL, probe.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 500L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(easy) == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(easy);
    return status == 200;
}

} // namespace

struct LocalPrometheus::State
{
    std::unique_ptr<QTemporaryDir> dir;
    std::unique_ptr<QProcess> process;
    std::string url;
};

LocalPrometheus::LocalPrometheus() : m_state(std::make_unique<State>()) {}

LocalPrometheus::~LocalPrometheus()
{
    stop();
}

std::string LocalPrometheus::binary()
{
    return QStandardPaths::findExecutable(QStringLiteral("prometheus")).toStdString();
}

Result<void> LocalPrometheus::start(const std::vector<std::string> &targets, int readySeconds)
{
    stop();
    const std::string program = binary();
    if (program.empty()) {
        return Error{"no prometheus binary on PATH (Debian's package: prometheus)"};
    }
    auto dir = std::make_unique<QTemporaryDir>();
    if (!dir->isValid()) {
        return Error{"cannot create a temporary directory for Prometheus"};
    }
    std::string list;
    for (const auto &target : targets) {
        list += (list.empty() ? "\"" : ", \"") + target + "\"";
    }
    QFile config(dir->filePath(QStringLiteral("prometheus.yml")));
    const std::string text = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                             "scrape_configs:\n  - job_name: sandbox\n    static_configs:\n"
                             "      - targets: [" +
                             list + "]\n";
    if (!config.open(QIODevice::WriteOnly) ||
        config.write(text.data(), qint64(text.size())) != qint64(text.size())) {
        return Error{"cannot write Prometheus's configuration in " + dir->path().toStdString()};
    }
    config.close();
    const int port = freePort();
    if (port == 0) {
        return Error{"no free loopback port for Prometheus"};
    }
    auto process = std::make_unique<QProcess>();
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->setStandardOutputFile(dir->filePath(QStringLiteral("prometheus.log")));
    // Prometheus ends with the process that started it, even one killed before it could stop it.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    process->start(QString::fromStdString(program),
                   {QStringLiteral("--config.file=") + config.fileName(),
                    QStringLiteral("--storage.tsdb.path=") + dir->filePath(QStringLiteral("data")),
                    QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port),
                    QStringLiteral("--log.level=warn")});
    if (!process->waitForStarted(10'000)) {
        return Error{"prometheus did not start: " + process->errorString().toStdString()};
    }
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    if (readySeconds == 0) {
        m_state->dir = std::move(dir);
        m_state->process = std::move(process);
        m_state->url = url;
        return {};
    }
    for (int i = 0; i < readySeconds * 10; ++i) {
        if (process->state() != QProcess::Running) {
            return Error{"prometheus exited at once (see its log in " + dir->path().toStdString() + ")"};
        }
        if (ready(url)) {
            m_state->dir = std::move(dir);
            m_state->process = std::move(process);
            m_state->url = url;
            return {};
        }
        QThread::msleep(100);
    }
    process->kill();
    process->waitForFinished(5000);
    return Error{"prometheus was not ready within " + std::to_string(readySeconds) + " s"};
}

void LocalPrometheus::stop()
{
    if (m_state->process && m_state->process->state() != QProcess::NotRunning) {
        m_state->process->terminate();
        if (!m_state->process->waitForFinished(15'000)) {
            m_state->process->kill();
            m_state->process->waitForFinished(5'000);
        }
    }
    m_state->process.reset();
    m_state->dir.reset();
    m_state->url.clear();
}

bool LocalPrometheus::isRunning() const
{
    return m_state->process && m_state->process->state() == QProcess::Running;
}

std::string LocalPrometheus::url() const
{
    return m_state->url;
}

} // namespace lanedeck::telemetry

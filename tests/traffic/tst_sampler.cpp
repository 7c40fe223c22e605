// The sampler against real loopback servers, well-behaved and not: error kinds, classification, the
// open-model schedule and coordinated omission, stopping, snapshots, and the CSV/JSON exports.
#include "lanes/document.h"
#include "traffic/export.h"
#include "traffic/sampler.h"

#include <httplib.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <set>
#include <thread>

using namespace lanedeck;
using namespace lanedeck::traffic;

Q_DECLARE_METATYPE(lanedeck::traffic::ErrorKind)

namespace {

LaneGroup exampleGroup()
{
    return loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
}

const std::string kS1 = "-> mocka(version: v1, ip: 10.0.0.1)-> mockb(version: v1, ip: 10.0.0.2)-> "
                        "mockc(version: v1, ip: 10.0.0.3)";
// s2 lacks mockb: the baseline's mockb serves it (fell back).
const std::string kS2 = "-> mocka(version: v2, ip: 10.0.0.4)-> mockb(version: v1, ip: 10.0.0.2)-> "
                        "mockc(version: v2, ip: 10.0.0.5)";
// No lane's path: s2's mocka, then the baseline's mockc.
const std::string kLeak = "-> mocka(version: v2, ip: 10.0.0.4)-> mockb(version: v1, ip: 10.0.0.2)-> "
                          "mockc(version: v1, ip: 10.0.0.3)";

/// A TCP server that misbehaves at the socket level, where an HTTP library would not let it.
class RawServer final
{
public:
    enum class Behaviour
    {
        Hang,
        Garbage,
        Reset,
        Trickle
    };

    explicit RawServer(Behaviour behaviour) : m_behaviour(behaviour)
    {
        m_listener = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address);
        listen(m_listener, 64);
        socklen_t length = sizeof address;
        getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_acceptor = std::thread([this] { acceptLoop(); });
    }

    ~RawServer()
    {
        m_stop = true;
        m_acceptor.join();
        for (auto &t : m_connections) {
            t.join();
        }
        close(m_listener);
    }

    int port() const { return m_port; }

private:
    void acceptLoop()
    {
        while (!m_stop) {
            pollfd p{m_listener, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) {
                continue;
            }
            const int fd = accept(m_listener, nullptr, nullptr);
            if (fd >= 0) {
                m_connections.emplace_back([this, fd] { serve(fd); });
            }
        }
    }

    bool waitUntilStopped(int millis)
    {
        for (int waited = 0; waited < millis && !m_stop; waited += 10) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return m_stop;
    }

    void serve(int fd)
    {
        char buffer[4096];
        if (m_behaviour != Behaviour::Reset) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 2000) > 0) {
                [[maybe_unused]] auto n = read(fd, buffer, sizeof buffer);
            }
        }
        switch (m_behaviour) {
        case Behaviour::Hang:
            waitUntilStopped(30000);
            break;
        case Behaviour::Garbage: {
            const char garbage[] = "SMTP ready\r\n\x01\x02\x03 not http at all\r\n\r\n";
            [[maybe_unused]] auto n = send(fd, garbage, sizeof garbage - 1, MSG_NOSIGNAL);
            break;
        }
        case Behaviour::Reset: {
            linger l{1, 0}; // close with RST
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            break;
        }
        case Behaviour::Trickle: {
            const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
            [[maybe_unused]] auto n = send(fd, head, sizeof head - 1, MSG_NOSIGNAL);
            for (int i = 0; i < 1000 && !waitUntilStopped(50); ++i) {
                if (send(fd, "-", 1, MSG_NOSIGNAL) != 1) {
                    break;
                }
            }
            break;
        }
        }
        close(fd);
    }

    Behaviour m_behaviour;
    int m_listener = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_acceptor;
    std::vector<std::thread> m_connections;
};

/// A well-formed HTTP server on a free loopback port, running `handler` for every request.
class HttpServer final
{
public:
    explicit HttpServer(httplib::Server::Handler handler)
    {
        m_server.Get(".*", handler);
        m_server.Post(".*", handler);
        m_server.set_keep_alive_max_count(1000); // httplib's default closes a connection after 5 requests
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    ~HttpServer()
    {
        m_server.stop();
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
};

int refusedPort()
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    close(fd); // bound, never listened: connections are refused
    return ntohs(address.sin_port);
}

/// Nothing lost: every request counted once, as a classified response or as an error, and the samples, the
/// per-second series and the lane rows all add up to the same total.
void checkNothingLost(const SampleRun &run, std::uint64_t sent)
{
    const Summary &s = run.summary;
    QCOMPARE(s.total, sent);
    QCOMPARE(s.classified + s.leaked + s.errorCount(), s.total);
    std::uint64_t perSecond = 0;
    std::uint64_t perSecondLanes = 0;
    for (const auto &second : s.perSecond) {
        perSecond += second.succeeded + second.failed;
        for (auto count : second.lanes) {
            perSecondLanes += count;
        }
    }
    QCOMPARE(perSecond, s.total);
    QCOMPARE(perSecondLanes, s.classified);
    if (run.config.keepSamples) {
        QCOMPARE(std::uint64_t(run.samples.size()), s.total);
        std::set<std::uint64_t> sequences;
        for (const auto &sample : run.samples) {
            sequences.insert(sample.sequence);
        }
        QCOMPARE(std::uint64_t(sequences.size()), s.total); // no request counted twice
    }
}

SamplerConfig configFor(const std::string &url, std::uint64_t count)
{
    SamplerConfig config;
    config.url = url;
    config.count = count;
    config.concurrency = 2;
    // Generous: on a loaded shared machine a healthy loopback server can take seconds to answer, and only the
    // fault tests below want timeouts (they set a short one).
    config.timeout = std::chrono::seconds(30);
    return config;
}

} // namespace

class TestSampler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void errorKinds_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<ErrorKind>("kind");
        QTest::addColumn<int>("threads");
        for (const int threads : {1, 2, 4}) {
            const auto row = [threads](const char *name) -> QTestData & {
                return QTest::addRow("%s-%d-threads", name, threads);
            };
            row("connection-refused") << QStringLiteral("refused") << ErrorKind::Connect << threads;
            row("hangs") << QStringLiteral("hang") << ErrorKind::Timeout << threads;
            row("trickles-bytes") << QStringLiteral("trickle") << ErrorKind::Timeout << threads;
            row("resets") << QStringLiteral("reset") << ErrorKind::Transport << threads;
            row("garbage") << QStringLiteral("garbage") << ErrorKind::Unparseable << threads;
            row("status-500") << QStringLiteral("500") << ErrorKind::HttpStatus << threads;
            row("body-not-a-chain") << QStringLiteral("hello") << ErrorKind::Unparseable << threads;
        }
    }

    void errorKinds()
    {
        QFETCH(QString, server);
        QFETCH(ErrorKind, kind);
        QFETCH(int, threads);
        std::unique_ptr<RawServer> raw;
        std::unique_ptr<HttpServer> http;
        std::string url;
        if (server == QLatin1String("refused")) {
            url = "http://127.0.0.1:" + std::to_string(refusedPort()) + "/";
        } else if (server == QLatin1String("500") || server == QLatin1String("hello")) {
            const bool fail = server == QLatin1String("500");
            http = std::make_unique<HttpServer>([fail](const httplib::Request &, httplib::Response &res) {
                res.status = fail ? 500 : 200;
                res.set_content(fail ? "boom" : "hello", "text/plain");
            });
            url = http->url();
        } else {
            const auto behaviour = server == QLatin1String("hang")      ? RawServer::Behaviour::Hang
                                   : server == QLatin1String("trickle") ? RawServer::Behaviour::Trickle
                                   : server == QLatin1String("reset")   ? RawServer::Behaviour::Reset
                                                                        : RawServer::Behaviour::Garbage;
            raw = std::make_unique<RawServer>(behaviour);
            url = "http://127.0.0.1:" + std::to_string(raw->port()) + "/";
        }
        const int n = 8;
        auto config = configFor(url, n);
        config.concurrency = 4;
        config.threads = threads;
        if (kind == ErrorKind::Timeout) {
            config.timeout = std::chrono::milliseconds(400); // the hanging and trickling servers never finish
        }
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QCOMPARE(run->summary.total, std::uint64_t(n));
        std::string kinds;
        for (std::size_t k = 0; k < kErrorKinds; ++k) {
            kinds += toString(ErrorKind(k)) + "=" + std::to_string(run->summary.errors[k]) + " ";
        }
        QVERIFY2(run->summary.errors[std::size_t(kind)] == std::uint64_t(n),
                 kinds.c_str()); // every one, of this kind
        QCOMPARE(run->summary.errorCount(), std::uint64_t(n));
        QCOMPARE(run->summary.classified, 0u);
        QCOMPARE(run->samples.size(), std::size_t(n));
        for (const auto &sample : run->samples) {
            QCOMPARE(QString::fromStdString(toString(sample.error)), QString::fromStdString(toString(kind)));
            QCOMPARE(sample.lane, -1);
        }
        QVERIFY(!run->summary.matches);
        checkNothingLost(*run, n);
        if (kind == ErrorKind::HttpStatus) {
            QCOMPARE(run->samples.front().status, std::int16_t(500));
        }
    }

    void hugeBodiesAreDrainedNotKept_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addRow("1-thread") << 1;
        QTest::addRow("2-threads") << 2;
        QTest::addRow("4-threads") << 4;
    }

    void hugeBodiesAreDrainedNotKept()
    {
        QFETCH(int, threads);
        HttpServer server([](const httplib::Request &, httplib::Response &res) {
            res.set_content(kS1 + std::string(8 << 20, ' '), "text/plain"); // 8 MiB
        });
        auto config = configFor(server.url(), 4);
        config.concurrency = 4;
        config.threads = threads;
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QCOMPARE(run->summary.errorCount(), 0u);
        QCOMPARE(run->summary.lanes[0].count, 4u); // classified from the first 64 KiB
        checkNothingLost(*run, 4);
    }

    void threadCountsGiveTheSameCounts_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<double>("rate");
        for (const int threads : {1, 2, 4}) {
            QTest::addRow("closed-%d-threads", threads) << threads << 0.0;
            QTest::addRow("open-%d-threads", threads) << threads << 2000.0;
        }
    }

    void threadCountsGiveTheSameCounts()
    {
        // The server decides the lane by how many requests it has answered, so the counts are the same
        // however the requests are spread over threads and connections: 6 in 10 s1, 3 s2, 1 leaked.
        QFETCH(int, threads);
        QFETCH(double, rate);
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            const int n = counter++ % 10;
            res.set_content(n < 6 ? kS1 : n < 9 ? kS2 : kLeak, "text/plain");
        });
        auto config = configFor(server.url(), 400);
        config.concurrency = 8;
        config.threads = threads;
        config.rate = rate;
        QCOMPARE(samplingThreads(config), threads);
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        const Summary &s = run->summary;
        QCOMPARE(s.errorCount(), 0u);
        QCOMPARE(s.lanes.size(), std::size_t(3)); // s1, s2, s3 as configured; s3 gets nothing
        QCOMPARE(s.lanes[0].name, std::string("s1"));
        QCOMPARE(s.lanes[0].count, 240u);
        QCOMPARE(s.lanes[0].fellBack, 0u);
        QCOMPARE(s.lanes[1].name, std::string("s2"));
        QCOMPARE(s.lanes[1].count, 120u);
        QCOMPARE(s.lanes[1].fellBack, 120u);
        QCOMPARE(s.lanes[2].count, 0u);
        QCOMPARE(s.leaked, 40u);
        QCOMPARE(s.chains.size(), std::size_t(3));
        QCOMPARE(s.chains[0].count, 240u);
        QCOMPARE(s.chains[0].chain, kS1);
        QCOMPARE(s.chains[1].count, 120u);
        QCOMPARE(s.chains[2].count, 40u);
        checkNothingLost(*run, 400);
        // Every sample's lane and chain index the run's tables (each thread had its own), and agree.
        std::set<std::uint64_t> sequences;
        for (const auto &sample : run->samples) {
            sequences.insert(sample.sequence);
            QVERIFY(sample.chain >= 0 && std::size_t(sample.chain) < run->chainTexts.size());
            const std::string &chain = run->chainTexts[std::size_t(sample.chain)];
            const std::string lane = sample.lane < 0 ? "" : run->laneNames.at(std::size_t(sample.lane));
            QCOMPARE(lane, std::string(chain == kS1 ? "s1" : chain == kS2 ? "s2" : ""));
            if (rate > 0) {
                // One schedule dealt out over the threads: request i was due at i / rate.
                QCOMPARE(sample.scheduledMicros, std::int64_t(sample.sequence) * 500);
            }
        }
        QCOMPARE(*sequences.rbegin(), 399u); // requests 0..399, each once
        for (std::size_t i = 1; i < run->samples.size(); ++i) {
            const auto &a = run->samples[i - 1];
            const auto &b = run->samples[i];
            QVERIFY(a.scheduledMicros + a.latencyMicros <= b.scheduledMicros + b.latencyMicros); // completed
        }
    }

    void classifiesByHeaderAndRegex_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addRow("header") << QStringLiteral("header:x-lane");
        QTest::addRow("regex") << QStringLiteral("regex:lane=(\\w+)");
    }

    void classifiesByHeaderAndRegex()
    {
        QFETCH(QString, spec);
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            const std::string lane = counter++ % 4 == 0 ? "s2" : "v1"; // a lane name, or a label value
            res.set_header("X-Lane", lane);
            res.set_content("lane=" + lane, "text/plain");
        });
        auto classifier = Classifier::parse(exampleGroup(), spec.toStdString());
        QVERIFY(classifier.ok());
        auto run = Sampler(configFor(server.url(), 40), std::move(*classifier)).run();
        QVERIFY(run.ok());
        QCOMPARE(run->summary.errorCount(), 0u);
        QCOMPARE(run->summary.lanes[0].name, std::string("s1"));
        QCOMPARE(run->summary.lanes[0].count, 30u);
        QCOMPARE(run->summary.lanes[1].count, 10u);
        QCOMPARE(run->summary.lanes[2].count, 0u);
    }

    void sendsMethodHeadersAndBody()
    {
        std::mutex mutex;
        std::vector<std::string> seen;
        HttpServer server([&](const httplib::Request &req, httplib::Response &res) {
            std::lock_guard lock(mutex);
            seen.push_back(req.method + "|" + req.get_header_value("Host") + "|" +
                           req.get_header_value("x-asm-prefer-tag") + "|" + req.get_header_value("baggage") +
                           "|" + req.body);
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 3);
        config.method = "POST";
        config.body = "payload";
        config.headers = {"Host: shop.example.com", "x-asm-prefer-tag: s2", "baggage: x-asm-prefer-tag=s2"};
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QCOMPARE(seen.size(), std::size_t(3));
        QCOMPARE(seen.front(), std::string("POST|shop.example.com|s2|x-asm-prefer-tag=s2|payload"));
    }

    void keepAliveReusesConnections_data()
    {
        QTest::addColumn<bool>("keepAlive");
        QTest::addColumn<int>("connections");
        QTest::addRow("keep-alive") << true << 1;
        QTest::addRow("new-connection-each") << false << 30;
    }

    void keepAliveReusesConnections()
    {
        QFETCH(bool, keepAlive);
        QFETCH(int, connections);
        std::mutex mutex;
        std::set<std::string> clientPorts;
        HttpServer server([&](const httplib::Request &req, httplib::Response &res) {
            std::lock_guard lock(mutex);
            clientPorts.insert(req.get_header_value("REMOTE_PORT"));
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 30);
        config.concurrency = 1;
        config.keepAlive = keepAlive;
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QCOMPARE(run->summary.errorCount(), 0u);
        QCOMPARE(int(clientPorts.size()), connections);
    }

    void openModelCountsStallsAsLatency()
    {
        // Request 10 stalls 300 ms. With one connection at 100/s, requests 11.. are due while it stalls; they
        // are sent late, and their latency counts from when they were due (no coordinated omission).
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            if (counter++ == 10) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
            }
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 20);
        config.concurrency = 1;
        config.rate = 100;
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QCOMPARE(run->samples.size(), std::size_t(20));
        for (const auto &sample : run->samples) {
            QCOMPARE(sample.scheduledMicros, std::int64_t(sample.sequence) * 10000); // the fixed schedule
            QVERIFY(sample.latencyMicros >= 0);
        }
        const auto &late = run->samples[11];
        QCOMPARE(late.sequence, 11u);
        QVERIFY2(late.latencyMicros >= 250000, std::to_string(late.latencyMicros).c_str());
    }

    void stopsAtAnyMoment_data()
    {
        QTest::addColumn<int>("threads");
        QTest::addRow("1-thread") << 1;
        QTest::addRow("2-threads") << 2;
        QTest::addRow("4-threads") << 4;
    }

    void stopsAtAnyMoment()
    {
        QFETCH(int, threads);
        HttpServer server(
            [](const httplib::Request &, httplib::Response &res) { res.set_content(kS1, "text/plain"); });
        auto config = configFor(server.url(), 0);
        config.duration = std::chrono::minutes(10);
        config.rate = 200;
        config.concurrency = 4;
        config.threads = threads;
        Sampler sampler(config, Classifier::chain(exampleGroup()));
        std::mutex mutex;
        std::condition_variable cv;
        std::uint64_t seen = 0;
        sampler.setSnapshotCallback([&](const Summary &s) {
            std::lock_guard lock(mutex);
            seen = s.total;
            cv.notify_one();
        });
        QVERIFY(sampler.start().ok());
        QVERIFY(sampler.isRunning());
        {
            std::unique_lock lock(mutex);
            QVERIFY(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen >= 20; }));
        }
        sampler.requestStop();
        const auto run = sampler.wait();
        QVERIFY(!sampler.isRunning());
        QVERIFY(run.summary.total >= 20);
        QVERIFY(run.summary.total < 200 * 600);
        QCOMPARE(run.summary.errorCount(), 0u);
        checkNothingLost(run, run.summary.total);
        QCOMPARE(run.summary.lanes[0].count, run.summary.total);
    }

    void streamsSnapshots()
    {
        HttpServer server(
            [](const httplib::Request &, httplib::Response &res) { res.set_content(kS1, "text/plain"); });
        auto config = configFor(server.url(), 150);
        config.rate = 100; // 1.5 s
        Sampler sampler(config, Classifier::chain(exampleGroup()));
        std::vector<std::uint64_t> totals; // only the snapshot thread writes, wait() joins it
        sampler.setSnapshotCallback([&](const Summary &s) { totals.push_back(s.total); });
        QVERIFY(sampler.start().ok());
        const auto run = sampler.wait();
        QVERIFY2(totals.size() >= 2, std::to_string(totals.size()).c_str()); // 15 due; the latest wins
        QVERIFY(std::is_sorted(totals.begin(), totals.end()));
        QCOMPARE(totals.back(), 150u); // the final snapshot is the whole run
        QCOMPARE(run.summary.total, 150u);
        // The per-second series follows the schedule: 100 requests were due in second 0, 50 in second 1.
        QCOMPARE(run.summary.perSecond.size(), std::size_t(2));
        QCOMPARE(run.summary.perSecond[0].succeeded, 100u);
        QCOMPARE(run.summary.perSecond[1].succeeded, 50u);
        QCOMPARE(run.summary.perSecond[1].lanes.at(0), 50u); // all s1
    }

    void refusesBadConfigurations_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("concurrency");
        QTest::addColumn<QString>("header");
        QTest::addColumn<int>("threads");
        QTest::addRow("not-http") << QStringLiteral("ftp://x/") << 1 << QStringLiteral("a: b") << 0;
        QTest::addRow("zero-concurrency")
            << QStringLiteral("http://127.0.0.1:1/") << 0 << QStringLiteral("a: b") << 0;
        QTest::addRow("bad-header") << QStringLiteral("http://127.0.0.1:1/") << 1
                                    << QStringLiteral("no colon") << 0;
        QTest::addRow("negative-threads")
            << QStringLiteral("http://127.0.0.1:1/") << 1 << QStringLiteral("a: b") << -1;
    }

    void refusesBadConfigurations()
    {
        QFETCH(QString, url);
        QFETCH(int, concurrency);
        QFETCH(QString, header);
        QFETCH(int, threads);
        auto config = configFor(url.toStdString(), 1);
        config.concurrency = concurrency;
        config.threads = threads;
        config.headers = {header.toStdString()};
        QVERIFY(!Sampler(config, Classifier::chain(exampleGroup())).run().ok());
    }

    void exportsCsvAndJson()
    {
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            if (counter++ == 3) {
                res.status = 503;
                res.set_content("no healthy upstream", "text/plain");
                return;
            }
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 10);
        config.concurrency = 1;
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QTemporaryDir dir;
        const std::string csvPath = dir.filePath(QStringLiteral("run.csv")).toStdString();
        const std::string jsonPath = dir.filePath(QStringLiteral("run.json")).toStdString();
        QVERIFY(writeCsv(*run, csvPath).ok());
        QVERIFY(writeJson(*run, jsonPath).ok());

        QFile csv(QString::fromStdString(csvPath));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = csv.readAll().split('\n');
        QCOMPARE(lines.size(), 12); // header, 10 samples, final newline
        QCOMPARE(lines[0], QByteArray("sequence,scheduled_us,latency_us,status,error,lane,outcome,chain"));
        QVERIFY(lines[1].startsWith("0,"));
        QVERIFY2(lines[1].endsWith(",200,none,s1,in-lane,\"" + QByteArray::fromStdString(kS1) + "\""),
                 lines[1].constData());
        QVERIFY2(lines[4].endsWith(",503,http-status,,unclassified,"), lines[4].constData());

        QFile summary(QString::fromStdString(summaryCsvPath(csvPath)));
        QVERIFY(summary.open(QIODevice::ReadOnly));
        const auto rows = summary.readAll().split('\n');
        QCOMPARE(rows.size(), 5);
        QVERIFY2(rows[1].startsWith("s1,60,0.6,9,1,"), rows[1].constData());

        QFile json(QString::fromStdString(jsonPath));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(root[QStringLiteral("samples")].toArray().size(), 10);
        const QJsonObject s = root[QStringLiteral("summary")].toObject();
        QCOMPARE(s[QStringLiteral("total")].toInt(), 10);
        QCOMPARE(s[QStringLiteral("errors")].toObject()[QStringLiteral("http-status")].toInt(), 1);
        QCOMPARE(s[QStringLiteral("lanes")].toArray()[0].toObject()[QStringLiteral("count")].toInt(), 9);
        QCOMPARE(root[QStringLiteral("config")].toObject()[QStringLiteral("url")].toString(),
                 QString::fromStdString(server.url()));
        QCOMPARE(root[QStringLiteral("samples")].toArray()[3].toObject()[QStringLiteral("status")].toInt(),
                 503);
        // 9 of 9 in s1 is weak evidence against 60/20/20: chi-square 6 with 2 degrees, p = e^-3.
        QCOMPARE(s[QStringLiteral("verdict")].toString(),
                 QStringLiteral("matches 60/20/20, p = 0.05 (but 1 of 10 requests failed)"));
        QCOMPARE(s[QStringLiteral("chiSquare")].toObject()[QStringLiteral("statistic")].toDouble(), 6.0);
    }

    void exportsASession()
    {
        // Two runs of one session, as a push while sampling leaves them: the second started 1.5 s in, at
        // other weights. Each keeps its own samples and summary; the samples also get the session's time
        // line.
        const auto makeRun = [](int weight, const std::vector<std::int64_t> &scheduled) {
            auto run = std::make_shared<SampleRun>();
            run->laneNames = {"s1", "s2"};
            run->chainTexts = {"-> mocka(v1)"};
            for (std::size_t i = 0; i < scheduled.size(); ++i) {
                Sample s;
                s.sequence = i;
                s.scheduledMicros = scheduled[i];
                s.latencyMicros = 900;
                s.status = 200;
                s.outcome = Outcome::InLane;
                s.lane = 0;
                s.chain = 0;
                run->samples.push_back(s);
            }
            LaneSummary s1;
            s1.name = "s1";
            s1.weight = weight;
            s1.count = scheduled.size();
            LaneSummary s2;
            s2.name = "s2";
            s2.weight = 100 - weight;
            run->summary.lanes = {s1, s2};
            run->summary.total = scheduled.size();
            return run;
        };
        const std::vector<SessionRun> session{{makeRun(60, {0, 1000, 2000}), 0},
                                              {makeRun(20, {0, 500}), 1'500'000}};
        QTemporaryDir dir;
        const std::string csvPath = dir.filePath(QStringLiteral("session.csv")).toStdString();
        QVERIFY(writeCsv(session, csvPath).ok());
        QFile csv(QString::fromStdString(csvPath));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll(),
                 QByteArray("run,session_us,sequence,scheduled_us,latency_us,status,error,lane,"
                            "outcome,chain\n"
                            "1,0,0,0,900,200,none,s1,in-lane,-> mocka(v1)\n"
                            "1,1000,1,1000,900,200,none,s1,in-lane,-> mocka(v1)\n"
                            "1,2000,2,2000,900,200,none,s1,in-lane,-> mocka(v1)\n"
                            "2,1500000,0,0,900,200,none,s1,in-lane,-> mocka(v1)\n"
                            "2,1500500,1,500,900,200,none,s1,in-lane,-> mocka(v1)\n"));
        QFile summary(QString::fromStdString(summaryCsvPath(csvPath)));
        QVERIFY(summary.open(QIODevice::ReadOnly));
        const auto rows = summary.readAll().split('\n');
        QCOMPARE(rows.size(), 6); // header, two lanes per run, final newline
        QCOMPARE(rows[0], QByteArray("run,start_us,lane,weight,expected_share,count,share,ci_low,ci_high,"
                                     "fell_back,p50_us,p90_us,p99_us,max_us"));
        QVERIFY2(rows[1].startsWith("1,0,s1,60,0,3,"), rows[1].constData());
        QVERIFY2(rows[2].startsWith("1,0,s2,40,0,0,"), rows[2].constData());
        QVERIFY2(rows[3].startsWith("2,1500000,s1,20,0,2,"), rows[3].constData());
        QVERIFY2(rows[4].startsWith("2,1500000,s2,80,0,0,"), rows[4].constData());

        const std::string jsonPath = dir.filePath(QStringLiteral("session.json")).toStdString();
        QVERIFY(writeJson(session, jsonPath).ok());
        QFile json(QString::fromStdString(jsonPath));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonArray runs =
            QJsonDocument::fromJson(json.readAll()).object()[QStringLiteral("runs")].toArray();
        QCOMPARE(runs.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const QJsonObject run = runs[i].toObject();
            QCOMPARE(run[QStringLiteral("run")].toInt(), i + 1);
            QCOMPARE(run[QStringLiteral("startMicros")].toInteger(), i == 0 ? 0 : 1'500'000);
            QCOMPARE(run[QStringLiteral("samples")].toArray().size(), i == 0 ? 3 : 2);
            QCOMPARE(run[QStringLiteral("summary")]
                         .toObject()[QStringLiteral("lanes")]
                         .toArray()[0]
                         .toObject()[QStringLiteral("weight")]
                         .toInt(),
                     i == 0 ? 60 : 20);
        }
    }
};

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"

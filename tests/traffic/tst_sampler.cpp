// The sampler against real loopback servers, well-behaved and not: error kinds, classification, the
// open-model schedule and coordinated omission, stopping, snapshots, and the CSV/JSON exports.
#include "lanes/document.h"
#include "rawhttpserver.h"
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
#include <cstdio>
#include <map>
#include <set>
#include <thread>

using namespace lanedeck;
using namespace lanedeck::traffic;

Q_DECLARE_METATYPE(lanedeck::traffic::ErrorKind)
Q_DECLARE_METATYPE(lanedeck::traffic::SamplerEngine)

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

/// The engines every behaviour test runs on: both must give the same results.
const SamplerEngine kEngines[] = {SamplerEngine::Curl, SamplerEngine::Native};

const char *engineName(SamplerEngine engine)
{
    return engine == SamplerEngine::Curl ? "curl" : "native";
}

SamplerConfig configFor(const std::string &url, std::uint64_t count,
                        SamplerEngine engine = SamplerEngine::Auto)
{
    SamplerConfig config;
    config.engine = engine;
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

    static void engines()
    {
        QTest::addColumn<SamplerEngine>("engine");
        for (const auto engine : kEngines) {
            QTest::addRow("%s", engineName(engine)) << engine;
        }
    }

    static void threadsAndEngines()
    {
        QTest::addColumn<int>("threads");
        QTest::addColumn<SamplerEngine>("engine");
        for (const auto engine : kEngines) {
            for (const int threads : {1, 2, 4}) {
                QTest::addRow("%d-threads-%s", threads, engineName(engine)) << threads << engine;
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A known environment: the engine choice depends on the proxy variables.
        for (const char *name :
             {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
            qunsetenv(name);
        }
    }

    void errorKinds_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<ErrorKind>("kind");
        QTest::addColumn<int>("threads");
        QTest::addColumn<SamplerEngine>("engine");
        for (const auto engine : kEngines) {
            for (const int threads : {1, 2, 4}) {
                const auto row = [threads, engine](const char *name) -> QTestData & {
                    return QTest::addRow("%s-%d-threads-%s", name, threads, engineName(engine));
                };
                row("connection-refused")
                    << QStringLiteral("refused") << ErrorKind::Connect << threads << engine;
                row("hangs") << QStringLiteral("hang") << ErrorKind::Timeout << threads << engine;
                row("trickles-bytes") << QStringLiteral("trickle") << ErrorKind::Timeout << threads << engine;
                row("resets") << QStringLiteral("reset") << ErrorKind::Transport << threads << engine;
                row("garbage") << QStringLiteral("garbage") << ErrorKind::Unparseable << threads << engine;
                row("status-500") << QStringLiteral("500") << ErrorKind::HttpStatus << threads << engine;
                row("body-not-a-chain")
                    << QStringLiteral("hello") << ErrorKind::Unparseable << threads << engine;
            }
        }
    }

    void errorKinds()
    {
        QFETCH(QString, server);
        QFETCH(ErrorKind, kind);
        QFETCH(int, threads);
        QFETCH(SamplerEngine, engine);
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
        auto config = configFor(url, n, engine);
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

    void hugeBodiesAreDrainedNotKept_data() { threadsAndEngines(); }

    void hugeBodiesAreDrainedNotKept()
    {
        QFETCH(int, threads);
        QFETCH(SamplerEngine, engine);
        HttpServer server([](const httplib::Request &, httplib::Response &res) {
            res.set_content(kS1 + std::string(8 << 20, ' '), "text/plain"); // 8 MiB
        });
        auto config = configFor(server.url(), 4, engine);
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
        QTest::addColumn<SamplerEngine>("engine");
        for (const auto engine : kEngines) {
            for (const int threads : {1, 2, 4}) {
                QTest::addRow("closed-%d-threads-%s", threads, engineName(engine))
                    << threads << 0.0 << engine;
                QTest::addRow("open-%d-threads-%s", threads, engineName(engine))
                    << threads << 2000.0 << engine;
            }
        }
    }

    void threadCountsGiveTheSameCounts()
    {
        // The server decides the lane by how many requests it has answered, so the counts are the same
        // however the requests are spread over threads and connections: 6 in 10 s1, 3 s2, 1 leaked.
        QFETCH(int, threads);
        QFETCH(double, rate);
        QFETCH(SamplerEngine, engine);
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            const int n = counter++ % 10;
            res.set_content(n < 6 ? kS1 : n < 9 ? kS2 : kLeak, "text/plain");
        });
        auto config = configFor(server.url(), 400, engine);
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
        QTest::addColumn<SamplerEngine>("engine");
        for (const auto engine : kEngines) {
            QTest::addRow("header-%s", engineName(engine)) << QStringLiteral("header:x-lane") << engine;
            QTest::addRow("regex-%s", engineName(engine)) << QStringLiteral("regex:lane=(\\w+)") << engine;
        }
    }

    void classifiesByHeaderAndRegex()
    {
        QFETCH(QString, spec);
        QFETCH(SamplerEngine, engine);
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            const std::string lane = counter++ % 4 == 0 ? "s2" : "v1"; // a lane name, or a label value
            res.set_header("X-Lane", lane);
            res.set_content("lane=" + lane, "text/plain");
        });
        auto classifier = Classifier::parse(exampleGroup(), spec.toStdString());
        QVERIFY(classifier.ok());
        auto run = Sampler(configFor(server.url(), 40, engine), std::move(*classifier)).run();
        QVERIFY(run.ok());
        QCOMPARE(run->summary.errorCount(), 0u);
        QCOMPARE(run->summary.lanes[0].name, std::string("s1"));
        QCOMPARE(run->summary.lanes[0].count, 30u);
        QCOMPARE(run->summary.lanes[1].count, 10u);
        QCOMPARE(run->summary.lanes[2].count, 0u);
    }

    void sendsMethodHeadersAndBody_data() { engines(); }

    void sendsMethodHeadersAndBody()
    {
        QFETCH(SamplerEngine, engine);
        std::mutex mutex;
        std::vector<std::string> seen;
        HttpServer server([&](const httplib::Request &req, httplib::Response &res) {
            std::lock_guard lock(mutex);
            seen.push_back(req.method + "|" + req.get_header_value("Host") + "|" +
                           req.get_header_value("x-asm-prefer-tag") + "|" + req.get_header_value("baggage") +
                           "|" + req.body);
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 3, engine);
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
        QTest::addColumn<SamplerEngine>("engine");
        for (const auto engine : kEngines) {
            QTest::addRow("keep-alive-%s", engineName(engine)) << true << 1 << engine;
            QTest::addRow("new-connection-each-%s", engineName(engine)) << false << 30 << engine;
        }
    }

    void keepAliveReusesConnections()
    {
        QFETCH(bool, keepAlive);
        QFETCH(int, connections);
        QFETCH(SamplerEngine, engine);
        std::mutex mutex;
        std::set<std::string> clientPorts;
        HttpServer server([&](const httplib::Request &req, httplib::Response &res) {
            std::lock_guard lock(mutex);
            clientPorts.insert(req.get_header_value("REMOTE_PORT"));
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 30, engine);
        config.concurrency = 1;
        config.keepAlive = keepAlive;
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        QCOMPARE(run->summary.errorCount(), 0u);
        QCOMPARE(int(clientPorts.size()), connections);
    }

    void openModelCountsStallsAsLatency_data() { engines(); }

    void openModelCountsStallsAsLatency()
    {
        QFETCH(SamplerEngine, engine);
        // Request 10 stalls 300 ms. With one connection at 100/s, requests 11.. are due while it stalls; they
        // are sent late, and their latency counts from when they were due (no coordinated omission).
        std::atomic<int> counter{0};
        HttpServer server([&counter](const httplib::Request &, httplib::Response &res) {
            if (counter++ == 10) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
            }
            res.set_content(kS1, "text/plain");
        });
        auto config = configFor(server.url(), 20, engine);
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

    void stopsAtAnyMoment_data() { threadsAndEngines(); }

    void stopsAtAnyMoment()
    {
        QFETCH(int, threads);
        QFETCH(SamplerEngine, engine);
        HttpServer server(
            [](const httplib::Request &, httplib::Response &res) { res.set_content(kS1, "text/plain"); });
        auto config = configFor(server.url(), 0, engine);
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

    void streamsSnapshots_data() { engines(); }

    void streamsSnapshots()
    {
        QFETCH(SamplerEngine, engine);
        HttpServer server(
            [](const httplib::Request &, httplib::Response &res) { res.set_content(kS1, "text/plain"); });
        auto config = configFor(server.url(), 150, engine);
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

    void answersOnTheWire_data()
    {
        // Answers as bytes on the wire, each read by both engines: framing by length, by chunks and by the
        // close, and the broken ones, with the error kind libcurl gives for each (the native engine must give
        // the same).
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<QString>("after"); // keep, close or reset the connection after the answer
        QTest::addColumn<ErrorKind>("kind");
        QTest::addColumn<int>("status");
        QTest::addColumn<SamplerEngine>("engine");
        const std::string ok = "HTTP/1.1 200 OK\r\n";
        const std::string length = "Content-Length: " + std::to_string(kS1.size()) + "\r\n";
        const std::string chunkedHead = ok + "Transfer-Encoding: chunked\r\n\r\n";
        const auto hex = [](std::size_t n, bool upper) {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, upper ? "%zX" : "%zx", n);
            return std::string(buffer);
        };
        const std::string threeChunks = hex(10, false) + "\r\n" + kS1.substr(0, 10) + "\r\n" +
                                        hex(20, false) + "\r\n" + kS1.substr(10, 20) + "\r\n" +
                                        hex(kS1.size() - 30, false) + "\r\n" + kS1.substr(30) +
                                        "\r\n0\r\n\r\n";
        const std::string bigHeader = "X-Big: " + std::string(200 * 1024, 'a') + "\r\n";
        struct Case
        {
            const char *name;
            std::string answer;
            const char *after;
            ErrorKind kind;
            int status;
        };
        const std::vector<Case> cases{
            {"content-length", ok + length + "\r\n" + kS1, "keep", ErrorKind::None, 200},
            {"content-length-lowercase-spaced",
             ok + "content-length:   " + std::to_string(kS1.size()) + "  \r\n\r\n" + kS1, "keep",
             ErrorKind::None, 200},
            {"chunked", chunkedHead + threeChunks, "keep", ErrorKind::None, 200},
            {"chunked-uppercase-extension-trailer",
             chunkedHead + hex(kS1.size(), true) + ";name=value\r\n" + kS1 + "\r\n0\r\nX-Trailer: 1\r\n\r\n",
             "keep", ErrorKind::None, 200},
            {"chunked-wins-over-content-length",
             ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + threeChunks, "keep",
             ErrorKind::None, 200},
            {"chunked-bad-size", chunkedHead + "zz\r\n" + kS1 + "\r\n0\r\n\r\n", "close",
             ErrorKind::Transport, 200},
            {"chunked-data-overruns-its-size", chunkedHead + "5\r\n" + kS1 + "\r\n0\r\n\r\n", "close",
             ErrorKind::Transport, 200},
            {"chunked-cut-off", chunkedHead + hex(kS1.size(), false) + "\r\n" + kS1 + "\r\n", "close",
             ErrorKind::Transport, 200},
            {"content-length-cut-off", ok + "Content-Length: 1000\r\n\r\n" + kS1, "close",
             ErrorKind::Transport, 200},
            {"content-length-cut-off-by-reset", ok + "Content-Length: 1000\r\n\r\n" + kS1, "reset",
             ErrorKind::Transport, 200},
            {"content-length-not-a-number", ok + "Content-Length: abc\r\n\r\n" + kS1, "close",
             ErrorKind::Unparseable, 200},
            {"delimited-by-close", ok + "\r\n" + kS1, "close", ErrorKind::None, 200},
            {"http-1.0-delimited-by-close", "HTTP/1.0 200 OK\r\n\r\n" + kS1, "close", ErrorKind::None, 200},
            {"http-1.0-with-length", "HTTP/1.0 200 OK\r\n" + length + "\r\n" + kS1, "keep", ErrorKind::None,
             200},
            {"connection-close", ok + length + "Connection: close\r\n\r\n" + kS1, "close", ErrorKind::None,
             200},
            {"closes-silently-after-each", ok + length + "\r\n" + kS1, "close", ErrorKind::None, 200},
            {"bytes-after-the-answer", ok + length + "\r\n" + kS1 + "junk", "keep", ErrorKind::None, 200},
            {"continue-then-answer", "HTTP/1.1 100 Continue\r\n\r\n" + ok + length + "\r\n" + kS1, "keep",
             ErrorKind::None, 200},
            {"no-content", "HTTP/1.1 204 No Content\r\n\r\n", "keep", ErrorKind::Unparseable, 204},
            {"status-503", "HTTP/1.1 503 Unavailable\r\n" + length + "\r\n" + kS1, "keep",
             ErrorKind::HttpStatus, 503},
            {"four-digit-status", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", "close",
             ErrorKind::Unparseable, 0},
            {"http-1.2", "HTTP/1.2 200 OK\r\n" + length + "\r\n" + kS1, "close", ErrorKind::Unparseable, 0},
            {"head-cut-off", ok + "Content-Le", "close", ErrorKind::Unparseable, 200},
            {"status-line-cut-off", "HTTP/1.1 20", "close", ErrorKind::Transport, 0},
            {"empty-reply", "", "close", ErrorKind::Transport, 0},
            {"header-line-over-100-KiB", ok + bigHeader + length + "\r\n" + kS1, "close",
             ErrorKind::Transport, 200},
        };
        for (const auto engine : kEngines) {
            for (const auto &c : cases) {
                QTest::addRow("%s-%s", c.name, engineName(engine))
                    << QByteArray::fromStdString(c.answer) << QString::fromLatin1(c.after) << c.kind
                    << c.status << engine;
            }
        }
    }

    void answersOnTheWire()
    {
        QFETCH(QByteArray, answer);
        QFETCH(QString, after);
        QFETCH(ErrorKind, kind);
        QFETCH(int, status);
        QFETCH(SamplerEngine, engine);
        using testing::RawHttpServer;
        RawHttpServer server([&](const RawHttpServer::Request &) {
            return RawHttpServer::Reply{answer.toStdString(), after == QLatin1String("close"),
                                        after == QLatin1String("reset")};
        });
        const int n = 6;
        auto config = configFor(server.url() + "/", n, engine);
        config.concurrency = 2;
        config.threads = 1;
        auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
        QVERIFY(run.ok());
        std::string kinds;
        for (std::size_t k = 0; k < kErrorKinds; ++k) {
            kinds += toString(ErrorKind(k)) + "=" + std::to_string(run->summary.errors[k]) + " ";
        }
        if (kind == ErrorKind::None) {
            QVERIFY2(run->summary.errorCount() == 0, kinds.c_str());
            QCOMPARE(run->summary.lanes[0].count, std::uint64_t(n)); // all s1
        } else {
            QVERIFY2(run->summary.errors[std::size_t(kind)] == std::uint64_t(n), kinds.c_str());
        }
        for (const auto &sample : run->samples) {
            QCOMPARE(int(sample.status), status);
        }
        checkNothingLost(*run, n);
    }

    void sendsTheSameBytesAsLibcurl_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QStringList>("headers");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("path");
        QTest::addRow("get") << QStringLiteral("GET") << QStringList() << QString() << QStringLiteral("/");
        QTest::addRow("get-path-and-query")
            << QStringLiteral("GET") << QStringList() << QString() << QStringLiteral("/a/b?x=1&y=%20z");
        QTest::addRow("post-with-lane-headers") << QStringLiteral("POST")
                                                << QStringList{QStringLiteral("x-asm-prefer-tag: s2"),
                                                               QStringLiteral("baggage: x-asm-prefer-tag=s2")}
                                                << QStringLiteral("payload") << QStringLiteral("/");
        QTest::addRow("host-replaced")
            << QStringLiteral("GET") << QStringList{QStringLiteral("Host: shop.example.com")} << QString()
            << QStringLiteral("/");
        QTest::addRow("accept-and-content-type-replaced")
            << QStringLiteral("PUT")
            << QStringList{QStringLiteral("Accept: text/plain"),
                           QStringLiteral("Content-Type: application/json")}
            << QStringLiteral("{}") << QStringLiteral("/");
        QTest::addRow("empty-value-suppresses")
            << QStringLiteral("GET") << QStringList{QStringLiteral("Accept:"), QStringLiteral("X-Empty:")}
            << QString() << QStringLiteral("/");
        QTest::addRow("head") << QStringLiteral("HEAD") << QStringList() << QString() << QStringLiteral("/");
        QTest::addRow("delete-without-body")
            << QStringLiteral("DELETE") << QStringList() << QString() << QStringLiteral("/");
    }

    void sendsTheSameBytesAsLibcurl()
    {
        QFETCH(QString, method);
        QFETCH(QStringList, headers);
        QFETCH(QString, body);
        QFETCH(QString, path);
        using testing::RawHttpServer;
        std::map<SamplerEngine, std::string> sent;
        RawHttpServer server([](const RawHttpServer::Request &) {
            return RawHttpServer::Reply{RawHttpServer::response(200, "text/plain", kS1)};
        });
        for (const auto engine : kEngines) {
            auto config = configFor(server.url() + path.toStdString(), 1, engine);
            config.method = method.toStdString();
            for (const auto &header : headers) {
                config.headers.push_back(header.toStdString());
            }
            config.body = body.toStdString();
            auto run = Sampler(config, Classifier::chain(exampleGroup())).run();
            QVERIFY(run.ok());
            const auto requests = server.requests();
            QCOMPARE(requests.size(), sent.size() + 1);
            sent[engine] = requests.back().bytes;
        }
        QVERIFY(sent[SamplerEngine::Curl].starts_with(method.toStdString() + " " + path.toStdString() +
                                                      " HTTP/1.1\r\n"));
        QCOMPARE(QString::fromStdString(sent[SamplerEngine::Native]),
                 QString::fromStdString(sent[SamplerEngine::Curl]));
    }

    void choosesTheEngine_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<SamplerEngine>("requested");
        QTest::addColumn<QString>("proxyVariable");
        QTest::addColumn<QString>("chosen"); // curl, native, or error
        const QString plain = QStringLiteral("http://127.0.0.1:1/");
        QTest::addRow("auto-plain-http")
            << plain << SamplerEngine::Auto << QString() << QStringLiteral("native");
        QTest::addRow("auto-https") << QStringLiteral("https://127.0.0.1:1/") << SamplerEngine::Auto
                                    << QString() << QStringLiteral("curl");
        QTest::addRow("auto-http_proxy")
            << plain << SamplerEngine::Auto << QStringLiteral("http_proxy") << QStringLiteral("curl");
        QTest::addRow("auto-ALL_PROXY")
            << plain << SamplerEngine::Auto << QStringLiteral("ALL_PROXY") << QStringLiteral("curl");
        QTest::addRow("auto-credentials") << QStringLiteral("http://user:secret@127.0.0.1:1/")
                                          << SamplerEngine::Auto << QString() << QStringLiteral("curl");
        QTest::addRow("curl-plain-http")
            << plain << SamplerEngine::Curl << QString() << QStringLiteral("curl");
        QTest::addRow("native-plain-http")
            << plain << SamplerEngine::Native << QString() << QStringLiteral("native");
        QTest::addRow("native-https") << QStringLiteral("https://127.0.0.1:1/") << SamplerEngine::Native
                                      << QString() << QStringLiteral("error");
        QTest::addRow("native-http_proxy")
            << plain << SamplerEngine::Native << QStringLiteral("http_proxy") << QStringLiteral("error");
    }

    void choosesTheEngine()
    {
        QFETCH(QString, url);
        QFETCH(SamplerEngine, requested);
        QFETCH(QString, proxyVariable);
        QFETCH(QString, chosen);
        auto config = configFor(url.toStdString(), 1, requested);
        if (!proxyVariable.isEmpty()) {
            qputenv(proxyVariable.toLatin1().constData(), "http://127.0.0.1:9/");
        }
        const auto engine = samplingEngine(config);
        if (!proxyVariable.isEmpty()) {
            qunsetenv(proxyVariable.toLatin1().constData());
        }
        if (chosen == QLatin1String("error")) {
            QVERIFY(!engine.ok());
            QVERIFY2(engine.error().message.starts_with("engine native cannot serve"),
                     engine.error().message.c_str());
            QVERIFY(!Sampler(config, Classifier::chain(exampleGroup())).start().ok() ||
                    !proxyVariable.isEmpty());
        } else {
            QVERIFY2(engine.ok(), engine.ok() ? "" : engine.error().message.c_str());
            QCOMPARE(QString::fromStdString(toString(*engine)), chosen);
        }
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

// The sandbox end to end over loopback HTTP: the seed's chains per lane, the weighted split, what happens
// when baggage is not propagated, Istio's 503s, live apply() and a clean stop.
#include "lanes/document.h"
#include "mesh/render.h"
#include "mesh/resource.h"
#include "sandbox/sandbox.h"
#include "traffic/sampler.h"

#include <httplib.h>

#include <QDir>
#include <QtTest>

#include <condition_variable>
#include <mutex>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace lanedeck;
using lanedeck::sandbox::Sandbox;

Q_DECLARE_METATYPE(lanedeck::mesh::Flavor)

namespace {

LaneGroup exampleGroup()
{
    const auto doc = loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml");
    return doc.group;
}

std::vector<mesh::Resource> resourcesFor(const LaneGroup &group, mesh::Flavor flavor)
{
    auto rendered = mesh::render(group, {flavor, {}});
    return rendered.ok() ? rendered->resources : std::vector<mesh::Resource>{};
}

int portOf(const Sandbox &box, const std::string &service, const std::string &version)
{
    for (const auto &instance : box.instances()) {
        if (instance.service == service && instance.version == version) {
            return instance.port;
        }
    }
    return -1;
}

/// The seed's response line for a chain of (service, version), with the sandbox's addresses.
std::string expectedChain(const Sandbox &box, const std::vector<std::pair<std::string, std::string>> &hops)
{
    std::string line;
    for (const auto &[service, version] : hops) {
        line += "-> " + service + "(version: " + version +
                ", ip: 127.0.0.1:" + std::to_string(portOf(box, service, version)) + ")";
    }
    return line;
}

httplib::Result get(const Sandbox &box, const httplib::Headers &headers)
{
    httplib::Client client("127.0.0.1", box.gatewayPort());
    client.set_read_timeout(10, 0);
    return client.Get("/", headers);
}

int threadCount()
{
    return static_cast<int>(
        QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
}

mesh::Resource *findResource(std::vector<mesh::Resource> &resources, const std::string &kind,
                             const std::string &nameSuffix)
{
    for (auto &r : resources) {
        if (r.kind() == kind && r.name().ends_with(nameSuffix)) {
            return &r;
        }
    }
    return nullptr;
}

} // namespace

class TestSandbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void forcedLanesAnswerTheSeedsChains_data()
    {
        QTest::addColumn<mesh::Flavor>("flavor");
        QTest::addColumn<QString>("lane");
        QTest::addColumn<QStringList>("versions"); // of mocka, mockb, mockc
        for (auto flavor : {mesh::Flavor::Asm, mesh::Flavor::Istio}) {
            const std::string f = mesh::toString(flavor);
            QTest::addRow("%s-s1-baseline", f.c_str())
                << flavor << QStringLiteral("s1") << QStringLiteral("v1 v1 v1").split(QLatin1Char(' '));
            QTest::addRow("%s-s2-mockb-falls-back", f.c_str())
                << flavor << QStringLiteral("s2") << QStringLiteral("v2 v1 v2").split(QLatin1Char(' '));
            QTest::addRow("%s-s3-mocka-mockc-fall-back", f.c_str())
                << flavor << QStringLiteral("s3") << QStringLiteral("v1 v3 v1").split(QLatin1Char(' '));
        }
    }

    void forcedLanesAnswerTheSeedsChains()
    {
        QFETCH(mesh::Flavor, flavor);
        QFETCH(QString, lane);
        QFETCH(QStringList, versions);
        const LaneGroup group = exampleGroup();
        Sandbox box(group);
        const auto started = box.start(resourcesFor(group, flavor));
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
        QVERIFY(box.gatewayUrl().starts_with("http://127.0.0.1:"));
        const auto expected = expectedChain(box, {{"mocka", versions[0].toStdString()},
                                                  {"mockb", versions[1].toStdString()},
                                                  {"mockc", versions[2].toStdString()}});
        for (int i = 0; i < 5; ++i) { // repeated: a weighted choice would show up as a different chain
            auto response = get(box, {{"x-asm-prefer-tag", lane.toStdString()}});
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QCOMPARE(response->body, expected);
        }
    }

    void everyMethodIsRouted_data()
    {
        QTest::addColumn<QString>("method");
        for (const char *m : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
            QTest::addRow("%s", m) << QString::fromLatin1(m);
        }
    }

    void everyMethodIsRouted()
    {
        QFETCH(QString, method);
        const LaneGroup group = exampleGroup();
        Sandbox box(group);
        QVERIFY(box.start(resourcesFor(group, mesh::Flavor::Asm)).ok());
        httplib::Request request;
        request.method = method.toStdString();
        request.path = "/";
        request.headers = {{"x-asm-prefer-tag", "s3"}};
        request.body = "payload";
        httplib::Client client("127.0.0.1", box.gatewayPort());
        auto response = client.send(request);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, expectedChain(box, {{"mocka", "v1"}, {"mockb", "v3"}, {"mockc", "v1"}}));
    }

    void weightedSplitMatchesTheWeights_data()
    {
        QTest::addColumn<mesh::Flavor>("flavor");
        QTest::addRow("asm") << mesh::Flavor::Asm;
        QTest::addRow("istio") << mesh::Flavor::Istio;
    }

    void weightedSplitMatchesTheWeights()
    {
        QFETCH(mesh::Flavor, flavor);
        const LaneGroup group = exampleGroup();
        Sandbox box(group);
        QVERIFY(box.start(resourcesFor(group, flavor)).ok());
        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 3000;
        config.timeout = std::chrono::seconds(30);
        config.concurrency = 8;
        traffic::Sampler sampler(config, traffic::Classifier::chain(group));
        auto run = sampler.run();
        QVERIFY(run.ok());
        const auto &summary = run->summary;
        QCOMPARE(summary.total, 3000u);
        QCOMPARE(summary.errorCount(), 0u);
        QCOMPARE(summary.leaked, 0u);
        QCOMPARE(summary.lanes.size(), std::size_t(3));
        for (const auto &lane : summary.lanes) {
            // The configured share lies within the 99.99% Wilson interval (a 95% one would fail 1 run in 7).
            const auto interval = traffic::wilsonInterval(lane.count, summary.classified, 3.89);
            QVERIFY2(lane.expectedShare >= interval.low && lane.expectedShare <= interval.high,
                     (lane.name + " " + std::to_string(lane.count)).c_str());
        }
        // s2 and s3 fall back for part of their path; s1 never does.
        QCOMPARE(summary.lanes[0].fellBack, 0u);
        QCOMPARE(summary.lanes[1].fellBack, summary.lanes[1].count);
        QCOMPARE(summary.chains.size(), std::size_t(3));
        QCOMPARE(box.counters().gatewayRequests, 3000u);
    }

    void seedMakesTheSplitReproducible()
    {
        const LaneGroup group = exampleGroup();
        std::vector<std::uint64_t> first;
        for (int round = 0; round < 2; ++round) {
            sandbox::SandboxOptions options;
            options.seed = 7;
            Sandbox box(group, options);
            QVERIFY(box.start(resourcesFor(group, mesh::Flavor::Asm)).ok());
            traffic::SamplerConfig config;
            config.url = box.gatewayUrl();
            config.count = 500;
            config.timeout = std::chrono::seconds(30);
            config.concurrency = 4;
            auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
            QVERIFY(run.ok());
            std::vector<std::uint64_t> counts;
            for (const auto &lane : run->summary.lanes) {
                counts.push_back(lane.count);
            }
            if (round == 0) {
                first = counts;
            } else {
                QCOMPARE(counts, first);
            }
        }
    }

    void baggagePropagationSwitch_data()
    {
        QTest::addColumn<mesh::Flavor>("flavor");
        QTest::addColumn<bool>("propagate");
        QTest::addColumn<int>("status");
        QTest::addColumn<QStringList>("versions"); // what answers a request forced into s2
        QTest::addColumn<QString>("error");        // what the chain says instead, when it fails
        QTest::addRow("asm-on") << mesh::Flavor::Asm << true << 200
                                << QStringLiteral("v2 v1 v2").split(QLatin1Char(' ')) << QString();
        // ASMHeaderPropagation has no baggage to re-attach the routing header from; ASM's per-lane rules have
        // no default route, so mockb's sidecar answers 404 (NR).
        QTest::addRow("asm-off") << mesh::Flavor::Asm << false << 404 << QStringList{}
                                 << QStringLiteral("-> mockb(error: 404 NR");
        QTest::addRow("istio-on") << mesh::Flavor::Istio << true << 200
                                  << QStringLiteral("v2 v1 v2").split(QLatin1Char(' ')) << QString();
        // The istio flavor's default route sends header-less calls to the baseline: the lane leaks into s1.
        QTest::addRow("istio-off") << mesh::Flavor::Istio << false << 200
                                   << QStringLiteral("v2 v1 v1").split(QLatin1Char(' ')) << QString();
    }

    void baggagePropagationSwitch()
    {
        QFETCH(mesh::Flavor, flavor);
        QFETCH(bool, propagate);
        QFETCH(int, status);
        QFETCH(QStringList, versions);
        QFETCH(QString, error);
        const LaneGroup group = exampleGroup();
        Sandbox box(group);
        box.setBaggagePropagation("mocka", propagate);
        QVERIFY(box.start(resourcesFor(group, flavor)).ok());
        auto response = get(box, {{"x-asm-prefer-tag", "s2"}});
        QVERIFY(response);
        QCOMPARE(response->status, status);
        if (!versions.isEmpty()) {
            QCOMPARE(response->body, expectedChain(box, {{"mocka", versions[0].toStdString()},
                                                         {"mockb", versions[1].toStdString()},
                                                         {"mockc", versions[2].toStdString()}}));
        } else {
            QVERIFY2(QString::fromStdString(response->body).contains(error), response->body.c_str());
        }
        // The chain classifier sees the difference: on, s2 falls back as its path expects; off, the lane
        // leaks.
        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 40;
        config.timeout = std::chrono::seconds(30);
        config.concurrency = 4;
        config.headers = {"x-asm-prefer-tag: s2"};
        auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
        QVERIFY(run.ok());
        if (propagate) {
            QCOMPARE(run->summary.lanes[1].count, 40u);
            QCOMPARE(run->summary.lanes[1].fellBack, 40u);
        } else if (status == 200) {
            QCOMPARE(run->summary.leaked, 40u);
            QVERIFY(!run->summary.matches);
        } else {
            QCOMPARE(run->summary.errors[std::size_t(traffic::ErrorKind::HttpStatus)], 40u);
        }
    }

    void undefinedSubsetGives503_data()
    {
        QTest::addColumn<mesh::Flavor>("flavor");
        QTest::addColumn<bool>("gateway"); // break the ingress route, or mockb's
        QTest::addColumn<bool>("dropFallback");
        QTest::addColumn<int>("status");
        QTest::addRow("istio-gateway") << mesh::Flavor::Istio << true << false << 503;
        QTest::addRow("istio-sidecar") << mesh::Flavor::Istio << false << false << 503;
        QTest::addRow("asm-sidecar-fallback-saves-it") << mesh::Flavor::Asm << false << false << 200;
        QTest::addRow("asm-sidecar-without-fallback") << mesh::Flavor::Asm << false << true << 503;
    }

    void undefinedSubsetGives503()
    {
        QFETCH(mesh::Flavor, flavor);
        QFETCH(bool, gateway);
        QFETCH(bool, dropFallback);
        QFETCH(int, status);
        const LaneGroup group = exampleGroup();
        auto resources = resourcesFor(group, flavor);
        // The s3 rule: the ingress one, or mockb's (the only service s3 holds), now names subset s9.
        mesh::Resource *vs = gateway ? findResource(resources, "VirtualService", "ingress-vs-test")
                                     : findResource(resources, "VirtualService", "-mockb");
        QVERIFY(vs);
        bool changed = false;
        for (auto &rule : vs->object["spec"]["http"]) {
            const std::string name = rule.value("name", std::string());
            const auto forced = nlohmann::json::json_pointer("/match/0/headers/x-asm-prefer-tag/exact");
            const bool isS3 = gateway ? name == "test-s3-forced" : rule.value(forced, std::string()) == "s3";
            if (isS3) {
                rule["route"][0]["destination"]["subset"] = "s9";
                if (dropFallback) {
                    rule["route"][0].erase("fallback");
                }
                changed = true;
            }
        }
        QVERIFY(changed);
        Sandbox box(group);
        QVERIFY(box.start(resources).ok());
        auto response = get(box, {{"x-asm-prefer-tag", "s3"}});
        QVERIFY(response);
        QCOMPARE(response->status, status);
        if (status == 503) {
            QVERIFY2(response->body.find("NC: subset s9") != std::string::npos, response->body.c_str());
        } else {
            QCOMPARE(response->body, expectedChain(box, {{"mocka", "v1"}, {"mockb", "v1"}, {"mockc", "v1"}}));
        }
        // Other lanes are unaffected.
        auto s2 = get(box, {{"x-asm-prefer-tag", "s2"}});
        QVERIFY(s2);
        QCOMPARE(s2->status, 200);
    }

    void applyWhileSamplingChangesTheSplit()
    {
        LaneGroup group = exampleGroup();
        Sandbox box(group);
        QVERIFY(box.start(resourcesFor(group, mesh::Flavor::Asm)).ok());
        LaneGroup reweighted = group;
        reweighted.lanes[0].weight = 20;
        reweighted.lanes[2].weight = 60;
        const auto next = resourcesFor(reweighted, mesh::Flavor::Asm);
        QVERIFY(!next.empty());

        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 3000;
        config.timeout = std::chrono::seconds(30);
        config.rate = 1000; // paced over 3 s, so that apply() lands mid-run even on a loaded machine
        config.concurrency = 8;
        traffic::Sampler sampler(config, traffic::Classifier::chain(group));
        std::mutex mutex;
        std::condition_variable halfway;
        bool reached = false;
        sampler.setSnapshotCallback([&](const traffic::Summary &s) {
            if (s.total >= 1000) {
                std::lock_guard lock(mutex);
                reached = true;
                halfway.notify_one();
            }
        });
        QVERIFY(sampler.start().ok());
        {
            std::unique_lock lock(mutex);
            QVERIFY(halfway.wait_for(lock, std::chrono::seconds(60), [&] { return reached; }));
        }
        QVERIFY(box.apply(next).ok());
        const auto appliedAfter = box.counters().gatewayRequests;
        const auto run = sampler.wait();
        QCOMPARE(run.summary.total, 3000u);
        QCOMPARE(run.summary.errorCount(), 0u); // no request failed across the swap
        QVERIFY(appliedAfter < 2500);
        // s3's share: about 20% before, about 60% after (in-flight requests around the swap left out).
        auto shareOfS3 = [&](std::uint64_t from, std::uint64_t to) {
            std::uint64_t s3 = 0, n = 0;
            for (const auto &sample : run.samples) {
                if (sample.sequence >= from && sample.sequence < to) {
                    ++n;
                    s3 += run.laneNames[std::size_t(sample.lane)] == "s3";
                }
            }
            return std::pair{s3, n};
        };
        const auto [beforeS3, beforeN] = shareOfS3(0, 900);
        const auto [afterS3, afterN] = shareOfS3(appliedAfter + 50, 3000);
        QVERIFY(afterN > 50);
        const auto before = traffic::wilsonInterval(beforeS3, beforeN, 3.89);
        const auto after = traffic::wilsonInterval(afterS3, afterN, 3.89);
        QVERIFY2(before.low <= 0.2 && 0.2 <= before.high, std::to_string(beforeS3).c_str());
        QVERIFY2(after.low <= 0.6 && 0.6 <= after.high,
                 (std::to_string(afterS3) + "/" + std::to_string(afterN)).c_str());
    }

    void startsStopsAndRestartsCleanly()
    {
        const LaneGroup group = exampleGroup();
        const int threadsBefore = threadCount();
        {
            Sandbox box(group);
            QVERIFY(!box.isRunning());
            QVERIFY(box.gatewayUrl().empty());
            for (int round = 0; round < 2; ++round) {
                QVERIFY(box.start(resourcesFor(group, mesh::Flavor::Istio)).ok());
                QVERIFY(!box.start(resourcesFor(group, mesh::Flavor::Istio)).ok()); // already running
                QVERIFY(box.isRunning());
                QCOMPARE(box.instances().size(), std::size_t(6));
                const int port = box.gatewayPort();
                auto response = get(box, {{"x-asm-prefer-tag", "s1"}});
                QVERIFY(response);
                QCOMPARE(response->status, 200);
                box.stop();
                box.stop(); // idempotent
                QVERIFY(!box.isRunning());
                QVERIFY(box.gatewayUrl().empty());
                httplib::Client client("127.0.0.1", port);
                client.set_connection_timeout(1, 0);
                QVERIFY(!client.Get("/")); // nothing listens any more
            }
        }
        QCOMPARE(threadCount(), threadsBefore);
    }

    void givenPortAndRefusals()
    {
        const LaneGroup group = exampleGroup();
        Sandbox first(group);
        QVERIFY(first.start(resourcesFor(group, mesh::Flavor::Asm)).ok());
        sandbox::SandboxOptions options;
        options.gatewayPort = first.gatewayPort(); // taken
        Sandbox second(group, options);
        const auto refused = second.start(resourcesFor(group, mesh::Flavor::Asm));
        QVERIFY(!refused.ok());
        QVERIFY(!second.isRunning());
        QVERIFY(!second.start(resourcesFor(group, mesh::Flavor::AsmCrd)).ok());
        // A bad apply keeps the running configuration.
        auto broken = resourcesFor(group, mesh::Flavor::Asm);
        broken.front().object["spec"]["http"] = nlohmann::json::array({{{"redirect", {{"uri", "/"}}}}});
        findResource(broken, "VirtualService", "ingress-vs-test")
            ->object["spec"]["http"][0]["match"][0]["headers"]["x-asm-prefer-tag"] = {{"regex", "("}};
        QVERIFY(!first.apply(broken).ok());
        auto response = get(first, {{"x-asm-prefer-tag", "s2"}});
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }

    void burstBeyondCapacityGets503AndTheSandboxStaysUp()
    {
        const LaneGroup group = exampleGroup();
        sandbox::SandboxOptions options;
        options.gatewayThreads = 2; // 2 workers and 2 waiting connections; 64 clients overflow it
        Sandbox box(group, options);
        QVERIFY(box.start(resourcesFor(group, mesh::Flavor::Asm)).ok());
        traffic::SamplerConfig config;
        config.url = box.gatewayUrl();
        config.count = 1000;
        config.concurrency = 64;
        config.timeout = std::chrono::seconds(20);
        auto run = traffic::Sampler(config, traffic::Classifier::chain(group)).run();
        QVERIFY(run.ok());
        const auto &s = run->summary;
        QCOMPARE(s.total, 1000u);
        QVERIFY2(s.errors[std::size_t(traffic::ErrorKind::HttpStatus)] > 0,
                 s.verdict.c_str()); // refused: 503
        std::string kinds;
        for (std::size_t k = 1; k < traffic::kErrorKinds; ++k) {
            kinds += traffic::toString(traffic::ErrorKind(k)) + "=" + std::to_string(s.errors[k]) + " ";
        }
        QVERIFY2(s.errorCount() == s.errors[std::size_t(traffic::ErrorKind::HttpStatus)],
                 kinds.c_str()); // nothing worse
        QVERIFY(s.classified > 0);
        QCOMPARE(s.leaked, 0u);
        for (const auto &sample : run->samples) {
            QVERIFY(sample.error == traffic::ErrorKind::None || sample.status == 503);
        }
        auto response = get(box, {{"x-asm-prefer-tag", "s2"}});
        QVERIFY(response);
        QCOMPARE(response->status, 200);
    }

    void survivesClientsThatDisconnectMidRequest()
    {
        const LaneGroup group = exampleGroup();
        Sandbox box(group);
        QVERIFY(box.start(resourcesFor(group, mesh::Flavor::Asm)).ok());
        // Raw sockets, so the disconnect certainly happens where the test says: in the middle of the
        // headers, right after a whole request (before the three-hop answer comes back), and half-closed.
        const std::string whole = "GET / HTTP/1.1\r\nHost: x\r\nx-asm-prefer-tag: s2\r\n\r\n";
        const std::string cut = whole.substr(0, 20);
        for (int i = 0; i < 30; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            QVERIFY(fd >= 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(static_cast<std::uint16_t>(box.gatewayPort()));
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address), 0);
            const std::string &bytes = i % 3 == 0 ? cut : whole;
            QCOMPARE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                     static_cast<ssize_t>(bytes.size()));
            if (i % 3 == 2) {
                ::shutdown(fd, SHUT_WR);
            }
            ::close(fd);
        }
        for (const char *lane : {"s1", "s2", "s3"}) {
            auto response = get(box, {{"x-asm-prefer-tag", lane}});
            QVERIFY(response);
            QCOMPARE(response->status, 200);
            QVERIFY(response->body.find("-> mockc(") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"

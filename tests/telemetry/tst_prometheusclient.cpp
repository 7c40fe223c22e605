// The Prometheus client and observe() against fake servers: every fault gives a clear message (an error, or a
// problem of the view marked stale), never numbers shown as current.
#include "prometheusprocess.h"
#include "telemetry/meshtelemetry.h"
#include "telemetry/prometheus.h"
#include "testsupport.h"

#include <httplib.h>

#include <QtTest>

#include <chrono>
#include <functional>
#include <thread>

using namespace lanedeck;
using namespace lanedeck::telemetry;

namespace {

/// An HTTP server on loopback answering every GET with `handler`.
class FakeServer final
{
public:
    explicit FakeServer(std::function<void(const httplib::Request &, httplib::Response &)> handler)
    {
        m_server.Get(".*", std::move(handler));
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    ~FakeServer()
    {
        m_server.stop();
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
};

std::string vector(const std::string &result)
{
    return R"({"status":"success","data":{"resultType":"vector","result":[)" + result + "]}}";
}

std::string row(const std::string &labels, double value)
{
    return R"({"metric":{)" + labels + R"(},"value":[1700000000,")" + std::to_string(value) + R"("]})";
}

PrometheusClient clientFor(const std::string &url,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5))
{
    PrometheusEndpoint endpoint;
    endpoint.url = url;
    endpoint.timeout = timeout;
    const auto description = endpoint.describe();
    return PrometheusClient(directTransport(endpoint), description);
}

/// A fake Prometheus answering the four telemetry queries with the given results.
std::function<void(const httplib::Request &, httplib::Response &)>
answering(std::string requests, std::string buckets, std::string resets, std::string freshness)
{
    return [=](const httplib::Request &request, httplib::Response &response) {
        const std::string query = request.get_param_value("query");
        std::string result = requests;
        if (query.find("resets(") != std::string::npos) {
            result = resets;
        } else if (query.find("timestamp(") != std::string::npos) {
            result = freshness;
        } else if (query.find("_bucket") != std::string::npos) {
            result = buckets;
        }
        if (query.back() == ']' && query.find("istio_requests_total{") == 0) {
            // The raw samples of a restarted pair: 8, 10, then 3 after the restart (13 requests in all).
            const double now =
                std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
            const std::string labels =
                requests.substr(requests.find('{', 1), requests.find('}') + 1 - requests.find('{', 1));
            response.set_content(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":)" +
                                     labels + R"(,"values":[[)" + std::to_string(now - 30) + R"(,"8"],[)" +
                                     std::to_string(now - 20) + R"(,"10"],[)" + std::to_string(now - 10) +
                                     R"(,"3"]]}]}})",
                                 "application/json");
            return;
        }
        if (query.back() == ']') {
            response.set_content(R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
                                 "application/json");
            return;
        }
        response.set_content(vector(result), "application/json");
    };
}

std::string freshNow()
{
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return row(R"("destination_service_namespace":"default")", now);
}

std::string pair(const std::string &source, const std::string &destination, const std::string &version)
{
    return R"("source_workload":")" + source + R"(","source_workload_namespace":"default",)" +
           R"("destination_workload":")" + destination + R"(","destination_workload_namespace":"default",)" +
           R"("destination_service":"mocka.default.svc.cluster.local","destination_version":")" + version +
           R"(","response_code":"200")";
}

} // namespace

class TestPrometheusClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transportFaults_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("expected");
        QTest::addRow("down") << 0 << QStringLiteral("Prometheus at http://127.0.0.1:");
        QTest::addRow("slow") << 1 << QStringLiteral("timed out");
        QTest::addRow("error-answer")
            << 2 << QStringLiteral("refused the query (HTTP 400, bad_data): parse error");
        QTest::addRow("html-login-page") << 3 << QStringLiteral("not Prometheus's JSON");
        QTest::addRow("empty-body") << 4 << QStringLiteral("The body is empty");
        QTest::addRow("matrix-for-instant") << 5 << QStringLiteral("expected a vector result, got matrix");
        QTest::addRow("malformed-series") << 6 << QStringLiteral("malformed");
    }
    void transportFaults()
    {
        QFETCH(int, kind);
        QFETCH(QString, expected);
        FakeServer server([kind](const httplib::Request &, httplib::Response &response) {
            switch (kind) {
            case 1:
                std::this_thread::sleep_for(std::chrono::milliseconds(1500));
                response.set_content(vector({}), "application/json");
                break;
            case 2:
                response.status = 400;
                response.set_content(
                    R"({"status":"error","errorType":"bad_data","error":"parse error at char 5"})",
                    "application/json");
                break;
            case 3:
                response.set_content("<html><body>Please log in</body></html>", "text/html");
                break;
            case 4:
                break;
            case 5:
                response.set_content(R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
                                     "application/json");
                break;
            case 6:
                response.set_content(vector(R"({"metric":{"a":"b"},"value":[1,2]})"), "application/json");
                break;
            default:
                response.set_content(vector({}), "application/json");
            }
        });
        std::string url = server.url();
        if (kind == 0) {
            url = "http://127.0.0.1:" + std::to_string(lanedeck::testing::freeLoopbackPort());
        }
        auto client = clientFor(url, std::chrono::milliseconds(300));
        const auto answer = client.query("up");
        QVERIFY(!answer.ok());
        QVERIFY2(QString::fromStdString(answer.error().message).contains(expected),
                 answer.error().message.c_str());
        // The same faults make observe() fail: no view at all, rather than an empty one shown as live.
        const auto view = observe(client, lanedeck::testing::seedGroup(), {}, {});
        QVERIFY(!view.ok());
    }

    void parsesVectorsAndMatrices()
    {
        FakeServer server([](const httplib::Request &request, httplib::Response &response) {
            if (request.path == "/api/v1/query_range") {
                QCOMPARE(request.get_param_value("step"), std::string("15.000"));
                response.set_content(
                    R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"lane":"s1"},"values":[[10,"1"],[25,"3.5"]]}]}})",
                    "application/json");
                return;
            }
            QCOMPARE(request.get_param_value("query"), std::string("sum by (a) (x{b=\"c d\"})"));
            QCOMPARE(request.get_param_value("time"), std::string("1700000000.500"));
            response.set_content(vector(row(R"("a":"1")", 42.5) + "," + row(R"("a":"2")", 0)),
                                 "application/json");
        });
        auto client = clientFor(server.url());
        const auto samples = client.query("sum by (a) (x{b=\"c d\"})", 1700000000.5);
        QVERIFY2(samples.ok(), samples.ok() ? "" : samples.error().message.c_str());
        QCOMPARE(samples->size(), std::size_t(2));
        QCOMPARE(samples->at(0).labels.at("a"), std::string("1"));
        QCOMPARE(samples->at(0).value, 42.5);
        const auto matrix = client.queryRange("x", 10, 25, 15);
        QVERIFY(matrix.ok());
        QCOMPARE(matrix->at(0).points.size(), std::size_t(2));
        QCOMPARE(matrix->at(0).points[1].second, 3.5);
        QCOMPARE(client.queriesSent(), 2);
    }

    void sendsCredentialsButNeverShowsThem()
    {
        std::string authorization;
        FakeServer server([&](const httplib::Request &request, httplib::Response &response) {
            authorization = request.get_header_value("Authorization");
            response.status = 401;
            response.set_content("Unauthorized", "text/plain");
        });
        PrometheusEndpoint endpoint;
        endpoint.url = server.url();
        endpoint.bearerToken = "sekret-token-123";
        PrometheusClient client(directTransport(endpoint), endpoint.describe());
        const auto answer = client.query("up");
        QCOMPARE(authorization, std::string("Bearer sekret-token-123"));
        QVERIFY(!answer.ok());
        QVERIFY(answer.error().message.find("sekret") == std::string::npos);
        QVERIFY(answer.error().message.find("bearer token") != std::string::npos);
        endpoint.bearerToken.clear();
        endpoint.username = "ops";
        endpoint.password = "pa55word";
        endpoint.url = "http://ops:pa55word@127.0.0.1:9/";
        QVERIFY(endpoint.describe().find("pa55word") == std::string::npos);
        QCOMPARE(endpoint.describe(), std::string("http://127.0.0.1:9/ (basic auth as ops)"));
    }

    void viewProblems_data()
    {
        QTest::addColumn<QString>("requests");
        QTest::addColumn<QString>("resets");
        QTest::addColumn<QString>("freshness");
        QTest::addColumn<bool>("stale");
        QTest::addColumn<QString>("expected");
        const auto fresh = QString::fromStdString(freshNow());
        QTest::addRow("no-series") << QString() << QString() << QString() << true
                                   << QStringLiteral("no istio_requests_total series at all");
        QTest::addRow("other-namespaces")
            << QString() << QString()
            << QString::fromStdString(row(R"("destination_service_namespace":"shop")", 1.0)) << true
            << QStringLiteral("none for calls into namespace(s) default");
        QTest::addRow("stale") << QString() << QString()
                               << QString::fromStdString(
                                      row(R"("destination_service_namespace":"default")", 1000.0))
                               << true << QStringLiteral("no longer scrapes the proxies");
        QTest::addRow("not-the-lane-workloads")
            << QString::fromStdString(row(pair("frontend", "cart-7f9c", "prod"), 10)) << QString() << fresh
            << false << QStringLiteral("the series name none of the lane group's workloads");
        QTest::addRow("counter-reset")
            << QString::fromStdString(row(pair("istio-ingressgateway", "mocka-v1", "v1"), 10))
            << QString::fromStdString(row(
                   R"("source_workload":"istio-ingressgateway","source_workload_namespace":"default","destination_workload":"mocka-v1","destination_workload_namespace":"default")",
                   1))
            << fresh << false << QStringLiteral("restarted within the window");
        QTest::addRow("no-traffic") << QString() << QString() << fresh << false
                                    << QStringLiteral("no requests entered the lane group");
    }
    void viewProblems()
    {
        QFETCH(QString, requests);
        QFETCH(QString, resets);
        QFETCH(QString, freshness);
        QFETCH(bool, stale);
        QFETCH(QString, expected);
        FakeServer server(
            answering(requests.toStdString(), {}, resets.toStdString(), freshness.toStdString()));
        auto client = clientFor(server.url());
        const auto view = observe(client, lanedeck::testing::seedGroup(), {}, {});
        QVERIFY2(view.ok(), view.ok() ? "" : view.error().message.c_str());
        QCOMPARE(view->stale, stale);
        QString problems;
        for (const auto &problem : view->problems) {
            problems += QString::fromStdString(problem) + QLatin1Char('\n');
        }
        QVERIFY2(problems.contains(expected), qPrintable(problems));
        if (qstrcmp(QTest::currentDataTag(), "counter-reset") == 0) {
            // Counted across the restart from the raw samples (two more queries), not the difference's 10.
            QCOMPARE(view->split.total, std::uint64_t(13));
            QCOMPARE(client.queriesSent(), 6);
        } else {
            QCOMPARE(client.queriesSent(), 4); // few queries, aggregated on the server, whatever the lanes
        }
    }

    void splitAndLeaksFromRows()
    {
        // The example's three lanes: s3 enters at mocka v1 (s3 has no mocka) and parts at mockb v3. mockb
        // does not propagate baggage, so s2's requests reach mockc v1 instead of v2.
        const LaneGroup group = lanedeck::testing::seedGroup();
        auto r = [](const std::string &source, const std::string &sourceNs, const std::string &destination,
                    const std::string &service, const std::string &version, double value) {
            PromSample sample;
            sample.labels = {{"source_workload", source},
                             {"source_workload_namespace", sourceNs},
                             {"destination_workload", destination},
                             {"destination_workload_namespace", "default"},
                             {"destination_service", service + ".default.svc.cluster.local"},
                             {"destination_version", version},
                             {"response_code", "200"}};
            sample.value = value;
            return sample;
        };
        const std::vector<PromSample> requests = {
            r("istio-ingressgateway", "istio-system", "mocka-v1", "mocka", "v1", 800),
            r("istio-ingressgateway", "istio-system", "mocka-v2", "mocka", "v2", 200),
            r("mocka-v1", "default", "mockb-v1", "mockb", "v1", 600),
            r("mocka-v1", "default", "mockb-v3", "mockb", "v3", 200),
            r("mocka-v2", "default", "mockb-v1", "mockb", "v1", 200),
            r("mockb-v1", "default", "mockc-v1", "mockc", "v1", 800),
            r("mockb-v3", "default", "mockc-v1", "mockc", "v1", 200),
        };
        PromSample fresh;
        fresh.labels = {{"destination_service_namespace", "default"}};
        fresh.value = 1000.0;
        const auto view = analyse(group, {}, {}, 1010.0, requests, {}, {}, {fresh});
        QVERIFY(!view.stale);
        QCOMPARE(view.split.lanes.size(), std::size_t(3));
        QCOMPARE(view.split.lanes[0].count, std::uint64_t(600)); // s1 parts from s3 at mockb
        QCOMPARE(view.split.lanes[1].count, std::uint64_t(200));
        QCOMPARE(view.split.lanes[2].count, std::uint64_t(200));
        QVERIFY2(view.split.matches, view.split.verdict.c_str());
        QCOMPARE(view.hops.size(), std::size_t(3));
        QCOMPARE(view.hops[0].leaked, 0.0);
        QCOMPARE(view.hops[1].leaked, 0.0);
        QCOMPARE(view.hops[2].caller, std::string("mockb"));
        QCOMPARE(view.hops[2].lanes[1].leaked, 200.0); // s2 on mockb -> mockc
        QCOMPARE(view.hops[2].lanes[0].leaked, 0.0);
        QCOMPARE(view.leaked, 200.0);
    }
};

QTEST_GUILESS_MAIN(TestPrometheusClient)
#include "tst_prometheusclient.moc"

// The client's own guarantees that need no API server: request timeouts, connect failures and cancellation
// from another thread, against a socket that accepts connections and never answers; answers broken off
// mid-way and bodies that are not Kubernetes JSON (a proxy's error page), against a raw socket server, alone
// and in a push.
#include "kube/client.h"
#include "kube/discovery.h"
#include "kube/importer.h"
#include "kube/inventory.h"
#include "kube/push.h"
#include "rawhttpserver.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace lanedeck::kube;
namespace mesh = lanedeck::mesh;
namespace testing = lanedeck::testing;

namespace {

using testing::BlackHole;

Connection connectionTo(int port)
{
    Connection c;
    c.context = "hole";
    c.cluster.name = "hole";
    c.cluster.server = "https://127.0.0.1:" + std::to_string(port);
    c.user.token = "unused";
    return c;
}

Connection connectionTo(const testing::RawHttpServer &server)
{
    Connection c;
    c.context = "raw";
    c.cluster.name = "raw";
    c.cluster.server = server.url();
    c.user.name = "raw-user";
    c.user.token = "unused";
    return c;
}

using Raw = testing::RawHttpServer;

const std::string kNginx500 =
    "<html>\r\n<head><title>500 Internal Server Error</title>\r\n<style>body { width: 35em; "
    "}</style></head>\r\n"
    "<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
    "<script>var x = '<b>';</script></body>\r\n</html>\r\n";

/// Just enough of an API server for a push of the seed group with the istio flavor (networking.istio.io/v1,
/// no ASM), answering every apply with the object it was sent; `fault` decides what the third real (not dry
/// run) apply gets, or what every request gets.
Raw::Handler fakeApiServer(const QString &fault)
{
    auto applies = std::make_shared<std::atomic<int>>(0);
    return [fault, applies](const Raw::Request &r) -> Raw::Reply {
        const std::string json = "application/json";
        if (fault == QLatin1String("html-500-everywhere")) {
            return {Raw::response(500, "text/html", kNginx500)};
        }
        if (fault == QLatin1String("login-page-everywhere")) {
            return {Raw::response(200, "text/html; charset=utf-8",
                                  "<html><title>Sign in - Corp SSO</title></html>")};
        }
        if (r.method == "GET" && r.path == "/apis/networking.istio.io") {
            return {Raw::response(200, json,
                                  R"({"kind":"APIGroup","name":"networking.istio.io","versions":[)"
                                  R"({"groupVersion":"networking.istio.io/v1","version":"v1"}]})")};
        }
        if (r.method == "GET" && r.path == "/apis/networking.istio.io/v1") {
            return {Raw::response(
                200, json,
                R"({"kind":"APIResourceList","groupVersion":"networking.istio.io/v1","resources":[)"
                R"({"name":"virtualservices","namespaced":true,"kind":"VirtualService"},)"
                R"({"name":"destinationrules","namespaced":true,"kind":"DestinationRule"},)"
                R"({"name":"gateways","namespaced":true,"kind":"Gateway"}]})")};
        }
        if (r.method == "PATCH") {
            if (r.path.find("dryRun=All") == std::string::npos && ++*applies == 3) {
                if (fault == QLatin1String("apply-answer-cut")) {
                    return {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                            "4000\r\n\r\n{\"kind\":",
                            true};
                }
                if (fault == QLatin1String("apply-html-502")) {
                    return {Raw::response(502, "text/html",
                                          "<html><body><h1>502 Bad Gateway</h1></body></html>")};
                }
                if (fault == QLatin1String("apply-html-500")) {
                    return {Raw::response(500, "text/html", kNginx500)};
                }
            }
            return {Raw::response(200, json, r.body)};
        }
        return {Raw::response(404, json,
                              R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound",)"
                              R"("message":"the server could not find the requested resource","code":404})")};
    };
}

} // namespace

class TestClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestTimeout();
    void cancelFromAnotherThread();
    void answerBrokenOff_data();
    void answerBrokenOff();
    void bodiesThatAreNotKubernetesJson_data();
    void bodiesThatAreNotKubernetesJson();
    void pushThroughABrokenServer_data();
    void pushThroughABrokenServer();
    void listAnswersOfTheWrongShape_data();
    void listAnswersOfTheWrongShape();
    void ownCredentialsAreNotQuoted();
    void forbiddenDiscoveryIsAPermissionProblem();
};

void TestClient::requestTimeout()
{
    BlackHole hole;
    ClientOptions options;
    options.requestTimeout = std::chrono::milliseconds(700);
    auto client = Client::create(connectionTo(hole.port()), options);
    QVERIFY(client.ok());
    QElapsedTimer timer;
    timer.start();
    const Response r = (*client)->send(Request{"GET", "/version", {}, {}});
    QVERIFY(!r.ok());
    QVERIFY2(r.error.find("cannot reach the API server https://127.0.0.1:") != std::string::npos,
             r.error.c_str());
    QVERIFY(r.errorKind() == lanedeck::Error::Kind::Network);
    QVERIFY2(r.error.find("imeout") != std::string::npos || r.error.find("timed out") != std::string::npos,
             r.error.c_str());
    QVERIFY(timer.elapsed() < 5000);
}

// A proxy or gateway whose error page echoes the request's headers: the message quotes the page, not the
// token (bearer) nor the password (basic auth, as the base64 the header carried).
void TestClient::ownCredentialsAreNotQuoted()
{
    const std::string token = "bearer-token-0a1b2c3d4e5f";
    const std::string basic = QByteArray("admin:pw-0a1b2c3d4e").toBase64().toStdString();
    Raw server([&](const Raw::Request &) {
        return Raw::Reply{Raw::response(502, "text/html",
                                        "<html><pre>Authorization: Bearer " + token +
                                            "\nProxy-Authorization: Basic " + basic + "</pre></html>")};
    });
    Connection c = connectionTo(server);
    c.user.token = token;
    auto client = Client::create(c);
    QVERIFY(client.ok());
    const Response r = (*client)->send(Request{"GET", "/version", {}, {}});
    QCOMPARE(r.status, 502L);
    const std::string message = r.message();
    QVERIFY2(message.find("Authorization: Bearer [redacted]") != std::string::npos, message.c_str());
    QVERIFY2(message.find(token) == std::string::npos, message.c_str());
    QVERIFY2(message.find("0a1b2c3d4e5f") == std::string::npos, message.c_str());

    Connection withPassword = connectionTo(server);
    withPassword.user.token.clear();
    withPassword.user.username = "admin";
    withPassword.user.password = "pw-0a1b2c3d4e";
    auto basicClient = Client::create(withPassword);
    QVERIFY(basicClient.ok());
    const std::string basicMessage = (*basicClient)->send(Request{"GET", "/version", {}, {}}).message();
    QVERIFY2(basicMessage.find(basic) == std::string::npos, basicMessage.c_str());
    QVERIFY2(basicMessage.find("Basic [redacted]") != std::string::npos, basicMessage.c_str());
}

// A 403 on API discovery is a permission problem; it used to read as a cluster without VirtualService.
void TestClient::forbiddenDiscoveryIsAPermissionProblem()
{
    Raw server([](const Raw::Request &) {
        return Raw::Reply{Raw::response(
            403, "application/json",
            R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,)"
            R"("message":"forbidden: User \"system:anonymous\" cannot get path \"/apis/networking.istio.io\""})")};
    });
    auto client = Client::create(connectionTo(server));
    QVERIFY(client.ok());
    const auto mesh = discoverMesh(**client);
    QVERIFY(!mesh.ok());
    const std::string &message = mesh.error().message;
    QVERIFY2(message.find("a permission problem") != std::string::npos, message.c_str());
    QVERIFY2(message.find("HTTP 403") != std::string::npos, message.c_str());
}

void TestClient::cancelFromAnotherThread()
{
    BlackHole hole;
    auto client = Client::create(connectionTo(hole.port()));
    QVERIFY(client.ok());
    Client *c = client->get();
    std::thread canceller([c] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        c->cancel();
    });
    QElapsedTimer timer;
    timer.start();
    std::vector<Request> many(20, Request{"GET", "/version", {}, {}});
    const auto responses = c->send(many);
    canceller.join();
    QVERIFY(timer.elapsed() < 5000); // the default request timeout is 60 s: cancel ended it
    QCOMPARE(responses.size(), many.size());
    for (const auto &r : responses) {
        QCOMPARE(r.error, std::string("cancelled"));
        QVERIFY(r.errorKind() == lanedeck::Error::Kind::Cancelled);
    }
    QVERIFY(c->cancelled());
    QCOMPARE(c->send(Request{"GET", "/version", {}, {}}).error, std::string("cancelled"));
}

void TestClient::answerBrokenOff_data()
{
    QTest::addColumn<QByteArray>("reply"); // what the server sends before it closes the connection
    QTest::addColumn<bool>("reset");       // closes with a TCP reset instead of a FIN
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("mayHaveHappened");
    const QByteArray headers =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    const QString get = QStringLiteral("GET");
    const QString namespaces = QStringLiteral("/api/v1/namespaces");
    QTest::addRow("body-short-of-its-content-length")
        << headers + "{\"kind\":" << false << get << namespaces
        << QStringList{QStringLiteral("broke off its answer to GET /api/v1/namespaces (HTTP 200, 8 bytes of "
                                      "the body received)"),
                       QStringLiteral("992 bytes remaining")}
        << false;
    QTest::addRow("chunked-body-cut-mid-chunk")
        << QByteArray(
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
               "64\r\n{\"kind\":\"NamespaceList\"")
        << false << get << namespaces
        << QStringList{QStringLiteral("broke off its answer to GET /api/v1/namespaces (HTTP 200")} << false;
    // libcurl takes a header section ended by the close as a whole answer without a body.
    QTest::addRow("headers-cut") << QByteArray("HTTP/1.1 200 OK\r\nContent-Ty") << false << get << namespaces
                                 << QStringList{QStringLiteral(
                                                    "answered GET /api/v1/namespaces with HTTP 200 (no "
                                                    "Content-Type), not a Kubernetes JSON object"),
                                                QStringLiteral("The body is empty.")}
                                 << false;
    QTest::addRow("closed-without-a-byte")
        << QByteArray() << false << get << namespaces
        << QStringList{QStringLiteral("did not answer GET /api/v1/namespaces"),
                       QStringLiteral("Empty reply from server")}
        << false;
    QTest::addRow("reset-mid-body") << headers + "{\"kind\":" << true << get << namespaces
                                    << QStringList{QStringLiteral("GET /api/v1/namespaces")} << false;
    const QString vs = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/a");
    QTest::addRow("apply-cut-may-have-been-written")
        << headers + "{\"kind\":" << false << QStringLiteral("PATCH")
        << vs + QStringLiteral("?fieldManager=lanedeck")
        << QStringList{QStringLiteral("broke off its answer to PATCH ") + vs + QStringLiteral(" (HTTP 200"),
                       QStringLiteral("it may have been carried out")}
        << true;
    QTest::addRow("dry-run-cut-wrote-nothing")
        << headers + "{\"kind\":" << false << QStringLiteral("PATCH")
        << vs + QStringLiteral("?fieldManager=lanedeck&dryRun=All")
        << QStringList{QStringLiteral("broke off its answer to PATCH ") + vs} << false;
    QTest::addRow("delete-reset-may-have-happened")
        << QByteArray("HTTP/1.1 200 OK\r\n") << true << QStringLiteral("DELETE") << vs
        << QStringList{QStringLiteral("DELETE ") + vs, QStringLiteral("it may have been carried out")}
        << true;
}

void TestClient::answerBrokenOff()
{
    QFETCH(QByteArray, reply);
    QFETCH(bool, reset);
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(QStringList, expected);
    QFETCH(bool, mayHaveHappened);
    Raw server([&](const Raw::Request &) { return Raw::Reply{reply.toStdString(), true, reset}; });
    ClientOptions options;
    options.requestTimeout = std::chrono::milliseconds(30'000);
    auto client = Client::create(connectionTo(server), options);
    QVERIFY(client.ok());
    QElapsedTimer timer;
    timer.start();
    const Response r =
        (*client)->send(Request{method.toStdString(), path.toStdString(), "{}", "application/json"});
    QVERIFY(timer.elapsed() < 10'000); // the broken connection ended it, not the 30 s timeout
    QVERIFY(!r.ok());
    QCOMPARE(r.outcomeUnknown, mayHaveHappened);
    const std::string m = r.message();
    QVERIFY2(m.rfind("the API server " + server.url() + " (context 'raw')", 0) == 0, m.c_str());
    for (const QString &part : expected) {
        QVERIFY2(m.find(part.toStdString()) != std::string::npos, m.c_str());
    }
    QVERIFY2(m.find("cannot reach") == std::string::npos, m.c_str()); // it was reached
    QCOMPARE(m.find("may have been carried out") != std::string::npos, mayHaveHappened);
    QCOMPARE(server.requests().size(), std::size_t(1));
}

void TestClient::bodiesThatAreNotKubernetesJson_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QStringList>("absent");
    const QStringList markup{QStringLiteral("<"), QStringLiteral("width"), QStringLiteral("var x"),
                             QStringLiteral("parse"), QStringLiteral("syntax error")};
    QTest::addRow("nginx-500-page")
        << QByteArray::fromStdString(Raw::response(500, "text/html", kNginx500)) << "GET"
        << QStringList{QStringLiteral(
               "HTTP 500 (text/html, not a Kubernetes Status): 500 Internal Server Error 500 "
               "Internal Server Error nginx/1.22.1")}
        << markup;
    QTest::addRow("envoy-503-text")
        << QByteArray::fromStdString(Raw::response(
               503, "text/plain",
               "upstream connect error or disconnect/reset before headers. reset reason: overflow"))
        << "GET"
        << QStringList{QStringLiteral(
               "HTTP 503 (text/plain, not a Kubernetes Status): upstream connect error or "
               "disconnect/reset before headers. reset reason: overflow")}
        << QStringList{QStringLiteral("parse")};
    QTest::addRow("escape-sequences-and-binary")
        << QByteArray::fromStdString(Raw::response(500, "application/octet-stream",
                                                   std::string("\x1b[31mboom\x1b[0m\r\n") + '\0' +
                                                       "\xff\xfe tail\xc2\x9b"
                                                       "2J"))
        << "GET"
        << QStringList{QStringLiteral(
               "HTTP 500 (application/octet-stream, not a Kubernetes Status): boom \uFFFD\uFFFD "
               "tail 2J")}
        << QStringList{QStringLiteral("\x1b"), QStringLiteral("\r"), QStringLiteral("\u009b")};
    QTest::addRow("one-mebibyte-page")
        << QByteArray::fromStdString(
               Raw::response(500, "text/html", "<p>" + std::string(1 << 20, 'x') + "</p>"))
        << "GET"
        << QStringList{QStringLiteral("HTTP 500 (text/html, not a Kubernetes Status): xxxx"),
                       QStringLiteral("x...")}
        << QStringList{};
    QTest::addRow("kubernetes-status-verbatim")
        << QByteArray::fromStdString(
               Raw::response(500, "application/json",
                             R"({"kind":"Status","apiVersion":"v1","status":"Failure",)"
                             R"("message":"etcdserver: request timed out","code":500})"))
        << "GET" << QStringList{QStringLiteral("HTTP 500: etcdserver: request timed out")} << QStringList{};
    QTest::addRow("login-page-with-200")
        << QByteArray::fromStdString(Raw::response(200, "text/html; charset=utf-8",
                                                   "<html><title>Sign in &amp; continue</title></html>"))
        << "GET"
        << QStringList{QStringLiteral(
               "answered GET /api/v1/namespaces with HTTP 200 (text/html), not a Kubernetes JSON "
               "object; is a proxy or a login page in between? It said: Sign in & continue")}
        << markup;
    QTest::addRow("empty-200") << QByteArray::fromStdString(Raw::response(200, "", "")) << "GET"
                               << QStringList{QStringLiteral(
                                      "with HTTP 200 (no Content-Type), not a Kubernetes JSON "
                                      "object; is a proxy or a login page in between? The body is "
                                      "empty.")}
                               << QStringList{};
    QTest::addRow("json-array-200") << QByteArray::fromStdString(
                                           Raw::response(200, "application/json", "[1,2]"))
                                    << "GET" << QStringList{QStringLiteral("not a Kubernetes JSON object")}
                                    << QStringList{};
    QTest::addRow("gateway-504-on-a-write")
        << QByteArray::fromStdString(Raw::response(504, "text/html", "<h1>504 Gateway Time-out</h1>"))
        << "PATCH"
        << QStringList{QStringLiteral(
               "HTTP 504 (text/html, not a Kubernetes Status): 504 Gateway Time-out (the "
               "request had reached the server: it may have been carried out)")}
        << QStringList{};
}

void TestClient::bodiesThatAreNotKubernetesJson()
{
    QFETCH(QByteArray, reply);
    QFETCH(QString, method);
    QFETCH(QStringList, expected);
    QFETCH(QStringList, absent);
    Raw server([&](const Raw::Request &) { return Raw::Reply{reply.toStdString()}; });
    auto client = Client::create(connectionTo(server));
    QVERIFY(client.ok());
    const Response r = (*client)->send(Request{method.toStdString(), "/api/v1/namespaces", {}, {}});
    QVERIFY(!r.ok());
    QVERIFY(r.status != 0); // an answer, not a transport error
    const QString m = QString::fromStdString(r.message());
    for (const QString &part : expected) {
        QVERIFY2(m.contains(part), qPrintable(m));
    }
    for (const QString &part : absent) {
        QVERIFY2(!m.contains(part, Qt::CaseInsensitive), qPrintable(m));
    }
    QVERIFY2(m.size() < 700, qPrintable(m.left(1000)));
    for (const QChar c : m) {
        QVERIFY2(c.category() != QChar::Other_Control, qPrintable(m)); // one line, no terminal escapes
    }
}

void TestClient::pushThroughABrokenServer_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("error");   // push's error, when it fails before any resource
    QTest::addColumn<QString>("failure"); // else the message of the one resource that failed
    QTest::addColumn<bool>("mayHaveBeenWritten");
    QTest::addRow("html-500-everywhere")
        << "html-500-everywhere"
        << "discovery failed: HTTP 500 (text/html, not a Kubernetes Status): 500 Internal Server Error"
        << "" << false;
    QTest::addRow("login-page-everywhere") << "login-page-everywhere"
                                           << "discovery failed: the API server %1 (context 'raw') answered "
                                              "GET /apis/networking.istio.io with HTTP 200 "
                                              "(text/html), not a Kubernetes JSON object; is a proxy or a "
                                              "login page in between? It said: Sign in - Corp SSO"
                                           << "" << false;
    QTest::addRow("apply-answer-cut") << "apply-answer-cut"
                                      << ""
                                      << "the API server %1 (context 'raw') broke off its answer to PATCH "
                                         "/apis/networking.istio.io/v1/namespaces/"
                                      << true;
    QTest::addRow("apply-html-502")
        << "apply-html-502"
        << ""
        << "HTTP 502 (text/html, not a Kubernetes Status): 502 Bad Gateway (the request "
           "had reached the server: it may have been carried out)"
        << true;
    QTest::addRow("apply-html-500")
        << "apply-html-500"
        << ""
        << "HTTP 500 (text/html, not a Kubernetes Status): 500 Internal Server Error" << false;
}

void TestClient::pushThroughABrokenServer()
{
    QFETCH(QString, fault);
    QFETCH(QString, error);
    QFETCH(QString, failure);
    QFETCH(bool, mayHaveBeenWritten);
    Raw server(fakeApiServer(fault));
    ClientOptions sequential;
    sequential.maxParallel = 1; // the third apply is the third resource
    auto client = Client::create(connectionTo(server), sequential);
    QVERIFY(client.ok());
    QElapsedTimer timer;
    timer.start();
    const auto report = push(**client, testing::seedGroup(), {mesh::Flavor::Istio, {}}, {});
    QVERIFY(timer.elapsed() < 20'000);
    const QString url = QString::fromStdString(server.url());
    error.replace(QLatin1String("%1"), url);
    failure.replace(QLatin1String("%1"), url);
    if (!error.isEmpty()) {
        QVERIFY(!report.ok());
        const QString m = QString::fromStdString(report.error().message);
        QVERIFY2(m.startsWith(error), qPrintable(m));
        for (const auto &r : server.requests()) {
            QCOMPARE(r.method, std::string("GET")); // nothing was sent to be written
        }
        return;
    }
    QVERIFY2(report.ok(), report.ok() ? "" : report.error().message.c_str());
    QCOMPARE(report->results.size(), std::size_t(7));
    int written = 0;
    for (std::size_t i = 0; i < report->results.size(); ++i) {
        const auto &r = report->results[i];
        if (i == 2) {
            QCOMPARE(toString(r.outcome), std::string("failed"));
            QVERIFY2(r.message.find(failure.toStdString()) != std::string::npos, r.message.c_str());
            QCOMPARE(r.message.find("may have been carried out") != std::string::npos, mayHaveBeenWritten);
        } else {
            QVERIFY2(r.outcome == Outcome::Created, r.message.c_str());
            ++written;
        }
    }
    QCOMPARE(written, 6); // the rest went on: each row says what happened to its resource
    const bool noted = std::any_of(report->notes.begin(), report->notes.end(), [](const std::string &n) {
        return n ==
               "1 of the failed resources may have been written: their request had reached the server, but "
               "the answer did not say whether it was carried out. Applying again converges.";
    });
    QCOMPARE(noted, mayHaveBeenWritten);
}

QTEST_GUILESS_MAIN(TestClient)
void TestClient::listAnswersOfTheWrongShape_data()
{
    QTest::addColumn<QByteArray>("list"); // what every GET gets, discovery included
    QTest::addRow("name a number") << QByteArray(R"({"kind":"List","items":[{"metadata":{"name":5}}]})");
    QTest::addRow("labels a string") << QByteArray(
        R"({"kind":"List","items":[{"metadata":{"name":"a","labels":"x"},"spec":{}}]})");
    QTest::addRow("items an object") << QByteArray(R"({"kind":"List","items":{"a":1}})");
    QTest::addRow("item a string") << QByteArray(R"({"kind":"List","items":["a"]})");
    QTest::addRow("spec a number") << QByteArray(
        R"({"kind":"List","items":[{"metadata":{"name":"a","namespace":"n"},"spec":7,)"
        R"("status":{"readyReplicas":"two"}}]})");
}

void TestClient::listAnswersOfTheWrongShape()
{
    // A broken server or something in between may answer a list with members of other types: the readers
    // of the inventory, import, diff and delete say so, or read around it, and never throw out of the core.
    QFETCH(QByteArray, list);
    Raw server([list](const Raw::Request &) {
        return Raw::Reply{Raw::response(200, "application/json", list.toStdString())};
    });
    auto client = Client::create(connectionTo(server));
    QVERIFY(client.ok());
    try {
        (void)readInventory(**client, {"default"});
        (void)importGroup(**client, "test", "istio-system");
        (void)deleteGroup(**client, "test", "istio-system", true);
        (void)diffGroup(**client, testing::seedGroup(), {mesh::Flavor::Istio, {}});
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
}

#include "tst_client.moc"

// The client's own guarantees that need no API server: request timeouts, connect failures and cancellation
// from another thread, against a socket that accepts connections and never answers.
#include "kube/client.h"

#include <QElapsedTimer>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace lanedeck::kube;

namespace {

/// A listening loopback socket that is never accepted from: TCP connects (the backlog), TLS never starts.
class BlackHole
{
public:
    BlackHole()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        ::listen(m_fd, 128);
        socklen_t len = sizeof addr;
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&addr), &len);
        m_port = ntohs(addr.sin_port);
    }
    ~BlackHole() { ::close(m_fd); }
    int port() const { return m_port; }

private:
    int m_fd = -1;
    int m_port = 0;
};

Connection connectionTo(int port)
{
    Connection c;
    c.context = "hole";
    c.cluster.name = "hole";
    c.cluster.server = "https://127.0.0.1:" + std::to_string(port);
    c.user.token = "unused";
    return c;
}

} // namespace

class TestClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestTimeout();
    void cancelFromAnotherThread();
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
    QVERIFY2(r.error.find("cannot reach the API server https://127.0.0.1:") != std::string::npos, r.error.c_str());
    QVERIFY2(r.error.find("imeout") != std::string::npos || r.error.find("timed out") != std::string::npos, r.error.c_str());
    QVERIFY(timer.elapsed() < 5000);
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
    }
    QVERIFY(c->cancelled());
    QCOMPARE(c->send(Request{"GET", "/version", {}, {}}).error, std::string("cancelled"));
}

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"

// Which proxy a request to the API server goes through, by kubectl's rules (client-go on Go's net/http:
// proxy-url wins; else HTTPS_PROXY/HTTP_PROXY unless the server is loopback or NO_PROXY matches), what
// libcurl is told, and what the user reads when the proxy is down or never answers. Real proxies in front of
// a real API server: tst_clusterproxy.
#include "kube/client.h"
#include "kube/proxy.h"
#include "rawhttpserver.h"

#include <QElapsedTimer>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

using namespace lanedeck::kube;

namespace {

ClusterConfig cluster(const QString &server, const QString &proxyUrl)
{
    ClusterConfig c;
    c.name = "c";
    c.server = server.toStdString();
    c.proxyUrl = proxyUrl.toStdString();
    c.sourceFile = "/home/me/.kube/config";
    return c;
}

using SilentListener = lanedeck::testing::BlackHole;

const char *kPassword = "proxy-SECRET-pw";

} // namespace

class TestProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chooseProxy_data();
    void chooseProxy();
    void redaction_data();
    void redaction();
    void downProxyIsNamed();
    void silentProxyTimesOut_data();
    void silentProxyTimesOut();
};

void TestProxy::chooseProxy_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("proxyUrl"); // the kubeconfig's
    QTest::addColumn<QString>("env");      // NAME=value;NAME=value
    QTest::addColumn<QString>("curlUrl");  // what libcurl is given; empty: no proxy
    QTest::addColumn<QString>("originOrError");

    const QString remote = QStringLiteral("https://api.example.com:6443");
    const QString envProxy = QStringLiteral("HTTPS_PROXY=http://envproxy:3128");
    // proxy-url: always used, whatever the environment says; Go's default port made explicit for libcurl.
    QTest::addRow("proxy-url-wins-over-environment") << remote << "http://proxy:3128"
                                                     << "HTTPS_PROXY=http://envproxy:1;NO_PROXY=*"
                                                     << "http://proxy:3128/"
                                                     << "proxy-url of cluster 'c' in /home/me/.kube/config";
    QTest::addRow("proxy-url-used-for-loopback-server") << "https://127.0.0.1:6443"
                                                        << "http://proxy:3128"
                                                        << ""
                                                        << "http://proxy:3128/"
                                                        << "proxy-url";
    QTest::addRow("http-default-port-80") << remote << "http://proxy"
                                          << ""
                                          << "http://proxy:80/"
                                          << "";
    QTest::addRow("https-default-port-443") << remote << "https://proxy"
                                            << ""
                                            << "https://proxy:443/"
                                            << "";
    QTest::addRow("socks5-resolves-names-at-the-proxy") << remote << "socks5://proxy"
                                                        << ""
                                                        << "socks5h://proxy:1080/"
                                                        << "";
    QTest::addRow("credentials-kept-for-libcurl")
        << remote << QStringLiteral("socks5://u:%1@proxy:1080").arg(QLatin1String(kPassword)) << ""
        << QStringLiteral("socks5h://u:%1@proxy:1080/").arg(QLatin1String(kPassword)) << "";
    QTest::addRow("scheme-case-insensitive") << remote << "HTTP://proxy:3128"
                                             << ""
                                             << "http://proxy:3128/"
                                             << "";
    QTest::addRow("proxy-url-socks5h-refused") << remote << "socks5h://proxy:1080"
                                               << ""
                                               << ""
                                               << "error: unsupported proxy scheme 'socks5h'";
    QTest::addRow("proxy-url-without-host")
        << remote << "http://"
        << ""
        << ""
        << "error: proxy-url of cluster 'c' in /home/me/.kube/config: 'http://'";

    // No proxy-url: the environment, as Go's http.ProxyFromEnvironment reads it.
    QTest::addRow("no-environment-direct") << remote << ""
                                           << ""
                                           << ""
                                           << "";
    QTest::addRow("HTTPS_PROXY") << remote << "" << envProxy << "http://envproxy:3128/"
                                 << "HTTPS_PROXY in the environment";
    QTest::addRow("https_proxy-lower-case") << remote << ""
                                            << "https_proxy=http://lower:3128"
                                            << "http://lower:3128/"
                                            << "https_proxy in the environment";
    QTest::addRow("upper-case-first") << remote << ""
                                      << "https_proxy=http://lower:3128;HTTPS_PROXY=http://upper:3128"
                                      << "http://upper:3128/"
                                      << "HTTPS_PROXY";
    QTest::addRow("no-scheme-means-http") << remote << ""
                                          << "HTTPS_PROXY=envproxy:3128"
                                          << "http://envproxy:3128/"
                                          << "";
    QTest::addRow("socks5h-accepted-from-environment") << remote << ""
                                                       << "HTTPS_PROXY=socks5h://envproxy"
                                                       << "socks5h://envproxy:1080/"
                                                       << "";
    QTest::addRow("unsupported-environment-scheme")
        << remote << "" << QStringLiteral("HTTPS_PROXY=socks4://u:%1@envproxy").arg(QLatin1String(kPassword))
        << ""
        << "error: HTTPS_PROXY in the environment: unsupported proxy scheme 'socks4'";
    QTest::addRow("http-server-ignores-HTTPS_PROXY") << "http://api.example.com"
                                                     << "" << envProxy << ""
                                                     << "";
    QTest::addRow("http-server-uses-HTTP_PROXY") << "http://api.example.com"
                                                 << ""
                                                 << "HTTP_PROXY=http://plain:3128"
                                                 << "http://plain:3128/"
                                                 << "HTTP_PROXY";
    QTest::addRow("HTTP_PROXY-refused-under-CGI")
        << "http://api.example.com"
        << ""
        << "HTTP_PROXY=http://plain:3128;REQUEST_METHOD=GET"
        << ""
        << "error: HTTP_PROXY: refusing to use it in a CGI environment";
    QTest::addRow("https-server-ignores-HTTP_PROXY")
        << remote << ""
        << "HTTP_PROXY=http://plain:3128;http_proxy=http://plain:3128"
        << ""
        << "";
    QTest::addRow("ALL_PROXY-ignored") << remote << ""
                                       << "ALL_PROXY=http://all:3128;all_proxy=http://all:3128"
                                       << ""
                                       << "";
    QTest::addRow("loopback-ipv4-never-proxied") << "https://127.0.0.2:6443"
                                                 << "" << envProxy << ""
                                                 << "";
    QTest::addRow("loopback-ipv6-never-proxied") << "https://[::1]:6443"
                                                 << "" << envProxy << ""
                                                 << "";
    QTest::addRow("localhost-never-proxied") << "https://localhost:6443"
                                             << "" << envProxy << ""
                                             << "";
    QTest::addRow("localhost-subdomain-proxied") << "https://api.localhost:6443"
                                                 << "" << envProxy << "http://envproxy:3128/"
                                                 << "";

    // NO_PROXY, as golang.org/x/net/http/httpproxy matches it.
    auto noProxy = [&](const char *value) {
        return envProxy + QStringLiteral(";NO_PROXY=") + QLatin1String(value);
    };
    QTest::addRow("no_proxy-lower-case")
        << remote << "" << envProxy + QStringLiteral(";no_proxy=example.com") << ""
        << "";
    QTest::addRow("NO_PROXY-upper-case-first")
        << remote << "" << envProxy + QStringLiteral(";no_proxy=example.com;NO_PROXY=other.org")
        << "http://envproxy:3128/"
        << "";
    QTest::addRow("NO_PROXY-star") << remote << "" << noProxy("*") << ""
                                   << "";
    QTest::addRow("NO_PROXY-domain-and-subdomains") << remote << "" << noProxy("example.com") << ""
                                                    << "";
    QTest::addRow("NO_PROXY-domain-itself") << "https://example.com"
                                            << "" << noProxy("example.com") << ""
                                            << "";
    QTest::addRow("NO_PROXY-leading-dot-subdomains-only")
        << "https://example.com"
        << "" << noProxy(".example.com") << "http://envproxy:3128/"
        << "";
    QTest::addRow("NO_PROXY-leading-dot-subdomain") << remote << "" << noProxy(".example.com") << ""
                                                    << "";
    QTest::addRow("NO_PROXY-star-dot") << remote << "" << noProxy("*.example.com") << ""
                                       << "";
    QTest::addRow("NO_PROXY-no-partial-label")
        << remote << "" << noProxy("ample.com") << "http://envproxy:3128/"
        << "";
    QTest::addRow("NO_PROXY-case-and-spaces") << remote << "" << noProxy(" other.org , EXAMPLE.COM ") << ""
                                              << "";
    QTest::addRow("NO_PROXY-port-matches") << remote << "" << noProxy("example.com:6443") << ""
                                           << "";
    QTest::addRow("NO_PROXY-port-differs")
        << remote << "" << noProxy("example.com:443") << "http://envproxy:3128/"
        << "";
    QTest::addRow("NO_PROXY-default-port") << "https://api.example.com"
                                           << "" << noProxy("example.com:443") << ""
                                           << "";
    QTest::addRow("NO_PROXY-ip") << "https://10.1.2.3:6443"
                                 << "" << noProxy("10.1.2.3") << ""
                                 << "";
    QTest::addRow("NO_PROXY-ip-other") << "https://10.1.2.3:6443"
                                       << "" << noProxy("10.1.2.4") << "http://envproxy:3128/"
                                       << "";
    QTest::addRow("NO_PROXY-cidr") << "https://10.1.2.3:6443"
                                   << "" << noProxy("10.0.0.0/8") << ""
                                   << "";
    QTest::addRow("NO_PROXY-cidr-outside") << "https://11.1.2.3:6443"
                                           << "" << noProxy("10.0.0.0/8") << "http://envproxy:3128/"
                                           << "";
    QTest::addRow("NO_PROXY-ipv6-cidr") << "https://[fd00::5]:6443"
                                        << "" << noProxy("fd00::/8") << ""
                                        << "";
    QTest::addRow("NO_PROXY-domain-never-matches-ip") << "https://10.1.2.3:6443"
                                                      << "" << noProxy("3") << "http://envproxy:3128/"
                                                      << "";
}

void TestProxy::chooseProxy()
{
    QFETCH(QString, server);
    QFETCH(QString, proxyUrl);
    QFETCH(QString, env);
    QFETCH(QString, curlUrl);
    QFETCH(QString, originOrError);
    std::map<std::string, std::string> vars;
    for (const QString &e : env.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        vars[e.section(QLatin1Char('='), 0, 0).toStdString()] = e.section(QLatin1Char('='), 1).toStdString();
    }
    const auto choice = lanedeck::kube::chooseProxy(cluster(server, proxyUrl), [&](const char *name) {
        const auto it = vars.find(name);
        return it == vars.end() ? std::string() : it->second;
    });
    if (originOrError.startsWith(QLatin1String("error: "))) {
        QVERIFY(!choice.ok());
        const std::string m = choice.error().message;
        QVERIFY2(m.find(originOrError.mid(7).toStdString()) != std::string::npos, m.c_str());
        QVERIFY2(m.find(kPassword) == std::string::npos, m.c_str());
        return;
    }
    QVERIFY2(choice.ok(), choice.ok() ? "" : choice.error().message.c_str());
    QCOMPARE(QString::fromStdString(choice->curlUrl), curlUrl);
    QCOMPARE(choice->direct(), curlUrl.isEmpty());
    QCOMPARE(choice->tls, curlUrl.startsWith(QLatin1String("https:")));
    QVERIFY2(choice->origin.find(originOrError.toStdString()) != std::string::npos, choice->origin.c_str());
}

void TestProxy::redaction_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("redacted");
    QTest::addRow("no-credentials") << "http://proxy:3128"
                                    << "http://proxy:3128";
    QTest::addRow("user-and-password") << "http://u:pw@proxy:3128"
                                       << "http://***@proxy:3128";
    QTest::addRow("at-in-password") << "socks5://u:p@w@proxy"
                                    << "socks5://***@proxy";
    QTest::addRow("slash-in-password") << "http://u:p/w@proxy:1"
                                       << "http://***@proxy:1";
    QTest::addRow("no-scheme") << "u:pw@proxy:3128"
                               << "***@proxy:3128";
}

void TestProxy::redaction()
{
    QFETCH(QString, url);
    QFETCH(QString, redacted);
    QCOMPARE(QString::fromStdString(redactProxyUrl(url.toStdString())), redacted);
}

void TestProxy::downProxyIsNamed()
{
    // Nothing listens on port 1: the proxy is down, the API server was never tried.
    Connection c;
    c.context = "ctx";
    c.cluster = cluster(QStringLiteral("https://api.example.com:6443"),
                        QStringLiteral("http://u:%1@127.0.0.1:1").arg(QLatin1String(kPassword)));
    c.user.token = "unused";
    auto client = Client::create(c);
    QVERIFY(client.ok());
    QElapsedTimer timer;
    timer.start();
    const std::string m = (*client)->send(Request{"GET", "/version", {}, {}}).message();
    QVERIFY(timer.elapsed() < 5000);
    QVERIFY2(m.rfind("cannot reach the proxy http://***@127.0.0.1:1 (proxy-url of cluster 'c' in "
                     "/home/me/.kube/config; "
                     "context 'ctx'): ",
                     0) == 0,
             m.c_str());
    QVERIFY2(m.find("api.example.com") == std::string::npos, m.c_str());
    QVERIFY2(m.find(kPassword) == std::string::npos, m.c_str());
}

void TestProxy::silentProxyTimesOut_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("expected"); // how the message starts; {proxy} is the proxy's URL
    QTest::addRow("http") << "http"
                          << "the proxy {proxy} (proxy-url of cluster 'c' in /home/me/.kube/config; context "
                             "'ctx') did not answer: ";
    QTest::addRow("socks5")
        << "socks5"
        << "cannot reach the API server https://api.example.com:6443 via the proxy {proxy} "
           "(proxy-url of cluster 'c' in /home/me/.kube/config; context 'ctx'): ";
}

void TestProxy::silentProxyTimesOut()
{
    // A proxy that accepts the connection and never answers: the connect timeout ends it.
    QFETCH(QString, scheme);
    QFETCH(QString, expected);
    SilentListener proxy;
    const QString url = scheme + QStringLiteral("://127.0.0.1:%1").arg(proxy.port());
    Connection c;
    c.context = "ctx";
    c.cluster = cluster(QStringLiteral("https://api.example.com:6443"), url);
    c.user.token = "unused";
    ClientOptions options;
    options.connectTimeout = std::chrono::milliseconds(700);
    auto client = Client::create(c, options);
    QVERIFY(client.ok());
    QElapsedTimer timer;
    timer.start();
    const std::string m = (*client)->send(Request{"GET", "/version", {}, {}}).message();
    QVERIFY2(timer.elapsed() < 5000, m.c_str());
    QVERIFY2(m.rfind(expected.replace(QLatin1String("{proxy}"), url).toStdString(), 0) == 0, m.c_str());
    QVERIFY2(m.find("imeout") != std::string::npos || m.find("timed out") != std::string::npos, m.c_str());
}

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"

// The native engine's response parser on its own: framing by Content-Length, by chunks and by the close, the
// keep-alive rules, interim answers, and the broken answers with the error kinds libcurl gives for them.
// Every answer is fed whole and then one byte at a time, which must come to the same result.
#include "traffic/http1.h"

#include <QtTest>

using namespace lanedeck::traffic;
using http1::ResponseParser;

Q_DECLARE_METATYPE(lanedeck::traffic::ErrorKind)

namespace {

struct Parsed
{
    QString progress; // done, failed or more
    int status = 0;
    QByteArray body;
    QByteArray headerValue;
    bool keepAlive = false;
    ErrorKind error = ErrorKind::None;
    int excess = 0; // bytes after the answer
};

Parsed parse(const QByteArray &answer, bool head, bool closeAfter, std::size_t bodyLimit, bool byteByByte)
{
    ResponseParser parser;
    parser.configure("x-lane", true, bodyLimit);
    parser.reset(head);
    Parsed outcome;
    auto progress = ResponseParser::Progress::NeedMore;
    std::size_t at = 0;
    while (at < std::size_t(answer.size()) && progress == ResponseParser::Progress::NeedMore) {
        const std::size_t piece = byteByByte ? 1 : std::size_t(answer.size()) - at;
        std::size_t consumed = 0;
        progress = parser.feed(answer.constData() + at, piece, consumed);
        if (progress == ResponseParser::Progress::Done) {
            outcome.excess = int(answer.size() - qsizetype(at + consumed));
        }
        at += piece;
    }
    if (closeAfter && progress == ResponseParser::Progress::NeedMore) {
        progress = parser.closed();
    }
    outcome.progress = progress == ResponseParser::Progress::Done     ? QStringLiteral("done")
                       : progress == ResponseParser::Progress::Failed ? QStringLiteral("failed")
                                                                      : QStringLiteral("more");
    outcome.status = parser.status();
    outcome.body = QByteArray(parser.body().data(), qsizetype(parser.body().size()));
    outcome.headerValue = QByteArray(parser.headerValue().data(), qsizetype(parser.headerValue().size()));
    outcome.keepAlive = parser.keepAlive();
    outcome.error = parser.error();
    return outcome;
}

} // namespace

class TestHttp1 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesAnswers_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<bool>("head");       // the request was HEAD
        QTest::addColumn<bool>("closeAfter"); // the server closes the connection after the bytes
        QTest::addColumn<int>("bodyLimit");
        QTest::addColumn<QString>("progress");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("keepAlive");
        QTest::addColumn<ErrorKind>("error");
        QTest::addColumn<int>("excess");

        const auto row = [](const char *name, const QByteArray &answer, bool closeAfter, const char *progress,
                            int status, const QByteArray &body, bool keepAlive, ErrorKind error,
                            int excess = 0) -> QTestData & {
            return QTest::addRow("%s", name)
                   << answer << false << closeAfter << 1024 << QString::fromLatin1(progress) << status << body
                   << keepAlive << error << excess;
        };
        const auto none = ErrorKind::None;
        row("content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, "done", 200,
            "hello", true, none);
        row("content-length-zero", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, "done", 200, "",
            true, none);
        row("content-length-any-case-spaces", "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:    5   \r\n\r\nhello",
            false, "done", 200, "hello", true, none);
        row("content-length-then-more", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", false,
            "done", 200, "hello", true, none, 5);
        row("content-length-waits-for-the-rest", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", false,
            "more", 200, "hello", true, none);
        row("content-length-cut-off", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", true, "failed",
            200, "hello", false, ErrorKind::Transport);
        row("content-length-not-a-number", "HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello", false,
            "failed", 200, "", false, ErrorKind::Unparseable);
        row("content-length-negative", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello", false, "failed",
            200, "", false, ErrorKind::Unparseable);
        row("content-length-overflows-then-close",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nhi", true, "done", 200, "hi",
            false, none);
        row("lf-only-lines", "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", false, "done", 200, "abc", true,
            none);
        row("chunked",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            false, "done", 200, "hello world", true, none);
        row("chunked-hex-any-case-extensions",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
            "chunked\r\n\r\nA;x=\"y\"\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n",
            false, "done", 200, "0123456789abcdefghijk", true, none);
        row("chunked-trailers",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
            false, "done", 200, "ok", true, none);
        row("chunked-lf-only", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\n0\n\n", false,
            "done", 200, "ok", true, none);
        row("chunked-in-a-list",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, "done",
            200, "ok", true, none);
        row("chunked-wins-over-length",
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
            "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            false, "done", 200, "ok", true, none);
        row("chunked-then-more",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1", false,
            "done", 200, "ok", true, none, 8);
        row("chunked-size-not-hex",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n", false, "failed",
            200, "", false, ErrorKind::Transport);
        row("chunked-size-17-digits",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000002\r\nok\r\n0\r\n\r\n",
            false, "failed", 200, "", false, ErrorKind::Transport);
        row("chunked-data-longer-than-its-size",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n0\r\n\r\n", false, "failed",
            200, "ok", false, ErrorKind::Transport);
        row("chunked-cut-off", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n", true,
            "failed", 200, "ok", false, ErrorKind::Transport);
        row("chunked-cut-off-in-trailers",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nA: 1", true, "failed", 200,
            "ok", false, ErrorKind::Transport);
        row("delimited-by-close", "HTTP/1.1 200 OK\r\n\r\nuntil the end", true, "done", 200, "until the end",
            false, none);
        row("delimited-by-close-waits", "HTTP/1.1 200 OK\r\n\r\nuntil the end", false, "more", 200,
            "until the end", false, none);
        row("http-1.0-closes", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, "done", 200, "ok",
            false, none);
        row("http-1.0-keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nok",
            false, "done", 200, "ok", true, none);
        row("connection-close", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", false,
            "done", 200, "ok", false, none);
        row("connection-close-in-a-list",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive, Close\r\n\r\nok", false, "done",
            200, "ok", false, none);
        row("continue-then-answer",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", false, "done",
            201, "ok", true, none);
        row("no-content-ignores-length", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", false,
            "done", 204, "", true, none, 5);
        row("not-modified", "HTTP/1.1 304 Not Modified\r\nContent-Length: five\r\n\r\n", false, "done", 304,
            "", true, none);
        row("error-status-with-body", "HTTP/1.1 503 Unavailable\r\nContent-Length: 4\r\n\r\nbusy", false,
            "done", 503, "busy", true, none);
        row("not-http", "SMTP ready\r\n", false, "failed", 0, "", false, ErrorKind::Unparseable);
        row("not-http-from-the-first-bytes", "SMT", false, "failed", 0, "", false, ErrorKind::Unparseable);
        row("http-1.2", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", false, "failed", 0, "", false,
            ErrorKind::Unparseable);
        row("four-digit-status", "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", false, "failed", 0, "",
            false, ErrorKind::Unparseable);
        row("status-below-100", "HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n", false, "failed", 0, "",
            false, ErrorKind::Unparseable);
        row("status-without-reason", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", false, "done", 200, "ok",
            true, none);
        row("status-line-cut-off", "HTTP/1.1 20", true, "failed", 0, "", false, ErrorKind::Transport);
        row("headers-cut-off", "HTTP/1.1 200 OK\r\nContent-Le", true, "failed", 200, "", false,
            ErrorKind::Unparseable);
        row("empty-reply", "", true, "failed", 0, "", false, ErrorKind::Transport);
        row("header-line-over-100-KiB",
            "HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(100 * 1024, 'a') + "\r\n\r\n", false, "failed", 200, "",
            false, ErrorKind::Transport);
        QTest::addRow("head-ignores-length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n") << true << false << 1024
            << QStringLiteral("done") << 200 << QByteArray() << true << none << 0;
        QTest::addRow("body-kept-up-to-the-limit")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789") << false << false << 4
            << QStringLiteral("done") << 200 << QByteArray("0123") << true << none << 0;
        QTest::addRow("chunked-body-kept-up-to-the-limit")
            << QByteArray(
                   "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n012\r\n3\r\n345\r\n0\r\n\r\n")
            << false << false << 4 << QStringLiteral("done") << 200 << QByteArray("0123") << true << none
            << 0;
    }

    void parsesAnswers()
    {
        QFETCH(QByteArray, answer);
        QFETCH(bool, head);
        QFETCH(bool, closeAfter);
        QFETCH(int, bodyLimit);
        QFETCH(QString, progress);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(bool, keepAlive);
        QFETCH(ErrorKind, error);
        QFETCH(int, excess);
        for (const bool byteByByte : {false, true}) {
            const Parsed o = parse(answer, head, closeAfter, std::size_t(bodyLimit), byteByByte);
            QCOMPARE(o.progress, progress);
            QCOMPARE(o.status, status);
            QCOMPARE(o.body, body);
            QCOMPARE(int(o.error), int(error));
            if (progress == QLatin1String("done")) {
                QCOMPARE(o.keepAlive, keepAlive);
                QCOMPARE(o.excess, excess); // what follows the answer is not consumed with it
            }
        }
    }

    void keepsTheClassifiersHeader_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<QByteArray>("value");
        QTest::addRow("trimmed") << QByteArray(
                                        "HTTP/1.1 200 OK\r\nX-Lane:   s2  \r\nContent-Length: 0\r\n\r\n")
                                 << QByteArray("s2");
        QTest::addRow("any-case") << QByteArray("HTTP/1.1 200 OK\r\nx-LANE: v1\r\nContent-Length: 0\r\n\r\n")
                                  << QByteArray("v1");
        QTest::addRow("last-wins")
            << QByteArray("HTTP/1.1 200 OK\r\nX-Lane: a\r\nX-Lane: b\r\nContent-Length: 0\r\n\r\n")
            << QByteArray("b");
        QTest::addRow("cut-at-1024") << "HTTP/1.1 200 OK\r\nX-Lane: " + QByteArray(2000, 'v') +
                                            "\r\nContent-Length: 0\r\n\r\n"
                                     << QByteArray(1024, 'v');
        QTest::addRow("absent") << QByteArray("HTTP/1.1 200 OK\r\nX-Lanes: s2\r\nContent-Length: 0\r\n\r\n")
                                << QByteArray();
    }

    void keepsTheClassifiersHeader()
    {
        QFETCH(QByteArray, answer);
        QFETCH(QByteArray, value);
        for (const bool byteByByte : {false, true}) {
            const Parsed o = parse(answer, false, false, 1024, byteByByte);
            QCOMPARE(o.progress, QStringLiteral("done"));
            QCOMPARE(o.headerValue, value);
        }
    }

    void readsOneAnswerAfterAnother()
    {
        // A kept-alive connection: reset() between answers, nothing left over from the one before.
        ResponseParser parser;
        parser.configure("x-lane", true, 1024);
        const QByteArray answers[] = {
            "HTTP/1.1 200 OK\r\nX-Lane: s1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n0\r\n\r\n",
            "HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\ntwo",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree",
        };
        const char *bodies[] = {"one", "two", "three"};
        const int statuses[] = {200, 500, 200};
        const char *lanes[] = {"s1", "", ""};
        for (int i = 0; i < 3; ++i) {
            parser.reset(false);
            std::size_t consumed = 0;
            QCOMPARE(int(parser.feed(answers[i].constData(), std::size_t(answers[i].size()), consumed)),
                     int(ResponseParser::Progress::Done));
            QCOMPARE(consumed, std::size_t(answers[i].size()));
            QCOMPARE(parser.status(), statuses[i]);
            QCOMPARE(std::string(parser.body()), std::string(bodies[i]));
            QCOMPARE(std::string(parser.headerValue()), std::string(lanes[i]));
            QVERIFY(parser.keepAlive());
        }
    }
};

QTEST_APPLESS_MAIN(TestHttp1)
#include "tst_http1.moc"

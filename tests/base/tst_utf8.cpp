// Text from other programs made safe to show: displayText keeps printable text, replaces what is not UTF-8
// and the control characters that move a terminal's cursor or reorder what is shown, and cuts long text at a
// character boundary.
#include "base/utf8.h"

#include <QTest>

using namespace lanedeck;

namespace {
const QByteArray kReplacement = "\xEF\xBF\xBD";
const QByteArray kEllipsis = "\xE2\x80\xA6";
} // namespace

class TestUtf8 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void displayText_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("maxBytes");
        QTest::addColumn<QByteArray>("expected");
        QTest::addRow("printable text unchanged")
            << QByteArray("Apply failed: \"x\" (é, 漢字, 🙂)") << 100
            << QByteArray("Apply failed: \"x\" (é, 漢字, 🙂)");
        QTest::addRow("line feed and tab kept") << QByteArray("a\n-\tb") << 100 << QByteArray("a\n-\tb");
        QTest::addRow("carriage return replaced") << QByteArray("a\rb") << 100 << "a" + kReplacement + "b";
        QTest::addRow("escape replaced") << QByteArray("\x1b[31mred") << 100 << kReplacement + "[31mred";
        QTest::addRow("NUL and DEL replaced")
            << QByteArray("a\0b\x7f", 4) << 100 << "a" + kReplacement + "b" + kReplacement;
        QTest::addRow("C1 control replaced") << QByteArray("a\xC2\x9B"
                                                           "31m")
                                             << 100 << "a" + kReplacement + "31m";
        QTest::addRow("right-to-left override replaced") << QByteArray("a\xE2\x80\xAE"
                                                                       "b")
                                                         << 100 << "a" + kReplacement + "b";
        QTest::addRow("isolate replaced") << QByteArray("a\xE2\x81\xA6"
                                                        "b")
                                          << 100 << "a" + kReplacement + "b";
        QTest::addRow("byte that is not UTF-8 replaced") << QByteArray("a\x8a"
                                                                       "b")
                                                         << 100 << "a" + kReplacement + "b";
        QTest::addRow("sequence cut short at the end")
            << QByteArray("a\xE6\xBC") << 100 << "a" + kReplacement + kReplacement;
        QTest::addRow("surrogate replaced")
            << QByteArray("\xED\xA0\x80") << 100 << kReplacement + kReplacement + kReplacement;
        QTest::addRow("cut at the bound") << QByteArray("abcdef") << 4 << "abcd" + kEllipsis;
        QTest::addRow("exactly the bound is not cut") << QByteArray("abcd") << 4 << QByteArray("abcd");
        QTest::addRow("cut before a character that does not fit")
            << QByteArray("abc漢") << 4 << "abc" + kEllipsis;
        QTest::addRow("empty") << QByteArray() << 0 << QByteArray();
    }

    void displayText()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, maxBytes);
        QFETCH(QByteArray, expected);
        const std::string shown =
            lanedeck::displayText(text.toStdString(), static_cast<std::size_t>(maxBytes));
        QCOMPARE(QByteArray::fromStdString(shown), expected);
        QVERIFY(!firstInvalidUtf8(shown));
        QVERIFY(shown.size() <= static_cast<std::size_t>(maxBytes) + 3);
    }
};

QTEST_APPLESS_MAIN(TestUtf8)
#include "tst_utf8.moc"

#include "base/yamljson.h"
#include "testsupport.h"

#include <QTest>
#include <yaml-cpp/yaml.h>

using namespace lanedeck;
using nlohmann::json;

class TestYamlJson : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scalarQuoting_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::addRow("plain word") << QStringLiteral("mocka") << QStringLiteral("mocka");
        QTest::addRow("bool word quoted") << QStringLiteral("true") << QStringLiteral("'true'");
        QTest::addRow("yaml 1.1 bool quoted") << QStringLiteral("yes") << QStringLiteral("'yes'");
        QTest::addRow("number quoted") << QStringLiteral("8000") << QStringLiteral("'8000'");
        QTest::addRow("float-like quoted") << QStringLiteral(".5") << QStringLiteral("'.5'");
        QTest::addRow("empty quoted") << QString() << QStringLiteral("''");
        QTest::addRow("null quoted") << QStringLiteral("null") << QStringLiteral("'null'");
        QTest::addRow("star quoted") << QStringLiteral("*") << QStringLiteral("'*'");
        QTest::addRow("slash plain") << QStringLiteral("/") << QStringLiteral("/");
        QTest::addRow("colon space quoted") << QStringLiteral("a: b") << QStringLiteral("'a: b'");
        QTest::addRow("comment quoted") << QStringLiteral("a #b") << QStringLiteral("'a #b'");
        QTest::addRow("single quote doubled") << QStringLiteral("it's: x") << QStringLiteral("'it''s: x'");
        QTest::addRow("control chars double-quoted") << QStringLiteral("a\nb") << QStringLiteral("\"a\\nb\"");
        QTest::addRow("leading dash word plain") << QStringLiteral("-x") << QStringLiteral("-x");
        QTest::addRow("document marker quoted") << QStringLiteral("---") << QStringLiteral("'---'");
        QTest::addRow("document end marker quoted") << QStringLiteral("...") << QStringLiteral("'...'");
        QTest::addRow("document end marker prefix quoted")
            << QStringLiteral("...x") << QStringLiteral("'...x'");
        QTest::addRow("host plain") << QStringLiteral("mocka.default.svc.cluster.local")
                                    << QStringLiteral("mocka.default.svc.cluster.local");
    }

    void scalarQuoting()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        const std::string yaml = toYaml(json{{"k", value.toStdString()}});
        QCOMPARE(QString::fromStdString(yaml), QStringLiteral("k: ") + expected + QLatin1Char('\n'));
        // And it reads back as the same string.
        COMPARE_JSON(yamlToJson(YAML::Load(yaml))["k"], json(value.toStdString()));
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("jsonText");
        QTest::addRow("nested map and list")
            << QStringLiteral(R"({"a":{"b":[1,2,{"c":"d","e":[]}]},"f":{}})");
        QTest::addRow("scalars of every type")
            << QStringLiteral(R"({"i":-3,"f":1.5,"t":true,"n":null,"s":"x"})");
        QTest::addRow("strings that look typed")
            << QStringLiteral(R"({"a":"1","b":"false","c":"~","d":"0x1F"})");
        QTest::addRow("list of lists") << QStringLiteral(R"([[1,2],[],["a"]])");
        // Found by fuzz_yaml: a document that is the string "..." was written as a document end marker.
        QTest::addRow("end marker as the whole document") << QStringLiteral(R"("...")");
        QTest::addRow("end marker in a list") << QStringLiteral(R"(["...", "... x"])");
        QTest::addRow("regex with specials") << QStringLiteral(
            R"({"regex":"(.*,)?[ \\t]*x-asm-prefer-tag[ \\t]*=[ \\t]*s2[ \\t]*(;[^,]*)?(,.*)?"})");
        QTest::addRow("unicode") << QStringLiteral(R"({"name":"車線 ↪ s1"})");
        // Found by fuzz_yaml: keys over YAML's 1024-character limit for implicit keys.
        const QString longKey(1100, QLatin1Char('k'));
        QTest::addRow("long key in a map") << QStringLiteral(R"({"a":{"%1":null,"b":1}})").arg(longKey);
        QTest::addRow("long key with a nested value")
            << QStringLiteral(R"({"  %1":{"c":[1,2]},"d":2})").arg(longKey);
        QTest::addRow("long key first in a list item")
            << QStringLiteral(R"([{"%1":"v","f":"g"}])").arg(longKey);
    }

    void roundTrip()
    {
        QFETCH(QString, jsonText);
        const json value = json::parse(jsonText.toStdString());
        const std::string yaml = toYaml(value);
        COMPARE_JSON(yamlToJson(YAML::Load(yaml)), value);
    }

    void sequenceLayoutMatchesKubectl()
    {
        const json value = json::parse(R"({"spec":{"subsets":[{"labels":{"k":"v1"},"name":"s1"}]}})");
        QCOMPARE(toYaml(value),
                 std::string("spec:\n  subsets:\n    - labels:\n        k: v1\n      name: s1\n"));
    }

    void streamSeparatesDocuments()
    {
        const std::string stream = toYamlStream({json{{"a", 1}}, json{{"b", 2}}});
        QCOMPARE(stream, std::string("a: 1\n---\nb: 2\n"));
        auto parsed = parseYamlStream(stream, "s.yaml");
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->size(), std::size_t(2));
        COMPARE_JSON(parsed->at(1)["b"], json(2));
    }

    // Found by fuzz_yaml: invalid UTF-8 was read, then written back with U+FFFD in its place.
    void invalidUtf8IsRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addRow("stray continuation byte") << QByteArray("a: \x80\n");
        QTest::addRow("truncated sequence") << QByteArray("a: \xE2\x82\n");
        QTest::addRow("overlong slash") << QByteArray("a: \xC0\xAF\n");
        QTest::addRow("surrogate") << QByteArray("a: \xED\xA0\x80\n");
        QTest::addRow("above U+10FFFF") << QByteArray("a: \xF4\x90\x80\x80\n");
        QTest::addRow("fuzzer's input") << QByteArray("names\xff\xff~\xffRYj\xf5pace: x\n");
        // Found by fuzz_yaml: NUL bytes made yaml-cpp decode the text as UTF-32 and return invalid UTF-8.
        QTest::addRow("utf-32 guess from NUL bytes") << QByteArray("\x02\x00\x00\x00ersion: a\n", 14);
    }

    void invalidUtf8IsRefused()
    {
        QFETCH(QByteArray, bytes);
        auto parsed = parseYamlStream(bytes.toStdString(), "bad.yaml");
        QVERIFY(!parsed.ok());
        const std::string &message = parsed.error().message;
        QVERIFY2(message.find("not UTF-8") != std::string::npos ||
                     message.find("NUL byte") != std::string::npos,
                 message.c_str());
    }

    void validUtf8IsAccepted()
    {
        auto parsed = parseYamlStream("a: \"\xE2\x82\xAC \xF0\x9F\x9A\x80 \xC3\xA9\"\n", "ok.yaml");
        QVERIFY(parsed.ok());
        COMPARE_JSON(parsed->at(0)["a"], nlohmann::json("\xE2\x82\xAC \xF0\x9F\x9A\x80 \xC3\xA9"));
    }

    // Found by fuzz_lanegroup: yaml-cpp 0.7's LoadAll never returns on a stray ','.
    void strayCommaTerminates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addRow("comma and word") << QStringLiteral(",h");
        QTest::addRow("comma alone") << QStringLiteral(",");
        QTest::addRow("after a list") << QStringLiteral("- a\n,");
        QTest::addRow("in a later document") << QStringLiteral("a: 1\n---\n,x\n");
    }

    void strayCommaTerminates()
    {
        QFETCH(QString, text);
        auto parsed = parseYamlStream(text.toStdString(), "s.yaml");
        QVERIFY(!parsed.ok() || parsed->size() <= 2);
    }

    void documentsSplitAtMarkers()
    {
        const std::string text = "a: 1\n---\nb: |\n  text\n  --- not a marker when indented\n...\n--- 3\n";
        auto documents = loadYamlDocuments(text, "m.yaml");
        QVERIFY2(documents.ok(), documents.ok() ? "" : documents.error().message.c_str());
        QCOMPARE(documents->size(), std::size_t(3));
        QCOMPARE(documents->at(1).firstLine, 1);
        QCOMPARE(documents->at(1).node["b"].as<std::string>(),
                 std::string("text\n--- not a marker when indented\n"));
        QCOMPARE(documents->at(2).firstLine, 6);
        QCOMPARE(documents->at(2).node.as<int>(), 3);
    }

    void errorLinesCountFromTheStreamStart()
    {
        auto parsed = parseYamlStream("a: 1\n---\nb: 2\nc: [\n", "e.yaml");
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().message.rfind("e.yaml:5:", 0) == 0, parsed.error().message.c_str());
    }

    void parseErrorNamesPosition()
    {
        auto parsed = parseYamlStream("a: [1, 2\nb: 3\n", "bad.yaml");
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().message.rfind("bad.yaml:", 0) == 0, parsed.error().message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestYamlJson)
#include "tst_yamljson.moc"

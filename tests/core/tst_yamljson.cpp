#include "core/yamljson.h"
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
        QTest::addRow("nested map and list") << QStringLiteral(R"({"a":{"b":[1,2,{"c":"d","e":[]}]},"f":{}})");
        QTest::addRow("scalars of every type") << QStringLiteral(R"({"i":-3,"f":1.5,"t":true,"n":null,"s":"x"})");
        QTest::addRow("strings that look typed") << QStringLiteral(R"({"a":"1","b":"false","c":"~","d":"0x1F"})");
        QTest::addRow("list of lists") << QStringLiteral(R"([[1,2],[],["a"]])");
        QTest::addRow("regex with specials")
            << QStringLiteral(R"({"regex":"(.*,)?[ \\t]*x-asm-prefer-tag[ \\t]*=[ \\t]*s2[ \\t]*(;[^,]*)?(,.*)?"})");
        QTest::addRow("unicode") << QStringLiteral(R"({"name":"車線 ↪ s1"})");
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
        QCOMPARE(toYaml(value), std::string("spec:\n  subsets:\n    - labels:\n        k: v1\n      name: s1\n"));
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

    void parseErrorNamesPosition()
    {
        auto parsed = parseYamlStream("a: [1, 2\nb: 3\n", "bad.yaml");
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().message.rfind("bad.yaml:", 0) == 0, parsed.error().message.c_str());
    }
};

QTEST_APPLESS_MAIN(TestYamlJson)
#include "tst_yamljson.moc"

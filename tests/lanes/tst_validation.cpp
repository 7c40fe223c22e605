#include "lanes/document.h"
#include "lanes/validation.h"
#include "testsupport.h"

#include <QTest>

#include <functional>

using namespace lanedeck;
using Mutation = std::function<void(LaneGroup &)>;
Q_DECLARE_METATYPE(Mutation)

class TestValidation : public QObject
{
    Q_OBJECT

    static std::string describe(const std::vector<Diagnostic> &found)
    {
        std::string all;
        for (const auto &d : found) {
            all += d.toString() + " | ";
        }
        return all;
    }

private Q_SLOTS:
    void seedIsValid() { QVERIFY(validate(testing::seedGroup()).empty()); }

    void problems_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        auto row = [](const char *name, Mutation m, const char *field, const char *message) {
            QTest::addRow("%s", name) << m << QString::fromUtf8(field) << QString::fromUtf8(message);
        };
        row(
            "duplicate lane", [](LaneGroup &g) { g.lanes[2].name = "s2"; }, "spec.lanes[2].name",
            "duplicate lane 's2'");
        row(
            "duplicate service",
            [](LaneGroup &g) {
                g.services[2].name = "mockb";
                g.services[2].calls.clear();
            },
            "spec.services[2].name", "duplicate service 'mockb'");
        row(
            "negative weight",
            [](LaneGroup &g) {
                g.lanes[1].weight = -5;
                g.lanes[0].weight = 85;
            },
            "spec.lanes[1].weight", "must be 0..100, got -5");
        row(
            "weight over 100", [](LaneGroup &g) { g.lanes[0].weight = 120; }, "spec.lanes[0].weight",
            "must be 0..100, got 120");
        row(
            "weights not 100", [](LaneGroup &g) { g.lanes[0].weight = 50; }, "spec.lanes",
            "add up to 100, they add up to 90");
        row(
            "baseline incomplete (permissive)",
            [](LaneGroup &g) {
                g.lanes[0].services = {"mocka", "mockb"};
            },
            "spec.lanes[0].services", "baseline lane 's1' lacks mockc; permissive mode");
        row(
            "explicit baseline incomplete", [](LaneGroup &g) { g.baseline = "s2"; }, "spec.baseline",
            "baseline lane 's2' lacks mockb");
        row(
            "unknown baseline", [](LaneGroup &g) { g.baseline = "s9"; }, "spec.baseline",
            "names lane 's9' that the group does not have");
        row(
            "strict lane incomplete", [](LaneGroup &g) { g.mode = LaneMode::Strict; },
            "spec.lanes[1].services", "strict mode needs every service in every lane; lane 's2' lacks mockb");
        row(
            "bad label key", [](LaneGroup &g) { g.lanes[1].labelKey = "bad key"; }, "spec.lanes[1].label.key",
            "the label key name part must consist of");
        row(
            "bad label key prefix", [](LaneGroup &g) { g.lanes[1].labelKey = "Example.COM/lane"; },
            "spec.lanes[1].label.key", "prefix must be a lowercase RFC 1123 subdomain");
        row(
            "label value too long", [](LaneGroup &g) { g.lanes[1].labelValue = std::string(64, 'v'); },
            "spec.lanes[1].label.value", "no more than 63 characters");
        row(
            "label value bad end", [](LaneGroup &g) { g.lanes[1].labelValue = "v2-"; },
            "spec.lanes[1].label.value", "must start and end with an alphanumeric");
        row(
            "empty label value", [](LaneGroup &g) { g.lanes[2].labelValue.clear(); },
            "spec.lanes[2].label.value", "must not be empty");
        row(
            "same label twice", [](LaneGroup &g) { g.lanes[2].labelValue = "v2"; }, "spec.lanes[2].label",
            "selects the same workloads (ASM_TRAFFIC_TAG=v2) as spec.lanes[1]");
        row(
            "routing header invalid", [](LaneGroup &g) { g.routingHeader = "x lane"; }, "spec.routingHeader",
            "must be an HTTP header name");
        row(
            "routing header uppercase", [](LaneGroup &g) { g.routingHeader = "X-Lane"; },
            "spec.routingHeader", "must be lowercase");
        row(
            "unknown entry service", [](LaneGroup &g) { g.ingress.entryService = "mockz"; },
            "spec.ingress.entryService", "unknown service 'mockz'");
        row(
            "call graph cycle", [](LaneGroup &g) { g.services[2].calls = {"mocka"}; },
            "spec.services[2].calls[0]", "cycle: mocka -> mockb -> mockc -> mocka");
        row(
            "self call", [](LaneGroup &g) { g.services[0].calls = {"mocka"}; }, "spec.services[0].calls[0]",
            "cannot call itself");
        row(
            "call to unknown service", [](LaneGroup &g) { g.services[0].calls = {"nope"}; },
            "spec.services[0].calls[0]", "calls unknown service 'nope'");
        row(
            "lane names unknown service", [](LaneGroup &g) { g.lanes[2].services.push_back("mockq"); },
            "spec.lanes[2].services[1]", "names service 'mockq' that the group does not have");
        row(
            "lane name not a dns label",
            [](LaneGroup &g) {
                g.lanes[1].name = "S_2";
                g.baseline.clear();
            },
            "spec.lanes[1].name", "RFC 1123 label");
        row(
            "group name invalid", [](LaneGroup &g) { g.name = "Test"; }, "metadata.name", "RFC 1123");
        row(
            "service port", [](LaneGroup &g) { g.services[0].port = 70000; }, "spec.services[0].port",
            "must be 1..65535");
        row(
            "trace header missing", [](LaneGroup &g) { g.passThrough = PassThrough::TraceId; },
            "spec.traceHeader", "needs the name of the header");
        row(
            "uri regex invalid",
            [](LaneGroup &g) {
                g.ingress.uri = {StringMatch::Kind::Regex, "(/a"};
            },
            "spec.ingress.match.uri", "not a valid RE2 regex");
        row(
            "no lanes", [](LaneGroup &g) { g.lanes.clear(); }, "spec.lanes", "at least one lane");
        row(
            "host invalid", [](LaneGroup &g) { g.ingress.hosts = {"bad host"}; }, "spec.ingress.hosts[0]",
            "must be '*', a DNS name");
    }

    void problems()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, field);
        QFETCH(QString, message);
        LaneGroup g = testing::seedGroup();
        mutate(g);
        const auto found = validate(g);
        auto it = std::find_if(found.begin(), found.end(), [&](const Diagnostic &d) {
            return d.field == field.toStdString() &&
                   d.message.find(message.toStdString()) != std::string::npos;
        });
        QVERIFY2(it != found.end(), describe(found).c_str());
    }

    // A bad group name (or namespace) is reported at that field only: the services whose generated resource
    // names it spoils are not marked as well.
    void badGroupNameBlamesOnlyTheName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("serviceNamespace");
        QTest::addColumn<QString>("field");
        QTest::addRow("upper-case group name") << "Bad_Name"
                                               << "default"
                                               << "metadata.name";
        QTest::addRow("group name with a space") << "my group"
                                                 << "default"
                                                 << "metadata.name";
        QTest::addRow("bad service namespace") << "test"
                                               << "No Such"
                                               << "spec.services[0].namespace";
    }

    void badGroupNameBlamesOnlyTheName()
    {
        QFETCH(QString, name);
        QFETCH(QString, serviceNamespace);
        QFETCH(QString, field);
        LaneGroup g = testing::seedGroup();
        g.name = name.toStdString();
        g.services[0].ns = serviceNamespace.toStdString();
        const auto found = validate(g);
        QVERIFY2(!found.empty(), "the bad name is reported");
        for (const auto &d : found) {
            QVERIFY2(d.field == field.toStdString(), describe(found).c_str());
        }
    }

    // One file with many mistakes: every one is reported, each at its own line and column.
    void everyProblemAtOnceWithPositions()
    {
        const std::string text = R"(apiVersion: lanedeck.io/v1alpha1
kind: LaneGroup
metadata:
  name: test
spec:
  routingHeader: X Lane
  ingress:
    entryService: mockz
  services:
    - name: mocka
      calls: [mockb]
    - name: mockb
      calls: [mocka]
  lanes:
    - name: s1
      label: {key: ASM_TRAFFIC_TAG, value: v1}
      services: [mocka, mockb]
      weight: 70
    - name: s1
      label: {key: ASM_TRAFFIC_TAG, value: v2}
      services: [mockq]
      weight: 20
)";
        const auto found = checkDocument(parseLaneGroup(text, "many.yaml"));
        struct Expect
        {
            const char *field;
            int line;
        };
        const Expect expected[] = {{"spec.routingHeader", 6},         {"spec.ingress.entryService", 8},
                                   {"spec.services[1].calls[0]", 13}, {"spec.lanes[1].name", 19},
                                   {"spec.lanes[1].services[0]", 21}, {"spec.lanes", 15}};
        for (const auto &e : expected) {
            auto it = std::find_if(found.begin(), found.end(),
                                   [&](const Diagnostic &d) { return d.field == e.field; });
            QVERIFY2(it != found.end(), (std::string(e.field) + " not reported: " + describe(found)).c_str());
            QCOMPARE(it->where.file, std::string("many.yaml"));
            QCOMPARE(it->where.line, e.line);
        }
        QVERIFY(found.size() >= std::size(expected));
    }
};

QTEST_APPLESS_MAIN(TestValidation)
#include "tst_validation.moc"

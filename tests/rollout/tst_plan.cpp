// The Rollout document: reading (alone and beside its LaneGroup), every problem at file:line:column, the
// weights of "lane to N%" steps, and the plan hash a resume compares.
#include "lanes/document.h"
#include "rollout/plan.h"

#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::rollout;

namespace {

LaneGroup exampleGroup()
{
    return loadLaneGroupFile(LANEDECK_SOURCE_DIR "/resources/examples/mock.lanes.yaml").group;
}

const char *const kPlan = R"(apiVersion: lanedeck.io/v1alpha1
kind: Rollout
metadata:
  name: canary
spec:
  group: test
  lane: s2
  interval: 1s
  rate: 100
  steps:
    - laneWeight: 10
      hold: 2s
      minRequests: 50
    - weights: {s1: 50, s2: 50}
      hold: 2s
      gates:
        split: {alpha: 0.01}
  gates:
    errorRate: {max: 5%, maxIncrease: 0.02}
    latencyP99: {max: 250ms, maxRatio: 1.5}
    split: {alpha: 0.001}
    leaks: {max: 0}
  onFailure:
    weights: {s1: 100}
  onSuccess:
    makeBaseline: true
)";

std::string replaced(std::string text, const std::string &from, const std::string &to)
{
    const auto at = text.find(from);
    if (at == std::string::npos) {
        qFatal("test plan lacks '%s'", from.c_str());
    }
    return text.replace(at, from.size(), to);
}

} // namespace

class TestPlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsEveryField()
    {
        const auto loaded = parsePlan(kPlan, "canary.yaml");
        QVERIFY(loaded.readable);
        QCOMPARE(loaded.problems.size(), std::size_t(0));
        const Plan &plan = loaded.plan;
        QCOMPARE(plan.name, std::string("canary"));
        QCOMPARE(plan.lane, std::string("s2"));
        QCOMPARE(plan.interval, std::chrono::milliseconds(1000));
        QCOMPARE(plan.rate, 100.0);
        QCOMPARE(toString(plan.gatesFrom), std::string("sampler")); // the default
        QCOMPARE(
            toString(parsePlan(replaced(kPlan, "rate: 100", "rate: 100\n  gatesFrom: telemetry"), "t.yaml")
                         .plan.gatesFrom),
            std::string("telemetry"));
        QCOMPARE(plan.steps.size(), std::size_t(2));
        QCOMPARE(plan.steps[0].laneWeight, std::optional<int>(10));
        QCOMPARE(plan.steps[0].minRequests, 50u);
        QCOMPARE(plan.steps[1].weights, (std::map<std::string, int>{{"s1", 50}, {"s2", 50}}));
        QCOMPARE(plan.steps[1].minRequests, 100u); // the default
        QVERIFY(plan.steps[1].gates && plan.steps[1].gates->split && !plan.steps[1].gates->errorRate);
        QCOMPARE(plan.gates.errorRate->max, std::optional<double>(0.05));
        QCOMPARE(plan.gates.errorRate->maxIncrease, std::optional<double>(0.02));
        QCOMPARE(plan.gates.latencyP99->max,
                 std::optional<std::chrono::microseconds>(std::chrono::milliseconds(250)));
        QCOMPARE(plan.gates.latencyP99->maxRatio, std::optional<double>(1.5));
        QCOMPARE(plan.gates.leaks->max, 0u);
        QCOMPARE(plan.rollbackWeights, (std::map<std::string, int>{{"s1", 100}}));
        QVERIFY(plan.makeBaseline);
        QCOMPARE(checkPlan(loaded, exampleGroup()).size(), std::size_t(0));
    }

    void everyProblemAtItsPosition_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("expected");
        QTest::addRow("unknown-lane") << "lane: s2"
                                      << "lane: s9"
                                      << "canary.yaml:7:9: spec.lane: no lane 's9' in group test";
        QTest::addRow("baseline-lane") << "lane: s2"
                                       << "lane: s1"
                                       << "canary.yaml:7:9: spec.lane: 's1' is the baseline lane";
        QTest::addRow("other-group")
            << "group: test"
            << "group: prod"
            << "canary.yaml:6:10: spec.group: names group 'prod', but the group document is 'test'";
        QTest::addRow("weight-range")
            << "laneWeight: 10"
            << "laneWeight: 120"
            << "canary.yaml:11:19: spec.steps[0].laneWeight: must be 0..100, got 120";
        QTest::addRow("weights-sum")
            << "{s1: 50, s2: 50}"
            << "{s1: 50, s2: 40}"
            << "canary.yaml:14:16: spec.steps[1].weights: the weights must add up to 100, they add up to 90";
        QTest::addRow("weights-unknown-lane")
            << "{s1: 50, s2: 50}"
            << "{s1: 50, s4: 50}"
            << "canary.yaml:14:25: spec.steps[1].weights.s4: no lane 's4' in group test";
        QTest::addRow("both-kinds") << "    - weights: {s1: 50, s2: 50}"
                                    << "    - weights: {s1: 50, s2: 50}\n      laneWeight: 5"
                                    << "canary.yaml:14:7: spec.steps[1]: needs exactly one of laneWeight";
        QTest::addRow("bad-duration") << "hold: 2s\n      minRequests"
                                      << "hold: soon\n      minRequests"
                                      << "canary.yaml:12:13: spec.steps[0].hold: must be a duration like 30s";
        QTest::addRow("hold-below-interval")
            << "hold: 2s\n      minRequests"
            << "hold: 500ms\n      minRequests"
            << "canary.yaml:12:13: spec.steps[0].hold: is shorter than spec.interval";
        QTest::addRow("bad-percentage")
            << "max: 5%"
            << "max: lots"
            << "canary.yaml:19:22: spec.gates.errorRate.max: must be a percentage like 5%";
        QTest::addRow("alpha-range")
            << "{alpha: 0.001}"
            << "{alpha: 2}"
            << "canary.yaml:21:20: spec.gates.split.alpha: must be above 0 and at most 0.5, got 2";
        QTest::addRow("ratio-below-1")
            << "maxRatio: 1.5"
            << "maxRatio: 0.5"
            << "canary.yaml:20:40: spec.gates.latencyP99.maxRatio: must be 1 or more";
        QTest::addRow("unknown-key") << "  rate: 100"
                                     << "  rate: 100\n  speed: 3"
                                     << "canary.yaml:10:3: spec.speed: unknown key 'speed'";
        QTest::addRow("gates-from") << "  rate: 100"
                                    << "  rate: 100\n  gatesFrom: prometheus"
                                    << "canary.yaml:10:14: spec.gatesFrom: must be sampler or telemetry, got "
                                       "'prometheus'";
        QTest::addRow("rollback-sum")
            << "weights: {s1: 100}"
            << "weights: {s1: 90}"
            << "canary.yaml:24:14: spec.onFailure.weights: the weights must add up to 100";
        QTest::addRow("no-steps")
            << "  steps:\n    - laneWeight: 10\n      hold: 2s\n      minRequests: 50\n    - weights: {s1: "
               "50, s2: 50}\n      hold: 2s\n      gates:\n        split: {alpha: 0.01}\n"
            << "  steps: []\n"
            << "canary.yaml:10:10: spec.steps: missing: a plan needs at least one step";
    }
    void everyProblemAtItsPosition()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, expected);
        const auto loaded = parsePlan(replaced(kPlan, from.toStdString(), to.toStdString()), "canary.yaml");
        const auto problems = checkPlan(loaded, exampleGroup());
        QString all;
        for (const auto &p : problems) {
            all += QString::fromStdString(p.toString()) + QLatin1Char('\n');
        }
        QVERIFY2(all.contains(expected), qPrintable(all));
    }

    void besideItsGroupInOneFile()
    {
        const std::string path = LANEDECK_TEST_DATA "/rollout/group-and-plan.yaml";
        const auto group = loadLaneGroupFile(path);
        QVERIFY2(group.problems.empty(),
                 group.problems.empty() ? "" : group.problems.front().toString().c_str());
        QCOMPARE(group.group.name, std::string("test"));
        const auto plan = loadPlanFile(path);
        QVERIFY(plan.readable);
        const auto problems = checkPlan(plan, group.group);
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().toString().c_str());
        QCOMPARE(plan.plan.lane, std::string("s3"));
        // Positions count from the Rollout document's place in the file, not from its own first line.
        QCOMPARE(plan.sources.at("spec.lane").line, 66);
    }

    void theExamplePlanIsValid()
    {
        const auto loaded = loadPlanFile(LANEDECK_SOURCE_DIR "/resources/examples/s2-canary.rollout.yaml");
        const auto problems = checkPlan(loaded, exampleGroup());
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().toString().c_str());
        QCOMPARE(loaded.plan.steps.size(), std::size_t(3));
    }

    void laneToPercentSharesTheRestAsTheGroupSays_data()
    {
        QTest::addColumn<int>("laneWeight");
        QTest::addColumn<QString>("expected");
        // 60/20/20 without s2: s1 and s3 share the rest 3:1, largest remainder, ties to the earlier lane.
        QTest::addRow("10-tie") << 10 << "s1 68 / s2 10 / s3 22";       // 67.5 / 22.5
        QTest::addRow("25-remainder") << 25 << "s1 56 / s2 25 / s3 19"; // 56.25 / 18.75
        QTest::addRow("50") << 50 << "s1 38 / s2 50 / s3 12";
        QTest::addRow("100") << 100 << "s1 0 / s2 100 / s3 0";
        QTest::addRow("0") << 0 << "s1 75 / s2 0 / s3 25";
    }
    void laneToPercentSharesTheRestAsTheGroupSays()
    {
        QFETCH(int, laneWeight);
        QFETCH(QString, expected);
        Plan plan;
        plan.lane = "s2";
        Step step;
        step.laneWeight = laneWeight;
        const auto group = exampleGroup();
        const auto weights = stepWeights(plan, step, group);
        QCOMPARE(QString::fromStdString(weightsText(weights, group)), expected);
        int total = 0;
        for (const auto &[lane, weight] : weights) {
            total += weight;
        }
        QCOMPARE(total, 100);
    }

    void rollbackDefaultsToTheBaseline()
    {
        Plan plan;
        const auto group = exampleGroup();
        QCOMPARE(weightsText(rollbackWeights(plan, group), group), std::string("s1 100 / s2 0 / s3 0"));
        plan.rollbackWeights = {{"s1", 75}, {"s3", 25}};
        QCOMPARE(weightsText(rollbackWeights(plan, group), group), std::string("s1 75 / s2 0 / s3 25"));
    }

    void theHashFollowsThePlanAndTheGroup()
    {
        const auto group = exampleGroup();
        const Plan plan = parsePlan(kPlan, "canary.yaml").plan;
        const std::string hash = planHash(plan, group);
        QCOMPARE(hash.size(), std::size_t(64));
        QCOMPARE(planHash(parsePlan(kPlan, "elsewhere.yaml").plan, group),
                 hash); // the file name is not the plan
        Plan longer = plan;
        longer.steps[0].hold = std::chrono::seconds(3);
        QVERIFY(planHash(longer, group) != hash);
        LaneGroup other = group;
        other.lanes[2].weight = 21;
        other.lanes[0].weight = 59;
        QVERIFY(planHash(plan, other) != hash);
        // Where the gates read is part of the plan a resume must find unchanged.
        Plan fromTelemetry = plan;
        fromTelemetry.gatesFrom = GateSource::Telemetry;
        QVERIFY(planHash(fromTelemetry, group) != hash);
    }
};

QTEST_APPLESS_MAIN(TestPlan)
#include "tst_plan.moc"

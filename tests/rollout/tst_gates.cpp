// The rollout gates as pure functions, against values worked out by hand (or with a calculator): Wilson
// bounds, the two-proportion z-test, chi-square p-values, p99 from a histogram, and the waiting rule.
#include "rollout/gates.h"
#include "telemetry/meshtelemetry.h"
#include "traffic/statistics.h"

#include <QtTest>

using namespace lanedeck;
using namespace lanedeck::rollout;

namespace {

LaneTally tally(std::uint64_t served, std::uint64_t errors)
{
    LaneTally t;
    t.served = served;
    t.errors = errors;
    for (std::uint64_t i = 0; i < served; ++i) {
        t.latency.record(1000);
    }
    return t;
}

Observation split(std::uint64_t s1, std::uint64_t s2, std::uint64_t s3)
{
    Observation o;
    o.lanes["s1"] = tally(s1, 0);
    o.lanes["s2"] = tally(s2, 0);
    o.lanes["s3"] = tally(s3, 0);
    o.total = s1 + s2 + s3;
    return o;
}

const std::map<std::string, int> k602020{{"s1", 60}, {"s2", 20}, {"s3", 20}};

} // namespace

class TestGates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chiSquarePValues_data()
    {
        QTest::addColumn<double>("statistic");
        QTest::addColumn<int>("degrees");
        QTest::addColumn<double>("pValue");
        // Critical values from the chi-square table; for 2 degrees of freedom p = exp(-x/2) exactly.
        QTest::addRow("df1-5pct") << 3.841458820694124 << 1 << 0.05;
        QTest::addRow("df2-5pct") << 5.991464547107979 << 2 << 0.05;
        QTest::addRow("df2-1pct") << 9.21034037197618 << 2 << 0.01;
        QTest::addRow("df3-0.1pct") << 16.26623619623813 << 3 << 0.001;
        QTest::addRow("df2-exp") << 16.666666666666668 << 2 << 0.00024036947641951407;
    }
    void chiSquarePValues()
    {
        QFETCH(double, statistic);
        QFETCH(int, degrees);
        QFETCH(double, pValue);
        QVERIFY2(std::abs(traffic::chiSquarePValue(statistic, degrees) - pValue) < pValue * 1e-6,
                 std::to_string(traffic::chiSquarePValue(statistic, degrees)).c_str());
    }

    void errorRateAbsolute_data()
    {
        QTest::addColumn<int>("served");
        QTest::addColumn<int>("errors");
        QTest::addColumn<double>("max");
        QTest::addColumn<bool>("fails");
        QTest::addColumn<QString>("text");
        // 20/100: Wilson 95% 13.3%..28.9%; its lower end is above 5%, so the lane is worse with confidence.
        QTest::addRow("20-of-100-over-5pct")
            << 80 << 20 << 0.05 << true << QStringLiteral("CI 13.3%-28.9%, 20/100) > max 5.0%");
        // 6/100: 2.8%..12.5%: above 5% on its face, but not with confidence: no rollback for noise.
        QTest::addRow("6-of-100-not-sure")
            << 94 << 6 << 0.05 << false << QStringLiteral("CI 2.8%-12.5%, 6/100) <= max 5.0%");
        // 8/40: lower end 10.5%: a small window still catches a 20% fault against a 5% gate.
        QTest::addRow("8-of-40-over-5pct") << 32 << 8 << 0.05 << true << QStringLiteral("CI 10.5%-34.8%");
        QTest::addRow("20-of-100-under-15pct") << 80 << 20 << 0.15 << false << QStringLiteral("<= max 15.0%");
        QTest::addRow("none-failed") << 100 << 0 << 0.0 << false << QStringLiteral("errors 0.0%");
    }
    void errorRateAbsolute()
    {
        QFETCH(int, served);
        QFETCH(int, errors);
        QFETCH(double, max);
        QFETCH(bool, fails);
        QFETCH(QString, text);
        const auto result = judgeErrorRate(max, "s2", tally(std::uint64_t(served), std::uint64_t(errors)));
        QCOMPARE(toString(result.verdict), toString(fails ? Verdict::Fail : Verdict::Pass));
        QCOMPARE(result.measurement, double(errors) / double(served + errors));
        QCOMPARE(result.threshold, max);
        QVERIFY2(QString::fromStdString(result.text).contains(text), result.text.c_str());
    }

    void errorRateRelative_data()
    {
        QTest::addColumn<int>("laneErrors");
        QTest::addColumn<int>("baseErrors");
        QTest::addColumn<double>("maxIncrease");
        QTest::addColumn<bool>("fails");
        // 10/100 vs 5/100: z = 0.05 / 0.0371 = 1.35 < 1.645: not a significant increase.
        QTest::addRow("10-vs-5-z1.35") << 10 << 5 << 0.0 << false;
        // 20/100 vs 5/100: z = 0.15 / 0.0456 = 3.29: significant.
        QTest::addRow("20-vs-5-z3.29") << 20 << 5 << 0.0 << true;
        // Allowed 10 points above: 20 vs 5 is (0.15 - 0.10) / 0.0456 = 1.10: within.
        QTest::addRow("20-vs-5-allowed-10pt") << 20 << 5 << 0.10 << false;
        // No variance on either side: the exact difference decides.
        QTest::addRow("0-vs-0") << 0 << 0 << 0.0 << false;
        QTest::addRow("100-vs-0") << 100 << 0 << 0.5 << true;
    }
    void errorRateRelative()
    {
        QFETCH(int, laneErrors);
        QFETCH(int, baseErrors);
        QFETCH(double, maxIncrease);
        QFETCH(bool, fails);
        const auto lane = tally(std::uint64_t(100 - laneErrors), std::uint64_t(laneErrors));
        const auto base = tally(std::uint64_t(100 - baseErrors), std::uint64_t(baseErrors));
        const auto result = judgeErrorIncrease(maxIncrease, "s2", lane, base);
        QCOMPARE(toString(result.verdict), toString(fails ? Verdict::Fail : Verdict::Pass));
        QVERIFY(std::abs(result.measurement - (laneErrors - baseErrors) / 100.0) < 1e-12);
    }

    void relativeGatesPassWithoutBaselineTraffic()
    {
        const auto error = judgeErrorIncrease(0.0, "s2", tally(50, 50), LaneTally{});
        QCOMPARE(toString(error.verdict), toString(Verdict::Pass));
        QVERIFY(error.text.find("no baseline") != std::string::npos);
        const auto latency = judgeLatencyRatio(1.5, "s2", tally(50, 0), LaneTally{});
        QCOMPARE(toString(latency.verdict), toString(Verdict::Pass));
    }

    void p99FromTheHistogram_data()
    {
        QTest::addColumn<qint64>("max");
        QTest::addColumn<bool>("fails");
        // Latencies 1..100 µs (counted exactly below 256 µs): p99 is 99 µs.
        QTest::addRow("under") << qint64(99) << false;
        QTest::addRow("over") << qint64(98) << true;
    }
    void p99FromTheHistogram()
    {
        QFETCH(qint64, max);
        QFETCH(bool, fails);
        LaneTally t;
        for (int us = 1; us <= 100; ++us) {
            t.latency.record(us);
            ++t.served;
        }
        const auto result = judgeLatency(max, "s2", t);
        QCOMPARE(result.measurement, 99.0);
        QCOMPARE(toString(result.verdict), toString(fails ? Verdict::Fail : Verdict::Pass));
    }

    // The mesh's telemetry as the gates see it: each lane's ingress requests split into errors (by its
    // entry workload's rate) and served ones, the p99 Prometheus computed, the leaks of every hop.
    void observationFromTheMeshsTelemetry()
    {
        telemetry::MeshTelemetry view;
        view.split.total = 1000;
        view.split.lanes.resize(3);
        view.split.lanes[0].name = "s1";
        view.split.lanes[0].count = 600;
        view.split.lanes[0].p99 = 40'000;
        view.split.lanes[1].name = "s2";
        view.split.lanes[1].count = 200;
        view.split.lanes[1].p99 = 310'000;
        view.split.lanes[2].name = "s3"; // no requests: no latency either
        view.laneErrorRates = {0.0, 0.25, 0.0};
        view.leaked = 6.6;
        const Observation o = observationFromTelemetry(view);
        QCOMPARE(o.total, 1000u);
        QCOMPARE(o.leaked, 7u);
        QCOMPARE(o.lanes.at("s1").served, 600u);
        QCOMPARE(o.lanes.at("s2").errors, 50u);
        QCOMPARE(o.lanes.at("s2").served, 150u);
        QCOMPARE(o.lanes.at("s2").p99(), 310'000.0);
        QVERIFY(!o.lanes.at("s3").hasLatency());
        // The gates judge those numbers as they judge the sampler's.
        QCOMPARE(toString(judgeLatency(300'000, "s2", o.lanes.at("s2")).verdict), toString(Verdict::Fail));
        QCOMPARE(judgeLatencyRatio(5.0, "s2", o.lanes.at("s2"), o.lanes.at("s1")).measurement, 7.75);
        QCOMPARE(toString(judgeErrorRate(0.05, "s2", o.lanes.at("s2")).verdict), toString(Verdict::Fail));
        QCOMPARE(toString(judgeLeaks(0, o).verdict), toString(Verdict::Fail));
    }

    void p99AgainstTheBaseline()
    {
        LaneTally lane, base;
        for (int us = 1; us <= 100; ++us) {
            lane.latency.record(2 * us); // p99 198 µs
            base.latency.record(us);     // p99 99 µs
        }
        QCOMPARE(toString(judgeLatencyRatio(2.0, "s2", lane, base).verdict), toString(Verdict::Pass));
        QCOMPARE(toString(judgeLatencyRatio(1.9, "s2", lane, base).verdict), toString(Verdict::Fail));
        QCOMPARE(judgeLatencyRatio(1.9, "s2", lane, base).measurement, 2.0);
    }

    void splitAgainstTheStepWeights_data()
    {
        QTest::addColumn<int>("s1");
        QTest::addColumn<int>("s2");
        QTest::addColumn<int>("s3");
        QTest::addColumn<double>("pValue");
        QTest::addColumn<bool>("fails");
        QTest::addRow("exact") << 600 << 200 << 200 << 1.0 << false;
        // chi2 = 50^2/600 + 50^2/200 = 16.67 with 2 df: p = exp(-8.33) = 2.4e-4 < 0.001.
        QTest::addRow("s2-high") << 550 << 250 << 200 << 0.00024036947641951407 << true;
    }
    void splitAgainstTheStepWeights()
    {
        QFETCH(int, s1);
        QFETCH(int, s2);
        QFETCH(int, s3);
        QFETCH(double, pValue);
        QFETCH(bool, fails);
        const auto result =
            judgeSplit(0.001, split(std::uint64_t(s1), std::uint64_t(s2), std::uint64_t(s3)), k602020);
        QVERIFY2(std::abs(result.measurement - pValue) < 1e-9, result.text.c_str());
        QCOMPARE(toString(result.verdict), toString(fails ? Verdict::Fail : Verdict::Pass));
    }

    void responsesFromAZeroWeightLaneFailTheSplit()
    {
        const auto result = judgeSplit(0.001, split(900, 0, 100), {{"s1", 100}, {"s2", 0}, {"s3", 0}});
        QCOMPARE(toString(result.verdict), toString(Verdict::Fail));
        QVERIFY2(result.text.find("100 responses from lanes at weight 0 (s3)") != std::string::npos,
                 result.text.c_str());
    }

    void leaks()
    {
        Observation o = split(10, 10, 10);
        QCOMPARE(toString(judgeLeaks(0, o).verdict), toString(Verdict::Pass));
        o.leaked = 1;
        QCOMPARE(toString(judgeLeaks(0, o).verdict), toString(Verdict::Fail));
        QCOMPARE(toString(judgeLeaks(1, o).verdict), toString(Verdict::Pass));
    }

    void tooFewRequestsWait_data()
    {
        QTest::addColumn<int>("minRequests");
        QTest::addColumn<int>("verdict");
        QTest::addRow("below-minimum-waits") << 1001 << int(Verdict::Wait);
        QTest::addRow("at-minimum-judges") << 1000 << int(Verdict::Fail);
    }
    void tooFewRequestsWait()
    {
        QFETCH(int, minRequests);
        QFETCH(int, verdict);
        Observation o = split(600, 200, 200);
        o.lanes["s2"] = tally(100, 100); // half of s2 fails
        o.total = 1000;
        Gates gates;
        gates.errorRate = ErrorRateGate{0.05, std::nullopt};
        gates.split = SplitGate{};
        const auto results = judge(gates, o, "s2", "s1", k602020, std::uint64_t(minRequests));
        QCOMPARE(results.size(), std::size_t(2));
        QCOMPARE(int(overall(results)), verdict);
        if (verdict == int(Verdict::Wait)) {
            QCOMPARE(results.front().text, std::string("waiting: 1000 of 1001 requests"));
        }
    }

    void addRunAttributesFailuresToTheirLane()
    {
        traffic::SampleRun run;
        run.laneNames = {"s1", "s2"};
        auto sample = [](std::int32_t lane, traffic::ErrorKind error, traffic::Outcome outcome) {
            traffic::Sample s;
            s.lane = lane;
            s.error = error;
            s.outcome = outcome;
            s.latencyMicros = 100;
            return s;
        };
        run.samples = {sample(0, traffic::ErrorKind::None, traffic::Outcome::InLane),
                       sample(1, traffic::ErrorKind::HttpStatus, traffic::Outcome::Unclassified),
                       sample(-1, traffic::ErrorKind::Timeout, traffic::Outcome::Unclassified),
                       sample(-1, traffic::ErrorKind::None, traffic::Outcome::Leaked)};
        Observation o;
        addRun(o, run);
        QCOMPARE(o.total, 4u);
        QCOMPARE(o.lanes["s1"].served, 1u);
        QCOMPARE(o.lanes["s2"].errors, 1u);
        QCOMPARE(o.unattributedErrors, 1u);
        QCOMPARE(o.leaked, 1u);
    }
};

QTEST_APPLESS_MAIN(TestGates)
#include "tst_gates.moc"

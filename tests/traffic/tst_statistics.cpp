// The statistics against published values: Wilson intervals (Newcombe 1998), chi-square critical values
// from standard tables, closed forms of the incomplete gamma function, and the histogram's precision.
#include "traffic/histogram.h"
#include "traffic/statistics.h"
#include "traffic/summary.h"

#include <QtTest>

#include <cmath>

using namespace lanedeck::traffic;

class TestStatistics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wilson_data()
    {
        QTest::addColumn<quint64>("successes");
        QTest::addColumn<quint64>("trials");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addRow("newcombe-0-of-10") << quint64(0) << quint64(10) << 0.0 << 0.2775;
        QTest::addRow("newcombe-5-of-10") << quint64(5) << quint64(10) << 0.2366 << 0.7634;
        QTest::addRow("newcombe-81-of-263") << quint64(81) << quint64(263) << 0.2553 << 0.3662;
        QTest::addRow("newcombe-15-of-148") << quint64(15) << quint64(148) << 0.0624 << 0.1605;
        QTest::addRow("all-of-1") << quint64(1) << quint64(1) << 0.2065 << 1.0;
        QTest::addRow("no-trials") << quint64(0) << quint64(0) << 0.0 << 1.0;
    }

    void wilson()
    {
        QFETCH(quint64, successes);
        QFETCH(quint64, trials);
        QFETCH(double, low);
        QFETCH(double, high);
        const Interval interval = wilsonInterval(successes, trials);
        QVERIFY2(std::fabs(interval.low - low) < 5e-5, std::to_string(interval.low).c_str());
        QVERIFY2(std::fabs(interval.high - high) < 5e-5, std::to_string(interval.high).c_str());
    }

    void chiSquareCriticalValues_data()
    {
        QTest::addColumn<double>("statistic");
        QTest::addColumn<int>("degrees");
        QTest::addColumn<double>("p");
        QTest::addRow("df1-0.05") << 3.841459 << 1 << 0.05;
        QTest::addRow("df1-0.01") << 6.634897 << 1 << 0.01;
        QTest::addRow("df2-0.05") << 5.991465 << 2 << 0.05;
        QTest::addRow("df2-0.01") << 9.210340 << 2 << 0.01;
        QTest::addRow("df3-0.05") << 7.814728 << 3 << 0.05;
        QTest::addRow("df5-0.05") << 11.070498 << 5 << 0.05;
        QTest::addRow("df10-0.95") << 3.940299 << 10 << 0.95;
        QTest::addRow("df100-0.05") << 124.342113 << 100 << 0.05;
        QTest::addRow("df2-exp") << 4.0 << 2 << std::exp(-2.0);
        QTest::addRow("df2-zero") << 0.0 << 2 << 1.0;
        QTest::addRow("df1-1e-6") << 23.928127 << 1 << 1e-6;
    }

    void chiSquareCriticalValues()
    {
        QFETCH(double, statistic);
        QFETCH(int, degrees);
        QFETCH(double, p);
        const double computed = chiSquarePValue(statistic, degrees);
        QVERIFY2(std::fabs(computed - p) <= 1e-6 * std::max(1.0, p * 10), std::to_string(computed).c_str());
    }

    void incompleteGammaClosedForms_data()
    {
        QTest::addColumn<double>("a");
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("p");
        for (double x : {0.01, 0.5, 1.0, 2.0, 7.5, 30.0}) {
            // P(1, x) = 1 - e^-x; P(1/2, x) = erf(sqrt x); P(3, x) = 1 - e^-x (1 + x + x^2/2)
            QTest::addRow("a1-x%g", x) << 1.0 << x << 1.0 - std::exp(-x);
            QTest::addRow("a0.5-x%g", x) << 0.5 << x << std::erf(std::sqrt(x));
            QTest::addRow("a3-x%g", x) << 3.0 << x << 1.0 - std::exp(-x) * (1.0 + x + x * x / 2.0);
        }
    }

    void incompleteGammaClosedForms()
    {
        QFETCH(double, a);
        QFETCH(double, x);
        QFETCH(double, p);
        QVERIFY2(std::fabs(regularizedGammaP(a, x) - p) < 1e-12,
                 std::to_string(regularizedGammaP(a, x)).c_str());
        QVERIFY(std::fabs(regularizedGammaQ(a, x) - (1.0 - p)) < 1e-12);
    }

    void goodnessOfFit_data()
    {
        QTest::addColumn<QList<quint64>>("observed");
        QTest::addColumn<double>("statistic");
        QTest::addColumn<double>("p");
        QTest::addRow("exact") << QList<quint64>{600, 200, 200} << 0.0 << 1.0;
        // (30^2/600 + 10^2/200 + 20^2/200) = 4, df 2: p = e^-2
        QTest::addRow("off-by-4") << QList<quint64>{630, 190, 180} << 4.0 << std::exp(-2.0);
        QTest::addRow("far-off") << QList<quint64>{500, 300, 200} << 66.6666666667
                                 << std::exp(-33.3333333333);
    }

    void goodnessOfFit()
    {
        QFETCH(QList<quint64>, observed);
        QFETCH(double, statistic);
        QFETCH(double, p);
        const auto result = chiSquareGoodnessOfFit({observed.begin(), observed.end()}, {60, 20, 20});
        QCOMPARE(result.degrees, 2);
        QVERIFY(std::fabs(result.statistic - statistic) < 1e-6);
        QVERIFY2(std::fabs(result.pValue - p) <= 1e-9 + 1e-6 * p, std::to_string(result.pValue).c_str());
    }

    void histogramBuckets_data()
    {
        QTest::addColumn<qint64>("value");
        for (qint64 v : {0ll, 1ll, 255ll, 256ll, 257ll, 511ll, 512ll, 1000ll, 123456ll, 999999ll, 60000000ll,
                         (1ll << 34) + 12345})
            QTest::addRow("%lld", v) << v;
    }

    void histogramBuckets()
    {
        QFETCH(qint64, value);
        const auto bucket = LatencyHistogram::bucketOf(value);
        QVERIFY(bucket < LatencyHistogram::kBuckets);
        QVERIFY(LatencyHistogram::bucketLow(bucket) <= value);
        QVERIFY(LatencyHistogram::bucketHigh(bucket) >= value);
        // within 1/128 of the value: HdrHistogram's precision guarantee at this sub-bucket count
        QVERIFY(double(LatencyHistogram::bucketHigh(bucket) - LatencyHistogram::bucketLow(bucket)) <=
                double(value) / 128.0);
        if (bucket + 1 < LatencyHistogram::kBuckets) {
            QCOMPARE(LatencyHistogram::bucketLow(bucket + 1),
                     LatencyHistogram::bucketHigh(bucket) + 1); // contiguous
        }
    }

    void histogramPercentiles()
    {
        LatencyHistogram h;
        QCOMPARE(h.percentile(50), 0);
        for (int v = 1; v <= 10000; ++v) {
            h.record(v);
        }
        QCOMPARE(h.count(), 10000u);
        QCOMPARE(h.min(), 1);
        QCOMPARE(h.max(), 10000);
        QVERIFY(std::fabs(h.mean() - 5000.5) < 1e-9);
        for (auto [p, exact] : {std::pair{50.0, 5000.0}, {90.0, 9000.0}, {99.0, 9900.0}, {100.0, 10000.0}}) {
            const auto value = double(h.percentile(p));
            QVERIFY2(value >= exact && value <= exact * (1.0 + 1.0 / 128.0), std::to_string(value).c_str());
        }
        LatencyHistogram single;
        single.record(123456);
        QCOMPARE(single.percentile(50), 123456); // clamped to the largest value seen
        LatencyHistogram merged;
        merged.merge(h);
        merged.merge(single);
        QCOMPARE(merged.count(), 10001u);
        QCOMPARE(merged.max(), 123456);
    }

    void verdict_data()
    {
        QTest::addColumn<QList<quint64>>("counts");
        QTest::addColumn<quint64>("leaked");
        QTest::addColumn<bool>("matches");
        QTest::addColumn<QString>("verdict");
        QTest::addRow("matches") << QList<quint64>{612, 195, 193} << quint64(0) << true
                                 << QStringLiteral("matches 60/20/20, p = 0.");
        QTest::addRow("s2-high") << QList<quint64>{500, 300, 200} << quint64(0) << false
                                 << QStringLiteral("does not match 60/20/20 (p = 3.3e-15): s2 got 30.0%");
        QTest::addRow("leaks") << QList<quint64>{600, 200, 200} << quint64(5) << false
                               << QStringLiteral("5 leaked (matched no lane's path)");
    }

    void verdict()
    {
        QFETCH(QList<quint64>, counts);
        QFETCH(quint64, leaked);
        QFETCH(bool, matches);
        QFETCH(QString, verdict);
        Aggregate aggregate({{"s1", 60}, {"s2", 20}, {"s3", 20}});
        std::uint64_t sequence = 0;
        for (int lane = 0; lane < 3; ++lane) {
            for (quint64 i = 0; i < counts[lane]; ++i) {
                Sample s;
                s.sequence = sequence++;
                s.latencyMicros = 1000 + lane;
                s.lane = lane;
                s.outcome = Outcome::InLane;
                aggregate.add(s);
            }
        }
        for (quint64 i = 0; i < leaked; ++i) {
            Sample s;
            s.outcome = Outcome::Leaked;
            aggregate.add(s);
        }
        const Summary summary = summarize(aggregate);
        QCOMPARE(summary.matches, matches);
        QVERIFY2(QString::fromStdString(summary.verdict).contains(verdict), summary.verdict.c_str());
        QCOMPARE(summary.lanes[1].p50, 1001);
    }

    // A failed response that carried a chain counts under failedChains, not as an answered path; merging two
    // threads' totals adds both.
    void failedChainsAreKeptApart()
    {
        Aggregate first({{"s1", 100}});
        Aggregate second({{"s1", 100}});
        const std::int32_t ok = first.chainIndexOf("-> a(version: v1, ip: x)");
        const std::int32_t failedAtB =
            second.chainIndexOf("-> a(version: v1, ip: x)-> b(version: v1, ip: y)");
        for (int i = 0; i < 3; ++i) {
            Sample s;
            s.lane = 0;
            s.outcome = Outcome::InLane;
            s.chain = ok;
            first.add(s);
        }
        for (int i = 0; i < 2; ++i) {
            Sample s;
            s.error = ErrorKind::HttpStatus;
            s.chain = failedAtB;
            second.add(s);
        }
        Sample unchained;
        unchained.error = ErrorKind::Connect;
        second.add(unchained);
        first.merge(second);
        const Summary summary = summarize(first);
        QCOMPARE(summary.chains.size(), std::size_t(1));
        QCOMPARE(summary.chains[0].count, std::uint64_t(3));
        QCOMPARE(summary.failedChains.size(), std::size_t(1));
        QCOMPARE(summary.failedChains[0].chain,
                 std::string("-> a(version: v1, ip: x)-> b(version: v1, ip: y)"));
        QCOMPARE(summary.failedChains[0].count, std::uint64_t(2));
        QCOMPARE(summary.errorCount(), std::uint64_t(3));
    }
};

QTEST_APPLESS_MAIN(TestStatistics)
#include "tst_statistics.moc"

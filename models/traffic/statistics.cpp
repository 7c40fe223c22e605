#include "traffic/statistics.h"

#include <cmath>
#include <limits>

namespace lanedeck::traffic {

namespace {

constexpr int kMaxIterations = 1000;
constexpr double kEpsilon = 1e-15;

double gammaSeries(double a, double x)
{
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < kMaxIterations; ++n) {
        term *= x / (a + n);
        sum += term;
        if (std::fabs(term) < std::fabs(sum) * kEpsilon) {
            break;
        }
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

double gammaContinuedFraction(double a, double x)
{
    const double tiny = std::numeric_limits<double>::min() / kEpsilon;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < kMaxIterations; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < tiny) {
            d = tiny;
        }
        c = b + an / c;
        if (std::fabs(c) < tiny) {
            c = tiny;
        }
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < kEpsilon) {
            break;
        }
    }
    return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

} // namespace

Interval wilsonInterval(std::uint64_t successes, std::uint64_t trials, double z)
{
    if (trials == 0) {
        return {0.0, 1.0};
    }
    const double n = double(trials);
    const double p = double(successes) / n;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / n;
    const double centre = (p + z2 / (2.0 * n)) / denominator;
    const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double regularizedGammaP(double a, double x)
{
    if (x <= 0.0 || a <= 0.0) {
        return 0.0;
    }
    return x < a + 1.0 ? gammaSeries(a, x) : 1.0 - gammaContinuedFraction(a, x);
}

double regularizedGammaQ(double a, double x)
{
    if (x <= 0.0 || a <= 0.0) {
        return 1.0;
    }
    return x < a + 1.0 ? 1.0 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

double chiSquarePValue(double statistic, int degrees)
{
    if (degrees <= 0) {
        return 1.0;
    }
    return regularizedGammaQ(degrees / 2.0, statistic / 2.0);
}

ChiSquareResult chiSquareGoodnessOfFit(const std::vector<std::uint64_t> &observed,
                                       const std::vector<double> &weights)
{
    ChiSquareResult result;
    double total = 0.0;
    double weightSum = 0.0;
    int categories = 0;
    for (std::size_t i = 0; i < observed.size() && i < weights.size(); ++i) {
        if (weights[i] > 0.0) {
            total += double(observed[i]);
            weightSum += weights[i];
            ++categories;
        }
    }
    if (total == 0.0 || categories < 2) {
        return result;
    }
    for (std::size_t i = 0; i < observed.size() && i < weights.size(); ++i) {
        if (weights[i] > 0.0) {
            const double expected = total * weights[i] / weightSum;
            const double difference = double(observed[i]) - expected;
            result.statistic += difference * difference / expected;
        }
    }
    result.degrees = categories - 1;
    result.pValue = chiSquarePValue(result.statistic, result.degrees);
    return result;
}

} // namespace lanedeck::traffic

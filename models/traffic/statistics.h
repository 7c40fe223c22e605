#pragma once

#include <cstdint>
#include <vector>

namespace lanedeck::traffic {

/// A confidence interval for a proportion.
struct Interval
{
    double low = 0.0;
    double high = 0.0;
};

/// z for a two-sided 95% interval.
inline constexpr double kZ95 = 1.959963984540054;

/// The Wilson score interval for `successes` out of `trials` (well-behaved near 0 and 1 and for small
/// samples, unlike the normal approximation). [0, 1] when there are no trials.
Interval wilsonInterval(std::uint64_t successes, std::uint64_t trials, double z = kZ95);

/// The regularized lower incomplete gamma function P(a, x) and its complement Q(a, x) = 1 - P(a, x),
/// by series for x < a + 1 and by Lentz's continued fraction otherwise (Numerical Recipes 6.2).
double regularizedGammaP(double a, double x);
double regularizedGammaQ(double a, double x);

/// The survival function of the chi-square distribution: P(X >= statistic) with `degrees` of freedom.
double chiSquarePValue(double statistic, int degrees);

struct ChiSquareResult
{
    double statistic = 0.0;
    int degrees = 0;
    double pValue = 1.0;
};

/// Pearson's goodness-of-fit test of observed counts against expected proportions (any positive scale).
/// Categories with zero expected weight are left out; the caller reports counts observed in them separately.
ChiSquareResult chiSquareGoodnessOfFit(const std::vector<std::uint64_t> &observed,
                                       const std::vector<double> &weights);

} // namespace lanedeck::traffic

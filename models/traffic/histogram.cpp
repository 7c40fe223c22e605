#include "traffic/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lanedeck::traffic {

std::size_t LatencyHistogram::bucketOf(std::int64_t micros)
{
    const auto value = static_cast<std::uint64_t>(
        std::clamp<std::int64_t>(micros, 0, (std::int64_t(1) << kMaxExponent) - 1));
    if (value < std::uint64_t(2 * kSubBuckets)) {
        return static_cast<std::size_t>(value);
    }
    // value has bit_width(value) bits; keep its top kSubBucketBits + 1 bits.
    const int shift = std::bit_width(value) - 1 - kSubBucketBits;
    return static_cast<std::size_t>(shift) * kSubBuckets + static_cast<std::size_t>(value >> shift);
}

std::int64_t LatencyHistogram::bucketLow(std::size_t index)
{
    const auto i = static_cast<std::int64_t>(index);
    if (i < 2 * kSubBuckets) {
        return i;
    }
    const std::int64_t shift = i / kSubBuckets - 1;
    return (i - shift * kSubBuckets) << shift;
}

std::int64_t LatencyHistogram::bucketHigh(std::size_t index)
{
    const auto i = static_cast<std::int64_t>(index);
    if (i < 2 * kSubBuckets) {
        return i;
    }
    const std::int64_t shift = i / kSubBuckets - 1;
    return bucketLow(index) + (std::int64_t(1) << shift) - 1;
}

void LatencyHistogram::record(std::int64_t micros)
{
    micros = std::max<std::int64_t>(0, micros);
    ++m_counts[bucketOf(micros)];
    m_min = m_count ? std::min(m_min, micros) : micros;
    m_max = std::max(m_max, micros);
    m_sum += micros;
    ++m_count;
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (!other.m_count) {
        return;
    }
    for (std::size_t i = 0; i < kBuckets; ++i) {
        m_counts[i] += other.m_counts[i];
    }
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = std::max(m_max, other.m_max);
    m_sum += other.m_sum;
    m_count += other.m_count;
}

std::int64_t LatencyHistogram::percentile(double p) const
{
    if (!m_count) {
        return 0;
    }
    // The rank of the value at p, 1-based: p = 50 of 4 values is the 2nd, p = 100 the last.
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * double(m_count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += m_counts[i];
        if (seen >= rank) {
            return std::min(bucketHigh(i), m_max);
        }
    }
    return m_max;
}

} // namespace lanedeck::traffic

#pragma once

#include <array>
#include <cstdint>

namespace lanedeck::traffic {

/// Latencies in microseconds in fixed memory, HdrHistogram-style: values below 256 µs are counted exactly,
/// larger ones in 128 linear sub-buckets per power of two, so every recorded value is known to within
/// 1/128 (0.8%) up to about 9.5 hours. Adding is O(1) and allocation-free; copies are cheap (30 KiB).
class LatencyHistogram final
{
public:
    static constexpr int kSubBucketBits = 7;
    static constexpr std::int64_t kSubBuckets = std::int64_t(1) << kSubBucketBits;
    static constexpr int kMaxExponent = 35; ///< values up to 2^35 µs; larger ones are clamped
    static constexpr std::size_t kBuckets =
        std::size_t(kMaxExponent - kSubBucketBits) * kSubBuckets + 2 * kSubBuckets;

    void record(std::int64_t micros);
    void merge(const LatencyHistogram &other);

    std::uint64_t count() const { return m_count; }
    std::int64_t min() const { return m_count ? m_min : 0; }
    std::int64_t max() const { return m_max; }
    double mean() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }
    /// The value at percentile `p` (0..100): the highest value equivalent to the bucket that holds it, never
    /// above the largest value recorded. 0 when empty.
    std::int64_t percentile(double p) const;

    static std::size_t bucketOf(std::int64_t micros);
    /// The smallest and largest value a bucket holds.
    static std::int64_t bucketLow(std::size_t index);
    static std::int64_t bucketHigh(std::size_t index);

private:
    std::array<std::uint64_t, kBuckets> m_counts{};
    std::uint64_t m_count = 0;
    std::int64_t m_min = 0;
    std::int64_t m_max = 0;
    std::int64_t m_sum = 0;
};

} // namespace lanedeck::traffic

#pragma once
// What the GUI benches measure of the GUI thread: its CPU time, and how long it was kept from its events
// (the longest gap between the beats of a 1 ms timer). Header-only, for bench_topology and bench_telemetry.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>

#include <time.h>

namespace lanedeck::bench {

/// CPU time of the calling thread, in ms.
inline double threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

/// A 1 ms timer on the calling (GUI) thread, beating while the event loop runs: longestGapMs() is the
/// longest stretch since reset() in which the thread ran no event (including the one still going).
class Heartbeat
{
public:
    Heartbeat()
    {
        m_clock.start();
        m_beat.setTimerType(Qt::PreciseTimer);
        m_beat.setInterval(1);
        QObject::connect(&m_beat, &QTimer::timeout, &m_beat, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_longest = std::max(m_longest, now - m_last);
            m_last = now;
        });
        m_beat.start();
    }

    void reset()
    {
        m_last = m_clock.nsecsElapsed();
        m_longest = 0;
    }

    double longestGapMs() const
    {
        return static_cast<double>(std::max(m_longest, m_clock.nsecsElapsed() - m_last)) / 1e6;
    }

private:
    QElapsedTimer m_clock;
    QTimer m_beat;
    qint64 m_last = 0;
    qint64 m_longest = 0;
};

} // namespace lanedeck::bench

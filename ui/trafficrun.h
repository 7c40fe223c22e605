#pragma once

#include "traffic/sampler.h"

#include <QObject>
#include <QString>

#include <memory>

namespace lanedeck::ui {

/// One run of the core's traffic::Sampler, adapted for the GUI thread. The sampler works on its own threads;
/// its snapshots reach the GUI thread as a queued typed signal, latest wins: a snapshot the GUI thread has
/// not taken yet is replaced by the next one instead of queueing behind it, so a busy GUI never piles up work
/// and never does anything per sample. The finished run arrives as one more signal. Deleting the object stops
/// the run; the sampler then ends in the background and nothing more is delivered.
class TrafficRun final : public QObject
{
    Q_OBJECT
public:
    TrafficRun(traffic::SamplerConfig config, traffic::Classifier classifier, QObject *parent = nullptr);
    ~TrafficRun() override;

    /// Starts sampling; false (with `error` in words) on an invalid configuration.
    bool start(QString *error);
    /// Asks the run to end now; finished() follows with what was sampled so far.
    void stop();
    bool isRunning() const { return m_running; }
    const traffic::SamplerConfig &config() const { return m_config; }

Q_SIGNALS:
    /// The statistics so far, at most every SamplerConfig::snapshotInterval.
    void snapshot(const lanedeck::traffic::Summary &summary);
    /// The run ended (all sent, duration over, or stopped): every sample and the final summary.
    void finished(const std::shared_ptr<const lanedeck::traffic::SampleRun> &run);

private:
    struct Mailbox;
    void deliver();

    traffic::SamplerConfig m_config;
    std::shared_ptr<traffic::Sampler> m_sampler;
    std::shared_ptr<Mailbox> m_mailbox;
    bool m_running = false;
};

} // namespace lanedeck::ui

#include "ui/trafficrun.h"

#include "ui/qtconvert.h"
#include "ui/whenfinished.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <mutex>
#include <optional>

namespace lanedeck::ui {
namespace {
/// The threads that wait for runs to end. Each is blocked for a whole run, so they have a pool of their own
/// instead of taking the global pool's few threads (two on a two-core machine) from pushes and diffs.
Q_GLOBAL_STATIC(QThreadPool, waitingThreads)
} // namespace

/// What the sampler's snapshot thread hands to the GUI thread: the latest summary, and whether a delivery
/// is already queued. Shared with the callback, so it outlives the TrafficRun if the sampler does.
struct TrafficRun::Mailbox
{
    std::mutex mutex;
    TrafficRun *receiver = nullptr; ///< null once the run is deleted: nothing more is posted
    std::optional<traffic::Summary> latest;
    bool posted = false;
};

TrafficRun::TrafficRun(traffic::SamplerConfig config, traffic::Classifier classifier, QObject *parent)
    : QObject(parent), m_config(config),
      m_sampler(std::make_shared<traffic::Sampler>(config, std::move(classifier))),
      m_mailbox(std::make_shared<Mailbox>())
{
    m_mailbox->receiver = this;
    m_sampler->setSnapshotCallback([mailbox = m_mailbox](const traffic::Summary &summary) {
        std::lock_guard lock(mailbox->mutex);
        mailbox->latest = summary;
        if (mailbox->receiver && !mailbox->posted) {
            mailbox->posted = true;
            // The receiver cannot be deleted meanwhile: its destructor takes this lock first. Events posted
            // to it are discarded by Qt if it is deleted before they are delivered.
            QMetaObject::invokeMethod(mailbox->receiver, &TrafficRun::deliver, Qt::QueuedConnection);
        }
    });
}

TrafficRun::~TrafficRun()
{
    {
        std::lock_guard lock(m_mailbox->mutex);
        m_mailbox->receiver = nullptr;
    }
    // The waiting task holds the sampler too, so the sampler is joined on the pool thread, not here.
    m_sampler->requestStop();
}

bool TrafficRun::start(QString *error)
{
    if (auto started = m_sampler->start(); !started) {
        if (error) {
            *error = toQString(started.error().message);
        }
        return false;
    }
    m_running = true;
    waitingThreads->setMaxThreadCount(64);
    // Not QFuture::then(this, ...): this run may be deleted (superseded) before its sampler ends.
    const auto ended = QtConcurrent::run(waitingThreads(), [sampler = m_sampler] {
        return std::make_shared<const traffic::SampleRun>(sampler->wait());
    });
    whenFinished(ended, this, [this](const std::shared_ptr<const traffic::SampleRun> &run) {
        m_running = false;
        {
            // The final summary supersedes any snapshot still waiting for delivery.
            std::lock_guard lock(m_mailbox->mutex);
            m_mailbox->latest.reset();
        }
        Q_EMIT snapshot(run->summary);
        Q_EMIT finished(run);
    });
    return true;
}

void TrafficRun::stop()
{
    m_sampler->requestStop();
}

void TrafficRun::deliver()
{
    std::optional<traffic::Summary> summary;
    {
        std::lock_guard lock(m_mailbox->mutex);
        summary.swap(m_mailbox->latest);
        m_mailbox->posted = false;
    }
    if (summary && m_running) {
        Q_EMIT snapshot(*summary);
    }
}

} // namespace lanedeck::ui

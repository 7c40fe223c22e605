#include "ui/sandboxtarget.h"

#include "mesh/render.h"
#include "rollout/runner.h"
#include "sandbox/sandbox.h"
#include "ui/qtconvert.h"
#include "ui/whenfinished.h"

#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <map>
#include <mutex>
#include <set>

namespace lanedeck::ui {

/// What the pool threads share with the source: one sandbox, what it runs, and a lock that serializes pushes.
struct SandboxTargetSource::State
{
    std::mutex mutex;
    std::unique_ptr<sandbox::Sandbox> box;
    LaneGroup group;
    std::vector<mesh::Resource> resources;
    std::uint64_t seed = 0;
    std::set<std::string> withoutBaggage;              ///< services whose workloads drop the baggage header
    mesh::RenderOptions render{mesh::Flavor::Asm, {}}; ///< how the last push rendered
    /// Faults by (service, version), set again on a sandbox a push restarts.
    std::map<std::pair<std::string, std::string>, sandbox::Fault> faults;
};

namespace {

/// The group without what only the generated routing carries: the sandbox's workloads stay the same when
/// just weights differ, so such a push is an apply, not a restart.
LaneGroup workloadsOf(LaneGroup group)
{
    for (auto &lane : group.lanes) {
        lane.weight = 0;
    }
    return group;
}

/// What one push came to, computed on a pool thread and reported on the GUI thread.
struct PushResult
{
    QList<PushOutcome> outcomes;
    QString error;
    QString gatewayUrl;
    bool applied = false;
};

class SandboxPushJob final : public PushJob
{
public:
    using PushJob::PushJob;
    void cancel() override { *m_cancelled = true; }
    bool cancelled() const { return *m_cancelled; }
    /// Shared with the pool thread, which must not touch the job itself (the dialog may delete it).
    std::shared_ptr<std::atomic<bool>> flag() const { return m_cancelled; }

private:
    std::shared_ptr<std::atomic<bool>> m_cancelled = std::make_shared<std::atomic<bool>>(false);
};

PushResult runPush(SandboxTargetSource::State &state, const LaneGroup &group,
                   const mesh::RenderOptions &render, const PushRequest &request,
                   const std::atomic<bool> &cancelled)
{
    PushResult result;
    if (render.flavor == mesh::Flavor::AsmCrd) {
        result.error =
            QObject::tr("The local sandbox runs the asm or istio flavor, not asm-crd: choose one of them in "
                        "the Resources tab.");
        return result;
    }
    auto rendered = mesh::render(group, render);
    if (!rendered) {
        result.error = toQString(rendered.error().message);
        return result;
    }
    std::lock_guard lock(state.mutex);
    std::map<std::string, const mesh::Resource *> live;
    for (const auto &resource : state.resources) {
        live.emplace(resource.displayName(), &resource);
    }
    for (const auto &resource : rendered->resources) {
        const auto found = live.find(resource.displayName());
        PushOutcome outcome;
        outcome.resource = toQString(resource.displayName());
        outcome.result = found == live.end()                        ? PushOutcome::Result::Created
                         : found->second->object != resource.object ? PushOutcome::Result::Configured
                                                                    : PushOutcome::Result::Unchanged;
        if (found != live.end()) {
            live.erase(found);
        }
        result.outcomes.append(outcome);
    }
    // The sandbox runs exactly what was pushed last, so what is no longer generated goes either way; say so.
    for (const auto &[name, resource] : live) {
        Q_UNUSED(resource);
        result.outcomes.append({toQString(name),
                                request.prune ? PushOutcome::Result::Pruned : PushOutcome::Result::Deleted,
                                QObject::tr("the sandbox runs only the resources of the last push"),
                                {}});
    }
    if (request.dryRun || cancelled) {
        return result;
    }
    const bool sameWorkloads = state.box && workloadsOf(state.group) == workloadsOf(group);
    if (sameWorkloads) {
        if (auto applied = state.box->apply(rendered->resources); !applied) {
            result.error = toQString(applied.error().message);
            return result;
        }
    } else {
        // New workloads (services, lanes or calls changed): restart on the same port, so a sampler keeps its
        // URL.
        sandbox::SandboxOptions options;
        options.seed = state.seed;
        if (state.box) {
            options.gatewayPort = state.box->gatewayPort();
            options.metricsPort = state.box->metricsPort(); // Prometheus keeps scraping the same target
            state.box->stop();
            state.box.reset();
        }
        auto box = std::make_unique<sandbox::Sandbox>(group, options);
        for (const auto &service : state.withoutBaggage) {
            box->setBaggagePropagation(service, false);
        }
        auto started = box->start(rendered->resources);
        if (!started && options.gatewayPort != 0) {
            options.gatewayPort = 0;
            options.metricsPort = 0;
            box = std::make_unique<sandbox::Sandbox>(group, options);
            for (const auto &service : state.withoutBaggage) {
                box->setBaggagePropagation(service, false);
            }
            started = box->start(rendered->resources);
        }
        if (!started) {
            result.error = toQString(started.error().message);
            return result;
        }
        for (const auto &[workload, fault] : state.faults) {
            (void)box->setFault(workload.first, workload.second, fault); // a workload no longer run has none
        }
        state.box = std::move(box);
    }
    state.render = render;
    state.group = group;
    state.resources = rendered->resources;
    result.gatewayUrl = toQString(state.box->gatewayUrl());
    result.applied = true;
    return result;
}

class SandboxDiffJob final : public DiffJob
{
public:
    using DiffJob::DiffJob;
    void cancel() override {}
};

QStringList yamlLines(const mesh::Resource &resource)
{
    return toQString(mesh::toYamlStream({resource})).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

/// A unified diff of two short texts as one hunk with full context (a longest common subsequence of lines):
/// resources are a few dozen lines, and the diff dialog shows the context anyway.
QString unifiedDiff(const QStringList &live, const QStringList &generated)
{
    const auto n = live.size();
    const auto m = generated.size();
    std::vector<std::vector<int>> lcs(static_cast<std::size_t>(n + 1),
                                      std::vector<int>(static_cast<std::size_t>(m + 1)));
    for (auto i = n - 1; i >= 0; --i) {
        for (auto j = m - 1; j >= 0; --j) {
            auto &cell = lcs[std::size_t(i)][std::size_t(j)];
            cell = live[i] == generated[j] ? lcs[std::size_t(i + 1)][std::size_t(j + 1)] + 1
                                           : std::max(lcs[std::size_t(i + 1)][std::size_t(j)],
                                                      lcs[std::size_t(i)][std::size_t(j + 1)]);
        }
    }
    QString text = QStringLiteral("--- live\n+++ generated\n@@ -%1,%2 +%3,%4 @@\n")
                       .arg(n ? 1 : 0)
                       .arg(n)
                       .arg(m ? 1 : 0)
                       .arg(m);
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && live[i] == generated[j]) {
            text += QLatin1Char(' ') + live[i++] + QLatin1Char('\n');
            ++j;
        } else if (j < m && (i == n || lcs[std::size_t(i)][std::size_t(j + 1)] >=
                                           lcs[std::size_t(i + 1)][std::size_t(j)])) {
            text += QLatin1Char('+') + generated[j++] + QLatin1Char('\n');
        } else {
            text += QLatin1Char('-') + live[i++] + QLatin1Char('\n');
        }
    }
    return text;
}

QList<ResourceDiff> diffResources(const std::vector<mesh::Resource> &live,
                                  const std::vector<mesh::Resource> &generated)
{
    QList<ResourceDiff> diffs;
    std::map<std::string, const mesh::Resource *> remaining;
    for (const auto &resource : live) {
        remaining.emplace(resource.displayName(), &resource);
    }
    for (const auto &resource : generated) {
        ResourceDiff diff;
        diff.resource = toQString(resource.displayName());
        const auto found = remaining.find(resource.displayName());
        if (found == remaining.end()) {
            diff.state = ResourceDiff::State::New;
            diff.unifiedDiff = unifiedDiff({}, yamlLines(resource));
        } else {
            if (found->second->object != resource.object) {
                diff.state = ResourceDiff::State::Changed;
                diff.unifiedDiff = unifiedDiff(yamlLines(*found->second), yamlLines(resource));
            }
            remaining.erase(found);
        }
        diffs.append(diff);
    }
    for (const auto &[name, resource] : remaining) {
        diffs.append({toQString(name), ResourceDiff::State::Removed, unifiedDiff(yamlLines(*resource), {})});
    }
    return diffs;
}

/// What a push did to one resource, in the words of the audit log (kubectl's).
std::string outcomeWord(PushOutcome::Result result)
{
    switch (result) {
    case PushOutcome::Result::Created:
        return "created";
    case PushOutcome::Result::Configured:
        return "configured";
    case PushOutcome::Result::Unchanged:
        return "unchanged";
    case PushOutcome::Result::Pruned:
        return "pruned";
    case PushOutcome::Result::Deleted:
        return "deleted";
    default:
        break;
    }
    return "not applied";
}

/// The console's sandbox as a rollout target: a step is a push like the designer's (same rendering, same
/// bookkeeping of what the sandbox runs), made on the runner's thread; the state and lease are files.
class SandboxRolloutTarget final : public rollout::StateFileTarget
{
public:
    SandboxRolloutTarget(std::shared_ptr<SandboxTargetSource::State> state, std::string statePath)
        : StateFileTarget(std::move(statePath)), m_state(std::move(state))
    {}

    std::string describe() const override
    {
        std::lock_guard lock(m_state->mutex);
        return "the local sandbox (" + mesh::toString(m_state->render.flavor) + ")" +
               (m_state->box ? " at " + m_state->box->gatewayUrl() : std::string());
    }

    Result<std::vector<std::string>> push(const LaneGroup &weighted) override
    {
        mesh::RenderOptions render;
        {
            std::lock_guard lock(m_state->mutex);
            render = m_state->render;
        }
        PushRequest request;
        request.dryRun = false;
        const std::atomic<bool> notCancelled{false};
        const PushResult result = runPush(*m_state, weighted, render, request, notCancelled);
        if (!result.applied) {
            return Error{toStdString(result.error)};
        }
        std::vector<std::string> lines;
        for (const auto &outcome : result.outcomes) {
            lines.push_back(toStdString(outcome.resource) + " " + outcomeWord(outcome.result));
        }
        return lines;
    }

    Result<traffic::SamplerConfig> probe() override
    {
        std::lock_guard lock(m_state->mutex);
        if (!m_state->box || !m_state->box->isRunning()) {
            return Error{"the local sandbox is not running: push the group to it first"};
        }
        traffic::SamplerConfig config;
        config.url = m_state->box->gatewayUrl();
        return config;
    }

private:
    std::shared_ptr<SandboxTargetSource::State> m_state;
};

} // namespace

SandboxTargetSource::SandboxTargetSource(QObject *parent)
    : ClusterTargetSource(parent), m_state(std::make_shared<State>())
{}

SandboxTargetSource::~SandboxTargetSource()
{
    // Stopping announces the gateway's end; nobody may hear it from a source that is being destroyed,
    // least of all the window it belongs to, which is half gone by now (found by UBSan).
    blockSignals(true);
    stop();
}

QList<ClusterTarget> SandboxTargetSource::targets() const
{
    return {ClusterTarget{ClusterTarget::Kind::Sandbox, QString::fromLatin1(kLocalSandboxId),
                          tr("Local sandbox"),
                          tr("Runs the lane group on loopback in LaneDeck's sandbox mesh; needs no cluster."),
                          QStringLiteral("istio-system")}};
}

void SandboxTargetSource::connectTo(const ClusterTarget &target, const QString &ns)
{
    QTimer::singleShot(0, this, [this, target, ns] {
        Q_EMIT stateChanged(ConnectionState::Connected,
                            m_gatewayUrl.isEmpty()
                                ? tr("%1, namespace %2: no cluster needed; the first push starts it")
                                      .arg(target.displayName, ns)
                                : tr("%1 running at %2").arg(target.displayName, m_gatewayUrl));
    });
}

PushJob *SandboxTargetSource::push(const LaneGroup &group, const mesh::RenderOptions &render,
                                   const PushRequest &request)
{
    auto *job = new SandboxPushJob;
    QTimer::singleShot(0, job, [this, job, group, render, request, state = m_state] {
        Q_EMIT job->progress(request.dryRun ? QStringLiteral("dry-run") : QStringLiteral("apply"), 0, 1);
        const auto pushed = QtConcurrent::run([state, group, render, request, cancelled = job->flag()] {
            return runPush(*state, group, render, request, *cancelled);
        });
        // What the sandbox now runs is the source's to announce, whatever became of the job.
        whenFinished(pushed, this, [this, group](const PushResult &result) {
            if (!result.applied) {
                return;
            }
            if (result.gatewayUrl != m_gatewayUrl) {
                m_gatewayUrl = result.gatewayUrl;
                Q_EMIT gatewayChanged(m_gatewayUrl);
                Q_EMIT stateChanged(ConnectionState::Connected,
                                    tr("Local sandbox running at %1").arg(m_gatewayUrl));
            }
            Q_EMIT applied(group);
        });
        // The dialog owning the job may delete it (closed) while the push runs: then it hears nothing.
        whenFinished(pushed, job, [job, request](const PushResult &result) {
            for (const auto &outcome : result.outcomes) {
                Q_EMIT job->outcome(outcome);
            }
            Q_EMIT job->progress(request.dryRun ? QStringLiteral("dry-run") : QStringLiteral("apply"), 1, 1);
            Q_EMIT job->finished(job->cancelled() && !result.applied, result.error);
        });
    });
    return job;
}

DiffJob *SandboxTargetSource::diff(const LaneGroup &group, const mesh::RenderOptions &render)
{
    auto *job = new SandboxDiffJob;
    const auto compared =
        QtConcurrent::run([state = m_state, group, render]() -> std::pair<QList<ResourceDiff>, QString> {
            const auto compare = [&]() -> std::pair<QList<ResourceDiff>, QString> {
                auto rendered = mesh::render(group, render);
                if (!rendered) {
                    return {{}, toQString(rendered.error().message)};
                }
                std::vector<mesh::Resource> live;
                {
                    std::lock_guard lock(state->mutex);
                    live = state->resources;
                }
                return {diffResources(live, rendered->resources), QString()};
            };
            auto answer = compare();
            returnFreedMemory(); // a big group's rendering, freed on this worker
            return answer;
        });
    // Reported from the event loop even when the comparison is done before this returns, so the caller can
    // connect to the job first.
    whenFinished(compared, job, [job](const std::pair<QList<ResourceDiff>, QString> &result) {
        Q_EMIT job->finished(result.first, false, result.second);
    });
    return job;
}

QString SandboxTargetSource::gatewayUrl() const
{
    return m_gatewayUrl;
}

QString SandboxTargetSource::metricsTarget() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->box && m_state->box->metricsPort()
               ? QStringLiteral("127.0.0.1:%1").arg(m_state->box->metricsPort())
               : QString();
}

std::vector<sandbox::SandboxInstance> SandboxTargetSource::instances() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->box ? m_state->box->instances() : std::vector<sandbox::SandboxInstance>{};
}

std::unique_ptr<rollout::Target> SandboxTargetSource::rolloutTarget(const QString &statePath) const
{
    return std::make_unique<SandboxRolloutTarget>(m_state, toStdString(statePath));
}

void SandboxTargetSource::announceApplied(const LaneGroup &group)
{
    Q_EMIT applied(group);
}

QString SandboxTargetSource::setFault(const QString &service, const QString &version,
                                      const sandbox::Fault &fault)
{
    std::lock_guard lock(m_state->mutex);
    if (!m_state->box) {
        return tr("The local sandbox is not running: push the group to it first.");
    }
    if (auto set = m_state->box->setFault(toStdString(service), toStdString(version), fault); !set) {
        return toQString(set.error().message);
    }
    const auto key = std::make_pair(toStdString(service), toStdString(version));
    if (fault.active()) {
        m_state->faults[key] = fault;
    } else {
        m_state->faults.erase(key);
    }
    return {};
}

std::map<std::pair<std::string, std::string>, sandbox::Fault> SandboxTargetSource::faults() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->faults;
}

void SandboxTargetSource::setSeed(quint64 seed)
{
    std::lock_guard lock(m_state->mutex);
    m_state->seed = seed;
}

void SandboxTargetSource::setBaggagePropagation(const QString &service, bool enabled)
{
    std::lock_guard lock(m_state->mutex);
    if (enabled) {
        m_state->withoutBaggage.erase(service.toStdString());
    } else {
        m_state->withoutBaggage.insert(service.toStdString());
    }
    if (m_state->box) {
        m_state->box->setBaggagePropagation(service.toStdString(), enabled);
    }
}

void SandboxTargetSource::stop()
{
    {
        std::lock_guard lock(m_state->mutex);
        if (m_state->box) {
            m_state->box->stop();
            m_state->box.reset();
        }
        m_state->resources.clear();
    }
    if (!m_gatewayUrl.isEmpty()) {
        m_gatewayUrl.clear();
        Q_EMIT gatewayChanged(m_gatewayUrl);
    }
}

} // namespace lanedeck::ui

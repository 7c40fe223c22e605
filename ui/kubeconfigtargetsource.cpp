#include "ui/kubeconfigtargetsource.h"

#include "kube/client.h"
#include "kube/clustergroups.h"
#include "kube/discovery.h"
#include "kube/importer.h"
#include "kube/ingress.h"
#include "kube/inventory.h"
#include "kube/push.h"
#include "mesh/render.h"
#include "ui/execapproval.h"
#include "ui/qtconvert.h"
#include "ui/whenfinished.h"

#include <QSettings>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <mutex>
#include <set>

namespace lanedeck::ui {

namespace {
/// The threads the cluster operations run on, never the global pool: a worker may wait for the GUI thread
/// (the exec approval prompt), and the GUI thread itself waits for the global pool when it paints (Qt scales
/// images on it). With two workers waiting there, all of a two-core machine's global pool, the window froze.
Q_GLOBAL_STATIC(QThreadPool, clusterPool)

/// QtConcurrent::run on the cluster threads.
template <class F> auto runOnClusterThreads(F function)
{
    clusterPool->setMaxThreadCount(32); // they mostly wait on the network
    return QtConcurrent::run(clusterPool(), std::move(function));
}
} // namespace

/// Lets the GUI thread abort the client a worker is using; the worker attaches its client once created.
/// A cancellation that comes before the client exists cancels it as soon as it is attached.
class Cancellation final
{
public:
    void cancel()
    {
        const std::lock_guard lock(m_mutex);
        m_cancelled = true;
        if (m_client) {
            m_client->cancel();
        }
    }
    bool cancelled() const
    {
        const std::lock_guard lock(m_mutex);
        return m_cancelled;
    }
    void attach(kube::Client *client)
    {
        const std::lock_guard lock(m_mutex);
        m_client = client;
        if (m_cancelled && client) {
            client->cancel();
        }
    }

private:
    mutable std::mutex m_mutex;
    kube::Client *m_client = nullptr;
    bool m_cancelled = false;
};

/// Exec approvals shared with the workers: one question at a time (two operations starting together must
/// not ask twice), and the commands refused in this session, so a "no" is not asked again on every push.
struct KubeconfigTargetSource::Approvals
{
    std::mutex asking;
    std::mutex refusedMutex;
    std::set<QString> refused;
};

namespace {

/// The client of one operation, bound to its cancellation for the whole of its life.
struct Session
{
    std::unique_ptr<kube::Client> client;
    std::shared_ptr<Cancellation> cancellation;

    ~Session()
    {
        if (cancellation) {
            cancellation->attach(nullptr);
        }
    }
};

Result<std::unique_ptr<Session>> openSession(const kube::Connection &connection,
                                             const kube::ClientOptions &options,
                                             std::shared_ptr<Cancellation> cancellation)
{
    auto client = kube::Client::create(connection, options);
    if (!client) {
        return client.error();
    }
    auto session = std::make_unique<Session>();
    session->client = std::move(*client);
    session->cancellation = std::move(cancellation);
    session->cancellation->attach(session->client.get());
    return session;
}

/// Carries a worker's progress reports to the GUI thread. It lives on the GUI thread and is kept alive by
/// the worker (deleteLater once released), so the worker never touches the job, which the dialog may delete.
class ProgressRelay final : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
Q_SIGNALS:
    void progress(const QString &phase, int done, int total);
};

std::shared_ptr<ProgressRelay> makeRelay()
{
    return {new ProgressRelay, [](ProgressRelay *relay) { relay->deleteLater(); }};
}

/// A job run on the cluster threads: cancelling it cancels its session's requests. (No Q_OBJECT: it adds no
/// signal to its base.)
template <class Base> class KubeJob final : public Base
{
public:
    explicit KubeJob(QObject *parent = nullptr) : Base(parent) {}
    void cancel() override { m_cancellation->cancel(); }
    std::shared_ptr<Cancellation> m_cancellation = std::make_shared<Cancellation>();
};

using KubePushJob = KubeJob<PushJob>;
using KubeDiffJob = KubeJob<DiffJob>;
using KubeGroupListJob = KubeJob<GroupListJob>;
using KubeImportJob = KubeJob<ImportJob>;
using KubeAnalysisJob = KubeJob<AnalysisJob>;

struct AnalysisAnswer
{
    QString error;
    QList<ClusterFinding> findings;
    QStringList notes;
    std::shared_ptr<const kube::ClusterState> state;
};

ClusterFinding::Severity toSeverity(kube::Severity severity)
{
    switch (severity) {
    case kube::Severity::Error:
        return ClusterFinding::Severity::Error;
    case kube::Severity::Warning:
        return ClusterFinding::Severity::Warning;
    case kube::Severity::Info:
        return ClusterFinding::Severity::Info;
    }
    return ClusterFinding::Severity::Error;
}

AnalysisAnswer analysisAnswer(const LaneGroup &group, const mesh::RenderOptions &render,
                              std::shared_ptr<const kube::ClusterState> state)
{
    AnalysisAnswer answer;
    const kube::Analysis analysis = kube::analyzeCluster(group, render, *state);
    for (const auto &f : analysis.findings) {
        answer.findings << ClusterFinding{toQString(f.code), toSeverity(f.severity), toQString(f.object),
                                          toQString(f.lane), toQString(f.service),   toQString(f.message),
                                          toQString(f.fix)};
    }
    for (const auto &note : analysis.notes) {
        answer.notes << toQString(note);
    }
    answer.state = std::move(state);
    return answer;
}

struct GroupListAnswer
{
    QString error;
    QList<ClusterGroup> groups;
};

struct ImportAnswer
{
    QString error;
    LaneGroup group;
    QString flavor;
    QStringList notes;
};

ClusterGroup::State toState(kube::GroupSummary::State state)
{
    switch (state) {
    case kube::GroupSummary::State::InSync:
        return ClusterGroup::State::InSync;
    case kube::GroupSummary::State::Drifted:
        return ClusterGroup::State::Drifted;
    case kube::GroupSummary::State::PartlyMissing:
        return ClusterGroup::State::PartlyMissing;
    case kube::GroupSummary::State::Unreadable:
        return ClusterGroup::State::Unreadable;
    }
    return ClusterGroup::State::Unreadable;
}

struct ConnectAnswer
{
    bool ok = false;
    QString message;
    kube::MeshDiscovery mesh;
};

struct InventoryAnswer
{
    bool ok = false;
    QString error;
    ClusterInventory inventory;
    QStringList laneProblems;
};

struct PushAnswer
{
    QString error;
    std::vector<kube::ResourceResult> results;
    QString missingNamespace;
};

struct DiffAnswer
{
    QString error;
    QList<ResourceDiff> diffs;
};

} // namespace

namespace {

bool needsHeaderPropagation(const LaneGroup &group, const mesh::RenderOptions &render)
{
    if (render.flavor != mesh::Flavor::Asm) {
        return false;
    }
    const auto rendered = mesh::render(group, render);
    return rendered &&
           std::any_of(rendered->resources.begin(), rendered->resources.end(),
                       [](const mesh::Resource &r) { return r.kind() == "ASMHeaderPropagation"; });
}

bool fits(const kube::MeshDiscovery &mesh, const LaneGroup &group, const mesh::RenderOptions &render)
{
    return kube::checkFlavor(mesh, render, needsHeaderPropagation(group, render)).ok();
}

} // namespace

FlavorAdvice adviseFlavor(const kube::MeshDiscovery &mesh, const LaneGroup &group,
                          const mesh::RenderOptions &render)
{
    if (fits(mesh, group, render)) {
        return {};
    }
    // kube::checkFlavor's message speaks lanectl (--flavor); the console says the same in its own words, in
    // checkFlavor's order.
    FlavorAdvice advice;
    const std::string version =
        mesh::toString(render.istioVersion.value_or(mesh::defaultIstioVersion(render.flavor)));
    QStringList served;
    for (const auto &v : mesh.istioVersions) {
        served << toQString(v);
    }
    if (render.flavor == mesh::Flavor::AsmCrd) {
        advice.problem = KubeconfigTargetSource::tr(
            "This cluster does not serve ASM's lane CRDs (ASMSwimLaneGroup, ASMSwimLane): it is not an ASM "
            "mesh, so the group cannot go there as ASM lane CRDs.");
    } else if (!mesh.virtualService || !mesh.destinationRule) {
        advice.problem = KubeconfigTargetSource::tr("This cluster has no Istio networking API "
                                                    "(VirtualService, DestinationRule): install Istio or ASM "
                                                    "there, or pick the mesh's cluster.");
    } else if (!mesh.istioVersions.empty() && std::find(mesh.istioVersions.begin(), mesh.istioVersions.end(),
                                                        version) == mesh.istioVersions.end()) {
        advice.problem = KubeconfigTargetSource::tr("This cluster does not serve networking.istio.io/%1 (it "
                                                    "serves %2).")
                             .arg(toQString(version), served.join(QStringLiteral(", ")));
    } else if (render.flavor == mesh::Flavor::Asm && !mesh.fallbackDeclared) {
        advice.problem = KubeconfigTargetSource::tr(
            "This cluster runs upstream Istio, not ASM: its VirtualService has no fallback, which the ASM "
            "flavor routes with. The Istio flavor resolves the fallback when it generates the routes.");
    } else if (render.flavor == mesh::Flavor::Asm) {
        advice.problem = KubeconfigTargetSource::tr(
            "This ASM cluster does not serve ASMHeaderPropagation, which the ASM flavor needs to carry the "
            "lane in baggage (ASM 1.21.6.54 or later). The Istio flavor matches the lane from baggage "
            "itself.");
    } else {
        advice.problem = KubeconfigTargetSource::tr("This cluster cannot take the %1 flavor.")
                             .arg(flavorDisplayName(toQString(mesh::toString(render.flavor))));
    }
    for (const auto flavor : {mesh::Flavor::Istio, mesh::Flavor::Asm, mesh::Flavor::AsmCrd}) {
        std::vector<std::optional<mesh::IstioVersion>> versions{std::nullopt};
        if (flavor != mesh::Flavor::AsmCrd) {
            for (const auto &v : mesh.istioVersions) {
                if (const auto parsed = mesh::parseIstioVersion(v)) {
                    versions.push_back(parsed);
                }
            }
        }
        for (const auto &v : versions) {
            const mesh::RenderOptions candidate{flavor, v};
            if ((flavor != render.flavor || v != render.istioVersion) && fits(mesh, group, candidate)) {
                advice.flavor = toQString(mesh::toString(flavor));
                advice.apiVersion = v ? toQString(mesh::toString(*v)) : QString();
                return advice;
            }
        }
    }
    return advice;
}

QString KubeconfigSettings::path() const
{
    return QSettings().value(QStringLiteral("cluster/kubeconfig")).toString();
}

void KubeconfigSettings::setPath(const QString &value)
{
    QSettings settings;
    if (value.isEmpty()) {
        settings.remove(QStringLiteral("cluster/kubeconfig"));
    } else {
        settings.setValue(QStringLiteral("cluster/kubeconfig"), value);
    }
}

KubeconfigTargetSource::KubeconfigTargetSource(Options options, QObject *parent)
    : ClusterTargetSource(parent), m_options(std::move(options)), m_approvals(std::make_shared<Approvals>())
{
    reload();
}

KubeconfigTargetSource::~KubeconfigTargetSource()
{
    // Workers still running keep their own state; aborting them lets them end soon. Their answers are
    // dropped with this object (the continuations are bound to it).
    for (const auto &cancellation : {m_connecting, m_inventory, m_ingress}) {
        if (cancellation) {
            cancellation->cancel();
        }
    }
}

void KubeconfigTargetSource::reload()
{
    kube::KubeconfigSource source;
    source.explicitPath = toStdString(m_options.explicitPath);
    if (m_options.kubeconfigEnv) {
        source.kubeconfigEnv = m_options.kubeconfigEnv->toStdString();
    }
    if (m_options.home) {
        source.home = m_options.home->toStdString();
    }
    auto config = kube::loadKubeconfig(source);
    m_targets.clear();
    m_config.reset();
    m_loadError.clear();
    if (!config) {
        m_loadError = toQString(config.error().message);
        m_targets << ClusterTarget{ClusterTarget::Kind::KubeContext, QString::fromLatin1(kErrorTargetId),
                                   tr("kubeconfig (unreadable)"), m_loadError, QString()};
    } else {
        m_config = std::move(*config);
        for (const auto &[name, context] : m_config->contexts) {
            const auto cluster = m_config->clusters.find(context.cluster);
            const auto user = m_config->users.find(context.user);
            const QString detail =
                tr("Context %1 of %2\nServer: %3\nUser: %4 (%5)")
                    .arg(toQString(name), toQString(context.sourceFile),
                         cluster == m_config->clusters.end()
                             ? tr("missing cluster '%1'").arg(toQString(context.cluster))
                             : toQString(cluster->second.server),
                         toQString(context.user),
                         user == m_config->users.end() ? tr("missing")
                                                       : toQString(kube::describeAuth(user->second)));
            ClusterTarget target{ClusterTarget::Kind::KubeContext, toQString(name), toQString(name), detail,
                                 toQString(context.ns)};
            // kubectl's current context first: it is what the operator works with unless they pick another.
            if (name == m_config->currentContext) {
                m_targets.prepend(target);
            } else {
                m_targets << target;
            }
        }
    }
    Q_EMIT targetsChanged();
}

void KubeconfigTargetSource::setExecApproval(ExecApprovalPrompt *prompt)
{
    m_prompt = prompt;
}

void KubeconfigTargetSource::setGroupProvider(std::function<LaneGroup()> provider)
{
    m_groupProvider = std::move(provider);
}

QList<ClusterTarget> KubeconfigTargetSource::targets() const
{
    return m_targets;
}

kube::ClientOptions KubeconfigTargetSource::clientOptions() const
{
    kube::ClientOptions options;
    QPointer<ExecApprovalPrompt> prompt = m_prompt;
    std::shared_ptr<Approvals> approvals = m_approvals;
    options.approveExec = [prompt, approvals](const kube::ExecApproval &approval) {
        ExecRequest request;
        request.command = toQString(approval.command);
        request.args << toQStringList(approval.args);
        request.kubeconfigFile = toQString(approval.kubeconfigFile);
        request.user = toQString(approval.user);
        const QString key = ExecApprovalPrompt::key(request);
        const std::lock_guard asking(approvals->asking);
        {
            const std::lock_guard lock(approvals->refusedMutex);
            if (approvals->refused.contains(key)) {
                return false;
            }
        }
        const bool approved = prompt && prompt->approveFromAnyThread(request);
        if (!approved) {
            const std::lock_guard lock(approvals->refusedMutex);
            approvals->refused.insert(key);
        }
        return approved;
    };
    return options;
}

void KubeconfigTargetSource::connectTo(const ClusterTarget &target, const QString &ns)
{
    const quint64 generation = ++m_generation;
    m_connection.reset();
    m_mesh.reset();
    m_clusterState.reset();
    m_connectedMessage.clear();
    m_lastStateMessage.clear();
    for (const auto &running : {m_connecting, m_inventory, m_ingress}) {
        if (running) {
            running->cancel();
        }
    }
    m_connecting.reset();
    m_inventory.reset();
    m_ingress.reset();

    const auto fail = [this, generation](const QString &message) {
        // Asynchronous like a real connection, so the cluster bar's "Connecting…" comes first.
        QMetaObject::invokeMethod(
            this,
            [this, generation, message] {
                if (generation == m_generation) {
                    Q_EMIT stateChanged(ConnectionState::Failed, message);
                }
            },
            Qt::QueuedConnection);
    };
    if (!m_config) {
        fail(tr("Cannot read the kubeconfig: %1").arg(m_loadError));
        return;
    }
    auto connection = kube::resolveConnection(*m_config, toStdString(target.id), toStdString(ns));
    if (!connection) {
        fail(toQString(connection.error().message));
        return;
    }
    QStringList warnings;
    for (const auto &warning : connection->warnings) {
        warnings << tr("⚠ %1").arg(toQString(warning));
    }
    const kube::Connection resolved = *connection;
    auto cancellation = std::make_shared<Cancellation>();
    m_connecting = cancellation;
    const kube::ClientOptions options = clientOptions();
    const auto answered = runOnClusterThreads([resolved, options, cancellation]() -> ConnectAnswer {
        auto session = openSession(resolved, options, cancellation);
        if (!session) {
            return {false, toQString(session.error().message), {}};
        }
        kube::Client &client = *(*session)->client;
        const kube::Response version = client.send(kube::Request{"GET", "/version", {}, {}});
        if (!version.ok()) {
            return {false, toQString(version.message()), {}};
        }
        const auto gitVersion = kube::parseServerVersion(version.body);
        if (!gitVersion) {
            return {false, toQString(gitVersion.error().message), {}};
        }
        auto mesh = kube::discoverMesh(client);
        if (!mesh) {
            return {false, toQString(mesh.error().message), {}};
        }
        QString meshText;
        if (mesh->istioVersions.empty()) {
            meshText = tr("no Istio networking API");
        } else {
            meshText = tr("Istio %1").arg(toQStringList(mesh->istioVersions).join(QStringLiteral(", ")));
            if (mesh->fallbackDeclared) {
                meshText += tr(", ASM fallback");
            }
            if (mesh->asmLaneCrds) {
                meshText += tr(", ASM lane CRDs");
            }
        }
        return {true, tr("Kubernetes %1; %2").arg(toQString(*gitVersion), meshText), *mesh};
    });
    whenFinished(answered, this, [this, generation, target, resolved, warnings](const ConnectAnswer &answer) {
        if (generation != m_generation) {
            return; // superseded by a later connectTo()
        }
        m_connecting.reset();
        QString message;
        if (!answer.ok) {
            message = tr("%1: %2").arg(target.displayName, answer.message);
            if (!warnings.isEmpty()) {
                message += QLatin1Char(' ') + warnings.join(QLatin1Char(' '));
            }
            Q_EMIT stateChanged(ConnectionState::Failed, message);
            return;
        }
        m_connection = resolved;
        m_mesh = answer.mesh;
        m_connectedMessage = tr("Connected to %1 (%2)").arg(target.displayName, answer.message);
        if (!warnings.isEmpty()) {
            m_connectedMessage += QLatin1Char(' ') + warnings.join(QLatin1Char(' '));
        }
        m_lastStateMessage = m_connectedMessage;
        Q_EMIT stateChanged(ConnectionState::Connected, m_connectedMessage);
    });
}

bool KubeconfigTargetSource::canPush() const
{
    return m_connection.has_value();
}

PushJob *KubeconfigTargetSource::push(const LaneGroup &group, const mesh::RenderOptions &render,
                                      const PushRequest &request)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubePushJob;
    // The group carries the namespace it goes to (the document's, or the one the cluster bar chose
    // visibly): the preview, the diff and the push all read it from there.
    const LaneGroup target = group;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    const auto relay = makeRelay();
    connect(relay.get(), &ProgressRelay::progress, job, &PushJob::progress, Qt::QueuedConnection);
    const auto pushed = runOnClusterThreads(
        [connection, options, cancellation, relay, target, render, request]() -> PushAnswer {
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                return {toQString(session.error().message), {}, {}};
            }
            kube::PushOptions pushOptions;
            pushOptions.dryRun = request.dryRun;
            pushOptions.force = request.force;
            pushOptions.prune = request.prune;
            pushOptions.progress = [relay](const std::string &phase, std::size_t done, std::size_t total) {
                Q_EMIT relay->progress(toQString(phase), static_cast<int>(done), static_cast<int>(total));
            };
            // A missing namespace is one finding, not a 404 per resource.
            auto exists = kube::namespaceExists(*(*session)->client, target.ns);
            if (!exists) {
                return {toQString(exists.error().message), {}, {}};
            }
            if (!*exists) {
                return {QString(), {}, toQString(target.ns)};
            }
            auto report = kube::push(*(*session)->client, target, render, pushOptions);
            if (!report) {
                return {toQString(report.error().message), {}, {}};
            }
            return {QString(), std::move(report->results), {}};
        });
    if (!request.dryRun) {
        // A cluster now routing the group's new weights is the source's to announce, whatever became of the
        // job; only when every resource was written, and only while the same target is selected.
        whenFinished(pushed, this, [this, generation = m_generation, target](const PushAnswer &answer) {
            const bool written =
                answer.error.isEmpty() && !answer.results.empty() &&
                std::none_of(answer.results.begin(), answer.results.end(), [](const kube::ResourceResult &r) {
                    return r.outcome == kube::Outcome::Failed || r.outcome == kube::Outcome::Skipped;
                });
            if (written && generation == m_generation) {
                Q_EMIT applied(target);
            }
        });
    }
    whenFinished(pushed, job, [job, cancellation](const PushAnswer &answer) {
        for (const auto &result : answer.results) {
            Q_EMIT job->outcome(toUi(result));
        }
        if (!answer.missingNamespace.isEmpty() && !cancellation->cancelled()) {
            Q_EMIT job->namespaceMissing(answer.missingNamespace);
        }
        Q_EMIT job->finished(cancellation->cancelled(), cancellation->cancelled() ? QString() : answer.error);
    });
    return job;
}

PushJob *KubeconfigTargetSource::createNamespace(const QString &ns, bool dryRun)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubePushJob;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    const std::string name = ns.toStdString();
    const auto created =
        runOnClusterThreads([connection, options, cancellation, name, dryRun]() -> PushAnswer {
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                return {toQString(session.error().message), {}, {}};
            }
            return {QString(), {kube::createNamespace(*(*session)->client, name, dryRun)}, {}};
        });
    whenFinished(created, job, [job, cancellation](const PushAnswer &answer) {
        for (const auto &result : answer.results) {
            Q_EMIT job->outcome(toUi(result));
        }
        Q_EMIT job->finished(cancellation->cancelled(), cancellation->cancelled() ? QString() : answer.error);
    });
    return job;
}

GroupListJob *KubeconfigTargetSource::listGroups(const QString &ns)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubeGroupListJob;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    const std::string where = ns.toStdString();
    const auto listed = runOnClusterThreads([connection, options, cancellation, where]() -> GroupListAnswer {
        auto session = openSession(connection, options, cancellation);
        if (!session) {
            return {toQString(session.error().message), {}};
        }
        auto groups = kube::listGroups(*(*session)->client, where);
        if (!groups) {
            return {toQString(groups.error().message), {}};
        }
        GroupListAnswer answer;
        for (const auto &g : *groups) {
            answer.groups << ClusterGroup{
                toQString(g.name),    toQString(g.ns),          toQString(mesh::toString(g.flavor)),
                g.lanedeck,           toQStringList(g.lanes),   toQStringList(g.services),
                toState(g.state),     toQStringList(g.missing), toQStringList(g.drifted),
                toQString(g.problem), toQStringList(g.objects), {}};
            for (const auto &d : g.diffs) {
                answer.groups.back().diff += toQString(d.diff);
            }
        }
        return answer;
    });
    whenFinished(listed, job, [job, cancellation](const GroupListAnswer &answer) {
        const bool cancelled = cancellation->cancelled();
        Q_EMIT job->finished(answer.groups, cancelled, cancelled ? QString() : answer.error);
    });
    return job;
}

ImportJob *KubeconfigTargetSource::importGroup(const QString &name, const QString &ns)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubeImportJob;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    // A group of cluster-scoped ASM lane CRDs has no namespace of its own: the document keeps its default.
    const std::string where = ns.isEmpty() ? LaneGroup{}.ns : ns.toStdString();
    const std::string group = name.toStdString();
    const auto imported =
        runOnClusterThreads([connection, options, cancellation, group, where]() -> ImportAnswer {
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                return {toQString(session.error().message), {}, {}, {}};
            }
            auto rebuilt = kube::importGroup(*(*session)->client, group, where);
            if (!rebuilt) {
                return {toQString(rebuilt.error().message), {}, {}, {}};
            }
            return {QString(), rebuilt->group, toQString(mesh::toString(rebuilt->flavor)),
                    toQStringList(rebuilt->notes)};
        });
    whenFinished(imported, job, [job, cancellation](const ImportAnswer &answer) {
        const bool cancelled = cancellation->cancelled();
        Q_EMIT job->finished(answer.group, answer.flavor, answer.notes, cancelled,
                             cancelled ? QString() : answer.error);
    });
    return job;
}

PushJob *KubeconfigTargetSource::deleteGroup(const QString &name, const QString &ns, bool dryRun)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubePushJob;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    const std::string where = ns.isEmpty() ? LaneGroup{}.ns : ns.toStdString();
    const std::string group = name.toStdString();
    const auto deleted =
        runOnClusterThreads([connection, options, cancellation, group, where, dryRun]() -> PushAnswer {
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                return {toQString(session.error().message), {}, {}};
            }
            auto report = kube::deleteGroup(*(*session)->client, group, where, dryRun);
            if (!report) {
                return {toQString(report.error().message), {}, {}};
            }
            return {QString(), std::move(report->results), {}};
        });
    whenFinished(deleted, job, [job, cancellation](const PushAnswer &answer) {
        for (const auto &result : answer.results) {
            Q_EMIT job->outcome(toUi(result));
        }
        Q_EMIT job->finished(cancellation->cancelled(), cancellation->cancelled() ? QString() : answer.error);
    });
    return job;
}

AnalysisJob *KubeconfigTargetSource::analyze(const LaneGroup &group, const mesh::RenderOptions &render,
                                             bool reread)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubeAnalysisJob;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    const std::shared_ptr<const kube::ClusterState> cached = reread ? nullptr : m_clusterState;
    const auto analyzed = runOnClusterThreads([connection, options, cancellation, group, render,
                                               cached]() -> AnalysisAnswer {
        if (cached) {
            return analysisAnswer(group, render, cached);
        }
        auto session = openSession(connection, options, cancellation);
        if (!session) {
            return {toQString(session.error().message), {}, {}, {}};
        }
        auto state = kube::readClusterState(*(*session)->client, group);
        if (!state) {
            return {toQString(state.error().message), {}, {}, {}};
        }
        return analysisAnswer(group, render, std::make_shared<const kube::ClusterState>(std::move(*state)));
    });
    whenFinished(analyzed, job,
                 [this, job, cancellation, generation = m_generation](const AnalysisAnswer &answer) {
                     const bool cancelled = cancellation->cancelled();
                     if (answer.state && generation == m_generation) {
                         m_clusterState = answer.state;
                     }
                     Q_EMIT job->finished(answer.findings, answer.notes, cancelled,
                                          cancelled ? QString() : answer.error);
                 });
    return job;
}

std::optional<LaneGroup> KubeconfigTargetSource::adoptShadowed(const LaneGroup &group,
                                                               const mesh::RenderOptions &render,
                                                               QStringList *adopted) const
{
    if (!m_clusterState) {
        return std::nullopt;
    }
    const kube::Adoption adoption = kube::adoptShadowedSettings(group, render, *m_clusterState);
    if (adoption.adopted.empty()) {
        return std::nullopt;
    }
    if (adopted) {
        *adopted = toQStringList(adoption.adopted);
    }
    return adoption.group;
}

FlavorAdvice KubeconfigTargetSource::flavorAdvice(const LaneGroup &group,
                                                  const mesh::RenderOptions &render) const
{
    return m_mesh ? adviseFlavor(*m_mesh, group, render) : FlavorAdvice{};
}

DiffJob *KubeconfigTargetSource::diff(const LaneGroup &group, const mesh::RenderOptions &render)
{
    if (!m_connection) {
        return nullptr;
    }
    auto *job = new KubeDiffJob;
    const LaneGroup target = group;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto cancellation = job->m_cancellation;
    const auto compared =
        runOnClusterThreads([connection, options, cancellation, target, render]() -> DiffAnswer {
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                return {toQString(session.error().message), {}};
            }
            DiffAnswer answer;
            {
                auto diffs = kube::diffGroup(*(*session)->client, target, render);
                if (!diffs) {
                    return {toQString(diffs.error().message), {}};
                }
                for (const auto &d : *diffs) {
                    answer.diffs << toUi(d);
                }
            }
            returnFreedMemory(); // a big group's rendering and its live objects, freed on this worker
            return answer;
        });
    whenFinished(compared, job, [job, cancellation](const DiffAnswer &answer) {
        const bool cancelled = cancellation->cancelled();
        Q_EMIT job->finished(answer.diffs, cancelled, cancelled ? QString() : answer.error);
    });
    return job;
}

void KubeconfigTargetSource::requestInventory()
{
    if (!m_connection) {
        return;
    }
    if (m_inventory) {
        m_inventory->cancel(); // a newer request supersedes it
    }
    const quint64 generation = m_generation;
    auto cancellation = std::make_shared<Cancellation>();
    m_inventory = cancellation;
    std::optional<LaneGroup> group;
    if (m_groupProvider) {
        group = m_groupProvider();
    }
    const auto namespaces = kube::inventoryNamespaces(group ? &*group : nullptr, m_connection->ns);
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto read =
        runOnClusterThreads([connection, options, cancellation, namespaces, group]() -> InventoryAnswer {
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                return {false, toQString(session.error().message), {}, {}};
            }
            auto inventory = kube::readInventory(*(*session)->client, namespaces);
            if (!inventory) {
                return {false, toQString(inventory.error().message), {}, {}};
            }
            InventoryAnswer answer;
            answer.ok = true;
            answer.inventory.detail = std::make_shared<const kube::Inventory>(*inventory);
            const auto summary = kube::summarizeInventory(*inventory);
            answer.inventory.services = toQStringList(summary.services);
            for (const auto &[key, values] : summary.labelValues) {
                answer.inventory.labelValues.insert(toQString(key), toQStringList(values));
            }
            if (group) {
                for (const auto &shortfall : kube::laneShortfalls(*group, *inventory)) {
                    answer.laneProblems
                        << tr("%1 (%2)").arg(toQString(shortfall.lane),
                                             toQStringList(shortfall.services).join(QStringLiteral(", ")));
                }
            }
            return answer;
        });
    whenFinished(read, this, [this, generation, cancellation](const InventoryAnswer &answer) {
        if (generation != m_generation || cancellation != m_inventory) {
            return; // another target, or a newer request, took over
        }
        m_inventory.reset();
        if (!answer.ok) {
            // The connection stands (push may still work): the inventory problem is said, not
            // fatal.
            const QString message =
                tr("%1 ⚠ cannot read the inventory: %2").arg(m_connectedMessage, answer.error);
            if (message != m_lastStateMessage) {
                m_lastStateMessage = message;
                Q_EMIT stateChanged(ConnectionState::Connected, message);
            }
            return;
        }
        Q_EMIT inventoryChanged(answer.inventory);
        const QString message =
            answer.laneProblems.isEmpty()
                ? m_connectedMessage
                : tr("%1 ⚠ lanes without a ready workload: %2")
                      .arg(m_connectedMessage, answer.laneProblems.join(QStringLiteral("; ")));
        // Only a changed message is announced: the window asks for the inventory on every Connected
        // state.
        if (message != m_lastStateMessage) {
            m_lastStateMessage = message;
            Q_EMIT stateChanged(ConnectionState::Connected, message);
        }
    });
}

KubeClientFactory KubeconfigTargetSource::apiClientFactory() const
{
    if (!m_connection) {
        return {};
    }
    return [connection = *m_connection, options = clientOptions()]() {
        return kube::Client::create(connection, options);
    };
}

void KubeconfigTargetSource::requestIngress(const Ingress &ingress)
{
    if (!m_connection) {
        return;
    }
    if (m_ingress) {
        m_ingress->cancel(); // a newer request supersedes it
    }
    const quint64 generation = m_generation;
    auto cancellation = std::make_shared<Cancellation>();
    m_ingress = cancellation;
    const kube::Connection connection = *m_connection;
    const kube::ClientOptions options = clientOptions();
    const auto resolved =
        runOnClusterThreads([connection, options, cancellation, ingress]() -> IngressAddress {
            IngressAddress answer;
            auto session = openSession(connection, options, cancellation);
            if (!session) {
                answer.error = toQString(session.error().message);
                return answer;
            }
            auto address = kube::resolveIngress(*(*session)->client, ingress);
            if (!address) {
                answer.error = toQString(address.error().message);
                return answer;
            }
            answer.url = toQString(address->url);
            answer.host = toQString(address->host);
            answer.origin = toQString(address->origin);
            answer.warnings << toQStringList(address->warnings);
            return answer;
        });
    whenFinished(resolved, this, [this, generation, cancellation](const IngressAddress &answer) {
        if (generation != m_generation || cancellation != m_ingress) {
            return; // another target, or a newer request, took over
        }
        m_ingress.reset();
        Q_EMIT ingressResolved(answer);
    });
}

} // namespace lanedeck::ui

#include "kubeconfigtargetsource.moc"

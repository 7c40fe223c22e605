#include "rollout/runner.h"

#include "base/atomicfile.h"
#include "mesh/render.h"
#include "sandbox/sandbox.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <optional>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace lanedeck::rollout {

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string toString(RolloutState::Phase phase)
{
    switch (phase) {
    case RolloutState::Phase::Running:
        return "running";
    case RolloutState::Phase::Promoted:
        return "promoted";
    case RolloutState::Phase::RolledBack:
        break;
    }
    return "rolledBack";
}

nlohmann::ordered_json stateJson(const RolloutState &state)
{
    return {{"plan", state.plan},     {"hash", state.hash},          {"phase", toString(state.phase)},
            {"step", state.step},     {"weights", state.weights},    {"startWeights", state.startWeights},
            {"holder", state.holder}, {"updatedMs", state.updatedMs}};
}

Result<RolloutState> stateFromJson(const nlohmann::json &json)
{
    try {
        RolloutState state;
        state.plan = json.at("plan").get<std::string>();
        state.hash = json.at("hash").get<std::string>();
        const std::string phase = json.at("phase").get<std::string>();
        if (phase == "running") {
            state.phase = RolloutState::Phase::Running;
        } else if (phase == "promoted") {
            state.phase = RolloutState::Phase::Promoted;
        } else if (phase == "rolledBack") {
            state.phase = RolloutState::Phase::RolledBack;
        } else {
            return Error{"rollout state: unknown phase '" + phase + "'"};
        }
        state.step = json.at("step").get<int>();
        state.weights = json.at("weights").get<std::map<std::string, int>>();
        state.startWeights = json.at("startWeights").get<std::map<std::string, int>>();
        state.holder = json.value("holder", std::string());
        state.updatedMs = json.value("updatedMs", std::int64_t(0));
        return state;
    } catch (const nlohmann::json::exception &e) {
        return Error{std::string("rollout state: ") + e.what()};
    }
}

std::string toString(Event::Kind kind)
{
    switch (kind) {
    case Event::Kind::Started:
        return "started";
    case Event::Kind::Pushed:
        return "pushed";
    case Event::Kind::Evaluated:
        return "evaluated";
    case Event::Kind::StepPassed:
        return "stepPassed";
    case Event::Kind::RolledBack:
        return "rolledBack";
    case Event::Kind::Promoted:
        return "promoted";
    case Event::Kind::Aborted:
        return "aborted";
    case Event::Kind::Refused:
        return "refused";
    case Event::Kind::Paused:
        return "paused";
    case Event::Kind::Resumed:
        break;
    }
    return "resumed";
}

nlohmann::ordered_json eventJson(const Event &event)
{
    nlohmann::ordered_json json;
    json["timeMs"] = event.timeMs;
    json["event"] = toString(event.kind);
    json["step"] = event.step;
    if (!event.weights.empty()) {
        json["weights"] = event.weights;
    }
    if (event.kind == Event::Kind::Pushed || !event.pushResults.empty()) {
        json["push"] = {{"ok", event.pushOk}, {"results", event.pushResults}};
    }
    if (event.kind == Event::Kind::Evaluated) {
        json["requests"] = event.requests;
        auto &gates = json["gates"] = nlohmann::ordered_json::array();
        for (const auto &gate : event.gates) {
            gates.push_back({{"gate", gate.gate},
                             {"verdict", toString(gate.verdict)},
                             {"measurement", gate.measurement},
                             {"threshold", gate.threshold},
                             {"text", gate.text}});
        }
        json["verdict"] = toString(event.verdict);
    }
    json["decision"] = event.message;
    return json;
}

std::string toString(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Promoted:
        return "promoted";
    case Outcome::RolledBack:
        return "rolled back";
    case Outcome::Aborted:
        return "aborted";
    case Outcome::Refused:
        break;
    }
    return "refused";
}

namespace {

std::map<std::string, int> groupWeights(const LaneGroup &group)
{
    std::map<std::string, int> weights;
    for (const auto &lane : group.lanes) {
        weights[lane.name] = lane.weight;
    }
    return weights;
}

} // namespace

struct Runner::State
{
    Plan plan;
    LaneGroup group;
    Target &target;
    RunnerOptions options;
    std::string hash;

    std::mutex mutex;             // guards sampler and the requests below
    std::condition_variable wake; // a paused step waits on it for resume, abort, roll back or promote
    traffic::Sampler *sampler = nullptr;
    bool abortRequested = false;
    bool rollbackRequested = false;
    bool promoteRequested = false;
    bool pauseRequested = false;

    State(Plan p, LaneGroup g, Target &t, RunnerOptions o)
        : plan(std::move(p)), group(std::move(g)), target(t), options(std::move(o))
    {}

    void emit(Event event)
    {
        event.timeMs = nowMs();
        if (options.onEvent) {
            options.onEvent(event);
        }
    }

    bool requested(bool State::*flag)
    {
        std::lock_guard lock(mutex);
        return this->*flag;
    }

    std::int64_t leaseExpiry(const Step &step) const
    {
        // Long enough for the longest wait in a step; renewed at every evaluation.
        return nowMs() + std::max<std::int64_t>(60000, 2 * step.hold.count() + 4 * plan.interval.count());
    }

    Result<void> saveState(RolloutState &state)
    {
        state.updatedMs = nowMs();
        return target.saveState(state);
    }

    /// Pushes weights and reports the push as an event; false when it failed.
    bool pushWeights(int step, const LaneGroup &pushed, const std::map<std::string, int> &weights,
                     const std::string &why)
    {
        Event event;
        event.kind = Event::Kind::Pushed;
        event.step = step;
        event.weights = weights;
        auto pushedResult = target.push(pushed);
        if (pushedResult) {
            event.pushResults = std::move(*pushedResult);
            event.message = why;
        } else {
            event.pushOk = false;
            event.pushResults = {pushedResult.error().message};
            event.message = why + ": the push failed";
        }
        const bool ok = event.pushOk;
        emit(std::move(event));
        return ok;
    }

    RunResult end(Outcome outcome, int step, std::string message,
                  const std::map<std::string, int> &weights = {})
    {
        Event event;
        event.kind = outcome == Outcome::Promoted     ? Event::Kind::Promoted
                     : outcome == Outcome::RolledBack ? Event::Kind::RolledBack
                     : outcome == Outcome::Aborted    ? Event::Kind::Aborted
                                                      : Event::Kind::Refused;
        event.step = step;
        event.weights = weights;
        event.message = message;
        emit(std::move(event));
        return {outcome, std::move(message), step};
    }

    RunResult rollBackNow(RolloutState &state, int step, const std::string &why)
    {
        const auto weights = rollbackWeights(plan, group);
        if (!pushWeights(step, withWeights(group, weights), weights, "roll back: " + why)) {
            return end(Outcome::Aborted, step,
                       "rollback push failed; step " + std::to_string(step + 1) + " may still be in force");
        }
        state.phase = RolloutState::Phase::RolledBack;
        state.weights = weights;
        if (auto saved = saveState(state); !saved) {
            return end(Outcome::RolledBack, step, "rolled back (" + why + "), but " + saved.error().message,
                       weights);
        }
        return end(Outcome::RolledBack, step, "rolled back: " + why, weights);
    }

    /// One evaluation window: samples through the ingress for the plan's interval.
    Result<Observation> sampleWindow(const traffic::SamplerConfig &probe,
                                     const std::map<std::string, int> &weights)
    {
        traffic::SamplerConfig config = probe;
        config.duration = plan.interval;
        config.count = 0;
        config.rate = plan.rate;
        config.concurrency = options.concurrency;
        config.keepSamples = true;
        config.snapshotInterval = plan.interval;
        traffic::Sampler windowSampler(config, traffic::Classifier::chain(withWeights(group, weights)));
        {
            std::lock_guard lock(mutex);
            if (abortRequested || rollbackRequested) {
                return Observation{};
            }
            sampler = &windowSampler;
        }
        auto started = windowSampler.start();
        if (!started) {
            std::lock_guard lock(mutex);
            sampler = nullptr;
            return started.error();
        }
        const traffic::SampleRun run = windowSampler.wait();
        {
            std::lock_guard lock(mutex);
            sampler = nullptr;
        }
        Observation observation;
        addRun(observation, run);
        return observation;
    }

    /// Loads the saved state and checks it against the plan: a new rollout's first state, or the one to
    /// resume. A result when the rollout is refused.
    std::optional<RunResult> loadOrStart(RolloutState &state, int &startStep)
    {
        auto loaded = target.loadState();
        if (!loaded) {
            return end(Outcome::Refused, -1, loaded.error().message);
        }
        const bool inProgress = loaded->has_value() && (*loaded)->phase == RolloutState::Phase::Running;
        if (options.resume) {
            if (!inProgress) {
                return end(Outcome::Refused, -1,
                           "nothing to resume: no rollout of group " + group.name + " is in progress");
            }
            state = **loaded;
            if (state.hash != hash) {
                return end(Outcome::Refused, state.step,
                           "the plan or its group changed since step " + std::to_string(state.step + 1) +
                               " was pushed (hash " + state.hash.substr(0, 12) + " saved, " +
                               hash.substr(0, 12) + " now); roll back with --rollback, or restore the plan");
            }
            startStep = std::max(0, state.step);
        } else {
            if (inProgress) {
                return end(Outcome::Refused, (*loaded)->step,
                           "rollout '" + (*loaded)->plan + "' of group " + group.name +
                               " is in progress at step " + std::to_string((*loaded)->step + 1) +
                               "; --resume continues it, --rollback undoes it");
            }
            state.plan = plan.name;
            state.hash = hash;
            state.startWeights = groupWeights(group);
            state.weights = state.startWeights;
        }
        return std::nullopt;
    }

    void emitStarted(const RolloutState &state, int startStep)
    {
        Event started;
        started.kind = Event::Kind::Started;
        started.step = startStep;
        started.weights = state.weights;
        started.message = (options.resume ? "resume " : "start ") + plan.name + " (" +
                          std::to_string(plan.steps.size()) + " steps, lane " + plan.lane + ") on " +
                          target.describe() + ", plan " + hash.substr(0, 12);
        emit(std::move(started));
    }

    /// Saves the state naming step `i`, then pushes the step's weights; a result when the rollout ends here.
    std::optional<RunResult> pushStep(RolloutState &state, int i, const std::map<std::string, int> &weights)
    {
        // The state names the step before it is pushed: a crash between the two leaves a state whose
        // step --resume pushes again, never a pushed step the state does not know.
        const int previous = state.step;
        state.step = i;
        state.weights = weights;
        if (auto saved = saveState(state); !saved) {
            return end(Outcome::Aborted, previous,
                       "cannot save the rollout state, so step " + std::to_string(i + 1) +
                           " was not pushed: " + saved.error().message);
        }
        if (!pushWeights(i, withWeights(group, weights), weights,
                         "step " + std::to_string(i + 1) + ": " + weightsText(weights, group))) {
            return end(Outcome::Aborted, i,
                       "step " + std::to_string(i + 1) +
                           ": the push failed; --resume pushes it again, --rollback undoes the rollout");
        }
        return std::nullopt;
    }

    /// Drops the oldest windows beyond the latest ones that together hold `minRequests`, and merges those.
    static Observation latestWindows(std::deque<Observation> &windows, std::uint64_t minRequests)
    {
        Observation judgedWindow;
        std::size_t used = 0;
        for (auto it = windows.rbegin(); it != windows.rend(); ++it) {
            judgedWindow.merge(*it);
            ++used;
            if (judgedWindow.total >= minRequests) {
                break;
            }
        }
        while (windows.size() > used) {
            windows.pop_front();
        }
        return judgedWindow;
    }

    struct Evaluation
    {
        Verdict verdict = Verdict::Wait;
        bool held = false;
        std::chrono::steady_clock::duration elapsed{};
        std::string failed;
    };

    /// Judges step `i`'s gates on `judgedWindow` and reports the verdict as an event.
    Evaluation evaluateWindow(int i, const Step &step, const Observation &judgedWindow,
                              const std::map<std::string, int> &weights, const std::string &baseline,
                              std::chrono::steady_clock::time_point started, bool &judged)
    {
        Event evaluated;
        evaluated.kind = Event::Kind::Evaluated;
        evaluated.step = i;
        evaluated.weights = weights;
        evaluated.requests = judgedWindow.total;
        evaluated.gates =
            judge(gatesFor(plan, step), judgedWindow, plan.lane, baseline, weights, step.minRequests);
        evaluated.verdict = overall(evaluated.gates);
        Evaluation evaluation;
        evaluation.elapsed = std::chrono::steady_clock::now() - started;
        evaluation.held = evaluation.elapsed >= step.hold || requested(&State::promoteRequested);
        for (const auto &gate : evaluated.gates) {
            if (gate.verdict == Verdict::Fail) {
                evaluation.failed += (evaluation.failed.empty() ? "" : "; ") + gate.gate + ": " + gate.text;
            }
        }
        judged = judged || evaluated.verdict != Verdict::Wait;
        evaluated.message = evaluated.verdict == Verdict::Fail   ? "fail: " + evaluation.failed
                            : evaluated.verdict == Verdict::Wait ? "wait: too few requests to judge"
                            : evaluation.held                    ? "pass: step held"
                                                                 : "pass: holding";
        evaluation.verdict = evaluated.verdict;
        emit(std::move(evaluated));
        return evaluation;
    }

    /// What the gates judge now: the latest probe windows that together hold the step's minimum requests
    /// (fewer: they wait), or, when the plan's gates read the mesh's telemetry, everything the ingress served
    /// since the step was pushed (the probes' windows are then only the traffic they sent).
    Result<Observation> windowToJudge(std::deque<Observation> &windows, const Step &step,
                                      std::chrono::steady_clock::time_point started)
    {
        const Observation probed = latestWindows(windows, step.minRequests);
        if (plan.gatesFrom != GateSource::Telemetry) {
            return probed;
        }
        if (!options.meshObservation) {
            return Error{"the plan's gates read the mesh's telemetry, and no Prometheus was given"};
        }
        const auto since =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        auto mesh = options.meshObservation(since);
        if (!mesh) {
            return Error{"cannot read the mesh's telemetry: " + mesh.error().message};
        }
        return mesh->value_or(Observation{});
    }

    /// While the operator keeps step `i` paused: waits (renewing the lease every interval) and moves the
    /// step's start by the time paused, so the hold time stands still. A result when the rollout ends here.
    std::optional<RunResult> waitWhilePaused(int i, const Step &step,
                                             const std::map<std::string, int> &weights,
                                             std::chrono::steady_clock::time_point &started)
    {
        if (!requested(&State::pauseRequested)) {
            return std::nullopt;
        }
        Event paused;
        paused.kind = Event::Kind::Paused;
        paused.step = i;
        paused.weights = weights;
        paused.message = "paused by the operator at step " + std::to_string(i + 1) + "; it stays in force";
        emit(std::move(paused));
        const auto pausedAt = std::chrono::steady_clock::now();
        std::unique_lock lock(mutex);
        while (pauseRequested && !abortRequested && !rollbackRequested) {
            wake.wait_for(lock, plan.interval);
            lock.unlock();
            if (auto renewed = target.acquireLease(options.holder, leaseExpiry(step)); !renewed) {
                return end(Outcome::Aborted, i, "lost the rollout lease: " + renewed.error().message,
                           weights);
            }
            lock.lock();
        }
        const bool resumed = !pauseRequested;
        lock.unlock();
        started += std::chrono::steady_clock::now() - pausedAt;
        if (resumed) {
            Event event;
            event.kind = Event::Kind::Resumed;
            event.step = i;
            event.weights = weights;
            event.message = "resumed by the operator at step " + std::to_string(i + 1);
            emit(std::move(event));
        }
        return std::nullopt;
    }

    /// Samples and judges windows until step `i` has held and passed; a result when the rollout ends here.
    std::optional<RunResult> holdStep(RolloutState &state, int i, const traffic::SamplerConfig &probe,
                                      const std::string &baseline, const std::map<std::string, int> &weights)
    {
        const Step &step = plan.steps[static_cast<std::size_t>(i)];
        {
            std::lock_guard lock(mutex);
            promoteRequested = false;
        }
        auto started = std::chrono::steady_clock::now();
        const auto maxWait = step.hold * std::max(1, options.maxWaitHolds);
        std::deque<Observation> windows;
        bool judged = false;
        for (;;) {
            if (auto ended = waitWhilePaused(i, step, weights, started)) {
                return ended;
            }
            auto window = sampleWindow(probe, weights);
            if (requested(&State::abortRequested)) {
                return end(Outcome::Aborted, i,
                           "stopped by the operator; step " + std::to_string(i + 1) +
                               " stays in force (--resume continues, --rollback undoes)",
                           weights);
            }
            if (requested(&State::rollbackRequested)) {
                return rollBackNow(state, i, "the operator asked to roll back");
            }
            if (!window) {
                return end(Outcome::Aborted, i, "cannot sample: " + window.error().message, weights);
            }
            windows.push_back(std::move(*window));
            auto judgedWindow = windowToJudge(windows, step, started);
            if (!judgedWindow) {
                return end(Outcome::Aborted, i, judgedWindow.error().message, weights);
            }
            const Evaluation evaluation =
                evaluateWindow(i, step, *judgedWindow, weights, baseline, started, judged);
            if (evaluation.verdict == Verdict::Fail) {
                return rollBackNow(state, i,
                                   "step " + std::to_string(i + 1) + " failed: " + evaluation.failed);
            }
            if (auto renewed = target.acquireLease(options.holder, leaseExpiry(step)); !renewed) {
                return end(Outcome::Aborted, i, "lost the rollout lease: " + renewed.error().message,
                           weights);
            }
            // A pause asked for during the window keeps the step: the next one is not pushed meanwhile.
            if (evaluation.held && judged && evaluation.verdict == Verdict::Pass &&
                !requested(&State::pauseRequested)) {
                return std::nullopt;
            }
            if (evaluation.verdict == Verdict::Wait && evaluation.elapsed >= maxWait) {
                return end(Outcome::Aborted, i,
                           "step " + std::to_string(i + 1) + " did not get enough requests to judge within " +
                               std::to_string(maxWait.count() / 1000) + " s; it stays in force",
                           weights);
            }
        }
    }

    /// After the last step: makes the lane the baseline when the plan says so, and saves the end state.
    RunResult promote(RolloutState &state)
    {
        const int last = static_cast<int>(plan.steps.size()) - 1;
        if (plan.makeBaseline) {
            LaneGroup promoted = withWeights(group, state.weights);
            promoted.baseline = plan.lane;
            if (!pushWeights(last, promoted, state.weights,
                             "promote: " + plan.lane + " becomes the baseline")) {
                return end(Outcome::Aborted, last, "the promotion push failed; the last step stays in force");
            }
        }
        state.phase = RolloutState::Phase::Promoted;
        if (auto saved = saveState(state); !saved) {
            return end(Outcome::Promoted, last, "promoted, but " + saved.error().message, state.weights);
        }
        return end(Outcome::Promoted, last,
                   "promoted: " + weightsText(state.weights, group) +
                       (plan.makeBaseline ? "; " + plan.lane + " is the baseline" : ""),
                   state.weights);
    }

    RunResult run()
    {
        hash = planHash(plan, group);
        const Step &first = plan.steps.front();
        if (auto lease = target.acquireLease(options.holder, leaseExpiry(first)); !lease) {
            return end(Outcome::Refused, -1, lease.error().message);
        }
        struct Release
        {
            Target &target;
            const std::string &holder;
            ~Release() { target.releaseLease(holder); }
        } release{target, options.holder};

        RolloutState state;
        int startStep = 0;
        if (auto refused = loadOrStart(state, startStep)) {
            return std::move(*refused);
        }
        state.holder = options.holder;
        emitStarted(state, startStep);
        auto probe = target.probe();
        if (!probe) {
            return end(Outcome::Aborted, state.step, probe.error().message);
        }
        const std::string baseline = group.baselineLane() ? group.baselineLane()->name : std::string();
        for (int i = startStep; i < static_cast<int>(plan.steps.size()); ++i) {
            const Step &step = plan.steps[static_cast<std::size_t>(i)];
            const auto weights = stepWeights(plan, step, group);
            if (auto ended = pushStep(state, i, weights)) {
                return std::move(*ended);
            }
            if (auto ended = holdStep(state, i, *probe, baseline, weights)) {
                return std::move(*ended);
            }
            Event passed;
            passed.kind = Event::Kind::StepPassed;
            passed.step = i;
            passed.weights = weights;
            passed.message = "step " + std::to_string(i + 1) + " passed";
            emit(std::move(passed));
        }
        return promote(state);
    }
};

Runner::Runner(Plan plan, LaneGroup group, Target &target, RunnerOptions options)
    : m_state(std::make_unique<State>(std::move(plan), std::move(group), target, std::move(options)))
{}

Runner::~Runner() = default;

RunResult Runner::run()
{
    if (m_state->plan.steps.empty()) {
        return {Outcome::Refused, "the plan has no steps", -1};
    }
    return m_state->run();
}

void Runner::requestAbort()
{
    std::lock_guard lock(m_state->mutex);
    m_state->abortRequested = true;
    if (m_state->sampler) {
        m_state->sampler->requestStop();
    }
    m_state->wake.notify_all();
}

void Runner::requestRollback()
{
    std::lock_guard lock(m_state->mutex);
    m_state->rollbackRequested = true;
    if (m_state->sampler) {
        m_state->sampler->requestStop();
    }
    m_state->wake.notify_all();
}

void Runner::requestPromote()
{
    std::lock_guard lock(m_state->mutex);
    m_state->promoteRequested = true;
    m_state->pauseRequested = false;
    m_state->wake.notify_all();
}

void Runner::requestPause()
{
    std::lock_guard lock(m_state->mutex);
    m_state->pauseRequested = true;
}

void Runner::requestResume()
{
    std::lock_guard lock(m_state->mutex);
    m_state->pauseRequested = false;
    m_state->wake.notify_all();
}

bool Runner::isPaused() const
{
    std::lock_guard lock(m_state->mutex);
    return m_state->pauseRequested;
}

RunResult Runner::rollBackOnly()
{
    State &s = *m_state;
    if (auto lease = s.target.acquireLease(s.options.holder, nowMs() + 60000); !lease) {
        return s.end(Outcome::Refused, -1, lease.error().message);
    }
    auto loaded = s.target.loadState();
    if (!loaded) {
        s.target.releaseLease(s.options.holder);
        return s.end(Outcome::Refused, -1, loaded.error().message);
    }
    RolloutState saved;
    if (loaded->has_value()) {
        saved = **loaded;
    } else {
        saved.plan = s.plan.name;
        saved.hash = planHash(s.plan, s.group);
    }
    saved.holder = s.options.holder;
    RunResult result = s.rollBackNow(saved, saved.step, "the operator asked to roll back");
    s.target.releaseLease(s.options.holder);
    return result;
}

SandboxTarget::SandboxTarget(sandbox::Sandbox &box, mesh::Flavor flavor, std::string statePath)
    : StateFileTarget(std::move(statePath)), m_box(box), m_flavor(flavor)
{}

StateFileTarget::StateFileTarget(std::string statePath) : m_statePath(std::move(statePath)) {}

StateFileTarget::~StateFileTarget()
{
    if (m_lockFd >= 0) {
        ::close(m_lockFd);
    }
}

std::string SandboxTarget::describe() const
{
    return "the sandbox (" + mesh::toString(m_flavor) + ") at " + m_box.gatewayUrl();
}

Result<std::vector<std::string>> SandboxTarget::push(const LaneGroup &weighted)
{
    auto rendered = mesh::render(weighted, {m_flavor, {}});
    if (!rendered) {
        return rendered.error();
    }
    if (auto applied = m_box.apply(rendered->resources); !applied) {
        return applied.error();
    }
    std::vector<std::string> lines;
    for (const auto &resource : rendered->resources) {
        lines.push_back(resource.displayName() + " applied");
    }
    return lines;
}

Result<traffic::SamplerConfig> SandboxTarget::probe()
{
    if (!m_box.isRunning()) {
        return Error{"the sandbox is not running"};
    }
    traffic::SamplerConfig config;
    config.url = m_box.gatewayUrl();
    return config;
}

Result<std::optional<RolloutState>> StateFileTarget::loadState()
{
    if (::access(m_statePath.c_str(), F_OK) != 0) {
        return std::optional<RolloutState>{};
    }
    auto text = readFileLimited(m_statePath, 1 << 20);
    if (!text) {
        return text.error();
    }
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded()) {
        return Error{m_statePath + ": not a rollout state (invalid JSON); move it away to start afresh"};
    }
    auto state = stateFromJson(json);
    if (!state) {
        return Error{m_statePath + ": " + state.error().message};
    }
    return std::optional<RolloutState>(std::move(*state));
}

Result<void> StateFileTarget::saveState(const RolloutState &state)
{
    return writeFileAtomically(m_statePath, stateJson(state).dump(2) + '\n');
}

Result<void> StateFileTarget::acquireLease(const std::string &holder, std::int64_t)
{
    if (m_lockFd >= 0) {
        return {}; // held by this target already: the kernel keeps it until release or exit
    }
    const std::string lockPath = m_statePath + ".lock";
    const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        return Error{lockPath + ": " + std::strerror(errno)};
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buffer[256] = {};
        const auto n = ::pread(fd, buffer, sizeof buffer - 1, 0);
        ::close(fd);
        return Error{
            "another rollout of this group is running (" +
            (n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string("holder unknown")) +
            ", lock " + lockPath + ")"};
    }
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, holder.data(), holder.size(), 0) < 0) {
        ::close(fd);
        return Error{lockPath + ": cannot record the holder: " + std::strerror(errno)};
    }
    m_lockFd = fd;
    return {};
}

void StateFileTarget::releaseLease(const std::string &)
{
    if (m_lockFd >= 0) {
        ::close(m_lockFd); // closing drops the flock
        m_lockFd = -1;
    }
}

std::string defaultStatePath(const std::string &planPath)
{
    return planPath + ".state.json";
}

} // namespace lanedeck::rollout

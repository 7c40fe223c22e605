#pragma once

#include "base/result.h"
#include "lanes/lanegroup.h"
#include "mesh/resource.h"
#include "rollout/gates.h"
#include "rollout/plan.h"
#include "traffic/sampler.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lanedeck::sandbox {
class Sandbox;
}

namespace lanedeck::rollout {

/// Where a rollout stands, kept with the group (the ingress object's annotation in a cluster, a state file
/// for the sandbox), so that it survives the tool: after a crash or Ctrl-C the mesh stays at the last
/// pushed step and --resume continues from there.
struct RolloutState
{
    enum class Phase
    {
        Running,    ///< a step is in force and the rollout has not ended
        Promoted,   ///< every step passed; the last step's weights stay
        RolledBack, ///< a gate failed (or the operator rolled back); the rollback weights are in force
    };
    std::string plan; ///< the plan's name
    std::string hash; ///< planHash() of the plan and group it runs
    Phase phase = Phase::Running;
    int step = -1;                           ///< index of the step in force; -1: none pushed yet
    std::map<std::string, int> weights;      ///< the weights in force
    std::map<std::string, int> startWeights; ///< the weights before the rollout's first push
    std::string holder;                      ///< who runs it: "lanectl@host:pid"
    std::int64_t updatedMs = 0;              ///< when it was written, ms since the epoch

    friend bool operator==(const RolloutState &, const RolloutState &) = default;
};
std::string toString(RolloutState::Phase phase);
nlohmann::ordered_json stateJson(const RolloutState &state);
Result<RolloutState> stateFromJson(const nlohmann::json &json);

/// Where the rollout's steps go and where its probes come from: the sandbox or a cluster. A target also
/// keeps the rollout's state and its lease. Methods are called from the runner's thread only.
class Target
{
public:
    virtual ~Target() = default;
    virtual std::string describe() const = 0;
    /// Pushes the group (with a step's weights) and returns one line per resource saying what happened;
    /// an Error when the push did not take effect.
    virtual Result<std::vector<std::string>> push(const LaneGroup &weighted) = 0;
    /// The probe configuration through the group's ingress: URL and headers (rate and duration are set by
    /// the runner).
    virtual Result<traffic::SamplerConfig> probe() = 0;
    /// The saved state, or nothing when no rollout ran for the group.
    virtual Result<std::optional<RolloutState>> loadState() = 0;
    virtual Result<void> saveState(const RolloutState &state) = 0;
    /// Takes the group's rollout lease for `holder` (valid until `expiresMs` unless renewed; renewing is
    /// taking it again). Fails naming the holder when another unexpired one holds it.
    virtual Result<void> acquireLease(const std::string &holder, std::int64_t expiresMs) = 0;
    virtual void releaseLease(const std::string &holder) = 0;
};

/// One thing the runner did or decided, as the audit log records it (one JSON line each).
struct Event
{
    enum class Kind
    {
        Started,
        Pushed,     ///< a step's weights were pushed
        Evaluated,  ///< the gates judged one evaluation window
        StepPassed, ///< the step held for its time with every judged evaluation passing
        RolledBack,
        Promoted,
        Aborted, ///< stopped without a decision (operator, too few requests, failed push); the step stays
        Refused, ///< did not start: lease held, plan changed, nothing to resume
        Paused,  ///< the operator paused the step: no sampling, no judging, its hold time stands still
        Resumed, ///< the operator resumed a paused step
    };
    std::int64_t timeMs = 0; ///< ms since the epoch
    Kind kind = Kind::Started;
    int step = -1;
    std::map<std::string, int> weights;
    std::vector<std::string> pushResults;
    bool pushOk = true;
    std::uint64_t requests = 0; ///< in the judged window
    std::vector<GateResult> gates;
    Verdict verdict = Verdict::Wait;
    std::string message; ///< the decision in words
};
std::string toString(Event::Kind kind);
nlohmann::ordered_json eventJson(const Event &event);

struct RunnerOptions
{
    bool resume = false;
    std::string holder = "lanedeck";
    /// Called on the runner's thread for every event, in order (the live line, the audit log, the GUI).
    std::function<void(const Event &)> onEvent;
    /// How long a step waits for enough requests before the rollout aborts, in holds (of that step).
    int maxWaitHolds = 4;
    /// Probe connections in flight at most.
    int concurrency = 16;
    /// For a plan whose gates read the mesh's telemetry (Plan::gatesFrom): the lanes' requests at the
    /// ingress over the given time up to now (the time since the step was pushed), or nothing while the
    /// telemetry has no sample for it yet (the gates wait). Called on the runner's thread each interval,
    /// after that interval's probes; an Error aborts the rollout with the step in force.
    std::function<Result<std::optional<Observation>>(std::chrono::milliseconds)> meshObservation;
};

enum class Outcome
{
    Promoted,
    RolledBack,
    Aborted,
    Refused,
};
std::string toString(Outcome outcome);

struct RunResult
{
    Outcome outcome = Outcome::Aborted;
    std::string message;
    int step = -1; ///< the step in force at the end
};

/// Runs a rollout plan against a target: for each step, push its weights, hold it while sampling through
/// the ingress in windows of the plan's interval, judge the gates over the latest windows that together
/// hold the step's minimum requests (fewer: wait), roll back on the first failure, move on when the hold
/// time has passed; after the last step, promote.
///
/// Threads: run() blocks the calling thread (any thread but a GUI's) until the rollout ends; every other
/// method may be called from any thread meanwhile. Events are delivered on run()'s thread. The target is
/// borrowed and used from run()'s thread only. No exceptions; failures end as Aborted or Refused results.
class Runner final
{
public:
    Runner(Plan plan, LaneGroup group, Target &target, RunnerOptions options = {});
    ~Runner();
    Runner(const Runner &) = delete;
    Runner &operator=(const Runner &) = delete;

    RunResult run();
    /// Stops at the next opportunity without a decision: the step in force stays, --resume continues.
    void requestAbort();
    /// Rolls back at the next opportunity, as a failed gate would.
    void requestRollback();
    /// Ends the current step's hold as if it had passed (the gates still judge what was sampled); resumes a
    /// paused step.
    void requestPromote();
    /// Pauses after the window being sampled has been judged: the step in force stays, nothing is sampled or
    /// judged, the hold time stands still and no further step is pushed until requestResume(). Abort, roll
    /// back and promote still act on a paused rollout.
    void requestPause();
    void requestResume();
    bool isPaused() const;
    /// Instead of run(): pushes the rollback weights and records the rollout as rolled back, without
    /// sampling (lanectl rollout --rollback, the console's Roll back after a stop).
    RunResult rollBackOnly();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

/// A target whose rollout state lives in a JSON file (written atomically) with a lock file beside it,
/// flock'ed while a rollout runs, as the lease (the kernel drops it when the process dies). Targets of a mesh
/// in this process derive from it: the sandbox of lanectl, and the console's.
class StateFileTarget : public Target
{
public:
    explicit StateFileTarget(std::string statePath);
    ~StateFileTarget() override;
    StateFileTarget(const StateFileTarget &) = delete;
    StateFileTarget &operator=(const StateFileTarget &) = delete;

    Result<std::optional<RolloutState>> loadState() override;
    Result<void> saveState(const RolloutState &state) override;
    Result<void> acquireLease(const std::string &holder, std::int64_t expiresMs) override;
    void releaseLease(const std::string &holder) override;

private:
    std::string m_statePath;
    int m_lockFd = -1;
};

/// The sandbox as a target: a push renders the group (with the step's weights) and apply()s it, probes go
/// to its gateway, and the state lives in a file (StateFileTarget).
class SandboxTarget final : public StateFileTarget
{
public:
    /// `box` is borrowed and must be running while the rollout runs.
    SandboxTarget(sandbox::Sandbox &box, mesh::Flavor flavor, std::string statePath);

    std::string describe() const override;
    Result<std::vector<std::string>> push(const LaneGroup &weighted) override;
    Result<traffic::SamplerConfig> probe() override;

private:
    sandbox::Sandbox &m_box;
    mesh::Flavor m_flavor;
};

/// The state file a sandbox rollout of `planPath` uses by default: beside the plan, "<plan>.state.json".
std::string defaultStatePath(const std::string &planPath);

/// Milliseconds since the epoch (the audit log's and the state's clock).
std::int64_t nowMs();

} // namespace lanedeck::rollout

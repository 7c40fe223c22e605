#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace lanedeck::telemetry {
class LocalPrometheus;
}

namespace lanedeck::ui {

class MainWindow;

/// `lanedeck --demo`: the live canary demonstration in one step. Opens the seed scenario, pushes it to the
/// local sandbox (which starts it), and samples the sandbox's gateway on the Traffic page until stopped, so
/// the charts converge to the seed's 60/20/20 with its three chains. From there, changing a weight in the
/// designer and pushing moves the split live. The Rollout panel holds the demo's rollout plan (s2 from 0 to
/// 50% in three steps), which the demo can also run by itself, with or without a fault on mockc v2.
class TrafficDemo final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int rate = 400; ///< requests per second: lively charts without saturating a small machine
        int concurrency = 8;
        /// Non-empty: a scripted canary step, these lane weights set and pushed canaryAfterMs after sampling
        /// starts (unattended demonstrations and screenshots; an operator does this in the designer).
        QList<int> canaryWeights;
        int canaryAfterMs = 10000;
        /// "promote": once sampling runs, the Rollout panel runs the demo plan (s2 from 0 to 50% in three
        /// steps); "fault": the same with mockc v2 failing 20% of its requests, so the gates roll it back.
        /// Empty: the plan is only opened in the panel, for the operator to run.
        QString rollout;
        int rolloutAfterMs = 4000; ///< the split settles on the charts first
        /// Also run a Prometheus scraping the sandbox (when Debian's prometheus is installed), so the Traffic
        /// page can switch to "mesh telemetry".
        bool telemetry = true;
        /// Services whose workloads drop the baggage header (the propagation-off demonstration: requests
        /// leave their lane after them). The demo then runs the istio flavor, where they leak rather than
        /// fail as asm's header routing does.
        QStringList noBaggage;
        /// Show the Traffic page's mesh-telemetry source instead of the sampler's charts.
        bool showTelemetry = false;
    };

    TrafficDemo(MainWindow *window, Options options, QObject *parent = nullptr);
    TrafficDemo(MainWindow *window, QObject *parent = nullptr) : TrafficDemo(window, Options{}, parent) {}
    ~TrafficDemo() override;

    /// The demo's Prometheus ("http://127.0.0.1:<port>"), empty when it runs none.
    QString prometheusUrl() const;

    /// Opens `document` (empty: the seed scenario, MainWindow::openExample) and starts the push; sampling
    /// starts once the sandbox runs. False, with `error` in words, if the document cannot be opened.
    bool start(const QString &document, QString *error);

    /// Parses "20/40/40@10" (weights, then seconds after the start) into `options`; false if malformed.
    static bool parseCanary(const QString &text, Options *options);
    /// Parses "promote" or "fault" into `options`; false otherwise.
    static bool parseRollout(const QString &text, Options *options);
    /// The demo's rollout plan (in the binary's resources).
    static QString rolloutPlanPath();

Q_SIGNALS:
    /// Sampling started (`error` empty), or the push failed and says why.
    void started(const QString &error);
    /// The scripted canary step was pushed (`error` empty) or failed.
    void canaryPushed(const QString &error);
    /// The scripted rollout started (`error` empty) or could not.
    void rolloutStarted(const QString &error);

private:
    void push(const QString &step);
    void canaryStep();
    void prepareRollout();
    void startRollout();
    void startTelemetry();

    MainWindow *m_window;
    Options m_options;
    std::unique_ptr<telemetry::LocalPrometheus> m_prometheus;
};

} // namespace lanedeck::ui

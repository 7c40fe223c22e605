#pragma once

#include "graph/drawing.h"
#include "lanes/lanegroup.h"
#include "traffic/export.h"
#include "traffic/sampler.h"

#include <QDateTime>
#include <QList>
#include <QPair>
#include <QWidget>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace lanedeck::ui {

class DocumentController;
class RolloutPanel;
class TelemetryPanel;
class TrafficChainModel;
class TrafficChart;
class TrafficLaneModel;
class TrafficRun;
class TrafficTimelineModel;

/// The Traffic page: samples the target with the core's traffic::Sampler and shows, live, how the lanes split
/// it: share over time, share against the configured weights with 95% intervals, latency per lane, errors,
/// the verdict in the core's words, and the distinct response chains. Sampling runs off the GUI thread
/// (TrafficRun); a run superseded by a newer one (Stop and Start, or a push while sampling) is ignored from
/// then on. After a push to the target the statistics restart against the pushed weights on the same time
/// line, which is how a canary step shows up; the runs before and after the push make one session, which the
/// CSV and JSON exports hold whole (each run with its own summary).
class TrafficPage final : public QWidget
{
    Q_OBJECT
public:
    enum class Amount
    {
        Requests,
        Seconds,
        UntilStopped
    };
    enum class Classification
    {
        Chain,
        Header,
        Regex
    };

    explicit TrafficPage(DocumentController *document, QWidget *parent = nullptr);
    ~TrafficPage() override;

    TrafficLaneModel *laneModel() const { return m_laneModel; }
    TrafficTimelineModel *timelineModel() const { return m_timelineModel; }
    TrafficChainModel *chainModel() const { return m_chainModel; }
    QList<TrafficChart *> charts() const { return m_charts; }
    /// The "mesh telemetry" source: Istio's metrics in Prometheus instead of the sampler.
    TelemetryPanel *telemetryPanel() const { return m_telemetry; }
    enum class Source
    {
        Sampler,
        MeshTelemetry
    };
    void setSource(Source source);
    Source source() const;
    /// The traffic for the topology's edges from the active source: the sampler's latest summary
    /// (graph::trafficFromSummary), or the telemetry panel's current view (graph::trafficFromTelemetry; empty
    /// while it has none, after a failure or a stale answer). Switching the source switches what it reads, so
    /// the other source's numbers go.
    graph::Traffic liveTraffic() const;
    /// Whether another view shows liveTraffic() while this page is hidden (the Topology tab): the telemetry
    /// source then keeps refreshing live, as when its panel is shown.
    void setWatchedElsewhere(bool watched);
    /// The Rollout panel beside the results (hidden until shown with the Rollout button).
    RolloutPanel *rolloutPanel() const { return m_rollout; }
    void setRolloutVisible(bool visible);
    bool isRolloutVisible() const;
    /// Marks the time line charts where a rollout step (or the rollback) began.
    void markStep(const QString &label);
    /// The core's verdict on the latest summary ("matches 60/20/20, p = 0.41"), empty before the first one.
    QString verdict() const;
    const traffic::Summary &summary() const { return m_summary; }
    /// The last finished (or stopped) run; null before one finished.
    std::shared_ptr<const traffic::SampleRun> lastRun() const { return m_lastRun; }
    /// The runs of the current session, in order: a run restarted by a push adds one. A run still sampling,
    /// or superseded and not yet stopped, has no SampleRun yet.
    const std::vector<traffic::SessionRun> &session() const { return m_session; }
    bool isRunning() const;
    /// Runs started so far (a push while sampling starts a new one).
    int runCount() const { return static_cast<int>(m_generation); }

    /// The address to sample, as the selected target offers it: the local sandbox's gateway, or the cluster's
    /// ingress gateway address read from its Service, with the Host header it needs (empty: none). `origin`
    /// says where the address came from, or why there is none, next to the field. The URL and the Host header
    /// each follow the target until the user types their own.
    void setTargetUrl(const QString &url, const QString &origin, const QString &host = QString());
    /// What the note next to the target field says.
    QString targetOrigin() const;
    QString targetUrl() const;
    void setHostHeader(const QString &host);
    void setRate(int perSecond); ///< 0: as fast as the concurrency allows
    void setAmount(Amount amount, int value = 0);
    void setConcurrency(int connections);
    void setThreads(int threads); ///< 0: one per core
    void setExtraHeaders(const QStringList &headers);
    void setClassification(Classification mode, const QString &argument = {});
    void setRestartOnPush(bool restart);

    /// Starts sampling with the form's settings; false and `error` in words when they are not usable.
    bool start(QString *error = nullptr);
    void stop();

    /// A push to the target took effect with `group`: statistics compare against its weights from now on.
    void targetApplied(const LaneGroup &group);

    /// Every sample of the session to `path` and each run's summary next to it (the core's CSV exporter).
    bool exportCsv(const QString &path, QString *error);
    /// Every sample and each run's summary of the session as JSON (the core's exporter).
    bool exportJson(const QString &path, QString *error);
    /// The four charts in one PNG made for a change ticket: at a fixed size, under a header with the group,
    /// the target, the session's time range, the runs and the verdict; the time lines cover the session with
    /// a dashed mark where a push restarted the statistics, share against weight and latency the current run
    /// (their titles say which when the session has more than one).
    bool exportCharts(const QString &path, QString *error);
    /// The header lines of the charts picture: title, target, time range and runs, verdict.
    QStringList chartsCaption() const;

Q_SIGNALS:
    void runningChanged(bool running);
    /// The models took a new summary.
    void summaryUpdated();
    void sourceChanged(lanedeck::ui::TrafficPage::Source source);
    /// liveTraffic() has new figures: a snapshot of the sampler, a view (or failure) of the telemetry source,
    /// or the other source chosen.
    void liveTrafficChanged();
    void statusMessage(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void createSourceSwitch(QWidget *samplerView);
    QWidget *createSettingsColumn();
    QGroupBox *createSamplerForm();
    QGroupBox *createExportBox();
    QWidget *createResultsColumn();
    void createVerdictLabels();
    QWidget *createCharts();
    QTabWidget *createTables();
    void connectControls();
    void connectRollout();
    void restoreSamplerSettings();

    bool startRun(const LaneGroup &group, bool continueTimeline, QString *error);
    void takeSnapshot(quint64 generation, const traffic::Summary &summary);
    void runFinished(quint64 generation, quint64 session, std::size_t slot,
                     const std::shared_ptr<const traffic::SampleRun> &run);
    bool sessionComplete() const;
    void updateRunScope();
    void refreshCharts();
    void updateControls();
    void updateVerdict();
    void exportInteractively(int what);
    bool exportNow(int what, const QString &path, QString *error);
    void finishPendingExport();
    std::optional<traffic::SamplerConfig> config(QString *error) const;
    LaneGroup sampledGroup() const;

    DocumentController *m_document;
    TrafficLaneModel *m_laneModel;
    TrafficTimelineModel *m_timelineModel;
    TrafficChainModel *m_chainModel;
    QSortFilterProxyModel *m_chainProxy;
    QList<TrafficChart *> m_charts;
    QWidget *m_chartArea = nullptr;

    QLineEdit *m_url = nullptr;
    QLabel *m_urlOrigin = nullptr;
    QLineEdit *m_host = nullptr;
    QSpinBox *m_rate = nullptr;
    QComboBox *m_amountKind = nullptr;
    QSpinBox *m_amount = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QSpinBox *m_threads = nullptr;
    QPlainTextEdit *m_headers = nullptr;
    QComboBox *m_classify = nullptr;
    QLineEdit *m_classifyArgument = nullptr;
    QCheckBox *m_restartOnPush = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_exportCsv = nullptr;
    QPushButton *m_exportJson = nullptr;
    QPushButton *m_exportPng = nullptr;
    QLabel *m_exportScope = nullptr;
    QList<QPair<TrafficChart *, QString>> m_runCharts; ///< the charts of the current run, with their titles
    QLabel *m_verdict = nullptr;
    QLabel *m_stats = nullptr;
    QTableView *m_chainView = nullptr;
    QPlainTextEdit *m_response = nullptr;

    TrafficRun *m_run = nullptr;
    quint64 m_generation = 0;
    traffic::Summary m_summary;
    std::shared_ptr<const traffic::SampleRun> m_lastRun;
    std::vector<traffic::SessionRun> m_session;
    quint64 m_sessionId = 0; ///< answers of runs of an earlier session are not part of this one
    std::chrono::steady_clock::time_point m_sessionStart;
    QDateTime m_sessionStartedAt;
    QDateTime m_sessionEndedAt;                         ///< null while a run samples
    std::optional<QPair<int, QString>> m_pendingExport; ///< what and where, once the stopped run hands over
    std::optional<LaneGroup> m_appliedGroup;
    QString m_followedUrl;  ///< the target's URL while the field still shows it
    QString m_followedHost; ///< the target's Host header while the field still shows it
    bool m_chartsStale = false;
    QComboBox *m_source = nullptr;
    QStackedWidget *m_sourceStack = nullptr;
    TelemetryPanel *m_telemetry = nullptr;
    bool m_watchedElsewhere = false;
    RolloutPanel *m_rollout = nullptr;
    QPushButton *m_rolloutToggle = nullptr;
    QSplitter *m_rolloutSplit = nullptr;
};

} // namespace lanedeck::ui

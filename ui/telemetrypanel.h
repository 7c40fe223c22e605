#pragma once

#include "lanes/lanegroup.h"
#include "telemetry/meshtelemetry.h"
#include "ui/clustertarget.h"
#include "ui/settings.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QWidget>

#include <memory>
#include <optional>

class QComboBox;
class QDateTimeEdit;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QThreadPool;
class QTimer;

namespace lanedeck::ui {

class TrafficChart;
class TrafficLaneModel;
struct TelemetryApiClient;

/// The hops of a telemetry view, a row per hop and lane: requests/s, requests, errors and leaked requests.
class TelemetryHopModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Hop,
        Lane,
        PerSecond,
        Requests,
        Errors,
        Leaked,
        ColumnCount
    };
    using QAbstractTableModel::QAbstractTableModel;

    void setHops(const std::vector<telemetry::HopTraffic> &hops);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString hop;
        telemetry::HopLane lane;
    };
    std::vector<Row> m_rows;
};

/// The Traffic page's "mesh telemetry" source: the lanes' split, errors and latency, and each hop's requests
/// and leaks, read from Istio's metrics in Prometheus by the core's telemetry::observe. Live (refreshed every
/// few seconds over a trailing window) or a past range. Queries run on a thread of its own; a refresh
/// superseded by a newer one is dropped when it ends. A stale or failed refresh empties the charts and says
/// why: nothing old is ever shown as live. Prometheus is read at a URL (optionally with a bearer token or
/// basic auth read from a file, and a CA) or, connected to a cluster, through its API server's service proxy
/// (the Service given, or discovered); the choice is remembered per cluster context.
class TelemetryPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit TelemetryPanel(QWidget *parent = nullptr);
    ~TelemetryPanel() override;

    void setGroup(const LaneGroup &group);
    /// Which workload is which lane's, for a target without an inventory (the sandbox's instances).
    void setWorkloads(const telemetry::WorkloadMap &workloads);
    /// The connected cluster's inventory (null: none): while set, workloads map to lanes by their pod
    /// templates' values of the group's label keys, read from it at each refresh.
    void setInventory(std::shared_ptr<const kube::Inventory> inventory);
    /// The cluster context (or sandbox id) the page targets and how to reach its API server (empty: the
    /// target has none, and the service proxy is not offered). Where Prometheus was read for it comes back.
    void setCluster(const QString &context, KubeClientFactory apiClient);
    /// setCluster() without an API server (the sandbox).
    void setContext(const QString &context);
    /// Where to read Prometheus; remembered for the context.
    void setSource(const TelemetrySourceSettings &source);
    TelemetrySourceSettings source() const;
    /// Whether the service proxy can be chosen (connected to a cluster).
    bool canUseServiceProxy() const { return bool(m_apiClient); }
    void setPrometheusUrl(const QString &url);
    QString prometheusUrl() const;
    void setWindowSeconds(int seconds);
    /// Live (trailing window, refreshed) or the window ending at `end`.
    void setLive(bool live);
    void setPastEnd(const QDateTime &end);
    bool isLive() const;
    /// Live refreshes run while the panel is shown and live.
    void setRefreshInterval(int milliseconds);
    /// Another view shows this panel's numbers while the panel itself is hidden (the topology canvas): live
    /// refreshes run then too, starting with one at once.
    void setWatchedElsewhere(bool watched);
    bool isWatchedElsewhere() const { return m_watchedElsewhere; }

    /// Starts a refresh now (off the GUI thread); updated() or failed() follows.
    void refresh();

    /// The last view shown; empty before one arrived or after a failure.
    const std::optional<telemetry::MeshTelemetry> &view() const { return m_view; }
    TrafficLaneModel *laneModel() const { return m_laneModel; }
    TelemetryHopModel *hopModel() const { return m_hopModel; }
    QString verdict() const;
    QString status() const;
    bool exportCsv(const QString &path, QString *error) const;
    bool exportJson(const QString &path, QString *error) const;

Q_SIGNALS:
    void updated();
    void failed(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void createControls();
    void createSourceRows(QWidget *form, QFormLayout *layout);
    void showSource(const TelemetrySourceSettings &source);
    void sourceEdited();
    void updateSourceRows();
    void apply(quint64 generation, const QString &error, const std::optional<telemetry::MeshTelemetry> &view);
    void updateTimer();
    void exportInteractively(bool json);

    LaneGroup m_group;
    telemetry::WorkloadMap m_workloads;
    std::shared_ptr<const kube::Inventory> m_inventory;
    QString m_context;
    KubeClientFactory m_apiClient;
    std::shared_ptr<TelemetryApiClient> m_client; ///< made on the worker at the first service-proxy refresh
    std::optional<telemetry::MeshTelemetry> m_view;
    quint64 m_generation = 0;
    bool m_busy = false;
    bool m_watchedElsewhere = false;
    std::unique_ptr<QThreadPool> m_pool;
    QTimer *m_timer = nullptr;

    TrafficLaneModel *m_laneModel = nullptr;
    TelemetryHopModel *m_hopModel = nullptr;
    QFormLayout *m_sourceForm = nullptr;
    QComboBox *m_reach = nullptr;
    QLineEdit *m_url = nullptr;
    QComboBox *m_auth = nullptr;
    QLineEdit *m_authFile = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_service = nullptr;
    QPushButton *m_discover = nullptr;
    QComboBox *m_window = nullptr;
    QComboBox *m_mode = nullptr;
    QDateTimeEdit *m_end = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_exportCsv = nullptr;
    QPushButton *m_exportJson = nullptr;
    QLabel *m_verdict = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_problems = nullptr;
    QList<TrafficChart *> m_charts;
    QTableView *m_hops = nullptr;
};

} // namespace lanedeck::ui

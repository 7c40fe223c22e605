#include "ui/telemetrypanel.h"

#include "ui/settings.h"
#include "ui/trafficcharts.h"
#include "ui/trafficmodels.h"
#include "ui/whenfinished.h"

#include "kube/client.h"
#include "kube/inventory.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSaveFile>
#include <QShowEvent>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace lanedeck::ui {

namespace {

struct Outcome
{
    QString error;
    std::optional<telemetry::MeshTelemetry> view;
    QString discovered; ///< the Service discovery found, NS/NAME:PORT
};

/// A credential file's content without its final line break; never shown, even in an error.
std::optional<std::string> readSecret(const QString &path, const QString &what, QString &error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = QObject::tr("Cannot read the %1 file %2: %3").arg(what, path, file.errorString());
        return std::nullopt;
    }
    std::string text = file.readAll().toStdString();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    if (text.empty()) {
        error = QObject::tr("The %1 file %2 is empty.").arg(what, path);
        return std::nullopt;
    }
    return text;
}

/// The endpoint of a URL source, its credentials read from their files.
std::optional<telemetry::PrometheusEndpoint> endpointOf(const TelemetrySourceSettings &source, QString &error)
{
    telemetry::PrometheusEndpoint endpoint;
    endpoint.url = source.url.toStdString();
    endpoint.caFile = source.caFile.toStdString();
    endpoint.timeout = std::chrono::seconds(8);
    using Auth = TelemetrySourceSettings::Auth;
    if (source.auth == Auth::BearerTokenFile) {
        auto token = readSecret(source.authFile, QObject::tr("bearer token"), error);
        if (!token) {
            return std::nullopt;
        }
        endpoint.bearerToken = std::move(*token);
    } else if (source.auth == Auth::BasicAuthFile) {
        auto pair = readSecret(source.authFile, QObject::tr("basic auth"), error);
        if (!pair) {
            return std::nullopt;
        }
        const auto colon = pair->find(':');
        if (colon == std::string::npos) {
            error =
                QObject::tr("The basic auth file %1 must hold one line user:password.").arg(source.authFile);
            return std::nullopt;
        }
        endpoint.username = pair->substr(0, colon);
        endpoint.password = pair->substr(colon + 1);
    }
    return endpoint;
}

} // namespace

/// The API server client of the service-proxy source: made on the panel's worker at its first use and kept
/// for the next refreshes of the same cluster (the pool runs one refresh at a time).
struct TelemetryApiClient
{
    KubeClientFactory factory;
    std::unique_ptr<kube::Client> client;
};

namespace {

/// What one refresh needs, copied for the worker.
struct RefreshJob
{
    TelemetrySourceSettings source;
    std::shared_ptr<TelemetryApiClient> api;
    telemetry::TelemetryWindow window;
    LaneGroup group;
    std::shared_ptr<const kube::Inventory> inventory; ///< the cluster's; null: `workloads`
    telemetry::WorkloadMap workloads;
};

/// One refresh, on the worker: the Prometheus client of the source (the service found if none was given),
/// then the core's observe().
Outcome observeOnce(const RefreshJob &job)
{
    Outcome outcome;
    std::optional<telemetry::PrometheusClient> client;
    if (job.source.viaService) {
        TelemetryApiClient &api = *job.api;
        if (!api.client) {
            auto made = api.factory();
            if (!made) {
                outcome.error = QString::fromStdString(made.error().message);
                return outcome;
            }
            api.client = std::move(*made);
        }
        kube::Client &kube = *api.client;
        auto service = job.source.service.isEmpty()
                           ? telemetry::discoverPrometheus(kube)
                           : telemetry::parseServiceRef(job.source.service.toStdString());
        if (!service) {
            outcome.error = QString::fromStdString(service.error().message);
            return outcome;
        }
        if (job.source.service.isEmpty()) {
            outcome.discovered = QString::fromStdString(service->ref());
        }
        client.emplace(telemetry::serviceProxyTransport(kube, service->ns, service->name, service->port),
                       service->ref() + " via the API server of context '" + kube.connection().context + "'");
    } else {
        auto endpoint = endpointOf(job.source, outcome.error);
        if (!endpoint) {
            return outcome;
        }
        const std::string description = endpoint->describe();
        client.emplace(telemetry::directTransport(std::move(*endpoint)), description);
    }
    // The cluster's inventory read with the group's label keys as they are now, here rather than on the GUI
    // thread: a cluster may hold thousands of workloads.
    const auto workloads =
        job.inventory ? telemetry::workloadsFromInventory(job.group, *job.inventory) : job.workloads;
    auto view = telemetry::observe(*client, job.group, workloads, job.window);
    if (view) {
        outcome.view = std::move(*view);
    } else {
        outcome.error = QString::fromStdString(view.error().message);
    }
    return outcome;
}

bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error) {
            *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

} // namespace

void TelemetryHopModel::setHops(const std::vector<telemetry::HopTraffic> &hops)
{
    beginResetModel();
    m_rows.clear();
    for (const auto &hop : hops) {
        const QString name =
            QString::fromStdString(hop.caller) + QStringLiteral(" → ") + QString::fromStdString(hop.callee);
        for (const auto &lane : hop.lanes) {
            m_rows.push_back({name, lane});
        }
    }
    endResetModel();
}

int TelemetryHopModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TelemetryHopModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TelemetryHopModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const double values[] = {0, 0, row.lane.perSecond, row.lane.requests, row.lane.errors, row.lane.leaked};
    if (role == ValueRole) {
        return index.column() >= PerSecond ? QVariant(values[index.column()]) : QVariant();
    }
    if (role == Qt::TextAlignmentRole && index.column() >= PerSecond) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && index.column() == Leaked && row.lane.leaked > 0) {
        return QColor(Qt::red);
    }
    if (role == Qt::BackgroundRole && row.lane.leaked > 0) {
        return QColor(220, 0, 0, 48); // the whole row: the hop where the lane leaks (light and dark palettes)
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
    case Hop:
        return row.hop;
    case Lane:
        return QString::fromStdString(row.lane.name);
    case PerSecond:
        return QLocale().toString(row.lane.perSecond, 'f', 2);
    case Leaked:
        return row.lane.leaked > 0 ? QLocale().toString(row.lane.leaked, 'f', 0) : QStringLiteral("–");
    default:
        return QLocale().toString(values[index.column()], 'f', 0);
    }
}

QVariant TelemetryHopModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case Hop:
        return tr("Hop");
    case Lane:
        return tr("Lane");
    case PerSecond:
        return tr("Requests/s");
    case Requests:
        return tr("Requests");
    case Errors:
        return tr("Errors");
    case Leaked:
        return tr("Left the lane");
    default:
        return {};
    }
}

TelemetryPanel::TelemetryPanel(QWidget *parent)
    : QWidget(parent), m_pool(std::make_unique<QThreadPool>()), m_timer(new QTimer(this)),
      m_laneModel(new TrafficLaneModel(this)), m_hopModel(new TelemetryHopModel(this))
{
    setObjectName(QStringLiteral("telemetryPanel"));
    m_pool->setMaxThreadCount(1);
    m_timer->setInterval(5000);
    createControls();
    connect(m_timer, &QTimer::timeout, this, &TelemetryPanel::refresh);
}

TelemetryPanel::~TelemetryPanel()
{
    ++m_generation;
    m_pool->waitForDone();
}

void TelemetryPanel::createControls()
{
    auto *form = new QGroupBox(tr("Mesh telemetry (Istio's metrics in Prometheus)"), this);
    auto *formLayout = new QFormLayout(form);
    createSourceRows(form, formLayout);
    m_window = new QComboBox(form);
    m_window->setObjectName(QStringLiteral("telemetryWindow"));
    for (const auto &[label, seconds] : {std::pair{tr("1 minute"), 60},
                                         {tr("5 minutes"), 300},
                                         {tr("15 minutes"), 900},
                                         {tr("1 hour"), 3600}}) {
        m_window->addItem(label, seconds);
    }
    m_window->setCurrentIndex(1);
    m_mode = new QComboBox(form);
    m_mode->setObjectName(QStringLiteral("telemetryMode"));
    m_mode->addItem(tr("Live (refreshed every 5 s)"));
    m_mode->addItem(tr("Past range ending at"));
    m_end = new QDateTimeEdit(QDateTime::currentDateTime(), form);
    m_end->setObjectName(QStringLiteral("telemetryEnd"));
    m_end->setCalendarPopup(true);
    m_end->setEnabled(false);
    m_refresh = new QPushButton(tr("&Refresh"), form);
    m_refresh->setObjectName(QStringLiteral("telemetryRefresh"));
    m_exportCsv = new QPushButton(tr("Export CSV…"), form);
    m_exportJson = new QPushButton(tr("Export JSON…"), form);
    // Window, range and the buttons on one row: the page must fit a laptop's screen (tst_windowfit).
    auto *rangeLabel = new QLabel(tr("&Range:"), form);
    rangeLabel->setBuddy(m_mode);
    auto *rangeRow = new QHBoxLayout;
    rangeRow->addWidget(m_window);
    rangeRow->addWidget(rangeLabel);
    rangeRow->addWidget(m_mode);
    rangeRow->addWidget(m_end, 1);
    rangeRow->addWidget(m_refresh);
    rangeRow->addStretch(1);
    rangeRow->addWidget(m_exportCsv);
    rangeRow->addWidget(m_exportJson);
    auto *windowLabel = new QLabel(tr("&Window:"), form);
    windowLabel->setBuddy(m_window);
    formLayout->addRow(windowLabel, rangeRow);

    m_verdict = new QLabel(this);
    m_verdict->setObjectName(QStringLiteral("telemetryVerdict"));
    m_verdict->setWordWrap(true);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    m_verdict->setFont(bold);
    m_status = new QLabel(tr("Give Prometheus's URL and refresh."), this);
    m_status->setObjectName(QStringLiteral("telemetryStatus"));
    m_status->setWordWrap(true);
    m_problems = new QLabel(this);
    m_problems->setObjectName(QStringLiteral("telemetryProblems"));
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #b00020"));

    auto *charts = new QWidget(this);
    auto *grid = new QGridLayout(charts);
    grid->setContentsMargins(0, 0, 0, 0);
    m_charts = {new ShareVsWeightChart(m_laneModel, charts), new LatencyChart(m_laneModel, charts)};
    for (int i = 0; i < m_charts.size(); ++i) {
        grid->addWidget(m_charts[i], 0, i);
    }
    m_hops = new QTableView(this);
    m_hops->setObjectName(QStringLiteral("telemetryHops"));
    m_hops->setModel(m_hopModel);
    m_hops->verticalHeader()->hide();
    m_hops->setWordWrap(false);
    m_hops->verticalHeader()->setDefaultSectionSize(m_hops->fontMetrics().height() + 6);
    m_hops->horizontalHeader()->setStretchLastSection(true);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(charts);
    split->addWidget(m_hops);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(form);
    layout->addWidget(m_verdict);
    layout->addWidget(m_status);
    layout->addWidget(m_problems);
    layout->addWidget(split, 1);

    connect(m_refresh, &QPushButton::clicked, this, &TelemetryPanel::refresh);
    connect(m_exportCsv, &QPushButton::clicked, this, [this] { exportInteractively(false); });
    connect(m_exportJson, &QPushButton::clicked, this, [this] { exportInteractively(true); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_end->setEnabled(index == 1);
        updateTimer();
        refresh();
    });
    connect(m_window, &QComboBox::currentIndexChanged, this, &TelemetryPanel::refresh);
}

void TelemetryPanel::createSourceRows(QWidget *form, QFormLayout *layout)
{
    m_sourceForm = layout;
    m_reach = new QComboBox(form);
    m_reach->setObjectName(QStringLiteral("telemetryReach"));
    m_reach->addItem(tr("At a URL"));
    m_reach->addItem(tr("Through the cluster's API server"));
    m_reach->setToolTip(tr("The service proxy reaches a Prometheus inside the cluster with the kubeconfig's "
                           "credentials: /api/v1/namespaces/NS/services/NAME:PORT/proxy/"));
    m_url = new QLineEdit(form);
    m_url->setObjectName(QStringLiteral("telemetryUrl"));
    m_url->setPlaceholderText(tr("http://prometheus:9090"));
    m_service = new QLineEdit(form);
    m_service->setObjectName(QStringLiteral("telemetryService"));
    m_service->setPlaceholderText(
        tr("Service NS/NAME:PORT; empty: istio-system/prometheus or a Service labelled app=prometheus"));
    m_discover = new QPushButton(tr("Find"), form);
    m_discover->setObjectName(QStringLiteral("telemetryDiscover"));
    m_discover->setToolTip(tr("Look for Prometheus in the cluster again"));
    auto *prometheusRow = new QHBoxLayout;
    prometheusRow->addWidget(m_reach);
    prometheusRow->addWidget(m_url, 1);
    prometheusRow->addWidget(m_service, 1);
    prometheusRow->addWidget(m_discover);
    auto *prometheusLabel = new QLabel(tr("&Prometheus:"), form);
    prometheusLabel->setBuddy(m_reach);
    layout->addRow(prometheusLabel, prometheusRow);

    m_auth = new QComboBox(form);
    m_auth->setObjectName(QStringLiteral("telemetryAuth"));
    m_auth->addItem(tr("No authentication"));
    m_auth->addItem(tr("Bearer token from file"));
    m_auth->addItem(tr("Basic auth from file (user:password)"));
    m_authFile = new QLineEdit(form);
    m_authFile->setObjectName(QStringLiteral("telemetryAuthFile"));
    m_authFile->setPlaceholderText(tr("file holding the credential (never stored)"));
    m_caFile = new QLineEdit(form);
    m_caFile->setObjectName(QStringLiteral("telemetryCaFile"));
    m_caFile->setPlaceholderText(tr("PEM file; empty: the system's CAs"));
    auto *caLabel = new QLabel(tr("CA file:"), form);
    caLabel->setBuddy(m_caFile);
    auto *authRow = new QHBoxLayout;
    authRow->addWidget(m_auth);
    authRow->addWidget(m_authFile, 1);
    authRow->addWidget(caLabel);
    authRow->addWidget(m_caFile, 1);
    auto *authLabel = new QLabel(tr("Authentication:"), form);
    authLabel->setBuddy(m_auth);
    layout->addRow(authLabel, authRow);
    updateSourceRows();

    connect(m_reach, &QComboBox::currentIndexChanged, this, &TelemetryPanel::sourceEdited);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &TelemetryPanel::sourceEdited);
    for (QLineEdit *edit : {m_url, m_authFile, m_caFile, m_service}) {
        connect(edit, &QLineEdit::editingFinished, this, [this, edit] {
            if (edit->isModified()) {
                edit->setModified(false);
                sourceEdited();
            }
        });
    }
    connect(m_discover, &QPushButton::clicked, this, [this] {
        m_service->clear();
        sourceEdited();
    });
}

void TelemetryPanel::updateSourceRows()
{
    const bool viaService = m_reach->currentIndex() == 1;
    m_url->setVisible(!viaService);
    m_service->setVisible(viaService);
    m_discover->setVisible(viaService);
    m_sourceForm->setRowVisible(1, !viaService); // authentication and CA: createSourceRows()'s second row
    m_authFile->setEnabled(m_auth->currentIndex() != 0);
    m_discover->setEnabled(bool(m_apiClient));
}

void TelemetryPanel::sourceEdited()
{
    updateSourceRows();
    source().save(m_context);
    refresh();
}

TelemetrySourceSettings TelemetryPanel::source() const
{
    TelemetrySourceSettings source;
    source.viaService = m_reach->currentIndex() == 1;
    source.url = m_url->text().trimmed();
    source.auth = TelemetrySourceSettings::Auth(m_auth->currentIndex());
    source.authFile = m_authFile->text().trimmed();
    source.caFile = m_caFile->text().trimmed();
    source.service = m_service->text().trimmed();
    return source;
}

void TelemetryPanel::showSource(const TelemetrySourceSettings &source)
{
    const QSignalBlocker reach(m_reach);
    const QSignalBlocker auth(m_auth);
    m_reach->setCurrentIndex(source.viaService ? 1 : 0);
    m_url->setText(source.url);
    m_auth->setCurrentIndex(int(source.auth));
    m_authFile->setText(source.authFile);
    m_caFile->setText(source.caFile);
    m_service->setText(source.service);
    updateSourceRows();
}

void TelemetryPanel::setSource(const TelemetrySourceSettings &source)
{
    showSource(source);
    source.save(m_context);
}

void TelemetryPanel::setGroup(const LaneGroup &group)
{
    m_group = group;
}

void TelemetryPanel::setWorkloads(const telemetry::WorkloadMap &workloads)
{
    m_workloads = workloads;
}

void TelemetryPanel::setInventory(std::shared_ptr<const kube::Inventory> inventory)
{
    m_inventory = std::move(inventory);
}

void TelemetryPanel::setCluster(const QString &context, KubeClientFactory apiClient)
{
    if (context != m_context || bool(apiClient) != bool(m_apiClient)) {
        ++m_generation; // an answer for the previous cluster is not this one's
        m_busy = false;
        m_inventory.reset();
    }
    m_context = context;
    m_apiClient = std::move(apiClient);
    m_client = m_apiClient ? std::make_shared<TelemetryApiClient>(TelemetryApiClient{m_apiClient, nullptr})
                           : nullptr;
    auto remembered = TelemetrySourceSettings::load(context);
    showSource(remembered);
    m_reach->setItemData(1, m_apiClient ? QVariant() : QVariant(0), Qt::UserRole - 1); // enabled only then
}

void TelemetryPanel::setContext(const QString &context)
{
    setCluster(context, {});
}

void TelemetryPanel::setPrometheusUrl(const QString &url)
{
    auto changed = source();
    changed.viaService = false;
    changed.url = url;
    setSource(changed);
}

QString TelemetryPanel::prometheusUrl() const
{
    return m_url->text().trimmed();
}

void TelemetryPanel::setWindowSeconds(int seconds)
{
    const int index = m_window->findData(seconds);
    if (index >= 0) {
        m_window->setCurrentIndex(index);
    } else {
        m_window->addItem(tr("%n second(s)", nullptr, seconds), seconds);
        m_window->setCurrentIndex(m_window->count() - 1);
    }
}

void TelemetryPanel::setLive(bool live)
{
    m_mode->setCurrentIndex(live ? 0 : 1);
}

void TelemetryPanel::setPastEnd(const QDateTime &end)
{
    m_end->setDateTime(end);
}

bool TelemetryPanel::isLive() const
{
    return m_mode->currentIndex() == 0;
}

void TelemetryPanel::setRefreshInterval(int milliseconds)
{
    m_timer->setInterval(milliseconds);
    m_mode->setItemText(0, tr("Live (refreshed every %1 s)").arg(QLocale().toString(milliseconds / 1000.0)));
}

QString TelemetryPanel::verdict() const
{
    return m_verdict->text();
}

QString TelemetryPanel::status() const
{
    return m_status->text();
}

void TelemetryPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateTimer();
    if (!event->spontaneous()) {
        refresh();
    }
}

void TelemetryPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateTimer();
}

void TelemetryPanel::setWatchedElsewhere(bool watched)
{
    if (watched == m_watchedElsewhere) {
        return;
    }
    m_watchedElsewhere = watched;
    updateTimer();
    if (watched && !isVisible()) {
        refresh(); // the view it shows may be from long ago
    }
}

void TelemetryPanel::updateTimer()
{
    if ((isVisible() || m_watchedElsewhere) && isLive()) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void TelemetryPanel::refresh()
{
    const TelemetrySourceSettings source = this->source();
    if (m_group.lanes.empty() || (!source.viaService && source.url.isEmpty())) {
        return;
    }
    if (source.viaService && !m_apiClient) {
        apply(++m_generation,
              tr("The service proxy needs a connected cluster: connect to one in the cluster bar, or give "
                 "Prometheus's URL."),
              std::nullopt);
        return;
    }
    if (m_busy && isLive()) {
        return; // a live refresh still running: the next tick comes soon enough
    }
    m_busy = true;
    const quint64 generation = ++m_generation;
    RefreshJob job;
    job.source = source;
    job.api = m_client;
    job.window.window = std::chrono::seconds(m_window->currentData().toInt());
    if (!isLive()) {
        job.window.end = double(m_end->dateTime().toMSecsSinceEpoch()) / 1000.0;
    }
    job.group = m_group;
    job.inventory = m_inventory;
    job.workloads = m_workloads;
    const auto future = QtConcurrent::run(m_pool.get(), [job = std::move(job)] { return observeOnce(job); });
    whenFinished(future, this, [this, generation](const Outcome &outcome) {
        if (generation == m_generation) {
            m_busy = false;
            if (!outcome.discovered.isEmpty() && m_service->text().trimmed().isEmpty()) {
                m_service->setText(outcome.discovered);
                this->source().save(m_context);
            }
        }
        apply(generation, outcome.error, outcome.view);
    });
    m_status->setText(
        source.viaService
            ? tr("Querying %1 through the API server…")
                  .arg(source.service.isEmpty() ? tr("the Prometheus found in the cluster") : source.service)
            : tr("Querying %1…").arg(source.url));
}

void TelemetryPanel::apply(quint64 generation, const QString &error,
                           const std::optional<telemetry::MeshTelemetry> &view)
{
    if (generation != m_generation) {
        return; // superseded by a newer refresh
    }
    QStringList problems;
    if (view) {
        for (const auto &problem : view->problems) {
            problems << QString::fromStdString(problem);
        }
    }
    m_problems->setText(problems.join(QLatin1Char('\n')));
    if (!view || view->stale) {
        // Never show old numbers as if they were current.
        m_view.reset();
        m_laneModel->clear();
        m_hopModel->setHops({});
        m_verdict->clear();
        m_status->setText(view ? tr("Not current: no recent samples in Prometheus.") : error);
        for (auto *chart : m_charts) {
            chart->refresh();
        }
        if (!view) {
            Q_EMIT failed(error);
        } else {
            Q_EMIT updated();
        }
        return;
    }
    m_view = view;
    m_laneModel->setSummary(view->split);
    m_hopModel->setHops(view->hops);
    m_hops->resizeColumnToContents(TelemetryHopModel::Hop);
    // The first hop where a lane leaks, in sight.
    for (int row = 0; row < m_hopModel->rowCount(); ++row) {
        if (m_hopModel->index(row, TelemetryHopModel::Leaked).data(ValueRole).toDouble() > 0) {
            m_hops->scrollTo(m_hopModel->index(row, TelemetryHopModel::Hop),
                             QAbstractItemView::PositionAtTop);
            break;
        }
    }
    for (auto *chart : m_charts) {
        chart->refresh();
    }
    m_verdict->setText(QString::fromStdString(view->split.verdict));
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(view->end * 1000.0));
    QString text = tr("%1 requests in the %2 s up to %3 (%4), from %5")
                       .arg(view->split.total)
                       .arg(view->windowSeconds)
                       .arg(QLocale().toString(end, QLocale::ShortFormat),
                            isLive() ? tr("live") : tr("past range"), QString::fromStdString(view->source));
    if (view->leaked > 0) {
        text += tr("; %1 requests left their lane").arg(QLocale().toString(view->leaked, 'f', 0));
    }
    m_status->setText(text);
    Q_EMIT updated();
}

bool TelemetryPanel::exportCsv(const QString &path, QString *error) const
{
    if (!m_view) {
        if (error) {
            *error = tr("Nothing to export: no current telemetry view.");
        }
        return false;
    }
    return writeFile(path, QByteArray::fromStdString(telemetry::toCsv(*m_view)), error);
}

bool TelemetryPanel::exportJson(const QString &path, QString *error) const
{
    if (!m_view) {
        if (error) {
            *error = tr("Nothing to export: no current telemetry view.");
        }
        return false;
    }
    return writeFile(path, QByteArray::fromStdString(telemetry::toJson(*m_view).dump(2) + "\n"), error);
}

void TelemetryPanel::exportInteractively(bool json)
{
    const QString path = QFileDialog::getSaveFileName(
        this, json ? tr("Export telemetry as JSON") : tr("Export telemetry as CSV"),
        json ? QStringLiteral("telemetry.json") : QStringLiteral("telemetry.csv"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!(json ? exportJson(path, &error) : exportCsv(path, &error))) {
        m_status->setText(error);
    }
}

} // namespace lanedeck::ui

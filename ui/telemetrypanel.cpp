#include "ui/telemetrypanel.h"

#include "ui/settings.h"
#include "ui/trafficcharts.h"
#include "ui/trafficmodels.h"
#include "ui/whenfinished.h"

#include <QComboBox>
#include <QDateTimeEdit>
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
};

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
    m_url = new QLineEdit(form);
    m_url->setObjectName(QStringLiteral("telemetryUrl"));
    m_url->setPlaceholderText(tr("http://prometheus:9090"));
    formLayout->addRow(tr("&Prometheus:"), m_url);
    m_window = new QComboBox(form);
    m_window->setObjectName(QStringLiteral("telemetryWindow"));
    for (const auto &[label, seconds] : {std::pair{tr("1 minute"), 60},
                                         {tr("5 minutes"), 300},
                                         {tr("15 minutes"), 900},
                                         {tr("1 hour"), 3600}}) {
        m_window->addItem(label, seconds);
    }
    m_window->setCurrentIndex(1);
    formLayout->addRow(tr("&Window:"), m_window);
    m_mode = new QComboBox(form);
    m_mode->setObjectName(QStringLiteral("telemetryMode"));
    m_mode->addItem(tr("Live (refreshed every 5 s)"));
    m_mode->addItem(tr("Past range ending at"));
    m_end = new QDateTimeEdit(QDateTime::currentDateTime(), form);
    m_end->setObjectName(QStringLiteral("telemetryEnd"));
    m_end->setCalendarPopup(true);
    m_end->setEnabled(false);
    auto *modeBox = new QHBoxLayout;
    modeBox->addWidget(m_mode);
    modeBox->addWidget(m_end, 1);
    formLayout->addRow(tr("&Range:"), modeBox);
    m_refresh = new QPushButton(tr("&Refresh"), form);
    m_refresh->setObjectName(QStringLiteral("telemetryRefresh"));
    m_exportCsv = new QPushButton(tr("Export CSV…"), form);
    m_exportJson = new QPushButton(tr("Export JSON…"), form);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_refresh);
    buttons->addStretch(1);
    buttons->addWidget(m_exportCsv);
    buttons->addWidget(m_exportJson);
    formLayout->addRow(buttons);

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
    m_hops->horizontalHeader()->setStretchLastSection(true);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(charts);
    split->addWidget(m_hops);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

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
    connect(m_url, &QLineEdit::editingFinished, this, [this] {
        UiSettings().setPrometheusUrl(m_context, m_url->text().trimmed());
        refresh();
    });
}

void TelemetryPanel::setGroup(const LaneGroup &group)
{
    m_group = group;
}

void TelemetryPanel::setWorkloads(const telemetry::WorkloadMap &workloads)
{
    m_workloads = workloads;
}

void TelemetryPanel::setContext(const QString &context)
{
    m_context = context;
    const QString remembered = UiSettings().prometheusUrl(context);
    if (!remembered.isEmpty()) {
        m_url->setText(remembered);
    }
}

void TelemetryPanel::setPrometheusUrl(const QString &url)
{
    m_url->setText(url);
    UiSettings().setPrometheusUrl(m_context, url);
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

void TelemetryPanel::updateTimer()
{
    if (isVisible() && isLive()) {
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void TelemetryPanel::refresh()
{
    const QString url = prometheusUrl();
    if (url.isEmpty() || m_group.lanes.empty()) {
        return;
    }
    if (m_busy && isLive()) {
        return; // a live refresh still running: the next tick comes soon enough
    }
    m_busy = true;
    const quint64 generation = ++m_generation;
    telemetry::PrometheusEndpoint endpoint;
    endpoint.url = url.toStdString();
    endpoint.timeout = std::chrono::seconds(8);
    telemetry::TelemetryWindow window;
    window.window = std::chrono::seconds(m_window->currentData().toInt());
    if (!isLive()) {
        window.end = double(m_end->dateTime().toMSecsSinceEpoch()) / 1000.0;
    }
    const auto future =
        QtConcurrent::run(m_pool.get(), [endpoint, window, group = m_group, workloads = m_workloads] {
            const std::string description = endpoint.describe();
            telemetry::PrometheusClient client(telemetry::directTransport(endpoint), description);
            auto view = telemetry::observe(client, group, workloads, window);
            Outcome outcome;
            if (view) {
                outcome.view = std::move(*view);
            } else {
                outcome.error = QString::fromStdString(view.error().message);
            }
            return outcome;
        });
    whenFinished(future, this, [this, generation](const Outcome &outcome) {
        if (generation == m_generation) {
            m_busy = false;
        }
        apply(generation, outcome.error, outcome.view);
    });
    m_status->setText(tr("Querying %1…").arg(url));
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

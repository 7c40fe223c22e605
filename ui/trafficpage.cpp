#include "ui/trafficpage.h"

#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"
#include "ui/rolloutpanel.h"
#include "ui/settings.h"
#include "ui/telemetrypanel.h"
#include "ui/trafficcharts.h"
#include "ui/trafficmodels.h"
#include "ui/trafficrun.h"

#include "graph/traffic.h"

#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace lanedeck::ui {
namespace {

/// "Until stopped" is a duration the operator will not reach in one sitting.
constexpr std::chrono::hours kUntilStopped{24};

enum ExportKind
{
    ExportCsv,
    ExportJson,
    ExportPng
};

} // namespace

TrafficPage::TrafficPage(DocumentController *document, QWidget *parent)
    : QWidget(parent), m_document(document), m_laneModel(new TrafficLaneModel(this)),
      m_timelineModel(new TrafficTimelineModel(this)), m_chainModel(new TrafficChainModel(this)),
      m_chainProxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("trafficPage"));
    // Created in this order, the widgets keep the tab order the page always had: settings, then results.
    QWidget *settings = createSettingsColumn();
    QWidget *results = createResultsColumn();
    m_rollout = new RolloutPanel(document, this);
    m_rollout->hide();
    auto *samplerView = new QWidget(this);
    auto *layout = new QHBoxLayout(samplerView);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(settings);
    m_rolloutSplit = new QSplitter(Qt::Horizontal, samplerView);
    m_rolloutSplit->setObjectName(QStringLiteral("trafficRolloutSplit"));
    m_rolloutSplit->addWidget(results);
    m_rolloutSplit->addWidget(m_rollout);
    m_rolloutSplit->setStretchFactor(0, 3);
    m_rolloutSplit->setStretchFactor(1, 2);
    m_rolloutSplit->setChildrenCollapsible(false);
    layout->addWidget(m_rolloutSplit, 1);
    createSourceSwitch(samplerView);
    connectControls();
    connectRollout();
    restoreSamplerSettings();
    updateControls();
}

void TrafficPage::restoreSamplerSettings()
{
    const SamplerSettings remembered = SamplerSettings::load();
    m_rate->setValue(remembered.rate);
    m_amountKind->setCurrentIndex(std::clamp(remembered.amountKind, 0, m_amountKind->count() - 1));
    m_amount->setValue(remembered.amount);
    m_concurrency->setValue(remembered.concurrency);
    m_classify->setCurrentIndex(std::clamp(remembered.classification, 0, m_classify->count() - 1));
    m_classifyArgument->setText(remembered.classifyArgument);
    m_restartOnPush->setChecked(remembered.restartOnPush);
}

/// What to send, how much, how to tell lanes apart, and the start and stop buttons.
QGroupBox *TrafficPage::createSamplerForm()
{
    auto *form = new QGroupBox(tr("Sampler"), this);
    auto *formLayout = new QFormLayout(form);
    formLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_url = new QLineEdit(form);
    m_url->setObjectName(QStringLiteral("trafficUrl"));
    m_url->setPlaceholderText(tr("http://gateway/ (the selected target fills this in)"));
    m_url->setAccessibleName(tr("Target URL"));
    m_urlOrigin = new QLabel(form);
    m_urlOrigin->setObjectName(QStringLiteral("trafficUrlOrigin"));
    m_urlOrigin->setForegroundRole(QPalette::PlaceholderText);
    m_urlOrigin->setWordWrap(true);
    m_urlOrigin->setTextInteractionFlags(Qt::TextSelectableByMouse); // it may hold a command to copy
    auto *urlBox = new QVBoxLayout;
    urlBox->setSpacing(2);
    urlBox->addWidget(m_url);
    urlBox->addWidget(m_urlOrigin);
    auto *urlLabel = new QLabel(tr("T&arget:"), form);
    urlLabel->setBuddy(m_url);
    formLayout->addRow(urlLabel, urlBox);
    m_host = new QLineEdit(form);
    m_host->setObjectName(QStringLiteral("trafficHost"));
    m_host->setPlaceholderText(tr("as in the URL"));
    m_host->setToolTip(tr("The Host header, for gateways that route by host name"));
    formLayout->addRow(tr("H&ost header:"), m_host);
    m_rate = new QSpinBox(form);
    m_rate->setObjectName(QStringLiteral("trafficRate"));
    m_rate->setRange(0, 1000000);
    m_rate->setSingleStep(50);
    m_rate->setSuffix(tr(" /s"));
    m_rate->setSpecialValueText(tr("maximum"));
    m_rate->setToolTip(tr("Requests per second on a fixed schedule; latency counts from the scheduled time. "
                          "\"maximum\": as fast as the connections allow."));
    formLayout->addRow(tr("&Rate:"), m_rate);
    m_amountKind = new QComboBox(form);
    m_amountKind->setObjectName(QStringLiteral("trafficAmountKind"));
    m_amountKind->addItems({tr("Requests"), tr("Seconds"), tr("Until stopped")});
    m_amount = new QSpinBox(form);
    m_amount->setObjectName(QStringLiteral("trafficAmount"));
    m_amount->setRange(1, 100000000);
    m_amount->setValue(10000);
    m_amount->setAccessibleName(tr("Amount"));
    auto *amountBox = new QHBoxLayout;
    amountBox->addWidget(m_amount, 1);
    amountBox->addWidget(m_amountKind);
    auto *amountLabel = new QLabel(tr("Se&nd:"), form);
    amountLabel->setBuddy(m_amount);
    formLayout->addRow(amountLabel, amountBox);
    m_concurrency = new QSpinBox(form);
    m_concurrency->setObjectName(QStringLiteral("trafficConcurrency"));
    m_concurrency->setRange(1, 1024);
    m_concurrency->setValue(8);
    m_concurrency->setToolTip(tr("Connections, and so requests in flight at most"));
    formLayout->addRow(tr("Connect&ions:"), m_concurrency);
    m_threads = new QSpinBox(form);
    m_threads->setObjectName(QStringLiteral("trafficThreads"));
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("One per core"));
    m_threads->setToolTip(tr("Sampling threads, each with its share of the connections (at most one per "
                             "connection)"));
    formLayout->addRow(tr("Threads:"), m_threads);
    m_headers = new QPlainTextEdit(form);
    m_headers->setObjectName(QStringLiteral("trafficHeaders"));
    m_headers->setTabChangesFocus(true);
    m_headers->setFixedHeight(fontMetrics().height() * 4);
    m_headers->setToolTip(
        tr("Extra request headers, one \"Name: value\" per line; for example the routing header "
           "to force a lane"));
    formLayout->addRow(tr("Hea&ders:"), m_headers);
    m_classify = new QComboBox(form);
    m_classify->setObjectName(QStringLiteral("trafficClassify"));
    m_classify->addItems({tr("asm-mock response chain"), tr("Response header"), tr("Regex on the body")});
    m_classifyArgument = new QLineEdit(form);
    m_classifyArgument->setObjectName(QStringLiteral("trafficClassifyArgument"));
    formLayout->addRow(tr("C&lassify by:"), m_classify);
    formLayout->addRow(QString(), m_classifyArgument);
    m_restartOnPush = new QCheckBox(tr("Restart statistics after each push"), form);
    m_restartOnPush->setObjectName(QStringLiteral("trafficRestartOnPush"));
    m_restartOnPush->setChecked(true);
    m_restartOnPush->setToolTip(
        tr("A push while sampling starts a new run that compares with the pushed weights; "
           "the time charts continue"));
    formLayout->addRow(QString(), m_restartOnPush);

    m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start"), form);
    m_start->setObjectName(QStringLiteral("trafficStart"));
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Sto&p"), form);
    m_stop->setObjectName(QStringLiteral("trafficStop"));
    auto *runButtons = new QHBoxLayout;
    runButtons->addWidget(m_start);
    runButtons->addWidget(m_stop);
    formLayout->addRow(runButtons);
    return form;
}

QGroupBox *TrafficPage::createExportBox()
{
    auto *exports = new QGroupBox(tr("Export"), this);
    auto *exportLayout = new QVBoxLayout(exports);
    m_exportCsv = new QPushButton(tr("Samples and s&ummary (CSV)…"), exports);
    m_exportCsv->setObjectName(QStringLiteral("trafficExportCsv"));
    m_exportJson = new QPushButton(tr("Samples and summary (&JSON)…"), exports);
    m_exportJson->setObjectName(QStringLiteral("trafficExportJson"));
    m_exportPng = new QPushButton(tr("Charts (PN&G)…"), exports);
    m_exportPng->setObjectName(QStringLiteral("trafficExportPng"));
    for (QPushButton *button : {m_exportCsv, m_exportJson, m_exportPng}) {
        exportLayout->addWidget(button);
    }
    m_exportScope = new QLabel(exports);
    m_exportScope->setObjectName(QStringLiteral("trafficExportScope"));
    m_exportScope->setWordWrap(true);
    m_exportScope->setForegroundRole(QPalette::PlaceholderText);
    m_exportScope->hide();
    exportLayout->addWidget(m_exportScope);
    return exports;
}

/// The sampler form and the export buttons in a scrolling column of bounded width.
QWidget *TrafficPage::createSettingsColumn()
{
    QGroupBox *form = createSamplerForm();
    QGroupBox *exports = createExportBox();
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(form);
    leftLayout->addWidget(exports);
    leftLayout->addStretch(1);
    auto *leftScroll = new QScrollArea(this);
    leftScroll->setWidget(left);
    leftScroll->setWidgetResizable(true);
    leftScroll->setFrameShape(QFrame::NoFrame);
    leftScroll->setFocusPolicy(Qt::NoFocus); // a container: Tab goes to its fields, and it scrolls to them
    leftScroll->setMinimumWidth(left->sizeHint().width() + 20);
    leftScroll->setMaximumWidth(fontMetrics().horizontalAdvance(QLatin1Char('m')) * 34);
    return leftScroll;
}

void TrafficPage::createVerdictLabels()
{
    m_verdict = new QLabel(tr("Not sampled yet"), this);
    m_verdict->setObjectName(QStringLiteral("trafficVerdict"));
    m_verdict->setAccessibleName(tr("Verdict"));
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdict->setWordWrap(true);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setBold(true);
    m_verdict->setFont(big);
    m_stats = new QLabel(this);
    m_stats->setObjectName(QStringLiteral("trafficStats"));
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
}

/// The four charts in a 2x2 grid; the run charts remember their titles for the run numbers.
QWidget *TrafficPage::createCharts()
{
    m_chartArea = new QWidget(this);
    m_chartArea->setObjectName(QStringLiteral("trafficCharts"));
    auto *grid = new QGridLayout(m_chartArea);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    m_charts = {new ShareOverTimeChart(m_timelineModel, m_chartArea),
                new ShareVsWeightChart(m_laneModel, m_chartArea), new LatencyChart(m_laneModel, m_chartArea),
                new ErrorsChart(m_timelineModel, m_chartArea)};
    for (int i = 0; i < m_charts.size(); ++i) {
        grid->addWidget(m_charts[i], i / 2, i % 2);
    }
    // The lane model restarts with each run; the time line goes on across runs.
    for (TrafficChart *chart : {m_charts[1], m_charts[2]}) {
        m_runCharts.append({chart, chart->chart()->title()});
    }
    return m_chartArea;
}

/// The response chains (with a sample response beside them) and the lane table, as tabs.
QTabWidget *TrafficPage::createTables()
{
    m_chainProxy->setSourceModel(m_chainModel);
    m_chainProxy->setSortRole(ValueRole);
    m_chainProxy->setDynamicSortFilter(true);
    m_chainView = new QTableView(this);
    m_chainView->setObjectName(QStringLiteral("trafficChains"));
    m_chainView->setAccessibleName(tr("Response chains"));
    m_chainView->setModel(m_chainProxy);
    m_chainView->setSortingEnabled(true);
    m_chainView->sortByColumn(TrafficChainModel::Count, Qt::DescendingOrder);
    m_chainView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_chainView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_chainView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_chainView->setTabKeyNavigation(false);
    m_chainView->verticalHeader()->setVisible(false);
    m_chainView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_chainView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_chainView->horizontalHeader()->setStretchLastSection(true);
    m_chainView->setWordWrap(false);
    m_response = new QPlainTextEdit(this);
    m_response->setObjectName(QStringLiteral("trafficResponse"));
    m_response->setAccessibleName(tr("Sample response"));
    m_response->setReadOnly(true);
    m_response->setTabChangesFocus(true);
    m_response->setPlaceholderText(tr("Click a chain to see a sample response"));
    m_response->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *laneView = new QTableView(this);
    laneView->setObjectName(QStringLiteral("trafficLanes"));
    laneView->setAccessibleName(tr("Lanes"));
    laneView->setModel(m_laneModel);
    laneView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    laneView->setTabKeyNavigation(false);
    laneView->verticalHeader()->setVisible(false);
    laneView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    laneView->horizontalHeader()->setStretchLastSection(true);

    auto *chainSplit = new QSplitter(Qt::Horizontal, this);
    chainSplit->addWidget(m_chainView);
    chainSplit->addWidget(m_response);
    chainSplit->setStretchFactor(0, 3);
    chainSplit->setStretchFactor(1, 2);
    auto *bottom = new QTabWidget(this);
    bottom->setObjectName(QStringLiteral("trafficTables"));
    bottom->setDocumentMode(true);
    bottom->addTab(chainSplit, tr("Response chains"));
    bottom->addTab(laneView, tr("Lanes"));
    return bottom;
}

/// The verdict and statistics above the charts and tables.
QWidget *TrafficPage::createResultsColumn()
{
    createVerdictLabels();
    QWidget *charts = createCharts();
    QTabWidget *tables = createTables();
    auto *resultsSplit = new QSplitter(Qt::Vertical, this);
    resultsSplit->addWidget(charts);
    resultsSplit->addWidget(tables);
    resultsSplit->setStretchFactor(0, 3);
    resultsSplit->setStretchFactor(1, 1);
    resultsSplit->setChildrenCollapsible(false);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_verdict);
    rightLayout->addWidget(m_stats);
    rightLayout->addWidget(resultsSplit, 1);
    return right;
}

void TrafficPage::connectControls()
{
    connect(m_start, &QPushButton::clicked, this, [this] {
        QString error;
        if (!start(&error)) {
            Q_EMIT statusMessage(error);
            m_stats->setText(error);
        }
    });
    connect(m_stop, &QPushButton::clicked, this, &TrafficPage::stop);
    connect(m_exportCsv, &QPushButton::clicked, this, [this] { exportInteractively(ExportCsv); });
    connect(m_exportJson, &QPushButton::clicked, this, [this] { exportInteractively(ExportJson); });
    connect(m_exportPng, &QPushButton::clicked, this, [this] { exportInteractively(ExportPng); });
    connect(m_url, &QLineEdit::textEdited, this, [this] {
        m_followedUrl.clear();
        m_urlOrigin->clear();
    });
    connect(m_host, &QLineEdit::textEdited, this, [this] { m_followedHost.clear(); });
    connect(m_classify, &QComboBox::currentIndexChanged, this, &TrafficPage::updateControls);
    connect(m_amountKind, &QComboBox::currentIndexChanged, this, &TrafficPage::updateControls);
    connect(m_chainView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_response->setPlainText(
                    current.isValid() ? current.data(TrafficChainModel::DetailRole).toString() : QString());
            });
    connect(m_document, &DocumentController::groupChanged, this, &TrafficPage::updateControls);
}

TrafficPage::~TrafficPage() = default;

void TrafficPage::createSourceSwitch(QWidget *samplerView)
{
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("trafficSource"));
    m_source->addItem(tr("LaneDeck's sampler"));
    m_source->addItem(tr("The mesh's telemetry (Prometheus)"));
    m_telemetry = new TelemetryPanel(this);
    m_sourceStack = new QStackedWidget(this);
    m_sourceStack->addWidget(samplerView);
    m_sourceStack->addWidget(m_telemetry);
    auto *sourceLabel = new QLabel(tr("Source:"), this);
    sourceLabel->setBuddy(m_source);
    m_rolloutToggle = new QPushButton(tr("Rollout"), this);
    m_rolloutToggle->setObjectName(QStringLiteral("trafficRolloutToggle"));
    m_rolloutToggle->setCheckable(true);
    m_rolloutToggle->setAccessibleName(tr("Show the Rollout panel"));
    m_rolloutToggle->setToolTip(
        tr("Run a Rollout plan on the local sandbox: steps, gates, decisions, faults"));
    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(sourceLabel);
    sourceRow->addWidget(m_source);
    sourceRow->addStretch(1);
    sourceRow->addWidget(m_rolloutToggle);
    auto *outer = new QVBoxLayout(this);
    outer->addLayout(sourceRow);
    outer->addWidget(m_sourceStack, 1);
    m_telemetry->setGroup(sampledGroup());
    connect(m_source, &QComboBox::currentIndexChanged, m_sourceStack, &QStackedWidget::setCurrentIndex);
    connect(m_document, &DocumentController::groupChanged, m_telemetry,
            [this] { m_telemetry->setGroup(sampledGroup()); });
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] {
        setWatchedElsewhere(m_watchedElsewhere); // the telemetry refreshes for the canvas only as the source
        Q_EMIT sourceChanged(source());
        Q_EMIT liveTrafficChanged();
    });
    const auto telemetryChanged = [this] {
        if (source() == Source::MeshTelemetry) {
            Q_EMIT liveTrafficChanged();
        }
    };
    connect(m_telemetry, &TelemetryPanel::updated, this, telemetryChanged);
    connect(m_telemetry, &TelemetryPanel::failed, this, telemetryChanged);
}

void TrafficPage::connectRollout()
{
    connect(m_rolloutToggle, &QPushButton::toggled, m_rollout, &QWidget::setVisible);
    connect(m_rollout, &RolloutPanel::stepPushed, this, &TrafficPage::markStep);
    connect(m_rollout, &RolloutPanel::statusMessage, this, &TrafficPage::statusMessage);
}

void TrafficPage::setRolloutVisible(bool visible)
{
    m_rolloutToggle->setChecked(visible);
}

bool TrafficPage::isRolloutVisible() const
{
    return m_rolloutToggle->isChecked();
}

void TrafficPage::markStep(const QString &label)
{
    m_timelineModel->labelMark(label);
    if (isVisible()) {
        refreshCharts();
    } else {
        m_chartsStale = true;
    }
}

void TrafficPage::setSource(Source source)
{
    m_source->setCurrentIndex(source == Source::Sampler ? 0 : 1);
}

TrafficPage::Source TrafficPage::source() const
{
    return m_source->currentIndex() == 0 ? Source::Sampler : Source::MeshTelemetry;
}

graph::Traffic TrafficPage::liveTraffic() const
{
    if (source() == Source::Sampler) {
        return graph::trafficFromSummary(m_document->group(), m_summary);
    }
    const auto &view = m_telemetry->view();
    return view ? graph::trafficFromTelemetry(*view) : graph::Traffic{};
}

void TrafficPage::setWatchedElsewhere(bool watched)
{
    m_watchedElsewhere = watched;
    m_telemetry->setWatchedElsewhere(watched && source() == Source::MeshTelemetry);
}

QString TrafficPage::verdict() const
{
    return toQString(m_summary.verdict);
}

bool TrafficPage::isRunning() const
{
    return m_run && m_run->isRunning();
}

void TrafficPage::setTargetUrl(const QString &url, const QString &origin, const QString &host)
{
    // Follow the target only while a field shows what the target offered (or nothing): what the operator
    // typed stays.
    if (m_url->text().isEmpty() || m_url->text() == m_followedUrl) {
        m_url->setText(url);
        m_followedUrl = url;
        m_urlOrigin->setText(origin);
    }
    if (m_host->text().isEmpty() || m_host->text() == m_followedHost) {
        m_host->setText(host);
        m_followedHost = host;
    }
}

QString TrafficPage::targetOrigin() const
{
    return m_urlOrigin->text();
}

QString TrafficPage::targetUrl() const
{
    return m_url->text().trimmed();
}

void TrafficPage::setHostHeader(const QString &host)
{
    m_host->setText(host);
}

void TrafficPage::setRate(int perSecond)
{
    m_rate->setValue(perSecond);
}

void TrafficPage::setAmount(Amount amount, int value)
{
    m_amountKind->setCurrentIndex(static_cast<int>(amount));
    if (amount != Amount::UntilStopped) {
        m_amount->setValue(value);
    }
}

void TrafficPage::setConcurrency(int connections)
{
    m_concurrency->setValue(connections);
}

void TrafficPage::setThreads(int threads)
{
    m_threads->setValue(threads);
}

void TrafficPage::setExtraHeaders(const QStringList &headers)
{
    m_headers->setPlainText(headers.join(QLatin1Char('\n')));
}

void TrafficPage::setClassification(Classification mode, const QString &argument)
{
    m_classify->setCurrentIndex(static_cast<int>(mode));
    m_classifyArgument->setText(argument);
}

void TrafficPage::setRestartOnPush(bool restart)
{
    m_restartOnPush->setChecked(restart);
}

LaneGroup TrafficPage::sampledGroup() const
{
    // What the target routes by, when the page knows it (a push); otherwise the document as designed.
    return m_appliedGroup ? *m_appliedGroup : m_document->group();
}

std::optional<traffic::SamplerConfig> TrafficPage::config(QString *error) const
{
    traffic::SamplerConfig c;
    c.url = toStdString(targetUrl());
    if (c.url.empty()) {
        *error = tr("No target URL: push to the local sandbox, or type the gateway's address.");
        return std::nullopt;
    }
    if (!m_host->text().trimmed().isEmpty()) {
        c.headers.push_back("Host: " + toStdString(m_host->text().trimmed()));
    }
    const QStringList lines = m_headers->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty()) {
            continue;
        }
        if (line.indexOf(QLatin1Char(':')) <= 0) {
            *error = tr("Header line %1: expected \"Name: value\", got \"%2\"").arg(i + 1).arg(line);
            return std::nullopt;
        }
        c.headers.push_back(toStdString(line));
    }
    c.rate = m_rate->value();
    c.concurrency = m_concurrency->value();
    c.threads = m_threads->value();
    switch (static_cast<Amount>(m_amountKind->currentIndex())) {
    case Amount::Requests:
        c.count = static_cast<std::uint64_t>(m_amount->value());
        break;
    case Amount::Seconds:
        c.duration = std::chrono::seconds(m_amount->value());
        break;
    case Amount::UntilStopped:
        c.duration = kUntilStopped;
        break;
    }
    return c;
}

bool TrafficPage::start(QString *error)
{
    QString message;
    const bool ok = startRun(sampledGroup(), false, &message);
    if (ok) {
        SamplerSettings used;
        used.rate = m_rate->value();
        used.amountKind = m_amountKind->currentIndex();
        used.amount = m_amount->value();
        used.concurrency = m_concurrency->value();
        used.classification = m_classify->currentIndex();
        used.classifyArgument = m_classifyArgument->text();
        used.restartOnPush = m_restartOnPush->isChecked();
        used.save();
    }
    if (!ok && error) {
        *error = message;
    }
    return ok;
}

bool TrafficPage::startRun(const LaneGroup &group, bool continueTimeline, QString *error)
{
    const auto c = config(error);
    if (!c) {
        return false;
    }
    std::optional<traffic::Classifier> classifier;
    const QString argument = m_classifyArgument->text().trimmed();
    switch (static_cast<Classification>(m_classify->currentIndex())) {
    case Classification::Chain:
        classifier = traffic::Classifier::chain(group);
        break;
    case Classification::Header:
        if (argument.isEmpty()) {
            *error = tr("Classify by response header: name the header.");
            return false;
        }
        classifier = traffic::Classifier::header(group, toStdString(argument));
        break;
    case Classification::Regex: {
        auto regex = traffic::Classifier::regex(group, toStdString(argument));
        if (!regex) {
            *error = tr("Classify by regex: %1").arg(toQString(regex.error().message));
            return false;
        }
        classifier = std::move(*regex);
        break;
    }
    }
    auto *run = new TrafficRun(*c, *classifier, this);
    if (!run->start(error)) {
        delete run;
        return false;
    }
    // Supersede the previous run: its snapshots are dropped by the generation check from now on. Restarted by
    // a push, it is part of the session: it is stopped and hands over its samples before it goes. Otherwise
    // deleting it stops its sampler in the background, and what it sampled is left out.
    if (m_run && continueTimeline) {
        connect(m_run, &TrafficRun::finished, m_run, &QObject::deleteLater);
        m_run->stop();
    } else if (m_run) {
        m_run->deleteLater();
    }
    m_run = run;
    const quint64 generation = ++m_generation;
    const auto now = std::chrono::steady_clock::now();
    if (continueTimeline) {
        m_timelineModel->beginRun();
    } else {
        m_timelineModel->clear();
        m_session.clear();
        ++m_sessionId;
        m_sessionStart = now;
        m_sessionStartedAt = QDateTime::currentDateTime();
        m_sessionEndedAt = QDateTime();
        m_pendingExport.reset();
    }
    const quint64 session = m_sessionId;
    const std::size_t slot = m_session.size();
    m_session.push_back(
        {nullptr, std::chrono::duration_cast<std::chrono::microseconds>(now - m_sessionStart).count()});
    updateRunScope();
    m_chainModel->setClassifier(group, classifier->kind() == traffic::Classifier::Kind::Chain
                                           ? classifier
                                           : std::optional<traffic::Classifier>());
    m_laneModel->clear();
    m_summary = {};
    connect(run, &TrafficRun::snapshot, this,
            [this, generation](const traffic::Summary &s) { takeSnapshot(generation, s); });
    connect(run, &TrafficRun::finished, this,
            [this, generation, session, slot](const std::shared_ptr<const traffic::SampleRun> &r) {
                runFinished(generation, session, slot, r);
            });
    m_verdict->setText(tr("Sampling %1…").arg(targetUrl()));
    m_verdict->setPalette(QPalette());
    updateControls();
    Q_EMIT runningChanged(true);
    Q_EMIT statusMessage(tr("Sampling %1").arg(targetUrl()));
    return true;
}

void TrafficPage::stop()
{
    if (m_run) {
        m_run->stop();
    }
}

void TrafficPage::targetApplied(const LaneGroup &group)
{
    m_telemetry->setGroup(group);
    m_appliedGroup = group;
    if (isRunning() && m_restartOnPush->isChecked() && targetUrl() == m_followedUrl) {
        QString error;
        if (!startRun(group, true, &error)) {
            Q_EMIT statusMessage(error);
        } else {
            Q_EMIT statusMessage(tr("Pushed: statistics restarted against the new weights"));
        }
    }
}

void TrafficPage::takeSnapshot(quint64 generation, const traffic::Summary &summary)
{
    if (generation != m_generation) {
        return; // a superseded run's late snapshot
    }
    m_summary = summary;
    m_laneModel->setSummary(summary);
    m_timelineModel->setSummary(summary, isRunning());
    m_chainModel->setSummary(summary);
    if (!m_chainView->currentIndex().isValid() && m_chainProxy->rowCount() > 0) {
        // Show a sample response from the start; the operator's own choice is never overridden.
        m_chainView->setCurrentIndex(m_chainProxy->index(0, TrafficChainModel::Chain));
    }
    updateVerdict();
    if (isVisible()) {
        refreshCharts();
    } else {
        m_chartsStale = true;
    }
    Q_EMIT summaryUpdated();
    if (source() == Source::Sampler) {
        Q_EMIT liveTrafficChanged();
    }
}

void TrafficPage::runFinished(quint64 generation, quint64 session, std::size_t slot,
                              const std::shared_ptr<const traffic::SampleRun> &run)
{
    if (session == m_sessionId && slot < m_session.size()) {
        m_session[slot].run = run;
    }
    if (generation != m_generation) {
        updateControls(); // a run a push superseded: the export may have been waiting for it
        finishPendingExport();
        return;
    }
    m_lastRun = run;
    m_sessionEndedAt = QDateTime::currentDateTime();
    updateControls();
    Q_EMIT runningChanged(false);
    Q_EMIT statusMessage(
        tr("Sampling finished: %n request(s)", nullptr, static_cast<int>(run->summary.total)));
    finishPendingExport();
}

void TrafficPage::finishPendingExport()
{
    if (!m_pendingExport || isRunning() || !sessionComplete()) {
        return;
    }
    const auto [what, path] = *m_pendingExport;
    m_pendingExport.reset();
    QString error;
    Q_EMIT statusMessage(exportNow(what, path, &error) ? tr("Wrote %1").arg(path) : error);
}

bool TrafficPage::sessionComplete() const
{
    return !m_session.empty() && std::all_of(m_session.begin(), m_session.end(),
                                             [](const traffic::SessionRun &r) { return r.run != nullptr; });
}

void TrafficPage::updateRunScope()
{
    // Say what the exports cover once a push split the session into runs.
    const int runs = static_cast<int>(m_session.size());
    const QString since =
        runs > 1 ? QLocale().toString(double(m_session.back().startMicros) / 1e6, 'f', 1) : QString();
    for (const auto &[chart, title] : std::as_const(m_runCharts)) {
        chart->chart()->setTitle(runs > 1 ? tr("%1 — run %2, since %3 s").arg(title).arg(runs).arg(since)
                                          : title);
    }
    m_exportScope->setVisible(runs > 1);
    m_exportScope->setText(
        runs > 1
            ? tr("Runs in this session: %1 (each push while sampling starts one). The CSV and JSON files "
                 "hold every run, each with its own summary; in the charts, the time lines cover the "
                 "session, share against weight and latency the last run.")
                  .arg(runs)
            : QString());
}

void TrafficPage::refreshCharts()
{
    for (TrafficChart *chart : m_charts) {
        chart->refresh();
    }
    m_chartsStale = false;
}

void TrafficPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_chartsStale) {
        refreshCharts();
    }
}

void TrafficPage::updateVerdict()
{
    const auto &s = m_summary;
    m_verdict->setText(verdict());
    QPalette palette;
    palette.setColor(QPalette::WindowText, s.matches ? QColor(0x1B, 0x7F, 0x3B) : problemColor());
    if (s.classified + s.leaked > 0) {
        m_verdict->setPalette(palette);
    }
    QLocale locale;
    QString stats =
        tr("%1 requests in %2 s · %3/s · %4 errors")
            .arg(locale.toString(static_cast<qulonglong>(s.total)), locale.toString(s.elapsedSeconds, 'f', 1),
                 locale.toString(s.achievedRate, 'f', 0),
                 locale.toString(static_cast<qulonglong>(s.errorCount())));
    QStringList kinds;
    for (std::size_t i = 1; i < traffic::kErrorKinds; ++i) {
        if (s.errors[i]) {
            kinds << QStringLiteral("%1 %2")
                         .arg(toQString(traffic::toString(static_cast<traffic::ErrorKind>(i))))
                         .arg(s.errors[i]);
        }
    }
    if (!kinds.isEmpty()) {
        stats += QStringLiteral(" (%1)").arg(kinds.join(QLatin1String(", ")));
    }
    stats += tr(" · %n leaked", nullptr, static_cast<int>(s.leaked));
    stats += tr(" · %n distinct chain(s)", nullptr, static_cast<int>(s.chains.size()));
    if (m_session.size() > 1) {
        stats += tr(" · run %1 (restarted after a push)").arg(m_session.size());
    }
    m_stats->setText(stats);
}

void TrafficPage::updateControls()
{
    const bool running = isRunning();
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    // The files hold whole runs with their summaries: while sampling, exporting stops the run first and
    // writes what it sampled so far.
    const bool done = !running && sessionComplete();
    m_exportCsv->setEnabled(done || running);
    m_exportJson->setEnabled(done || running);
    const QString why = done      ? tr("Every sample of the session and each run's summary")
                        : running ? tr("Stops sampling, then writes the samples so far and their summary")
                        : !m_session.empty()
                            ? tr("Waiting for the run before the last push to hand over its samples")
                            : tr("Nothing sampled yet: start sampling first");
    m_exportCsv->setToolTip(why);
    m_exportJson->setToolTip(why);
    const auto mode = static_cast<Classification>(m_classify->currentIndex());
    m_classifyArgument->setEnabled(mode != Classification::Chain);
    m_classifyArgument->setPlaceholderText(
        mode == Classification::Header  ? tr("header name, e.g. x-lane")
        : mode == Classification::Regex ? tr("RE2 with one capture group, e.g. mocka\\(version: (v\\d+)")
                                        : tr("no argument needed"));
    m_amount->setEnabled(m_amountKind->currentIndex() != static_cast<int>(Amount::UntilStopped));
    // The example forces a lane of the open group: the first that is not the baseline.
    const LaneGroup &group = m_document->group();
    QString lane = tr("lane");
    for (const Lane &l : group.lanes) {
        if (group.baselineLane() != &l || group.lanes.size() == 1) {
            lane = toQString(l.name);
            break;
        }
    }
    const QString header =
        group.routingHeader.empty() ? QStringLiteral("x-lane") : toQString(group.routingHeader);
    m_headers->setPlaceholderText(tr("%1: %2   (forces lane %2)").arg(header, lane));
    for (QWidget *w : std::initializer_list<QWidget *>{m_url, m_host, m_rate, m_amountKind, m_concurrency,
                                                       m_threads, m_headers, m_classify}) {
        w->setEnabled(!running);
    }
    if (running) {
        m_amount->setEnabled(false);
        m_classifyArgument->setEnabled(false);
    }
}

bool TrafficPage::exportCsv(const QString &path, QString *error)
{
    if (isRunning() || !sessionComplete()) {
        *error = isRunning() ? tr("Still sampling: stop the run first (the file holds whole runs).")
                             : tr("Nothing to export yet: start sampling first.");
        return false;
    }
    if (auto written = traffic::writeCsv(m_session, toStdString(path)); !written) {
        *error = toQString(written.error().message);
        return false;
    }
    return true;
}

bool TrafficPage::exportJson(const QString &path, QString *error)
{
    if (isRunning() || !sessionComplete()) {
        *error = isRunning() ? tr("Still sampling: stop the run first (the file holds whole runs).")
                             : tr("Nothing to export yet: start sampling first.");
        return false;
    }
    if (auto written = traffic::writeJson(m_session, toStdString(path)); !written) {
        *error = toQString(written.error().message);
        return false;
    }
    return true;
}

QStringList TrafficPage::chartsCaption() const
{
    const LaneGroup group = sampledGroup();
    QStringList lines;
    lines << tr("Traffic of lane group %1").arg(group.name.empty() ? tr("(unnamed)") : toQString(group.name));
    QString target = tr("Target: %1").arg(targetUrl().isEmpty() ? tr("none") : targetUrl());
    if (!m_host->text().trimmed().isEmpty()) {
        target += tr(" (Host: %1)").arg(m_host->text().trimmed());
    }
    lines << target;
    if (m_sessionStartedAt.isValid()) {
        const QDateTime end =
            isRunning() || !m_sessionEndedAt.isValid() ? QDateTime::currentDateTime() : m_sessionEndedAt;
        QString when = tr("%1 to %2 (%3 s)%4")
                           .arg(m_sessionStartedAt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")),
                                end.toString(QStringLiteral("HH:mm:ss")))
                           .arg(m_sessionStartedAt.secsTo(end))
                           .arg(isRunning() ? tr(", still sampling") : QString());
        if (m_session.size() > 1) {
            QStringList pushes;
            for (std::size_t i = 1; i < m_session.size(); ++i) {
                pushes << QLocale().toString(double(m_session[i].startMicros) / 1e6, 'f', 0);
            }
            when += tr(" · pushed while sampling at %1 s (dashed)").arg(pushes.join(QStringLiteral(", ")));
        }
        lines << when;
    } else {
        lines << tr("Not sampled yet");
    }
    lines << (verdict().isEmpty() ? tr("No verdict yet") : verdict());
    return lines;
}

bool TrafficPage::exportCharts(const QString &path, QString *error)
{
    refreshCharts();
    // A picture for a change ticket: the same size whatever the window's (on a small screen the charts on
    // the page are too small to read), and what it shows in words above the charts.
    const QSize cell(760, 430);
    const int margin = 20;
    const QStringList caption = chartsCaption();
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    QFont verdictFont = font();
    verdictFont.setPointSizeF(verdictFont.pointSizeF() * 1.3);
    verdictFont.setBold(true);
    const QFontMetrics titleMetrics(titleFont);
    const QFontMetrics verdictMetrics(verdictFont);
    const int header = margin + titleMetrics.lineSpacing() + fontMetrics().lineSpacing() * 2 +
                       verdictMetrics.lineSpacing() + margin / 2;
    const QSize size(cell.width() * 2 + margin * 2, header + cell.height() * 2 + margin);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Window));
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::TextAntialiasing);
        int y = margin;
        const int width = size.width() - margin * 2;
        painter.setPen(palette().color(QPalette::WindowText));
        painter.setFont(titleFont);
        painter.drawText(QRect(margin, y, width, titleMetrics.lineSpacing()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         titleMetrics.elidedText(caption[0], Qt::ElideRight, width));
        y += titleMetrics.lineSpacing();
        painter.setFont(font());
        for (int i = 1; i <= 2; ++i) {
            painter.drawText(QRect(margin, y, width, fontMetrics().lineSpacing()),
                             Qt::AlignLeft | Qt::AlignVCenter,
                             fontMetrics().elidedText(caption[i], Qt::ElideMiddle, width));
            y += fontMetrics().lineSpacing();
        }
        painter.setFont(verdictFont);
        painter.setPen(m_summary.classified + m_summary.leaked == 0 ? palette().color(QPalette::WindowText)
                       : m_summary.matches                          ? QColor(0x1B, 0x7F, 0x3B)
                                                                    : problemColor());
        painter.drawText(QRect(margin, y, width, verdictMetrics.lineSpacing()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         verdictMetrics.elidedText(caption[3], Qt::ElideRight, width));
        // Fresh charts of the same models at the picture's size: the page's own keep their layout.
        const QList<TrafficChart *> copies = {
            new ShareOverTimeChart(m_timelineModel, this), new ShareVsWeightChart(m_laneModel, this),
            new LatencyChart(m_laneModel, this), new ErrorsChart(m_timelineModel, this)};
        for (int i = 0; i < copies.size(); ++i) {
            TrafficChart *chart = copies[i];
            chart->chart()->setTitle(m_charts[i]->chart()->title());
            chart->resize(cell);
            chart->refresh();
            chart->QWidget::render(&painter,
                                   QPoint(margin + (i % 2) * cell.width(), header + (i / 2) * cell.height()));
            delete chart;
        }
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void TrafficPage::exportInteractively(int what)
{
    const QString filters[] = {tr("CSV files (*.csv)"), tr("JSON files (*.json)"), tr("PNG images (*.png)")};
    const QString names[] = {QStringLiteral("samples.csv"), QStringLiteral("samples.json"),
                             QStringLiteral("traffic-charts.png")};
    if (what != ExportPng && isRunning()) {
        QMessageBox ask(QMessageBox::Question, tr("Stop sampling?"),
                        tr("The file holds whole runs with their summaries. Stop sampling now and export the "
                           "%n request(s) sampled so far?",
                           nullptr, static_cast<int>(m_summary.total)),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
        ask.setObjectName(QStringLiteral("stopToExportQuestion"));
        ask.button(QMessageBox::Yes)->setText(tr("&Stop and export"));
        if (ask.exec() != QMessageBox::Yes) {
            return;
        }
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export"), names[what], filters[what]);
    if (path.isEmpty()) {
        return;
    }
    if (what != ExportPng && (isRunning() || !sessionComplete())) {
        m_pendingExport = {what, path};
        stop();
        Q_EMIT statusMessage(
            tr("Stopping the run; %1 follows once it has handed over its samples").arg(path));
        finishPendingExport();
        return;
    }
    QString error;
    Q_EMIT statusMessage(exportNow(what, path, &error) ? tr("Wrote %1").arg(path) : error);
}

bool TrafficPage::exportNow(int what, const QString &path, QString *error)
{
    return what == ExportCsv    ? exportCsv(path, error)
           : what == ExportJson ? exportJson(path, error)
                                : exportCharts(path, error);
}

} // namespace lanedeck::ui

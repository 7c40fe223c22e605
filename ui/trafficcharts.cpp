#include "ui/trafficcharts.h"

#include "ui/lanecolors.h"
#include "ui/trafficmodels.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QGraphicsLayout>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QStackedBarSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace lanedeck::ui {
namespace {

/// Seconds the time charts show: enough for a canary step, few enough to redraw cheaply at 10/s.
constexpr int kWindowSeconds = 180;

double value(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data(ValueRole).toDouble();
}

/// The rows the time charts show: the last kWindowSeconds complete seconds (a second still filling up
/// would show as a dip at the end while sampling).
int completeRows(const TrafficTimelineModel *model)
{
    const int rows = model->rowCount();
    return model->lastRowPartial() && rows > 1 ? rows - 1 : rows;
}

int windowStart(int rows)
{
    return std::max(0, rows - kWindowSeconds);
}

/// A tick step of 1, 2 or 5 times a power of ten that gives about `ticks` intervals over `span`.
double niceStep(double span, int ticks)
{
    const double raw = std::max(span, 1e-9) / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0}) {
        if (raw <= factor * magnitude) {
            return factor * magnitude;
        }
    }
    return 10.0 * magnitude;
}

/// Sets [min, max] with ticks on round numbers, every niceStep(), anchored at 0.
void setNiceRange(QValueAxis *axis, double min, double max, int ticks = 5)
{
    const double step = niceStep(max - min, ticks);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setRange(min, max);
}

/// 0 up to the first tick at or above `top` plus a tenth.
void setNiceTop(QValueAxis *axis, double top, int ticks)
{
    const double step = niceStep(top * 1.1, ticks);
    setNiceRange(axis, 0, std::max(step, std::ceil(top * 1.1 / step) * step), ticks);
}

QColor outlineColor(const QPalette &palette)
{
    return palette.color(QPalette::WindowText);
}

} // namespace

// The chart is given to the constructor: QChartView(QWidget *) makes a default chart of its own, which
// setChart() would release but not delete (LeakSanitizer found each one leaked with its window).
TrafficChart::TrafficChart(const QString &title, QWidget *parent) : QChartView(new QChart, parent)
{
    QChart *c = chart();
    c->setTitle(title);
    c->setAnimationOptions(QChart::NoAnimation); // redrawn 10 times a second: animation would only lag
    c->legend()->setAlignment(Qt::AlignBottom);
    c->setMargins(QMargins(4, 4, 4, 4));
    c->layout()->setContentsMargins(0, 0, 0, 0);
    c->setBackgroundRoundness(0);
    setRenderHint(QPainter::Antialiasing);
    // Small enough that four charts and the tables below fit a 700 px tall window (tests/ui/tst_windowfit).
    setMinimumSize(260, 120);
    setFocusPolicy(Qt::NoFocus); // nothing to do with the keyboard; Tab passes by
    setAccessibleName(title);
    applyPalette();
    connect(c, &QChart::plotAreaChanged, this, [this] { placeMarkLabels(); });
}

void TrafficChart::applyPalette()
{
    const QPalette p = palette();
    QChart *c = chart();
    c->setBackgroundBrush(p.color(QPalette::Base));
    c->setBackgroundPen(QPen(p.color(QPalette::Mid)));
    c->setTitleBrush(p.color(QPalette::WindowText));
    QFont title = font();
    title.setBold(true);
    c->setTitleFont(title);
    c->legend()->setLabelColor(p.color(QPalette::WindowText));
    for (QAbstractAxis *axis : c->axes()) {
        styleAxis(axis);
    }
}

void TrafficChart::styleAxis(QAbstractAxis *axis)
{
    const QPalette p = palette();
    axis->setLabelsColor(p.color(QPalette::WindowText));
    axis->setTitleBrush(p.color(QPalette::WindowText));
    QColor grid = p.color(QPalette::WindowText);
    grid.setAlpha(40);
    axis->setGridLineColor(grid);
    axis->setLinePenColor(p.color(QPalette::Mid));
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    axis->setLabelsFont(small);
    axis->setTitleFont(small);
}

int TrafficChart::tickBudget() const
{
    // Two label heights per interval at least: QtCharts hides labels that would collide, so a short chart
    // (the Problems panel open at 1366x768) lost every y-axis label. Title, legend and x-axis take about six.
    const int line = fontMetrics().height();
    return std::clamp((height() - line * 6) / (line * 2), 1, 5);
}

void TrafficChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    for (QAbstractAxis *axis : chart()->axes(Qt::Vertical)) {
        auto *values = qobject_cast<QValueAxis *>(axis);
        if (values && values->tickType() == QValueAxis::TicksFixed) {
            values->setTickCount(tickBudget() + 1);
        }
    }
    refresh();
}

void TrafficChart::updatePushMarks(const QList<TrafficTimelineModel::Mark> &marks, QValueAxis *x,
                                   QAbstractAxis *y, double bottom, double top)
{
    while (m_pushMarks.size() > marks.size()) {
        QLineSeries *mark = m_pushMarks.takeLast();
        chart()->removeSeries(mark);
        delete mark;
    }
    while (m_pushMarks.size() < marks.size()) {
        auto *mark = new QLineSeries;
        mark->setName(tr("push"));
        QPen pen(palette().color(QPalette::WindowText), 1.5, Qt::DashLine);
        mark->setPen(pen);
        chart()->addSeries(mark);
        mark->attachAxis(x);
        mark->attachAxis(y);
        if (!m_pushMarks.isEmpty()) {
            hideFromLegend(mark);
        }
        m_pushMarks.append(mark);
    }
    while (m_markLabels.size() > marks.size()) {
        delete m_markLabels.takeLast();
    }
    while (m_markLabels.size() < marks.size()) {
        auto *label = new QGraphicsSimpleTextItem(chart());
        label->setBrush(palette().color(QPalette::WindowText));
        label->setZValue(10);
        m_markLabels.append(label);
    }
    m_markTops.clear();
    for (int i = 0; i < marks.size(); ++i) {
        m_pushMarks[i]->replace({QPointF(marks[i].row, bottom), QPointF(marks[i].row, top)});
        m_markLabels[i]->setText(marks[i].label);
        m_markTops.append(QPointF(marks[i].row, top));
    }
    placeMarkLabels();
}

void TrafficChart::placeMarkLabels()
{
    // Beside its line at the top of the plot, every other one a line lower so neighbours do not overlap.
    const QRectF plot = chart()->plotArea();
    const int line = fontMetrics().height();
    for (int i = 0; i < m_markLabels.size() && i < m_pushMarks.size() && i < m_markTops.size(); ++i) {
        const QPointF at = chart()->mapToPosition(m_markTops[i], m_pushMarks[i]);
        m_markLabels[i]->setPos(at.x() + 3, plot.top() + 2 + (i % 2) * line);
        m_markLabels[i]->setVisible(plot.contains(QPointF(at.x(), plot.center().y())));
    }
}

QValueAxis *TrafficChart::percentAxis(Qt::Alignment alignment)
{
    auto *axis = new QValueAxis(this);
    axis->setRange(0, 100);
    axis->setTickCount(6);
    axis->setLabelFormat(QStringLiteral("%.0f%%"));
    chart()->addAxis(axis, alignment);
    styleAxis(axis);
    return axis;
}

void TrafficChart::hideFromLegend(QAbstractSeries *series)
{
    for (QLegendMarker *marker : chart()->legend()->markers(series)) {
        marker->setVisible(false);
    }
}

// ---- ShareOverTimeChart ----------------------------------------------------------------------------------

ShareOverTimeChart::ShareOverTimeChart(TrafficTimelineModel *model, QWidget *parent)
    : TrafficChart(tr("Lane share over time"), parent), m_model(model), m_x(new QValueAxis(this)),
      m_y(nullptr)
{
    setObjectName(QStringLiteral("shareOverTimeChart"));
    m_x->setTitleText(tr("seconds"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    setNiceRange(m_x, 0, 10);
    chart()->addAxis(m_x, Qt::AlignBottom);
    styleAxis(m_x);
    m_y = percentAxis(Qt::AlignLeft);
}

void ShareOverTimeChart::rebuild()
{
    chart()->removeAllSeries(); // deletes the areas; their line series are children of the areas
    m_pushMarks.clear();
    m_uppers.clear();
    m_lowers.clear();
    m_lanes = m_model->laneNames();
    QLineSeries *below = nullptr;
    for (int lane = 0; lane < m_lanes.size(); ++lane) {
        auto *upper = new QLineSeries;
        auto *lower = below ? new QLineSeries : nullptr;
        auto *area = new QAreaSeries(upper, lower);
        upper->setParent(area);
        if (lower) {
            lower->setParent(area);
        }
        area->setName(m_lanes[lane]);
        const QColor color = laneColor(lane);
        area->setBrush(color);
        area->setPen(QPen(color.darker(115), 1));
        chart()->addSeries(area);
        area->attachAxis(m_x);
        area->attachAxis(m_y);
        m_uppers.append(upper);
        m_lowers.append(lower);
        below = upper;
    }
}

void ShareOverTimeChart::refresh()
{
    if (m_lanes != m_model->laneNames()) {
        rebuild();
    }
    const int rows = completeRows(m_model);
    const int first = windowStart(rows);
    QList<QList<QPointF>> points(m_lanes.size());
    for (int row = first; row < rows; ++row) {
        double total = 0;
        for (int lane = 0; lane < m_lanes.size(); ++lane) {
            total += value(m_model, row, TrafficTimelineModel::FirstLane + lane);
        }
        if (total <= 0) {
            continue; // a second with no classified response has no split to show
        }
        double cumulative = 0;
        for (int lane = 0; lane < m_lanes.size(); ++lane) {
            cumulative += value(m_model, row, TrafficTimelineModel::FirstLane + lane) * 100.0;
            points[lane].append(QPointF(row, cumulative));
        }
    }
    for (int lane = 0; lane < m_lanes.size(); ++lane) {
        m_uppers[lane]->replace(points[lane]);
        if (m_lowers[lane]) {
            m_lowers[lane]->replace(points[lane - 1]);
        }
    }
    setNiceRange(m_x, first, std::max(first + 10, rows - 1));
    updatePushMarks(m_model->marks(), m_x, m_y, 0, 100);
}

// ---- ShareVsWeightChart ----------------------------------------------------------------------------------

ShareVsWeightChart::ShareVsWeightChart(TrafficLaneModel *model, QWidget *parent)
    : TrafficChart(tr("Observed share vs configured weight (95% intervals)"), parent), m_model(model),
      m_bars(nullptr), m_categories(new QBarCategoryAxis(this)), m_y(nullptr),
      m_overlayX(new QValueAxis(this))
{
    setObjectName(QStringLiteral("shareVsWeightChart"));
    chart()->addAxis(m_categories, Qt::AlignBottom);
    styleAxis(m_categories);
    m_y = percentAxis(Qt::AlignLeft);
    // The whiskers and weight marks share the bars' vertical axis and sit on a hidden numeric axis that
    // places category i at x = i, as the category axis does.
    chart()->addAxis(m_overlayX, Qt::AlignTop);
    m_overlayX->setVisible(false);
}

void ShareVsWeightChart::rebuild()
{
    chart()->removeAllSeries();
    m_whiskers.clear();
    m_weights.clear();
    m_lanes.clear();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        m_lanes << m_model->index(row, TrafficLaneModel::Lane).data().toString();
    }
    m_categories->clear();
    m_categories->append(m_lanes);
    m_overlayX->setRange(-0.5, m_lanes.size() - 0.5);
    // One set per lane, stacked, each with a value only in its own category: a bar per lane in its colour.
    auto *bars = new QStackedBarSeries;
    bars->setBarWidth(0.6);
    for (int lane = 0; lane < m_lanes.size(); ++lane) {
        auto *set = new QBarSet(m_lanes[lane]);
        set->setColor(laneColor(lane));
        set->setBorderColor(laneColor(lane).darker(120));
        for (int i = 0; i < m_lanes.size(); ++i) {
            set->append(0);
        }
        bars->append(set);
    }
    chart()->addSeries(bars);
    bars->attachAxis(m_categories);
    bars->attachAxis(m_y);
    m_bars = bars;
    const QColor ink = outlineColor(palette());
    for (int lane = 0; lane < m_lanes.size(); ++lane) {
        auto *whisker = new QLineSeries;
        whisker->setName(tr("95% interval"));
        whisker->setPen(QPen(ink, 2));
        auto *weight = new QLineSeries;
        weight->setName(tr("Configured weight"));
        weight->setPen(QPen(ink, 2, Qt::DashLine));
        for (QLineSeries *series : {whisker, weight}) {
            chart()->addSeries(series);
            series->attachAxis(m_overlayX);
            series->attachAxis(m_y);
        }
        if (lane > 0) {
            hideFromLegend(whisker);
            hideFromLegend(weight);
        }
        m_whiskers.append(whisker);
        m_weights.append(weight);
    }
}

void ShareVsWeightChart::refresh()
{
    QStringList lanes;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        lanes << m_model->index(row, TrafficLaneModel::Lane).data().toString();
    }
    if (lanes != m_lanes) {
        rebuild();
    }
    const auto sets = m_bars ? m_bars->barSets() : QList<QBarSet *>();
    for (int lane = 0; lane < m_lanes.size(); ++lane) {
        const double share = value(m_model, lane, TrafficLaneModel::Share) * 100.0;
        const double low = value(m_model, lane, TrafficLaneModel::Low) * 100.0;
        const double high = value(m_model, lane, TrafficLaneModel::High) * 100.0;
        const double weight = value(m_model, lane, TrafficLaneModel::Weight) * 100.0;
        sets[lane]->replace(lane, share);
        const double cap = 0.08;
        m_whiskers[lane]->replace({{lane - cap, low},
                                   {lane + cap, low},
                                   {double(lane), low},
                                   {double(lane), high},
                                   {lane - cap, high},
                                   {lane + cap, high}});
        if (weight > 0) {
            m_weights[lane]->replace({{lane - 0.4, weight}, {lane + 0.4, weight}});
        } else {
            m_weights[lane]->clear();
        }
    }
}

// ---- LatencyChart ----------------------------------------------------------------------------------------

LatencyChart::LatencyChart(TrafficLaneModel *model, QWidget *parent)
    : TrafficChart(tr("Latency percentiles per lane"), parent), m_model(model), m_bars(new QBarSeries(this)),
      m_categories(new QBarCategoryAxis(this)), m_y(new QValueAxis(this))
{
    setObjectName(QStringLiteral("latencyChart"));
    const QStringList names{tr("p50"), tr("p90"), tr("p99")};
    const QList<QColor> shades{QColor(0x9E, 0xC5, 0xE8), QColor(0x4A, 0x8F, 0xCF), QColor(0x1F, 0x4E, 0x8C)};
    for (int i = 0; i < names.size(); ++i) {
        auto *set = new QBarSet(names[i]);
        set->setColor(shades[i]);
        set->setBorderColor(shades[i].darker(115));
        m_bars->append(set);
    }
    chart()->addSeries(m_bars);
    chart()->addAxis(m_categories, Qt::AlignBottom);
    m_y->setTitleText(tr("ms"));
    m_y->setLabelFormat(QStringLiteral("%.1f"));
    setNiceTop(m_y, 0.5, tickBudget());
    chart()->addAxis(m_y, Qt::AlignLeft);
    styleAxis(m_categories);
    styleAxis(m_y);
    m_bars->attachAxis(m_categories);
    m_bars->attachAxis(m_y);
}

void LatencyChart::refresh()
{
    QStringList lanes;
    const int rows = m_model->rowCount();
    for (int row = 0; row < rows; ++row) {
        lanes << m_model->index(row, TrafficLaneModel::Lane).data().toString();
    }
    if (lanes != m_categories->categories()) {
        m_categories->clear();
        m_categories->append(lanes);
    }
    double top = 0;
    const int columns[] = {TrafficLaneModel::P50, TrafficLaneModel::P90, TrafficLaneModel::P99};
    const auto sets = m_bars->barSets();
    for (int s = 0; s < sets.size(); ++s) {
        QList<qreal> values;
        for (int row = 0; row < rows; ++row) {
            values << value(m_model, row, columns[s]);
            top = std::max(top, values.back());
        }
        if (sets[s]->count() != values.size()) {
            sets[s]->remove(0, sets[s]->count());
            sets[s]->append(values);
        } else {
            for (int i = 0; i < values.size(); ++i) {
                sets[s]->replace(i, values[i]);
            }
        }
    }
    // Only grow the axis (or shrink it a lot), so bars do not jump at every snapshot.
    if (top > m_y->max() || top < m_y->max() / 4) {
        setNiceTop(m_y, std::max(top, 0.5), tickBudget());
        m_y->setLabelFormat(m_y->max() >= 10 ? QStringLiteral("%.0f") : QStringLiteral("%.1f"));
    }
}

// ---- ErrorsChart -----------------------------------------------------------------------------------------

ErrorsChart::ErrorsChart(TrafficTimelineModel *model, QWidget *parent)
    : TrafficChart(tr("Requests and errors per second"), parent), m_model(model),
      m_requests(new QLineSeries(this)), m_errors(new QLineSeries(this)), m_x(new QValueAxis(this)),
      m_y(new QValueAxis(this)), m_errorsY(new QValueAxis(this))
{
    setObjectName(QStringLiteral("errorsChart"));
    m_requests->setName(tr("requests/s"));
    m_requests->setPen(QPen(QColor(0x4A, 0x8F, 0xCF), 2));
    m_errors->setName(tr("errors/s"));
    m_errors->setPen(QPen(problemColor(), 2));
    chart()->addSeries(m_requests);
    chart()->addSeries(m_errors);
    m_x->setTitleText(tr("seconds"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    setNiceRange(m_x, 0, 10);
    m_y->setLabelFormat(QStringLiteral("%d"));
    m_y->setTitleText(tr("requests/s"));
    m_errorsY->setLabelFormat(QStringLiteral("%d"));
    m_errorsY->setTitleText(tr("errors/s"));
    m_errorsY->setLabelsColor(problemColor());
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    chart()->addAxis(m_errorsY, Qt::AlignRight);
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_x), static_cast<QAbstractAxis *>(m_y),
                                static_cast<QAbstractAxis *>(m_errorsY)}) {
        styleAxis(axis);
    }
    m_errorsY->setLabelsColor(problemColor());
    m_errorsY->setGridLineVisible(false);
    m_requests->attachAxis(m_x);
    m_requests->attachAxis(m_y);
    m_errors->attachAxis(m_x);
    m_errors->attachAxis(m_errorsY);
    setNiceTop(m_y, 10, tickBudget());
    setNiceTop(m_errorsY, 10, tickBudget());
}

void ErrorsChart::refresh()
{
    const int rows = completeRows(m_model);
    const int first = windowStart(rows);
    QList<QPointF> requests;
    QList<QPointF> errors;
    double topRequests = 10;
    double topErrors = 10;
    for (int row = first; row < rows; ++row) {
        const double r = value(m_model, row, TrafficTimelineModel::Requests);
        const double e = value(m_model, row, TrafficTimelineModel::Errors);
        requests.append(QPointF(row, r));
        errors.append(QPointF(row, e));
        topRequests = std::max(topRequests, r);
        topErrors = std::max(topErrors, e);
    }
    m_requests->replace(requests);
    m_errors->replace(errors);
    setNiceRange(m_x, first, std::max(first + 10, rows - 1));
    setNiceTop(m_y, topRequests, tickBudget());
    setNiceTop(m_errorsY, topErrors, tickBudget());
    updatePushMarks(m_model->marks(), m_x, m_y, 0, m_y->max());
}

} // namespace lanedeck::ui

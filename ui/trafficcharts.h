#pragma once

#include "ui/trafficmodels.h"

#include <QChartView>
#include <QList>
#include <QPointF>

class QGraphicsSimpleTextItem;

class QAbstractItemModel;
class QAbstractBarSeries;
class QAreaSeries;
class QBarCategoryAxis;
class QBarSeries;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace lanedeck::ui {

class TrafficLaneModel;
class TrafficTimelineModel;

/// The charts of the traffic page. Each draws one item model and nothing else: refresh() reads the model
/// (its ValueRole numbers) and updates the series in place, so the page decides how often charts redraw and
/// tests check the models rather than pixels.
class TrafficChart : public QChartView
{
    Q_OBJECT
public:
    explicit TrafficChart(const QString &title, QWidget *parent = nullptr);
    virtual void refresh() = 0;
    /// Recolours axes and titles for the application palette.
    void applyPalette();

protected:
    /// Intervals on a y axis that leave room for every label at the chart's current height.
    int tickBudget() const;
    void resizeEvent(QResizeEvent *event) override;
    QValueAxis *percentAxis(Qt::Alignment alignment);
    /// A dashed vertical line from `bottom` to `top` at each mark (seconds where a push restarted the
    /// statistics, or a rollout step began), the first named "push" in the legend, with the mark's label at
    /// the top of the plot.
    void updatePushMarks(const QList<TrafficTimelineModel::Mark> &marks, QValueAxis *x, QAbstractAxis *y,
                         double bottom, double top);
    void placeMarkLabels();
    QList<QLineSeries *> m_pushMarks; ///< owned by the chart; a rebuild that removes all series clears this
    QList<QGraphicsSimpleTextItem *> m_markLabels; ///< owned by the chart, a label per mark
    QList<QPointF> m_markTops;
    void styleAxis(QAbstractAxis *axis);
    void hideFromLegend(QAbstractSeries *series);
};

/// Each lane's share of the classified responses per second, stacked to 100%.
class ShareOverTimeChart final : public TrafficChart
{
    Q_OBJECT
public:
    ShareOverTimeChart(TrafficTimelineModel *model, QWidget *parent = nullptr);
    void refresh() override;

private:
    void rebuild();
    TrafficTimelineModel *m_model;
    QValueAxis *m_x;
    QValueAxis *m_y;
    QList<QLineSeries *> m_uppers;
    QList<QLineSeries *> m_lowers;
    QStringList m_lanes;
};

/// Each lane's observed share (bar) with its 95% interval (whisker) against its configured weight (dashed).
class ShareVsWeightChart final : public TrafficChart
{
    Q_OBJECT
public:
    ShareVsWeightChart(TrafficLaneModel *model, QWidget *parent = nullptr);
    void refresh() override;

private:
    void rebuild();
    TrafficLaneModel *m_model;
    QAbstractBarSeries *m_bars;
    QBarCategoryAxis *m_categories;
    QValueAxis *m_y;
    QValueAxis *m_overlayX;
    QList<QLineSeries *> m_whiskers;
    QList<QLineSeries *> m_weights;
    QStringList m_lanes;
};

/// Latency percentiles (p50, p90, p99) per lane, in milliseconds.
class LatencyChart final : public TrafficChart
{
    Q_OBJECT
public:
    LatencyChart(TrafficLaneModel *model, QWidget *parent = nullptr);
    void refresh() override;

private:
    TrafficLaneModel *m_model;
    QBarSeries *m_bars;
    QBarCategoryAxis *m_categories;
    QValueAxis *m_y;
};

/// Requests and errors per second.
class ErrorsChart final : public TrafficChart
{
    Q_OBJECT
public:
    ErrorsChart(TrafficTimelineModel *model, QWidget *parent = nullptr);
    void refresh() override;

private:
    TrafficTimelineModel *m_model;
    QLineSeries *m_requests;
    QLineSeries *m_errors;
    QValueAxis *m_x;
    QValueAxis *m_y;
    QValueAxis *m_errorsY;
};

} // namespace lanedeck::ui

#pragma once

#include <QWidget>

#include <vector>

class QCheckBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;

namespace lanedeck::ui {

class DocumentController;

/// A horizontal bar split into the lanes' weights, each segment in its lane's colour and labelled.
class WeightBar final : public QWidget
{
    Q_OBJECT
public:
    explicit WeightBar(QWidget *parent = nullptr);

    struct Segment
    {
        QString label;
        int weight = 0;
        int colorIndex = 0;
    };
    void setSegments(std::vector<Segment> segments);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<Segment> m_segments;
};

/// The ingress traffic split: a slider and a spin box per lane and the bar that shows the split. By default
/// an edit keeps the total at 100 by scaling the other lanes (the edited value stays exactly as typed); with
/// that off, the total is shown in red until the operator presses Normalize.
class WeightPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit WeightPanel(DocumentController *controller, QWidget *parent = nullptr);

    /// Whether "Keep total at 100%" is checked: edits that change the total rebalance the other lanes.
    bool keepsTotal() const;

private:
    void rebuild();
    void refresh();
    void setWeight(int lane, int value);

    DocumentController *m_controller;
    WeightBar *m_bar;
    QGridLayout *m_rows;
    QLabel *m_total;
    QCheckBox *m_keepTotal;
    QPushButton *m_normalize;
    struct Row
    {
        QLabel *name;
        QSlider *slider;
        QSpinBox *spin;
    };
    std::vector<Row> m_rowWidgets;
};

} // namespace lanedeck::ui

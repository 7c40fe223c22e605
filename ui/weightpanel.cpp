#include "ui/weightpanel.h"

#include "lanes/groupedits.h"
#include "ui/documentcontroller.h"
#include "ui/lanecolors.h"
#include "ui/qtconvert.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lanedeck::ui {

WeightBar::WeightBar(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("weightBar"));
    setAccessibleName(tr("Traffic split"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void WeightBar::setSegments(std::vector<Segment> segments)
{
    m_segments = std::move(segments);
    QStringList parts;
    for (const auto &s : m_segments) {
        parts << tr("%1: %2%").arg(s.label).arg(s.weight);
    }
    setToolTip(parts.join(QLatin1Char('\n')));
    setAccessibleDescription(parts.join(QStringLiteral(", ")));
    update();
}

QSize WeightBar::sizeHint() const
{
    return QSize(fontMetrics().height() * 16, fontMetrics().height() * 2 + 8);
}

QSize WeightBar::minimumSizeHint() const
{
    return QSize(fontMetrics().height() * 6, fontMetrics().height() * 2 + 8);
}

void WeightBar::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF area = QRectF(rect()).adjusted(1, 1, -1, -1);
    int total = 0;
    for (const auto &s : m_segments) {
        total += std::max(0, s.weight);
    }
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.setBrush(palette().color(QPalette::Base));
    painter.drawRoundedRect(area, 4, 4);
    if (total <= 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter, tr("No traffic assigned"));
        return;
    }
    // Over 100 the bar shows the proportions of the total; under 100 the gap stays empty, visibly unassigned.
    const qreal scale = area.width() / std::max(100, total);
    qreal x = area.left();
    QPainterPath clip;
    clip.addRoundedRect(area, 4, 4);
    painter.setClipPath(clip);
    for (const auto &s : m_segments) {
        if (s.weight <= 0) {
            continue;
        }
        const QRectF segment(x, area.top(), s.weight * scale, area.height());
        const QColor color = laneColor(s.colorIndex);
        painter.fillRect(segment, color);
        painter.setPen(textColorOn(color));
        const QString full = tr("%1 %2%").arg(s.label).arg(s.weight);
        const QString text =
            fontMetrics().horizontalAdvance(full) + 8 <= segment.width() ? full : tr("%1%").arg(s.weight);
        if (fontMetrics().horizontalAdvance(text) + 4 <= segment.width()) {
            painter.drawText(segment, Qt::AlignCenter, text);
        }
        x += segment.width();
    }
}

WeightPanel::WeightPanel(DocumentController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_bar(new WeightBar(this)), m_rows(new QGridLayout),
      m_total(new QLabel(this)), m_keepTotal(new QCheckBox(tr("&Keep total at 100%"), this)),
      m_normalize(new QPushButton(tr("&Normalize"), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_bar);
    m_rows->setColumnStretch(1, 1);
    layout->addLayout(m_rows);
    auto *footer = new QHBoxLayout;
    m_total->setObjectName(QStringLiteral("totalWeightLabel"));
    m_keepTotal->setObjectName(QStringLiteral("keepTotalCheck"));
    m_keepTotal->setChecked(true);
    m_keepTotal->setToolTip(
        tr("When you set a lane's weight, scale the other lanes so the total stays 100%.\n"
           "The weight you set is never changed."));
    m_normalize->setObjectName(QStringLiteral("normalizeButton"));
    m_normalize->setToolTip(tr("Scale every lane's weight proportionally so the total is 100%."));
    footer->addWidget(m_total, 1);
    footer->addWidget(m_keepTotal);
    footer->addWidget(m_normalize);
    layout->addLayout(footer);
    layout->addStretch(1);

    connect(m_normalize, &QPushButton::clicked, this, [this] { m_controller->normalizeWeights(); });
    connect(controller, &DocumentController::groupChanged, this, &WeightPanel::refresh);
    refresh();
}

void WeightPanel::setWeight(int lane, int value)
{
    m_controller->setLaneWeight(lane, value, m_keepTotal->isChecked());
}

void WeightPanel::rebuild()
{
    for (auto &row : m_rowWidgets) {
        delete row.name;
        delete row.slider;
        delete row.spin;
    }
    m_rowWidgets.clear();
    const auto &lanes = m_controller->group().lanes;
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        const int lane = static_cast<int>(i);
        Row row{new QLabel(this), new QSlider(Qt::Horizontal, this), new QSpinBox(this)};
        row.slider->setRange(0, 100);
        row.slider->setPageStep(10);
        row.slider->setObjectName(QStringLiteral("weightSlider_%1").arg(lane));
        row.spin->setRange(0, 100);
        row.spin->setSuffix(QStringLiteral("%"));
        row.spin->setObjectName(QStringLiteral("weightSpin_%1").arg(lane));
        row.name->setBuddy(row.spin);
        m_rows->addWidget(row.name, lane, 0);
        m_rows->addWidget(row.slider, lane, 1);
        m_rows->addWidget(row.spin, lane, 2);
        connect(row.slider, &QSlider::valueChanged, this, [this, lane](int v) { setWeight(lane, v); });
        connect(row.spin, &QSpinBox::valueChanged, this, [this, lane](int v) { setWeight(lane, v); });
        m_rowWidgets.push_back(row);
    }
}

void WeightPanel::refresh()
{
    const LaneGroup &group = m_controller->group();
    if (m_rowWidgets.size() != group.lanes.size()) {
        rebuild();
    }
    std::vector<WeightBar::Segment> segments;
    for (std::size_t i = 0; i < group.lanes.size(); ++i) {
        const Lane &lane = group.lanes[i];
        const QString name = toQString(lane.name);
        Row &row = m_rowWidgets[i];
        const QColor color = laneColor(static_cast<int>(i));
        row.name->setText(
            QStringLiteral("<span style=\"color:%1\">■</span> %2").arg(color.name(), name.toHtmlEscaped()));
        row.slider->setAccessibleName(tr("Weight of lane %1").arg(name));
        row.spin->setAccessibleName(tr("Weight of lane %1 in percent").arg(name));
        const QStringList problems =
            m_controller->diagnostics().messages(QStringLiteral("spec.lanes[%1].weight").arg(i));
        row.spin->setToolTip(problems.isEmpty() ? tr("Share of ingress traffic sent to lane %1").arg(name)
                                                : DiagnosticIndex::tooltip(problems));
        {
            const QSignalBlocker blockSlider(row.slider);
            const QSignalBlocker blockSpin(row.spin);
            row.slider->setValue(lane.weight);
            row.spin->setValue(lane.weight);
        }
        segments.push_back({name, lane.weight, static_cast<int>(i)});
    }
    m_bar->setSegments(std::move(segments));

    const int total = edits::totalWeight(group);
    const QStringList totalProblems = m_controller->diagnostics().messages(QStringLiteral("spec.lanes"));
    const bool good = total == 100;
    m_total->setText(good ? tr("Total: 100%") : tr("Total: %1% (must be 100%)").arg(total));
    QPalette palette = m_total->palette();
    palette.setColor(QPalette::WindowText,
                     good ? this->palette().color(QPalette::WindowText) : problemColor());
    m_total->setPalette(palette);
    m_total->setToolTip(totalProblems.isEmpty() ? tr("The weights of all lanes add up to this.")
                                                : DiagnosticIndex::tooltip(totalProblems));
    m_normalize->setEnabled(!good && !group.lanes.empty());
}

} // namespace lanedeck::ui

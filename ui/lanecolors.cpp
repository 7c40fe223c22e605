#include "ui/lanecolors.h"

#include "graph/drawing.h"

namespace lanedeck::ui {

QColor laneColor(int index)
{
    // The core holds the list, so the topology's SVG (lanectl graph) uses the same colours.
    return QColor::fromRgb(static_cast<QRgb>(graph::laneRgb(index)));
}

QColor textColorOn(const QColor &background)
{
    // Relative luminance in the sRGB sense is close enough for choosing black or white.
    const double luminance =
        0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.5 ? QColor(Qt::black) : QColor(Qt::white);
}

QColor problemColor()
{
    return QColor::fromRgb(0xD32F2F);
}

QColor problemBackground()
{
    QColor tint = problemColor();
    tint.setAlphaF(0.22f);
    return tint;
}

} // namespace lanedeck::ui

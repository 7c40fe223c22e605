#include "ui/lanecolors.h"

#include <array>

namespace lanedeck::ui {

QColor laneColor(int index)
{
    // Okabe-Ito, then Tol's muted set: readable with the common colour-vision deficiencies.
    static constexpr std::array<QRgb, 10> colors = {0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7, 0x56B4E9,
                                                    0xD55E00, 0xF0E442, 0x882255, 0x44AA99, 0x999933};
    return QColor::fromRgb(colors[static_cast<std::size_t>(index < 0 ? 0 : index) % colors.size()]);
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

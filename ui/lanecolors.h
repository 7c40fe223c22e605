#pragma once

#include <QColor>

namespace lanedeck::ui {

/// The colour of the lane at `index`, the same in every view (grid, weights bar, lane paths). The hues are
/// distinguishable for common colour-vision deficiencies and carry text legibly in light and dark palettes.
QColor laneColor(int index);
/// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor &background);
/// The colour that marks invalid fields and cells, readable on the palette's base colour.
QColor problemColor();
/// A translucent tint of problemColor() for the background of invalid cells, in light and dark palettes.
QColor problemBackground();

} // namespace lanedeck::ui

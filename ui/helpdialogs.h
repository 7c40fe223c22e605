#pragma once

#include <QList>

class QAction;
class QDialog;
class QWidget;

namespace lanedeck::ui {

/// Help > Documentation: README.md and docs/*.md as they were built into the binary, rendered from Markdown,
/// so the documentation matches the build and needs no network or source tree.
QDialog *documentationDialog(QWidget *parent);

/// Help > Keyboard Shortcuts: the shortcuts of `actions` (as the menus have them, so the list cannot drift
/// from them) and the keys the designer's tables, grid and fields take.
QDialog *shortcutsDialog(const QList<QAction *> &actions, QWidget *parent);

} // namespace lanedeck::ui

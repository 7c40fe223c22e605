#pragma once

#include <QLabel>

namespace lanedeck::ui {

/// A one-line plain-text label that, when narrower than its text, shows the text cut with "…" instead of
/// clipped mid-word, so a reader can tell that more follows (the tooltip, set by the owner, shows it whole).
/// text() stays the whole text; only the painting is shortened.
class ElidedLabel final : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    /// The text as painted at the current width: text() itself when it fits.
    QString displayedText() const;

protected:
    void paintEvent(QPaintEvent *event) override;
};

} // namespace lanedeck::ui

#include "ui/elidedlabel.h"

#include <QPainter>
#include <QStyle>

namespace lanedeck::ui {

ElidedLabel::ElidedLabel(QWidget *parent) : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    // The text may be any length: it never widens the window.
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

QString ElidedLabel::displayedText() const
{
    const int width = contentsRect().width() - 2 * margin() - 2 * qMax(indent(), 0);
    return fontMetrics().elidedText(text(), Qt::ElideRight, qMax(width, 0));
}

void ElidedLabel::paintEvent(QPaintEvent *event)
{
    const QString shown = displayedText();
    if (shown == text()) {
        QLabel::paintEvent(event); // fits: QLabel paints it, text selection included
        return;
    }
    QPainter painter(this);
    drawFrame(&painter);
    const QRect area = contentsRect().adjusted(margin(), margin(), -margin(), -margin());
    style()->drawItemText(&painter, area, QStyle::visualAlignment(layoutDirection(), alignment()), palette(),
                          isEnabled(), shown, foregroundRole());
}

} // namespace lanedeck::ui

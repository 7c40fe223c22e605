#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace lanedeck::ui {

/// Highlights the YAML LaneDeck generates (block style): keys, document separators, comments, quoted strings,
/// numbers and booleans. Colours derive from the document's palette so light and dark themes both read well.
class YamlHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit YamlHighlighter(QTextDocument *document, bool darkPalette);
    /// Picks colours for a light or dark background and re-highlights.
    void setDarkPalette(bool dark);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_keyword;
    QTextCharFormat m_comment;
    QTextCharFormat m_separator;
    QRegularExpression m_keyPattern;
    QRegularExpression m_scalarPattern;
};

} // namespace lanedeck::ui

#pragma once

#include <QSyntaxHighlighter>

namespace lanedeck::ui {

/// Highlights the YAML LaneDeck generates (block style) in an editable QTextDocument, by the rules of
/// yamlLineSpans (ui/yamlsyntax.h): keys, document separators, comments, quoted strings, numbers and
/// booleans.
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
    bool m_dark = false;
};

} // namespace lanedeck::ui

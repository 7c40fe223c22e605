#include "ui/yamlhighlighter.h"

#include "ui/yamlsyntax.h"

namespace lanedeck::ui {

YamlHighlighter::YamlHighlighter(QTextDocument *document, bool darkPalette)
    : QSyntaxHighlighter(document), m_dark(darkPalette)
{}

void YamlHighlighter::setDarkPalette(bool dark)
{
    m_dark = dark;
    rehighlight();
}

void YamlHighlighter::highlightBlock(const QString &text)
{
    for (const YamlSpan &span : yamlLineSpans(text)) {
        setFormat(span.start, span.length, yamlFormat(span.role, m_dark));
    }
}

} // namespace lanedeck::ui

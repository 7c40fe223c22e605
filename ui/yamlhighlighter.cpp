#include "ui/yamlhighlighter.h"

namespace lanedeck::ui {

YamlHighlighter::YamlHighlighter(QTextDocument *document, bool darkPalette)
    : QSyntaxHighlighter(document),
      m_keyPattern(QStringLiteral(R"(^(\s*(?:-\s+)*)([^\s:'"#-][^:#]*?|'[^']*'|"[^"]*")\s*:(?=\s|$))")),
      m_scalarPattern(QStringLiteral(R"((?::\s+|^\s*-\s+)(.+)$)"))
{
    setDarkPalette(darkPalette);
}

void YamlHighlighter::setDarkPalette(bool dark)
{
    // Hues chosen for contrast of at least 4.5:1 against typical light (#fff) and dark (#1e1e1e) bases.
    m_key.setForeground(QColor::fromRgb(dark ? 0x79B8FF : 0x005CC5));
    m_key.setFontWeight(QFont::DemiBold);
    m_string.setForeground(QColor::fromRgb(dark ? 0x9ECE6A : 0x22863A));
    m_number.setForeground(QColor::fromRgb(dark ? 0xF2A65A : 0xB35900));
    m_keyword.setForeground(QColor::fromRgb(dark ? 0xD2A8FF : 0x6F42C1));
    m_comment.setForeground(QColor::fromRgb(dark ? 0x8B949E : 0x6A737D));
    m_comment.setFontItalic(true);
    m_separator.setForeground(QColor::fromRgb(dark ? 0x8B949E : 0x6A737D));
    m_separator.setFontWeight(QFont::Bold);
    rehighlight();
}

void YamlHighlighter::highlightBlock(const QString &text)
{
    if (text.startsWith(QLatin1String("---")) || text.startsWith(QLatin1String("..."))) {
        setFormat(0, static_cast<int>(text.size()), m_separator);
        return;
    }
    const auto trimmed = QStringView(text).trimmed();
    if (trimmed.startsWith(QLatin1Char('#'))) {
        setFormat(0, static_cast<int>(text.size()), m_comment);
        return;
    }
    const auto key = m_keyPattern.match(text);
    if (key.hasMatch()) {
        setFormat(static_cast<int>(key.capturedStart(2)), static_cast<int>(key.capturedLength(2)), m_key);
    }
    const auto scalar = m_scalarPattern.match(text, key.hasMatch() ? key.capturedEnd(0) - 1 : 0);
    if (!scalar.hasMatch()) {
        return;
    }
    const QString value = scalar.captured(1);
    const int start = static_cast<int>(scalar.capturedStart(1));
    static const QRegularExpression number(QStringLiteral(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?$)"));
    static const QRegularExpression keyword(QStringLiteral(R"(^(true|false|null|~)$)"));
    if (value.startsWith(QLatin1Char('\'')) || value.startsWith(QLatin1Char('"'))) {
        setFormat(start, static_cast<int>(value.size()), m_string);
    } else if (number.match(value).hasMatch()) {
        setFormat(start, static_cast<int>(value.size()), m_number);
    } else if (keyword.match(value).hasMatch()) {
        setFormat(start, static_cast<int>(value.size()), m_keyword);
    } else if (!value.endsWith(QLatin1Char(':'))) {
        setFormat(start, static_cast<int>(value.size()), m_string);
    }
}

} // namespace lanedeck::ui

#include "ui/yamlsyntax.h"

#include <QColor>
#include <QFont>
#include <QRegularExpression>

#include <optional>

namespace lanedeck::ui {

namespace {

/// The role of a scalar value, or nothing for a value that ends a key of a nested mapping ("- name:").
std::optional<YamlRole> scalarRole(QStringView value)
{
    // thread_local: one QRegularExpression is reentrant, not safe to share between threads.
    thread_local const QRegularExpression number(QStringLiteral(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?$)"));
    thread_local const QRegularExpression keyword(QStringLiteral(R"(^(true|false|null|~)$)"));
    if (value.startsWith(QLatin1Char('\'')) || value.startsWith(QLatin1Char('"'))) {
        return YamlRole::String;
    }
    if (number.match(value).hasMatch()) {
        return YamlRole::Number;
    }
    if (keyword.match(value).hasMatch()) {
        return YamlRole::Keyword;
    }
    if (!value.endsWith(QLatin1Char(':'))) {
        return YamlRole::String;
    }
    return std::nullopt;
}

} // namespace

QList<YamlSpan> yamlLineSpans(QStringView line)
{
    thread_local const QRegularExpression keyPattern(
        QStringLiteral(R"(^(\s*(?:-\s+)*)([^\s:'"#-][^:#]*?|'[^']*'|"[^"]*")\s*:(?=\s|$))"));
    thread_local const QRegularExpression scalarPattern(QStringLiteral(R"((?::\s+|^\s*-\s+)(.+)$)"));
    const int size = static_cast<int>(line.size());
    if (line.startsWith(QLatin1String("---")) || line.startsWith(QLatin1String("..."))) {
        return {{0, size, YamlRole::Separator}};
    }
    if (line.trimmed().startsWith(QLatin1Char('#'))) {
        return {{0, size, YamlRole::Comment}};
    }
    QList<YamlSpan> spans;
    const auto key = keyPattern.match(line);
    if (key.hasMatch()) {
        spans.append(
            {static_cast<int>(key.capturedStart(2)), static_cast<int>(key.capturedLength(2)), YamlRole::Key});
    }
    // From the key's colon on, so that "key: value" and "- value" are both found.
    const auto scalar = scalarPattern.match(line, key.hasMatch() ? key.capturedEnd(0) - 1 : 0);
    if (scalar.hasMatch()) {
        if (const auto role = scalarRole(scalar.capturedView(1))) {
            spans.append({static_cast<int>(scalar.capturedStart(1)),
                          static_cast<int>(scalar.capturedLength(1)), *role});
        }
    }
    return spans;
}

QTextCharFormat yamlFormat(YamlRole role, bool darkPalette)
{
    QTextCharFormat format;
    switch (role) {
    case YamlRole::Key:
        format.setForeground(QColor::fromRgb(darkPalette ? 0x79B8FF : 0x005CC5));
        format.setFontWeight(QFont::DemiBold);
        break;
    case YamlRole::String:
        format.setForeground(QColor::fromRgb(darkPalette ? 0x9ECE6A : 0x22863A));
        break;
    case YamlRole::Number:
        format.setForeground(QColor::fromRgb(darkPalette ? 0xF2A65A : 0xB35900));
        break;
    case YamlRole::Keyword:
        format.setForeground(QColor::fromRgb(darkPalette ? 0xD2A8FF : 0x6F42C1));
        break;
    case YamlRole::Comment:
        format.setForeground(QColor::fromRgb(darkPalette ? 0x8B949E : 0x6A737D));
        format.setFontItalic(true);
        break;
    case YamlRole::Separator:
        format.setForeground(QColor::fromRgb(darkPalette ? 0x8B949E : 0x6A737D));
        format.setFontWeight(QFont::Bold);
        break;
    }
    return format;
}

} // namespace lanedeck::ui

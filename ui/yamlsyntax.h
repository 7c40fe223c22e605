#pragma once

#include <QList>
#include <QStringView>
#include <QTextCharFormat>

namespace lanedeck::ui {

/// What a stretch of a YAML line is, for colouring.
enum class YamlRole
{
    Key,       ///< a mapping key (before its colon)
    String,    ///< a quoted or plain scalar that is not a number, boolean or null
    Number,    ///< an integer or decimal scalar
    Keyword,   ///< true, false, null, ~
    Comment,   ///< a whole-line comment
    Separator, ///< a document separator (--- or ...)
};

/// One coloured stretch of a line, in UTF-16 code units from the line's start.
struct YamlSpan
{
    int start = 0;
    int length = 0;
    YamlRole role = YamlRole::String;

    friend bool operator==(const YamlSpan &, const YamlSpan &) = default;
};

/// The highlighting rules for the block-style YAML LaneDeck generates, one line at a time (no state carried
/// between lines): the one place both YamlHighlighter (editable documents) and YamlTextView (the read-only
/// preview) take them from. Spans are in order and do not overlap. Any thread.
QList<YamlSpan> yamlLineSpans(QStringView line);

/// The character format for `role` on a light or dark background; hues keep a contrast of at least 4.5:1
/// against typical light (#fff) and dark (#1e1e1e) bases.
QTextCharFormat yamlFormat(YamlRole role, bool darkPalette);

} // namespace lanedeck::ui

#include "ui/diagnosticindex.h"

#include "ui/qtconvert.h"

namespace lanedeck::ui {

DiagnosticIndex::DiagnosticIndex(std::vector<Diagnostic> diagnostics) : m_diagnostics(std::move(diagnostics))
{}

QStringList DiagnosticIndex::messages(const QString &field) const
{
    QStringList out;
    const std::string key = toStdString(field);
    for (const auto &d : m_diagnostics) {
        if (d.field == key) {
            out << toQString(d.message);
        }
    }
    return out;
}

QStringList DiagnosticIndex::messagesUnder(const QString &field) const
{
    QStringList out;
    const std::string key = toStdString(field);
    for (const auto &d : m_diagnostics) {
        if (d.field == key || (d.field.size() > key.size() && d.field.compare(0, key.size(), key) == 0 &&
                               (d.field[key.size()] == '.' || d.field[key.size()] == '['))) {
            out << toQString(d.message);
        }
    }
    return out;
}

QString DiagnosticIndex::tooltip(const QStringList &messages)
{
    return messages.join(QLatin1Char('\n'));
}

} // namespace lanedeck::ui

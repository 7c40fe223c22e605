#pragma once

#include "lanes/diagnostic.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace lanedeck::ui {

/// The validation diagnostics of the current group, looked up by field path so each view can mark the cell or
/// field a diagnostic names ("spec.lanes[2].weight") with its message.
class DiagnosticIndex final
{
public:
    DiagnosticIndex() = default;
    explicit DiagnosticIndex(std::vector<Diagnostic> diagnostics);

    const std::vector<Diagnostic> &all() const { return m_diagnostics; }
    bool isEmpty() const { return m_diagnostics.empty(); }

    /// Messages of diagnostics whose field is exactly `field`.
    QStringList messages(const QString &field) const;
    /// Messages of diagnostics whose field is `field` or lies below it ("spec.lanes[1]" covers
    /// "spec.lanes[1].label.value" and "spec.lanes[1].services[0]").
    QStringList messagesUnder(const QString &field) const;

    /// Messages joined for a tooltip, or an empty string.
    static QString tooltip(const QStringList &messages);

private:
    std::vector<Diagnostic> m_diagnostics;
};

} // namespace lanedeck::ui

#pragma once

#include "kube/push.h"
#include "ui/clustertarget.h"

#include <QString>
#include <QStringList>

#include <string>
#include <vector>

/// The one place where the GUI converts between the core's std types and Qt's: strings, string lists and the
/// kube client's enums mirrored in Qt-side structs (clustertarget.h). Strings are UTF-8 on the std side.
namespace lanedeck::ui {

inline QString toQString(const std::string &text)
{
    return QString::fromStdString(text);
}

inline std::string toStdString(const QString &text)
{
    return text.toStdString();
}

inline QStringList toQStringList(const std::vector<std::string> &list)
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(list.size()));
    for (const auto &item : list) {
        out << toQString(item);
    }
    return out;
}

inline std::vector<std::string> toStdStrings(const QStringList &list)
{
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(list.size()));
    for (const auto &item : list) {
        out.push_back(toStdString(item));
    }
    return out;
}

inline PushOutcome::Result toUi(kube::Outcome outcome)
{
    switch (outcome) {
    case kube::Outcome::Created:
        return PushOutcome::Result::Created;
    case kube::Outcome::Configured:
        return PushOutcome::Result::Configured;
    case kube::Outcome::Unchanged:
        return PushOutcome::Result::Unchanged;
    case kube::Outcome::Pruned:
        return PushOutcome::Result::Pruned;
    case kube::Outcome::Deleted:
        return PushOutcome::Result::Deleted;
    case kube::Outcome::Failed:
        return PushOutcome::Result::Failed;
    case kube::Outcome::Skipped:
        return PushOutcome::Result::Skipped;
    }
    return PushOutcome::Result::Failed;
}

inline ResourceDiff::State toUi(kube::ResourceDiff::State state)
{
    switch (state) {
    case kube::ResourceDiff::State::Identical:
        return ResourceDiff::State::Identical;
    case kube::ResourceDiff::State::Changed:
        return ResourceDiff::State::Changed;
    case kube::ResourceDiff::State::New:
        return ResourceDiff::State::New;
    case kube::ResourceDiff::State::Removed:
        return ResourceDiff::State::Removed;
    }
    return ResourceDiff::State::Changed;
}

/// One generated resource's push outcome (kube::ResourceResult) in Qt types.
inline PushOutcome toUi(const kube::ResourceResult &result)
{
    return {toQString(result.resource), toUi(result.outcome), toQString(result.message),
            toQStringList(result.conflicts)};
}

/// One resource's diff (kube::ResourceDiff) in Qt types.
inline ResourceDiff toUi(const kube::ResourceDiff &diff)
{
    return {toQString(diff.resource), toUi(diff.state), toQString(diff.diff)};
}

} // namespace lanedeck::ui

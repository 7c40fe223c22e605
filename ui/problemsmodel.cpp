#include "ui/problemsmodel.h"

#include "ui/documentcontroller.h"
#include "ui/qtconvert.h"

#include <QHash>
#include <QRegularExpression>

namespace lanedeck::ui {

ProblemsModel::ProblemsModel(DocumentController *controller, QObject *parent)
    : QAbstractTableModel(parent), m_controller(controller), m_diagnostics(controller->diagnostics())
{
    connect(controller, &DocumentController::groupChanged, this, &ProblemsModel::refresh);
}

void ProblemsModel::refresh()
{
    if (m_controller->diagnostics().all() == m_diagnostics.all()) {
        return;
    }
    beginResetModel();
    m_diagnostics = m_controller->diagnostics();
    endResetModel();
}

void ProblemsModel::setClusterFindings(const QList<ClusterFinding> &findings)
{
    if (findings == m_findings) {
        return;
    }
    const int first = static_cast<int>(m_diagnostics.all().size());
    if (!m_findings.isEmpty()) {
        beginRemoveRows({}, first, first + static_cast<int>(m_findings.size()) - 1);
        m_findings.clear();
        endRemoveRows();
    }
    if (!findings.isEmpty()) {
        beginInsertRows({}, first, first + static_cast<int>(findings.size()) - 1);
        m_findings = findings;
        endInsertRows();
    }
}

QString ProblemsModel::fieldInWords(const QString &fieldPath, const LaneGroup &group)
{
    static const QRegularExpression item(QStringLiteral(R"(^spec\.(lanes|services)\[(\d+)\](?:\.(.*))?$)"));
    const auto named = [](const std::string &name, const QString &kind, int index) {
        return name.empty() ? tr("%1 %2").arg(kind).arg(index + 1)
                            : tr("%1 %2").arg(kind, QString::fromStdString(name));
    };
    if (const auto m = item.match(fieldPath); m.hasMatch()) {
        const int i = m.captured(2).toInt();
        const QString rest = m.captured(3);
        const bool lane = m.captured(1) == QLatin1String("lanes");
        QString head;
        if (lane) {
            head = named(i < static_cast<int>(group.lanes.size()) ? group.lanes[std::size_t(i)].name
                                                                  : std::string(),
                         tr("Lane"), i);
        } else {
            head = named(i < static_cast<int>(group.services.size()) ? group.services[std::size_t(i)].name
                                                                     : std::string(),
                         tr("Service"), i);
        }
        static const QRegularExpression listEntry(QStringLiteral(R"(^(services|calls)\[(\d+)\]$)"));
        QString part;
        if (rest.isEmpty()) {
            return head;
        } else if (rest == QLatin1String("name")) {
            part = tr("Name");
        } else if (rest == QLatin1String("label.key")) {
            part = tr("Label key");
        } else if (rest == QLatin1String("label.value")) {
            part = tr("Label value");
        } else if (rest == QLatin1String("label")) {
            part = tr("Label");
        } else if (rest == QLatin1String("weight")) {
            part = tr("Weight");
        } else if (rest == QLatin1String("namespace")) {
            part = tr("Namespace");
        } else if (rest == QLatin1String("port")) {
            part = tr("Port");
        } else if (rest == QLatin1String("services")) {
            part = tr("Services");
        } else if (rest == QLatin1String("calls")) {
            part = tr("Calls");
        } else if (const auto e = listEntry.match(rest); e.hasMatch()) {
            const int j = e.captured(2).toInt();
            const std::vector<std::string> &list =
                lane ? (i < static_cast<int>(group.lanes.size()) ? group.lanes[std::size_t(i)].services
                                                                 : std::vector<std::string>())
                     : (i < static_cast<int>(group.services.size()) ? group.services[std::size_t(i)].calls
                                                                    : std::vector<std::string>());
            const QString entry = j < static_cast<int>(list.size())
                                      ? QString::fromStdString(list[std::size_t(j)])
                                      : QString::number(j + 1);
            part = lane ? tr("Service %1").arg(entry) : tr("Calls %1").arg(entry);
        } else {
            part = rest;
        }
        return tr("%1, %2").arg(head, part);
    }
    static const QRegularExpression header(QStringLiteral(R"(^spec\.ingress\.match\.headers\[(\d+)\])"));
    if (const auto m = header.match(fieldPath); m.hasMatch()) {
        return tr("Ingress, Header condition %1").arg(m.captured(1).toInt() + 1);
    }
    static const QRegularExpression host(QStringLiteral(R"(^spec\.ingress\.hosts\[(\d+)\]$)"));
    if (const auto m = host.match(fieldPath); m.hasMatch()) {
        const int h = m.captured(1).toInt();
        return h < static_cast<int>(group.ingress.hosts.size())
                   ? tr("Ingress, Host %1").arg(QString::fromStdString(group.ingress.hosts[std::size_t(h)]))
                   : tr("Ingress, Hosts");
    }
    static const QHash<QString, const char *> words = {
        {QStringLiteral("metadata"), QT_TR_NOOP("Lane group")},
        {QStringLiteral("spec"), QT_TR_NOOP("Lane group")},
        {QStringLiteral("metadata.name"), QT_TR_NOOP("Lane group, Name")},
        {QStringLiteral("metadata.namespace"), QT_TR_NOOP("Lane group, Namespace")},
        {QStringLiteral("spec.mode"), QT_TR_NOOP("Lane group, Mode")},
        {QStringLiteral("spec.passThrough"), QT_TR_NOOP("Lane group, Pass-through")},
        {QStringLiteral("spec.traceHeader"), QT_TR_NOOP("Lane group, Trace header")},
        {QStringLiteral("spec.routingHeader"), QT_TR_NOOP("Lane group, Routing header")},
        {QStringLiteral("spec.baseline"), QT_TR_NOOP("Lanes, Baseline")},
        {QStringLiteral("spec.lanes"), QT_TR_NOOP("Lanes")},
        {QStringLiteral("spec.services"), QT_TR_NOOP("Services")},
        {QStringLiteral("spec.ingress"), QT_TR_NOOP("Ingress")},
        {QStringLiteral("spec.ingress.gateway.name"), QT_TR_NOOP("Ingress, Gateway")},
        {QStringLiteral("spec.ingress.gateway.namespace"), QT_TR_NOOP("Ingress, Gateway namespace")},
        {QStringLiteral("spec.ingress.hosts"), QT_TR_NOOP("Ingress, Hosts")},
        {QStringLiteral("spec.ingress.match.uri"), QT_TR_NOOP("Ingress, URI match")},
        {QStringLiteral("spec.ingress.entryService"), QT_TR_NOOP("Ingress, Entry service")},
    };
    if (const auto it = words.constFind(fieldPath); it != words.constEnd()) {
        return tr(it.value());
    }
    return fieldPath;
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_diagnostics.all().size() + m_findings.size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const int documentRows = static_cast<int>(m_diagnostics.all().size());
    if (index.row() >= documentRows) {
        const ClusterFinding &f = m_findings[index.row() - documentRows];
        QString where = f.object;
        if (!f.lane.isEmpty() && !f.service.isEmpty()) {
            where = tr("lane %1 × %2").arg(f.lane, f.service);
        } else if (where.isEmpty()) {
            where = !f.service.isEmpty() ? f.service : f.lane;
        }
        const QString severity = f.severity == ClusterFinding::Severity::Error     ? tr("error")
                                 : f.severity == ClusterFinding::Severity::Warning ? tr("warning")
                                                                                   : tr("info");
        switch (role) {
        case Qt::DisplayRole:
            return index.column() == Field     ? where
                   : index.column() == Message ? f.message
                                               : tr("cluster %1").arg(severity);
        case Qt::ToolTipRole:
            return f.fix.isEmpty() ? tr("%1 [%2]").arg(f.message, f.code)
                                   : tr("%1 [%2]\nFix: %3").arg(f.message, f.code, f.fix);
        case LaneRole:
            return f.lane;
        case ServiceRole:
            return f.service;
        case CodeRole:
            return f.code;
        default:
            return {};
        }
    }
    const Diagnostic &d = m_diagnostics.all()[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == Field     ? fieldInWords(toQString(d.field), m_controller->group())
               : index.column() == Message ? toQString(d.message)
                                           : tr("document");
    case Qt::ToolTipRole:
        return toQString(d.toString());
    case FieldPathRole:
        return toQString(d.field);
    default:
        return {};
    }
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == Field     ? tr("Field")
           : section == Message ? tr("Problem")
           : section == Source  ? tr("Source")
                                : QVariant();
}

} // namespace lanedeck::ui

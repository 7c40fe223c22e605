#include "ui/resourcetreemodel.h"

#include "base/yamljson.h"
#include "ui/qtconvert.h"
#include "ui/whenfinished.h"

#include <QIcon>

namespace lanedeck::ui {
namespace {
// internalId 0 marks top-level nodes; a resource's internalId is its kind's row (1-based, the row of "All" is
// 0).
constexpr quintptr kTopLevel = 0;
} // namespace

ResourceTreeModel::ResourceTreeModel(QObject *parent)
    : QAbstractItemModel(parent), m_resources(std::make_shared<const std::vector<mesh::Resource>>())
{}

void ResourceTreeModel::setResources(const std::vector<mesh::Resource> &resources, const QString &allYaml)
{
    if (resources == *m_resources) {
        if (m_allYaml.isNull()) {
            m_allYaml = allYaml;
        }
        return;
    }
    setSharedResources(std::make_shared<const std::vector<mesh::Resource>>(resources), allYaml);
}

void ResourceTreeModel::setSharedResources(Resources resources, const QString &allYaml)
{
    if (!resources) {
        resources = std::make_shared<const std::vector<mesh::Resource>>();
    }
    if (resources == m_resources) {
        if (m_allYaml.isNull()) {
            m_allYaml = allYaml;
        }
        return;
    }
    beginResetModel();
    releaseOnWorker(std::exchange(m_resources, std::move(resources)));
    m_allYaml = allYaml;
    m_kinds.clear();
    const std::vector<mesh::Resource> &all = *m_resources;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const QString kind = toQString(all[i].kind());
        auto it = std::find_if(m_kinds.begin(), m_kinds.end(), [&](const Kind &k) { return k.name == kind; });
        if (it == m_kinds.end()) {
            m_kinds.push_back({kind, {}});
            it = std::prev(m_kinds.end());
        }
        it->members.push_back(i);
    }
    endResetModel();
}

QModelIndex ResourceTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent)) {
        return {};
    }
    if (!parent.isValid()) {
        return createIndex(row, column, kTopLevel);
    }
    return createIndex(row, column, static_cast<quintptr>(parent.row()));
}

QModelIndex ResourceTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId()), 0, kTopLevel);
}

int ResourceTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid()) {
        return m_resources->empty() ? 0 : static_cast<int>(m_kinds.size()) + 1;
    }
    if (parent.column() != 0 || parent.internalId() != kTopLevel || parent.row() == 0) {
        return 0;
    }
    return static_cast<int>(m_kinds[static_cast<std::size_t>(parent.row() - 1)].members.size());
}

int ResourceTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ResourceTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    if (index.internalId() == kTopLevel) {
        if (index.row() == 0) {
            switch (role) {
            case Qt::DisplayRole:
                return tr("All resources (%1)").arg(m_resources->size());
            case Qt::ToolTipRole:
                return tr("Every generated resource as one YAML stream, as lanectl render prints it.");
            case YamlRole:
                return m_allYaml.isNull() ? toQString(mesh::toYamlStream(*m_resources)) : m_allYaml;
            default:
                return {};
            }
        }
        const Kind &kind = m_kinds[static_cast<std::size_t>(index.row() - 1)];
        switch (role) {
        case Qt::DisplayRole:
            return tr("%1 (%2)").arg(kind.name).arg(kind.members.size());
        case YamlRole: {
            std::vector<mesh::Resource> members;
            for (auto i : kind.members) {
                members.push_back((*m_resources)[i]);
            }
            return toQString(mesh::toYamlStream(members));
        }
        default:
            return {};
        }
    }
    const Kind &kind = m_kinds[static_cast<std::size_t>(index.internalId() - 1)];
    const mesh::Resource &resource = (*m_resources)[kind.members[static_cast<std::size_t>(index.row())]];
    switch (role) {
    case Qt::DisplayRole:
        return toQString(resource.name());
    case Qt::ToolTipRole:
        return toQString(resource.displayName() + " (" + resource.apiVersion() + ")");
    case YamlRole:
        return toQString(toYaml(resource.object));
    case FileNameRole:
        return toQString(resource.fileName());
    default:
        return {};
    }
}

QVariant ResourceTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section == 0 && orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        return tr("Generated resources");
    }
    return {};
}

} // namespace lanedeck::ui

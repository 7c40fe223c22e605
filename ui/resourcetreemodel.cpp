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

/// The documents' names, without their place in the stream yet.
std::vector<RenderedYaml::Document> describe(const std::vector<mesh::Resource> &resources)
{
    std::vector<RenderedYaml::Document> documents;
    documents.reserve(resources.size());
    for (const mesh::Resource &resource : resources) {
        documents.push_back({toQString(resource.kind()), toQString(resource.name()),
                             toQString(resource.displayName()), toQString(resource.apiVersion()),
                             toQString(resource.fileName()), 0, 0});
    }
    return documents;
}

void appendYaml(RenderedYaml &out, std::size_t i, const mesh::Resource &resource)
{
    if (i > 0) {
        out.stream += QLatin1String("---\n");
    }
    const QString yaml = toQString(toYaml(resource.object));
    out.documents[i].start = out.stream.size();
    out.documents[i].length = yaml.size();
    out.stream += yaml;
}
} // namespace

RenderedYaml RenderedYaml::from(const std::vector<mesh::Resource> &resources)
{
    RenderedYaml out{{}, describe(resources)};
    for (std::size_t i = 0; i < resources.size(); ++i) {
        appendYaml(out, i, resources[i]);
    }
    out.stream.squeeze(); // kept as long as it is shown: without the growth's slack
    return out;
}

RenderedYaml RenderedYaml::from(std::vector<mesh::Resource> &&resources)
{
    // The names first, while the JSON is whole: allocated in the holes that freed JSON leaves, those small
    // strings would keep its pages from going back to the system.
    RenderedYaml out{{}, describe(resources)};
    for (std::size_t i = 0; i < resources.size(); ++i) {
        appendYaml(out, i, resources[i]);
        resources[i].object = nullptr; // the JSON goes as its YAML comes: the two never peak together
    }
    resources = {};
    out.stream.squeeze();
    return out;
}

ResourceTreeModel::ResourceTreeModel(QObject *parent)
    : QAbstractItemModel(parent), m_rendering(std::make_shared<const RenderedYaml>())
{}

void ResourceTreeModel::setResources(const std::vector<mesh::Resource> &resources)
{
    auto rendering = std::make_shared<const RenderedYaml>(RenderedYaml::from(resources));
    setRendering(*rendering == *m_rendering ? m_rendering : std::move(rendering));
}

void ResourceTreeModel::setRendering(Rendering rendering)
{
    if (!rendering) {
        rendering = std::make_shared<const RenderedYaml>();
    }
    if (rendering == m_rendering) {
        return;
    }
    beginResetModel();
    releaseOnWorker(std::exchange(m_rendering, std::move(rendering)));
    m_kinds.clear();
    const auto &documents = m_rendering->documents;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const QString &kind = documents[i].kind;
        auto it = std::find_if(m_kinds.begin(), m_kinds.end(), [&](const Kind &k) { return k.name == kind; });
        if (it == m_kinds.end()) {
            m_kinds.push_back({kind, {}});
            it = std::prev(m_kinds.end());
        }
        it->members.push_back(i);
    }
    endResetModel();
}

QString ResourceTreeModel::nodeKey(const QModelIndex &index) const
{
    if (!index.isValid() || (index.internalId() == kTopLevel && index.row() == 0)) {
        return {};
    }
    if (index.internalId() == kTopLevel) {
        return QLatin1String("kind:") + m_kinds[static_cast<std::size_t>(index.row() - 1)].name;
    }
    const Kind &kind = m_kinds[static_cast<std::size_t>(index.internalId() - 1)];
    return m_rendering->documents[kind.members[static_cast<std::size_t>(index.row())]].displayName;
}

QModelIndex ResourceTreeModel::indexOfKey(const QString &key) const
{
    for (std::size_t k = 0; k < m_kinds.size(); ++k) {
        const QModelIndex kindIndex = index(static_cast<int>(k + 1), 0);
        if (key == QLatin1String("kind:") + m_kinds[k].name) {
            return kindIndex;
        }
        const auto &members = m_kinds[k].members;
        for (std::size_t r = 0; r < members.size(); ++r) {
            if (m_rendering->documents[members[r]].displayName == key) {
                return index(static_cast<int>(r), 0, kindIndex);
            }
        }
    }
    return key.isEmpty() ? index(0, 0) : QModelIndex();
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
        return m_rendering->documents.empty() ? 0 : static_cast<int>(m_kinds.size()) + 1;
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
        return index.row() == 0 ? allData(role)
                                : kindData(m_kinds[static_cast<std::size_t>(index.row() - 1)], role);
    }
    const Kind &kind = m_kinds[static_cast<std::size_t>(index.internalId() - 1)];
    const std::size_t member = kind.members[static_cast<std::size_t>(index.row())];
    const RenderedYaml::Document &document = m_rendering->documents[member];
    switch (role) {
    case Qt::DisplayRole:
        return document.name;
    case Qt::ToolTipRole:
        return tr("%1 (%2)").arg(document.displayName, document.apiVersion);
    case YamlRole:
        return m_rendering->document(member).toString();
    case FileNameRole:
        return document.fileName;
    default:
        return {};
    }
}

QVariant ResourceTreeModel::allData(int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        return tr("All resources (%1)").arg(m_rendering->documents.size());
    case Qt::ToolTipRole:
        return tr("Every generated resource as one YAML stream, as lanectl render prints it.");
    case YamlRole:
        return m_rendering->stream;
    default:
        return {};
    }
}

QVariant ResourceTreeModel::kindData(const Kind &kind, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1 (%2)").arg(kind.name).arg(kind.members.size());
    case YamlRole: {
        QString yaml;
        for (std::size_t i : kind.members) {
            if (!yaml.isEmpty()) {
                yaml += QLatin1String("---\n");
            }
            yaml += m_rendering->document(i);
        }
        return yaml;
    }
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

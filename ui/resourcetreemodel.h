#pragma once

#include "mesh/resource.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace lanedeck::ui {

/// One rendering as the preview keeps it: the YAML stream, as lanectl render prints it, and where each
/// resource's document lies in it. A group of 1,000 services x 20 lanes is 7 MiB of YAML here, against
/// about 100 MiB as the resources' JSON trees, which the preview therefore does not keep.
struct RenderedYaml
{
    struct Document
    {
        QString kind;
        QString name;
        QString displayName; ///< "Kind namespace/name"
        QString apiVersion;
        QString fileName;
        qsizetype start = 0; ///< in `stream`
        qsizetype length = 0;

        friend bool operator==(const Document &, const Document &) = default;
    };

    QString stream;
    std::vector<Document> documents;

    /// Writes `resources` as one stream (what mesh::toYamlStream writes) and indexes it.
    static RenderedYaml from(const std::vector<mesh::Resource> &resources);
    /// The same, freeing each resource's JSON as soon as its YAML is written; `resources` is left empty.
    static RenderedYaml from(std::vector<mesh::Resource> &&resources);
    QStringView document(std::size_t i) const
    {
        return QStringView(stream).mid(documents[i].start, documents[i].length);
    }

    friend bool operator==(const RenderedYaml &, const RenderedYaml &) = default;
};

/// The generated resources of one rendering as a tree: "All resources" first, then one node per kind with
/// its resources (named by name and namespace) below, in render order. YamlRole gives each node's YAML.
class ResourceTreeModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Role
    {
        YamlRole = Qt::UserRole + 1, ///< QString: the node's resources as a YAML stream
        FileNameRole,                ///< QString: the resource's file name (leaves only)
    };
    using Rendering = std::shared_ptr<const RenderedYaml>;

    explicit ResourceTreeModel(QObject *parent = nullptr);

    /// Shows `resources`; an unchanged list keeps the tree (and its selection) as it is.
    void setResources(const std::vector<mesh::Resource> &resources);
    /// Shows a rendering made elsewhere (a worker's) and shares it. The same pointer as before counts as
    /// unchanged without comparing; the rendering replaced is freed on a worker. Null shows nothing.
    void setRendering(Rendering rendering);
    const Rendering &rendering() const { return m_rendering; }
    int resourceCount() const { return static_cast<int>(m_rendering->documents.size()); }
    /// A node's identity across renderings ("" for All resources, the kind for a kind's node, the resource's
    /// display name for a resource), and the node of that identity in this rendering (invalid if gone).
    QString nodeKey(const QModelIndex &index) const;
    QModelIndex indexOfKey(const QString &key) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// Resources of each kind, as indexes into the rendering's documents.
    struct Kind
    {
        QString name;
        std::vector<std::size_t> members;
    };

    QVariant allData(int role) const;
    QVariant kindData(const Kind &kind, int role) const;

    Rendering m_rendering;
    std::vector<Kind> m_kinds;
};

} // namespace lanedeck::ui

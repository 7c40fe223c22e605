#pragma once

#include "mesh/resource.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace lanedeck::ui {

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

    explicit ResourceTreeModel(QObject *parent = nullptr);

    using Resources = std::shared_ptr<const std::vector<mesh::Resource>>;

    /// Shows `resources`; an unchanged list keeps the tree (and its selection) as it is. `allYaml`, when not
    /// null, is their YAML stream already written (by a worker), which "All resources" shows.
    void setResources(const std::vector<mesh::Resource> &resources, const QString &allYaml = QString());
    /// setResources() without a copy: the model shares `resources` (a worker's rendering). The same pointer
    /// as before counts as unchanged without comparing; the list replaced is freed on a worker.
    void setSharedResources(Resources resources, const QString &allYaml = QString());
    const std::vector<mesh::Resource> &resources() const { return *m_resources; }
    const Resources &sharedResources() const { return m_resources; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    /// Resources of each kind, as indexes into m_resources.
    struct Kind
    {
        QString name;
        std::vector<std::size_t> members;
    };

    Resources m_resources;
    QString m_allYaml;
    std::vector<Kind> m_kinds;
};

} // namespace lanedeck::ui

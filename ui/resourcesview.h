#pragma once

#include "lanes/lanegroup.h"
#include "mesh/resource.h"
#include "ui/yamltextview.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTreeView;

namespace lanedeck::ui {

class DocumentController;
class ResourceTreeModel;
struct RenderedYaml;

/// The generated resources: a tree by kind, the selected node's YAML (a YamlTextView), the flavor and API
/// version to render for, and copy and export. An invalid group renders nothing; the view says why and
/// disables export.
///
/// Rendering a big group and writing its YAML take a while (a quarter of a second for 1,000 services x 20
/// lanes), so the shown view renders on a worker after each edit and applies the result when it is ready; a
/// result overtaken by a newer edit is dropped. The worker also indexes the stream's lines, so showing it
/// costs the GUI thread a pointer swap, and the preview paints only the lines in sight. The accessors below
/// that need the resources (previewText, canRender, resources, export) render on the spot when the view is
/// behind the document.
class ResourcesView final : public QWidget
{
    Q_OBJECT
public:
    struct Outcome;

    explicit ResourcesView(DocumentController *controller, QWidget *parent = nullptr);

    mesh::RenderOptions options() const;
    /// Selects the flavor ("asm", "istio", "asm-crd") and API version ("" for the flavor's default).
    void setOptions(const QString &flavor, const QString &apiVersion);
    QString flavorName() const;
    QString apiVersionName() const;

    /// Renders the group into `ns` instead of its metadata.namespace (the cluster bar's "Into another"
    /// choice); empty renders it where the document says.
    void setNamespaceOverride(const QString &ns);
    /// The group as the preview renders it, and as push and diff send it: the document, in the override
    /// namespace when one is chosen.
    LaneGroup targetGroup() const;

    /// The YAML shown for the selected node ("All resources" unless the operator picked another).
    QString previewText();
    /// Whether the current group renders; if not, `reason` says why.
    bool canRender(QString *reason = nullptr);
    /// Whether the view is behind the document (an edit not rendered yet).
    bool renderPending() const { return m_stale; }
    /// Renders on a worker if the view is behind the document, hidden or not; rendered() says when done.
    void requestRender();
    /// The current group's rendering: its YAML and each resource's place in it (empty when it does not
    /// render). The view keeps no mesh::Resource: export to a directory and push render again.
    const RenderedYaml &rendering();
    ResourceTreeModel *model() const { return m_model; }

    /// Writes every resource as one YAML stream to `path`; false with `error` set on failure.
    bool exportToFile(const QString &path, QString *error);
    /// Writes one file per resource and a kustomization.yaml into `directory`.
    bool exportToDirectory(const QString &directory, QStringList *written, QString *error);

    void setDarkPalette(bool dark);

public Q_SLOTS:
    void copyToClipboard();
    void exportFileInteractively();
    void exportDirectoryInteractively();

Q_SIGNALS:
    void optionsChanged();
    /// The view caught up with the document (after a background or an on-the-spot rendering).
    void rendered();
    void statusMessage(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;

private:
    /// Edits mark the view stale; a shown view renders on a worker, a hidden one when shown or asked.
    void invalidate();
    /// A choice made on the view itself (flavor, API version, namespace): a shown view renders at once, as
    /// the operator who picked it waits for it.
    void renderAgain();
    void ensureRendered();
    void renderInBackground();
    void applyOutcome(const Outcome &outcome);
    void showSelection();
    void fillPreview();

    DocumentController *m_controller;
    ResourceTreeModel *m_model;
    QComboBox *m_flavor;
    QComboBox *m_apiVersion;
    QLabel *m_banner;
    QTreeView *m_tree;
    YamlTextView *m_yaml;
    SharedTextLines m_allLines; ///< "All resources" with its line index, made with the rendering
    QString m_shownNode;        ///< the nodeKey of what the text shows, to keep the scroll position
    QPushButton *m_copy;
    QPushButton *m_exportFile;
    QPushButton *m_exportDirectory;
    QString m_namespaceOverride;
    QString m_pickedNode; ///< ResourceTreeModel::nodeKey of the node shown, kept across renderings
    QString m_renderError;
    QStringList m_notes;
    bool m_stale = true;
    quint64 m_generation = 1; ///< counts the document's (and options') changes
    bool m_renderRunning = false;
    bool m_previewStale = false; ///< the text does not show the selection yet (rendered while hidden)
};

} // namespace lanedeck::ui

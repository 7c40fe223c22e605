#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace lanedeck::ui {

/// The Traffic page's sampler form as the last run used it. The target URL and Host header are not kept
/// (they follow the selected cluster target), nor the extra headers (they name the lanes of one group).
struct SamplerSettings
{
    int rate = 0;       ///< requests per second; 0: as fast as the connections allow
    int amountKind = 0; ///< TrafficPage::Amount
    int amount = 10000;
    int concurrency = 8;
    int classification = 0; ///< TrafficPage::Classification
    QString classifyArgument;
    bool restartOnPush = true;

    static SamplerSettings load();
    void save() const;
    friend bool operator==(const SamplerSettings &, const SamplerSettings &) = default;
};

/// Where the mesh-telemetry view reads Prometheus for one cluster context (or the sandbox's id): at a URL, or
/// through the API server's service proxy. Credentials are never kept: only the files that hold them (as
/// lanectl observe's --bearer-token-file and --basic-auth-file).
struct TelemetrySourceSettings
{
    enum class Auth
    {
        None,
        BearerTokenFile,
        BasicAuthFile ///< one line user:password
    };
    bool viaService = false;
    QString url;
    Auth auth = Auth::None;
    QString authFile;
    QString caFile;  ///< PEM to verify an https URL with; empty: the system's CAs
    QString service; ///< NS/NAME:PORT for the service proxy; empty: discovered

    static TelemetrySourceSettings load(const QString &context);
    void save(const QString &context) const;
    friend bool operator==(const TelemetrySourceSettings &, const TelemetrySourceSettings &) = default;
};

/// The console's remembered state, typed: each accessor reads or writes one QSettings key, so key names and
/// defaults live here only.
class UiSettings final
{
public:
    static constexpr int kMaxRecentFiles = 8;

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &value);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &value);

    /// Most recent first, at most kMaxRecentFiles.
    QStringList recentFiles() const;
    void addRecentFile(const QString &path);
    void removeRecentFile(const QString &path);

    /// The cluster target (a kubeconfig context name, or the local sandbox's id) last used. The namespace is
    /// not remembered: it is the document's.
    QString lastTarget() const;
    void setLastTarget(const QString &value);

    /// The render flavor ("asm", "istio", "asm-crd") and Istio API version ("" for the flavor's default).
    QString flavor() const;
    void setFlavor(const QString &value);
    QString apiVersion() const;
    void setApiVersion(const QString &value);

    /// Exec credential commands the operator allowed (ExecApprovalPrompt::key()).
    QStringList approvedExecCommands() const;
    void addApprovedExecCommand(const QString &key);

    /// Seconds of idle time after an edit before the document is autosaved.
    int autosaveSeconds() const;
};

} // namespace lanedeck::ui

#pragma once

// The credential scan: looks for the secrets of the test kubeconfigs in what LaneDeck printed, wrote or
// showed. tst_credentialscan (lanectl) and tst_clustergui (the console) scan with it; tst_secretscan proves
// it finds every form of every kind of secret, so that a clean scan means something.

#include <QByteArray>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <algorithm>

namespace lanedeck::testing {

/// A credential and the forms it could be written in. `what` names it in reports, which never hold the value.
struct Secret
{
    QString what;
    QList<QByteArray> needles;
};

/// Shorter needles would match by chance; every secret the tests use is longer.
inline constexpr qsizetype kMinimumNeedle = 16;

/// Every run of kMinimumNeedle characters of a random secret: a message that quotes part of one (cut short,
/// or its end) gives that much away.
inline QList<QByteArray> pieces(const QByteArray &value)
{
    QList<QByteArray> out;
    for (qsizetype at = 0; at + kMinimumNeedle <= value.size(); ++at) {
        out << value.mid(at, kMinimumNeedle);
    }
    return out;
}

/// A bearer token: as it is, any part of it, and base64-encoded (a token-data field, an HTTP dump).
inline Secret tokenSecret(const QString &what, const QByteArray &token)
{
    return {what, QList<QByteArray>{token, token.toBase64()} + pieces(token)};
}

/// A basic-auth or proxy password: as it is, any part of it, percent-encoded (in a URL), and inside the
/// base64 of "user:password" that an Authorization: Basic header carries.
inline Secret passwordSecret(const QString &what, const QByteArray &user, const QByteArray &password)
{
    return {what,
            QList<QByteArray>{password, password.toPercentEncoding(), (user + ':' + password).toBase64()} +
                pieces(password)};
}

/// A PEM private key: any part of a line of its base64 body, and the base64 of the whole PEM, as a
/// kubeconfig's client-key-data holds it, in 64-character pieces.
inline Secret pemKeySecret(const QString &what, const QByteArray &pem)
{
    Secret secret{what, {}};
    for (const QByteArray &line : pem.split('\n')) {
        if (!line.startsWith("-----")) {
            secret.needles << pieces(line.trimmed());
        }
    }
    const QByteArray encoded = pem.toBase64();
    for (qsizetype at = 0; at < encoded.size(); at += 64) {
        const QByteArray piece = encoded.mid(at, 64);
        if (piece.size() >= kMinimumNeedle) {
            secret.needles << piece;
        }
    }
    return secret;
}

/// The secrets found in `text`, as "<where>: <what>". The text is searched as it is and with whitespace and
/// the escapes \n, \r, \t removed, so a key wrapped over lines or escaped into JSON is found too.
inline QStringList findSecrets(const QByteArray &text, const QList<Secret> &secrets, const QString &where)
{
    QByteArray joined = text;
    joined.replace("\\n", "").replace("\\r", "").replace("\\t", "");
    joined = joined.simplified().replace(' ', "");
    QStringList found;
    for (const Secret &secret : secrets) {
        for (const QByteArray &needle : secret.needles) {
            if (needle.size() >= kMinimumNeedle && (text.contains(needle) || joined.contains(needle))) {
                found << where + QStringLiteral(": ") + secret.what;
                break;
            }
        }
    }
    return found;
}

/// The secrets found in every file under `directory`, recursively, hidden files included.
inline QStringList findSecretsInFiles(const QString &directory, const QList<Secret> &secrets,
                                      int *filesScanned = nullptr)
{
    QStringList found;
    QDirIterator it(directory, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            found << path + QStringLiteral(": cannot be read, so cannot be scanned");
            continue;
        }
        found << findSecrets(file.readAll(), secrets, path);
        if (filesScanned) {
            ++*filesScanned;
        }
    }
    return found;
}

inline QByteArray fileContents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

/// The credentials a test cluster directory (tests/kube/testcluster) hands out: the token of each user
/// (pki/tokens.csv), the token its exec plugin prints (exec-plugin.token) when it is not one of those, and
/// the key of the client certificate (client/admin.key). Empty when the directory holds none of them.
inline QList<Secret> testClusterSecrets(const QString &dir)
{
    QList<Secret> secrets;
    for (const QByteArray &line : fileContents(dir + QStringLiteral("/pki/tokens.csv")).split('\n')) {
        const QList<QByteArray> fields = line.split(',');
        if (fields.size() >= 2 && fields[0].size() >= kMinimumNeedle) {
            secrets << tokenSecret(QStringLiteral("token of ") + QString::fromUtf8(fields[1]), fields[0]);
        }
    }
    // The exec plugin prints the exec user's token; a test may make it print another.
    const QByteArray execToken = fileContents(dir + QStringLiteral("/exec-plugin.token")).trimmed();
    const bool listed = std::any_of(secrets.begin(), secrets.end(),
                                    [&execToken](const Secret &s) { return s.needles.front() == execToken; });
    if (execToken.size() >= kMinimumNeedle && !listed) {
        secrets << tokenSecret(QStringLiteral("token the exec plugin prints"), execToken);
    }
    const QByteArray key = fileContents(dir + QStringLiteral("/client/admin.key"));
    if (key.contains("PRIVATE KEY")) {
        secrets << pemKeySecret(QStringLiteral("client certificate key"), key);
    }
    return secrets;
}

} // namespace lanedeck::testing

#include "base/atomicfile.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace lanedeck {

Result<void> writeFileAtomically(const std::string &path, std::string_view content)
{
    const QString qpath = QString::fromStdString(path);
    QSaveFile file(qpath);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error{path + ": cannot write: " + file.errorString().toStdString(), Error::Kind::Io};
    }
    const auto size = static_cast<qint64>(content.size());
    if (file.write(content.data(), size) != size) {
        const std::string reason = file.errorString().toStdString();
        file.cancelWriting();
        return Error{path + ": cannot write: " + reason, Error::Kind::Io};
    }
    if (!file.commit()) {
        return Error{path + ": cannot save: " + file.errorString().toStdString(), Error::Kind::Io};
    }
    return {};
}

Result<std::string> readFileLimited(const std::string &path, std::size_t maxBytes)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{path + ": cannot open: " + file.errorString().toStdString(), Error::Kind::Io};
    }
    if (QFileInfo(file).isDir()) {
        return Error{path + ": is a directory", Error::Kind::Io};
    }
    const QByteArray bytes = file.read(static_cast<qint64>(maxBytes) + 1);
    if (file.error() != QFileDevice::NoError) {
        return Error{path + ": cannot read: " + file.errorString().toStdString(), Error::Kind::Io};
    }
    if (static_cast<std::size_t>(bytes.size()) > maxBytes) {
        return Error{path + ": file is larger than " + std::to_string(maxBytes / (1024 * 1024)) +
                         " MiB; a lane group document is far smaller",
                     Error::Kind::Io};
    }
    return bytes.toStdString();
}

} // namespace lanedeck

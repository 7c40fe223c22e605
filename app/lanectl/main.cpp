// lanectl: the command-line face of LaneDeck's core. Each subcommand lives with its kind in commands.h.
#include "commands.h"

#include <QCoreApplication>

#include <cstring>

namespace {

std::vector<lanectl::Command> allCommands()
{
    std::vector<lanectl::Command> commands = lanectl::documentCommands();
    for (auto &command : lanectl::trafficCommands()) {
        commands.push_back(std::move(command));
    }
    for (auto &command : lanectl::rolloutCommands()) {
        commands.push_back(std::move(command));
    }
    for (auto &command : lanectl::clusterCommands()) {
        commands.push_back(std::move(command));
    }
    return commands;
}

std::string usage(const std::vector<lanectl::Command> &commands)
{
    std::string text = "usage: lanectl COMMAND [options]\n\n"
                       "Design, render and check traffic lanes for Istio and Alibaba Cloud ASM meshes.\n\n"
                       "Commands:\n";
    for (const auto &c : commands) {
        text += "  " + std::string(c.name) +
                std::string(12 - std::min<std::size_t>(11, std::strlen(c.name)), ' ') + c.summary + '\n';
    }
    text += "\nRun 'lanectl COMMAND --help' for a command's options.\n"
            "Exit codes: 0 success, 1 invalid input or failed operation, 2 usage error, 3 file error\n"
            "(rollout also: 4 rolled back, 5 aborted, 6 refused).\n";
    return text;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("lanectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LANEDECK_VERSION));
    const QStringList arguments = QCoreApplication::arguments();
    const auto commands = allCommands();
    if (arguments.size() < 2) {
        lanectl::err(usage(commands));
        return lanectl::Usage;
    }
    const QString first = arguments.at(1);
    if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")) {
        lanectl::out(usage(commands));
        return lanectl::Ok;
    }
    if (first == QLatin1String("--version") || first == QLatin1String("version")) {
        lanectl::out("lanectl " LANEDECK_VERSION "\n");
        return lanectl::Ok;
    }
    for (const auto &command : commands) {
        if (first == QLatin1String(command.name)) {
            QStringList rest = arguments.mid(1);
            rest[0] = QStringLiteral("lanectl ") + first;
            return command.run(rest);
        }
    }
    lanectl::err("lanectl: unknown command '" + first.toStdString() + "'\n\n" + usage(commands));
    return lanectl::Usage;
}

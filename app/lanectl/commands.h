#pragma once

#include "cli.h"

namespace lanectl {

/// validate, render, paths: the commands on lane group documents.
std::vector<Command> documentCommands();

} // namespace lanectl

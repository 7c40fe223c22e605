// libFuzzer target: the kubeconfig loader (YAML, base64 *-data fields) and context resolution, which
// checks referenced files. Nothing here runs exec plugins. Property: an error never quotes a credential
// that the input's users hold (tokens and passwords), so errors are safe to show and log.
#include "kube/kubeconfig.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

const std::string &scratchFile()
{
    static const std::string path = "/tmp/lanedeck-fuzz-kubeconfig-" + std::to_string(getpid());
    return path;
}

void checkNoSecret(const lanedeck::kube::Kubeconfig &config, const std::string &message)
{
    for (const auto &[name, user] : config.users) {
        for (const std::string *secret : {&user.token, &user.password}) {
            if (secret->size() >= 8 && message.find(*secret) != std::string::npos) {
                std::abort();
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace lanedeck::kube;
    {
        std::ofstream out(scratchFile(), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    }
    auto config = loadKubeconfigFiles({scratchFile()}, true);
    if (!config) {
        return 0;
    }
    for (const auto &[name, context] : config->contexts) {
        auto connection = resolveConnection(*config, name);
        if (!connection) {
            checkNoSecret(*config, connection.error().message);
            continue;
        }
        checkNoSecret(*config, describeAuth(connection->user));
        for (const auto &warning : connection->warnings) {
            checkNoSecret(*config, warning);
        }
    }
    return 0;
}

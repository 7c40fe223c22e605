// libFuzzer target: the kubeconfig loader (YAML, base64 *-data fields) and context resolution, which
// checks referenced files. Nothing here runs exec plugins. Property: an error never quotes a credential
// that the input's users hold (tokens, passwords, oidc tokens and client secrets), so errors are safe to
// show and log.
#include "kube/kubeconfig.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

const std::string &scratchFile()
{
    // fuzz.sh names a fixed folder so that runs with the same seed try the same inputs (libFuzzer learns
    // the path from the comparisons the loader makes); elsewhere the process id keeps runs apart.
    static const std::string path =
        std::getenv("LANEDECK_FUZZ_SCRATCH") != nullptr
            ? std::string(std::getenv("LANEDECK_FUZZ_SCRATCH")) + "/kubeconfig.yaml"
            : "/tmp/lanedeck-fuzz-kubeconfig-" + std::to_string(getpid());
    return path;
}

std::size_t occurrences(const std::string &text, const std::string &needle)
{
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

// Everything resolving a context says: its error, or its auth description and warnings.
std::string resolveAll(const lanedeck::kube::Kubeconfig &config, const std::string &context)
{
    auto connection = lanedeck::kube::resolveConnection(config, context);
    if (!connection) {
        return connection.error().message;
    }
    std::string said = lanedeck::kube::describeAuth(connection->user);
    for (const auto &warning : connection->warnings) {
        said += '\n' + warning;
    }
    return said;
}

// The credentials a user holds: token, password and the oidc auth-provider's tokens and client secret.
template <typename User> auto secretsOf(User &user)
{
    std::vector<decltype(&user.token)> secrets{&user.token, &user.password};
    for (auto &[key, value] : user.authProviderConfig) {
        if (key == "id-token" || key == "refresh-token" || key == "client-secret") {
            secrets.push_back(&value);
        }
    }
    return secrets;
}

// A secret may legitimately equal other text a message quotes (a context name, a field name, the file's
// path), so the check is differential: the same context resolved again with every token and password
// replaced by a marker of the same length must quote each secret exactly as often. More quotes with the
// real secret in place means the message quotes the secret.
void checkNoSecret(const lanedeck::kube::Kubeconfig &config, const std::string &context)
{
    const std::string said = resolveAll(config, context);
    lanedeck::kube::Kubeconfig masked = config;
    for (auto &[name, user] : masked.users) {
        for (std::string *secret : secretsOf(user)) {
            std::fill(secret->begin(), secret->end(), '\x01');
        }
    }
    const std::string saidMasked = resolveAll(masked, context);
    for (const auto &[name, user] : config.users) {
        for (const std::string *secret : secretsOf(user)) {
            if (secret->size() >= 8 && occurrences(said, *secret) > occurrences(saidMasked, *secret)) {
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
        checkNoSecret(*config, name);
    }
    return 0;
}

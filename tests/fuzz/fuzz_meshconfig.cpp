// libFuzzer target: the sandbox's reading of VirtualServices/DestinationRules from arbitrary YAML, and
// its routing of requests with arbitrary paths and header values (exact/prefix/regex matches, baggage).
#include "base/yamljson.h"
#include "sandbox/meshconfig.h"

#include <cstdint>
#include <random>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace lanedeck;
    const std::string input(reinterpret_cast<const char *>(data), size);
    // The first line is the request (path, then header values); the rest is the resources' YAML.
    const auto split = input.find('\n');
    const std::string requestLine = input.substr(0, split);
    const std::string yaml = split == std::string::npos ? std::string() : input.substr(split + 1);
    auto documents = parseYamlStream(yaml, "fuzz.yaml");
    if (!documents) {
        return 0;
    }
    std::vector<mesh::Resource> resources;
    for (auto &object : *documents) {
        resources.push_back({std::move(object)});
    }
    auto config = sandbox::parseMeshConfig(resources);
    if (!config) {
        return 0;
    }
    const std::vector<sandbox::Instance> instances = {
        {"mocka", "mocka.default.svc.cluster.local", "v1", {{"ASM_TRAFFIC_TAG", "v1"}}, 1},
        {"mocka", "mocka.default.svc.cluster.local", "v2", {{"ASM_TRAFFIC_TAG", "v2"}}, 2},
        {"mockb", "mockb.default.svc.cluster.local", "v1", {{"ASM_TRAFFIC_TAG", "v1"}}, 3},
    };
    std::mt19937_64 random(42);
    for (const char *host : {"mocka.default.svc.cluster.local", "mockb", "*"}) {
        sandbox::ProxyRequest request;
        request.authority = host;
        request.path = requestLine.empty() ? "/" : requestLine;
        request.headers["x-asm-prefer-tag"] = requestLine;
        request.headers["baggage"] = requestLine;
        for (bool gateway : {true, false}) {
            (void)sandbox::route(*config, instances, request, gateway, random);
        }
    }
    (void)sandbox::baggageMember(requestLine, "x-asm-prefer-tag");
    return 0;
}

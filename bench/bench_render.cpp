// Renders a generated lane group of S services x L lanes in one flavor to YAML and reports the time and
// peak memory. docs/BENCHMARKS.md has the command and results.
#include "lanes/lanegroup.h"
#include "mesh/render.h"
#include "mesh/resource.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>

using namespace lanedeck;

namespace {

LaneGroup syntheticGroup(int services, int lanes)
{
    LaneGroup group;
    group.name = "bench";
    group.ingress.entryService = "svc-0";
    for (int s = 0; s < services; ++s) {
        Service service;
        service.name = "svc-" + std::to_string(s);
        service.ns = "ns-" + std::to_string(s % 10);
        if (s + 1 < services) {
            service.calls.push_back("svc-" + std::to_string(s + 1));
        }
        group.services.push_back(service);
    }
    for (int l = 0; l < lanes; ++l) {
        Lane lane;
        lane.name = "lane-" + std::to_string(l);
        lane.labelValue = "v" + std::to_string(l);
        lane.weight = 100 / lanes + (l < 100 % lanes ? 1 : 0);
        for (int s = 0; s < services; ++s) {
            if (l == 0 || (s + l) % 3 == 0) {
                lane.services.push_back("svc-" + std::to_string(s));
            }
        }
        group.lanes.push_back(lane);
    }
    return group;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string flavorName = argc > 1 ? argv[1] : "asm";
    const int services = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int lanes = argc > 3 ? std::atoi(argv[3]) : 20;
    const auto flavor = mesh::parseFlavor(flavorName);
    if (!flavor || services < 1 || lanes < 1) {
        std::fprintf(stderr, "usage: bench_render [asm|istio|asm-crd] [SERVICES] [LANES]\n");
        return 2;
    }
    const LaneGroup group = syntheticGroup(services, lanes);
    const auto start = std::chrono::steady_clock::now();
    auto rendered = mesh::render(group, {*flavor, std::nullopt});
    if (!rendered) {
        std::fprintf(stderr, "%s\n", rendered.error().message.c_str());
        return 1;
    }
    const std::string yaml = mesh::toYamlStream(rendered->resources);
    const auto end = std::chrono::steady_clock::now();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "flavor=%s services=%d lanes=%d resources=%zu yaml_bytes=%zu seconds=%.3f peak_rss_mib=%.1f\n",
        flavorName.c_str(), services, lanes, rendered->resources.size(), yaml.size(),
        std::chrono::duration<double>(end - start).count(), usage.ru_maxrss / 1024.0);
    return 0;
}

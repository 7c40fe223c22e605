# Every dependency comes from Debian 12 packages (scripts/install-deps.sh installs them).
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Test)
if(LANEDECK_BUILD_GUI)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Gui Widgets Charts Concurrent)
endif()
qt_standard_project_setup()
find_package(yaml-cpp 0.7 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CURL 7.80 REQUIRED)
# libcurl already links it; the cluster client reads client certificates' validity with it.
find_package(OpenSSL 1.1.1 REQUIRED COMPONENTS Crypto)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# Graphviz's dot lays out the topology view's call graph (models/graph).
pkg_check_modules(GVC REQUIRED IMPORTED_TARGET libgvc)

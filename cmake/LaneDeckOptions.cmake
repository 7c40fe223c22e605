# One INTERFACE target carries the compile options; every LaneDeck target links it.
add_library(lanedeck_options INTERFACE)
add_library(LaneDeck::options ALIAS lanedeck_options)
target_compile_features(lanedeck_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_options(lanedeck_options INTERFACE -Wall -Wextra -Wpedantic)
target_compile_definitions(lanedeck_options INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_NO_CONTEXTLESS_CONNECT
  QT_NO_KEYWORDS
  LANEDECK_VERSION="${PROJECT_VERSION}")

option(LANEDECK_WERROR "Treat warnings as errors" OFF)
if(LANEDECK_WERROR)
  target_compile_options(lanedeck_options INTERFACE -Werror)
endif()

option(LANEDECK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(LANEDECK_SANITIZE)
  target_compile_options(lanedeck_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(lanedeck_options INTERFACE -fsanitize=address,undefined)
endif()

option(LANEDECK_FUZZ "Instrument for libFuzzer (clang) and build the fuzz targets in tests/fuzz" OFF)
if(LANEDECK_FUZZ)
  target_compile_options(lanedeck_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(lanedeck_options INTERFACE -fsanitize=address,undefined)
endif()

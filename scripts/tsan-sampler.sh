#!/usr/bin/env bash
# The sampler's threads under ThreadSanitizer (tests/traffic/tsan_sampler.cpp), against nginx on loopback.
# A script rather than a preset: a TSan build of the whole project would run Qt Test and Qt Core, which are
# not built with TSan, so their own synchronization would be invisible to it. The sampler uses std::thread
# and libcurl only; libcurl is not instrumented either, but each multi handle is used by one thread alone.
# usage: scripts/tsan-sampler.sh     exit 0 when clean; TSan's report and exit code 66 on a data race
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/tsan-sampler-XXXXXX)
trap 'kill "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
m=models
g++ -std=c++20 -O1 -g -fsanitize=thread -I$m tests/traffic/tsan_sampler.cpp \
  $m/traffic/sampler.cpp $m/traffic/curlengine.cpp $m/traffic/nativeengine.cpp \
  $m/traffic/http1.cpp $m/traffic/summary.cpp $m/traffic/classifier.cpp $m/traffic/histogram.cpp \
  $m/traffic/statistics.cpp $m/base/curl.cpp $m/lanes/lanepaths.cpp $m/lanes/lanegroup.cpp \
  -lcurl -lre2 -o "$work/tsan_sampler"
port=$((20000 + $$ % 20000))
cat >"$work/nginx.conf" <<CONF
daemon on; worker_processes 1; pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work; proxy_temp_path $work;
  server { listen 127.0.0.1:$port; keepalive_requests 1000000;
    location / { default_type text/plain; return 200 '-> mocka(version: v1, ip: 127.0.0.1:1)'; } } }
CONF
nginx -p "$work" -c "$work/nginx.conf"
sleep 0.5
TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$work/tsan_sampler" "http://127.0.0.1:$port/"

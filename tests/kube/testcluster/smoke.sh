#!/usr/bin/env bash
# Smoke test of the test cluster with the real kubectl: starts an istio and an
# asm cluster in a temp dir, checks auth (token, client cert, exec plugin,
# RBAC read-only), the proxies (proxy-url of each, HTTPS_PROXY/NO_PROXY),
# server-side apply of VirtualServices (ASM fallback accepted only by the asm
# flavour), then stops them and checks nothing is left running.
# Exit status: 0 if every check passed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
TC="$ROOT/scripts/testcluster.sh"
KUBECTL="${KUBECTL:-kubectl}"
T="$(mktemp -d "${TMPDIR:-/tmp}/lanedeck-smoke.XXXXXX")"
PASS=0
FAIL=0
STARTED=()

cleanup() {
  for d in "${STARTED[@]}"; do "$TC" stop "$d" >/dev/null 2>&1 || true; done
  if [ "$FAIL" -eq 0 ]; then rm -rf "$T"; else echo "kept $T for inspection"; fi
}
trap cleanup EXIT

pass() { PASS=$((PASS + 1)); echo "PASS: $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# check NAME CMD...: passes when CMD exits 0; shows its output on failure.
check() {
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then pass "$name"; else fail "$name"; echo "$out" | sed 's/^/    /' | tail -n 20; fi
}

# check_fails NAME PATTERN CMD...: passes when CMD fails and its output matches PATTERN.
check_fails() {
  local name="$1" pattern="$2"; shift 2
  local out
  if out="$("$@" 2>&1)"; then
    fail "$name (command succeeded)"; echo "$out" | sed 's/^/    /' | tail -n 20
  elif echo "$out" | grep -Eq -- "$pattern"; then
    pass "$name"
  else
    fail "$name (no /$pattern/ in output)"; echo "$out" | sed 's/^/    /' | tail -n 20
  fi
}

k() { local cfg="$1"; shift; "$KUBECTL" --kubeconfig "$cfg" --request-timeout=30s "$@"; }

cat >"$T/vs.yaml" <<'EOF'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: smoke-reviews
  namespace: istio-system
spec:
  hosts:
  - reviews.default.svc.cluster.local
  http:
  - route:
    - destination:
        host: reviews.default.svc.cluster.local
        subset: v1
EOF

cat >"$T/vs-fallback.yaml" <<'EOF'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: smoke-fallback
  namespace: istio-system
spec:
  hosts:
  - reviews.default.svc.cluster.local
  http:
  - route:
    - destination:
        host: reviews.default.svc.cluster.local
        subset: v2
      fallback:
        case: noinstances
        target:
          host: reviews.default.svc.cluster.local
          subset: v1
          port:
            number: 9080
EOF

cat >"$T/lanegroup.yaml" <<'EOF'
apiVersion: istio.alibabacloud.com/v1
kind: ASMSwimLaneGroup
metadata:
  name: smoke
spec:
  ingress:
    gateway:
      name: ingressgateway
      namespace: istio-system
      type: ASM
  services:
  - name: reviews
    namespace: default
EOF

start() { # DIR FLAGS...
  local d="$1"; shift
  local t0=$SECONDS line
  if line="$("$TC" start "$d" "$@")"; then
    STARTED+=("$d")
    pass "start $(basename "$d") $* -> $line ($((SECONDS - t0))s)"
    return 0
  fi
  fail "start $(basename "$d") $*"
  return 1
}

stop() { # DIR
  local d="$1" pid
  pid="$(cat "$d/pid" 2>/dev/null || true)"
  check "stop $(basename "$d")" "$TC" stop "$d"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then fail "pid $pid still alive after stop"; else pass "pid $pid gone after stop"; fi
  check "$(basename "$d") shut down cleanly (exit code 0 logged)" grep -q "testcluster: exiting with code 0" "$d/testcluster.log"
}

common_checks() { # DIR
  local d="$1"
  check "admin.kubeconfig (token): get ns" k "$d/admin.kubeconfig" get ns
  check "cert.kubeconfig (client cert, relative paths): get ns" k "$d/cert.kubeconfig" get ns
  check "exec.kubeconfig (exec plugin): get ns" k "$d/exec.kubeconfig" get ns
  check "exec plugin ran and logged" test -s "$d/exec-plugin.log"
  check "readonly.kubeconfig: get ns" k "$d/readonly.kubeconfig" get ns
  check_fails "readonly.kubeconfig: create is Forbidden" "Forbidden|forbidden" \
    k "$d/readonly.kubeconfig" create namespace smoke-readonly
  check "server version is v1.34.4" sh -c "'$KUBECTL' --kubeconfig '$d/admin.kubeconfig' get --raw /version | grep -q '\"gitVersion\": *\"v1.34.4\"'"
  check "discovery serves networking.istio.io/v1 virtualservices" \
    sh -c "'$KUBECTL' --kubeconfig '$d/admin.kubeconfig' get --raw /apis/networking.istio.io/v1 | grep -q '\"name\":\"virtualservices\"'"
  check "namespace istio-system exists" k "$d/admin.kubeconfig" get ns istio-system
  check "apply --server-side VirtualService (networking.istio.io/v1) to istio-system" \
    k "$d/admin.kubeconfig" apply --server-side --field-manager=smoke -f "$T/vs.yaml"
  check "VirtualService reads back" sh -c "'$KUBECTL' --kubeconfig '$d/admin.kubeconfig' -n istio-system get virtualservice smoke-reviews -o jsonpath='{.spec.http[0].route[0].destination.subset}' | grep -qx v1"
  check_fails "readonly.kubeconfig: apply VirtualService is Forbidden" "Forbidden|forbidden" \
    k "$d/readonly.kubeconfig" apply --server-side --field-manager=smoke -f "$T/vs.yaml"
}

proxy_checks() { # DIR: kubectl through each proxy; the server's name resolves only at the proxies
  local d="$1" p http
  for p in http https socks5 http-auth socks5-auth; do
    check "proxy-$p.kubeconfig (proxy-url): get ns" k "$d/proxy-$p.kubeconfig" get ns
  done
  check "every proxy relayed to apiserver.lanedeck.invalid" \
    sh -c "test \"\$(grep -c '\"apiserver.lanedeck.invalid:' '$d/proxy-stats.json')\" -eq 5"
  check_fails "hostname.kubeconfig without a proxy: the name does not resolve" "no such host|lookup" \
    k "$d/hostname.kubeconfig" get ns
  http="$(grep -m1 '"url": "http://' "$d/proxy-stats.json" | sed -E 's/.*"(http:[^"]*)".*/\1/')"
  check "hostname.kubeconfig with HTTPS_PROXY=$http: get ns" env HTTPS_PROXY="$http" "$KUBECTL" \
    --kubeconfig "$d/hostname.kubeconfig" --request-timeout=30s get ns
  check_fails "hostname.kubeconfig with HTTPS_PROXY and NO_PROXY=.lanedeck.invalid: direct, fails" "no such host|lookup" \
    env HTTPS_PROXY="$http" NO_PROXY=.lanedeck.invalid "$KUBECTL" --kubeconfig "$d/hostname.kubeconfig" \
    --request-timeout=30s get ns
}

echo "== build"
t0=$SECONDS
if BIN="$("$TC" build)"; then pass "build -> $BIN ($((SECONDS - t0))s)"; else fail "build"; exit 1; fi

echo "== mesh=istio"
if start "$T/istio"; then
  common_checks "$T/istio"
  proxy_checks "$T/istio"
  check_fails "istio mesh: VirtualService with route[].fallback is rejected" "fallback" \
    k "$T/istio/admin.kubeconfig" apply --server-side --field-manager=smoke -f "$T/vs-fallback.yaml"
  check_fails "istio mesh: no ASM lane CRDs" "doesn't have a resource type|the server could not find" \
    k "$T/istio/admin.kubeconfig" get asmswimlanegroups
  stop "$T/istio"
fi

echo "== mesh=asm"
if start "$T/asm" --mesh asm; then
  common_checks "$T/asm"
  check "asm mesh: apply --server-side VirtualService with route[].fallback" \
    k "$T/asm/admin.kubeconfig" apply --server-side --field-manager=smoke -f "$T/vs-fallback.yaml"
  check "asm mesh: fallback.target kept on read-back" sh -c "'$KUBECTL' --kubeconfig '$T/asm/admin.kubeconfig' -n istio-system get virtualservice smoke-fallback -o jsonpath='{.spec.http[0].route[0].fallback.target.subset}/{.spec.http[0].route[0].fallback.target.port.number}/{.spec.http[0].route[0].fallback.case}' | grep -qx 'v1/9080/noinstances'"
  check "asm mesh: fallback served by v1beta1 and v1alpha3 too" sh -c "for v in v1beta1 v1alpha3; do '$KUBECTL' --kubeconfig '$T/asm/admin.kubeconfig' get --raw /apis/networking.istio.io/\$v/namespaces/istio-system/virtualservices/smoke-fallback | grep -q '\"fallback\"' || exit 1; done"
  check "asm mesh: apply --server-side ASMSwimLaneGroup (cluster-scoped)" \
    k "$T/asm/admin.kubeconfig" apply --server-side --field-manager=smoke -f "$T/lanegroup.yaml"
  check "asm mesh: ASMSwimLane and ASMHeaderPropagation served" sh -c \
    "'$KUBECTL' --kubeconfig '$T/asm/admin.kubeconfig' get asmswimlanes && '$KUBECTL' --kubeconfig '$T/asm/admin.kubeconfig' -n default get asmheaderpropagations"
  stop "$T/asm"
fi

echo "== leftovers"
if ps -eo pid=,args= | grep -F -- "--dir $T/" | grep -v grep; then
  fail "testcluster processes still running"
else
  pass "no testcluster process left"
fi

echo "== $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

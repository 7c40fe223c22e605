// Command testcluster runs a real kube-apiserver (k8s.io/kubernetes, in
// process) on an embedded etcd (go.etcd.io/etcd/server/v3/embed, in process)
// for LaneDeck's tests, with TLS, token / client-cert / exec auth, RBAC, the
// Istio (or Alibaba ASM flavoured) CRDs installed, and HTTP CONNECT and SOCKS5
// proxies in front of it (proxy.go).
//
//	testcluster --dir DIR [--port 0] [--mesh istio|asm] [--exec-ttl 5] [--all-istio-crds] [--max-lifetime 0] [-- kube-apiserver flags...]
//
// Prints exactly one line on stdout, "READY https://127.0.0.1:PORT", once the
// cluster is usable; all logs go to stderr. Runs until SIGTERM/SIGINT, then
// stops the apiserver and etcd and exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	etcdversion "go.etcd.io/etcd/api/v3/version"
	"k8s.io/component-base/version"
	"k8s.io/klog/v2"
)

func main() {
	os.Exit(run())
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "testcluster: "+format+"\n", args...)
}

func run() int {
	fs := flag.NewFlagSet("testcluster", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory for etcd data, certificates and kubeconfigs (created if missing)")
	port := fs.Int("port", 0, "apiserver port on 127.0.0.1 (0 = a free port)")
	mesh := fs.String("mesh", "istio", "CRD flavour: istio, or asm (VirtualService with route fallback + ASM lane CRDs)")
	execTTL := fs.Int("exec-ttl", 5, "default lifetime in seconds of the exec plugin's credential (override per run with $LANEDECK_EXEC_TTL_SECONDS)")
	allIstio := fs.Bool("all-istio-crds", false, "install every Istio CRD, not only networking.istio.io")
	maxLifetime := fs.Duration("max-lifetime", 0, "shut down by itself after this long, e.g. 30m, so a crashed test run leaves nothing behind (0 = never)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: testcluster --dir DIR [--port 0] [--mesh istio|asm] [--exec-ttl 5] [--all-istio-crds] [--max-lifetime 0] [-- kube-apiserver flags...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if *dir == "" || (*mesh != "istio" && *mesh != "asm") || *port < 0 || *port > 65535 {
		fs.Usage()
		return 2
	}
	extraArgs := fs.Args() // after "--": passed to kube-apiserver, e.g. --v=2

	absDir, err := filepath.Abs(*dir)
	if err != nil {
		logf("%v", err)
		return 1
	}
	if err := os.MkdirAll(filepath.Join(absDir, "pki"), 0o755); err != nil {
		logf("%v", err)
		return 1
	}

	sigCtx, stopSignals := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stopSignals()
	go func() {
		<-sigCtx.Done()
		stopSignals() // a second signal kills the process the default way
	}()
	ctx := sigCtx
	if *maxLifetime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *maxLifetime)
		defer cancel()
	}

	code := serve(ctx, absDir, *port, *mesh, *execTTL, *allIstio, extraArgs)
	klog.Flush()
	logf("exiting with code %d", code)
	return code
}

func serve(ctx context.Context, dir string, port int, mesh string, execTTL int, allIstio bool, extraArgs []string) int {
	start := time.Now()
	if v := version.Get().GitVersion; strings.HasPrefix(v, "v0.0.0") {
		logf("warning: built without version ldflags (server reports %q, which kubectl cannot parse); build with scripts/testcluster.sh build", v)
	}
	pkiDir := filepath.Join(dir, "pki")

	ca, err := loadOrCreateCA(dir)
	if err != nil {
		logf("CA: %v", err)
		return 1
	}
	servingCrt, servingKey := filepath.Join(pkiDir, "serving.crt"), filepath.Join(pkiDir, "serving.key")
	if err := ca.issueServing(servingCrt, servingKey); err != nil {
		logf("serving certificate: %v", err)
		return 1
	}
	saKey := filepath.Join(pkiDir, "sa.key")
	if err := writeServiceAccountKey(saKey); err != nil {
		logf("service account key: %v", err)
		return 1
	}
	toks, tokenFile, err := loadOrCreateTokens(dir)
	if err != nil {
		logf("tokens: %v", err)
		return 1
	}

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		logf("listen: %v", err)
		return 1
	}
	serverURL := "https://" + ln.Addr().String()
	proxies, err := startProxies(ctx, dir, ca)
	if err != nil {
		ln.Close()
		logf("proxies: %v", err)
		return 1
	}
	if err := writeAllKubeconfigs(dir, serverURL, ca, toks, execTTL, proxies); err != nil {
		ln.Close()
		logf("kubeconfigs: %v", err)
		return 1
	}
	issuer, err := startOIDCIssuer(ca, pkiDir)
	if err != nil {
		ln.Close()
		logf("OIDC issuer: %v", err)
		return 1
	}
	defer issuer.close()
	if err := writeOIDCKubeconfigs(dir, serverURL, ca, issuer); err != nil {
		ln.Close()
		logf("OIDC kubeconfigs: %v", err)
		return 1
	}

	etcd, etcdURL, err := startEtcd(dir)
	if err != nil {
		ln.Close()
		logf("%v", err)
		return 1
	}
	defer func() {
		etcd.Close()
		logf("etcd stopped")
	}()
	logf("etcd %s ready at %s", etcdversion.Version, etcdURL)

	args := []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--tls-cert-file=" + servingCrt,
		"--tls-private-key-file=" + servingKey,
		"--client-ca-file=" + filepath.Join(dir, "ca.crt"),
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--cert-dir=" + pkiDir,
		"--profiling=false",
	}
	args = append(args, issuer.apiserverArgs(filepath.Join(dir, "ca.crt"))...)
	args = append(args, extraArgs...)

	// Not derived from ctx: kube-apiserver's post-start hooks klog.Fatal (exit
	// 255) when its context is cancelled before they finish, so a signal that
	// arrives during startup is handled below, once startup is over.
	apiCtx, stopAPI := context.WithCancel(context.Background())
	defer stopAPI()
	apiDone, err := startAPIServer(apiCtx, ln, args)
	if err != nil {
		ln.Close()
		logf("kube-apiserver: %v", err)
		return 1
	}
	// Stops the apiserver and waits for it (it drains requests and closes its
	// etcd clients) before etcd is closed by the deferred call above.
	shutdown := func() error {
		stopAPI()
		select {
		case err := <-apiDone:
			logf("kube-apiserver stopped")
			return err
		case <-time.After(60 * time.Second):
			return errors.New("kube-apiserver did not stop within 60s")
		}
	}

	setupDone := make(chan error, 1)
	go func() {
		err := setup(apiCtx, dir, mesh, allIstio)
		if err == nil {
			err = waitForOIDC(apiCtx, dir)
		}
		setupDone <- err
	}()
	select {
	case err := <-setupDone:
		if err != nil {
			logf("setup failed: %v", err)
			if serr := shutdown(); serr != nil {
				logf("%v", serr)
			}
			return 1
		}
	case err := <-apiDone:
		logf("kube-apiserver exited during startup: %v", err)
		return 1
	case <-ctx.Done():
		logf("%s during startup: finishing startup first (up to 60s; a second signal kills)", stopReason(ctx))
		select {
		case err := <-setupDone:
			if err != nil {
				logf("setup failed: %v", err)
			}
		case err := <-apiDone:
			logf("kube-apiserver exited during startup: %v", err)
			return 1
		case <-time.After(60 * time.Second):
		}
		logf("shutting down")
		if err := shutdown(); err != nil {
			logf("%v", err)
			return 1
		}
		return 0
	}

	if err := writeFileAtomic(filepath.Join(dir, "server-url"), []byte(serverURL+"\n"), 0o644); err != nil {
		logf("%v", err)
	}
	logf("ready in %.1fs (mesh=%s, istio.io/api %s)", time.Since(start).Seconds(), mesh, istioAPIVersion)
	fmt.Fprintf(os.Stdout, "READY %s\n", serverURL)

	select {
	case <-ctx.Done():
		logf("%s, shutting down", stopReason(ctx))
		if err := shutdown(); err != nil {
			logf("kube-apiserver shutdown: %v", err)
			return 1
		}
		return 0
	case err := <-apiDone:
		logf("kube-apiserver exited unexpectedly: %v", err)
		return 1
	}
}

func stopReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "--max-lifetime reached"
	}
	return "signal received"
}

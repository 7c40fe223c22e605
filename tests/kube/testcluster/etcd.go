package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// startEtcd runs an embedded etcd (v3.6) with its data in dir/etcd, listening
// on loopback only, on ports chosen by the kernel (port 0). It returns the
// client URL the apiserver should use.
func startEtcd(dir string) (*embed.Etcd, string, error) {
	cfg := embed.NewConfig()
	cfg.Name = "testcluster"
	cfg.Dir = filepath.Join(dir, "etcd")
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, "", err
	}
	if err := os.Chmod(cfg.Dir, 0o700); err != nil {
		return nil, "", err
	}
	// A throw-away single-member test store: no fsync makes it much faster.
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "warn"
	// embed.NewConfig leaves this at 0 (only the etcd flag parser sets the
	// default), which would log every request as "expensive".
	cfg.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration
	// The HTTP/JSON gateway would dial the advertised client URL (port 0);
	// the apiserver speaks gRPC only.
	cfg.EnableGRPCGateway = false
	cfg.LogOutputs = []string{filepath.Join(dir, "etcd.log")}

	// Port 0 on both listeners: the kernel picks free ports, so no races with
	// other clusters started in parallel. A single member never dials its peer
	// URL, so advertising ":0" for the peer is harmless.
	peer := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	client := url.URL{Scheme: "http", Host: "127.0.0.1:0"}
	cfg.ListenPeerUrls = []url.URL{peer}
	cfg.AdvertisePeerUrls = []url.URL{peer}
	cfg.ListenClientUrls = []url.URL{client}
	cfg.AdvertiseClientUrls = []url.URL{client}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("starting embedded etcd: %w", err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, "", fmt.Errorf("embedded etcd failed: %w", err)
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		e.Close()
		return nil, "", fmt.Errorf("embedded etcd took more than 60s to become ready")
	}
	if len(e.Clients) == 0 {
		e.Close()
		return nil, "", fmt.Errorf("embedded etcd has no client listener")
	}
	return e, "http://" + e.Clients[0].Addr().String(), nil
}

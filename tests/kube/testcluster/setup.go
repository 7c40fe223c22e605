package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
)

var (
	nsGVR  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	crGVR  = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"}
	crbGVR = schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}
)

const readonlyRole = "lanedeck-readonly"

func applyObj(ctx context.Context, dyn dynamic.Interface, gvr schema.GroupVersionResource, obj map[string]interface{}) error {
	u := &unstructured.Unstructured{Object: obj}
	_, err := dyn.Resource(gvr).Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: "testcluster", Force: true})
	if err != nil {
		return fmt.Errorf("applying %s %s: %w", gvr.Resource, u.GetName(), err)
	}
	return nil
}

// setup talks to the apiserver exactly like a test would: through
// DIR/admin.kubeconfig.
func setup(ctx context.Context, dir, mesh string, allIstio bool) error {
	crds, err := selectCRDs(mesh, allIstio)
	if err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(dir, "admin.kubeconfig"))
	if err != nil {
		return err
	}
	cfg.QPS, cfg.Burst = 200, 400
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}

	// /readyz covers etcd, RBAC bootstrap roles, CRD informers, ...
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
		_, lastErr = disc.RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("apiserver not ready: %v (last: %v)", err, lastErr)
	}

	if err := installCRDs(ctx, dyn, disc, crds); err != nil {
		return err
	}

	if err := applyObj(ctx, dyn, nsGVR, map[string]interface{}{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]interface{}{"name": "istio-system"},
	}); err != nil {
		return err
	}
	if err := applyObj(ctx, dyn, crGVR, map[string]interface{}{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
		"metadata": map[string]interface{}{"name": readonlyRole},
		"rules": []interface{}{
			map[string]interface{}{"apiGroups": []interface{}{"*"}, "resources": []interface{}{"*"}, "verbs": []interface{}{"get", "list", "watch"}},
			map[string]interface{}{"nonResourceURLs": []interface{}{"*"}, "verbs": []interface{}{"get"}},
		},
	}); err != nil {
		return err
	}
	if err := applyObj(ctx, dyn, crbGVR, map[string]interface{}{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]interface{}{"name": readonlyRole},
		"roleRef":  map[string]interface{}{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": readonlyRole},
		"subjects": []interface{}{
			map[string]interface{}{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": readonlyUser.name},
		},
	}); err != nil {
		return err
	}

	// "default" is created by the apiserver's system-namespaces controller.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := dyn.Resource(nsGVR).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("namespace default never appeared: %w", err)
	}
	return nil
}

// waitForOIDC waits until the apiserver accepts oidc.kubeconfig's ID token:
// its OIDC authenticator fetches the issuer's keys in the background after
// start, and answers 401 until it has them.
func waitForOIDC(ctx context.Context, dir string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(dir, "oidc.kubeconfig"))
	if err != nil {
		return err
	}
	// Sent as a plain bearer token, as LaneDeck does: client-go's oidc auth
	// provider is not linked into this program.
	cfg.BearerToken = cfg.AuthProvider.Config["id-token"]
	cfg.AuthProvider = nil
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		_, lastErr = disc.RESTClient().Get().AbsPath("/api").DoRaw(ctx)
		return lastErr == nil, nil
	})
	if err != nil {
		return fmt.Errorf("the OIDC user is not accepted: %v (last: %v)", err, lastErr)
	}
	return nil
}

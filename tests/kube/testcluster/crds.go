package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

// Istio CRDs: kubernetes/customresourcedefinitions.gen.yaml of the Go module
// istio.io/api at istioAPIVersion, copied verbatim.
//
//go:embed crds/istio-crds.gen.yaml
var istioCRDsYAML []byte

const istioAPIVersion = "v1.32.0"

// Stand-ins for ASM's lane API (ASMSwimLaneGroup, ASMSwimLane, ASMHeaderPropagation).
//
//go:embed crds/asm-lane-crds.yaml
var asmLaneCRDsYAML []byte

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

func decodeYAMLDocs(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 64*1024)
	var out []*unstructured.Unstructured
	for {
		var m map[string]interface{}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}

// selectCRDs returns the CRDs to install for a mesh flavour.
func selectCRDs(mesh string, allIstio bool) ([]*unstructured.Unstructured, error) {
	docs, err := decodeYAMLDocs(istioCRDsYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded istio CRDs: %w", err)
	}
	var out []*unstructured.Unstructured
	for _, d := range docs {
		if d.GetKind() != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(d.Object, "spec", "group")
		if !allIstio && group != "networking.istio.io" {
			continue
		}
		out = append(out, d)
	}
	if mesh != "asm" {
		return out, nil
	}
	for _, d := range out {
		if d.GetName() == "virtualservices.networking.istio.io" {
			if err := addASMFallback(d); err != nil {
				return nil, err
			}
		}
	}
	lanes, err := decodeYAMLDocs(asmLaneCRDsYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded ASM lane CRDs: %w", err)
	}
	return append(out, lanes...), nil
}

// fallbackSchema is what ASM's VirtualService CRD declares on an HTTP route
// destination (spec.http[].route[].fallback).
func fallbackSchema() map[string]interface{} {
	str := func(desc string) map[string]interface{} {
		return map[string]interface{}{"type": "string", "description": desc}
	}
	return map[string]interface{}{
		"type":        "object",
		"description": "ASM: fallback destination used when the primary destination has no endpoints.",
		"properties": map[string]interface{}{
			"case": str("ASM: when to fall back (e.g. noinstances)."),
			"target": map[string]interface{}{
				"type":        "object",
				"description": "ASM: the destination to fall back to.",
				"properties": map[string]interface{}{
					"host":   str("The name of a service from the service registry."),
					"subset": str("The name of a subset within the service."),
					"port": map[string]interface{}{
						"type": "object",
						"properties": map[string]interface{}{
							"number": map[string]interface{}{
								"type":    "integer",
								"minimum": int64(0),
								"maximum": int64(4294967295),
							},
						},
					},
				},
			},
		},
	}
}

// addASMFallback turns Istio's VirtualService CRD into ASM's flavour: every
// served version's spec.http[].route[] items also accept `fallback`.
func addASMFallback(vs *unstructured.Unstructured) error {
	versions, _, err := unstructured.NestedSlice(vs.Object, "spec", "versions")
	if err != nil || len(versions) == 0 {
		return fmt.Errorf("VirtualService CRD has no spec.versions: %v", err)
	}
	for i, v := range versions {
		vm, ok := v.(map[string]interface{})
		if !ok {
			return fmt.Errorf("VirtualService CRD: bad version entry %d", i)
		}
		path := []string{"schema", "openAPIV3Schema", "properties", "spec", "properties", "http",
			"items", "properties", "route", "items", "properties"}
		props, found, err := unstructured.NestedMap(vm, path...)
		if err != nil || !found {
			return fmt.Errorf("VirtualService CRD version %v: no http route item schema (%v)", vm["name"], err)
		}
		props["fallback"] = fallbackSchema()
		if err := unstructured.SetNestedMap(vm, props, path...); err != nil {
			return err
		}
		versions[i] = vm
	}
	return unstructured.SetNestedSlice(vs.Object, versions, "spec", "versions")
}

// installCRDs applies the CRDs (server-side, so restarting on the same DIR with
// another --mesh replaces the schema), then waits until each is Established
// and every served version is listed by discovery.
func installCRDs(ctx context.Context, dyn dynamic.Interface, disc discovery.DiscoveryInterface, crds []*unstructured.Unstructured) error {
	for _, c := range crds {
		c.SetManagedFields(nil)
		c.SetResourceVersion("")
		if _, err := dyn.Resource(crdGVR).Apply(ctx, c.GetName(), c, metav1.ApplyOptions{FieldManager: "testcluster", Force: true}); err != nil {
			return fmt.Errorf("applying CRD %s: %w", c.GetName(), err)
		}
	}
	for _, c := range crds {
		name := c.GetName()
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
			got, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, cond := range conds {
				cm, _ := cond.(map[string]interface{})
				if cm["type"] == "Established" && cm["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not Established: %w", name, err)
		}
	}
	for _, c := range crds {
		group, _, _ := unstructured.NestedString(c.Object, "spec", "group")
		plural, _, _ := unstructured.NestedString(c.Object, "spec", "names", "plural")
		versions, _, _ := unstructured.NestedSlice(c.Object, "spec", "versions")
		for _, v := range versions {
			vm, _ := v.(map[string]interface{})
			if served, _ := vm["served"].(bool); !served {
				continue
			}
			gv := fmt.Sprintf("%s/%v", group, vm["name"])
			err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
				list, err := disc.ServerResourcesForGroupVersion(gv)
				if err != nil {
					return false, nil // 404 until the group version is served
				}
				for _, r := range list.APIResources {
					if r.Name == plural {
						return true, nil
					}
				}
				return false, nil
			})
			if err != nil {
				return fmt.Errorf("discovery does not serve %s %s: %w", gv, plural, err)
			}
		}
	}
	return nil
}

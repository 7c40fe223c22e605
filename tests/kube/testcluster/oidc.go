package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The OpenID Connect side of the test cluster: an issuer on loopback whose
// discovery document and signing keys the apiserver fetches (--oidc-issuer-url),
// and ID tokens for oidc.kubeconfig minted with its key. The apiserver maps the
// token's sub to the user "oidc:<sub>" and its groups claim to groups.
const (
	oidcClientID = "lanedeck"
	oidcSubject  = "alice"
	oidcPrefix   = "oidc:"
)

type oidcIssuer struct {
	url string
	key *rsa.PrivateKey
	srv *http.Server
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// startOIDCIssuer serves the issuer over TLS with a certificate of the test CA
// (the apiserver trusts it through --oidc-ca-file=ca.crt).
func startOIDCIssuer(p *pki, pkiDir string) (*oidcIssuer, error) {
	crt, keyPath := filepath.Join(pkiDir, "oidc.crt"), filepath.Join(pkiDir, "oidc.key")
	if err := p.issueServing(crt, keyPath); err != nil {
		return nil, err
	}
	pair, err := tls.LoadX509KeyPair(crt, keyPath)
	if err != nil {
		return nil, err
	}
	signing, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o := &oidcIssuer{url: "https://" + ln.Addr().String(), key: signing}
	mux := http.NewServeMux()
	writeJSON := func(w http.ResponseWriter, v interface{}) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]interface{}{
			"issuer":                                o.url,
			"jwks_uri":                              o.url + "/keys",
			"authorization_endpoint":                o.url + "/authorize",
			"token_endpoint":                        o.url + "/token",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		pub := signing.PublicKey
		writeJSON(w, map[string]interface{}{"keys": []interface{}{map[string]interface{}{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "testcluster",
			"n": b64url(pub.N.Bytes()), "e": b64url(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	})
	o.srv = &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}}}
	go func() { _ = o.srv.ServeTLS(ln, "", "") }()
	return o, nil
}

func (o *oidcIssuer) close() { _ = o.srv.Close() }

// mint returns a signed ID token (RS256 JWT) for sub with the given groups,
// valid until exp.
func (o *oidcIssuer) mint(sub string, groups []string, exp time.Time) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "testcluster"})
	claims, _ := json.Marshal(map[string]interface{}{
		"iss": o.url, "aud": oidcClientID, "sub": sub, "groups": groups,
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": exp.Unix(),
	})
	signed := b64url(header) + "." + b64url(claims)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, o.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return signed + "." + b64url(sig), nil
}

// apiserverArgs are the kube-apiserver flags that trust this issuer.
func (o *oidcIssuer) apiserverArgs(caFile string) []string {
	return []string{
		"--oidc-issuer-url=" + o.url,
		"--oidc-client-id=" + oidcClientID,
		"--oidc-ca-file=" + caFile,
		"--oidc-username-claim=sub",
		"--oidc-username-prefix=" + oidcPrefix,
		"--oidc-groups-claim=groups",
	}
}

// writeOIDCKubeconfigs writes oidc.kubeconfig (an auth-provider oidc user
// whose id-token lasts as long as the cluster may) and oidc-expired.kubeconfig
// (the same user with a token that expired an hour ago).
func writeOIDCKubeconfigs(dir, server string, p *pki, o *oidcIssuer) error {
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.caCert.Raw})
	for _, k := range []struct {
		file string
		exp  time.Time
	}{{"oidc.kubeconfig", time.Now().Add(30 * 24 * time.Hour)}, {"oidc-expired.kubeconfig", time.Now().Add(-time.Hour)}} {
		token, err := o.mint(oidcSubject, []string{"system:masters"}, k.exp)
		if err != nil {
			return err
		}
		if err := writeKubeconfig(filepath.Join(dir, k.file),
			&clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM},
			"oidc", &clientcmdapi.AuthInfo{AuthProvider: &clientcmdapi.AuthProviderConfig{
				Name: "oidc",
				Config: map[string]string{
					"id-token":       token,
					"client-id":      oidcClientID,
					"idp-issuer-url": o.url,
				},
			}}); err != nil {
			return err
		}
	}
	return nil
}

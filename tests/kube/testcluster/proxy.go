package main

// Forward proxies on loopback in front of the apiserver, so that tests can check
// a kubeconfig's proxy-url for real: an HTTP CONNECT proxy (plain and over TLS)
// and a SOCKS5 proxy, each also with required credentials. Every proxy counts
// what it relayed in DIR/proxy-stats.json, so a test can tell that its traffic
// really went through the proxy and not around it.

import (
	"bufio"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// apiserverHostname is a name only the proxies resolve (to 127.0.0.1): the
// serving certificate carries it, and .invalid never resolves anywhere else.
// A request to https://apiserver.lanedeck.invalid:PORT can only succeed
// through one of these proxies, and through a SOCKS5 proxy only when the
// client leaves name resolution to the proxy (as Go's socks5 dialer does).
const apiserverHostname = "apiserver.lanedeck.invalid"

// proxyUser is the user name of the proxies that require credentials; the
// password is random per start (DIR/proxy.password).
const proxyUser = "lanedeck-proxy"

type proxyKind int

const (
	httpConnect proxyKind = iota
	socks5Proxy
)

// proxyCounters is one proxy's entry in proxy-stats.json.
type proxyCounters struct {
	URL          string         `json:"url"`          // without credentials
	Connections  int            `json:"connections"`  // client connections accepted
	Relayed      int            `json:"relayed"`      // tunnels opened to a target
	AuthFailures int            `json:"authFailures"` // missing or wrong credentials
	Refused      int            `json:"refused"`      // bad request, target not allowed or unreachable
	Targets      map[string]int `json:"targets"`      // tunnels by target as the client named it ("host:port")
}

type proxyStats struct {
	mu      sync.Mutex
	path    string
	proxies map[string]*proxyCounters
}

func (s *proxyStats) update(name string, change func(*proxyCounters)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s.proxies[name])
	b, err := json.MarshalIndent(s.proxies, "", "  ")
	if err == nil {
		err = writeFileAtomic(s.path, append(b, '\n'), 0o644)
	}
	if err != nil {
		logf("proxy stats: %v", err)
	}
}

type proxyServer struct {
	name     string
	kind     proxyKind
	tls      *tls.Config // non-nil: the client talks TLS to the proxy (an https:// proxy)
	password string      // non-empty: proxyUser and this password are required
	ln       net.Listener
	stats    *proxyStats
}

// proxyURL is the kubeconfig proxy-url of this proxy, with credentials.
func (p *proxyServer) proxyURL() string {
	scheme := "http"
	switch {
	case p.kind == socks5Proxy:
		scheme = "socks5"
	case p.tls != nil:
		scheme = "https"
	}
	userinfo := ""
	if p.password != "" {
		userinfo = proxyUser + ":" + p.password + "@"
	}
	return scheme + "://" + userinfo + p.ln.Addr().String()
}

// startProxies listens on loopback, serves until ctx is done and writes the
// first proxy-stats.json. The https proxy's certificate is signed by the
// cluster CA: kubectl verifies an https proxy with the kubeconfig's CA.
func startProxies(ctx context.Context, dir string, ca *pki) (map[string]*proxyServer, error) {
	crt, key := filepath.Join(dir, "pki", "proxy.crt"), filepath.Join(dir, "pki", "proxy.key")
	if err := ca.issue(crt, key, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "lanedeck-testcluster-proxy"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}); err != nil {
		return nil, fmt.Errorf("proxy certificate: %w", err)
	}
	pair, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		return nil, fmt.Errorf("proxy certificate: %w", err)
	}
	password, err := randomToken()
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "proxy.password"), []byte(password), 0o600); err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	stats := &proxyStats{path: filepath.Join(dir, "proxy-stats.json"), proxies: map[string]*proxyCounters{}}
	proxies := map[string]*proxyServer{}
	for _, p := range []*proxyServer{
		{name: "http", kind: httpConnect},
		{name: "https", kind: httpConnect, tls: tlsConfig},
		{name: "socks5", kind: socks5Proxy},
		{name: "http-auth", kind: httpConnect, password: password},
		{name: "socks5-auth", kind: socks5Proxy, password: password},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, started := range proxies {
				started.ln.Close()
			}
			return nil, fmt.Errorf("proxy %s: %w", p.name, err)
		}
		p.ln, p.stats = ln, stats
		proxies[p.name] = p
		plain := *p
		plain.password = ""
		stats.proxies[p.name] = &proxyCounters{URL: plain.proxyURL(), Targets: map[string]int{}}
	}
	stats.update("http", func(*proxyCounters) {})
	for _, p := range proxies {
		go p.serve()
	}
	go func() {
		<-ctx.Done()
		for _, p := range proxies {
			p.ln.Close()
		}
	}()
	return proxies, nil
}

func (p *proxyServer) serve() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				logf("proxy %s: %v", p.name, err)
			}
			return
		}
		p.stats.update(p.name, func(c *proxyCounters) { c.Connections++ })
		go func() {
			defer conn.Close()
			var client net.Conn = conn
			if p.tls != nil {
				tc := tls.Server(conn, p.tls)
				tc.SetDeadline(time.Now().Add(10 * time.Second))
				if err := tc.Handshake(); err != nil {
					p.refuse("TLS handshake: %v", err)
					return
				}
				tc.SetDeadline(time.Time{})
				client = tc
			}
			if p.kind == socks5Proxy {
				p.serveSOCKS5(client)
			} else {
				p.serveCONNECT(client)
			}
		}()
	}
}

func (p *proxyServer) refuse(format string, args ...interface{}) {
	logf("proxy %s: "+format, append([]interface{}{p.name}, args...)...)
	p.stats.update(p.name, func(c *proxyCounters) { c.Refused++ })
}

// dialTarget connects to host:port as the client named it. Only loopback
// targets and apiserverHostname are allowed: the proxies are no open relays.
func dialTarget(target string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(host, apiserverHostname) {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, errNotAllowed
	}
	return net.DialTimeout("tcp", net.JoinHostPort(host, port), 5*time.Second)
}

var errNotAllowed = errors.New("target not allowed (loopback and " + apiserverHostname + " only)")

// relay copies both ways until either side closes, then closes both.
func (p *proxyServer) relay(client, upstream net.Conn, target string) {
	p.stats.update(p.name, func(c *proxyCounters) {
		c.Relayed++
		c.Targets[target]++
	})
	done := make(chan struct{}, 2)
	go func() { io.Copy(upstream, client); done <- struct{}{} }()
	go func() { io.Copy(client, upstream); done <- struct{}{} }()
	<-done
	client.Close()
	upstream.Close()
	<-done
}

func (p *proxyServer) checkPassword(user, password string) bool {
	return subtle.ConstantTimeCompare([]byte(user), []byte(proxyUser)) == 1 &&
		subtle.ConstantTimeCompare([]byte(password), []byte(p.password)) == 1
}

func (p *proxyServer) serveCONNECT(client net.Conn) {
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(client)
	req, err := http.ReadRequest(br)
	if err != nil {
		p.refuse("reading the request: %v", err)
		return
	}
	client.SetReadDeadline(time.Time{})
	answer := func(status int, header string) {
		fmt.Fprintf(client, "HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n", status, http.StatusText(status), header)
	}
	if req.Method != http.MethodConnect {
		p.refuse("%s %s: only CONNECT is served", req.Method, req.RequestURI)
		answer(http.StatusMethodNotAllowed, "")
		return
	}
	if p.password != "" {
		user, password, ok := parseBasic(req.Header.Get("Proxy-Authorization"))
		if !ok || !p.checkPassword(user, password) {
			p.stats.update(p.name, func(c *proxyCounters) { c.AuthFailures++ })
			answer(http.StatusProxyAuthRequired, "Proxy-Authenticate: Basic realm=\"lanedeck-testcluster\"\r\n")
			return
		}
	}
	target := req.RequestURI
	upstream, err := dialTarget(target)
	if err != nil {
		p.refuse("CONNECT %s: %v", target, err)
		if errors.Is(err, errNotAllowed) {
			answer(http.StatusForbidden, "")
		} else {
			answer(http.StatusBadGateway, "")
		}
		return
	}
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		upstream.Close()
		return
	}
	// Whatever the client sent after the request (it should wait, but need not).
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		if _, err := upstream.Write(b); err != nil {
			upstream.Close()
			return
		}
	}
	p.relay(client, upstream, target)
}

func parseBasic(header string) (user, password string, ok bool) {
	const prefix = "Basic "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(header[len(prefix):])
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(raw), ":")
	return user, password, ok
}

// SOCKS5 (RFC 1928) with no authentication or username/password (RFC 1929); CONNECT only.
const (
	socksVersion        = 5
	socksNoAuth         = 0x00
	socksUserPass       = 0x02
	socksNoAcceptable   = 0xff
	socksConnect        = 0x01
	socksIPv4           = 0x01
	socksFQDN           = 0x03
	socksIPv6           = 0x04
	socksSucceeded      = 0x00
	socksNotAllowed     = 0x02
	socksHostUnreach    = 0x04
	socksCmdUnsupported = 0x07
	socksAtypeUnsupport = 0x08
)

func (p *proxyServer) serveSOCKS5(client net.Conn) {
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(client)
	head := make([]byte, 2)
	if _, err := io.ReadFull(br, head); err != nil || head[0] != socksVersion {
		p.refuse("not a SOCKS5 greeting")
		return
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		p.refuse("greeting: %v", err)
		return
	}
	want := byte(socksNoAuth)
	if p.password != "" {
		want = socksUserPass
	}
	if !strings.ContainsRune(string(methods), rune(want)) {
		if p.password != "" {
			p.stats.update(p.name, func(c *proxyCounters) { c.AuthFailures++ })
		} else {
			p.refuse("no acceptable authentication method in %v", methods)
		}
		client.Write([]byte{socksVersion, socksNoAcceptable})
		return
	}
	if _, err := client.Write([]byte{socksVersion, want}); err != nil {
		return
	}
	if want == socksUserPass {
		user, password, err := readSOCKSUserPass(br)
		if err != nil {
			p.refuse("username/password: %v", err)
			return
		}
		if !p.checkPassword(user, password) {
			p.stats.update(p.name, func(c *proxyCounters) { c.AuthFailures++ })
			client.Write([]byte{1, 1})
			return
		}
		if _, err := client.Write([]byte{1, 0}); err != nil {
			return
		}
	}
	reply := func(code byte) {
		client.Write([]byte{socksVersion, code, 0, socksIPv4, 0, 0, 0, 0, 0, 0})
	}
	req := make([]byte, 4)
	if _, err := io.ReadFull(br, req); err != nil || req[0] != socksVersion {
		p.refuse("not a SOCKS5 request")
		return
	}
	if req[1] != socksConnect {
		p.refuse("command %d: only CONNECT is served", req[1])
		reply(socksCmdUnsupported)
		return
	}
	var host string
	switch req[3] {
	case socksIPv4, socksIPv6:
		size := net.IPv4len
		if req[3] == socksIPv6 {
			size = net.IPv6len
		}
		ip := make([]byte, size)
		if _, err := io.ReadFull(br, ip); err != nil {
			p.refuse("address: %v", err)
			return
		}
		host = net.IP(ip).String()
	case socksFQDN:
		n, err := br.ReadByte()
		name := make([]byte, n)
		if err == nil {
			_, err = io.ReadFull(br, name)
		}
		if err != nil {
			p.refuse("name: %v", err)
			return
		}
		host = string(name)
	default:
		p.refuse("address type %d", req[3])
		reply(socksAtypeUnsupport)
		return
	}
	portBytes := make([]byte, 2)
	if _, err := io.ReadFull(br, portBytes); err != nil {
		p.refuse("port: %v", err)
		return
	}
	client.SetReadDeadline(time.Time{})
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(portBytes))))
	upstream, err := dialTarget(target)
	if err != nil {
		p.refuse("CONNECT %s: %v", target, err)
		if errors.Is(err, errNotAllowed) {
			reply(socksNotAllowed)
		} else {
			reply(socksHostUnreach)
		}
		return
	}
	reply(socksSucceeded)
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		if _, err := upstream.Write(b); err != nil {
			upstream.Close()
			return
		}
	}
	p.relay(client, upstream, target)
}

func readSOCKSUserPass(br *bufio.Reader) (string, string, error) {
	var fields [2]string
	ver, err := br.ReadByte()
	if err != nil {
		return "", "", err
	}
	if ver != 1 {
		return "", "", fmt.Errorf("subnegotiation version %d", ver)
	}
	for i := range fields {
		n, err := br.ReadByte()
		if err != nil {
			return "", "", err
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(br, b); err != nil {
			return "", "", err
		}
		fields[i] = string(b)
	}
	return fields[0], fields[1], nil
}

// proxyNames lists the proxies in a stable order (kubeconfigs, logs).
func proxyNames(proxies map[string]*proxyServer) []string {
	names := make([]string, 0, len(proxies))
	for n := range proxies {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

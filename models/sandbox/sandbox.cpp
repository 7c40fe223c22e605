#include "sandbox/sandbox.h"

#include "mesh/naming.h"
#include "sandbox/istiometrics.h"
#include "sandbox/meshconfig.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <unordered_map>

namespace lanedeck::sandbox {

namespace {

// Headers a proxy never forwards: hop-by-hop ones, and the pseudo headers cpp-httplib adds on receipt.
bool isHopHeader(const std::string &name)
{
    static const char *const hop[] = {
        "connection",  "keep-alive", "content-length", "transfer-encoding", "host",
        "upgrade",     "te",         "trailer",        "proxy-connection",  "remote_addr",
        "remote_port", "local_addr", "local_port"};
    for (const char *h : hop) {
        if (name == h) {
            return true;
        }
    }
    return false;
}

std::string lower(std::string text)
{
    for (auto &c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::mt19937_64 &threadRandom()
{
    thread_local std::mt19937_64 random{std::random_device{}()};
    return random;
}

struct UpstreamReply
{
    int status = 0;
    std::string body;
    bool fromWorkload = false; ///< false: the proxy answered locally (no route, no upstream, connect failure)
};

/// Keep-alive connections to the workloads, shared by every proxy. Reusing idle connections first keeps the
/// number of open connections to a workload at the peak number of concurrent calls to it, so a workload's
/// thread pool (one thread per open connection in cpp-httplib) is never exhausted by idle connections.
class ConnectionPool final
{
public:
    std::unique_ptr<httplib::Client> acquire(int port)
    {
        {
            std::lock_guard lock(m_mutex);
            auto &idle = m_idle[port];
            if (!idle.empty()) {
                auto client = std::move(idle.back());
                idle.pop_back();
                return client;
            }
        }
        auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
        client->set_keep_alive(true);
        client->set_tcp_nodelay(true);
        client->set_connection_timeout(2, 0);
        client->set_read_timeout(30, 0);
        client->set_write_timeout(5, 0);
        return client;
    }

    void release(int port, std::unique_ptr<httplib::Client> client)
    {
        std::lock_guard lock(m_mutex);
        if (!m_closed) {
            m_idle[port].push_back(std::move(client));
        }
    }

    /// Closes idle connections (so the workloads' keep-alive loops end at once) and every later release.
    void close()
    {
        std::unordered_map<int, std::vector<std::unique_ptr<httplib::Client>>> idle;
        {
            std::lock_guard lock(m_mutex);
            m_closed = true;
            idle.swap(m_idle);
        }
    }

    void open()
    {
        std::lock_guard lock(m_mutex);
        m_closed = false;
    }

private:
    std::mutex m_mutex;
    std::unordered_map<int, std::vector<std::unique_ptr<httplib::Client>>> m_idle;
    bool m_closed = false;
};

/// Set on the threads that serve connections the pool had no room for: their requests get a 503.
thread_local bool t_overloaded = false;

/// cpp-httplib's thread pool, with admission control: a server holds one connection per worker thread, and
/// an unbounded queue behind them makes clients of a burst wait until they time out. Here at most `queued`
/// connections wait; the ones beyond go to a small overflow pool that answers each request 503 and closes,
/// as an overloaded Envoy does (UO), so a burst is refused quickly and the server stays up.
class AdmissionQueue final : public httplib::TaskQueue
{
public:
    AdmissionQueue(std::size_t workers, std::size_t queued, std::size_t overflowWorkers)
        : m_capacity(workers + queued)
    {
        for (std::size_t i = 0; i < workers; ++i) {
            m_threads.emplace_back([this] { work(m_jobs, false); });
        }
        for (std::size_t i = 0; i < overflowWorkers; ++i) {
            m_threads.emplace_back([this] { work(m_overflow, true); });
        }
    }

    void enqueue(std::function<void()> fn) override
    {
        {
            std::lock_guard lock(m_mutex);
            (m_active + m_jobs.size() < m_capacity ? m_jobs : m_overflow).push_back(std::move(fn));
        }
        m_ready.notify_all();
    }

    void shutdown() override
    {
        {
            std::lock_guard lock(m_mutex);
            m_shutdown = true;
        }
        m_ready.notify_all();
        for (auto &thread : m_threads) {
            thread.join();
        }
    }

private:
    void work(std::deque<std::function<void()>> &queue, bool overflow)
    {
        t_overloaded = overflow;
        for (;;) {
            std::function<void()> fn;
            {
                std::unique_lock lock(m_mutex);
                m_ready.wait(lock, [&] { return !queue.empty() || m_shutdown; });
                if (queue.empty()) {
                    return; // shut down, and every queued connection served
                }
                fn = std::move(queue.front());
                queue.pop_front();
                m_active += overflow ? 0 : 1;
            }
            fn();
            std::lock_guard lock(m_mutex);
            m_active -= overflow ? 0 : 1;
        }
    }

    const std::size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_jobs;
    std::deque<std::function<void()>> m_overflow;
    std::size_t m_active = 0;
    bool m_shutdown = false;
    std::vector<std::thread> m_threads;
};

void routeEveryMethod(httplib::Server &server, const httplib::Server::Handler &handler)
{
    server.Get(".*", handler);
    server.Post(".*", handler);
    server.Put(".*", handler);
    server.Patch(".*", handler);
    server.Delete(".*", handler);
    server.Options(".*", handler);
}

/// Binds a server to `port` (0: a free one) and returns the port, or -1.
int bindServer(httplib::Server &server, const std::string &address, int port)
{
    auto listening = std::make_shared<socket_t>(INVALID_SOCKET);
    // httplib's default options add SO_REUSEPORT, which would let a second sandbox share a given gateway port
    // silently (the kernel then splits connections between them); SO_REUSEADDR alone refuses that.
    server.set_socket_options([listening](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        *listening = sock;
    });
    const int bound =
        port > 0 ? (server.bind_to_port(address, port) ? port : -1) : server.bind_to_any_port(address);
    if (bound > 0 && *listening != INVALID_SOCKET) {
        // httplib listens with a backlog of 5: a burst of connects overflows it and the dropped SYNs are
        // retried only after 1 s, 3 s, 7 s... Listening again on a listening socket just raises the backlog.
        ::listen(*listening, SOMAXCONN);
    }
    return bound;
}

/// Carries the calling workload ("namespace/workload") from its proxy to the callee's sidecar, as Istio's
/// metadata exchange does, so the callee can report its source; workloads never forward it.
constexpr const char *kPeerHeader = "x-lanedeck-peer";

/// Envoy's response flag at the start of a proxy's local reason ("NR: no route matched" gives "NR").
std::string responseFlag(const std::string &reason)
{
    const auto colon = reason.find(':');
    return colon >= 2 && colon <= 3 ? reason.substr(0, colon) : std::string("-");
}

bool refuseWhenOverloaded(httplib::Response &response)
{
    if (!t_overloaded) {
        return false;
    }
    response.status = 503;
    response.set_header("Connection", "close");
    response.set_content("UO: overloaded, connection refused by admission control", "text/plain");
    return true;
}

} // namespace

struct Sandbox::State
{
    LaneGroup group;
    SandboxOptions options;
    std::vector<Instance> instances; // ports are set by start() and fixed while running

    std::mutex lifecycle; // serialises start and stop
    mutable std::mutex configMutex;
    std::shared_ptr<const MeshConfig> config;

    std::unordered_map<std::string, std::unique_ptr<std::atomic<bool>>> forwardsBaggage;
    mutable std::mutex faultMutex;
    std::vector<Fault> faults; // by instance index, under faultMutex
    std::atomic<bool> running{false};
    std::atomic<int> gatewayPort{0};
    std::unique_ptr<httplib::Server> gateway;
    std::vector<std::unique_ptr<httplib::Server>> workloads;
    std::vector<std::thread> threads; // one per workload, in instance order
    std::thread gatewayThread;
    ConnectionPool pool;

    std::mutex seededMutex;
    std::mt19937_64 seeded;

    IstioMetrics metrics;
    std::map<std::string, Peer> peers; ///< by kPeerHeader value: the gateway and every instance
    Peer gatewayPeer;
    std::unique_ptr<httplib::Server> metricsServer;
    std::thread metricsThread;
    std::atomic<int> metricsPort{0};

    std::atomic<unsigned long long> gatewayRequests{0};
    std::atomic<unsigned long long> localReplies{0};
    std::atomic<unsigned long long> upstreamFailures{0};

    static std::string peerKey(const Peer &peer) { return peer.ns + "/" + peer.workload; }

    Peer peerOf(const Instance &instance) const
    {
        const Service *service = group.service(instance.service);
        const auto version = instance.labels.find("version");
        Peer peer;
        peer.workload = workloadName(instance.service, instance.version);
        peer.ns = service ? service->ns : std::string();
        peer.app = instance.service;
        peer.version = version != instance.labels.end() ? version->second : std::string();
        peer.service = instance.host;
        peer.serviceName = instance.service;
        peer.serviceNamespace = peer.ns;
        return peer;
    }

    /// Who a proxy's request went to: the chosen workload, or "unknown" at the called host (a local reply).
    Peer destinationOf(const RouteDecision &decision, const std::string &host) const
    {
        if (decision.instance) {
            return peerOf(*decision.instance);
        }
        Peer peer;
        peer.service = host;
        if (const Service *service = serviceOfHost(host)) {
            peer.serviceName = service->name;
            peer.serviceNamespace = service->ns;
        }
        return peer;
    }

    const Service *serviceOfHost(const std::string &host) const
    {
        for (const auto &service : group.services) {
            if (!host.empty() && sameHost(host, mesh::serviceHost(service))) {
                return &service;
            }
        }
        return nullptr;
    }

    std::shared_ptr<const MeshConfig> currentConfig() const
    {
        std::lock_guard lock(configMutex);
        return config;
    }

    UpstreamReply forward(int port, const std::string &method, const std::string &path,
                          const std::map<std::string, std::string> &headers, const std::string &body)
    {
        httplib::Request request;
        request.method = method;
        request.path = path;
        request.body = body;
        for (const auto &[name, value] : headers) {
            request.headers.emplace(name, value);
        }
        // A pooled connection the workload has just closed fails on first use. Like Envoy, the proxy retries
        // once on a fresh connection, for idempotent methods only.
        const bool idempotent = method == "GET" || method == "HEAD" || method == "OPTIONS" ||
                                method == "PUT" || method == "DELETE";
        for (int attempt = 0; attempt < (idempotent ? 2 : 1); ++attempt) {
            auto client = pool.acquire(port);
            httplib::Result result = client->send(request);
            if (result) {
                UpstreamReply reply{result->status, std::move(result->body), true};
                pool.release(port, std::move(client));
                return reply;
            }
            if (!running) {
                break;
            }
        }
        ++upstreamFailures;
        return UpstreamReply{503, "UF: upstream connect failure (127.0.0.1:" + std::to_string(port) + ")",
                             false};
    }

    // The caller's sidecar: ASM header propagation, then the service's VirtualService and DestinationRule.
    UpstreamReply call(const Instance &caller, const Service &callee,
                       std::map<std::string, std::string> headers)
    {
        const auto started = std::chrono::steady_clock::now();
        const auto config = currentConfig();
        const auto baggage = headers.find(mesh::kBaggageHeader);
        for (const auto &header : config->propagatedHeaders) {
            if (headers.count(header) || baggage == headers.end()) {
                continue;
            }
            const std::string key =
                header == lower(group.routingHeader) ? mesh::baggageMemberKey(group) : header;
            if (auto value = baggageMember(baggage->second, key); !value.empty()) {
                headers[header] = std::move(value);
            }
        }
        ProxyRequest request{mesh::serviceHost(callee), "/", "GET", std::move(headers)};
        const RouteDecision decision = route(*config, instances, request, false, threadRandom());
        const Peer source = peerOf(caller);
        const Peer destination = destinationOf(decision, request.authority);
        UpstreamReply reply;
        if (decision.localStatus) {
            ++localReplies;
            reply = UpstreamReply{decision.localStatus, decision.reason, false};
        } else {
            auto forwarded = decision.headers;
            forwarded[kPeerHeader] = peerKey(source);
            reply = forward(decision.instance->port, "GET", "/", forwarded, {});
        }
        metrics.record("source", source, destination, reply.status,
                       reply.fromWorkload ? std::string("-") : responseFlag(reply.body),
                       std::chrono::steady_clock::now() - started);
        return reply;
    }

    void serveWorkload(const Instance &instance, const httplib::Request &request, httplib::Response &response)
    {
        if (refuseWhenOverloaded(response)) {
            return;
        }
        const auto started = std::chrono::steady_clock::now();
        std::string body = "-> " + instance.service + "(version: " + instance.version +
                           ", ip: " + options.address + ":" + std::to_string(instance.port) + ")";
        Fault fault;
        {
            std::lock_guard lock(faultMutex);
            fault = faults[static_cast<std::size_t>(&instance - instances.data())];
        }
        if (fault.delay.count() > 0) {
            std::this_thread::sleep_for(fault.delay);
        }
        if (fault.errorRate > 0.0 &&
            std::uniform_real_distribution<double>(0.0, 1.0)(threadRandom()) < fault.errorRate) {
            // The chain line stays, so a failed answer is still attributed to its lane; the upstreams are
            // not called, as a crashing version would not call them.
            response.status = fault.status;
            response.set_content(body, "text/plain");
            return;
        }
        int status = 200;
        const Service *service = group.service(instance.service);
        std::map<std::string, std::string> outgoing;
        if (forwardsBaggage.at(instance.service)->load() && request.has_header(mesh::kBaggageHeader)) {
            outgoing[mesh::kBaggageHeader] = request.get_header_value(mesh::kBaggageHeader);
        }
        for (const auto &calleeName : service->calls) {
            const Service *callee = group.service(calleeName);
            UpstreamReply reply = call(instance, *callee, outgoing);
            if (reply.fromWorkload) {
                body += reply.body;
            } else {
                body +=
                    "-> " + calleeName + "(error: " + std::to_string(reply.status) + " " + reply.body + ")";
            }
            if (reply.status / 100 != 2) {
                status = reply.status; // the first failure is what the caller sees
                break;
            }
        }
        response.status = status;
        response.set_content(body, "text/plain");
        const auto peer = peers.find(request.get_header_value(kPeerHeader));
        metrics.record("destination", peer != peers.end() ? peer->second : Peer{}, peerOf(instance), status,
                       "-", std::chrono::steady_clock::now() - started);
    }

    void serveGateway(const httplib::Request &request, httplib::Response &response)
    {
        ++gatewayRequests;
        if (refuseWhenOverloaded(response)) {
            ++localReplies;
            return;
        }
        const auto started = std::chrono::steady_clock::now();
        ProxyRequest proxied;
        proxied.authority = request.get_header_value("Host");
        proxied.path = request.path;
        proxied.method = request.method;
        for (const auto &[name, value] : request.headers) {
            auto key = lower(name);
            if (!isHopHeader(key)) {
                proxied.headers[key] = value;
            }
        }
        const auto config = currentConfig();
        RouteDecision decision;
        if (options.seed) {
            std::lock_guard lock(seededMutex);
            decision = route(*config, instances, proxied, true, seeded);
        } else {
            decision = route(*config, instances, proxied, true, threadRandom());
        }
        const Peer destination = destinationOf(decision, {});
        if (decision.localStatus) {
            ++localReplies;
            response.status = decision.localStatus;
            response.set_content(decision.reason, "text/plain");
            metrics.record("source", gatewayPeer, destination, decision.localStatus,
                           responseFlag(decision.reason), std::chrono::steady_clock::now() - started);
            return;
        }
        auto forwarded = decision.headers;
        forwarded[kPeerHeader] = peerKey(gatewayPeer);
        UpstreamReply reply =
            forward(decision.instance->port, request.method, request.path, forwarded, request.body);
        response.status = reply.status;
        response.set_content(reply.body, "text/plain");
        metrics.record("source", gatewayPeer, destination, reply.status,
                       reply.fromWorkload ? std::string("-") : responseFlag(reply.body),
                       std::chrono::steady_clock::now() - started);
    }

    std::unique_ptr<httplib::Server> makeServer(int threads)
    {
        auto server = std::make_unique<httplib::Server>();
        server->new_task_queue = [threads] {
            const auto n = static_cast<std::size_t>(threads);
            return new AdmissionQueue(n, n, 2);
        };
        // Without TCP_NODELAY, split header/body writes meet delayed ACKs: 40 ms per hop on loopback.
        server->set_tcp_nodelay(true);
        // Connections take turns on the workers: each is closed after 100 requests, so a client with more
        // connections than there are workers is still served by all of them.
        server->set_keep_alive_max_count(100);
        server->set_keep_alive_timeout(1);
        server->set_read_timeout(5, 0);
        server->set_write_timeout(5, 0);
        server->set_payload_max_length(1 << 20);
        return server;
    }

    void stopServers()
    {
        // Entry first: the gateway stops taking requests, then each workload finishes what it has in flight
        // (its upstreams still answer) before the next one stops.
        if (gateway) {
            gateway->stop();
        }
        if (gatewayThread.joinable()) {
            gatewayThread.join();
        }
        if (metricsServer) {
            metricsServer->stop();
        }
        if (metricsThread.joinable()) {
            metricsThread.join();
        }
        metricsServer.reset();
        metricsPort = 0;
        pool.close();
        // Callers before callees: a workload's in-flight requests still reach the upstreams they call.
        std::map<std::string, int> depth;
        for (std::size_t round = 0; round < group.services.size(); ++round) {
            for (const auto &service : group.services) {
                for (const auto &callee : service.calls) {
                    depth[callee] = std::max(depth[callee], depth[service.name] + 1);
                }
            }
        }
        std::vector<std::size_t> order(workloads.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return depth[instances[a].service] < depth[instances[b].service];
        });
        for (std::size_t i : order) {
            workloads[i]->stop();
            if (i < threads.size()) {
                threads[i].join();
            }
        }
        threads.clear();
        workloads.clear();
        gateway.reset();
        running = false;
        gatewayPort = 0;
    }
};

Sandbox::Sandbox(LaneGroup group, SandboxOptions options) : m_state(std::make_unique<State>())
{
    m_state->group = std::move(group);
    m_state->options = std::move(options);
    m_state->config = std::make_shared<MeshConfig>();
    for (const auto &service : m_state->group.services) {
        m_state->forwardsBaggage.emplace(service.name, std::make_unique<std::atomic<bool>>(true));
    }
    for (const auto &lane : m_state->group.lanes) {
        for (const auto &name : lane.services) {
            const Service *service = m_state->group.service(name);
            if (!service) {
                continue;
            }
            const bool known =
                std::any_of(m_state->instances.begin(), m_state->instances.end(), [&](const Instance &i) {
                    return i.service == name && i.version == lane.labelValue;
                });
            if (known) {
                continue;
            }
            Instance instance;
            instance.service = name;
            instance.host = mesh::serviceHost(*service);
            instance.version = lane.labelValue;
            // The seed's pods carry app and version besides the lane label.
            instance.labels = {{"app", name}, {"version", lane.labelValue}, {lane.labelKey, lane.labelValue}};
            m_state->instances.push_back(std::move(instance));
        }
    }
    m_state->faults.resize(m_state->instances.size());
    State &s = *m_state;
    s.gatewayPeer.workload = kGatewayWorkload;
    s.gatewayPeer.ns = s.group.ingress.gatewayNamespace;
    s.gatewayPeer.app = kGatewayWorkload;
    s.peers.emplace(State::peerKey(s.gatewayPeer), s.gatewayPeer);
    for (const auto &instance : s.instances) {
        const Peer peer = s.peerOf(instance);
        s.peers.emplace(State::peerKey(peer), peer);
    }
}

Sandbox::~Sandbox()
{
    stop();
}

Result<void> Sandbox::start(const std::vector<mesh::Resource> &resources)
{
    State &s = *m_state;
    std::lock_guard lifecycle(s.lifecycle);
    if (s.running) {
        return Error{"the sandbox is already running"};
    }
    if (auto applied = apply(resources); !applied) {
        return applied;
    }
    s.pool.open();
    s.seeded.seed(s.options.seed);
    const int workloadThreads = s.options.gatewayThreads + 4;
    for (auto &instance : s.instances) {
        auto server = s.makeServer(workloadThreads);
        const int port = bindServer(*server, s.options.address, 0);
        if (port <= 0) {
            s.stopServers();
            return Error{"sandbox: cannot bind a port on " + s.options.address};
        }
        instance.port = port;
        const Instance *bound = &instance;
        auto handler = [&s, bound](const httplib::Request &req, httplib::Response &res) {
            s.serveWorkload(*bound, req, res);
        };
        routeEveryMethod(*server, handler);
        s.workloads.push_back(std::move(server));
    }
    s.gateway = s.makeServer(s.options.gatewayThreads);
    auto gatewayHandler = [&s](const httplib::Request &req, httplib::Response &res) {
        s.serveGateway(req, res);
    };
    routeEveryMethod(*s.gateway, gatewayHandler);
    const int wanted = s.options.gatewayPort;
    const int port = bindServer(*s.gateway, s.options.address, wanted);
    if (port <= 0) {
        s.stopServers();
        return Error{wanted > 0 ? "sandbox: cannot listen on " + s.options.address + ":" +
                                      std::to_string(wanted) + " (in use?)"
                                : "sandbox: cannot bind a port on " + s.options.address};
    }
    s.metricsServer = std::make_unique<httplib::Server>();
    s.metricsServer->Get("/metrics", [&s](const httplib::Request &, httplib::Response &res) {
        res.set_content(s.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    const int metricsPort = bindServer(*s.metricsServer, s.options.address, s.options.metricsPort);
    if (metricsPort <= 0) {
        s.stopServers();
        return Error{"sandbox: cannot listen for /metrics on " + s.options.address + ":" +
                     std::to_string(s.options.metricsPort) + " (in use?)"};
    }
    std::vector<httplib::Server *> all;
    for (auto &server : s.workloads) {
        all.push_back(server.get());
    }
    all.push_back(s.gateway.get());
    all.push_back(s.metricsServer.get());
    for (auto &server : s.workloads) {
        s.threads.emplace_back([server = server.get()] { server->listen_after_bind(); });
    }
    s.gatewayThread = std::thread([server = s.gateway.get()] { server->listen_after_bind(); });
    s.metricsThread = std::thread([server = s.metricsServer.get()] { server->listen_after_bind(); });
    // httplib's stop() is a no-op until the accept loop runs, so start() returns only once every loop does.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (auto *server : all) {
        while (!server->is_running()) {
            if (std::chrono::steady_clock::now() > deadline) {
                s.stopServers();
                return Error{"sandbox: a server did not start within 5 s"};
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    }
    s.gatewayPort = port;
    s.metricsPort = metricsPort;
    s.running = true;
    return {};
}

void Sandbox::stop()
{
    std::lock_guard lifecycle(m_state->lifecycle);
    m_state->stopServers();
}

Result<void> Sandbox::apply(const std::vector<mesh::Resource> &resources)
{
    auto parsed = parseMeshConfig(resources);
    if (!parsed) {
        return parsed.error();
    }
    auto config = std::make_shared<const MeshConfig>(std::move(*parsed));
    std::lock_guard lock(m_state->configMutex);
    m_state->config = std::move(config);
    return {};
}

bool Sandbox::isRunning() const
{
    return m_state->running;
}

std::string Sandbox::gatewayUrl() const
{
    const int port = m_state->gatewayPort;
    return port ? "http://" + m_state->options.address + ":" + std::to_string(port) + "/" : std::string();
}

int Sandbox::gatewayPort() const
{
    return m_state->gatewayPort;
}

std::string Sandbox::metricsUrl() const
{
    const int port = m_state->metricsPort;
    return port ? "http://" + m_state->options.address + ":" + std::to_string(port) + "/metrics"
                : std::string();
}

int Sandbox::metricsPort() const
{
    return m_state->metricsPort;
}

std::string Sandbox::metricsText() const
{
    return m_state->metrics.render();
}

void Sandbox::restartMetrics()
{
    m_state->metrics.restart();
}

std::vector<SandboxInstance> Sandbox::instances() const
{
    std::lock_guard lifecycle(m_state->lifecycle);
    std::vector<SandboxInstance> result;
    for (const auto &instance : m_state->instances) {
        result.push_back({instance.service, instance.version, m_state->running ? instance.port : 0,
                          workloadName(instance.service, instance.version), instance.labels});
    }
    return result;
}

SandboxCounters Sandbox::counters() const
{
    return {m_state->gatewayRequests, m_state->localReplies, m_state->upstreamFailures};
}

void Sandbox::setBaggagePropagation(const std::string &service, bool enabled)
{
    if (auto it = m_state->forwardsBaggage.find(service); it != m_state->forwardsBaggage.end()) {
        *it->second = enabled;
    }
}

Result<void> Sandbox::setFault(const std::string &service, const std::string &version, const Fault &fault)
{
    if (fault.errorRate < 0.0 || fault.errorRate > 1.0 || fault.status < 500 || fault.status > 599 ||
        fault.delay.count() < 0) {
        return Error{"sandbox: a fault needs an error rate 0..1, a 5xx status and a delay >= 0"};
    }
    const auto &instances = m_state->instances;
    for (std::size_t i = 0; i < instances.size(); ++i) {
        if (instances[i].service == service && instances[i].version == version) {
            std::lock_guard lock(m_state->faultMutex);
            m_state->faults[i] = fault;
            return {};
        }
    }
    std::string known;
    for (const auto &instance : instances) {
        known += (known.empty() ? "" : ", ") + instance.service + ":" + instance.version;
    }
    return Error{"sandbox: no workload " + service + ":" + version + " (it runs " + known + ")"};
}

Fault Sandbox::fault(const std::string &service, const std::string &version) const
{
    const auto &instances = m_state->instances;
    for (std::size_t i = 0; i < instances.size(); ++i) {
        if (instances[i].service == service && instances[i].version == version) {
            std::lock_guard lock(m_state->faultMutex);
            return m_state->faults[i];
        }
    }
    return {};
}

namespace {

std::optional<double> parseNumber(std::string_view text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    std::string copy(text);
    char *end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

} // namespace

Result<FaultSpec> parseFaultSpec(const std::string &text)
{
    const auto first = text.find(':');
    const auto second = first == std::string::npos ? first : text.find(':', first + 1);
    if (second == std::string::npos || first == 0 || second == first + 1) {
        return Error{"fault '" + text + "': expected SERVICE:VERSION:error=20%,latency=100ms"};
    }
    FaultSpec spec;
    spec.service = text.substr(0, first);
    spec.version = text.substr(first + 1, second - first - 1);
    const std::string settings = text.substr(second + 1);
    if (settings == "none") {
        return spec;
    }
    std::size_t start = 0;
    while (start <= settings.size()) {
        auto comma = settings.find(',', start);
        if (comma == std::string::npos) {
            comma = settings.size();
        }
        const std::string item = settings.substr(start, comma - start);
        start = comma + 1;
        const auto equals = item.find('=');
        const std::string key = item.substr(0, equals);
        const std::string value = equals == std::string::npos ? std::string() : item.substr(equals + 1);
        auto bad = [&](const std::string &why) { return Error{"fault '" + text + "': " + key + ": " + why}; };
        if (key == "error") {
            const bool percent = value.ends_with('%');
            const auto number = parseNumber(percent ? value.substr(0, value.size() - 1) : value);
            const double rate = number ? (percent ? *number / 100.0 : *number) : -1.0;
            if (rate < 0.0 || rate > 1.0) {
                return bad("expected 0..100% or 0..1, got '" + value + "'");
            }
            spec.fault.errorRate = rate;
        } else if (key == "latency") {
            const bool ms = value.ends_with("ms");
            const bool s = !ms && value.ends_with('s');
            const auto number = parseNumber(value.substr(0, value.size() - (ms ? 2 : s ? 1 : 0)));
            if (!number || *number < 0.0 || (!ms && !s) || *number * (s ? 1000.0 : 1.0) > 600'000.0) {
                return bad("expected a duration like 100ms or 1s (at most 10 minutes), got '" + value + "'");
            }
            spec.fault.delay = std::chrono::milliseconds(std::llround(*number * (s ? 1000.0 : 1.0)));
        } else if (key == "status") {
            const auto number = parseNumber(value);
            if (!number || *number < 500 || *number > 599 || *number != std::floor(*number)) {
                return bad("expected an HTTP status 500..599, got '" + value + "'");
            }
            spec.fault.status = static_cast<int>(*number);
        } else {
            return Error{"fault '" + text + "': unknown setting '" + key +
                         "' (known: error, latency, status)"};
        }
        if (comma == settings.size()) {
            break;
        }
    }
    return spec;
}

std::string toString(const Fault &fault)
{
    if (!fault.active()) {
        return "none";
    }
    std::string text;
    if (fault.errorRate > 0.0) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "error=%g%% (%d)", fault.errorRate * 100.0, fault.status);
        text = buffer;
    }
    if (fault.delay.count() > 0) {
        text +=
            (text.empty() ? "" : ", ") + std::string("latency=") + std::to_string(fault.delay.count()) + "ms";
    }
    return text;
}

} // namespace lanedeck::sandbox

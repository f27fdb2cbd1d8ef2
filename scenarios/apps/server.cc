// server: a TCP server as a C program would be written against the socket
// API: socket, bind, listen(backlog), then an accept loop under a policy, and
// per connection read a request, think, write a response, close.
//
// Accept policies (what the listen-backlog studies vary):
//   "accept": "immediate"     accept as soon as a connection is queued (default)
//   "accept": "never"         listen and never call accept(): the accept
//                             queue fills to backlog + 1 and stays full
//   "accept_every": "100ms"   at most one accept() per interval (a slow server)
//   "workers": N              N tasks, each accept -> serve -> accept ... (a
//                             thread pool); 0 = a new task per connection
//   "service_time": D         time spent per request before responding
//   "pause": [{"from","to"}]  no accept() in these intervals (a GC pause, a
//                             stalled event loop)
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <vector>

#include "scenarios/apps/app.h"
#include "stack/socket.h"

namespace scenario::apps {

namespace {

using sim::config::JsonObject;
using sim::config::JsonValue;

struct Pause {
  sim::Time from, to;  // [from, to)
};

struct ServerConfig {
  uint32_t addr = 0;
  uint16_t port = 0;
  int backlog = 128;
  bool never_accept = false;
  sim::Time accept_every;  // 0: no limit
  uint32_t workers = 0;
  Dist service_time;
  std::vector<Pause> pause;
  uint64_t request_size = 100;
  uint64_t response_size = 1000;
  uint32_t requests_per_connection = 1;
};

constexpr std::string_view kKeys[] = {"port",         "backlog", "addr",  "accept",       "accept_every",
                                      "workers",      "service_time", "pause", "request_size", "response_size",
                                      "requests_per_connection"};
constexpr std::string_view kCounters[] = {"accepted", "served", "requests", "accept_errors"};

std::any parse(const JsonObject& o, AppParseCtx& ctx) {
  ServerConfig c;
  c.port = static_cast<uint16_t>(o.required("port").as_int(1, 65535));
  // listen() takes an int; Linux clamps to somaxconn as unsigned, so -1 means somaxconn.
  c.backlog = static_cast<int>(o.get_int("backlog", 128, -1, 2147483647));
  if (auto a = o.get("addr")) c.addr = a->as_ipv4();
  if (auto a = o.get("accept")) {
    const std::string s = a->as_string();
    if (s == "never") {
      c.never_accept = true;
    } else if (s != "immediate") {
      a->fail_expected("\"immediate\" or \"never\"");
    }
  }
  c.accept_every = o.get_duration("accept_every", sim::Time());
  c.workers = static_cast<uint32_t>(o.get_int("workers", 0, 0, 100000));
  if (auto s = o.get("service_time")) c.service_time = parse_dist(*s);
  if (auto p = o.get("pause")) {
    for (const JsonValue& e : p->as_array()) {
      JsonObject po = e.as_object({"from", "to"});
      Pause x{po.required("from").as_duration(), po.required("to").as_duration()};
      if (x.to <= x.from) po.required("to").fail("must be after \"from\"");
      if (!c.pause.empty() && x.from < c.pause.back().to)
        po.required("from").fail("pauses must be in time order and must not overlap");
      c.pause.push_back(x);
    }
  }
  c.request_size = o.get_size("request_size", 100);
  c.response_size = o.get_size("response_size", 1000);
  c.requests_per_connection = static_cast<uint32_t>(o.get_int("requests_per_connection", 1, 1, 1000000));
  if (c.never_accept) {
    for (std::string_view k : {"accept_every", "workers", "service_time", "pause"})
      if (auto v = o.get(k)) v->fail("has no effect with \"accept\": \"never\"");
  }
  if (c.addr != 0 && c.addr != ctx.node_addr(ctx.node)) {
    bool local = false;
    for (const sim::net::DevRef& d : ctx.topo().node_devs[ctx.node])
      local |= ctx.topo().endpoint(d).numbered && ctx.topo().endpoint(d).addr.addr == c.addr;
    if (!local) o.required("addr").fail("not an address of " + ctx.host);
  }
  ctx.claim_port(o.required("port"), c.addr, c.port);
  return c;
}

nlohmann::json to_json(const std::any& a) {
  const auto& c = std::any_cast<const ServerConfig&>(a);
  nlohmann::json j = {{"port", c.port},
                      {"backlog", c.backlog},
                      {"addr", sim::wire::ipv4_addr_str(c.addr)},
                      {"accept", c.never_accept ? "never" : "immediate"},
                      {"request_size", std::to_string(c.request_size) + "B"},
                      {"response_size", std::to_string(c.response_size) + "B"},
                      {"requests_per_connection", c.requests_per_connection}};
  if (!c.never_accept) {
    j["accept_every"] = duration_text(c.accept_every);
    j["workers"] = c.workers;
    j["service_time"] = dist_to_json(c.service_time);
    nlohmann::json p = nlohmann::json::array();
    for (const Pause& x : c.pause) p.push_back({{"from", duration_text(x.from)}, {"to", duration_text(x.to)}});
    j["pause"] = p;
  }
  return j;
}

// What the tasks of one server share.
struct Server {
  Server(AppEnv& e, const ServerConfig& c) : env(e), cfg(c) {}
  AppEnv& env;
  const ServerConfig& cfg;
  int lfd = -1;
  ListenerHandle* listener = nullptr;
  sim::Time next_accept;  // accept_every: no accept() before this
  std::vector<char> buf;  // request/response bytes; contents do not matter
};

// Where the current pause ends, or Time() when not paused.
sim::Time pause_end(const ServerConfig& cfg, sim::Time now) {
  for (const Pause& p : cfg.pause)
    if (now >= p.from && now < p.to) return p.to;
  return sim::Time();
}
sim::Time next_pause_start(const ServerConfig& cfg, sim::Time now) {
  for (const Pause& p : cfg.pause)
    if (p.from > now) return p.from;
  return sim::Time::max();
}

// One accept() under the policy: wait out pauses and the rate limit, then
// take the oldest queued connection. Returns the new fd or -errno.
sim::Task<int> accept_one(Server& s) {
  stack::net* k = &s.env.k;
  sim::Simulator& sim = s.env.sim;
  for (;;) {
    if (s.cfg.accept_every > sim::Time() && sim.now() < s.next_accept) {
      co_await sim::sleep(sim, s.next_accept - sim.now());
      continue;
    }
    if (s.cfg.pause.empty()) {
      const int fd = co_await stack::sys_accept4(k, s.lfd, nullptr, nullptr, 0);
      if (fd == -EAGAIN) continue;  // only with a non-blocking listener
      s.next_accept = sim.now() + s.cfg.accept_every;
      co_return fd;
    }
    if (const sim::Time end = pause_end(s.cfg, sim.now()); end > sim::Time()) {
      co_await sim::sleep(sim, end - sim.now());
      continue;
    }
    // Wait for a connection, but only until the next pause begins.
    const sim::Time next = next_pause_start(s.cfg, sim.now());
    stack::pollfd_sim p{s.lfd, static_cast<short>(stack::NS_POLLIN), 0};
    const int r = co_await stack::sys_poll(k, &p, 1, next == sim::Time::max() ? next : next - sim.now());
    if (r <= 0) continue;
    const int fd = co_await stack::sys_accept4(k, s.lfd, nullptr, nullptr, 0);  // listener is O_NONBLOCK
    if (fd == -EAGAIN) continue;  // another worker was first
    s.next_accept = sim.now() + s.cfg.accept_every;
    co_return fd;
  }
}

// Reads exactly n bytes; false on EOF or error first.
sim::Task<bool> read_exactly(Server& s, int fd, uint64_t n) {
  while (n > 0) {
    const long r = co_await stack::sys_read(&s.env.k, fd, s.buf.data(), std::min<uint64_t>(n, s.buf.size()));
    if (r <= 0) co_return false;
    n -= static_cast<uint64_t>(r);
  }
  co_return true;
}

sim::Task<bool> write_all(Server& s, int fd, uint64_t n) {
  while (n > 0) {
    const long r = co_await stack::sys_write(&s.env.k, fd, s.buf.data(), std::min<uint64_t>(n, s.buf.size()));
    if (r <= 0) co_return false;
    n -= static_cast<uint64_t>(r);
  }
  co_return true;
}

// One connection: request, think, response, as many times as configured; close.
sim::Task<void> serve(Server& s, int fd) {
  bool ok = true;
  for (uint32_t i = 0; ok && i < s.cfg.requests_per_connection; ++i) {
    if (s.cfg.request_size) ok = co_await read_exactly(s, fd, s.cfg.request_size);
    if (!ok) break;
    if (!s.cfg.service_time.zero()) co_await sim::sleep(s.env.sim, s.cfg.service_time.draw(s.env.rng));
    if (s.cfg.response_size) ok = co_await write_all(s, fd, s.cfg.response_size);
    if (ok) ++s.env.result.counters["requests"];
  }
  if (ok) ++s.env.result.counters["served"];
  stack::sys_close(&s.env.k, fd);
}

void count_accept(Server& s) {
  ++s.env.result.counters["accepted"];
  ++s.listener->result.accepted;
}

// accept() failed (EMFILE, ENOBUFS, ...): back off a little, as real servers
// do, rather than spin at one instant.
sim::Task<void> accept_failed(Server& s) {
  ++s.env.result.counters["accept_errors"];
  co_await sim::sleep(s.env.sim, sim::milliseconds(1));
}

// A worker of a pool: accept, serve, repeat.
sim::Task<void> worker(Server& s) {
  for (;;) {
    const int fd = co_await accept_one(s);
    if (fd < 0) {
      co_await accept_failed(s);
      continue;
    }
    count_accept(s);
    co_await serve(s, fd);
  }
}

sim::Task<void> run(AppEnv& env, const std::any& config) {
  const auto& cfg = std::any_cast<const ServerConfig&>(config);
  auto state = std::make_shared<Server>(env, cfg);
  env.keep_alive.push_back(state);
  Server& s = *state;
  s.buf.resize(static_cast<size_t>(std::min<uint64_t>(std::max(cfg.request_size, cfg.response_size), 65536) + 1));
  for (const char* c : {"accepted", "served", "requests", "accept_errors"}) env.result.counters[c] = 0;

  stack::net* k = &env.k;
  s.lfd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  if (s.lfd < 0) throw std::runtime_error("socket(): " + errno_name(s.lfd));
  const int one = 1;
  stack::sys_setsockopt(k, s.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in a = make_sockaddr(cfg.addr, cfg.port);
  if (int r = stack::sys_bind(k, s.lfd, reinterpret_cast<const sockaddr*>(&a), sizeof a); r < 0)
    throw std::runtime_error("bind(" + std::to_string(cfg.port) + "): " + errno_name(r));
  if (int r = stack::sys_listen(k, s.lfd, cfg.backlog); r < 0)
    throw std::runtime_error("listen(): " + errno_name(r));
  s.listener = &env.add_listener(s.lfd, cfg.addr, cfg.port, cfg.backlog);
  if (cfg.never_accept) co_return;  // the listening fd stays open
  if (!cfg.pause.empty()) stack::sys_fcntl(k, s.lfd, F_SETFL, O_NONBLOCK);

  if (cfg.workers > 0) {
    for (uint32_t i = 0; i < cfg.workers; ++i) env.tasks.spawn(worker(s));
    co_return;
  }
  // No pool: one task per accepted connection, like a thread-per-connection
  // or event-loop server that never stops accepting for slow clients.
  for (;;) {
    const int fd = co_await accept_one(s);
    if (fd < 0) {
      co_await accept_failed(s);
      continue;
    }
    count_accept(s);
    env.tasks.spawn(serve(s, fd));
  }
}

}  // namespace

extern const AppDef server_app = {
    .type = "server",
    .summary = "listen on a port with a backlog; accept under a policy; read a request, respond, close",
    .kind = AppKind::kServer,
    .keys = kKeys,
    .counters = kCounters,
    .parse = parse,
    .to_json = to_json,
    .run = run,
};

}  // namespace scenario::apps

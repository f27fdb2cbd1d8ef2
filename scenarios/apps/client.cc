// client: TCP clients as a load generator would drive them. Each connection
// is socket, connect (optionally with a timeout, through SO_SNDTIMEO as a
// blocking C client would set it), then per request write the request and
// read the whole response, then close. Every connection leaves a ConnRecord:
// when it started, connected, got its first response byte and finished, or
// the errno that ended it.
//
// Two ways to drive it:
//   open loop   "rate": R connections per second, "arrival": "poisson" (default)
//               or "constant"; new connections start whatever the old ones do
//   closed loop "concurrency": N tasks, each runs one connection at a time,
//               with "think_time" between them; N tasks with "count": N is a
//               thundering herd (all connect at the same instant)
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <memory>
#include <vector>

#include "scenarios/apps/app.h"
#include "stack/socket.h"

namespace scenario::apps {

namespace {

using sim::config::JsonObject;
using sim::config::JsonValue;

struct ClientConfig {
  Endpoint dst;
  double rate = 0;           // open loop; 0 = closed loop
  bool poisson = true;
  uint32_t concurrency = 0;  // closed loop
  uint64_t count = 0;        // connections in total; 0 = until the run stops
  uint64_t request_size = 100;
  uint64_t response_size = 1000;
  uint32_t requests_per_connection = 1;
  sim::Time connect_timeout;  // 0 = none (the kernel's SYN retries decide)
  Dist think_time;            // closed loop: pause between a task's connections
};

constexpr std::string_view kKeys[] = {"dst",          "rate",         "arrival",
                                      "concurrency",  "count",        "request_size",
                                      "response_size", "requests_per_connection", "connect_timeout",
                                      "think_time"};
constexpr std::string_view kCounters[] = {"launched"};

std::any parse(const JsonObject& o, AppParseCtx& ctx) {
  ClientConfig c;
  c.dst = ctx.resolve_dst(o.required("dst"));
  const bool has_rate = o.has("rate");
  const bool has_conc = o.has("concurrency");
  if (has_rate == has_conc)
    o.fail(has_rate ? "give either \"rate\" (open loop) or \"concurrency\" (closed loop), not both"
                    : "missing \"rate\" (open loop, connections per second) or \"concurrency\" (closed loop)");
  if (has_rate) {
    c.rate = parse_rate(o.required("rate"));
    if (auto a = o.get("arrival")) {
      const std::string s = a->as_string();
      if (s == "constant") {
        c.poisson = false;
      } else if (s != "poisson") {
        a->fail_expected("\"poisson\" or \"constant\"");
      }
    }
    if (auto t = o.get("think_time")) t->fail("only for closed-loop clients (\"concurrency\")");
  } else {
    c.concurrency = static_cast<uint32_t>(o.required("concurrency").as_int(1, 1000000));
    if (auto a = o.get("arrival")) a->fail("only for open-loop clients (\"rate\")");
    if (auto t = o.get("think_time")) c.think_time = parse_dist(*t);
  }
  c.count = static_cast<uint64_t>(o.get_int("count", 0, 0, int64_t{1} << 40));
  c.request_size = o.get_size("request_size", 100);
  c.response_size = o.get_size("response_size", 1000);
  c.requests_per_connection = static_cast<uint32_t>(o.get_int("requests_per_connection", 1, 1, 1000000));
  c.connect_timeout = o.get_duration("connect_timeout", sim::Time());
  return c;
}

nlohmann::json to_json(const std::any& a) {
  const auto& c = std::any_cast<const ClientConfig&>(a);
  nlohmann::json j = {{"dst", c.dst.text},
                      {"count", c.count},
                      {"request_size", std::to_string(c.request_size) + "B"},
                      {"response_size", std::to_string(c.response_size) + "B"},
                      {"requests_per_connection", c.requests_per_connection},
                      {"connect_timeout", duration_text(c.connect_timeout)}};
  if (c.rate > 0) {
    j["rate"] = c.rate;
    j["arrival"] = c.poisson ? "poisson" : "constant";
  } else {
    j["concurrency"] = c.concurrency;
    j["think_time"] = dist_to_json(c.think_time);
  }
  return j;
}

struct Client {
  Client(AppEnv& e, const ClientConfig& c) : env(e), cfg(c) {}
  AppEnv& env;
  const ClientConfig& cfg;
  uint64_t launched = 0;
  std::vector<char> buf;
};

void fail(Client& c, size_t i, std::string what) { c.env.client->conns[i].failure = std::move(what); }

sim::Task<void> one_connection(Client& c) {
  stack::net* k = &c.env.k;
  const size_t i = c.env.client->conns.size();
  c.env.client->conns.push_back(ConnRecord{});
  ++c.launched;
  c.env.result.counters["launched"] = c.launched;
  ConnRecord* r = &c.env.client->conns[i];
  r->start_ns = c.env.sim.now().ns();
  r->daddr = c.cfg.dst.addr;
  r->dport = c.cfg.dst.port;

  const int fd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    fail(c, i, errno_name(fd));
    co_return;
  }
  if (c.cfg.connect_timeout > sim::Time()) {
    const timeval tv{static_cast<time_t>(c.cfg.connect_timeout.sec()),
                     static_cast<suseconds_t>(c.cfg.connect_timeout.us() % 1000000)};
    stack::sys_setsockopt(k, fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  const sockaddr_in dst = make_sockaddr(c.cfg.dst.addr, c.cfg.dst.port);
  const int err = co_await stack::sys_connect(k, fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
  r = &c.env.client->conns[i];  // other connections may have grown the vector meanwhile
  if (err < 0) {
    // A blocking connect() that hits SO_SNDTIMEO returns EINPROGRESS.
    fail(c, i, err == -EINPROGRESS && c.cfg.connect_timeout > sim::Time() ? "connect_timeout" : errno_name(err));
    stack::sys_close(k, fd);
    co_return;
  }
  r->connected_ns = c.env.sim.now().ns();
  sockaddr_in me{};
  int len = sizeof me;
  if (stack::sys_getsockname(k, fd, reinterpret_cast<sockaddr*>(&me), &len) == 0) {
    r->saddr = ntohl(me.sin_addr.s_addr);
    r->sport = ntohs(me.sin_port);
  }
  if (c.cfg.connect_timeout > sim::Time()) {
    const timeval none{0, 0};
    stack::sys_setsockopt(k, fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  }

  for (uint32_t q = 0; q < c.cfg.requests_per_connection; ++q) {
    for (uint64_t left = c.cfg.request_size; left > 0;) {
      const long n = co_await stack::sys_write(k, fd, c.buf.data(), std::min<uint64_t>(left, c.buf.size()));
      if (n < 0) {
        fail(c, i, errno_name(static_cast<int>(n)));
        stack::sys_close(k, fd);
        co_return;
      }
      left -= static_cast<uint64_t>(n);
    }
    for (uint64_t left = c.cfg.response_size; left > 0;) {
      const long n = co_await stack::sys_read(k, fd, c.buf.data(), std::min<uint64_t>(left, c.buf.size()));
      if (n <= 0) {
        fail(c, i, n == 0 ? std::string("eof") : errno_name(static_cast<int>(n)));
        stack::sys_close(k, fd);
        co_return;
      }
      r = &c.env.client->conns[i];
      if (r->first_byte_ns < 0) r->first_byte_ns = c.env.sim.now().ns();
      left -= static_cast<uint64_t>(n);
    }
  }
  stack::sys_close(k, fd);
  c.env.client->conns[i].done_ns = c.env.sim.now().ns();
}

bool more(const Client& c) { return c.cfg.count == 0 || c.launched < c.cfg.count; }

// Closed loop: one connection at a time.
sim::Task<void> loop_task(Client& c) {
  while (more(c)) {
    co_await one_connection(c);
    if (!c.cfg.think_time.zero()) co_await sim::sleep(c.env.sim, c.cfg.think_time.draw(c.env.rng));
  }
}

sim::Task<void> run(AppEnv& env, const std::any& config) {
  const auto& cfg = std::any_cast<const ClientConfig&>(config);
  auto state = std::make_shared<Client>(env, cfg);
  env.keep_alive.push_back(state);
  Client& c = *state;
  c.buf.resize(static_cast<size_t>(std::min<uint64_t>(std::max(cfg.request_size, cfg.response_size), 65536) + 1));
  env.result.counters["launched"] = 0;

  if (cfg.concurrency > 0) {
    for (uint32_t t = 0; t < cfg.concurrency; ++t) env.tasks.spawn(loop_task(c));
    co_return;
  }
  // Open loop: arrivals at rate R, each connection its own task. Constant
  // arrivals are computed from the start time, so they do not drift.
  const sim::Time t0 = env.sim.now();
  const double mean_ns = 1e9 / cfg.rate;
  sim::Time next = t0;
  // `n` counts spawned connections: a spawned task starts (and counts itself
  // in `launched`) only after this loop yields.
  for (uint64_t n = 0; cfg.count == 0 || n < cfg.count; ++n) {
    if (next > env.sim.now()) co_await sim::sleep(env.sim, next - env.sim.now());
    env.tasks.spawn(one_connection(c));
    const double gap = cfg.poisson ? env.rng.exponential(mean_ns) : mean_ns;
    next = cfg.poisson ? next + sim::Time::from_ns(static_cast<int64_t>(std::llround(gap)))
                       : t0 + sim::Time::from_ns(static_cast<int64_t>(std::llround(mean_ns * static_cast<double>(n + 1))));
  }
}

}  // namespace

extern const AppDef client_app = {
    .type = "client",
    .summary = "TCP clients, open loop (rate) or closed loop (concurrency); records every connection",
    .kind = AppKind::kClient,
    .keys = kKeys,
    .counters = kCounters,
    .parse = parse,
    .to_json = to_json,
    .run = run,
};

}  // namespace scenario::apps

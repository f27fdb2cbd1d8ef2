#include "scenarios/apps/app.h"

#include <arpa/inet.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "sim/wire/ipv4_addr.h"

namespace scenario::apps {

using sim::config::JsonValue;

// ---- AppParseCtx --------------------------------------------------------------

uint32_t AppParseCtx::node_addr(uint32_t node_id) const {
  for (const sim::net::DevRef& d : topo_.node_devs[node_id]) {
    const sim::net::EndpointSpec& e = topo_.endpoint(d);
    if (e.numbered) return e.addr.addr;
  }
  return 0;
}

Endpoint AppParseCtx::resolve_dst(const JsonValue& v) const {
  const std::string text = v.as_string();
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    v.fail_expected("HOST:PORT or ADDRESS:PORT, like \"server:80\" or \"10.0.0.2:80\"");
  const std::string name = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    v.fail("port in \"" + text + "\" must be an integer in [1, 65535]");

  Endpoint ep;
  ep.text = text;
  ep.port = static_cast<uint16_t>(port);
  if (auto a = sim::wire::parse_ipv4_addr(name)) {
    ep.addr = *a;
    for (uint32_t n = 0; n < topo_.nodes.size() && ep.host.empty(); ++n)
      for (const sim::net::DevRef& d : topo_.node_devs[n])
        if (topo_.endpoint(d).numbered && topo_.endpoint(d).addr.addr == *a) ep.host = topo_.nodes[n].name;
  } else {
    const int64_t n = topo_.find_node(name);
    if (n < 0) v.fail("unknown host \"" + name + "\" in \"" + text + "\" (not a node of the topology)");
    ep.host = name;
    if (topo_.nodes[static_cast<size_t>(n)].kind != sim::net::NodeKind::kHost)
      v.fail("\"" + name + "\" is a router; routers run no TCP stack");
    ep.addr = node_addr(static_cast<uint32_t>(n));
    if (ep.addr == 0) v.fail("node \"" + name + "\" has no address (all its devices are unnumbered)");
  }
  if (const int64_t n = topo_.find_node(ep.host);
      n >= 0 && topo_.nodes[static_cast<size_t>(n)].kind != sim::net::NodeKind::kHost)
    v.fail("\"" + ep.host + "\" is a router; routers run no TCP stack");
  if (ep.host == host)
    v.fail("\"" + text + "\" is the app's own host; SIM: hosts have no loopback device, so apps talk to other hosts");
  const sim::net::RouteTrace tr = sim::net::trace_route(topo_, routes_, node, ep.addr);
  if (!tr.delivered)
    v.fail(sim::wire::ipv4_addr_str(ep.addr) + " is not reachable from " + host + ": " + tr.why);
  return ep;
}

void AppParseCtx::claim_port(const JsonValue& v, uint32_t addr, uint16_t port) {
  for (const Claim& c : claims_) {
    if (c.node != node || c.port != port) continue;
    if (c.addr == 0 || addr == 0 || c.addr == addr)
      v.fail("port " + std::to_string(port) + " on " + host + " is already in use by " + c.by);
  }
  claims_.push_back(Claim{node, addr, port, app_pointer});
}

// ---- AppEnv -------------------------------------------------------------------

ListenerHandle& AppEnv::add_listener(int fd, uint32_t addr, uint16_t port, int backlog) {
  ListenerHandle& l = listeners.emplace_back();
  l.k = &k;
  l.fd = fd;
  l.result.app_name = name;
  l.result.host = k.hostname;
  l.result.app = index;
  l.result.addr = addr;
  l.result.port = port;
  l.result.backlog = backlog;
  int err = 0;
  if (stack::socket* s = stack::sockfd_lookup(&k, fd, &err)) l.result.max_ack_backlog = s->sk->sk_max_ack_backlog;
  return l;
}

// ---- Dist ---------------------------------------------------------------------

sim::Time Dist::draw(sim::Rng& rng) const {
  switch (kind) {
    case Kind::kConst:
      return a;
    case Kind::kExp:
      return sim::Time::from_ns(static_cast<int64_t>(std::llround(rng.exponential(static_cast<double>(a.ns())))));
    case Kind::kUniform:
      return sim::Time::from_ns(static_cast<int64_t>(rng.uniform(static_cast<uint64_t>(a.ns()),
                                                                 static_cast<uint64_t>(b.ns()))));
  }
  return a;
}

Dist parse_dist(const JsonValue& v) {
  Dist d;
  if (v.is_string()) {
    d.a = v.as_duration();
    return d;
  }
  if (!v.is_object())
    v.fail_expected("a duration like \"10ms\" or {\"dist\": \"exp\", \"mean\": \"10ms\"}");
  const std::string dist = v.json().contains("dist") && v.json()["dist"].is_string()
                               ? v.json()["dist"].get<std::string>()
                               : std::string();
  if (dist == "exp") {
    sim::config::JsonObject o = v.as_object({"dist", "mean"});
    d.kind = Dist::Kind::kExp;
    d.a = o.required("mean").as_duration();
  } else if (dist == "uniform") {
    sim::config::JsonObject o = v.as_object({"dist", "min", "max"});
    d.kind = Dist::Kind::kUniform;
    d.a = o.required("min").as_duration();
    d.b = o.required("max").as_duration();
    if (d.b < d.a) o.required("max").fail("max must not be less than min");
  } else if (dist == "const") {
    sim::config::JsonObject o = v.as_object({"dist", "value"});
    d.a = o.required("value").as_duration();
  } else {
    sim::config::JsonObject o = v.as_map();
    o.required("dist").fail_expected("\"const\", \"exp\" or \"uniform\"");
  }
  return d;
}

nlohmann::json dist_to_json(const Dist& d) {
  switch (d.kind) {
    case Dist::Kind::kConst:
      return duration_text(d.a);
    case Dist::Kind::kExp:
      return {{"dist", "exp"}, {"mean", duration_text(d.a)}};
    case Dist::Kind::kUniform:
      return {{"dist", "uniform"}, {"min", duration_text(d.a)}, {"max", duration_text(d.b)}};
  }
  return nullptr;
}

std::string duration_text(sim::Time t) {
  const int64_t ns = t.ns();
  if (ns == 0) return "0";
  if (ns % 1000000000 == 0) return std::to_string(ns / 1000000000) + "s";
  if (ns % 1000000 == 0) return std::to_string(ns / 1000000) + "ms";
  if (ns % 1000 == 0) return std::to_string(ns / 1000) + "us";
  return std::to_string(ns) + "ns";
}

double parse_rate(const JsonValue& v) {
  if (!v.is_number() || !(v.json().get<double>() > 0) || !std::isfinite(v.json().get<double>()))
    v.fail_expected("a rate per second (a number > 0)");
  const double r = v.json().get<double>();
  if (r > 1e9) v.fail_expected("a rate per second of at most 1e9");
  return r;
}

namespace {

struct ErrnoName {
  int err;
  const char* name;
};
// The errors a socket call can end a connection with in this stack, and a few
// more a user may name in expect. Linux's numbering (x86-64).
constexpr ErrnoName kErrnoNames[] = {
    {EPERM, "EPERM"},           {EINTR, "EINTR"},           {EBADF, "EBADF"},
    {EAGAIN, "EAGAIN"},         {ENOMEM, "ENOMEM"},         {EACCES, "EACCES"},
    {EINVAL, "EINVAL"},         {EMFILE, "EMFILE"},         {EPIPE, "EPIPE"},
    {ENOTSOCK, "ENOTSOCK"},     {EMSGSIZE, "EMSGSIZE"},     {ENOPROTOOPT, "ENOPROTOOPT"},
    {EOPNOTSUPP, "EOPNOTSUPP"}, {EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {ENETDOWN, "ENETDOWN"},     {ENETUNREACH, "ENETUNREACH"}, {ECONNABORTED, "ECONNABORTED"},
    {ECONNRESET, "ECONNRESET"}, {ENOBUFS, "ENOBUFS"},       {EISCONN, "EISCONN"},
    {ENOTCONN, "ENOTCONN"},     {ETIMEDOUT, "ETIMEDOUT"},   {ECONNREFUSED, "ECONNREFUSED"},
    {EHOSTUNREACH, "EHOSTUNREACH"}, {EALREADY, "EALREADY"}, {EINPROGRESS, "EINPROGRESS"},
};
static_assert(ECONNREFUSED == 111 && ETIMEDOUT == 110 && ECONNRESET == 104, "Linux errno numbering");

}  // namespace

std::string errno_name(int err) {
  if (err < 0) err = -err;
  for (const ErrnoName& e : kErrnoNames)
    if (e.err == err) return e.name;
  return "E" + std::to_string(err);
}

bool is_errno_name(std::string_view name) {
  for (const ErrnoName& e : kErrnoNames)
    if (name == e.name) return true;
  return false;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string_view best;
  size_t best_d = 3;  // typos only
  for (std::string_view c : candidates) {
    const size_t d = distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? std::string() : " (did you mean \"" + std::string(best) + "\"?)";
}

sockaddr_in make_sockaddr(uint32_t addr, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(addr);
  return a;
}

}  // namespace scenario::apps

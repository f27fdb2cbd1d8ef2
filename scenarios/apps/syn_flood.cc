// syn_flood: spoofed SYNs at a rate (constant or a linear ramp), from source
// addresses drawn out of a prefix, with random or fixed source ports, with or
// without the options a Linux client puts in its SYN.
//
// SIM: stack/raw.h carries no traffic (a raw socket's sendmsg fails), so the
// flood does what an IP_HDRINCL raw socket amounts to: it builds complete
// IPv4/TCP packets and hands them to its host's device (dev_queue_xmit). The
// attacker's own TCP stack never sees them, as on Linux. Each SYN costs one
// pooled skb and one timer event; nothing is allocated per packet.
//
// The spoofed sources: SYN-ACKs addressed to them go wherever the network
// routes them. Those that come back to the attacker's host (when it announces
// the prefix, or is the only way out, as on two_hosts.json) are taken off the
// host's receive path here, counted, and answered with a RST for a fraction
// `rst_fraction` of them ("some spoofed addresses belong to real hosts");
// by default nobody answers. Those routed elsewhere die at a router with no
// route (counted there as InNoRoutes).
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "scenarios/apps/app.h"
#include "sim/net/net_device.h"
#include "sim/wire/bytes.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/skb_build.h"
#include "sim/wire/tcp.h"
#include "sim/wire/tcp_options.h"

namespace scenario::apps {

namespace {

using sim::config::JsonObject;
using sim::config::JsonValue;

struct SynFloodConfig {
  Endpoint dst;
  double rate_pps = 0;       // constant rate; with a ramp: the start rate
  double ramp_to_pps = 0;    // 0: no ramp
  sim::Time ramp_over;
  uint64_t count = 0;        // 0: no limit
  sim::Time duration;        // 0: until the run stops
  sim::wire::Ipv4Prefix src{sim::wire::ipv4_addr(198, 18, 0, 0), 15};  // RFC 2544's benchmarking block
  bool random_sport = true;
  uint16_t sport = 0;
  bool options = true;
  sim::config::Probability rst_fraction;
};

constexpr std::string_view kKeys[] = {"dst",  "rate_pps", "ramp",    "count",       "duration",
                                      "src_prefix", "sport", "options", "rst_fraction"};
constexpr std::string_view kCounters[] = {"syns_sent", "syns_dropped_at_device", "synacks_received", "rsts_sent"};

std::any parse(const JsonObject& o, AppParseCtx& ctx) {
  SynFloodConfig c;
  c.dst = ctx.resolve_dst(o.required("dst"));
  if (o.has("rate_pps") == o.has("ramp"))
    o.fail("give exactly one of \"rate_pps\" (constant) and \"ramp\" ({\"from_pps\", \"to_pps\", \"over\"})");
  if (auto r = o.get("rate_pps")) c.rate_pps = parse_rate(*r);
  if (auto r = o.get("ramp")) {
    JsonObject ro = r->as_object({"from_pps", "to_pps", "over"});
    c.rate_pps = parse_rate(ro.required("from_pps"));
    c.ramp_to_pps = parse_rate(ro.required("to_pps"));
    c.ramp_over = ro.required("over").as_duration();
    if (c.ramp_over <= sim::Time()) ro.required("over").fail_expected("a duration > 0");
  }
  c.count = static_cast<uint64_t>(o.get_int("count", 0, 0, int64_t{1} << 40));
  c.duration = o.get_duration("duration", sim::Time());
  if (auto p = o.get("src_prefix")) c.src = p->as_ipv4_network();
  if (auto p = o.get("sport")) {
    if (p->is_string()) {
      if (p->as_string() != "random") p->fail_expected("\"random\" or a port number");
    } else {
      c.random_sport = false;
      c.sport = static_cast<uint16_t>(p->as_int(1, 65535));
    }
  }
  c.options = o.get_bool("options", true);
  c.rst_fraction = o.get_probability("rst_fraction", {});
  if (!c.rst_fraction.never()) {
    // Someone must be there to answer: SYN-ACKs to the prefix have to come
    // back to this host.
    const int64_t server = c.dst.host.empty() ? -1 : ctx.topo().find_node(c.dst.host);
    if (server >= 0) {
      const sim::net::RouteTrace tr =
          sim::net::trace_route(ctx.topo(), ctx.routes(), static_cast<uint32_t>(server), c.src.addr);
      if (tr.nodes.empty() || tr.nodes.back() != ctx.node)
        o.required("rst_fraction")
            .fail("SYN-ACKs to " + sim::wire::ipv4_prefix_str(c.src) + " are not routed back to " + ctx.host +
                  ", so no spoofed source can answer; announce the prefix at " + ctx.host + " in the topology");
    }
  }
  return c;
}

nlohmann::json to_json(const std::any& a) {
  const auto& c = std::any_cast<const SynFloodConfig&>(a);
  nlohmann::json j = {{"dst", c.dst.text},
                      {"count", c.count},
                      {"duration", duration_text(c.duration)},
                      {"src_prefix", sim::wire::ipv4_prefix_str(c.src)},
                      {"options", c.options},
                      {"rst_fraction", static_cast<double>(c.rst_fraction.scaled) /
                                           static_cast<double>(sim::config::Probability::kOne)}};
  if (c.ramp_to_pps > 0) {
    j["ramp"] = {{"from_pps", c.rate_pps}, {"to_pps", c.ramp_to_pps}, {"over", duration_text(c.ramp_over)}};
  } else {
    j["rate_pps"] = c.rate_pps;
  }
  if (c.random_sport) {
    j["sport"] = "random";
  } else {
    j["sport"] = c.sport;
  }
  return j;
}

// The spoofed sources, seen from the attacker's host: a filter in front of
// its receive hook.
struct SpoofedSources {
  AppEnv* env = nullptr;
  const SynFloodConfig* cfg = nullptr;
  sim::net::RxFn inner = nullptr;  // the host stack's receive hook
  void* inner_ctx = nullptr;
  sim::Rng rng{0};
  sim::net::NetDevice* out = nullptr;  // where answers leave
  uint64_t* synacks = nullptr;  // into the app's counters (std::map nodes do not move)
  uint64_t* rsts = nullptr;
};

void send_rst(SpoofedSources& s, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq) {
  sim::SkBuff* skb = s.env->pool.alloc();
  sim::wire::Ipv4Repr ip;
  ip.saddr = saddr;
  ip.daddr = daddr;
  sim::wire::TcpRepr rst;
  rst.sport = sport;
  rst.dport = dport;
  rst.seq = seq;
  rst.flags = sim::wire::TCPHDR_RST;
  if (!sim::wire::build_tcp_packet(skb, ip, rst)) {
    kfree_skb(skb);
    return;
  }
  sim::net::dev_queue_xmit(*s.out, skb);
  ++*s.rsts;
}

void spoofed_rx(void* ctx, sim::net::NetDevice& dev, sim::SkBuff* skb) {
  auto& s = *static_cast<SpoofedSources*>(ctx);
  sim::wire::Ipv4Repr ip;
  const bool is_ip = sim::wire::parse_ipv4(skb->data, skb->len, ip) == sim::wire::ParseResult::kOk;
  if (!is_ip || !sim::wire::ipv4_prefix_contains(s.cfg->src, ip.daddr)) {
    s.inner(s.inner_ctx, dev, skb);
    return;
  }
  sim::wire::TcpRepr tcp;
  const uint8_t* th = skb->data + ip.ihl_bytes;
  if (ip.protocol == sim::wire::kIpProtoTcp &&
      sim::wire::parse_tcp(th, ip.total_len - ip.ihl_bytes, ip.saddr, ip.daddr, tcp, false) ==
          sim::wire::ParseResult::kOk &&
      (tcp.flags & (sim::wire::TCPHDR_SYN | sim::wire::TCPHDR_ACK)) == (sim::wire::TCPHDR_SYN | sim::wire::TCPHDR_ACK)) {
    ++*s.synacks;
    // A real host that never sent this SYN answers the SYN-ACK with a RST
    // whose sequence number is the SYN-ACK's ACK (RFC 9293 section 3.10.7.1).
    if (!s.cfg->rst_fraction.never() && (s.rng.next_u32() < s.cfg->rst_fraction.scaled))
      send_rst(s, ip.daddr, ip.saddr, tcp.dport, tcp.sport, tcp.ack);
  }
  kfree_skb(skb);
}

sim::Task<void> run(AppEnv& env, const std::any& config) {
  const auto& cfg = std::any_cast<const SynFloodConfig&>(config);
  const sim::net::Route* rt = env.node.fib.lookup(cfg.dst.addr);
  if (!rt || !rt->dev) throw std::runtime_error("no route to " + cfg.dst.text);
  sim::net::NetDevice& dev = *rt->dev;

  auto spoofed = std::make_shared<SpoofedSources>();
  env.keep_alive.push_back(spoofed);
  spoofed->env = &env;
  spoofed->cfg = &cfg;
  spoofed->inner = env.node.local_rx;
  spoofed->inner_ctx = env.node.local_ctx;
  spoofed->rng = sim::Rng(env.rng.next_u64());
  spoofed->out = &dev;
  auto& counters = env.result.counters;
  for (const std::string_view c : kCounters) counters[std::string(c)] = 0;
  uint64_t& sent = counters["syns_sent"];
  uint64_t& dropped = counters["syns_dropped_at_device"];
  spoofed->synacks = &counters["synacks_received"];
  spoofed->rsts = &counters["rsts_sent"];
  env.node.local_rx = spoofed_rx;
  env.node.local_ctx = spoofed.get();

  // The SYN a Linux client sends: MSS, SACK permitted, timestamps, NOP, wscale.
  sim::wire::TcpOptWriter opts;
  opts.mss(1460).sack_perm().timestamp(0, 0).nop().wscale(7);

  const sim::Time t0 = env.sim.now();
  const uint32_t host_bits = 32 - cfg.src.len;
  sim::Time next = t0;
  while (cfg.count == 0 || sent + dropped < cfg.count) {
    if (cfg.duration > sim::Time() && next - t0 >= cfg.duration) break;
    if (next > env.sim.now()) co_await sim::sleep(env.sim, next - env.sim.now());

    sim::wire::Ipv4Repr ip;
    ip.saddr = cfg.src.addr | (host_bits == 0 ? 0u
                                              : static_cast<uint32_t>(env.rng.uniform(uint64_t{1} << host_bits)));
    ip.daddr = cfg.dst.addr;
    ip.id = static_cast<uint16_t>(env.rng.next_u32());
    sim::wire::TcpRepr syn;
    syn.sport = cfg.random_sport ? static_cast<uint16_t>(1024 + env.rng.uniform(65536 - 1024)) : cfg.sport;
    syn.dport = cfg.dst.port;
    syn.seq = env.rng.next_u32();
    syn.flags = sim::wire::TCPHDR_SYN;
    syn.window = 64240;  // what Linux advertises in a SYN (44 * 1460)
    uint8_t optbuf[sim::wire::kTcpMaxOptionsLen];
    if (cfg.options) {
      std::copy(opts.data(), opts.data() + opts.size(), optbuf);
      sim::wire::store_be32(optbuf + 8, static_cast<uint32_t>(env.sim.now().ms()));  // TSval
      syn.options = optbuf;
      syn.options_len = opts.size();
    }
    sim::SkBuff* skb = env.pool.alloc();
    if (!sim::wire::build_tcp_packet(skb, ip, syn)) {
      kfree_skb(skb);
      throw std::runtime_error("syn_flood: cannot build a SYN");
    }
    if (sim::net::dev_queue_xmit(dev, skb) == sim::net::NET_XMIT_SUCCESS) {
      ++sent;
    } else {
      ++dropped;
    }

    double rate = cfg.rate_pps;
    if (cfg.ramp_to_pps > 0) {
      const double f = std::min(1.0, static_cast<double>((env.sim.now() - t0).ns()) /
                                         static_cast<double>(cfg.ramp_over.ns()));
      rate = cfg.rate_pps + (cfg.ramp_to_pps - cfg.rate_pps) * f;
    }
    next = next + sim::Time::from_ns(std::max<int64_t>(1, static_cast<int64_t>(std::llround(1e9 / rate))));
  }
}

}  // namespace

extern const AppDef syn_flood_app = {
    .type = "syn_flood",
    .summary = "spoofed SYNs at a constant or ramped rate from a source prefix; the sources never answer (or some RST)",
    .kind = AppKind::kOther,
    .keys = kKeys,
    .counters = kCounters,
    .parse = parse,
    .to_json = to_json,
    .run = run,
};

}  // namespace scenario::apps

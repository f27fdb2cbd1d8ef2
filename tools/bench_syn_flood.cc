// Listen-path benchmarks: a spoofed SYN flood against one listener through a
// simulated link, and the memory cost of half-open requests.
//
// syn_flood: an attacker host injects spoofed SYNs (random sources in
// 10.128.0.0/9, random ports) at a constant rate into a 10 Gbps / 100 us link;
// the server's kernel runs tcp_conn_request() for each (request sock or SYN
// cookie) and sends a SYN-ACK back through the link. Counted packets are SYNs
// received plus SYN-ACKs sent, i.e. what crossed the server's stack.
//
// half_open: syncookies off and a backlog large enough that every SYN becomes
// a request sock; reports the slab object size and the bytes per request.
#include <arpa/inet.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/config/json_reader.h"
#include "sim/net/net_device.h"
#include "sim/net/network.h"
#include "sim/net/topology.h"
#include "sim/rng.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/tcp.h"
#include "sim/wire/tcp_options.h"
#include "stack/host/attach.h"
#include "stack/net.h"
#include "stack/snmp.h"
#include "stack/socket.h"
#include "tools/bench_cases.h"

namespace {

constexpr const char* kTopology = R"({
  "nodes": ["attacker", "server"],
  "links": [{
    "name": "attacker-server",
    "a": { "node": "attacker", "addr": "10.0.0.1/24" },
    "b": { "node": "server", "addr": "10.0.0.2/24" },
    "bandwidth": "10Gbps", "delay": "100us", "queue": { "packets": 100000 }
  }],
  "routes": [ { "node": "server", "prefix": "10.128.0.0/9", "via": "10.0.0.1" } ]
})";

struct FloodResult {
  double wall_s = 0;
  uint64_t syns_in = 0;
  uint64_t synacks_out = 0;
  uint64_t requests = 0;
  uint64_t cookies = 0;
  size_t req_object_size = 0;
  size_t req_bytes_reserved = 0;
  uint64_t events = 0;
};

// Injects one spoofed SYN per event; re-arms itself until `count` are sent.
struct Flooder {
  sim::Simulator* sim;
  sim::SkbPool* pool;
  sim::net::NetDevice* dev;
  sim::Rng rng;
  uint32_t daddr;
  uint64_t remaining;
  sim::Time gap;
  sim::Timer timer;

  static void fire(void* ctx, uint64_t) {
    auto* f = static_cast<Flooder*>(ctx);
    f->send_one();
    if (--f->remaining) f->sim->mod_timer(f->timer, f->sim->now() + f->gap);
  }
  void send_one() {
    sim::SkBuff* skb = pool->alloc();
    uint8_t optbuf[8];
    sim::wire::TcpOptWriter w;
    w.mss(1460).nop().wscale(7);
    sim::wire::TcpRepr t;
    t.sport = static_cast<uint16_t>(1024 + rng.uniform(64512));
    t.dport = 80;
    t.seq = rng.next_u32();
    t.flags = sim::wire::TCPHDR_SYN;
    t.window = 64240;
    w.attach(t);
    (void)optbuf;
    const uint32_t saddr = 0x0a800000u | static_cast<uint32_t>(rng.uniform(1u << 23));
    const uint32_t tlen = sim::wire::tcp_header_len(t);
    uint8_t* th = skb->push(tlen);
    sim::wire::emit_tcp_header(th, t);
    sim::wire::tcp_fill_checksum(th, tlen, saddr, daddr);
    sim::wire::Ipv4Repr ip;
    ip.saddr = saddr;
    ip.daddr = daddr;
    ip.protocol = 6;
    ip.ttl = 64;
    ip.total_len = static_cast<uint16_t>(tlen + 20);
    sim::wire::emit_ipv4(skb->push(20), ip);
    sim::net::dev_queue_xmit(*dev, skb);
  }
};

FloodResult run_flood(uint64_t syns, uint64_t rate_pps, int syncookies, int backlog) {
  sim::Simulator sim;
  sim::SkbPool pool;
  sim::config::JsonDoc doc = sim::config::parse_json_text("bench-topology", kTopology);
  sim::net::Network network(sim::net::parse_topology(sim::config::JsonValue(doc)), sim, pool, 1);
  stack::net server(sim, pool, "server", 1);
  stack::attach_to_node(server, *network.find_node("server"));
  server.sysctl.tcp_syncookies = syncookies;
  server.sysctl.somaxconn = backlog;
  // Above backlog, so that the unproven-peer rule (drop once 3/4 of
  // tcp_max_syn_backlog is pending) never binds before the SYN queue does.
  server.sysctl.tcp_max_syn_backlog = backlog * 4;
  const int fd = stack::sys_socket(&server, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(80);
  stack::sys_bind(&server, fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  stack::sys_listen(&server, fd, backlog);

  sim::net::Node* attacker = network.find_node("attacker");
  Flooder f{&sim, &pool, attacker->devs[0].get(), sim::Rng::derive(1, "bench:flood"), 0x0a000002u, syns,
            sim::nanoseconds(static_cast<int64_t>(1000000000ull / rate_pps)), {}};
  sim::timer_setup(f.timer, &Flooder::fire, &f);
  sim.mod_timer(f.timer, sim::microseconds(1));

  const auto start = std::chrono::steady_clock::now();
  // Run a little past the last SYN so every SYN-ACK has left the server, but
  // well before the first SYN-ACK retransmission (1 s after its request).
  const sim::Time end = f.gap * static_cast<int64_t>(syns) + sim::milliseconds(5);
  sim.run_until(end);
  FloodResult r;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.syns_in = server.mib[stack::TCP_MIB_INSEGS];
  r.synacks_out = server.mib[stack::TCP_MIB_OUTSEGS];
  r.requests = server.request_sock_cache.in_use();
  r.cookies = server.mib[stack::LINUX_MIB_SYNCOOKIESSENT];
  r.req_object_size = server.request_sock_cache.object_size();
  r.req_bytes_reserved = server.request_sock_cache.bytes_reserved();
  r.events = sim.stats().events_executed;
  return r;
}

}  // namespace

namespace bench {

// 2 million spoofed SYNs at 200k SYN/s (10 simulated seconds), cookies on,
// backlog 4096: the SYN queue fills, then every SYN is answered with a cookie.
std::string syn_flood(int runs) {
  std::vector<double> pps;
  FloodResult last;
  for (int i = 0; i < runs; ++i) {
    last = run_flood(2000000, 200000, 1, 4096);
    pps.push_back(static_cast<double>(last.syns_in + last.synacks_out) / last.wall_s);
  }
  return result_line("syn_flood", pps, "packets/s",
                     fmt::format("syns={} synacks={} cookies={} requests={} events={} sim_s={:.1f} wall_s={:.2f}",
                                 last.syns_in, last.synacks_out, last.cookies, last.requests, last.events, 10.0, last.wall_s));
}

// 1 million half-open requests held at once (syncookies off, backlog 2^20).
std::string half_open(int runs) {
  std::vector<double> bytes;
  FloodResult last;
  for (int i = 0; i < runs; ++i) {
    last = run_flood(1000000, 1000000, 0, 1 << 20);
    bytes.push_back(static_cast<double>(last.req_bytes_reserved) / static_cast<double>(last.requests));
  }
  return result_line("half_open", bytes, "bytes/request",
                     fmt::format("requests={} request_sock={}B slab_total={:.1f}MiB wall_s={:.2f}", last.requests,
                                 last.req_object_size, static_cast<double>(last.req_bytes_reserved) / (1 << 20),
                                 last.wall_s));
}

}  // namespace bench

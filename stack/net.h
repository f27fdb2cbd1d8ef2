// One simulated Linux kernel: the network namespace (sysctls, MIB counters,
// socket hash tables, tcp_metrics), the process-side fd table, and the
// registries the socket layer dispatches through (net_families[], inetsw[]).
// mirrors struct net (include/net/net_namespace.h), as far as the listen and
// connection paths need it; the fd table stands in for one process.
//
// The kernel talks to the world through `ip_link`: a route lookup, local
// address test and transmit. A sim::net host provides it, and so does the
// packetdrill runner's scripted peer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/rng.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "stack/inet_hashtables.h"
#include "stack/kmem_cache.h"
#include "stack/raw.h"
#include "stack/request_sock.h"
#include "stack/snmp.h"
#include "stack/socket.h"
#include "stack/sysctl.h"
#include "stack/tcp.h"  // KmemCache<tcp_sock> needs the complete type
#include "stack/udp.h"

namespace stack {

struct tcp_sock;
struct inet_protosw;

// Output route, as ip_route_output_key() would return it.
struct rtable {
  uint32_t rt_src = 0;      // preferred source address
  uint32_t rt_gateway = 0;  // 0: on-link
  uint32_t rt_mtu = 1500;
  void* dev = nullptr;      // opaque to the stack; handed back to xmit()
};

struct ip_link {
  void* ctx = nullptr;
  // Returns false when there is no route (ENETUNREACH).
  bool (*route)(void* ctx, uint32_t daddr, rtable* rt) = nullptr;
  bool (*is_local)(void* ctx, uint32_t addr) = nullptr;
  // Takes ownership of skb; skb->data is at the IPv4 header.
  void (*xmit)(void* ctx, void* dev, sim::SkBuff* skb) = nullptr;
};

// A stack decision worth tracing (events.jsonl): which kernel function
// decided what, for which 4-tuple.
struct TraceEvent {
  sim::Time t;
  const char* func;    // "tcp_conn_request"
  const char* verdict; // "drop", "cookie", "rst", "expire", ...
  const char* reason;  // "accept queue full", ...
  uint32_t saddr, daddr;
  uint16_t sport, dport;
};
struct Tracer {
  void* ctx = nullptr;
  void (*emit)(void* ctx, const std::string& host, const TraceEvent& ev) = nullptr;
};

// Secrets drawn from the host's random stream at boot (ISN, ts_off, cookies).
struct net_secrets {
  uint64_t isn_key[2];
  uint64_t cookie_key[2][2];
};

// mirrors struct tcp_metrics_block: the per-destination RTT cache that
// tcp_peer_is_proven() consults. SIM: only the RTT is kept.
struct tcp_metrics_entry {
  uint32_t rtt_us = 0;
  sim::Time stamp;
};

struct net {
  net(sim::Simulator& sim, sim::SkbPool& skbs, std::string hostname, uint64_t seed);
  ~net();
  net(const net&) = delete;
  net& operator=(const net&) = delete;

  sim::Simulator& sim;
  sim::SkbPool& skbs;
  std::string hostname;
  sim::Rng rng;
  net_secrets secrets;
  Sysctls sysctl;
  MibCounters mib;
  inet_hashinfo hashinfo;
  std::unordered_map<uint32_t, tcp_metrics_entry> tcp_metrics;  // keyed by peer address; never iterated
  ip_link link;
  Tracer tracer;
  bool has_cap_net_raw = true;          // the simulated process runs as root
  bool has_cap_net_bind_service = true;
  // Listen-path statistics for tools (not in Linux): queue maxima.
  uint32_t max_syn_queue = 0;
  uint32_t max_accept_queue = 0;

  // The fd table of the single simulated process on this host.
  std::vector<file*> fdt;
  int max_fds = 1024 * 1024;  // RLIMIT_NOFILE

  // Registries filled at boot: sock_register() and inet_register_protosw().
  std::array<const net_proto_family*, 46> net_families{};
  // inetsw[type]: the AF_INET protocols of each socket type, in search
  // order (af_inet.c). SIM: per kernel rather than a global list.
  std::array<std::vector<const inet_protosw*>, 11> inetsw{};
  // UDP's port table (net->ipv4.udp_table).
  udp_table udptable;

  // Slabs.
  KmemCache<tcp_sock> tcp_sock_cache{"TCP"};
  KmemCache<tcp_request_sock> request_sock_cache{"request_sock_TCP"};
  KmemCache<socket> socket_cache{"sock_inode_cache"};
  KmemCache<file> file_cache{"filp"};
  KmemCache<udp_sock> udp_sock_cache{"UDP"};
  KmemCache<raw_sock> raw_sock_cache{"RAW"};  // raw and ping sockets

  uint16_t ip_ident = 0;  // IP ID counter for non-DF packets

  void mib_inc(Mib m, uint64_t by = 1) { mib[m] += by; }
  sim::Time now() const { return sim.now(); }
  // Milliseconds since boot on the TCP timestamp clock (tcp_time_stamp_ms()).
  uint32_t tcp_time_stamp_ms() const { return static_cast<uint32_t>(sim.now().ms()); }
  void trace(const char* func, const char* verdict, const char* reason, uint32_t saddr, uint32_t daddr,
             uint16_t sport, uint16_t dport) {
    if (tracer.emit)
      tracer.emit(tracer.ctx, hostname, TraceEvent{sim.now(), func, verdict, reason, saddr, daddr, sport, dport});
  }
};

// Output of an IPv4 packet carrying `skb` (skb->data at the transport
// header). mirrors ip_build_and_send_pkt() / ip_queue_xmit().
// Returns 0 or -ENETUNREACH.
int ip_build_and_send_pkt(net* n, sim::SkBuff* skb, uint32_t saddr, uint32_t daddr, uint8_t protocol, uint8_t tos,
                          uint8_t ttl);
// Receive of an IPv4 packet addressed to this host (skb->data at the IPv4
// header). mirrors ip_rcv() + ip_local_deliver().
void ip_rcv(net* n, sim::SkBuff* skb);
// Whether `addr` is one of this host's addresses (inet_addr_type == RTN_LOCAL).
bool inet_addr_is_local(const net* n, uint32_t addr);
bool ip_route_output(const net* n, uint32_t daddr, rtable* rt);

}  // namespace stack

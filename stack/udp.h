// UDP: the udp_sock, the per-kernel port table and the entry points of
// net/ipv4/udp.c. mirrors include/net/udp.h and include/linux/udp.h.
//
// Datagrams travel as real IPv4/UDP bytes with checksums. The receive queue is
// a list of sk_buffs charged against SO_RCVBUF with the kernel's rule
// (__udp_enqueue_schedule_skb); a full queue drops and counts
// UdpRcvbufErrors + UdpInErrors.
// SIM: no ICMP (no port unreachable, no error queue), no fragmentation (a
// datagram larger than the route MTU fails with EMSGSIZE), no UDP-Lite,
// no GSO/GRO, no corking, no SO_REUSEPORT load balancing (the most recently
// bound of equally good sockets receives, as for SO_REUSEADDR).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "sim/skbuff.h"
#include "stack/sock.h"

namespace stack {

struct net;
struct socket;
struct proto;

// mirrors struct udp_sock
struct udp_sock : inet_sock {
  udp_sock* udp_port_next = nullptr;  // chain in udp_table, most recent bind first
  // SIM: sk_rmem_alloc lives in struct sock in Linux; only UDP charges it here.
  uint32_t sk_rmem_alloc = 0;
  uint32_t sk_drops = 0;
};

inline udp_sock* udp_sk(sock* sk) { return static_cast<udp_sock*>(sk); }

// mirrors struct udp_table: bound UDP sockets by local port. Lookups only,
// never iterated for output.
struct udp_table {
  std::unordered_map<uint16_t, udp_sock*> hash;
};

extern const proto udp_prot;

// mirrors udp_rcv() / __udp4_lib_rcv(): a datagram addressed to this host.
// skb->data is at the UDP header; skb->network_header locates the IPv4 header.
void udp_rcv(net* n, sim::SkBuff* skb);
// mirrors udp_lib_get_port() / udp_v4_get_port(): bind `snum` (0: an
// ephemeral port). Returns 0 or -EADDRINUSE.
int udp_v4_get_port(sock* sk, uint16_t snum);
// mirrors __udp4_lib_lookup(): the socket that receives a datagram from
// saddr:sport to daddr:dport, or null.
udp_sock* __udp4_lib_lookup(net* n, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
// mirrors udp_poll()
unsigned udp_poll(socket* sock);
// mirrors ip4_datagram_connect() (net/ipv4/datagram.c)
int ip4_datagram_connect(sock* sk, const sockaddr* uaddr, int addr_len);
int udp_disconnect(sock* sk, int flags);

// Truesize charged against sk_rcvbuf for a received datagram of `len`
// bytes of IP packet: SKB_TRUESIZE(len) on x86-64 (data rounded to 64 bytes,
// plus struct sk_buff and skb_shared_info). SIM: a received skb's real
// truesize depends on the driver; this is the linear-skb value.
uint32_t udp_skb_truesize(uint32_t len);

}  // namespace stack

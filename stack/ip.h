// IPv4 helpers shared by the transports: address classes, the output path
// for connected sockets and the SOL_IP socket options.
// mirrors include/net/ip.h, include/linux/in.h (ipv4_is_*) and
// include/net/route.h (inet_addr_type's RTN_* classes).
#pragma once

#include <cstdint>

#include "sim/skbuff.h"
#include "stack/sock.h"

namespace stack {

struct net;

inline bool ipv4_is_multicast(uint32_t a) { return (a & 0xf0000000u) == 0xe0000000u; }
inline bool ipv4_is_lbcast(uint32_t a) { return a == 0xffffffffu; }
inline bool ipv4_is_loopback(uint32_t a) { return (a & 0xff000000u) == 0x7f000000u; }
inline bool ipv4_is_zeronet(uint32_t a) { return (a & 0xff000000u) == 0; }

// Route types (enum rtn_type) as inet_addr_type() reports them.
enum : int { RTN_UNSPEC = 0, RTN_UNICAST = 1, RTN_LOCAL = 2, RTN_BROADCAST = 3, RTN_MULTICAST = 5 };
// mirrors inet_addr_type(): LOCAL for our addresses (127.0.0.0/8 included),
// MULTICAST for 224.0.0.0/4, BROADCAST for 255.255.255.255, else UNICAST.
// SIM: no directed (subnet) broadcast.
int inet_addr_type(const net* n, uint32_t addr);
// mirrors inet_addr_valid_or_nonlocal(): may a socket bind to addr?
bool inet_addr_valid_or_nonlocal(const net* n, const inet_sock* inet, uint32_t addr, int addr_type);

// mirrors ip_queue_xmit(): like ip_build_and_send_pkt(), but a connected
// socket numbers its packets from inet_sk(sk)->inet_id
// (ip_select_ident_segs()); an unconnected one sends ID 0 under DF.
// ttl 0 means the socket's default (ip_select_ttl()).
int ip_queue_xmit(sock* sk, sim::SkBuff* skb, uint32_t saddr, uint32_t daddr, uint8_t protocol, uint8_t tos,
                  uint8_t ttl);

// mirrors ip_setsockopt()/ip_getsockopt() (net/ipv4/ip_sockglue.c): level
// SOL_IP. Supports IP_TTL, IP_TOS, IP_FREEBIND and IP_RECVERR; other options
// give ENOPROTOOPT. Other levels give ENOPROTOOPT (as Linux does for an
// unknown level reaching IP).
int ip_setsockopt(sock* sk, int level, int optname, const void* optval, int optlen);
int ip_getsockopt(sock* sk, int level, int optname, void* optval, int* optlen);

}  // namespace stack

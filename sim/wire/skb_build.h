// Putting headers into an SkBuff the way the stack does: each layer pushes
// its own header in front of what the layer above left in skb->data, so a
// segment is built without copying the payload. push_tcp()/push_udp() are
// what tcp_transmit_skb()/udp_send_skb() call, push_ipv4() what
// ip_queue_xmit() calls; build_*_packet() run the whole sequence for tests
// and tools that need a complete packet.
#pragma once

#include <cstdint>

#include "sim/skbuff.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/tcp.h"
#include "sim/wire/udp.h"

namespace sim::wire {

// The payload is whatever skb holds (r.payload is ignored). Pushes the header
// and options, fills the checksum over header + payload, and records
// skb->transport_header. Returns the header, or nullptr (skb unchanged) when
// the headroom is too small.
uint8_t* push_tcp(SkBuff* skb, const TcpRepr& r, uint32_t saddr, uint32_t daddr);
uint8_t* push_udp(SkBuff* skb, const UdpRepr& r, uint32_t saddr, uint32_t daddr);

// Pushes a 20-byte IPv4 header in front of skb's contents with total_len =
// the resulting skb->len (r.total_len is ignored), and records
// skb->network_header. Returns the header or nullptr.
uint8_t* push_ipv4(SkBuff* skb, const Ipv4Repr& r);

// Into an empty skb: copies the payload in, then push_tcp() and push_ipv4()
// (protocol forced to TCP, addresses from ip). False, with skb left empty,
// if the packet does not fit.
bool build_tcp_packet(SkBuff* skb, const Ipv4Repr& ip, const TcpRepr& tcp);
bool build_udp_packet(SkBuff* skb, const Ipv4Repr& ip, const UdpRepr& udp);

}  // namespace sim::wire

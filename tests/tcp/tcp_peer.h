// A scripted TCP peer for packet-level tests of one simulated host
// (tests/stack/harness.h): build segments to inject, parse what the host sent.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/skbuff.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/skb_build.h"
#include "sim/wire/tcp.h"
#include "sim/wire/tcp_format.h"
#include "sim/wire/tcp_options.h"
#include "tests/stack/harness.h"

namespace tcp_test {

using sim::wire::TCPHDR_ACK;
using sim::wire::TCPHDR_FIN;
using sim::wire::TCPHDR_PSH;
using sim::wire::TCPHDR_RST;
using sim::wire::TCPHDR_SYN;

// What the peer puts in a segment.
struct Seg {
  uint32_t saddr = 0xc0000201;  // 192.0.2.1
  uint16_t sport = 40000;
  uint32_t daddr = 0;           // filled from the host
  uint16_t dport = 8080;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = TCPHDR_SYN;
  uint16_t win = 65535;
  int mss = 1460;               // -1: no MSS option
  int wscale = -1;
  bool sack_ok = false;
  bool ts = false;
  uint32_t tsval = 0, tsecr = 0;
  uint32_t payload = 0;
};

inline std::vector<uint8_t> build(const Seg& s) {
  sim::SkbPool pool;
  sim::SkBuff* skb = pool.alloc();
  sim::wire::TcpOptWriter w;
  if (s.mss >= 0) w.mss(static_cast<uint16_t>(s.mss));
  if (s.sack_ok) w.sack_perm();
  if (s.ts) w.timestamp(s.tsval, s.tsecr);
  if (s.wscale >= 0) w.nop().wscale(static_cast<uint8_t>(s.wscale));
  w.align_nop();
  REQUIRE(w.ok());
  std::vector<uint8_t> payload(s.payload, 0x61);
  sim::wire::TcpRepr t;
  t.sport = s.sport;
  t.dport = s.dport;
  t.seq = s.seq;
  t.ack = s.ack;
  t.flags = s.flags;
  t.window = s.win;
  w.attach(t);
  t.payload = payload.data();
  t.payload_len = s.payload;
  sim::wire::Ipv4Repr ip;
  ip.saddr = s.saddr;
  ip.daddr = s.daddr;
  ip.protocol = sim::wire::kIpProtoTcp;
  REQUIRE(sim::wire::build_tcp_packet(skb, ip, t));
  std::vector<uint8_t> out(skb->data, skb->data + skb->len);
  pool.free(skb);
  return out;
}

// A segment the host sent, parsed (checksums verified).
struct Sent {
  sim::Time t;
  sim::wire::Ipv4Repr ip;
  sim::wire::TcpRepr tcp;
  std::vector<uint8_t> bytes;  // keeps tcp's pointers valid
  std::string text() const { return sim::wire::format_tcp(tcp, 0, 0); }
};

inline std::vector<Sent> tcp_sent(const stack_test::TestHost& h) {
  std::vector<Sent> out;
  for (const stack_test::Packet& p : h.sent()) {
    Sent s;
    s.t = p.t;
    s.bytes = p.bytes;
    REQUIRE(sim::wire::parse_ipv4(s.bytes.data(), s.bytes.size(), s.ip) == sim::wire::ParseResult::kOk);
    if (s.ip.protocol != sim::wire::kIpProtoTcp) continue;
    REQUIRE(sim::wire::parse_tcp(s.bytes.data() + s.ip.ihl_bytes, s.ip.total_len - s.ip.ihl_bytes, s.ip.saddr,
                                 s.ip.daddr, s.tcp, true) == sim::wire::ParseResult::kOk);
    out.push_back(std::move(s));
  }
  return out;
}

// A listening TCP socket on port 8080 of host h; returns its fd.
inline int listen_on(stack_test::TestHost& h, int backlog, uint16_t port = 8080) {
  const int fd = stack::sys_socket(h.k(), AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  const sockaddr_in a = stack_test::endpoint(0, port);
  REQUIRE(stack::sys_bind(h.k(), fd, stack_test::sa(a), stack_test::kSinLen) == 0);
  REQUIRE(stack::sys_listen(h.k(), fd, backlog) == 0);
  return fd;
}

}  // namespace tcp_test

#include "sim/wire/skb_build.h"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "sim/wire/tcp_options.h"
#include "tests/wire/known_packets.h"

namespace sim::wire {
namespace {

using testdata::kAddrA;
using testdata::kAddrB;

std::vector<uint8_t> bytes_of(const SkBuff* skb) { return {skb->data, skb->data + skb->len}; }

Ipv4Repr ip_a_to_b(uint16_t id, bool df = true) {
  Ipv4Repr ip;
  ip.saddr = kAddrA;
  ip.daddr = kAddrB;
  ip.id = id;
  ip.df = df;
  return ip;
}

// Each test checks in teardown that it returned every buffer.
struct PoolFixture {
  SkbPool pool;
  ~PoolFixture() { CHECK(pool.in_use() == 0); }
};

TEST_CASE_FIXTURE(PoolFixture, "build_tcp_packet reproduces the known SYN, offsets set") {
  TcpOptWriter w;
  w.mss(1460).sack_perm().timestamp(5, 0).nop().wscale(7);
  TcpRepr tcp;
  tcp.sport = 40000;
  tcp.dport = 8080;
  tcp.seq = 1000;
  tcp.flags = TCPHDR_SYN;
  tcp.window = 65535;
  w.attach(tcp);
  SkBuff* skb = pool.alloc();
  REQUIRE(build_tcp_packet(skb, ip_a_to_b(0x1234), tcp));
  CHECK(bytes_of(skb) == std::vector<uint8_t>(testdata::kSyn, testdata::kSyn + sizeof testdata::kSyn));
  CHECK(skb->head() + skb->network_header == skb->data);
  CHECK(skb->head() + skb->transport_header == skb->data + 20);
  kfree_skb(skb);
}

TEST_CASE_FIXTURE(PoolFixture, "build_tcp_packet with an odd-length payload") {
  TcpRepr tcp;
  tcp.sport = 40000;
  tcp.dport = 8080;
  tcp.seq = 1001;
  tcp.ack = 5001;
  tcp.flags = TCPHDR_PSH | TCPHDR_ACK;
  tcp.window = 502;
  tcp.payload = reinterpret_cast<const uint8_t*>("hello");
  tcp.payload_len = 5;
  SkBuff* skb = pool.alloc();
  REQUIRE(build_tcp_packet(skb, ip_a_to_b(0x1235), tcp));
  CHECK(bytes_of(skb) == std::vector<uint8_t>(testdata::kData, testdata::kData + sizeof testdata::kData));
  kfree_skb(skb);
}

TEST_CASE_FIXTURE(PoolFixture, "build_udp_packet reproduces the known datagram") {
  UdpRepr udp;
  udp.sport = 30000;
  udp.dport = 40000;
  udp.payload = reinterpret_cast<const uint8_t*>("abc");
  udp.payload_len = 3;
  SkBuff* skb = pool.alloc();
  REQUIRE(build_udp_packet(skb, ip_a_to_b(7, /*df=*/false), udp));
  CHECK(bytes_of(skb) == std::vector<uint8_t>(testdata::kUdp, testdata::kUdp + sizeof testdata::kUdp));
  CHECK(skb->head() + skb->transport_header == skb->data + 20);
  kfree_skb(skb);
}

TEST_CASE_FIXTURE(PoolFixture, "layer by layer, as the stack builds a segment") {
  SkBuff* skb = pool.alloc();
  std::memcpy(skb->put(100), std::vector<uint8_t>(100, 0x5a).data(), 100);  // the socket's data
  TcpRepr tcp;
  tcp.sport = 80;
  tcp.dport = 40001;
  tcp.seq = 7;
  tcp.ack = 9;
  tcp.flags = TCPHDR_ACK;
  tcp.payload_len = 12345;  // ignored: the payload is what the skb holds
  TcpOptWriter w;
  w.nop().nop().timestamp(1, 2);
  w.attach(tcp);
  REQUIRE(push_tcp(skb, tcp, kAddrB, kAddrA) != nullptr);
  CHECK(skb->len == 132);
  REQUIRE(push_ipv4(skb, ip_a_to_b(0)) != nullptr);  // addresses below only matter for the IP header
  CHECK(skb->len == 152);

  Ipv4Repr ip;
  REQUIRE(parse_ipv4(skb->data, skb->len, ip) == ParseResult::kOk);
  CHECK(ip.total_len == 152);
  TcpRepr back;
  // The TCP checksum was computed for B -> A.
  REQUIRE(parse_tcp(skb->data + 20, 132, kAddrB, kAddrA, back, true) == ParseResult::kOk);
  CHECK(back.payload_len == 100);
  CHECK(back.payload[99] == 0x5a);
  kfree_skb(skb);
}

TEST_CASE_FIXTURE(PoolFixture, "no room: false, and the skb is left empty and clean") {
  SkBuff* skb = pool.alloc();
  skb->data = skb->head() + 30;  // headroom for TCP (20) but not TCP + IP
  uint8_t* const start = skb->data;
  TcpRepr tcp;
  tcp.flags = TCPHDR_SYN;
  tcp.payload = reinterpret_cast<const uint8_t*>("xyz");
  tcp.payload_len = 3;
  CHECK_FALSE(build_tcp_packet(skb, ip_a_to_b(1), tcp));
  CHECK(skb->data == start);
  CHECK(skb->len == 0);
  for (const uint8_t* p = skb->head(); p < start + 3; ++p) REQUIRE(*p == 0);

  skb->data = skb->head() + 10;  // not even room for the TCP header
  CHECK_FALSE(build_udp_packet(skb, ip_a_to_b(1), UdpRepr{}));  // UDP fits (8) but IP does not
  CHECK(skb->len == 0);
  CHECK(push_tcp(skb, tcp, kAddrA, kAddrB) == nullptr);

  skb->data = skb->head() + kSkbHeadroom;
  skb->put(1);
  CHECK_FALSE(build_tcp_packet(skb, ip_a_to_b(1), tcp));  // not empty
  CHECK(skb->len == 1);
  kfree_skb(skb);
}

}  // namespace
}  // namespace sim::wire

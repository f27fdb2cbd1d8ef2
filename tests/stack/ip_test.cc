// ip_rcv(): what it accepts, what it drops and which counter says so; and
// the IPv4 header the output path writes.
#include <doctest/doctest.h>
#include <netinet/in.h>

#include <string>
#include <vector>

#include "sim/wire/bytes.h"
#include "sim/wire/checksum.h"
#include "stack/ip.h"
#include "stack/socket.h"
#include "tests/stack/harness.h"

using namespace stack;
using namespace stack_test;
using namespace sim::literals;

namespace {

constexpr uint32_t kA = 0xc0a80001;
constexpr uint32_t kB = 0xc0a80002;

// Rewrites the IPv4 header checksum after a test has edited the header.
void fix_ip_checksum(std::vector<uint8_t>& p) {
  const size_t ihl = (p[0] & 0x0f) * 4u;
  sim::wire::store_be16(p.data() + 10, 0);
  sim::wire::store_be16(p.data() + 10, sim::wire::internet_checksum(p.data(), ihl));
}

struct Receiver {
  World w;
  TestHost& h = w.add_host("h", kA);
  int fd;
  Receiver() {
    fd = sys_socket(h.k(), AF_INET, SOCK_DGRAM, 0);
    REQUIRE(sys_bind(h.k(), fd, sa(endpoint(0, 2000)), kSinLen) == 0);
  }
  // Injects and reports whether the datagram reached the socket.
  bool delivered(const std::vector<uint8_t>& p) {
    h.inject(p);
    w.run_for(1_ms);
    char buf[64];
    return now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0;
  }
};

}  // namespace

TEST_CASE("ip_rcv: a good packet is delivered and counted once at each step") {
  Receiver r;
  CHECK(r.delivered(udp_packet(kB, 1, kA, 2000, "x")));
  CHECK(r.h.mib(IPSTATS_MIB_INRECEIVES) == 1);
  CHECK(r.h.mib(IPSTATS_MIB_INDELIVERS) == 1);
  CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 0);
}

TEST_CASE("ip_rcv: link padding after the IP total length is ignored") {
  Receiver r;
  std::vector<uint8_t> p = udp_packet(kB, 1, kA, 2000, "pad");
  p.resize(p.size() + 20, 0xee);
  CHECK(r.delivered(p));
}

TEST_CASE("ip_rcv: header errors, truncation and bad checksums are dropped and counted") {
  Receiver r;
  const std::vector<uint8_t> good = udp_packet(kB, 1, kA, 2000, "payload");
  {
    std::vector<uint8_t> p = good;
    p[10] ^= 1;  // header checksum
    CHECK_FALSE(r.delivered(p));
    CHECK(r.h.mib(IPSTATS_MIB_CSUMERRORS) == 1);
    CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 1);
  }
  {
    std::vector<uint8_t> p = good;
    p[0] = 0x65;  // version 6
    fix_ip_checksum(p);
    CHECK_FALSE(r.delivered(p));
    CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 2);
  }
  {
    std::vector<uint8_t> p = good;
    p[0] = 0x44;  // ihl 4
    CHECK_FALSE(r.delivered(p));
    CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 3);
  }
  {
    std::vector<uint8_t> p(good.begin(), good.begin() + 12);  // not even a header
    CHECK_FALSE(r.delivered(p));
    CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 4);
  }
  {
    std::vector<uint8_t> p = good;
    p.resize(p.size() - 3);  // total length says more than arrived
    CHECK_FALSE(r.delivered(p));
    CHECK(r.h.mib(IPSTATS_MIB_INTRUNCATEDPKTS) == 1);
    CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 4);
  }
  {
    std::vector<uint8_t> p = good;
    sim::wire::store_be16(p.data() + 2, 19);  // total length shorter than the header
    fix_ip_checksum(p);
    CHECK_FALSE(r.delivered(p));
    CHECK(r.h.mib(IPSTATS_MIB_INHDRERRORS) == 5);
  }
  CHECK(r.h.mib(IPSTATS_MIB_INRECEIVES) == 6);
  CHECK(r.h.mib(IPSTATS_MIB_INDELIVERS) == 0);
  CHECK(r.w.pool.in_use() == 0);
}

TEST_CASE("ip_rcv: another host's address, fragments and unknown protocols") {
  Receiver r;
  CHECK_FALSE(r.delivered(udp_packet(kB, 1, ip("192.168.0.99"), 2000, "not mine")));
  CHECK(r.h.mib(IPSTATS_MIB_INADDRERRORS) == 1);
  std::vector<uint8_t> frag = udp_packet(kB, 1, kA, 2000, "frag");
  frag[6] |= 0x20;  // more fragments
  fix_ip_checksum(frag);
  CHECK_FALSE(r.delivered(frag));
  CHECK(r.h.mib(IPSTATS_MIB_INDISCARDS) == 1);
  std::vector<uint8_t> proto = udp_packet(kB, 1, kA, 2000, "gre?");
  proto[9] = 47;
  fix_ip_checksum(proto);
  CHECK_FALSE(r.delivered(proto));
  CHECK(r.h.mib(IPSTATS_MIB_INUNKNOWNPROTOS) == 1);
  CHECK(r.h.mib(IPSTATS_MIB_INDELIVERS) == 0);
  CHECK(r.w.pool.in_use() == 0);
}

TEST_CASE("ip output: header fields, checksum, and the route's source address") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = sys_socket(h.k(), AF_INET, SOCK_DGRAM, 0);
  const std::string msg = "hi";
  REQUIRE(now(sys_sendto(h.k(), fd, msg.data(), msg.size(), 0, sa(endpoint(ip("8.8.8.8"), 53)), kSinLen)) == 2);
  REQUIRE(h.sent().size() == 1);
  const std::vector<uint8_t>& b = h.sent()[0].bytes;
  REQUIRE(b.size() == 20 + 8 + 2);
  CHECK(b[0] == 0x45);
  CHECK(sim::wire::load_be16(b.data() + 2) == 30);
  CHECK(sim::wire::load_be16(b.data() + 6) == 0x4000);  // DF, offset 0
  CHECK(b[8] == 64);
  CHECK(b[9] == IPPROTO_UDP);
  CHECK(sim::wire::internet_checksum(b.data(), 20) == 0);
  CHECK(sim::wire::load_be32(b.data() + 12) == kA);
  CHECK(sim::wire::load_be32(b.data() + 16) == ip("8.8.8.8"));
  CHECK(h.mib(IPSTATS_MIB_OUTREQUESTS) == 1);
}

TEST_CASE("inet_addr_type: local, loopback, multicast, broadcast, unicast") {
  World w;
  TestHost& h = w.add_host("h", kA);
  CHECK(inet_addr_type(h.k(), kA) == RTN_LOCAL);
  CHECK(inet_addr_type(h.k(), ip("127.0.0.1")) == RTN_LOCAL);
  CHECK(inet_addr_type(h.k(), ip("127.255.0.3")) == RTN_LOCAL);
  CHECK(inet_addr_type(h.k(), ip("224.0.0.251")) == RTN_MULTICAST);
  CHECK(inet_addr_type(h.k(), ip("255.255.255.255")) == RTN_BROADCAST);
  CHECK(inet_addr_type(h.k(), kB) == RTN_UNICAST);
  CHECK(inet_addr_is_local(h.k(), kA));
  CHECK_FALSE(inet_addr_is_local(h.k(), kB));
}

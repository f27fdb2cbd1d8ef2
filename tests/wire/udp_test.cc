#include "sim/wire/udp.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "sim/wire/checksum.h"
#include "sim/wire/ipv4.h"
#include "tests/wire/known_packets.h"

namespace sim::wire {
namespace {

using testdata::kAddrA;
using testdata::kAddrB;

std::vector<uint8_t> known_datagram() { return {testdata::kUdp + 20, testdata::kUdp + sizeof testdata::kUdp}; }

TEST_CASE("parse_udp reads the known datagram") {
  const auto d = known_datagram();
  UdpRepr r;
  REQUIRE(parse_udp(d.data(), d.size(), kAddrA, kAddrB, r, true) == ParseResult::kOk);
  CHECK(r.sport == 30000);
  CHECK(r.dport == 40000);
  CHECK(r.has_checksum);
  REQUIRE(r.payload_len == 3);
  CHECK(std::string_view(reinterpret_cast<const char*>(r.payload), 3) == "abc");
}

TEST_CASE("emit_udp reproduces the known datagram") {
  const auto d = known_datagram();
  UdpRepr r;
  r.sport = 30000;
  r.dport = 40000;
  r.payload = reinterpret_cast<const uint8_t*>("abc");
  r.payload_len = 3;
  std::vector<uint8_t> out(d.size(), 0xaa);
  CHECK(emit_udp(out.data(), r, kAddrA, kAddrB) == d.size());
  CHECK(out == d);
}

TEST_CASE("zero checksum means none (RFC 768)") {
  UdpRepr r;
  r.sport = 1;
  r.dport = 2;
  r.has_checksum = false;
  uint8_t out[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK(emit_udp(out, r, kAddrA, kAddrB) == 8);
  CHECK(out[6] == 0);
  CHECK(out[7] == 0);
  UdpRepr back;
  REQUIRE(parse_udp(out, 8, kAddrA, kAddrB, back, true) == ParseResult::kOk);
  CHECK_FALSE(back.has_checksum);
  CHECK(back.payload_len == 0);
}

TEST_CASE("a checksum that computes to zero is sent as 0xffff") {
  // Search payloads for one whose checksum field computes to 0x0000; the
  // search is deterministic (two payload bytes cover all 2^16 sums).
  uint8_t d[10] = {0, 1, 0, 2, 0, 10, 0, 0, 0, 0};
  bool found = false;
  for (uint32_t v = 0; v <= 0xffff && !found; ++v) {
    d[8] = static_cast<uint8_t>(v >> 8);
    d[9] = static_cast<uint8_t>(v);
    d[6] = d[7] = 0;
    const CsumAcc acc = csum_pseudo_ipv4(0, kAddrA, kAddrB, kIpProtoUdp, 10);
    found = csum_finish(csum_add(acc, d, 10)) == 0;
  }
  REQUIRE(found);
  udp_fill_checksum(d, 10, kAddrA, kAddrB);
  CHECK(d[6] == 0xff);
  CHECK(d[7] == 0xff);
  UdpRepr r;
  REQUIRE(parse_udp(d, 10, kAddrA, kAddrB, r, true) == ParseResult::kOk);
  CHECK(r.has_checksum);
}

TEST_CASE("parse_udp rejects malformed datagrams") {
  auto d = known_datagram();
  UdpRepr r;
  r.sport = 5;
  SUBCASE("short header") {
    for (size_t n = 0; n < 8; ++n) CHECK(parse_udp(d.data(), n, kAddrA, kAddrB, r, true) == ParseResult::kTruncated);
  }
  SUBCASE("length field below 8") {
    d[4] = 0;
    d[5] = 7;
    CHECK(parse_udp(d.data(), d.size(), kAddrA, kAddrB, r, false) == ParseResult::kUdpBadLength);
  }
  SUBCASE("length field beyond the bytes") {
    CHECK(parse_udp(d.data(), d.size() - 1, kAddrA, kAddrB, r, false) == ParseResult::kUdpBadLength);
  }
  SUBCASE("bad checksum, only when asked to verify") {
    d[10] ^= 0x20;
    CHECK(parse_udp(d.data(), d.size(), kAddrA, kAddrB, r, true) == ParseResult::kUdpBadChecksum);
    CHECK(r.sport == 5);
    CHECK(parse_udp(d.data(), d.size(), kAddrA, kAddrB, r, false) == ParseResult::kOk);
  }
}

TEST_CASE("bytes past the UDP length are ignored, as udp_rcv() trims them") {
  auto d = known_datagram();
  d.push_back(0x99);
  UdpRepr r;
  REQUIRE(parse_udp(d.data(), d.size(), kAddrA, kAddrB, r, true) == ParseResult::kOk);
  CHECK(r.payload_len == 3);
}

}  // namespace
}  // namespace sim::wire

#include "sim/wire/ipv4.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "sim/wire/checksum.h"
#include "tests/wire/known_packets.h"

namespace sim::wire {
namespace {

// Rewrites the header checksum after a test edits a field, so that a check
// other than the checksum is what fails.
void refresh_checksum(uint8_t* p) {
  const size_t ihl = (p[0] & 0xf) * 4u;
  p[10] = p[11] = 0;
  const uint16_t c = internet_checksum(p, ihl);
  p[10] = static_cast<uint8_t>(c >> 8);
  p[11] = static_cast<uint8_t>(c);
}

TEST_CASE("parse_ipv4 reads the known SYN") {
  Ipv4Repr r;
  REQUIRE(parse_ipv4(testdata::kSyn, sizeof testdata::kSyn, r) == ParseResult::kOk);
  CHECK(r.saddr == testdata::kAddrA);
  CHECK(r.daddr == testdata::kAddrB);
  CHECK(r.protocol == kIpProtoTcp);
  CHECK(r.ttl == 64);
  CHECK(r.tos == 0);
  CHECK(r.id == 0x1234);
  CHECK(r.df);
  CHECK(r.total_len == 60);
  CHECK(r.ihl_bytes == 20);

  REQUIRE(parse_ipv4(testdata::kUdp, sizeof testdata::kUdp, r) == ParseResult::kOk);
  CHECK_FALSE(r.df);
  CHECK(r.protocol == kIpProtoUdp);
  CHECK(r.id == 7);
}

TEST_CASE("emit_ipv4 reproduces the known headers byte for byte") {
  for (const uint8_t* pkt : {testdata::kSyn, testdata::kData, testdata::kUdp}) {
    Ipv4Repr r;
    REQUIRE(parse_ipv4(pkt, 60, r) == ParseResult::kOk);
    uint8_t out[20];
    std::memset(out, 0xaa, sizeof out);
    emit_ipv4(out, r);
    CHECK(std::memcmp(out, pkt, 20) == 0);
  }
}

TEST_CASE("emit/parse round trip keeps every field") {
  Ipv4Repr in;
  in.saddr = 0x0a000001;
  in.daddr = 0xfffffffe;
  in.protocol = 200;
  in.ttl = 1;
  in.tos = 0xb8;
  in.id = 0xfedc;
  in.df = false;
  in.total_len = 20 + 7;
  uint8_t buf[27] = {};
  emit_ipv4(buf, in);
  Ipv4Repr out;
  REQUIRE(parse_ipv4(buf, sizeof buf, out) == ParseResult::kOk);
  CHECK(out.saddr == in.saddr);
  CHECK(out.daddr == in.daddr);
  CHECK(out.protocol == in.protocol);
  CHECK(out.ttl == in.ttl);
  CHECK(out.tos == in.tos);
  CHECK(out.id == in.id);
  CHECK(out.df == in.df);
  CHECK(out.total_len == in.total_len);
  CHECK(out.ihl_bytes == 20);
}

TEST_CASE("parse_ipv4 rejects malformed headers and names the problem") {
  std::vector<uint8_t> p(testdata::kSyn, testdata::kSyn + sizeof testdata::kSyn);
  Ipv4Repr r;
  r.ttl = 99;  // must survive a failed parse

  SUBCASE("shorter than 20 bytes") {
    for (size_t n = 0; n < 20; ++n) CHECK(parse_ipv4(p.data(), n, r) == ParseResult::kTruncated);
  }
  SUBCASE("version 6") {
    p[0] = 0x65;
    refresh_checksum(p.data());
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpBadVersion);
  }
  SUBCASE("ihl below 5") {
    p[0] = 0x44;
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpBadIhl);
  }
  SUBCASE("ihl past the buffer") {
    p[0] = 0x4f;  // 60-byte header
    CHECK(parse_ipv4(p.data(), 40, r) == ParseResult::kIpBadIhl);
  }
  SUBCASE("bad header checksum") {
    p[11] ^= 0x01;
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpBadChecksum);
  }
  SUBCASE("a flipped address bit is caught by the checksum") {
    p[15] ^= 0x80;
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpBadChecksum);
  }
  SUBCASE("total length beyond the buffer") {
    CHECK(parse_ipv4(p.data(), p.size() - 1, r) == ParseResult::kIpBadTotalLen);
  }
  SUBCASE("total length smaller than the header") {
    p[2] = 0;
    p[3] = 19;
    refresh_checksum(p.data());
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpBadTotalLen);
  }
  SUBCASE("more-fragments flag") {
    p[6] = 0x20;
    refresh_checksum(p.data());
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpFragment);
  }
  SUBCASE("nonzero fragment offset") {
    p[7] = 0x01;
    refresh_checksum(p.data());
    CHECK(parse_ipv4(p.data(), p.size(), r) == ParseResult::kIpFragment);
  }
  CHECK(r.ttl == 99);
}

TEST_CASE("parse_ipv4 accepts link padding and header options") {
  Ipv4Repr r;
  SUBCASE("trailing bytes past total_len are not the packet's") {
    std::vector<uint8_t> p(testdata::kUdp, testdata::kUdp + sizeof testdata::kUdp);
    p.resize(64, 0);  // Ethernet minimum-frame padding
    REQUIRE(parse_ipv4(p.data(), p.size(), r) == ParseResult::kOk);
    CHECK(r.total_len == sizeof testdata::kUdp);
  }
  SUBCASE("24-byte header with a Router Alert option") {
    uint8_t p[24] = {0x46, 0, 0, 24, 0, 1, 0x40, 0, 1, 2, 0, 0, 10, 0, 0, 1, 224, 0, 0, 22,
                     0x94, 0x04, 0x00, 0x00};
    refresh_checksum(p);
    REQUIRE(parse_ipv4(p, sizeof p, r) == ParseResult::kOk);
    CHECK(r.ihl_bytes == 24);
    CHECK(r.total_len == 24);
  }
}

TEST_CASE("no prefix of a valid header parses") {
  Ipv4Repr r;
  for (size_t n = 0; n < sizeof testdata::kSyn; ++n)
    CHECK(parse_ipv4(testdata::kSyn, n, r) != ParseResult::kOk);
  CHECK(parse_ipv4(testdata::kSyn, sizeof testdata::kSyn, r) == ParseResult::kOk);
}

TEST_CASE("parse_result_name names every verdict") {
  CHECK(std::string(parse_result_name(ParseResult::kOk)) == "ok");
  CHECK(std::string(parse_result_name(ParseResult::kIpBadChecksum)) == "ip: bad header checksum");
  CHECK(std::string(parse_result_name(ParseResult::kTcpOptOverflow)) ==
        "tcp option: length past end of options");
  for (int v = 0; v <= static_cast<int>(ParseResult::kUdpBadChecksum); ++v)
    CHECK(std::string(parse_result_name(static_cast<ParseResult>(v))) != "?");
}

}  // namespace
}  // namespace sim::wire

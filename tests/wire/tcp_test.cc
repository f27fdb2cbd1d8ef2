#include "sim/wire/tcp.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "sim/wire/checksum.h"
#include "sim/wire/tcp_options.h"
#include "tests/wire/known_packets.h"

namespace sim::wire {
namespace {

using testdata::kAddrA;
using testdata::kAddrB;

// The TCP segment of a known packet (everything after its 20-byte IP header).
std::vector<uint8_t> segment_of(const uint8_t* pkt, size_t n) { return {pkt + 20, pkt + n}; }

TEST_CASE("parse_tcp reads the known SYN") {
  const auto seg = segment_of(testdata::kSyn, sizeof testdata::kSyn);
  TcpRepr r;
  REQUIRE(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, true) == ParseResult::kOk);
  CHECK(r.sport == 40000);
  CHECK(r.dport == 8080);
  CHECK(r.seq == 1000);
  CHECK(r.ack == 0);
  CHECK(r.flags == TCPHDR_SYN);
  CHECK(r.reserved == 0);
  CHECK(r.window == 65535);
  CHECK(r.urg == 0);
  CHECK(r.doff_bytes == 40);
  CHECK(r.options == seg.data() + 20);
  CHECK(r.options_len == 20);
  CHECK(r.payload == seg.data() + 40);
  CHECK(r.payload_len == 0);
  CHECK(tcp_seq_len(r) == 1);
}

TEST_CASE("parse_tcp reads the known data segment") {
  const auto seg = segment_of(testdata::kData, sizeof testdata::kData);
  TcpRepr r;
  REQUIRE(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, true) == ParseResult::kOk);
  CHECK(r.flags == (TCPHDR_PSH | TCPHDR_ACK));
  CHECK(r.seq == 1001);
  CHECK(r.ack == 5001);
  CHECK(r.window == 502);
  CHECK(r.options_len == 0);
  REQUIRE(r.payload_len == 5);
  CHECK(std::string_view(reinterpret_cast<const char*>(r.payload), 5) == "hello");
  CHECK(tcp_seq_len(r) == 5);
}

TEST_CASE("emit_tcp reproduces the known segments byte for byte") {
  for (auto [pkt, n] : {std::pair{testdata::kSyn, sizeof testdata::kSyn},
                        std::pair{testdata::kData, sizeof testdata::kData}}) {
    const auto seg = segment_of(pkt, n);
    TcpRepr r;
    REQUIRE(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, true) == ParseResult::kOk);
    std::vector<uint8_t> out(seg.size(), 0xaa);
    CHECK(emit_tcp(out.data(), r, kAddrA, kAddrB) == seg.size());
    CHECK(out == seg);
  }
}

TEST_CASE("emit_tcp_header + tcp_fill_checksum with the payload already in place") {
  const auto seg = segment_of(testdata::kData, sizeof testdata::kData);
  TcpRepr r;
  REQUIRE(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, true) == ParseResult::kOk);
  std::vector<uint8_t> out(seg.size(), 0);
  std::memcpy(out.data() + 20, "hello", 5);
  CHECK(emit_tcp_header(out.data(), r) == 20);
  CHECK(out[16] == 0);
  CHECK(out[17] == 0);
  tcp_fill_checksum(out.data(), static_cast<uint32_t>(out.size()), kAddrA, kAddrB);
  CHECK(out == seg);
  CHECK(tcp_checksum_ok(out.data(), out.size(), kAddrA, kAddrB));
}

TEST_CASE("emit/parse round trip keeps every field") {
  TcpOptWriter w;
  w.nop().nop().timestamp(0xdeadbeef, 0x01020304);
  const uint8_t payload[] = {1, 2, 3, 4, 5, 6, 7};
  TcpRepr in;
  in.sport = 1;
  in.dport = 65535;
  in.seq = 0xfffffff0;
  in.ack = 0x80000000;
  in.flags = TCPHDR_ACK | TCPHDR_URG | TCPHDR_ECE | TCPHDR_CWR | TCPHDR_FIN;
  in.reserved = TCPHDR_AE_RES;
  in.window = 12345;
  in.urg = 3;
  w.attach(in);
  in.payload = payload;
  in.payload_len = sizeof payload;
  uint8_t buf[64] = {};
  const uint32_t len = emit_tcp(buf, in, kAddrA, kAddrB);
  REQUIRE(len == 20 + 12 + 7);
  TcpRepr out;
  REQUIRE(parse_tcp(buf, len, kAddrA, kAddrB, out, true) == ParseResult::kOk);
  CHECK(out.sport == in.sport);
  CHECK(out.dport == in.dport);
  CHECK(out.seq == in.seq);
  CHECK(out.ack == in.ack);
  CHECK(out.flags == in.flags);
  CHECK(out.reserved == in.reserved);
  CHECK(out.window == in.window);
  CHECK(out.urg == in.urg);
  CHECK(out.doff_bytes == 32);
  CHECK(out.options_len == 12);
  CHECK(std::memcmp(out.options, w.data(), 12) == 0);
  CHECK(out.payload_len == 7);
  CHECK(std::memcmp(out.payload, payload, 7) == 0);
  CHECK(tcp_seq_len(out) == 8);  // FIN counts
}

TEST_CASE("options not a multiple of 4 are padded with zeros (EOL)") {
  TcpOptWriter w;
  w.mss(1460).wscale(7);  // 7 bytes
  TcpRepr in;
  in.flags = TCPHDR_SYN;
  w.attach(in);
  CHECK(tcp_header_len(in) == 28);
  uint8_t buf[28];
  std::memset(buf, 0xee, sizeof buf);
  CHECK(emit_tcp(buf, in, kAddrA, kAddrB) == 28);
  CHECK((buf[12] >> 4) == 7);
  CHECK(buf[27] == 0);
  TcpRepr out;
  REQUIRE(parse_tcp(buf, sizeof buf, kAddrA, kAddrB, out, true) == ParseResult::kOk);
  CHECK(out.options_len == 8);
  CHECK(check_tcp_options(out) == ParseResult::kOk);
}

TEST_CASE("emit_tcp moves a payload that overlaps the header area") {
  uint8_t buf[40] = {};
  std::memcpy(buf, "overlapping!", 12);
  TcpRepr in;
  in.flags = TCPHDR_ACK | TCPHDR_PSH;
  in.payload = buf;
  in.payload_len = 12;
  CHECK(emit_tcp(buf, in, kAddrA, kAddrB) == 32);
  CHECK(std::memcmp(buf + 20, "overlapping!", 12) == 0);
  CHECK(tcp_checksum_ok(buf, 32, kAddrA, kAddrB));
}

TEST_CASE("parse_tcp rejects malformed segments and names the problem") {
  auto seg = segment_of(testdata::kSyn, sizeof testdata::kSyn);
  TcpRepr r;
  r.sport = 7;  // must survive a failed parse

  SUBCASE("shorter than 20 bytes") {
    for (size_t n = 0; n < 20; ++n)
      CHECK(parse_tcp(seg.data(), n, kAddrA, kAddrB, r, false) == ParseResult::kTruncated);
  }
  SUBCASE("doff below 5") {
    for (uint8_t doff = 0; doff < 5; ++doff) {
      seg[12] = static_cast<uint8_t>(doff << 4);
      CHECK(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, false) == ParseResult::kTcpBadDoff);
    }
  }
  SUBCASE("doff past the segment") {
    seg[12] = 0xf0;  // 60-byte header in a 40-byte segment
    CHECK(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, false) == ParseResult::kTcpBadDoff);
    CHECK(parse_tcp(seg.data(), 39, kAddrA, kAddrB, r, false) == ParseResult::kTcpBadDoff);
  }
  SUBCASE("bad checksum, only when asked to verify") {
    seg[30] ^= 0x01;  // the MSS value
    CHECK(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, true) == ParseResult::kTcpBadChecksum);
    CHECK(r.sport == 7);
    CHECK(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, false) == ParseResult::kOk);
    CHECK(r.sport == 40000);
  }
  SUBCASE("pseudo-header mismatch: right bytes, wrong addresses") {
    CHECK(parse_tcp(seg.data(), seg.size(), kAddrB, kAddrA, r, true) == ParseResult::kOk);  // sum is symmetric
    CHECK(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrA, r, true) == ParseResult::kTcpBadChecksum);
  }
  SUBCASE("a segment that lost payload bytes fails the checksum") {
    const auto data = segment_of(testdata::kData, sizeof testdata::kData);
    for (size_t n = 20; n < data.size(); ++n)
      CHECK(parse_tcp(data.data(), n, kAddrA, kAddrB, r, true) == ParseResult::kTcpBadChecksum);
  }
  if (r.sport != 40000) CHECK(r.sport == 7);
}

TEST_CASE("parse_tcp leaves malformed options to the option layer") {
  auto seg = segment_of(testdata::kSyn, sizeof testdata::kSyn);
  seg[21] = 40;  // MSS option claiming 40 bytes
  TcpRepr r;
  REQUIRE(parse_tcp(seg.data(), seg.size(), kAddrA, kAddrB, r, false) == ParseResult::kOk);
  CHECK(check_tcp_options(r) == ParseResult::kTcpOptOverflow);
}

}  // namespace
}  // namespace sim::wire

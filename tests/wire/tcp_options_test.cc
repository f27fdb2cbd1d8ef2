#include "sim/wire/tcp_options.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "sim/wire/tcp_format.h"
#include "tests/wire/known_packets.h"

namespace sim::wire {
namespace {

std::vector<uint8_t> bytes_of(const TcpOptWriter& w) { return {w.data(), w.data() + w.size()}; }

struct Seen {
  uint8_t kind;
  uint8_t len;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> walk(const std::vector<uint8_t>& b, ParseResult* err = nullptr) {
  std::vector<Seen> out;
  TcpOptIter it(b.data(), b.size());
  TcpOpt o;
  while (it.next(o)) out.push_back({o.kind, o.len});
  if (err) *err = it.error();
  return out;
}

// ---------------------------------------------------------------- writers

TEST_CASE("writers lay down the RFC encodings") {
  uint8_t b[40] = {};
  uint8_t* p = b;
  p = put_tcpopt_mss(p, 1460);
  p = put_tcpopt_sack_perm(p);
  p = put_tcpopt_timestamp(p, 0x01020304, 0xa0b0c0d0);
  p = put_tcpopt_nop(p);
  p = put_tcpopt_wscale(p, 7);
  const std::vector<uint8_t> want = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0,
                                     1, 3, 3, 7};
  CHECK(std::vector<uint8_t>(b, p) == want);

  const TcpSackBlock blocks[2] = {{1000, 2000}, {0xfffffff0, 0x10}};
  uint8_t s[18];
  CHECK(put_tcpopt_sack(s, blocks, 2) == s + 18);
  const std::vector<uint8_t> want_sack = {5, 18, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0,
                                          0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0x10};
  CHECK(std::vector<uint8_t>(s, s + 18) == want_sack);
  CHECK(put_tcpopt_eol(s) == s + 1);
  CHECK(s[0] == 0);
}

TEST_CASE("TcpOptWriter builds the known SYN's options in the caller's order") {
  TcpOptWriter w;
  w.mss(1460).sack_perm().timestamp(5, 0).nop().wscale(7);
  REQUIRE(w.ok());
  const std::vector<uint8_t> syn_opts(testdata::kSyn + 40, testdata::kSyn + 60);
  CHECK(bytes_of(w) == syn_opts);
}

TEST_CASE("TcpOptWriter refuses what does not fit and says so once") {
  TcpOptWriter w;
  w.timestamp(1, 2).timestamp(3, 4).timestamp(5, 6).timestamp(7, 8);  // 40 bytes: full
  CHECK(w.ok());
  CHECK(w.size() == 40);
  w.nop();
  CHECK_FALSE(w.ok());
  CHECK(w.size() == 40);
  w.mss(1);  // ignored after the failure
  CHECK(w.size() == 40);

  TcpOptWriter s;
  const TcpSackBlock blocks[5] = {};
  CHECK_FALSE(TcpOptWriter().sack(blocks, 0).ok());
  CHECK_FALSE(TcpOptWriter().sack(blocks, 5).ok());
  CHECK(s.sack(blocks, 4).ok());
  CHECK(s.size() == 34);
  CHECK_FALSE(TcpOptWriter().nop().nop().timestamp(1, 1).sack(blocks, 4).ok());  // 12 + 34 > 40
  CHECK(TcpOptWriter().nop().nop().timestamp(1, 1).nop().nop().sack(blocks, 3).ok());  // 40
}

TEST_CASE("TcpOptWriter raw options and NOP alignment") {
  const uint8_t cookie[] = {0xde, 0xad, 0xbe, 0xef};
  TcpOptWriter w;
  w.raw(kTcpOptFastOpen, cookie, 4).wscale(2).align_nop();
  REQUIRE(w.ok());
  CHECK(bytes_of(w) == std::vector<uint8_t>{34, 6, 0xde, 0xad, 0xbe, 0xef, 3, 3, 2, 1, 1, 1});
  TcpOptWriter empty;
  CHECK(empty.align_nop().size() == 0);
}

// --------------------------------------------------------------- iterator

TEST_CASE("TcpOptIter yields the known SYN's options in wire order") {
  const std::vector<uint8_t> b(testdata::kSyn + 40, testdata::kSyn + 60);
  TcpOptIter it(b.data(), b.size());
  TcpOpt o;
  REQUIRE(it.next(o));
  CHECK(o.kind == kTcpOptMss);
  CHECK(o.len == 4);
  CHECK(o.be16(0) == 1460);
  REQUIRE(it.next(o));
  CHECK(o.kind == kTcpOptSackPerm);
  CHECK(o.data_len() == 0);
  REQUIRE(it.next(o));
  CHECK(o.kind == kTcpOptTimestamp);
  CHECK(o.be32(0) == 5);
  CHECK(o.be32(4) == 0);
  REQUIRE(it.next(o));
  CHECK(o.kind == kTcpOptNop);
  CHECK(o.len == 1);
  CHECK(o.data == nullptr);
  REQUIRE(it.next(o));
  CHECK(o.kind == kTcpOptWscale);
  CHECK(o.data[0] == 7);
  CHECK_FALSE(it.next(o));
  CHECK(it.error() == ParseResult::kOk);
  CHECK(it.offset() == 20);
  CHECK(check_tcp_options(b.data(), b.size()) == ParseResult::kOk);
}

TEST_CASE("TcpOptIter stops after EOL") {
  ParseResult err;
  CHECK(walk({1, 0, 0, 0}, &err) == std::vector<Seen>{{1, 1}, {0, 1}});
  CHECK(err == ParseResult::kOk);
  // Whatever follows EOL is padding, not options: not even looked at.
  CHECK(walk({0, 2, 0xff}, &err) == std::vector<Seen>{{0, 1}});
  CHECK(err == ParseResult::kOk);
  CHECK(walk({}, &err).empty());
  CHECK(err == ParseResult::kOk);
}

TEST_CASE("TcpOptIter stops at structural damage, where Linux stops") {
  ParseResult err;
  SUBCASE("kind with no length byte") {
    CHECK(walk({1, 2}, &err) == std::vector<Seen>{{1, 1}});
    CHECK(err == ParseResult::kTcpOptTruncated);
  }
  SUBCASE("length 0 (would loop forever) and 1") {
    CHECK(walk({2, 0, 5, 0xb4}, &err).empty());
    CHECK(err == ParseResult::kTcpOptBadLen);
    CHECK(walk({1, 8, 1, 0}, &err) == std::vector<Seen>{{1, 1}});
    CHECK(err == ParseResult::kTcpOptBadLen);
  }
  SUBCASE("length past the end of the option space") {
    CHECK(walk({2, 4, 5, 0xb4, 8, 10, 0, 0, 0, 1}, &err) == std::vector<Seen>{{2, 4}});
    CHECK(err == ParseResult::kTcpOptOverflow);
    CHECK(walk({3, 4, 7}, &err).empty());
    CHECK(err == ParseResult::kTcpOptOverflow);
  }
  SUBCASE("a wrong-length MSS is yielded and iteration goes on, as in tcp_parse_options()") {
    CHECK(walk({2, 3, 5, 3, 3, 7, 0, 0}, &err) == std::vector<Seen>{{2, 3}, {3, 3}, {0, 1}});
    CHECK(err == ParseResult::kOk);
  }
}

TEST_CASE("check_tcp_options is strict about known kinds and padding") {
  auto check = [](std::vector<uint8_t> b) { return check_tcp_options(b.data(), b.size()); };
  CHECK(check({}) == ParseResult::kOk);
  CHECK(check({2, 4, 5, 0xb4}) == ParseResult::kOk);
  CHECK(check({2, 3, 5, 1}) == ParseResult::kTcpOptBadKindLen);
  CHECK(check({2, 5, 5, 0xb4, 0}) == ParseResult::kTcpOptBadKindLen);
  CHECK(check({3, 4, 7, 0}) == ParseResult::kTcpOptBadKindLen);
  CHECK(check({4, 3, 0, 1}) == ParseResult::kTcpOptBadKindLen);
  CHECK(check({8, 8, 0, 0, 0, 0, 0, 0}) == ParseResult::kTcpOptBadKindLen);
  CHECK(check({5, 2, 1, 1}) == ParseResult::kTcpOptBadKindLen);                       // no block
  CHECK(check({5, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) == ParseResult::kTcpOptBadKindLen);  // 1.25 blocks
  CHECK(check({5, 10, 0, 0, 0, 1, 0, 0, 0, 2}) == ParseResult::kOk);
  CHECK(check({254, 4, 0xf9, 0x89}) == ParseResult::kOk);  // unknown lengths are the kind's business
  CHECK(check({1, 1, 0, 0}) == ParseResult::kOk);
  CHECK(check({0, 0, 0, 7}) == ParseResult::kTcpOptAfterEol);
  CHECK(check({8, 10, 0}) == ParseResult::kTcpOptOverflow);
  CHECK(check({8}) == ParseResult::kTcpOptTruncated);
  CHECK(check({8, 1}) == ParseResult::kTcpOptBadLen);
}

TEST_CASE("TcpOptIter on random bytes: terminates, stays in bounds, accounts for every byte") {
  std::mt19937 rng(2018);
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> b(rng() % 41);
    for (auto& x : b) x = static_cast<uint8_t>(rng() % 12);  // small values: many plausible kinds/lengths
    TcpOptIter it(b.data(), b.size());
    TcpOpt o;
    size_t consumed = 0;
    int steps = 0;
    bool saw_eol = false;
    while (it.next(o)) {
      saw_eol = (o.kind == kTcpOptEol);
      REQUIRE(o.len >= 1);
      if (o.data) {
        REQUIRE(o.data >= b.data());
        REQUIRE(o.data + o.data_len() <= b.data() + b.size());
      }
      consumed += o.len;
      REQUIRE(++steps <= 40);
    }
    REQUIRE(it.offset() == consumed);
    // A clean end without EOL means every byte belonged to an option.
    if (it.error() == ParseResult::kOk && !saw_eol) REQUIRE(consumed == b.size());
    if (it.error() != ParseResult::kOk) REQUIRE(consumed < b.size());
    (void)format_tcp_options(b.data(), b.size());
  }
}

// ------------------------------------------------------------- formatting

TEST_CASE("format_tcp prints a SYN-ACK the way packetdrill writes it") {
  TcpOptWriter w;
  w.mss(1460).sack_perm().timestamp(5, 100).nop().wscale(7);
  TcpRepr r;
  r.flags = TCPHDR_SYN | TCPHDR_ACK;
  r.seq = 3000000000u;
  r.ack = 1001;
  r.window = 65160;
  w.attach(r);
  CHECK(format_tcp(r, 3000000000u, 1000) ==
        "S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 5 ecr 100,nop,wscale 7>");
  CHECK(format_tcp(r) ==
        "S. 3000000000:3000000000(0) ack 1001 win 65160 <mss 1460,sackOK,TS val 5 ecr 100,nop,wscale 7>");
}

TEST_CASE("format_tcp on the known packets") {
  TcpRepr syn;
  REQUIRE(parse_tcp(testdata::kSyn + 20, 40, testdata::kAddrA, testdata::kAddrB, syn, true) ==
          ParseResult::kOk);
  CHECK(format_tcp(syn, 1000) == "S 0:0(0) win 65535 <mss 1460,sackOK,TS val 5 ecr 0,nop,wscale 7>");
  TcpRepr data;
  REQUIRE(parse_tcp(testdata::kData + 20, 25, testdata::kAddrA, testdata::kAddrB, data, true) ==
          ParseResult::kOk);
  CHECK(format_tcp(data, 1000, 5000) == "P. 1:6(5) ack 1 win 502");
}

TEST_CASE("format_tcp_flags uses tcpdump's letters and order") {
  CHECK(format_tcp_flags(0) == "none");
  CHECK(format_tcp_flags(TCPHDR_SYN) == "S");
  CHECK(format_tcp_flags(TCPHDR_RST) == "R");
  CHECK(format_tcp_flags(TCPHDR_RST | TCPHDR_ACK) == "R.");
  CHECK(format_tcp_flags(TCPHDR_FIN | TCPHDR_ACK) == "F.");
  CHECK(format_tcp_flags(TCPHDR_ACK) == ".");
  CHECK(format_tcp_flags(TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR) == "SEW");
  CHECK(format_tcp_flags(TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, TCPHDR_AE_RES) == "SEWA");
  CHECK(format_tcp_flags(0xff) == "FSRP.UEW");
}

TEST_CASE("format_tcp: relative numbers wrap, urg and sack blocks") {
  TcpRepr r;
  r.flags = TCPHDR_ACK | TCPHDR_URG;
  r.seq = 5;
  r.ack = 3;
  r.window = 1;
  r.urg = 9;
  r.payload_len = 10;
  CHECK(format_tcp(r, 0xfffffffeu, 0xfffffff0u) == ".U 7:17(10) ack 19 win 1 urg 9");
  r.flags = TCPHDR_ACK;
  r.payload_len = 0;
  const TcpSackBlock blocks[2] = {{0xfffffff0u + 1001, 0xfffffff0u + 2001}, {0xfffffff0u + 3001, 0xfffffff0u + 4001}};
  TcpOptWriter w;
  w.nop().nop().sack(blocks, 2);
  w.attach(r);
  CHECK(format_tcp(r, 0, 0xfffffff0u) == ". 5:5(0) ack 19 win 1 <nop,nop,sack 1001:2001 3001:4001>");
}

TEST_CASE("format_tcp_options: unknown, MD5, Fast Open, padding and damage") {
  auto fmt = [](std::vector<uint8_t> b) { return format_tcp_options(b.data(), b.size()); };
  CHECK(fmt({76, 4, 1, 2}) == "unknown-76 0x0102");
  CHECK(fmt({76, 2}) == "unknown-76");
  CHECK(fmt({2, 3, 7}) == "unknown-2 0x07");  // an MSS that is not one
  CHECK(fmt({34, 6, 0xde, 0xad, 0xbe, 0xef}) == "FO deadbeef");
  CHECK(fmt({34, 2}) == "FO");
  CHECK(fmt({254, 6, 0xf9, 0x89, 0xab, 0xcd}) == "FOEXP abcd");
  CHECK(fmt({254, 4, 0x12, 0x34}) == "unknown-254 0x1234");
  std::vector<uint8_t> md5 = {19, 18};
  for (uint8_t i = 0; i < 16; ++i) md5.push_back(i);
  CHECK(fmt(md5) == "md5 000102030405060708090a0b0c0d0e0f");
  CHECK(fmt({3, 3, 7, 0}) == "wscale 7,eol");
  CHECK(fmt({2, 4, 5, 0xb4, 8, 10, 0}) == "mss 1460,[bad opt]");
  CHECK(fmt({2, 0}) == "[bad opt]");
}

}  // namespace
}  // namespace sim::wire

// Packets between script and wire: option bytes, inbound packet building
// (tuple, seq/ack/SACK mapping, TS ecr), outbound mapping into script space,
// and the comparison rules for outbound packets (tools/pkt/segment.h).
#include <doctest/doctest.h>

#include "sim/wire/ipv4.h"
#include "sim/wire/tcp.h"
#include "sim/wire/tcp_options.h"
#include "tests/pkt/test_util.h"
#include "tools/pkt/segment.h"

namespace pkt {
namespace {

namespace w = sim::wire;

constexpr uint32_t kLocal = 0xc0a80002;   // 192.168.0.2
constexpr uint32_t kRemote = 0xc0000201;  // 192.0.2.1

TcpSegment segment(const std::string& line) {
  Script s = testing::parse_ok("0 " + line + "\n");
  REQUIRE(s.events.size() == 1);
  return *s.events[0].packet()->tcp();
}

TrackedSocket connection() {
  TrackedSocket s;
  s.live_local = Endpoint{kLocal, 8080};
  s.live_remote = Endpoint{kRemote, 51000};
  s.seq.remote_isn = 0;
  s.seq.script_local_isn = 0;
  s.seq.live_local_isn = 1000000;
  return s;
}

// A live outbound segment as the kernel would send it, from script-like
// values (seq/ack already live).
WireSegment live(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, std::vector<uint8_t> options = {},
                 uint32_t payload = 0) {
  WireSegment g;
  g.saddr = kLocal;
  g.daddr = kRemote;
  g.sport = 8080;
  g.dport = 51000;
  g.flags = flags;
  g.seq = seq;
  g.ack = ack;
  g.window = win;
  g.options = std::move(options);
  g.doff_bytes = static_cast<uint8_t>(20 + ((g.options.size() + 3) & ~size_t{3}));
  g.payload_len = payload;
  return g;
}

TEST_CASE("script options become the exact wire bytes") {
  const TcpSegment s = segment("> S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1 ecr 2,nop,wscale 7>");
  const std::vector<uint8_t> want = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7};
  CHECK(encode_options(s.options) == want);
  CHECK(encode_options(segment("> S. 0:0(0) ack 1 <nop,nop,sack 1:2 3:4>").options).size() == 20);
}

TEST_CASE("an inbound SYN: live tuple, seq as written, valid checksums") {
  const TrackedSocket c = connection();
  const InboundPacket in = build_inbound(c, segment("< S 0:0(0) win 32792 <mss 1000,nop,nop,TS val 100 ecr 0>"), false);
  REQUIRE(in.error.empty());
  w::Ipv4Repr ip;
  REQUIRE(w::parse_ipv4(in.bytes.data(), in.bytes.size(), ip) == w::ParseResult::kOk);
  CHECK(ip.saddr == kRemote);
  CHECK(ip.daddr == kLocal);
  w::TcpRepr t;
  REQUIRE(w::parse_tcp(in.bytes.data() + 20, in.bytes.size() - 20, ip.saddr, ip.daddr, t, true) ==
          w::ParseResult::kOk);
  CHECK(t.sport == 51000);
  CHECK(t.dport == 8080);
  CHECK(t.seq == 0);
  CHECK(t.flags == w::TCPHDR_SYN);
  CHECK(t.window == 32792);
  // The SYN's ecr (no ACK flag) goes out as written.
  w::TcpOptIter it(t);
  w::TcpOpt o;
  REQUIRE(it.next(o));
  CHECK(o.kind == w::kTcpOptMss);
  REQUIRE(it.next(o));
  REQUIRE(it.next(o));
  REQUIRE(it.next(o));
  CHECK(o.kind == w::kTcpOptTimestamp);
  CHECK(o.be32(0) == 100);
  CHECK(o.be32(4) == 0);
}

TEST_CASE("an inbound ACK: ack and SACK blocks shifted by our ISN, ecr by the TS map, explicit ports kept") {
  TrackedSocket c = connection();
  c.seq.remote_isn = 500;
  c.ts.record(5000, 0xabcdef01);
  const InboundPacket in =
      build_inbound(c, segment("< 40001>8080 . 1:11(10) ack 1 win 257 <nop,nop,TS val 7 ecr 5000,nop,nop,sack 3:5>"),
                    false);
  REQUIRE(in.error.empty());
  w::TcpRepr t;
  REQUIRE(w::parse_tcp(in.bytes.data() + 20, in.bytes.size() - 20, kRemote, kLocal, t, true) ==
          w::ParseResult::kOk);
  CHECK(t.sport == 40001);
  CHECK(t.dport == 8080);
  CHECK(t.seq == 501);
  CHECK(t.ack == 1000001);
  CHECK(t.payload_len == 10);
  w::TcpOptIter it(t);
  w::TcpOpt o;
  bool saw_ts = false, saw_sack = false;
  while (it.next(o)) {
    if (o.kind == w::kTcpOptTimestamp) {
      saw_ts = true;
      CHECK(o.be32(0) == 7);
      CHECK(o.be32(4) == 0xabcdef01);
    }
    if (o.kind == w::kTcpOptSack) {
      saw_sack = true;
      CHECK(o.be32(0) == 1000003);
      CHECK(o.be32(4) == 1000005);
    }
  }
  CHECK(saw_ts);
  CHECK(saw_sack);
}

TEST_CASE("an inbound ecr that no outbound TS val explains is an error, unless scaled") {
  TrackedSocket c = connection();
  const TcpSegment ack = segment("< . 1:1(0) ack 1 win 257 <nop,nop,TS val 7 ecr 5000>");
  const InboundPacket bad = build_inbound(c, ack, false);
  CHECK(bad.error.find("unable to infer live TS ecr for script TS ecr 5000") == 0);
  c.ts.record(4000, 100);
  CHECK(build_inbound(c, ack, false).error.size() > 0);
  CHECK(build_inbound(c, ack, true).error.empty());  // 100 + (5000 - 4000)
}

TEST_CASE("an outbound packet in script space; its TS val is recorded for later ecr values") {
  TrackedSocket c = connection();
  const TcpSegment script = segment("> P. 1:11(10) ack 1 <nop,nop,TS val 5100 ecr 200>");
  w::TcpOptWriter ow;
  ow.nop().nop().timestamp(77777, 200);
  const WireSegment got =
      to_script_space(c, live(w::TCPHDR_PSH | w::TCPHDR_ACK, 1000001, 1, 500, {ow.data(), ow.data() + ow.size()}, 10),
                      script);
  CHECK(got.seq == 1);
  CHECK(got.ack == 1);
  CHECK(c.ts.live_ecr(5100, false) == std::optional<uint32_t>(77777));
  CHECK_FALSE(compare_outbound(script, got).has_value());
  CHECK(format_segment(got, Direction::Outbound) == "> P. 1:11(10) ack 1 win 500 <nop,nop,TS val 5100 ecr 200>");
}

TEST_CASE("outbound comparison names the first difference") {
  TrackedSocket c = connection();
  auto diff = [&](const std::string& script_line, const WireSegment& live_seg) {
    const TcpSegment s = segment(script_line);
    return compare_outbound(s, to_script_space(c, live_seg, s)).value_or("match");
  };
  const uint8_t SA = w::TCPHDR_SYN | w::TCPHDR_ACK;
  const std::vector<uint8_t> mss = {2, 4, 0x05, 0xb4};

  // The SYN-ACK itself: ISN 1000000 reads as 0.
  CHECK(diff("> S. 0:0(0) ack 1 <mss 1460>", live(SA, 1000000, 1, 64240, mss)) == "match");
  CHECK(diff("> R. 0:0(0) ack 1 <mss 1460>", live(SA, 1000000, 1, 64240, mss)) == "flags: expected R., got S.");
  CHECK(diff("> S. 0:0(0) ack 2 <mss 1460>", live(SA, 1000000, 1, 64240, mss)) == "ack: expected 2, got 1");
  CHECK(diff("> . 2:2(0) ack 1", live(w::TCPHDR_ACK, 1000001, 1, 9)) == "seq: expected 2, got 1");
  // The window only when written.
  CHECK(diff("> . 1:1(0) ack 1 win 9", live(w::TCPHDR_ACK, 1000001, 1, 9)) == "match");
  CHECK(diff("> . 1:1(0) ack 1 win 10", live(w::TCPHDR_ACK, 1000001, 1, 9)) == "window: expected 10, got 9");
  // Options: kinds, order and values; "<...>" skips them.
  CHECK(diff("> S. 0:0(0) ack 1 <mss 1400>", live(SA, 1000000, 1, 1, mss)) ==
        "options: expected <mss 1400>, got <mss 1460>");
  CHECK(diff("> S. 0:0(0) ack 1", live(SA, 1000000, 1, 1, mss)) == "options: expected <>, got <mss 1460>");
  CHECK(diff("> S. 0:0(0) ack 1 <mss 1460,nop,wscale 7>", live(SA, 1000000, 1, 1, {2, 4, 5, 0xb4, 1, 3, 3, 8})) ==
        "options: expected <mss 1460,nop,wscale 7>, got <mss 1460,nop,wscale 8>");
  CHECK(diff("> S. 0:0(0) ack 1 <nop,nop,sackOK>", live(SA, 1000000, 1, 1, {4, 2, 1, 1})) ==
        "options: expected <nop,nop,sackOK>, got <sackOK,nop,nop>");
  CHECK(diff("> S. 0:0(0) ack 1 <...>", live(SA, 1000000, 1, 1, {4, 2, 1, 1})) == "match");
  // Payload length and bytes.
  CHECK(diff("> P. 1:11(10) ack 1", live(w::TCPHDR_PSH | w::TCPHDR_ACK, 1000001, 1, 1, {}, 10)) == "match");
  WireSegment short_payload = live(w::TCPHDR_PSH | w::TCPHDR_ACK, 1000001, 1, 1, {}, 9);
  CHECK(diff("> P. 1:11(10) ack 1", short_payload) == "payload: expected 10 bytes, got 9");
  WireSegment junk = live(w::TCPHDR_PSH | w::TCPHDR_ACK, 1000001, 1, 1, {}, 10);
  junk.payload_zero = false;
  CHECK(diff("> P. 1:11(10) ack 1", junk).find("payload: expected zero bytes") == 0);
  // Padding that differs while the options read the same.
  WireSegment padded = live(SA, 1000000, 1, 1, mss);
  padded.doff_bytes = 28;
  CHECK(diff("> S. 0:0(0) ack 1 <mss 1460>", padded) == "TCP header length: expected 24 bytes, got 28");
}

TEST_CASE("timestamps: values are not compared unless --tcp_ts_tick_usecs") {
  TrackedSocket c = connection();
  const TcpSegment s1 = segment("> . 1:1(0) ack 1 <nop,nop,TS val 100 ecr 0>");
  w::TcpOptWriter a;
  a.nop().nop().timestamp(900000, 12345);
  const WireSegment first = to_script_space(c, live(w::TCPHDR_ACK, 1000001, 1, 1, {a.data(), a.data() + a.size()}), s1);
  CHECK_FALSE(compare_outbound(s1, first).has_value());

  // 50 ms later by the script, 80 ticks later on the wire: off by 30 ms.
  const TcpSegment s2 = segment("> . 1:1(0) ack 1 <nop,nop,TS val 150 ecr 0>");
  w::TcpOptWriter b;
  b.nop().nop().timestamp(900080, 12345);
  const WireSegment second = to_script_space(c, live(w::TCPHDR_ACK, 1000001, 1, 1, {b.data(), b.data() + b.size()}), s2);
  CHECK_FALSE(compare_outbound(s2, second).has_value());
  CHECK(compare_outbound(s2, second, TsCheck{1000, 25000}).value_or("") ==
        "TS val: expected 150, got 180 (tolerance 25000 us)");
  CHECK_FALSE(compare_outbound(s2, second, TsCheck{1000, 40000}).has_value());
}

}  // namespace
}  // namespace pkt

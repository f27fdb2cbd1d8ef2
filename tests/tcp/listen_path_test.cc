// Packet-level tests of the TCP listen path against one simulated host and
// a scripted peer: the rules of docs/linux-listen-path.md that the shared
// conformance scripts do not pin (pruning, the unproven-peer rule, counters),
// and unit tests of the arithmetic behind them.
#include <doctest/doctest.h>

#include "stack/inet_connection_sock.h"
#include "stack/tcp.h"
#include "tests/stack/harness.h"
#include "tests/tcp/tcp_peer.h"

using namespace sim::literals;
using stack_test::ip;
using tcp_test::Seg;
using tcp_test::TCPHDR_ACK;
using tcp_test::TCPHDR_RST;
using tcp_test::TCPHDR_SYN;

namespace {

struct OneHost {
  stack_test::World w;
  stack_test::TestHost& h = w.add_host("server", ip("192.168.0.2"));
  Seg syn(uint16_t sport, uint32_t seq = 1000) {
    Seg s;
    s.daddr = h.addr();
    s.sport = sport;
    s.seq = seq;
    return s;
  }
  void send(const Seg& s) { h.inject(tcp_test::build(s)); }
  // The bare ACK that answers `synack` for the connection `syn` opened,
  // acking `ack_offset` past the server's ISN (1 completes the handshake).
  Seg ack_for(const Seg& syn, const tcp_test::Sent& synack, uint32_t ack_offset = 1) {
    Seg a = syn;
    a.flags = TCPHDR_ACK;
    a.seq = syn.seq + 1;
    a.ack = synack.tcp.seq + ack_offset;
    a.mss = -1;
    return a;
  }
  // Sends `syn`, then the ACK of its SYN-ACK: one established child.
  void handshake(const Seg& syn) {
    send(syn);
    w.run_for(1_ms);
    send(ack_for(syn, to(syn.sport).at(0)));
    w.run_for(1_ms);
  }
  // The segments sent to `sport`, in order.
  std::vector<tcp_test::Sent> to(uint16_t sport) {
    std::vector<tcp_test::Sent> out;
    for (auto& s : tcp_test::tcp_sent(h))
      if (s.tcp.dport == sport) out.push_back(s);
    return out;
  }
  uint64_t mib(stack::Mib m) { return h.mib(m); }
};

}  // namespace

TEST_CASE("reqsk_timer_handler pruning: old requests lose retries only when the queue is over half full") {
  // 2*qlen <= max(8, backlog): no pruning.
  CHECK(stack::reqsk_timer_max_retries(5, 4, 0, 8) == 5);
  CHECK(stack::reqsk_timer_max_retries(5, 50, 0, 128) == 5);
  // Over half full and all young: young*2 > qlen keeps the full budget.
  CHECK(stack::reqsk_timer_max_retries(5, 5, 5, 8) == 5);
  // Over half full, no young ones: down to the floor of 2.
  CHECK(stack::reqsk_timer_max_retries(5, 5, 0, 8) == 2);
  // Partly young: y = 2*young doubles per lost retry until qlen < y.
  CHECK(stack::reqsk_timer_max_retries(5, 100, 60, 128) == 5);  // 100 < 120
  CHECK(stack::reqsk_timer_max_retries(5, 100, 30, 128) == 4);  // 60, then 100 < 120
  CHECK(stack::reqsk_timer_max_retries(5, 100, 20, 128) == 3);  // 40, 80, then 100 < 160
  CHECK(stack::reqsk_timer_max_retries(5, 100, 10, 128) == 2);  // floor
  CHECK(stack::reqsk_timer_max_retries(2, 100, 0, 128) == 2);
}

TEST_CASE("TCP_DEFER_ACCEPT seconds <-> SYN-ACK retransmissions") {
  CHECK(stack::secs_to_retrans(0, 1, 120) == 0);
  CHECK(stack::secs_to_retrans(1, 1, 120) == 1);
  CHECK(stack::secs_to_retrans(5, 1, 120) == 3);
  CHECK(stack::retrans_to_secs(3, 1, 120) == 7);  // setting 5 reads back 7 (E11)
  CHECK(stack::retrans_to_secs(stack::secs_to_retrans(200, 1, 120), 1, 120) == 247);
}

TEST_CASE("SYN cookies: every MSS table entry survives the round trip; forged or stale cookies fail") {
  stack_test::World w;
  stack::net& n = w.add_host("server", ip("192.168.0.2")).net();
  const uint32_t saddr = ip("192.0.2.1"), daddr = ip("192.168.0.2");
  for (uint32_t idx = 0; idx < 4; ++idx) {
    for (uint32_t count : {0u, 7u, 255u, 256u}) {
      const uint32_t isn = 123456789u + idx;
      const uint32_t cookie = stack::secure_tcp_syn_cookie(&n, saddr, daddr, 40000, 8080, isn, count, idx);
      CHECK(stack::check_tcp_syn_cookie(&n, cookie, saddr, daddr, 40000, 8080, isn, count) == static_cast<int>(idx));
      // Still valid one minute later, not two.
      CHECK(stack::check_tcp_syn_cookie(&n, cookie, saddr, daddr, 40000, 8080, isn, count + 1) ==
            static_cast<int>(idx));
      CHECK(stack::check_tcp_syn_cookie(&n, cookie, saddr, daddr, 40000, 8080, isn, count + 2) == -1);
      // Another 4-tuple or peer ISN does not validate.
      CHECK(stack::check_tcp_syn_cookie(&n, cookie, saddr, daddr, 40001, 8080, isn, count) == -1);
      // The low 24 bits are MAC + index: a guess that moves the MAC fails...
      CHECK(stack::check_tcp_syn_cookie(&n, cookie + 0x10000, saddr, daddr, 40000, 8080, isn, count) == -1);
      // ...and so does one that moves the minute counter out of range.
      CHECK(stack::check_tcp_syn_cookie(&n, cookie + 0x40000000, saddr, daddr, 40000, 8080, isn, count) == -1);
    }
  }
  CHECK(stack::msstab[0] == 536);
  CHECK(stack::msstab[3] == 1460);
}

TEST_CASE("SYN-ACK retransmissions at 0, 1, 3, 7, 15, 31 s; the request expires at 63 s") {
  OneHost t;
  t.h.net().sysctl.tcp_syncookies = 0;
  tcp_test::listen_on(t.h, 4);
  t.send(t.syn(40000));
  t.w.run_for(62_s);
  auto sa = t.to(40000);
  REQUIRE(sa.size() == 6);
  const int64_t expect_s[] = {0, 1, 3, 7, 15, 31};
  for (size_t i = 0; i < 6; ++i) {
    CHECK(sa[i].t == sim::seconds(expect_s[i]));
    CHECK(sa[i].tcp.flags == (TCPHDR_SYN | TCPHDR_ACK));
    CHECK(sa[i].tcp.seq == sa[0].tcp.seq);  // same ISN each time
  }
  CHECK(t.mib(stack::LINUX_MIB_TCPTIMEOUTS) == 5);
  t.w.run_for(2_s);  // past 63 s: the sixth expiry drops the request silently
  CHECK(t.to(40000).size() == 6);
  CHECK(t.mib(stack::LINUX_MIB_TCPTIMEOUTS) == 6);
  CHECK(t.mib(stack::LINUX_MIB_TCPSYNRETRANS) == 5);
  CHECK(t.mib(stack::TCP_MIB_RETRANSSEGS) == 5);
  CHECK(t.h.net().request_sock_cache.in_use() == 0);
  // A late third ACK meets only the listener: RST with seq = its ack.
  const Seg ack = t.ack_for(t.syn(40000), sa[0]);
  t.send(ack);
  t.w.run_for(1_ms);
  auto after = t.to(40000);
  REQUIRE(after.size() == 7);
  CHECK(after[6].tcp.flags == TCPHDR_RST);
  CHECK(after[6].tcp.seq == ack.ack);
}

TEST_CASE("young/old pruning (E7): backlog 8 with 5 silent requests prunes one after 3 SYN-ACKs") {
  for (int nreq : {4, 5}) {
    CAPTURE(nreq);
    OneHost t;
    t.h.net().sysctl.tcp_syncookies = 0;
    tcp_test::listen_on(t.h, 8);
    for (int i = 0; i < nreq; ++i) t.send(t.syn(static_cast<uint16_t>(41000 + i)));
    t.w.run_for(70_s);
    int pruned = 0;
    for (int i = 0; i < nreq; ++i) {
      const size_t n = t.to(static_cast<uint16_t>(41000 + i)).size();
      if (n == 3) ++pruned;
      else CHECK(n == 6);
    }
    // SIM: same-tick timers run in creation order, so the oldest request is
    // the one pruned (6.18 happened to run the newest first).
    CHECK(pruned == (nreq == 5 ? 1 : 0));
    if (nreq == 5) CHECK(t.to(41000).size() == 3);
  }
}

TEST_CASE("unproven peers: with cookies off, SYNs beyond 3/4 of tcp_max_syn_backlog are dropped (E4)") {
  OneHost t;
  t.h.net().sysctl.tcp_syncookies = 0;
  t.h.net().sysctl.tcp_max_syn_backlog = 16;
  tcp_test::listen_on(t.h, 100);
  for (int i = 0; i < 20; ++i) t.send(t.syn(static_cast<uint16_t>(42000 + i)));
  t.w.run_for(10_ms);
  CHECK(t.h.net().request_sock_cache.in_use() == 13);
  CHECK(t.mib(stack::LINUX_MIB_LISTENDROPS) == 7);
  CHECK(t.mib(stack::LINUX_MIB_TCPREQQFULLDROP) == 0);
  CHECK(t.mib(stack::LINUX_MIB_LISTENOVERFLOWS) == 0);
}

TEST_CASE("SYN queue full: cookies with syncookies=1, drops with 0, cookies for all with 2 (E4)") {
  SUBCASE("tcp_syncookies=1: 5 requests, then cookie SYN-ACKs") {
    OneHost t;
    tcp_test::listen_on(t.h, 4);
    for (int i = 0; i < 8; ++i) t.send(t.syn(static_cast<uint16_t>(43000 + i)));
    t.w.run_for(10_ms);
    CHECK(t.h.net().request_sock_cache.in_use() == 5);
    CHECK(t.mib(stack::LINUX_MIB_TCPREQQFULLDOCOOKIES) == 3);
    CHECK(t.mib(stack::LINUX_MIB_SYNCOOKIESSENT) == 3);
    for (int i = 0; i < 8; ++i) CHECK(t.to(static_cast<uint16_t>(43000 + i)).size() == 1);
    // Cookie SYN-ACKs are never retransmitted; requests' are.
    t.w.run_for(1_s);
    for (int i = 0; i < 8; ++i) CHECK(t.to(static_cast<uint16_t>(43000 + i)).size() == (i < 5 ? 2u : 1u));
  }
  SUBCASE("tcp_syncookies=0: SYNs 6..8 dropped with TCPReqQFullDrop and ListenDrops, no overflow") {
    OneHost t;
    t.h.net().sysctl.tcp_syncookies = 0;
    tcp_test::listen_on(t.h, 4);
    for (int i = 0; i < 8; ++i) t.send(t.syn(static_cast<uint16_t>(43000 + i)));
    t.w.run_for(10_ms);
    CHECK(t.h.net().request_sock_cache.in_use() == 5);
    CHECK(t.mib(stack::LINUX_MIB_TCPREQQFULLDROP) == 3);
    CHECK(t.mib(stack::LINUX_MIB_LISTENDROPS) == 3);
    CHECK(t.mib(stack::LINUX_MIB_LISTENOVERFLOWS) == 0);
    for (int i = 5; i < 8; ++i) CHECK(t.to(static_cast<uint16_t>(43000 + i)).empty());
  }
  SUBCASE("tcp_syncookies=2: every SYN gets a cookie, no request sock") {
    OneHost t;
    t.h.net().sysctl.tcp_syncookies = 2;
    tcp_test::listen_on(t.h, 4);
    for (int i = 0; i < 8; ++i) t.send(t.syn(static_cast<uint16_t>(43000 + i)));
    t.w.run_for(10_ms);
    CHECK(t.h.net().request_sock_cache.in_use() == 0);
    CHECK(t.mib(stack::LINUX_MIB_TCPREQQFULLDOCOOKIES) == 8);
    CHECK(t.mib(stack::LINUX_MIB_SYNCOOKIESSENT) == 8);
  }
}

TEST_CASE("a valid cookie ACK creates the child; a forged one draws RST and SyncookiesFailed") {
  OneHost t;
  t.h.net().sysctl.tcp_syncookies = 2;
  const int lfd = tcp_test::listen_on(t.h, 4);
  Seg s = t.syn(44000, 5000);
  s.mss = 1300;
  t.send(s);
  t.w.run_for(1_ms);
  auto sa = t.to(44000);
  REQUIRE(sa.size() == 1);
  t.send(t.ack_for(s, sa[0], 77));
  t.w.run_for(1_ms);
  CHECK(t.mib(stack::LINUX_MIB_SYNCOOKIESFAILED) == 1);
  REQUIRE(t.to(44000).size() == 2);
  CHECK(t.to(44000)[1].tcp.flags == TCPHDR_RST);
  t.send(t.ack_for(s, sa[0]));
  t.w.run_for(1_ms);
  CHECK(t.mib(stack::LINUX_MIB_SYNCOOKIESRECV) == 1);
  CHECK(t.mib(stack::TCP_MIB_PASSIVEOPENS) == 1);
  const int c = stack_test::now(stack::sys_accept4(t.h.k(), lfd, nullptr, nullptr, 0));
  REQUIRE(c >= 0);
  int mss = 0, len = sizeof mss;
  CHECK(stack::sys_getsockopt(t.h.k(), c, IPPROTO_TCP, TCP_MAXSEG, &mss, &len) == 0);
  CHECK(mss == 1300);  // the table entry for a peer MSS of 1300, no timestamps
}

TEST_CASE("accept queue full at SYN time: dropped silently, Overflows and Drops, even with abort_on_overflow") {
  OneHost t;
  t.h.net().sysctl.tcp_syncookies = 0;
  t.h.net().sysctl.tcp_abort_on_overflow = 1;
  tcp_test::listen_on(t.h, 0);
  // One child fills backlog 0 (1 > 0 only after it is queued).
  t.handshake(t.syn(45000, 100));
  CHECK(t.mib(stack::TCP_MIB_PASSIVEOPENS) == 1);
  t.send(t.syn(45001));
  t.w.run_for(1_ms);
  CHECK(t.to(45001).empty());
  CHECK(t.mib(stack::LINUX_MIB_LISTENOVERFLOWS) == 1);
  CHECK(t.mib(stack::LINUX_MIB_LISTENDROPS) == 1);
}

TEST_CASE("closing a listener resets queued children and leaves requests to time out (E10)") {
  OneHost t;
  t.h.net().sysctl.tcp_syncookies = 0;
  const int lfd = tcp_test::listen_on(t.h, 8);
  for (uint16_t p : {46000, 46001}) t.handshake(t.syn(p, 100));
  t.send(t.syn(46002));  // stays a request
  t.w.run_for(1_ms);
  const uint64_t rsts = t.mib(stack::TCP_MIB_OUTRSTS);
  CHECK(stack::sys_close(t.h.k(), lfd) == 0);
  t.w.run_for(1_ms);
  CHECK(t.mib(stack::TCP_MIB_OUTRSTS) == rsts + 2);
  CHECK(t.mib(stack::TCP_MIB_ESTABRESETS) == 2);
  for (uint16_t p : {46000, 46001}) {
    auto v = t.to(p);
    CHECK(v.back().tcp.flags == (TCPHDR_RST | TCPHDR_ACK));
  }
  CHECK(t.to(46002).size() == 1);  // nothing sent to the pending request
  // Its timer fires at 1 s, finds the listener closed and drops it silently.
  t.w.run_for(2_s);
  CHECK(t.to(46002).size() == 1);
  CHECK(t.h.net().request_sock_cache.in_use() == 0);
  CHECK(t.h.net().tcp_sock_cache.in_use() == 0);
}

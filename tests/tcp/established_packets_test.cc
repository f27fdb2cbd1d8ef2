// Packet-level tests of the established TCP path against one simulated host
// and a scripted peer (tests/stack/harness.h, tests/tcp/tcp_peer.h): the
// rules whose timing or counters the conformance scripts do not pin, and the
// name tables that tie sysctls and counters to Linux's.
#include <doctest/doctest.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <string>
#include <vector>

#include "stack/snmp.h"
#include "stack/sysctl.h"
#include "stack/tcp.h"
#include "tests/stack/harness.h"
#include "tests/tcp/tcp_peer.h"

using namespace sim::literals;
using stack_test::ip;
using tcp_test::Seg;
using tcp_test::Sent;
using tcp_test::TCPHDR_ACK;
using tcp_test::TCPHDR_FIN;
using tcp_test::TCPHDR_PSH;
using tcp_test::TCPHDR_RST;
using tcp_test::TCPHDR_SYN;

namespace {

// One host with an accepted connection from a scripted peer at 192.0.2.1:40000
// (MSS 1000 both ways, SACK, window scale 7, no timestamps). The peer
// answers the SYN-ACK after `rtt`, so the host's first RTT sample is `rtt`.
struct Conn {
  stack_test::World w;
  stack_test::TestHost& h = w.add_host("server", ip("192.168.0.2"));
  int lfd = -1;
  int fd = -1;
  uint32_t iss = 0;           // the host's initial sequence number
  uint32_t peer_seq = 1001;   // next sequence number the peer sends
  size_t seen = 0;            // segments already returned by fresh()

  // cc: a net.ipv4.tcp_congestion_control value for the listener (and so
  // the connection), or -1 for the default.
  explicit Conn(sim::Time rtt = 10_ms, int cc = -1) {
    if (cc >= 0) h.net().sysctl.tcp_congestion_control = cc;
    lfd = tcp_test::listen_on(h, 8);
    w.run_for(1_ms);  // SIM: a SYN-ACK sent at time 0 is not timed (snt_synack 0 means unset)
    Seg syn = peer(TCPHDR_SYN, 1000);
    syn.mss = 1000;
    syn.sack_ok = true;
    syn.wscale = 7;
    h.inject(tcp_test::build(syn));
    w.run_for(1_ms);
    const std::vector<Sent> out = fresh();
    REQUIRE(out.size() == 1);
    REQUIRE(out[0].tcp.flags == (TCPHDR_SYN | TCPHDR_ACK));
    iss = out[0].tcp.seq;
    w.run_for(rtt - 1_ms);
    send_ack(iss + 1);
    w.run_for(1_us);
    fd = stack_test::now(stack::sys_accept4(h.k(), lfd, nullptr, nullptr, 0));
    REQUIRE(fd >= 0);
  }

  Seg peer(uint8_t flags, uint32_t seq, uint32_t ack = 0, uint32_t payload = 0) {
    Seg s;
    s.daddr = h.addr();
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.payload = payload;
    s.mss = -1;
    s.win = 1000;  // x 128 = 128000 bytes
    return s;
  }
  void send_ack(uint32_t ack, uint16_t win = 1000) {
    Seg s = peer(TCPHDR_ACK, peer_seq, ack);
    s.win = win;
    h.inject(tcp_test::build(s));
  }
  void send_data(uint32_t len, uint32_t ack) {
    h.inject(tcp_test::build(peer(TCPHDR_ACK | TCPHDR_PSH, peer_seq, ack, len)));
    peer_seq += len;
  }
  // Segments the host sent since the last call.
  std::vector<Sent> fresh() {
    std::vector<Sent> all = tcp_test::tcp_sent(h);
    std::vector<Sent> out(all.begin() + static_cast<long>(seen), all.end());
    seen = all.size();
    return out;
  }
  long write(size_t n) {
    std::vector<char> buf(n, 'w');
    stack_test::Call<long> c(stack::sys_sendto(h.k(), fd, buf.data(), n, 0, nullptr, 0));
    REQUIRE(c.done());
    return c.value();
  }
  int setopt(int level, int name, int val) { return stack::sys_setsockopt(h.k(), fd, level, name, &val, sizeof val); }
  uint32_t snd(uint32_t off) const { return iss + 1 + off; }  // host sequence number at stream offset
  uint64_t mib(stack::Mib m) { return h.mib(m); }
};

uint32_t len_of(const Sent& s) { return s.tcp.payload_len; }

// A bare ACK from the peer with one SACK block (tcp_test::build has no SACK
// blocks).
std::vector<uint8_t> sack_ack(const Seg& s, uint32_t start, uint32_t end) {
  sim::SkbPool pool;
  sim::SkBuff* skb = pool.alloc();
  sim::wire::TcpOptWriter w;
  const sim::wire::TcpSackBlock block{start, end};
  w.nop().nop().sack(&block, 1);
  REQUIRE(w.ok());
  sim::wire::TcpRepr t;
  t.sport = s.sport;
  t.dport = s.dport;
  t.seq = s.seq;
  t.ack = s.ack;
  t.flags = s.flags;
  t.window = s.win;
  w.attach(t);
  sim::wire::Ipv4Repr ip;
  ip.saddr = s.saddr;
  ip.daddr = s.daddr;
  ip.protocol = sim::wire::kIpProtoTcp;
  REQUIRE(sim::wire::build_tcp_packet(skb, ip, t));
  std::vector<uint8_t> out(skb->data, skb->data + skb->len);
  pool.free(skb);
  return out;
}

}  // namespace

TEST_CASE("RTO: exponential backoff from 200 ms + RTT, capped at 120 s; tcp_retries2 = 15 gives up with ETIMEDOUT") {
  Conn c(10_ms);
  c.fresh();
  const sim::Time t0 = c.w.sim.now();
  REQUIRE(c.write(1000) == 1000);
  c.w.run_for(1_ms);
  std::vector<Sent> out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.seq == c.snd(0));
  // The peer never answers again. SRTT is 10 ms, so RTO = SRTT + RTO_MIN =
  // 210 ms; the tail loss probe would come at 2 * SRTT + 200 ms (a lone
  // segment waits for a worst-case delayed ACK) but RTO is sooner, so it goes
  // at 210 ms, and the RTO is re-armed 210 ms after it.
  const auto state = [&] {
    tcp_info ti{};
    int len = sizeof ti;
    REQUIRE(stack::sys_getsockopt(c.h.k(), c.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0);
    return static_cast<int>(ti.tcpi_state);
  };
  // The first RTO retransmission is at 420 ms; tcp_retries2 = 15 allows
  // tcp_model_timeout() = 200 ms * (2^10 - 1) + 6 * 120 s = 924.6 s from it,
  // so the RTO due at 935.04 s gives up (the one at 815.04 s does not).
  c.w.sim.run_until(t0 + sim::milliseconds(935039));
  CHECK(state() == TCP_ESTABLISHED);
  c.w.sim.run_until(t0 + sim::milliseconds(935041));
  CHECK(state() == TCP_CLOSE);
  out = c.fresh();
  std::vector<sim::Time> at;
  for (const Sent& s : out) {
    CHECK(s.tcp.seq == c.snd(0));
    CHECK(len_of(s) == 1000);
    CHECK(!(s.tcp.flags & TCPHDR_RST));
    at.push_back(s.t - t0);
  }
  REQUIRE(at.size() == 16);
  CHECK(at[0] == 210_ms);  // the probe
  CHECK(at[1] == 420_ms);  // first RTO
  // Each RTO doubles the previous one until 120 s (TCP_RTO_MAX).
  for (size_t i = 2; i < at.size(); ++i) {
    const sim::Time gap = at[i] - at[i - 1], prev = at[i - 1] - at[i - 2];
    CHECK(gap == std::min(prev * 2, sim::seconds(120)));
  }
  CHECK(at[10] == sim::milliseconds(215040));
  CHECK(at[15] == sim::milliseconds(815040));
  // Given up: the socket reports ETIMEDOUT, no RST is sent.
  int err = 0;
  int len = sizeof err;
  REQUIRE(stack::sys_getsockopt(c.h.k(), c.fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
  CHECK(err == ETIMEDOUT);
  CHECK(c.mib(stack::LINUX_MIB_TCPABORTONTIMEOUT) == 1);
  CHECK(c.mib(stack::TCP_MIB_OUTRSTS) == 0);
  CHECK(c.mib(stack::LINUX_MIB_TCPLOSSPROBES) == 1);
  // The probe and 15 RTO retransmissions; a 16th expiry gives up.
  CHECK(c.mib(stack::TCP_MIB_RETRANSSEGS) == 16);
  CHECK(c.mib(stack::LINUX_MIB_TCPTIMEOUTS) == 16);
}

TEST_CASE("Nagle: a small segment waits while another small one is unacknowledged; TCP_NODELAY and TCP_CORK") {
  Conn c;
  c.fresh();
  REQUIRE(c.write(100) == 100);
  c.w.run_for(1_ms);
  std::vector<Sent> out = c.fresh();
  REQUIRE(out.size() == 1);  // nothing in flight: sent at once
  CHECK(len_of(out[0]) == 100);
  CHECK((out[0].tcp.flags & TCPHDR_PSH));
  REQUIRE(c.write(100) == 100);
  c.w.run_for(5_ms);
  CHECK(c.fresh().empty());  // held behind the unacknowledged small segment
  c.send_ack(c.snd(100));
  c.w.run_for(1_ms);
  out = c.fresh();
  REQUIRE(out.size() == 1);  // the ACK releases it
  CHECK(out[0].tcp.seq == c.snd(100));
  CHECK(len_of(out[0]) == 100);

  // TCP_NODELAY: small segments go out regardless.
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_NODELAY, 1) == 0);
  REQUIRE(c.write(100) == 100);
  c.w.run_for(1_ms);
  out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.seq == c.snd(200));
  c.send_ack(c.snd(300));
  c.w.run_for(1_ms);
  c.fresh();

  // TCP_CORK: partial segments wait even with nothing in flight, full ones
  // go; uncorking pushes the rest.
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_CORK, 1) == 0);
  REQUIRE(c.write(300) == 300);
  c.w.run_for(5_ms);
  CHECK(c.fresh().empty());
  REQUIRE(c.write(1200) == 1200);
  c.w.run_for(1_ms);
  out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.seq == c.snd(300));
  CHECK(len_of(out[0]) == 1000);  // one full MSS; 500 bytes wait
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_CORK, 0) == 0);
  c.w.run_for(1_ms);
  out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.seq == c.snd(1300));
  CHECK(len_of(out[0]) == 500);
  CHECK((out[0].tcp.flags & TCPHDR_PSH));
}

TEST_CASE("delayed ACK: 40 ms in interactive mode (TCP_QUICKACK 0), at once for a second full segment") {
  Conn c;
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_QUICKACK, 0) == 0);
  c.fresh();
  const sim::Time t0 = c.w.sim.now();
  c.send_data(100, c.snd(0));
  c.w.run_for(100_ms);
  std::vector<Sent> out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == c.peer_seq);
  CHECK(out[0].t - t0 == 40_ms);  // TCP_ATO_MIN
  CHECK(c.mib(stack::LINUX_MIB_DELAYEDACKS) == 1);

  // The timer left interactive mode; enter it again. Two full-sized
  // segments that the application has not read are not acknowledged at once
  // (the window would not advance); reading them sends the ACK
  // (tcp_cleanup_rbuf(): more than one rcv_mss unacknowledged).
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_QUICKACK, 0) == 0);
  c.send_data(1000, c.snd(0));
  c.send_data(1000, c.snd(0));
  c.w.run_for(10_ms);
  CHECK(c.fresh().empty());
  const sim::Time t1 = c.w.sim.now();
  std::vector<char> buf(2000);
  CHECK(stack_test::now(stack::sys_recvfrom(c.h.k(), c.fd, buf.data(), buf.size(), 0, nullptr, nullptr)) == 2000);
  c.w.run_for(100_ms);
  out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].tcp.ack == c.peer_seq);
  CHECK(out[0].t == t1);
  CHECK(c.mib(stack::LINUX_MIB_DELAYEDACKS) == 1);
}

TEST_CASE("keepalive: probes after TCP_KEEPIDLE, every TCP_KEEPINTVL, reset after TCP_KEEPCNT unanswered") {
  Conn c;
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 10) == 0);
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_KEEPINTVL, 5) == 0);
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_KEEPCNT, 3) == 0);
  REQUIRE(c.setopt(SOL_SOCKET, SO_KEEPALIVE, 1) == 0);
  c.fresh();
  const sim::Time t0 = c.w.sim.now();
  c.w.run_for(sim::seconds(30));
  const std::vector<Sent> out = c.fresh();
  REQUIRE(out.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(out[i].t - t0 == sim::seconds(10 + 5 * i));
    CHECK(out[i].tcp.seq == c.snd(0) - 1);  // one below SND.UNA, no data
    CHECK(len_of(out[i]) == 0);
    CHECK(out[i].tcp.flags == TCPHDR_ACK);
  }
  CHECK(out[3].t - t0 == sim::seconds(25));
  CHECK((out[3].tcp.flags & TCPHDR_RST));
  CHECK(c.mib(stack::LINUX_MIB_TCPKEEPALIVE) == 3);
  CHECK(c.mib(stack::LINUX_MIB_TCPABORTONTIMEOUT) == 1);
  int err = 0;
  int len = sizeof err;
  REQUIRE(stack::sys_getsockopt(c.h.k(), c.fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
  CHECK(err == ETIMEDOUT);
}

TEST_CASE("keepalive: an answered probe keeps the connection; the next comes TCP_KEEPIDLE after the answer") {
  Conn c;
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_KEEPIDLE, 10) == 0);
  REQUIRE(c.setopt(IPPROTO_TCP, TCP_KEEPINTVL, 5) == 0);
  REQUIRE(c.setopt(SOL_SOCKET, SO_KEEPALIVE, 1) == 0);
  c.fresh();
  const sim::Time t0 = c.w.sim.now();
  c.w.run_for(sim::seconds(10) + 1_ms);
  REQUIRE(c.fresh().size() == 1);
  c.send_ack(c.snd(0));  // the answer: an ACK of SND.UNA
  c.w.run_for(sim::seconds(12));
  const std::vector<Sent> out = c.fresh();
  REQUIRE(out.size() == 1);
  CHECK(out[0].t - t0 == sim::seconds(20) + 1_ms);
  CHECK(c.mib(stack::LINUX_MIB_TCPKEEPALIVE) == 2);
  CHECK(c.mib(stack::LINUX_MIB_TCPABORTONTIMEOUT) == 0);
}

TEST_CASE("SACK: three SACKed segments above a hole start fast recovery; the full ACK ends it at ssthresh") {
  // ssthresh after the loss: CUBIC keeps 717/1024 of cwnd 10, Reno half.
  for (const auto& [cc, ssthresh] : {std::pair{stack::TCP_CONG_CUBIC, 7u}, std::pair{stack::TCP_CONG_RENO, 5u}}) {
    CAPTURE(cc);
    Conn c(10_ms, cc);
    c.fresh();
    REQUIRE(c.write(6000) == 6000);
    c.w.run_for(1_ms);
    REQUIRE(c.fresh().size() == 6);
    // Segment 2 (1000..2000) is lost; the peer ACKs 1 and SACKs 3, 4, 5.
    c.w.run_for(9_ms);
    c.send_ack(c.snd(1000));
    for (uint32_t hi = 3000; hi <= 5000; hi += 1000) {
      c.h.inject(sack_ack(c.peer(TCPHDR_ACK, c.peer_seq, c.snd(1000)), c.snd(2000), c.snd(hi)));
    }
    c.w.run_for(1_ms);
    std::vector<Sent> out = c.fresh();
    REQUIRE(!out.empty());
    CHECK(out[0].tcp.seq == c.snd(1000));  // the hole, retransmitted
    CHECK(len_of(out[0]) == 1000);
    CHECK(c.mib(stack::LINUX_MIB_TCPSACKRECOVERY) == 1);
    CHECK(c.mib(stack::TCP_MIB_RETRANSSEGS) == 1);
    CHECK(c.mib(stack::LINUX_MIB_TCPFASTRETRANS) == 1);
    tcp_info ti{};
    int len = sizeof ti;
    REQUIRE(stack::sys_getsockopt(c.h.k(), c.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0);
    CHECK(ti.tcpi_ca_state == 3);  // TCP_CA_Recovery
    CHECK(ti.tcpi_snd_ssthresh == ssthresh);
    // Everything acknowledged: recovery ends with cwnd = ssthresh.
    c.w.run_for(9_ms);
    c.send_ack(c.snd(6000));
    c.w.run_for(1_ms);
    REQUIRE(stack::sys_getsockopt(c.h.k(), c.fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0);
    CHECK(ti.tcpi_ca_state == 0);
    CHECK(ti.tcpi_snd_cwnd == ssthresh);
    CHECK(c.mib(stack::LINUX_MIB_TCPLOSSPROBES) == 0);
    CHECK(c.mib(stack::LINUX_MIB_TCPTIMEOUTS) == 0);
  }
}

TEST_CASE("names: tcp_congestion_control values are the registered algorithms; new counters use nstat names") {
  for (int i = 0; i < static_cast<int>(std::size(stack::kTcpCongestionNames)); ++i) {
    const std::string name(stack::kTcpCongestionNames[i]);
    const stack::tcp_congestion_ops* ca = stack::tcp_ca_find(name.c_str());
    REQUIRE(ca != nullptr);
    CHECK(std::string(ca->name) == name);
    CHECK(std::string(stack::tcp_ca_name(i)) == name);
  }
  stack::Sysctls s;
  CHECK(stack::sysctl_get(s, "net.ipv4.tcp_congestion_control") == "cubic");
  CHECK(stack::sysctl_set(s, "net.ipv4.tcp_congestion_control", "reno").empty());
  CHECK(s.tcp_congestion_control == stack::TCP_CONG_RENO);
  CHECK(!stack::sysctl_set(s, "net.ipv4.tcp_congestion_control", "bbr").empty());
  CHECK(stack::mib_name(stack::LINUX_MIB_TCPLOSSPROBES) == "TcpExtTCPLossProbes");
  CHECK(stack::mib_name(stack::LINUX_MIB_TCPSACKRECOVERY) == "TcpExtTCPSackRecovery");
  CHECK(stack::mib_name(stack::LINUX_MIB_DELAYEDACKLOST) == "TcpExtDelayedACKLost");
  CHECK(stack::mib_name(stack::LINUX_MIB_TCPKEEPALIVE) == "TcpExtTCPKeepAlive");
  for (int m = 0; m < stack::MIB_MAX; ++m) {
    const auto mm = static_cast<stack::Mib>(m);
    CHECK(stack::mib_from_name(stack::mib_name(mm)) == mm);
  }
}

// UDP through the whole stack: socket/bind/sendto/recvfrom between two
// simulated kernels, blocking reads woken by arriving datagrams at the right
// simulated time, poll() over several sockets, the receive-buffer limit, and
// the counters Linux keeps for each outcome.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <string>
#include <vector>

#include "stack/inet_diag.h"
#include "stack/socket.h"
#include "tests/stack/harness.h"

using namespace stack;
using namespace stack_test;
using namespace sim::literals;

namespace {

constexpr uint32_t kA = 0xc0a80001;  // 192.168.0.1
constexpr uint32_t kB = 0xc0a80002;  // 192.168.0.2

int udp_bound(net* k, uint32_t addr, uint16_t port) {
  const int fd = sys_socket(k, AF_INET, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  const sockaddr_in a = endpoint(addr, port);
  REQUIRE(sys_bind(k, fd, sa(a), kSinLen) == 0);
  return fd;
}

long send_to(net* k, int fd, const std::string& s, uint32_t addr, uint16_t port) {
  const sockaddr_in a = endpoint(addr, port);
  return now(sys_sendto(k, fd, s.data(), s.size(), 0, sa(a), kSinLen));
}

// An echo server: every datagram goes back to where it came from.
sim::Task<void> echo_server(net* k, uint16_t port, int rounds) {
  const int fd = udp_bound(k, 0, port);
  for (int i = 0; i < rounds; ++i) {
    char buf[1500];
    sockaddr_in from{};
    int fromlen = kSinLen;
    const long n = co_await sys_recvfrom(k, fd, buf, sizeof buf, 0, sa(from), &fromlen);
    REQUIRE(n >= 0);
    CHECK(co_await sys_sendto(k, fd, buf, static_cast<size_t>(n), 0, sa(from), fromlen) == n);
  }
  CHECK(sys_close(k, fd) == 0);
}

}  // namespace

TEST_CASE("UDP echo between two hosts, with the times and counters of each step") {
  World w;
  auto [a, b] = w.add_pair(1_ms);
  w.tasks.spawn(echo_server(a->k(), 7, 2));
  w.run_for(0_ms);  // the server binds and blocks in recvfrom

  const int fd = sys_socket(b->k(), AF_INET, SOCK_DGRAM, 0);
  REQUIRE(send_to(b->k(), fd, "hello", kA, 7) == 5);
  Call<long> reply(sys_recvfrom(b->k(), fd, nullptr, 0, MSG_TRUNC, nullptr, nullptr));
  w.run_for(2_ms - 1_ns);
  CHECK_FALSE(reply.done());  // one way is 1 ms
  w.run_for(1_ns);
  REQUIRE(reply.done());
  CHECK(reply.value() == 5);  // MSG_TRUNC: the datagram's length, although nothing was copied

  char buf[64];
  sockaddr_in from{};
  int fromlen = kSinLen;
  REQUIRE(send_to(b->k(), fd, "second", kA, 7) == 6);
  Call<long> r2(sys_recvfrom(b->k(), fd, buf, sizeof buf, 0, sa(from), &fromlen));
  w.run_for(2_ms);
  REQUIRE(r2.done());
  CHECK(r2.value() == 6);
  CHECK(std::string(buf, 6) == "second");
  CHECK(fromlen == kSinLen);
  CHECK(ntohl(from.sin_addr.s_addr) == kA);
  CHECK(ntohs(from.sin_port) == 7);
  CHECK(w.tasks.done() == 1);
  w.tasks.rethrow_errors();

  // What went over the wire: two datagrams each way, well formed.
  REQUIRE(b->sent().size() == 2);
  REQUIRE(a->sent().size() == 2);
  const Packet& q = b->sent()[0];
  CHECK(q.ipv4().saddr == kB);
  CHECK(q.ipv4().daddr == kA);
  CHECK(q.udp().dport == 7);
  CHECK(q.udp_payload() == "hello");
  CHECK(a->sent()[1].udp_payload() == "second");
  CHECK(a->sent()[1].t == b->sent()[1].t + 1_ms);

  CHECK(a->mib(UDP_MIB_INDATAGRAMS) == 2);
  CHECK(a->mib(UDP_MIB_OUTDATAGRAMS) == 2);
  CHECK(b->mib(UDP_MIB_INDATAGRAMS) == 2);
  CHECK(b->mib(UDP_MIB_OUTDATAGRAMS) == 2);
  CHECK(a->mib(IPSTATS_MIB_INDELIVERS) == 2);
  CHECK(b->mib(IPSTATS_MIB_OUTREQUESTS) == 2);

  REQUIRE(sys_close(b->k(), fd) == 0);
  CHECK(kernel_objects_in_use(a->net()) == 0);
  CHECK(kernel_objects_in_use(b->net()) == 0);
  CHECK(w.pool.in_use() == 0);
}

TEST_CASE("a blocking recvfrom is woken by the datagram, at its arrival time") {
  World w;
  auto [a, b] = w.add_pair(3_ms);
  const int rx = udp_bound(a->k(), kA, 9000);
  char buf[16];
  sockaddr_in from{};
  int fromlen = kSinLen;
  Call<long> r(sys_recvfrom(a->k(), rx, buf, sizeof buf, 0, sa(from), &fromlen));
  w.run_for(10_ms);
  REQUIRE_FALSE(r.done());

  const int tx = udp_bound(b->k(), kB, 5555);
  REQUIRE(send_to(b->k(), tx, "wake", kA, 9000) == 4);  // at 10 ms
  w.run_for(3_ms - 1_ns);
  CHECK_FALSE(r.done());
  w.run_for(1_ns);  // 13 ms
  REQUIRE(r.done());
  CHECK(r.value() == 4);
  CHECK(std::string(buf, 4) == "wake");
  CHECK(ntohs(from.sin_port) == 5555);
  CHECK(ntohl(from.sin_addr.s_addr) == kB);
}

TEST_CASE("recvfrom: SO_RCVTIMEO expires with EAGAIN; O_NONBLOCK and MSG_DONTWAIT do not wait") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = udp_bound(h.k(), kA, 9000);
  char buf[4];
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) == -EAGAIN);
  // 50 ms is 12.5 jiffies at HZ=250: Linux rounds up to 13, so 52 ms.
  const timeval tv{0, 50000};
  REQUIRE(sys_setsockopt(h.k(), fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  Call<long> r(sys_recv(h.k(), fd, buf, sizeof buf, 0));
  w.run_for(52_ms - 1_ns);
  CHECK_FALSE(r.done());
  w.run_for(1_ns);
  REQUIRE(r.done());
  CHECK(r.value() == -EAGAIN);
  REQUIRE(sys_fcntl(h.k(), fd, F_SETFL, O_NONBLOCK) == 0);
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, 0)) == -EAGAIN);
}

TEST_CASE("recvfrom: a datagram arriving before the timeout is returned") {
  World w;
  auto [a, b] = w.add_pair(10_ms);
  const int fd = udp_bound(a->k(), kA, 9000);
  const timeval tv{0, 50000};
  REQUIRE(sys_setsockopt(a->k(), fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  char buf[8];
  Call<long> r(sys_recv(a->k(), fd, buf, sizeof buf, 0));
  const int tx = sys_socket(b->k(), AF_INET, SOCK_DGRAM, 0);
  REQUIRE(send_to(b->k(), tx, "in time", kA, 9000) == 7);
  w.run_for(10_ms);
  REQUIRE(r.done());
  CHECK(r.value() == 7);
}

TEST_CASE("poll over two sockets: resumed by the first that becomes readable, at that time") {
  World w;
  auto [a, b] = w.add_pair(2_ms);
  const int s1 = udp_bound(a->k(), kA, 1001);
  const int s2 = udp_bound(a->k(), kA, 1002);
  pollfd_sim fds[2] = {{s1, NS_POLLIN, 0}, {s2, NS_POLLIN, 0}};
  Call<int> p(sys_poll(a->k(), fds, 2, sim::Time::max()));
  w.run_for(5_ms);
  REQUIRE_FALSE(p.done());

  const int tx = sys_socket(b->k(), AF_INET, SOCK_DGRAM, 0);
  REQUIRE(send_to(b->k(), tx, "two", kA, 1002) == 3);  // sent at 5 ms, arrives at 7 ms
  w.run_for(2_ms - 1_ns);
  CHECK_FALSE(p.done());
  w.run_for(1_ns);
  REQUIRE(p.done());
  CHECK(p.value() == 1);
  CHECK(fds[0].revents == 0);
  CHECK(fds[1].revents == NS_POLLIN);
  // The registrations are gone: a datagram for s1 later wakes nobody, and a
  // new poll sees both.
  REQUIRE(send_to(b->k(), tx, "one", kA, 1001) == 3);
  w.run_for(2_ms);
  pollfd_sim again[2] = {{s1, NS_POLLIN | NS_POLLOUT, 0}, {s2, NS_POLLIN, 0}};
  CHECK(now(sys_poll(a->k(), again, 2, sim::Time())) == 2);
  CHECK(again[0].revents == (NS_POLLIN | NS_POLLOUT));
  CHECK(again[1].revents == NS_POLLIN);
}

TEST_CASE("poll: the timeout, POLLNVAL, negative fds, and several wake-ups before it runs") {
  World w;
  auto [a, b] = w.add_pair(1_ms);
  const int s1 = udp_bound(a->k(), kA, 1001);
  const int s2 = udp_bound(a->k(), kA, 1002);
  {
    pollfd_sim fds[3] = {{s1, NS_POLLIN, 0}, {-1, NS_POLLIN, 0}, {s2, NS_POLLIN, 0}};
    Call<int> p(sys_poll(a->k(), fds, 3, 20_ms));
    w.run_for(20_ms - 1_ns);
    CHECK_FALSE(p.done());
    w.run_for(1_ns);
    REQUIRE(p.done());
    CHECK(p.value() == 0);
    CHECK(fds[1].revents == 0);
  }
  {
    pollfd_sim fds[2] = {{s1, NS_POLLIN, 0}, {99, NS_POLLIN, 0}};
    CHECK(now(sys_poll(a->k(), fds, 2, 1_s)) == 1);
    CHECK(fds[1].revents == NS_POLLNVAL);
    CHECK(fds[0].revents == 0);
  }
  {
    // Both sockets get a datagram at the same instant: one resumption.
    pollfd_sim fds[2] = {{s1, NS_POLLIN, 0}, {s2, NS_POLLIN, 0}};
    Call<int> p(sys_poll(a->k(), fds, 2, 1_s));
    const int tx = sys_socket(b->k(), AF_INET, SOCK_DGRAM, 0);
    REQUIRE(send_to(b->k(), tx, "x", kA, 1001) == 1);
    REQUIRE(send_to(b->k(), tx, "y", kA, 1002) == 1);
    w.run_for(1_ms);
    REQUIRE(p.done());
    CHECK(p.value() == 2);
  }
  pollfd_sim bad[1] = {{s1, NS_POLLIN, 0}};
  CHECK(now(sys_poll(a->k(), bad, -1, 0_ms)) == -EINVAL);
  // A stdio fd is no socket: always readable and writable.
  pollfd_sim tty[1] = {{0, NS_POLLIN | NS_POLLOUT, 0}};
  CHECK(now(sys_poll(a->k(), tty, 1, 0_ms)) == 1);
  CHECK(tty[0].revents == (NS_POLLIN | NS_POLLOUT));
}

TEST_CASE("poll: shutdown wakes a poller with POLLIN|POLLRDHUP; SHUT_RDWR adds POLLHUP") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = udp_bound(h.k(), kA, 1001);
  pollfd_sim fds[1] = {{fd, NS_POLLIN | NS_POLLRDHUP, 0}};
  Call<int> p(sys_poll(h.k(), fds, 1, sim::Time::max()));
  w.run_for(1_ms);
  REQUIRE_FALSE(p.done());
  CHECK(sys_shutdown(h.k(), fd, SHUT_RDWR) == -ENOTCONN);  // unconnected UDP, but it still shuts down
  w.run_for(0_ms);
  REQUIRE(p.done());
  CHECK(fds[0].revents == (NS_POLLIN | NS_POLLRDHUP | NS_POLLHUP));
}

TEST_CASE("recv on a UDP socket shut down for reading: 0 when blocking, EAGAIN when not") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = udp_bound(h.k(), kA, 1001);
  char buf[4];
  Call<long> r(sys_recv(h.k(), fd, buf, sizeof buf, 0));
  w.run_for(1_ms);
  REQUIRE_FALSE(r.done());
  sys_shutdown(h.k(), fd, SHUT_RD);
  w.run_for(0_ms);
  REQUIRE(r.done());
  CHECK(r.value() == 0);
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, 0)) == 0);
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) == -EAGAIN);
}

TEST_CASE("SO_RCVBUF: datagrams that do not fit are dropped and counted; one always fits") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = udp_bound(h.k(), kA, 2000);
  const int tiny = 1;
  REQUIRE(sys_setsockopt(h.k(), fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny) == 0);  // 2304
  // 100 bytes of payload: a 128-byte packet charged SKB_TRUESIZE(128) = 704.
  // 0, 704, 1408 fit; at 2112 the next overshoots but rmem <= rcvbuf still
  // admits it; at 2816 nothing more fits.
  const std::string payload(100, 'p');
  for (int i = 0; i < 6; ++i) h.inject(udp_packet(kB, 3000, kA, 2000, payload));
  w.run_for(1_ms);
  CHECK(h.mib(UDP_MIB_RCVBUFERRORS) == 2);
  CHECK(h.mib(UDP_MIB_INERRORS) == 2);
  CHECK(h.mib(UDP_MIB_INDATAGRAMS) == 0);  // counted when read
  const std::vector<inet_diag_entry> rows = inet_diag_dump(h.k(), IPPROTO_UDP);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].recv_q == 4 * 704);
  char buf[200];
  for (int i = 0; i < 4; ++i) CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) == 100);
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) == -EAGAIN);
  CHECK(h.mib(UDP_MIB_INDATAGRAMS) == 4);
  CHECK(inet_diag_dump(h.k(), IPPROTO_UDP)[0].recv_q == 0);
  CHECK(w.pool.in_use() == 0);
}

TEST_CASE("recv: truncation, MSG_TRUNC and MSG_PEEK") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = udp_bound(h.k(), kA, 2000);
  h.inject(udp_packet(kB, 3000, kA, 2000, "abcdefgh"));
  h.inject(udp_packet(kB, 3001, kA, 2000, "second"));
  w.run_for(1_ms);
  char buf[16] = {};
  CHECK(now(sys_recv(h.k(), fd, buf, 3, MSG_PEEK)) == 3);
  CHECK(std::string(buf, 3) == "abc");
  CHECK(now(sys_recv(h.k(), fd, buf, 3, MSG_PEEK | MSG_TRUNC)) == 8);
  CHECK(h.mib(UDP_MIB_INDATAGRAMS) == 0);
  CHECK(now(sys_recv(h.k(), fd, buf, 3, 0)) == 3);  // the rest of the datagram is lost
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, 0)) == 6);
  CHECK(std::string(buf, 6) == "second");
  CHECK(h.mib(UDP_MIB_INDATAGRAMS) == 2);
}

TEST_CASE("udp_rcv: NoPorts, bad checksums and bad lengths are counted and dropped") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int fd = udp_bound(h.k(), kA, 2000);
  h.inject(udp_packet(kB, 1, kA, 2001, "nobody"));
  std::vector<uint8_t> bad = udp_packet(kB, 1, kA, 2000, "corrupt");
  bad.back() ^= 0xff;
  h.inject(bad);
  std::vector<uint8_t> longlen = udp_packet(kB, 1, kA, 2000, "len");
  longlen[20 + 5] = 200;  // the UDP length field claims more than the packet holds
  h.inject(longlen);
  std::vector<uint8_t> nocsum = udp_packet(kB, 1, kA, 2000, "ok");
  nocsum[20 + 6] = nocsum[20 + 7] = 0;  // no checksum (RFC 768): accepted
  h.inject(nocsum);
  w.run_for(1_ms);
  CHECK(h.mib(UDP_MIB_NOPORTS) == 1);
  CHECK(h.mib(UDP_MIB_CSUMERRORS) == 1);
  CHECK(h.mib(UDP_MIB_INERRORS) == 2);
  char buf[8];
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) == 2);
  CHECK(now(sys_recv(h.k(), fd, buf, sizeof buf, MSG_DONTWAIT)) == -EAGAIN);
  CHECK(h.sent().empty());  // SIM: no ICMP port unreachable
}

TEST_CASE("udp demux: a connected socket beats a bound one, an exact address beats the wildcard") {
  World w;
  TestHost& h = w.add_host("h", kA);
  const int one = 1;
  const int any = sys_socket(h.k(), AF_INET, SOCK_DGRAM, 0);
  const int exact = sys_socket(h.k(), AF_INET, SOCK_DGRAM, 0);
  const int conn = sys_socket(h.k(), AF_INET, SOCK_DGRAM, 0);
  for (int fd : {any, exact, conn}) REQUIRE(sys_setsockopt(h.k(), fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
  REQUIRE(sys_bind(h.k(), any, sa(endpoint(0, 53)), kSinLen) == 0);
  REQUIRE(sys_bind(h.k(), exact, sa(endpoint(kA, 53)), kSinLen) == 0);
  REQUIRE(sys_bind(h.k(), conn, sa(endpoint(kA, 53)), kSinLen) == 0);
  REQUIRE(now(sys_connect(h.k(), conn, sa(endpoint(kB, 4000)), kSinLen)) == 0);
  h.inject(udp_packet(kB, 4000, kA, 53, "to-conn"));
  h.inject(udp_packet(kB, 4001, kA, 53, "to-exact"));
  h.inject(udp_packet(kB, 4001, ip("127.0.0.1"), 53, "to-any"));
  w.run_for(1_ms);
  char buf[16];
  CHECK(now(sys_recv(h.k(), conn, buf, sizeof buf, MSG_DONTWAIT)) == 7);
  CHECK(now(sys_recv(h.k(), conn, buf, sizeof buf, MSG_DONTWAIT)) == -EAGAIN);
  CHECK(now(sys_recv(h.k(), exact, buf, sizeof buf, MSG_DONTWAIT)) == 8);
  CHECK(now(sys_recv(h.k(), any, buf, sizeof buf, MSG_DONTWAIT)) == 6);
}

TEST_CASE("sendto: the checks of udp_sendmsg, in order") {
  World w;
  TestHost& h = w.add_host("h", kA);
  net* k = h.k();
  const int fd = sys_socket(k, AF_INET, SOCK_DGRAM, 0);
  const char data[8] = {};
  auto sendto = [&](const sockaddr_in& a, int len, size_t n = 4, int flags = 0) {
    return now(sys_sendto(k, fd, data, n, flags, sa(a), len));
  };
  const sockaddr_in dst = endpoint(kB, 9);
  CHECK(now(sys_sendto(k, 55, data, 4, 0, sa(dst), kSinLen)) == -EBADF);
  CHECK(now(sys_sendto(k, 1, data, 4, 0, sa(dst), kSinLen)) == -ENOTSOCK);
  CHECK(sendto(dst, 200) == -EINVAL);  // the address copy
  CHECK(sendto(dst, kSinLen, 70000) == -EMSGSIZE);
  CHECK(sendto(dst, kSinLen, 4, MSG_OOB) == -EOPNOTSUPP);
  CHECK(sendto(dst, 8) == -EINVAL);
  CHECK(sendto(endpoint(kB, 9, AF_INET6), kSinLen) == -EAFNOSUPPORT);
  CHECK(sendto(endpoint(kB, 0), kSinLen) == -EINVAL);
  CHECK(now(sys_send(k, fd, data, 4, 0)) == -EDESTADDRREQ);
  CHECK(now(sys_write(k, fd, data, 4)) == -EDESTADDRREQ);
  h.default_route = false;
  CHECK(sendto(endpoint(ip("10.0.0.1"), 9), kSinLen) == -ENETUNREACH);
  h.default_route = true;
  CHECK(sendto(endpoint(ip("255.255.255.255"), 9), kSinLen) == -EACCES);
  std::vector<char> big(1473);
  CHECK(now(sys_sendto(k, fd, big.data(), big.size(), 0, sa(dst), kSinLen)) == -EMSGSIZE);  // SIM: no fragments
  CHECK(now(sys_sendto(k, fd, big.data(), 1472, 0, sa(dst), kSinLen)) == 1472);
  CHECK(sendto(endpoint(kB, 9, AF_UNSPEC), kSinLen) == 4);  // AF_UNSPEC counts as AF_INET here
  CHECK(h.sent().size() == 2);
  CHECK(h.mib(UDP_MIB_OUTDATAGRAMS) == 2);
}

TEST_CASE("UDP on the wire: TTL, DF, IP ID 0 unconnected and the socket's counter once connected") {
  World w;
  TestHost& h = w.add_host("h", kA);
  net* k = h.k();
  const int fd = udp_bound(k, kA, 4444);
  REQUIRE(send_to(k, fd, "a", kB, 9) == 1);
  const int ttl = 3;
  REQUIRE(sys_setsockopt(k, fd, SOL_IP, IP_TTL, &ttl, sizeof ttl) == 0);
  REQUIRE(send_to(k, fd, "b", kB, 9) == 1);
  REQUIRE(now(sys_connect(k, fd, sa(endpoint(kB, 9)), kSinLen)) == 0);
  REQUIRE(now(sys_write(k, fd, "c", 1)) == 1);
  REQUIRE(now(sys_write(k, fd, "d", 1)) == 1);
  REQUIRE(h.sent().size() == 4);
  const auto p0 = h.sent()[0].ipv4();
  CHECK(p0.ttl == 64);
  CHECK(p0.df);
  CHECK(p0.id == 0);
  CHECK(p0.protocol == IPPROTO_UDP);
  CHECK(h.sent()[0].udp().sport == 4444);
  CHECK(h.sent()[1].ipv4().ttl == 3);
  const uint16_t id2 = h.sent()[2].ipv4().id, id3 = h.sent()[3].ipv4().id;
  CHECK(static_cast<uint16_t>(id3 - id2) == 1);
  CHECK(h.sent()[3].udp_payload() == "d");
}

TEST_CASE("loopback: a datagram to 127.0.0.1 or to our own address comes back through ip_rcv") {
  World w;
  TestHost& h = w.add_host("h", kA);
  net* k = h.k();
  const int rx = udp_bound(k, 0, 7777);
  const int tx = sys_socket(k, AF_INET, SOCK_DGRAM, 0);
  REQUIRE(send_to(k, tx, "lo", ip("127.0.0.1"), 7777) == 2);
  REQUIRE(send_to(k, tx, "self", kA, 7777) == 4);
  char buf[8];
  sockaddr_in from{};
  int fromlen = kSinLen;
  CHECK(now(sys_recvfrom(k, rx, buf, sizeof buf, MSG_DONTWAIT, sa(from), &fromlen)) == -EAGAIN);  // not inline
  w.run_for(0_ms);
  CHECK(now(sys_recvfrom(k, rx, buf, sizeof buf, 0, sa(from), &fromlen)) == 2);
  CHECK(ntohl(from.sin_addr.s_addr) == ip("127.0.0.1"));
  CHECK(now(sys_recvfrom(k, rx, buf, sizeof buf, 0, sa(from), &fromlen)) == 4);
  CHECK(ntohl(from.sin_addr.s_addr) == kA);
  CHECK(h.sent().empty());  // nothing went out on the link
}

// ---- a short application --------------------------------------------------------

// The shape every simulated application has: a coroutine that makes system
// calls on its host's kernel and co_awaits the ones that may block. This one
// asks a "time server" three times, one second apart, and keeps the answers.
sim::Task<void> time_client(net* k, uint32_t server, std::vector<std::string>* answers) {
  const int fd = sys_socket(k, AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in to = endpoint(server, 37);
  REQUIRE(co_await sys_connect(k, fd, sa(to), kSinLen) == 0);
  for (int i = 0; i < 3; ++i) {
    co_await sys_write(k, fd, "now?", 4);
    char buf[32];
    const long n = co_await sys_read(k, fd, buf, sizeof buf);
    answers->emplace_back(buf, static_cast<size_t>(n));
    co_await sim::sleep(k->sim, 1_s);
  }
  sys_close(k, fd);
}

sim::Task<void> time_server(net* k) {
  const int fd = sys_socket(k, AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in me = endpoint(0, 37);
  REQUIRE(sys_bind(k, fd, sa(me), kSinLen) == 0);
  for (;;) {
    char buf[32];
    sockaddr_in from{};
    int fromlen = kSinLen;
    co_await sys_recvfrom(k, fd, buf, sizeof buf, 0, sa(from), &fromlen);
    const std::string t = std::to_string(k->now().ms()) + "ms";
    co_await sys_sendto(k, fd, t.data(), t.size(), 0, sa(from), fromlen);
  }
}

TEST_CASE("example application: a UDP time client and server") {
  World w;
  auto [a, b] = w.add_pair(5_ms);
  std::vector<std::string> answers;
  w.tasks.spawn(time_server(a->k()));
  w.tasks.spawn(time_client(b->k(), a->addr(), &answers));
  w.run_for(10_s);
  w.tasks.rethrow_errors();
  CHECK(answers == std::vector<std::string>{"5ms", "1015ms", "2025ms"});
  CHECK(w.tasks.done() == 1);  // the server runs forever; the World ends it
}

// The socket calls over real TCP between two simulated kernels: what
// listen() and accept() do beyond their errnos, the outcomes of connect()
// (section 14: 0 once then EISCONN, the pending error, ECONNABORTED once it
// was consumed), blocking calls woken at the right simulated time, and a TCP
// echo through the same API as the UDP one.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "stack/inet_diag.h"
#include "stack/socket.h"
#include "tests/stack/harness.h"

using namespace stack;
using namespace stack_test;
using namespace sim::literals;

namespace {

constexpr uint32_t kA = 0xc0a80001;  // client
constexpr uint32_t kB = 0xc0a80002;  // server

struct Pair {
  World w;
  TestHost* a;
  TestHost* b;
  Pair() {
    auto p = w.add_pair(1_ms, kA, kB);
    a = p.first;
    b = p.second;
  }
  int listen_on(uint16_t port, int backlog, int type_flags = 0) {
    const int fd = sys_socket(b->k(), AF_INET, SOCK_STREAM | type_flags, 0);
    REQUIRE(sys_bind(b->k(), fd, sa(endpoint(0, port)), kSinLen) == 0);
    REQUIRE(sys_listen(b->k(), fd, backlog) == 0);
    return fd;
  }
  int client(int type_flags = 0) { return sys_socket(a->k(), AF_INET, SOCK_STREAM | type_flags, 0); }
  int so_error(net* k, int fd) {
    int v = -1, len = sizeof v;
    REQUIRE(sys_getsockopt(k, fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0);
    return v;
  }
  inet_diag_entry listener_row(uint16_t port) {
    for (const inet_diag_entry& e : inet_diag_dump(b->k(), IPPROTO_TCP))
      if (e.state == stack::TCP_LISTEN && e.sport == port) return e;
    FAIL("no listener");
    return {};
  }
};

const sockaddr_in kServer80 = endpoint(kB, 80);

}  // namespace

TEST_CASE("connect/accept: blocking calls complete at the handshake's times") {
  Pair p;
  const int l = p.listen_on(80, 4);
  sockaddr_in peer{};
  int peerlen = kSinLen;
  Call<int> acc(sys_accept4(p.b->k(), l, sa(peer), &peerlen, 0));
  p.w.run_for(10_ms);
  REQUIRE_FALSE(acc.done());

  const int c = p.client();
  Call<int> con(sys_connect(p.a->k(), c, sa(kServer80), kSinLen));  // SYN at 10 ms
  p.w.run_for(2_ms - 1_ns);
  CHECK_FALSE(con.done());
  p.w.run_for(1_ns);  // SYN-ACK back at 12 ms
  REQUIRE(con.done());
  CHECK(con.value() == 0);
  CHECK_FALSE(acc.done());
  p.w.run_for(1_ms);  // the third ACK reaches the server at 13 ms
  REQUIRE(acc.done());
  const int s = acc.value();
  CHECK(s == 4);
  CHECK(peerlen == kSinLen);
  CHECK(ntohl(peer.sin_addr.s_addr) == kA);
  sockaddr_in me{};
  int melen = kSinLen;
  REQUIRE(sys_getsockname(p.a->k(), c, sa(me), &melen) == 0);
  CHECK(peer.sin_port == me.sin_port);
  // The accepted socket is connected and knows its peer.
  sockaddr_in q{};
  int qlen = kSinLen;
  REQUIRE(sys_getpeername(p.b->k(), s, sa(q), &qlen) == 0);
  CHECK(ntohl(q.sin_addr.s_addr) == kA);
  CHECK(now(sys_connect(p.b->k(), s, sa(endpoint(kA, 1)), kSinLen)) == -EISCONN);
  CHECK(sys_listen(p.b->k(), s, 1) == -EINVAL);
  CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EISCONN);
  CHECK(sys_bind(p.a->k(), c, sa(endpoint(kA, 5000)), kSinLen) == -EINVAL);
  CHECK(p.a->mib(TCP_MIB_ACTIVEOPENS) == 1);
  CHECK(p.b->mib(TCP_MIB_PASSIVEOPENS) == 1);
}

TEST_CASE("connect: non-blocking gives EINPROGRESS, then 0 once, then EISCONN") {
  Pair p;
  p.listen_on(80, 4);
  const int c = p.client(SOCK_NONBLOCK);
  CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EALREADY);
  pollfd_sim w[1] = {{c, NS_POLLOUT, 0}};
  Call<int> writable(sys_poll(p.a->k(), w, 1, sim::Time::max()));
  p.w.run_for(2_ms);
  REQUIRE(writable.done());
  CHECK((w[0].revents & NS_POLLOUT) != 0);
  CHECK(p.so_error(p.a->k(), c) == 0);
  CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == 0);
  CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EISCONN);
  CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EISCONN);
}

TEST_CASE("connect: a refused blocking connect returns ECONNREFUSED once; SO_ERROR is then 0") {
  Pair p;
  const int c = p.client();
  Call<int> con(sys_connect(p.a->k(), c, sa(endpoint(kB, 81)), kSinLen));
  p.w.run_for(2_ms);
  REQUIRE(con.done());
  CHECK(con.value() == -ECONNREFUSED);
  CHECK(p.so_error(p.a->k(), c) == 0);
  CHECK(p.a->mib(TCP_MIB_ATTEMPTFAILS) == 1);
  CHECK(p.b->mib(TCP_MIB_OUTRSTS) == 1);
}

TEST_CASE("connect: a refused non-blocking connect reports the error on the next call, then retries") {
  Pair p;
  const int c = p.client(SOCK_NONBLOCK);
  const sockaddr_in closed = endpoint(kB, 81);
  CHECK(now(sys_connect(p.a->k(), c, sa(closed), kSinLen)) == -EINPROGRESS);
  p.w.run_for(2_ms);
  CHECK(now(sys_connect(p.a->k(), c, sa(closed), kSinLen)) == -ECONNREFUSED);
  CHECK(now(sys_connect(p.a->k(), c, sa(closed), kSinLen)) == -EINPROGRESS);  // a new attempt
  CHECK(p.a->mib(TCP_MIB_ACTIVEOPENS) == 2);
}

TEST_CASE("connect: once SO_ERROR consumed the error, the next connect() says ECONNABORTED") {
  Pair p;
  const int c = p.client(SOCK_NONBLOCK);
  const sockaddr_in closed = endpoint(kB, 81);
  CHECK(now(sys_connect(p.a->k(), c, sa(closed), kSinLen)) == -EINPROGRESS);
  p.w.run_for(2_ms);
  CHECK(p.so_error(p.a->k(), c) == ECONNREFUSED);
  CHECK(p.so_error(p.a->k(), c) == 0);
  CHECK(now(sys_connect(p.a->k(), c, sa(closed), kSinLen)) == -ECONNABORTED);
  CHECK(now(sys_connect(p.a->k(), c, sa(closed), kSinLen)) == -EINPROGRESS);
}

TEST_CASE("connect: AF_UNSPEC on a connected socket disconnects it; listen() then works") {
  Pair p;
  p.listen_on(80, 4);
  const int c = p.client();
  Call<int> con(sys_connect(p.a->k(), c, sa(kServer80), kSinLen));
  p.w.run_for(3_ms);
  REQUIRE(con.done());
  REQUIRE(con.value() == 0);
  const uint64_t rsts = p.a->mib(TCP_MIB_OUTRSTS);
  const sockaddr_in unspec = endpoint(0, 0, AF_UNSPEC);
  CHECK(now(sys_connect(p.a->k(), c, sa(unspec), kSinLen)) == 0);
  CHECK(p.a->mib(TCP_MIB_OUTRSTS) == rsts + 1);  // a connected socket sends RST
  CHECK(sys_listen(p.a->k(), c, 3) == 0);
}

TEST_CASE("accept: the new socket does not inherit O_NONBLOCK; SOCK_NONBLOCK sets it") {
  Pair p;
  const int l = p.listen_on(80, 4, SOCK_NONBLOCK);
  for (int i = 0; i < 2; ++i) {
    const int c = p.client(SOCK_NONBLOCK);
    CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  }
  p.w.run_for(3_ms);
  CHECK(p.listener_row(80).recv_q == 2);
  CHECK(p.listener_row(80).send_q == 4);
  const int s1 = now(sys_accept4(p.b->k(), l, nullptr, nullptr, 0));
  const int s2 = now(sys_accept4(p.b->k(), l, nullptr, nullptr, SOCK_NONBLOCK));
  REQUIRE(s1 >= 0);
  REQUIRE(s2 >= 0);
  CHECK((sys_fcntl(p.b->k(), s1, F_GETFL, 0) & O_NONBLOCK) == 0);
  CHECK((sys_fcntl(p.b->k(), s2, F_GETFL, 0) & O_NONBLOCK) != 0);
  CHECK(p.listener_row(80).recv_q == 0);
  CHECK(now(sys_accept4(p.b->k(), l, nullptr, nullptr, 0)) == -EAGAIN);
}

TEST_CASE("accept: backlog N admits N+1 children; ss shows Recv-Q / Send-Q") {
  Pair p;
  p.b->net().sysctl.tcp_syncookies = 0;
  const int l = p.listen_on(80, 1);
  for (int i = 0; i < 3; ++i) {
    const int c = p.client(SOCK_NONBLOCK);
    CHECK(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  }
  p.w.run_for(5_ms);
  // All three SYNs arrive together: backlog 1 admits two requests, the
  // third finds the SYN queue full (syncookies off) and is dropped.
  CHECK(p.listener_row(80).recv_q == 2);
  CHECK(p.listener_row(80).send_q == 1);
  CHECK(p.b->mib(LINUX_MIB_TCPREQQFULLDROP) == 1);
  CHECK(p.b->mib(LINUX_MIB_LISTENDROPS) == 1);
  CHECK(now(sys_accept4(p.b->k(), l, nullptr, nullptr, 0)) >= 0);
  CHECK(p.listener_row(80).recv_q == 1);
}

TEST_CASE("poll on a listener: readable once a child is queued") {
  Pair p;
  const int l = p.listen_on(80, 4);
  pollfd_sim fds[1] = {{l, NS_POLLIN, 0}};
  Call<int> ready(sys_poll(p.b->k(), fds, 1, sim::Time::max()));
  const int c = p.client(SOCK_NONBLOCK);
  REQUIRE(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  p.w.run_for(3_ms - 1_ns);
  CHECK_FALSE(ready.done());
  p.w.run_for(1_ns);
  REQUIRE(ready.done());
  CHECK(ready.value() == 1);
  CHECK((fds[0].revents & NS_POLLIN) != 0);
}

TEST_CASE("accept: several blocked acceptors get one child each, in arrival order") {
  Pair p;
  const int l = p.listen_on(80, 8);
  Call<int> first(sys_accept4(p.b->k(), l, nullptr, nullptr, 0));
  Call<int> second(sys_accept4(p.b->k(), l, nullptr, nullptr, 0));
  const int c = p.client(SOCK_NONBLOCK);
  REQUIRE(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  p.w.run_for(3_ms);
  CHECK(first.done());
  CHECK_FALSE(second.done());
  const int c2 = p.client(SOCK_NONBLOCK);
  REQUIRE(now(sys_connect(p.a->k(), c2, sa(kServer80), kSinLen)) == -EINPROGRESS);
  p.w.run_for(3_ms);
  REQUIRE(second.done());
  CHECK(first.value() >= 0);
  CHECK(second.value() >= 0);
  CHECK(first.value() != second.value());
}

TEST_CASE("shutdown(SHUT_RD) on a listener with a queued child: the child is reset, accept is EINVAL") {
  Pair p;
  const int l = p.listen_on(80, 4);
  const int c = p.client(SOCK_NONBLOCK);
  REQUIRE(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  p.w.run_for(3_ms);
  REQUIRE(p.listener_row(80).recv_q == 1);
  const uint64_t rsts = p.b->mib(TCP_MIB_OUTRSTS);
  CHECK(sys_shutdown(p.b->k(), l, SHUT_RD) == 0);
  CHECK(p.b->mib(TCP_MIB_OUTRSTS) == rsts + 1);
  CHECK(now(sys_accept4(p.b->k(), l, nullptr, nullptr, 0)) == -EINVAL);
  CHECK(sys_listen(p.b->k(), l, 4) == 0);
}

TEST_CASE("connect: a blocked connect() whose socket is shut down meanwhile fails with EPIPE") {
  Pair p;
  const int c = p.client();
  Call<int> con(sys_connect(p.a->k(), c, sa(endpoint(ip("10.0.0.9"), 80)), kSinLen));  // never answered
  p.w.run_for(500_ms);
  REQUIRE_FALSE(con.done());
  CHECK(sys_shutdown(p.a->k(), c, SHUT_RDWR) == 0);
  p.w.run_for(0_ms);
  REQUIRE(con.done());
  CHECK(con.value() == -EPIPE);
}

TEST_CASE("accept: the peer address is truncated to addrlen, which reports the full length") {
  Pair p;
  const int l = p.listen_on(80, 4);
  const int c = p.client(SOCK_NONBLOCK);
  REQUIRE(now(sys_connect(p.a->k(), c, sa(kServer80), kSinLen)) == -EINPROGRESS);
  p.w.run_for(3_ms);
  unsigned char buf[16];
  std::memset(buf, 0xaa, sizeof buf);
  int len = 4;
  const int s = now(sys_accept4(p.b->k(), l, reinterpret_cast<sockaddr*>(buf), &len, 0));
  REQUIRE(s >= 0);
  CHECK(len == kSinLen);
  CHECK(buf[0] == AF_INET);  // sin_family, little-endian
  CHECK(buf[4] == 0xaa);     // nothing past the 4 bytes offered
}

// ---- TCP echo through the same API ---------------------------------------------------

sim::Task<void> tcp_echo_server(net* k, uint16_t port) {
  const int l = sys_socket(k, AF_INET, SOCK_STREAM, 0);
  REQUIRE(sys_bind(k, l, sa(endpoint(0, port)), kSinLen) == 0);
  REQUIRE(sys_listen(k, l, 16) == 0);
  const int s = co_await sys_accept(k, l, nullptr, nullptr);
  REQUIRE(s >= 0);
  for (;;) {
    char buf[512];
    const long n = co_await sys_read(k, s, buf, sizeof buf);
    if (n <= 0) break;
    REQUIRE(co_await sys_write(k, s, buf, static_cast<size_t>(n)) == n);
  }
  sys_close(k, s);
  sys_close(k, l);
}

sim::Task<void> tcp_echo_client(net* k, uint32_t server, std::string* echoed) {
  const int fd = sys_socket(k, AF_INET, SOCK_STREAM, 0);
  REQUIRE(co_await sys_connect(k, fd, sa(endpoint(server, 7)), kSinLen) == 0);
  const std::string msg = "the same API as UDP";
  REQUIRE(co_await sys_write(k, fd, msg.data(), msg.size()) == static_cast<long>(msg.size()));
  char buf[64];
  const long n = co_await sys_recv(k, fd, buf, msg.size(), MSG_WAITALL);
  echoed->assign(buf, static_cast<size_t>(n > 0 ? n : 0));
  sys_close(k, fd);
}

TEST_CASE("TCP echo between two hosts through the socket API") {
  Pair p;
  std::string echoed;
  p.w.tasks.spawn(tcp_echo_server(p.b->k(), 7));
  p.w.tasks.spawn(tcp_echo_client(p.a->k(), kB, &echoed));
  p.w.run_for(5_s);
  p.w.tasks.rethrow_errors();
  CHECK(echoed == "the same API as UDP");
  CHECK(p.w.tasks.done() == 2);
}

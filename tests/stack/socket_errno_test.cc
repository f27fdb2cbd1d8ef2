// The errno of every failing socket(), bind(), listen(), accept() and
// connect() case in linux-listen-path.md sections 2, 3, 4, 6 and 14 that
// needs no TCP peer, and the order in which the checks run (a call that
// breaks two rules must report the one Linux checks first).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "stack/inet_diag.h"
#include "stack/socket.h"
#include "tests/stack/harness.h"

using namespace stack;
using namespace stack_test;
using namespace sim::literals;

namespace {

constexpr uint32_t kHost = 0xc0a80001;  // 192.168.0.1
constexpr int AF_IPX_ = 4;
constexpr int kAfMax = 46;
constexpr int kSockMax = 11;

struct OneHost {
  World w;
  TestHost& h = w.add_host("host", kHost);
  net* k = h.k();

  int tcp() { return sys_socket(k, AF_INET, SOCK_STREAM, 0); }
  int udp() { return sys_socket(k, AF_INET, SOCK_DGRAM, 0); }
  int bind(int fd, uint32_t addr, uint16_t port) {
    const sockaddr_in a = endpoint(addr, port);
    return sys_bind(k, fd, sa(a), kSinLen);
  }
  int getsockopt_int(int fd, int optname) {
    int v = -12345;
    int len = sizeof v;
    REQUIRE(sys_getsockopt(k, fd, SOL_SOCKET, optname, &v, &len) == 0);
    return v;
  }
  sockaddr_in name(int fd) {
    sockaddr_in a{};
    int len = kSinLen;
    REQUIRE(sys_getsockname(k, fd, sa(a), &len) == 0);
    return a;
  }
  // The listener's row as `ss -lnt` shows it.
  inet_diag_entry listener(uint16_t port) {
    for (const inet_diag_entry& e : inet_diag_dump(k, IPPROTO_TCP))
      if (e.state == stack::TCP_LISTEN && e.sport == port) return e;
    FAIL("no listener on port ", port);
    return {};
  }
  int connect(int fd, const sockaddr_in& a, int len = kSinLen) { return now(sys_connect(k, fd, sa(a), len)); }
  int accept(int fd, int flags = 0) { return now(sys_accept4(k, fd, nullptr, nullptr, flags)); }
};

}  // namespace

// ---- section 2: socket() ---------------------------------------------------------

TEST_CASE("socket: flag bits outside the type mask are EINVAL before anything else") {
  OneHost t;
  CHECK(sys_socket(t.k, kAfMax, 0x40, 0) == -EINVAL);  // not EAFNOSUPPORT
  CHECK(sys_socket(t.k, AF_INET, 99, 0) == -EINVAL);
  CHECK(sys_socket(t.k, 255, 99, 0) == -EINVAL);
  CHECK(sys_socket(t.k, AF_INET, -1, 0) == -EINVAL);
  CHECK(sys_socket(t.k, -1, -1, 0) == -EINVAL);
}

TEST_CASE("socket: family out of range is EAFNOSUPPORT, checked before the type range") {
  OneHost t;
  CHECK(sys_socket(t.k, kAfMax, SOCK_STREAM, 0) == -EAFNOSUPPORT);
  CHECK(sys_socket(t.k, 255, SOCK_STREAM, 0) == -EAFNOSUPPORT);
  CHECK(sys_socket(t.k, -1, SOCK_STREAM, 0) == -EAFNOSUPPORT);
  CHECK(sys_socket(t.k, kAfMax, kSockMax, 0) == -EAFNOSUPPORT);
}

TEST_CASE("socket: type >= SOCK_MAX is EINVAL, checked before the family registry") {
  OneHost t;
  CHECK(sys_socket(t.k, AF_INET, kSockMax, 0) == -EINVAL);
  CHECK(sys_socket(t.k, AF_IPX_, kSockMax, 0) == -EINVAL);  // unregistered family, but the type is checked first
}

TEST_CASE("socket: an unregistered family is EAFNOSUPPORT") {
  OneHost t;
  CHECK(sys_socket(t.k, AF_UNSPEC, SOCK_STREAM, 0) == -EAFNOSUPPORT);
  CHECK(sys_socket(t.k, AF_IPX_, SOCK_STREAM, 0) == -EAFNOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET6, SOCK_STREAM, 0) == -EAFNOSUPPORT);  // SIM: IPv4 only
  // (PF_INET, SOCK_PACKET) is rewritten to PF_PACKET, which is not registered here.
  CHECK(sys_socket(t.k, AF_INET, SOCK_PACKET, 0) == -EAFNOSUPPORT);
}

TEST_CASE("socket: inet_create checks the protocol range before the type lookup") {
  OneHost t;
  CHECK(sys_socket(t.k, AF_INET, SOCK_SEQPACKET, 999) == -EINVAL);  // not ESOCKTNOSUPPORT
  CHECK(sys_socket(t.k, AF_INET, SOCK_STREAM, 263) == -EINVAL);
  CHECK(sys_socket(t.k, AF_INET, SOCK_STREAM, -1) == -EINVAL);
}

TEST_CASE("socket: a type without inet protocols is ESOCKTNOSUPPORT") {
  OneHost t;
  CHECK(sys_socket(t.k, AF_INET, SOCK_SEQPACKET, 0) == -ESOCKTNOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_RDM, 0) == -ESOCKTNOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, 0, 0) == -ESOCKTNOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_DCCP, 0) == -ESOCKTNOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP) == -ESOCKTNOSUPPORT);
}

TEST_CASE("socket: a protocol that does not belong to the type is EPROTONOSUPPORT") {
  OneHost t;
  CHECK(sys_socket(t.k, AF_INET, SOCK_STREAM, IPPROTO_UDP) == -EPROTONOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_DGRAM, IPPROTO_TCP) == -EPROTONOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_STREAM, IPPROTO_SCTP) == -EPROTONOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_STREAM, 253) == -EPROTONOSUPPORT);
  CHECK(sys_socket(t.k, AF_INET, SOCK_RAW, 0) == -EPROTONOSUPPORT);  // the wildcard row meets protocol 0
}

TEST_CASE("socket: SOCK_RAW needs CAP_NET_RAW, checked after the protocol lookup") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_RAW, IPPROTO_TCP);
  REQUIRE(fd >= 0);  // root
  CHECK(t.getsockopt_int(fd, SO_PROTOCOL) == IPPROTO_TCP);
  CHECK(t.getsockopt_int(fd, SO_TYPE) == SOCK_RAW);
  CHECK(sys_close(t.k, fd) == 0);
  t.k->has_cap_net_raw = false;
  CHECK(sys_socket(t.k, AF_INET, SOCK_RAW, IPPROTO_TCP) == -EPERM);
  CHECK(sys_socket(t.k, AF_INET, SOCK_RAW, IPPROTO_UDP) == -EPERM);
  CHECK(sys_socket(t.k, AF_INET, SOCK_RAW, 0) == -EPROTONOSUPPORT);  // lookup first
  CHECK(sys_socket(t.k, AF_INET, SOCK_STREAM, 0) >= 0);             // others unaffected
}

TEST_CASE("socket: a ping socket is refused with EACCES by the default ping_group_range") {
  OneHost t;
  CHECK(sys_socket(t.k, AF_INET, SOCK_DGRAM, IPPROTO_ICMP) == -EACCES);
  CHECK(t.k->raw_sock_cache.in_use() == 0);  // the sock made for it was released
  CHECK(t.k->socket_cache.in_use() == 0);
}

TEST_CASE("socket: protocol 0 picks the type's first protocol; flags are accepted") {
  OneHost t;
  const int s = t.tcp();
  const int d = t.udp();
  CHECK(s == 3);  // fds 0-2 are the process's stdio
  CHECK(d == 4);
  CHECK(t.getsockopt_int(s, SO_PROTOCOL) == IPPROTO_TCP);
  CHECK(t.getsockopt_int(d, SO_PROTOCOL) == IPPROTO_UDP);
  CHECK(t.getsockopt_int(s, SO_TYPE) == SOCK_STREAM);
  CHECK(t.getsockopt_int(d, SO_TYPE) == SOCK_DGRAM);
  CHECK(t.getsockopt_int(s, SO_DOMAIN) == AF_INET);
  CHECK(t.getsockopt_int(s, SO_ACCEPTCONN) == 0);
  const int nb = sys_socket(t.k, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  REQUIRE(nb == 5);
  CHECK((sys_fcntl(t.k, nb, F_GETFL, 0) & O_NONBLOCK) != 0);
  CHECK((sys_fcntl(t.k, s, F_GETFL, 0) & O_NONBLOCK) == 0);
  CHECK((sys_fcntl(t.k, s, F_GETFL, 0) & O_ACCMODE) == O_RDWR);
}

TEST_CASE("socket: a full fd table is EMFILE, after the family has created the socket") {
  OneHost t;
  t.k->max_fds = 5;
  CHECK(t.tcp() == 3);
  CHECK(t.udp() == 4);
  CHECK(t.tcp() == -EMFILE);
  CHECK(sys_socket(t.k, AF_INET, SOCK_SEQPACKET, 0) == -ESOCKTNOSUPPORT);  // create's errors come first
  CHECK(t.k->socket_cache.in_use() == 2);  // the refused socket was released
  CHECK(t.k->tcp_sock_cache.in_use() == 1);
  CHECK(sys_close(t.k, 3) == 0);
  CHECK(t.udp() == 3);  // the lowest free number
}

// ---- section 3: bind() -------------------------------------------------------------

TEST_CASE("bind: EBADF and ENOTSOCK come before the address is looked at") {
  OneHost t;
  const sockaddr_in a = endpoint(kHost, 8080);
  CHECK(sys_bind(t.k, 99, sa(a), 200) == -EBADF);
  CHECK(sys_bind(t.k, -1, sa(a), kSinLen) == -EBADF);
  CHECK(sys_bind(t.k, 0, sa(a), 200) == -ENOTSOCK);  // stdin is no socket
  const int f = sys_open_file(t.k);
  CHECK(sys_bind(t.k, f, sa(a), kSinLen) == -ENOTSOCK);
  const int fd = t.tcp();
  CHECK(sys_close(t.k, fd) == 0);
  CHECK(sys_bind(t.k, fd, sa(a), kSinLen) == -EBADF);  // closed
}

TEST_CASE("bind: address length checks come before the family check") {
  OneHost t;
  const int fd = t.tcp();
  sockaddr_in a = endpoint(kHost, 8080, AF_INET6);
  CHECK(sys_bind(t.k, fd, sa(a), -1) == -EINVAL);
  CHECK(sys_bind(t.k, fd, sa(a), 129) == -EINVAL);
  CHECK(sys_bind(t.k, fd, sa(a), 15) == -EINVAL);  // short, and the wrong family: EINVAL wins
  CHECK(sys_bind(t.k, fd, sa(a), 0) == -EINVAL);
  CHECK(sys_bind(t.k, fd, sa(a), kSinLen) == -EAFNOSUPPORT);
  sockaddr_storage big{};
  std::memcpy(&big, &a, sizeof a);
  CHECK(sys_bind(t.k, fd, reinterpret_cast<sockaddr*>(&big), 128) == -EAFNOSUPPORT);  // up to sockaddr_storage
}

TEST_CASE("bind: AF_UNSPEC is accepted only with INADDR_ANY") {
  OneHost t;
  const int fd = t.tcp();
  sockaddr_in a = endpoint(kHost, 8080, AF_UNSPEC);
  CHECK(sys_bind(t.k, fd, sa(a), kSinLen) == -EAFNOSUPPORT);
  a = endpoint(0, 8080, AF_UNSPEC);
  CHECK(sys_bind(t.k, fd, sa(a), kSinLen) == 0);
  CHECK(ntohs(t.name(fd).sin_port) == 8080);
}

TEST_CASE("bind: a non-local address is EADDRNOTAVAIL unless nonlocal binding is allowed") {
  OneHost t;
  const int fd = t.tcp();
  CHECK(t.bind(fd, ip("192.168.0.77"), 8080) == -EADDRNOTAVAIL);
  CHECK(t.bind(fd, ip("10.1.2.3"), 80) == -EADDRNOTAVAIL);  // the address before the port privilege
  sockaddr_in six = endpoint(ip("10.1.2.3"), 8080, AF_INET6);
  CHECK(sys_bind(t.k, fd, sa(six), kSinLen) == -EAFNOSUPPORT);  // the family before the address
  // Local: our address, loopback, the wildcard.
  CHECK(t.bind(t.tcp(), kHost, 8080) == 0);
  CHECK(t.bind(t.tcp(), ip("127.0.0.1"), 8080) == 0);
  CHECK(t.bind(t.tcp(), ip("127.3.4.5"), 8080) == 0);
  // IP_FREEBIND on the socket, or the sysctl.
  const int one = 1;
  const int u = t.udp();
  CHECK(t.bind(u, ip("10.1.2.3"), 8080) == -EADDRNOTAVAIL);
  CHECK(sys_setsockopt(t.k, u, SOL_IP, IP_FREEBIND, &one, sizeof one) == 0);
  CHECK(t.bind(u, ip("10.1.2.3"), 8080) == 0);
  t.k->sysctl.ip_nonlocal_bind = 1;
  CHECK(t.bind(t.tcp(), ip("10.9.9.9"), 8080) == 0);
}

TEST_CASE("bind: a port below ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE") {
  OneHost t;
  CHECK(t.bind(t.tcp(), kHost, 80) == 0);  // root
  t.k->has_cap_net_bind_service = false;
  CHECK(t.bind(t.tcp(), kHost, 81) == -EACCES);
  CHECK(t.bind(t.tcp(), kHost, 1023) == -EACCES);
  CHECK(t.bind(t.tcp(), kHost, 1024) == 0);
  CHECK(t.bind(t.tcp(), kHost, 0) == 0);  // port 0 is never privileged
  t.k->sysctl.ip_unprivileged_port_start = 80;
  CHECK(t.bind(t.tcp(), kHost, 82) == 0);
  CHECK(t.bind(t.tcp(), kHost, 79) == -EACCES);
  // Already bound and privileged: EACCES is checked before EINVAL.
  const int fd = t.tcp();
  REQUIRE(t.bind(fd, kHost, 5000) == 0);
  CHECK(t.bind(fd, kHost, 70) == -EACCES);
  CHECK(t.bind(fd, kHost, 5001) == -EINVAL);
}

TEST_CASE("bind: twice, or after listen(), is EINVAL") {
  OneHost t;
  const int fd = t.tcp();
  REQUIRE(t.bind(fd, kHost, 8080) == 0);
  CHECK(t.bind(fd, kHost, 8081) == -EINVAL);
  CHECK(t.bind(fd, kHost, 8080) == -EINVAL);
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 5) == 0);  // auto-binds
  CHECK(t.bind(l, kHost, 9090) == -EINVAL);
  const int u = t.udp();
  REQUIRE(t.bind(u, kHost, 8080) == 0);  // UDP ports are a separate space
  CHECK(t.bind(u, kHost, 8081) == -EINVAL);
}

TEST_CASE("bind: address overlap decides port conflicts") {
  OneHost t;
  const uint32_t lo1 = ip("127.0.0.1"), lo2 = ip("127.0.0.2");
  REQUIRE(t.bind(t.tcp(), lo1, 7000) == 0);
  CHECK(t.bind(t.tcp(), lo1, 7000) == -EADDRINUSE);
  CHECK(t.bind(t.tcp(), 0, 7000) == -EADDRINUSE);
  CHECK(t.bind(t.tcp(), lo2, 7000) == 0);
  REQUIRE(t.bind(t.tcp(), 0, 7001) == 0);
  CHECK(t.bind(t.tcp(), lo1, 7001) == -EADDRINUSE);
  // A failed bind leaves the socket unbound and usable.
  const int fd = t.tcp();
  CHECK(t.bind(fd, lo1, 7000) == -EADDRINUSE);
  CHECK(t.name(fd).sin_port == 0);
  CHECK(t.name(fd).sin_addr.s_addr == 0);
  CHECK(t.bind(fd, lo1, 7002) == 0);
}

TEST_CASE("bind: SO_REUSEADDR shares a port between non-listening sockets only") {
  OneHost t;
  const int one = 1;
  const int a = t.tcp(), b = t.tcp(), c = t.tcp();
  for (int fd : {a, b, c}) REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
  REQUIRE(t.bind(a, kHost, 7100) == 0);
  CHECK(t.bind(b, kHost, 7100) == 0);
  // One of them listens: the other cannot listen too, and nobody new binds.
  CHECK(sys_listen(t.k, a, 4) == 0);
  CHECK(sys_listen(t.k, b, 4) == -EADDRINUSE);
  CHECK(t.getsockopt_int(b, SO_ACCEPTCONN) == 0);  // back to CLOSE
  CHECK(t.bind(c, kHost, 7100) == -EADDRINUSE);
  // Without SO_REUSEADDR on the newcomer, even a non-listening owner conflicts.
  const int d = t.tcp(), e = t.tcp();
  REQUIRE(sys_setsockopt(t.k, d, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
  REQUIRE(t.bind(d, kHost, 7200) == 0);
  CHECK(t.bind(e, kHost, 7200) == -EADDRINUSE);
}

TEST_CASE("bind: SO_REUSEPORT shares a port, listeners included") {
  OneHost t;
  const int one = 1;
  const int a = t.tcp(), b = t.tcp();
  for (int fd : {a, b}) REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0);
  REQUIRE(t.bind(a, kHost, 7300) == 0);
  REQUIRE(sys_listen(t.k, a, 4) == 0);
  CHECK(t.bind(b, kHost, 7300) == 0);
  CHECK(sys_listen(t.k, b, 4) == 0);
}

TEST_CASE("bind: port 0 takes an ephemeral port; an exhausted range is EADDRINUSE") {
  OneHost t;
  t.k->sysctl.ip_local_port_range[0] = 40000;
  t.k->sysctl.ip_local_port_range[1] = 40001;
  const int a = t.tcp(), b = t.tcp(), c = t.tcp();
  REQUIRE(t.bind(a, kHost, 0) == 0);
  REQUIRE(t.bind(b, kHost, 0) == 0);
  const uint16_t pa = ntohs(t.name(a).sin_port), pb = ntohs(t.name(b).sin_port);
  CHECK(pa >= 40000);
  CHECK(pa <= 40001);
  CHECK(pb >= 40000);
  CHECK(pb <= 40001);
  CHECK(pa != pb);
  CHECK(t.bind(c, kHost, 0) == -EADDRINUSE);
  // The UDP ports of the same range are still free.
  CHECK(t.bind(t.udp(), kHost, 0) == 0);
}

TEST_CASE("bind: the ephemeral port comes from the default range 32768-60999") {
  OneHost t;
  for (int i = 0; i < 20; ++i) {
    const int fd = t.tcp();
    REQUIRE(t.bind(fd, 0, 0) == 0);
    const uint16_t p = ntohs(t.name(fd).sin_port);
    CHECK(p >= 32768);
    CHECK(p <= 60999);
  }
}

TEST_CASE("bind: UDP conflicts follow the same overlap and SO_REUSEADDR rules") {
  OneHost t;
  const int one = 1;
  REQUIRE(t.bind(t.udp(), kHost, 5353) == 0);
  CHECK(t.bind(t.udp(), kHost, 5353) == -EADDRINUSE);
  CHECK(t.bind(t.udp(), 0, 5353) == -EADDRINUSE);
  CHECK(t.bind(t.udp(), ip("127.0.0.1"), 5353) == 0);
  const int a = t.udp(), b = t.udp();
  for (int fd : {a, b}) REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
  REQUIRE(t.bind(a, kHost, 6000) == 0);
  CHECK(t.bind(b, kHost, 6000) == 0);
  CHECK(t.bind(t.tcp(), kHost, 5353) == 0);  // TCP's port space is separate
}

// ---- section 4: listen() -----------------------------------------------------------

TEST_CASE("listen: EBADF, ENOTSOCK, then the protocol (EOPNOTSUPP for datagrams)") {
  OneHost t;
  CHECK(sys_listen(t.k, 77, 1) == -EBADF);
  CHECK(sys_listen(t.k, 1, 1) == -ENOTSOCK);
  CHECK(sys_listen(t.k, t.udp(), 1) == -EOPNOTSUPP);
  CHECK(sys_listen(t.k, sys_socket(t.k, AF_INET, SOCK_RAW, IPPROTO_UDP), 1) == -EOPNOTSUPP);
}

TEST_CASE("listen: the backlog is clamped to somaxconn as an unsigned value") {
  OneHost t;
  struct Case {
    int backlog;
    uint32_t stored;
  };
  const Case cases[] = {{3, 3}, {10, 10}, {-1, 4096}, {0, 0}, {1000000, 4096}, {INT32_MIN, 4096}, {4096, 4096}};
  for (const Case& c : cases) {
    CAPTURE(c.backlog);
    const int fd = t.tcp();
    REQUIRE(sys_listen(t.k, fd, c.backlog) == 0);
    const inet_diag_entry e = t.listener(ntohs(t.name(fd).sin_port));
    CHECK(e.send_q == c.stored);
    CHECK(e.recv_q == 0);
  }
  t.k->sysctl.somaxconn = 100;
  const int fd = t.tcp();
  REQUIRE(sys_listen(t.k, fd, 500) == 0);
  CHECK(t.listener(ntohs(t.name(fd).sin_port)).send_q == 100);
}

TEST_CASE("listen: again on a listener only changes the backlog, with the clamp of that moment") {
  OneHost t;
  t.k->sysctl.somaxconn = 2;
  const int fd = t.tcp();
  REQUIRE(t.bind(fd, kHost, 8000) == 0);
  REQUIRE(sys_listen(t.k, fd, 100) == 0);
  CHECK(t.listener(8000).send_q == 2);
  t.k->sysctl.somaxconn = 3;
  CHECK(t.listener(8000).send_q == 2);  // the sysctl alone changes nothing
  REQUIRE(sys_listen(t.k, fd, 100) == 0);
  CHECK(t.listener(8000).send_q == 3);
  REQUIRE(sys_listen(t.k, fd, 1) == 0);
  CHECK(t.listener(8000).send_q == 1);
  CHECK(t.getsockopt_int(fd, SO_ACCEPTCONN) == 1);
  CHECK(ntohs(t.name(fd).sin_port) == 8000);
}

TEST_CASE("listen: an unbound socket is bound to an ephemeral port") {
  OneHost t;
  const int fd = t.tcp();
  REQUIRE(sys_listen(t.k, fd, 8) == 0);
  const sockaddr_in a = t.name(fd);
  CHECK(a.sin_addr.s_addr == 0);
  CHECK(ntohs(a.sin_port) >= 32768);
  CHECK(ntohs(a.sin_port) <= 60999);
  CHECK(t.getsockopt_int(fd, SO_ACCEPTCONN) == 1);
}

TEST_CASE("listen: a connecting socket (SS_CONNECTING) is EINVAL") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  // 10.0.0.9 is routed via the gateway and never answers: SYN_SENT.
  REQUIRE(t.connect(fd, endpoint(ip("10.0.0.9"), 80)) == -EINPROGRESS);
  CHECK(sys_listen(t.k, fd, 5) == -EINVAL);
}

TEST_CASE("listen: shutdown(SHUT_RD) stops a listener; listen() works again; SHUT_WR does nothing") {
  OneHost t;
  const int fd = t.tcp();
  REQUIRE(t.bind(fd, kHost, 8100) == 0);
  REQUIRE(sys_listen(t.k, fd, 5) == 0);
  CHECK(sys_shutdown(t.k, fd, SHUT_WR) == 0);
  CHECK(t.getsockopt_int(fd, SO_ACCEPTCONN) == 1);
  CHECK(sys_shutdown(t.k, fd, SHUT_RD) == 0);
  CHECK(t.getsockopt_int(fd, SO_ACCEPTCONN) == 0);
  CHECK(t.accept(fd) == -EINVAL);
  CHECK(sys_listen(t.k, fd, 5) == 0);
  CHECK(t.getsockopt_int(fd, SO_ACCEPTCONN) == 1);
}

TEST_CASE("shutdown: bad how is EINVAL; an unconnected socket is ENOTCONN") {
  OneHost t;
  const int fd = t.tcp();
  CHECK(sys_shutdown(t.k, fd, 3) == -EINVAL);
  CHECK(sys_shutdown(t.k, fd, -1) == -EINVAL);
  CHECK(sys_shutdown(t.k, fd, SHUT_RDWR) == -ENOTCONN);
  CHECK(sys_shutdown(t.k, t.udp(), SHUT_RD) == -ENOTCONN);
  CHECK(sys_shutdown(t.k, 0, SHUT_RD) == -ENOTSOCK);
  CHECK(sys_shutdown(t.k, 50, SHUT_RD) == -EBADF);
}

// ---- section 6: accept() -------------------------------------------------------------

TEST_CASE("accept: EBADF, then flags (EINVAL), then ENOTSOCK") {
  OneHost t;
  CHECK(now(sys_accept4(t.k, 99, nullptr, nullptr, 0)) == -EBADF);
  CHECK(now(sys_accept4(t.k, 99, nullptr, nullptr, 0x1)) == -EBADF);
  CHECK(now(sys_accept4(t.k, 0, nullptr, nullptr, 0x1)) == -EINVAL);  // flags before ENOTSOCK
  CHECK(now(sys_accept4(t.k, 0, nullptr, nullptr, O_APPEND)) == -EINVAL);
  CHECK(now(sys_accept4(t.k, 0, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -ENOTSOCK);
}

TEST_CASE("accept: no free fd is EMFILE, checked before ENOTSOCK and the protocol") {
  OneHost t;
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 1) == 0);
  t.k->max_fds = 4;  // fds 0-3 are in use
  CHECK(now(sys_accept4(t.k, 0, nullptr, nullptr, 0)) == -EMFILE);
  CHECK(now(sys_accept4(t.k, l, nullptr, nullptr, 0)) == -EMFILE);
  t.k->max_fds = 100;
  CHECK(now(sys_accept4(t.k, 0, nullptr, nullptr, 0)) == -ENOTSOCK);
}

TEST_CASE("accept: a datagram socket is EOPNOTSUPP") {
  OneHost t;
  CHECK(t.accept(t.udp()) == -EOPNOTSUPP);
  CHECK(t.accept(sys_socket(t.k, AF_INET, SOCK_RAW, IPPROTO_UDP)) == -EOPNOTSUPP);
}

TEST_CASE("accept: a stream socket that does not listen is EINVAL") {
  OneHost t;
  const int fresh = t.tcp();
  CHECK(t.accept(fresh) == -EINVAL);
  REQUIRE(t.bind(fresh, kHost, 9000) == 0);
  CHECK(t.accept(fresh) == -EINVAL);
  const int connecting = sys_socket(t.k, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  REQUIRE(t.connect(connecting, endpoint(ip("10.0.0.9"), 80)) == -EINPROGRESS);
  CHECK(t.accept(connecting) == -EINVAL);
  CHECK(t.k->socket_cache.in_use() == 2);  // the failed accepts left no socket behind
  CHECK(t.k->file_cache.in_use() == 3 + 2);
}

TEST_CASE("accept: an empty queue on an O_NONBLOCK listener is EAGAIN; SOCK_NONBLOCK does not count") {
  OneHost t;
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 1) == 0);
  REQUIRE(sys_fcntl(t.k, l, F_SETFL, O_RDWR | O_NONBLOCK) == 0);
  CHECK(t.accept(l) == -EAGAIN);
  REQUIRE(sys_listen(t.k, l, 8) == 0);
  CHECK(t.accept(l) == -EAGAIN);
  REQUIRE(sys_fcntl(t.k, l, F_SETFL, O_RDWR) == 0);
  Call<int> blocked(sys_accept4(t.k, l, nullptr, nullptr, SOCK_NONBLOCK));
  t.w.run_for(5_s);
  CHECK_FALSE(blocked.done());  // accept4's SOCK_NONBLOCK marks only the new fd
}

TEST_CASE("accept: SO_RCVTIMEO bounds the wait, then EAGAIN") {
  OneHost t;
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 1) == 0);
  const timeval tv{0, 200000};
  REQUIRE(sys_setsockopt(t.k, l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  const sim::Time start = t.w.sim.now();
  Call<int> c(sys_accept4(t.k, l, nullptr, nullptr, 0));
  t.w.run_for(199_ms);
  CHECK_FALSE(c.done());
  t.w.run_for(1_ms);
  REQUIRE(c.done());
  CHECK(c.value() == -EAGAIN);
  CHECK(t.w.sim.now() - start == 200_ms);
}

TEST_CASE("accept: a blocked accept() fails with EINVAL when the listener is shut down") {
  OneHost t;
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 1) == 0);
  Call<int> c(sys_accept4(t.k, l, nullptr, nullptr, 0));
  t.w.run_for(1_s);
  REQUIRE_FALSE(c.done());
  REQUIRE(sys_shutdown(t.k, l, SHUT_RD) == 0);
  CHECK_FALSE(c.done());  // woken through an event, never inside shutdown()
  t.w.run_for(0_ms);
  REQUIRE(c.done());
  CHECK(c.value() == -EINVAL);
}

TEST_CASE("accept: close() of the listener does not wake a blocked accept()") {
  OneHost t;
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 1) == 0);
  Call<int> c(sys_accept4(t.k, l, nullptr, nullptr, 0));
  REQUIRE(sys_close(t.k, l) == 0);
  t.w.run_for(1_s);
  CHECK_FALSE(c.done());  // the call holds the file; the socket still listens
  CHECK(t.k->socket_cache.in_use() == 2);  // the listener and the reserved new socket
}

// ---- section 14: connect() -------------------------------------------------------------

TEST_CASE("connect: EBADF, then the address copy (EINVAL), then ENOTSOCK") {
  OneHost t;
  const sockaddr_in a = endpoint(ip("192.168.0.2"), 80);
  CHECK(now(sys_connect(t.k, 99, sa(a), 200)) == -EBADF);
  CHECK(now(sys_connect(t.k, 0, sa(a), 200)) == -EINVAL);  // not ENOTSOCK: the address comes first
  CHECK(now(sys_connect(t.k, 0, sa(a), -1)) == -EINVAL);
  CHECK(now(sys_connect(t.k, 0, sa(a), kSinLen)) == -ENOTSOCK);
}

TEST_CASE("connect: a short address is EINVAL; AF_UNSPEC disconnects") {
  OneHost t;
  const int fd = t.tcp();
  const sockaddr_in a = endpoint(ip("192.168.0.2"), 80);
  CHECK(t.connect(fd, a, 1) == -EINVAL);
  CHECK(t.connect(fd, a, 0) == -EINVAL);
  CHECK(t.connect(fd, a, 15) == -EINVAL);  // tcp_v4_connect's own length check
  const sockaddr_in six = endpoint(ip("192.168.0.2"), 80, AF_INET6);
  CHECK(t.connect(fd, six, kSinLen) == -EAFNOSUPPORT);
  const sockaddr_in unspec = endpoint(0, 0, AF_UNSPEC);
  CHECK(t.connect(fd, unspec, 2) == 0);
}

TEST_CASE("connect: no route, broadcast and multicast are ENETUNREACH") {
  OneHost t;
  t.h.default_route = false;
  const int fd = t.tcp();
  CHECK(t.connect(fd, endpoint(ip("10.0.0.1"), 80)) == -ENETUNREACH);
  t.h.default_route = true;
  CHECK(t.connect(fd, endpoint(ip("255.255.255.255"), 80)) == -ENETUNREACH);
  CHECK(t.connect(fd, endpoint(ip("224.0.0.1"), 80)) == -ENETUNREACH);
  CHECK(t.h.sent().empty());
  CHECK(t.k->mib[TCP_MIB_ACTIVEOPENS] == 0);
}

TEST_CASE("connect: in progress is EINPROGRESS, then EALREADY; a listener is EISCONN") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const sockaddr_in a = endpoint(ip("10.0.0.9"), 80);
  CHECK(t.connect(fd, a) == -EINPROGRESS);
  CHECK(t.k->mib[TCP_MIB_ACTIVEOPENS] == 1);
  CHECK(t.h.sent().size() == 1);  // the SYN
  CHECK(t.connect(fd, a) == -EALREADY);
  CHECK(t.connect(fd, endpoint(ip("10.0.0.10"), 81)) == -EALREADY);
  const int l = t.tcp();
  REQUIRE(sys_listen(t.k, l, 1) == 0);
  CHECK(t.connect(l, a) == -EISCONN);
  CHECK(t.k->mib[TCP_MIB_ACTIVEOPENS] == 1);
}

TEST_CASE("connect: a blocking connect with SO_SNDTIMEO returns EINPROGRESS at the timeout") {
  OneHost t;
  const int fd = t.tcp();
  const timeval tv{0, 300000};
  REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
  Call<int> c(sys_connect(t.k, fd, sa(endpoint(ip("10.0.0.9"), 80)), kSinLen));
  t.w.run_for(299_ms);
  CHECK_FALSE(c.done());
  t.w.run_for(1_ms);
  REQUIRE(c.done());
  CHECK(c.value() == -EINPROGRESS);
  // A second blocking call finds the handshake in progress: it waits again
  // and reports EALREADY at its own timeout.
  Call<int> again(sys_connect(t.k, fd, sa(endpoint(ip("10.0.0.9"), 80)), kSinLen));
  t.w.run_for(299_ms);
  CHECK_FALSE(again.done());
  t.w.run_for(1_ms);
  REQUIRE(again.done());
  CHECK(again.value() == -EALREADY);
}

TEST_CASE("connect: no free ephemeral port is EADDRNOTAVAIL") {
  OneHost t;
  t.k->sysctl.ip_local_port_range[0] = 40000;
  t.k->sysctl.ip_local_port_range[1] = 40000;
  REQUIRE(t.bind(t.tcp(), kHost, 40000) == 0);
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(t.connect(fd, endpoint(ip("10.0.0.9"), 80)) == -EADDRNOTAVAIL);
}

TEST_CASE("getpeername: ENOTCONN before the connection exists") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  int len = kSinLen;
  CHECK(sys_getpeername(t.k, fd, sa(a), &len) == -ENOTCONN);
  REQUIRE(t.connect(fd, endpoint(ip("10.0.0.9"), 80)) == -EINPROGRESS);
  CHECK(sys_getpeername(t.k, fd, sa(a), &len) == -ENOTCONN);  // SYN_SENT
  const sockaddr_in me = t.name(fd);
  CHECK(ntohl(me.sin_addr.s_addr) == kHost);
  CHECK(ntohs(me.sin_port) >= 32768);
}

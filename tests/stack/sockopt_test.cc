// SOL_SOCKET and SOL_IP options, fcntl(O_NONBLOCK), getsockname/getpeername:
// the values Linux stores and reports back, including its rounding, doubling
// and clamping.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/time.h>

#include <cerrno>
#include <climits>

#include "stack/socket.h"
#include "tests/stack/harness.h"

using namespace stack;
using namespace stack_test;
using namespace sim::literals;

namespace {

constexpr uint32_t kHost = 0xc0a80001;

struct OneHost {
  World w;
  TestHost& h = w.add_host("host", kHost);
  net* k = h.k();

  int get(int fd, int level, int optname) {
    int v = -12345;
    int len = sizeof v;
    REQUIRE(sys_getsockopt(k, fd, level, optname, &v, &len) == 0);
    CHECK(len == static_cast<int>(sizeof v));
    return v;
  }
  int set(int fd, int level, int optname, int v) { return sys_setsockopt(k, fd, level, optname, &v, sizeof v); }
};

}  // namespace

TEST_CASE("setsockopt/getsockopt: EBADF and ENOTSOCK first") {
  OneHost t;
  int v = 1, len = sizeof v;
  CHECK(sys_setsockopt(t.k, 42, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) == -EBADF);
  CHECK(sys_setsockopt(t.k, 0, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) == -ENOTSOCK);
  CHECK(sys_getsockopt(t.k, 42, SOL_SOCKET, SO_REUSEADDR, &v, &len) == -EBADF);
  CHECK(sys_getsockopt(t.k, 2, SOL_SOCKET, SO_REUSEADDR, &v, &len) == -ENOTSOCK);
}

TEST_CASE("setsockopt: a negative or short optlen is EINVAL; read-only options are ENOPROTOOPT") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM, 0);
  int v = 1;
  CHECK(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_REUSEADDR, &v, -1) == -EINVAL);
  CHECK(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_REUSEADDR, &v, 2) == -EINVAL);
  CHECK(t.set(fd, SOL_SOCKET, SO_TYPE, 1) == -ENOPROTOOPT);
  CHECK(t.set(fd, SOL_SOCKET, SO_PROTOCOL, 1) == -ENOPROTOOPT);
  CHECK(t.set(fd, SOL_SOCKET, SO_DOMAIN, 1) == -ENOPROTOOPT);
  CHECK(t.set(fd, SOL_SOCKET, SO_ERROR, 1) == -ENOPROTOOPT);
  CHECK(t.set(fd, SOL_SOCKET, SO_ACCEPTCONN, 1) == -ENOPROTOOPT);
  int len = -1;
  CHECK(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_TYPE, &v, &len) == -EINVAL);
  CHECK(sys_getsockopt(t.k, fd, SOL_SOCKET, 9999, &v, &(len = 4)) == -ENOPROTOOPT);
}

TEST_CASE("SO_REUSEADDR / SO_REUSEPORT / SO_KEEPALIVE / SO_BROADCAST read back as 0 or 1") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM, 0);
  for (int opt : {SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_BROADCAST}) {
    CAPTURE(opt);
    CHECK(t.get(fd, SOL_SOCKET, opt) == 0);
    REQUIRE(t.set(fd, SOL_SOCKET, opt, 7) == 0);
    CHECK(t.get(fd, SOL_SOCKET, opt) == 1);
    REQUIRE(t.set(fd, SOL_SOCKET, opt, 0) == 0);
    CHECK(t.get(fd, SOL_SOCKET, opt) == 0);
  }
}

TEST_CASE("SO_RCVBUF / SO_SNDBUF: defaults, doubling, the rmem_max/wmem_max cap and the minimums") {
  OneHost t;
  const int tcp = sys_socket(t.k, AF_INET, SOCK_STREAM, 0);
  const int udp = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  // TCP starts at tcp_rmem[1] / tcp_wmem[1]; UDP at the core defaults.
  CHECK(t.get(tcp, SOL_SOCKET, SO_RCVBUF) == 131072);
  CHECK(t.get(tcp, SOL_SOCKET, SO_SNDBUF) == 16384);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == 212992);
  CHECK(t.get(udp, SOL_SOCKET, SO_SNDBUF) == 212992);

  REQUIRE(t.set(udp, SOL_SOCKET, SO_RCVBUF, 10000) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == 20000);
  REQUIRE(t.set(udp, SOL_SOCKET, SO_SNDBUF, 10000) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_SNDBUF) == 20000);
  // Below the minimum: SOCK_MIN_RCVBUF 2304, SOCK_MIN_SNDBUF 4608.
  REQUIRE(t.set(udp, SOL_SOCKET, SO_RCVBUF, 1) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == 2304);
  REQUIRE(t.set(udp, SOL_SOCKET, SO_SNDBUF, 0) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_SNDBUF) == 4608);
  // Above the cap, and negative (compared unsigned): rmem_max * 2.
  REQUIRE(t.set(udp, SOL_SOCKET, SO_RCVBUF, 100000000) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == 2 * 4194304);
  REQUIRE(t.set(udp, SOL_SOCKET, SO_RCVBUF, -1) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == 2 * 4194304);
  t.k->sysctl.wmem_max = 50000;
  REQUIRE(t.set(udp, SOL_SOCKET, SO_SNDBUF, 60000) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_SNDBUF) == 100000);
  // The FORCE variants skip the cap (the process has CAP_NET_ADMIN) and
  // treat a negative value as 0.
  REQUIRE(t.set(udp, SOL_SOCKET, SO_RCVBUFFORCE, 100000000) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == 200000000);
  REQUIRE(t.set(udp, SOL_SOCKET, SO_RCVBUFFORCE, INT_MAX) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_RCVBUF) == (INT_MAX / 2) * 2);
  REQUIRE(t.set(udp, SOL_SOCKET, SO_SNDBUFFORCE, -5) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_SNDBUF) == 4608);
}

TEST_CASE("SO_TYPE / SO_PROTOCOL / SO_DOMAIN / SO_ACCEPTCONN / SO_ERROR") {
  OneHost t;
  const int tcp = sys_socket(t.k, AF_INET, SOCK_STREAM, 0);
  const int udp = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM);
  CHECK(t.get(udp, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_UDP);
  CHECK(t.get(udp, SOL_SOCKET, SO_DOMAIN) == AF_INET);
  CHECK(t.get(tcp, SOL_SOCKET, SO_ACCEPTCONN) == 0);
  REQUIRE(sys_listen(t.k, tcp, 3) == 0);
  CHECK(t.get(tcp, SOL_SOCKET, SO_ACCEPTCONN) == 1);
  CHECK(t.get(tcp, SOL_SOCKET, SO_ERROR) == 0);
  CHECK(t.get(udp, SOL_SOCKET, SO_ACCEPTCONN) == 0);
}

TEST_CASE("getsockopt: the value is truncated to optlen, and optlen reports the copy") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  REQUIRE(t.set(fd, SOL_SOCKET, SO_RCVBUF, 0x10000) == 0);  // 0x20000 stored
  unsigned char buf[8] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
  int len = 2;
  REQUIRE(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_RCVBUF, buf, &len) == 0);
  CHECK(len == 2);
  CHECK(buf[2] == 0xaa);
  len = 8;
  REQUIRE(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_RCVBUF, buf, &len) == 0);
  CHECK(len == 4);
  int v;
  std::memcpy(&v, buf, 4);
  CHECK(v == 0x20000);
  len = 0;
  CHECK(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_RCVBUF, nullptr, &len) == 0);
  CHECK(len == 0);
}

TEST_CASE("SO_LINGER: struct linger in, the same out; short optlen is EINVAL") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM, 0);
  linger l{};
  int len = sizeof l;
  REQUIRE(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_LINGER, &l, &len) == 0);
  CHECK(len == static_cast<int>(sizeof l));
  CHECK(l.l_onoff == 0);
  CHECK(l.l_linger == 0);
  const linger on{1, 7};
  CHECK(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_LINGER, &on, 4) == -EINVAL);
  REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_LINGER, &on, sizeof on) == 0);
  REQUIRE(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_LINGER, &l, &len) == 0);
  CHECK(l.l_onoff == 1);
  CHECK(l.l_linger == 7);
  const linger off{0, 9};
  REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_LINGER, &off, sizeof off) == 0);
  REQUIRE(sys_getsockopt(t.k, fd, SOL_SOCKET, SO_LINGER, &l, &len) == 0);
  CHECK(l.l_onoff == 0);
  CHECK(l.l_linger == 7);  // the time is kept
}

TEST_CASE("SO_RCVTIMEO / SO_SNDTIMEO: jiffy rounding, {0,0} = forever, EDOM and EINVAL") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  auto get = [&](int opt) {
    timeval tv{-1, -1};
    int len = sizeof tv;
    REQUIRE(sys_getsockopt(t.k, fd, SOL_SOCKET, opt, &tv, &len) == 0);
    CHECK(len == static_cast<int>(sizeof tv));
    return tv;
  };
  auto set = [&](int opt, long sec, long usec, int len = sizeof(timeval)) {
    const timeval tv{sec, usec};
    return sys_setsockopt(t.k, fd, SOL_SOCKET, opt, &tv, len);
  };
  CHECK(get(SO_RCVTIMEO).tv_sec == 0);
  CHECK(get(SO_RCVTIMEO).tv_usec == 0);
  REQUIRE(set(SO_RCVTIMEO, 1, 500000) == 0);
  CHECK(get(SO_RCVTIMEO).tv_sec == 1);
  CHECK(get(SO_RCVTIMEO).tv_usec == 500000);
  REQUIRE(set(SO_SNDTIMEO, 0, 1) == 0);  // rounded up to one jiffy (HZ=250)
  CHECK(get(SO_SNDTIMEO).tv_sec == 0);
  CHECK(get(SO_SNDTIMEO).tv_usec == 4000);
  REQUIRE(set(SO_SNDTIMEO, 0, 4001) == 0);
  CHECK(get(SO_SNDTIMEO).tv_usec == 8000);
  CHECK(set(SO_RCVTIMEO, 1, 1000000) == -EDOM);
  CHECK(set(SO_RCVTIMEO, 1, -1) == -EDOM);
  CHECK(set(SO_RCVTIMEO, 1, 0, 8) == -EINVAL);
  CHECK(set(SO_RCVTIMEO, 1, 0, 2) == -EINVAL);
  REQUIRE(set(SO_RCVTIMEO, 0, 0) == 0);  // back to forever
  CHECK(get(SO_RCVTIMEO).tv_sec == 0);
  CHECK(get(SO_RCVTIMEO).tv_usec == 0);
}

TEST_CASE("SO_RCVTIMEO: a negative time makes a blocking read return EAGAIN at once") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  const timeval neg{-1, 0};
  REQUIRE(sys_setsockopt(t.k, fd, SOL_SOCKET, SO_RCVTIMEO, &neg, sizeof neg) == 0);
  char buf[4];
  CHECK(now(sys_recv(t.k, fd, buf, sizeof buf, 0)) == -EAGAIN);
}

TEST_CASE("SOL_IP: IP_TTL with Linux's range and -1 for the default; IP_TOS; unknown options") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  CHECK(t.get(fd, SOL_IP, IP_TTL) == 64);
  REQUIRE(t.set(fd, SOL_IP, IP_TTL, 5) == 0);
  CHECK(t.get(fd, SOL_IP, IP_TTL) == 5);
  CHECK(t.set(fd, SOL_IP, IP_TTL, 0) == -EINVAL);
  CHECK(t.set(fd, SOL_IP, IP_TTL, 256) == -EINVAL);
  REQUIRE(t.set(fd, SOL_IP, IP_TTL, -1) == 0);
  CHECK(t.get(fd, SOL_IP, IP_TTL) == 64);
  t.k->sysctl.ip_default_ttl = 33;
  CHECK(t.get(fd, SOL_IP, IP_TTL) == 33);
  REQUIRE(t.set(fd, SOL_IP, IP_TOS, 0x10) == 0);
  CHECK(t.get(fd, SOL_IP, IP_TOS) == 0x10);
  CHECK(t.set(fd, SOL_IP, IP_MTU_DISCOVER, 1) == -ENOPROTOOPT);
  CHECK(t.set(fd, 99, 1, 1) == -ENOPROTOOPT);
  int v, len = sizeof v;
  CHECK(sys_getsockopt(t.k, fd, 99, 1, &v, &len) == -EOPNOTSUPP);
}

TEST_CASE("fcntl: F_GETFL / F_SETFL toggle O_NONBLOCK only; EBADF; unknown commands EINVAL") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_STREAM, 0);
  CHECK(sys_fcntl(t.k, fd, F_GETFL, 0) == O_RDWR);
  CHECK(sys_fcntl(t.k, fd, F_SETFL, O_RDONLY | O_NONBLOCK) == 0);
  CHECK(sys_fcntl(t.k, fd, F_GETFL, 0) == (O_RDWR | O_NONBLOCK));  // the access mode stays
  CHECK(sys_fcntl(t.k, fd, F_SETFL, 0) == 0);
  CHECK(sys_fcntl(t.k, fd, F_GETFL, 0) == O_RDWR);
  CHECK(sys_fcntl(t.k, 77, F_GETFL, 0) == -EBADF);
  CHECK(sys_fcntl(t.k, fd, 12345, 0) == -EINVAL);
  // O_NONBLOCK is what a read then sees.
  const int u = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  REQUIRE(sys_fcntl(t.k, u, F_SETFL, O_NONBLOCK) == 0);
  char b[1];
  CHECK(now(sys_recv(t.k, u, b, 1, 0)) == -EAGAIN);
}

TEST_CASE("getsockname: the bound address and port; truncation reports the full length") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  int len = kSinLen;
  REQUIRE(sys_getsockname(t.k, fd, sa(a), &len) == 0);
  CHECK(len == kSinLen);
  CHECK(a.sin_family == AF_INET);
  CHECK(a.sin_port == 0);
  const sockaddr_in b = endpoint(kHost, 4242);
  REQUIRE(sys_bind(t.k, fd, sa(b), kSinLen) == 0);
  REQUIRE(sys_getsockname(t.k, fd, sa(a), &len) == 0);
  CHECK(ntohs(a.sin_port) == 4242);
  CHECK(ntohl(a.sin_addr.s_addr) == kHost);
  unsigned char small[4] = {0, 0, 0, 0};
  len = 4;
  REQUIRE(sys_getsockname(t.k, fd, reinterpret_cast<sockaddr*>(small), &len) == 0);
  CHECK(len == kSinLen);
  CHECK(small[2] == 0x10);  // 4242 = 0x1092, network order
  CHECK(small[3] == 0x92);
  len = -1;
  CHECK(sys_getsockname(t.k, fd, sa(a), &len) == -EINVAL);
  CHECK(sys_getsockname(t.k, 0, sa(a), &len) == -ENOTSOCK);
  CHECK(sys_getpeername(t.k, 40, sa(a), &len) == -EBADF);
}

TEST_CASE("UDP connect: names, EINVAL/EAFNOSUPPORT/ENETUNREACH, AF_UNSPEC dissolves") {
  OneHost t;
  const int fd = sys_socket(t.k, AF_INET, SOCK_DGRAM, 0);
  const sockaddr_in peer = endpoint(ip("192.168.0.9"), 53);
  CHECK(now(sys_connect(t.k, fd, sa(peer), 1)) == -EINVAL);
  CHECK(now(sys_connect(t.k, fd, sa(peer), 8)) == -EINVAL);
  const sockaddr_in six = endpoint(ip("192.168.0.9"), 53, AF_INET6);
  CHECK(now(sys_connect(t.k, fd, sa(six), kSinLen)) == -EAFNOSUPPORT);
  t.h.default_route = false;
  CHECK(now(sys_connect(t.k, fd, sa(endpoint(ip("10.0.0.1"), 53)), kSinLen)) == -ENETUNREACH);
  CHECK(t.k->mib[IPSTATS_MIB_OUTNOROUTES] == 1);
  REQUIRE(now(sys_connect(t.k, fd, sa(peer), kSinLen)) == 0);
  sockaddr_in a{};
  int len = kSinLen;
  REQUIRE(sys_getpeername(t.k, fd, sa(a), &len) == 0);
  CHECK(ntohl(a.sin_addr.s_addr) == ip("192.168.0.9"));
  CHECK(ntohs(a.sin_port) == 53);
  REQUIRE(sys_getsockname(t.k, fd, sa(a), &len) == 0);
  CHECK(ntohl(a.sin_addr.s_addr) == kHost);  // the route's source
  CHECK(ntohs(a.sin_port) >= 32768);         // autobound
  const sockaddr_in unspec = endpoint(0, 0, AF_UNSPEC);
  REQUIRE(now(sys_connect(t.k, fd, sa(unspec), kSinLen)) == 0);
  CHECK(sys_getpeername(t.k, fd, sa(a), &len) == -ENOTCONN);
  REQUIRE(sys_getsockname(t.k, fd, sa(a), &len) == 0);
  CHECK(a.sin_addr.s_addr == 0);  // nothing was bound explicitly: all forgotten
  CHECK(a.sin_port == 0);
}

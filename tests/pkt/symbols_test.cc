// The constant table must hold Linux's values. On a Linux host the C library
// headers are an independent source for most of them, so compare against
// those; the rest are checked against the numbers in the uapi headers.
#include <doctest/doctest.h>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tests/pkt/test_util.h"
#include "tools/pkt/symbols.h"

namespace pkt {
namespace {

#define CHECK_SYMBOL(name) CHECK_MESSAGE(symbol_value(#name) == std::optional<int64_t>(name), #name)

TEST_CASE("socket-layer constants match the host's Linux headers") {
  CHECK_SYMBOL(AF_UNSPEC);
  CHECK_SYMBOL(AF_INET);
  CHECK_SYMBOL(AF_INET6);
  CHECK_SYMBOL(AF_UNIX);
  CHECK_SYMBOL(AF_PACKET);
  CHECK_SYMBOL(PF_INET);
  CHECK_SYMBOL(SOCK_STREAM);
  CHECK_SYMBOL(SOCK_DGRAM);
  CHECK_SYMBOL(SOCK_RAW);
  CHECK_SYMBOL(SOCK_RDM);
  CHECK_SYMBOL(SOCK_SEQPACKET);
  CHECK_SYMBOL(SOCK_NONBLOCK);
  CHECK_SYMBOL(SOCK_CLOEXEC);
  CHECK_SYMBOL(IPPROTO_IP);
  CHECK_SYMBOL(IPPROTO_TCP);
  CHECK_SYMBOL(IPPROTO_UDP);
  CHECK_SYMBOL(IPPROTO_ICMP);
  CHECK_SYMBOL(IPPROTO_RAW);
  CHECK_SYMBOL(SOL_SOCKET);
  CHECK_SYMBOL(SOL_TCP);
  CHECK_SYMBOL(SOL_IP);
  CHECK_SYMBOL(SHUT_RD);
  CHECK_SYMBOL(SHUT_WR);
  CHECK_SYMBOL(SHUT_RDWR);
  CHECK_SYMBOL(SO_DEBUG);
  CHECK_SYMBOL(SO_REUSEADDR);
  CHECK_SYMBOL(SO_TYPE);
  CHECK_SYMBOL(SO_ERROR);
  CHECK_SYMBOL(SO_SNDBUF);
  CHECK_SYMBOL(SO_RCVBUF);
  CHECK_SYMBOL(SO_KEEPALIVE);
  CHECK_SYMBOL(SO_LINGER);
  CHECK_SYMBOL(SO_REUSEPORT);
  CHECK_SYMBOL(SO_RCVLOWAT);
  CHECK_SYMBOL(SO_RCVTIMEO);
  CHECK_SYMBOL(SO_SNDTIMEO);
  CHECK_SYMBOL(SO_BINDTODEVICE);
  CHECK_SYMBOL(SO_ACCEPTCONN);
  CHECK_SYMBOL(SO_PROTOCOL);
  CHECK_SYMBOL(SO_DOMAIN);
  CHECK_SYMBOL(SO_MARK);
  CHECK_SYMBOL(SO_ZEROCOPY);
  CHECK_SYMBOL(MSG_PEEK);
  CHECK_SYMBOL(MSG_DONTWAIT);
  CHECK_SYMBOL(MSG_WAITALL);
  CHECK_SYMBOL(MSG_NOSIGNAL);
  CHECK_SYMBOL(MSG_MORE);
  CHECK_SYMBOL(MSG_ERRQUEUE);
  CHECK_SYMBOL(MSG_FASTOPEN);
  CHECK_SYMBOL(MSG_ZEROCOPY);
  CHECK_SYMBOL(IP_TOS);
  CHECK_SYMBOL(IP_TTL);
  CHECK_SYMBOL(IP_RECVERR);
  CHECK_SYMBOL(IP_MTU_DISCOVER);
  CHECK_SYMBOL(IP_FREEBIND);
  CHECK_SYMBOL(IP_TRANSPARENT);
  CHECK_SYMBOL(IPV6_V6ONLY);
}

TEST_CASE("TCP constants match the host's Linux headers") {
  CHECK_SYMBOL(TCP_NODELAY);
  CHECK_SYMBOL(TCP_MAXSEG);
  CHECK_SYMBOL(TCP_CORK);
  CHECK_SYMBOL(TCP_KEEPIDLE);
  CHECK_SYMBOL(TCP_KEEPINTVL);
  CHECK_SYMBOL(TCP_KEEPCNT);
  CHECK_SYMBOL(TCP_SYNCNT);
  CHECK_SYMBOL(TCP_LINGER2);
  CHECK_SYMBOL(TCP_DEFER_ACCEPT);
  CHECK_SYMBOL(TCP_WINDOW_CLAMP);
  CHECK_SYMBOL(TCP_INFO);
  CHECK_SYMBOL(TCP_QUICKACK);
  CHECK_SYMBOL(TCP_CONGESTION);
  CHECK_SYMBOL(TCP_MD5SIG);
  CHECK_SYMBOL(TCP_USER_TIMEOUT);
  CHECK_SYMBOL(TCP_FASTOPEN);
  CHECK_SYMBOL(TCP_NOTSENT_LOWAT);
  CHECK_SYMBOL(TCP_SAVE_SYN);
  CHECK_SYMBOL(TCP_FASTOPEN_CONNECT);
  CHECK_SYMBOL(TCP_ESTABLISHED);
  CHECK_SYMBOL(TCP_SYN_SENT);
  CHECK_SYMBOL(TCP_SYN_RECV);
  CHECK_SYMBOL(TCP_TIME_WAIT);
  CHECK_SYMBOL(TCP_CLOSE);
  CHECK_SYMBOL(TCP_LISTEN);
  CHECK_SYMBOL(TCP_CLOSING);
}

TEST_CASE("fcntl, poll, epoll and ioctl constants match the host's Linux headers") {
  CHECK_SYMBOL(O_RDONLY);
  CHECK_SYMBOL(O_WRONLY);
  CHECK_SYMBOL(O_RDWR);
  CHECK_SYMBOL(O_CREAT);
  CHECK_SYMBOL(O_EXCL);
  CHECK_SYMBOL(O_TRUNC);
  CHECK_SYMBOL(O_APPEND);
  CHECK_SYMBOL(O_NONBLOCK);
  CHECK_SYMBOL(O_NDELAY);
  CHECK_SYMBOL(O_CLOEXEC);
  CHECK_SYMBOL(F_DUPFD);
  CHECK_SYMBOL(F_GETFD);
  CHECK_SYMBOL(F_SETFD);
  CHECK_SYMBOL(F_GETFL);
  CHECK_SYMBOL(F_SETFL);
  CHECK_SYMBOL(F_DUPFD_CLOEXEC);
  CHECK_SYMBOL(FD_CLOEXEC);
  CHECK_SYMBOL(POLLIN);
  CHECK_SYMBOL(POLLPRI);
  CHECK_SYMBOL(POLLOUT);
  CHECK_SYMBOL(POLLERR);
  CHECK_SYMBOL(POLLHUP);
  CHECK_SYMBOL(POLLNVAL);
  CHECK_SYMBOL(POLLRDNORM);
  CHECK_SYMBOL(POLLWRNORM);
  CHECK_SYMBOL(POLLRDHUP);
  CHECK_SYMBOL(EPOLLIN);
  CHECK_SYMBOL(EPOLLOUT);
  CHECK_SYMBOL(EPOLLRDHUP);
  CHECK_SYMBOL(EPOLLET);
  CHECK_SYMBOL(EPOLLONESHOT);
  CHECK_SYMBOL(EPOLLEXCLUSIVE);
  CHECK_SYMBOL(EPOLL_CTL_ADD);
  CHECK_SYMBOL(EPOLL_CTL_DEL);
  CHECK_SYMBOL(EPOLL_CTL_MOD);
  CHECK_SYMBOL(FIONREAD);
  CHECK_SYMBOL(FIONBIO);
  CHECK_SYMBOL(TIOCOUTQ);
}

#define CHECK_ERRNO(name)                                                       \
  do {                                                                          \
    CHECK_MESSAGE(errno_value(#name) == std::optional<int>(name), #name);       \
    CHECK_MESSAGE(symbol_value(#name) == std::optional<int64_t>(name), #name);  \
  } while (0)

TEST_CASE("errno values match the host's Linux headers") {
  CHECK_ERRNO(EPERM);
  CHECK_ERRNO(ENOENT);
  CHECK_ERRNO(EINTR);
  CHECK_ERRNO(EBADF);
  CHECK_ERRNO(EAGAIN);
  CHECK_ERRNO(EWOULDBLOCK);
  CHECK_ERRNO(ENOMEM);
  CHECK_ERRNO(EACCES);
  CHECK_ERRNO(EFAULT);
  CHECK_ERRNO(EBUSY);
  CHECK_ERRNO(EEXIST);
  CHECK_ERRNO(EINVAL);
  CHECK_ERRNO(ENFILE);
  CHECK_ERRNO(EMFILE);
  CHECK_ERRNO(ENOSPC);
  CHECK_ERRNO(EPIPE);
  CHECK_ERRNO(ERANGE);
  CHECK_ERRNO(ENOSYS);
  CHECK_ERRNO(ENODATA);
  CHECK_ERRNO(EPROTO);
  CHECK_ERRNO(EOVERFLOW);
  CHECK_ERRNO(ENOTSOCK);
  CHECK_ERRNO(EDESTADDRREQ);
  CHECK_ERRNO(EMSGSIZE);
  CHECK_ERRNO(EPROTOTYPE);
  CHECK_ERRNO(ENOPROTOOPT);
  CHECK_ERRNO(EPROTONOSUPPORT);
  CHECK_ERRNO(ESOCKTNOSUPPORT);
  CHECK_ERRNO(EOPNOTSUPP);
  CHECK_ERRNO(ENOTSUP);
  CHECK_ERRNO(EPFNOSUPPORT);
  CHECK_ERRNO(EAFNOSUPPORT);
  CHECK_ERRNO(EADDRINUSE);
  CHECK_ERRNO(EADDRNOTAVAIL);
  CHECK_ERRNO(ENETDOWN);
  CHECK_ERRNO(ENETUNREACH);
  CHECK_ERRNO(ENETRESET);
  CHECK_ERRNO(ECONNABORTED);
  CHECK_ERRNO(ECONNRESET);
  CHECK_ERRNO(ENOBUFS);
  CHECK_ERRNO(EISCONN);
  CHECK_ERRNO(ENOTCONN);
  CHECK_ERRNO(ESHUTDOWN);
  CHECK_ERRNO(ETIMEDOUT);
  CHECK_ERRNO(ECONNREFUSED);
  CHECK_ERRNO(EHOSTDOWN);
  CHECK_ERRNO(EHOSTUNREACH);
  CHECK_ERRNO(EALREADY);
  CHECK_ERRNO(EINPROGRESS);
  CHECK_ERRNO(ECANCELED);
}

TEST_CASE("values pinned to the uapi numbers (independent of the host)") {
  CHECK(symbol_value("AF_INET") == std::optional<int64_t>(2));
  CHECK(symbol_value("SOCK_STREAM") == std::optional<int64_t>(1));
  CHECK(symbol_value("IPPROTO_TCP") == std::optional<int64_t>(6));
  CHECK(symbol_value("SOL_SOCKET") == std::optional<int64_t>(1));
  CHECK(symbol_value("SO_ERROR") == std::optional<int64_t>(4));
  CHECK(symbol_value("SO_ACCEPTCONN") == std::optional<int64_t>(30));
  CHECK(symbol_value("TCP_DEFER_ACCEPT") == std::optional<int64_t>(9));
  CHECK(symbol_value("O_NONBLOCK") == std::optional<int64_t>(2048));
  CHECK(symbol_value("F_SETFL") == std::optional<int64_t>(4));
  CHECK(symbol_value("EAGAIN") == std::optional<int64_t>(11));
  CHECK(symbol_value("ETIMEDOUT") == std::optional<int64_t>(110));
  CHECK(symbol_value("EPOLLET") == std::optional<int64_t>(2147483648LL));
  CHECK_FALSE(symbol_value("AF_FOO").has_value());
  CHECK_FALSE(symbol_value("").has_value());
}

TEST_CASE("errno lookups: canonical names and errno-only lookups") {
  CHECK(errno_name(11) == "EAGAIN");
  CHECK(errno_name(95) == "EOPNOTSUPP");
  CHECK(errno_name(35) == "EDEADLK");
  CHECK(errno_name(0).empty());
  CHECK(errno_name(9999).empty());
  CHECK_FALSE(errno_value("AF_INET").has_value());
  CHECK(errno_value("EDEADLOCK") == std::optional<int>(35));
}

TEST_CASE("evaluate_int: integers, symbols, '|' chains; anything else is an error") {
  const Script s = testing::parse_ok(
      "0 f(7, SO_ERROR, O_RDWR|O_NONBLOCK|O_CLOEXEC, AF_FOO, ..., \"x\", [1], {a=1}, htons(1), 1|AF_BAR) = 0");
  const std::vector<Expr>& a = s.events[0].syscall()->args;
  CHECK(evaluate_int(a[0]).value == std::optional<int64_t>(7));
  CHECK(evaluate_int(a[1]).value == std::optional<int64_t>(4));
  CHECK(evaluate_int(a[2]).value == std::optional<int64_t>(2 | 2048 | 524288));
  CHECK(evaluate_int(a[3]).error == "unknown symbol 'AF_FOO'");
  CHECK(evaluate_int(a[4]).error == "expected an integer, got '...'");
  CHECK(evaluate_int(a[5]).error == "expected an integer, got a string");
  CHECK(evaluate_int(a[6]).error == "expected an integer, got an array");
  CHECK(evaluate_int(a[7]).error == "expected an integer, got a struct");
  CHECK(evaluate_int(a[8]).error == "expected an integer, got a call to 'htons'");
  CHECK(evaluate_int(a[9]).error == "unknown symbol 'AF_BAR'");
  CHECK_FALSE(evaluate_int(a[9]).value.has_value());
}

}  // namespace
}  // namespace pkt

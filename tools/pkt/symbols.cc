#include "tools/pkt/symbols.h"

namespace pkt {
namespace {

struct Symbol {
  std::string_view name;
  int64_t value;
};

// errno values: include/uapi/asm-generic/errno-base.h and errno.h. When two
// names share a value the first one listed is the canonical name.
constexpr Symbol kErrnos[] = {
    {"EPERM", 1}, {"ENOENT", 2}, {"ESRCH", 3}, {"EINTR", 4}, {"EIO", 5}, {"ENXIO", 6},
    {"E2BIG", 7}, {"ENOEXEC", 8}, {"EBADF", 9}, {"ECHILD", 10}, {"EAGAIN", 11},
    {"EWOULDBLOCK", 11}, {"ENOMEM", 12}, {"EACCES", 13}, {"EFAULT", 14}, {"ENOTBLK", 15},
    {"EBUSY", 16}, {"EEXIST", 17}, {"EXDEV", 18}, {"ENODEV", 19}, {"ENOTDIR", 20},
    {"EISDIR", 21}, {"EINVAL", 22}, {"ENFILE", 23}, {"EMFILE", 24}, {"ENOTTY", 25},
    {"ETXTBSY", 26}, {"EFBIG", 27}, {"ENOSPC", 28}, {"ESPIPE", 29}, {"EROFS", 30},
    {"EMLINK", 31}, {"EPIPE", 32}, {"EDOM", 33}, {"ERANGE", 34}, {"EDEADLK", 35},
    {"EDEADLOCK", 35}, {"ENAMETOOLONG", 36}, {"ENOLCK", 37}, {"ENOSYS", 38},
    {"ENOTEMPTY", 39}, {"ELOOP", 40}, {"ENOMSG", 42}, {"EIDRM", 43}, {"ENOSTR", 60},
    {"ENODATA", 61}, {"ETIME", 62}, {"ENOSR", 63}, {"ENONET", 64}, {"ENOLINK", 67},
    {"EPROTO", 71}, {"EMULTIHOP", 72}, {"EBADMSG", 74}, {"EOVERFLOW", 75}, {"EBADFD", 77},
    {"EILSEQ", 84}, {"ERESTART", 85}, {"EUSERS", 87}, {"ENOTSOCK", 88},
    {"EDESTADDRREQ", 89}, {"EMSGSIZE", 90}, {"EPROTOTYPE", 91}, {"ENOPROTOOPT", 92},
    {"EPROTONOSUPPORT", 93}, {"ESOCKTNOSUPPORT", 94}, {"EOPNOTSUPP", 95}, {"ENOTSUP", 95},
    {"EPFNOSUPPORT", 96}, {"EAFNOSUPPORT", 97}, {"EADDRINUSE", 98}, {"EADDRNOTAVAIL", 99},
    {"ENETDOWN", 100}, {"ENETUNREACH", 101}, {"ENETRESET", 102}, {"ECONNABORTED", 103},
    {"ECONNRESET", 104}, {"ENOBUFS", 105}, {"EISCONN", 106}, {"ENOTCONN", 107},
    {"ESHUTDOWN", 108}, {"ETOOMANYREFS", 109}, {"ETIMEDOUT", 110}, {"ECONNREFUSED", 111},
    {"EHOSTDOWN", 112}, {"EHOSTUNREACH", 113}, {"EALREADY", 114}, {"EINPROGRESS", 115},
    {"ESTALE", 116}, {"EREMOTEIO", 121}, {"EDQUOT", 122}, {"ECANCELED", 125},
    {"ENOKEY", 126}, {"EKEYEXPIRED", 127}, {"EKEYREVOKED", 128}, {"EKEYREJECTED", 129},
    {"EOWNERDEAD", 130}, {"ENOTRECOVERABLE", 131}, {"ERFKILL", 132}, {"EHWPOISON", 133},
};

// Everything else a script may name, grouped by the uapi header it comes from.
constexpr Symbol kConstants[] = {
    // include/linux/socket.h
    {"AF_UNSPEC", 0}, {"AF_UNIX", 1}, {"AF_LOCAL", 1}, {"AF_INET", 2}, {"AF_INET6", 10},
    {"AF_NETLINK", 16}, {"AF_PACKET", 17},
    {"PF_UNSPEC", 0}, {"PF_UNIX", 1}, {"PF_LOCAL", 1}, {"PF_INET", 2}, {"PF_INET6", 10},
    {"PF_NETLINK", 16}, {"PF_PACKET", 17},
    {"SOL_IP", 0}, {"SOL_SOCKET", 1}, {"SOL_TCP", 6}, {"SOL_UDP", 17}, {"SOL_IPV6", 41},
    {"MSG_OOB", 0x1}, {"MSG_PEEK", 0x2}, {"MSG_DONTROUTE", 0x4}, {"MSG_CTRUNC", 0x8},
    {"MSG_PROXY", 0x10}, {"MSG_TRUNC", 0x20}, {"MSG_DONTWAIT", 0x40}, {"MSG_EOR", 0x80},
    {"MSG_WAITALL", 0x100}, {"MSG_FIN", 0x200}, {"MSG_SYN", 0x400}, {"MSG_CONFIRM", 0x800},
    {"MSG_RST", 0x1000}, {"MSG_ERRQUEUE", 0x2000}, {"MSG_NOSIGNAL", 0x4000},
    {"MSG_MORE", 0x8000}, {"MSG_WAITFORONE", 0x10000}, {"MSG_BATCH", 0x40000},
    {"MSG_ZEROCOPY", 0x4000000}, {"MSG_FASTOPEN", 0x20000000},
    {"MSG_CMSG_CLOEXEC", 0x40000000},
    // include/linux/net.h (enum sock_type) and include/linux/net.h flags
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_RAW", 3}, {"SOCK_RDM", 4},
    {"SOCK_SEQPACKET", 5}, {"SOCK_DCCP", 6}, {"SOCK_PACKET", 10},
    {"SOCK_NONBLOCK", 04000}, {"SOCK_CLOEXEC", 02000000},
    // include/uapi/linux/net.h
    {"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2},
    // include/uapi/linux/in.h
    {"IPPROTO_IP", 0}, {"IPPROTO_ICMP", 1}, {"IPPROTO_IGMP", 2}, {"IPPROTO_TCP", 6},
    {"IPPROTO_UDP", 17}, {"IPPROTO_IPV6", 41}, {"IPPROTO_GRE", 47}, {"IPPROTO_ICMPV6", 58},
    {"IPPROTO_SCTP", 132}, {"IPPROTO_UDPLITE", 136}, {"IPPROTO_RAW", 255},
    {"IPPROTO_MPTCP", 262},
    {"IP_TOS", 1}, {"IP_TTL", 2}, {"IP_HDRINCL", 3}, {"IP_OPTIONS", 4}, {"IP_PKTINFO", 8},
    {"IP_MTU_DISCOVER", 10}, {"IP_RECVERR", 11}, {"IP_RECVTOS", 13}, {"IP_MTU", 14},
    {"IP_FREEBIND", 15}, {"IP_TRANSPARENT", 19}, {"IP_BIND_ADDRESS_NO_PORT", 24},
    {"IP_PMTUDISC_DONT", 0}, {"IP_PMTUDISC_WANT", 1}, {"IP_PMTUDISC_DO", 2},
    {"IP_PMTUDISC_PROBE", 3},
    {"INADDR_ANY", 0},
    // include/uapi/linux/in6.h
    {"IPV6_MTU_DISCOVER", 23}, {"IPV6_RECVERR", 25}, {"IPV6_V6ONLY", 26},
    {"IPV6_TCLASS", 67},
    // include/uapi/asm-generic/socket.h
    {"SO_DEBUG", 1}, {"SO_REUSEADDR", 2}, {"SO_TYPE", 3}, {"SO_ERROR", 4},
    {"SO_DONTROUTE", 5}, {"SO_BROADCAST", 6}, {"SO_SNDBUF", 7}, {"SO_RCVBUF", 8},
    {"SO_KEEPALIVE", 9}, {"SO_OOBINLINE", 10}, {"SO_NO_CHECK", 11}, {"SO_PRIORITY", 12},
    {"SO_LINGER", 13}, {"SO_BSDCOMPAT", 14}, {"SO_REUSEPORT", 15}, {"SO_PASSCRED", 16},
    {"SO_PEERCRED", 17}, {"SO_RCVLOWAT", 18}, {"SO_SNDLOWAT", 19}, {"SO_RCVTIMEO", 20},
    {"SO_SNDTIMEO", 21}, {"SO_BINDTODEVICE", 25}, {"SO_ATTACH_FILTER", 26},
    {"SO_DETACH_FILTER", 27}, {"SO_PEERNAME", 28}, {"SO_TIMESTAMP", 29},
    {"SO_ACCEPTCONN", 30}, {"SO_PEERSEC", 31}, {"SO_SNDBUFFORCE", 32},
    {"SO_RCVBUFFORCE", 33}, {"SO_PASSSEC", 34}, {"SO_TIMESTAMPNS", 35}, {"SO_MARK", 36},
    {"SO_TIMESTAMPING", 37}, {"SO_PROTOCOL", 38}, {"SO_DOMAIN", 39}, {"SO_RXQ_OVFL", 40},
    {"SO_WIFI_STATUS", 41}, {"SO_PEEK_OFF", 42}, {"SO_NOFCS", 43}, {"SO_LOCK_FILTER", 44},
    {"SO_SELECT_ERR_QUEUE", 45}, {"SO_BUSY_POLL", 46}, {"SO_MAX_PACING_RATE", 47},
    {"SO_BPF_EXTENSIONS", 48}, {"SO_INCOMING_CPU", 49}, {"SO_ATTACH_BPF", 50},
    {"SO_ATTACH_REUSEPORT_CBPF", 51}, {"SO_ATTACH_REUSEPORT_EBPF", 52},
    {"SO_CNX_ADVICE", 53}, {"SO_MEMINFO", 55}, {"SO_INCOMING_NAPI_ID", 56},
    {"SO_COOKIE", 57}, {"SO_PEERGROUPS", 59}, {"SO_ZEROCOPY", 60}, {"SO_TXTIME", 61},
    {"SO_BINDTOIFINDEX", 62},
    // include/uapi/linux/tcp.h (socket options)
    {"TCP_NODELAY", 1}, {"TCP_MAXSEG", 2}, {"TCP_CORK", 3}, {"TCP_KEEPIDLE", 4},
    {"TCP_KEEPINTVL", 5}, {"TCP_KEEPCNT", 6}, {"TCP_SYNCNT", 7}, {"TCP_LINGER2", 8},
    {"TCP_DEFER_ACCEPT", 9}, {"TCP_WINDOW_CLAMP", 10}, {"TCP_INFO", 11},
    {"TCP_QUICKACK", 12}, {"TCP_CONGESTION", 13}, {"TCP_MD5SIG", 14},
    {"TCP_THIN_LINEAR_TIMEOUTS", 16}, {"TCP_THIN_DUPACK", 17}, {"TCP_USER_TIMEOUT", 18},
    {"TCP_REPAIR", 19}, {"TCP_REPAIR_QUEUE", 20}, {"TCP_QUEUE_SEQ", 21},
    {"TCP_REPAIR_OPTIONS", 22}, {"TCP_FASTOPEN", 23}, {"TCP_TIMESTAMP", 24},
    {"TCP_NOTSENT_LOWAT", 25}, {"TCP_CC_INFO", 26}, {"TCP_SAVE_SYN", 27},
    {"TCP_SAVED_SYN", 28}, {"TCP_REPAIR_WINDOW", 29}, {"TCP_FASTOPEN_CONNECT", 30},
    {"TCP_ULP", 31}, {"TCP_MD5SIG_EXT", 32}, {"TCP_FASTOPEN_KEY", 33},
    {"TCP_FASTOPEN_NO_COOKIE", 34}, {"TCP_ZEROCOPY_RECEIVE", 35}, {"TCP_INQ", 36},
    {"TCP_TX_DELAY", 37},
    // include/net/tcp_states.h (tcpi_state values)
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3},
    {"TCP_FIN_WAIT1", 4}, {"TCP_FIN_WAIT2", 5}, {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7},
    {"TCP_CLOSE_WAIT", 8}, {"TCP_LAST_ACK", 9}, {"TCP_LISTEN", 10}, {"TCP_CLOSING", 11},
    // include/uapi/asm-generic/fcntl.h
    {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_CREAT", 0100}, {"O_EXCL", 0200},
    {"O_NOCTTY", 0400}, {"O_TRUNC", 01000}, {"O_APPEND", 02000}, {"O_NONBLOCK", 04000},
    {"O_NDELAY", 04000}, {"O_DSYNC", 010000}, {"O_ASYNC", 020000}, {"FASYNC", 020000},
    {"O_DIRECT", 040000}, {"O_DIRECTORY", 0200000}, {"O_NOFOLLOW", 0400000},
    {"O_NOATIME", 01000000}, {"O_CLOEXEC", 02000000},
    {"F_DUPFD", 0}, {"F_GETFD", 1}, {"F_SETFD", 2}, {"F_GETFL", 3}, {"F_SETFL", 4},
    {"F_GETLK", 5}, {"F_SETLK", 6}, {"F_SETLKW", 7}, {"F_SETOWN", 8}, {"F_GETOWN", 9},
    {"F_SETSIG", 10}, {"F_GETSIG", 11}, {"F_DUPFD_CLOEXEC", 1030}, {"F_SETPIPE_SZ", 1031},
    {"F_GETPIPE_SZ", 1032}, {"FD_CLOEXEC", 1},
    // include/uapi/asm-generic/poll.h
    {"POLLIN", 0x1}, {"POLLPRI", 0x2}, {"POLLOUT", 0x4}, {"POLLERR", 0x8}, {"POLLHUP", 0x10},
    {"POLLNVAL", 0x20}, {"POLLRDNORM", 0x40}, {"POLLRDBAND", 0x80}, {"POLLWRNORM", 0x100},
    {"POLLWRBAND", 0x200}, {"POLLMSG", 0x400}, {"POLLREMOVE", 0x1000}, {"POLLRDHUP", 0x2000},
    // include/uapi/linux/eventpoll.h
    {"EPOLLIN", 0x1}, {"EPOLLPRI", 0x2}, {"EPOLLOUT", 0x4}, {"EPOLLERR", 0x8},
    {"EPOLLHUP", 0x10}, {"EPOLLRDNORM", 0x40}, {"EPOLLRDBAND", 0x80}, {"EPOLLWRNORM", 0x100},
    {"EPOLLWRBAND", 0x200}, {"EPOLLMSG", 0x400}, {"EPOLLRDHUP", 0x2000},
    {"EPOLLEXCLUSIVE", 1LL << 28}, {"EPOLLWAKEUP", 1LL << 29}, {"EPOLLONESHOT", 1LL << 30},
    {"EPOLLET", 1LL << 31}, {"EPOLL_CTL_ADD", 1}, {"EPOLL_CTL_DEL", 2}, {"EPOLL_CTL_MOD", 3},
    // include/uapi/asm-generic/ioctls.h, include/uapi/linux/sockios.h
    {"TIOCOUTQ", 0x5411}, {"FIONREAD", 0x541B}, {"FIONBIO", 0x5421}, {"SIOCINQ", 0x541B},
    {"SIOCOUTQ", 0x5411}, {"SIOCOUTQNSD", 0x894B},
};

template <std::size_t N>
const Symbol* find(const Symbol (&table)[N], std::string_view name) {
  for (const Symbol& s : table)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

std::optional<int64_t> symbol_value(std::string_view name) {
  if (const Symbol* s = find(kErrnos, name)) return s->value;
  if (const Symbol* s = find(kConstants, name)) return s->value;
  return std::nullopt;
}

std::optional<int> errno_value(std::string_view name) {
  if (const Symbol* s = find(kErrnos, name)) return static_cast<int>(s->value);
  return std::nullopt;
}

std::string_view errno_name(int value) {
  for (const Symbol& s : kErrnos)
    if (s.value == value) return s.name;
  return {};
}

IntValue evaluate_int(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::Integer: return {expr.integer, {}};
    case ExprKind::Symbol: {
      if (auto v = symbol_value(expr.text)) return {*v, {}};
      return {std::nullopt, "unknown symbol '" + expr.text + "'"};
    }
    case ExprKind::BitOr: {
      int64_t acc = 0;
      for (const Expr& item : expr.items) {
        IntValue v = evaluate_int(item);
        if (!v.value) return v;
        acc |= *v.value;
      }
      return {acc, {}};
    }
    case ExprKind::Ellipsis: return {std::nullopt, "expected an integer, got '...'"};
    case ExprKind::String: return {std::nullopt, "expected an integer, got a string"};
    case ExprKind::Array: return {std::nullopt, "expected an integer, got an array"};
    case ExprKind::Struct: return {std::nullopt, "expected an integer, got a struct"};
    case ExprKind::Field: return {std::nullopt, "expected an integer, got a field '" + expr.text + "='"};
    case ExprKind::Call: return {std::nullopt, "expected an integer, got a call to '" + expr.text + "'"};
  }
  return {std::nullopt, "expected an integer"};
}

}  // namespace pkt

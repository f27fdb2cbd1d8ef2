// mirrors net/ipv4/af_inet.c (tag: docs/kernel-version.md): the AF_INET
// family. socket() reaches inet_create() through net_families[AF_INET];
// inet_create() searches inetsw[type] and copies the row's proto_ops into the
// socket and its proto into the sock. Everything after that dispatches
// through those two tables.
#include "stack/af_inet.h"

#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "stack/inet_connection_sock.h"
#include "stack/ip.h"
#include "stack/net.h"
#include "stack/raw.h"
#include "stack/tcp.h"
#include "stack/udp.h"

namespace stack {

namespace {

constexpr int kSockMax = 11;       // SOCK_MAX
constexpr int kIpprotoMax = 263;   // IPPROTO_MAX (IPPROTO_MPTCP + 1)
constexpr uint8_t SK_CAN_REUSE = 1;

bool in_syn_states(const sock* sk) { return sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV; }

// mirrors inet_create(). Order of checks (linux-listen-path.md section 2):
// protocol range (EINVAL) before the type lookup; ESOCKTNOSUPPORT for a type
// with no rows, EPROTONOSUPPORT for rows without a match; then the SOCK_RAW
// capability (EPERM); then the protocol's init (ping: EACCES).
int inet_create(net* n, socket* sock, int protocol, int kern) {
  if (protocol < 0 || protocol >= kIpprotoMax) return -EINVAL;
  sock->state = SS_UNCONNECTED;

  // The match rules, for each row in list order: an exact nonzero protocol;
  // protocol 0 takes the first row and adopts its protocol; a row with
  // protocol 0 (the raw wildcard) takes any nonzero protocol. So
  // (SOCK_RAW, 0) meets the wildcard with 0 and fails.
  // SIM: no request_module() retries; every protocol is built in.
  const inet_protosw* answer = nullptr;
  int err = -ESOCKTNOSUPPORT;
  for (const inet_protosw* row : n->inetsw[static_cast<size_t>(sock->type)]) {
    err = 0;
    if (protocol == row->protocol) {
      if (protocol != IPPROTO_IP) {
        answer = row;
        break;
      }
    } else {
      if (protocol == IPPROTO_IP) {
        protocol = row->protocol;
        answer = row;
        break;
      }
      if (row->protocol == IPPROTO_IP) {
        answer = row;
        break;
      }
    }
    err = -EPROTONOSUPPORT;
  }
  if (err) return err;

  if (sock->type == SOCK_RAW && !kern && !n->has_cap_net_raw) return -EPERM;

  sock->ops = answer->ops;
  struct sock* sk = sk_alloc(n, answer->prot);
  if (!sk) return -ENOMEM;
  if (answer->flags & INET_PROTOSW_REUSE) sk->skc_reuse = SK_CAN_REUSE;
  // A raw socket's "port" is its protocol (inet_num); it is never in a port table.
  if (sock->type == SOCK_RAW) sk->skc_num = static_cast<uint16_t>(protocol);

  sock_init_data(sock, sk);
  sk->sk_protocol = static_cast<uint16_t>(protocol);
  inet_sk(sk)->uc_ttl = 0;  // the sysctl (Linux: -1)

  if (sk->sk_prot->init) {
    err = sk->sk_prot->init(sk);
    if (err) {
      sk_common_release(sk);
      sock->sk = nullptr;
      return err;
    }
  }
  return 0;
}

}  // namespace

// ---- the family and its table ------------------------------------------------

const net_proto_family inet_family_ops = {
    .family = PF_INET,
    .create = inet_create,
};

const inet_protosw inetsw_array[4] = {
    {SOCK_STREAM, IPPROTO_TCP, &tcp_prot, &inet_stream_ops, INET_PROTOSW_PERMANENT | INET_PROTOSW_ICSK},
    {SOCK_DGRAM, IPPROTO_UDP, &udp_prot, &inet_dgram_ops, INET_PROTOSW_PERMANENT},
    {SOCK_DGRAM, IPPROTO_ICMP, &ping_prot, &inet_sockraw_ops, INET_PROTOSW_REUSE},
    {SOCK_RAW, IPPROTO_IP, &raw_prot, &inet_sockraw_ops, INET_PROTOSW_REUSE},
};

// Permanent rows stay first: a new row goes after the last permanent one,
// and may not take over a permanent row's protocol.
int inet_register_protosw(net* n, const inet_protosw* p) {
  if (p->type >= kSockMax) return -EINVAL;
  auto& list = n->inetsw[p->type];
  size_t pos = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!(list[i]->flags & INET_PROTOSW_PERMANENT)) break;
    if (list[i]->protocol == p->protocol) return -EPERM;
    pos = i + 1;
  }
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), p);
  return 0;
}

int inet_init(net* n) {
  int err = sock_register(n, &inet_family_ops);
  if (err) return err;
  for (const inet_protosw& p : inetsw_array) {
    err = inet_register_protosw(n, &p);
    if (err) return err;
  }
  return 0;
}

// ---- proto_ops members -------------------------------------------------------

// mirrors inet_release(): a lingering socket hands its linger time to close.
// The timeout is in seconds (sk_lingertime's unit here). SIM: close() does
// not block the caller for it.
int inet_release(socket* sock) {
  struct sock* sk = sock->sk;
  if (sk) {
    long timeout = 0;
    if (sk->flag(SOCK_LINGER)) timeout = sk->sk_lingertime;
    sk->sk_prot->close(sk, timeout);
    sock->sk = nullptr;
  }
  return 0;
}

// mirrors inet_bind() -> inet_bind_sk(). SIM: raw sockets have their own bind
// in Linux (sk_prot->bind); struct proto has no bind member here, so the
// raw case is chosen by its proto.
int inet_bind(socket* sock, const sockaddr* uaddr, int addr_len) {
  struct sock* sk = sock->sk;
  if (sk->sk_prot == &raw_prot) return raw_bind(sk, uaddr, addr_len);
  if (addr_len < static_cast<int>(sizeof(sockaddr_in))) return -EINVAL;
  return __inet_bind(sk, uaddr, addr_len);
}

// mirrors __inet_bind(). The order is observable (section 3): family, then
// address locality, then the privileged-port check, then "already bound or
// not CLOSE", then the protocol's port allocation (conflicts: EADDRINUSE).
int __inet_bind(sock* sk, const sockaddr* uaddr, int addr_len) {
  (void)addr_len;
  net* n = sk->skc_net;
  inet_sock* inet = inet_sk(sk);
  sockaddr_in addr;
  std::memcpy(&addr, uaddr, sizeof addr);
  if (addr.sin_family != AF_INET) {
    // Compatibility: AF_UNSPEC is accepted as AF_INET only with INADDR_ANY.
    if (addr.sin_family != AF_UNSPEC || addr.sin_addr.s_addr != htonl(INADDR_ANY)) return -EAFNOSUPPORT;
  }
  const uint32_t a = ntohl(addr.sin_addr.s_addr);
  const int type = inet_addr_type(n, a);
  if (!inet_addr_valid_or_nonlocal(n, inet, a, type)) return -EADDRNOTAVAIL;

  const uint16_t snum = ntohs(addr.sin_port);
  if (snum && snum < n->sysctl.ip_unprivileged_port_start && !n->has_cap_net_bind_service) return -EACCES;

  if (sk->skc_state != TCP_CLOSE || sk->skc_num) return -EINVAL;

  sk->skc_rcv_saddr = inet->inet_saddr = a;
  if (type == RTN_MULTICAST || type == RTN_BROADCAST) inet->inet_saddr = 0;  // use the device's

  const int err = sk->sk_prot->get_port(sk, snum);
  if (err) {
    inet->inet_saddr = sk->skc_rcv_saddr = 0;
    return err;
  }
  if (sk->skc_rcv_saddr) sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
  if (snum) sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
  sk->skc_daddr = 0;
  sk->skc_dport = 0;
  return 0;
}

// mirrors inet_listen(): only an unconnected stream socket may listen.
int inet_listen(socket* sock, int backlog) {
  if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM) return -EINVAL;
  return __inet_listen_sk(sock->sk, backlog);
}

// mirrors __inet_listen_sk(). The backlog (already clamped to somaxconn by
// the system call) is written unconditionally; a socket that already listens
// only gets the new value, its queues are left alone.
int __inet_listen_sk(sock* sk, int backlog) {
  const uint8_t old_state = sk->skc_state;
  if (old_state != TCP_CLOSE && old_state != TCP_LISTEN) return -EINVAL;
  sk->sk_max_ack_backlog = static_cast<uint32_t>(backlog);
  if (old_state != TCP_LISTEN) {
    // SIM: no TCP Fast Open queue (server TFO is off by default).
    const int err = inet_csk_listen_start(sk);
    if (err) return err;
  }
  return 0;
}

// mirrors inet_accept() + __inet_accept(): the child becomes the new socket's
// sock; the new socket is connected whatever state the child has reached.
// SIM: struct proto has no accept member; TCP's, the only one, is
// inet_csk_accept(). It returns -EAGAIN rather than sleeping.
int inet_accept(socket* sock, socket* newsock, int flags) {
  struct sock* sk1 = sock->sk;
  int err = -EINVAL;
  struct sock* sk2 = inet_csk_accept(sk1, flags, &err);
  if (!sk2) return err;
  sock_graft(sk2, newsock);
  newsock->state = SS_CONNECTED;
  return 0;
}

// mirrors __inet_stream_connect() up to the wait (section 14). The switch on
// sock->state decides EISCONN / EALREADY / a new attempt. While the
// handshake is in progress this returns -EINPROGRESS (new attempt) or
// -EALREADY; sys_connect() sleeps and calls again, which then lands on the
// outcome below: 0 once connected, else the pending error or ECONNABORTED.
int inet_stream_connect(socket* sock, const sockaddr* uaddr, int addr_len, int flags) {
  struct sock* sk = sock->sk;
  int err;
  if (uaddr) {
    if (addr_len < static_cast<int>(sizeof(uaddr->sa_family))) return -EINVAL;
    if (uaddr->sa_family == AF_UNSPEC) {
      err = sk->sk_prot->disconnect(sk, flags);
      sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
      return err;
    }
  }
  switch (sock->state) {
    default:
      return -EINVAL;
    case SS_CONNECTED:
      return -EISCONN;
    case SS_CONNECTING:
      err = -EALREADY;
      break;
    case SS_UNCONNECTED:
      if (sk->skc_state != TCP_CLOSE) return -EISCONN;  // e.g. a listener
      err = sk->sk_prot->connect(sk, uaddr, addr_len);
      if (err < 0) return err;
      sock->state = SS_CONNECTING;
      err = -EINPROGRESS;
      break;
  }
  if (in_syn_states(sk)) return err;
  // Closed by RST, timeout or a disconnect while connecting.
  if (sk->skc_state == TCP_CLOSE) {
    err = sock_error(sk);
    if (!err) err = -ECONNABORTED;
    sock->state = SS_UNCONNECTED;
    if (sk->sk_prot->disconnect(sk, flags)) sock->state = SS_DISCONNECTING;
    return err;
  }
  sock->state = SS_CONNECTED;
  return 0;
}

// mirrors inet_dgram_connect(): AF_UNSPEC dissolves the association; an
// unbound socket is bound to an ephemeral port first.
int inet_dgram_connect(socket* sock, const sockaddr* uaddr, int addr_len, int flags) {
  struct sock* sk = sock->sk;
  if (addr_len < static_cast<int>(sizeof(uaddr->sa_family))) return -EINVAL;
  if (uaddr->sa_family == AF_UNSPEC) return sk->sk_prot->disconnect(sk, flags);
  if (!sk->skc_num && inet_autobind(sk)) return -EAGAIN;
  return sk->sk_prot->connect(sk, uaddr, addr_len);
}

int inet_autobind(sock* sk) {
  if (!sk->skc_num) {
    if (!sk->sk_prot->get_port || sk->sk_prot->get_port(sk, 0)) return -EAGAIN;
  }
  return 0;
}

// mirrors inet_getname()
int inet_getname(socket* sock, sockaddr* uaddr, int peer) {
  struct sock* sk = sock->sk;
  const inet_sock* inet = inet_sk(sk);
  sockaddr_in sin;
  std::memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  if (peer) {
    if (!sk->skc_dport || ((sk->skc_state == TCP_CLOSE || sk->skc_state == TCP_SYN_SENT) && peer == 1))
      return -ENOTCONN;
    sin.sin_port = htons(sk->skc_dport);
    sin.sin_addr.s_addr = htonl(sk->skc_daddr);
  } else {
    uint32_t addr = sk->skc_rcv_saddr;
    if (!addr) addr = inet->inet_saddr;
    sin.sin_port = htons(sk->skc_num);
    sin.sin_addr.s_addr = htonl(addr);
  }
  std::memcpy(uaddr, &sin, sizeof sin);
  return static_cast<int>(sizeof sin);
}

// mirrors inet_shutdown(). how is mapped 0,1,2 -> 1,2,3 so that bit 1 is
// RCV_SHUTDOWN and bit 2 SEND_SHUTDOWN. A listener shut down for reading is
// disconnected (it stops listening; blocked accept() calls fail with EINVAL);
// SHUT_WR on it does nothing. Everyone sleeping on the socket is woken.
int inet_shutdown(socket* sock, int how) {
  struct sock* sk = sock->sk;
  int err = 0;
  how++;
  if ((how & ~SHUTDOWN_MASK) || !how) return -EINVAL;

  if (sock->state == SS_CONNECTING) {
    if (in_syn_states(sk) || sk->skc_state == TCP_CLOSE)
      sock->state = SS_DISCONNECTING;
    else
      sock->state = SS_CONNECTED;
  }

  switch (sk->skc_state) {
    case TCP_CLOSE:
      err = -ENOTCONN;
      [[fallthrough]];
    default:
      sk->sk_shutdown |= static_cast<uint8_t>(how);
      if (sk->sk_prot->shutdown) sk->sk_prot->shutdown(sk, how);
      break;
    case TCP_LISTEN:
      if (!(how & RCV_SHUTDOWN)) break;
      [[fallthrough]];
    case TCP_SYN_SENT:
      err = sk->sk_prot->disconnect(sk, O_NONBLOCK);
      sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
      break;
  }
  sk_state_change(sk);
  return err;
}

// mirrors inet_sendmsg() -> inet_send_prepare(): bind on first send, except
// for TCP (tcp_prot.no_autobind; its connect() binds).
long inet_sendmsg(socket* sock, const void* buf, size_t len, int flags, const sockaddr* to, int tolen) {
  struct sock* sk = sock->sk;
  if (sk->sk_protocol != IPPROTO_TCP && inet_autobind(sk)) return -EAGAIN;
  return sk->sk_prot->sendmsg(sk, buf, len, flags, to, tolen);
}

long inet_recvmsg(socket* sock, void* buf, size_t len, int flags, sockaddr* from, int* fromlen) {
  struct sock* sk = sock->sk;
  return sk->sk_prot->recvmsg(sk, buf, len, flags, from, fromlen);
}

int sock_common_setsockopt(socket* sock, int level, int optname, const void* optval, int optlen) {
  struct sock* sk = sock->sk;
  if (!sk->sk_prot->setsockopt) return -EOPNOTSUPP;
  return sk->sk_prot->setsockopt(sk, level, optname, optval, optlen);
}

int sock_common_getsockopt(socket* sock, int level, int optname, void* optval, int* optlen) {
  struct sock* sk = sock->sk;
  if (!sk->sk_prot->getsockopt) return -EOPNOTSUPP;
  return sk->sk_prot->getsockopt(sk, level, optname, optval, optlen);
}

int sock_no_listen(socket* sock, int backlog) {
  (void)sock, (void)backlog;
  return -EOPNOTSUPP;
}

int sock_no_accept(socket* sock, socket* newsock, int flags) {
  (void)sock, (void)newsock, (void)flags;
  return -EOPNOTSUPP;
}

// ---- the ops tables ------------------------------------------------------------

const proto_ops inet_stream_ops = {
    .family = PF_INET,
    .release = inet_release,
    .bind = inet_bind,
    .connect = inet_stream_connect,
    .accept = inet_accept,
    .getname = inet_getname,
    .poll = tcp_poll,
    .listen = inet_listen,
    .shutdown = inet_shutdown,
    .setsockopt = sock_common_setsockopt,
    .getsockopt = sock_common_getsockopt,
    .sendmsg = inet_sendmsg,
    .recvmsg = inet_recvmsg,
};

const proto_ops inet_dgram_ops = {
    .family = PF_INET,
    .release = inet_release,
    .bind = inet_bind,
    .connect = inet_dgram_connect,
    .accept = sock_no_accept,
    .getname = inet_getname,
    .poll = udp_poll,
    .listen = sock_no_listen,
    .shutdown = inet_shutdown,
    .setsockopt = sock_common_setsockopt,
    .getsockopt = sock_common_getsockopt,
    .sendmsg = inet_sendmsg,
    .recvmsg = inet_recvmsg,
};

// Raw and ping sockets: like datagrams, but poll without UDP's checks.
const proto_ops inet_sockraw_ops = {
    .family = PF_INET,
    .release = inet_release,
    .bind = inet_bind,
    .connect = inet_dgram_connect,
    .accept = sock_no_accept,
    .getname = inet_getname,
    .poll = datagram_poll,
    .listen = sock_no_listen,
    .shutdown = inet_shutdown,
    .setsockopt = sock_common_setsockopt,
    .getsockopt = sock_common_getsockopt,
    .sendmsg = inet_sendmsg,
    .recvmsg = inet_recvmsg,
};

}  // namespace stack

// The AF_INET family: the inetsw table that socket() searches, the BSD-level
// operations of inet sockets, and the proto_ops tables that dispatch to them.
// mirrors net/ipv4/af_inet.c and include/net/inet_common.h, include/net/protocol.h.
//
// SIM: the ops make one attempt and return -EAGAIN (-EINPROGRESS/-EALREADY for
// connect) instead of sleeping; the system calls in socket.cc wait on
// sk->sk_wq in simulated time and call again.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "stack/socket.h"

namespace stack {

struct net;

// mirrors struct inet_protosw (include/net/protocol.h): one row of inetsw.
struct inet_protosw {
  uint16_t type;      // SOCK_STREAM, ...
  uint16_t protocol;  // IPPROTO_*; IPPROTO_IP (0) is the wildcard of SOCK_RAW
  const proto* prot;
  const proto_ops* ops;
  uint8_t flags;      // INET_PROTOSW_*
};
enum : uint8_t { INET_PROTOSW_REUSE = 0x1, INET_PROTOSW_PERMANENT = 0x2, INET_PROTOSW_ICSK = 0x4 };

// The built-in rows, in the order inet_init() registers them.
extern const inet_protosw inetsw_array[4];

extern const proto_ops inet_stream_ops;
extern const proto_ops inet_dgram_ops;
extern const proto_ops inet_sockraw_ops;
extern const net_proto_family inet_family_ops;

// mirrors inet_init(): sock_register(&inet_family_ops) and the inetsw rows.
// Called from the net constructor.
int inet_init(net* n);
// mirrors inet_register_protosw(): returns 0, or -EINVAL for a bad type,
// -EPERM when a permanent row already claims the protocol.
int inet_register_protosw(net* n, const inet_protosw* p);

// ---- proto_ops members (af_inet.c) -------------------------------------------
int inet_release(socket* sock);
int inet_bind(socket* sock, const sockaddr* uaddr, int addr_len);
// mirrors __inet_bind(): the checks of bind() after the address length.
int __inet_bind(sock* sk, const sockaddr* uaddr, int addr_len);
int inet_listen(socket* sock, int backlog);
// mirrors __inet_listen_sk(): CLOSE/LISTEN only; stores the backlog, starts
// listening unless already listening.
int __inet_listen_sk(sock* sk, int backlog);
int inet_accept(socket* sock, socket* newsock, int flags);
int inet_stream_connect(socket* sock, const sockaddr* uaddr, int addr_len, int flags);
int inet_dgram_connect(socket* sock, const sockaddr* uaddr, int addr_len, int flags);
// peer: 0 local name, 1 peer name (getpeername), 2 peer name for accept()
// (a closed or SYN_SENT socket that knows its peer still answers).
int inet_getname(socket* sock, sockaddr* uaddr, int peer);
int inet_shutdown(socket* sock, int how);
long inet_sendmsg(socket* sock, const void* buf, size_t len, int flags, const sockaddr* to, int tolen);
long inet_recvmsg(socket* sock, void* buf, size_t len, int flags, sockaddr* from, int* fromlen);
// mirrors sock_common_setsockopt()/sock_common_getsockopt() (net/core/sock.c):
// non-SOL_SOCKET levels go to sk->sk_prot.
int sock_common_setsockopt(socket* sock, int level, int optname, const void* optval, int optlen);
int sock_common_getsockopt(socket* sock, int level, int optname, void* optval, int* optlen);
// mirrors inet_autobind(): give an unbound socket an ephemeral port.
int inet_autobind(sock* sk);

// ---- "not supported" ops (net/core/sock.c) -----------------------------------
int sock_no_listen(socket* sock, int backlog);
int sock_no_accept(socket* sock, socket* newsock, int flags);

}  // namespace stack

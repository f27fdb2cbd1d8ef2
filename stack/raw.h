// Raw and ping sockets: enough of net/ipv4/raw.c and net/ipv4/ping.c that
// socket() dispatches to them with Linux's rules (CAP_NET_RAW, the
// ping_group_range gate).
// SIM: raw sockets can be created, bound and closed, but carry no traffic:
// sendmsg fails with EOPNOTSUPP and nothing is delivered to them. Ping
// sockets never get past creation: the default net.ipv4.ping_group_range
// ("1 0") admits no group, and we model no other value.
#pragma once

#include <sys/socket.h>

#include "stack/sock.h"

namespace stack {

struct proto;

// mirrors struct raw_sock (include/net/raw.h); also holds ping sockets.
struct raw_sock : inet_sock {};

extern const proto raw_prot;
extern const proto ping_prot;

// mirrors raw_bind(): raw sockets bind an address only (their "port" is the
// protocol number, fixed at socket()).
int raw_bind(sock* sk, const sockaddr* uaddr, int addr_len);

}  // namespace stack

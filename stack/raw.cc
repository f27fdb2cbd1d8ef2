// mirrors net/ipv4/raw.c and net/ipv4/ping.c as far as socket() reaches
// them; see raw.h for what is not modelled.
#include "stack/raw.h"

#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "stack/ip.h"
#include "stack/net.h"
#include "stack/socket.h"
#include "stack/udp.h"

namespace stack {

namespace {

sock* raw_alloc(net* n) { return n->raw_sock_cache.alloc(); }
void raw_free(sock* sk) { sk->skc_net->raw_sock_cache.free(static_cast<raw_sock*>(sk)); }

// mirrors raw_close(): nothing of its own to tear down.
void raw_close(sock* sk, long timeout) {
  (void)timeout;
  sk_common_release(sk);
}

// SIM: raw sockets carry no traffic.
long raw_sendmsg(sock* sk, const void* buf, size_t len, int flags, const sockaddr* to, int tolen) {
  (void)sk, (void)buf, (void)len, (void)flags, (void)to, (void)tolen;
  return -EOPNOTSUPP;
}
// Nothing is ever queued: a read waits like one on an idle raw socket.
long raw_recvmsg(sock* sk, void* buf, size_t len, int flags, sockaddr* from, int* fromlen) {
  (void)buf, (void)len, (void)from, (void)fromlen;
  const int err = sock_error(sk);
  if (err) return err;
  if ((sk->sk_shutdown & RCV_SHUTDOWN) && !(flags & MSG_DONTWAIT)) return 0;
  return -EAGAIN;
}

// mirrors ping_init_sock(): the caller's group must lie in
// net.ipv4.ping_group_range. SIM: only the default range "1 0" (empty) is
// modelled, so every caller, root included, is refused.
int ping_init_sock(sock* sk) {
  (void)sk;
  return -EACCES;
}

}  // namespace

int raw_bind(sock* sk, const sockaddr* uaddr, int addr_len) {
  if (sk->skc_state != TCP_CLOSE || addr_len < static_cast<int>(sizeof(sockaddr_in))) return -EINVAL;
  sockaddr_in sin;
  std::memcpy(&sin, uaddr, sizeof sin);
  net* n = sk->skc_net;
  inet_sock* inet = static_cast<inet_sock*>(sk);
  const uint32_t addr = ntohl(sin.sin_addr.s_addr);
  const int type = inet_addr_type(n, addr);
  if (!inet_addr_valid_or_nonlocal(n, inet, addr, type)) return -EADDRNOTAVAIL;
  sk->skc_rcv_saddr = inet->inet_saddr = addr;
  if (type == RTN_MULTICAST || type == RTN_BROADCAST) inet->inet_saddr = 0;  // use the device's
  return 0;
}

const proto raw_prot = {
    .name = "RAW",
    .alloc = raw_alloc,
    .free = raw_free,
    .init = nullptr,
    .close = raw_close,
    .connect = ip4_datagram_connect,
    .disconnect = udp_disconnect,
    .setsockopt = ip_setsockopt,
    .getsockopt = ip_getsockopt,
    .sendmsg = raw_sendmsg,
    .recvmsg = raw_recvmsg,
    .shutdown = nullptr,
    .unhash = nullptr,
    .get_port = nullptr,
};

const proto ping_prot = {
    .name = "PING",
    .alloc = raw_alloc,
    .free = raw_free,
    .init = ping_init_sock,
    .close = raw_close,
    .connect = ip4_datagram_connect,
    .disconnect = udp_disconnect,
    .setsockopt = ip_setsockopt,
    .getsockopt = ip_getsockopt,
    .sendmsg = raw_sendmsg,
    .recvmsg = raw_recvmsg,
    .shutdown = nullptr,
    .unhash = nullptr,
    .get_port = nullptr,
};

}  // namespace stack

// mirrors net/ipv4/udp.c and the datagram half of net/ipv4/datagram.c
// (tag: docs/kernel-version.md). See udp.h for what is simulated and what
// is not.
#include "stack/udp.h"

#include <netinet/in.h>
#include <netinet/udp.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "sim/wire/ipv4.h"
#include "sim/wire/udp.h"
#include "stack/ip.h"
#include "stack/net.h"
#include "stack/socket.h"

namespace stack {

namespace {

// What a queued datagram remembers besides its payload (skb->data points at
// the payload once queued). Kept in skb->cb, like udp_skb_cb + the IP header
// fields udp_recvmsg() reads back.
struct udp_skb_cb {
  uint32_t saddr;
  uint16_t sport;
  uint32_t truesize;
};
static_assert(sizeof(udp_skb_cb) <= sizeof(sim::SkBuff::cb));
udp_skb_cb* UDP_SKB_CB(sim::SkBuff* skb) { return reinterpret_cast<udp_skb_cb*>(skb->cb); }

sock* udp_alloc(net* n) { return n->udp_sock_cache.alloc(); }
void udp_free(sock* sk) { sk->skc_net->udp_sock_cache.free(udp_sk(sk)); }

// mirrors udp_init_sock(): nothing beyond sock_init_data()'s defaults.
int udp_init_sock(sock* sk) {
  (void)sk;
  return 0;
}

// mirrors udp_lib_close() -> sk_common_release()
void udp_lib_close(sock* sk, long timeout) {
  (void)timeout;
  sk_common_release(sk);
}

// mirrors inet_rcv_saddr_equal(match_wildcard = true)
bool rcv_saddr_equal(const sock* a, const sock* b) {
  return a->skc_rcv_saddr == b->skc_rcv_saddr || a->skc_rcv_saddr == 0 || b->skc_rcv_saddr == 0;
}

// mirrors udp_lib_lport_inuse(): another socket on `num` whose address
// overlaps ours conflicts unless both set SO_REUSEADDR, or both set
// SO_REUSEPORT (SIM: one process, so the same uid).
bool udp_lib_lport_inuse(const net* n, uint16_t num, const sock* sk) {
  auto it = n->udptable.hash.find(num);
  if (it == n->udptable.hash.end()) return false;
  for (const udp_sock* sk2 = it->second; sk2; sk2 = sk2->udp_port_next) {
    if (sk2 == sk) continue;
    if (sk2->skc_reuse && sk->skc_reuse) continue;
    if (!rcv_saddr_equal(sk, sk2)) continue;
    if (sk2->skc_reuseport && sk->skc_reuseport) continue;
    return true;
  }
  return false;
}

void udp_table_add(net* n, udp_sock* up) {
  udp_sock*& head = n->udptable.hash[up->skc_num];
  up->udp_port_next = head;
  head = up;
}

// mirrors udp_lib_unhash(): out of the table; the socket is unbound.
void udp_lib_unhash(sock* sk) {
  if (!sk->sk_bound) return;
  net* n = sk->skc_net;
  auto it = n->udptable.hash.find(sk->skc_num);
  if (it != n->udptable.hash.end()) {
    for (udp_sock** p = &it->second; *p; p = &(*p)->udp_port_next) {
      if (*p == sk) {
        *p = (*p)->udp_port_next;
        break;
      }
    }
    if (!it->second) n->udptable.hash.erase(it);
  }
  udp_sk(sk)->udp_port_next = nullptr;
  sk->sk_bound = false;
  sk->skc_num = 0;
}

// mirrors compute_score(): only sockets whose bound address the caller
// already matched reach here. A connected socket must match the peer and
// scores higher than an unconnected one.
int compute_score(const udp_sock* sk, uint32_t saddr, uint16_t sport) {
  int score = 2;  // PF_INET
  if (sk->skc_daddr) {
    if (sk->skc_daddr != saddr) return -1;
    score += 4;
  }
  if (sk->skc_dport) {
    if (sk->skc_dport != sport) return -1;
    score += 4;
  }
  return score;
}

// mirrors __udp_enqueue_schedule_skb(): charge truesize against sk_rcvbuf.
// A datagram that does not fit is dropped, except that an empty-enough
// queue (rmem <= rcvbuf) always takes one more, so a tiny SO_RCVBUF still
// receives.
int udp_enqueue(sock* sk, sim::SkBuff* skb) {
  udp_sock* up = udp_sk(sk);
  const uint32_t rmem = up->sk_rmem_alloc;
  const uint32_t rcvbuf = static_cast<uint32_t>(sk->sk_rcvbuf);
  const uint32_t size = UDP_SKB_CB(skb)->truesize;
  if (rmem + size > rcvbuf) {
    if (rcvbuf > static_cast<uint32_t>(INT_MAX >> 1) || rmem > rcvbuf) {
      up->sk_drops++;
      return -ENOMEM;
    }
  }
  up->sk_rmem_alloc += size;
  sk->sk_receive_queue.push_back(skb);
  if (!sk->flag(SOCK_DEAD)) sk_data_ready(sk);
  return 0;
}

// mirrors udp_sendmsg(). Checks in Linux's order: length, flags, the
// destination (EINVAL/EAFNOSUPPORT/EDESTADDRREQ), then the route.
long udp_sendmsg(sock* sk, const void* buf, size_t len, int flags, const sockaddr* to, int tolen) {
  net* n = sk->skc_net;
  inet_sock* inet = inet_sk(sk);
  if (len > 0xFFFF) return -EMSGSIZE;
  if (flags & MSG_OOB) return -EOPNOTSUPP;

  uint32_t daddr;
  uint16_t dport;
  if (to) {
    if (tolen < static_cast<int>(sizeof(sockaddr_in))) return -EINVAL;
    sockaddr_in usin;
    std::memcpy(&usin, to, sizeof usin);
    if (usin.sin_family != AF_INET && usin.sin_family != AF_UNSPEC) return -EAFNOSUPPORT;
    daddr = ntohl(usin.sin_addr.s_addr);
    dport = ntohs(usin.sin_port);
    if (dport == 0) return -EINVAL;
  } else {
    if (sk->skc_state != TCP_ESTABLISHED) return -EDESTADDRREQ;
    daddr = sk->skc_daddr;
    dport = sk->skc_dport;
  }

  rtable rt;
  if (!ip_route_output(n, daddr, &rt)) {
    n->mib_inc(IPSTATS_MIB_OUTNOROUTES);
    return -ENETUNREACH;
  }
  if (ipv4_is_lbcast(daddr) && !sk->flag(SOCK_BROADCAST)) return -EACCES;
  const uint32_t saddr = inet->inet_saddr ? inet->inet_saddr : rt.rt_src;
  // SIM: no fragmentation; a datagram must fit the route MTU.
  if (len + sim::wire::kUdpHeaderLen + sim::wire::kIpv4HeaderLen > rt.rt_mtu) return -EMSGSIZE;

  sim::SkBuff* skb = n->skbs.alloc();
  uint8_t* p = skb->put(static_cast<uint32_t>(sim::wire::kUdpHeaderLen + len));
  sim::wire::UdpRepr r;
  r.sport = sk->skc_num;
  r.dport = dport;
  r.payload = static_cast<const uint8_t*>(buf);
  r.payload_len = static_cast<uint32_t>(len);
  sim::wire::emit_udp(p, r, saddr, daddr);
  skb->transport_header = static_cast<uint16_t>(p - skb->head());
  const int err = ip_queue_xmit(sk, skb, saddr, daddr, IPPROTO_UDP, sk->sk_tos, inet->uc_ttl);
  if (err) {
    if (err == -ENOBUFS) n->mib_inc(UDP_MIB_SNDBUFERRORS);
    return err;
  }
  n->mib_inc(UDP_MIB_OUTDATAGRAMS);
  return static_cast<long>(len);
}

// mirrors udp_recvmsg() -> __skb_recv_udp(). A pending socket error comes
// first; an empty queue gives -EAGAIN (the system call sleeps and retries),
// or 0 for a blocking read on a socket shut down for reading. A datagram
// longer than the buffer is truncated; MSG_TRUNC returns its real length.
// UdpInDatagrams counts datagrams as they are read, as in Linux.
long udp_recvmsg(sock* sk, void* buf, size_t len, int flags, sockaddr* from, int* fromlen) {
  net* n = sk->skc_net;
  if (flags & MSG_ERRQUEUE) return -EAGAIN;  // SIM: no error queue (no ICMP)
  sim::SkBuff* skb = sk->sk_receive_queue.head;
  if (!skb) {
    const int err = sock_error(sk);
    if (err) return err;
    if ((sk->sk_shutdown & RCV_SHUTDOWN) && !(flags & MSG_DONTWAIT)) return 0;
    return -EAGAIN;
  }
  const size_t ulen = skb->len;
  const size_t copied = std::min(len, ulen);
  if (copied) std::memcpy(buf, skb->data, copied);
  if (from) {
    sockaddr_in sin;
    std::memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(UDP_SKB_CB(skb)->sport);
    sin.sin_addr.s_addr = htonl(UDP_SKB_CB(skb)->saddr);
    std::memcpy(from, &sin, sizeof sin);
    if (fromlen) *fromlen = static_cast<int>(sizeof sin);
  }
  if (!(flags & MSG_PEEK)) {
    sk->sk_receive_queue.pop_front();
    udp_sk(sk)->sk_rmem_alloc -= UDP_SKB_CB(skb)->truesize;
    n->mib_inc(UDP_MIB_INDATAGRAMS);
    sim::kfree_skb(skb);
  }
  return static_cast<long>((flags & MSG_TRUNC) ? ulen : copied);
}

int udp_setsockopt(sock* sk, int level, int optname, const void* optval, int optlen) {
  // SIM: no SOL_UDP options (UDP_CORK, UDP_SEGMENT, ...).
  if (level == SOL_UDP) return -ENOPROTOOPT;
  return ip_setsockopt(sk, level, optname, optval, optlen);
}

int udp_getsockopt(sock* sk, int level, int optname, void* optval, int* optlen) {
  if (level == SOL_UDP) return -ENOPROTOOPT;
  return ip_getsockopt(sk, level, optname, optval, optlen);
}

}  // namespace

uint32_t udp_skb_truesize(uint32_t len) {
  constexpr uint32_t kSkBuff = 256;  // SKB_DATA_ALIGN(sizeof(struct sk_buff))
  constexpr uint32_t kShinfo = 320;  // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
  return ((len + 63u) & ~63u) + kSkBuff + kShinfo;
}

// mirrors udp_lib_get_port(). Port 0 scans the ephemeral range from a random
// offset for a port without conflict. SIM: Linux starts at a random point of
// its hash-slot bitmap; the set of acceptable ports is the same.
int udp_v4_get_port(sock* sk, uint16_t snum) {
  net* n = sk->skc_net;
  if (snum == 0) {
    const int lo = n->sysctl.ip_local_port_range[0];
    const int hi = n->sysctl.ip_local_port_range[1];
    const uint32_t range = static_cast<uint32_t>(hi - lo + 1);
    const uint32_t offset = static_cast<uint32_t>(n->rng.uniform(range));
    bool found = false;
    for (uint32_t i = 0; i < range && !found; ++i) {
      const uint16_t port = static_cast<uint16_t>(lo + (offset + i) % range);
      if (!udp_lib_lport_inuse(n, port, sk)) {
        snum = port;
        found = true;
      }
    }
    if (!found) return -EADDRINUSE;
  } else if (udp_lib_lport_inuse(n, snum, sk)) {
    return -EADDRINUSE;
  }
  if (sk->sk_bound) udp_lib_unhash(sk);
  sk->skc_num = snum;
  udp_table_add(n, udp_sk(sk));
  sk->sk_bound = true;
  return 0;
}

// mirrors __udp4_lib_lookup(): sockets bound to the exact destination address
// first, then wildcard ones; within each, the best score, the most recently
// bound among equals.
udp_sock* __udp4_lib_lookup(net* n, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport) {
  auto it = n->udptable.hash.find(dport);
  if (it == n->udptable.hash.end()) return nullptr;
  const uint32_t passes[2] = {daddr, 0};
  for (uint32_t want : passes) {
    udp_sock* best = nullptr;
    int badness = -1;
    for (udp_sock* up = it->second; up; up = up->udp_port_next) {
      if (up->skc_rcv_saddr != want) continue;
      const int score = compute_score(up, saddr, sport);
      if (score > badness) {
        best = up;
        badness = score;
      }
    }
    if (best) return best;
    if (daddr == 0) break;
  }
  return nullptr;
}

// mirrors __udp4_lib_rcv(). Length errors count UdpInErrors; a bad checksum
// UdpInCsumErrors + UdpInErrors; no socket UdpNoPorts. SIM: Linux verifies
// the checksum of a datagram for a bound socket only when it is read
// (counting it then); we verify on arrival. No ICMP port unreachable.
void udp_rcv(net* n, sim::SkBuff* skb) {
  const uint8_t* iph = skb->head() + skb->network_header;
  uint32_t saddr, daddr;
  std::memcpy(&saddr, iph + 12, 4);
  std::memcpy(&daddr, iph + 16, 4);
  saddr = ntohl(saddr);
  daddr = ntohl(daddr);
  sim::wire::UdpRepr r;
  switch (sim::wire::parse_udp(skb->data, skb->len, saddr, daddr, r, true)) {
    case sim::wire::ParseResult::kOk:
      break;
    case sim::wire::ParseResult::kUdpBadChecksum:
      n->mib_inc(UDP_MIB_CSUMERRORS);
      n->mib_inc(UDP_MIB_INERRORS);
      sim::kfree_skb(skb);
      return;
    default:  // shorter than a header, or a length field out of range
      n->mib_inc(UDP_MIB_INERRORS);
      sim::kfree_skb(skb);
      return;
  }
  udp_sock* up = __udp4_lib_lookup(n, saddr, r.sport, daddr, r.dport);
  if (!up) {
    n->mib_inc(UDP_MIB_NOPORTS);
    sim::kfree_skb(skb);
    return;
  }
  // The IP packet's length decides the charge (the skb as received).
  const uint32_t ip_len = skb->len + static_cast<uint32_t>(skb->data - (skb->head() + skb->network_header));
  skb->trim(sim::wire::kUdpHeaderLen + r.payload_len);
  skb->pull(sim::wire::kUdpHeaderLen);
  udp_skb_cb* cb = UDP_SKB_CB(skb);
  cb->saddr = saddr;
  cb->sport = r.sport;
  cb->truesize = udp_skb_truesize(ip_len);
  if (udp_enqueue(up, skb) < 0) {
    n->mib_inc(UDP_MIB_RCVBUFERRORS);
    n->mib_inc(UDP_MIB_INERRORS);
    sim::kfree_skb(skb);
  }
}

// mirrors ip4_datagram_connect(): route to the peer, take the route's source
// address if none is bound, and become "established" (the peer filters what
// we receive and is the default destination).
int ip4_datagram_connect(sock* sk, const sockaddr* uaddr, int addr_len) {
  net* n = sk->skc_net;
  inet_sock* inet = inet_sk(sk);
  if (addr_len < static_cast<int>(sizeof(sockaddr_in))) return -EINVAL;
  sockaddr_in usin;
  std::memcpy(&usin, uaddr, sizeof usin);
  if (usin.sin_family != AF_INET) return -EAFNOSUPPORT;
  const uint32_t daddr = ntohl(usin.sin_addr.s_addr);
  rtable rt;
  if (!ip_route_output(n, daddr, &rt)) {
    n->mib_inc(IPSTATS_MIB_OUTNOROUTES);
    return -ENETUNREACH;
  }
  if (ipv4_is_lbcast(daddr) && !sk->flag(SOCK_BROADCAST)) return -EACCES;
  if (!inet->inet_saddr) inet->inet_saddr = rt.rt_src;
  if (!sk->skc_rcv_saddr) sk->skc_rcv_saddr = rt.rt_src;  // (rehash: our table is keyed by port only)
  sk->skc_daddr = daddr;
  sk->skc_dport = ntohs(usin.sin_port);
  sk->skc_state = TCP_ESTABLISHED;
  inet->inet_id = static_cast<uint16_t>(n->rng.next_u32());
  return 0;
}

// mirrors __udp_disconnect(): forget the peer; an address or port the user
// did not bind explicitly is given up too.
int udp_disconnect(sock* sk, int flags) {
  (void)flags;
  inet_sock* inet = inet_sk(sk);
  sk->skc_state = TCP_CLOSE;
  sk->skc_daddr = 0;
  sk->skc_dport = 0;
  if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) inet->inet_saddr = sk->skc_rcv_saddr = 0;
  if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
    if (sk->sk_prot->unhash) sk->sk_prot->unhash(sk);
  }
  return 0;
}

// mirrors udp_poll() -> datagram_poll(). SIM: no checksum-error false
// positives to filter out (checksums are verified on arrival).
unsigned udp_poll(socket* sock) { return datagram_poll(sock); }

const proto udp_prot = {
    .name = "UDP",
    .alloc = udp_alloc,
    .free = udp_free,
    .init = udp_init_sock,
    .close = udp_lib_close,
    .connect = ip4_datagram_connect,
    .disconnect = udp_disconnect,
    .setsockopt = udp_setsockopt,
    .getsockopt = udp_getsockopt,
    .sendmsg = udp_sendmsg,
    .recvmsg = udp_recvmsg,
    .shutdown = nullptr,
    .unhash = udp_lib_unhash,
    .get_port = udp_v4_get_port,
};

}  // namespace stack

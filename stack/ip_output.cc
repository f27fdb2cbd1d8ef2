// mirrors net/ipv4/ip_output.c: prepend the IPv4 header and hand the packet
// to the link (or to our own ip_rcv() through the loopback device).
//
// Headers carry DF (path MTU discovery, Linux's default for TCP and UDP) and,
// unless a connected socket numbers them, IP ID 0: with DF set Linux sends ID
// 0 from ip_build_and_send_pkt() and from unconnected sockets.
// SIM: no fragmentation, no IP options, no netfilter; the loopback device
// delivers in a fresh event at the same simulated time (netif_rx()).
#include <netinet/in.h>

#include <cerrno>
#include <cstdint>

#include "sim/wire/ipv4.h"
#include "stack/ip.h"
#include "stack/net.h"

namespace stack {

namespace {

void loopback_xmit_done(void* ctx, uint64_t arg) {
  ip_rcv(static_cast<net*>(ctx), reinterpret_cast<sim::SkBuff*>(static_cast<uintptr_t>(arg)));
}

// The common tail of ip_build_and_send_pkt() and ip_queue_xmit(): route,
// header, then ip_local_out() -> dst_output().
int ip_send(net* n, sim::SkBuff* skb, uint32_t saddr, uint32_t daddr, uint8_t protocol, uint8_t tos, uint8_t ttl,
            uint16_t id) {
  rtable rt;
  if (!ip_route_output(n, daddr, &rt)) {
    n->mib_inc(IPSTATS_MIB_OUTNOROUTES);
    sim::kfree_skb(skb);
    return -ENETUNREACH;
  }
  if (skb->len + sim::wire::kIpv4HeaderLen > rt.rt_mtu) {
    // SIM: Linux would fragment (or, with DF from a socket, refuse earlier
    // with EMSGSIZE); senders here size their packets to the route MTU.
    sim::kfree_skb(skb);
    return -EMSGSIZE;
  }
  sim::wire::Ipv4Repr r;
  r.saddr = saddr ? saddr : rt.rt_src;
  r.daddr = daddr;
  r.protocol = protocol;
  r.ttl = ttl ? ttl : static_cast<uint8_t>(n->sysctl.ip_default_ttl);
  r.tos = tos;
  r.id = id;
  r.df = true;
  r.total_len = static_cast<uint16_t>(skb->len + sim::wire::kIpv4HeaderLen);
  uint8_t* h = skb->push(sim::wire::kIpv4HeaderLen);
  sim::wire::emit_ipv4(h, r);
  skb->network_header = static_cast<uint16_t>(h - skb->head());
  n->mib_inc(IPSTATS_MIB_OUTREQUESTS);
  if (rt.dev == static_cast<void*>(n)) {
    n->sim.schedule_now(loopback_xmit_done, n, reinterpret_cast<uintptr_t>(skb));
    return 0;
  }
  if (!n->link.xmit) {  // no link attached (or the host is being torn down)
    sim::kfree_skb(skb);
    return 0;
  }
  n->link.xmit(n->link.ctx, rt.dev, skb);
  return 0;
}

}  // namespace

// mirrors ip_build_and_send_pkt(): used for SYN-ACKs, RSTs and ACKs that
// belong to no full socket, so the ID is always 0 (DF set, no socket).
int ip_build_and_send_pkt(net* n, sim::SkBuff* skb, uint32_t saddr, uint32_t daddr, uint8_t protocol, uint8_t tos,
                          uint8_t ttl) {
  return ip_send(n, skb, saddr, daddr, protocol, tos, ttl, 0);
}

int ip_queue_xmit(sock* sk, sim::SkBuff* skb, uint32_t saddr, uint32_t daddr, uint8_t protocol, uint8_t tos,
                  uint8_t ttl) {
  net* n = sk->skc_net;
  inet_sock* inet = static_cast<inet_sock*>(sk);
  uint16_t id = 0;
  // ip_select_ident_segs(): a connected socket uses its own counter; TCP
  // sends the value and then advances it, other protocols advance first.
  if (sk->skc_daddr) id = sk->sk_protocol == IPPROTO_TCP ? inet->inet_id++ : ++inet->inet_id;
  if (!ttl) ttl = inet->uc_ttl;
  return ip_send(n, skb, saddr, daddr, protocol, tos, ttl, id);
}

}  // namespace stack

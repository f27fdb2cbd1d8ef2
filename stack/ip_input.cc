// mirrors net/ipv4/ip_input.c: ip_rcv() -> ip_rcv_core() -> ip_rcv_finish()
// -> ip_local_deliver() -> ip_local_deliver_finish().
//
// The header is parsed strictly, once (sim::wire::parse_ipv4 checks in
// ip_rcv_core()'s order); each bad packet is dropped and counted the way Linux
// counts it, so that nstat-style expectations hold.
// SIM: no fragment reassembly (fragments are dropped, counted as
// IpInDiscards), no forwarding (a packet for another address counts
// IpInAddrErrors, as with ip_forward off), no ICMP: ICMP is counted as
// delivered and dropped, and an unknown protocol is dropped without the
// "protocol unreachable" reply.
#include <netinet/in.h>

#include "sim/wire/bytes.h"
#include "sim/wire/ipv4.h"
#include "stack/net.h"
#include "stack/tcp.h"
#include "stack/udp.h"

namespace stack {

void ip_rcv(net* n, sim::SkBuff* skb) {
  n->mib_inc(IPSTATS_MIB_INRECEIVES);
  sim::wire::Ipv4Repr ip;
  switch (sim::wire::parse_ipv4(skb->data, skb->len, ip)) {
    case sim::wire::ParseResult::kOk:
      break;
    case sim::wire::ParseResult::kIpBadChecksum:
      n->mib_inc(IPSTATS_MIB_CSUMERRORS);
      n->mib_inc(IPSTATS_MIB_INHDRERRORS);
      sim::kfree_skb(skb);
      return;
    case sim::wire::ParseResult::kIpBadTotalLen:
      // A total length beyond the bytes we got is a truncated packet; one
      // shorter than the header is a header error.
      if (sim::wire::load_be16(skb->data + 2) > skb->len)
        n->mib_inc(IPSTATS_MIB_INTRUNCATEDPKTS);
      else
        n->mib_inc(IPSTATS_MIB_INHDRERRORS);
      sim::kfree_skb(skb);
      return;
    case sim::wire::ParseResult::kIpFragment:
      n->mib_inc(IPSTATS_MIB_INDISCARDS);
      sim::kfree_skb(skb);
      return;
    default:  // truncated header, bad version, bad ihl
      n->mib_inc(IPSTATS_MIB_INHDRERRORS);
      sim::kfree_skb(skb);
      return;
  }
  // ip_rcv_finish() -> ip_route_input_noref(): only our own addresses are
  // delivered; a host does not forward.
  if (!inet_addr_is_local(n, ip.daddr)) {
    n->mib_inc(IPSTATS_MIB_INADDRERRORS);
    sim::kfree_skb(skb);
    return;
  }
  // pskb_trim_rcsum() to the total length (link padding goes), then
  // ip_local_deliver_finish() pulls the header.
  skb->trim(ip.total_len);
  skb->network_header = static_cast<uint16_t>(skb->data - skb->head());
  skb->pull(ip.ihl_bytes);
  skb->transport_header = static_cast<uint16_t>(skb->data - skb->head());
  switch (ip.protocol) {
    case IPPROTO_TCP:
      n->mib_inc(IPSTATS_MIB_INDELIVERS);
      tcp_v4_rcv(n, skb);
      return;
    case IPPROTO_UDP:
      n->mib_inc(IPSTATS_MIB_INDELIVERS);
      udp_rcv(n, skb);
      return;
    case IPPROTO_ICMP:
      n->mib_inc(IPSTATS_MIB_INDELIVERS);
      sim::kfree_skb(skb);
      return;
    default:
      n->mib_inc(IPSTATS_MIB_INUNKNOWNPROTOS);
      sim::kfree_skb(skb);
      return;
  }
}

}  // namespace stack

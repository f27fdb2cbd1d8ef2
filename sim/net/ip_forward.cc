// IPv4 on routers: receive checks, route lookup, forwarding. The order of
// checks follows Linux (tag in docs/kernel-version.md): ip_rcv_core() validates
// the header, ip_route_input_noref() picks local delivery or forwarding, and
// ip_forward() checks TTL and MTU before ip_decrease_ttl().
//
// SIM: no ICMP. Linux answers a TTL expiry with ICMP time exceeded, a missing
// route with ICMP unreachable and an oversize DF packet with "fragmentation
// needed"; here each is only counted and dropped. No IP options processing,
// no fragmentation, no redirects, no rp_filter.
#include <cstring>

#include "sim/log.h"
#include "sim/net/node.h"
#include "sim/wire/ipv4_addr.h"
#include "sim/wire/bytes.h"
#include "sim/wire/checksum.h"
#include "sim/wire/ipv4.h"

namespace sim::net {

using sim::wire::ParseResult;

NetDevice* Node::find_dev(std::string_view dev_name) const {
  for (const auto& d : devs) {
    if (d->name == dev_name) return d.get();
  }
  return nullptr;
}

namespace {

void deliver_local(Node& node, NetDevice& dev, SkBuff* skb, uint64_t& unclaimed) {
  if (node.local_rx) {
    node.local_rx(node.local_ctx, dev, skb);
    return;
  }
  ++unclaimed;
  kfree_skb(skb);
}

// mirrors ip_decrease_ttl() (include/net/ip.h): the TTL shares a 16-bit word
// with the protocol, so the checksum is patched incrementally (RFC 1624)
// rather than recomputed.
void ip_decrease_ttl(uint8_t* iph) {
  const uint8_t ttl = iph[sim::wire::kIpv4TtlOffset];
  const uint8_t proto = iph[sim::wire::kIpv4TtlOffset + 1];
  const auto old_word = static_cast<uint16_t>((ttl << 8) | proto);
  const auto new_word = static_cast<uint16_t>(((ttl - 1) << 8) | proto);
  const uint16_t check = sim::wire::load_be16(iph + sim::wire::kIpv4ChecksumOffset);
  sim::wire::store_be16(iph + sim::wire::kIpv4ChecksumOffset, sim::wire::csum_replace16(check, old_word, new_word));
  iph[sim::wire::kIpv4TtlOffset] = static_cast<uint8_t>(ttl - 1);
}

// mirrors ip_forward() (net/ipv4/ip_forward.c)
void ip_forward(Node& node, const Route& rt, const sim::wire::Ipv4Repr& iph, SkBuff* skb) {
  IpStats& st = node.ip;
  if (iph.ttl <= 1) {
    SPDLOG_LOGGER_DEBUG(sim::logs().net, "{} ip_forward: TTL expired, {} -> {}", node.name,
                        sim::wire::ipv4_addr_str(iph.saddr), sim::wire::ipv4_addr_str(iph.daddr));
    ++st.InHdrErrors;
    ++st.ttl_expired;
    kfree_skb(skb);
    return;
  }
  NetDevice& out = *rt.dev;
  if (iph.total_len > out.mtu) {
    SPDLOG_LOGGER_DEBUG(sim::logs().net, "{} ip_forward: {} bytes exceed the MTU {} of {}", node.name, iph.total_len,
                        out.mtu, out.name);
    ++st.FragFails;
    kfree_skb(skb);
    return;
  }
  ip_decrease_ttl(skb->data);
  ++st.ForwDatagrams;
  dev_queue_xmit(out, skb);
}

// mirrors ip_rcv_core() then ip_route_input_noref() (net/ipv4/ip_input.c, route.c)
void ip_router_input(Node& node, NetDevice& dev, SkBuff* skb) {
  IpStats& st = node.ip;
  ++st.InReceives;
  sim::wire::Ipv4Repr iph;
  const ParseResult r = sim::wire::parse_ipv4(skb->data, skb->len, iph);
  if (r != ParseResult::kOk) {
    SPDLOG_LOGGER_DEBUG(sim::logs().net, "{} ip_rcv: bad header ({}) on {}", node.name,
                        sim::wire::parse_result_name(r), dev.name);
    switch (r) {
      case ParseResult::kIpBadChecksum:
        ++st.InCsumErrors;
        ++st.InHdrErrors;
        break;
      case ParseResult::kTruncated:
      case ParseResult::kIpBadTotalLen:
        ++st.InTruncatedPkts;
        break;
      default:
        ++st.InHdrErrors;
        break;
    }
    kfree_skb(skb);
    return;
  }
  skb->trim(iph.total_len);  // bytes past total_len are not the packet's

  const Route* rt = node.fib.lookup(iph.daddr);
  if (!rt) {
    SPDLOG_LOGGER_DEBUG(sim::logs().net, "{} ip_route_input: no route to {}", node.name,
                        sim::wire::ipv4_addr_str(iph.daddr));
    ++st.InNoRoutes;
    kfree_skb(skb);
    return;
  }
  if (rt->type == RouteType::kLocal) {
    if (node.local_rx) ++st.InDelivers;
    deliver_local(node, dev, skb, st.local_unclaimed);
    return;
  }
  ip_forward(node, *rt, iph, skb);
}

}  // namespace

void ip_input(Node& node, NetDevice& dev, SkBuff* skb) {
  if (node.kind == NodeKind::kRouter) {
    ip_router_input(node, dev, skb);
    return;
  }
  deliver_local(node, dev, skb, node.rx_unclaimed);
}

}  // namespace sim::net

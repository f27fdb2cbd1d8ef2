#include "sim/net/link.h"

#include "sim/net/node.h"

namespace sim::net {

namespace {

void link_arrive(void* ctx, uint64_t) {
  auto& d = *static_cast<LinkDir*>(ctx);
  SkBuff* skb = d.in_flight.pop_front();
  ++d.delivered;
  netif_receive_skb(*d.to, skb);
}

// The device's transmit hook: the start of one packet's transmission.
sim::Time link_xmit(void* ctx, NetDevice&, SkBuff* skb) {
  auto& d = *static_cast<LinkDir*>(ctx);
  const Link& l = *d.link;
  const sim::Time tx = serialization_time(skb->len, l.bandwidth_bps);
  ++d.sent;
  // The draw happens only on lossy links, so adding loss to one link leaves
  // every other stream as it was.
  if (!l.loss.never() && d.rng.next_u32() < l.loss.scaled) {
    ++d.lost;
    kfree_skb(skb);
    return tx;
  }
  d.in_flight.push_back(skb);
  l.sim->schedule_in(tx + l.delay, &link_arrive, &d);
  return tx;
}

}  // namespace

Link::~Link() {
  for (LinkDir& d : dir) d.in_flight.purge();
}

void link_attach(Link& link, sim::Simulator& sim, NetDevice& a, NetDevice& b, uint64_t seed) {
  link.sim = &sim;
  NetDevice* ends[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    LinkDir& d = link.dir[i];
    d.link = &link;
    d.from = ends[i];
    d.to = ends[1 - i];
    d.rng = sim::Rng::derive(seed, "link:" + link.name + ":" + d.from->node->name + ">" + d.to->node->name);
    dev_set_tx(*d.from, &link_xmit, &d);
  }
}

}  // namespace sim::net

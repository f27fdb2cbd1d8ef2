#include "sim/net/link.h"

#include "sim/net/node.h"

namespace sim::net {

namespace {

// How many arrivals ahead to start pulling buffers into the cache.
constexpr size_t kPrefetchAhead = 4;

// One arrival event per direction is pending at a time, for the packet at
// the head of the in-flight FIFO; each arrival schedules the next. With
// thousands of packets in flight (a long fat link) the simulator's queue then
// holds one entry per link instead of one per packet, and stays in cache.
void link_arrive(void* ctx, uint64_t) {
  auto& d = *static_cast<LinkDir*>(ctx);
  SkBuff* skb = d.in_flight.pop();
  if (!d.in_flight.empty()) {
    // Buffers in flight were last touched a propagation delay ago (in
    // simulated time): fetch the ones about to arrive before they are needed.
    if (d.in_flight.size() > kPrefetchAhead) {
      const InFlight::Entry& e = d.in_flight.at(kPrefetchAhead);
      __builtin_prefetch(e.skb);
      __builtin_prefetch(e.data);
    }
    d.link->sim->schedule_at(d.in_flight.front().arrive, &link_arrive, &d);
  }
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
  const sim::Time arrive = l.sim->now() + tx + l.delay;
  const bool idle = d.in_flight.empty();
  d.in_flight.push(skb, arrive);
  if (idle) l.sim->schedule_at(arrive, &link_arrive, &d);
  return tx;
}

}  // namespace

void InFlight::grow() {
  std::vector<Entry> bigger(ring_.empty() ? 16 : ring_.size() * 2);
  for (size_t i = 0; i < count_; ++i) bigger[i] = at(i);
  ring_ = std::move(bigger);
  head_ = 0;
}

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

#include "stack/host/attach.h"

#include "sim/net/net_device.h"

namespace stack {

namespace {

bool node_route(void* ctx, uint32_t daddr, rtable* rt) {
  const auto* node = static_cast<const sim::net::Node*>(ctx);
  const sim::net::Route* r = node->fib.lookup(daddr);
  if (!r || !r->dev) return false;
  rt->rt_src = r->prefsrc ? r->prefsrc : r->dev->addr;
  rt->rt_gateway = r->gateway;
  rt->rt_mtu = r->dev->mtu;
  rt->dev = r->dev;
  return true;
}

bool node_is_local(void* ctx, uint32_t addr) {
  const auto* node = static_cast<const sim::net::Node*>(ctx);
  for (const auto& d : node->devs)
    if (d->addr == addr) return true;
  return false;
}

void node_xmit(void* ctx, void* dev, sim::SkBuff* skb) {
  (void)ctx;
  sim::net::dev_queue_xmit(*static_cast<sim::net::NetDevice*>(dev), skb);
}

void node_local_rx(void* ctx, sim::net::NetDevice& dev, sim::SkBuff* skb) {
  skb->ifindex = dev.ifindex;
  ip_rcv(static_cast<net*>(ctx), skb);
}

}  // namespace

void attach_to_node(net& k, sim::net::Node& node) {
  k.link.ctx = &node;
  k.link.route = node_route;
  k.link.is_local = node_is_local;
  k.link.xmit = node_xmit;
  node.local_rx = node_local_rx;
  node.local_ctx = &k;
}

}  // namespace stack

#include "sim/net/net_device.h"

#include "sim/log.h"
#include "sim/net/node.h"

namespace sim::net {

namespace {

void dev_tx_done(void* ctx, uint64_t);

// Hands one packet to the far end and keeps the transmitter busy for as long
// as it says. Packets that find the transmitter free never touch the queue.
void dev_start_xmit(NetDevice& dev, SkBuff* skb) {
  for (;;) {
    ++dev.stats.tx_packets;
    dev.stats.tx_bytes += skb->len;
    if (dev.capture) dev.capture(dev.capture_ctx, dev, *skb, CaptureDir::kTx, dev.sim->now());
    const sim::Time busy = dev.tx_fn(dev.tx_ctx, dev, skb);
    if (busy > sim::Time()) {
      dev.tx_busy = true;
      dev.sim->schedule_in(busy, &dev_tx_done, &dev);
      return;
    }
    // An infinitely fast peer: drain without scheduling.
    skb = dev.txq.q.pop_front();
    if (!skb) {
      dev.tx_busy = false;
      return;
    }
  }
}

void dev_tx_done(void* ctx, uint64_t) {
  auto& dev = *static_cast<NetDevice*>(ctx);
  dev.tx_busy = false;
  if (SkBuff* next = dev.txq.q.pop_front()) dev_start_xmit(dev, next);
}

}  // namespace

int dev_queue_xmit(NetDevice& dev, SkBuff* skb) {
  if (!dev.tx_fn) {
    // SIM: Linux would not have routed to a device without carrier; we count and drop.
    ++dev.stats.tx_dropped;
    ++dev.stats.tx_carrier_errors;
    kfree_skb(skb);
    return NET_XMIT_DROP;
  }
  if (!dev.tx_busy) {
    dev_start_xmit(dev, skb);
    return NET_XMIT_SUCCESS;
  }
  TxQueue& q = dev.txq;
  if (q.q.qlen >= q.limit.packets || skb->len > q.limit.bytes - q.q.bytes) {
    // Drop-tail: the arriving packet is the one lost.
    SPDLOG_LOGGER_DEBUG(sim::logs().net, "{}:{} txq full ({} packets, {} bytes): drop {} bytes", dev.node->name,
                        dev.name, q.q.qlen, q.q.bytes, skb->len);
    ++q.drops;
    ++dev.stats.tx_dropped;
    kfree_skb(skb);
    return NET_XMIT_DROP;
  }
  skb->tstamp = dev.sim->now();
  q.q.push_back(skb);
  if (q.q.qlen > q.max_qlen) q.max_qlen = q.q.qlen;
  if (q.q.bytes > q.max_backlog) q.max_backlog = q.q.bytes;
  return NET_XMIT_SUCCESS;
}

void netif_receive_skb(NetDevice& dev, SkBuff* skb) {
  ++dev.stats.rx_packets;
  dev.stats.rx_bytes += skb->len;
  if (dev.capture) dev.capture(dev.capture_ctx, dev, *skb, CaptureDir::kRx, dev.sim->now());
  skb->ifindex = dev.ifindex;
  skb->network_header = static_cast<uint16_t>(skb->headroom());
  ip_input(*dev.node, dev, skb);
}

}  // namespace sim::net

// A network interface: name, ifindex, IPv4 address, MTU, a drop-tail
// transmit queue and Linux's per-interface counters. What sits at the far end
// is a transmit hook: a Link sets it when it attaches (link.h), the
// packetdrill runner sets its scripted peer instead.
//
// Frames carry IPv4 packets with no link-layer header: skb->data points at the
// IPv4 header on both paths (our links are point-to-point).
//
// Transmit path, mirroring dev_queue_xmit() -> qdisc -> ndo_start_xmit():
//   dev_queue_xmit(dev, skb)
//     transmitter idle  -> start: count tx, capture, tx_fn(); the hook says how
//                          long the transmitter stays busy (serialization)
//     transmitter busy  -> queue, or drop if the queue is at its limit
//   when busy ends (an event) -> start the next queued packet.
// Receive path: the link's arrival event calls netif_receive_skb(dev, skb):
//   count rx, capture, hand to the node (ip_input in node.h).
//
// SIM: no qdisc layer, no NAPI, no GSO; the queue is a pfifo with both a
// packet and a byte limit, and the packet being serialized is not in it.
#pragma once

#include <cstdint>
#include <string>

#include "sim/net/topology.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/time.h"

namespace sim::net {

struct Node;
struct NetDevice;

// mirrors NET_XMIT_SUCCESS / NET_XMIT_DROP (include/linux/netdevice.h)
inline constexpr int NET_XMIT_SUCCESS = 0;
inline constexpr int NET_XMIT_DROP = 1;

// The far end takes the packet (ownership included) at the start of its
// transmission and returns how long the transmitter stays busy with it
// (0: ready for the next packet at once). Called from inside the sender's
// call stack: it must not deliver to the receiver directly, only schedule.
using TxFn = sim::Time (*)(void* ctx, NetDevice& dev, SkBuff* skb);

enum class CaptureDir : uint8_t { kTx, kRx };
// Sees every packet the device puts on the wire (when transmission starts,
// after queueing, like tcpdump on Linux) and every packet it receives; it
// must not keep or change the buffer. A null hook costs one branch.
using CaptureFn = void (*)(void* ctx, const NetDevice& dev, const SkBuff& skb, CaptureDir dir, sim::Time now);

// mirrors struct rtnl_link_stats64 (include/uapi/linux/if_link.h), the
// counters `ip -s link` shows.
struct DevStats {
  uint64_t rx_packets = 0;
  uint64_t tx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
  uint64_t rx_dropped = 0;
  uint64_t tx_dropped = 0;  // queue overflow, or no carrier (nothing attached)
  uint64_t tx_carrier_errors = 0;
};

// A pfifo transmit queue with its qdisc statistics (`tc -s qdisc` names).
struct TxQueue {
  SkbQueue q;              // q.qlen packets, q.bytes bytes ("backlog")
  QueueLimit limit;
  uint64_t drops = 0;
  uint32_t max_qlen = 0;   // high-water marks, for "queue maxima" in results
  uint64_t max_backlog = 0;
};

struct NetDevice {
  std::string name;        // "eth0"
  int ifindex = 0;         // 2, 3, ... in the node's device order (1 is left for a loopback)
  Node* node = nullptr;
  sim::Simulator* sim = nullptr;
  uint32_t addr = 0;       // 0: unnumbered
  uint8_t prefix_len = 0;
  uint32_t mtu = kDefaultMtu;

  TxQueue txq;
  bool tx_busy = false;    // a packet is being serialized
  DevStats stats;

  TxFn tx_fn = nullptr;    // nothing attached: packets are dropped (no carrier)
  void* tx_ctx = nullptr;
  CaptureFn capture = nullptr;
  void* capture_ctx = nullptr;

  NetDevice() = default;
  NetDevice(const NetDevice&) = delete;
  NetDevice& operator=(const NetDevice&) = delete;
  // Returns queued buffers to their pool.
  ~NetDevice() { txq.q.purge(); }
};

// mirrors dev_queue_xmit() (net/core/dev.c): takes ownership of skb (data at
// the IPv4 header); returns NET_XMIT_SUCCESS or NET_XMIT_DROP.
int dev_queue_xmit(NetDevice& dev, SkBuff* skb);

// mirrors netif_receive_skb() (net/core/dev.c): a frame arrived on dev.
// Called from a simulator event (a link's arrival, a scripted peer's
// injection), never from inside another node's transmit path.
void netif_receive_skb(NetDevice& dev, SkBuff* skb);

// Sets what is at the other end; replaces any previous hook.
inline void dev_set_tx(NetDevice& dev, TxFn fn, void* ctx) {
  dev.tx_fn = fn;
  dev.tx_ctx = ctx;
}
inline void dev_set_capture(NetDevice& dev, CaptureFn fn, void* ctx) {
  dev.capture = fn;
  dev.capture_ctx = ctx;
}

}  // namespace sim::net

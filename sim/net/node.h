// A node of the network: a host or a router, its devices and its FIB.
//
// Receive (ip_input, called by netif_receive_skb):
// - on a host, the packet goes straight to the stack through local_rx (the
//   stack's ip_rcv validates it); with no stack attached it is counted in
//   rx_unclaimed and freed, which is all a counting receiver needs;
// - on a router, the forwarding path below validates the header, looks up the
//   FIB and either forwards (TTL decremented, checksum patched) or, for the
//   router's own addresses, hands the packet to local_rx like a host.
//
// Transmit: whoever builds a packet (the stack, a scripted peer) looks up the
// route with node.fib.lookup(daddr) and calls dev_queue_xmit(*route->dev, skb).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/net/fib.h"
#include "sim/net/net_device.h"
#include "sim/net/topology.h"
#include "sim/skbuff.h"

namespace sim::net {

// skb->data at the IPv4 header; the callee owns the skb after the call.
using RxFn = void (*)(void* ctx, NetDevice& dev, SkBuff* skb);

// The forwarding path's counters, under Linux's names (the Ip: and IpExt:
// lines of /proc/net/snmp and /proc/net/netstat).
struct IpStats {
  uint64_t InReceives = 0;
  uint64_t InHdrErrors = 0;      // bad header, and TTL expiry (as in Linux's ip_forward)
  uint64_t InCsumErrors = 0;
  uint64_t InTruncatedPkts = 0;
  uint64_t InNoRoutes = 0;
  uint64_t ForwDatagrams = 0;    // IPSTATS_MIB_OUTFORWDATAGRAMS
  uint64_t FragFails = 0;        // too big for the outgoing MTU (SIM: we never fragment)
  uint64_t InDelivers = 0;       // handed to local_rx
  // SIM: not separate counters in Linux.
  uint64_t ttl_expired = 0;      // the part of InHdrErrors due to TTL <= 1
  uint64_t local_unclaimed = 0;  // for the router itself, but no stack attached
};

struct Node {
  std::string name;
  uint32_t id = 0;  // index in the topology
  NodeKind kind = NodeKind::kHost;
  std::vector<std::unique_ptr<NetDevice>> devs;  // devs[i]->ifindex == i + 2
  Fib fib;

  RxFn local_rx = nullptr;  // set by the stack
  void* local_ctx = nullptr;

  IpStats ip;                 // routers' forwarding path
  uint64_t rx_unclaimed = 0;  // hosts: packets that arrived with no stack attached

  NetDevice* find_dev(std::string_view dev_name) const;
  NetDevice* dev_by_ifindex(int ifindex) const {
    const int i = ifindex - 2;
    return i >= 0 && i < static_cast<int>(devs.size()) ? devs[static_cast<size_t>(i)].get() : nullptr;
  }
};

// Called by netif_receive_skb() for every arriving frame.
void ip_input(Node& node, NetDevice& dev, SkBuff* skb);

}  // namespace sim::net

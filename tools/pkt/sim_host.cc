#include "tools/pkt/sim_host.h"

#include <cstring>

#include "sim/wire/ipv4_addr.h"
#include "stack/host/attach.h"

namespace pkt {

namespace {

// The far end of tun0: keep a copy of the packet and free it. The peer is
// infinitely fast (busy time 0), like a tun device that is always read.
sim::Time capture_outbound(void* ctx, sim::net::NetDevice& dev, sim::SkBuff* skb) {
  auto* host = static_cast<SimHost*>(ctx);
  host->sent.push_back(SentPacket{dev.sim->now(), std::vector<uint8_t>(skb->data, skb->data + skb->len)});
  sim::kfree_skb(skb);
  return sim::Time();
}

void deliver_inbound(void* ctx, uint64_t arg) {
  auto* host = static_cast<SimHost*>(ctx);
  sim::net::netif_receive_skb(*host->tun, reinterpret_cast<sim::SkBuff*>(arg));
}

}  // namespace

SimHost::SimHost(const HostSetup& setup) {
  node.name = "host";
  node.kind = sim::net::NodeKind::kHost;
  auto dev = std::make_unique<sim::net::NetDevice>();
  dev->name = "tun0";
  dev->ifindex = 2;
  dev->node = &node;
  dev->sim = &sim;
  dev->addr = setup.local_ip;
  uint8_t prefix = 0;
  while (prefix < 32 && (setup.netmask & (0x80000000u >> prefix))) ++prefix;
  dev->prefix_len = prefix;
  dev->mtu = setup.mtu;
  tun = dev.get();
  node.devs.push_back(std::move(dev));

  // What `ip addr add local/prefix dev tun0` and `ip route add default via
  // gateway` would install: the local address, the on-link prefix, and the
  // default route through the gateway.
  using sim::net::Route;
  using sim::net::RouteType;
  node.fib.insert(sim::wire::Ipv4Prefix{setup.local_ip, 32}, Route{tun, 0, setup.local_ip, RouteType::kLocal});
  node.fib.insert(sim::wire::Ipv4Prefix{setup.local_ip & setup.netmask, prefix},
                  Route{tun, 0, setup.local_ip, RouteType::kUnicast});
  node.fib.insert(sim::wire::Ipv4Prefix{0, 0}, Route{tun, setup.gateway_ip, setup.local_ip, RouteType::kUnicast});

  kernel = std::make_unique<stack::net>(sim, pool, "host", setup.seed);
  stack::attach_to_node(*kernel, node);
  sim::net::dev_set_tx(*tun, &capture_outbound, this);
  tasks = std::make_unique<sim::TaskGroup>(sim);
  sim.run_until(kBootUptime);
  epoch = sim.now();
}

SimHost::~SimHost() {
  tasks.reset();
  kernel.reset();
}

bool SimHost::inject_at(sim::Time at, const std::vector<uint8_t>& ip_packet, std::string* error) {
  if (ip_packet.size() > sim::kSkbDataMax) {
    *error = "inbound packet of " + std::to_string(ip_packet.size()) + " bytes does not fit a simulated frame (" +
             std::to_string(sim::kSkbDataMax) + " bytes at most)";
    return false;
  }
  sim::SkBuff* skb = pool.alloc();
  std::memcpy(skb->put(static_cast<uint32_t>(ip_packet.size())), ip_packet.data(), ip_packet.size());
  sim.schedule_at(at, &deliver_inbound, this, reinterpret_cast<uint64_t>(skb));
  return true;
}

}  // namespace pkt

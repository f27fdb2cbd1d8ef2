// The host a script runs against: one simulated Linux kernel (stack::net) on
// a one-device node, the way packetdrill runs against a kernel with a tun
// device. Its device "tun0" has local_ip (prefix from netmask_ip) and MTU
// --mtu; the FIB has the on-link prefix and a default route via gateway_ip,
// so the remote peer (192.0.2.1 by default) is reached through the gateway,
// as in packetdrill. The device's transmit hook is the scripted peer's ear:
// every packet the kernel sends is copied here with its simulated send time
// and freed. Inbound packets are delivered with netif_receive_skb() from
// simulator events of their own, never from inside the kernel's call stack.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sim/net/net_device.h"
#include "sim/net/node.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/task.h"
#include "stack/net.h"

namespace pkt {

// How long the host has been up when a script starts (script time 0). A
// real host under packetdrill has been up for a while; the kernel, like
// Linux, uses a timestamp of 0 as "not set" in places (retrans_stamp), so a
// script must not start at the instant of boot. Ten minutes also puts script
// time 0 at the start of a SYN-cookie minute.
inline constexpr sim::Time kBootUptime = sim::seconds(600);

struct HostSetup {
  uint32_t local_ip = 0;   // host order
  uint32_t netmask = 0xffff0000u;
  uint32_t gateway_ip = 0;
  uint32_t mtu = 1500;
  uint64_t seed = 1;       // the kernel's random streams (ISNs, secrets)
};

// A packet the host put on the wire.
struct SentPacket {
  sim::Time at;
  std::vector<uint8_t> bytes;  // from the IPv4 header
};

class SimHost {
 public:
  explicit SimHost(const HostSetup& setup);
  ~SimHost();
  SimHost(const SimHost&) = delete;
  SimHost& operator=(const SimHost&) = delete;

  // Declaration order is destruction order in reverse: the tasks (which may
  // hold kernel files) go before the kernel, the kernel before the device
  // and the pool its buffers return to, and everything before the simulator
  // whose timers they cancel.
  sim::Simulator sim;
  sim::SkbPool pool;
  sim::net::Node node;
  sim::net::NetDevice* tun = nullptr;
  std::unique_ptr<stack::net> kernel;
  std::unique_ptr<sim::TaskGroup> tasks;

  // Simulated time of script time 0 (kBootUptime after boot).
  sim::Time epoch;

  // Packets sent and not yet taken by the runner, oldest first.
  std::deque<SentPacket> sent;

  // Schedules delivery of an IPv4 packet to tun0 at `at` (>= now). Returns
  // false, with *error, if it does not fit a simulated frame.
  bool inject_at(sim::Time at, const std::vector<uint8_t>& ip_packet, std::string* error);
};

}  // namespace pkt

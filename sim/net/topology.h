// A network described in a topology file (topologies/README.md documents the
// format): nodes, point-to-point links with their parameters, interface
// addresses and static routes. This is the typed, validated form: compact
// forms (groups, shapes) are already expanded, every name resolved to an
// index, every unit converted to an integer. Nothing here needs a Simulator,
// so `netsim check` validates a file by loading it and throwing the result away.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/json_reader.h"
#include "sim/config/units.h"
#include "sim/time.h"
#include "sim/wire/ipv4_addr.h"

namespace sim::net {

enum class NodeKind : uint8_t { kHost, kRouter };

// Limits of a device's transmit queue. The packet on the wire is not in the
// queue; a packet that would exceed either limit is dropped (drop-tail).
struct QueueLimit {
  static constexpr uint32_t kNoPacketLimit = UINT32_MAX;
  static constexpr uint64_t kNoByteLimit = UINT64_MAX;
  uint32_t packets = 1000;  // Linux's default txqueuelen
  uint64_t bytes = kNoByteLimit;
};

inline constexpr uint32_t kDefaultMtu = 1500;
inline constexpr uint32_t kMinMtu = 68;  // RFC 791: every host must accept 68-byte datagrams

struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::kHost;
  // Aggregates routed toward this node (a rack's block, a group's pool): other
  // nodes get one route per aggregate instead of one per host behind it.
  std::vector<sim::wire::Ipv4Prefix> announce;
  std::string pointer;  // where it was declared, for later error messages
};

// One end of a link: a device on a node.
struct EndpointSpec {
  uint32_t node = 0;      // index into TopologySpec::nodes
  std::string dev;        // "eth0"; assigned by the loader when the file leaves it out
  bool numbered = false;  // false: the device has no address (unnumbered point-to-point)
  sim::wire::Ipv4Prefix addr;  // the interface address and its on-link prefix length
  uint32_t mtu = kDefaultMtu;
  QueueLimit queue;       // this end's transmit queue (the direction leaving this end)
  std::string pointer;       // the endpoint in the file (or the group/shape that generated it)
  std::string dev_pointer;   // its "dev" key, when given
  std::string addr_pointer;  // its "addr" key (or the generating group/shape)
};

struct LinkSpec {
  std::string name;
  EndpointSpec end[2];
  uint64_t bandwidth_bps = 0;
  sim::Time delay;
  sim::config::Probability loss;
  std::string pointer;
  std::string name_pointer;  // its "name" key, or the link itself when the name is implied
};

struct StaticRouteSpec {
  uint32_t node = 0;
  sim::wire::Ipv4Prefix prefix;  // a network (host bits zero)
  uint32_t dev = 0;              // index into TopologySpec::node_devs[node]
  uint32_t gateway = 0;          // 0: on-link
  std::string pointer;
};

// A device of a node, as (link index, end 0/1).
struct DevRef {
  uint32_t link = 0;
  uint8_t end = 0;
  friend bool operator==(const DevRef&, const DevRef&) = default;
};

struct TopologySpec {
  std::string file;
  std::string description;
  std::vector<NodeSpec> nodes;     // ids are indices; file order (explicit, then shapes, then groups)
  std::vector<LinkSpec> links;     // explicit links, then shape links, then group links
  std::vector<StaticRouteSpec> routes;
  // Derived: each node's devices in ifindex order (the order links name them).
  std::vector<std::vector<DevRef>> node_devs;
  std::map<std::string, uint32_t, std::less<>> node_index;
  std::map<std::string, uint32_t, std::less<>> link_index;

  const EndpointSpec& endpoint(DevRef d) const { return links[d.link].end[d.end]; }
  const EndpointSpec& peer(DevRef d) const { return links[d.link].end[1 - d.end]; }
  // -1 when absent.
  int64_t find_node(std::string_view name) const;
  int64_t find_link(std::string_view name) const;
  // Index of the node's device named `dev` in node_devs[node], or -1.
  int64_t find_dev(uint32_t node, std::string_view dev) const;
};

// Loads, expands and validates a topology file. Throws sim::config::ConfigError
// (file, JSON pointer, what was expected) on any mistake.
TopologySpec load_topology(const std::string& path);
// The same for a document already parsed (a scenario may embed a topology):
// `top` is the topology object, wherever it sits in its document.
TopologySpec parse_topology(const sim::config::JsonValue& top);
// Validation only, for `netsim check`: load_topology() without keeping the result.
void check_topology(const std::string& path);

}  // namespace sim::net

// Routing tables computed from a topology: what each node's FIB holds, still
// in terms of the TopologySpec (device indices, not objects), so it needs no
// Simulator and can be inspected by `netsim check` and by tests.
//
// How routes are computed (compute_routes):
// - Every numbered device gives its node a local route (its address /32) and a
//   connected route (its prefix, on-link).
// - A node with a single device gets a default route through it (the gateway is
//   the peer's address when the peer is numbered). It needs nothing else, and
//   skipping the shortest-path search keeps 100k-host stars cheap.
// - A node with several devices runs Boost's dijkstra_shortest_paths from
//   itself. Weight = (propagation delay, hop count) compared lexicographically,
//   so delay decides and hop count breaks ties; remaining ties go to the path
//   found first, which follows file order (deterministic). Hosts never forward:
//   paths may leave a host only at the source.
// - For every prefix configured on other nodes' devices it installs a route
//   toward the nearest owner; if the owners of one prefix (the two ends of a
//   link) are reached through different first hops, it installs a /32 per
//   owner instead, so that no packet is sent toward the wrong end.
// - Static routes from the file replace a computed route with the same prefix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/net/topology.h"
#include "sim/wire/ipv4_addr.h"

namespace sim::net {

// mirrors RTN_UNICAST / RTN_LOCAL (include/uapi/linux/rtnetlink.h)
enum class RouteType : uint8_t { kUnicast, kLocal };

// Where a route came from; for listings and tests only.
enum class RouteOrigin : uint8_t { kLocal, kConnected, kComputed, kDefault, kStatic };

struct RouteEntry {
  sim::wire::Ipv4Prefix prefix;  // network form (host bits zero)
  uint32_t dev = 0;              // index into TopologySpec::node_devs[node]
  uint32_t gateway = 0;          // 0: on-link (the peer of a point-to-point device)
  uint32_t prefsrc = 0;          // source address for locally generated packets
  RouteType type = RouteType::kUnicast;
  RouteOrigin origin = RouteOrigin::kComputed;
};

// Per node, entries sorted by prefix length (longest first), then address.
using RouteTables = std::vector<std::vector<RouteEntry>>;

RouteTables compute_routes(const TopologySpec& spec);

// The longest-prefix match in one node's table (a linear scan: for tools and
// tests; the per-packet path uses Fib). nullptr if nothing matches.
const RouteEntry* route_lookup(const std::vector<RouteEntry>& table, uint32_t daddr);

// Follows the tables hop by hop the way packets would be forwarded, without
// simulating: the answer to "can `from` reach `daddr`, and through which nodes?"
struct RouteTrace {
  std::vector<uint32_t> nodes;  // visited, starting with `from`
  bool delivered = false;       // the last node owns daddr
  std::string why;              // when not delivered: "no route at r1", "host h2 does not forward", ...
};
RouteTrace trace_route(const TopologySpec& spec, const RouteTables& tables, uint32_t from, uint32_t daddr);

// `ip route`-like text of one node's table, one route per line.
std::string format_routes(const TopologySpec& spec, const RouteTables& tables, uint32_t node);

}  // namespace sim::net

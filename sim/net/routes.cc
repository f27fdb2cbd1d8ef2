#include "sim/net/routes.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/filtered_graph.hpp>

namespace sim::net {

using sim::wire::Ipv4Prefix;
using sim::wire::ipv4_mask;

namespace {

// Path cost: delay first, hop count to break ties.
struct Dist {
  int64_t delay_ns = 0;
  uint32_t hops = 0;
};
constexpr Dist kInfinity{std::numeric_limits<int64_t>::max(), std::numeric_limits<uint32_t>::max()};

struct DistLess {
  bool operator()(const Dist& a, const Dist& b) const {
    return a.delay_ns != b.delay_ns ? a.delay_ns < b.delay_ns : a.hops < b.hops;
  }
};
struct DistPlus {
  Dist operator()(const Dist& a, const Dist& b) const {
    if (a.delay_ns == kInfinity.delay_ns || b.delay_ns == kInfinity.delay_ns) return kInfinity;
    return Dist{a.delay_ns + b.delay_ns, a.hops + b.hops};
  }
};

struct EdgeProp {
  Dist weight;
  uint32_t dev = 0;  // index of the device at the edge's source node
};

// Directed: each link gives one edge per direction, added in device order so
// that the search (and its tie-breaking) follows the file.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, EdgeProp>;
using Edge = boost::graph_traits<Graph>::edge_descriptor;

// Hosts do not forward: an edge may leave a host only if the host is the source.
struct ForwardingEdges {
  const Graph* g = nullptr;
  const std::vector<char>* forwards = nullptr;
  uint32_t src = 0;
  bool operator()(const Edge& e) const {
    const auto s = static_cast<uint32_t>(boost::source(e, *g));
    return s == src || (*forwards)[s];
  }
};

Ipv4Prefix network_of(Ipv4Prefix p) { return Ipv4Prefix{p.addr & ipv4_mask(p.len), p.len}; }

bool entry_order(const RouteEntry& a, const RouteEntry& b) {
  if (a.prefix.len != b.prefix.len) return a.prefix.len > b.prefix.len;
  return a.prefix.addr < b.prefix.addr;
}

class RouteBuilder {
 public:
  explicit RouteBuilder(const TopologySpec& spec) : spec_(spec), g_(spec.nodes.size()) {
    forwards_.resize(spec.nodes.size());
    for (uint32_t n = 0; n < spec.nodes.size(); ++n) {
      forwards_[n] = spec.nodes[n].kind == NodeKind::kRouter;
      const auto& devs = spec.node_devs[n];
      for (uint32_t i = 0; i < devs.size(); ++i) {
        const LinkSpec& l = spec.links[devs[i].link];
        boost::add_edge(n, spec.peer(devs[i]).node, EdgeProp{Dist{l.delay.ns(), 1}, i}, g_);
      }
      // Primary address: the first numbered device's, as Linux's source
      // selection falls back to the primary address of the node.
      uint32_t primary = 0;
      for (const DevRef& d : devs) {
        if (spec.endpoint(d).numbered) {
          primary = spec.endpoint(d).addr.addr;
          break;
        }
      }
      primary_.push_back(primary);
    }
    for (uint32_t li = 0; li < spec.links.size(); ++li) {
      for (uint8_t e = 0; e < 2; ++e) {
        const EndpointSpec& ep = spec.links[li].end[e];
        if (!ep.numbered) continue;
        owners_[key(network_of(ep.addr))].push_back(DevRef{li, e});
      }
    }
  }

  RouteTables build() {
    RouteTables tables(spec_.nodes.size());
    for (uint32_t n = 0; n < spec_.nodes.size(); ++n) {
      std::vector<RouteEntry>& t = tables[n];
      add_own(n, t);
      const auto& devs = spec_.node_devs[n];
      if (devs.size() == 1) {
        t.push_back(unicast(n, Ipv4Prefix{0, 0}, 0, RouteOrigin::kDefault));
      } else if (devs.size() > 1) {
        add_shortest_paths(n, t);
      }
      remove_redundant(t);
      for (const StaticRouteSpec& r : spec_.routes) {
        if (r.node != n) continue;
        std::erase_if(t, [&](const RouteEntry& e) { return e.prefix == r.prefix && e.type == RouteType::kUnicast; });
        RouteEntry e = unicast(n, r.prefix, r.dev, RouteOrigin::kStatic);
        e.gateway = r.gateway;
        t.push_back(e);
      }
      std::sort(t.begin(), t.end(), entry_order);
    }
    return tables;
  }

 private:
  static uint64_t key(Ipv4Prefix p) { return (uint64_t{p.addr} << 8) | p.len; }

  // A unicast route through device `dev` of node n; the gateway is the peer's
  // address when the peer end is numbered.
  RouteEntry unicast(uint32_t n, Ipv4Prefix prefix, uint32_t dev, RouteOrigin origin) const {
    const DevRef d = spec_.node_devs[n][dev];
    RouteEntry e;
    e.prefix = prefix;
    e.dev = dev;
    e.origin = origin;
    // A route to the peer itself needs no gateway.
    const bool to_peer = prefix.len == 32 && spec_.peer(d).numbered && prefix.addr == spec_.peer(d).addr.addr;
    e.gateway = spec_.peer(d).numbered && !to_peer ? spec_.peer(d).addr.addr : 0;
    e.prefsrc = spec_.endpoint(d).numbered ? spec_.endpoint(d).addr.addr : primary_[n];
    return e;
  }

  void add_own(uint32_t n, std::vector<RouteEntry>& t) const {
    const auto& devs = spec_.node_devs[n];
    for (uint32_t i = 0; i < devs.size(); ++i) {
      const EndpointSpec& ep = spec_.endpoint(devs[i]);
      if (!ep.numbered) continue;
      RouteEntry local;
      local.prefix = Ipv4Prefix{ep.addr.addr, 32};
      local.dev = i;
      local.prefsrc = ep.addr.addr;
      local.type = RouteType::kLocal;
      local.origin = RouteOrigin::kLocal;
      t.push_back(local);
      if (ep.addr.len == 32) continue;  // the local route says it all
      RouteEntry conn;
      conn.prefix = network_of(ep.addr);
      conn.dev = i;
      conn.prefsrc = ep.addr.addr;
      conn.origin = RouteOrigin::kConnected;
      t.push_back(conn);
    }
  }

  void add_shortest_paths(uint32_t src, std::vector<RouteEntry>& t) {
    const size_t n = spec_.nodes.size();
    ForwardingEdges pred{&g_, &forwards_, src};
    boost::filtered_graph<Graph, ForwardingEdges> fg(g_, pred);
    std::vector<Dist> dist(n, kInfinity);
    std::vector<Edge> via(n);
    std::vector<char> has_via(n, 0);
    auto index = boost::get(boost::vertex_index, g_);
    auto dist_map = boost::make_iterator_property_map(dist.begin(), index);
    auto via_map = boost::make_iterator_property_map(via.begin(), index);
    boost::dijkstra_shortest_paths(
        fg, src,
        boost::weight_map(boost::get(&EdgeProp::weight, g_))
            .distance_map(dist_map)
            .distance_compare(DistLess{})
            .distance_combine(DistPlus{})
            .distance_inf(kInfinity)
            .distance_zero(Dist{})
            .visitor(boost::make_dijkstra_visitor(
                boost::record_edge_predecessors(via_map, boost::on_edge_relaxed()))));
    for (size_t v = 0; v < n; ++v) has_via[v] = v != src && dist[v].delay_ns != kInfinity.delay_ns;

    // First hop (device index at src) of every reached node, settled in
    // order of distance so that a node's predecessor is done before it.
    std::vector<uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return DistLess{}(dist[a], dist[b]); });
    std::vector<uint32_t> first_hop(n, 0);
    for (uint32_t v : order) {
      if (!has_via[v]) continue;
      const auto u = static_cast<uint32_t>(boost::source(via[v], g_));
      first_hop[v] = u == src ? g_[via[v]].dev : first_hop[u];
    }

    for (const auto& [k, owners] : owners_) {
      const Ipv4Prefix prefix{static_cast<uint32_t>(k >> 8), static_cast<uint8_t>(k & 0xff)};
      bool connected = false;
      std::optional<uint32_t> hop;
      bool split = false;
      for (const DevRef& d : owners) {
        const uint32_t owner = spec_.endpoint(d).node;
        if (owner == src) connected = true;
        if (!has_via[owner]) continue;
        if (hop && *hop != first_hop[owner]) split = true;
        if (!hop) hop = first_hop[owner];
      }
      if (connected || !hop) continue;
      if (!split) {
        t.push_back(unicast(src, prefix, *hop, RouteOrigin::kComputed));
        continue;
      }
      for (const DevRef& d : owners) {
        const uint32_t owner = spec_.endpoint(d).node;
        if (!has_via[owner]) continue;
        t.push_back(unicast(src, Ipv4Prefix{spec_.endpoint(d).addr.addr, 32}, first_hop[owner], RouteOrigin::kComputed));
      }
    }

    // Aggregates announced by other nodes: toward the nearest announcer,
    // unless a route for that exact prefix exists already.
    std::map<uint64_t, uint32_t> nearest;  // prefix -> announcing node
    for (uint32_t m = 0; m < n; ++m) {
      if (!has_via[m]) continue;
      for (const Ipv4Prefix& a : spec_.nodes[m].announce) {
        auto [it, fresh] = nearest.emplace(key(a), m);
        if (!fresh && DistLess{}(dist[m], dist[it->second])) it->second = m;
      }
    }
    for (const Ipv4Prefix& a : spec_.nodes[src].announce) nearest.erase(key(a));
    std::unordered_set<uint64_t> have;
    for (const RouteEntry& e : t) have.insert(key(e.prefix));
    for (const auto& [k, m] : nearest) {
      if (have.count(k)) continue;
      const Ipv4Prefix prefix{static_cast<uint32_t>(k >> 8), static_cast<uint8_t>(k & 0xff)};
      t.push_back(unicast(src, prefix, first_hop[m], RouteOrigin::kComputed));
    }
  }

  // Drops computed routes that change nothing: a route whose nearest
  // shorter covering route has the same next hop. Taking prefixes from the
  // shortest up, the nearest surviving cover is exactly where the dropped
  // route's addresses fall, so forwarding is unchanged for every address;
  // what remains is e.g. one /18 per rack instead of a /32 per host.
  static void remove_redundant(std::vector<RouteEntry>& t) {
    std::sort(t.begin(), t.end(), [](const RouteEntry& a, const RouteEntry& b) {
      return a.prefix.len != b.prefix.len ? a.prefix.len < b.prefix.len : a.prefix.addr < b.prefix.addr;
    });
    std::unordered_map<uint64_t, const RouteEntry*> kept;
    std::vector<uint8_t> lens;  // lengths among kept routes, ascending
    std::vector<RouteEntry> out;
    out.reserve(t.size());
    for (const RouteEntry& e : t) {
      bool redundant = false;
      if (e.origin == RouteOrigin::kComputed) {
        for (auto l = lens.rbegin(); l != lens.rend(); ++l) {
          if (*l >= e.prefix.len) continue;
          auto c = kept.find(key(Ipv4Prefix{e.prefix.addr & ipv4_mask(*l), *l}));
          if (c == kept.end()) continue;
          redundant = c->second->type == RouteType::kUnicast && c->second->dev == e.dev &&
                      c->second->gateway == e.gateway;
          break;
        }
      }
      if (redundant) continue;
      if (lens.empty() || lens.back() != e.prefix.len) lens.push_back(e.prefix.len);
      out.push_back(e);
      kept.emplace(key(e.prefix), &out.back());  // stable: out never reallocates
    }
    t = std::move(out);
  }

  const TopologySpec& spec_;
  Graph g_;
  std::vector<char> forwards_;
  std::vector<uint32_t> primary_;
  std::map<uint64_t, std::vector<DevRef>> owners_;  // prefix (network, len) -> devices configured with it
};

const char* origin_name(RouteOrigin o) {
  switch (o) {
    case RouteOrigin::kLocal: return "local";
    case RouteOrigin::kConnected: return "connected";
    case RouteOrigin::kComputed: return "computed";
    case RouteOrigin::kDefault: return "default";
    case RouteOrigin::kStatic: return "static";
  }
  return "?";
}

}  // namespace

RouteTables compute_routes(const TopologySpec& spec) { return RouteBuilder(spec).build(); }

const RouteEntry* route_lookup(const std::vector<RouteEntry>& table, uint32_t daddr) {
  // Sorted longest first: the first match is the longest.
  for (const RouteEntry& e : table) {
    if (((daddr ^ e.prefix.addr) & ipv4_mask(e.prefix.len)) == 0) return &e;
  }
  return nullptr;
}

RouteTrace trace_route(const TopologySpec& spec, const RouteTables& tables, uint32_t from, uint32_t daddr) {
  RouteTrace tr;
  uint32_t n = from;
  for (size_t hops = 0; hops <= spec.nodes.size(); ++hops) {
    tr.nodes.push_back(n);
    const RouteEntry* r = route_lookup(tables[n], daddr);
    if (r && r->type == RouteType::kLocal) {
      tr.delivered = true;
      return tr;
    }
    if (n != from && spec.nodes[n].kind == NodeKind::kHost) {
      tr.why = "host " + spec.nodes[n].name + " does not forward";
      return tr;
    }
    if (!r) {
      tr.why = "no route at " + spec.nodes[n].name;
      return tr;
    }
    n = spec.peer(spec.node_devs[n][r->dev]).node;
  }
  tr.why = "routing loop";
  return tr;
}

std::string format_routes(const TopologySpec& spec, const RouteTables& tables, uint32_t node) {
  std::string out;
  for (const RouteEntry& e : tables[node]) {
    const EndpointSpec& dev = spec.endpoint(spec.node_devs[node][e.dev]);
    out += e.type == RouteType::kLocal ? "local " : "";
    out += e.prefix.len == 0 ? std::string("default") : sim::wire::ipv4_prefix_str(e.prefix);
    if (e.gateway && e.type == RouteType::kUnicast) out += " via " + sim::wire::ipv4_addr_str(e.gateway);
    out += " dev " + dev.dev;
    if (e.prefsrc) out += " src " + sim::wire::ipv4_addr_str(e.prefsrc);
    out += std::string(" (") + origin_name(e.origin) + ")\n";
  }
  return out;
}

}  // namespace sim::net

#include "sim/net/network.h"

#include <utility>

namespace sim::net {

Network::Network(TopologySpec spec, sim::Simulator& sim, sim::SkbPool& pool, uint64_t seed)
    : spec_(std::move(spec)), routes_(compute_routes(spec_)), sim_(sim), pool_(pool) {
  nodes_.reserve(spec_.nodes.size());
  for (uint32_t n = 0; n < spec_.nodes.size(); ++n) {
    auto node = std::make_unique<Node>();
    node->name = spec_.nodes[n].name;
    node->id = n;
    node->kind = spec_.nodes[n].kind;
    const auto& devs = spec_.node_devs[n];
    node->devs.reserve(devs.size());
    for (uint32_t i = 0; i < devs.size(); ++i) {
      const EndpointSpec& ep = spec_.endpoint(devs[i]);
      auto dev = std::make_unique<NetDevice>();
      dev->name = ep.dev;
      dev->ifindex = static_cast<int>(i) + 2;
      dev->node = node.get();
      dev->sim = &sim_;
      if (ep.numbered) {
        dev->addr = ep.addr.addr;
        dev->prefix_len = ep.addr.len;
      }
      dev->mtu = ep.mtu;
      dev->txq.limit = ep.queue;
      node->devs.push_back(std::move(dev));
    }
    for (const RouteEntry& e : routes_[n]) {
      node->fib.insert(e.prefix, Route{node->devs[e.dev].get(), e.gateway, e.prefsrc, e.type});
    }
    nodes_.push_back(std::move(node));
  }

  // Device of endpoint (link, end): its position among its node's devices.
  std::vector<std::vector<uint32_t>> dev_of(spec_.links.size(), std::vector<uint32_t>(2));
  for (uint32_t n = 0; n < spec_.nodes.size(); ++n) {
    const auto& devs = spec_.node_devs[n];
    for (uint32_t i = 0; i < devs.size(); ++i) dev_of[devs[i].link][devs[i].end] = i;
  }
  links_.reserve(spec_.links.size());
  for (uint32_t li = 0; li < spec_.links.size(); ++li) {
    const LinkSpec& ls = spec_.links[li];
    auto link = std::make_unique<Link>();
    link->name = ls.name;
    link->bandwidth_bps = ls.bandwidth_bps;
    link->delay = ls.delay;
    link->loss = ls.loss;
    NetDevice& a = *nodes_[ls.end[0].node]->devs[dev_of[li][0]];
    NetDevice& b = *nodes_[ls.end[1].node]->devs[dev_of[li][1]];
    link_attach(*link, sim_, a, b, seed);
    links_.push_back(std::move(link));
  }
}

Network::~Network() = default;

Node* Network::find_node(std::string_view name) const {
  const int64_t i = spec_.find_node(name);
  return i < 0 ? nullptr : nodes_[static_cast<size_t>(i)].get();
}

Link* Network::find_link(std::string_view name) const {
  const int64_t i = spec_.find_link(name);
  return i < 0 ? nullptr : links_[static_cast<size_t>(i)].get();
}

NetDevice* Network::find_device(std::string_view node_colon_dev) const {
  const size_t colon = node_colon_dev.find(':');
  if (colon == std::string_view::npos) return nullptr;
  Node* n = find_node(node_colon_dev.substr(0, colon));
  return n ? n->find_dev(node_colon_dev.substr(colon + 1)) : nullptr;
}

}  // namespace sim::net

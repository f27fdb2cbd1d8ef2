// The simulated network built from a topology: nodes with their devices and
// FIBs, and the links between them, bound to one Simulator and SkbPool.
// Everything is passed in; nothing is global, so two networks can live in one
// test binary.
//
//   sim::Simulator sim;  sim::SkbPool pool;
//   sim::net::Network net(sim::net::load_topology("topologies/two_hosts.json"), sim, pool, /*seed=*/7);
//   sim::net::Node& client = *net.find_node("client");
//   client.local_rx = ...;                      // the stack attaches here
//   dev_queue_xmit(*client.fib.lookup(daddr)->dev, skb);
//
// Destroy the Network before the Simulator and the pool (declare it after
// them), and do not run the simulator after the Network is gone: queued
// events point into it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/net/routes.h"
#include "sim/net/topology.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"

namespace sim::net {

class Network {
 public:
  Network(TopologySpec spec, sim::Simulator& sim, sim::SkbPool& pool, uint64_t seed);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const TopologySpec& spec() const { return spec_; }
  const RouteTables& routes() const { return routes_; }
  sim::Simulator& sim() const { return sim_; }
  sim::SkbPool& pool() const { return pool_; }

  size_t node_count() const { return nodes_.size(); }
  Node& node(uint32_t id) const { return *nodes_[id]; }
  Node* find_node(std::string_view name) const;
  size_t link_count() const { return links_.size(); }
  Link& link(uint32_t id) const { return *links_[id]; }
  Link* find_link(std::string_view name) const;
  // "server:eth0"
  NetDevice* find_device(std::string_view node_colon_dev) const;

 private:
  TopologySpec spec_;
  RouteTables routes_;
  sim::Simulator& sim_;
  sim::SkbPool& pool_;
  // Destroyed links first, then nodes; each hands its buffers back to the pool.
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Link>> links_;
};

}  // namespace sim::net

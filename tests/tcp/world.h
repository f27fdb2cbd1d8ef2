// A two-host world for TCP tests over the real network model: the
// topologies/two_hosts.json shape built in code (client 10.0.0.1, server
// 10.0.0.2, 1 Gbps, 1 ms), each host running its own simulated kernel.
#pragma once

#include <arpa/inet.h>

#include <memory>
#include <string>

#include "sim/net/network.h"
#include "sim/net/topology.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/task.h"
#include "stack/host/attach.h"
#include "stack/net.h"

namespace testing_world {

inline sim::net::TopologySpec two_hosts_spec() {
  return sim::net::load_topology(std::string(getenv("TEST_SRCDIR") ? getenv("TEST_SRCDIR") : ".") +
                                 "/netsim/topologies/two_hosts.json");
}

struct TwoHosts {
  sim::Simulator sim;
  sim::SkbPool pool;
  sim::net::Network network;
  std::unique_ptr<stack::net> client;
  std::unique_ptr<stack::net> server;
  sim::TaskGroup tasks{sim};

  explicit TwoHosts(uint64_t seed = 1) : network(two_hosts_spec(), sim, pool, seed) {
    client = std::make_unique<stack::net>(sim, pool, "client", seed);
    server = std::make_unique<stack::net>(sim, pool, "server", seed);
    stack::attach_to_node(*client, *network.find_node("client"));
    stack::attach_to_node(*server, *network.find_node("server"));
  }
};

inline sockaddr_in addr(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

}  // namespace testing_world

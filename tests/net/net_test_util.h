// Helpers shared by the network tests: topologies from inline JSON, UDP
// packets of an exact size, and a receiver that records what arrives.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sim/config/json_reader.h"
#include "sim/net/network.h"
#include "sim/net/topology.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/ipv4_addr.h"
#include "sim/wire/skb_build.h"
#include "sim/wire/udp.h"

namespace nettest {

inline sim::net::TopologySpec topology_from_text(const std::string& text) {
  const sim::config::JsonDoc doc = sim::config::parse_json_text("inline.json", text);
  return sim::net::parse_topology(sim::config::JsonValue(doc));
}

inline uint32_t addr(const char* text) { return *sim::wire::parse_ipv4_addr(text); }

// A UDP/IPv4 packet whose IPv4 total length is exactly `total_len` bytes
// (>= 28); the payload bytes carry `tag` so tests can tell packets apart.
inline sim::SkBuff* udp_packet(sim::SkbPool& pool, uint32_t saddr, uint32_t daddr, uint32_t total_len,
                               uint8_t ttl = 64, uint32_t tag = 0) {
  static const uint8_t zeros[sim::kSkbDataMax] = {};
  sim::SkBuff* skb = pool.alloc();
  sim::wire::Ipv4Repr ip;
  ip.saddr = saddr;
  ip.daddr = daddr;
  ip.ttl = ttl;
  ip.id = static_cast<uint16_t>(tag);
  sim::wire::UdpRepr udp;
  udp.sport = 4000;
  udp.dport = 5000;
  udp.payload = zeros;
  udp.payload_len = total_len - 28;
  if (!sim::wire::build_udp_packet(skb, ip, udp)) {
    sim::kfree_skb(skb);
    return nullptr;
  }
  if (udp.payload_len >= 4) {
    uint8_t* p = skb->data + 28;
    p[0] = static_cast<uint8_t>(tag >> 24);
    p[1] = static_cast<uint8_t>(tag >> 16);
    p[2] = static_cast<uint8_t>(tag >> 8);
    p[3] = static_cast<uint8_t>(tag);
    // Keep the UDP checksum right after changing payload bytes.
    sim::wire::udp_fill_checksum(skb->data + 20, total_len - 20, saddr, daddr);
  }
  return skb;
}

inline uint32_t packet_tag(const sim::SkBuff& skb) {
  const uint8_t* p = skb.data + 28;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Sends from a node the way a stack would: route lookup, then the device.
inline int send_from(sim::net::Node& node, sim::SkBuff* skb) {
  sim::wire::Ipv4Repr iph;
  REQUIRE(sim::wire::parse_ipv4(skb->data, skb->len, iph) == sim::wire::ParseResult::kOk);
  const sim::net::Route* rt = node.fib.lookup(iph.daddr);
  REQUIRE(rt != nullptr);
  return sim::net::dev_queue_xmit(*rt->dev, skb);
}

// Attached as a node's local_rx: records arrivals, then frees the buffer.
struct Sink {
  struct Arrival {
    sim::Time at;
    uint32_t len;
    uint32_t tag;
    sim::wire::Ipv4Repr ip;
    sim::wire::ParseResult parsed;
    int ifindex;
  };
  sim::Simulator* sim = nullptr;
  std::vector<Arrival> got;

  static void rx(void* ctx, sim::net::NetDevice& dev, sim::SkBuff* skb) {
    auto& s = *static_cast<Sink*>(ctx);
    Arrival a{s.sim->now(), skb->len, skb->len >= 32 ? packet_tag(*skb) : 0, {}, {}, skb->ifindex};
    a.parsed = sim::wire::parse_ipv4(skb->data, skb->len, a.ip);
    s.got.push_back(a);
    sim::kfree_skb(skb);
  }
  void attach(sim::Simulator& simulator, sim::net::Node& node) {
    sim = &simulator;
    node.local_rx = &Sink::rx;
    node.local_ctx = this;
  }
};

// A simulator, a pool and a network, torn down in the right order; the
// destructor-time leak check is done by the tests through finish().
struct World {
  sim::Simulator sim;
  sim::SkbPool pool;
  std::unique_ptr<sim::net::Network> net;

  World(sim::net::TopologySpec spec, uint64_t seed = 1)
      : net(std::make_unique<sim::net::Network>(std::move(spec), sim, pool, seed)) {}
  sim::net::Node& node(const char* name) {
    sim::net::Node* n = net->find_node(name);
    REQUIRE(n != nullptr);
    return *n;
  }
  // Runs what is left, then checks that every buffer went back to the pool.
  void finish() {
    sim.run();
    net.reset();
    CHECK(pool.in_use() == 0);
  }
};

}  // namespace nettest

// IPv4 forwarding: longest-prefix match in the FIB, forwarding across a
// leaf-spine, TTL decrement with a valid checksum, drops and their counters.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sim/net/fib.h"
#include "sim/net/network.h"
#include "sim/wire/checksum.h"
#include "tests/net/net_test_util.h"

using nettest::addr;
using nettest::Sink;
using nettest::World;
using sim::net::Fib;
using sim::net::Route;
using sim::net::RouteType;
using sim::wire::Ipv4Prefix;

namespace {

sim::net::NetDevice* dev_tag(uintptr_t n) { return reinterpret_cast<sim::net::NetDevice*>(n); }

std::string read_text(const char* path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The shipped leaf-spine (2 spines, 4 leaves, 4 hosts per leaf, racks
// 10.0.0.0/18, 10.0.64.0/18, 10.0.128.0/18, 10.0.192.0/18) with extra static
// routes spliced in.
sim::net::TopologySpec leaf_spine(const std::string& routes_json = "") {
  std::string text = read_text("topologies/leaf_spine.json");
  if (!routes_json.empty()) {
    const size_t end = text.rfind('}');
    text = text.substr(0, end) + ", \"routes\": " + routes_json + "}";
  }
  return nettest::topology_from_text(text);
}

struct Fabric {
  World w;
  Sink sinks[4][4];
  explicit Fabric(sim::net::TopologySpec spec) : w(std::move(spec)) {
    for (int l = 0; l < 4; ++l) {
      for (int h = 0; h < 4; ++h) {
        const std::string name = "host" + std::to_string(l + 1) + "-" + std::to_string(h + 1);
        sinks[l][h].attach(w.sim, w.node(name.c_str()));
      }
    }
  }
  uint64_t forwarded(const char* router) { return w.node(router).ip.ForwDatagrams; }
  void send(const char* from, const char* src, const char* dst, uint8_t ttl = 64) {
    nettest::send_from(w.node(from), nettest::udp_packet(w.pool, addr(src), addr(dst), 100, ttl));
  }
};

}  // namespace

TEST_CASE("FIB: the longest matching prefix wins, whatever the insertion order") {
  Fib fib;
  fib.insert(Ipv4Prefix{0, 0}, Route{dev_tag(1), 0, 0, RouteType::kUnicast});
  fib.insert(Ipv4Prefix{addr("10.0.0.0"), 8}, Route{dev_tag(2), 0, 0, RouteType::kUnicast});
  fib.insert(Ipv4Prefix{addr("10.1.2.3"), 32}, Route{dev_tag(4), 0, 0, RouteType::kLocal});
  fib.insert(Ipv4Prefix{addr("10.1.0.0"), 16}, Route{dev_tag(3), 0, 0, RouteType::kUnicast});
  CHECK(fib.lookup(addr("192.168.1.1"))->dev == dev_tag(1));
  CHECK(fib.lookup(addr("10.200.0.1"))->dev == dev_tag(2));
  CHECK(fib.lookup(addr("10.1.2.4"))->dev == dev_tag(3));
  CHECK(fib.lookup(addr("10.1.2.3"))->dev == dev_tag(4));
  CHECK(fib.lookup(addr("10.1.2.3"))->type == RouteType::kLocal);
  // Host bits of an inserted prefix are ignored; re-inserting replaces.
  fib.insert(Ipv4Prefix{addr("10.1.99.99"), 16}, Route{dev_tag(5), 0, 0, RouteType::kUnicast});
  CHECK(fib.size() == 4);
  CHECK(fib.lookup(addr("10.1.0.1"))->dev == dev_tag(5));
  CHECK(fib.remove(Ipv4Prefix{addr("10.1.0.0"), 16}));
  CHECK_FALSE(fib.remove(Ipv4Prefix{addr("10.1.0.0"), 16}));
  CHECK(fib.lookup(addr("10.1.0.1"))->dev == dev_tag(2));
  CHECK(fib.remove(Ipv4Prefix{0, 0}));
  CHECK(fib.lookup(addr("192.168.1.1")) == nullptr);
  const auto entries = fib.entries();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].first.len == 32);
  CHECK(entries[1].first.len == 8);
}

TEST_CASE("FIB: many routes of one length stay exact (table growth)") {
  Fib fib;
  for (uint32_t i = 0; i < 5000; ++i) {
    fib.insert(Ipv4Prefix{addr("10.0.0.0") + (i << 8), 24}, Route{dev_tag(i + 1), 0, 0, RouteType::kUnicast});
  }
  fib.insert(Ipv4Prefix{0, 0}, Route{dev_tag(99999), 0, 0, RouteType::kUnicast});
  for (uint32_t i = 0; i < 5000; ++i) {
    REQUIRE(fib.lookup(addr("10.0.0.77") + (i << 8))->dev == dev_tag(i + 1));
  }
  CHECK(fib.lookup(addr("10.0.0.0") + (5000u << 8))->dev == dev_tag(99999));
}

TEST_CASE("leaf-spine: a packet crosses leaf, spine, leaf; each hop decrements the TTL") {
  Fabric f(leaf_spine());
  f.send("host1-1", "10.0.0.1", "10.0.128.2");
  f.w.sim.run();
  REQUIRE(f.sinks[2][1].got.size() == 1);
  const Sink::Arrival& a = f.sinks[2][1].got[0];
  CHECK(a.parsed == sim::wire::ParseResult::kOk);  // the patched header checksum verifies
  CHECK(a.ip.ttl == 61);
  CHECK(a.ip.saddr == addr("10.0.0.1"));
  // Store and forward: 100 B is 80 ns at 10 Gbps and 20 ns at 40 Gbps.
  CHECK(a.at.ns() == (80 + 1'000) + (20 + 2'000) + (20 + 2'000) + (80 + 1'000));
  CHECK(f.forwarded("leaf1") == 1);
  CHECK(f.forwarded("spine1") + f.forwarded("spine2") == 1);
  CHECK(f.forwarded("leaf3") == 1);
  CHECK(f.forwarded("leaf2") == 0);
  CHECK(f.forwarded("leaf4") == 0);
  // Nobody else saw it.
  size_t total = 0;
  for (auto& rack : f.sinks)
    for (auto& s : rack) total += s.got.size();
  CHECK(total == 1);
  f.w.finish();
}

TEST_CASE("leaf-spine: spines hold one route per rack; leaves one per local host") {
  Fabric f(leaf_spine());
  const Route* r = f.w.node("spine2").fib.lookup(addr("10.0.200.7"));
  REQUIRE(r != nullptr);
  CHECK(r->dev->name == "eth3");  // spine2's fourth device faces leaf4
  CHECK(f.w.node("spine2").fib.size() == 4);
  const auto spine_routes = f.w.node("spine2").fib.entries();
  REQUIRE(spine_routes.size() == 4);
  CHECK(spine_routes[0].first == Ipv4Prefix{addr("10.0.0.0"), 18});
  CHECK(spine_routes[3].first == Ipv4Prefix{addr("10.0.192.0"), 18});
  // leaf1: 4 host routes + 3 rack routes.
  CHECK(f.w.node("leaf1").fib.size() == 7);
  CHECK(f.w.node("leaf1").fib.lookup(addr("10.0.0.3"))->dev->name == "eth4");
  // An unassigned address of a rack reaches its leaf and stops there.
  f.send("host1-1", "10.0.0.1", "10.0.128.99");
  f.w.sim.run();
  CHECK(f.w.node("leaf3").ip.InNoRoutes == 1);
  f.w.finish();
}

TEST_CASE("leaf-spine: a more specific static route overrides the rack route") {
  // Detour one host of rack 3 through leaf4 and spine2; its rack neighbours
  // keep the direct path. spine1:eth3 faces leaf4; leaf4:eth1 faces spine2.
  Fabric f(leaf_spine(R"([
      {"node": "spine1", "prefix": "10.0.128.2/32", "dev": "eth3"},
      {"node": "leaf4", "prefix": "10.0.128.2/32", "dev": "eth1"},
      {"node": "spine1", "prefix": "10.0.128.0/17", "dev": "eth1"}])"));
  f.send("host1-1", "10.0.0.1", "10.0.128.2");
  f.send("host1-1", "10.0.0.1", "10.0.128.3");
  f.w.sim.run();
  REQUIRE(f.sinks[2][1].got.size() == 1);
  CHECK(f.sinks[2][1].got[0].ip.ttl == 64 - 5);  // leaf1, spine1, leaf4, spine2, leaf3
  REQUIRE(f.sinks[2][2].got.size() == 1);
  CHECK(f.sinks[2][2].got[0].ip.ttl == 64 - 3);  // the /18 beats the shorter static /17
  CHECK(f.forwarded("leaf4") == 1);
  CHECK(f.forwarded("spine2") == 1);
  CHECK(f.forwarded("spine1") == 2);
  CHECK(f.forwarded("leaf2") == 0);
  f.w.finish();
}

TEST_CASE("TTL expiry: dropped at the hop where it would reach 0, and counted") {
  Fabric f(leaf_spine());
  f.send("host1-1", "10.0.0.1", "10.0.128.2", /*ttl=*/1);
  f.send("host1-1", "10.0.0.1", "10.0.128.2", /*ttl=*/2);
  f.send("host1-1", "10.0.0.1", "10.0.128.2", /*ttl=*/4);
  f.w.sim.run();
  CHECK(f.w.node("leaf1").ip.ttl_expired == 1);
  CHECK(f.w.node("leaf1").ip.InHdrErrors == 1);
  CHECK(f.w.node("spine1").ip.ttl_expired + f.w.node("spine2").ip.ttl_expired == 1);
  CHECK(f.w.node("leaf3").ip.ttl_expired == 0);
  REQUIRE(f.sinks[2][1].got.size() == 1);
  CHECK(f.sinks[2][1].got[0].ip.ttl == 1);
  f.w.finish();
}

TEST_CASE("a routing loop ends when the TTL runs out") {
  // spine1 sends 10.0.128.2 to leaf4, whose rack route for 10.0.128.0/18 goes
  // back to spine1.
  Fabric f(leaf_spine(R"([{"node": "spine1", "prefix": "10.0.128.2/32", "dev": "eth3"}])"));
  f.send("host1-1", "10.0.0.1", "10.0.128.2", /*ttl=*/16);
  f.w.sim.run();
  CHECK(f.sinks[2][1].got.empty());
  uint64_t expired = 0;
  for (const char* r : {"leaf1", "leaf2", "leaf3", "leaf4", "spine1", "spine2"}) expired += f.w.node(r).ip.ttl_expired;
  CHECK(expired == 1);
  // 15 forwards: leaf1, then spine1/leaf4 alternating until the TTL is 1.
  CHECK(f.forwarded("leaf1") + f.forwarded("spine1") + f.forwarded("leaf4") == 15);
  f.w.finish();
}

TEST_CASE("routers drop corrupt headers, unroutable and oversize packets, with Linux's counters") {
  World w(nettest::topology_from_text(R"({
    "nodes": ["a", "b", {"name": "r", "kind": "router"}],
    "defaults": {"bandwidth": "1Gbps", "delay": "1us"},
    "links": [
      {"a": {"node": "a", "addr": "10.0.1.1/24"}, "b": {"node": "r", "addr": "10.0.1.254/24"}},
      {"a": {"node": "r", "addr": "10.0.2.254/24", "mtu": 576}, "b": {"node": "b", "addr": "10.0.2.1/24"}}]})"));
  Sink at_b, at_r;
  at_b.attach(w.sim, w.node("b"));
  sim::net::Node& a = w.node("a");
  sim::net::Node& r = w.node("r");

  sim::SkBuff* bad = nettest::udp_packet(w.pool, addr("10.0.1.1"), addr("10.0.2.1"), 100);
  bad->data[12] ^= 0x01;  // source address bit flipped, checksum not updated
  sim::net::dev_queue_xmit(*a.devs[0], bad);
  nettest::send_from(a, nettest::udp_packet(w.pool, addr("10.0.1.1"), addr("192.168.0.1"), 100));
  nettest::send_from(a, nettest::udp_packet(w.pool, addr("10.0.1.1"), addr("10.0.2.1"), 577));
  nettest::send_from(a, nettest::udp_packet(w.pool, addr("10.0.1.1"), addr("10.0.2.1"), 576));
  nettest::send_from(a, nettest::udp_packet(w.pool, addr("10.0.1.1"), addr("10.0.2.254"), 100));  // the router
  w.sim.run();
  CHECK(r.ip.InReceives == 5);
  CHECK(r.ip.InCsumErrors == 1);
  CHECK(r.ip.InHdrErrors == 1);
  CHECK(r.ip.InNoRoutes == 1);
  CHECK(r.ip.FragFails == 1);
  CHECK(r.ip.ForwDatagrams == 1);
  CHECK(r.ip.local_unclaimed == 1);
  CHECK(at_b.got.size() == 1);

  // With a stack attached, the router's own address is delivered to it.
  at_r.attach(w.sim, r);
  nettest::send_from(a, nettest::udp_packet(w.pool, addr("10.0.1.1"), addr("10.0.1.254"), 100));
  w.sim.run();
  CHECK(at_r.got.size() == 1);
  CHECK(r.ip.InDelivers == 1);
  w.finish();
}

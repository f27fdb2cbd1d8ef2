// Topology files: the shipped ones load and route; compact forms expand as
// documented; every broken file in tests/topologies_bad/ is rejected with the
// expected pointer and message.
#include <doctest/doctest.h>

#include <string>

#include "sim/config/config_error.h"
#include "sim/net/routes.h"
#include "sim/net/topology.h"
#include "tests/net/net_test_util.h"

using namespace sim::net;
using nettest::addr;

namespace {

const EndpointSpec& dev_of(const TopologySpec& s, const char* node, size_t i) {
  return s.endpoint(s.node_devs[static_cast<size_t>(s.find_node(node))][i]);
}

RouteTrace trace(const TopologySpec& s, const RouteTables& t, const char* from, const char* to) {
  return trace_route(s, t, static_cast<uint32_t>(s.find_node(from)), addr(to));
}

std::vector<std::string> names(const TopologySpec& s, const RouteTrace& tr) {
  std::vector<std::string> out;
  for (uint32_t n : tr.nodes) out.push_back(s.nodes[n].name);
  return out;
}

}  // namespace

TEST_CASE("two_hosts.json: client and server on one 1Gbps/1ms link") {
  const TopologySpec s = load_topology("topologies/two_hosts.json");
  REQUIRE(s.nodes.size() == 2);
  REQUIRE(s.links.size() == 1);
  const LinkSpec& l = s.links[0];
  CHECK(l.name == "client-server");
  CHECK(l.bandwidth_bps == 1'000'000'000);
  CHECK(l.delay.ns() == 1'000'000);
  CHECK(l.loss.never());
  CHECK(dev_of(s, "client", 0).dev == "eth0");
  CHECK(dev_of(s, "client", 0).addr.addr == addr("10.0.0.1"));
  CHECK(dev_of(s, "server", 0).addr.addr == addr("10.0.0.2"));
  CHECK(dev_of(s, "server", 0).addr.len == 24);
  const RouteTables t = compute_routes(s);
  CHECK(format_routes(s, t, 0) ==
        "local 10.0.0.1/32 dev eth0 src 10.0.0.1 (local)\n"
        "10.0.0.0/24 dev eth0 src 10.0.0.1 (connected)\n"
        "default via 10.0.0.2 dev eth0 src 10.0.0.1 (default)\n");
  CHECK(names(s, trace(s, t, "client", "10.0.0.2")) == std::vector<std::string>{"client", "server"});
}

TEST_CASE("every shipped topology loads, and every host reaches every other") {
  struct Shipped {
    const char* path;
    size_t nodes, links;
  };
  for (const Shipped& f : {Shipped{"topologies/two_hosts.json", 2, 1}, Shipped{"topologies/dumbbell.json", 10, 9},
                           Shipped{"topologies/star_1000.json", 1002, 1001},
                           Shipped{"topologies/leaf_spine.json", 22, 24}}) {
    CAPTURE(f.path);
    const TopologySpec s = load_topology(f.path);
    CHECK(s.nodes.size() == f.nodes);
    CHECK(s.links.size() == f.links);
    CHECK_NOTHROW(check_topology(f.path));
    const RouteTables t = compute_routes(s);
    std::vector<std::pair<uint32_t, uint32_t>> hosts;  // (node, address)
    for (uint32_t n = 0; n < s.nodes.size(); ++n) {
      if (s.nodes[n].kind != NodeKind::kHost) continue;
      REQUIRE(s.endpoint(s.node_devs[n][0]).numbered);
      hosts.emplace_back(n, s.endpoint(s.node_devs[n][0]).addr.addr);
    }
    // All pairs on small files; from a sample of sources on the star.
    const size_t step = hosts.size() > 50 ? 97 : 1;
    for (size_t i = 0; i < hosts.size(); i += step) {
      for (const auto& [dst, daddr] : hosts) {
        const RouteTrace tr = trace_route(s, t, hosts[i].first, daddr);
        if (!tr.delivered || tr.nodes.back() != dst) {
          FAIL_CHECK(s.nodes[hosts[i].first].name << " -> " << s.nodes[dst].name << ": " << tr.why);
        }
      }
    }
  }
}

TEST_CASE("star_1000.json: 1000 clients numbered from the pool around a hub, server behind it") {
  const TopologySpec s = load_topology("topologies/star_1000.json");
  CHECK(s.nodes[static_cast<size_t>(s.find_node("hub"))].kind == NodeKind::kRouter);
  CHECK(s.find_node("client1") >= 0);
  CHECK(s.find_node("client1000") >= 0);
  CHECK(s.find_node("client1001") < 0);
  CHECK(dev_of(s, "client1", 0).addr.addr == addr("10.1.0.1"));
  CHECK(dev_of(s, "client1", 0).addr.len == 32);
  CHECK(dev_of(s, "client1000", 0).addr.addr == addr("10.1.3.232"));
  CHECK(s.find_link("client17-hub") >= 0);
  // The explicit link comes first, so the hub's eth0 faces the server.
  CHECK(s.peer(s.node_devs[static_cast<size_t>(s.find_node("hub"))][0]).node == s.find_node("server"));
  CHECK_FALSE(dev_of(s, "hub", 0).numbered);
  const RouteTables t = compute_routes(s);
  CHECK(names(s, trace(s, t, "client5", "10.0.0.1")) == std::vector<std::string>{"client5", "hub", "server"});
  CHECK(names(s, trace(s, t, "server", "10.1.3.232")) ==
        std::vector<std::string>{"server", "hub", "client1000"});
  // Clients need two routes each: their address and a default.
  CHECK(t[static_cast<size_t>(s.find_node("client5"))].size() == 2);
}

TEST_CASE("dumbbell.json: the bottleneck and the access links take their own parameters") {
  const TopologySpec s = load_topology("topologies/dumbbell.json");
  const LinkSpec& neck = s.links[static_cast<size_t>(s.find_link("r1-r2"))];
  CHECK(neck.bandwidth_bps == 100'000'000);
  CHECK(neck.delay.ns() == 10'000'000);
  CHECK(neck.end[0].queue.packets == 100);
  const LinkSpec& access = s.links[static_cast<size_t>(s.find_link("sender1-r1"))];
  CHECK(access.bandwidth_bps == 1'000'000'000);  // from "defaults"
  CHECK(access.delay.ns() == 100'000);
  CHECK(access.end[0].queue.packets == 1000);
  const RouteTables t = compute_routes(s);
  CHECK(names(s, trace(s, t, "sender2", "10.2.0.3")) ==
        std::vector<std::string>{"sender2", "r1", "r2", "receiver3"});
  // r1 reaches the whole right side through one aggregate route.
  const auto& r1 = t[static_cast<size_t>(s.find_node("r1"))];
  CHECK(r1.size() == 5);
  CHECK(route_lookup(r1, addr("10.2.0.4"))->prefix == sim::wire::Ipv4Prefix{addr("10.2.0.0"), 24});
}

TEST_CASE("routes: shortest delay wins over fewer hops; hop count breaks delay ties") {
  const TopologySpec s = nettest::topology_from_text(R"({
    "nodes": ["a", "b", {"name": "r1", "kind": "router"}, {"name": "r2", "kind": "router"},
             {"name": "r3", "kind": "router"}, {"name": "r4", "kind": "router"}],
    "defaults": {"bandwidth": "1Gbps", "delay": "1ms"},
    "links": [
      {"a": {"node": "a", "addr": "10.0.0.1/32"}, "b": "r1"},
      {"a": "r1", "b": "r2", "delay": "10ms"},
      {"a": "r2", "b": {"node": "b", "addr": "10.0.9.1/32"}},
      {"a": "r1", "b": "r3", "delay": "2ms"},
      {"a": "r3", "b": "r4", "delay": "2ms"},
      {"a": "r4", "b": "r2", "delay": "2ms"},
      {"name": "r1-r2-fast", "a": "r1", "b": "r2", "delay": "6ms"}]})");
  const RouteTables t = compute_routes(s);
  // 6 ms over 3 hops (r3, r4) ties with 6 ms direct: the direct one has fewer hops.
  CHECK(names(s, trace(s, t, "a", "10.0.9.1")) == std::vector<std::string>{"a", "r1", "r2", "b"});
  const auto& r1 = t[static_cast<size_t>(s.find_node("r1"))];
  const EndpointSpec& out = s.endpoint(s.node_devs[static_cast<size_t>(s.find_node("r1"))][route_lookup(r1, addr("10.0.9.1"))->dev]);
  CHECK(out.pointer == "/links/6/a");
}

TEST_CASE("routes: hosts do not forward; a host between two routers is not a path") {
  const TopologySpec s = nettest::topology_from_text(R"({
    "nodes": ["a", "h", "b", {"name": "r1", "kind": "router"}, {"name": "r2", "kind": "router"}],
    "defaults": {"bandwidth": "1Gbps", "delay": "1ms"},
    "links": [
      {"a": {"node": "a", "addr": "10.0.1.1/32"}, "b": "r1"},
      {"a": "r1", "b": {"node": "h", "addr": "10.0.5.1/32"}},
      {"a": {"node": "h", "addr": "10.0.5.2/32"}, "b": "r2"},
      {"a": "r2", "b": {"node": "b", "addr": "10.0.2.1/32"}}]})");
  const RouteTables t = compute_routes(s);
  const RouteTrace tr = trace(s, t, "a", "10.0.2.1");
  CHECK_FALSE(tr.delivered);
  CHECK(tr.why == "no route at r1");
  CHECK(trace(s, t, "a", "10.0.5.1").delivered);
  // h is multi-homed: it reaches both sides itself.
  CHECK(trace(s, t, "h", "10.0.2.1").delivered);
  CHECK(trace(s, t, "h", "10.0.1.1").delivered);
}

TEST_CASE("groups, automatic device names and explicit ones") {
  const TopologySpec s = nettest::topology_from_text(R"({
    "nodes": [{"name": "r", "kind": "router"}, "x"],
    "links": [{"a": {"node": "r", "dev": "eth1"}, "b": "x", "bandwidth": "1Gbps", "delay": "0"}],
    "groups": [{"name": "g", "count": 3, "addresses": "192.168.0.0/29", "attach": "r",
                "link": {"bandwidth": "10Mbps", "delay": "5ms", "loss": "1%", "queue": {"bytes": "64KiB"}}}]})");
  CHECK(dev_of(s, "r", 0).dev == "eth1");
  CHECK(dev_of(s, "r", 1).dev == "eth0");
  CHECK(dev_of(s, "r", 2).dev == "eth2");
  CHECK(dev_of(s, "g3", 0).addr.addr == addr("192.168.0.3"));
  const LinkSpec& gl = s.links[static_cast<size_t>(s.find_link("g2-r"))];
  CHECK(gl.bandwidth_bps == 10'000'000);
  CHECK(gl.loss.scaled == 42949673);
  CHECK(gl.end[0].queue.bytes == 65536);
  CHECK(gl.end[0].queue.packets == QueueLimit::kNoPacketLimit);
  CHECK(gl.delay.ns() == 5'000'000);
  CHECK(s.links[0].delay.ns() == 0);
  CHECK(s.nodes[static_cast<size_t>(s.find_node("r"))].announce.size() == 1);
}

TEST_CASE("a static route replaces the computed one for the same prefix") {
  const TopologySpec s = nettest::topology_from_text(R"({
    "nodes": ["a", {"name": "r", "kind": "router"}, "b", "c"],
    "defaults": {"bandwidth": "1Gbps", "delay": "1ms"},
    "links": [
      {"a": {"node": "r", "addr": "10.0.1.254/24"}, "b": {"node": "a", "addr": "10.0.1.1/24"}},
      {"a": {"node": "r", "addr": "10.0.2.254/24"}, "b": {"node": "b", "addr": "10.0.2.1/24"}},
      {"a": {"node": "r", "addr": "10.0.3.254/24"}, "b": {"node": "c", "addr": "10.0.3.1/24"}}],
    "routes": [{"node": "a", "prefix": "10.0.3.0/24", "via": "10.0.1.254"},
               {"node": "r", "prefix": "0.0.0.0/0", "via": "10.0.3.1"}]})");
  const RouteTables t = compute_routes(s);
  const auto& r = t[static_cast<size_t>(s.find_node("r"))];
  const RouteEntry* def = route_lookup(r, addr("8.8.8.8"));
  REQUIRE(def != nullptr);
  CHECK(def->origin == RouteOrigin::kStatic);
  CHECK(def->gateway == addr("10.0.3.1"));
  CHECK(def->dev == 2);
  CHECK(names(s, trace(s, t, "a", "8.8.8.8")) == std::vector<std::string>{"a", "r", "c"});
}

TEST_CASE("broken topology files fail with the file, the JSON pointer and what was expected") {
  struct Bad {
    const char* file;
    const char* pointer;  // "" for the root; nullptr for a syntax error (line:column instead)
    const char* message;  // the whole message after "FILE: POINTER: "
  };
  const Bad cases[] = {
      {"unknown_key.json", "/links/0/dealy",
       "unknown key \"dealy\" (did you mean \"delay\"?); allowed keys: name, a, b, bandwidth, delay, loss, queue, mtu"},
      {"wrong_type.json", "/links/0/bandwidth", "expected a bandwidth like \"1Gbps\", got 1000000000"},
      {"bad_unit.json", "/links/3/delay", "expected a duration like \"10ms\", got \"10 parsecs\""},
      {"unknown_node.json", "/links/0/b", "unknown node \"srever\""},
      {"duplicate_address.json", "/links/1/b/addr",
       "address 10.0.0.1 of b:eth0 is already used by 10.0.0.1/24 on a:eth0 (/links/0/a/addr)"},
      {"overlapping_prefixes.json", "/links/1/a/addr",
       "prefix 10.0.0.128/25 of r:eth1 overlaps 10.0.0.1/24 on r:eth0 (/links/0/a/addr): overlapping prefixes on "
       "one node"},
      {"subnet_on_two_links.json", "/links/1/b/addr",
       "prefix 10.0.0.0/24 of b:eth0 overlaps 10.0.0.1/24 on a:eth0 (/links/0/a/addr): a subnet belongs to one link"},
      {"duplicate_key.json", "/links/0/delay", "duplicate key \"delay\""},
      {"missing_bandwidth.json", "/links/0", "missing required key \"bandwidth\" (and \"defaults\" does not set it)"},
      {"self_link.json", "/links/0/b", "a link must join two different nodes, got \"client\" at both ends"},
      {"duplicate_node.json", "/nodes/2/name", "node \"client\" is already defined (/nodes/0)"},
      {"duplicate_dev.json", "/links/1/a/dev", "device \"eth1\" already exists on node \"a\" (/links/0/a/dev)"},
      {"route_not_on_link.json", "/routes/0/via",
       "gateway 192.168.1.1 is not on-link: no device of \"r\" has a prefix containing it (give \"dev\")"},
      {"route_host_bits.json", "/routes/0/prefix",
       "expected an IPv4 network like \"10.0.0.0/24\" (host bits zero, e.g. \"10.9.0.0/16\"), got \"10.9.0.1/16\""},
      {"group_pool_too_small.json", "/groups/0", "300 addresses do not fit in 10.1.0.0/24 (room for 254)"},
      {"bad_shape_type.json", "/shapes/0/type", "expected \"star\", \"dumbbell\" or \"leaf_spine\", got \"ring\""},
      {"bad_loss.json", "/links/0/loss", "expected a probability like 0.01 or \"1%\", got 1.5"},
      {"empty_queue.json", "/links/0/queue", "expected \"packets\" and/or \"bytes\", got an empty object"},
      {"bad_address.json", "/links/0/a/addr",
       "expected an IPv4 address with prefix length like \"10.0.0.1/24\", got \"10.0.0.256/24\""},
      {"no_nodes.json", "", "expected at least one node (in \"nodes\", \"groups\" or \"shapes\")"},
      {"not_an_object.json", "", "expected an object, got an array"},
      {"bad_kind.json", "/nodes/0/kind", "expected \"host\" or \"router\", got \"switch\""},
      {"unknown_group_attach.json", "/groups/0/attach", "unknown node \"hub\""},
      {"bad_defaults.json", "/defaults/bandwidth", "expected a bandwidth like \"1Gbps\", got \"fast\""},
      {"malformed.json", nullptr, "invalid JSON: syntax error while parsing object key - unexpected '}'; expected string literal"},
  };
  for (const Bad& c : cases) {
    const std::string path = std::string("tests/topologies_bad/") + c.file;
    CAPTURE(path);
    bool threw = false;
    try {
      check_topology(path);
    } catch (const sim::config::ConfigError& e) {
      threw = true;
      CHECK(e.file == path);
      CHECK(e.message == c.message);
      if (c.pointer) {
        CHECK(e.pointer == c.pointer);
        CHECK(std::string(e.what()) ==
              path + ": " + (*c.pointer ? c.pointer : "(root)") + ": " + c.message);
      } else {
        CHECK(e.line == 4);
        CHECK(e.column == 75);
      }
    }
    CHECK(threw);
  }
}

TEST_CASE("every file in tests/topologies_bad is covered by the table above") {
  // Guard against a broken file added without an expectation: all must fail.
  for (const char* f : {"unknown_key", "wrong_type", "bad_unit", "unknown_node", "duplicate_address",
                        "overlapping_prefixes", "subnet_on_two_links", "duplicate_key", "missing_bandwidth",
                        "self_link", "duplicate_node", "duplicate_dev", "route_not_on_link", "route_host_bits",
                        "group_pool_too_small", "bad_shape_type", "bad_loss", "empty_queue", "bad_address",
                        "no_nodes", "not_an_object", "bad_kind", "unknown_group_attach", "bad_defaults",
                        "malformed"}) {
    CAPTURE(f);
    CHECK_THROWS_AS(check_topology(std::string("tests/topologies_bad/") + f + ".json"), sim::config::ConfigError);
  }
}

// Topology files -> TopologySpec. The file format is documented key by key in
// topologies/README.md; keep the two in step.
//
// Order of expansion (it fixes node ids, link order and automatic device
// names, so it is part of the format):
//   1. nodes: "nodes", then the nodes of each entry of "shapes", then of "groups";
//   2. links: "links", then the links of "shapes", then of "groups";
//   3. device names: explicit ones first, then eth0, eth1, ... skipping taken names;
//   4. addresses are checked (duplicates, overlaps), then "routes" are read.
#include <algorithm>
#include <optional>
#include <utility>

#include "sim/net/topology.h"
#include "sim/skbuff.h"

namespace sim::net {

using sim::config::ConfigError;
using sim::config::JsonObject;
using sim::config::JsonValue;
using sim::config::Probability;
using sim::wire::Ipv4Prefix;
using sim::wire::ipv4_addr_str;
using sim::wire::ipv4_mask;
using sim::wire::ipv4_prefix_str;

namespace {

uint32_t prefix_first(Ipv4Prefix p) { return p.addr & ipv4_mask(p.len); }
uint32_t prefix_last(Ipv4Prefix p) { return prefix_first(p) | ~ipv4_mask(p.len); }
Ipv4Prefix prefix_network(Ipv4Prefix p) { return Ipv4Prefix{prefix_first(p), p.len}; }

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Names appear in "node:dev" references and in file names (pcaps), so keep
// them to a safe alphabet.
bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return s[0] != '-' && s[0] != '.';
}

std::string read_name(const JsonValue& v, std::string_view what) {
  std::string s = v.as_string();
  if (!valid_name(s)) {
    v.fail_expected(std::string(what) + " of 1-64 letters, digits, '_', '-' or '.' (not starting with '-' or '.')");
  }
  return s;
}

NodeKind read_kind(const JsonValue& v) {
  const std::string s = v.is_string() ? v.as_string() : std::string();
  if (s == "host") return NodeKind::kHost;
  if (s == "router") return NodeKind::kRouter;
  v.fail_expected("\"host\" or \"router\"");
}

// The parameters a link takes; also the shape of "defaults" and of the
// link templates in groups and shapes.
struct LinkParams {
  std::optional<uint64_t> bandwidth;
  std::optional<sim::Time> delay;
  Probability loss;
  QueueLimit queue;
  uint32_t mtu = kDefaultMtu;
};

constexpr std::string_view kLinkParamKeys[] = {"bandwidth", "delay", "loss", "queue", "mtu"};

QueueLimit read_queue(const JsonValue& v) {
  JsonObject o = v.as_object({"packets", "bytes"});
  if (!o.has("packets") && !o.has("bytes")) o.fail("expected \"packets\" and/or \"bytes\", got an empty object");
  QueueLimit q;
  q.packets = static_cast<uint32_t>(o.get_int("packets", QueueLimit::kNoPacketLimit, 0, UINT32_MAX - 1));
  q.bytes = o.get_size("bytes", QueueLimit::kNoByteLimit);
  return q;
}

uint32_t read_mtu(const JsonValue& v) { return static_cast<uint32_t>(v.as_int(kMinMtu, sim::kSkbDataMax)); }

// Overrides in `base` whatever `o` sets among the link parameter keys.
LinkParams read_link_params(const JsonObject& o, LinkParams base) {
  if (auto v = o.get("bandwidth")) base.bandwidth = v->as_bandwidth();
  if (auto v = o.get("delay")) base.delay = v->as_duration();
  if (auto v = o.get("loss")) base.loss = v->as_probability();
  if (auto v = o.get("queue")) base.queue = read_queue(*v);
  if (auto v = o.get("mtu")) base.mtu = read_mtu(*v);
  return base;
}

std::vector<std::string_view> keys_plus(std::initializer_list<std::string_view> extra) {
  std::vector<std::string_view> k(extra);
  k.insert(k.end(), std::begin(kLinkParamKeys), std::end(kLinkParamKeys));
  return k;
}

// Host addresses handed out from a pool: network+1, network+2, ..., leaving
// out the network and broadcast addresses of pools up to /30.
struct Pool {
  Ipv4Prefix prefix;
  uint64_t capacity() const {
    const uint64_t size = uint64_t{1} << (32 - prefix.len);
    return prefix.len <= 30 ? size - 2 : size;
  }
  uint32_t at(uint64_t i) const { return prefix_first(prefix) + (prefix.len <= 30 ? 1 : 0) + static_cast<uint32_t>(i); }
};

class Loader {
 public:
  Loader(const JsonValue& top, TopologySpec& spec) : top_(top), spec_(spec) {}

  void load() {
    JsonObject t = top_.as_object({"description", "defaults", "nodes", "links", "groups", "shapes", "routes"});
    spec_.file = top_.file();
    spec_.description = t.get_string("description", "");
    if (auto d = t.get("defaults")) {
      defaults_ = read_link_params(d->as_object(keys_plus({})), defaults_);
    }

    std::vector<JsonValue> shapes, groups, links;
    if (auto v = t.get("nodes")) {
      for (const JsonValue& n : v->as_array()) read_node(n);
    }
    if (auto v = t.get("shapes")) shapes = v->as_array();
    if (auto v = t.get("groups")) groups = v->as_array();
    if (auto v = t.get("links")) links = v->as_array();

    std::vector<LinkSpec> generated;
    for (const JsonValue& s : shapes) read_shape(s, generated);
    std::vector<LinkSpec> group_links;
    for (const JsonValue& g : groups) {
      JsonObject o = g.as_object({"name", "count", "kind", "addresses", "attach", "link", "announce"});
      const std::string attach_name = o.required("attach").as_string();
      const uint32_t attach = node_ref(o.required("attach"), attach_name);
      read_group(o, attach, group_links);
    }

    for (const JsonValue& l : links) add_link(read_link(l));
    for (LinkSpec& l : generated) add_link(std::move(l));
    for (LinkSpec& l : group_links) add_link(std::move(l));

    if (spec_.nodes.empty()) t.fail("expected at least one node (in \"nodes\", \"groups\" or \"shapes\")");
    name_devices();
    check_addresses();
    if (auto v = t.get("routes")) {
      for (const JsonValue& r : v->as_array()) read_route(r);
    }
  }

 private:
  // ---- nodes ----------------------------------------------------------------

  uint32_t add_node(std::string name, NodeKind kind, const std::string& pointer, const JsonValue& where) {
    if (auto it = spec_.node_index.find(name); it != spec_.node_index.end()) {
      where.fail("node " + in_quotes(name) + " is already defined (" + spec_.nodes[it->second].pointer + ")");
    }
    const auto id = static_cast<uint32_t>(spec_.nodes.size());
    spec_.node_index.emplace(name, id);
    spec_.nodes.push_back(NodeSpec{std::move(name), kind, {}, pointer});
    return id;
  }

  void read_node(const JsonValue& v) {
    if (v.is_string()) {
      add_node(read_name(v, "a node name"), NodeKind::kHost, v.pointer(), v);
      return;
    }
    if (!v.is_object()) v.fail_expected("a node name or an object {\"name\": ..., \"kind\": ...}");
    JsonObject o = v.as_object({"name", "kind", "announce"});
    const JsonValue name = o.required("name");
    const NodeKind kind = o.has("kind") ? read_kind(*o.get("kind")) : NodeKind::kHost;
    const uint32_t id = add_node(read_name(name, "a node name"), kind, v.pointer(), name);
    if (auto a = o.get("announce")) {
      for (const JsonValue& p : a->as_array()) spec_.nodes[id].announce.push_back(p.as_ipv4_network());
    }
  }

  uint32_t node_ref(const JsonValue& where, const std::string& name) {
    auto it = spec_.node_index.find(name);
    if (it == spec_.node_index.end()) where.fail("unknown node " + in_quotes(name));
    return it->second;
  }

  // ---- links ----------------------------------------------------------------

  // The parameters every link must end up with, after defaults.
  void require_params(const JsonValue& where, const LinkParams& p) {
    const char* missing = !p.bandwidth ? "bandwidth" : !p.delay ? "delay" : nullptr;
    if (!missing) return;
    where.fail("missing required key " + in_quotes(missing) + " (and \"defaults\" does not set it)");
  }

  EndpointSpec read_endpoint(const JsonValue& v, const LinkParams& p) {
    EndpointSpec e;
    e.pointer = v.pointer();
    e.mtu = p.mtu;
    e.queue = p.queue;
    if (v.is_string()) {
      e.node = node_ref(v, v.as_string());
      return e;
    }
    if (!v.is_object()) v.fail_expected("a node name or an object {\"node\": ..., \"addr\": ...}");
    JsonObject o = v.as_object({"node", "dev", "addr", "mtu", "queue"});
    const JsonValue node = o.required("node");
    e.node = node_ref(node, node.as_string());
    if (auto d = o.get("dev")) {
      e.dev = read_name(*d, "a device name");
      e.dev_pointer = d->pointer();
    }
    if (auto a = o.get("addr")) {
      e.numbered = true;
      e.addr = a->as_ipv4_interface();
      e.addr_pointer = a->pointer();
    }
    if (auto m = o.get("mtu")) e.mtu = read_mtu(*m);
    if (auto q = o.get("queue")) e.queue = read_queue(*q);
    return e;
  }

  LinkSpec read_link(const JsonValue& v) {
    JsonObject o = v.as_object(keys_plus({"name", "a", "b"}));
    const LinkParams p = read_link_params(o, defaults_);
    require_params(v, p);
    LinkSpec l;
    l.pointer = v.pointer();
    l.end[0] = read_endpoint(o.required("a"), p);
    l.end[1] = read_endpoint(o.required("b"), p);
    if (l.end[0].node == l.end[1].node) {
      o.required("b").fail("a link must join two different nodes, got " + in_quotes(spec_.nodes[l.end[0].node].name) +
                           " at both ends");
    }
    l.name = o.has("name") ? read_name(*o.get("name"), "a link name")
                           : spec_.nodes[l.end[0].node].name + "-" + spec_.nodes[l.end[1].node].name;
    l.name_pointer = o.has("name") ? o.get("name")->pointer() : v.pointer();
    l.bandwidth_bps = *p.bandwidth;
    l.delay = *p.delay;
    l.loss = p.loss;
    return l;
  }

  void add_link(LinkSpec l) {
    if (auto it = spec_.link_index.find(l.name); it != spec_.link_index.end()) {
      throw ConfigError(spec_.file, l.name_pointer,
                        "link " + in_quotes(l.name) + " is already defined (" + spec_.links[it->second].pointer + ")");
    }
    spec_.link_index.emplace(l.name, static_cast<uint32_t>(spec_.links.size()));
    spec_.links.push_back(std::move(l));
  }

  // A generated link between two nodes; addresses are set by the caller.
  LinkSpec make_link(std::string name, uint32_t a, uint32_t b, const LinkParams& p, const std::string& pointer) {
    LinkSpec l;
    l.name = std::move(name);
    l.name_pointer = pointer;
    l.pointer = pointer;
    for (int i = 0; i < 2; ++i) {
      l.end[i].node = i == 0 ? a : b;
      l.end[i].mtu = p.mtu;
      l.end[i].queue = p.queue;
      l.end[i].pointer = pointer;
      l.end[i].addr_pointer = pointer;
    }
    l.bandwidth_bps = *p.bandwidth;
    l.delay = *p.delay;
    l.loss = p.loss;
    return l;
  }

  // ---- groups and shapes ----------------------------------------------------

  // Creates `count` members named NAME1..NAMEcount, each with one link to
  // `attach`. Members get /32 addresses from the pool on their device; the
  // device at `attach` is unnumbered. Nodes are created now, links later.
  void expand_group(const std::string& name, uint64_t count, NodeKind kind, const std::optional<Ipv4Prefix>& pool,
                    uint32_t attach, const LinkParams& p, const JsonValue& where, std::vector<LinkSpec>& out) {
    if (pool) {
      const Pool pl{*pool};
      if (count > pl.capacity()) {
        where.fail(std::to_string(count) + " addresses do not fit in " + ipv4_prefix_str(prefix_network(*pool)) +
                   " (room for " + std::to_string(pl.capacity()) + ")");
      }
    }
    for (uint64_t i = 0; i < count; ++i) {
      const uint32_t id = add_node(name + std::to_string(i + 1), kind, where.pointer(), where);
      LinkSpec l = make_link(spec_.nodes[id].name + "-" + spec_.nodes[attach].name, id, attach, p, where.pointer());
      if (pool) {
        l.end[0].numbered = true;
        l.end[0].addr = Ipv4Prefix{Pool{*pool}.at(i), 32};
      }
      out.push_back(std::move(l));
    }
  }

  struct GroupArgs {
    std::string name;
    uint64_t count = 0;
    NodeKind kind = NodeKind::kHost;
    std::optional<Ipv4Prefix> pool;
  };

  GroupArgs read_group_args(const JsonObject& o, bool require_addresses) {
    GroupArgs g;
    g.name = read_name(o.required("name"), "a name");
    g.count = static_cast<uint64_t>(o.required("count").as_int(1, 1 << 20));
    if (auto k = o.get("kind")) g.kind = read_kind(*k);
    if (auto a = o.get("addresses")) {
      g.pool = a->as_ipv4_network();
    } else if (require_addresses && g.kind == NodeKind::kHost) {
      o.fail("missing required key \"addresses\" (hosts need addresses)");
    }
    return g;
  }

  LinkParams read_link_template(const JsonObject& o, std::string_view key, const JsonValue& where,
                                std::initializer_list<std::string_view> extra = {}) {
    LinkParams p = defaults_;
    if (auto v = o.get(key)) {
      p = read_link_params(v->as_object(keys_plus(extra)), defaults_);
      require_params(*v, p);
    } else {
      require_params(where, p);
    }
    return p;
  }

  void read_group(const JsonObject& o, uint32_t attach, std::vector<LinkSpec>& out) {
    const GroupArgs g = read_group_args(o, true);
    const LinkParams p = read_link_template(o, "link", o.self());
    expand_group(g.name, g.count, g.kind, g.pool, attach, p, o.self(), out);
    if (g.pool && o.get_bool("announce", true)) spec_.nodes[attach].announce.push_back(*g.pool);
  }

  void read_shape(const JsonValue& v, std::vector<LinkSpec>& out) {
    const JsonValue type = v.as_map().required("type");
    const std::string t = type.is_string() ? type.as_string() : std::string();
    if (t == "star") {
      read_star(v, out);
    } else if (t == "dumbbell") {
      read_dumbbell(v, out);
    } else if (t == "leaf_spine") {
      read_leaf_spine(v, out);
    } else {
      type.fail_expected("\"star\", \"dumbbell\" or \"leaf_spine\"");
    }
  }

  // A router "hub" with a group of members around it.
  void read_star(const JsonValue& v, std::vector<LinkSpec>& out) {
    JsonObject o = v.as_object({"type", "hub", "name", "count", "kind", "addresses", "link", "announce"});
    const std::string hub_name = o.has("hub") ? read_name(*o.get("hub"), "a node name") : "hub";
    const uint32_t hub = add_node(hub_name, NodeKind::kRouter, v.pointer(), v);
    read_group(o, hub, out);
  }

  // Two routers joined by a bottleneck link, hosts on either side.
  void read_dumbbell(const JsonValue& v, std::vector<LinkSpec>& out) {
    JsonObject o = v.as_object({"type", "left", "right", "left_router", "right_router", "access", "bottleneck"});
    const std::string lr = o.has("left_router") ? read_name(*o.get("left_router"), "a node name") : "left-router";
    const std::string rr = o.has("right_router") ? read_name(*o.get("right_router"), "a node name") : "right-router";
    const uint32_t left = add_node(lr, NodeKind::kRouter, v.pointer(), v);
    const uint32_t right = add_node(rr, NodeKind::kRouter, v.pointer(), v);
    const LinkParams access = read_link_template(o, "access", v);
    const LinkParams neck = read_link_template(o, "bottleneck", v, {"name"});
    std::string neck_name = "bottleneck";
    std::string neck_pointer = v.pointer();
    if (auto b = o.get("bottleneck")) {
      neck_pointer = b->pointer();
      if (auto n = b->as_map().get("name")) neck_name = read_name(*n, "a link name");
    }
    out.push_back(make_link(neck_name, left, right, neck, neck_pointer));
    for (const auto& [side, router] : {std::pair{"left", left}, std::pair{"right", right}}) {
      const JsonValue s = o.required(side);
      const GroupArgs g = read_group_args(s.as_object({"name", "count", "kind", "addresses"}), true);
      expand_group(g.name, g.count, g.kind, g.pool, router, access, s, out);
      if (g.pool) spec_.nodes[router].announce.push_back(*g.pool);
    }
  }

  // Spines fully meshed with leaves; hosts under each leaf. Leaf L's hosts
  // take /32 addresses from the L-th equal block of the pool, so each rack
  // has its own prefix ("10.0.0.0/16" with 4 leaves: 10.0.0.0/18, 10.0.64.0/18...).
  void read_leaf_spine(const JsonValue& v, std::vector<LinkSpec>& out) {
    JsonObject o = v.as_object({"type", "spines", "leaves", "hosts_per_leaf", "addresses", "spine_name",
                                "leaf_name", "host_name", "host_link", "fabric_link"});
    const auto spines = static_cast<uint32_t>(o.required("spines").as_int(1, 1024));
    const auto leaves = static_cast<uint32_t>(o.required("leaves").as_int(1, 1 << 16));
    const auto per_leaf = static_cast<uint32_t>(o.required("hosts_per_leaf").as_int(0, 1 << 16));
    const Ipv4Prefix pool = o.required("addresses").as_ipv4_network();
    const std::string spine_name = o.has("spine_name") ? read_name(*o.get("spine_name"), "a name") : "spine";
    const std::string leaf_name = o.has("leaf_name") ? read_name(*o.get("leaf_name"), "a name") : "leaf";
    const std::string host_name = o.has("host_name") ? read_name(*o.get("host_name"), "a name") : "host";
    const LinkParams host_link = read_link_template(o, "host_link", v);
    const LinkParams fabric_link = read_link_template(o, "fabric_link", v);

    uint32_t bits = 0;
    while ((uint32_t{1} << bits) < leaves) ++bits;
    if (pool.len + bits > 30) {
      o.required("addresses").fail("too small to give each of " + std::to_string(leaves) + " leaves its own block");
    }
    const auto block_len = static_cast<uint8_t>(pool.len + bits);

    std::vector<uint32_t> spine_ids, leaf_ids;
    for (uint32_t s = 0; s < spines; ++s) {
      spine_ids.push_back(add_node(spine_name + std::to_string(s + 1), NodeKind::kRouter, v.pointer(), v));
    }
    for (uint32_t l = 0; l < leaves; ++l) {
      leaf_ids.push_back(add_node(leaf_name + std::to_string(l + 1), NodeKind::kRouter, v.pointer(), v));
    }
    for (uint32_t l = 0; l < leaves; ++l) {
      for (uint32_t s = 0; s < spines; ++s) {
        const std::string name = spec_.nodes[leaf_ids[l]].name + "-" + spec_.nodes[spine_ids[s]].name;
        out.push_back(make_link(name, leaf_ids[l], spine_ids[s], fabric_link, v.pointer()));
      }
    }
    for (uint32_t l = 0; l < leaves; ++l) {
      const Ipv4Prefix block{prefix_first(pool) + (l << (32 - block_len)), block_len};
      expand_group(host_name + std::to_string(l + 1) + "-", per_leaf, NodeKind::kHost, block, leaf_ids[l],
                   host_link, o.required("hosts_per_leaf"), out);
      spec_.nodes[leaf_ids[l]].announce.push_back(block);
    }
  }

  // ---- devices and addresses ------------------------------------------------

  void name_devices() {
    spec_.node_devs.assign(spec_.nodes.size(), {});
    std::vector<std::map<std::string, std::string, std::less<>>> taken(spec_.nodes.size());  // name -> pointer
    for (uint32_t li = 0; li < spec_.links.size(); ++li) {
      for (uint8_t e = 0; e < 2; ++e) {
        EndpointSpec& ep = spec_.links[li].end[e];
        spec_.node_devs[ep.node].push_back(DevRef{li, e});
        if (ep.dev.empty()) continue;
        auto [it, fresh] = taken[ep.node].emplace(ep.dev, ep.dev_pointer);
        if (!fresh) {
          throw ConfigError(spec_.file, ep.dev_pointer,
                            "device " + in_quotes(ep.dev) + " already exists on node " +
                                in_quotes(spec_.nodes[ep.node].name) + " (" + it->second + ")");
        }
      }
    }
    std::vector<uint32_t> next(spec_.nodes.size(), 0);
    for (LinkSpec& l : spec_.links) {
      for (EndpointSpec& ep : l.end) {
        if (!ep.dev.empty()) continue;
        std::string name;
        do {
          name = "eth" + std::to_string(next[ep.node]++);
        } while (taken[ep.node].count(name));
        ep.dev = name;
      }
    }
  }

  std::string where_is(DevRef d) const {
    const EndpointSpec& e = spec_.endpoint(d);
    return ipv4_prefix_str(e.addr) + " on " + spec_.nodes[e.node].name + ":" + e.dev + " (" + e.addr_pointer + ")";
  }

  // Every address unique; no two prefixes of different links overlap (a
  // subnet belongs to one link, which also rules out overlapping prefixes on
  // one node). Sorting makes this O(n log n) for 100k-host files.
  void check_addresses() {
    struct Item {
      uint32_t first, last;
      DevRef ref;
    };
    std::vector<Item> items;
    std::map<uint32_t, DevRef> by_addr;
    for (uint32_t li = 0; li < spec_.links.size(); ++li) {
      for (uint8_t e = 0; e < 2; ++e) {
        const EndpointSpec& ep = spec_.links[li].end[e];
        if (!ep.numbered) continue;
        auto [it, fresh] = by_addr.emplace(ep.addr.addr, DevRef{li, e});
        if (!fresh) {
          throw ConfigError(spec_.file, ep.addr_pointer,
                            "address " + ipv4_addr_str(ep.addr.addr) + " of " + spec_.nodes[ep.node].name + ":" +
                                ep.dev + " is already used by " + where_is(it->second));
        }
        items.push_back(Item{prefix_first(ep.addr), prefix_last(ep.addr), DevRef{li, e}});
      }
    }
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      if (a.first != b.first) return a.first < b.first;
      if (a.last != b.last) return a.last > b.last;
      if (a.ref.link != b.ref.link) return a.ref.link < b.ref.link;
      return a.ref.end < b.ref.end;
    });
    // An item overlaps some earlier one iff it starts before the largest end
    // seen so far; the item holding that end is then a witness.
    const Item* cover = nullptr;
    for (const Item& it : items) {
      if (cover && it.first <= cover->last && it.ref.link != cover->ref.link) {
        // Report at whichever of the two comes later in the file.
        const bool it_later = it.ref.link > cover->ref.link;
        const DevRef later = it_later ? it.ref : cover->ref;
        const DevRef earlier = it_later ? cover->ref : it.ref;
        const EndpointSpec& le = spec_.endpoint(later);
        const EndpointSpec& ee = spec_.endpoint(earlier);
        std::string msg = "prefix " + ipv4_prefix_str(prefix_network(le.addr)) + " of " +
                          spec_.nodes[le.node].name + ":" + le.dev + " overlaps " + where_is(earlier);
        msg += le.node == ee.node ? ": overlapping prefixes on one node" : ": a subnet belongs to one link";
        throw ConfigError(spec_.file, le.addr_pointer, msg);
      }
      if (!cover || it.last > cover->last) cover = &it;
    }
  }

  // ---- static routes --------------------------------------------------------

  void read_route(const JsonValue& v) {
    JsonObject o = v.as_object({"node", "prefix", "dev", "via"});
    StaticRouteSpec r;
    r.pointer = v.pointer();
    const JsonValue node = o.required("node");
    r.node = node_ref(node, node.as_string());
    r.prefix = o.has("prefix") ? o.get("prefix")->as_ipv4_network() : Ipv4Prefix{0, 0};
    const auto& devs = spec_.node_devs[r.node];
    const std::string& node_name = spec_.nodes[r.node].name;
    std::optional<uint32_t> dev;
    if (auto d = o.get("dev")) {
      const std::string name = d->as_string();
      const int64_t i = spec_.find_dev(r.node, name);
      if (i < 0) {
        std::string have;
        for (const DevRef& dr : devs) have += (have.empty() ? "" : ", ") + spec_.endpoint(dr).dev;
        d->fail("node " + in_quotes(node_name) + " has no device " + in_quotes(name) +
                (have.empty() ? std::string(" (it has none)") : " (it has " + have + ")"));
      }
      dev = static_cast<uint32_t>(i);
    }
    if (auto g = o.get("via")) {
      r.gateway = g->as_ipv4();
      std::optional<uint32_t> onlink;
      for (uint32_t i = 0; i < devs.size(); ++i) {
        const EndpointSpec& e = spec_.endpoint(devs[i]);
        if (!e.numbered) continue;
        if (e.addr.addr == r.gateway) g->fail("gateway " + ipv4_addr_str(r.gateway) + " is an address of " + node_name + " itself");
        if (sim::wire::ipv4_prefix_contains(e.addr, r.gateway) && !onlink) onlink = i;
      }
      if (dev) {
        const EndpointSpec& e = spec_.endpoint(devs[*dev]);
        if (e.numbered && !sim::wire::ipv4_prefix_contains(e.addr, r.gateway)) {
          g->fail("gateway " + ipv4_addr_str(r.gateway) + " is not on-link for " + node_name + ":" + e.dev + " (" +
                  ipv4_prefix_str(e.addr) + ")");
        }
      } else if (!onlink) {
        g->fail("gateway " + ipv4_addr_str(r.gateway) + " is not on-link: no device of " + in_quotes(node_name) +
                " has a prefix containing it (give \"dev\")");
      } else {
        dev = onlink;
      }
    }
    if (!dev) o.fail("missing required key \"dev\" or \"via\"");
    r.dev = *dev;
    for (const StaticRouteSpec& other : spec_.routes) {
      if (other.node == r.node && other.prefix == r.prefix) {
        v.fail("a route to " + ipv4_prefix_str(r.prefix) + " on " + in_quotes(node_name) + " is already defined (" +
               other.pointer + ")");
      }
    }
    spec_.routes.push_back(std::move(r));
  }

  const JsonValue& top_;
  TopologySpec& spec_;
  LinkParams defaults_;
};

}  // namespace

int64_t TopologySpec::find_node(std::string_view name) const {
  auto it = node_index.find(name);
  return it == node_index.end() ? -1 : static_cast<int64_t>(it->second);
}

int64_t TopologySpec::find_link(std::string_view name) const {
  auto it = link_index.find(name);
  return it == link_index.end() ? -1 : static_cast<int64_t>(it->second);
}

int64_t TopologySpec::find_dev(uint32_t node, std::string_view dev) const {
  const auto& devs = node_devs[node];
  for (size_t i = 0; i < devs.size(); ++i) {
    if (endpoint(devs[i]).dev == dev) return static_cast<int64_t>(i);
  }
  return -1;
}

TopologySpec parse_topology(const JsonValue& top) {
  TopologySpec spec;
  Loader(top, spec).load();
  return spec;
}

TopologySpec load_topology(const std::string& path) {
  const sim::config::JsonDoc doc = sim::config::load_json_file(path);
  return parse_topology(JsonValue(doc));
}

void check_topology(const std::string& path) { (void)load_topology(path); }

}  // namespace sim::net

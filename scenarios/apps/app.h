// What a scenario application is, to the engine: a row of the app registry
// (registry.cc) that knows its JSON keys, how to read them into a typed
// config, how to echo that config with defaults filled in, and the coroutine
// that runs it on a host. Adding an application means one new file that
// defines an AppDef and one line in registry.cc; the engine (scenarios/runner)
// never names an application.
//
// Apps are written over the simulated system calls (stack/socket.h), so they
// read like the C programs they stand for; syn_flood is the exception that
// writes packets to its host's device (see syn_flood.cc for why).
#pragma once

#include <any>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/runner/results.h"
#include "sim/config/json_reader.h"
#include "sim/net/node.h"
#include "sim/net/routes.h"
#include "sim/net/topology.h"
#include "sim/rng.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/task.h"
#include "stack/net.h"

namespace scenario::apps {

// An address and port an app talks to, resolved at load time.
struct Endpoint {
  std::string text;  // as written: "server:80" or "10.0.0.2:80"
  std::string host;  // the node that owns addr ("" if none does)
  uint32_t addr = 0;
  uint16_t port = 0;
};

// What an app's parse() may ask the loader: names in the topology, routes,
// and which ports are taken.
class AppParseCtx {
 public:
  AppParseCtx(const sim::net::TopologySpec& topo, const sim::net::RouteTables& routes)
      : topo_(topo), routes_(routes) {}

  const sim::net::TopologySpec& topo() const { return topo_; }
  const sim::net::RouteTables& routes() const { return routes_; }

  // Set by the loader for each app before parse().
  uint32_t node = 0;         // the app's host
  std::string host;
  std::string app_pointer;   // "/apps/3"

  // "server:80" (a node name: its first address) or "10.0.0.2:80", which
  // must be reachable from the app's host; fails at v's place otherwise.
  Endpoint resolve_dst(const sim::config::JsonValue& v) const;
  // The first address of a node; 0 if it has none.
  uint32_t node_addr(uint32_t node_id) const;
  // Records that this app listens on addr:port of its host; a second claim
  // that overlaps (same port, same or wildcard address) fails at v's place.
  void claim_port(const sim::config::JsonValue& v, uint32_t addr, uint16_t port);

 private:
  struct Claim {
    uint32_t node;
    uint32_t addr;
    uint16_t port;
    std::string by;
  };
  const sim::net::TopologySpec& topo_;
  const sim::net::RouteTables& routes_;
  std::vector<Claim> claims_;
};

// A listening socket an app opened; the engine samples its queues and counts
// its packets, the app counts what it accepted.
struct ListenerHandle {
  ListenerResult result;
  stack::net* k = nullptr;
  int fd = -1;
  // Packet counts the engine's device taps keep (see runner/world.cc); the
  // totals land in result, these are for the per-interval rates.
  uint64_t syn_in = 0, synack_out = 0, rst_out = 0, rst_in = 0;
};

// Everything an app gets when it runs. Owned by the engine; lives until the
// world is torn down (after every task).
struct AppEnv {
  sim::Simulator& sim;
  sim::TaskGroup& tasks;   // for apps that start more tasks (one per connection)
  stack::net& k;           // the kernel of the app's host
  sim::net::Node& node;    // the app's host in the network
  sim::SkbPool& pool;
  sim::Rng rng;            // Rng::derive(seed, "app:<index>")
  uint32_t index = 0;
  std::string name;
  AppResult& result;                   // counters any app may keep
  ClientGroupResult* client = nullptr; // set for AppKind::kClient
  std::deque<ListenerHandle>& listeners;   // shared by all apps of the run
  // State that must outlive the app's coroutine (hooks left in the network).
  std::vector<std::shared_ptr<void>>& keep_alive;

  ListenerHandle& add_listener(int fd, uint32_t addr, uint16_t port, int backlog);
};

enum class AppKind : uint8_t {
  kServer,  // opens listeners: expect may read listener metrics by its name
  kClient,  // fills AppEnv::client: expect may read client-group metrics
  kOther,
};

struct AppDef {
  std::string_view type;     // "server", the value of "app" in a scenario
  std::string_view summary;  // one line for docs and `--help`
  AppKind kind;
  std::span<const std::string_view> keys;      // allowed keys besides app, name, host, start
  std::span<const std::string_view> counters;  // names the app puts in AppResult::counters
  std::any (*parse)(const sim::config::JsonObject& o, AppParseCtx& ctx);
  nlohmann::json (*to_json)(const std::any& config);  // the config with every default filled in
  sim::Task<void> (*run)(AppEnv& env, const std::any& config);
};

// The registry (registry.cc).
const AppDef* find_app(std::string_view type);
std::vector<std::string_view> app_types();

// ---- helpers shared by the apps ---------------------------------------------

// A duration-valued random variable: "10ms" (constant), or
// {"dist": "exp", "mean": "10ms"} / {"dist": "uniform", "min": "1ms", "max": "5ms"}.
struct Dist {
  enum class Kind : uint8_t { kConst, kExp, kUniform } kind = Kind::kConst;
  sim::Time a;  // const value, exp mean, uniform min
  sim::Time b;  // uniform max
  sim::Time draw(sim::Rng& rng) const;
  bool zero() const { return kind == Kind::kConst && a == sim::Time(); }
};
Dist parse_dist(const sim::config::JsonValue& v);
nlohmann::json dist_to_json(const Dist& d);

// "10ms"-style text of a duration, the shortest exact unit.
std::string duration_text(sim::Time t);
// A rate in events per second: a positive JSON number (e.g. 2000 or 0.5).
double parse_rate(const sim::config::JsonValue& v);
// Linux's name of an errno value ("ECONNREFUSED"); "E<n>" if we have none.
std::string errno_name(int err);
// Whether `name` is one errno_name() can return (for expect's failed_<name>).
bool is_errno_name(std::string_view name);

sockaddr_in make_sockaddr(uint32_t addr, uint16_t port);

// " (did you mean \"X\"?)" for the candidate closest to `name` by edit
// distance, when it is close enough to be a typo; "" otherwise.
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace scenario::apps

// A scenario file, read once into typed structs and validated completely
// before anything runs: the topology (a path or inline), seed, duration,
// sysctls (global, then per host, through stack::sysctl_set()), the apps
// (each parsed by its registry row), captures, trace, sampling and the expect
// block. Any mistake throws sim::config::ConfigError naming the file, the JSON
// pointer and what was expected; scenarios/README.md documents every key.
#pragma once

#include <any>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/apps/app.h"
#include "scenarios/runner/expect.h"
#include "sim/net/routes.h"
#include "sim/net/topology.h"
#include "sim/time.h"
#include "stack/sysctl.h"

namespace scenario {

enum class TraceLevel : uint8_t {
  kOff,
  kDecisions,  // the stack's decisions (net::tracer): drops, cookies, resets, expiries
  kPackets,    // and every packet sent or received by a host's devices
};

struct CaptureSpec {
  std::string name;     // as written: "client-server" (a link) or "server:eth0" (an interface)
  std::string file;     // "client-server.pcap", "server-eth0.pcap"
  uint32_t node = 0;    // the device captured: a link is captured at its end "a"
  uint32_t dev = 0;     // index in TopologySpec::node_devs[node]
};

struct AppInstance {
  uint32_t index = 0;
  std::string name;  // "name" key, default "<type><index>"
  const apps::AppDef* def = nullptr;
  std::string host;
  uint32_t node = 0;
  sim::Time start;
  std::any config;
};

struct Scenario {
  std::string file;  // as given
  std::string name;
  std::string description;
  std::string topology_ref;  // the path as written, or "" when inline
  sim::net::TopologySpec topology;
  sim::net::RouteTables routes;
  uint64_t seed = 1;
  sim::Time duration;
  sim::Time sample = sim::milliseconds(10);
  // Sysctls of each host that runs a stack, indexed by node id (routers keep defaults, unused).
  std::vector<stack::Sysctls> sysctls;
  std::vector<AppInstance> apps;
  std::vector<CaptureSpec> captures;
  TraceLevel trace = TraceLevel::kOff;
  std::vector<Expectation> expect;
  nlohmann::json echo;  // the scenario with every default filled in (summary.json "scenario")
};

struct LoadOptions {
  std::vector<std::string> sets;     // --set PATH=VALUE, applied in order before validation
  std::optional<uint64_t> seed;      // --seed, overrides "seed"
};

// Reads, overrides and validates. Throws ConfigError.
Scenario load_scenario(const std::string& path, const LoadOptions& opts = {});

// Applies one --set PATH=VALUE to a document. PATH is a JSON pointer with or
// without its leading '/', e.g. "apps/1/rate_pps" or
// "hosts/server/sysctl/net.ipv4.tcp_syncookies" (slashes, not dots, separate
// levels: sysctl names contain dots). Missing objects on the way are created;
// array indices must exist ("-" appends). VALUE is parsed as JSON when it is
// valid JSON (2000, true, "x", {...}) and taken as a string otherwise
// (5s, 10.0.0.2:80); a number replacing a string stays text (duration=0 gives "0").
// Throws ConfigError (file "--set") on a bad path.
void apply_set(nlohmann::json& doc, const std::string& assignment);

// For `netsim check`: validates a file that is either a scenario or a
// topology, deciding by content (a scenario has "apps" or "topology").
// Returns "scenario" or "topology"; throws ConfigError.
std::string check_file(const std::string& path);

}  // namespace scenario

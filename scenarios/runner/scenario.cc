#include "scenarios/runner/scenario.h"

#include <filesystem>
#include <set>

#include "sim/config/config_error.h"
#include "sim/config/json_reader.h"
#include "sim/wire/ipv4_addr.h"

namespace scenario {

namespace {

namespace fs = std::filesystem;
using sim::config::ConfigError;
using sim::config::JsonObject;
using sim::config::JsonValue;

constexpr std::string_view kTopKeys[] = {"name",    "description", "topology", "seed",    "duration",
                                         "stop",    "sample",      "sysctl",   "hosts",   "apps",
                                         "capture", "trace",       "expect"};
constexpr std::string_view kAppCommonKeys[] = {"app", "name", "host", "start"};

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || s[0] == '-' || s[0] == '.') return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  return true;
}

// A relative topology path is looked up from the working directory, then
// from the scenario's directory and each of its parents, so that
// "topologies/two_hosts.json" works from the repository root and from
// anywhere else the scenario file is named from.
std::string resolve_topology_path(const JsonValue& v, const std::string& scenario_file) {
  const std::string p = v.as_string();
  if (p.empty()) v.fail_expected("a topology file path or an inline topology object");
  const fs::path path(p);
  std::error_code ec;
  if (path.is_absolute() || fs::exists(path, ec)) return p;
  for (fs::path dir = fs::absolute(fs::path(scenario_file), ec).parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    if (fs::exists(dir / path, ec)) return (dir / path).string();
    if (dir == dir.parent_path()) break;
  }
  v.fail("cannot find topology file \"" + p + "\" (looked in the working directory and above " + scenario_file +
         ")");
}

std::string sysctl_value_text(const JsonValue& v) {
  if (v.is_integer()) return v.json().dump();
  if (v.is_string()) return v.as_string();
  v.fail_expected("an integer, or a string like \"4096 131072 6291456\" for vector sysctls");
}

// Applies a {"net.ipv4.x": value} map to s; each error names its key.
void apply_sysctls(const JsonValue& v, stack::Sysctls& s, nlohmann::json* echo) {
  for (const auto& [name, val] : v.as_map().members()) {
    const std::string err = stack::sysctl_set(s, name, sysctl_value_text(val));
    if (!err.empty()) {
      const bool known = !stack::sysctl_get(s, name).empty();
      val.fail(err + (known ? std::string() : apps::did_you_mean(name, stack::sysctl_names())));
    }
    if (echo) (*echo)[name] = stack::sysctl_get(s, name);
  }
}

uint32_t host_node(const JsonValue& v, const sim::net::TopologySpec& topo) {
  const std::string name = v.as_string();
  const int64_t n = topo.find_node(name);
  if (n < 0) v.fail("unknown host \"" + name + "\" (not a node of the topology)");
  if (topo.nodes[static_cast<size_t>(n)].kind != sim::net::NodeKind::kHost)
    v.fail("\"" + name + "\" is a router; apps, sysctls and expectations apply to hosts");
  return static_cast<uint32_t>(n);
}

CaptureSpec parse_capture(const JsonValue& v, const sim::net::TopologySpec& topo) {
  std::string what;
  bool is_link = false;
  JsonValue at = v;
  if (v.is_string()) {
    what = v.as_string();
    is_link = what.find(':') == std::string::npos;
  } else {
    JsonObject o = v.as_object({"link", "interface"});
    if (o.has("link") == o.has("interface")) o.fail("give exactly one of \"link\" and \"interface\"");
    is_link = o.has("link");
    at = o.required(is_link ? "link" : "interface");
    what = at.as_string();
  }
  CaptureSpec c;
  c.name = what;
  if (is_link) {
    const int64_t l = topo.find_link(what);
    if (l < 0) at.fail("unknown link \"" + what + "\" (captures name a link, or an interface as \"node:dev\")");
    const sim::net::LinkSpec& ls = topo.links[static_cast<size_t>(l)];
    c.node = ls.end[0].node;
    c.dev = static_cast<uint32_t>(topo.find_dev(c.node, ls.end[0].dev));
    c.file = what + ".pcap";
  } else {
    const size_t colon = what.find(':');
    const std::string node = what.substr(0, colon), dev = what.substr(colon + 1);
    const int64_t n = topo.find_node(node);
    if (n < 0) at.fail("unknown node \"" + node + "\" in \"" + what + "\"");
    const int64_t d = topo.find_dev(static_cast<uint32_t>(n), dev);
    if (d < 0) at.fail("node \"" + node + "\" has no device \"" + dev + "\"");
    c.node = static_cast<uint32_t>(n);
    c.dev = static_cast<uint32_t>(d);
    c.file = node + "-" + dev + ".pcap";
  }
  return c;
}

TraceLevel parse_trace(const JsonValue& v) {
  if (v.json().is_boolean()) return v.as_bool() ? TraceLevel::kDecisions : TraceLevel::kOff;
  const std::string s = v.is_string() ? v.as_string() : std::string();
  if (s == "off") return TraceLevel::kOff;
  if (s == "decisions") return TraceLevel::kDecisions;
  if (s == "packets") return TraceLevel::kPackets;
  v.fail_expected("true, false, \"off\", \"decisions\" or \"packets\"");
}

const char* trace_text(TraceLevel t) {
  switch (t) {
    case TraceLevel::kOff: return "off";
    case TraceLevel::kDecisions: return "decisions";
    case TraceLevel::kPackets: return "packets";
  }
  return "off";
}

std::string file_stem(const std::string& path) { return fs::path(path).stem().string(); }

// RFC 6901 unescaping of one token.
std::string unescape_token(const std::string& t) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '~' && i + 1 < t.size() && (t[i + 1] == '0' || t[i + 1] == '1')) {
      out += t[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += t[i];
    }
  }
  return out;
}

}  // namespace

void apply_set(nlohmann::json& doc, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set", "", "expected PATH=VALUE (e.g. apps/1/rate_pps=2000), got \"" + assignment + "\"");
  std::string path = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  if (path[0] == '/') path.erase(0, 1);
  std::vector<std::string> tokens;
  for (size_t start = 0;;) {
    const size_t slash = path.find('/', start);
    tokens.push_back(unescape_token(path.substr(start, slash - start)));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(value);
  } catch (const nlohmann::json::parse_error&) {
    parsed = value;  // not JSON: a plain string such as 5s or server:80
  }
  nlohmann::json* cur = &doc;
  std::string where;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    const bool last = i + 1 == tokens.size();
    if (cur->is_null()) *cur = nlohmann::json::object();
    if (cur->is_object()) {
      if (last) {
        // Replacing a string keeps the text as written: duration=0 stays "0".
        const auto it = cur->find(t);
        (*cur)[t] = it != cur->end() && it->is_string() && parsed.is_number() ? nlohmann::json(value) : parsed;
        return;
      }
      cur = &(*cur)[t];
    } else if (cur->is_array()) {
      if (t == "-" && last) {
        cur->push_back(parsed);
        return;
      }
      size_t idx = 0;
      bool ok = !t.empty() && t.size() < 10;
      for (char c : t) ok = ok && c >= '0' && c <= '9';
      if (ok) idx = std::stoul(t);
      if (!ok || idx >= cur->size())
        throw ConfigError("--set", "/" + path,
                          "no element " + t + " at " + (where.empty() ? "(root)" : where) + " (an array of " +
                              std::to_string(cur->size()) + ")");
      if (last) {
        (*cur)[idx] = (*cur)[idx].is_string() && parsed.is_number() ? nlohmann::json(value) : parsed;
        return;
      }
      cur = &(*cur)[idx];
    } else {
      throw ConfigError("--set", "/" + path, (where.empty() ? "(root)" : where) + " is neither an object nor an array");
    }
    where += "/" + sim::config::json_pointer_escape(t);
  }
}

Scenario load_scenario(const std::string& path, const LoadOptions& opts) {
  sim::config::JsonDoc doc = sim::config::load_json_file(path);
  if (!doc.root.is_object()) JsonValue(doc).fail_expected("a scenario object");
  for (const std::string& s : opts.sets) apply_set(doc.root, s);
  if (opts.seed) doc.root["seed"] = *opts.seed;

  Scenario sc;
  sc.file = path;
  const JsonObject top = JsonValue(doc).as_object(std::vector<std::string_view>(std::begin(kTopKeys), std::end(kTopKeys)));
  sc.name = top.get_string("name", file_stem(path));
  if (!valid_name(sc.name)) top.required("name").fail_expected("a name of letters, digits, '_', '-', '.'");
  sc.description = top.get_string("description", "");

  // Topology.
  const JsonValue tv = top.required("topology");
  if (tv.is_object()) {
    sc.topology = sim::net::parse_topology(tv);
  } else {
    sc.topology_ref = tv.as_string();
    sc.topology = sim::net::load_topology(resolve_topology_path(tv, path));
  }
  sc.routes = sim::net::compute_routes(sc.topology);
  const sim::net::TopologySpec& topo = sc.topology;

  sc.seed = static_cast<uint64_t>(top.get_int("seed", 1, 0, INT64_MAX));
  if (top.has("duration") && top.has("stop")) top.required("stop").fail("give \"duration\" or \"stop\", not both");
  const JsonValue dv = top.has("stop") ? top.required("stop") : top.required("duration");
  sc.duration = dv.as_duration();
  if (sc.duration <= sim::Time()) dv.fail_expected("a duration > 0");
  sc.sample = top.get_duration("sample", sim::milliseconds(10));
  if (sc.sample <= sim::Time()) top.required("sample").fail_expected("a sampling interval > 0");

  // Sysctls: global first, then each host's own.
  nlohmann::json echo_sysctl = nlohmann::json::object();
  stack::Sysctls global;
  if (auto g = top.get("sysctl")) apply_sysctls(*g, global, &echo_sysctl);
  sc.sysctls.assign(topo.nodes.size(), global);
  nlohmann::json echo_hosts = nlohmann::json::object();
  if (auto h = top.get("hosts")) {
    for (const auto& [name, hv] : h->as_map().members()) {
      const int64_t n = topo.find_node(name);
      if (n < 0) hv.fail("unknown host \"" + name + "\" (not a node of the topology)");
      if (topo.nodes[static_cast<size_t>(n)].kind != sim::net::NodeKind::kHost)
        hv.fail("\"" + name + "\" is a router; sysctls apply to hosts");
      JsonObject ho = hv.as_object({"sysctl"});
      nlohmann::json e = nlohmann::json::object();
      if (auto s = ho.get("sysctl")) apply_sysctls(*s, sc.sysctls[static_cast<size_t>(n)], &e);
      echo_hosts[name] = {{"sysctl", e}};
    }
  }

  // Apps.
  apps::AppParseCtx ctx(topo, sc.routes);
  std::set<std::string> app_names;
  nlohmann::json echo_apps = nlohmann::json::array();
  if (auto a = top.get("apps")) {
    const std::vector<JsonValue> items = a->as_array();
    for (size_t i = 0; i < items.size(); ++i) {
      const JsonValue& av = items[i];
      if (!av.is_object()) av.fail_expected("an app object");
      const JsonObject pre = av.as_map();
      const JsonValue type_v = pre.required("app");
      const std::string type = type_v.as_string();
      const apps::AppDef* def = apps::find_app(type);
      if (!def) {
        std::string known;
        for (std::string_view t : apps::app_types()) known += (known.empty() ? "" : ", ") + std::string(t);
        type_v.fail("unknown app \"" + type + "\"; known apps: " + known);
      }
      std::vector<std::string_view> keys(std::begin(kAppCommonKeys), std::end(kAppCommonKeys));
      keys.insert(keys.end(), def->keys.begin(), def->keys.end());
      const JsonObject o = av.as_object(keys);
      AppInstance inst;
      inst.index = static_cast<uint32_t>(i);
      inst.def = def;
      inst.node = host_node(o.required("host"), topo);
      inst.host = topo.nodes[inst.node].name;
      inst.name = o.get_string("name", std::string(def->type) + std::to_string(i));
      if (!valid_name(inst.name)) o.required("name").fail_expected("a name of letters, digits, '_', '-', '.'");
      if (topo.find_node(inst.name) >= 0)
        (o.has("name") ? o.required("name") : av).fail("app name \"" + inst.name + "\" is also a node name; expect could not tell them apart");
      if (!app_names.insert(inst.name).second)
        (o.has("name") ? o.required("name") : av).fail("duplicate app name \"" + inst.name + "\"");
      inst.start = o.get_duration("start", sim::Time());
      if (inst.start >= sc.duration)
        o.required("start").fail("starts at or after the end of the run (duration " + apps::duration_text(sc.duration) + ")");
      ctx.node = inst.node;
      ctx.host = inst.host;
      ctx.app_pointer = av.pointer();
      inst.config = def->parse(o, ctx);
      nlohmann::json e = def->to_json(inst.config);
      e["app"] = def->type;
      e["name"] = inst.name;
      e["host"] = inst.host;
      e["start"] = apps::duration_text(inst.start);
      echo_apps.push_back(e);
      sc.apps.push_back(std::move(inst));
    }
  }

  // Captures.
  nlohmann::json echo_capture = nlohmann::json::array();
  if (auto c = top.get("capture")) {
    std::set<std::string> files;
    for (const JsonValue& cv : c->as_array()) {
      CaptureSpec cs = parse_capture(cv, topo);
      if (!files.insert(cs.file).second) cv.fail("captured twice (file " + cs.file + ")");
      echo_capture.push_back(cs.name);
      sc.captures.push_back(std::move(cs));
    }
  }
  if (auto t = top.get("trace")) sc.trace = parse_trace(*t);

  // Expectations: targets are the hosts and the apps.
  std::vector<ExpectTarget> targets;
  for (uint32_t n = 0; n < topo.nodes.size(); ++n)
    if (topo.nodes[n].kind == sim::net::NodeKind::kHost)
      targets.push_back(ExpectTarget{topo.nodes[n].name, TargetKind::kHost, n, nullptr});
  for (const AppInstance& a : sc.apps) targets.push_back(ExpectTarget{a.name, TargetKind::kApp, a.index, a.def});
  if (auto e = top.get("expect")) sc.expect = parse_expect(*e, targets);

  sc.echo = nlohmann::json::object();
  sc.echo["name"] = sc.name;
  sc.echo["description"] = sc.description;
  sc.echo["topology"] = tv.is_object() ? tv.json() : nlohmann::json(sc.topology_ref);
  sc.echo["seed"] = sc.seed;
  sc.echo["duration"] = apps::duration_text(sc.duration);
  sc.echo["sample"] = apps::duration_text(sc.sample);
  sc.echo["sysctl"] = echo_sysctl;
  sc.echo["hosts"] = echo_hosts;
  sc.echo["apps"] = echo_apps;
  sc.echo["capture"] = echo_capture;
  sc.echo["trace"] = trace_text(sc.trace);
  sc.echo["expect"] = top.has("expect") ? top.required("expect").json() : nlohmann::json::object();
  return sc;
}

std::string check_file(const std::string& path) {
  sim::config::JsonDoc doc = sim::config::load_json_file(path);
  if (doc.root.is_object() && (doc.root.contains("apps") || doc.root.contains("topology"))) {
    load_scenario(path);
    return "scenario";
  }
  sim::net::check_topology(path);
  return "topology";
}

}  // namespace scenario

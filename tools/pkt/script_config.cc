#include "tools/pkt/script_config.h"

#include <charconv>

namespace pkt {
namespace {

// packetdrill options that make no sense for a simulated host (wire mode,
// shared-object stacks, post-processing code, device speed) or change lexing
// (--define); naming them keeps the message precise.
constexpr std::string_view kUnsupported[] = {
    "wire_client", "wire_server", "wire_server_ip", "wire_server_at", "wire_server_port",
    "wire_client_dev", "wire_server_dev", "so_filename", "so_flags", "code_command", "code_format",
    "code_sockopt", "init_scripts", "speed", "define", "non_fatal", "dry_run", "is_anyip",
    "send_omit_free", "psp_udp_port", "debug", "verbose",
};

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    const std::size_t dot = s.find('.', i);
    const std::string_view part = s.substr(i, dot == std::string_view::npos ? std::string_view::npos : dot - i);
    if (part.empty() || part.size() > 3) return false;
    for (char c : part)
      if (c < '0' || c > '9') return false;
    if (*parse_int(part) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  return parts == 4;
}

std::string bad_value(const Option& o, std::string_view what) {
  return "bad value '" + o.value.value_or("") + "' for --" + o.name + " (" + std::string(what) + ")";
}

}  // namespace

std::optional<std::string> apply_option(ScriptConfig& c, const Option& o) {
  const std::string& n = o.name;
  for (std::string_view u : kUnsupported)
    if (n == u) return "unsupported option '--" + n + "'";

  const bool is_flag = n == "tcp_ts_ecr_scaled" || n == "strict_segments";
  if (is_flag) {
    if (o.value) return "option '--" + n + "' takes no value";
    (n == "tcp_ts_ecr_scaled" ? c.tcp_ts_ecr_scaled : c.strict_segments) = true;
    return std::nullopt;
  }
  static constexpr std::string_view kValued[] = {
      "ip_version", "local_ip", "remote_ip", "gateway_ip", "netmask_ip", "bind_port", "connect_port",
      "mss", "mtu", "tolerance_usecs", "tolerance_percent", "tcp_ts_tick_usecs",
  };
  bool known = false;
  for (std::string_view k : kValued) known = known || n == k;
  if (!known) return "unknown option '--" + n + "'";
  if (!o.value) return "option '--" + n + "' needs a value (--" + n + "=...)";
  const std::string& v = *o.value;
  const std::optional<int64_t> iv = parse_int(v);

  if (n == "ip_version") {
    if (v == "ipv4") return std::nullopt;
    if (v == "ipv6" || v == "ipv4-mapped-ipv6") return "unsupported: --ip_version=" + v + " (only ipv4)";
    return bad_value(o, "ipv4, ipv6 or ipv4-mapped-ipv6");
  }
  if (n == "local_ip" || n == "gateway_ip" || n == "netmask_ip") {
    if (!is_ipv4(v)) return bad_value(o, "an IPv4 address such as 192.168.0.2");
    (n == "local_ip" ? c.local_ip : n == "gateway_ip" ? c.gateway_ip : c.netmask_ip) = v;
    return std::nullopt;
  }
  if (n == "remote_ip") {
    const std::size_t slash = v.find('/');
    const std::string addr = v.substr(0, slash);
    int len = c.remote_prefix_len;
    if (slash != std::string::npos) {
      const std::optional<int64_t> l = parse_int(std::string_view(v).substr(slash + 1));
      if (!l || *l < 0 || *l > 32) return bad_value(o, "an IPv4 address, optionally with /prefix_len");
      len = static_cast<int>(*l);
    }
    if (!is_ipv4(addr)) return bad_value(o, "an IPv4 address, optionally with /prefix_len");
    c.remote_ip = addr;
    c.remote_prefix_len = len;
    return std::nullopt;
  }
  if (n == "bind_port" || n == "connect_port") {
    if (!iv || *iv <= 0 || *iv > 0xffff) return bad_value(o, "a port 1..65535");
    (n == "bind_port" ? c.bind_port : c.connect_port) = static_cast<uint16_t>(*iv);
    return std::nullopt;
  }
  if (n == "mss") {
    if (!iv || *iv <= 0 || *iv > 0xffff) return bad_value(o, "1..65535");
    c.mss = static_cast<int>(*iv);
    return std::nullopt;
  }
  if (n == "mtu") {
    if (!iv || *iv < 0 || *iv > 0xffff) return bad_value(o, "0..65535");
    c.mtu = static_cast<int>(*iv);
    return std::nullopt;
  }
  if (n == "tolerance_usecs") {
    if (!iv || *iv <= 0) return bad_value(o, "a positive number of microseconds");
    c.tolerance_usecs = *iv;
    return std::nullopt;
  }
  if (n == "tcp_ts_tick_usecs") {
    if (!iv || *iv < 0 || *iv > 1000000) return bad_value(o, "0..1000000");
    c.tcp_ts_tick_usecs = static_cast<int>(*iv);
    return std::nullopt;
  }
  // tolerance_percent
  double pct = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), pct);
  if (ec != std::errc() || ptr != v.data() + v.size() || !(pct >= 0.0 && pct <= 100.0))
    return bad_value(o, "a percentage 0..100");
  c.tolerance_percent = pct;
  return std::nullopt;
}

std::optional<Option> parse_option_arg(std::string_view arg) {
  if (arg.size() < 3 || arg.substr(0, 2) != "--") return std::nullopt;
  Option o;
  const std::size_t eq = arg.find('=');
  o.name = std::string(arg.substr(2, eq == std::string_view::npos ? std::string_view::npos : eq - 2));
  if (o.name.empty()) return std::nullopt;
  for (char ch : o.name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!ok) return std::nullopt;
  }
  if (eq != std::string_view::npos) o.value = std::string(arg.substr(eq + 1));
  return o;
}

ConfigResult resolve_config(const Script& script, const std::vector<Option>& command_line) {
  ConfigResult r;
  for (const Option& o : script.options) {
    if (auto err = apply_option(r.config, o)) {
      r.error = script.path + ":" + std::to_string(o.loc.line) + ":" + std::to_string(o.loc.column) + ": " + *err;
      return r;
    }
  }
  for (const Option& o : command_line) {
    if (auto err = apply_option(r.config, o)) {
      r.error = "command line: " + *err;
      return r;
    }
  }
  return r;
}

}  // namespace pkt

// Run settings from `--name=value` options: the script's own option lines
// first, then the command line, which wins (as in packetdrill's
// parse_and_finalize_config(), config.c).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/pkt/ast.h"

namespace pkt {

// Defaults are packetdrill's (set_default_config() and set_ipv4_defaults()
// in config.c).
struct ScriptConfig {
  std::string local_ip;                 // empty: the runner picks one in 192.168.0.0/16
  std::string remote_ip = "192.0.2.1";  // the scripted peer
  int remote_prefix_len = 24;
  std::string gateway_ip = "192.168.0.1";
  std::string netmask_ip = "255.255.0.0";
  uint16_t bind_port = 8080;     // bind(fd, ..., ...) binds the local address to this port
  uint16_t connect_port = 8080;  // connect(fd, ..., ...) targets remote_ip:connect_port
  std::optional<int> mss;        // inbound packets are handed over as GSO with this segment size
  int mtu = 1500;
  int64_t tolerance_usecs = 4000;
  double tolerance_percent = 12.5;  // of the time since the previous event, if larger
  bool tcp_ts_ecr_scaled = false;   // infer inbound TS ecr values not seen as outbound TS val
  int tcp_ts_tick_usecs = 0;        // 0: outbound TS val is not checked
  bool strict_segments = false;     // outbound TSO/GSO segments are not aggregated
};

// Applies one option; returns the error message if it is unknown, unsupported
// or has a bad value ("unsupported option '--wire_client'").
std::optional<std::string> apply_option(ScriptConfig& config, const Option& option);

// `--name=value` or `--name` from a command line; nullopt if `arg` is not an
// option of that form.
std::optional<Option> parse_option_arg(std::string_view arg);

struct ConfigResult {
  ScriptConfig config;
  std::optional<std::string> error;  // "a.pkt:1:1: bad value '0' for --tolerance_usecs: ..."
};

// Script options, then command-line options (which override them).
ConfigResult resolve_config(const Script& script, const std::vector<Option>& command_line);

}  // namespace pkt

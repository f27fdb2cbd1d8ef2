// The one kind of shell command the simulated host runs: `sysctl` writes.
//
//   sysctl -q net.ipv4.tcp_syncookies=0 net.ipv4.tcp_rmem="4096 131072 6291456"
//   sysctl -w net.core.somaxconn=3
//
// Words are split and unquoted as /bin/sh would ('...', "...", backslash),
// and everything a shell would do beyond that (variables, pipes, ';', globs,
// other programs) is reported as unsupported instead of guessed at.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/pkt/ast.h"

namespace pkt {

struct SysctlSetting {
  std::string name;   // dotted: net/ipv4/tcp_sack is normalised to net.ipv4.tcp_sack
  std::string value;  // unquoted, inner whitespace kept: "4096 131072 6291456"
  friend bool operator==(const SysctlSetting&, const SysctlSetting&) = default;
};

struct SysctlCommand {
  std::vector<SysctlSetting> settings;  // in command order
  std::optional<std::string> error;     // set when the command is not supported
  std::size_t error_offset = 0;         // byte offset of the problem in the command
};

SysctlCommand parse_sysctl_command(std::string_view command);

// Where byte `offset` of a backquoted command lies in the script (the command
// text starts one column after the opening backquote and may span lines).
SourceLoc command_offset_loc(const ShellCommand& command, std::size_t offset);

}  // namespace pkt

#include <doctest/doctest.h>

#include "tools/pkt/sysctl_line.h"

namespace pkt {
namespace {

using Settings = std::vector<SysctlSetting>;

TEST_CASE("sysctl -q with several settings and a quoted value") {
  const SysctlCommand c = parse_sysctl_command(
      "sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_rmem=\"4096 131072 6291456\" net.core.somaxconn=2");
  REQUIRE_FALSE(c.error.has_value());
  CHECK(c.settings == Settings{{"net.ipv4.tcp_timestamps", "0"},
                               {"net.ipv4.tcp_rmem", "4096 131072 6291456"},
                               {"net.core.somaxconn", "2"}});
}

TEST_CASE("-w, combined flags, long flags, a path to sysctl, slashes and shell quoting") {
  CHECK(parse_sysctl_command("sysctl -w net.core.somaxconn=3").settings == Settings{{"net.core.somaxconn", "3"}});
  CHECK(parse_sysctl_command("/sbin/sysctl -qw --quiet --write a.b=1").settings == Settings{{"a.b", "1"}});
  CHECK(parse_sysctl_command("sysctl -q net/ipv4/tcp_sack=1").settings == Settings{{"net.ipv4.tcp_sack", "1"}});
  CHECK(parse_sysctl_command("sysctl -q 'a.b=1 2' c.d='x y'z e.f=\\\"q").settings ==
        Settings{{"a.b", "1 2"}, {"c.d", "x yz"}, {"e.f", "\"q"}});
  CHECK(parse_sysctl_command("  sysctl\t-q\n a.b=\"\\\"x\\\\\"  ").settings == Settings{{"a.b", "\"x\\"}});
  CHECK(parse_sysctl_command("sysctl -q a.b=-1").settings == Settings{{"a.b", "-1"}});
}

TEST_CASE("anything else is reported with its offset, and nothing is applied") {
  struct Case {
    const char* command;
    const char* error;
    std::size_t offset;
  };
  const Case cases[] = {
      {"echo 1 > /proc/sys/net/core/somaxconn",
       "unsupported shell syntax '>' (only 'sysctl [-q] [-w] name=value ...' is supported)", 7},
      {"echo hi", "unsupported shell command 'echo' (only 'sysctl [-q] [-w] name=value ...' is supported)", 0},
      {"sysctl -q a.b=1; reboot",
       "unsupported shell syntax ';' (only 'sysctl [-q] [-w] name=value ...' is supported)", 15},
      {"sysctl -q a.b=$X", "unsupported shell syntax '$' (only 'sysctl [-q] [-w] name=value ...' is supported)", 14},
      {"sysctl -q a.b=\"$X\"",
       "unsupported shell syntax '$' (only 'sysctl [-q] [-w] name=value ...' is supported)", 15},
      {"sysctl -q a.b=1 && true",
       "unsupported shell syntax '&' (only 'sysctl [-q] [-w] name=value ...' is supported)", 16},
      {"sysctl -p", "unsupported sysctl flag '-p' (only 'sysctl [-q] [-w] name=value ...' is supported)", 7},
      {"sysctl -q -e a.b=1", "unsupported sysctl flag '-e' (only 'sysctl [-q] [-w] name=value ...' is supported)",
       10},
      {"sysctl net.core.somaxconn", "reading sysctl 'net.core.somaxconn' is not supported: write name=value", 7},
      {"sysctl -q a.b=\"1 2", "unterminated double quote", 14},
      {"sysctl -q 'a.b=1", "unterminated single quote", 10},
      {"sysctl -q a.b=", "missing value for sysctl 'a.b'", 14},
      {"sysctl -q =1", "missing sysctl name before '='", 10},
      {"sysctl -q a:b=1", "invalid sysctl name 'a:b'", 10},
      {"sysctl -q", "sysctl command sets nothing (only 'sysctl [-q] [-w] name=value ...' is supported)", 0},
      {"", "empty shell command (only 'sysctl [-q] [-w] name=value ...' is supported)", 0},
      {"sysctl -q a.b=1 # note",
       "unsupported shell syntax '#' (only 'sysctl [-q] [-w] name=value ...' is supported)", 16},
      {"sysctl -q a.b=1 \\", "trailing backslash", 16},
  };
  for (const Case& k : cases) {
    CAPTURE(k.command);
    const SysctlCommand c = parse_sysctl_command(k.command);
    CHECK(c.error == std::optional<std::string>(k.error));
    CHECK(c.error_offset == k.offset);
    CHECK(c.settings.empty());
  }
}

TEST_CASE("command_offset_loc maps an offset in the command back to the script") {
  const ShellCommand one{"sysctl -q a.b=1; x", SourceLoc{4, 5}};
  CHECK(command_offset_loc(one, 0) == SourceLoc{4, 6});
  CHECK(command_offset_loc(one, 15) == SourceLoc{4, 21});
  const ShellCommand two{"sysctl -q \\\n  a;", SourceLoc{2, 1}};
  CHECK(command_offset_loc(two, 15) == SourceLoc{3, 4});
  CHECK(command_offset_loc(two, 999) == SourceLoc{3, 5});
}

}  // namespace
}  // namespace pkt

// Every script of our conformance suite (tests/conformance) parses, and what
// the parser reports agrees with an independent line scan of the file.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/pkt/parser.h"
#include "tools/pkt/printer.h"
#include "tools/pkt/script_config.h"
#include "tools/pkt/symbols.h"
#include "tools/pkt/sysctl_line.h"

namespace pkt {
namespace {

constexpr const char* kDir = "tests/conformance";

std::vector<std::string> script_paths() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(kDir))
    if (entry.path().extension() == ".pkt") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// (line number, trimmed text) of every line that starts with an event time.
std::vector<std::pair<int, std::string>> event_lines(const std::string& text) {
  std::vector<std::pair<int, std::string>> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    const char c = line[b];
    if ((c >= '0' && c <= '9') || c == '+' || c == '*' || c == '.') {
      const std::size_t e = line.find_last_not_of(" \t\r");
      out.emplace_back(n, line.substr(b, e - b + 1));
    }
  }
  return out;
}

void collect_symbols(const Expr& e, std::vector<std::string>& out) {
  if (e.kind == ExprKind::Symbol) out.push_back(e.text);
  for (const Expr& i : e.items) collect_symbols(i, out);
  for (const Expr& a : e.args) collect_symbols(a, out);
}

TEST_CASE("every conformance script parses, and the parse agrees with the file") {
  const std::vector<std::string> paths = script_paths();
  REQUIRE(paths.size() >= 13);
  for (const std::string& path : paths) {
    CAPTURE(path);
    const std::string text = read_file(path);
    const ParseResult r = parse_script(text, path);
    REQUIRE_MESSAGE(r.ok(), r.error->to_string());
    const Script& s = *r.script;

    // One event per timed line, at that line, with that text.
    const auto lines = event_lines(text);
    REQUIRE(s.events.size() == lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CHECK(s.events[i].loc.line == lines[i].first);
      CHECK(s.events[i].text == lines[i].second);
    }

    // The init command is the suite's single supported kind of shell command.
    REQUIRE(s.init_command.has_value());
    const SysctlCommand init = parse_sysctl_command(s.init_command->command);
    CHECK_MESSAGE(!init.error, init.error.value_or(""));
    CHECK_FALSE(init.settings.empty());
    for (const SysctlSetting& set : init.settings) CHECK(set.name.rfind("net.", 0) == 0);
    for (const Event& e : s.events) {
      if (const ShellCommand* c = e.command()) CHECK_FALSE(parse_sysctl_command(c->command).error.has_value());
    }
    CHECK_FALSE(s.cleanup_command.has_value());

    // Every name used in a system call is a known constant.
    for (const Event& e : s.events) {
      const Syscall* call = e.syscall();
      if (!call) continue;
      std::vector<std::string> names;
      for (const Expr& a : call->args) collect_symbols(a, names);
      collect_symbols(call->result, names);
      for (const std::string& n : names) CHECK_MESSAGE(symbol_value(n).has_value(), n);
      if (call->errno_name) CHECK(call->result.integer == -1);
    }

    CHECK_FALSE(resolve_config(s, {}).error.has_value());

    // Printing is canonical: the printed script parses to the same print.
    const std::string printed = to_string(s);
    const ParseResult again = parse_script(printed, path);
    REQUIRE_MESSAGE(again.ok(), again.error->to_string());
    CHECK(to_string(*again.script) == printed);
  }
}

TEST_CASE("spot checks on particular conformance lines") {
  {
    const Script s = *parse_script_file(std::string(kDir) + "/connect_linear_syn_timeouts.pkt").script;
    const Syscall& connect = *s.events[1].syscall();
    CHECK(connect.name == "connect");
    CHECK(connect.end_ns == std::optional<int64_t>(7000000000));
    CHECK(connect.errno_name == std::optional<std::string>("ETIMEDOUT"));
    const TcpSegment& syn = *s.events[2].packet()->tcp();
    CHECK(s.events[2].packet()->direction == Direction::Outbound);
    CHECK(to_string(*s.events[2].packet()) == "> S 0:0(0) win 64240 <mss 1460,nop,nop,sackOK,nop,wscale 10>");
    CHECK(syn.window == std::optional<uint16_t>(64240));
    CHECK(s.events[3].time.kind == TimeKind::Relative);
    CHECK(s.events[3].time.start_ns == 1000000000);
  }
  {
    const Script s = *parse_script_file(std::string(kDir) + "/syncookies_enabled_mid_flood.pkt").script;
    int explicit_ports = 0;
    int commands = 0;
    for (const Event& e : s.events) {
      if (e.packet() && e.packet()->tcp()->ports) {
        ++explicit_ports;
        CHECK(e.packet()->tcp()->ports->dst == 8080);
      }
      if (const ShellCommand* c = e.command()) {
        ++commands;
        CHECK(e.time.kind == TimeKind::Relative);
        CHECK(e.time.start_ns == 400000000);
        CHECK(parse_sysctl_command(c->command).settings ==
              std::vector<SysctlSetting>{{"net.ipv4.tcp_syncookies", "1"}});
      }
    }
    CHECK(explicit_ports == 2);  // the two filler SYNs
    CHECK(commands == 1);
  }
  {
    const Script s = *parse_script_file(std::string(kDir) + "/poll_listener_readable_when_child_queued.pkt").script;
    const Syscall& poll = *s.events[4].syscall();
    REQUIRE(poll.name == "poll");
    CHECK(poll.end_ns == std::optional<int64_t>(200000000));
    REQUIRE(poll.args[0].kind == ExprKind::Array);
    const Expr& entry = poll.args[0].items.at(0);
    REQUIRE(entry.field("revents"));
    CHECK(entry.field("revents")->text == "POLLIN");
  }
}

}  // namespace
}  // namespace pkt

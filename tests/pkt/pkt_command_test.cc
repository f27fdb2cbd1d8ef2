// `netsim pkt` as a command: output lines, closing count, exit codes and the
// JUnit report, over the deliberately wrong scripts of tests/pkt_bad and
// our own conformance suite (tools/pkt/pkt_command.h).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/pkt/pkt_command.h"

namespace pkt {
namespace {

struct Result {
  int code = 0;
  std::string out;
  std::string err;
};

Result command(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Result r;
  r.code = pkt_command(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<std::string> scripts_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".pkt") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tmp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// Each wrong script fails alone with exit code 1, one FAIL line with this
// text, and "0 passed, 1 failed".
struct Bad {
  const char* file;
  const char* fail_line;  // the whole line after "FAIL tests/pkt_bad/<file>: ", or a prefix of it ending in '*'
};
const Bad kBad[] = {
    {"wrong_flag.pkt",
     "line 10: expected > R. 0:0(0) ack 1 win 0 at 0.1 s got > S. *(flags: expected R., got S.)"},
    {"wrong_seq.pkt",
     "line 15: expected > P. 2:12(10) ack 1 at 0.2 s got > P. 1:11(10) ack 1 win * at 0.2 s (seq: expected 2, got 1)"},
    {"wrong_errno.pkt",
     "line 10: expected accept(3, ..., ...) = -1 EINVAL (Invalid argument) got -1 EAGAIN (errno differs)"},
    {"missing_packet.pkt", "line 13: expected > . 1:1(0) ack 1 at 0.2 s got no packet by 0.2 s"},
    {"extra_packet.pkt",
     "line 11: expected < . 1:1(0) ack 1 win 32792 at 0.2 s got unexpected packet > S. *ack 1 win 64240 <mss 1460> "
     "at 0.1 s"},
    {"bad_timing.pkt", "line 11: expected > S. 0:0(0) ack 1 <mss 1460> at 2.1 s got it at 1.1 s"},
    {"blocking_call_returns_late.pkt",
     "line 9: expected accept(3, ..., ...) = 4 to return at 0.3 s got it returning 4 at 0.2 s"},
    {"unexpected_block.pkt", "line 9: expected accept(3, ..., ...) = 4 got it blocking;*"},
    {"unsupported_shell_command.pkt",
     "line 5: `ip link set tun0 mtu 1400` at 5:8: unsupported shell command 'ip'*"},
    {"unknown_sysctl.pkt", "line 4: sysctl net.ipv4.tcp_no_such_knob=1: unknown sysctl 'net.ipv4.tcp_no_such_knob'"},
};

bool matches(const std::string& got, const std::string& pattern) {
  // '*' matches any run of characters; the rest must match exactly.
  size_t g = 0, p = 0, star = std::string::npos, mark = 0;
  while (g < got.size()) {
    if (p < pattern.size() && pattern[p] == got[g]) {
      ++g, ++p;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = g;
    } else if (star != std::string::npos) {
      p = star + 1;
      g = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

TEST_CASE("each deliberately wrong script fails with its message and exit code 1") {
  for (const Bad& b : kBad) {
    const std::string path = std::string("tests/pkt_bad/") + b.file;
    CAPTURE(path);
    const Result r = command({path});
    CHECK(r.code == 1);
    const std::string prefix = "FAIL " + path + ": ";
    const size_t nl = r.out.find('\n');
    REQUIRE(nl != std::string::npos);
    const std::string first = r.out.substr(0, nl);
    REQUIRE(first.rfind(prefix, 0) == 0);
    CHECK_MESSAGE(matches(first.substr(prefix.size()), b.fail_line), first);
    CHECK(r.out.substr(nl + 1) == "0 passed, 1 failed\n");
  }
}

TEST_CASE("every deliberately wrong script is covered above") {
  for (const std::string& path : scripts_in("tests/pkt_bad")) {
    const std::string name = std::filesystem::path(path).filename().string();
    const bool listed = name == "syntax_error.pkt" ||
                        std::any_of(std::begin(kBad), std::end(kBad), [&](const Bad& b) { return name == b.file; });
    CHECK_MESSAGE(listed, name);
  }
}

TEST_CASE("a syntax error is bad input: exit code 2, line:column, nothing run") {
  const Result r = command({"tests/conformance/duplicate_syn_rate_limited.pkt", "tests/pkt_bad/syntax_error.pkt"});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "tests/pkt_bad/syntax_error.pkt:8:1: expected ',' or '>' in TCP option list, got end of file\n");
  const Result missing = command({"tests/pkt_bad/no_such_file.pkt"});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("tests/pkt_bad/no_such_file.pkt: cannot open file") == 0);
}

TEST_CASE("our conformance suite passes, one PASS line per script") {
  const std::vector<std::string> paths = scripts_in("tests/conformance");
  REQUIRE(paths.size() >= 13);
  const Result r = command(paths);
  CHECK_MESSAGE(r.code == 0, r.out);
  std::string want;
  for (const std::string& p : paths) want += "PASS " + p + "\n";
  want += std::to_string(paths.size()) + " passed, 0 failed\n";
  CHECK(r.out == want);
}

TEST_CASE("passing and failing scripts together: exit code 1 and both counted") {
  const Result r = command({"tests/conformance/duplicate_syn_rate_limited.pkt", "tests/pkt_bad/wrong_flag.pkt"});
  CHECK(r.code == 1);
  CHECK(r.out.find("PASS tests/conformance/duplicate_syn_rate_limited.pkt\nFAIL tests/pkt_bad/wrong_flag.pkt: ") == 0);
  CHECK(r.out.find("\n1 passed, 1 failed\n") != std::string::npos);
}

TEST_CASE("--junit writes one test case per script, failures with their message") {
  const std::string xml_path = tmp_path("pkt_junit.xml");
  const Result r = command({"--junit", xml_path, "tests/conformance/duplicate_syn_rate_limited.pkt",
                            "tests/pkt_bad/wrong_errno.pkt"});
  CHECK(r.code == 1);
  const std::string xml = read_file(xml_path);
  CHECK(xml.find("<testsuites name=\"netsim pkt\" tests=\"2\" failures=\"1\"") != std::string::npos);
  CHECK(xml.find("name=\"tests/pkt_bad/wrong_errno.pkt\"") != std::string::npos);
  CHECK(xml.find("message=\"line 10: expected accept(3, ..., ...) = -1 EINVAL (Invalid argument) got -1 EAGAIN "
                 "(errno differs)\"") != std::string::npos);
  const Result unwritable = command({"--junit", "/nonexistent-dir/x.xml", "tests/conformance/duplicate_syn_rate_limited.pkt"});
  CHECK(unwritable.code == 2);
}

TEST_CASE("usage errors and options") {
  CHECK(command({}).code == 2);
  const Result help = command({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("usage: netsim pkt") == 0);
  const Result v6 = command({"--ip_version=ipv6", "tests/conformance/duplicate_syn_rate_limited.pkt"});
  CHECK(v6.code == 2);
  CHECK(v6.err == "command line: unsupported: --ip_version=ipv6 (only ipv4)\n");
  CHECK(command({"--ip_version=ipv4", "tests/conformance/duplicate_syn_rate_limited.pkt"}).code == 0);
  // Command-line options are checked before any file is read.
  CHECK(command({"--ip_version=ipv6", "no_such_file.pkt"}).err ==
        "command line: unsupported: --ip_version=ipv6 (only ipv4)\n");
  CHECK(command({"--tolerance_usecs=0", "no_such_file.pkt"}).err ==
        "command line: bad value '0' for --tolerance_usecs (a positive number of microseconds)\n");
  CHECK(command({"-x", "tests/conformance/duplicate_syn_rate_limited.pkt"}).code == 2);
  // A tolerance from the command line applies to every script.
  const Result tol = command({"--tolerance_usecs=1000000", "tests/pkt_bad/bad_timing.pkt"});
  CHECK(tol.code == 0);
}

}  // namespace
}  // namespace pkt

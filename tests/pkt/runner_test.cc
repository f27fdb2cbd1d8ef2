// End-to-end runs of small scripts against the simulated host: what passes,
// and the exact failure for each way a script can be wrong at run time
// (tools/pkt/runner.h).
#include <doctest/doctest.h>

#include <string>

#include "tests/pkt/test_util.h"
#include "tools/pkt/runner.h"
#include "tools/pkt/script_config.h"

namespace pkt {
namespace {

ScriptOutcome run(const std::string& text, const std::vector<Option>& command_line = {}) {
  const Script s = testing::parse_ok(text);
  const ConfigResult c = resolve_config(s, command_line);
  REQUIRE_MESSAGE(!c.error, c.error.value_or(""));
  return run_script(s, c.config, resolve_tolerance(s, command_line, c.config));
}

// "line N: message" of a failed run, or "PASS".
std::string verdict(const ScriptOutcome& o) {
  return o.passed ? "PASS" : "line " + std::to_string(o.line) + ": " + o.message;
}

const std::string kListen =
    "`sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_syncookies=0`\n"
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 4) = 0\n";  // lines 1-4

TEST_CASE("a passive open with data both ways passes") {
  const ScriptOutcome o = run(kListen +
                              "+.1 < S 0:0(0) win 32792 <mss 1460>\n"
                              "+0 > S. 0:0(0) ack 1 win 64240 <mss 1460>\n"
                              "+.1 < . 1:1(0) ack 1 win 32792\n"
                              "+0 accept(3, ..., ...) = 4\n"
                              "+0 write(4, ..., 10) = 10\n"
                              "+0 > P. 1:11(10) ack 1\n"
                              "+.1 < P. 1:21(20) ack 11 win 32792\n"
                              "+0 > . 11:11(0) ack 21\n"
                              "+0 read(4, ..., 100) = 20\n");
  CHECK(verdict(o) == "PASS");
  CHECK(o.sim_ns == 300000000);
}

TEST_CASE("timing is exact unless a tolerance is given") {
  // The SYN-ACK goes out at 0.1 s; expecting it 1 us later fails...
  const std::string script = kListen +
                             "+.1 < S 0:0(0) win 32792 <mss 1460>\n"
                             "+.000001 > S. 0:0(0) ack 1 <mss 1460>\n";
  CHECK(verdict(run(script)) == "line 6: expected > S. 0:0(0) ack 1 <mss 1460> at 0.100001 s got it at 0.1 s");
  // ...and passes with 1 us of tolerance, from the script or the command line.
  CHECK(verdict(run("--tolerance_usecs=1\n" + script)) == "PASS");
  CHECK(verdict(run(script, {Option{"tolerance_usecs", "1", {}}})) == "PASS");
}

TEST_CASE("ranges and * accept a packet anywhere in them") {
  const std::string head = kListen + "+.1 < S 0:0(0) win 32792 <mss 1460>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n";
  CHECK(verdict(run(head + "+.5~+1.5 > S. 0:0(0) ack 1 <mss 1460>\n")) == "PASS");
  CHECK(verdict(run(head + "* > S. 0:0(0) ack 1 <mss 1460>\n")) == "PASS");
  CHECK(verdict(run(head + "0.5~1 > S. 0:0(0) ack 1 <mss 1460>\n")) ==
        "line 7: expected > S. 0:0(0) ack 1 <mss 1460> at 0.5~1 s got no packet by 1 s");
}

TEST_CASE("after a blocking call, +t counts from the call's start; the call runs alongside") {
  // connect() blocks from 0 to 0.1 s while its SYN and the peer's RST go by.
  const std::string head =
      "`sysctl -q net.ipv4.tcp_timestamps=0`\n"
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0...0.1 connect(3, ..., ...) = -1 ECONNREFUSED (Connection refused)\n"
      "+0 > S 0:0(0) <...>\n"
      "+.1 < R. 0:0(0) ack 1 win 0\n";
  CHECK(verdict(run(head + "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n")) == "PASS");
  // A later call made while connect() still blocks waits for it; if it never
  // returns in time, that is the failure.
  CHECK(verdict(run("`sysctl -q net.ipv4.tcp_timestamps=0`\n"
                    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                    "+0...0.1 connect(3, ..., ...) = 0\n"
                    "+0 > S 0:0(0) <...>\n"
                    "+.2 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n")) ==
        "line 3: expected connect(3, ..., ...) = 0 to return at 0.1 s got it still blocked at 0.1 s");
}

TEST_CASE("an unexpected outbound packet fails, at the end of the script too") {
  CHECK(verdict(run(kListen + "+.1 < S 0:0(0) win 32792 <mss 1460>\n")).find(
            "line 5: expected nothing more after the last event got unexpected packet > S. ") == 0);
  // A packet sent before an event that is not an outbound packet.
  const std::string o = verdict(run(kListen +
                                    "+.1 < S 0:0(0) win 32792 <mss 1460>\n"
                                    "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
                                    "+2 accept(3, ..., ...) = -1 EAGAIN\n"));
  CHECK(o.find("line 7: expected accept(3, ..., ...) = -1 EAGAIN at 2.1 s got unexpected packet > S. 0:0(0) ack 1 "
               "win 64240 <mss 1460> at 1.1 s") == 0);
}

TEST_CASE("replies to explicit-port packets are ignored") {
  CHECK(verdict(run(kListen +
                    "+0 < 40001>8080 S 0:0(0) win 32792 <mss 1460>\n"
                    "+0 < 40002>8080 S 0:0(0) win 32792 <mss 1460>\n"
                    "+.5 listen(3, 4) = 0\n")) == "PASS");
}

TEST_CASE("system call results, errno and out-parameters are checked") {
  CHECK(verdict(run(kListen + "+0 listen(3, 4) = -1 EINVAL\n")) == "line 5: expected listen(3, 4) = -1 EINVAL got 0");
  CHECK(verdict(run(kListen + "+0 getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [0], [4]) = 0\n")) ==
        "line 5: expected getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [0], [4]) = 0 got optval [1]");
  CHECK(verdict(run(kListen + "+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0\n")) ==
        "line 5: expected getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0 got optval [0]");
  CHECK(verdict(run(kListen + "+0 getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [1], [8]) = 0\n")) ==
        "line 5: expected getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [1], [8]) = 0 got optlen 4 (expected 8)");
  CHECK(verdict(run(kListen + "+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
                              "+0 getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, [8]) = 0\n")) ==
        "PASS");
  CHECK(verdict(run(kListen + "+0 fcntl(3, F_GETFL) = O_RDWR\n")) == "PASS");
  CHECK(verdict(run(kListen + "+0 close(3) = 0\n+0 close(3) = -1 EBADF (Bad file descriptor)\n")) == "PASS");
}

TEST_CASE("poll() revents are checked, and a blocking poll returns in simulated time") {
  CHECK(verdict(run(kListen + "+0...2 poll([{fd=3, events=POLLIN, revents=0}], 1, 2000) = 0\n")) == "PASS");
  CHECK(verdict(run(kListen + "+0 poll([{fd=3, events=POLLIN, revents=POLLIN}], 1, 0) = 0\n")) ==
        "line 5: expected poll([{fd=3, events=POLLIN, revents=POLLIN}], 1, 0) = 0 got revents 0 for pollfd 0");
  CHECK(verdict(run(kListen + "+0 poll([{fd=3, events=POLLIN, revents=POLLIN}], 1, 0) = 1\n")) ==
        "line 5: expected poll([{fd=3, events=POLLIN, revents=POLLIN}], 1, 0) = 1 got 0");
}

TEST_CASE("a call that blocks when the script says it returns at once fails") {
  CHECK(verdict(run(kListen + "+0 accept(3, ..., ...) = 4\n")).find("line 5: expected accept(3, ..., ...) = 4 got "
                                                                   "it blocking") == 0);
}

TEST_CASE("shell commands: sysctl writes only") {
  CHECK(verdict(run(kListen + "+0 `sysctl -w net.core.somaxconn=3`\n")) == "PASS");
  CHECK(verdict(run(kListen + "+0 `sysctl -q net.ipv4.nope=1`\n")) ==
        "line 5: sysctl net.ipv4.nope=1: unknown sysctl 'net.ipv4.nope'");
  CHECK(verdict(run(kListen + "+0 `echo hi`\n")).find("line 5: `echo hi` at 5:5: unsupported shell command 'echo'") ==
        0);
}

TEST_CASE("unsupported system calls are named before anything runs") {
  CHECK(verdict(run(kListen + "+0 epoll_create(1) = 5\n")) == "line 5: unsupported system call 'epoll_create'");
}

TEST_CASE("an inbound TS ecr must name a TS val the host sent") {
  CHECK(verdict(run("`sysctl -q net.ipv4.tcp_timestamps=1 net.ipv4.tcp_syncookies=0`\n"
                    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                    "+0 bind(3, ..., ...) = 0\n"
                    "+0 listen(3, 4) = 0\n"
                    "+.1 < S 0:0(0) win 32792 <mss 1460,nop,nop,TS val 100 ecr 0>\n"
                    "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,TS val 5000 ecr 100>\n"
                    "+.1 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 4999>\n")) ==
        "line 7: unable to infer live TS ecr for script TS ecr 4999: no outbound packet of this connection matched "
        "a script TS val 4999");
}

TEST_CASE("a 70-second timer schedule runs in simulated time, the same way every time") {
  const std::string script = kListen +
                             "+.1 < S 0:0(0) win 32792 <mss 1460>\n"
                             "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
                             "+1 > S. 0:0(0) ack 1 <mss 1460>\n"
                             "+2 > S. 0:0(0) ack 1 <mss 1460>\n"
                             "+4 > S. 0:0(0) ack 1 <mss 1460>\n"
                             "+8 > S. 0:0(0) ack 1 <mss 1460>\n"
                             "+16 > S. 0:0(0) ack 1 <mss 1460>\n"
                             "+40 < . 1:1(0) ack 1 win 32792\n"
                             "+0 > R 1:1(0)\n";
  const ScriptOutcome a = run(script);
  const ScriptOutcome b = run(script);
  CHECK(verdict(a) == "PASS");
  CHECK(a.sim_ns == 71100000000);
  CHECK(a.sim_events == b.sim_events);
  CHECK(a.sim_events < 100);
}

}  // namespace
}  // namespace pkt

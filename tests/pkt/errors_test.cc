// Every kind of error, with its exact file:line:column and message.
#include <doctest/doctest.h>

#include <string>

#include "tests/pkt/test_util.h"

namespace pkt {
namespace {

using testing::parse_error;

const char* const kSocket = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";

std::string after_socket(const std::string& line) { return std::string(kSocket) + line; }

// ====================================================================== syntax: expected X, got Y

TEST_CASE("syntax errors name what was expected and what was found") {
  CHECK(parse_error("0 socket(..., SOCK_STREAM, IPPROTO_TCP) 3") ==
        "t.pkt:1:41: expected '=' and the expected result of socket(), got '3'");
  CHECK(parse_error("0 accept(3, ..., ... = 4") ==
        "t.pkt:1:22: expected ',' or ')' in the argument list of accept(), got '='");
  CHECK(parse_error("0 ;") == "t.pkt:1:3: expected packet ('<' or '>'), system call or shell command, got ';'");
  CHECK(parse_error("0 \x01") ==
        "t.pkt:1:3: expected packet ('<' or '>'), system call or shell command, got byte 0x01");
  CHECK(parse_error(after_socket("+0.1~0.2 > . 1:1(0)")) ==
        "t.pkt:2:6: expected '+' (a relative range is written +a~+b), got '0.2'");
  CHECK(parse_error(after_socket("+0...1 < S 0:0(0) win 1")) ==
        "t.pkt:2:8: expected system call after blocking end time (only system calls can block), got '<'");
  CHECK(parse_error(after_socket("accept(3, ..., ...) = 4")) ==
        "t.pkt:2:1: expected event time (such as 0, +0.1 or *), got 'accept'");
  CHECK(parse_error("0 < S 0:0(0) win 1 <mss>") == "t.pkt:1:24: expected MSS value after 'mss', got '>'");
  CHECK(parse_error("0 < S 0:0(0) win 1 <TS val 1>") ==
        "t.pkt:1:29: expected 'ecr' after the timestamp value, got '>'");
  CHECK(parse_error("0 < S 0:0(0) win 1 <foo>") ==
        "t.pkt:1:21: expected TCP option (nop, eol, mss, wscale, sackOK, sack or TS), got 'foo'");
  CHECK(parse_error("0 < S 0:0(0) win 1 <mss 1 nop>") ==
        "t.pkt:1:27: expected ',' or '>' in TCP option list, got 'nop'");
  CHECK(parse_error("0 < S 0:0 win 1") == "t.pkt:1:11: expected '(' and the payload length in start:end(length), got 'win'");
  CHECK(parse_error("0 > 1:1(0)") == "t.pkt:1:5: expected TCP flags (such as S, S., P., ., R or -), got '1'");
  CHECK(parse_error("0 close(3) = -1 EBADF (Bad file") == "t.pkt:1:23: missing ')' to close the note opened here");
  CHECK(parse_error("0 f({1=2}) = 0") == "t.pkt:1:7: expected a field name before '=' in struct");
  CHECK(parse_error("0 f([1 2]) = 0") == "t.pkt:1:8: expected ',' or ']' in array, got '2'");
  CHECK(parse_error("0 f(1) = ") == "t.pkt:1:10: expected expression (integer, name, string, '...', [array] or {struct}), got end of file");
}

TEST_CASE("the packet field order is fixed, and a misplaced field is named") {
  CHECK(parse_error("0 < . 1:1(0) win 1 ack 1") ==
        "t.pkt:1:20: 'ack' is out of order: a TCP packet is written "
        "flags start:end(length) [ack N] [win N] [urg N] [<options>]");
}

TEST_CASE("script structure errors") {
  CHECK(parse_error("") == "t.pkt:1:1: expected an event (a script needs at least one), got end of file");
  CHECK(parse_error("// nothing\n--mss=1000\n") ==
        "t.pkt:3:1: expected an event (a script needs at least one), got end of file");
  CHECK(parse_error("0 close(3) = 0\n--mss=100") ==
        "t.pkt:2:1: expected event time (options must come before the first event), got option '--mss'");
  CHECK(parse_error("0 close(3) = 0\n`x`\n+0 close(4) = 0") ==
        "t.pkt:2:1: expected event time before shell command (an untimed command may only come before the "
        "first event or after the last one)");
  CHECK(parse_error("`a`\n`b`\n") ==
        "t.pkt:2:1: expected event time before shell command (an untimed command may only come before the "
        "first event or after the last one)");
}

// ====================================================================== lexical errors

TEST_CASE("lexical errors point at the opening character") {
  CHECK(parse_error("0 write(4, \"abc, 3) = 3\n+0 close(3) = 0") == "t.pkt:1:12: unterminated string");
  CHECK(parse_error("0 close(3) = 0\n/* x") == "t.pkt:2:1: unterminated comment '/*'");
  CHECK(parse_error("`sysctl -q a=1\n0 close(3) = 0") == "t.pkt:1:1: unterminated shell command (missing closing '`')");
  CHECK(parse_error("0 close(3) = 0\n+0 %{ x") == "t.pkt:2:4: unterminated code block '%{'");
  CHECK(parse_error("0 write(4, \"\\q\", 1) = 1") == "t.pkt:1:13: unknown escape sequence '\\q' in string");
  CHECK(parse_error("--local_ip= \n0 close(3) = 0") == "t.pkt:1:1: missing value after '--local_ip='");
}

TEST_CASE("an earlier syntax error wins over a later lexical error") {
  CHECK(parse_error("0 close(3) 0\n\"unterminated") ==
        "t.pkt:1:12: expected '=' and the expected result of close(), got '0'");
}

// ====================================================================== unsupported constructs

TEST_CASE("unsupported constructs are named") {
  CHECK(parse_error("0 < icmp unreachable port_unreachable") == "t.pkt:1:5: unsupported: ICMP packets");
  CHECK(parse_error("0 < ipv4 1.2.3.4 > 5.6.7.8: S 0:0(0) win 1") ==
        "t.pkt:1:5: unsupported: explicit IP headers ('ipv4 a > b:')");
  CHECK(parse_error("0 < [ect0] S 0:0(0) win 1") ==
        "t.pkt:1:5: unsupported: IP header fields in packets (tos, ECN codepoint, flow label, ttl)");
  CHECK(parse_error("0 < gre: S 0:0(0) win 1") == "t.pkt:1:5: unsupported: GRE encapsulation");
  CHECK(parse_error("0 < mpls (label 1, tc 0, [S], ttl 1): S 0:0(0) win 1") == "t.pkt:1:5: unsupported: MPLS labels");
  CHECK(parse_error("0 < S 0:0(0) win 1 <md5 abc>") == "t.pkt:1:21: unsupported: TCP MD5 signature option");
  CHECK(parse_error("0 > S. 0:0(0) ack 1 <FO abcd>") == "t.pkt:1:22: unsupported: TCP Fast Open option");
  CHECK(parse_error("0 > S. 0:0(0) ack 1 <ECN e0b 1>") == "t.pkt:1:22: unsupported: AccECN option");
  CHECK(parse_error("0 > S1 0:0(0)") == "t.pkt:1:6: unsupported: AccECN ACE counts in TCP flags");
  CHECK(parse_error("0 close(3) = 0\n+0 %{ print(1) }%") == "t.pkt:2:4: unsupported: code blocks ('%{ ... }%')");
  CHECK(parse_error("%{ x }%\n0 close(3) = 0") == "t.pkt:1:1: unsupported: code blocks ('%{ ... }%')");
}

// ====================================================================== semantic errors

TEST_CASE("packet consistency checks from packetdrill's grammar") {
  CHECK(parse_error("0 < SX 0:0(0) win 1") == "t.pkt:1:6: invalid TCP flag 'X' in 'SX' (flags are F S R P . E W A U)");
  CHECK(parse_error("0 < P. 1:11(5) ack 1 win 1") ==
        "t.pkt:1:8: inconsistent TCP sequence numbers: 1:11 does not cover 5 bytes");
  CHECK(parse_error("0 < S 4294967295:4294967296(1) win 1") ==
        "t.pkt:1:18: sequence number 4294967296 is out of range (0..4294967295)");
  CHECK(parse_error("0 < . 1:1(0) ack 1") == "t.pkt:1:3: inbound packets must give a window ('win N')");
  CHECK(parse_error("0 < S 0:0(0) win 1 <...>") ==
        "t.pkt:1:20: '<...>' (options not checked) can only be used with outbound packets");
  CHECK(parse_error("0 > S 0:0(0) <mss 1460,nop>") ==
        "t.pkt:1:14: TCP options take 5 bytes, not a multiple of 4 (pad with nop or eol)");
  CHECK(parse_error("0 > S 0:0(0) <sack 1:2 3:4 5:6 7:8 9:10>") ==
        "t.pkt:1:14: TCP option list too long: 42 bytes (at most 40)");
  CHECK(parse_error("0 > S 0:0(0) <mss 70000>") == "t.pkt:1:19: MSS 70000 is out of range (0..65535)");
  CHECK(parse_error("0 > S 0:0(0) <wscale 256,nop>") ==
        "t.pkt:1:22: window scale shift count 256 is out of range (0..255)");
  CHECK(parse_error("0 < 70000>80 S 0:0(0) win 1") == "t.pkt:1:5: source port 70000 is out of range (0..65535)");
  CHECK(parse_error("0 < S 0:0(0) win 65536") == "t.pkt:1:18: window 65536 is out of range (0..65535)");
}

TEST_CASE("timing rules") {
  CHECK(parse_error("* socket(..., SOCK_STREAM, IPPROTO_TCP) = 3") ==
        "t.pkt:1:1: event time '*' can only be used with outbound packets");
  CHECK(parse_error(after_socket("1~2 < S 0:0(0) win 1")) ==
        "t.pkt:2:1: time ranges ('a~b') can only be used with outbound packets");
  CHECK(parse_error(after_socket("+1~+2 close(3) = 0")) ==
        "t.pkt:2:1: time ranges ('a~b') can only be used with outbound packets");
  CHECK(parse_error(after_socket("+0.3~+0.1 > S 0:0(0)")) ==
        "t.pkt:2:7: time range is backwards: it ends at 0.1 s, before its start at 0.3 s");
  CHECK(parse_error(after_socket("2~1.5 > S 0:0(0)")) ==
        "t.pkt:2:3: time range is backwards: it ends at 1.5 s, before its start at 2 s");
  CHECK(parse_error(after_socket("+0.5...0.2 accept(3, ..., ...) = 4")) ==
        "t.pkt:2:8: blocking call ends (0.2 s) before it starts (0.5 s); both are measured from the same base");
  CHECK(parse_error("+1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3") ==
        "t.pkt:1:1: the first event must be at time 0, not 1");
  CHECK(parse_error(after_socket("2 listen(3, 1) = 0\n1.5 listen(3, 1) = 0")) ==
        "t.pkt:3:1: time goes backward in script from 2 s to 1.5 s");
  CHECK(parse_error("-1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3") == "t.pkt:1:1: negative time '-1'");
  CHECK(parse_error(after_socket("+-0.5 close(3) = 0")) == "t.pkt:2:2: negative time '-0.5'");
  CHECK(parse_error("0.0000000001 close(3) = 0") == "t.pkt:1:1: time '0.0000000001' has more than 9 decimal places");
  CHECK(parse_error("2000000 close(3) = 0") == "t.pkt:1:1: time '2000000' is too large (at most 1000000 s)");
}

TEST_CASE("system call values") {
  CHECK(parse_error("0 close(3) = -1 EFOO (x)") == "t.pkt:1:17: unknown errno name 'EFOO'");
  CHECK(parse_error("0 f(99999999999999999999) = 0") == "t.pkt:1:5: integer 99999999999999999999 is out of range");
  CHECK(parse_error("0 f(0x10000000000000000) = 0") == "t.pkt:1:5: integer 0x10000000000000000 is out of range");
  std::string deep = "0 f(" + std::string(40, '[') + std::string(40, ']') + ") = 0";
  CHECK(parse_error(deep) == "t.pkt:1:37: expression nested more than 32 levels deep");
}

TEST_CASE("unreadable file") {
  ParseResult r = parse_script_file("/nonexistent/dir/x.pkt");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->to_string() == "/nonexistent/dir/x.pkt: cannot open file");
}

}  // namespace
}  // namespace pkt

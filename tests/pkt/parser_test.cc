// Exact syntax trees for representative lines of each kind.
#include <doctest/doctest.h>

#include "tests/pkt/test_util.h"
#include "tools/pkt/printer.h"
#include "tools/pkt/symbols.h"

namespace pkt {
namespace {

using testing::only_event;
using testing::parse_ok;

constexpr int64_t kMs = 1000000;

// By value: callers pass temporaries from only_event().
TcpSegment tcp_of(const Event& e) {
  REQUIRE(e.packet() != nullptr);
  REQUIRE(e.packet()->tcp() != nullptr);
  return *e.packet()->tcp();
}

Syscall call_of(const Event& e) {
  REQUIRE(e.syscall() != nullptr);
  return *e.syscall();
}

// ====================================================================== packets

TEST_CASE("inbound SYN with the full option set") {
  const Event e = only_event("0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>\n");
  CHECK(e.loc == SourceLoc{1, 1});
  CHECK(e.time.kind == TimeKind::Absolute);
  CHECK(e.time.start_ns == 0);
  CHECK(e.packet()->direction == Direction::Inbound);
  const TcpSegment s = tcp_of(e);
  CHECK_FALSE(s.ports.has_value());
  TcpFlags syn;
  syn.syn = true;
  CHECK(s.flags == syn);
  CHECK(s.seq == 0);
  CHECK(s.end_seq == 0);
  CHECK(s.payload_len == 0);
  CHECK_FALSE(s.ack.has_value());
  CHECK(s.window == std::optional<uint16_t>(32792));
  CHECK_FALSE(s.urg_ptr.has_value());
  CHECK_FALSE(s.options_unchecked);
  REQUIRE(s.options.size() == 5);
  CHECK(s.options[0].kind == TcpOptionKind::Mss);
  CHECK(s.options[0].mss == 1000);
  CHECK(s.options[0].loc == SourceLoc{1, 25});
  CHECK(s.options[1].kind == TcpOptionKind::SackPermitted);
  CHECK(s.options[2].kind == TcpOptionKind::Timestamp);
  CHECK(s.options[2].ts_val == 100);
  CHECK(s.options[2].ts_ecr == 0);
  CHECK(s.options[3].kind == TcpOptionKind::Nop);
  CHECK(s.options[4].kind == TcpOptionKind::WindowScale);
  CHECK(s.options[4].wscale == 7);
  int bytes = 0;
  for (const TcpOption& o : s.options) bytes += o.wire_length();
  CHECK(bytes == 20);
}

TEST_CASE("outbound SYN-ACK: ack, window and options; flags S.") {
  const Event e = only_event("+0 > S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 5000 ecr 100,nop,wscale 7>");
  CHECK(e.time.kind == TimeKind::Relative);
  CHECK(e.packet()->direction == Direction::Outbound);
  const TcpSegment s = tcp_of(e);
  CHECK(s.flags.syn);
  CHECK(s.flags.ack);
  CHECK_FALSE(s.flags.rst);
  CHECK(s.ack == std::optional<uint32_t>(1));
  CHECK(s.window == std::optional<uint16_t>(65160));
  CHECK(s.options.size() == 5);
}

TEST_CASE("outbound packet without win or options: window unchecked, no options expected") {
  const Event e = only_event("0 > R 5001:5001(0)");
  const TcpSegment s = tcp_of(e);
  TcpFlags rst;
  rst.rst = true;
  CHECK(s.flags == rst);
  CHECK(s.seq == 5001);
  CHECK(s.end_seq == 5001);
  CHECK_FALSE(s.ack.has_value());
  CHECK_FALSE(s.window.has_value());
  CHECK_FALSE(s.options_unchecked);
  CHECK(s.options.empty());
}

TEST_CASE("data segment: start:end(len)") {
  const Event e = only_event("0 < P. 1:11(10) ack 1 win 32792");
  const TcpSegment s = tcp_of(e);
  CHECK(s.flags.psh);
  CHECK(s.flags.ack);
  CHECK(s.seq == 1);
  CHECK(s.end_seq == 11);
  CHECK(s.payload_len == 10);
}

TEST_CASE("explicit ports") {
  const Event e = only_event("0 < 40001>8080 S 0:0(0) win 32792 <mss 1460>");
  const TcpSegment s = tcp_of(e);
  REQUIRE(s.ports.has_value());
  CHECK(s.ports->src == 40001);
  CHECK(s.ports->dst == 8080);
  CHECK(s.flags.syn);
}

TEST_CASE("flags: '.', '-', F., SEW, U with urg, A") {
  CHECK(tcp_of(only_event("0 > . 1:1(0) ack 1")).flags == TcpFlags{.ack = true});
  CHECK(tcp_of(only_event("0 > - 1:1(0)")).flags == TcpFlags{});
  CHECK(tcp_of(only_event("0 > F. 1:1(0) ack 1")).flags == TcpFlags{.fin = true, .ack = true});
  CHECK(tcp_of(only_event("0 > SEW 0:0(0)")).flags == TcpFlags{.syn = true, .ece = true, .cwr = true});
  const TcpSegment u = tcp_of(only_event("0 > U. 1:2(1) ack 1 urg 1"));
  CHECK(u.flags == TcpFlags{.ack = true, .urg = true});
  CHECK(u.urg_ptr == std::optional<uint16_t>(1));
  CHECK(tcp_of(only_event("0 > SA. 0:0(0) ack 1")).flags == TcpFlags{.syn = true, .ack = true, .ae = true});
}

TEST_CASE("'<...>' leaves outbound options unchecked") {
  const TcpSegment s = tcp_of(only_event("0 > S. 0:0(0) ack 1 <...>"));
  CHECK(s.options_unchecked);
  CHECK(s.options.empty());
}

TEST_CASE("SACK blocks and eol") {
  const TcpSegment s = tcp_of(only_event("0 < . 1:1(0) ack 1 win 100 <nop,nop,sack 1001:2001 3001:4001,eol,eol,eol,eol>"));
  REQUIRE(s.options.size() == 7);
  CHECK(s.options[2].kind == TcpOptionKind::Sack);
  CHECK(s.options[2].sack == std::vector<SackBlock>{{1001, 2001}, {3001, 4001}});
  CHECK(s.options[2].wire_length() == 18);
  CHECK(s.options[3].kind == TcpOptionKind::Eol);
}

TEST_CASE("UDP datagrams parse") {
  const Event in = only_event("0 < udp (100)");
  REQUIRE(in.packet()->udp() != nullptr);
  CHECK(in.packet()->udp()->payload_len == 100);
  CHECK_FALSE(in.packet()->udp()->ports.has_value());
  const Event out = only_event("0 > udp 1000>2000 (5)");
  REQUIRE(out.packet()->udp() != nullptr);
  CHECK(out.packet()->udp()->ports == std::optional<Ports>(Ports{1000, 2000}));
  CHECK(out.packet()->udp()->payload_len == 5);
}

// ====================================================================== times

TEST_CASE("event times are kept as written, in exact nanoseconds") {
  const Script s = parse_ok(
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+.1 listen(3, 1) = 0\n"
      "+1.5 listen(3, 1) = 0\n"
      "+0.000000001 listen(3, 1) = 0\n"
      "35 listen(3, 1) = 0\n"
      "* > S. 0:0(0) ack 1\n"
      "36~37.25 > . 1:1(0) ack 1\n"
      "+0.1~+0.3 > . 1:1(0) ack 1\n");
  REQUIRE(s.events.size() == 8);
  CHECK(s.events[1].time.kind == TimeKind::Relative);
  CHECK(s.events[1].time.start_ns == 100 * kMs);
  CHECK(s.events[2].time.start_ns == 1500 * kMs);
  CHECK(s.events[3].time.start_ns == 1);
  CHECK(s.events[4].time.kind == TimeKind::Absolute);
  CHECK(s.events[4].time.start_ns == 35000 * kMs);
  CHECK(s.events[5].time.kind == TimeKind::Any);
  CHECK(s.events[6].time.kind == TimeKind::AbsoluteRange);
  CHECK(s.events[6].time.start_ns == 36000 * kMs);
  CHECK(s.events[6].time.end_ns == 37250 * kMs);
  CHECK(s.events[7].time.kind == TimeKind::RelativeRange);
  CHECK(s.events[7].time.start_ns == 100 * kMs);
  CHECK(s.events[7].time.end_ns == 300 * kMs);
  CHECK(s.events[6].loc == SourceLoc{7, 1});
}

TEST_CASE("blocking call: +0...0.1 keeps the end time on the start's base") {
  const Event e = only_event("+0...0.1 connect(3, ..., ...) = -1 ECONNREFUSED (Connection refused)");
  CHECK(e.time.kind == TimeKind::Relative);
  CHECK(e.time.start_ns == 0);
  const Syscall c = call_of(e);
  CHECK(c.blocking());
  CHECK(c.end_ns == std::optional<int64_t>(100 * kMs));
  CHECK(c.name == "connect");
  REQUIRE(c.args.size() == 3);
  CHECK(c.args[0].kind == ExprKind::Integer);
  CHECK(c.args[0].integer == 3);
  CHECK(c.args[1].kind == ExprKind::Ellipsis);
  CHECK(c.args[2].kind == ExprKind::Ellipsis);
  CHECK(c.result.kind == ExprKind::Integer);
  CHECK(c.result.integer == -1);
  CHECK(c.errno_name == std::optional<std::string>("ECONNREFUSED"));
  CHECK(c.note == std::optional<std::string>("Connection refused"));

  const Syscall abs = call_of(only_event("0...1.5 accept(3, ..., ...) = 4"));
  CHECK(abs.end_ns == std::optional<int64_t>(1500 * kMs));
  CHECK_FALSE(call_of(only_event("0 accept(3, ..., ...) = 4")).blocking());
}

// ====================================================================== system calls

TEST_CASE("socket(): ellipsis and symbols") {
  const Syscall c = call_of(only_event("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"));
  CHECK(c.args[0].kind == ExprKind::Ellipsis);
  CHECK(c.args[1].kind == ExprKind::Symbol);
  CHECK(c.args[1].text == "SOCK_STREAM");
  CHECK(c.args[1].loc == SourceLoc{1, 15});
  CHECK(c.args[2].text == "IPPROTO_TCP");
  CHECK(c.result.integer == 3);
  CHECK_FALSE(c.errno_name.has_value());
  CHECK_FALSE(c.note.has_value());
}

TEST_CASE("fcntl(): '|' expression resolves to Linux's value") {
  const Syscall c = call_of(only_event("0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0"));
  const Expr& flags = c.args[2];
  REQUIRE(flags.kind == ExprKind::BitOr);
  REQUIRE(flags.items.size() == 2);
  CHECK(flags.items[0].text == "O_RDWR");
  CHECK(flags.items[1].text == "O_NONBLOCK");
  CHECK(evaluate_int(flags).value == std::optional<int64_t>(02 | 04000));
  CHECK(evaluate_int(c.args[1]).value == std::optional<int64_t>(4));
}

TEST_CASE("getsockopt(): arrays, errno inside brackets") {
  const Syscall c = call_of(only_event("0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0"));
  REQUIRE(c.args.size() == 5);
  const Expr& val = c.args[3];
  REQUIRE(val.kind == ExprKind::Array);
  REQUIRE(val.items.size() == 1);
  CHECK(val.items[0].kind == ExprKind::Symbol);
  CHECK(evaluate_int(val.items[0]).value == std::optional<int64_t>(110));
  CHECK(c.args[4].items[0].integer == 4);
  CHECK(call_of(only_event("0 getsockopt(3, SOL_SOCKET, SO_ERROR, [], [4]) = 0")).args[3].items.empty());
}

TEST_CASE("setsockopt(): struct literal with named fields") {
  const Syscall c = call_of(only_event("0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0"));
  const Expr& linger = c.args[3];
  REQUIRE(linger.kind == ExprKind::Struct);
  REQUIRE(linger.items.size() == 2);
  CHECK(linger.items[0].kind == ExprKind::Field);
  CHECK(linger.items[0].text == "l_onoff");
  REQUIRE(linger.field("l_onoff") != nullptr);
  CHECK(linger.field("l_onoff")->integer == 1);
  CHECK(linger.field("l_linger")->integer == 0);
  CHECK(linger.field("onoff") == nullptr);
  // packetdrill's own spelling, and an elided struct
  CHECK(call_of(only_event("0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0"))
            .args[3].field("linger")->integer == 0);
  const Expr elided = call_of(only_event("0 getsockopt(3, SOL_SOCKET, SO_LINGER, {...}, [8]) = 0")).args[3];
  CHECK(elided.kind == ExprKind::Struct);
  REQUIRE(elided.items.size() == 1);
  CHECK(elided.items[0].kind == ExprKind::Ellipsis);
}

TEST_CASE("poll(): array of pollfd structs") {
  const Syscall c = call_of(only_event("0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1"));
  const Expr& fds = c.args[0];
  REQUIRE(fds.kind == ExprKind::Array);
  REQUIRE(fds.items.size() == 1);
  const Expr& pfd = fds.items[0];
  CHECK(pfd.field("fd")->integer == 3);
  CHECK(evaluate_int(*pfd.field("events")).value == std::optional<int64_t>(5));
  CHECK(evaluate_int(*pfd.field("revents")).value == std::optional<int64_t>(1));
}

TEST_CASE("connect(): sockaddr with calls") {
  const Syscall c = call_of(only_event(
      "0 connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0"));
  const Expr& sa = c.args[1];
  const Expr* port = sa.field("sin_port");
  REQUIRE(port != nullptr);
  CHECK(port->kind == ExprKind::Call);
  CHECK(port->text == "htons");
  REQUIRE(port->args.size() == 1);
  CHECK(port->args[0].integer == 8080);
  const Expr* addr = sa.field("sin_addr");
  REQUIRE(addr != nullptr);
  CHECK(addr->args[0].kind == ExprKind::String);
  CHECK(addr->args[0].text == "192.0.2.1");
}

TEST_CASE("sendmsg(): field with arguments, msghdr style") {
  const Syscall c =
      call_of(only_event("0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0}, 0) = 10"));
  const Expr& msg = c.args[1];
  REQUIRE(msg.items.size() == 3);
  CHECK(msg.items[0].text == "msg_name");
  REQUIRE(msg.items[0].args.size() == 1);
  CHECK(msg.items[0].args[0].kind == ExprKind::Ellipsis);
  CHECK(msg.field("msg_name")->kind == ExprKind::Ellipsis);
  CHECK(msg.items[1].args[0].integer == 1);
  const Expr& iov = *msg.field("msg_iov");
  REQUIRE(iov.kind == ExprKind::Array);
  CHECK(iov.items[0].items[1].integer == 10);
}

TEST_CASE("strings: escapes, concatenation, prefix match; hex and negative integers") {
  const Syscall w = call_of(only_event("0 write(4, \"a\\n\\x41\\101\" \"bc\", 0x10) = -1 EAGAIN"));
  CHECK(w.args[1].kind == ExprKind::String);
  CHECK(w.args[1].text == "a\nAAbc");
  CHECK_FALSE(w.args[1].prefix);
  CHECK(w.args[2].integer == 16);
  CHECK(w.args[2].hex);
  CHECK(w.errno_name == std::optional<std::string>("EAGAIN"));
  CHECK_FALSE(w.note.has_value());  // packetdrill requires the note; we do not
  const Syscall r = call_of(only_event("0 read(4, \"hello\"..., 100) = 5"));
  CHECK(r.args[1].text == "hello");
  CHECK(r.args[1].prefix);
  CHECK(call_of(only_event("0 socket(-1, 99, 0) = -1 EINVAL (Invalid argument)")).args[0].integer == -1);
}

TEST_CASE("notes: whitespace and comments inside fold to single spaces; a note without errno") {
  const Syscall c = call_of(only_event("0 accept(3, ..., ...) = -1 EAGAIN (Resource   temporarily /* x */\n  unavailable)"));
  CHECK(c.note == std::optional<std::string>("Resource temporarily unavailable"));
  const Syscall ok = call_of(only_event("0 close(3) = 0 (Success)"));
  CHECK_FALSE(ok.errno_name.has_value());
  CHECK(ok.note == std::optional<std::string>("Success"));
  CHECK(call_of(only_event("0 close(3) = 0 (Can't, really)")).note == std::optional<std::string>("Can't, really"));
}

TEST_CASE("a system call may span lines (the language is free-form)") {
  const Script s = parse_ok("0 setsockopt(3, SOL_SOCKET,\n             SO_LINGER, {l_onoff=1,\n l_linger=0}, 8) = 0\n+0 close(3) = 0\n");
  REQUIRE(s.events.size() == 2);
  CHECK(s.events[1].loc == SourceLoc{4, 1});
  CHECK(s.events[0].syscall()->args[3].field("l_linger")->loc == SourceLoc{3, 11});
}

// ====================================================================== script structure

TEST_CASE("options, init command, mid-script command, cleanup command") {
  const Script s = parse_ok(
      "--tolerance_usecs=25000\n"
      "--remote_ip=192.0.2.1/24\n"
      "--ip_version=ipv4 --tcp_ts_ecr_scaled\n"
      "--define=\"A B\"\n"
      "`sysctl -q net.ipv4.tcp_rmem=\"4096 131072 6291456\"`\n"
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+.5 `sysctl -q net.core.somaxconn=3`\n"
      "`echo done`\n");
  REQUIRE(s.options.size() == 5);
  CHECK(s.options[0].name == "tolerance_usecs");
  CHECK(s.options[0].value == std::optional<std::string>("25000"));
  CHECK(s.options[0].loc == SourceLoc{1, 1});
  CHECK(s.options[1].value == std::optional<std::string>("192.0.2.1/24"));
  CHECK(s.options[2].name == "ip_version");
  CHECK(s.options[3].name == "tcp_ts_ecr_scaled");
  CHECK_FALSE(s.options[3].value.has_value());
  CHECK(s.options[3].loc == SourceLoc{3, 19});
  CHECK(s.options[4].value == std::optional<std::string>("A B"));
  REQUIRE(s.init_command.has_value());
  CHECK(s.init_command->command == "sysctl -q net.ipv4.tcp_rmem=\"4096 131072 6291456\"");
  CHECK(s.init_command->loc == SourceLoc{5, 1});
  REQUIRE(s.events.size() == 2);
  REQUIRE(s.events[1].command() != nullptr);
  CHECK(s.events[1].command()->command == "sysctl -q net.core.somaxconn=3");
  CHECK(s.events[1].command()->loc == SourceLoc{7, 5});
  REQUIRE(s.cleanup_command.has_value());
  CHECK(s.cleanup_command->command == "echo done");
}

TEST_CASE("comments of both kinds keep line numbers right; event text is the source") {
  const Script s = parse_ok(
      "// header\n"
      "/* a\n"
      "   block */ 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // trailing\n"
      "\n"
      "   +0  bind(3, ..., ...)   =   0\n");
  REQUIRE(s.events.size() == 2);
  CHECK(s.events[0].loc == SourceLoc{3, 13});
  CHECK(s.events[0].text == "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
  CHECK(s.events[1].loc == SourceLoc{5, 4});
  CHECK(s.events[1].text == "+0  bind(3, ..., ...)   =   0");
}

TEST_CASE("printing gives canonical text that parses to the same tree") {
  const char* text =
      "--tolerance_usecs=25000\n"
      "`sysctl -q a=\"1 2\"`\n"
      "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
      "+0...0.25 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)\n"
      "+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
      "+0 write(4, \"x\\001\\\"\"..., 0x10) = 16\n"
      "+.1 < 40001>8080 S 0:0(0) win 32792 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
      "* > SEW. 0:0(0) ack 1 <...>\n"
      "2~3 > F. 1:1(0) ack 1 win 0\n"
      "+0.5~+0.75 > udp 1>2 (10)\n";
  const Script a = parse_ok(text);
  const std::string printed = to_string(a);
  CHECK(printed ==
        "--tolerance_usecs=25000\n"
        "`sysctl -q a=\"1 2\"`\n"
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0...0.25 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n"
        "+0 write(4, \"x\\001\\\"\"..., 0x10) = 16\n"
        "+0.1 < 40001>8080 S 0:0(0) win 32792 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>\n"
        "* > SEW. 0:0(0) ack 1 <...>\n"
        "2~3 > F. 1:1(0) ack 1 win 0\n"
        "+0.5~+0.75 > udp 1>2 (10)\n");
}

}  // namespace
}  // namespace pkt

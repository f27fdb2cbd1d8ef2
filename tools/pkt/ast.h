// Typed syntax tree of a packetdrill-language script (see LANGUAGE.md).
//
// The tree keeps what the script says, not what it means at run time: times
// stay as written (absolute, relative, ranges), sequence numbers stay in script
// space, symbolic constants stay names. The runner turns them into live values
// (relative times -> sim time, script seq -> live seq, AF_INET -> 2) because
// each of those mappings depends on what happened earlier in the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pkt {

// 1-based line and column; columns count bytes (a tab is one column).
struct SourceLoc {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

// `--name` or `--name=value`, at the top of the script or on the command line.
// The value is the raw text after '=' (quotes removed).
struct Option {
  std::string name;
  std::optional<std::string> value;
  SourceLoc loc;
};

// ---------------------------------------------------------------- expressions

enum class ExprKind {
  Ellipsis,  // `...`: "don't care" argument or value
  Integer,   // 3, -1, 0x10
  Symbol,    // AF_INET, SO_ERROR, EAGAIN: resolved by symbols.h
  String,    // "abc" (adjacent strings are concatenated)
  BitOr,     // O_RDWR|O_NONBLOCK: items are the operands, left to right
  Array,     // [1], [ETIMEDOUT], [{fd=3, events=POLLIN}]
  Struct,    // {l_onoff=1, l_linger=0}, {..., 10}: items are Field or plain elements
  Field,     // name=value inside a Struct; `name(args)=value` keeps args
  Call,      // htons(8080), inet_addr("192.0.2.1")
};

struct Expr {
  ExprKind kind = ExprKind::Ellipsis;
  SourceLoc loc;
  int64_t integer = 0;      // Integer
  bool hex = false;         // Integer written as 0x...
  bool prefix = false;      // String followed by `...`: matches any string starting with it
  std::string text;         // Symbol name, String value (unescaped), Field name, Call function
  std::vector<Expr> items;  // BitOr operands, Array/Struct elements, Field value (exactly one)
  std::vector<Expr> args;   // Call arguments; Field `name(args)=` arguments

  // Struct only: the value of field `name`, or nullptr.
  const Expr* field(std::string_view name) const {
    for (const Expr& item : items)
      if (item.kind == ExprKind::Field && item.text == name) return &item.items.front();
    return nullptr;
  }
};

// ---------------------------------------------------------------- time

enum class TimeKind {
  Absolute,       // `1.5`: seconds since the first event
  Relative,       // `+0.1`: after the previous event (see LANGUAGE.md "Timing")
  Any,            // `*`: outbound packets only, time not checked
  AbsoluteRange,  // `1~2`: outbound packets only
  RelativeRange,  // `+1~+2`: outbound packets only
};

struct EventTime {
  TimeKind kind = TimeKind::Absolute;
  int64_t start_ns = 0;  // as written; 0 for Any
  int64_t end_ns = 0;    // ranges only, as written
};

// ---------------------------------------------------------------- packets

enum class Direction { Inbound /* `<` */, Outbound /* `>` */ };

// tcpdump-style flag letters: F S R P . E W A U. `.` is ACK, `-` is none.
struct TcpFlags {
  bool fin = false, syn = false, rst = false, psh = false, ack = false, urg = false;
  bool ece = false, cwr = false, ae = false;
  friend bool operator==(const TcpFlags&, const TcpFlags&) = default;
};

enum class TcpOptionKind { Eol, Nop, Mss, WindowScale, SackPermitted, Sack, Timestamp };

struct SackBlock {
  uint32_t left = 0, right = 0;
  friend bool operator==(const SackBlock&, const SackBlock&) = default;
};

struct TcpOption {
  TcpOptionKind kind = TcpOptionKind::Nop;
  uint16_t mss = 0;              // Mss
  uint8_t wscale = 0;            // WindowScale shift count
  std::vector<SackBlock> sack;   // Sack (script seq space, mapped like ack)
  uint32_t ts_val = 0, ts_ecr = 0;  // Timestamp
  SourceLoc loc;

  // Bytes on the wire: kind + length + data (RFC 9293 3.2, RFC 7323, RFC 2018).
  int wire_length() const {
    switch (kind) {
      case TcpOptionKind::Eol:
      case TcpOptionKind::Nop: return 1;
      case TcpOptionKind::Mss: return 4;
      case TcpOptionKind::WindowScale: return 3;
      case TcpOptionKind::SackPermitted: return 2;
      case TcpOptionKind::Sack: return 2 + 8 * static_cast<int>(sack.size());
      case TcpOptionKind::Timestamp: return 10;
    }
    return 0;
  }
};

// `40001>8080`: the packet uses exactly these ports instead of the tracked
// connection's (see LANGUAGE.md "Explicit ports").
struct Ports {
  uint16_t src = 0, dst = 0;
  friend bool operator==(const Ports&, const Ports&) = default;
};

struct TcpSegment {
  std::optional<Ports> ports;
  TcpFlags flags;
  uint32_t seq = 0;       // start:end(len), script seq space
  uint32_t end_seq = 0;   // always seq + payload_len
  uint16_t payload_len = 0;
  std::optional<uint32_t> ack;      // `ack N`; absent: 0 on the wire
  std::optional<uint16_t> window;   // `win N`; absent (outbound only): not checked
  std::optional<uint16_t> urg_ptr;  // `urg N`; absent: 0
  bool options_unchecked = false;   // `<...>` (outbound only): options not checked
  std::vector<TcpOption> options;   // empty and checked: the packet carries no options
};

struct UdpDatagram {
  std::optional<Ports> ports;
  uint16_t payload_len = 0;
};

struct Packet {
  Direction direction = Direction::Inbound;
  std::variant<TcpSegment, UdpDatagram> l4;

  const TcpSegment* tcp() const { return std::get_if<TcpSegment>(&l4); }
  const UdpDatagram* udp() const { return std::get_if<UdpDatagram>(&l4); }
};

// ---------------------------------------------------------------- other actions

// `name(args) = result [ERRNO] [(note)]`, optionally blocking: `+0...0.1 accept(...)`.
struct Syscall {
  std::string name;
  std::vector<Expr> args;
  Expr result;
  std::optional<std::string> errno_name;  // EAGAIN; a known errno (see symbols.h)
  std::optional<std::string> note;        // strerror text in parentheses, not checked
  // Blocking call: the written end time, on the same base as the event's start
  // time (absolute, or relative to the same previous event). See LANGUAGE.md.
  std::optional<int64_t> end_ns;

  bool blocking() const { return end_ns.has_value(); }
};

// A backquoted shell command; `command` is the raw text between the backquotes.
struct ShellCommand {
  std::string command;
  SourceLoc loc;  // of the opening backquote
};

using Action = std::variant<Packet, Syscall, ShellCommand>;

struct Event {
  SourceLoc loc;  // of the time
  EventTime time;
  Action action;
  std::string text;  // the event's source text, for messages

  const Packet* packet() const { return std::get_if<Packet>(&action); }
  const Syscall* syscall() const { return std::get_if<Syscall>(&action); }
  const ShellCommand* command() const { return std::get_if<ShellCommand>(&action); }
};

struct Script {
  std::string path;
  std::vector<Option> options;
  std::optional<ShellCommand> init_command;     // untimed, before the first event
  std::vector<Event> events;
  std::optional<ShellCommand> cleanup_command;  // untimed, after the last event
};

}  // namespace pkt

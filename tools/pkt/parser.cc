#include "tools/pkt/parser.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "tools/pkt/lexer.h"
#include "tools/pkt/printer.h"
#include "tools/pkt/symbols.h"

namespace pkt {

std::string ParseError::to_string() const {
  if (loc.line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " + message;
}

namespace {

// Thrown inside the parser only, to unwind a deep descent to parse_script(),
// which turns it into a ParseError; it never crosses the public API.
struct Failure {
  SourceLoc loc;
  std::string message;
};

constexpr int kMaxNesting = 32;             // [ { ( levels in one expression
constexpr int64_t kMaxTimeSeconds = 1000000;  // keeps sums of times far from int64 overflow
constexpr uint64_t kU8 = 0xff, kU16 = 0xffff, kU32 = 0xffffffff;
constexpr int kMaxTcpOptionBytes = 40;      // 60-byte TCP header minus the fixed 20

SourceLoc shifted(SourceLoc loc, std::size_t columns) {
  return SourceLoc{loc.line, loc.column + static_cast<int>(columns)};
}

bool is_absolute(TimeKind k) { return k == TimeKind::Absolute || k == TimeKind::AbsoluteRange; }

class Parser {
 public:
  Parser(std::string_view source, std::string file) : src_(source), toks_(tokenize(source)) {
    script_.path = std::move(file);
  }

  Script run() {
    while (peek().kind == TokenKind::Option) {
      const Token& t = take();
      script_.options.push_back(Option{t.text, t.option_value, t.loc});
    }
    if (peek().kind == TokenKind::BackQuote) {
      const Token& t = take();
      script_.init_command = ShellCommand{t.text, t.loc};
    }
    while (peek().kind != TokenKind::End) {
      const Token& t = peek();
      if (t.kind == TokenKind::BackQuote) {
        // packetdrill's grammar: an untimed command after the events is the
        // cleanup command, so it must be the last thing in the file.
        if (peek(1).kind != TokenKind::End || script_.events.empty())
          fail(t.loc, "expected event time before shell command (an untimed command may only "
                      "come before the first event or after the last one)");
        take();
        script_.cleanup_command = ShellCommand{t.text, t.loc};
        break;
      }
      if (t.kind == TokenKind::Option) expected("event time (options must come before the first event)");
      if (t.kind == TokenKind::Code) unsupported(t.loc, "code blocks ('%{ ... }%')");
      parse_event();
    }
    if (script_.events.empty()) expected("an event (a script needs at least one)");
    check_script_times();
    return std::move(script_);
  }

 private:
  // ------------------------------------------------------------ token access

  const Token& peek(std::size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }

  const Token& take() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    last_end_ = t.end;
    return t;
  }

  [[noreturn]] void fail(SourceLoc loc, std::string message) { throw Failure{loc, std::move(message)}; }

  [[noreturn]] void unsupported(SourceLoc loc, std::string_view what) {
    fail(loc, "unsupported: " + std::string(what));
  }

  // "expected X, got Y" at the current token; a lexical error found there is
  // reported as itself.
  [[noreturn]] void expected(std::string_view what) {
    const Token& t = peek();
    if (t.kind == TokenKind::Error) fail(t.loc, t.text);
    fail(t.loc, "expected " + std::string(what) + ", got " + describe(t));
  }

  void expect_punct(char c, std::string_view what) {
    if (!peek().is_punct(c)) expected(what);
    take();
  }

  // ------------------------------------------------------------ numbers

  int64_t to_int64(const Token& t) {
    int64_t v = 0;
    const char* first = t.text.data();
    const char* last = first + t.text.size();
    const auto [ptr, ec] = std::from_chars(first, last, v, 10);
    if (ec != std::errc() || ptr != last) fail(t.loc, "integer " + t.text + " is out of range");
    return v;
  }

  int64_t hex_to_int64(const Token& t) {
    uint64_t v = 0;
    const char* first = t.text.data() + 2;
    const char* last = t.text.data() + t.text.size();
    const auto [ptr, ec] = std::from_chars(first, last, v, 16);
    if (ec != std::errc() || ptr != last || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(t.loc, "integer " + t.text + " is out of range");
    return static_cast<int64_t>(v);
  }

  // A decimal integer token in [0, max]. `what` says what was expected at
  // this place, `noun` names the value in range errors.
  uint64_t take_unsigned(std::string_view what, std::string_view noun, uint64_t max) {
    const Token& t = peek();
    if (t.kind != TokenKind::Integer) expected(what);
    take();
    const int64_t v = to_int64(t);
    if (v < 0 || static_cast<uint64_t>(v) > max)
      fail(t.loc, std::string(noun) + " " + t.text + " is out of range (0.." + std::to_string(max) + ")");
    return static_cast<uint64_t>(v);
  }

  // Seconds, written as an integer or a decimal fraction, converted exactly to
  // nanoseconds (packetdrill goes through a double and truncates to usecs).
  int64_t take_time(std::string_view what) {
    const Token& t = peek();
    if (t.kind != TokenKind::Integer && t.kind != TokenKind::Float) expected(what);
    take();
    if (t.text[0] == '-') fail(t.loc, "negative time '" + t.text + "'");
    const std::size_t dot = t.text.find('.');
    const std::string whole = t.text.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : t.text.substr(dot + 1);
    int64_t seconds = 0;
    if (!whole.empty()) {
      const auto [ptr, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
      if (ec != std::errc() || seconds > kMaxTimeSeconds)
        fail(t.loc, "time '" + t.text + "' is too large (at most " + std::to_string(kMaxTimeSeconds) + " s)");
    }
    if (frac.size() > 9) fail(t.loc, "time '" + t.text + "' has more than 9 decimal places");
    frac.resize(9, '0');
    int64_t nanos = 0;
    std::from_chars(frac.data(), frac.data() + frac.size(), nanos);
    return seconds * 1000000000 + nanos;
  }

  // ------------------------------------------------------------ events

  void parse_event() {
    const Token& first = peek();
    Event ev;
    ev.loc = first.loc;
    ev.time = parse_event_time();

    std::optional<int64_t> end_ns;
    SourceLoc end_loc;
    if (peek().kind == TokenKind::Ellipsis) {
      take();
      end_loc = peek().loc;
      end_ns = take_time("blocking end time after '...'");
      if (peek().kind != TokenKind::Word || !peek(1).is_punct('('))
        expected("system call after blocking end time (only system calls can block)");
    }

    const Token& a = peek();
    if (a.is_punct('<') || a.is_punct('>')) {
      ev.action = parse_packet();
    } else if (a.kind == TokenKind::BackQuote) {
      take();
      ev.action = ShellCommand{a.text, a.loc};
    } else if (a.kind == TokenKind::Code) {
      unsupported(a.loc, "code blocks ('%{ ... }%')");
    } else if (a.kind == TokenKind::Word) {
      Syscall call = parse_syscall();
      call.end_ns = end_ns;
      ev.action = std::move(call);
    } else {
      expected("packet ('<' or '>'), system call or shell command");
    }
    ev.text = std::string(src_.substr(first.begin, last_end_ - first.begin));

    // Mirrors the checks in the `event` rule of packetdrill's parser.y.
    const Packet* p = ev.packet();
    const bool outbound_packet = p && p->direction == Direction::Outbound;
    if (ev.time.kind == TimeKind::Any && !outbound_packet)
      fail(ev.loc, "event time '*' can only be used with outbound packets");
    if ((ev.time.kind == TimeKind::AbsoluteRange || ev.time.kind == TimeKind::RelativeRange) && !outbound_packet)
      fail(ev.loc, "time ranges ('a~b') can only be used with outbound packets");
    if (end_ns && *end_ns < ev.time.start_ns)
      fail(end_loc, "blocking call ends (" + format_seconds(*end_ns) + " s) before it starts (" +
                        format_seconds(ev.time.start_ns) + " s); both are measured from the same base");
    script_.events.push_back(std::move(ev));
  }

  EventTime parse_event_time() {
    EventTime time;
    const Token& t = peek();
    if (t.is_punct('*')) {
      take();
      time.kind = TimeKind::Any;
      return time;
    }
    if (t.is_punct('+')) {
      take();
      time.kind = TimeKind::Relative;
      time.start_ns = take_time("relative time after '+'");
      if (peek().is_punct('~')) {
        take();
        if (!peek().is_punct('+')) expected("'+' (a relative range is written +a~+b)");
        take();
        const SourceLoc end_loc = peek().loc;
        time.kind = TimeKind::RelativeRange;
        time.end_ns = take_time("relative time after '~+'");
        check_range(time, end_loc);
      }
      return time;
    }
    if (t.kind == TokenKind::Integer || t.kind == TokenKind::Float) {
      time.kind = TimeKind::Absolute;
      time.start_ns = take_time("event time");
      if (peek().is_punct('~')) {
        take();
        const SourceLoc end_loc = peek().loc;
        time.kind = TimeKind::AbsoluteRange;
        time.end_ns = take_time("absolute time after '~' (an absolute range is written a~b)");
        check_range(time, end_loc);
      }
      return time;
    }
    expected("event time (such as 0, +0.1 or *)");
  }

  void check_range(const EventTime& time, SourceLoc end_loc) {
    if (time.end_ns < time.start_ns)
      fail(end_loc, "time range is backwards: it ends at " + format_seconds(time.end_ns) +
                        " s, before its start at " + format_seconds(time.start_ns) + " s");
  }

  // Checks that packetdrill makes when it starts running (get_next_event() in
  // run.c); they depend only on the text, so we report them before running.
  void check_script_times() {
    const Event& first = script_.events.front();
    if (first.time.start_ns != 0)
      fail(first.loc, "the first event must be at time 0, not " + format_seconds(first.time.start_ns));
    for (std::size_t i = 1; i < script_.events.size(); ++i) {
      const Event& prev = script_.events[i - 1];
      const Event& cur = script_.events[i];
      if (is_absolute(prev.time.kind) && is_absolute(cur.time.kind) && cur.time.start_ns < prev.time.start_ns)
        fail(cur.loc, "time goes backward in script from " + format_seconds(prev.time.start_ns) + " s to " +
                          format_seconds(cur.time.start_ns) + " s");
    }
  }

  // ------------------------------------------------------------ packets

  Packet parse_packet() {
    const Token& dir = take();
    Packet packet;
    packet.direction = dir.is_punct('<') ? Direction::Inbound : Direction::Outbound;

    const Token& t = peek();
    if (t.is_punct('(') || t.is_punct('['))
      unsupported(t.loc, "IP header fields in packets (tos, ECN codepoint, flow label, ttl)");
    if (t.kind == TokenKind::Word) {
      if (t.text == "ipv4" || t.text == "ipv6") unsupported(t.loc, "explicit IP headers ('ipv4 a > b:')");
      if (t.text == "gre" || t.text == "GREv0") unsupported(t.loc, "GRE encapsulation");
      if (t.text == "mpls") unsupported(t.loc, "MPLS labels");
      if (t.text == "encap") unsupported(t.loc, "PSP encapsulation");
      if (t.text == "icmp") unsupported(t.loc, "ICMP packets");
      if (t.text == "udp") {
        packet.l4 = parse_udp();
        return packet;
      }
    }
    packet.l4 = parse_tcp(packet.direction, dir.loc);
    return packet;
  }

  std::optional<Ports> parse_ports() {
    if (peek().kind != TokenKind::Integer || !peek(1).is_punct('>')) return std::nullopt;
    Ports ports;
    ports.src = static_cast<uint16_t>(take_unsigned("source port", "source port", kU16));
    take();  // '>'
    ports.dst = static_cast<uint16_t>(take_unsigned("destination port after '>'", "destination port", kU16));
    return ports;
  }

  UdpDatagram parse_udp() {
    take();  // udp
    UdpDatagram udp;
    udp.ports = parse_ports();
    expect_punct('(', "'(' and the UDP payload length");
    udp.payload_len = static_cast<uint16_t>(take_unsigned("UDP payload length", "UDP payload length", kU16));
    expect_punct(')', "')' after the UDP payload length");
    return udp;
  }

  TcpSegment parse_tcp(Direction direction, SourceLoc packet_loc) {
    TcpSegment seg;
    seg.ports = parse_ports();
    parse_flags(seg.flags);

    const SourceLoc seq_loc = peek().loc;
    seg.seq = static_cast<uint32_t>(take_unsigned("sequence range start:end(length)", "sequence number", kU32));
    expect_punct(':', "':' in sequence range start:end(length)");
    seg.end_seq = static_cast<uint32_t>(take_unsigned("end sequence number in start:end(length)", "sequence number", kU32));
    expect_punct('(', "'(' and the payload length in start:end(length)");
    seg.payload_len = static_cast<uint16_t>(take_unsigned("payload length", "payload length", kU16));
    expect_punct(')', "')' after the payload length");
    if (static_cast<uint64_t>(seg.end_seq) != static_cast<uint64_t>(seg.seq) + seg.payload_len)
      fail(seq_loc, "inconsistent TCP sequence numbers: " + std::to_string(seg.seq) + ":" +
                        std::to_string(seg.end_seq) + " does not cover " + std::to_string(seg.payload_len) +
                        " bytes");

    if (peek().is_word("ack")) {
      take();
      seg.ack = static_cast<uint32_t>(take_unsigned("acknowledgment number after 'ack'", "acknowledgment number", kU32));
    }
    if (peek().is_word("win")) {
      take();
      seg.window = static_cast<uint16_t>(take_unsigned("window after 'win'", "window", kU16));
    }
    if (peek().is_word("urg")) {
      take();
      seg.urg_ptr = static_cast<uint16_t>(take_unsigned("urgent pointer after 'urg'", "urgent pointer", kU16));
    }
    if (peek().is_punct('<')) parse_tcp_options(seg, direction);

    const Token& after = peek();
    if (after.is_word("ack") || after.is_word("win") || after.is_word("urg"))
      fail(after.loc, "'" + after.text + "' is out of order: a TCP packet is written "
                      "flags start:end(length) [ack N] [win N] [urg N] [<options>]");
    // new_tcp_packet() in packetdrill's tcp_packet.c
    if (direction == Direction::Inbound && !seg.window)
      fail(packet_loc, "inbound packets must give a window ('win N')");
    return seg;
  }

  void parse_flags(TcpFlags& flags) {
    const Token& t = peek();
    if (t.kind == TokenKind::Float && t.text[0] == '.') unsupported(t.loc, "AccECN ACE counts in TCP flags");
    if (t.is_punct('.')) {
      take();
      flags.ack = true;
      return;
    }
    if (t.is_punct('-')) {
      take();
      return;
    }
    if (t.kind != TokenKind::Word) expected("TCP flags (such as S, S., P., ., R or -)");
    take();
    for (std::size_t i = 0; i < t.text.size(); ++i) {
      switch (t.text[i]) {
        case 'F': flags.fin = true; break;
        case 'S': flags.syn = true; break;
        case 'R': flags.rst = true; break;
        case 'P': flags.psh = true; break;
        case 'U': flags.urg = true; break;
        case 'E': flags.ece = true; break;
        case 'W': flags.cwr = true; break;
        case 'A': flags.ae = true; break;
        default:
          if (t.text[i] >= '0' && t.text[i] <= '7') unsupported(shifted(t.loc, i), "AccECN ACE counts in TCP flags");
          fail(shifted(t.loc, i), "invalid TCP flag '" + std::string(1, t.text[i]) + "' in '" + t.text +
                                      "' (flags are F S R P . E W A U)");
      }
    }
    if (peek().is_punct('.')) {
      take();
      flags.ack = true;
    } else if (peek().kind == TokenKind::Float && peek().text[0] == '.') {
      unsupported(peek().loc, "AccECN ACE counts in TCP flags");
    }
  }

  void parse_tcp_options(TcpSegment& seg, Direction direction) {
    const Token& open = take();  // '<'
    if (peek().kind == TokenKind::Ellipsis) {
      take();
      expect_punct('>', "'>' after '<...'");
      if (direction != Direction::Outbound)
        fail(open.loc, "'<...>' (options not checked) can only be used with outbound packets");
      seg.options_unchecked = true;
      return;
    }
    while (true) {
      seg.options.push_back(parse_tcp_option());
      if (peek().is_punct(',')) {
        take();
        continue;
      }
      if (peek().is_punct('>')) {
        take();
        break;
      }
      expected("',' or '>' in TCP option list");
    }
    int bytes = 0;
    for (const TcpOption& o : seg.options) bytes += o.wire_length();
    if (bytes > kMaxTcpOptionBytes)
      fail(open.loc, "TCP option list too long: " + std::to_string(bytes) + " bytes (at most 40)");
    // new_tcp_packet() rejects options that leave the header unaligned.
    if (bytes % 4 != 0)
      fail(open.loc, "TCP options take " + std::to_string(bytes) +
                         " bytes, not a multiple of 4 (pad with nop or eol)");
  }

  TcpOption parse_tcp_option() {
    const Token& t = peek();
    if (t.kind != TokenKind::Word) expected("TCP option (nop, eol, mss, wscale, sackOK, sack or TS)");
    TcpOption opt;
    opt.loc = t.loc;
    const std::string& name = t.text;
    if (name == "nop") {
      take();
      opt.kind = TcpOptionKind::Nop;
    } else if (name == "eol") {
      take();
      opt.kind = TcpOptionKind::Eol;
    } else if (name == "sackOK") {
      take();
      opt.kind = TcpOptionKind::SackPermitted;
    } else if (name == "mss") {
      take();
      opt.kind = TcpOptionKind::Mss;
      opt.mss = static_cast<uint16_t>(take_unsigned("MSS value after 'mss'", "MSS", kU16));
    } else if (name == "wscale") {
      take();
      opt.kind = TcpOptionKind::WindowScale;
      opt.wscale = static_cast<uint8_t>(take_unsigned("shift count after 'wscale'", "window scale shift count", kU8));
    } else if (name == "sack") {
      take();
      opt.kind = TcpOptionKind::Sack;
      do {
        SackBlock b;
        b.left = static_cast<uint32_t>(take_unsigned("SACK block left:right", "SACK block edge", kU32));
        expect_punct(':', "':' in SACK block left:right");
        b.right = static_cast<uint32_t>(take_unsigned("right edge of SACK block", "SACK block edge", kU32));
        opt.sack.push_back(b);
      } while (peek().kind == TokenKind::Integer);
    } else if (name == "TS") {
      take();
      opt.kind = TcpOptionKind::Timestamp;
      if (!peek().is_word("val")) expected("'val' after 'TS'");
      take();
      opt.ts_val = static_cast<uint32_t>(take_unsigned("timestamp value after 'val'", "timestamp value", kU32));
      if (!peek().is_word("ecr")) expected("'ecr' after the timestamp value");
      take();
      opt.ts_ecr = static_cast<uint32_t>(take_unsigned("timestamp echo reply after 'ecr'", "timestamp echo reply", kU32));
    } else if (name == "md5") {
      unsupported(t.loc, "TCP MD5 signature option");
    } else if (name == "FO" || name == "FOEXP") {
      unsupported(t.loc, "TCP Fast Open option");
    } else if (name == "ECN") {
      unsupported(t.loc, "AccECN option");
    } else {
      expected("TCP option (nop, eol, mss, wscale, sackOK, sack or TS)");
    }
    return opt;
  }

  // ------------------------------------------------------------ system calls

  Syscall parse_syscall() {
    const Token& name = take();
    Syscall call;
    call.name = name.text;
    if (!peek().is_punct('(')) expected("'(' after system call name '" + name.text + "'");
    take();
    if (!peek().is_punct(')')) {
      while (true) {
        call.args.push_back(parse_expr(1));
        if (peek().is_punct(',')) {
          take();
          continue;
        }
        if (peek().is_punct(')')) break;
        expected("',' or ')' in the argument list of " + name.text + "()");
      }
    }
    take();  // ')'
    if (!peek().is_punct('=')) expected("'=' and the expected result of " + name.text + "()");
    const int eq_line = take().loc.line;
    call.result = parse_expr(0);
    if (peek().kind == TokenKind::Word) {
      const Token& e = peek();
      if (!errno_value(e.text)) {
        // A name on a later line is far more likely the next event with its
        // time missing than a misspelt errno.
        if (e.loc.line != eq_line) expected("event time (such as 0, +0.1 or *)");
        fail(e.loc, "unknown errno name '" + e.text + "'");
      }
      take();
      call.errno_name = e.text;
    }
    if (peek().is_punct('(')) call.note = parse_note();
    return call;
  }

  // The strerror text in `= -1 EAGAIN (Resource temporarily unavailable)`:
  // the raw tokens up to ')', joined by one space where the source had a gap
  // (whitespace or a comment), so printing it back lexes the same.
  std::string parse_note() {
    const Token& open = take();
    std::string note;
    std::size_t prev_end = open.end;
    while (!peek().is_punct(')')) {
      const Token& t = peek();
      if (t.kind == TokenKind::Error) fail(t.loc, t.text);
      if (t.kind == TokenKind::End) fail(open.loc, "missing ')' to close the note opened here");
      if (!note.empty() && t.begin != prev_end) note += ' ';
      note += src_.substr(t.begin, t.end - t.begin);
      prev_end = t.end;
      take();
    }
    take();  // ')'
    return note;
  }

  // ------------------------------------------------------------ expressions

  Expr parse_expr(int depth) {
    if (depth > kMaxNesting)
      fail(peek().loc, "expression nested more than " + std::to_string(kMaxNesting) + " levels deep");
    Expr first = parse_primary(depth);
    if (!peek().is_punct('|')) return first;
    Expr e;
    e.kind = ExprKind::BitOr;
    e.loc = first.loc;
    e.items.push_back(std::move(first));
    while (peek().is_punct('|')) {
      take();
      e.items.push_back(parse_primary(depth));
    }
    return e;
  }

  Expr parse_primary(int depth) {
    const Token& t = peek();
    Expr e;
    e.loc = t.loc;
    switch (t.kind) {
      case TokenKind::Ellipsis:
        take();
        e.kind = ExprKind::Ellipsis;
        return e;
      case TokenKind::Integer:
        take();
        e.kind = ExprKind::Integer;
        e.integer = to_int64(t);
        return e;
      case TokenKind::HexInteger:
        take();
        e.kind = ExprKind::Integer;
        e.integer = hex_to_int64(t);
        e.hex = true;
        return e;
      case TokenKind::String:
        take();
        e.kind = ExprKind::String;
        e.text = t.text;
        while (peek().kind == TokenKind::String) e.text += take().text;
        if (peek().kind == TokenKind::Ellipsis) {
          take();
          e.prefix = true;
        }
        return e;
      case TokenKind::Word:
        take();
        e.text = t.text;
        if (!peek().is_punct('(')) {
          e.kind = ExprKind::Symbol;
          return e;
        }
        e.kind = ExprKind::Call;
        e.args = parse_list('(', ')', depth, "argument list of " + t.text + "()");
        return e;
      default:
        break;
    }
    if (t.is_punct('[')) {
      e.kind = ExprKind::Array;
      e.items = parse_list('[', ']', depth, "array");
      return e;
    }
    if (t.is_punct('{')) {
      e.kind = ExprKind::Struct;
      e.items = parse_list('{', '}', depth, "struct");
      return e;
    }
    expected("expression (integer, name, string, '...', [array] or {struct})");
  }

  // open [item (',' item)*] close. Struct items may be fields: name=value or
  // name(args)=value (packetdrill's msghdr spelling).
  std::vector<Expr> parse_list(char open, char close, int depth, const std::string& what) {
    take();  // open
    std::vector<Expr> items;
    if (peek().is_punct(close)) {
      take();
      return items;
    }
    while (true) {
      Expr item = parse_expr(depth + 1);
      if (open == '{' && peek().is_punct('=')) {
        if (item.kind != ExprKind::Symbol && item.kind != ExprKind::Call)
          fail(peek().loc, "expected a field name before '=' in struct");
        take();
        Expr field;
        field.kind = ExprKind::Field;
        field.loc = item.loc;
        field.text = item.text;
        field.args = std::move(item.args);
        field.items.push_back(parse_expr(depth + 1));
        item = std::move(field);
      }
      items.push_back(std::move(item));
      if (peek().is_punct(',')) {
        take();
        continue;
      }
      if (peek().is_punct(close)) {
        take();
        return items;
      }
      expected("',' or '" + std::string(1, close) + "' in " + what);
    }
  }

  std::string_view src_;
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  std::size_t last_end_ = 0;
  Script script_;
};

}  // namespace

ParseResult parse_script(std::string_view source, std::string file) {
  ParseResult result;
  try {
    result.script = Parser(source, file).run();
  } catch (const Failure& f) {
    result.error = ParseError{std::move(file), f.loc, f.message};
  }
  return result;
}

ParseResult parse_script_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParseResult result;
    result.error = ParseError{path, {}, "cannot open file"};
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    ParseResult result;
    result.error = ParseError{path, {}, "cannot read file"};
    return result;
  }
  return parse_script(text.str(), path);
}

}  // namespace pkt

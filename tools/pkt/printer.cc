#include "tools/pkt/printer.h"

#include <cstdio>

namespace pkt {
namespace {

std::string quote_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      // Three octal digits never run into a following digit.
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string join(const std::vector<Expr>& items, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += to_string(items[i]);
  }
  return out;
}

std::string ports_prefix(const std::optional<Ports>& ports) {
  if (!ports) return "";
  return std::to_string(ports->src) + ">" + std::to_string(ports->dst) + " ";
}

}  // namespace

std::string format_seconds(int64_t ns) {
  std::string out = std::to_string(ns / 1000000000);
  int64_t frac = ns % 1000000000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 9 - digits.size(), '0');
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

std::string to_string(const EventTime& time) {
  switch (time.kind) {
    case TimeKind::Absolute: return format_seconds(time.start_ns);
    case TimeKind::Relative: return "+" + format_seconds(time.start_ns);
    case TimeKind::Any: return "*";
    case TimeKind::AbsoluteRange: return format_seconds(time.start_ns) + "~" + format_seconds(time.end_ns);
    case TimeKind::RelativeRange:
      return "+" + format_seconds(time.start_ns) + "~+" + format_seconds(time.end_ns);
  }
  return "?";
}

std::string to_string(const Expr& expr) {
  switch (expr.kind) {
    case ExprKind::Ellipsis: return "...";
    case ExprKind::Integer: {
      if (!expr.hex) return std::to_string(expr.integer);
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(expr.integer));
      return buf;
    }
    case ExprKind::Symbol: return expr.text;
    case ExprKind::String: return quote_string(expr.text) + (expr.prefix ? "..." : "");
    case ExprKind::BitOr: return join(expr.items, "|");
    case ExprKind::Array: return "[" + join(expr.items, ", ") + "]";
    case ExprKind::Struct: return "{" + join(expr.items, ", ") + "}";
    case ExprKind::Field: {
      std::string out = expr.text;
      if (!expr.args.empty()) out += "(" + join(expr.args, ", ") + ")";
      return out + "=" + (expr.items.empty() ? std::string("?") : to_string(expr.items.front()));
    }
    case ExprKind::Call: return expr.text + "(" + join(expr.args, ", ") + ")";
  }
  return "?";
}

std::string to_string(const TcpFlags& f) {
  // The letters in tcpdump's order, then '.', which packetdrill's grammar
  // only accepts at the end.
  std::string out;
  if (f.fin) out += 'F';
  if (f.syn) out += 'S';
  if (f.rst) out += 'R';
  if (f.psh) out += 'P';
  if (f.urg) out += 'U';
  if (f.ece) out += 'E';
  if (f.cwr) out += 'W';
  if (f.ae) out += 'A';
  if (f.ack) out += '.';
  return out.empty() ? "-" : out;
}

std::string to_string(const TcpOption& o) {
  switch (o.kind) {
    case TcpOptionKind::Eol: return "eol";
    case TcpOptionKind::Nop: return "nop";
    case TcpOptionKind::Mss: return "mss " + std::to_string(o.mss);
    case TcpOptionKind::WindowScale: return "wscale " + std::to_string(o.wscale);
    case TcpOptionKind::SackPermitted: return "sackOK";
    case TcpOptionKind::Sack: {
      std::string out = "sack";
      for (const SackBlock& b : o.sack) out += " " + std::to_string(b.left) + ":" + std::to_string(b.right);
      return out;
    }
    case TcpOptionKind::Timestamp:
      return "TS val " + std::to_string(o.ts_val) + " ecr " + std::to_string(o.ts_ecr);
  }
  return "?";
}

std::string to_string(const Packet& packet) {
  std::string out = packet.direction == Direction::Inbound ? "< " : "> ";
  if (const UdpDatagram* udp = packet.udp()) {
    return out + "udp " + ports_prefix(udp->ports) + "(" + std::to_string(udp->payload_len) + ")";
  }
  const TcpSegment& s = *packet.tcp();
  out += ports_prefix(s.ports) + to_string(s.flags) + " " + std::to_string(s.seq) + ":" +
         std::to_string(s.end_seq) + "(" + std::to_string(s.payload_len) + ")";
  if (s.ack) out += " ack " + std::to_string(*s.ack);
  if (s.window) out += " win " + std::to_string(*s.window);
  if (s.urg_ptr) out += " urg " + std::to_string(*s.urg_ptr);
  if (s.options_unchecked) {
    out += " <...>";
  } else if (!s.options.empty()) {
    out += " <";
    for (std::size_t i = 0; i < s.options.size(); ++i) {
      if (i) out += ",";
      out += to_string(s.options[i]);
    }
    out += ">";
  }
  return out;
}

std::string to_string(const Syscall& call) {
  std::string out = call.name + "(" + join(call.args, ", ") + ") = " + to_string(call.result);
  if (call.errno_name) out += " " + *call.errno_name;
  if (call.note) out += " (" + *call.note + ")";
  return out;
}

std::string to_string(const Event& event) {
  std::string out = to_string(event.time);
  if (const Syscall* call = event.syscall()) {
    if (call->end_ns) out += "..." + format_seconds(*call->end_ns);
    return out + " " + to_string(*call);
  }
  if (const Packet* packet = event.packet()) return out + " " + to_string(*packet);
  return out + " `" + event.command()->command + "`";
}

std::string to_string(const Script& script) {
  std::string out;
  for (const Option& o : script.options) {
    out += "--" + o.name;
    if (o.value) {
      // Quoted only when it has to be: a raw value cannot contain whitespace
      // and a quoted one cannot contain '"'.
      const bool quote = o.value->empty() || o.value->find_first_of(" \t\n\r\v\f") != std::string::npos;
      out += "=" + (quote ? "\"" + *o.value + "\"" : *o.value);
    }
    out += "\n";
  }
  if (script.init_command) out += "`" + script.init_command->command + "`\n";
  for (const Event& e : script.events) out += to_string(e) + "\n";
  if (script.cleanup_command) out += "`" + script.cleanup_command->command + "`\n";
  return out;
}

}  // namespace pkt

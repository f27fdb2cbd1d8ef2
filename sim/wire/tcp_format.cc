#include "sim/wire/tcp_format.h"

#include <charconv>

#include "sim/wire/tcp_options.h"

namespace sim::wire {

namespace {

void append_u32(std::string& out, uint32_t v) {
  char buf[10];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_hex(std::string& out, const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 0xf];
  }
}

// TCP Fast Open cookie in the experimental-kind encoding (RFC 7413 section
// 4.1.1 and RFC 6994): the value starts with the 16-bit magic 0xF989.
constexpr uint16_t kFastOpenExpMagic = 0xf989;

void append_option(std::string& out, const TcpOpt& o, uint32_t ack_base) {
  switch (o.kind) {
    case kTcpOptEol: out += "eol"; return;
    case kTcpOptNop: out += "nop"; return;
    case kTcpOptMss:
      if (o.len != kTcpOptLenMss) break;
      out += "mss ";
      append_u32(out, o.be16(0));
      return;
    case kTcpOptWscale:
      if (o.len != kTcpOptLenWscale) break;
      out += "wscale ";
      append_u32(out, o.data[0]);
      return;
    case kTcpOptSackPerm:
      if (o.len != kTcpOptLenSackPerm) break;
      out += "sackOK";
      return;
    case kTcpOptTimestamp:
      if (o.len != kTcpOptLenTimestamp) break;
      out += "TS val ";
      append_u32(out, o.be32(0));
      out += " ecr ";
      append_u32(out, o.be32(4));
      return;
    case kTcpOptSack: {
      const uint8_t body = o.data_len();
      if (body == 0 || body % kTcpOptLenSackPerBlock != 0) break;
      out += "sack";
      for (uint8_t off = 0; off < body; off += kTcpOptLenSackPerBlock) {
        out += ' ';
        append_u32(out, o.be32(off) - ack_base);
        out += ':';
        append_u32(out, o.be32(off + 4) - ack_base);
      }
      return;
    }
    case kTcpOptMd5:
      out += "md5";
      if (o.data_len()) out += ' ';
      append_hex(out, o.data, o.data_len());
      return;
    case kTcpOptFastOpen:
      out += "FO";
      if (o.data_len()) out += ' ';
      append_hex(out, o.data, o.data_len());
      return;
    case kTcpOptExp:
      if (o.data_len() < 2 || o.be16(0) != kFastOpenExpMagic) break;
      out += "FOEXP";
      if (o.data_len() > 2) out += ' ';
      append_hex(out, o.data + 2, o.data_len() - 2u);
      return;
    default:
      break;
  }
  // Unknown kind, or a known kind with a length we cannot print as such.
  out += "unknown-";
  append_u32(out, o.kind);
  if (o.data_len()) {
    out += " 0x";
    append_hex(out, o.data, o.data_len());
  }
}

}  // namespace

std::string format_tcp_flags(uint8_t flags, uint8_t reserved) {
  std::string s;
  if (flags & TCPHDR_FIN) s += 'F';
  if (flags & TCPHDR_SYN) s += 'S';
  if (flags & TCPHDR_RST) s += 'R';
  if (flags & TCPHDR_PSH) s += 'P';
  if (flags & TCPHDR_ACK) s += '.';
  if (flags & TCPHDR_URG) s += 'U';
  if (flags & TCPHDR_ECE) s += 'E';
  if (flags & TCPHDR_CWR) s += 'W';
  if (reserved & TCPHDR_AE_RES) s += 'A';
  if (s.empty()) s = "none";
  return s;
}

std::string format_tcp_options(const uint8_t* p, size_t n, uint32_t ack_base) {
  std::string out;
  TcpOptIter it(p, n);
  TcpOpt o;
  while (it.next(o)) {
    if (!out.empty()) out += ',';
    append_option(out, o, ack_base);
  }
  if (it.error() != ParseResult::kOk) {
    if (!out.empty()) out += ',';
    out += "[bad opt]";
  }
  return out;
}

std::string format_tcp(const TcpRepr& r, uint32_t seq_base, uint32_t ack_base) {
  std::string out = format_tcp_flags(r.flags, r.reserved);
  const uint32_t seq = r.seq - seq_base;
  out += ' ';
  append_u32(out, seq);
  out += ':';
  append_u32(out, seq + r.payload_len);
  out += '(';
  append_u32(out, r.payload_len);
  out += ')';
  if (r.flags & TCPHDR_ACK) {
    out += " ack ";
    append_u32(out, r.ack - ack_base);
  }
  out += " win ";
  append_u32(out, r.window);
  if (r.flags & TCPHDR_URG) {
    out += " urg ";
    append_u32(out, r.urg);
  }
  if (r.options_len) {
    out += " <";
    out += format_tcp_options(r.options, r.options_len, ack_base);
    out += '>';
  }
  return out;
}

}  // namespace sim::wire

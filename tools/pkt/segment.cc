#include "tools/pkt/segment.h"

#include <algorithm>
#include <cstdlib>

#include "sim/wire/bytes.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/tcp.h"
#include "sim/wire/tcp_format.h"
#include "sim/wire/tcp_options.h"
#include "tools/pkt/printer.h"

namespace pkt {

namespace w = sim::wire;

namespace {

uint8_t wire_flags(const TcpFlags& f) {
  return static_cast<uint8_t>((f.fin ? w::TCPHDR_FIN : 0) | (f.syn ? w::TCPHDR_SYN : 0) |
                              (f.rst ? w::TCPHDR_RST : 0) | (f.psh ? w::TCPHDR_PSH : 0) |
                              (f.ack ? w::TCPHDR_ACK : 0) | (f.urg ? w::TCPHDR_URG : 0) |
                              (f.ece ? w::TCPHDR_ECE : 0) | (f.cwr ? w::TCPHDR_CWR : 0));
}

TcpFlags script_flags(uint8_t flags, uint8_t reserved) {
  TcpFlags f;
  f.fin = flags & w::TCPHDR_FIN;
  f.syn = flags & w::TCPHDR_SYN;
  f.rst = flags & w::TCPHDR_RST;
  f.psh = flags & w::TCPHDR_PSH;
  f.ack = flags & w::TCPHDR_ACK;
  f.urg = flags & w::TCPHDR_URG;
  f.ece = flags & w::TCPHDR_ECE;
  f.cwr = flags & w::TCPHDR_CWR;
  f.ae = reserved & w::TCPHDR_AE_RES;
  return f;
}

// Calls fn(kind, offset of the option's first byte, its length) for each
// option in wire order, as TcpOptIter walks them.
template <class Fn>
void for_each_option(const std::vector<uint8_t>& opts, Fn fn) {
  w::TcpOptIter it(opts.data(), opts.size());
  w::TcpOpt o;
  size_t off = 0;
  while (it.next(o)) {
    fn(o, off);
    off = it.offset();
  }
}

std::string options_text(const std::vector<uint8_t>& opts) {
  return "<" + w::format_tcp_options(opts.data(), opts.size()) + ">";
}

std::string u32(uint64_t v) { return std::to_string(v); }

}  // namespace

std::vector<uint8_t> encode_options(const std::vector<TcpOption>& options) {
  w::TcpOptWriter wr;
  for (const TcpOption& o : options) {
    switch (o.kind) {
      case TcpOptionKind::Eol: wr.eol(); break;
      case TcpOptionKind::Nop: wr.nop(); break;
      case TcpOptionKind::Mss: wr.mss(o.mss); break;
      case TcpOptionKind::WindowScale: wr.wscale(o.wscale); break;
      case TcpOptionKind::SackPermitted: wr.sack_perm(); break;
      case TcpOptionKind::Timestamp: wr.timestamp(o.ts_val, o.ts_ecr); break;
      case TcpOptionKind::Sack: {
        w::TcpSackBlock blocks[w::kTcpMaxSackBlocks];
        const size_t n = std::min<size_t>(o.sack.size(), w::kTcpMaxSackBlocks);
        for (size_t i = 0; i < n; ++i) blocks[i] = w::TcpSackBlock{o.sack[i].left, o.sack[i].right};
        wr.sack(blocks, static_cast<uint8_t>(n));
        break;
      }
    }
  }
  return std::vector<uint8_t>(wr.data(), wr.data() + wr.size());
}

std::optional<WireSegment> parse_outbound(const std::vector<uint8_t>& pkt, bool* is_tcp, std::string* error) {
  *is_tcp = false;
  w::Ipv4Repr ip;
  if (const w::ParseResult r = w::parse_ipv4(pkt.data(), pkt.size(), ip); r != w::ParseResult::kOk) {
    *error = std::string("malformed IPv4 header (") + w::parse_result_name(r) + ")";
    return std::nullopt;
  }
  if (ip.protocol != w::kIpProtoTcp) return std::nullopt;
  *is_tcp = true;
  w::TcpRepr t;
  const size_t l4_len = ip.total_len - ip.ihl_bytes;
  if (const w::ParseResult r = w::parse_tcp(pkt.data() + ip.ihl_bytes, l4_len, ip.saddr, ip.daddr, t, true);
      r != w::ParseResult::kOk) {
    *error = std::string("malformed TCP segment (") + w::parse_result_name(r) + ")";
    return std::nullopt;
  }
  WireSegment s;
  s.saddr = ip.saddr;
  s.daddr = ip.daddr;
  s.sport = t.sport;
  s.dport = t.dport;
  s.seq = t.seq;
  s.ack = t.ack;
  s.flags = t.flags;
  s.reserved = t.reserved;
  s.window = t.window;
  s.urg = t.urg;
  s.doff_bytes = t.doff_bytes;
  s.options.assign(t.options, t.options + t.options_len);
  s.payload_len = t.payload_len;
  for (uint32_t i = 0; i < t.payload_len; ++i) s.payload_zero = s.payload_zero && t.payload[i] == 0;
  s.ip_ihl_bytes = ip.ihl_bytes;
  s.ip_total_len = ip.total_len;
  return s;
}

InboundPacket build_inbound(const TrackedSocket& s, const TcpSegment& script, bool ts_ecr_scaled) {
  InboundPacket out;
  const bool syn = script.flags.syn;
  w::TcpRepr t;
  t.sport = script.ports && script.ports->src ? script.ports->src : s.live_remote.port;
  t.dport = script.ports && script.ports->dst ? script.ports->dst : s.live_local.port;
  t.seq = s.seq.remote_to_live(script.seq, syn);
  // Only an ACK's acknowledgment number is in the kernel's space.
  t.ack = script.flags.ack ? s.seq.local_to_live(script.ack.value_or(0), syn) : script.ack.value_or(0);
  t.flags = wire_flags(script.flags);
  t.reserved = script.flags.ae ? w::TCPHDR_AE_RES : 0;
  t.window = script.window.value_or(0);
  t.urg = script.urg_ptr.value_or(0);

  std::vector<TcpOption> options = script.options;
  for (TcpOption& o : options) {
    if (o.kind == TcpOptionKind::Sack) {
      for (SackBlock& b : o.sack) {
        b.left = s.seq.local_to_live(b.left, syn);
        b.right = s.seq.local_to_live(b.right, syn);
      }
    } else if (o.kind == TcpOptionKind::Timestamp && script.flags.ack) {
      const std::optional<uint32_t> live = s.ts.live_ecr(o.ts_ecr, ts_ecr_scaled);
      if (!live) {
        out.error = "unable to infer live TS ecr for script TS ecr " + std::to_string(o.ts_ecr) +
                    ": no outbound packet of this connection matched a script TS val " + std::to_string(o.ts_ecr);
        return out;
      }
      o.ts_ecr = *live;
    }
  }
  const std::vector<uint8_t> opt_bytes = encode_options(options);
  t.options = opt_bytes.data();
  t.options_len = static_cast<uint8_t>(opt_bytes.size());
  const std::vector<uint8_t> payload(script.payload_len, 0);
  t.payload = payload.data();
  t.payload_len = script.payload_len;

  w::Ipv4Repr ip;
  ip.saddr = s.live_remote.ip;
  ip.daddr = s.live_local.ip;
  ip.protocol = w::kIpProtoTcp;
  const uint32_t tcp_len = w::tcp_header_len(t) + t.payload_len;
  if (w::kIpv4HeaderLen + tcp_len > 0xffff) {
    out.error = "inbound packet too large for IPv4";
    return out;
  }
  ip.total_len = static_cast<uint16_t>(w::kIpv4HeaderLen + tcp_len);
  out.bytes.assign(ip.total_len, 0);
  w::emit_tcp(out.bytes.data() + w::kIpv4HeaderLen, t, ip.saddr, ip.daddr);
  w::emit_ipv4(out.bytes.data(), ip);
  return out;
}

WireSegment to_script_space(TrackedSocket& s, const WireSegment& live, const TcpSegment& script) {
  WireSegment a = live;
  const bool syn = live.flags & w::TCPHDR_SYN;
  a.seq = s.seq.local_to_script(live.seq, syn);
  if (live.flags & w::TCPHDR_ACK) a.ack = s.seq.remote_to_script(live.ack, syn);

  const TcpOption* script_ts = nullptr;
  for (const TcpOption& o : script.options)
    if (o.kind == TcpOptionKind::Timestamp) script_ts = &o;

  for_each_option(live.options, [&](const w::TcpOpt& o, size_t off) {
    uint8_t* p = a.options.data() + off;
    if (o.kind == w::kTcpOptSack && o.len >= 2) {
      for (size_t b = 2; b + 4 <= o.len; b += 4)
        w::store_be32(p + b, s.seq.remote_to_script(w::load_be32(p + b), syn));
    } else if (o.kind == w::kTcpOptTimestamp && o.len == w::kTcpOptLenTimestamp) {
      const uint32_t live_val = w::load_be32(p + 2);
      if (script_ts) s.ts.record(script_ts->ts_val, live_val);
      w::store_be32(p + 2, s.ts.script_val(live_val));
    }
  });
  return a;
}

std::optional<std::string> compare_outbound(const TcpSegment& script, const WireSegment& a, const TsCheck& ts) {
  const TcpFlags want = script.flags;
  const TcpFlags got = script_flags(a.flags, a.reserved);
  if (!(want == got)) return "flags: expected " + to_string(want) + ", got " + to_string(got);
  if ((a.reserved & ~w::TCPHDR_AE_RES) != 0) return "reserved bits: expected 0, got " + u32(a.reserved);
  if (a.seq != script.seq) return "seq: expected " + u32(script.seq) + ", got " + u32(a.seq);
  const uint32_t want_ack = script.ack.value_or(0);
  if (a.ack != want_ack) return "ack: expected " + u32(want_ack) + ", got " + u32(a.ack);
  if (script.window && a.window != *script.window)
    return "window: expected " + u32(*script.window) + ", got " + u32(a.window);
  if (a.urg != script.urg_ptr.value_or(0))
    return "urgent pointer: expected " + u32(script.urg_ptr.value_or(0)) + ", got " + u32(a.urg);

  if (!script.options_unchecked) {
    const std::vector<uint8_t> want_opts = encode_options(script.options);
    std::vector<w::TcpOpt> ws, gs;
    for_each_option(want_opts, [&](const w::TcpOpt& o, size_t) { ws.push_back(o); });
    for_each_option(a.options, [&](const w::TcpOpt& o, size_t) { gs.push_back(o); });
    const std::string mismatch =
        "options: expected " + options_text(want_opts) + ", got " + options_text(a.options);
    if (ws.size() != gs.size()) return mismatch;
    for (size_t i = 0; i < ws.size(); ++i) {
      if (ws[i].kind != gs[i].kind || ws[i].len != gs[i].len) return mismatch;
      if (ws[i].kind == w::kTcpOptTimestamp) {
        // Timestamps are checked only with --tcp_ts_tick_usecs
        // (verify_outbound_tcp_option()); the ecr never is.
        if (ts.tick_usecs == 0) continue;
        const auto drift = static_cast<int32_t>(gs[i].be32(0) - ws[i].be32(0));
        if (std::abs(static_cast<int64_t>(drift)) * ts.tick_usecs > ts.tolerance_usecs)
          return "TS val: expected " + u32(ws[i].be32(0)) + ", got " + u32(gs[i].be32(0)) + " (tolerance " +
                 std::to_string(ts.tolerance_usecs) + " us)";
        continue;
      }
      for (uint8_t b = 0; b < ws[i].data_len(); ++b)
        if (ws[i].data[b] != gs[i].data[b]) return mismatch;
    }
    // Same options, but padded differently (the data offset differs).
    const uint32_t want_doff = w::kTcpHeaderLen + ((want_opts.size() + 3u) & ~3u);
    if (a.doff_bytes != want_doff)
      return "TCP header length: expected " + u32(want_doff) + " bytes, got " + u32(a.doff_bytes);
  }

  if (a.payload_len != script.payload_len)
    return "payload: expected " + u32(script.payload_len) + " bytes, got " + u32(a.payload_len);
  if (!a.payload_zero) return "payload: expected zero bytes (as written by the script), got other data";
  if (a.ip_ihl_bytes != w::kIpv4HeaderLen) return "IPv4 header length: expected 20, got " + u32(a.ip_ihl_bytes);
  return std::nullopt;
}

std::string format_segment(const WireSegment& seg, Direction dir) {
  Packet p;
  p.direction = dir;
  TcpSegment t;
  t.flags = script_flags(seg.flags, seg.reserved);
  t.seq = seg.seq;
  t.payload_len = static_cast<uint16_t>(seg.payload_len);
  t.end_seq = seg.seq + seg.payload_len;
  if (seg.flags & w::TCPHDR_ACK) t.ack = seg.ack;
  t.window = seg.window;
  if (seg.flags & w::TCPHDR_URG) t.urg_ptr = seg.urg;
  p.l4 = t;
  std::string out = to_string(p);
  if (!seg.options.empty()) out += " " + options_text(seg.options);
  return out;
}

}  // namespace pkt

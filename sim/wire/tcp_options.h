// TCP options: writers for the options the listen path and data path use,
// and a strict iterator that walks options in wire order.
//
// Writers only lay down bytes where the caller says; which options appear, in
// what order and with what NOP padding is the caller's decision (Linux's
// tcp_options_write() order lives in the stack, not here).
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim/wire/bytes.h"
#include "sim/wire/parse_result.h"
#include "sim/wire/tcp.h"

namespace sim::wire {

// Kinds (IANA "TCP Option Kind Numbers"). Our own names: glibc's
// <netinet/tcp.h> defines TCPOPT_* as macros, which would clash.
inline constexpr uint8_t kTcpOptEol = 0;
inline constexpr uint8_t kTcpOptNop = 1;
inline constexpr uint8_t kTcpOptMss = 2;         // RFC 9293
inline constexpr uint8_t kTcpOptWscale = 3;      // RFC 7323
inline constexpr uint8_t kTcpOptSackPerm = 4;    // RFC 2018
inline constexpr uint8_t kTcpOptSack = 5;        // RFC 2018
inline constexpr uint8_t kTcpOptTimestamp = 8;   // RFC 7323
inline constexpr uint8_t kTcpOptMd5 = 19;        // RFC 2385
inline constexpr uint8_t kTcpOptFastOpen = 34;   // RFC 7413
inline constexpr uint8_t kTcpOptExp = 254;       // RFC 6994 experimental

inline constexpr uint8_t kTcpOptLenMss = 4;
inline constexpr uint8_t kTcpOptLenWscale = 3;
inline constexpr uint8_t kTcpOptLenSackPerm = 2;
inline constexpr uint8_t kTcpOptLenTimestamp = 10;
inline constexpr uint8_t kTcpOptLenMd5 = 18;
inline constexpr uint8_t kTcpOptLenSackBase = 2;
inline constexpr uint8_t kTcpOptLenSackPerBlock = 8;
inline constexpr uint8_t kTcpMaxSackBlocks = 4;  // (40 - 2) / 8

struct TcpSackBlock {
  uint32_t start = 0;  // left edge
  uint32_t end = 0;    // right edge (first byte not covered)
};

// Raw writers: each writes one option at p and returns p advanced past it.
inline uint8_t* put_tcpopt_eol(uint8_t* p) { *p = kTcpOptEol; return p + 1; }
inline uint8_t* put_tcpopt_nop(uint8_t* p) { *p = kTcpOptNop; return p + 1; }
inline uint8_t* put_tcpopt_mss(uint8_t* p, uint16_t mss) {
  p[0] = kTcpOptMss;
  p[1] = kTcpOptLenMss;
  store_be16(p + 2, mss);
  return p + kTcpOptLenMss;
}
inline uint8_t* put_tcpopt_wscale(uint8_t* p, uint8_t shift) {
  p[0] = kTcpOptWscale;
  p[1] = kTcpOptLenWscale;
  p[2] = shift;
  return p + kTcpOptLenWscale;
}
inline uint8_t* put_tcpopt_sack_perm(uint8_t* p) {
  p[0] = kTcpOptSackPerm;
  p[1] = kTcpOptLenSackPerm;
  return p + kTcpOptLenSackPerm;
}
inline uint8_t* put_tcpopt_timestamp(uint8_t* p, uint32_t tsval, uint32_t tsecr) {
  p[0] = kTcpOptTimestamp;
  p[1] = kTcpOptLenTimestamp;
  store_be32(p + 2, tsval);
  store_be32(p + 6, tsecr);
  return p + kTcpOptLenTimestamp;
}
// n in 1..kTcpMaxSackBlocks.
inline uint8_t* put_tcpopt_sack(uint8_t* p, const TcpSackBlock* blocks, uint8_t n) {
  p[0] = kTcpOptSack;
  p[1] = static_cast<uint8_t>(kTcpOptLenSackBase + n * kTcpOptLenSackPerBlock);
  uint8_t* q = p + 2;
  for (uint8_t i = 0; i < n; ++i, q += 8) {
    store_be32(q, blocks[i].start);
    store_be32(q + 4, blocks[i].end);
  }
  return q;
}

// Builds an option block in a fixed 40-byte buffer (no allocation):
//   TcpOptWriter w;  w.mss(1460).sack_perm().timestamp(5, 100).nop().wscale(7);
//   repr.options = w.data();  repr.options_len = w.size();
// An option that does not fit (or a SACK with 0 or more than 4 blocks) is
// not written and clears ok(); the rest of the chain is then ignored, so a
// caller checks ok() once at the end.
class TcpOptWriter {
 public:
  TcpOptWriter& eol() { if (room(1)) len_ = static_cast<uint8_t>(put_tcpopt_eol(end()) - buf_); return *this; }
  TcpOptWriter& nop() { if (room(1)) len_ = static_cast<uint8_t>(put_tcpopt_nop(end()) - buf_); return *this; }
  TcpOptWriter& mss(uint16_t v) {
    if (room(kTcpOptLenMss)) len_ = static_cast<uint8_t>(put_tcpopt_mss(end(), v) - buf_);
    return *this;
  }
  TcpOptWriter& wscale(uint8_t shift) {
    if (room(kTcpOptLenWscale)) len_ = static_cast<uint8_t>(put_tcpopt_wscale(end(), shift) - buf_);
    return *this;
  }
  TcpOptWriter& sack_perm() {
    if (room(kTcpOptLenSackPerm)) len_ = static_cast<uint8_t>(put_tcpopt_sack_perm(end()) - buf_);
    return *this;
  }
  TcpOptWriter& timestamp(uint32_t tsval, uint32_t tsecr) {
    if (room(kTcpOptLenTimestamp))
      len_ = static_cast<uint8_t>(put_tcpopt_timestamp(end(), tsval, tsecr) - buf_);
    return *this;
  }
  TcpOptWriter& sack(const TcpSackBlock* blocks, uint8_t n) {
    if (n == 0 || n > kTcpMaxSackBlocks) ok_ = false;
    else if (room(kTcpOptLenSackBase + n * kTcpOptLenSackPerBlock))
      len_ = static_cast<uint8_t>(put_tcpopt_sack(end(), blocks, n) - buf_);
    return *this;
  }
  // Any option given as kind + value bytes (length byte computed).
  TcpOptWriter& raw(uint8_t kind, const uint8_t* value, uint8_t value_len);
  // NOPs up to the next multiple of 4.
  TcpOptWriter& align_nop() {
    while (ok_ && (len_ & 3)) nop();
    return *this;
  }

  const uint8_t* data() const { return buf_; }
  uint8_t size() const { return len_; }
  bool ok() const { return ok_; }
  // Points r's options at this buffer (which must outlive r's use).
  void attach(TcpRepr& r) const { r.options = buf_; r.options_len = len_; }

 private:
  bool room(uint32_t n) {
    if (ok_ && len_ + n > kTcpMaxOptionsLen) ok_ = false;
    return ok_;
  }
  uint8_t* end() { return buf_ + len_; }

  uint8_t buf_[kTcpMaxOptionsLen] = {};
  uint8_t len_ = 0;
  bool ok_ = true;
};

// One option as found on the wire.
struct TcpOpt {
  uint8_t kind = 0;
  uint8_t len = 0;                // bytes on the wire incl. kind and length (1 for EOL/NOP)
  const uint8_t* data = nullptr;  // the len - 2 value bytes; nullptr for EOL/NOP

  uint8_t data_len() const { return len >= 2 ? static_cast<uint8_t>(len - 2) : 0; }
  uint16_t be16(size_t off) const { return load_be16(data + off); }
  uint32_t be32(size_t off) const { return load_be32(data + off); }
};

// Walks an option block in wire order, yielding EOL and NOP too (a printer
// shows them). Stops after EOL, at the end, or at the first structurally
// malformed option, which error() then names: a missing length byte, a
// length < 2, or a length past the end. These are exactly the conditions at
// which Linux's tcp_parse_options() gives up, so the stack can build its
// mirror on this iterator. It does not judge lengths of known kinds (Linux
// skips a wrong-length MSS and carries on); check_tcp_options() does.
class TcpOptIter {
 public:
  TcpOptIter(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  explicit TcpOptIter(const TcpRepr& r) : p_(r.options), n_(r.options_len) {}

  // The next option, or false when done (then error() says why).
  bool next(TcpOpt& out) {
    if (off_ >= n_ || done_) return false;
    const uint8_t kind = p_[off_];
    if (kind == kTcpOptEol || kind == kTcpOptNop) {
      out = TcpOpt{kind, 1, nullptr};
      ++off_;
      done_ = (kind == kTcpOptEol);
      return true;
    }
    return next_long(out);
  }
  ParseResult error() const { return error_; }
  // Offset of the next byte to read; after EOL, where the padding starts.
  size_t offset() const { return off_; }

 private:
  bool next_long(TcpOpt& out);

  const uint8_t* p_;
  size_t n_;
  size_t off_ = 0;
  bool done_ = false;
  ParseResult error_ = ParseResult::kOk;
};

// Strict check of an option block: structure as TcpOptIter, plus the lengths
// the RFCs fix for known kinds (MSS 4, window scale 3, SACK-permitted 2,
// timestamps 10, SACK 2 + 8k with 1 <= k <= 4, MD5 18), plus zero padding
// after EOL. For tests and tools; the stack mirrors Linux's leniency instead.
ParseResult check_tcp_options(const uint8_t* p, size_t n);
inline ParseResult check_tcp_options(const TcpRepr& r) { return check_tcp_options(r.options, r.options_len); }

}  // namespace sim::wire

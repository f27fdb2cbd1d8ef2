#include "sim/wire/tcp_options.h"

#include <cstring>

namespace sim::wire {

TcpOptWriter& TcpOptWriter::raw(uint8_t kind, const uint8_t* value, uint8_t value_len) {
  if (!room(2u + value_len)) return *this;
  buf_[len_] = kind;
  buf_[len_ + 1] = static_cast<uint8_t>(2 + value_len);
  if (value_len) std::memcpy(buf_ + len_ + 2, value, value_len);
  len_ = static_cast<uint8_t>(len_ + 2 + value_len);
  return *this;
}

bool TcpOptIter::next_long(TcpOpt& out) {
  const size_t left = n_ - off_;
  if (left < 2) {
    error_ = ParseResult::kTcpOptTruncated;
  } else if (p_[off_ + 1] < 2) {
    error_ = ParseResult::kTcpOptBadLen;
  } else if (p_[off_ + 1] > left) {
    error_ = ParseResult::kTcpOptOverflow;
  } else {
    out = TcpOpt{p_[off_], p_[off_ + 1], p_ + off_ + 2};
    off_ += out.len;
    return true;
  }
  done_ = true;
  return false;
}

namespace {

bool known_kind_len_ok(const TcpOpt& o) {
  switch (o.kind) {
    case kTcpOptMss: return o.len == kTcpOptLenMss;
    case kTcpOptWscale: return o.len == kTcpOptLenWscale;
    case kTcpOptSackPerm: return o.len == kTcpOptLenSackPerm;
    case kTcpOptTimestamp: return o.len == kTcpOptLenTimestamp;
    case kTcpOptMd5: return o.len == kTcpOptLenMd5;
    case kTcpOptSack: {
      const uint8_t body = o.data_len();
      return body >= kTcpOptLenSackPerBlock && body % kTcpOptLenSackPerBlock == 0 &&
             body / kTcpOptLenSackPerBlock <= kTcpMaxSackBlocks;
    }
    default: return true;
  }
}

}  // namespace

ParseResult check_tcp_options(const uint8_t* p, size_t n) {
  TcpOptIter it(p, n);
  TcpOpt o;
  bool saw_eol = false;
  while (it.next(o)) {
    if (!known_kind_len_ok(o)) return ParseResult::kTcpOptBadKindLen;
    saw_eol = (o.kind == kTcpOptEol);
  }
  if (it.error() != ParseResult::kOk) return it.error();
  if (saw_eol) {
    for (size_t i = it.offset(); i < n; ++i)
      if (p[i] != 0) return ParseResult::kTcpOptAfterEol;
  }
  return ParseResult::kOk;
}

}  // namespace sim::wire

#include "sim/wire/parse_result.h"

namespace sim::wire {

const char* parse_result_name(ParseResult r) {
  switch (r) {
    case ParseResult::kOk: return "ok";
    case ParseResult::kTruncated: return "truncated";
    case ParseResult::kIpBadVersion: return "ip: bad version";
    case ParseResult::kIpBadIhl: return "ip: bad header length";
    case ParseResult::kIpBadTotalLen: return "ip: bad total length";
    case ParseResult::kIpFragment: return "ip: fragment";
    case ParseResult::kIpBadChecksum: return "ip: bad header checksum";
    case ParseResult::kTcpBadDoff: return "tcp: bad data offset";
    case ParseResult::kTcpBadChecksum: return "tcp: bad checksum";
    case ParseResult::kTcpOptTruncated: return "tcp option: truncated";
    case ParseResult::kTcpOptBadLen: return "tcp option: length < 2";
    case ParseResult::kTcpOptOverflow: return "tcp option: length past end of options";
    case ParseResult::kTcpOptBadKindLen: return "tcp option: wrong length for kind";
    case ParseResult::kTcpOptAfterEol: return "tcp option: data after end of list";
    case ParseResult::kUdpBadLength: return "udp: bad length";
    case ParseResult::kUdpBadChecksum: return "udp: bad checksum";
  }
  return "?";
}

}  // namespace sim::wire

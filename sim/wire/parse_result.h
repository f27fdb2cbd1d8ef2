// What a strict parser found wrong with a packet. One enum for all layers so
// that a receive path can pass the verdict up unchanged and a drop counter or
// log line can name it (parse_result_name()).
#pragma once

#include <cstdint>

namespace sim::wire {

enum class ParseResult : uint8_t {
  kOk = 0,
  kTruncated,            // shorter than the fixed header of the layer
  // IPv4
  kIpBadVersion,         // version nibble is not 4
  kIpBadIhl,             // ihl < 5, or the header runs past the buffer
  kIpBadTotalLen,        // total length < header length, or > the bytes we have
  kIpFragment,           // MF set or fragment offset nonzero (SIM: no reassembly)
  kIpBadChecksum,
  // TCP
  kTcpBadDoff,           // data offset < 5, or the header runs past the segment
  kTcpBadChecksum,
  // TCP options
  kTcpOptTruncated,      // an option's length byte is missing
  kTcpOptBadLen,         // length byte < 2
  kTcpOptOverflow,       // length runs past the end of the option space
  kTcpOptBadKindLen,     // a known kind with a length its RFC does not allow
  kTcpOptAfterEol,       // nonzero bytes after End of Option List
  // UDP
  kUdpBadLength,         // length field < 8 or > the bytes we have
  kUdpBadChecksum,
};

const char* parse_result_name(ParseResult r);

}  // namespace sim::wire

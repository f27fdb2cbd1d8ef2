// Classic pcap files with nanosecond timestamps, one per captured interface.
//
// Format: the libpcap savefile format (draft-ietf-opsawg-pcap): a 24-byte
// file header, then per packet a 16-byte record header and the bytes. Magic
// 0xa1b23c4d marks nanosecond timestamps; fields are written little-endian
// whatever the host, so the same run gives the same bytes everywhere
// (goldens byte-compare pcaps).
//
// Link type: LINKTYPE_RAW (101), the frame starts at the IPv4 header.
// Our links are point-to-point and carry IP packets with no link header, so
// Ethernet framing would add 14 bytes of invented MAC addresses per packet
// that tshark would display as if they meant something. LINKTYPE_RAW is
// decoded as "Raw packet data" -> IPv4 by Wireshark/tshark and by tcpdump
// and libpcap everywhere (the version nibble also admits IPv6 later);
// LINKTYPE_IPV4 (228) says the same thing but is known to fewer tools.
//
// Timestamps are simulated time: the wall clock never enters a capture.
// Writes are buffered in our own buffer and reach the file in large
// fwrite()s. Errors never abort: open()/write()/flush()/close() return false
// and error() says what failed, with the path and the system's reason; after
// the first error further records are dropped and the error is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "sim/time.h"

namespace sim::wire {

inline constexpr uint32_t kPcapMagicNanos = 0xa1b23c4d;
inline constexpr uint32_t kLinktypeEthernet = 1;
inline constexpr uint32_t kLinktypeRaw = 101;
inline constexpr uint32_t kPcapFileHeaderLen = 24;
inline constexpr uint32_t kPcapRecordHeaderLen = 16;

struct PcapOptions {
  uint32_t snaplen = 262144;       // bytes kept per packet; tcpdump's default
  uint32_t linktype = kLinktypeRaw;
  size_t buffer_bytes = 1 << 20;   // flushed with one fwrite when full
};

class PcapWriter {
 public:
  PcapWriter() = default;
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;
  PcapWriter(PcapWriter&& o) noexcept;
  PcapWriter& operator=(PcapWriter&& o) noexcept;
  // Closes the file. An error found only here is lost; call close() to see it.
  ~PcapWriter();

  // Creates (or truncates) path and writes the file header.
  bool open(const std::string& path, const PcapOptions& opts = {});

  // Appends a packet captured at simulated time ts: its first
  // min(len, snaplen) bytes, recording len as the original length.
  bool write(Time ts, const uint8_t* p, uint32_t len);

  // Hands everything buffered to the file.
  bool flush();
  // Flushes and closes. Returns false if anything failed since open().
  bool close();

  bool is_open() const { return file_ != nullptr; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  uint64_t packets_written() const { return packets_; }

 private:
  bool fail(const char* what, int err);
  bool write_out(const uint8_t* p, size_t n);

  std::FILE* file_ = nullptr;
  std::string path_;
  std::string error_;
  PcapOptions opts_;
  std::unique_ptr<uint8_t[]> buf_;
  size_t used_ = 0;
  uint64_t packets_ = 0;
};

}  // namespace sim::wire

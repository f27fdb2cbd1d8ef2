#include "sim/wire/pcap_writer.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "sim/wire/bytes.h"

namespace sim::wire {

namespace {
constexpr int64_t kNsPerSec = 1000000000;
constexpr size_t kMinBuffer = 4096;
}  // namespace

PcapWriter::PcapWriter(PcapWriter&& o) noexcept
    : file_(std::exchange(o.file_, nullptr)),
      path_(std::move(o.path_)),
      error_(std::move(o.error_)),
      opts_(o.opts_),
      buf_(std::move(o.buf_)),
      used_(std::exchange(o.used_, 0)),
      packets_(std::exchange(o.packets_, 0)) {}

PcapWriter& PcapWriter::operator=(PcapWriter&& o) noexcept {
  if (this != &o) {
    close();
    file_ = std::exchange(o.file_, nullptr);
    path_ = std::move(o.path_);
    error_ = std::move(o.error_);
    opts_ = o.opts_;
    buf_ = std::move(o.buf_);
    used_ = std::exchange(o.used_, 0);
    packets_ = std::exchange(o.packets_, 0);
  }
  return *this;
}

PcapWriter::~PcapWriter() { close(); }

bool PcapWriter::fail(const char* what, int err) {
  if (error_.empty()) {
    error_ = "pcap " + path_ + ": " + what;
    if (err) error_ += std::string(": ") + std::strerror(err);
  }
  return false;
}

bool PcapWriter::open(const std::string& path, const PcapOptions& opts) {
  close();
  path_ = path;
  error_.clear();
  opts_ = opts;
  if (opts_.buffer_bytes < kMinBuffer) opts_.buffer_bytes = kMinBuffer;
  if (opts_.snaplen == 0) return fail("snaplen must be positive", 0);
  packets_ = 0;
  used_ = 0;
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) return fail("cannot create", errno);
  // Our buffer is the only one: stdio's would copy every byte a second time.
  std::setvbuf(file_, nullptr, _IONBF, 0);
  buf_ = std::make_unique<uint8_t[]>(opts_.buffer_bytes);

  uint8_t* h = buf_.get();
  store_le32(h, kPcapMagicNanos);
  store_le16(h + 4, 2);  // version 2.4
  store_le16(h + 6, 4);
  store_le32(h + 8, 0);  // thiszone: timestamps are UTC (here: sim time since 0)
  store_le32(h + 12, 0);  // sigfigs
  store_le32(h + 16, opts_.snaplen);
  store_le32(h + 20, opts_.linktype);
  used_ = kPcapFileHeaderLen;
  return true;
}

bool PcapWriter::write_out(const uint8_t* p, size_t n) {
  if (n && std::fwrite(p, 1, n, file_) != n) return fail("write failed", errno);
  return true;
}

bool PcapWriter::write(Time ts, const uint8_t* p, uint32_t len) {
  if (!file_) return fail("write on a closed file", 0);
  if (!error_.empty()) return false;
  const int64_t ns = ts.ns();
  if (ns < 0 || ns / kNsPerSec > 0xffffffffLL) return fail("timestamp outside pcap's range", 0);
  const uint32_t caplen = len < opts_.snaplen ? len : opts_.snaplen;
  const size_t need = kPcapRecordHeaderLen + caplen;
  if (need > opts_.buffer_bytes - used_ && !flush()) return false;

  uint8_t hdr[kPcapRecordHeaderLen];
  store_le32(hdr, static_cast<uint32_t>(ns / kNsPerSec));
  store_le32(hdr + 4, static_cast<uint32_t>(ns % kNsPerSec));
  store_le32(hdr + 8, caplen);
  store_le32(hdr + 12, len);
  if (need > opts_.buffer_bytes) {
    // Larger than the whole buffer (tiny buffer, jumbo snaplen): straight out.
    if (!write_out(hdr, sizeof hdr) || !write_out(p, caplen)) return false;
  } else {
    std::memcpy(buf_.get() + used_, hdr, sizeof hdr);
    std::memcpy(buf_.get() + used_ + sizeof hdr, p, caplen);
    used_ += need;
  }
  ++packets_;
  return true;
}

bool PcapWriter::flush() {
  if (!file_) return fail("flush on a closed file", 0);
  if (!error_.empty()) return false;
  const size_t n = used_;
  used_ = 0;
  return write_out(buf_.get(), n);
}

bool PcapWriter::close() {
  if (!file_) return error_.empty();
  flush();
  if (std::fclose(file_) != 0) fail("close failed", errno);
  file_ = nullptr;
  buf_.reset();
  return error_.empty();
}

}  // namespace sim::wire

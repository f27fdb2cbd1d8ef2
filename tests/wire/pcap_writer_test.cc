#include "sim/wire/pcap_writer.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "sim/skbuff.h"
#include "sim/wire/bytes.h"
#include "sim/wire/ipv4_addr.h"
#include "sim/wire/skb_build.h"
#include "sim/wire/tcp_options.h"

namespace sim::wire {
namespace {

constexpr const char* kTshark = "/usr/bin/tshark";

std::string tmp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/" + name;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs a shell command; returns its exit status and stdout.
int run(const std::string& cmd, std::string& out) {
  out.clear();
  std::FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> split_tabs(const std::string& s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '\t') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

// ------------------------------------------------------ the file format

TEST_CASE("file header: nanosecond magic, version 2.4, snaplen, LINKTYPE_RAW, little-endian") {
  const std::string path = tmp_path("header.pcap");
  PcapWriter w;
  REQUIRE_MESSAGE(w.open(path, {.snaplen = 1500}), w.error());
  REQUIRE(w.close());
  const std::vector<uint8_t> want = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                     0,    0,    0,    0,    0xdc, 0x05, 0, 0, 101, 0, 0, 0};
  CHECK(read_file(path) == want);
}

TEST_CASE("records carry sim time in ns, caplen/origlen and the bytes") {
  const std::string path = tmp_path("records.pcap");
  PcapWriter w;
  REQUIRE(w.open(path, {.snaplen = 8}));
  const uint8_t a[4] = {1, 2, 3, 4};
  const uint8_t b[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xff, 0xfe};
  REQUIRE(w.write(Time::from_ns(0), a, sizeof a));
  REQUIRE(w.write(Time::from_ns(1'000'000'123), b, sizeof b));  // cut to snaplen 8
  REQUIRE(w.write(Time::from_ns(4294967295LL * 1'000'000'000 + 999'999'999), a, 0));
  CHECK(w.packets_written() == 3);
  REQUIRE(w.close());

  const auto f = read_file(path);
  REQUIRE(f.size() == 24 + (16 + 4) + (16 + 8) + 16);
  const uint8_t* r = f.data() + 24;
  CHECK(load_le32(r) == 0);
  CHECK(load_le32(r + 4) == 0);
  CHECK(load_le32(r + 8) == 4);
  CHECK(load_le32(r + 12) == 4);
  CHECK(std::vector<uint8_t>(r + 16, r + 20) == std::vector<uint8_t>(a, a + 4));
  r += 20;
  CHECK(load_le32(r) == 1);
  CHECK(load_le32(r + 4) == 123);
  CHECK(load_le32(r + 8) == 8);
  CHECK(load_le32(r + 12) == 12);
  CHECK(std::vector<uint8_t>(r + 16, r + 24) == std::vector<uint8_t>(b, b + 8));
  r += 24;
  CHECK(load_le32(r) == 4294967295u);
  CHECK(load_le32(r + 4) == 999'999'999u);
  CHECK(load_le32(r + 8) == 0);
}

TEST_CASE("small buffer: many flushes and oversized records keep order and content") {
  const std::string path = tmp_path("buffered.pcap");
  PcapWriter w;
  REQUIRE(w.open(path, {.snaplen = 100000, .buffer_bytes = 4096}));
  std::vector<uint8_t> expect(24);
  std::vector<uint8_t> pkt;
  for (uint32_t i = 0; i < 300; ++i) {
    // Sizes up to 9000: some records exceed the whole 4 KiB buffer.
    pkt.assign(i % 7 == 0 ? 9000 : i % 97 + 1, static_cast<uint8_t>(i));
    REQUIRE(w.write(Time::from_ns(i), pkt.data(), static_cast<uint32_t>(pkt.size())));
    uint8_t hdr[16];
    store_le32(hdr, 0);
    store_le32(hdr + 4, i);
    store_le32(hdr + 8, static_cast<uint32_t>(pkt.size()));
    store_le32(hdr + 12, static_cast<uint32_t>(pkt.size()));
    expect.insert(expect.end(), hdr, hdr + 16);
    expect.insert(expect.end(), pkt.begin(), pkt.end());
  }
  REQUIRE(w.close());
  const auto f = read_file(path);
  REQUIRE(f.size() == expect.size());
  CHECK(std::equal(f.begin() + 24, f.end(), expect.begin() + 24));
}

TEST_CASE("errors are reported with the path and the reason, never a crash") {
  SUBCASE("directory does not exist") {
    PcapWriter w;
    const std::string path = tmp_path("no/such/dir/x.pcap");
    CHECK_FALSE(w.open(path));
    CHECK_FALSE(w.ok());
    CHECK(w.error().find(path) != std::string::npos);
    CHECK(w.error().find("No such file or directory") != std::string::npos);
    const uint8_t b[1] = {0};
    CHECK_FALSE(w.write(Time(), b, 1));
    CHECK_FALSE(w.close());
  }
  SUBCASE("device full") {
    struct stat st;
    REQUIRE_MESSAGE(stat("/dev/full", &st) == 0, "this test needs /dev/full");
    PcapWriter w;
    REQUIRE(w.open("/dev/full", {.buffer_bytes = 4096}));
    std::vector<uint8_t> pkt(1000, 1);
    bool failed = false;
    for (int i = 0; i < 10 && !failed; ++i) failed = !w.write(Time::from_ns(i), pkt.data(), 1000);
    CHECK(failed);  // the first flush hit ENOSPC
    CHECK(w.error().find("No space left on device") != std::string::npos);
    const std::string first = w.error();
    CHECK_FALSE(w.write(Time(), pkt.data(), 1));
    CHECK_FALSE(w.close());
    CHECK(w.error() == first);  // the first error is the one kept
  }
  SUBCASE("negative timestamp") {
    PcapWriter w;
    REQUIRE(w.open(tmp_path("neg.pcap")));
    const uint8_t b[1] = {0};
    CHECK_FALSE(w.write(Time::from_ns(-1), b, 1));
    CHECK(w.error().find("timestamp") != std::string::npos);
  }
  SUBCASE("zero snaplen") {
    PcapWriter w;
    CHECK_FALSE(w.open(tmp_path("snap0.pcap"), {.snaplen = 0}));
    CHECK(w.error().find("snaplen") != std::string::npos);
  }
}

TEST_CASE("a moved-from writer is closed; the moved-to one keeps writing") {
  const std::string path = tmp_path("moved.pcap");
  PcapWriter a;
  REQUIRE(a.open(path));
  const uint8_t b[3] = {1, 2, 3};
  REQUIRE(a.write(Time(), b, 3));
  PcapWriter c(std::move(a));
  CHECK_FALSE(a.is_open());
  REQUIRE(c.write(Time(), b, 3));
  REQUIRE(c.close());
  CHECK(read_file(path).size() == 24 + 2 * (16 + 3));
}

// --------------------------------------------- checked by an independent reader

// A handshake, a request and a response, and an orderly close, plus a second
// connection refused with a RST: what a small scenario produces.
struct Exchange {
  uint32_t client = ipv4_addr(10, 0, 0, 1);
  uint32_t server = ipv4_addr(10, 0, 0, 2);
  uint32_t syns = 0;
  uint32_t frames = 0;
};

void write_exchange(PcapWriter& w, SkbPool& pool, Exchange& ex, bool corrupt_one) {
  const uint32_t c_isn = 1000000, s_isn = 3000000000u;
  int64_t t = 1'000'000'000;  // sim time 1 s
  uint16_t ip_id = 0;
  auto send = [&](bool from_client, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack,
                  uint32_t payload_len, const TcpOptWriter* opts) {
    static const std::vector<uint8_t> payload(1448, 'x');
    Ipv4Repr ip;
    ip.saddr = from_client ? ex.client : ex.server;
    ip.daddr = from_client ? ex.server : ex.client;
    ip.id = ip_id++;
    TcpRepr tcp;
    tcp.sport = from_client ? sport : 80;
    tcp.dport = from_client ? 80 : sport;
    tcp.seq = seq;
    tcp.ack = ack;
    tcp.flags = flags;
    tcp.window = 502;
    if (opts) opts->attach(tcp);
    tcp.payload = payload.data();
    tcp.payload_len = payload_len;
    SkBuff* skb = pool.alloc();
    REQUIRE(build_tcp_packet(skb, ip, tcp));
    if (corrupt_one && ex.frames == 3) skb->data[20 + 16] ^= 0x5a;  // the request's TCP checksum
    REQUIRE(w.write(Time::from_ns(t), skb->data, skb->len));
    kfree_skb(skb);
    if ((flags & TCPHDR_SYN) && !(flags & TCPHDR_ACK)) ++ex.syns;
    ++ex.frames;
    t += 250'123;  // 250.123 us between frames
  };
  TcpOptWriter syn_opts, synack_opts, ts;
  syn_opts.mss(1460).sack_perm().timestamp(100, 0).nop().wscale(7);
  synack_opts.mss(1460).sack_perm().timestamp(500, 100).nop().wscale(10);
  ts.nop().nop().timestamp(101, 500);
  const uint32_t c = c_isn + 1, s = s_isn + 1;
  send(true, 40001, TCPHDR_SYN, c_isn, 0, 0, &syn_opts);
  send(false, 40001, TCPHDR_SYN | TCPHDR_ACK, s_isn, c, 0, &synack_opts);
  send(true, 40001, TCPHDR_ACK, c, s, 0, &ts);
  send(true, 40001, TCPHDR_PSH | TCPHDR_ACK, c, s, 100, &ts);
  send(false, 40001, TCPHDR_ACK, s, c + 100, 0, &ts);
  send(false, 40001, TCPHDR_PSH | TCPHDR_ACK, s, c + 100, 1000, &ts);
  send(true, 40001, TCPHDR_ACK, c + 100, s + 1000, 0, &ts);
  send(true, 40001, TCPHDR_FIN | TCPHDR_ACK, c + 100, s + 1000, 0, &ts);
  send(false, 40001, TCPHDR_FIN | TCPHDR_ACK, s + 1000, c + 101, 0, &ts);
  send(true, 40001, TCPHDR_ACK, c + 101, s + 1001, 0, &ts);
  // A second connection attempt to a closed port: SYN, then RST|ACK.
  send(true, 40002, TCPHDR_SYN, 77, 0, 0, &syn_opts);
  send(false, 40002, TCPHDR_RST | TCPHDR_ACK, 0, 78, 0, nullptr);
}

bool have_tshark() {
  struct stat st;
  return stat(kTshark, &st) == 0 && (st.st_mode & S_IXUSR);
}

std::string tshark_cmd(const std::string& pcap, const std::string& args) {
  // tshark warns on stderr when run as root; only stdout is parsed.
  return std::string(kTshark) + " -n -r '" + pcap +
         "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE " + args + " 2>/dev/null";
}

constexpr const char* kFields =
    "-T fields -e frame.number -e frame.time_epoch -e ip.checksum.status -e tcp.checksum.status "
    "-e tcp.flags -e _ws.malformed -e _ws.expert.severity -e frame.len";

// Expert severities as tshark prints them (epan/proto.h PI_* values).
constexpr const char* kSeverityWarn = "6291456";
constexpr const char* kSeverityError = "8388608";

TEST_CASE("tshark reads our capture of a TCP exchange: no malformed packet, every checksum good") {
  REQUIRE_MESSAGE(have_tshark(), "tshark not found at /usr/bin/tshark: install the 'tshark' package");
  const std::string path = tmp_path("exchange.pcap");
  SkbPool pool;
  Exchange ex;
  {
    PcapWriter w;
    REQUIRE(w.open(path));
    write_exchange(w, pool, ex, /*corrupt_one=*/false);
    REQUIRE_MESSAGE(w.close(), w.error());
  }
  CHECK(pool.in_use() == 0);

  std::string out;
  REQUIRE(run(tshark_cmd(path, kFields), out) == 0);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() == ex.frames);
  for (size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    const auto f = split_tabs(lines[i]);
    REQUIRE(f.size() == 8);
    CHECK(f[0] == std::to_string(i + 1));
    CHECK(f[2] == "1");  // ip.checksum.status: good
    CHECK(f[3] == "1");  // tcp.checksum.status: good
    CHECK(f[5].empty());  // no malformed-packet marker
    CHECK(f[6].find(kSeverityError) == std::string::npos);
    // tshark rates any RST a warning ("Connection reset"); the last frame is one.
    if (i + 1 < lines.size()) CHECK(f[6].find(kSeverityWarn) == std::string::npos);
  }
  // Sim time with nanoseconds survives: frame 2 is at 1 s + 250.123 us.
  CHECK(split_tabs(lines[1])[1] == "1.000250123");
  // The SYN: 20 + 40 bytes; the 1000-byte response: 20 + 32 + 1000.
  CHECK(split_tabs(lines[0])[7] == "60");
  CHECK(split_tabs(lines[5])[7] == "1052");

  REQUIRE(run(tshark_cmd(path, "-q -z expert"), out) == 0);
  CHECK_MESSAGE(out.find("Errors (") == std::string::npos, out);
  CHECK_MESSAGE(out.find("Warns (1)") != std::string::npos, out);
  CHECK_MESSAGE(out.find("Connection reset (RST)") != std::string::npos, out);
  CHECK_MESSAGE(out.find("Malformed") == std::string::npos, out);

  REQUIRE(run(tshark_cmd(path, "-Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e frame.number"), out) == 0);
  CHECK(lines_of(out).size() == ex.syns);
  CHECK(ex.syns == 2);

  // tshark's own reading of the TCP conversation matches what was sent.
  REQUIRE(run(tshark_cmd(path, "-Y 'frame.number == 6' -T fields -e tcp.seq -e tcp.ack -e tcp.len "
                               "-e tcp.options.mss_val -e tcp.options.wscale.shift"),
              out) == 0);
  CHECK(out == "1\t101\t1000\t\t\n");
  REQUIRE(run(tshark_cmd(path, "-Y 'frame.number == 2' -T fields -e tcp.options.mss_val "
                               "-e tcp.options.wscale.shift -e tcp.options.timestamp.tsval"),
              out) == 0);
  CHECK(out == "1460\t10\t500\n");
}

// Without this, a tshark that silently skipped checksum validation would
// let the test above pass no matter what we wrote.
TEST_CASE("tshark does flag a corrupted checksum in the same exchange") {
  REQUIRE_MESSAGE(have_tshark(), "tshark not found at /usr/bin/tshark: install the 'tshark' package");
  const std::string path = tmp_path("corrupt.pcap");
  SkbPool pool;
  Exchange ex;
  {
    PcapWriter w;
    REQUIRE(w.open(path));
    write_exchange(w, pool, ex, /*corrupt_one=*/true);
    REQUIRE(w.close());
  }
  std::string out;
  REQUIRE(run(tshark_cmd(path, kFields), out) == 0);
  const auto lines = lines_of(out);
  REQUIRE(lines.size() == ex.frames);
  CHECK(split_tabs(lines[3])[3] == "0");  // tcp.checksum.status: bad
  CHECK(split_tabs(lines[2])[3] == "1");
  REQUIRE(run(tshark_cmd(path, "-q -z expert"), out) == 0);
  CHECK(out.find("Errors (1)") != std::string::npos);
}

}  // namespace
}  // namespace sim::wire

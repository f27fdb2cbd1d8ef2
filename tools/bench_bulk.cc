// Bulk-data benchmark: how fast the simulator moves an established TCP
// connection's data.
//
// bulk: one connection sends 200 MB over a 1 Gbps / 1 ms (one way) link
// without loss (CUBIC, default buffers and autotuning); the figure is
// simulated payload bytes delivered per wall-clock second. Each 1448-byte
// segment crosses the sender's stack, the link and the receiver's stack,
// with roughly one ACK per two segments back, so this is the cost of the
// established data path (tcp_sendmsg, tcp_write_xmit, tcp_rcv_established,
// tcp_ack, recvmsg) plus the network model per packet.
#include <arpa/inet.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/config/json_reader.h"
#include "sim/net/network.h"
#include "sim/net/topology.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/task.h"
#include "stack/host/attach.h"
#include "stack/net.h"
#include "stack/snmp.h"
#include "stack/socket.h"
#include "tools/bench_cases.h"

namespace {

constexpr const char* kTopology = R"({
  "nodes": ["client", "server"],
  "links": [{
    "name": "client-server",
    "a": { "node": "client", "addr": "10.0.0.1/24" },
    "b": { "node": "server", "addr": "10.0.0.2/24" },
    "bandwidth": "1Gbps", "delay": "1ms", "queue": { "packets": 1000 }
  }]
})";

constexpr uint64_t kBytes = 200'000'000;

sockaddr_in addr_of(uint32_t ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(ip);
  return a;
}

sim::Task<void> receiver(stack::net* k, uint64_t* received, sim::Time* last) {
  const int lfd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = addr_of(0, 80);
  stack::sys_bind(k, lfd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  stack::sys_listen(k, lfd, 16);
  const int fd = co_await stack::sys_accept4(k, lfd, nullptr, nullptr, 0);
  std::vector<char> buf(1 << 17);
  for (;;) {
    const long n = co_await stack::sys_recvfrom(k, fd, buf.data(), buf.size(), 0, nullptr, nullptr);
    if (n <= 0) break;
    *received += static_cast<uint64_t>(n);
    *last = k->now();
  }
  stack::sys_close(k, fd);
  stack::sys_close(k, lfd);
}

sim::Task<void> sender(stack::net* k, sim::Time* connected) {
  const int fd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = addr_of(0x0a000002u, 80);
  if (co_await stack::sys_connect(k, fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) co_return;
  *connected = k->now();
  std::vector<char> buf(1 << 17, 'b');
  uint64_t sent = 0;
  while (sent < kBytes) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), kBytes - sent));
    const long w = co_await stack::sys_sendto(k, fd, buf.data(), n, 0, nullptr, 0);
    if (w <= 0) break;
    sent += static_cast<uint64_t>(w);
  }
  stack::sys_close(k, fd);
}

struct BulkRun {
  double wall_s = 0;
  uint64_t received = 0;
  double sim_s = 0;
  uint64_t segs_out = 0;
  uint64_t acks_back = 0;
  uint64_t events = 0;
};

BulkRun run_bulk() {
  sim::Simulator sim;
  sim::SkbPool pool;
  sim::config::JsonDoc doc = sim::config::parse_json_text("bench-topology", kTopology);
  sim::net::Network network(sim::net::parse_topology(sim::config::JsonValue(doc)), sim, pool, 1);
  stack::net client(sim, pool, "client", 1);
  stack::net server(sim, pool, "server", 2);
  stack::attach_to_node(client, *network.find_node("client"));
  stack::attach_to_node(server, *network.find_node("server"));
  BulkRun r;
  sim::Time connected, last;
  {
    sim::TaskGroup tasks{sim};
    tasks.spawn(receiver(&server, &r.received, &last));
    tasks.spawn(sender(&client, &connected));
    const auto start = std::chrono::steady_clock::now();
    sim.run_until(sim::seconds(60));
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  r.sim_s = static_cast<double>((last - connected).ns()) / 1e9;
  r.segs_out = client.mib[stack::TCP_MIB_OUTSEGS];
  r.acks_back = server.mib[stack::TCP_MIB_OUTSEGS];
  r.events = sim.stats().events_executed;
  return r;
}

}  // namespace

namespace bench {

std::string bulk(int runs) {
  std::vector<double> rates;
  BulkRun last;
  for (int i = 0; i < runs; ++i) {
    last = run_bulk();
    rates.push_back(static_cast<double>(last.received) / last.wall_s / 1e6);
  }
  return result_line(
      "bulk", rates, "MB/s simulated",
      fmt::format("bytes={} goodput={:.1f}Mbps sim_s={:.2f} segs={} acks={} events={} wall_s={:.2f}", last.received,
                  static_cast<double>(last.received) * 8 / last.sim_s / 1e6, last.sim_s, last.segs_out,
                  last.acks_back, last.events, last.wall_s));
}

}  // namespace bench

// Two hosts on one link of chosen bandwidth, one-way delay, random loss and
// queue over the real network model (client 10.0.0.1, server 10.0.0.2),
// plus the applications the established-path tests share: a bulk sender
// and a reader that drains until EOF.
#pragma once

#include <arpa/inet.h>

#include <memory>
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
#include "stack/socket.h"

namespace path_world {

struct PathSpec {
  std::string bandwidth = "100Mbps";
  std::string delay = "10ms";  // one way
  double loss = 0;             // per packet and direction
  int queue_packets = 1000;
};

inline sim::net::TopologySpec path_spec(const PathSpec& p) {
  const std::string json = fmt::format(
      R"({{"nodes": ["client", "server"], "links": [{{"name": "client-server",
           "a": {{"node": "client", "addr": "10.0.0.1/24"}}, "b": {{"node": "server", "addr": "10.0.0.2/24"}},
           "bandwidth": "{}", "delay": "{}", "loss": {}, "queue": {{"packets": {}}}}}]}})",
      p.bandwidth, p.delay, p.loss, p.queue_packets);
  sim::config::JsonDoc doc = sim::config::parse_json_text("path-world", json);
  return sim::net::parse_topology(sim::config::JsonValue(doc));
}

struct PathWorld {
  sim::Simulator sim;
  sim::SkbPool pool;
  sim::net::Network network;
  std::unique_ptr<stack::net> client;
  std::unique_ptr<stack::net> server;
  sim::TaskGroup tasks{sim};

  explicit PathWorld(const PathSpec& p, uint64_t seed = 1) : network(path_spec(p), sim, pool, seed) {
    client = std::make_unique<stack::net>(sim, pool, "client", seed);
    server = std::make_unique<stack::net>(sim, pool, "server", seed + 1);
    stack::attach_to_node(*client, *network.find_node("client"));
    stack::attach_to_node(*server, *network.find_node("server"));
  }
};

inline sockaddr_in addr(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// What a bulk transfer measured.
struct BulkResult {
  uint64_t received = 0;
  sim::Time first_byte;  // at the receiver
  sim::Time last_byte;
  sim::Time connected;
  bool eof = false;
  bool data_ok = true;   // every byte had the value the sender wrote
  int rcvbuf_at_eof = 0;  // the receiver's SO_RCVBUF when EOF arrived
  int sndbuf_at_end = 0;  // the sender's SO_SNDBUF after its last write
};

// Accepts one connection on port 80 and reads it to EOF, checking the
// byte pattern (byte i is i % 251).
inline sim::Task<void> bulk_receiver(stack::net* k, BulkResult* r, size_t chunk = 65536) {
  const int lfd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = addr("0.0.0.0", 80);
  stack::sys_bind(k, lfd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  stack::sys_listen(k, lfd, 16);
  const int fd = co_await stack::sys_accept4(k, lfd, nullptr, nullptr, 0);
  std::vector<uint8_t> buf(chunk);
  for (;;) {
    const long n = co_await stack::sys_recvfrom(k, fd, buf.data(), buf.size(), 0, nullptr, nullptr);
    if (n <= 0) {
      r->eof = n == 0;
      int len = sizeof r->rcvbuf_at_eof;
      stack::sys_getsockopt(k, fd, SOL_SOCKET, SO_RCVBUF, &r->rcvbuf_at_eof, &len);
      break;
    }
    if (r->received == 0) r->first_byte = k->now();
    for (long i = 0; i < n; ++i)
      if (buf[static_cast<size_t>(i)] != static_cast<uint8_t>((r->received + static_cast<uint64_t>(i)) % 251))
        r->data_ok = false;
    r->received += static_cast<uint64_t>(n);
    r->last_byte = k->now();
  }
  stack::sys_close(k, fd);
  stack::sys_close(k, lfd);
}

// Connects to 10.0.0.2:80, writes `total` bytes in `chunk`-byte writes,
// then closes.
inline sim::Task<void> bulk_sender(stack::net* k, uint64_t total, BulkResult* r, size_t chunk = 65536) {
  const int fd = stack::sys_socket(k, AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = addr("10.0.0.2", 80);
  if (co_await stack::sys_connect(k, fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) co_return;
  r->connected = k->now();
  std::vector<uint8_t> buf(chunk);
  uint64_t sent = 0;
  while (sent < total) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk, total - sent));
    for (size_t i = 0; i < n; ++i) buf[i] = static_cast<uint8_t>((sent + i) % 251);
    const long w = co_await stack::sys_sendto(k, fd, buf.data(), n, 0, nullptr, 0);
    if (w <= 0) break;
    sent += static_cast<uint64_t>(w);
  }
  int len = sizeof r->sndbuf_at_end;
  stack::sys_getsockopt(k, fd, SOL_SOCKET, SO_SNDBUF, &r->sndbuf_at_end, &len);
  stack::sys_close(k, fd);
}

}  // namespace path_world

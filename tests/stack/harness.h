// Test harness for the simulated kernel (stack::net) without the network
// model: hosts whose ip_link is scripted in the test.
//
//   World w;                                   // simulator, skb pool, tasks
//   TestHost& h = w.add_host("server", ip("192.168.0.1"));
//   const int fd = stack::sys_socket(h.k(), AF_INET, SOCK_DGRAM, 0);
//   h.inject(udp_packet(...));                 // an inbound packet, as an event
//   w.sim.run_until(w.sim.now() + 1_ms);
//   CHECK(h.sent().size() == 1);               // what the host transmitted
//
// Each TestHost's link knows 192.168.0.0/16 on-link and a default route via
// `gateway` (both can be switched off), treats its own address as local and
// records every transmitted packet (bytes and time). Two hosts can be wired
// to each other: then what one transmits also arrives at the other after
// `delay`, through a simulator event.
//
// System calls are coroutines; Call<T> starts one now and keeps it alive
// while it is blocked; now() runs one that must complete without sleeping.
#pragma once

#include <doctest/doctest.h>
#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/task.h"
#include "sim/wire/ipv4.h"
#include "sim/wire/ipv4_addr.h"
#include "sim/wire/skb_build.h"
#include "sim/wire/udp.h"
#include "stack/net.h"
#include "stack/socket.h"

namespace stack_test {

// "192.168.0.1" -> host-order address; a malformed literal fails the test.
inline uint32_t ip(const char* s) {
  const auto a = sim::wire::parse_ipv4_addr(s);
  REQUIRE_MESSAGE(a.has_value(), "bad address literal ", s);
  return *a;
}

inline sockaddr_in endpoint(uint32_t addr, uint16_t port, sa_family_t family = AF_INET) {
  sockaddr_in a{};
  a.sin_family = family;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(addr);
  return a;
}
inline const sockaddr* sa(const sockaddr_in& a) { return reinterpret_cast<const sockaddr*>(&a); }
inline sockaddr* sa(sockaddr_in& a) { return reinterpret_cast<sockaddr*>(&a); }
inline constexpr int kSinLen = static_cast<int>(sizeof(sockaddr_in));

// A packet as it left a host.
struct Packet {
  sim::Time t;
  std::vector<uint8_t> bytes;  // from the IPv4 header on

  sim::wire::Ipv4Repr ipv4() const {
    sim::wire::Ipv4Repr r;
    REQUIRE(sim::wire::parse_ipv4(bytes.data(), bytes.size(), r) == sim::wire::ParseResult::kOk);
    return r;
  }
  // The UDP datagram inside (checksum verified).
  sim::wire::UdpRepr udp() const {
    const sim::wire::Ipv4Repr r = ipv4();
    sim::wire::UdpRepr u;
    REQUIRE(r.protocol == sim::wire::kIpProtoUdp);
    REQUIRE(sim::wire::parse_udp(bytes.data() + r.ihl_bytes, r.total_len - r.ihl_bytes, r.saddr, r.daddr, u,
                                 true) == sim::wire::ParseResult::kOk);
    return u;
  }
  std::string udp_payload() const {
    const sim::wire::UdpRepr u = udp();
    return std::string(reinterpret_cast<const char*>(u.payload), u.payload_len);
  }
};

// The bytes of an IPv4/UDP packet with correct checksums.
inline std::vector<uint8_t> udp_packet(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
                                       const std::string& payload, uint8_t ttl = 64) {
  sim::SkbPool pool;
  sim::SkBuff* skb = pool.alloc();
  sim::wire::Ipv4Repr ip4;
  ip4.saddr = saddr;
  ip4.daddr = daddr;
  ip4.ttl = ttl;
  sim::wire::UdpRepr u;
  u.sport = sport;
  u.dport = dport;
  u.payload = reinterpret_cast<const uint8_t*>(payload.data());
  u.payload_len = static_cast<uint32_t>(payload.size());
  REQUIRE(sim::wire::build_udp_packet(skb, ip4, u));
  std::vector<uint8_t> out(skb->data, skb->data + skb->len);
  pool.free(skb);
  return out;
}

// One simulated kernel and its scripted link.
class TestHost {
 public:
  TestHost(sim::Simulator& sim, sim::SkbPool& pool, std::string name, uint32_t addr, uint64_t seed)
      : pool_(pool), addr_(addr), net_(std::make_unique<stack::net>(sim, pool, std::move(name), seed)) {
    net_->link.ctx = this;
    net_->link.route = &TestHost::route;
    net_->link.is_local = &TestHost::is_local;
    net_->link.xmit = &TestHost::xmit;
  }
  TestHost(const TestHost&) = delete;
  TestHost& operator=(const TestHost&) = delete;

  stack::net* k() { return net_.get(); }
  stack::net& net() { return *net_; }
  uint32_t addr() const { return addr_; }
  sim::Simulator& sim() { return net_->sim; }

  // Routing knobs.
  bool on_link_route = true;     // 192.168.0.0/16 directly attached
  bool default_route = true;     // everything else via `gateway`
  uint32_t gateway = 0xc0a8fffe;  // 192.168.255.254
  uint32_t mtu = 1500;

  const std::vector<Packet>& sent() const { return sent_; }
  void clear_sent() { sent_.clear(); }

  // From now on, transmitted packets also arrive at `peer` after `delay`.
  void wire_to(TestHost* peer, sim::Time delay) {
    peer_ = peer;
    delay_ = delay;
  }

  // Delivers a copy of `bytes` (an IPv4 packet) to this host's ip_rcv() in an
  // event `delay` from now.
  void inject(const std::vector<uint8_t>& bytes, sim::Time delay = sim::Time()) {
    sim::SkBuff* skb = pool_.alloc();
    REQUIRE(bytes.size() <= skb->tailroom());
    std::copy(bytes.begin(), bytes.end(), skb->put(static_cast<uint32_t>(bytes.size())));
    net_->sim.schedule_in(delay, &TestHost::deliver, this, reinterpret_cast<uintptr_t>(skb));
  }

  uint64_t mib(stack::Mib m) const { return net_->mib[m]; }

 private:
  static bool route(void* ctx, uint32_t daddr, stack::rtable* rt) {
    auto* h = static_cast<TestHost*>(ctx);
    const bool on_link = sim::wire::ipv4_prefix_contains({0xc0a80000u, 16}, daddr);
    if (on_link ? !h->on_link_route : !h->default_route) return false;
    rt->rt_src = h->addr_;
    rt->rt_gateway = on_link ? 0 : h->gateway;
    rt->rt_mtu = h->mtu;
    rt->dev = h;
    return true;
  }
  static bool is_local(void* ctx, uint32_t addr) { return static_cast<TestHost*>(ctx)->addr_ == addr; }
  static void xmit(void* ctx, void* dev, sim::SkBuff* skb) {
    (void)dev;
    auto* h = static_cast<TestHost*>(ctx);
    h->sent_.push_back(Packet{h->net_->now(), std::vector<uint8_t>(skb->data, skb->data + skb->len)});
    if (h->peer_) {
      h->net_->sim.schedule_in(h->delay_, &TestHost::deliver, h->peer_, reinterpret_cast<uintptr_t>(skb));
    } else {
      sim::kfree_skb(skb);
    }
  }
  static void deliver(void* ctx, uint64_t arg) {
    auto* h = static_cast<TestHost*>(ctx);
    sim::SkBuff* skb = reinterpret_cast<sim::SkBuff*>(static_cast<uintptr_t>(arg));
    stack::ip_rcv(h->net_.get(), skb);
  }

  sim::SkbPool& pool_;
  uint32_t addr_;
  std::unique_ptr<stack::net> net_;
  std::vector<Packet> sent_;
  TestHost* peer_ = nullptr;
  sim::Time delay_;
};

// Objects still allocated in a kernel's slabs besides the three stdio files.
inline size_t kernel_objects_in_use(const stack::net& k) {
  return k.tcp_sock_cache.in_use() + k.request_sock_cache.in_use() + k.socket_cache.in_use() +
         (k.file_cache.in_use() - 3) + k.udp_sock_cache.in_use() + k.raw_sock_cache.in_use();
}

// A simulator, a buffer pool, hosts, and the tasks (applications) running on
// them. Tasks are declared last so that they die before the kernels they use.
struct World {
  sim::Simulator sim;
  sim::SkbPool pool;
  std::vector<std::unique_ptr<TestHost>> hosts;
  sim::TaskGroup tasks{sim};

  explicit World(uint64_t seed = 1) : seed_(seed) {}

  TestHost& add_host(std::string name, uint32_t addr) {
    hosts.push_back(std::make_unique<TestHost>(sim, pool, std::move(name), addr, seed_));
    return *hosts.back();
  }
  // Two hosts on 192.168.0.0/16 wired to each other with a one-way delay.
  std::pair<TestHost*, TestHost*> add_pair(sim::Time delay, uint32_t a = 0xc0a80001, uint32_t b = 0xc0a80002) {
    TestHost& x = add_host("a", a);
    TestHost& y = add_host("b", b);
    x.wire_to(&y, delay);
    y.wire_to(&x, delay);
    return {&x, &y};
  }
  void run_for(sim::Time d) { sim.run_until(sim.now() + d); }

 private:
  uint64_t seed_;
};

// A system call (any sim::Task<T>) started now. done() tells whether it has
// returned; value() is its result. Destroying a Call abandons a call that is
// still blocked (its coroutine frame is destroyed).
template <class T>
class Call {
 public:
  explicit Call(sim::Task<T> t) : st_(std::make_unique<State>()) {
    st_->task.emplace(drive(std::move(t), &st_->result));
    st_->task->handle().resume();
  }
  bool done() const { return st_->result.has_value(); }
  const T& value() const {
    REQUIRE_MESSAGE(done(), "the call is still blocked");
    return *st_->result;
  }

 private:
  struct State {
    std::optional<T> result;
    std::optional<sim::Task<void>> task;
  };
  static sim::Task<void> drive(sim::Task<T> t, std::optional<T>* out) { out->emplace(co_await t); }
  std::unique_ptr<State> st_;
};

// Runs a call that must not block and returns its result.
template <class T>
T now(sim::Task<T> t) {
  Call<T> c(std::move(t));
  REQUIRE_MESSAGE(c.done(), "the call blocked");
  return c.value();
}

}  // namespace stack_test

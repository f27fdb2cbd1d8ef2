// A point-to-point link: two devices, a bandwidth, a propagation delay and a
// random loss probability, the same in both directions. Each direction has
// its own transmit queue (the sending device's txq) and its own loss stream.
//
// A packet whose transmission starts at t arrives at
//   t + serialization_time(len, bandwidth) + delay
// where len is the IPv4 packet length (no link-layer framing is modelled).
// Loss is decided when transmission starts: a lost packet still occupies the
// wire for its serialization time, then vanishes (counted in `lost`).
// Because every packet of a direction sees the same delay, arrivals keep the
// order of departures: in-flight packets wait in a FIFO that the direction
// owns, and a single pending arrival event per direction pops its head and
// schedules the next. Nothing is allocated per packet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/units.h"
#include "sim/net/net_device.h"
#include "sim/rng.h"
#include "sim/simulator.h"
#include "sim/skbuff.h"
#include "sim/time.h"

namespace sim::net {

struct Link;

// Packets on the wire of one direction, in arrival order: a ring of (buffer,
// arrival time) that grows geometrically and is then reused, so the arrival
// path reads times from a small hot array instead of from buffers last
// touched a propagation delay ago.
class InFlight {
 public:
  struct Entry {
    SkBuff* skb;
    const uint8_t* data;  // skb->data, for prefetching without touching skb
    sim::Time arrive;
  };
  bool empty() const { return count_ == 0; }
  size_t size() const { return count_; }
  void push(SkBuff* skb, sim::Time arrive) {
    if (count_ == ring_.size()) grow();
    ring_[(head_ + count_) & (ring_.size() - 1)] = Entry{skb, skb->data, arrive};
    ++count_;
  }
  const Entry& front() const { return ring_[head_]; }
  // The entry k places behind the front; k < size().
  const Entry& at(size_t k) const { return ring_[(head_ + k) & (ring_.size() - 1)]; }
  SkBuff* pop() {
    SkBuff* s = ring_[head_].skb;
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
    return s;
  }
  void purge() {
    while (!empty()) kfree_skb(pop());
  }

 private:
  void grow();
  std::vector<Entry> ring_;  // size is zero or a power of two
  size_t head_ = 0;
  size_t count_ = 0;
};

struct LinkDir {
  Link* link = nullptr;
  NetDevice* from = nullptr;
  NetDevice* to = nullptr;
  InFlight in_flight;     // sent, arrival pending
  sim::Rng rng{0};        // loss draws of this direction
  uint64_t sent = 0;      // packets that started transmission (lost ones included)
  uint64_t lost = 0;
  uint64_t delivered = 0;
};

struct Link {
  std::string name;
  uint64_t bandwidth_bps = 0;
  sim::Time delay;
  sim::config::Probability loss;
  sim::Simulator* sim = nullptr;
  LinkDir dir[2];  // dir[0]: end a -> end b, dir[1]: b -> a

  Link() = default;
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  // Returns in-flight buffers to their pool. Arrival events still queued in
  // the simulator would dangle: destroy a Link only when the simulator will
  // not run again (or has no events left).
  ~Link();
};

// Time to put `bytes` on a wire of `bps` bits/s, rounded up to a whole
// nanosecond (so a link never exceeds its rate). 1500 B at 1 Gbps = 12000 ns.
inline sim::Time serialization_time(uint32_t bytes, uint64_t bps) {
  const unsigned __int128 bits_ns = static_cast<unsigned __int128>(bytes) * 8u * 1000000000u;
  return sim::Time::from_ns(static_cast<int64_t>((bits_ns + bps - 1) / bps));
}

// Connects a and b through `link` (name and parameters already set) and sets
// both devices' transmit hooks. Each direction's loss stream is
// Rng::derive(seed, "link:NAME:FROM>TO") with the node names of its ends, so
// streams stay put when other links are added.
void link_attach(Link& link, sim::Simulator& sim, NetDevice& a, NetDevice& b, uint64_t seed);

}  // namespace sim::net

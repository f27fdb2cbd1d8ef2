// A node's forwarding table (the FIB): longest-prefix match from a
// destination address to a route. Looked up once per packet on every node, so
// the lookup is a few hash probes: one open-addressing table per prefix
// length present, tried from the longest length down. Real tables use only a
// handful of lengths (/32 local and host routes, a link prefix or two, /0),
// so a lookup costs a handful of probes however many routes there are.
//
// SIM: one table per node, no policy routing; local routes (RTN_LOCAL) sit in
// the same table as unicast ones rather than in a separate local table, and
// win by being /32.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/net/routes.h"
#include "sim/wire/ipv4_addr.h"

namespace sim::net {

struct NetDevice;

struct Route {
  NetDevice* dev = nullptr;  // for local routes: the device that owns the address
  uint32_t gateway = 0;      // 0: on-link (point-to-point peer); informational on our links
  uint32_t prefsrc = 0;      // source address for locally generated packets
  RouteType type = RouteType::kUnicast;
};

class Fib {
 public:
  // Adds the route for `prefix` (host bits are cleared), replacing any route
  // for the same prefix. Invalidates pointers returned by lookup().
  void insert(sim::wire::Ipv4Prefix prefix, const Route& route);
  // Removes the route for exactly `prefix`; false if there was none.
  // Invalidates pointers returned by lookup().
  bool remove(sim::wire::Ipv4Prefix prefix);
  void clear();

  // Longest-prefix match; nullptr when no route covers daddr (host order).
  const Route* lookup(uint32_t daddr) const {
    for (const Table& t : tables_) {
      const uint32_t key = daddr & t.mask;
      for (uint32_t i = hash(key, t.bits);; i = (i + 1) & (t.slots.size() - 1)) {
        const Slot& s = t.slots[i];
        if (s.route == 0) break;
        if (s.key == key) return &entries_[s.route - 1].route;
      }
    }
    return nullptr;
  }

  size_t size() const { return entries_.size(); }
  // (prefix, route) pairs, longest prefix first, then by address.
  std::vector<std::pair<sim::wire::Ipv4Prefix, Route>> entries() const;

 private:
  struct Entry {
    sim::wire::Ipv4Prefix prefix;
    Route route;
  };
  struct Slot {
    uint32_t key = 0;
    uint32_t route = 0;  // index into entries_ + 1; 0 = empty
  };
  struct Table {
    uint8_t len = 0;
    uint32_t mask = 0;
    uint32_t bits = 0;         // slots.size() == 1 << bits
    uint32_t count = 0;
    std::vector<Slot> slots;
  };

  static uint32_t hash(uint32_t key, uint32_t bits) {
    return bits == 0 ? 0 : static_cast<uint32_t>((key * 0x9E3779B1u) >> (32 - bits));
  }
  Table& table_for(uint8_t len);
  static void place(Table& t, uint32_t key, uint32_t route);
  static void grow(Table& t);
  void rebuild();

  std::vector<Table> tables_;  // longest length first
  std::vector<Entry> entries_;
};

}  // namespace sim::net

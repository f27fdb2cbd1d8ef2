#include "sim/net/fib.h"

#include <algorithm>

namespace sim::net {

using sim::wire::Ipv4Prefix;
using sim::wire::ipv4_mask;

Fib::Table& Fib::table_for(uint8_t len) {
  auto it = std::find_if(tables_.begin(), tables_.end(), [&](const Table& t) { return t.len <= len; });
  if (it != tables_.end() && it->len == len) return *it;
  Table t;
  t.len = len;
  t.mask = ipv4_mask(len);
  t.bits = 1;
  t.slots.assign(2, Slot{});
  return *tables_.insert(it, std::move(t));
}

void Fib::place(Table& t, uint32_t key, uint32_t route) {
  for (uint32_t i = hash(key, t.bits);; i = (i + 1) & (t.slots.size() - 1)) {
    Slot& s = t.slots[i];
    if (s.route == 0 || s.key == key) {
      if (s.route == 0) ++t.count;
      s.key = key;
      s.route = route;
      return;
    }
  }
}

// Keeps the load factor at or below 1/2, so probe chains stay short.
void Fib::grow(Table& t) {
  std::vector<Slot> old = std::move(t.slots);
  ++t.bits;
  t.slots.assign(size_t{1} << t.bits, Slot{});
  t.count = 0;
  for (const Slot& s : old) {
    if (s.route) place(t, s.key, s.route);
  }
}

void Fib::insert(Ipv4Prefix prefix, const Route& route) {
  prefix.addr &= ipv4_mask(prefix.len);
  Table& t = table_for(prefix.len);
  for (uint32_t i = hash(prefix.addr, t.bits);; i = (i + 1) & (t.slots.size() - 1)) {
    const Slot& s = t.slots[i];
    if (s.route == 0) break;
    if (s.key == prefix.addr) {
      entries_[s.route - 1].route = route;
      return;
    }
  }
  entries_.push_back(Entry{prefix, route});
  if (2 * (t.count + 1) > t.slots.size()) grow(t);
  place(t, prefix.addr, static_cast<uint32_t>(entries_.size()));
}

bool Fib::remove(Ipv4Prefix prefix) {
  prefix.addr &= ipv4_mask(prefix.len);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.prefix == prefix; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  rebuild();  // indices shifted; removal is rare (configuration, tests)
  return true;
}

void Fib::clear() {
  entries_.clear();
  tables_.clear();
}

void Fib::rebuild() {
  tables_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    Table& t = table_for(entries_[i].prefix.len);
    if (2 * (t.count + 1) > t.slots.size()) grow(t);
    place(t, entries_[i].prefix.addr, i + 1);
  }
}

std::vector<std::pair<Ipv4Prefix, Route>> Fib::entries() const {
  std::vector<std::pair<Ipv4Prefix, Route>> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.emplace_back(e.prefix, e.route);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.first.len != b.first.len ? a.first.len > b.first.len : a.first.addr < b.first.addr;
  });
  return out;
}

}  // namespace sim::net

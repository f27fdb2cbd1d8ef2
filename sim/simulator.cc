// The event queue: an indexed d-ary min-heap.
//
// Layout. A heap entry is 16 bytes: the time (ns) and a word holding a 32-bit
// insertion sequence number above a 32-bit reference, so one 128-bit integer
// comparison orders entries by (time, seq). The reference names a record
// outside the heap: an Event {fn, ctx, arg} for one-shot events, or a TimerRec
// {Timer*, heap position} for timers (top bit set). Sifting moves only the
// 16-byte entries; moving a timer entry also writes its record's position,
// which is what makes del_timer()/mod_timer() O(log n). Records are recycled
// through LIFO free lists and all storage grows geometrically, so a warm
// simulator schedules and dispatches without allocating.
//
// The heap array is 64-byte aligned with the root at offset 3, so the four
// children of any node share one cache line.
//
// Sequence numbers are 32 bits wide to keep entries small. When they run out
// (after 2^32 insertions), renumber() sorts the pending entries and numbers
// them 0..n-1 in order: relative order is unchanged and a sorted array is a
// valid heap.
#include "sim/simulator.h"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstring>
#include <new>

#include "sim/log.h"

#ifndef SIM_HEAP_ARITY
#define SIM_HEAP_ARITY 4
#endif

namespace sim {
namespace {

constexpr size_t kArity = SIM_HEAP_ARITY;
constexpr uint32_t kTimerRef = 0x80000000u;
constexpr uint32_t kNone = 0xffffffffu;
constexpr uint64_t kSeqLimit = uint64_t{1} << 32;
constexpr size_t kHeapPad = 3;  // heap_[1] starts a cache line
constexpr std::align_val_t kHeapAlign{64};

inline uint32_t ref_of(uint64_t lo) { return static_cast<uint32_t>(lo); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Simulator::Simulator() = default;

Simulator::~Simulator() {
  // Pending timers are forgotten, not touched: their owners may be gone.
  if (heap_) ::operator delete(heap_ - kHeapPad, kHeapAlign);
}

void Simulator::grow() {
  const uint32_t cap = capacity_ ? capacity_ * 2 : 1024;
  assert(cap > capacity_);
  auto* base = static_cast<Entry*>(::operator new((cap + kHeapPad) * sizeof(Entry), kHeapAlign));
  if (heap_) {
    std::memcpy(base + kHeapPad, heap_, size_ * sizeof(Entry));
    ::operator delete(heap_ - kHeapPad, kHeapAlign);
  }
  heap_ = base + kHeapPad;
  capacity_ = cap;
}

uint64_t Simulator::next_seq() {
  if (seq_ == kSeqLimit) renumber();
  return seq_++;
}

void Simulator::renumber() {
  std::sort(heap_, heap_ + size_, [](const Entry& a, const Entry& b) { return a.before(b); });
  for (uint32_t i = 0; i < size_; ++i) {
    const uint32_t ref = ref_of(heap_[i].lo);
    heap_[i].lo = (uint64_t{i} << 32) | ref;
    if (ref & kTimerRef) timers_[ref & ~kTimerRef].pos = i;
  }
  seq_ = size_;
}

inline void Simulator::place(size_t pos, Entry e) {
  heap_[pos] = e;
  const uint32_t ref = ref_of(e.lo);
  if (ref & kTimerRef) timers_[ref & ~kTimerRef].pos = static_cast<uint32_t>(pos);
}

void Simulator::sift_up(size_t pos, Entry e) {
  while (pos > 0) {
    const size_t parent = (pos - 1) / kArity;
    if (!e.before(heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, e);
}

// The smallest of the kArity children starting at `first`, all present.
inline size_t Simulator::min_child(size_t first) const {
  if constexpr (kArity == 4) {
    const size_t a = first + heap_[first + 1].before(heap_[first]);
    const size_t b = first + 2 + heap_[first + 3].before(heap_[first + 2]);
    return heap_[b].before(heap_[a]) ? b : a;
  } else {
    size_t best = first;
    for (size_t c = first + 1; c < first + kArity; ++c)
      if (heap_[c].before(heap_[best])) best = c;
    return best;
  }
}

void Simulator::sift_down(size_t pos, Entry e) {
  const size_t n = size_;
  for (;;) {
    const size_t first = pos * kArity + 1;
    if (first >= n) break;
    size_t best;
    if (first + kArity <= n) {
      best = min_child(first);
    } else {
      best = first;
      for (size_t c = first + 1; c < n; ++c)
        if (heap_[c].before(heap_[best])) best = c;
    }
    if (!heap_[best].before(e)) break;
    place(pos, heap_[best]);
    pos = best;
  }
  place(pos, e);
}

// Removes heap_[0]. Floyd's variant: walk the hole down to a leaf along the
// smaller children without comparing against the displaced last entry (which
// almost always belongs near the bottom), then sift that entry up.
void Simulator::pop_root() {
  const size_t n = --size_;
  if (n == 0) return;
  const Entry last = heap_[n];
  size_t hole = 0;
  for (;;) {
    const size_t first = hole * kArity + 1;
    size_t best;
    if (first + kArity <= n) {
      best = min_child(first);
    } else if (first < n) {
      best = first;
      for (size_t c = first + 1; c < n; ++c)
        if (heap_[c].before(heap_[best])) best = c;
    } else {
      break;
    }
    place(hole, heap_[best]);
    hole = best;
  }
  sift_up(hole, last);
}

void Simulator::remove_at(size_t pos) {
  const size_t n = --size_;
  if (pos == n) return;
  const Entry last = heap_[n];
  if (pos > 0 && last.before(heap_[(pos - 1) / kArity]))
    sift_up(pos, last);
  else
    sift_down(pos, last);
}

void Simulator::push(Entry e) {
  if (size_ == capacity_) grow();
  sift_up(size_++, e);
}

void Simulator::schedule_at(Time at, EventFn fn, void* ctx, uint64_t arg) {
  assert(fn != nullptr);
  if (at < now_) at = now_;
  uint32_t i = free_event_;
  if (i != kNone) {
    free_event_ = static_cast<uint32_t>(events_[i].arg);
    events_[i] = Event{fn, ctx, arg};
  } else {
    i = static_cast<uint32_t>(events_.size());
    assert(i < kTimerRef);
    events_.push_back(Event{fn, ctx, arg});
  }
  push(Entry{(next_seq() << 32) | i, static_cast<uint64_t>(at.ns())});
}

// mirrors mod_timer() (kernel/time/timer.c)
//
// A pending timer moves; an idle one is queued. Either way it takes a fresh
// sequence number, so it runs after everything already scheduled for the
// same instant, even when re-armed to the expiry it already had.
// SIM: an expiry in the past fires at now() (Linux: at the next tick), and no
// shortcut for an unchanged expiry (Linux returns early without requeueing).
bool Simulator::mod_timer(Timer& t, Time expires) {
  assert(t.fn != nullptr);
  if (expires < now_) expires = now_;
  t.expires = expires;
  const uint64_t seq = next_seq();  // may renumber: read positions after it
  if (t.slot != Timer::kIdle) {
    const size_t pos = timers_[t.slot].pos;
    const Entry old = heap_[pos];
    const Entry e{(seq << 32) | ref_of(old.lo), static_cast<uint64_t>(expires.ns())};
    if (e.before(old))
      sift_up(pos, e);
    else
      sift_down(pos, e);
    return true;
  }
  uint32_t i = free_timer_;
  if (i != kNone) {
    free_timer_ = timers_[i].next_free;
    timers_[i].timer = &t;
  } else {
    i = static_cast<uint32_t>(timers_.size());
    assert(i < kTimerRef);
    timers_.push_back(TimerRec{&t, 0, kNone});
  }
  t.slot = i;
  push(Entry{(seq << 32) | kTimerRef | i, static_cast<uint64_t>(expires.ns())});
  return false;
}

// mirrors del_timer() (kernel/time/timer.c)
bool Simulator::del_timer(Timer& t) {
  if (t.slot == Timer::kIdle) return false;
  const uint32_t i = t.slot;
  remove_at(timers_[i].pos);
  timers_[i].next_free = free_timer_;
  free_timer_ = i;
  t.slot = Timer::kIdle;
  return true;
}

// Pops the earliest entry and runs it. The record is released and a timer
// marked idle before the callback, so the callback may re-arm its own timer
// (mod_timer() then returns false, as in Linux) or reuse the record.
void Simulator::dispatch() {
  const Entry top = heap_[0];
  pop_root();
  now_ = Time::from_ns(static_cast<int64_t>(top.time));
  ++stats_.events_executed;
  const uint32_t ref = ref_of(top.lo);
  if (ref & kTimerRef) {
    const uint32_t i = ref & ~kTimerRef;
    Timer* t = timers_[i].timer;
    timers_[i].next_free = free_timer_;
    free_timer_ = i;
    t->slot = Timer::kIdle;
    t->fn(t->ctx, t->arg);
  } else {
    const Event ev = events_[ref];
    events_[ref].arg = free_event_;
    free_event_ = ref;
    ev.fn(ev.ctx, ev.arg);
  }
}

uint64_t Simulator::run_loop(uint64_t until_ns) {
  const auto start = std::chrono::steady_clock::now();
  LogClockScope clock(&now_);
  stop_ = false;
  uint64_t n = 0;
  while (size_ != 0 && heap_[0].time <= until_ns) {
    dispatch();
    ++n;
    if (stop_) break;
  }
  stats_.wall_seconds += seconds_since(start);
  return n;
}

uint64_t Simulator::run_until(Time until) {
  const uint64_t n = until < now_ ? 0 : run_loop(static_cast<uint64_t>(until.ns()));
  if (!stop_ && until > now_) now_ = until;
  stats_.sim_time = now_;
  return n;
}

uint64_t Simulator::run() {
  const uint64_t n = run_loop(UINT64_MAX);
  stats_.sim_time = now_;
  return n;
}

bool Simulator::step() {
  if (size_ == 0) return false;
  LogClockScope clock(&now_);
  dispatch();
  stats_.sim_time = now_;
  return true;
}

bool Simulator::empty() const { return size_ == 0; }
size_t Simulator::pending() const { return size_; }
Time Simulator::next_time() const {
  return size_ == 0 ? Time::max() : Time::from_ns(static_cast<int64_t>(heap_[0].time));
}

}  // namespace sim

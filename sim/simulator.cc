// The event queue: a ladder queue over a small indexed heap.
//
// Shape (after Tang, Goh and Thng, "Ladder Queue", ACM TOMACS 2005):
// - top_: far-future entries, unsorted; appending is O(1).
// - rungs: when the nearer structures run dry, top_ is spread over a rung of
//   buckets ("boxes") sized to hold ~kBucketTarget entries each. A bucket
//   that is still crowded when reached is spread over a finer rung of its own.
// - heap_: the bottom, an indexed 4-ary min-heap on (time, seq) holding
//   everything due before horizon_; it receives one bucket at a time, plus
//   any entry scheduled that close (links, wake-ups, schedule_now()). If
//   those pile up (say, after a lone event hours ahead set the horizon), the
//   heap is itself spread over a rung once it passes kHeapLimit.
// Each entry is thus moved a few times, mostly sequentially, instead of
// sifting through a heap of every pending entry (one cache miss per level
// once that heap outgrows the cache). Ties are broken by the insertion
// sequence number everywhere entries are ordered (only in the heap).
//
// Timers live in the same structure. A timer's location record says which
// box (or the heap, or top_) holds its entry and where: removal is a
// swap-with-last in a box or top_, O(1), or an O(log k) heap removal, where k
// is the size of the heap, not of the queue. mod_timer() is removal plus
// insertion with a fresh sequence number.
//
// Storage (vectors, boxes, location records) is recycled and grows
// geometrically: a warm simulator does not allocate per event. The per-event
// paths (insert, heap_pop, dispatch) are forced inline into their few callers:
// about 10% on every event_core case.
//
// Measurements (tools/bench.cc cases, -O2, median of 5, Mevents/s wall clock;
// 2-vCPU AMD EPYC VM at load ~3 from other builds, ~200 ns per miss beyond
// L2). The heaps are this file's previous version (9141ac4): an indexed heap
// of every pending entry, 16-byte entries plus a payload slab.
//
//   case                            binary heap  4-ary heap  ladder (this)
//   event_core      (1M pending)          1.17        0.88        6.67
//   event_core_64k                        2.51        3.62        7.96
//   event_core_1k                         7.85       13.41       15.90
//   event_mix       (64k, 30% zero)       5.21        5.23       10.57
//   timer_hold      (1M timers)           0.84        0.72        2.30
//   timer_churn     (Mmod_timer/s)        0.55        0.58        0.86
//
// Within the ladder, a binary bottom heap ran 10-20% slower than 4-ary, and
// kBucketTarget 4..128 made no difference beyond the noise (about 15%).
// With the forced inlining below, `bazel run -c opt //tools:bench` (load 4-6)
// gave: event_core 9.62, event_core_64k 9.50, event_core_1k 18.99,
// event_mix 11.25, timer_hold 2.31, timer_churn 0.94.
#include "sim/simulator.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>

#include "sim/log.h"

namespace sim {
namespace {

constexpr size_t kArity = 4;  // of the bottom heap; 2 measured slower (see the top)
constexpr uint32_t kInHeap = 0xffffffffu;
constexpr uint32_t kInTop = 0xfffffffeu;
constexpr uint32_t kNone = 0xffffffffu;
// Entries per bucket when a rung is built: the heap receives about this many
// at a time.
constexpr uint64_t kBucketTarget = 16;
// A bucket holding more than this when reached gets a finer rung of its own.
constexpr size_t kSplitAbove = 4 * kBucketTarget;
// The heap may grow to this (or to twice its size after a refill) before it
// is spread over a rung of its own.
constexpr size_t kHeapLimit = 16 * kBucketTarget;
// Fan-out cap: spreading over more buckets than stay in cache costs more
// than a second, finer pass (1M pending: 1024 buckets ran 2x faster than
// one bucket per kBucketTarget entries).
constexpr uint32_t kMaxBuckets = 1024;
constexpr size_t kMaxRungs = 16;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Simulator::Simulator() = default;
// Pending timers are forgotten, not touched: their owners may be gone.
Simulator::~Simulator() = default;

// ---- bottom: indexed 4-ary heap -----------------------------------------------

inline void Simulator::heap_place(size_t pos, const Entry& e) {
  heap_[pos] = e;
  if (e.fn == nullptr) timers_[e.arg] = Where{kInHeap, static_cast<uint32_t>(pos)};
}

void Simulator::heap_sift_up(size_t pos, Entry e) {
  while (pos > 0) {
    const size_t parent = (pos - 1) / kArity;
    if (!e.before(heap_[parent])) break;
    heap_place(pos, heap_[parent]);
    pos = parent;
  }
  heap_place(pos, e);
}

inline size_t Simulator::heap_min_child(size_t first, size_t n) const {
  if constexpr (kArity == 2) {
    return first + 1 < n && heap_[first + 1].before(heap_[first]) ? first + 1 : first;
  }
  if (first + kArity <= n) {
    const size_t a = first + heap_[first + 1].before(heap_[first]);
    const size_t b = first + 2 + heap_[first + 3].before(heap_[first + 2]);
    return heap_[b].before(heap_[a]) ? b : a;
  }
  size_t best = first;
  for (size_t c = first + 1; c < n; ++c)
    if (heap_[c].before(heap_[best])) best = c;
  return best;
}

void Simulator::heap_sift_down(size_t pos, Entry e) {
  const size_t n = heap_.size();
  for (;;) {
    const size_t first = pos * kArity + 1;
    if (first >= n) break;
    const size_t best = heap_min_child(first, n);
    if (!heap_[best].before(e)) break;
    heap_place(pos, heap_[best]);
    pos = best;
  }
  heap_place(pos, e);
}

// Removes heap_[0]. Floyd's variant: walk the hole down to a leaf along the
// smaller children without comparing against the displaced last entry (which
// almost always belongs near the bottom), then sift that entry up.
[[gnu::always_inline]] inline void Simulator::heap_pop() {
  const Entry last = heap_.back();
  heap_.pop_back();
  const size_t n = heap_.size();
  if (n == 0) return;
  size_t hole = 0;
  for (;;) {
    const size_t first = hole * kArity + 1;
    if (first >= n) break;
    const size_t best = heap_min_child(first, n);
    heap_place(hole, heap_[best]);
    hole = best;
  }
  heap_sift_up(hole, last);
}

void Simulator::heap_remove(size_t pos) {
  const Entry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;
  if (pos > 0 && last.before(heap_[(pos - 1) / kArity]))
    heap_sift_up(pos, last);
  else
    heap_sift_down(pos, last);
}

// ---- rungs and top ----------------------------------------------------------------

inline void Simulator::box_push(uint32_t box, const Entry& e) {
  std::vector<Entry>& b = boxes_[box];
  if (e.fn == nullptr) timers_[e.arg] = Where{box, static_cast<uint32_t>(b.size())};
  b.push_back(e);
}

// Places a new entry. Everything before horizon_ is in the heap; beyond it,
// the finest rung whose range holds the time takes it, else top_.
[[gnu::always_inline]] inline void Simulator::insert(const Entry& e) {
  ++size_;
  if (e.time < horizon_) {
    heap_.push_back(e);
    heap_sift_up(heap_.size() - 1, e);
    if (heap_.size() > heap_limit_) demote_heap();
    return;
  }
  for (size_t r = rungs_.size(); r-- > 0;) {
    const Rung& g = rungs_[r];
    if (e.time < g.end) {
      // e.time >= horizon_, so past the consumed buckets.
      box_push(g.first + static_cast<uint32_t>((e.time - g.start) >> g.shift), e);
      if (heap_.empty()) refill();
      return;
    }
  }
  if (e.fn == nullptr) timers_[e.arg] = Where{kInTop, static_cast<uint32_t>(top_.size())};
  top_.push_back(e);
  top_min_ = std::min(top_min_, e.time);
  top_max_ = std::max(top_max_, e.time);
  if (heap_.empty()) refill();
}

// Takes the entry at `w` out of its container (size_ and refill are the
// caller's business).
void Simulator::unlink(const Where& w) {
  if (w.box == kInHeap) {
    heap_remove(w.pos);
    return;
  }
  std::vector<Entry>& v = w.box == kInTop ? top_ : boxes_[w.box];
  const Entry last = v.back();
  v.pop_back();
  if (w.pos == v.size()) return;
  v[w.pos] = last;
  if (last.fn == nullptr) timers_[last.arg].pos = w.pos;
}

// Spreads `from` (entries in [start, end)) over a new, finest rung with about
// kBucketTarget entries per bucket, and empties `from`.
void Simulator::push_rung(uint64_t start, uint64_t end, std::vector<Entry>& from) {
  const uint64_t span = end - start;
  // Bucket width ~ mean gap * kBucketTarget, rounded down to a power of two
  // so that a bucket index is a shift; then widened until the fan-out fits.
  const auto width = static_cast<unsigned __int128>(span) * kBucketTarget / from.size();
  uint32_t shift = width >> 63 ? 63 : std::max(1, static_cast<int>(std::bit_width(static_cast<uint64_t>(width)))) - 1;
  while (((span - 1) >> shift) >= kMaxBuckets) ++shift;
  const uint32_t nb = static_cast<uint32_t>(((span - 1) >> shift) + 1);
  const uint32_t first = rungs_.empty() ? 0 : rungs_.back().first + rungs_.back().nb;
  if (boxes_.size() < first + nb) boxes_.resize(first + nb);  // moves the vectors, not their contents
  rungs_.push_back(Rung{start, end, shift, nb, 0, first});
  for (const Entry& e : from) box_push(first + static_cast<uint32_t>((e.time - start) >> shift), e);
  from.clear();
  horizon_ = start;
}

// Too much has landed in the heap (entries scheduled before horizon_, e.g.
// everything after a lone far-future event): spread it over a rung of its
// own covering [its earliest entry, horizon_), so that the heap goes back to
// holding one bucket. Entries that cannot be told apart by time stay put.
void Simulator::demote_heap() {
  const uint64_t lo = heap_[0].time;
  if (horizon_ - lo < 2 || rungs_.size() == kMaxRungs) {
    heap_limit_ = 2 * heap_.size();
    return;
  }
  push_rung(lo, horizon_, heap_);
  refill();
}

// The heap ran dry while entries remain elsewhere: move the next non-empty
// bucket of the finest rung into it, retiring exhausted rungs, spreading top_
// when no rung is left and refining crowded buckets on the way.
void Simulator::refill() {
  assert(heap_.empty() && size_ > 0);
  for (;;) {
    if (rungs_.empty()) {
      assert(!top_.empty());
      const uint64_t lo = top_min_, end = top_max_ + 1;
      top_min_ = UINT64_MAX;
      top_max_ = 0;
      push_rung(lo, end, top_);
    }
    Rung& g = rungs_.back();
    while (g.cur < g.nb && boxes_[g.first + g.cur].empty()) ++g.cur;
    if (g.cur == g.nb) {
      horizon_ = g.end;
      rungs_.pop_back();
      continue;
    }
    const uint32_t box = g.first + g.cur;
    const uint64_t start = g.start + (static_cast<uint64_t>(g.cur) << g.shift);
    const uint64_t end = std::min(start + (uint64_t{1} << g.shift), g.end);
    ++g.cur;
    std::vector<Entry>& b = boxes_[box];
    if (b.size() > kSplitAbove && end - start > 1 && rungs_.size() < kMaxRungs) {
      std::vector<Entry> crowded = std::move(b);
      push_rung(start, end, crowded);
      boxes_[box] = std::move(crowded);  // empty; keeps its capacity for reuse
      continue;
    }
    horizon_ = end;
    heap_.assign(b.begin(), b.end());
    b.clear();
    for (size_t i = 0; i < heap_.size(); ++i) {
      const Entry& e = heap_[i];
      // These run soon and their callbacks touch ctx (the owner, or the
      // Timer inside it): start those cache misses now, overlapped, rather
      // than one by one at dispatch.
      __builtin_prefetch(e.ctx);
      if (e.fn == nullptr) timers_[e.arg] = Where{kInHeap, static_cast<uint32_t>(i)};
    }
    if (heap_.size() > 1)
      for (size_t i = (heap_.size() - 2) / kArity + 1; i-- > 0;) heap_sift_down(i, heap_[i]);
    heap_limit_ = std::max(kHeapLimit, 2 * heap_.size());
    return;
  }
}

// ---- public operations ------------------------------------------------------------

void Simulator::schedule_at(Time at, EventFn fn, void* ctx, uint64_t arg) {
  assert(fn != nullptr);
  if (at < now_) at = now_;
  insert(Entry{static_cast<uint64_t>(at.ns()), seq_++, fn, ctx, arg});
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
  const bool was_pending = t.slot != Timer::kIdle;
  if (was_pending) {
    unlink(timers_[t.slot]);
    --size_;
  } else if (free_timer_ != kNone) {
    t.slot = free_timer_;
    free_timer_ = timers_[t.slot].pos;
  } else {
    t.slot = static_cast<uint32_t>(timers_.size());
    timers_.push_back(Where{});
  }
  insert(Entry{static_cast<uint64_t>(expires.ns()), seq_++, nullptr, &t, t.slot});
  return was_pending;
}

// mirrors del_timer() (kernel/time/timer.c)
bool Simulator::del_timer(Timer& t) {
  if (t.slot == Timer::kIdle) return false;
  unlink(timers_[t.slot]);
  timers_[t.slot].pos = free_timer_;
  free_timer_ = t.slot;
  t.slot = Timer::kIdle;
  if (--size_ != 0 && heap_.empty()) refill();
  return true;
}

// Pops the earliest entry and runs it. The queue is consistent before the
// callback, and a timer is idle with its record released, so the callback may
// schedule, re-arm its own timer (mod_timer() then returns false, as in
// Linux) or delete others.
[[gnu::always_inline]] inline void Simulator::dispatch() {
  const Entry e = heap_[0];
  heap_pop();
  if (--size_ != 0 && heap_.empty()) refill();
  now_ = Time::from_ns(static_cast<int64_t>(e.time));
  ++stats_.events_executed;
  if (e.fn != nullptr) {
    e.fn(e.ctx, e.arg);
    return;
  }
  Timer* t = static_cast<Timer*>(e.ctx);
  timers_[e.arg].pos = free_timer_;
  free_timer_ = static_cast<uint32_t>(e.arg);
  t->slot = Timer::kIdle;
  t->fn(t->ctx, t->arg);
}

uint64_t Simulator::run_loop(uint64_t until_ns) {
  const auto start = std::chrono::steady_clock::now();
  LogClockScope clock(&now_);
  stop_ = false;
  uint64_t n = 0;
  while (!heap_.empty() && heap_[0].time <= until_ns) {
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
  if (heap_.empty()) return false;
  LogClockScope clock(&now_);
  dispatch();
  stats_.sim_time = now_;
  return true;
}

bool Simulator::empty() const { return size_ == 0; }
size_t Simulator::pending() const { return size_; }
Time Simulator::next_time() const {
  return heap_.empty() ? Time::max() : Time::from_ns(static_cast<int64_t>(heap_[0].time));
}

}  // namespace sim

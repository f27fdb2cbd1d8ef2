// The discrete-event core: a clock, an event queue ordered by (time, insertion
// sequence), and kernel-style timers. Knows nothing of networks.
//
// Single-threaded by design: nothing here locks. Callbacks never run
// re-entrantly: schedule_now() queues behind everything already due.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace sim {

class Simulator;

// A plain function pointer plus context: event records stay small and
// scheduling never allocates (the queue's storage grows geometrically).
using EventFn = void (*)(void* ctx, uint64_t arg);

// A kernel-style timer, meant to be embedded in the object it serves (a
// socket, a request sock), like struct timer_list. The owner sets fn/ctx once
// (timer_setup) and arms it with mod_timer(). While pending it sits in the
// simulator's queue; del_timer() takes it out in O(log n). The simulator
// keeps the address of a pending timer: do not copy or move one while pending.
struct Timer {
  EventFn fn = nullptr;
  void* ctx = nullptr;
  uint64_t arg = 0;
  Time expires;
  uint32_t slot = kIdle;  // the simulator's record of the queued entry; kIdle when not pending
  static constexpr uint32_t kIdle = 0xffffffffu;
};

inline void timer_setup(Timer& t, EventFn fn, void* ctx, uint64_t arg = 0) {
  t.fn = fn;
  t.ctx = ctx;
  t.arg = arg;
}
// mirrors timer_pending() (include/linux/timer.h)
inline bool timer_pending(const Timer& t) { return t.slot != Timer::kIdle; }

struct RunStats {
  uint64_t events_executed = 0;
  Time sim_time;          // simulated time reached
  double wall_seconds = 0;  // measured by run_until(); machine-dependent
};

class Simulator {
 public:
  Simulator();
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  Time now() const { return now_; }

  // One-shot events. `at` earlier than now() is clamped to now().
  void schedule_at(Time at, EventFn fn, void* ctx, uint64_t arg = 0);
  void schedule_in(Time delay, EventFn fn, void* ctx, uint64_t arg = 0) { schedule_at(now_ + delay, fn, ctx, arg); }
  void schedule_now(EventFn fn, void* ctx, uint64_t arg = 0) { schedule_at(now_, fn, ctx, arg); }

  // mirrors mod_timer(): (re)arm at `expires`; returns true if it was pending.
  bool mod_timer(Timer& t, Time expires);
  // mirrors del_timer(): disarm; returns true if it was pending.
  bool del_timer(Timer& t);

  // Runs every event with time <= until (in (time, seq) order), then leaves
  // now() == until. Returns the number of events executed.
  uint64_t run_until(Time until);
  // Runs until the queue is empty or stop() is called.
  uint64_t run();
  // Executes the next event, if any; returns false when the queue is empty.
  bool step();
  // Makes run()/run_until() return after the current event.
  void stop() { stop_ = true; }

  bool empty() const;
  size_t pending() const;
  // Time of the next event, or Time::max() if none.
  Time next_time() const;

  const RunStats& stats() const { return stats_; }

 private:
  // The queue is a ladder queue (Tang, Goh, Thng 2005) whose bottom is an
  // indexed 4-ary heap; simulator.cc explains it and records the
  // measurements behind the choice.
  //
  // An entry carries its key and its callback, so dispatch touches nothing
  // else. A timer's entry has fn == nullptr, ctx = the Timer and
  // arg = the index of its location record.
  struct Entry {
    uint64_t time;  // ns; never negative, so the unsigned order is the time order
    uint64_t seq;   // insertion sequence number: unique, never wraps
    EventFn fn;
    void* ctx;
    uint64_t arg;
    bool before(const Entry& o) const {
      return ((static_cast<unsigned __int128>(time) << 64) | seq) <
             ((static_cast<unsigned __int128>(o.time) << 64) | o.seq);
    }
  };
  // A rung: nb buckets of width 2^shift ns from `start`, covering
  // [start, end) (the last bucket may be cut short); buckets before `cur`
  // are consumed. Its buckets are boxes_[first, first + nb).
  struct Rung {
    uint64_t start;
    uint64_t end;
    uint32_t shift;
    uint32_t nb;
    uint32_t cur;
    uint32_t first;
  };
  // Where a pending timer's entry is: a box (bucket) index, kInTop or
  // kInHeap, and its index there. While free: pos links the free list.
  struct Where {
    uint32_t box;
    uint32_t pos;
  };

  uint64_t run_loop(uint64_t until_ns);
  void dispatch();
  void insert(const Entry& e);
  void unlink(const Where& w);
  void refill();
  void push_rung(uint64_t start, uint64_t end, std::vector<Entry>& from);
  void demote_heap();
  void box_push(uint32_t box, const Entry& e);
  void heap_place(size_t pos, const Entry& e);
  void heap_sift_up(size_t pos, Entry e);
  void heap_sift_down(size_t pos, Entry e);
  size_t heap_min_child(size_t first, size_t n) const;
  void heap_pop();
  void heap_remove(size_t pos);

  std::vector<Entry> heap_;  // everything due before horizon_; heap_[0] runs next
  uint64_t horizon_ = 0;
  size_t heap_limit_ = 0;    // more than this in heap_ and it is spread over a rung
  std::vector<Rung> rungs_;  // rungs_.back() is the finest, nearest one
  std::vector<std::vector<Entry>> boxes_;
  std::vector<Entry> top_;  // unsorted: everything beyond the rungs
  uint64_t top_min_ = UINT64_MAX;
  uint64_t top_max_ = 0;
  std::vector<Where> timers_;  // indexed by Timer::slot
  uint32_t free_timer_ = 0xffffffffu;
  uint64_t seq_ = 0;
  size_t size_ = 0;
  Time now_;
  bool stop_ = false;
  RunStats stats_;
};

}  // namespace sim

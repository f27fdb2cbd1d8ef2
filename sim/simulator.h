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
  // The queue is an indexed d-ary min-heap of 16-byte entries; simulator.cc
  // explains the layout and records the measurements behind it.
  struct Entry {
    uint64_t lo;    // seq << 32 | ref; ref is an event index, or kTimerRef | timer index
    uint64_t time;  // ns; never negative, so the unsigned order is the time order
    // (time, seq) order as one 128-bit comparison; ref never decides because
    // seqs of pending entries are unique.
    bool before(const Entry& o) const {
      return ((static_cast<unsigned __int128>(time) << 64) | lo) <
             ((static_cast<unsigned __int128>(o.time) << 64) | o.lo);
    }
  };
  struct Event {
    EventFn fn;
    void* ctx;
    uint64_t arg;  // while on the free list: index of the next free record
  };
  struct TimerRec {
    Timer* timer;
    uint32_t pos;        // the timer's position in heap_
    uint32_t next_free;  // while on the free list
  };

  uint64_t run_loop(uint64_t until_ns);
  void dispatch();
  uint64_t next_seq();
  void renumber();
  void grow();
  void push(Entry e);
  void place(size_t pos, Entry e);
  void sift_up(size_t pos, Entry e);
  void sift_down(size_t pos, Entry e);
  size_t min_child(size_t first) const;
  void pop_root();
  void remove_at(size_t pos);

  Entry* heap_ = nullptr;  // heap_[0] is the next entry to run
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  std::vector<Event> events_;
  uint32_t free_event_ = 0xffffffffu;
  std::vector<TimerRec> timers_;
  uint32_t free_timer_ = 0xffffffffu;
  uint64_t seq_ = 0;  // next insertion sequence number; kept below 2^32 by renumber()
  Time now_;
  bool stop_ = false;
  RunStats stats_;
  friend struct SimulatorTesting;  // tests/sim: drives seq_ to the renumbering point
};

}  // namespace sim

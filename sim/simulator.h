// The discrete-event core: a clock, an event queue ordered by (time, insertion
// sequence), and kernel-style timers. Knows nothing of networks.
//
// Single-threaded by design: nothing here locks. Callbacks never run
// re-entrantly: schedule_now() queues behind everything already due.
#pragma once

#include <cstdint>

#include "sim/time.h"

namespace sim {

class Simulator;

// A plain function pointer plus context: event records stay small and
// scheduling never allocates (the queue's storage grows geometrically).
using EventFn = void (*)(void* ctx, uint64_t arg);

// A kernel-style timer, meant to be embedded in the object it serves (a
// socket, a request sock), like struct timer_list. The owner sets fn/ctx once
// (timer_setup) and arms it with mod_timer(). While pending it sits in the
// simulator's queue; del_timer() takes it out in O(log n).
struct Timer {
  EventFn fn = nullptr;
  void* ctx = nullptr;
  uint64_t arg = 0;
  Time expires;
  uint32_t slot = kIdle;  // position in the simulator's queue; kIdle when not pending
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
  struct Impl;
  Impl* impl_;
  Time now_;
  bool stop_ = false;
  RunStats stats_;
};

}  // namespace sim

// The event core: (time, insertion) order, clamping, run_until/run/step/stop,
// statistics, and the 32-bit sequence renumbering.
#include "sim/simulator.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "sim/rng.h"

namespace sim {

// Declared a friend in simulator.h: lets a test reach the point where 32-bit
// sequence numbers run out without scheduling 2^32 events.
struct SimulatorTesting {
  static uint64_t seq(const Simulator& s) { return s.seq_; }
  static void set_seq(Simulator& s, uint64_t v) { s.seq_ = v; }
};

namespace {

using namespace sim::literals;

// Records (now, arg) for every event it runs.
struct Recorder {
  Simulator* sim;
  std::vector<std::pair<int64_t, uint64_t>> log;
  static void fn(void* ctx, uint64_t arg) {
    auto* r = static_cast<Recorder*>(ctx);
    r->log.emplace_back(r->sim->now().ns(), arg);
  }
  std::vector<uint64_t> args() const {
    std::vector<uint64_t> out;
    for (const auto& e : log) out.push_back(e.second);
    return out;
  }
};

TEST_CASE("a new simulator is empty at time zero") {
  Simulator s;
  CHECK(s.now() == Time());
  CHECK(s.empty());
  CHECK(s.pending() == 0);
  CHECK(s.next_time() == Time::max());
  CHECK_FALSE(s.step());
  CHECK(s.run() == 0);
}

TEST_CASE("events run in time order, ties in insertion order") {
  Simulator s;
  Recorder r{&s, {}};
  s.schedule_at(30_ns, Recorder::fn, &r, 1);
  s.schedule_at(10_ns, Recorder::fn, &r, 2);
  s.schedule_at(20_ns, Recorder::fn, &r, 3);
  s.schedule_at(10_ns, Recorder::fn, &r, 4);
  s.schedule_at(30_ns, Recorder::fn, &r, 5);
  s.schedule_at(10_ns, Recorder::fn, &r, 6);
  CHECK(s.pending() == 6);
  CHECK(s.next_time() == 10_ns);
  CHECK(s.run() == 6);
  CHECK(r.log == std::vector<std::pair<int64_t, uint64_t>>{{10, 2}, {10, 4}, {10, 6}, {20, 3}, {30, 1}, {30, 5}});
  CHECK(s.now() == 30_ns);
}

TEST_CASE("many ties keep insertion order through heap growth and interleaved times") {
  // 30,000 events on three instants, inserted round-robin, so equal keys are
  // spread all over the heap and it grows several times.
  Simulator s;
  Recorder r{&s, {}};
  for (uint64_t i = 0; i < 30'000; ++i) s.schedule_at(nanoseconds(static_cast<int64_t>(3 - i % 3)), Recorder::fn, &r, i);
  s.run();
  REQUIRE(r.log.size() == 30'000);
  for (size_t k = 1; k < r.log.size(); ++k) {
    const auto& [t0, a0] = r.log[k - 1];
    const auto& [t1, a1] = r.log[k];
    REQUIRE((t0 < t1 || (t0 == t1 && a0 < a1)));
  }
}

TEST_CASE("random times with heavy ties match a stable sort") {
  Simulator s;
  Recorder r{&s, {}};
  Rng rng(42);
  std::vector<std::pair<int64_t, uint64_t>> expect;
  for (uint64_t i = 0; i < 200'000; ++i) {
    const auto t = static_cast<int64_t>(rng.uniform(500));  // ~400 events per instant
    s.schedule_at(nanoseconds(t), Recorder::fn, &r, i);
    expect.emplace_back(t, i);
  }
  std::stable_sort(expect.begin(), expect.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  s.run();
  CHECK(r.log == expect);
}

// Schedules follow-ups from inside an event.
struct Scheduler {
  Simulator* sim;
  Recorder* rec;
  static void at_past(void* ctx, uint64_t) {
    auto* c = static_cast<Scheduler*>(ctx);
    Recorder::fn(c->rec, 100);
    c->sim->schedule_at(c->sim->now() - 5_ns, Recorder::fn, c->rec, 101);
    c->sim->schedule_now(Recorder::fn, c->rec, 102);
    c->sim->schedule_in(Time(), Recorder::fn, c->rec, 103);
  }
};

TEST_CASE("scheduling in the past clamps to now, behind everything already due") {
  Simulator s;
  Recorder r{&s, {}};
  Scheduler c{&s, &r};
  s.schedule_at(10_ns, Scheduler::at_past, &c);
  s.schedule_at(10_ns, Recorder::fn, &r, 1);  // already due when the follow-ups are made
  s.schedule_at(11_ns, Recorder::fn, &r, 2);
  s.run();
  CHECK(r.log ==
        std::vector<std::pair<int64_t, uint64_t>>{{10, 100}, {10, 1}, {10, 101}, {10, 102}, {10, 103}, {11, 2}});
}

TEST_CASE("schedule_at before the first event clamps to the current time") {
  Simulator s;
  Recorder r{&s, {}};
  s.schedule_at(5_ms, Recorder::fn, &r, 1);
  s.run_until(10_ms);
  s.schedule_at(1_ms, Recorder::fn, &r, 2);
  CHECK(s.next_time() == 10_ms);
  s.run();
  CHECK(r.log.back() == std::pair<int64_t, uint64_t>{10'000'000, 2});
}

TEST_CASE("run_until runs events at or before the limit and leaves now at the limit") {
  Simulator s;
  Recorder r{&s, {}};
  s.schedule_at(1_ms, Recorder::fn, &r, 1);
  s.schedule_at(2_ms, Recorder::fn, &r, 2);
  s.schedule_at(2_ms + 1_ns, Recorder::fn, &r, 3);
  CHECK(s.run_until(2_ms) == 2);
  CHECK(r.args() == std::vector<uint64_t>{1, 2});
  CHECK(s.now() == 2_ms);
  CHECK(s.pending() == 1);

  SUBCASE("an empty stretch still advances the clock") {
    CHECK(s.run_until(2_ms) == 0);
    CHECK(s.run_until(2_ms + 1_ns) == 1);
    CHECK(s.run_until(7_s) == 0);
    CHECK(s.now() == 7_s);
    CHECK(s.stats().sim_time == 7_s);
  }
  SUBCASE("the clock never goes backwards") {
    CHECK(s.run_until(1_ms) == 0);
    CHECK(s.now() == 2_ms);
  }
}

// Keeps scheduling itself every 1 ms, `arg` more times.
struct Chain {
  Simulator* sim;
  Recorder* rec;
  static void fn(void* ctx, uint64_t left) {
    auto* c = static_cast<Chain*>(ctx);
    Recorder::fn(c->rec, left);
    if (left > 0) c->sim->schedule_in(1_ms, fn, c, left - 1);
  }
};

TEST_CASE("run_until includes events scheduled during the run up to the limit") {
  Simulator s;
  Recorder r{&s, {}};
  Chain c{&s, &r};
  s.schedule_at(1_ms, Chain::fn, &c, 10);
  CHECK(s.run_until(4_ms) == 4);  // 1, 2, 3 and exactly 4 ms
  CHECK(r.log.back() == std::pair<int64_t, uint64_t>{4'000'000, 7});
  CHECK(s.next_time() == 5_ms);
}

struct Stopper {
  Simulator* sim;
  int seen = 0;
  static void fn(void* ctx, uint64_t stop) {
    auto* st = static_cast<Stopper*>(ctx);
    ++st->seen;
    if (stop) st->sim->stop();
  }
};

TEST_CASE("stop() returns after the current event; the next run resumes") {
  Simulator s;
  Stopper st{&s};
  s.schedule_at(1_ms, Stopper::fn, &st, 0);
  s.schedule_at(2_ms, Stopper::fn, &st, 1);
  s.schedule_at(2_ms, Stopper::fn, &st, 0);
  s.schedule_at(3_ms, Stopper::fn, &st, 0);
  CHECK(s.run_until(10_ms) == 2);
  CHECK(st.seen == 2);
  CHECK(s.now() == 2_ms);  // stopped: the clock stays at the stopping event
  CHECK(s.run() == 2);
  CHECK(st.seen == 4);
  CHECK(s.now() == 3_ms);
  CHECK(s.empty());
}

TEST_CASE("step() runs exactly one event") {
  Simulator s;
  Recorder r{&s, {}};
  s.schedule_at(5_ns, Recorder::fn, &r, 1);
  s.schedule_at(7_ns, Recorder::fn, &r, 2);
  CHECK(s.step());
  CHECK(s.now() == 5_ns);
  CHECK(r.args() == std::vector<uint64_t>{1});
  CHECK(s.step());
  CHECK_FALSE(s.step());
  CHECK(s.now() == 7_ns);
}

TEST_CASE("stats count executed events and the simulated time reached") {
  Simulator s;
  Recorder r{&s, {}};
  Chain c{&s, &r};
  s.schedule_at(1_ms, Chain::fn, &c, 99);
  s.run_until(50_ms);
  CHECK(s.stats().events_executed == 50);
  CHECK(s.stats().sim_time == 50_ms);
  s.run();
  CHECK(s.stats().events_executed == 100);
  CHECK(s.stats().sim_time == 100_ms);
  CHECK(s.stats().wall_seconds >= 0);
}

TEST_CASE("event storage is reused: steady state does not grow the queue") {
  Simulator s;
  Recorder r{&s, {}};
  Chain c{&s, &r};
  for (int i = 0; i < 1000; ++i) s.schedule_at(1_ms, Chain::fn, &c, 50);
  s.run();
  CHECK(r.log.size() == 51'000);
  CHECK(s.empty());
}

TEST_CASE("sequence numbers renumber when 32 bits run out, keeping the order") {
  Simulator s;
  Recorder r{&s, {}};
  SimulatorTesting::set_seq(s, (uint64_t{1} << 32) - 4);
  // Before the wrap: ties at 10 and 20 ns, and a timer.
  s.schedule_at(20_ns, Recorder::fn, &r, 1);
  s.schedule_at(10_ns, Recorder::fn, &r, 2);
  Timer t;
  timer_setup(t, Recorder::fn, &r, 3);
  s.mod_timer(t, 20_ns);
  s.schedule_at(10_ns, Recorder::fn, &r, 4);
  CHECK(SimulatorTesting::seq(s) == uint64_t{1} << 32);
  // This one renumbers the four pending entries 0..3 and takes seq 4.
  s.schedule_at(10_ns, Recorder::fn, &r, 5);
  CHECK(SimulatorTesting::seq(s) == 5);
  s.schedule_at(20_ns, Recorder::fn, &r, 6);
  // The timer's position changed in the renumbering; moving it must still work.
  CHECK(s.mod_timer(t, 20_ns));  // re-armed last: now after 6
  s.run();
  CHECK(r.args() == std::vector<uint64_t>{2, 4, 5, 1, 6, 3});
}

}  // namespace
}  // namespace sim

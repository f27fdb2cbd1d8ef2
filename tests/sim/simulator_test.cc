// The event core: (time, insertion) order, clamping, run_until/run/step/stop,
// statistics, and a differential stress test of the queue structure.
#include "sim/simulator.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "sim/rng.h"

namespace sim {

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


TEST_CASE("a lone far-future event does not disturb the order of nearer ones") {
  // The first event sets up the queue's structure around 2 h; thousands of
  // nearer events then arrive below it and must still come out in order.
  Simulator s;
  Recorder r{&s, {}};
  Rng rng(3);
  std::vector<std::pair<int64_t, uint64_t>> expect;
  s.schedule_at(seconds(7200), Recorder::fn, &r, 0);
  for (uint64_t i = 1; i <= 50'000; ++i) {
    const auto t = static_cast<int64_t>(rng.uniform(1'000'000));
    s.schedule_at(nanoseconds(t), Recorder::fn, &r, i);
    expect.emplace_back(t, i);
  }
  std::stable_sort(expect.begin(), expect.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  expect.emplace_back(seconds(7200).ns(), 0);
  CHECK(s.next_time() == nanoseconds(expect.front().first));
  s.run();
  CHECK(r.log == expect);
}

TEST_CASE("events and timers at the end of time") {
  Simulator s;
  Recorder r{&s, {}};
  Timer t;
  timer_setup(t, Recorder::fn, &r, 1);
  s.mod_timer(t, Time::max());
  s.schedule_at(Time::max(), Recorder::fn, &r, 2);
  s.schedule_at(5_s, Recorder::fn, &r, 3);
  s.run_until(seconds(1'000'000));
  CHECK(r.args() == std::vector<uint64_t>{3});
  CHECK(timer_pending(t));
  CHECK(s.next_time() == Time::max());
  CHECK(s.del_timer(t));
  s.run();
  CHECK(r.args() == std::vector<uint64_t>{3, 2});
  CHECK(s.now() == Time::max());
}

TEST_CASE("a storm of ties at one instant keeps insertion order, also when added mid-run") {
  Simulator s;
  Recorder r{&s, {}};
  struct Adder {
    Simulator* sim;
    Recorder* rec;
    static void fn(void* ctx, uint64_t arg) {
      auto* a = static_cast<Adder*>(ctx);
      Recorder::fn(a->rec, arg);
      if (arg == 500) // halfway through the storm, join it
        for (uint64_t i = 0; i < 1000; ++i) a->sim->schedule_now(Recorder::fn, a->rec, 100'000 + i);
    }
  } adder{&s, &r};
  for (uint64_t i = 0; i < 20'000; ++i) s.schedule_at(1_ms, Adder::fn, &adder, i);
  s.schedule_at(1_ms + 1_ns, Recorder::fn, &r, 999'999);
  s.run();
  std::vector<uint64_t> expect;
  for (uint64_t i = 0; i < 20'000; ++i) expect.push_back(i);
  for (uint64_t i = 0; i < 1000; ++i) expect.push_back(100'000 + i);
  expect.push_back(999'999);
  CHECK(r.args() == expect);
}

// ---- differential stress test ---------------------------------------------------
// Random schedules, timer re-arms and deletions with delays from zero to hours
// (ties, crowded instants, far outliers), interleaved with runs, against a
// reference model: a std::set ordered by (time, seq). Events with odd ids
// schedule a follow-up from their callback, as network events do.

struct Stress {
  Simulator* sim;
  std::vector<uint64_t> ran;
  uint64_t next_id = 1u << 20;  // follow-up ids; below are the test's own
  static uint64_t follow_delay(uint64_t id) { return (id * 0x9e3779b97f4a7c15ull >> 40) % 5000; }
  static void fn(void* ctx, uint64_t id) {
    auto* st = static_cast<Stress*>(ctx);
    st->ran.push_back(id);
    if (id & 1) st->sim->schedule_in(nanoseconds(static_cast<int64_t>(follow_delay(id))), fn, ctx, st->next_id++ * 2);
  }
};

TEST_CASE("the queue matches a reference model under random load") {
  Simulator s;
  Stress st{&s, {}};
  Rng rng = Rng::derive(2024, "queue-stress");
  struct Key {
    uint64_t time, seq, id;
    bool operator<(const Key& o) const { return time != o.time ? time < o.time : seq < o.seq; }
  };
  std::set<Key> model;
  uint64_t seq = 0, model_next_id = 1u << 20;
  std::vector<uint64_t> expect;
  constexpr size_t kTimers = 500;
  std::vector<Timer> timers(kTimers);
  std::vector<std::optional<Key>> armed(kTimers);
  for (size_t i = 0; i < kTimers; ++i) timer_setup(timers[i], Stress::fn, &st, (1u << 19) + 2 * i);  // even: no follow-up
  const uint64_t popular[] = {1'000, 1'000'000, 1'000'000'000};

  auto delay = [&]() -> uint64_t {
    switch (rng.uniform(6)) {
      case 0: return 0;
      case 1: return rng.uniform(100);
      case 2: return rng.uniform(1'000'000);
      case 3: return rng.uniform(10'000'000'000);
      case 4: return rng.uniform(7'200'000'000'000);
      default: return popular[rng.uniform(3)];
    }
  };
  auto model_run_until = [&](uint64_t until) {
    while (!model.empty() && model.begin()->time <= until) {
      const Key k = *model.begin();
      model.erase(model.begin());
      expect.push_back(k.id);
      for (size_t i = 0; i < kTimers; ++i)
        if (armed[i] && armed[i]->seq == k.seq) armed[i].reset();
      if (k.id & 1) model.insert(Key{k.time + Stress::follow_delay(k.id), seq++, model_next_id++ * 2});
    }
  };

  uint64_t id = 1;
  for (int round = 0; round < 400; ++round) {
    for (int op = 0; op < 250; ++op) {
      const uint64_t now = static_cast<uint64_t>(s.now().ns());
      const uint64_t choice = rng.uniform(10);
      if (choice < 5) {
        const uint64_t at = now + delay();
        s.schedule_at(nanoseconds(static_cast<int64_t>(at)), Stress::fn, &st, id);
        model.insert(Key{at, seq++, id});
        ++id;
      } else {
        const size_t i = rng.uniform(kTimers);
        if (choice < 8) {
          const uint64_t at = now + delay();
          REQUIRE(s.mod_timer(timers[i], nanoseconds(static_cast<int64_t>(at))) == armed[i].has_value());
          if (armed[i]) model.erase(*armed[i]);
          armed[i] = Key{at, seq++, timers[i].arg};
          model.insert(*armed[i]);
        } else {
          REQUIRE(s.del_timer(timers[i]) == armed[i].has_value());
          if (armed[i]) model.erase(*armed[i]);
          armed[i].reset();
        }
      }
      REQUIRE(s.pending() == model.size());
      REQUIRE(s.next_time().ns() == (model.empty() ? INT64_MAX : static_cast<int64_t>(model.begin()->time)));
    }
    // Advance by a random stretch: sometimes a step, sometimes far.
    const uint64_t until = static_cast<uint64_t>(s.now().ns()) + (round % 7 == 0 ? delay() * 3 : rng.uniform(2'000'000));
    model_run_until(until);
    s.run_until(nanoseconds(static_cast<int64_t>(until)));
    REQUIRE(st.ran == expect);
  }
  model_run_until(UINT64_MAX);
  s.run();
  CHECK(st.ran == expect);
  CHECK(s.empty());
  CHECK(st.ran.size() > 50'000);
}

}  // namespace
}  // namespace sim

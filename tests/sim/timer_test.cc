// Kernel-style timers on the event queue: mod_timer/del_timer/timer_pending
// with Linux's return values, and the ordering rule for re-armed timers.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "sim/rng.h"
#include "sim/simulator.h"

namespace sim {
namespace {

using namespace sim::literals;

struct Recorder {
  Simulator* sim;
  std::vector<std::pair<int64_t, uint64_t>> log;
  static void fn(void* ctx, uint64_t arg) {
    auto* r = static_cast<Recorder*>(ctx);
    r->log.emplace_back(r->sim->now().ns(), arg);
  }
};
using Log = std::vector<std::pair<int64_t, uint64_t>>;

TEST_CASE("an armed timer is pending until it fires, once, at its expiry") {
  Simulator s;
  Recorder r{&s, {}};
  Timer t;
  timer_setup(t, Recorder::fn, &r, 7);
  CHECK_FALSE(timer_pending(t));
  CHECK_FALSE(s.mod_timer(t, 3_ms));  // was idle
  CHECK(timer_pending(t));
  CHECK(t.expires == 3_ms);
  CHECK(s.pending() == 1);
  s.run_until(3_ms - 1_ns);
  CHECK(r.log.empty());
  CHECK(timer_pending(t));
  s.run_until(10_ms);
  CHECK(r.log == Log{{3'000'000, 7}});
  CHECK_FALSE(timer_pending(t));
  CHECK(s.empty());
}

TEST_CASE("mod_timer on a pending timer moves it and reports it was pending") {
  Simulator s;
  Recorder r{&s, {}};
  Timer t;
  timer_setup(t, Recorder::fn, &r, 1);
  s.mod_timer(t, 5_ms);
  SUBCASE("later") {
    CHECK(s.mod_timer(t, 9_ms));
    s.run();
    CHECK(r.log == Log{{9'000'000, 1}});
  }
  SUBCASE("earlier") {
    CHECK(s.mod_timer(t, 2_ms));
    s.run();
    CHECK(r.log == Log{{2'000'000, 1}});
  }
  CHECK(s.pending() == 0);
}

TEST_CASE("del_timer disarms a pending timer; on an idle timer it returns false") {
  Simulator s;
  Recorder r{&s, {}};
  Timer a, b;
  timer_setup(a, Recorder::fn, &r, 1);
  timer_setup(b, Recorder::fn, &r, 2);
  CHECK_FALSE(s.del_timer(a));  // never armed
  s.mod_timer(a, 1_ms);
  s.mod_timer(b, 2_ms);
  CHECK(s.del_timer(a));
  CHECK_FALSE(timer_pending(a));
  CHECK_FALSE(s.del_timer(a));  // already disarmed
  s.run();
  CHECK(r.log == Log{{2'000'000, 2}});
  CHECK_FALSE(s.del_timer(b));  // already fired
}

TEST_CASE("a timer takes its place in the (time, insertion) order from its latest mod_timer") {
  Simulator s;
  Recorder r{&s, {}};
  Timer t;
  timer_setup(t, Recorder::fn, &r, 0);
  s.mod_timer(t, 5_ms);
  s.schedule_at(5_ms, Recorder::fn, &r, 1);
  SUBCASE("armed first, it runs first") {
    s.run();
    CHECK(r.log == Log{{5'000'000, 0}, {5'000'000, 1}});
  }
  SUBCASE("re-armed to the same expiry, it runs after events scheduled before the re-arm") {
    CHECK(s.mod_timer(t, 5_ms));
    s.schedule_at(5_ms, Recorder::fn, &r, 2);
    s.run();
    CHECK(r.log == Log{{5'000'000, 1}, {5'000'000, 0}, {5'000'000, 2}});
  }
}

TEST_CASE("an expiry in the past fires at the current time, after what is already due") {
  Simulator s;
  Recorder r{&s, {}};
  s.run_until(10_ms);
  s.schedule_at(10_ms, Recorder::fn, &r, 1);
  Timer t;
  timer_setup(t, Recorder::fn, &r, 2);
  s.mod_timer(t, 1_ms);
  CHECK(t.expires == 10_ms);
  s.run();
  CHECK(r.log == Log{{10'000'000, 1}, {10'000'000, 2}});
}

// A periodic timer: each expiry re-arms it `period` later until `left` runs out.
struct Periodic {
  Simulator* sim;
  Timer timer;
  Time period;
  int left;
  std::vector<int64_t> fired;
  std::vector<bool> rearm_was_pending;
  static void fn(void* ctx, uint64_t) {
    auto* p = static_cast<Periodic*>(ctx);
    p->fired.push_back(p->sim->now().ns());
    CHECK_FALSE(timer_pending(p->timer));  // detached before its callback, as in Linux
    if (--p->left > 0) p->rearm_was_pending.push_back(p->sim->mod_timer(p->timer, p->sim->now() + p->period));
  }
};

TEST_CASE("a timer re-arming itself from its callback fires periodically") {
  Simulator s;
  Periodic p{&s, {}, 10_ms, 4, {}, {}};
  timer_setup(p.timer, Periodic::fn, &p);
  s.mod_timer(p.timer, 10_ms);
  s.run();
  CHECK(p.fired == std::vector<int64_t>{10'000'000, 20'000'000, 30'000'000, 40'000'000});
  CHECK(p.rearm_was_pending == std::vector<bool>{false, false, false});
  CHECK_FALSE(timer_pending(p.timer));
}

// From its callback, deletes another timer due at the same instant.
struct Canceller {
  Simulator* sim;
  Timer* victim;
  bool deleted = false;
  static void fn(void* ctx, uint64_t) {
    auto* c = static_cast<Canceller*>(ctx);
    c->deleted = c->sim->del_timer(*c->victim);
  }
};

TEST_CASE("a callback can cancel a timer due at the same instant") {
  Simulator s;
  Recorder r{&s, {}};
  Timer first, second;
  Canceller c{&s, &second};
  timer_setup(first, Canceller::fn, &c);
  timer_setup(second, Recorder::fn, &r, 2);
  s.mod_timer(first, 1_ms);
  s.mod_timer(second, 1_ms);
  s.run();
  CHECK(c.deleted);
  CHECK(r.log.empty());
}

TEST_CASE("random mod_timer/del_timer churn matches a reference model") {
  // The model: per timer, its (expiry, seq of its latest arming) or idle; one
  // sequence counter shared with one-shot events. Runs interleave with churn.
  Simulator s;
  Recorder r{&s, {}};
  Rng rng = Rng::derive(7, "timer-churn");
  constexpr int kTimers = 2000;
  std::vector<Timer> timers(kTimers);
  for (int i = 0; i < kTimers; ++i) timer_setup(timers[i], Recorder::fn, &r, static_cast<uint64_t>(i));
  struct Armed {
    int64_t at;
    uint64_t seq;
    bool pending = false;
  };
  std::vector<Armed> model(kTimers);
  uint64_t seq = 0;
  Log expect_all;
  auto drain_model_until = [&](int64_t until) {
    // Everything the model says is due by `until`, in (time, seq) order.
    std::vector<std::pair<std::pair<int64_t, uint64_t>, uint64_t>> due;
    for (int i = 0; i < kTimers; ++i)
      if (model[i].pending && model[i].at <= until) {
        due.push_back({{model[i].at, model[i].seq}, static_cast<uint64_t>(i)});
        model[i].pending = false;
      }
    std::sort(due.begin(), due.end());
    for (const auto& d : due) expect_all.emplace_back(d.first.first, d.second);
  };
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 500; ++k) {
      const auto i = static_cast<size_t>(rng.uniform(kTimers));
      if (rng.bernoulli(0.25)) {
        CHECK(s.del_timer(timers[i]) == model[i].pending);
        model[i].pending = false;
      } else {
        const int64_t at = s.now().ns() + static_cast<int64_t>(rng.uniform(2000));  // many ties
        CHECK(s.mod_timer(timers[i], nanoseconds(at)) == model[i].pending);
        model[i] = Armed{at, seq++, true};
      }
      REQUIRE(timer_pending(timers[i]) == model[i].pending);
    }
    const Time until = s.now() + nanoseconds(static_cast<int64_t>(rng.uniform(1500)));
    drain_model_until(until.ns());
    s.run_until(until);
  }
  drain_model_until(INT64_MAX);
  s.run();
  CHECK(r.log.size() == expect_all.size());
  CHECK(r.log == expect_all);
}

}  // namespace
}  // namespace sim

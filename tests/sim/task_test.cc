// Coroutine tasks over the simulator: sleep, WaitQueue wake-ups and timeouts,
// the no-re-entrancy rule, and TaskGroup teardown.
#include "sim/task.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "sim/simulator.h"

namespace sim {
namespace {

using namespace sim::literals;

// Counts live instances, to prove that destroyed frames ran their destructors.
struct Guard {
  int* live;
  explicit Guard(int* l) : live(l) { ++*live; }
  Guard(const Guard&) = delete;
  ~Guard() { --*live; }
};

struct Trace {
  Simulator* sim;
  std::vector<std::string> lines;
  void add(const std::string& what) { lines.push_back(std::to_string(sim->now().ns() / 1000) + "us " + what); }
};

Task<> sleeper(Simulator& sim, Trace& tr) {
  tr.add("start");
  co_await sleep(sim, 5_ms);
  tr.add("woke 1");
  co_await sleep(sim, 250_us);
  tr.add("woke 2");
}

TEST_CASE("spawn starts a task at the current time, never inline; sleep resumes later") {
  Simulator s;
  Trace tr{&s, {}};
  TaskGroup g(s);
  s.run_until(1_ms);
  g.spawn(sleeper(s, tr));
  CHECK(tr.lines.empty());  // scheduled, not run inside spawn()
  CHECK(g.done() == 0);
  s.run();
  CHECK(tr.lines == std::vector<std::string>{"1000us start", "6000us woke 1", "6250us woke 2"});
  CHECK(g.done() == 1);
  CHECK(g.size() == 1);
  CHECK(s.empty());
}

Task<> waiter(Simulator& sim, WaitQueue& wq, Trace& tr, std::string name, Time timeout) {
  const bool woken = co_await wq.wait(sim, timeout);
  tr.add(name + (woken ? " woken" : " timed out"));
}

struct Waker {
  WaitQueue* wq;
  Trace* tr;
  static void one(void* ctx, uint64_t) {
    auto* w = static_cast<Waker*>(ctx);
    w->wq->wake_one();
    w->tr->add("waker returns");  // must come before the woken task runs
  }
  static void all(void* ctx, uint64_t) {
    auto* w = static_cast<Waker*>(ctx);
    w->wq->wake_all();
    w->tr->add("waker returns");
  }
};

TEST_CASE("wake_one wakes only the first waiter, after the waker returns") {
  Simulator s;
  Trace tr{&s, {}};
  WaitQueue wq;
  TaskGroup g(s);
  g.spawn(waiter(s, wq, tr, "a", Time::max()));
  g.spawn(waiter(s, wq, tr, "b", Time::max()));
  g.spawn(waiter(s, wq, tr, "c", Time::max()));
  Waker w{&wq, &tr};
  s.schedule_at(1_ms, Waker::one, &w);
  s.run();
  CHECK(tr.lines == std::vector<std::string>{"1000us waker returns", "1000us a woken"});
  CHECK_FALSE(wq.empty());
  s.schedule_at(2_ms, Waker::one, &w);
  s.run();
  CHECK(tr.lines.back() == "2000us b woken");
  CHECK(g.done() == 2);
}

TEST_CASE("wake_all wakes every waiter in arrival order") {
  Simulator s;
  Trace tr{&s, {}};
  WaitQueue wq;
  TaskGroup g(s);
  g.spawn(waiter(s, wq, tr, "a", Time::max()));
  g.spawn(waiter(s, wq, tr, "b", 10_ms));
  g.spawn(waiter(s, wq, tr, "c", Time::max()));
  Waker w{&wq, &tr};
  s.schedule_at(3_ms, Waker::all, &w);
  s.run();
  CHECK(tr.lines == std::vector<std::string>{"3000us waker returns", "3000us a woken", "3000us b woken",
                                             "3000us c woken"});
  CHECK(wq.empty());
  CHECK(g.done() == 3);
  CHECK(s.empty());  // b's timeout was cancelled by the wake-up
  CHECK(s.now() == 3_ms);
}

TEST_CASE("a wait times out at exactly its deadline and returns false") {
  Simulator s;
  Trace tr{&s, {}};
  WaitQueue wq;
  TaskGroup g(s);
  s.run_until(2_ms);
  g.spawn(waiter(s, wq, tr, "a", 10_ms));
  s.run_until(12_ms - 1_ns);
  CHECK(tr.lines.empty());
  s.run_until(12_ms);
  CHECK(tr.lines == std::vector<std::string>{"12000us a timed out"});
  CHECK(wq.empty());
  // A wake-up after the timeout finds nobody.
  wq.wake_one();
  s.run();
  CHECK(tr.lines.size() == 1);
}

TEST_CASE("at the deadline instant, whichever was queued first wins") {
  Simulator s;
  Trace tr{&s, {}};
  WaitQueue wq;
  TaskGroup g(s);
  Waker w{&wq, &tr};
  SUBCASE("wake-up queued before the timeout was armed") {
    s.schedule_at(10_ms, Waker::one, &w);
    g.spawn(waiter(s, wq, tr, "a", 10_ms));
    s.run();
    CHECK(tr.lines == std::vector<std::string>{"10000us waker returns", "10000us a woken"});
  }
  SUBCASE("timeout armed before the wake-up was queued") {
    g.spawn(waiter(s, wq, tr, "a", 10_ms));
    s.run_until(1_ms);
    s.schedule_at(10_ms, Waker::one, &w);
    s.run();
    CHECK(tr.lines == std::vector<std::string>{"10000us a timed out", "10000us waker returns"});
  }
}

Task<int> add_later(Simulator& sim, int a, int b) {
  co_await sleep(sim, 1_ms);
  co_return a + b;
}

Task<> summer(Simulator& sim, Trace& tr) {
  const int x = co_await add_later(sim, 2, 3);
  const int y = co_await add_later(sim, x, 10);
  tr.add("sum " + std::to_string(y));
}

TEST_CASE("a task awaits child tasks and gets their values") {
  Simulator s;
  Trace tr{&s, {}};
  TaskGroup g(s);
  g.spawn(summer(s, tr));
  s.run();
  CHECK(tr.lines == std::vector<std::string>{"2000us sum 15"});
}

Task<int> thrower(Simulator& sim) {
  co_await sleep(sim, 1_ms);
  throw std::runtime_error("boom");
}

Task<> catcher(Simulator& sim, Trace& tr) {
  try {
    co_await thrower(sim);
  } catch (const std::runtime_error& e) {
    tr.add(std::string("caught ") + e.what());
  }
  co_await thrower(sim);  // escapes to the group
}

TEST_CASE("exceptions propagate to the awaiting task, then to the group") {
  Simulator s;
  Trace tr{&s, {}};
  TaskGroup g(s);
  g.spawn(catcher(s, tr));
  s.run();
  CHECK(tr.lines == std::vector<std::string>{"1000us caught boom"});
  CHECK(g.done() == 1);
  CHECK_THROWS_AS(g.rethrow_errors(), std::runtime_error);
}

Task<> guarded_wait(Simulator& sim, WaitQueue& wq, int* live) {
  Guard guard(live);
  co_await wq.wait(sim, Time::max());
}
Task<> guarded_sleep(Simulator& sim, int* live, bool* finished) {
  Guard guard(live);
  co_await sleep(sim, 1_s);
  *finished = true;
}
Task<> guarded_child(Simulator& sim, int* live, bool* finished) {
  Guard guard(live);
  co_await guarded_sleep(sim, live, finished);
}

TEST_CASE("destroying a TaskGroup destroys its suspended tasks and cancels their resumptions") {
  Simulator s;
  WaitQueue wq;
  int live = 0;
  bool finished = false;
  {
    TaskGroup g(s);
    g.spawn(guarded_wait(s, wq, &live));            // blocked forever
    g.spawn(guarded_child(s, &live, &finished));    // two frames deep in a sleep
    g.spawn(guarded_wait(s, wq, &live));            // will be woken, not yet resumed
    s.run_until(1_ms);
    CHECK(live == 4);
    wq.wake_all();  // both waiters' resumptions are now queued
    g.spawn(guarded_wait(s, wq, &live));            // spawned, not yet started
    CHECK(live == 4);
    CHECK(s.pending() == 4);  // the sleep, two resumptions, one start
  }
  CHECK(live == 0);
  CHECK(s.empty());  // nothing left that could resume a destroyed frame
  CHECK(wq.empty());
  s.run_until(2_s);
  CHECK_FALSE(finished);
}

TEST_CASE("a waiter outliving its WaitQueue still times out cleanly") {
  Simulator s;
  Trace tr{&s, {}};
  TaskGroup g(s);
  {
    WaitQueue wq;
    g.spawn(waiter(s, wq, tr, "a", 5_ms));
    s.run_until(1_ms);
    CHECK_FALSE(wq.empty());
  }
  s.run();
  CHECK(tr.lines == std::vector<std::string>{"5000us a timed out"});
}

}  // namespace
}  // namespace sim

// Benchmarks behind the performance targets (docs: product.md). Run with
//
//   bazel run -c opt //tools:bench [-- [--runs N] [--list] [case...]]
//
// Each case prints one line:
//   name: <median> <unit> (median of N; <min>..<max>) key=value ...
// The headline is wall-clock; the event-core cases add cpu=<median rate by
// this thread's CPU time>, which moves less on a machine shared with other
// work. Figures are machine-dependent; they are printed, never asserted.
//
// To add a case: write `std::string my_case(const BenchOptions&)` that runs
// the workload opts.runs times and returns a result_line(...) (cases in other
// files are declared in bench_cases.h), then append it to kCases at the bottom.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/rng.h"
#include "sim/simulator.h"
#include "sim/time.h"
#include "tools/bench_cases.h"

namespace bench {

// Formats one result line from per-run samples (already in `unit`).
std::string result_line(std::string_view name, std::vector<double> samples, std::string_view unit,
                        std::string_view extra) {
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  std::string line = fmt::format("{}: {:.2f} {} (median of {}; {:.2f}..{:.2f})", name, median, unit, n,
                                 samples.front(), samples.back());
  if (!extra.empty()) line += fmt::format(" {}", extra);
  return line;
}

}  // namespace bench

namespace {

struct BenchOptions {
  int runs = 5;
};

using bench::result_line;

// Wall time and this thread's CPU time over a measured stretch. The CPU-time
// rate is printed too: on a machine shared with other work it moves less.
class Meter {
 public:
  Meter() : wall0_(std::chrono::steady_clock::now()), cpu0_(cpu_seconds()) {}
  // Per-second rates of `n` things, in millions: {wall, cpu}.
  std::pair<double, double> mrate(uint64_t n) const {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
    const double cpu = cpu_seconds() - cpu0_;
    return {static_cast<double>(n) / wall / 1e6, static_cast<double>(n) / cpu / 1e6};
  }

 private:
  static double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  std::chrono::steady_clock::time_point wall0_;
  double cpu0_;
};

// Wall-clock rates are the headline; the CPU-time median goes in `cpu=`.
struct Rates {
  std::vector<double> wall, cpu;
  void add(std::pair<double, double> r) {
    wall.push_back(r.first);
    cpu.push_back(r.second);
  }
  std::string line(std::string_view name, std::string_view unit, std::string_view extra) const {
    std::vector<double> c = cpu;
    std::sort(c.begin(), c.end());
    const double cpu_median = c.size() % 2 ? c[c.size() / 2] : (c[c.size() / 2 - 1] + c[c.size() / 2]) / 2;
    return result_line(name, wall, unit, fmt::format("cpu={:.2f} {}", cpu_median, extra));
  }
};

sim::Time ns(uint64_t v) { return sim::nanoseconds(static_cast<int64_t>(v)); }

// ---- event_core: the "hold" model -------------------------------------------
// A steady state of `pending` events; each dispatched event schedules one new
// event at now + uniform[0, 2 ms). Measures schedule + dispatch per second.

struct Hold {
  sim::Simulator* sim;
  sim::Rng rng;
  uint64_t remaining;
};

void hold_event(void* ctx, uint64_t) {
  auto* h = static_cast<Hold*>(ctx);
  if (--h->remaining == 0) h->sim->stop();
  h->sim->schedule_in(ns(h->rng.uniform(2'000'000)), hold_event, h);
}

std::string hold_case(std::string_view name, uint64_t pending, uint64_t events, const BenchOptions& opts) {
  Rates rates;
  for (int r = 0; r < opts.runs; ++r) {
    sim::Simulator s;
    Hold h{&s, sim::Rng::derive(r + 1, "bench:hold"), events};
    for (uint64_t i = 0; i < pending; ++i) s.schedule_at(ns(h.rng.uniform(2'000'000)), hold_event, &h);
    const Meter m;
    rates.add(m.mrate(s.run()));
  }
  return rates.line(name, "Mevents/s", fmt::format("pending={} events={}", pending, events));
}

std::string event_core(const BenchOptions& opts) { return hold_case("event_core", 1'000'000, 10'000'000, opts); }
std::string event_core_64k(const BenchOptions& opts) {
  return hold_case("event_core_64k", 65'536, 10'000'000, opts);
}
std::string event_core_1k(const BenchOptions& opts) { return hold_case("event_core_1k", 1'024, 10'000'000, opts); }

// ---- event_mix: network-like delays ------------------------------------------
// The hold model with 64k pending events whose delays mimic a network run:
// 30% zero (wake-ups, schedule_now), 45% uniform[0, 10 us) (links), 20%
// uniform[0, 1 ms), 5% uniform[0, 1 s) (timers); plus 10k events two hours
// out (keepalive-like outliers) that never come due.

struct Mix {
  sim::Simulator* sim;
  sim::Rng rng;
  uint64_t remaining;
};

void mix_event(void* ctx, uint64_t) {
  auto* m = static_cast<Mix*>(ctx);
  if (--m->remaining == 0) m->sim->stop();
  const uint64_t p = m->rng.uniform(100);
  if (p < 30) {
    m->sim->schedule_now(mix_event, m);
    return;
  }
  const uint64_t range = p < 75 ? 10'000 : p < 95 ? 1'000'000 : 1'000'000'000;
  m->sim->schedule_in(ns(m->rng.uniform(range)), mix_event, m);
}

std::string event_mix(const BenchOptions& opts) {
  constexpr uint64_t kPending = 65'536, kOutliers = 10'000, kEvents = 10'000'000;
  Rates rates;
  for (int r = 0; r < opts.runs; ++r) {
    sim::Simulator s;
    Mix m{&s, sim::Rng::derive(r + 1, "bench:mix"), kEvents};
    for (uint64_t i = 0; i < kOutliers; ++i) s.schedule_at(sim::seconds(7200) + ns(m.rng.uniform(1'000'000'000)), mix_event, &m);
    for (uint64_t i = 0; i < kPending; ++i) s.schedule_at(ns(m.rng.uniform(1'000'000)), mix_event, &m);
    const Meter meter;
    rates.add(meter.mrate(s.run()));
  }
  return rates.line("event_mix", "Mevents/s", fmt::format("pending={} outliers={} events={}", kPending, kOutliers, kEvents));
}

// ---- timer_churn: mod_timer on pending timers ---------------------------------
// 1M pending timers 200 ms out (one per connection, like an RTO); a hold
// model of 64k packet events, each re-arming the timer of a random connection
// to now + 200 ms + uniform[0, 1 ms), which moves it later in the queue.
// Measures packet events per second, each one mod_timer + schedule + dispatch.

struct Churn {
  sim::Simulator* sim;
  sim::Rng rng;
  std::vector<sim::Timer> timers;
  uint64_t remaining;
  uint64_t fired = 0;
};

void churn_timer_fired(void* ctx, uint64_t) { ++static_cast<Churn*>(ctx)->fired; }

void churn_packet(void* ctx, uint64_t) {
  auto* c = static_cast<Churn*>(ctx);
  if (--c->remaining == 0) c->sim->stop();
  sim::Timer& t = c->timers[c->rng.uniform(c->timers.size())];
  c->sim->mod_timer(t, c->sim->now() + sim::milliseconds(200) + ns(c->rng.uniform(1'000'000)));
  c->sim->schedule_in(ns(c->rng.uniform(2'000'000)), churn_packet, c);
}

std::string timer_churn(const BenchOptions& opts) {
  constexpr uint64_t kTimers = 1'000'000, kPackets = 65'536, kEvents = 10'000'000;
  Rates rates;
  uint64_t fired = 0;
  for (int r = 0; r < opts.runs; ++r) {
    sim::Simulator s;
    Churn c{&s, sim::Rng::derive(r + 1, "bench:churn"), std::vector<sim::Timer>(kTimers), kEvents};
    for (sim::Timer& t : c.timers) {
      sim::timer_setup(t, churn_timer_fired, &c);
      s.mod_timer(t, sim::milliseconds(200) + ns(c.rng.uniform(1'000'000)));
    }
    for (uint64_t i = 0; i < kPackets; ++i) s.schedule_at(ns(c.rng.uniform(2'000'000)), churn_packet, &c);
    const Meter m;
    rates.add(m.mrate(s.run()));
    fired += c.fired;
  }
  return rates.line("timer_churn", "Mmod_timer/s",
                    fmt::format("timers={} packets_pending={} events={} fired={}", kTimers, kPackets, kEvents,
                                fired / opts.runs));
}

// ---- timer_hold: timers that re-arm themselves ---------------------------------
// The hold model again, but every entry is a Timer embedded in its own owner
// (1M owners) that re-arms itself from its callback: timer dispatch, a cache
// miss on the owner, and mod_timer of an idle timer.

struct TimerHold {
  sim::Simulator* sim;
  sim::Rng* rng;
  sim::Timer timer;
  uint64_t* remaining;
};

void timer_hold_fired(void* ctx, uint64_t) {
  auto* h = static_cast<TimerHold*>(ctx);
  if (--*h->remaining == 0) h->sim->stop();
  h->sim->mod_timer(h->timer, h->sim->now() + ns(h->rng->uniform(2'000'000)));
}

std::string timer_hold(const BenchOptions& opts) {
  constexpr uint64_t kTimers = 1'000'000, kEvents = 10'000'000;
  Rates rates;
  for (int r = 0; r < opts.runs; ++r) {
    sim::Simulator s;
    sim::Rng rng = sim::Rng::derive(r + 1, "bench:timer_hold");
    uint64_t remaining = kEvents;
    std::vector<TimerHold> hs(kTimers);
    for (TimerHold& h : hs) {
      h = TimerHold{&s, &rng, {}, &remaining};
      sim::timer_setup(h.timer, timer_hold_fired, &h);
      s.mod_timer(h.timer, ns(rng.uniform(2'000'000)));
    }
    const Meter m;
    rates.add(m.mrate(s.run()));
  }
  return rates.line("timer_hold", "Mevents/s", fmt::format("timers={} events={}", kTimers, kEvents));
}

std::string syn_flood_case(const BenchOptions& o) { return bench::syn_flood(o.runs); }
std::string half_open_case(const BenchOptions& o) { return bench::half_open(std::min(o.runs, 3)); }

// ---- registry ----------------------------------------------------------------

struct BenchCase {
  std::string_view name;
  std::string_view what;
  std::string (*run)(const BenchOptions&);
};

constexpr BenchCase kCases[] = {
    {"event_core", "hold model, 1M pending events: schedule + dispatch", event_core},
    {"event_core_64k", "hold model, 64k pending events", event_core_64k},
    {"event_core_1k", "hold model, 1k pending events", event_core_1k},
    {"event_mix", "hold model, 64k pending, network-like delays (30% zero) + 10k outliers 2 h out", event_mix},
    {"timer_churn", "mod_timer moving 1M pending timers, driven by 64k events", timer_churn},
    {"timer_hold", "1M timers re-arming themselves: timer dispatch + mod_timer", timer_hold},
    {"syn_flood", "2M spoofed SYNs at 200k/s through a 10 Gbps link, cookies on, backlog 4096", syn_flood_case},
    {"half_open", "1M half-open request socks (syncookies off, backlog 2^20): bytes per request", half_open_case},
    {"bulk", "200 MB over one TCP connection, 1 Gbps / 1 ms: simulated bytes per wall second",
     [](const BenchOptions& o) { return bench::bulk(o.runs); }},
};

int usage() {
  std::fprintf(stderr, "usage: bench [--runs N] [--list] [case...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions opts;
  std::vector<const BenchCase*> selected;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--list") {
      for (const BenchCase& c : kCases) std::printf("%-16.*s %.*s\n", int(c.name.size()), c.name.data(),
                                                     int(c.what.size()), c.what.data());
      return 0;
    }
    if (arg == "--runs" && i + 1 < argc) {
      opts.runs = std::atoi(argv[++i]);
      if (opts.runs < 1) return usage();
      continue;
    }
    const auto it = std::find_if(std::begin(kCases), std::end(kCases), [&](const BenchCase& c) { return c.name == arg; });
    if (it == std::end(kCases)) {
      std::fprintf(stderr, "bench: unknown case '%s' (see --list)\n", argv[i]);
      return usage();
    }
    selected.push_back(it);
  }
  if (selected.empty())
    for (const BenchCase& c : kCases) selected.push_back(&c);
  for (const BenchCase* c : selected) {
    std::printf("%s\n", c->run(opts).c_str());
    std::fflush(stdout);
  }
  return 0;
}

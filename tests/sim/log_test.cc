// Component loggers: names, levels, level specs, and the simulated-time stamp.
#include "sim/log.h"

#include <memory>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "sim/simulator.h"

namespace sim {
namespace {

using namespace sim::literals;

// The loggers are process-wide: every test leaves them as it found them.
struct CapturedLogs {
  std::ostringstream out;
  CapturedLogs() { set_log_sink(std::make_shared<spdlog::sinks::ostream_sink_st>(out)); }
  ~CapturedLogs() {
    set_log_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    set_log_level(spdlog::level::warn);
  }
};

TEST_CASE("one named logger per component, at level warn by default") {
  Loggers& l = logs();
  CHECK(l.sim->name() == "sim");
  CHECK(l.net->name() == "net");
  CHECK(l.tcp->name() == "tcp");
  CHECK(l.sock->name() == "sock");
  CHECK(l.app->name() == "app");
  CHECK(l.pkt->name() == "pkt");
  CHECK(l.tcp->level() == spdlog::level::warn);
  CHECK(&logs() == &l);
}

TEST_CASE("level specs set all components or one, and reject bad input whole") {
  CapturedLogs cap;
  CHECK(set_log_levels("info,tcp=debug,pkt=trace"));
  CHECK(logs().sim->level() == spdlog::level::info);
  CHECK(logs().app->level() == spdlog::level::info);
  CHECK(logs().tcp->level() == spdlog::level::debug);
  CHECK(logs().pkt->level() == spdlog::level::trace);
  CHECK_FALSE(set_log_levels("warn,tcp=loud"));
  CHECK_FALSE(set_log_levels("warn,udp=debug"));
  CHECK(logs().sim->level() == spdlog::level::info);  // unchanged by the rejected specs
  CHECK(logs().tcp->level() == spdlog::level::debug);
  set_log_level(spdlog::level::err);
  CHECK(logs().tcp->level() == spdlog::level::err);
}

struct Emit {
  static void fn(void*, uint64_t n) { logs().tcp->warn("SYN dropped, queue {}", n); }
};

TEST_CASE("lines carry the simulated time while the simulator runs") {
  CapturedLogs cap;
  Simulator s;
  s.schedule_at(1_s + 250_us, Emit::fn, nullptr, 3);
  s.schedule_at(2_s, Emit::fn, nullptr, 4);
  logs().app->info("below the level: not printed");
  logs().app->warn("before the run");
  s.run_until(1500_ms);
  s.step();
  CHECK(cap.out.str() ==
        "- app  W before the run\n"
        "1.000250000 tcp  W SYN dropped, queue 3\n"
        "2.000000000 tcp  W SYN dropped, queue 4\n");
}

}  // namespace
}  // namespace sim

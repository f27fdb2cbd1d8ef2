// Per-component loggers, after ns-3's NS_LOG_COMPONENT_DEFINE: one spdlog
// logger per subsystem, each with its own level, all writing through one sink
// with the pattern "%* %-4n %L %v", where %* is the simulated time:
//
//   1.000250000 tcp  D server 10.0.0.1:40003 -> 80: SYN dropped, accept queue full
//
// Per-packet messages use SPDLOG_LOGGER_DEBUG/TRACE so that they compile out
// above SPDLOG_ACTIVE_LEVEL. Log lines must be deterministic (no pointers, no
// wall time); assert on counters, not on log lines.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

#include "sim/time.h"

namespace sim {

struct Loggers {
  std::shared_ptr<spdlog::logger> sim;   // event core, timers, tasks
  std::shared_ptr<spdlog::logger> net;   // devices, links, IP
  std::shared_ptr<spdlog::logger> tcp;   // TCP state machine and timers
  std::shared_ptr<spdlog::logger> sock;  // socket layer and syscalls
  std::shared_ptr<spdlog::logger> app;   // simulated applications
  std::shared_ptr<spdlog::logger> pkt;   // per-packet tracing
};

// The component loggers, created on first use at level warn, writing to
// stderr. They are not in spdlog's global registry, so they never clash with
// loggers of the same name elsewhere.
Loggers& logs();

// Sets every component to `level`.
void set_log_level(spdlog::level::level_enum level);
// Applies a spec such as "info" or "warn,tcp=debug,app=trace": a bare level
// sets every component, name=level one component, left to right. Returns
// false, changing nothing, if any item is not understood.
bool set_log_levels(std::string_view spec);
// Routes every component to `sink` (a file for a run, a buffer in tests) with
// the simulated-time pattern.
void set_log_sink(spdlog::sink_ptr sink);

// While alive, log lines on this thread are stamped with *now. Simulator's
// run(), run_until() and step() hold one; outside them the stamp is "-".
//
// SIM: a thread-local pointer read only by the time-stamp formatter. spdlog's
// formatters get no context argument, and threading the simulator through
// every log call would be noise. It never steers the simulation, and two
// simulators on one thread or on two threads each stamp their own time.
class LogClockScope {
 public:
  explicit LogClockScope(const Time* now);
  ~LogClockScope();
  LogClockScope(const LogClockScope&) = delete;
  LogClockScope& operator=(const LogClockScope&) = delete;

 private:
  const Time* saved_;
};

}  // namespace sim

#include "sim/log.h"

#include <array>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace sim {
namespace {

thread_local const Time* t_log_now = nullptr;

constexpr const char* kPattern = "%* %-4n %L %v";

// %*: simulated seconds with nanosecond digits, e.g. "1.000250000".
class SimTimeFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    if (t_log_now == nullptr) {
      dest.push_back('-');
      return;
    }
    const int64_t ns = t_log_now->ns();
    fmt::format_to(std::back_inserter(dest), "{}.{:09}", ns / 1000000000, ns % 1000000000);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SimTimeFlag>(); }
};

std::unique_ptr<spdlog::formatter> make_formatter() {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  f->add_flag<SimTimeFlag>('*').set_pattern(kPattern);
  return f;
}

std::array<spdlog::logger*, 6> all(Loggers& l) {
  return {l.sim.get(), l.net.get(), l.tcp.get(), l.sock.get(), l.app.get(), l.pkt.get()};
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view s) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug}, {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},   {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
      {"off", spdlog::level::off},
  };
  for (const auto& [name, level] : kLevels)
    if (s == name) return level;
  return std::nullopt;
}

}  // namespace

Loggers& logs() {
  // One set per process, as spdlog's sinks are; built on first use so that
  // static initialisation order never matters.
  static Loggers loggers = [] {
    spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(make_formatter());
    auto make = [&](const char* name) {
      auto l = std::make_shared<spdlog::logger>(name, sink);
      l->set_level(spdlog::level::warn);
      return l;
    };
    return Loggers{make("sim"), make("net"), make("tcp"), make("sock"), make("app"), make("pkt")};
  }();
  return loggers;
}

void set_log_level(spdlog::level::level_enum level) {
  for (spdlog::logger* l : all(logs())) l->set_level(level);
}

bool set_log_levels(std::string_view spec) {
  std::vector<std::pair<spdlog::logger*, spdlog::level::level_enum>> changes;
  const auto loggers = all(logs());
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t eq = item.find('=');
    const auto level = parse_level(eq == std::string_view::npos ? item : item.substr(eq + 1));
    if (!level) return false;
    if (eq == std::string_view::npos) {
      for (spdlog::logger* l : loggers) changes.emplace_back(l, *level);
      continue;
    }
    const std::string_view name = item.substr(0, eq);
    spdlog::logger* target = nullptr;
    for (spdlog::logger* l : loggers)
      if (l->name() == name) target = l;
    if (!target) return false;
    changes.emplace_back(target, *level);
  }
  for (const auto& [l, level] : changes) l->set_level(level);
  return true;
}

void set_log_sink(spdlog::sink_ptr sink) {
  sink->set_formatter(make_formatter());
  for (spdlog::logger* l : all(logs())) {
    l->sinks().clear();
    l->sinks().push_back(sink);
  }
}

LogClockScope::LogClockScope(const Time* now) : saved_(std::exchange(t_log_now, now)) {}
LogClockScope::~LogClockScope() { t_log_now = saved_; }

}  // namespace sim

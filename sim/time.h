// Simulated time: integer nanoseconds in a strong type. Never floating point,
// so that the same scenario and seed give the same bytes on every machine.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace sim {

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time from_ns(int64_t ns) { return Time(ns); }
  static constexpr Time max() { return Time(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ns() const { return ns_; }
  constexpr int64_t us() const { return ns_ / 1000; }
  constexpr int64_t ms() const { return ns_ / 1000000; }
  // Whole seconds, truncated toward zero.
  constexpr int64_t sec() const { return ns_ / 1000000000; }

  constexpr auto operator<=>(const Time&) const = default;
  constexpr Time operator+(Time o) const { return Time(ns_ + o.ns_); }
  constexpr Time operator-(Time o) const { return Time(ns_ - o.ns_); }
  constexpr Time& operator+=(Time o) { ns_ += o.ns_; return *this; }
  constexpr Time& operator-=(Time o) { ns_ -= o.ns_; return *this; }
  constexpr Time operator*(int64_t k) const { return Time(ns_ * k); }
  constexpr Time operator/(int64_t k) const { return Time(ns_ / k); }
  constexpr int64_t operator/(Time o) const { return ns_ / o.ns_; }
  constexpr Time operator<<(unsigned s) const { return Time(ns_ << s); }

 private:
  constexpr explicit Time(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr Time nanoseconds(int64_t v) { return Time::from_ns(v); }
constexpr Time microseconds(int64_t v) { return Time::from_ns(v * 1000); }
constexpr Time milliseconds(int64_t v) { return Time::from_ns(v * 1000000); }
constexpr Time seconds(int64_t v) { return Time::from_ns(v * 1000000000); }

namespace literals {
constexpr Time operator""_ns(unsigned long long v) { return nanoseconds(static_cast<int64_t>(v)); }
constexpr Time operator""_us(unsigned long long v) { return microseconds(static_cast<int64_t>(v)); }
constexpr Time operator""_ms(unsigned long long v) { return milliseconds(static_cast<int64_t>(v)); }
constexpr Time operator""_s(unsigned long long v) { return seconds(static_cast<int64_t>(v)); }
}  // namespace literals

}  // namespace sim

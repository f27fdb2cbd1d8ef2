// Event times: relative times, the inbound-after-inbound anchor, blocking
// calls, ranges and `*`, and the tolerance (tools/pkt/timing.h).
#include <doctest/doctest.h>

#include "tests/pkt/test_util.h"
#include "tools/pkt/timing.h"

namespace pkt {
namespace {

constexpr int64_t kMs = 1000000;

// A script's first event must be at 0, so each event under test comes second.
Event event_after_start(const std::string& line) {
  Script s = testing::parse_ok("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" + line + "\n");
  REQUIRE(s.events.size() == 2);
  return s.events[1];
}

PreviousEvent previous(bool inbound, int64_t due_ns) { return PreviousEvent{true, inbound, due_ns}; }

TEST_CASE("a relative time counts from when the previous event finished") {
  const Event e = event_after_start("+.1 > S. 0:0(0) ack 1 <...>");
  // The previous event was due at 100 ms but (say) an outbound packet came
  // at 103 ms: the next +0.1 is due at 203 ms.
  const EventDue d = resolve_event_time(e, previous(false, 100 * kMs), 103 * kMs);
  CHECK(d.start_ns == 203 * kMs);
  CHECK(d.end_ns == 203 * kMs);
  CHECK(d.offset_ns == 103 * kMs);
  CHECK_FALSE(d.any);
}

TEST_CASE("an inbound packet after an inbound packet counts from its scripted time") {
  const Event e = event_after_start("+.1 < . 1:1(0) ack 1 win 100");
  CHECK(resolve_event_time(e, previous(true, 100 * kMs), 150 * kMs).start_ns == 200 * kMs);
  // After anything else it is "now" again.
  CHECK(resolve_event_time(e, previous(false, 100 * kMs), 150 * kMs).start_ns == 250 * kMs);
}

TEST_CASE("absolute times ignore the previous event") {
  const Event e = event_after_start("1.5 < . 1:1(0) ack 1 win 100");
  const EventDue d = resolve_event_time(e, previous(true, 100 * kMs), 150 * kMs);
  CHECK(d.start_ns == 1500 * kMs);
  CHECK(d.offset_ns == 0);
}

TEST_CASE("a blocking call's end gets the same offset as its start") {
  const Event rel = event_after_start("+.2...0.5 accept(3, ..., ...) = 4");
  const EventDue d = resolve_event_time(rel, previous(false, 0), 1000 * kMs);
  CHECK(d.start_ns == 1200 * kMs);
  REQUIRE(d.call_end_ns);
  CHECK(*d.call_end_ns == 1500 * kMs);  // 0.3 s after it starts, not 0.5 s

  const Event abs = event_after_start("1...1.5 accept(3, ..., ...) = 4");
  const EventDue a = resolve_event_time(abs, previous(false, 0), 700 * kMs);
  CHECK(a.start_ns == 1000 * kMs);
  CHECK(*a.call_end_ns == 1500 * kMs);
}

TEST_CASE("ranges and * resolve to a window") {
  const Event range = event_after_start("+1~+2 > S. 0:0(0) ack 1 <...>");
  const EventDue r = resolve_event_time(range, previous(false, 0), 500 * kMs);
  CHECK(r.start_ns == 1500 * kMs);
  CHECK(r.end_ns == 2500 * kMs);
  const TimeWindow w = accept_window(r, 10 * kMs);
  CHECK(w.earliest == 1490 * kMs);
  CHECK(w.latest == 2510 * kMs);
  CHECK(w.contains(2510 * kMs));
  CHECK_FALSE(w.contains(2511 * kMs));

  const Event any = event_after_start("* > S. 0:0(0) ack 1 <...>");
  const EventDue a = resolve_event_time(any, previous(false, 0), 500 * kMs);
  CHECK(a.any);
  CHECK(accept_window(a, 0).contains(0));
  CHECK(accept_window(a, 0).contains(int64_t{1} << 60));
}

TEST_CASE("tolerance: exact by default, else the larger of fixed and percent of the gap") {
  const Tolerance exact;
  CHECK(exact.for_event(5000 * kMs, 0) == 0);
  CHECK(accept_window(EventDue{false, 7 * kMs, 7 * kMs, {}, 0}, exact.for_event(7 * kMs, 0)).earliest == 7 * kMs);

  const Tolerance t{25 * kMs, 12.5};
  CHECK(t.for_event(100 * kMs, 0) == 25 * kMs);      // 12.5% of 100 ms is less
  CHECK(t.for_event(1100 * kMs, 100 * kMs) == 125 * kMs);  // 12.5% of 1 s
  CHECK(t.for_event(100 * kMs, 500 * kMs) == 25 * kMs);    // a negative gap never raises it
}

}  // namespace
}  // namespace pkt

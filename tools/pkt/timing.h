// When each event of a script is due and how far off it may happen, as
// packetdrill defines it (adjust_relative_event_times() and verify_time() in
// run.c; LANGUAGE.md section 2). Times are nanoseconds since the script's
// first event (script time 0).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

#include "tools/pkt/ast.h"

namespace pkt {

inline constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// The timing tolerance. packetdrill allows max(tolerance_usecs,
// tolerance_percent of the gap since the previous event). SIM: the simulator
// is exact, so unless a script or the command line sets one of them, both
// are 0 and times must match to the nanosecond.
struct Tolerance {
  int64_t fixed_ns = 0;
  double percent = 0;

  // For an event due at `expected_ns` whose predecessor was due at
  // `last_event_ns`.
  int64_t for_event(int64_t expected_ns, int64_t last_event_ns) const;
};

// The previous event, as far as the next one's time depends on it.
struct PreviousEvent {
  bool exists = false;
  bool inbound_packet = false;  // is_event_start_time_anchored()
  int64_t due_ns = 0;           // its (resolved) scripted start time
};

// An event's times after resolving relative times.
struct EventDue {
  bool any = false;   // `*`: never checked
  int64_t start_ns = 0;
  int64_t end_ns = 0;  // ranges: the end; otherwise start_ns
  std::optional<int64_t> call_end_ns;  // blocking system call: when it must return
  int64_t offset_ns = 0;  // what relative times were added to
};

// adjust_relative_event_times(): relative times (+t, +a~+b, *) count from
// `now_ns`, the time at which the previous event finished being handled,
// except that an inbound packet following an inbound packet counts from
// that packet's scripted time, so that bursts do not drift. A blocking
// call's end gets the same offset as its start.
EventDue resolve_event_time(const Event& e, const PreviousEvent& prev, int64_t now_ns);

// The window [earliest, latest] in which an event due as `due` passes
// verify_time() with tolerance `tol_ns` (ranges widen by the tolerance on
// both sides). `*` accepts anything.
struct TimeWindow {
  int64_t earliest = 0;
  int64_t latest = kNoLimit;
  bool contains(int64_t t) const { return t >= earliest && t <= latest; }
};
TimeWindow accept_window(const EventDue& due, int64_t tol_ns);

}  // namespace pkt

#include "tools/pkt/timing.h"

namespace pkt {

int64_t Tolerance::for_event(int64_t expected_ns, int64_t last_event_ns) const {
  // verify_time(): the percentage applies to the scripted gap, whichever
  // way round it is (a negative gap never raises the tolerance).
  const double dynamic = percent / 100.0 * static_cast<double>(expected_ns - last_event_ns);
  const auto dyn_ns = static_cast<int64_t>(dynamic);
  return dyn_ns > fixed_ns ? dyn_ns : fixed_ns;
}

EventDue resolve_event_time(const Event& e, const PreviousEvent& prev, int64_t now_ns) {
  EventDue d;
  d.start_ns = e.time.start_ns;
  d.end_ns = e.time.kind == TimeKind::AbsoluteRange || e.time.kind == TimeKind::RelativeRange ? e.time.end_ns
                                                                                              : e.time.start_ns;
  const Syscall* call = e.syscall();
  if (call && call->end_ns) d.call_end_ns = *call->end_ns;
  d.any = e.time.kind == TimeKind::Any;

  const bool relative = e.time.kind == TimeKind::Relative || e.time.kind == TimeKind::RelativeRange || d.any;
  if (!relative) return d;
  const bool inbound = e.packet() && e.packet()->direction == Direction::Inbound;
  d.offset_ns = prev.exists && prev.inbound_packet && inbound ? prev.due_ns : now_ns;
  d.start_ns += d.offset_ns;
  d.end_ns += d.offset_ns;
  if (d.call_end_ns) *d.call_end_ns += d.offset_ns;
  return d;
}

TimeWindow accept_window(const EventDue& due, int64_t tol_ns) {
  if (due.any) return TimeWindow{std::numeric_limits<int64_t>::min(), kNoLimit};
  return TimeWindow{due.start_ns - tol_ns, due.end_ns + tol_ns};
}

}  // namespace pkt

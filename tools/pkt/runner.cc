#include "tools/pkt/runner.h"

#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "sim/wire/ipv4_addr.h"
#include "sim/wire/tcp.h"
#include "stack/sysctl.h"
#include "tools/pkt/peer.h"
#include "tools/pkt/printer.h"
#include "tools/pkt/segment.h"
#include "tools/pkt/sim_host.h"
#include "tools/pkt/syscalls.h"
#include "tools/pkt/sysctl_line.h"

namespace pkt {

namespace {

// A kernel bug that keeps rescheduling work at one instant would otherwise
// hang the run; no script comes near this many simulator events.
constexpr uint64_t kMaxSimEvents = 100000000;

// How long a `*` packet is waited for at most. packetdrill waits forever;
// a simulation with a periodic timer would never end.
constexpr int64_t kAnyTimeCapNs = 3600LL * 1000000000LL;

std::string secs(int64_t ns) { return format_seconds(ns < 0 ? 0 : ns) + " s"; }

// When an event was due: " at 0.5 s", " at 0.5~1 s", or "" for `*`.
std::string due_text(const EventDue& due) {
  if (due.any) return "";
  if (due.end_ns != due.start_ns) return " at " + format_seconds(due.start_ns) + "~" + secs(due.end_ns);
  return " at " + secs(due.start_ns);
}

// An event without its time: "< S 0:0(0) win 32792", "accept(3, ..., ...) = 4".
std::string action_text(const Event& e) {
  if (const Packet* p = e.packet()) return to_string(*p);
  if (const Syscall* c = e.syscall()) return to_string(*c);
  return "`" + e.command()->command + "`";
}

// An outbound packet the runner has seen and not yet matched.
struct Seen {
  int64_t at_ns = 0;
  WireSegment seg;        // live values
  TrackedSocket* owner = nullptr;
};

// A blocking call (`+t1...t2 call()`) that has not returned yet.
struct PendingCall {
  const Event* event = nullptr;
  std::unique_ptr<CallInFlight> call;
  int64_t due_ns = 0;  // when it must return
  int64_t tol_ns = 0;
};

class ScriptRun {
 public:
  ScriptRun(const Script& script, const ScriptConfig& config, const Tolerance& tol, const RunOptions& opts,
            const HostSetup& setup, const PeerAddresses& addrs)
      : script_(script), config_(config), tol_(tol), opts_(opts), peer_(addrs),
        host_(std::make_unique<SimHost>(setup)) {}

  ScriptOutcome run();

 private:
  // ---- failure ----
  void fail(int line, std::string message) {
    if (!failure_) failure_ = std::make_pair(line, std::move(message));
  }
  bool failed() const { return failure_.has_value(); }

  // Script time (ns since the first event) of a simulated time, and back.
  int64_t script_ns(sim::Time t) const { return (t - host_->epoch).ns(); }
  sim::Time sim_time(int64_t script_ns) const { return host_->epoch + sim::Time::from_ns(script_ns); }
  int64_t now() const { return script_ns(host_->sim.now()); }

  // ---- the simulation ----
  void collect_sent();
  void check_pending(bool past_deadline);
  bool advance(int64_t limit_ns, const std::function<bool()>& stop);
  void wait_for_event_time(const Event& e, int64_t due_ns, int64_t tol_ns);
  void wait_for_pending_call();

  // ---- events ----
  void run_inbound(const Event& e, const Packet& p, const EventDue& due, int64_t tol);
  void run_outbound(const Event& e, const Packet& p, const EventDue& due, int64_t tol);
  void run_syscall(const Event& e, const Syscall& call, const EventDue& due, int64_t tol);
  void run_command(int line, const ShellCommand& cmd);
  void verify_call_return(const Event& e, CallInFlight& c, int64_t due_ns, int64_t tol_ns);

  std::string describe(const Seen& s) const;
  void trace(const std::string& line) const {
    if (opts_.trace) *opts_.trace << format_seconds(now()) << " " << line << "\n";
  }

  const Script& script_;
  const ScriptConfig& config_;
  Tolerance tol_;
  RunOptions opts_;
  Peer peer_;
  std::optional<std::pair<int, std::string>> failure_;
  std::deque<Seen> seen_;
  std::optional<PendingCall> pending_;
  int current_line_ = 0;
  // Declared last, destroyed first: suspended calls die with the host's
  // tasks before the buffers they point into.
  std::unique_ptr<SimHost> host_;
};

void ScriptRun::collect_sent() {
  while (!host_->sent.empty()) {
    SentPacket p = std::move(host_->sent.front());
    host_->sent.pop_front();
    bool is_tcp = false;
    std::string err;
    std::optional<WireSegment> seg = parse_outbound(p.bytes, &is_tcp, &err);
    if (!seg) {
      if (!err.empty()) fail(current_line_, "the host sent a malformed packet at " + secs(script_ns(p.at)) + ": " + err);
      continue;  // not TCP: nothing in the scripts we run is about it
    }
    const LiveTuple t{{seg->saddr, seg->sport},
                      {seg->daddr, seg->dport},
                      (seg->flags & sim::wire::TCPHDR_SYN) != 0,
                      (seg->flags & sim::wire::TCPHDR_ACK) != 0};
    Seen s{script_ns(p.at), std::move(*seg), peer_.socket_for_live_packet(t)};
    trace((s.owner ? "sent " : "sent (not tracked) ") + describe(s));
    if (s.owner) seen_.push_back(std::move(s));
  }
}

std::string ScriptRun::describe(const Seen& s) const {
  WireSegment a = s.seg;
  if (s.owner) {
    const bool syn = a.flags & sim::wire::TCPHDR_SYN;
    a.seq = s.owner->seq.local_to_script(a.seq, syn);
    if (a.flags & sim::wire::TCPHDR_ACK) a.ack = s.owner->seq.remote_to_script(a.ack, syn);
  }
  std::string out = format_segment(a, Direction::Outbound);
  if (!s.owner)
    out += " (" + sim::wire::ipv4_addr_str(s.seg.saddr) + ":" + std::to_string(s.seg.sport) + " > " +
           sim::wire::ipv4_addr_str(s.seg.daddr) + ":" + std::to_string(s.seg.dport) + ")";
  return out;
}

void ScriptRun::verify_call_return(const Event& e, CallInFlight& c, int64_t due_ns, int64_t tol_ns) {
  const int64_t at = script_ns(c.returned);
  if (at < due_ns - tol_ns || at > due_ns + tol_ns) {
    fail(e.loc.line, "expected " + to_string(*e.syscall()) + " to return at " + secs(due_ns) + " got it returning " +
                         format_return(c.ret) + " at " + secs(at) +
                         (tol_ns ? " (tolerance " + secs(tol_ns) + ")" : std::string()));
    return;
  }
  if (auto err = finish_syscall(peer_, c)) fail(e.loc.line, *err);
}

void ScriptRun::check_pending(bool past_deadline) {
  if (!pending_ || failed()) return;
  if (pending_->call->done) {
    PendingCall p = std::move(*pending_);
    pending_.reset();
    trace("returned " + p.event->syscall()->name + "() = " + format_return(p.call->ret));
    verify_call_return(*p.event, *p.call, p.due_ns, p.tol_ns);
    return;
  }
  // Events at the deadline itself may still wake the call, including the
  // script's own events at that instant; only moving past it is too late.
  if (past_deadline) {
    fail(pending_->event->loc.line, "expected " + to_string(*pending_->event->syscall()) + " to return at " +
                                        secs(pending_->due_ns) + " got it still blocked at " + secs(now()));
  }
}

// Runs simulator events up to limit_ns (inclusive), one at a time, and
// stops early when `stop` holds. Returns true if it stopped because of
// `stop`; otherwise the clock is left at limit_ns. A pending blocking call
// is checked throughout: its return, or its deadline passing.
bool ScriptRun::advance(int64_t limit_ns, const std::function<bool()>& stop) {
  sim::Simulator& sim = host_->sim;
  for (;;) {
    collect_sent();
    check_pending(false);
    if (failed()) return false;
    if (stop && stop()) return true;
    int64_t bound = limit_ns;
    if (pending_ && pending_->due_ns + pending_->tol_ns < bound) bound = pending_->due_ns + pending_->tol_ns;
    if (bound < now()) bound = now();
    if (!sim.empty() && script_ns(sim.next_time()) <= bound) {
      if (sim.stats().events_executed >= kMaxSimEvents) {
        fail(current_line_, "the simulation did not settle: " + std::to_string(kMaxSimEvents) +
                                " simulator events by " + secs(now()));
        return false;
      }
      sim.step();
      continue;
    }
    if (bound > now()) sim.run_until(sim_time(bound));
    collect_sent();
    check_pending(bound < limit_ns);
    if (failed()) return false;
    if (stop && stop()) return true;
    if (bound >= limit_ns) return false;
  }
}

// Advances to an event's start time (for everything but outbound packets).
// An outbound packet of the tracked connection that comes so early that no
// later event could still match it is unexpected.
void ScriptRun::wait_for_event_time(const Event& e, int64_t due_ns, int64_t tol_ns) {
  const int64_t earliest_ok = due_ns - tol_ns;
  advance(due_ns, [&] { return !seen_.empty() && seen_.front().at_ns < earliest_ok; });
  if (failed() || seen_.empty() || seen_.front().at_ns >= earliest_ok) return;
  const Seen& s = seen_.front();
  fail(e.loc.line, "expected " + action_text(e) + " at " + secs(due_ns) + " got unexpected packet " + describe(s) +
                       " at " + secs(s.at_ns));
}

// packetdrill's await_idle_thread(): a later call waits for a blocking one.
void ScriptRun::wait_for_pending_call() {
  if (!pending_) return;
  advance(pending_->due_ns + pending_->tol_ns, [&] { return !pending_; });
  check_pending(true);
}

void ScriptRun::run_command(int line, const ShellCommand& cmd) {
  const SysctlCommand sc = parse_sysctl_command(cmd.command);
  if (sc.error) {
    const SourceLoc at = command_offset_loc(cmd, sc.error_offset);
    fail(line, "`" + cmd.command + "` at " + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                   *sc.error);
    return;
  }
  for (const SysctlSetting& s : sc.settings) {
    const std::string err = stack::sysctl_set(host_->kernel->sysctl, s.name, s.value);
    if (!err.empty()) {
      fail(line, "sysctl " + s.name + "=" + s.value + ": " + err);
      return;
    }
    trace("sysctl " + s.name + "=" + s.value);
  }
}

void ScriptRun::run_inbound(const Event& e, const Packet& p, const EventDue& due, int64_t tol) {
  std::string err;
  TrackedSocket* s = peer_.socket_for_script_packet(p, &err);
  if (!s) return fail(e.loc.line, err);
  wait_for_event_time(e, due.start_ns, tol);
  if (failed()) return;
  const TcpSegment& tcp = *p.tcp();
  note_inbound(*s, tcp);
  const InboundPacket in = build_inbound(*s, tcp, config_.tcp_ts_ecr_scaled);
  if (!in.error.empty()) return fail(e.loc.line, in.error);
  if (!host_->inject_at(host_->sim.now(), in.bytes, &err)) return fail(e.loc.line, err);
  trace("inject " + to_string(p));
  advance(now(), nullptr);  // deliver it, and whatever it causes at this instant
}

void ScriptRun::run_outbound(const Event& e, const Packet& p, const EventDue& due, int64_t tol) {
  std::string err;
  TrackedSocket* s = peer_.socket_for_script_packet(p, &err);
  if (!s) return fail(e.loc.line, err);
  const TcpSegment& script = *p.tcp();
  const TimeWindow win = accept_window(due, tol);
  const int64_t limit = due.any ? now() + kAnyTimeCapNs : win.latest;
  const bool got = advance(limit, [&] { return !seen_.empty(); });
  if (failed()) return;
  const std::string want = "expected " + to_string(p) + due_text(due);
  if (!got) return fail(e.loc.line, want + " got no packet by " + secs(now()));

  Seen seen = std::move(seen_.front());
  seen_.pop_front();
  if (seen.owner != s) {
    return fail(e.loc.line, want + " got unexpected packet " + describe(seen) + " at " + secs(seen.at_ns) +
                                " of an earlier connection");
  }
  // The SYN of an active open names the local port and ISN
  // (find_connect_for_live_packet()); a SYN-ACK the ISN of a passive one.
  const bool live_syn = seen.seg.flags & sim::wire::TCPHDR_SYN;
  const bool live_ack = seen.seg.flags & sim::wire::TCPHDR_ACK;
  if (s->state == SocketState::ActiveSynSent && !s->tuple_known() && live_syn && !live_ack)
    learn_active_syn(*s, Endpoint{seen.seg.saddr, seen.seg.sport}, seen.seg.seq);
  note_outbound_synack(*s, script, seen.seg.seq);

  const WireSegment actual = to_script_space(*s, seen.seg, script);
  const std::string got_text = format_segment(actual, Direction::Outbound) + " at " + secs(seen.at_ns);
  TsCheck ts;
  if (config_.tcp_ts_tick_usecs) {
    ts.tick_usecs = config_.tcp_ts_tick_usecs;
    ts.tolerance_usecs = tol_.for_event(due.start_ns, 0) / 1000;
  }
  if (std::optional<std::string> diff = compare_outbound(script, actual, ts)) {
    const bool early = seen.at_ns < win.earliest;
    return fail(e.loc.line, want + " got " + (early ? "unexpected packet " : "") + got_text + " (" + *diff + ")");
  }
  if (!win.contains(seen.at_ns)) {
    return fail(e.loc.line, want + " got it at " + secs(seen.at_ns) +
                                (tol ? " (tolerance " + secs(tol) + ")" : std::string()));
  }
  trace("matched line " + std::to_string(e.loc.line));
}

void ScriptRun::run_syscall(const Event& e, const Syscall& call, const EventDue& due, int64_t tol) {
  wait_for_pending_call();
  if (failed()) return;
  wait_for_event_time(e, due.start_ns, tol);
  if (failed()) return;
  if (now() > due.start_ns + tol) {
    return fail(e.loc.line, "expected " + to_string(call) + " to start at " + secs(due.start_ns) +
                                " but it could only start at " + secs(now()) +
                                ", when the blocking call before it returned");
  }
  std::string err;
  std::unique_ptr<CallInFlight> c = start_syscall(*host_, peer_, call, &err);
  if (!c) return fail(e.loc.line, err);
  trace("call " + to_string(call));
  CallInFlight* cp = c.get();
  advance(now(), [cp] { return cp->done; });  // let it run as far as it can at this instant
  if (failed()) return;

  if (call.blocking()) {
    const int64_t end = *due.call_end_ns;
    const int64_t end_tol = tol_.for_event(end, due.start_ns);
    if (c->done) {
      trace("returned " + call.name + "() = " + format_return(c->ret));
      return verify_call_return(e, *c, end, end_tol);
    }
    pending_ = PendingCall{&e, std::move(c), end, end_tol};
    return;
  }
  if (!c->done) {
    return fail(e.loc.line, "expected " + to_string(call) + " got it blocking; the script expects it to return "
                                "at once (write `+t...t2 " + call.name + "(...)` for a call that blocks)");
  }
  trace("returned " + call.name + "() = " + format_return(c->ret));
  if (auto diff = finish_syscall(peer_, *c)) fail(e.loc.line, *diff);
}

ScriptOutcome ScriptRun::run() {
  // Calls the runner cannot make fail before anything runs, naming the call.
  for (const Event& e : script_.events) {
    if (const Syscall* call = e.syscall(); call && !is_supported_syscall(call->name)) {
      fail(e.loc.line, "unsupported system call '" + call->name + "'");
      break;
    }
  }
  if (script_.init_command && !failed()) {
    current_line_ = script_.init_command->loc.line;
    run_command(current_line_, *script_.init_command);
  }
  PreviousEvent prev;
  for (const Event& e : script_.events) {
    if (failed()) break;
    current_line_ = e.loc.line;
    const EventDue due = resolve_event_time(e, prev, now());
    const int64_t tol = tol_.for_event(due.start_ns, prev.due_ns);
    if (const Packet* p = e.packet()) {
      if (p->direction == Direction::Inbound) {
        run_inbound(e, *p, due, tol);
      } else {
        run_outbound(e, *p, due, tol);
      }
    } else if (const Syscall* call = e.syscall()) {
      run_syscall(e, *call, due, tol);
    } else {
      wait_for_event_time(e, due.start_ns, tol);
      if (!failed()) run_command(e.loc.line, *e.command());
    }
    prev.exists = true;
    prev.inbound_packet = e.packet() && e.packet()->direction == Direction::Inbound;
    prev.due_ns = due.start_ns;
  }
  if (!failed()) {
    // syscalls_free(): a blocking call must have returned by the end.
    wait_for_pending_call();
    collect_sent();
  }
  if (!failed() && !seen_.empty()) {
    const Seen& s = seen_.front();
    const int line = script_.events.empty() ? 0 : script_.events.back().loc.line;
    fail(line, "expected nothing more after the last event got unexpected packet " + describe(s) + " at " +
                   secs(s.at_ns));
  }
  if (!failed() && script_.cleanup_command) run_command(script_.cleanup_command->loc.line, *script_.cleanup_command);

  ScriptOutcome out;
  out.passed = !failed();
  if (failure_) {
    out.line = failure_->first;
    out.message = failure_->second;
  }
  out.sim_ns = now();
  out.sim_events = host_->sim.stats().events_executed;
  return out;
}

bool option_given(const Script& script, const std::vector<Option>& command_line, const char* name) {
  for (const Option& o : script.options)
    if (o.name == name) return true;
  for (const Option& o : command_line)
    if (o.name == name) return true;
  return false;
}

}  // namespace

Tolerance resolve_tolerance(const Script& script, const std::vector<Option>& command_line,
                            const ScriptConfig& config) {
  Tolerance t;
  if (option_given(script, command_line, "tolerance_usecs")) t.fixed_ns = config.tolerance_usecs * 1000;
  if (option_given(script, command_line, "tolerance_percent")) t.percent = config.tolerance_percent;
  return t;
}

ScriptOutcome run_script(const Script& script, const ScriptConfig& config, const Tolerance& tolerance,
                         const RunOptions& options) {
  ScriptOutcome bad;
  auto addr = [&](const std::string& text, const char* what) -> std::optional<uint32_t> {
    const std::optional<uint32_t> a = sim::wire::parse_ipv4_addr(text);
    if (!a) bad.message = std::string("bad ") + what + " '" + text + "'";
    return a;
  };
  const std::optional<uint32_t> local = addr(config.local_ip.empty() ? kDefaultLocalIp : config.local_ip, "local_ip");
  const std::optional<uint32_t> remote = addr(config.remote_ip, "remote_ip");
  const std::optional<uint32_t> gateway = addr(config.gateway_ip, "gateway_ip");
  const std::optional<uint32_t> netmask = addr(config.netmask_ip, "netmask_ip");
  if (!local || !remote || !gateway || !netmask) return bad;

  HostSetup setup;
  setup.local_ip = *local;
  setup.netmask = *netmask;
  setup.gateway_ip = *gateway;
  setup.mtu = static_cast<uint32_t>(config.mtu);
  setup.seed = options.seed;
  PeerAddresses addrs;
  addrs.local_ip = *local;
  addrs.remote_ip = *remote;
  addrs.bind_port = config.bind_port;
  addrs.connect_port = config.connect_port;

  ScriptRun run(script, config, tolerance, options, setup, addrs);
  return run.run();
}

}  // namespace pkt

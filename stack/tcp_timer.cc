// mirrors net/ipv4/tcp_timer.c (tag: docs/kernel-version.md): the
// retransmission timer and the events it multiplexes (RTO, tail loss probe,
// RACK reordering timeout, zero-window probe), the give-up rules
// (tcp_syn_retries, tcp_retries2, tcp_orphan_retries, TCP_USER_TIMEOUT), the
// delayed-ACK timer, the keepalive timer (which also ends orphans in
// FIN_WAIT2), SACK compression, and the request timer's counter.
//
// A pending timer holds a reference on its sock (sk_reset_timer()).
// SIM: deadlines are exact sim::Time values; Linux's timer wheel fires at
// jiffy (4 ms) granularity and up to 1/8 of the delay late.
#include <algorithm>
#include <cerrno>

#include "stack/inet_connection_sock.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

void sk_reset_timer(sock* sk, sim::Timer& t, sim::Time expires) {
  if (!sk->skc_net->sim.mod_timer(t, expires)) sock_hold(sk);
}

void sk_stop_timer(sock* sk, sim::Timer& t) {
  if (sk->skc_net->sim.del_timer(t)) sock_put(sk);
}

namespace {

sim::Time rto_max(const net* n) { return sim::milliseconds(n->sysctl.tcp_rto_max_ms); }

// mirrors tcp_model_timeout(): how long `boundary` retransmissions take
// with exponential backoff from rto_base, capped at rto_max per interval.
sim::Time tcp_model_timeout(int boundary, sim::Time rto_base, sim::Time rto_max) {
  int linear_backoff_thresh = 0;
  while ((rto_base << (linear_backoff_thresh + 1)) <= rto_max) ++linear_backoff_thresh;  // ilog2(max/base)
  if (boundary <= linear_backoff_thresh) return rto_base * ((2ll << boundary) - 1);
  return rto_base * ((2ll << linear_backoff_thresh) - 1) + rto_max * (boundary - linear_backoff_thresh);
}

// mirrors retransmits_timed_out(): has the first retransmission of this
// episode been going on for longer than `boundary` backed-off RTOs (or
// `timeout` when given)?
bool retransmits_timed_out(sock* sk, int boundary, sim::Time timeout) {
  inet_connection_sock* icsk = inet_csk(sk);
  const tcp_sock* tp = tcp_sk(sk);
  const net* n = sk->skc_net;
  if (!icsk->icsk_retransmits || !tp->retrans_stamp_set) return false;
  if (timeout == sim::Time()) {
    sim::Time rto_base = TCP_RTO_MIN;
    if (sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV) rto_base = TCP_TIMEOUT_INIT;
    timeout = tcp_model_timeout(boundary, rto_base, rto_max(n));
  }
  // Linux compares in timestamp-clock milliseconds.
  return (n->now() - tp->retrans_stamp).ms() >= timeout.ms();
}

// mirrors tcp_write_err(): give up with ETIMEDOUT (or the soft error).
void tcp_write_err(sock* sk) {
  net* n = sk->skc_net;
  sk->sk_err = sk->sk_err_soft ? sk->sk_err_soft : ETIMEDOUT;
  tcp_write_queue_purge(sk);
  n->trace("tcp_write_timeout", "abort", "retransmissions exhausted", inet_sk(sk)->inet_saddr, sk->skc_daddr,
           sk->skc_num, sk->skc_dport);
  tcp_done(sk);
  n->mib_inc(LINUX_MIB_TCPABORTONTIMEOUT);
}

// mirrors tcp_orphan_retries(): an orphan that still sends gets 8 tries
// (about 100 s at RTO_MIN) when the sysctl says 0.
int tcp_orphan_retries(const sock* sk, bool alive) {
  int retries = sk->skc_net->sysctl.tcp_orphan_retries;
  if (sk->sk_err_soft && !alive) retries = 0;
  if (retries == 0 && alive) retries = 8;
  return retries;
}

// mirrors tcp_write_timeout(): returns true when the connection was killed.
// SIM: no orphan-count or memory-pressure kills (tcp_out_of_resources).
bool tcp_write_timeout(sock* sk) {
  net* n = sk->skc_net;
  inet_connection_sock* icsk = inet_csk(sk);
  const tcp_sock* tp = tcp_sk(sk);
  int retry_until;
  bool expired = false;
  if (sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV) {
    retry_until = icsk->icsk_syn_retries ? icsk->icsk_syn_retries : n->sysctl.tcp_syn_retries;
    int max_retransmits = retry_until;
    if (sk->skc_state == TCP_SYN_SENT) max_retransmits += n->sysctl.tcp_syn_linear_timeouts;
    expired = icsk->icsk_retransmits >= max_retransmits;
  } else {
    retry_until = n->sysctl.tcp_retries2;
    if (sk->flag(SOCK_DEAD)) {
      const bool alive = icsk->icsk_rto < TCP_RTO_MAX;
      retry_until = tcp_orphan_retries(sk, alive);
    }
  }
  if (!expired) expired = retransmits_timed_out(sk, retry_until, sim::milliseconds(tp->icsk_user_timeout));
  if (expired) {
    tcp_write_err(sk);
    return true;
  }
  return false;
}

// mirrors tcp_clamp_rto_to_user_timeout()
sim::Time tcp_clamp_rto_to_user_timeout(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  const sim::Time rto = inet_csk(sk)->icsk_rto;
  if (!tp->icsk_user_timeout || !tp->retrans_stamp_set) return rto;
  const sim::Time elapsed = sk->skc_net->now() - tp->retrans_stamp;
  const sim::Time remaining = sim::milliseconds(tp->icsk_user_timeout) - elapsed;
  if (remaining <= sim::Time()) return TCP_JIFFY;  // fire as soon as possible
  return std::min(rto, remaining);
}

// mirrors tcp_rtx_probe0_timed_out(): a zero window held for over twice
// TCP_RTO_MAX without any ACK from the peer.
bool tcp_rtx_probe0_timed_out(const sock* sk, sim::Time rtx_delta) {
  const tcp_sock* tp = tcp_sk(sk);
  sim::Time timeout = TCP_RTO_MAX * 2;
  if (tp->icsk_user_timeout) {
    const sim::Time user = sim::milliseconds(tp->icsk_user_timeout);
    if (rtx_delta > user) return true;
    timeout = std::min(timeout, user);
  }
  const sim::Time rcv_delta = inet_csk(sk)->icsk_timeout - tp->rcv_tstamp;
  if (rcv_delta <= timeout) return false;
  return rtx_delta > timeout;
}

// mirrors tcp_retransmit_timer(): the RTO fired. Enter loss, resend the
// head, back off (linearly for the first SYNs, tcp_syn_linear_timeouts).
void tcp_retransmit_timer(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (!tp->packets_out) return;
  sim::SkBuff* skb = tp->tcp_rtx_queue.head;
  if (!skb) return;
  const int st = sk->skc_state;
  if (!tp->snd_wnd && !sk->flag(SOCK_DEAD) && st != TCP_SYN_SENT && st != TCP_SYN_RECV) {
    // The receiver shrank its window to zero: our retransmissions become
    // window probes and must not time the connection out. An orphan may.
    const sim::Time rtx_delta = n->now() - (tp->retrans_stamp_set ? tp->retrans_stamp : TCP_SKB_CB(skb)->when);
    if (tcp_rtx_probe0_timed_out(sk, rtx_delta)) {
      tcp_write_err(sk);
      return;
    }
    tcp_enter_loss(sk);
    tcp_retransmit_skb(sk, skb);
  } else {
    n->mib_inc(LINUX_MIB_TCPTIMEOUTS);
    if (tcp_write_timeout(sk)) return;
    if (icsk->icsk_retransmits == 0) {
      Mib mib = MIB_MAX;
      if (tp->icsk_ca_state == TCP_CA_Recovery)
        mib = tcp_is_sack(tp) ? LINUX_MIB_TCPSACKRECOVERYFAIL : LINUX_MIB_TCPRENORECOVERYFAIL;
      else if (tp->icsk_ca_state == TCP_CA_Loss)
        mib = LINUX_MIB_TCPLOSSFAILURES;
      else if (tp->icsk_ca_state == TCP_CA_Disorder || tp->sacked_out)
        mib = tcp_is_sack(tp) ? LINUX_MIB_TCPSACKFAILURES : LINUX_MIB_TCPRENOFAILURES;
      if (mib != MIB_MAX) n->mib_inc(mib);
    }
    tcp_enter_loss(sk);
    // tcp_update_rto_stats()
    icsk->icsk_retransmits++;
    tp->total_rto++;
    tcp_retransmit_skb(sk, tp->tcp_rtx_queue.head);
  }
  // Back off; the first tcp_syn_linear_timeouts SYN timeouts are linear.
  if (sk->skc_state != TCP_SYN_SENT || tp->total_rto > static_cast<uint32_t>(n->sysctl.tcp_syn_linear_timeouts)) {
    icsk->icsk_backoff++;
    icsk->icsk_rto = std::min(icsk->icsk_rto << 1, rto_max(n));
  }
  inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, tcp_clamp_rto_to_user_timeout(sk), TCP_RTO_MAX);
}

// mirrors tcp_probe_timer(): the zero-window probe timer fired.
void tcp_probe_timer(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const net* n = sk->skc_net;
  if (tp->packets_out || sk->sk_write_queue.empty()) {
    tp->icsk_probes_out = 0;
    tp->icsk_probes_tstamp = sim::Time();
    return;
  }
  // RFC 1122 4.2.2.17: probe for as long as the receiver answers, unless
  // orphaned or bounded by TCP_USER_TIMEOUT.
  if (tp->icsk_probes_tstamp == sim::Time()) {
    tp->icsk_probes_tstamp = n->now();
  } else if (tp->icsk_user_timeout &&
             n->now() - tp->icsk_probes_tstamp >= sim::milliseconds(tp->icsk_user_timeout)) {
    tcp_write_err(sk);
    return;
  }
  int max_probes = n->sysctl.tcp_retries2;
  if (sk->flag(SOCK_DEAD)) {
    const sim::Time backed_off = std::min(icsk->icsk_rto << std::min<unsigned>(icsk->icsk_backoff, 30), TCP_RTO_MAX);
    const bool alive = backed_off < TCP_RTO_MAX;
    max_probes = tcp_orphan_retries(sk, alive);
    if (!alive && icsk->icsk_backoff >= max_probes) {
      tcp_write_err(sk);
      return;
    }
  }
  if (tp->icsk_probes_out >= max_probes)
    tcp_write_err(sk);
  else
    tcp_send_probe0(sk);
}

// mirrors tcp_write_timer() + tcp_write_timer_handler(): one timer, the
// event in icsk_pending.
void tcp_write_timer(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  inet_connection_sock* icsk = inet_csk(sk);
  const uint8_t event = icsk->icsk_pending;
  if (sk->skc_state != TCP_CLOSE && sk->skc_state != TCP_LISTEN && event) {
    switch (event) {
      case ICSK_TIME_REO_TIMEOUT:
        tcp_rack_reo_timeout(sk);
        break;
      case ICSK_TIME_LOSS_PROBE:
        tcp_send_loss_probe(sk);
        break;
      case ICSK_TIME_RETRANS:
        icsk->icsk_pending = 0;
        tcp_retransmit_timer(sk);
        break;
      case ICSK_TIME_PROBE0:
        icsk->icsk_pending = 0;
        tcp_probe_timer(sk);
        break;
      default:
        break;
    }
  }
  sock_put(sk);  // the timer's reference
}

// mirrors tcp_delack_timer_handler(): a missed delayed ACK doubles ato
// (or ends interactive mode) and sends the ACK.
void tcp_delack_timer(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  net* n = sk->skc_net;
  inet_connection_sock* icsk = inet_csk(sk);
  if (sk->skc_state != TCP_CLOSE && sk->skc_state != TCP_LISTEN && (icsk->icsk_ack.pending & ICSK_ACK_TIMER)) {
    icsk->icsk_ack.pending &= static_cast<uint8_t>(~ICSK_ACK_TIMER);
    if (inet_csk_ack_scheduled(sk)) {
      if (!inet_csk_in_pingpong_mode(sk)) {
        icsk->icsk_ack.ato = std::min({icsk->icsk_ack.ato * 2, icsk->icsk_rto, TCP_DELACK_MAX});
      } else {
        inet_csk_exit_pingpong_mode(sk);
        icsk->icsk_ack.ato = sim::milliseconds(n->sysctl.tcp_delack_min_ms);
      }
      tcp_send_ack(sk);
      n->mib_inc(LINUX_MIB_DELAYEDACKS);
    }
  }
  sock_put(sk);
}

// mirrors tcp_compressed_ack_kick(): the compressed SACKs go out as one ACK.
void tcp_compressed_ack_kick(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  tcp_sock* tp = tcp_sk(sk);
  if (sk->skc_state != TCP_CLOSE && tp->compressed_ack) {
    tp->compressed_ack--;  // the ACK sent now is one of them
    tcp_send_ack(sk);
  }
  sock_put(sk);
}

sim::Time keepalive_intvl_when(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  return sim::seconds(tp->keepalive_intvl ? tp->keepalive_intvl : sk->skc_net->sysctl.tcp_keepalive_intvl);
}

int keepalive_probes(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  return tp->keepalive_probes ? tp->keepalive_probes : sk->skc_net->sysctl.tcp_keepalive_probes;
}

// mirrors keepalive_time_elapsed(): since we last heard from the peer.
sim::Time keepalive_time_elapsed(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = sk->skc_net->now();
  return std::min(now - inet_csk(sk)->icsk_ack.lrcvtime, now - tp->rcv_tstamp);
}

// Enters the FIN_WAIT2 substate of TIME_WAIT for `tmo` (at least 3.5 RTO).
// SIM: tcp_time_wait() (tcp_minisocks.cc) stretches a FIN_WAIT2 timeout
// shorter than TCP_TIMEWAIT_LEN to 60 s; Linux keeps the timeout, so the
// expiry is set again here.
void tcp_fin_wait2_timewait(sock* sk, sim::Time tmo) {
  const sim::Time rto = inet_csk(sk)->icsk_rto;
  const sim::Time timeo = std::max(tmo, rto * 4 - rto / 2);
  tcp_time_wait(sk, TCP_FIN_WAIT2, timeo);
  if (sk->skc_state == TCP_FIN_WAIT2 && sim::timer_pending(sk->sk_timer))
    sk_reset_timer(sk, sk->sk_timer, sk->skc_net->now() + timeo);
}

// mirrors tcp_keepalive_timer(): ends an orphan's FIN_WAIT2, or probes an
// idle connection with SO_KEEPALIVE.
void tcp_keepalive_timer(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (sk->skc_state == TCP_FIN_WAIT2 && sk->flag(SOCK_DEAD)) {
    if (tp->linger2 >= 0) {
      const sim::Time tmo = tcp_fin_time(sk) - TCP_TIMEWAIT_LEN;
      if (tmo > sim::Time()) {
        tcp_fin_wait2_timewait(sk, tmo);
        sock_put(sk);
        return;
      }
    }
    tcp_send_active_reset(sk);
    tcp_done(sk);
    sock_put(sk);
    return;
  }
  if (!sk->flag(SOCK_KEEPOPEN) || sk->skc_state == TCP_CLOSE || sk->skc_state == TCP_SYN_SENT ||
      sk->skc_state == TCP_LISTEN || sk->skc_state == TCP_TIME_WAIT) {
    sock_put(sk);
    return;
  }
  sim::Time elapsed = keepalive_time_when(sk);
  if (!tp->packets_out && sk->sk_write_queue.empty()) {  // else: it is alive without keepalive
    elapsed = keepalive_time_elapsed(sk);
    if (elapsed >= keepalive_time_when(sk)) {
      const sim::Time user = sim::milliseconds(tp->icsk_user_timeout);
      if ((tp->icsk_user_timeout && elapsed >= user && tp->icsk_probes_out > 0) ||
          (!tp->icsk_user_timeout && tp->icsk_probes_out >= keepalive_probes(sk))) {
        tcp_send_active_reset(sk);
        tcp_write_err(sk);
        sock_put(sk);
        return;
      }
      if (tcp_write_wakeup(sk, LINUX_MIB_TCPKEEPALIVE) <= 0) {
        tp->icsk_probes_out++;
        elapsed = keepalive_intvl_when(sk);
      } else {
        elapsed = TCP_RESOURCE_PROBE_INTERVAL;  // lost to local congestion: try harder
      }
    } else {
      elapsed = keepalive_time_when(sk) - elapsed;
    }
  }
  inet_csk_reset_keepalive_timer(sk, elapsed);
  (void)n;
  sock_put(sk);
}

}  // namespace

sim::Time keepalive_time_when(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  return sim::seconds(tp->keepalive_time ? tp->keepalive_time : sk->skc_net->sysctl.tcp_keepalive_time);
}

// mirrors tcp_fin_time(): TCP_LINGER2 or tcp_fin_timeout, at least 3.5 RTO.
sim::Time tcp_fin_time(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  sim::Time fin_timeout = sim::seconds(tp->linger2 ? tp->linger2 : sk->skc_net->sysctl.tcp_fin_timeout);
  const sim::Time rto = inet_csk(sk)->icsk_rto;
  if (fin_timeout < rto * 4 - rto / 2) fin_timeout = rto * 4 - rto / 2;
  return fin_timeout;
}

// The FIN_WAIT2 rule of tcp_close() and of tcp_rcv_state_process(): an
// orphan waits tcp_fin_time(); beyond TCP_TIMEWAIT_LEN the keepalive timer
// covers the excess first. With a FIN in the segment the keepalive timer
// runs the whole timeout (the FIN is processed next).
bool tcp_orphan_fin_wait2(sock* sk, bool fin_in_segment) {
  const sim::Time tmo = tcp_fin_time(sk);
  if (tmo > TCP_TIMEWAIT_LEN) {
    inet_csk_reset_keepalive_timer(sk, tmo - TCP_TIMEWAIT_LEN);
    return false;
  }
  if (fin_in_segment) {
    inet_csk_reset_keepalive_timer(sk, tmo);
    return false;
  }
  tcp_fin_wait2_timewait(sk, tmo);
  return true;
}

void tcp_init_xmit_timers(sock* sk) {
  inet_connection_sock* icsk = inet_csk(sk);
  sim::timer_setup(icsk->icsk_retransmit_timer, tcp_write_timer, sk);
  sim::timer_setup(icsk->icsk_delack_timer, tcp_delack_timer, sk);
  sim::timer_setup(tcp_sk(sk)->compressed_ack_timer, tcp_compressed_ack_kick, sk);
}

// mirrors inet_csk_clear_xmit_timers() (the keepalive timer included).
void tcp_clear_xmit_timers(sock* sk) {
  inet_connection_sock* icsk = inet_csk(sk);
  icsk->icsk_pending = 0;
  icsk->icsk_ack.pending = 0;
  sk_stop_timer(sk, icsk->icsk_retransmit_timer);
  sk_stop_timer(sk, icsk->icsk_delack_timer);
  sk_stop_timer(sk, tcp_sk(sk)->compressed_ack_timer);
  sk_stop_timer(sk, sk->sk_timer);
}

void inet_csk_reset_xmit_timer(sock* sk, uint8_t what, sim::Time when, sim::Time max_when) {
  inet_connection_sock* icsk = inet_csk(sk);
  net* n = sk->skc_net;
  if (when > max_when) when = max_when;
  if (what == ICSK_TIME_DACK) {
    icsk->icsk_ack.pending |= ICSK_ACK_TIMER;
    icsk->icsk_ack.timeout = n->now() + when;
    sk_reset_timer(sk, icsk->icsk_delack_timer, icsk->icsk_ack.timeout);
    return;
  }
  icsk->icsk_pending = what;
  icsk->icsk_timeout = n->now() + when;
  sk_reset_timer(sk, icsk->icsk_retransmit_timer, icsk->icsk_timeout);
}

void tcp_reset_xmit_timer(sock* sk, uint8_t what, sim::Time when) {
  inet_csk_reset_xmit_timer(sk, what, when, TCP_RTO_MAX);
}

// mirrors inet_csk_clear_xmit_timer(). SIM: Linux leaves the timer to fire
// idle (INET_CSK_CLEAR_TIMERS is off); stopping it is equivalent.
void inet_csk_clear_xmit_timer(sock* sk, uint8_t what) {
  inet_connection_sock* icsk = inet_csk(sk);
  if (what == ICSK_TIME_RETRANS || what == ICSK_TIME_PROBE0) {
    icsk->icsk_pending = 0;
    sk_stop_timer(sk, icsk->icsk_retransmit_timer);
  } else if (what == ICSK_TIME_DACK) {
    icsk->icsk_ack.pending = 0;
    sk_stop_timer(sk, icsk->icsk_delack_timer);
  }
}

void tcp_compressed_ack_timer_start(sock* sk, sim::Time delay) {
  sk_reset_timer(sk, tcp_sk(sk)->compressed_ack_timer, sk->skc_net->now() + delay);
}

// mirrors inet_csk_reset_keepalive_timer(): sk_timer is the keepalive
// timer while the sock is not in TIME_WAIT.
void inet_csk_reset_keepalive_timer(sock* sk, sim::Time len) {
  sim::timer_setup(sk->sk_timer, tcp_keepalive_timer, sk);
  sk_reset_timer(sk, sk->sk_timer, sk->skc_net->now() + len);
}

void inet_csk_delete_keepalive_timer(sock* sk) { sk_stop_timer(sk, sk->sk_timer); }

// mirrors tcp_syn_ack_timeout(): every request-timer expiry counts.
void tcp_syn_ack_timeout(const request_sock* req) { req->skc_net->mib_inc(LINUX_MIB_TCPTIMEOUTS); }

// mirrors tcp_set_keepalive(): SO_KEEPALIVE arms or stops the timer.
void tcp_set_keepalive(sock* sk, int val) {
  if (sk->skc_state == TCP_CLOSE || sk->skc_state == TCP_LISTEN) return;
  if (val && !sk->flag(SOCK_KEEPOPEN))
    inet_csk_reset_keepalive_timer(sk, keepalive_time_when(sk));
  else if (!val)
    inet_csk_delete_keepalive_timer(sk);
}

}  // namespace stack

// mirrors net/ipv4/tcp_timer.c (tag: docs/kernel-version.md): the
// retransmission timer (SYN and data), give-up rules, the delayed-ACK timer
// and the request timer's counter.
//
// SIM: no keepalive or zero-window probe timers yet (TODO(netsim): issue 7).
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

// mirrors tcp_model_timeout(): how long `boundary` retransmissions take
// with exponential backoff from rto_base, capped at rto_max per interval.
sim::Time tcp_model_timeout(int boundary, sim::Time rto_base, sim::Time rto_max) {
  int linear_backoff_thresh = 0;
  while ((rto_base << (linear_backoff_thresh + 1)) <= rto_max) ++linear_backoff_thresh;  // ilog2(max/base)
  if (boundary <= linear_backoff_thresh) return rto_base * ((2ll << boundary) - 1);
  return rto_base * ((2ll << linear_backoff_thresh) - 1) + rto_max * (boundary - linear_backoff_thresh);
}

// mirrors retransmits_timed_out()
bool retransmits_timed_out(sock* sk, int boundary) {
  inet_connection_sock* icsk = inet_csk(sk);
  if (!icsk->icsk_retransmits) return false;
  const tcp_sock* tp = tcp_sk(sk);
  const net* n = sk->skc_net;
  sim::Time rto_base = TCP_RTO_MIN;
  if (sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV) rto_base = TCP_TIMEOUT_INIT;
  const sim::Time timeout = tcp_model_timeout(boundary, rto_base, sim::milliseconds(n->sysctl.tcp_rto_max_ms));
  // Linux compares in timestamp-clock milliseconds.
  return (n->now() - tp->retrans_stamp).ms() >= timeout.ms();
}

// mirrors tcp_write_err(): give up with ETIMEDOUT (or the soft error).
void tcp_write_err(sock* sk) {
  net* n = sk->skc_net;
  sk->sk_err = sk->sk_err_soft ? sk->sk_err_soft : ETIMEDOUT;
  tcp_sock* tp = tcp_sk(sk);
  tp->tcp_rtx_queue.purge();
  sk->sk_write_queue.purge();
  tp->packets_out = 0;
  n->trace("tcp_write_timeout", "abort", "retransmissions exhausted", inet_sk(sk)->inet_saddr, sk->skc_daddr,
           sk->skc_num, sk->skc_dport);
  tcp_done(sk);
  n->mib_inc(LINUX_MIB_TCPABORTONTIMEOUT);
}

// mirrors tcp_write_timeout(): returns true when the connection was killed.
bool tcp_write_timeout(sock* sk) {
  net* n = sk->skc_net;
  inet_connection_sock* icsk = inet_csk(sk);
  int retry_until;
  bool expired = false;
  if (sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_SYN_RECV) {
    retry_until = icsk->icsk_syn_retries ? icsk->icsk_syn_retries : n->sysctl.tcp_syn_retries;
    int max_retransmits = retry_until;
    if (sk->skc_state == TCP_SYN_SENT) max_retransmits += n->sysctl.tcp_syn_linear_timeouts;
    expired = icsk->icsk_retransmits >= max_retransmits;
  } else {
    retry_until = n->sysctl.tcp_retries2;
    if (sk->flag(SOCK_DEAD)) retry_until = n->sysctl.tcp_orphan_retries ? n->sysctl.tcp_orphan_retries : 8;
  }
  if (!expired) expired = retransmits_timed_out(sk, retry_until);
  if (expired) {
    tcp_write_err(sk);
    return true;
  }
  return false;
}

// mirrors tcp_retransmit_timer()
void tcp_retransmit_timer(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (!tp->packets_out || !tp->tcp_rtx_queue.head) return;
  n->mib_inc(LINUX_MIB_TCPTIMEOUTS);
  if (tcp_write_timeout(sk)) return;
  tp->total_rto++;
  if (sk->skc_state != TCP_SYN_SENT) {
    // Loss: back to slow start (tcp_enter_loss).
    tp->snd_ssthresh = std::max<uint32_t>(tp->packets_out / 2, 2);
    tp->snd_cwnd = 1;
    tp->snd_cwnd_cnt = 0;
    tp->in_recovery = false;
    tp->dupacks = 0;
  }
  tcp_retransmit_skb(sk, tp->tcp_rtx_queue.head);
  icsk->icsk_retransmits++;
  // Linear SYN backoff for the first tcp_syn_linear_timeouts expiries
  // (6.5+), exponential otherwise.
  const sim::Time rto_max = sim::milliseconds(n->sysctl.tcp_rto_max_ms);
  if (sk->skc_state != TCP_SYN_SENT || tp->total_rto > static_cast<uint32_t>(n->sysctl.tcp_syn_linear_timeouts)) {
    icsk->icsk_backoff++;
    icsk->icsk_rto = std::min(icsk->icsk_rto << 1, rto_max);
  }
  tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk->icsk_rto);
}

void tcp_write_timer(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  inet_connection_sock* icsk = inet_csk(sk);
  const uint8_t event = icsk->icsk_pending;
  icsk->icsk_pending = 0;
  if (sk->skc_state != TCP_CLOSE && sk->skc_state != TCP_LISTEN && event == ICSK_TIME_RETRANS)
    tcp_retransmit_timer(sk);
  sock_put(sk);  // the timer's reference
}

// mirrors tcp_delack_timer_handler()
void tcp_delack_timer(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  inet_connection_sock* icsk = inet_csk(sk);
  if (sk->skc_state != TCP_CLOSE && (icsk->icsk_ack.pending & ICSK_ACK_TIMER)) {
    icsk->icsk_ack.pending &= static_cast<uint8_t>(~ICSK_ACK_TIMER);
    sk->skc_net->mib_inc(LINUX_MIB_DELAYEDACKS);
    tcp_send_ack(sk);
  }
  sock_put(sk);
}

}  // namespace

void tcp_init_xmit_timers(sock* sk) {
  inet_connection_sock* icsk = inet_csk(sk);
  sim::timer_setup(icsk->icsk_retransmit_timer, tcp_write_timer, sk);
  sim::timer_setup(icsk->icsk_delack_timer, tcp_delack_timer, sk);
}

void tcp_clear_xmit_timers(sock* sk) {
  inet_connection_sock* icsk = inet_csk(sk);
  icsk->icsk_pending = 0;
  icsk->icsk_ack.pending = 0;
  sk_stop_timer(sk, icsk->icsk_retransmit_timer);
  sk_stop_timer(sk, icsk->icsk_delack_timer);
}

// mirrors inet_csk_reset_xmit_timer(): `when` is relative to now.
void tcp_reset_xmit_timer(sock* sk, uint8_t what, sim::Time when) {
  inet_connection_sock* icsk = inet_csk(sk);
  net* n = sk->skc_net;
  if (when > TCP_RTO_MAX) when = TCP_RTO_MAX;
  icsk->icsk_pending = what;
  icsk->icsk_timeout = n->now() + when;
  sk_reset_timer(sk, icsk->icsk_retransmit_timer, icsk->icsk_timeout);
}

// mirrors tcp_syn_ack_timeout(): every request-timer expiry counts.
void tcp_syn_ack_timeout(const request_sock* req) { req->skc_net->mib_inc(LINUX_MIB_TCPTIMEOUTS); }

void tcp_set_keepalive(sock* sk, int val) {
  if (val)
    sk->set_flag(SOCK_KEEPOPEN);
  else
    sk->clear_flag(SOCK_KEEPOPEN);
}

}  // namespace stack

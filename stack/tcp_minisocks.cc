// mirrors net/ipv4/tcp_minisocks.c (tag: docs/kernel-version.md): segments
// that reach a pending request (tcp_check_req), making the child socket, and
// the TIME_WAIT / FIN_WAIT2 timeout states.
#include <algorithm>
#include <cerrno>

#include "stack/inet_connection_sock.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

// mirrors tcp_in_window()
bool tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win) {
  if (seq == s_win) return true;
  if (after(end_seq, s_win) && before(seq, e_win)) return true;
  return seq == e_win && seq == end_seq;
}

// mirrors tcp_oow_rate_limited(): at most one reply per
// tcp_invalid_ratelimit ms to out-of-window segments (ACK-loop guard).
bool tcp_oow_rate_limited(net* n, const tcp_segment& seg, Mib mib, sim::Time* last, bool* valid) {
  // Data without SYN is not part of an ACK loop.
  if (seg.end_seq != seg.seq && !(seg.flags & TCPHDR_SYN)) return false;
  const sim::Time now = n->now();
  if (*valid) {
    const sim::Time elapsed = now - *last;
    if (elapsed >= sim::Time() && elapsed < sim::milliseconds(n->sysctl.tcp_invalid_ratelimit)) {
      n->mib_inc(mib);
      return true;
    }
  }
  *last = now;
  *valid = true;
  return false;
}

void tcp_tw_timer(void* ctx, uint64_t);

}  // namespace

// mirrors tcp_openreq_init_rwin(): the initial window and our window scale
// for a request, from the listener's receive buffer and the route MSS.
void tcp_openreq_init_rwin(request_sock* req, const sock* sk_listener) {
  net* n = sk_listener->skc_net;
  inet_request_sock* ireq = inet_rsk(req);
  const tcp_sock* tp = tcp_sk(sk_listener);
  uint32_t mss = tcp_mss_clamp_from_route(n, req->skc_daddr);
  if (tp->rx_opt.user_mss && tp->rx_opt.user_mss < mss) mss = tp->rx_opt.user_mss;
  // tcp_full_space(): half the receive buffer at the initial scaling ratio.
  int full_space = sk_listener->sk_rcvbuf / 2;
  req->rsk_window_clamp = tp->window_clamp;
  if ((sk_listener->sk_userlocks & SOCK_RCVBUF_LOCK) &&
      (req->rsk_window_clamp > static_cast<uint32_t>(full_space) || req->rsk_window_clamp == 0))
    req->rsk_window_clamp = static_cast<uint32_t>(full_space);
  uint8_t rcv_wscale = 0;
  tcp_select_initial_window(n, full_space, mss - (ireq->tstamp_ok ? 12 : 0), &req->rsk_rcv_wnd,
                            &req->rsk_window_clamp, ireq->wscale_ok, &rcv_wscale, 0);
  ireq->rcv_wscale = rcv_wscale;
}

// mirrors tcp_check_req(): a segment for request `req` of listener `sk`.
// Returns null (consumed or dropped), `sk` (let the listener answer it: an
// ACK with the wrong ack number draws a RST), or the new child.
sock* tcp_check_req(sock* sk, sim::SkBuff* skb, const tcp_segment& seg, request_sock* req, bool* req_stolen) {
  (void)skb;
  net* n = sk->skc_net;
  tcp_request_sock* treq = tcp_rsk(req);
  inet_request_sock* ireq = inet_rsk(req);
  uint8_t flg = seg.flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
  bool paws_reject = false;
  tcp_options_received tmp_opt;
  if (seg.options_len) {
    tcp_parse_options(n, seg, false, &tmp_opt);
    if (tmp_opt.saw_tstamp) {
      if (tmp_opt.rcv_tsecr) tmp_opt.rcv_tsecr -= treq->ts_off;
      // tcp_paws_reject(): older than what the SYN carried (RSTs exempt).
      paws_reject = req->ts_recent && static_cast<int32_t>(req->ts_recent - tmp_opt.rcv_tsval) > 0 &&
                    !(seg.flags & TCPHDR_RST);
    }
  }

  // 1. A retransmitted SYN: resend the SYN-ACK (rate limited) and restart
  //    the timer from now.
  if (seg.seq == treq->rcv_isn && flg == TCPHDR_SYN && !paws_reject) {
    if (!tcp_oow_rate_limited(n, seg, LINUX_MIB_TCPACKSKIPPEDSYNRECV, &treq->last_oow_ack_time,
                              &treq->last_oow_ack_valid) &&
        req->rsk_ops->rtx_syn_ack(sk, req) == 0) {
      // mod_timer_pending(): only a pending timer is pushed back.
      if (sim::timer_pending(req->rsk_timer)) {
        const sim::Time t = std::min(req->timeout << std::min<int>(req->num_timeout, 30), TCP_RTO_MAX);
        n->sim.mod_timer(req->rsk_timer, n->now() + t);
      }
    }
    return nullptr;
  }

  // 2. An ACK that does not acknowledge our SYN-ACK: the listener's LISTEN
  //    code answers it with RST(seq = SEG.ACK); the request stays.
  if ((flg & TCPHDR_ACK) && seg.ack_seq != treq->snt_isn + 1) return sk;

  // 3. Out of window (or PAWS): a bare ACK back, rate limited.
  if (paws_reject ||
      !tcp_in_window(seg.seq, seg.end_seq, treq->rcv_nxt, treq->rcv_nxt + req->rsk_rcv_wnd)) {
    if (!(flg & TCPHDR_RST) && !tcp_oow_rate_limited(n, seg, LINUX_MIB_TCPACKSKIPPEDSYNRECV,
                                                      &treq->last_oow_ack_time, &treq->last_oow_ack_valid))
      req->rsk_ops->send_ack(sk, skb, req);
    if (paws_reject) n->mib_inc(LINUX_MIB_PAWSESTABREJECTED);
    return nullptr;
  }
  if (tmp_opt.saw_tstamp && !after(seg.seq, treq->rcv_nxt)) req->ts_recent = tmp_opt.rcv_tsval;

  // 4. The old SYN's sequence number: its SYN bit is stale.
  if (seg.seq == treq->rcv_isn) flg &= static_cast<uint8_t>(~TCPHDR_SYN);

  // 5. RFC 5961 3.2: an in-window RST that is not exact gets a challenge ACK.
  if ((flg & TCPHDR_RST) && seg.seq != treq->rcv_nxt) {
    if (!tcp_oow_rate_limited(n, seg, LINUX_MIB_TCPACKSKIPPEDSYNRECV, &treq->last_oow_ack_time,
                              &treq->last_oow_ack_valid)) {
      n->mib_inc(LINUX_MIB_TCPCHALLENGEACK);
      req->rsk_ops->send_ack(sk, skb, req);
    }
    return nullptr;
  }

  // 6. An exact RST, or a new SYN inside the window, kills the request.
  bool embryonic_reset = false;
  if (flg & (TCPHDR_RST | TCPHDR_SYN)) {
    n->mib_inc(TCP_MIB_ATTEMPTFAILS);
    embryonic_reset = true;
  } else {
    // 7. No ACK: nothing to do.
    if (!(flg & TCPHDR_ACK)) return nullptr;
    // 8. TCP_DEFER_ACCEPT: swallow a bare ACK while deferring.
    request_sock_queue& q = inet_csk(sk)->icsk_accept_queue;
    if (req->num_timeout < q.rskq_defer_accept && seg.end_seq == treq->rcv_isn + 1) {
      ireq->acked = true;
      n->mib_inc(LINUX_MIB_TCPDEFERACCEPTDROP);
      return nullptr;
    }
    // 9. Make the child; a full accept queue keeps the request (default) or
    //    resets the peer (tcp_abort_on_overflow).
    bool own_req = false;
    sock* child = tcp_v4_syn_recv_sock(sk, skb, seg, req, &own_req);
    if (child) {
      if (req->num_retrans == 0 && treq->snt_synack != sim::Time())
        tcp_rtt_estimator(child, (n->now() - treq->snt_synack).us());
      *req_stolen = !own_req;
      return inet_csk_complete_hashdance(sk, child, req, own_req);
    }
    if (!n->sysctl.tcp_abort_on_overflow) {
      ireq->acked = true;
      return nullptr;
    }
    embryonic_reset = true;
  }
  if (embryonic_reset) {
    if (!(flg & TCPHDR_RST)) tcp_v4_send_reset(n, seg);
    const bool unlinked = inet_csk_reqsk_queue_drop(sk, req);
    if (unlinked) n->mib_inc(LINUX_MIB_EMBRYONICRSTS);
    n->trace("tcp_check_req", "reset", (flg & TCPHDR_RST) ? "peer reset the request" : "request reset",
             seg.daddr, seg.saddr, seg.dest, seg.source);
    *req_stolen = !unlinked;
  }
  return nullptr;
}

// mirrors tcp_create_openreq_child(): a full tcp_sock from the request.
// TcpPassiveOpens counts here, at child creation, not at SYN time.
sock* tcp_create_openreq_child(const sock* sk, request_sock* req, const tcp_segment& seg) {
  net* n = sk->skc_net;
  sock* newsk = inet_csk_clone_lock(sk, req);
  if (!newsk) return nullptr;
  tcp_sock* newtp = tcp_sk(newsk);
  tcp_request_sock* treq = tcp_rsk(req);
  inet_request_sock* ireq = inet_rsk(req);
  newtp->rcv_wup = newtp->copied_seq = newtp->rcv_nxt = treq->rcv_isn + 1;
  newtp->snd_sml = newtp->snd_una = newtp->snd_nxt = treq->snt_isn + 1;
  newtp->snd_wl1 = treq->rcv_isn;
  newtp->total_retrans = req->num_retrans;
  newtp->write_seq = newtp->pushed_seq = treq->snt_isn + 1;
  newtp->rx_opt.tstamp_ok = ireq->tstamp_ok;
  newtp->rx_opt.sack_ok = ireq->sack_ok;
  newtp->window_clamp = req->rsk_window_clamp;
  newtp->rcv_ssthresh = req->rsk_rcv_wnd;
  newtp->rcv_wnd = req->rsk_rcv_wnd;
  newtp->rx_opt.wscale_ok = ireq->wscale_ok;
  if (newtp->rx_opt.wscale_ok) {
    newtp->rx_opt.snd_wscale = ireq->snd_wscale;
    newtp->rx_opt.rcv_wscale = ireq->rcv_wscale;
  } else {
    newtp->rx_opt.snd_wscale = newtp->rx_opt.rcv_wscale = 0;
    newtp->window_clamp = std::min<uint32_t>(newtp->window_clamp, 65535);
  }
  newtp->snd_wnd = static_cast<uint32_t>(seg.window) << newtp->rx_opt.snd_wscale;
  newtp->max_window = newtp->snd_wnd;
  if (newtp->rx_opt.tstamp_ok) {
    newtp->rx_opt.ts_recent = req->ts_recent;
    newtp->rx_opt.ts_recent_stamp = n->now();
  }
  newtp->tsoffset = treq->ts_off;
  newtp->rx_opt.mss_clamp = req->mss;
  newtp->ecn_flags = ireq->ecn_ok ? 1 : 0;
  inet_connection_sock* newicsk = inet_csk(newsk);
  newicsk->icsk_rto = TCP_TIMEOUT_INIT;
  newicsk->icsk_ack.lrcvtime = n->now();
  newtp->snd_cwnd = TCP_INIT_CWND;
  newtp->total_rto = 0;
  n->mib_inc(TCP_MIB_PASSIVEOPENS);
  return newsk;
}

// mirrors tcp_child_process(): the child handles the ACK that created it;
// the listener's accept() waiters are woken when it leaves SYN_RECV.
int tcp_child_process(sock* parent, sock* child, sim::SkBuff* skb, const tcp_segment& seg) {
  const int state = child->skc_state;
  sock_hold(child);
  const int ret = tcp_rcv_state_process(child, skb, seg);
  if (state == TCP_SYN_RECV && child->skc_state != state) sk_data_ready(parent);
  inet_csk(child)->icsk_ack.rcv_mss =
      static_cast<uint16_t>(std::min<uint32_t>(tcp_sk(child)->advmss, tcp_sk(child)->mss_cache));
  sock_put(child);
  return ret;
}

// mirrors tcp_time_wait(): the connection waits out 2MSL (TIME_WAIT) or the
// FIN_WAIT2 timeout.
// SIM: the full sock stays in ehash in its new state instead of being
// replaced by an inet_timewait_sock; the 4-tuple rules are the same.
void tcp_time_wait(sock* sk, int state, sim::Time timeo) {
  net* n = sk->skc_net;
  tcp_update_metrics_rtt(sk);
  tcp_clear_xmit_timers(sk);
  if (state == TCP_TIME_WAIT || timeo < TCP_TIMEWAIT_LEN) timeo = TCP_TIMEWAIT_LEN;
  if (state == TCP_FIN_WAIT2) timeo = std::max(timeo, sim::seconds(1));
  sk->skc_state = static_cast<uint8_t>(state);
  sim::timer_setup(sk->sk_timer, tcp_tw_timer, sk);
  sk_reset_timer(sk, sk->sk_timer, n->now() + timeo);
}

namespace {

void tcp_tw_timer(void* ctx, uint64_t) {
  sock* sk = static_cast<sock*>(ctx);
  net* n = sk->skc_net;
  if (sk->skc_state == TCP_TIME_WAIT) n->mib_inc(LINUX_MIB_TIMEWAITED);
  tcp_done(sk);
  sock_put(sk);  // the timer's reference
}

}  // namespace

}  // namespace stack

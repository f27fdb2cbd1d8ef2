// mirrors net/ipv4/tcp_input.c (tag: docs/kernel-version.md): option
// parsing, the SYN decision ladder (tcp_conn_request), the state machine
// (tcp_rcv_state_process), ACK processing and in-order data.
//
// SIM: loss recovery is NewReno-style (three duplicate ACKs, then one
// retransmission per partial ACK) with Reno congestion avoidance; no SACK
// scoreboard, RACK, TLP, undo or ECN reaction. Out-of-order data is kept and
// reported in SACK blocks.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/log.h"
#include "sim/wire/bytes.h"
#include "sim/wire/tcp_options.h"
#include "stack/inet_connection_sock.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

// mirrors tcp_parse_options(). Options are honoured in a SYN only when the
// local sysctl allows them. A malformed option ends parsing; what was read
// so far still counts (Linux does not drop such segments).
void tcp_parse_options(const net* n, const tcp_segment& seg, bool estab, tcp_options_received* opt) {
  const uint8_t* p = seg.options;
  int length = seg.options_len;
  const bool syn = seg.flags & TCPHDR_SYN;
  opt->saw_tstamp = false;
  opt->num_sacks = 0;
  while (length > 0) {
    const uint8_t opcode = *p++;
    --length;
    if (opcode == sim::wire::kTcpOptEol) return;
    if (opcode == sim::wire::kTcpOptNop) continue;
    if (length < 1) return;
    const uint8_t opsize = *p++;
    if (opsize < 2 || opsize - 1 > length) return;  // silly or partial options
    const uint8_t* v = p;
    switch (opcode) {
      case sim::wire::kTcpOptMss:
        if (opsize == 4 && syn && !estab) {
          uint16_t in_mss = sim::wire::load_be16(v);
          if (in_mss) {
            if (opt->user_mss && opt->user_mss < in_mss) in_mss = opt->user_mss;
            opt->mss_clamp = in_mss;
          }
        }
        break;
      case sim::wire::kTcpOptWscale:
        if (opsize == 3 && syn && !estab && n->sysctl.tcp_window_scaling) {
          uint8_t snd_wscale = v[0];
          opt->wscale_ok = true;
          if (snd_wscale > TCP_MAX_WSCALE) snd_wscale = TCP_MAX_WSCALE;  // Linux logs "Illegal window scaling"
          opt->snd_wscale = snd_wscale;
        }
        break;
      case sim::wire::kTcpOptTimestamp:
        if (opsize == 10 && ((estab && opt->tstamp_ok) || (!estab && n->sysctl.tcp_timestamps))) {
          opt->saw_tstamp = true;
          opt->rcv_tsval = sim::wire::load_be32(v);
          opt->rcv_tsecr = sim::wire::load_be32(v + 4);
        }
        break;
      case sim::wire::kTcpOptSackPerm:
        if (opsize == 2 && syn && !estab && n->sysctl.tcp_sack) opt->sack_ok = true;
        break;
      default:
        break;
    }
    p += opsize - 2;
    length -= opsize - 1;
  }
}

namespace {

// mirrors tcp_clear_options()
void tcp_clear_options(tcp_options_received* o) {
  o->tstamp_ok = o->sack_ok = false;
  o->wscale_ok = false;
  o->snd_wscale = 0;
}

// mirrors tcp_syn_flood_action(): counters and the once-per-listener warning.
bool tcp_syn_flood_action(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  const int syncookies = n->sysctl.tcp_syncookies;
  bool want_cookie = false;
  const char* msg;
  if (syncookies) {
    msg = "Sending cookies";
    want_cookie = true;
    n->mib_inc(LINUX_MIB_TCPREQQFULLDOCOOKIES);
  } else {
    msg = "Dropping request";
    n->mib_inc(LINUX_MIB_TCPREQQFULLDROP);
  }
  request_sock_queue& queue = inet_csk(sk)->icsk_accept_queue;
  if (!queue.synflood_warned && syncookies != 2) {
    queue.synflood_warned = true;
    const uint32_t a = seg.daddr;
    SPDLOG_LOGGER_WARN(sim::logs().tcp, "{} TCP: request_sock_TCP: Possible SYN flooding on port {}.{}.{}.{}:{}. {}.",
                       n->hostname, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, seg.dest, msg);
    n->trace("tcp_syn_flood_action", "warn", want_cookie ? "possible SYN flooding, sending cookies"
                                                         : "possible SYN flooding, dropping request",
             seg.daddr, seg.saddr, seg.dest, seg.source);
  }
  return want_cookie;
}

// mirrors tcp_openreq_init()
void tcp_openreq_init(request_sock* req, const tcp_options_received& rx_opt, const tcp_segment& seg) {
  inet_request_sock* ireq = inet_rsk(req);
  tcp_request_sock* treq = tcp_rsk(req);
  req->rsk_rcv_wnd = 0;
  treq->rcv_isn = seg.seq;
  treq->rcv_nxt = seg.seq + 1;
  treq->snt_synack = sim::Time();
  treq->last_oow_ack_valid = false;
  req->mss = rx_opt.mss_clamp;
  req->ts_recent = rx_opt.saw_tstamp ? rx_opt.rcv_tsval : 0;
  ireq->tstamp_ok = rx_opt.tstamp_ok;
  ireq->sack_ok = rx_opt.sack_ok;
  ireq->snd_wscale = rx_opt.snd_wscale;
  ireq->wscale_ok = rx_opt.wscale_ok;
  ireq->acked = false;
  ireq->ecn_ok = false;
  ireq->tos = seg.tos;
  req->skc_dport = seg.source;
  req->skc_num = seg.dest;
  req->skc_daddr = seg.saddr;
  req->skc_rcv_saddr = seg.daddr;
}

void tcp_synq_overflow(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = sk->skc_net->now();
  // Refreshed at most once a second, as Linux does to avoid cache-line churn.
  if (!tp->synq_overflowed || now < tp->synq_last_overflow || now >= tp->synq_last_overflow + sim::seconds(1)) {
    tp->synq_last_overflow = now;
    tp->synq_overflowed = true;
  }
}

}  // namespace

// mirrors tcp_peer_is_proven(): does tcp_metrics hold an RTT for this peer?
bool tcp_peer_is_proven(const net* n, uint32_t daddr) {
  auto it = n->tcp_metrics.find(daddr);
  return it != n->tcp_metrics.end() && it->second.rtt_us != 0;
}

// mirrors tcp_update_metrics(): remember the RTT of a closing connection.
void tcp_update_metrics_rtt(sock* sk) {
  net* n = sk->skc_net;
  if (n->sysctl.tcp_no_metrics_save) return;
  const tcp_sock* tp = tcp_sk(sk);
  if (!tp->srtt_us) return;
  tcp_metrics_entry& e = n->tcp_metrics[sk->skc_daddr];
  e.rtt_us = tp->srtt_us >> 3;
  e.stamp = n->now();
}

// mirrors tcp_conn_request(): a SYN reached listener `sk`. The order of the
// checks is observable through the counters: SYN queue (may switch to
// cookies or drop), then accept queue, then the unproven-peer rule; then the
// request is hashed with its timer and the SYN-ACK leaves. A cookie SYN-ACK
// leaves no state behind.
int tcp_conn_request(const request_sock_ops* rsk_ops, sock* sk, const sim::SkBuff* skb, const tcp_segment& seg) {
  (void)skb;
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const int syncookies = n->sysctl.tcp_syncookies;
  bool want_cookie = false;
  uint32_t isn = 0;
  const uint32_t qlen = inet_csk_reqsk_queue_len(sk);

  if (syncookies == 2 || inet_csk_reqsk_queue_is_full(sk)) {
    want_cookie = tcp_syn_flood_action(sk, seg);
    if (!want_cookie) {
      n->trace("tcp_conn_request", "drop", "SYN queue full, syncookies off", seg.daddr, seg.saddr, seg.dest,
               seg.source);
      n->mib_inc(LINUX_MIB_LISTENDROPS);
      return 0;
    }
  }
  if (sk_acceptq_is_full(sk)) {
    n->mib_inc(LINUX_MIB_LISTENOVERFLOWS);
    n->mib_inc(LINUX_MIB_LISTENDROPS);
    n->trace("tcp_conn_request", "drop", "accept queue full", seg.daddr, seg.saddr, seg.dest, seg.source);
    return 0;
  }

  request_sock* req = reqsk_alloc(rsk_ops, sk, !want_cookie);
  tcp_request_sock* treq = tcp_rsk(req);
  inet_request_sock* ireq = inet_rsk(req);

  tcp_options_received tmp_opt;
  tcp_clear_options(&tmp_opt);
  tmp_opt.mss_clamp = TCP_MSS_DEFAULT;
  tmp_opt.user_mss = tp->rx_opt.user_mss;
  tcp_parse_options(n, seg, false, &tmp_opt);
  if (want_cookie && !tmp_opt.saw_tstamp) tcp_clear_options(&tmp_opt);  // only TS can carry the other options
  tmp_opt.tstamp_ok = tmp_opt.saw_tstamp;
  tcp_openreq_init(req, tmp_opt, seg);

  rtable rt;
  if (!ip_route_output(n, seg.saddr, &rt)) {
    reqsk_free(req);
    n->mib_inc(LINUX_MIB_LISTENDROPS);
    return 0;
  }
  uint32_t ts_off = 0;
  const uint32_t isn_candidate =
      secure_tcp_seq_and_tsoff(n, seg.daddr, seg.saddr, seg.dest, seg.source, &ts_off);
  if (tmp_opt.tstamp_ok) treq->ts_off = n->sysctl.tcp_timestamps == 1 ? ts_off : 0;
  if (!want_cookie) {
    const int max_syn_backlog = n->sysctl.tcp_max_syn_backlog;
    // Without cookies, keep the last quarter of the queue for peers that
    // proved themselves with an earlier connection.
    if (!syncookies && (max_syn_backlog - static_cast<int>(qlen) < (max_syn_backlog >> 2)) &&
        !tcp_peer_is_proven(n, seg.saddr)) {
      n->trace("tcp_conn_request", "drop", "unproven peer, SYN backlog three quarters full", seg.daddr, seg.saddr,
               seg.dest, seg.source);
      reqsk_free(req);
      n->mib_inc(LINUX_MIB_LISTENDROPS);
      return 0;
    }
    isn = isn_candidate;
  }
  // mirrors tcp_ecn_create_request(): ECE+CWR in the SYN, ECN allowed, and
  // the SYN itself not ECT-marked.
  if ((seg.flags & (TCPHDR_ECE | TCPHDR_CWR)) == (TCPHDR_ECE | TCPHDR_CWR) && n->sysctl.tcp_ecn &&
      (seg.tos & 3) == 0)
    ireq->ecn_ok = true;
  if (want_cookie) {
    isn = cookie_v4_init_sequence(n, seg, &req->mss);
    tcp_synq_overflow(sk);
    n->mib_inc(LINUX_MIB_SYNCOOKIESSENT);
    n->trace("tcp_conn_request", "cookie", "SYN answered with a SYN cookie", seg.daddr, seg.saddr, seg.dest,
             seg.source);
    if (!tmp_opt.tstamp_ok) ireq->ecn_ok = false;
  }
  treq->snt_isn = isn;
  tcp_openreq_init_rwin(req, sk);
  if (!want_cookie) {
    req->timeout = TCP_TIMEOUT_INIT;
    inet_csk_reqsk_queue_hash_add(sk, req, req->timeout);
  }
  // af_ops->send_synack(): TCP_SYNACK_NORMAL or TCP_SYNACK_COOKIE.
  tcp_v4_send_synack(sk, req, want_cookie);
  if (want_cookie) {
    reqsk_free(req);
    return 0;
  }
  reqsk_put(req);  // the allocation's reference; the hash keeps its own
  return 0;
}

// mirrors tcp_sync_mss(): the sending MSS from the path MTU, the peer's MSS
// clamp and the option space, bounded to half the largest window the peer
// offered (tcp_bound_to_half_wnd).
uint32_t tcp_sync_mss(sock* sk, uint32_t pmtu) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  int mss_now = static_cast<int>(pmtu) - 40;
  if (mss_now > tp->rx_opt.mss_clamp) mss_now = tp->rx_opt.mss_clamp;
  if (tp->rx_opt.tstamp_ok) mss_now -= 12;
  if (mss_now < 48) mss_now = 48;
  if (tp->max_window > TCP_MSS_DEFAULT) {
    const int cutoff = static_cast<int>(tp->max_window / 2);
    if (cutoff < mss_now) mss_now = std::max(cutoff, 68 - 40);
  }
  icsk->icsk_pmtu_cookie = pmtu;
  tp->mss_cache = static_cast<uint32_t>(mss_now);
  return tp->mss_cache;
}

// mirrors tcp_init_transfer(): a connection just became ESTABLISHED.
void tcp_init_transfer(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  tp->snd_cwnd = TCP_INIT_CWND;
  tp->lsndtime = sk->skc_net->now();
}

// mirrors tcp_reset(): the peer reset the connection.
void tcp_reset(sock* sk) {
  int err;
  switch (sk->skc_state) {
    case TCP_SYN_SENT: err = ECONNREFUSED; break;
    case TCP_CLOSE_WAIT: err = EPIPE; break;
    case TCP_CLOSE: return;
    default: err = ECONNRESET; break;
  }
  tcp_sock* tp = tcp_sk(sk);
  tp->tcp_rtx_queue.purge();
  sk->sk_write_queue.purge();
  tp->packets_out = 0;
  sk->sk_err = err;
  tcp_done(sk);
}

// mirrors tcp_fin(): the peer has no more data.
void tcp_fin(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  sk->sk_shutdown |= RCV_SHUTDOWN;
  sk->set_flag(SOCK_DONE);
  switch (sk->skc_state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      tcp_set_state(sk, TCP_CLOSE_WAIT);
      inet_csk(sk)->icsk_ack.pingpong = 1;
      tcp_send_ack(sk);
      break;
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
      break;
    case TCP_FIN_WAIT1:
      // Simultaneous close.
      tcp_send_ack(sk);
      tcp_set_state(sk, TCP_CLOSING);
      break;
    case TCP_FIN_WAIT2:
      tcp_send_ack(sk);
      tcp_time_wait(sk, TCP_TIME_WAIT, sim::Time());
      break;
    default:
      break;
  }
  tp->out_of_order_queue.purge();
  tp->rx_opt.num_sacks = 0;
  (void)n;
  if (!sk->flag(SOCK_DEAD)) sk_state_change(sk);
}

// mirrors tcp_rtt_estimator() + tcp_set_rto() (RFC 6298 with Linux's
// mdev/rttvar smoothing and the rto_min floor on the variance term).
void tcp_rtt_estimator(sock* sk, int64_t mrtt_us) {
  tcp_sock* tp = tcp_sk(sk);
  if (mrtt_us <= 0) mrtt_us = 1;
  int64_t m = mrtt_us;
  int64_t srtt = tp->srtt_us;
  const int64_t rto_min_us = sk->skc_net->sysctl.tcp_rto_min_us;
  if (srtt != 0) {
    m -= (srtt >> 3);
    srtt += m;
    if (m < 0) m = -m;
    m -= (tp->mdev_us >> 2);
    tp->mdev_us += static_cast<uint32_t>(m);
    if (tp->mdev_us > tp->rttvar_us) tp->rttvar_us = tp->mdev_us;
    tp->rttvar_us -= (tp->rttvar_us - tp->mdev_us) >> 2;
  } else {
    srtt = m << 3;
    tp->mdev_us = static_cast<uint32_t>(m << 1);
    tp->rttvar_us = static_cast<uint32_t>(std::max<int64_t>(tp->mdev_us, rto_min_us));
  }
  tp->srtt_us = static_cast<uint32_t>(std::max<int64_t>(1, srtt));
  int64_t rto = (tp->srtt_us >> 3) + std::max<int64_t>(tp->rttvar_us, rto_min_us);
  rto = std::min<int64_t>(rto, TCP_RTO_MAX.us());
  inet_csk(sk)->icsk_rto = sim::microseconds(rto);
}

namespace {

// mirrors tcp_may_update_window() + tcp_ack_update_window()
void tcp_ack_update_window(sock* sk, const tcp_segment& seg, uint32_t ack) {
  tcp_sock* tp = tcp_sk(sk);
  uint32_t nwin = seg.window;
  if (!(seg.flags & TCPHDR_SYN)) nwin <<= tp->rx_opt.snd_wscale;
  if (after(ack, tp->snd_una) || after(seg.seq, tp->snd_wl1) || (seg.seq == tp->snd_wl1 && nwin > tp->snd_wnd)) {
    tp->snd_wl1 = seg.seq;
    if (tp->snd_wnd != nwin) {
      tp->snd_wnd = nwin;
      if (nwin > tp->max_window) tp->max_window = nwin;
    }
  }
}

// Frees fully acknowledged segments; returns how many, and samples the RTT
// from the newest one never retransmitted (Karn), or from the echoed TS.
uint32_t tcp_clean_rtx_queue(sock* sk, uint32_t ack, bool* rtt_sampled) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  uint32_t acked = 0;
  sim::Time sample_when;
  bool sample = false;
  while (sim::SkBuff* skb = tp->tcp_rtx_queue.head) {
    tcp_skb_cb* tcb = TCP_SKB_CB(skb);
    if (after(tcb->end_seq, ack)) break;
    if (!(tcb->sacked & TCPCB_RETRANS)) {
      sample_when = tcb->when;
      sample = true;
    }
    tp->tcp_rtx_queue.pop_front();
    sim::kfree_skb(skb);
    if (tp->packets_out) tp->packets_out--;
    ++acked;
  }
  if (sample) {
    tcp_rtt_estimator(sk, (n->now() - sample_when).us());
    *rtt_sampled = true;
  }
  return acked;
}

// mirrors tcp_ack(): process the ACK field. Returns false for an ACK of
// data never sent (the caller resets in SYN_RECV).
bool tcp_ack(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const uint32_t ack = seg.ack_seq;
  const uint32_t prior_snd_una = tp->snd_una;
  if (before(ack, prior_snd_una)) return true;  // old duplicate: ignore
  if (after(ack, tp->snd_nxt)) return false;     // acks what we never sent
  const uint32_t prior_wnd = tp->snd_wnd;
  tcp_ack_update_window(sk, seg, ack);
  tp->rcv_tstamp = n->now();
  bool rtt_sampled = false;
  uint32_t acked = 0;
  if (after(ack, prior_snd_una)) {
    tp->bytes_acked += ack - prior_snd_una;
    tp->snd_una = ack;
    acked = tcp_clean_rtx_queue(sk, ack, &rtt_sampled);
    icsk->icsk_retransmits = 0;
    icsk->icsk_backoff = 0;
    tp->total_rto = 0;
    tp->retrans_stamp = sim::Time();
    tp->dupacks = 0;
    if (tp->in_recovery) {
      if (!before(ack, tp->high_seq)) {
        tp->in_recovery = false;
        tp->snd_cwnd = std::max<uint32_t>(tp->snd_ssthresh, 2);
      } else if (tp->tcp_rtx_queue.head) {
        tcp_retransmit_skb(sk, tp->tcp_rtx_queue.head);  // NewReno partial ACK
      }
    } else {
      // Reno: slow start below ssthresh, then one MSS per window.
      for (uint32_t i = 0; i < acked; ++i) {
        if (tp->snd_cwnd < tp->snd_ssthresh) {
          tp->snd_cwnd++;
        } else if (++tp->snd_cwnd_cnt >= tp->snd_cwnd) {
          tp->snd_cwnd_cnt = 0;
          tp->snd_cwnd++;
        }
      }
    }
    if (tp->packets_out)
      tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk->icsk_rto);
    else if (icsk->icsk_pending == ICSK_TIME_RETRANS) {
      sk_stop_timer(sk, icsk->icsk_retransmit_timer);
      icsk->icsk_pending = 0;
    }
    sk_write_space(sk);
  } else if (tp->packets_out && seg.payload_len == 0 && !(seg.flags & (TCPHDR_FIN | TCPHDR_SYN)) &&
             tp->snd_wnd == prior_wnd) {
    // A duplicate ACK: the third starts fast retransmit (RFC 5681 3.2).
    if (++tp->dupacks == 3 && !tp->in_recovery) {
      tp->snd_ssthresh = std::max<uint32_t>(tp->packets_out / 2, 2);
      tp->snd_cwnd = tp->snd_ssthresh + 3;
      tp->in_recovery = true;
      tp->high_seq = tp->snd_nxt;
      if (tp->tcp_rtx_queue.head) tcp_retransmit_skb(sk, tp->tcp_rtx_queue.head);
    } else if (tp->in_recovery) {
      tp->snd_cwnd++;  // window inflation
    }
  }
  (void)rtt_sampled;
  return true;
}

// Copies the in-order payload of `seg` (from `offset`) into a new buffer on
// the receive queue. SIM: a copy rather than stealing the skb keeps buffer
// ownership in tcp_v4_rcv() simple.
void tcp_queue_rcv(sock* sk, const uint8_t* data, uint32_t len) {
  net* n = sk->skc_net;
  while (len) {
    sim::SkBuff* skb = n->skbs.alloc();
    const uint32_t chunk = std::min(len, skb->tailroom());
    std::memcpy(skb->put(chunk), data, chunk);
    sk->sk_receive_queue.push_back(skb);
    data += chunk;
    len -= chunk;
  }
}

// Rebuilds the SACK blocks from the out-of-order queue (tcp_sack_new_ofo_skb
// in spirit: most recent first is approximated by ascending order).
void tcp_rebuild_sacks(tcp_sock* tp) {
  tp->rx_opt.num_sacks = 0;
  if (!tp->rx_opt.sack_ok) return;
  for (sim::SkBuff* s = tp->out_of_order_queue.head; s; s = s->next) {
    const tcp_skb_cb* cb = TCP_SKB_CB(s);
    uint8_t& k = tp->rx_opt.num_sacks;
    if (k && tp->rx_opt.sack_blocks[k - 1][1] == cb->seq) {
      tp->rx_opt.sack_blocks[k - 1][1] = cb->end_seq;
    } else if (k < 4) {
      tp->rx_opt.sack_blocks[k][0] = cb->seq;
      tp->rx_opt.sack_blocks[k][1] = cb->end_seq;
      ++k;
    }
  }
}

// mirrors tcp_event_data_recv(): the first data arms quick-ACK mode.
void tcp_event_data_recv(sock* sk) {
  inet_connection_sock* icsk = inet_csk(sk);
  if (icsk->icsk_ack.ato == sim::Time()) {
    icsk->icsk_ack.quick = TCP_MAX_QUICKACKS;
    icsk->icsk_ack.ato = TCP_ATO_MIN;
  }
  icsk->icsk_ack.lrcvtime = sk->skc_net->now();
}

// mirrors tcp_data_queue(): in-order data goes to the receive queue (and
// pulls in what the out-of-order queue now continues); duplicates and
// out-of-window data are ACKed at once.
void tcp_data_queue(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  uint32_t seq = seg.seq;
  const uint32_t end_seq = seg.end_seq;
  const bool fin = seg.flags & TCPHDR_FIN;
  if (seq == end_seq) return;  // nothing to queue
  if (!after(end_seq, tp->rcv_nxt)) {
    // A retransmission of what we have: ACK at once (quick-ACK mode).
    icsk->icsk_ack.pending |= ICSK_ACK_NOW;
    return;
  }
  if (!before(seq, tp->rcv_nxt + std::max<uint32_t>(tp->rcv_wnd, 1))) {
    icsk->icsk_ack.pending |= ICSK_ACK_NOW;
    return;
  }
  if (after(seq, tp->rcv_nxt)) {
    // Out of order: keep a copy, ordered by seq; ACK at once with SACK.
    sim::SkBuff* copy = n->skbs.alloc();
    const uint32_t len = std::min(seg.payload_len, copy->tailroom());
    std::memcpy(copy->put(len), seg.payload, len);
    tcp_skb_cb* cb = TCP_SKB_CB(copy);
    cb->seq = seq;
    cb->end_seq = end_seq;
    cb->tcp_flags = seg.flags;
    sim::SkbQueue& q = tp->out_of_order_queue;
    if (!q.head || after(seq, TCP_SKB_CB(q.tail)->seq)) {
      q.push_back(copy);
    } else {
      sim::SkBuff** pp = &q.head;
      while (*pp && before(TCP_SKB_CB(*pp)->seq, seq)) pp = &(*pp)->next;
      if (*pp && TCP_SKB_CB(*pp)->seq == seq) {
        sim::kfree_skb(copy);  // already have it
      } else {
        copy->next = *pp;
        *pp = copy;
        ++q.qlen;
        q.bytes += copy->len;
      }
    }
    tcp_rebuild_sacks(tp);
    icsk->icsk_ack.pending |= ICSK_ACK_NOW;
    return;
  }
  // In order (possibly overlapping what we already have).
  const uint32_t skip = tp->rcv_nxt - seq;
  if (seg.payload_len > skip) tcp_queue_rcv(sk, seg.payload + skip, seg.payload_len - skip);
  tp->rcv_nxt = end_seq;
  tp->bytes_received += seg.payload_len > skip ? seg.payload_len - skip : 0;
  if (seg.payload_len) tp->data_segs_in++;
  tcp_event_data_recv(sk);
  bool got_fin = fin;
  // Drain the out-of-order queue as far as it now continues.
  while (sim::SkBuff* s = tp->out_of_order_queue.head) {
    tcp_skb_cb* cb = TCP_SKB_CB(s);
    if (after(cb->seq, tp->rcv_nxt)) break;
    tp->out_of_order_queue.pop_front();
    if (after(cb->end_seq, tp->rcv_nxt)) {
      const uint32_t off = tp->rcv_nxt - cb->seq;
      if (s->len > off) tcp_queue_rcv(sk, s->data + off, s->len - off);
      tp->rcv_nxt = cb->end_seq;
      if (cb->tcp_flags & TCPHDR_FIN) got_fin = true;
      icsk->icsk_ack.pending |= ICSK_ACK_NOW;
    }
    sim::kfree_skb(s);
  }
  tcp_rebuild_sacks(tp);
  if (got_fin) tcp_fin(sk);
  if (!sk->flag(SOCK_DEAD)) sk_data_ready(sk);
}

// mirrors __tcp_ack_snd_check(): ACK now (quick-ACK, more than one full
// segment unacked, or requested), else arm the delayed ACK.
void tcp_ack_snd_check(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (sk->skc_state == TCP_CLOSE) return;
  const bool have_unacked = tp->rcv_nxt != tp->rcv_wup;
  if (!have_unacked && !(icsk->icsk_ack.pending & ICSK_ACK_NOW)) return;
  const uint32_t rcv_mss = icsk->icsk_ack.rcv_mss ? icsk->icsk_ack.rcv_mss : tp->advmss;
  if ((icsk->icsk_ack.pending & ICSK_ACK_NOW) || (tp->rcv_nxt - tp->rcv_wup) > rcv_mss ||
      (icsk->icsk_ack.quick && !icsk->icsk_ack.pingpong)) {
    tcp_send_ack(sk);
  } else {
    tcp_send_delayed_ack(sk);
  }
}

// mirrors tcp_paws_discard() on the common path.
bool tcp_paws_reject(const tcp_sock* tp, sim::Time now) {
  if (!tp->rx_opt.saw_tstamp || !tp->rx_opt.tstamp_ok) return false;
  if (static_cast<int32_t>(tp->rx_opt.ts_recent - tp->rx_opt.rcv_tsval) <= 1) return false;
  // A timestamp older than 24 days can't be compared (TCP_PAWS_24DAYS).
  if (now >= tp->rx_opt.ts_recent_stamp + sim::seconds(24 * 24 * 3600)) return false;
  return true;
}

// mirrors tcp_send_challenge_ack() without the per-netns budget.
// SIM: tcp_challenge_ack_limit defaults to INT_MAX in 6.18, so the budget
// never binds unless lowered; we only keep the per-socket 500 ms limit.
void tcp_send_challenge_ack(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = n->now();
  if (tp->last_oow_ack_valid && now < tp->last_oow_ack_time + sim::milliseconds(n->sysctl.tcp_invalid_ratelimit))
    return;
  tp->last_oow_ack_time = now;
  tp->last_oow_ack_valid = true;
  n->mib_inc(LINUX_MIB_TCPCHALLENGEACK);
  tcp_send_ack(sk);
}

// mirrors tcp_validate_incoming(): PAWS, sequence window, RST, SYN checks.
bool tcp_validate_incoming(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (tcp_paws_reject(tp, n->now()) && !(seg.flags & TCPHDR_RST)) {
    n->mib_inc(LINUX_MIB_PAWSESTABREJECTED);
    tcp_send_ack(sk);
    return false;
  }
  // tcp_sequence(): does the segment overlap the receive window?
  const uint32_t wnd = std::max<uint32_t>(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt, 0);
  const bool in_window = !before(seg.end_seq, tp->rcv_wup) && !after(seg.seq, tp->rcv_nxt + wnd);
  if (!in_window) {
    if (!(seg.flags & TCPHDR_RST)) {
      if (seg.flags & TCPHDR_SYN) {
        tcp_send_challenge_ack(sk);
      } else {
        tcp_send_ack(sk);  // tcp_send_dupack
      }
    }
    return false;
  }
  if (seg.flags & TCPHDR_RST) {
    // RFC 5961 3.2: only an exact RST resets; others get a challenge ACK.
    if (seg.seq == tp->rcv_nxt)
      tcp_reset(sk);
    else
      tcp_send_challenge_ack(sk);
    return false;
  }
  // tcp_replace_ts_recent()
  if (tp->rx_opt.saw_tstamp && !after(seg.seq, tp->rcv_wup)) {
    tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
    tp->rx_opt.ts_recent_stamp = n->now();
  }
  if ((seg.flags & TCPHDR_SYN) && sk->skc_state != TCP_SYN_RECV) {
    // RFC 5961 4.2: a SYN in an established connection gets a challenge ACK.
    tcp_send_challenge_ack(sk);
    return false;
  }
  return true;
}

// mirrors tcp_rcv_synsent_state_process(). Returns 1 when the caller must
// send a RST, 0 when the segment is consumed.
int tcp_rcv_synsent_state_process(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  tcp_parse_options(n, seg, false, &tp->rx_opt);
  if (seg.flags & TCPHDR_ACK) {
    if (!after(seg.ack_seq, tp->snd_una) || after(seg.ack_seq, tp->snd_nxt)) {
      // An unacceptable ACK: RST it, and if nothing was retransmitted yet,
      // retry the SYN very soon (TCP_TIMEOUT_MIN).
      if (seg.flags & TCPHDR_RST) return 0;
      if (icsk->icsk_retransmits == 0) tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN);
      return 1;
    }
    if (seg.flags & TCPHDR_RST) {
      tcp_reset(sk);
      return 0;
    }
    if (!(seg.flags & TCPHDR_SYN)) return 0;
    // A valid SYN-ACK.
    tp->snd_wl1 = seg.seq;
    tp->rcv_nxt = seg.seq + 1;
    tp->rcv_wup = tp->rcv_nxt;
    tp->copied_seq = tp->rcv_nxt;
    tp->snd_wnd = seg.window;
    tp->max_window = tp->snd_wnd;
    if (!tp->rx_opt.wscale_ok) {
      tp->rx_opt.snd_wscale = tp->rx_opt.rcv_wscale = 0;
      tp->window_clamp = std::min<uint32_t>(tp->window_clamp, 65535);
    }
    if (tp->rx_opt.saw_tstamp) {
      tp->rx_opt.tstamp_ok = true;
      tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
      tp->rx_opt.ts_recent_stamp = n->now();
    }
    if (!n->sysctl.tcp_sack) tp->rx_opt.sack_ok = false;
    // The SYN is acknowledged.
    const sim::Time sent = tp->tcp_rtx_queue.head ? TCP_SKB_CB(tp->tcp_rtx_queue.head)->when : n->now();
    const bool retransmitted = tp->tcp_rtx_queue.head && (TCP_SKB_CB(tp->tcp_rtx_queue.head)->sacked & TCPCB_RETRANS);
    tp->tcp_rtx_queue.purge();
    tp->packets_out = 0;
    tp->snd_una = seg.ack_seq;
    sk_stop_timer(sk, icsk->icsk_retransmit_timer);
    icsk->icsk_pending = 0;
    icsk->icsk_retransmits = 0;
    icsk->icsk_backoff = 0;
    icsk->icsk_rto = TCP_TIMEOUT_INIT;
    if (!retransmitted) tcp_rtt_estimator(sk, (n->now() - sent).us());
    tcp_sync_mss(sk, icsk->icsk_pmtu_cookie ? icsk->icsk_pmtu_cookie : 1500);
    icsk->icsk_ack.rcv_mss = static_cast<uint16_t>(std::min<uint32_t>(tp->advmss, tp->mss_cache));
    // mirrors tcp_finish_connect()
    tcp_set_state(sk, TCP_ESTABLISHED);
    tcp_init_transfer(sk);
    if (!sk->flag(SOCK_DEAD)) sk_state_change(sk);
    tcp_send_ack(sk);
    tcp_push(sk);
    return 0;
  }
  // No ACK: a bare RST is ignored; a bare SYN would be a simultaneous open.
  // SIM: simultaneous open is not implemented; such SYNs are dropped.
  return 0;
}

}  // namespace

// mirrors tcp_rcv_established(). SIM: no header-prediction fast path; every
// segment takes the slow path, which computes the same result.
void tcp_rcv_established(sock* sk, sim::SkBuff* skb, const tcp_segment& seg) {
  (void)skb;
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  tcp_parse_options(n, seg, true, &tp->rx_opt);
  if (!tcp_validate_incoming(sk, seg)) return;
  if (seg.flags & TCPHDR_ACK) {
    if (!tcp_ack(sk, seg)) {
      tcp_send_challenge_ack(sk);
      return;
    }
  } else {
    return;  // ESTABLISHED segments without ACK are discarded
  }
  tcp_data_queue(sk, seg);
  if (sk->skc_state != TCP_CLOSE) {
    tcp_push(sk);
    tcp_ack_snd_check(sk);
  }
}

// mirrors tcp_rcv_state_process(): everything except ESTABLISHED. Returns
// nonzero when the caller must answer with a RST.
int tcp_rcv_state_process(sock* sk, sim::SkBuff* skb, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  switch (sk->skc_state) {
    case TCP_CLOSE:
      return 0;
    case TCP_LISTEN:
      if (seg.flags & TCPHDR_ACK) return 1;
      if (seg.flags & TCPHDR_RST) return 0;
      if (seg.flags & TCPHDR_SYN) {
        if (seg.flags & TCPHDR_FIN) return 0;
        tcp_v4_conn_request(sk, skb, seg);
        return 0;
      }
      return 0;
    case TCP_SYN_SENT:
      return tcp_rcv_synsent_state_process(sk, seg);
    default:
      break;
  }
  tcp_parse_options(n, seg, true, &tp->rx_opt);
  if (!(seg.flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) return 0;
  if (!tcp_validate_incoming(sk, seg)) return 0;
  if (!(seg.flags & TCPHDR_ACK)) return 0;
  const bool acceptable = tcp_ack(sk, seg);
  if (!acceptable) {
    if (sk->skc_state == TCP_SYN_RECV) return 1;
    tcp_send_challenge_ack(sk);
    return 0;
  }
  switch (sk->skc_state) {
    case TCP_SYN_RECV:
      // The handshake completes: the child becomes ESTABLISHED.
      tcp_set_state(sk, TCP_ESTABLISHED);
      tp->snd_una = seg.ack_seq;
      tp->snd_wnd = static_cast<uint32_t>(seg.window) << tp->rx_opt.snd_wscale;
      tp->max_window = std::max(tp->max_window, tp->snd_wnd);
      tp->snd_wl1 = seg.seq;
      tcp_init_transfer(sk);
        if (!sk->flag(SOCK_DEAD)) sk_state_change(sk);
      break;
    case TCP_FIN_WAIT1:
      if (tp->snd_una != tp->write_seq) break;
      tcp_set_state(sk, TCP_FIN_WAIT2);
      sk->sk_shutdown |= SEND_SHUTDOWN;
      if (!sk->flag(SOCK_DEAD)) {
        sk_state_change(sk);
        break;
      }
      if (tp->linger2 < 0) {
        tcp_done(sk);
        n->mib_inc(LINUX_MIB_TCPABORTONDATA);
        return 0;
      }
      if (!(seg.flags & TCPHDR_FIN)) {
        const sim::Time tmo = sim::seconds(tp->linger2 ? tp->linger2 : n->sysctl.tcp_fin_timeout);
        tcp_time_wait(sk, TCP_FIN_WAIT2, tmo);
        return 0;
      }
      break;
    case TCP_CLOSING:
      if (tp->snd_una == tp->write_seq) {
        tcp_time_wait(sk, TCP_TIME_WAIT, sim::Time());
        return 0;
      }
      break;
    case TCP_LAST_ACK:
      if (tp->snd_una == tp->write_seq) {
        tcp_update_metrics_rtt(sk);
        tcp_done(sk);
        return 0;
      }
      break;
    default:
      break;
  }
  switch (sk->skc_state) {
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
      if (!before(seg.seq, tp->rcv_nxt)) break;
      [[fallthrough]];
    case TCP_FIN_WAIT1:
    case TCP_FIN_WAIT2:
      // RFC 1122: data after our side shut down receiving gets a reset.
      if (sk->sk_shutdown & RCV_SHUTDOWN) {
        if (seg.end_seq != seg.seq && after(seg.end_seq - ((seg.flags & TCPHDR_FIN) ? 1 : 0), tp->rcv_nxt)) {
          n->mib_inc(LINUX_MIB_TCPABORTONDATA);
          tcp_reset(sk);
          return 1;
        }
      }
      [[fallthrough]];
    case TCP_ESTABLISHED:
      tcp_data_queue(sk, seg);
      break;
    default:
      break;
  }
  if (sk->skc_state != TCP_CLOSE) {
    tcp_push(sk);
    tcp_ack_snd_check(sk);
  }
  return 0;
}

}  // namespace stack

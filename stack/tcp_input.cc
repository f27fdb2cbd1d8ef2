// mirrors net/ipv4/tcp_input.c (tag: docs/kernel-version.md): option
// parsing, the SYN decision ladder (tcp_conn_request), the receiver half of
// the established path (data queueing, out-of-order queue and SACK blocks,
// delayed ACKs, receive-window tuning) and the state machine
// (tcp_rcv_state_process). tcp_ack() and loss recovery are in tcp_ack.cc.
//
// SIM: every segment takes the slow path (Linux's header prediction computes
// the same result faster). Received payload is copied into a buffer of its
// own, charged at the truesize a kmalloc'ed linear skb has (as tun and veth
// deliver them); receive-queue coalescing and collapsing are not modelled.
// No urgent data, no ECN, no Fast Open.
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
// so far still counts (Linux does not drop such segments). SACK blocks are
// read only once SACK was negotiated.
void tcp_parse_options(const net* n, const tcp_segment& seg, bool estab, tcp_options_received* opt) {
  const uint8_t* p = seg.options;
  int length = seg.options_len;
  const bool syn = seg.flags & TCPHDR_SYN;
  opt->saw_tstamp = false;
  opt->rcv_num_sacks = 0;
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
      case sim::wire::kTcpOptSack:
        if (opsize >= 2 + 8 && (opsize - 2) % 8 == 0 && opt->sack_ok) {
          const int blocks = std::min((opsize - 2) / 8, TCP_NUM_SACKS);
          for (int i = 0; i < blocks; ++i) {
            opt->rcv_sacks[i].start_seq = sim::wire::load_be32(v + 8 * i);
            opt->rcv_sacks[i].end_seq = sim::wire::load_be32(v + 8 * i + 4);
          }
          opt->rcv_num_sacks = static_cast<uint8_t>(blocks);
        }
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
    // Linux prints this with net_info_ratelimited(): an info-level line,
    // hidden at the default log level; events.jsonl always has it.
    SPDLOG_LOGGER_INFO(sim::logs().tcp, "{} TCP: request_sock_TCP: Possible SYN flooding on port {}.{}.{}.{}:{}. {}.",
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


// ---- MSS ------------------------------------------------------------------------------

// mirrors tcp_sync_mss() with __tcp_mtu_to_mss()/tcp_mtu_to_mss() and
// tcp_bound_to_half_wnd(): the payload of a full segment for path MTU pmtu.
uint32_t tcp_sync_mss(sock* sk, uint32_t pmtu) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  int mss_now = static_cast<int>(pmtu) - 20 - 20;
  if (mss_now > tp->rx_opt.mss_clamp) mss_now = tp->rx_opt.mss_clamp;
  if (mss_now < TCP_MIN_SND_MSS) mss_now = TCP_MIN_SND_MSS;
  mss_now -= static_cast<int>(tcp_header_len(tp)) - 20;
  // Never send more than half the largest window the peer offered.
  const int cutoff =
      static_cast<int>(tp->max_window > TCP_MSS_DEFAULT ? tp->max_window >> 1 : tp->max_window);
  if (cutoff && mss_now > cutoff) mss_now = std::max(cutoff, 68 - static_cast<int>(tcp_header_len(tp)));
  icsk->icsk_pmtu_cookie = pmtu;
  tp->mss_cache = static_cast<uint32_t>(mss_now);
  return tp->mss_cache;
}

// mirrors tcp_initialize_rcv_mss(): a deliberately low guess of the peer's
// MSS (at most 536) until full-sized segments are seen.
void tcp_initialize_rcv_mss(sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  uint32_t hint = std::min<uint32_t>(tp->advmss, tp->mss_cache);
  hint = std::min(hint, tp->rcv_wnd / 2);
  hint = std::min<uint32_t>(hint, TCP_MSS_DEFAULT);
  hint = std::max<uint32_t>(hint, TCP_MIN_MSS);
  inet_csk(sk)->icsk_ack.rcv_mss = static_cast<uint16_t>(hint);
}

uint32_t tcp_rcv_truesize(uint32_t frame_len) {
  // kmalloc'ed head: NET_SKB_PAD + frame + shared info, rounded to a power
  // of two, plus struct sk_buff (SKB_TRUESIZE()).
  const uint32_t need = static_cast<uint32_t>(NET_SKB_PAD) + frame_len + static_cast<uint32_t>(SKB_SHINFO_SIZE);
  uint32_t slab = 64;
  while (slab < need) slab <<= 1;
  return slab + static_cast<uint32_t>(SKB_STRUCT_SIZE);
}

namespace {

sim::Time ato_min(const sock* sk) { return sim::milliseconds(sk->skc_net->sysctl.tcp_delack_min_ms); }

// ---- delayed ACK and quick-ACK mode ---------------------------------------------------

// mirrors tcp_measure_rcv_mss(): learn the peer's MSS from full segments;
// the len/truesize ratio sets scaling_ratio (how much window a byte of
// receive buffer is worth). A sub-MSS segment with PSH marks the ACK as
// "pushed" so that reading it empties the queue with an ACK.
void tcp_measure_rcv_mss(sock* sk, const tcp_segment& seg, uint32_t truesize) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const uint32_t lss = tp->last_seg_size;
  tp->last_seg_size = 0;
  uint32_t len = seg.payload_len;
  if (len >= icsk->icsk_ack.rcv_mss) {
    if (len != icsk->icsk_ack.rcv_mss) {
      const uint32_t val = static_cast<uint32_t>((static_cast<uint64_t>(len) << TCP_RMEM_TO_WIN_SCALE) / truesize);
      const uint8_t old_ratio = tp->scaling_ratio;
      tp->scaling_ratio = static_cast<uint8_t>(val ? std::min<uint32_t>(val, 255) : 1);
      if (old_ratio != tp->scaling_ratio) {
        tp->window_clamp = static_cast<uint32_t>(tcp_win_from_space(tp, sk->sk_rcvbuf));
        if (tp->window_clamp < tp->rcvq_space.space) tp->rcvq_space.space = tp->window_clamp;
      }
    }
    icsk->icsk_ack.rcv_mss = static_cast<uint16_t>(std::min<uint32_t>(len, tp->advmss));
    // One full segment with PSH: likely the end of a write; reading it
    // should ACK at once (tcp_cleanup_rbuf).
    if (seg.flags & TCPHDR_PSH) icsk->icsk_ack.pending |= ICSK_ACK_PUSHED;
  } else {
    // The length with the TCP header is invariant to SACK-block jitter.
    len += 20 + seg.options_len;
    if (len >= TCP_MSS_DEFAULT + 20 ||
        (len >= TCP_MIN_MSS + 20 && !(seg.flags & (TCPHDR_FIN | TCPHDR_URG | TCPHDR_SYN | TCPHDR_PSH)))) {
      len -= tcp_header_len(tp);
      tp->last_seg_size = static_cast<uint16_t>(len);
      if (len == lss) {
        icsk->icsk_ack.rcv_mss = static_cast<uint16_t>(len);
        return;
      }
    }
    if (icsk->icsk_ack.pending & ICSK_ACK_PUSHED) icsk->icsk_ack.pending |= ICSK_ACK_PUSHED2;
    icsk->icsk_ack.pending |= ICSK_ACK_PUSHED;
  }
}

// mirrors tcp_incr_quickack()
void tcp_incr_quickack(sock* sk, unsigned max_quickacks) {
  inet_connection_sock* icsk = inet_csk(sk);
  unsigned quickacks = tcp_sk(sk)->rcv_wnd / (2 * std::max<unsigned>(icsk->icsk_ack.rcv_mss, 1));
  if (quickacks == 0) quickacks = 2;
  quickacks = std::min(quickacks, max_quickacks);
  if (quickacks > icsk->icsk_ack.quick) icsk->icsk_ack.quick = static_cast<uint8_t>(quickacks);
}

// mirrors tcp_in_quickack_mode(): ACK every segment while quick ACKs are
// left and the connection is not interactive.
bool tcp_in_quickack_mode(const sock* sk) {
  return inet_csk(sk)->icsk_ack.quick && !inet_csk_in_pingpong_mode(sk);
}

// ---- receive window ----------------------------------------------------------------------

// mirrors __tcp_grow_window()
int __tcp_grow_window(const sock* sk, uint32_t len, uint32_t skbtruesize) {
  const tcp_sock* tp = tcp_sk(sk);
  int truesize = tcp_win_from_space(tp, static_cast<int>(skbtruesize)) >> 1;
  int window = tcp_win_from_space(tp, sk->skc_net->sysctl.tcp_rmem[2]) >> 1;
  while (static_cast<int64_t>(tp->rcv_ssthresh) <= window) {
    if (truesize <= static_cast<int>(len)) return 2 * inet_csk(sk)->icsk_ack.rcv_mss;
    truesize >>= 1;
    window >>= 1;
  }
  return 0;
}

// mirrors tcp_grow_window(): raise rcv_ssthresh (the window we offer)
// while buffers of this truesize will still fit.
void tcp_grow_window(sock* sk, uint32_t len, uint32_t truesize) {
  tcp_sock* tp = tcp_sk(sk);
  const int room =
      std::min<int>(static_cast<int>(tp->window_clamp), tcp_space(sk)) - static_cast<int>(tp->rcv_ssthresh);
  if (room <= 0) return;
  int incr;
  if (tcp_win_from_space(tp, static_cast<int>(truesize)) <= static_cast<int>(len))
    incr = 2 * tp->advmss;
  else
    incr = __tcp_grow_window(sk, len, truesize);
  if (incr) {
    incr = std::max<int>(incr, 2 * static_cast<int>(len));
    tp->rcv_ssthresh += static_cast<uint32_t>(std::min(room, incr));
    inet_csk(sk)->icsk_ack.quick |= 1;
  }
}

// mirrors tcp_init_buffer_space(): at establishment, size the send buffer
// and clamp the window, reserving one segment of "application buffer".
void tcp_init_buffer_space(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const int tcp_app_win = sk->skc_net->sysctl.tcp_app_win;
  if (!(sk->sk_userlocks & SOCK_SNDBUF_LOCK)) tcp_sndbuf_expand(sk);
  tp->rcvq_space.time = sk->skc_net->now();
  tp->rcvq_space.seq = tp->copied_seq;
  const uint32_t maxwin = static_cast<uint32_t>(tcp_full_space(sk));
  if (tp->window_clamp >= maxwin) {
    tp->window_clamp = maxwin;
    if (tcp_app_win && maxwin > 4u * tp->advmss)
      tp->window_clamp = std::max<uint32_t>(maxwin - (tcp_app_win >= 32 ? 0 : maxwin >> tcp_app_win), 4u * tp->advmss);
  }
  if (tcp_app_win && tp->window_clamp > 2u * tp->advmss && tp->window_clamp + tp->advmss > maxwin)
    tp->window_clamp = std::max<uint32_t>(2u * tp->advmss, maxwin - tp->advmss);
  tp->rcv_ssthresh = std::min(tp->rcv_ssthresh, tp->window_clamp);
  tp->snd_cwnd_stamp = sk->skc_net->now();
  tp->rcvq_space.space = std::min({tp->rcv_ssthresh, tp->rcv_wnd, TCP_INIT_CWND * tp->advmss});
}

// mirrors tcp_clamp_window(): the receive buffer filled up; grow it up to
// tcp_rmem[2] unless the user fixed it.
void tcp_clamp_window(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_csk(sk)->icsk_ack.quick = 0;
  const int rmem2 = sk->skc_net->sysctl.tcp_rmem[2];
  if (sk->sk_rcvbuf < rmem2 && !(sk->sk_userlocks & SOCK_RCVBUF_LOCK))
    sk->sk_rcvbuf = std::min(tp->sk_rmem_alloc, rmem2);
  if (tp->sk_rmem_alloc > sk->sk_rcvbuf) tp->rcv_ssthresh = std::min(tp->window_clamp, 2u * tp->advmss);
}

// ---- receiver RTT and buffer autotuning (DRS) ---------------------------------------------

// mirrors tcp_rcv_rtt_update()
void tcp_rcv_rtt_update(tcp_sock* tp, uint32_t sample, bool win_dep) {
  const uint32_t old_sample = tp->rcv_rtt_est.rtt_us;
  const uint32_t m = sample << 3;
  uint32_t new_sample;
  if (old_sample == 0 || m < old_sample) {
    new_sample = m;
  } else {
    // Without timestamps only a minimum is kept.
    if (win_dep) return;
    // A larger sample while the application has not drained the queue
    // would inflate the autotuned buffer (6.16+).
    if (tp->rcv_nxt != tp->copied_seq) return;
    new_sample = old_sample - (old_sample >> 3) + sample;
  }
  tp->rcv_rtt_est.rtt_us = new_sample;
}

// mirrors tcp_rcv_rtt_measure(): one RTT is the time to receive a window.
void tcp_rcv_rtt_measure(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = sk->skc_net->now();
  if (tp->rcv_rtt_est.time != sim::Time()) {
    if (before(tp->rcv_nxt, tp->rcv_rtt_est.seq)) return;
    uint32_t delta_us = static_cast<uint32_t>((now - tp->rcv_rtt_est.time).us());
    if (!delta_us) delta_us = 1;
    tcp_rcv_rtt_update(tp, delta_us, true);
  }
  tp->rcv_rtt_est.seq = tp->rcv_nxt + tp->rcv_wnd;
  tp->rcv_rtt_est.time = now;
}

// mirrors tcp_rcv_rtt_measure_ts(): an RTT from our own echoed timestamp
// on a full-sized segment.
void tcp_rcv_rtt_measure_ts(sock* sk, const tcp_segment& seg) {
  tcp_sock* tp = tcp_sk(sk);
  if (!tp->rx_opt.saw_tstamp || tp->rx_opt.rcv_tsecr == tp->rcv_rtt_last_tsecr) return;
  tp->rcv_rtt_last_tsecr = tp->rx_opt.rcv_tsecr;
  if (seg.end_seq - seg.seq >= inet_csk(sk)->icsk_ack.rcv_mss && tp->rx_opt.rcv_tsecr) {
    const uint32_t delta = sk->skc_net->tcp_time_stamp_ms() - tp->rx_opt.rcv_tsecr;
    if (delta && delta < INT32_MAX / 1000) tcp_rcv_rtt_update(tp, delta * 1000, false);
  }
}

// mirrors tcp_rcvbuf_grow() (6.18): record what the application read in the
// last RTT (newval) and size the buffer for twice that, since DRS learns
// one RTT late, plus twice the growth since the previous RTT scaled to it
// (a slow-start sender doubles its rate each RTT), plus what waits in the
// out-of-order queue.
void tcp_rcvbuf_grow(sock* sk, uint32_t newval) {
  const net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t oldval = tp->rcvq_space.space;
  tp->rcvq_space.space = newval;
  if (!n->sysctl.tcp_moderate_rcvbuf || (sk->sk_userlocks & SOCK_RCVBUF_LOCK)) return;
  uint64_t rcvwin = static_cast<uint64_t>(newval) << 1;
  if (oldval) rcvwin += (rcvwin * (newval - oldval) / oldval) << 1;
  if (!tp->out_of_order_queue.empty())
    rcvwin += TCP_SKB_CB(tp->out_of_order_queue.tail)->end_seq - tp->rcv_nxt;
  const int cap = n->sysctl.tcp_rmem[2];
  const int rcvbuf = static_cast<int>(std::min<uint64_t>(
      static_cast<uint64_t>(tcp_space_from_win(tp, static_cast<int>(std::min<uint64_t>(rcvwin, INT32_MAX)))),
      static_cast<uint64_t>(cap)));
  if (rcvbuf > sk->sk_rcvbuf) {
    sk->sk_rcvbuf = rcvbuf;
    tp->window_clamp = static_cast<uint32_t>(tcp_win_from_space(tp, rcvbuf));
  }
}

// mirrors tcp_event_data_recv(): in-order data arrived. Schedules an ACK,
// learns rcv_mss and adapts the delayed-ACK timeout (ato) to the
// inter-arrival time.
void tcp_event_data_recv(sock* sk, const tcp_segment& seg, uint32_t len, uint32_t truesize) {
  inet_connection_sock* icsk = inet_csk(sk);
  inet_csk_schedule_ack(sk);
  tcp_measure_rcv_mss(sk, seg, truesize);
  tcp_rcv_rtt_measure(sk);
  const sim::Time now = sk->skc_net->now();
  if (icsk->icsk_ack.ato == sim::Time()) {
    // The first data segment starts the delayed-ACK engine in quick mode.
    tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
    icsk->icsk_ack.ato = ato_min(sk);
  } else {
    const sim::Time m = now - icsk->icsk_ack.lrcvtime;
    if (m <= ato_min(sk) / 2) {
      icsk->icsk_ack.ato = icsk->icsk_ack.ato / 2 + ato_min(sk) / 2;
    } else if (m < icsk->icsk_ack.ato) {
      icsk->icsk_ack.ato = std::min({icsk->icsk_ack.ato / 2 + m, icsk->icsk_rto, TCP_DELACK_MAX});
    } else if (m > icsk->icsk_rto) {
      // A long gap: the sender did not restart its window; ACK quickly.
      tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
    }
  }
  icsk->icsk_ack.lrcvtime = now;
  if (len >= 128) tcp_grow_window(sk, len, truesize);
}

// ---- SACK blocks we send -------------------------------------------------------------------

bool tcp_sack_extend(tcp_sack_block* sp, uint32_t seq, uint32_t end_seq) {
  if (!after(seq, sp->end_seq) && !after(sp->start_seq, end_seq)) {
    if (before(seq, sp->start_seq)) sp->start_seq = seq;
    if (after(end_seq, sp->end_seq)) sp->end_seq = end_seq;
    return true;
  }
  return false;
}

// mirrors tcp_dsack_set(): report a duplicate range (RFC 2883).
void tcp_dsack_set(sock* sk, uint32_t seq, uint32_t end_seq) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (tcp_is_sack(tp) && n->sysctl.tcp_dsack) {
    n->mib_inc(before(seq, tp->rcv_nxt) ? LINUX_MIB_TCPDSACKOLDSENT : LINUX_MIB_TCPDSACKOFOSENT);
    tp->rx_opt.dsack = true;
    tp->duplicate_sack[0] = {seq, end_seq};
  }
}

void tcp_dsack_extend(sock* sk, uint32_t seq, uint32_t end_seq) {
  tcp_sock* tp = tcp_sk(sk);
  if (!tp->rx_opt.dsack)
    tcp_dsack_set(sk, seq, end_seq);
  else
    tcp_sack_extend(tp->duplicate_sack, seq, end_seq);
}

// mirrors tcp_send_dupack(): data we already have means our ACK was lost:
// ACK at once, with a D-SACK, and leave delayed-ACK mode.
void tcp_send_dupack(sock* sk, const tcp_segment& seg) {
  tcp_sock* tp = tcp_sk(sk);
  if (seg.end_seq != seg.seq && before(seg.seq, tp->rcv_nxt)) {
    sk->skc_net->mib_inc(LINUX_MIB_DELAYEDACKLOST);
    tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
    if (tcp_is_sack(tp) && sk->skc_net->sysctl.tcp_dsack) {
      uint32_t end_seq = seg.end_seq;
      if (after(seg.end_seq, tp->rcv_nxt)) end_seq = tp->rcv_nxt;
      tcp_dsack_set(sk, seg.seq, end_seq);
    }
  }
  tcp_send_ack(sk);
}

// mirrors tcp_sack_maybe_coalesce()
void tcp_sack_maybe_coalesce(tcp_sock* tp) {
  tcp_sack_block* sp = &tp->selective_acks[0];
  for (int this_sack = 1; this_sack < tp->rx_opt.num_sacks;) {
    if (tcp_sack_extend(sp, tp->selective_acks[this_sack].start_seq, tp->selective_acks[this_sack].end_seq)) {
      tp->rx_opt.num_sacks--;
      for (int i = this_sack; i < tp->rx_opt.num_sacks; i++) tp->selective_acks[i] = tp->selective_acks[i + 1];
      continue;
    }
    this_sack++;
  }
}

// mirrors tcp_sack_compress_send_ack(): flush compressed SACKs.
void tcp_sack_compress_send_ack(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (!tp->compressed_ack) return;
  sk_stop_timer(sk, tp->compressed_ack_timer);
  // The ACK sent now is one of them: count one less.
  sk->skc_net->mib_inc(LINUX_MIB_TCPACKCOMPRESSED, tp->compressed_ack - 1);
  tp->compressed_ack = 0;
  tcp_send_ack(sk);
}

// mirrors tcp_sack_new_ofo_skb(): the block that grew, or a new one, moves
// to the front (RFC 2018: the most recent block first).
void tcp_sack_new_ofo_skb(sock* sk, uint32_t seq, uint32_t end_seq) {
  constexpr int TCP_SACK_BLOCKS_EXPECTED = 2;
  tcp_sock* tp = tcp_sk(sk);
  tcp_sack_block* sp = &tp->selective_acks[0];
  const int cur_sacks = tp->rx_opt.num_sacks;
  if (!cur_sacks) {
    sp[0] = {seq, end_seq};
    tp->rx_opt.num_sacks = 1;
    return;
  }
  int this_sack;
  for (this_sack = 0; this_sack < cur_sacks; this_sack++) {
    if (tcp_sack_extend(&sp[this_sack], seq, end_seq)) {
      if (this_sack >= TCP_SACK_BLOCKS_EXPECTED) tcp_sack_compress_send_ack(sk);
      for (; this_sack > 0; this_sack--) std::swap(sp[this_sack], sp[this_sack - 1]);
      if (cur_sacks > 1) tcp_sack_maybe_coalesce(tp);
      return;
    }
  }
  if (this_sack >= TCP_SACK_BLOCKS_EXPECTED) tcp_sack_compress_send_ack(sk);
  // No adjacent block: a new one at the front; a full array drops its last.
  if (this_sack >= TCP_NUM_SACKS) {
    this_sack--;
    tp->rx_opt.num_sacks--;
  }
  for (; this_sack > 0; this_sack--) sp[this_sack] = sp[this_sack - 1];
  sp[0] = {seq, end_seq};
  tp->rx_opt.num_sacks++;
}

// mirrors tcp_sack_remove(): rcv_nxt advanced over some blocks.
void tcp_sack_remove(tcp_sock* tp) {
  if (tp->out_of_order_queue.empty()) {
    tp->rx_opt.num_sacks = 0;
    return;
  }
  int num_sacks = tp->rx_opt.num_sacks;
  for (int this_sack = 0; this_sack < num_sacks;) {
    if (!before(tp->rcv_nxt, tp->selective_acks[this_sack].start_seq)) {
      for (int i = this_sack + 1; i < num_sacks; i++) tp->selective_acks[i - 1] = tp->selective_acks[i];
      num_sacks--;
      continue;
    }
    this_sack++;
  }
  tp->rx_opt.num_sacks = static_cast<uint8_t>(num_sacks);
}

// ---- queueing received data ---------------------------------------------------------------

// A receive buffer holding payload [off, off+len) of `seg` with sequence
// numbers seq..end_seq (end_seq counts a FIN).
sim::SkBuff* tcp_rcv_buffer(sock* sk, const tcp_segment& seg, uint32_t off, uint32_t len, uint32_t seq,
                            uint32_t end_seq, uint8_t flags) {
  net* n = sk->skc_net;
  sim::SkBuff* skb = n->skbs.alloc();
  if (len) std::memcpy(skb->put(len), seg.payload + off, len);
  tcp_skb_cb* cb = TCP_SKB_CB(skb);
  cb->seq = seq;
  cb->end_seq = end_seq;
  cb->tcp_flags = flags;
  cb->truesize = tcp_rcv_truesize(20 + tcp_header_len(tcp_sk(sk)) + seg.payload_len);
  tcp_sk(sk)->sk_rmem_alloc += static_cast<int>(cb->truesize);
  return skb;
}

void tcp_drop_buffer(sock* sk, sim::SkBuff* skb) {
  tcp_sk(sk)->sk_rmem_alloc -= static_cast<int>(TCP_SKB_CB(skb)->truesize);
  sim::kfree_skb(skb);
}

// mirrors tcp_prune_ofo_queue(): drop the out-of-order queue to make room.
bool tcp_prune_ofo_queue(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->out_of_order_queue.empty()) return false;
  sk->skc_net->mib_inc(LINUX_MIB_OFOPRUNED);
  while (sim::SkBuff* s = tp->out_of_order_queue.pop_front()) tcp_drop_buffer(sk, s);
  // RFC 2018: SACKs of what we dropped must be forgotten.
  tp->rx_opt.num_sacks = 0;
  return true;
}

// mirrors tcp_try_rmem_schedule() + tcp_prune_queue(): room for `size` more
// bytes of truesize? Grows the buffer (tcp_clamp_window) or drops the
// out-of-order queue first. SIM: no collapsing of the receive queue.
int tcp_try_rmem_schedule(sock* sk, uint32_t size) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->sk_rmem_alloc + static_cast<int>(size) <= sk->sk_rcvbuf) return 0;
  if (tp->sk_rmem_alloc >= sk->sk_rcvbuf) tcp_clamp_window(sk);
  if (tp->sk_rmem_alloc + static_cast<int>(size) <= sk->sk_rcvbuf) return 0;
  if (tcp_prune_ofo_queue(sk) && tp->sk_rmem_alloc + static_cast<int>(size) <= sk->sk_rcvbuf) return 0;
  sk->skc_net->mib_inc(LINUX_MIB_RCVPRUNED);
  return -1;
}

// mirrors tcp_ofo_queue(): move what now continues rcv_nxt from the
// out-of-order queue to the receive queue.
void tcp_ofo_queue(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  uint32_t dsack_high = tp->rcv_nxt;
  while (sim::SkBuff* skb = tp->out_of_order_queue.head) {
    tcp_skb_cb* cb = TCP_SKB_CB(skb);
    if (after(cb->seq, tp->rcv_nxt)) break;
    if (before(cb->seq, dsack_high)) {
      const uint32_t dsack = before(cb->end_seq, dsack_high) ? cb->end_seq : dsack_high;
      tcp_dsack_extend(sk, cb->seq, dsack);
    }
    tp->out_of_order_queue.pop_front();
    if (!after(cb->end_seq, tp->rcv_nxt)) {
      tcp_drop_buffer(sk, skb);
      continue;
    }
    // Trim what the receive queue already has.
    const uint32_t skip = tp->rcv_nxt - cb->seq;
    if (skip) {
      skb->pull(std::min(skip, skb->len));
      cb->seq = tp->rcv_nxt;
    }
    tp->rcv_nxt = cb->end_seq;
    const bool fin = cb->tcp_flags & TCPHDR_FIN;
    sk->sk_receive_queue.push_back(skb);
    if (fin) {
      tcp_fin(sk);  // purges the out-of-order queue
      break;
    }
  }
}

// mirrors tcp_data_queue_ofo(): keep a segment that arrived ahead of
// rcv_nxt, merging overlaps and reporting duplicates as D-SACK.
void tcp_data_queue_ofo(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t truesize = tcp_rcv_truesize(20 + tcp_header_len(tp) + seg.payload_len);
  if (tcp_try_rmem_schedule(sk, truesize)) {
    n->mib_inc(LINUX_MIB_TCPOFODROP);
    sk_data_ready(sk);
    return;
  }
  tcp_measure_rcv_mss(sk, seg, truesize);
  inet_csk_schedule_ack(sk);
  n->mib_inc(LINUX_MIB_TCPOFOQUEUE);
  const uint32_t seq = seg.seq;
  const uint32_t end_seq = seg.end_seq;
  sim::SkbQueue& q = tp->out_of_order_queue;
  if (q.empty()) {
    if (tcp_is_sack(tp)) {
      tp->rx_opt.num_sacks = 1;
      tp->selective_acks[0] = {seq, end_seq};
    }
    q.push_back(tcp_rcv_buffer(sk, seg, 0, seg.payload_len, seq, end_seq, seg.flags));
    if (tcp_is_sack(tp)) tcp_grow_window(sk, seg.payload_len, truesize);
    // Provision the buffer for what waits here; not for sockets that are
    // not yet accepted or are orphaned.
    if (sk->sk_socket) tcp_rcvbuf_grow(sk, tp->rcvq_space.space);
    return;
  }
  // Find the insertion point; handle overlaps on the way.
  sim::SkBuff** pp = &q.head;
  sim::SkBuff* prev = nullptr;
  bool insert = true;
  if (!before(seq, TCP_SKB_CB(q.tail)->end_seq)) {
    prev = q.tail;
    pp = &q.tail->next;
  } else {
    while (*pp) {
      tcp_skb_cb* cb1 = TCP_SKB_CB(*pp);
      if (before(seq, cb1->seq)) break;
      if (before(seq, cb1->end_seq)) {
        if (!after(end_seq, cb1->end_seq)) {
          // All of it is here already.
          n->mib_inc(LINUX_MIB_TCPOFOMERGE);
          tcp_dsack_set(sk, seq, end_seq);
          insert = false;
          break;
        }
        if (after(seq, cb1->seq)) {
          tcp_dsack_set(sk, seq, cb1->end_seq);  // partial overlap
        } else {
          // Same start, covers it: the new segment replaces it.
          sim::SkBuff* old = *pp;
          tcp_dsack_extend(sk, cb1->seq, cb1->end_seq);
          n->mib_inc(LINUX_MIB_TCPOFOMERGE);
          *pp = old->next;
          q.qlen--;
          q.bytes -= old->len;
          if (q.tail == old) q.tail = prev;
          tcp_drop_buffer(sk, old);
          break;
        }
      }
      prev = *pp;
      pp = &(*pp)->next;
    }
  }
  if (insert) {
    sim::SkBuff* skb = tcp_rcv_buffer(sk, seg, 0, seg.payload_len, seq, end_seq, seg.flags);
    skb->next = *pp;
    *pp = skb;
    if (!skb->next) q.tail = skb;
    q.qlen++;
    q.bytes += skb->len;
    // Remove later segments this one covers.
    while (sim::SkBuff* skb1 = skb->next) {
      tcp_skb_cb* cb1 = TCP_SKB_CB(skb1);
      if (!after(end_seq, cb1->seq)) break;
      if (before(end_seq, cb1->end_seq)) {
        tcp_dsack_extend(sk, cb1->seq, end_seq);
        break;
      }
      skb->next = skb1->next;
      if (q.tail == skb1) q.tail = skb;
      q.qlen--;
      q.bytes -= skb1->len;
      tcp_dsack_extend(sk, cb1->seq, cb1->end_seq);
      n->mib_inc(LINUX_MIB_TCPOFOMERGE);
      tcp_drop_buffer(sk, skb1);
    }
    // Without SACK the window does not grow, so dupACKs keep flowing.
    if (tcp_is_sack(tp)) tcp_grow_window(sk, seg.payload_len, truesize);
  }
  if (tcp_is_sack(tp)) tcp_sack_new_ofo_skb(sk, seq, end_seq);
  if (sk->sk_socket) tcp_rcvbuf_grow(sk, tp->rcvq_space.space);
}

// mirrors tcp_data_queue(): the text of an acceptable segment. In order:
// to the receive queue (and whatever the out-of-order queue now continues);
// already received: a duplicate ACK with D-SACK; beyond the window:
// dropped with an ACK; otherwise out of order.
void tcp_data_queue(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (seg.seq == seg.end_seq) return;
  tp->rx_opt.dsack = false;

  auto queue_and_out = [&]() {
    const uint32_t skip = tp->rcv_nxt - seg.seq;  // the head we already have (partial segment)
    const uint32_t len = seg.payload_len > skip ? seg.payload_len - skip : 0;
    const uint32_t truesize = tcp_rcv_truesize(20 + tcp_header_len(tp) + seg.payload_len);
    if (tcp_try_rmem_schedule(sk, truesize)) {
      inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_NOMEM | ICSK_ACK_NOW;
      inet_csk_schedule_ack(sk);
      sk_data_ready(sk);
      if (!sk->sk_receive_queue.empty() && len) {
        n->mib_inc(LINUX_MIB_TCPRCVQDROP);
        return;
      }
    }
    const bool fin = seg.flags & TCPHDR_FIN;
    sim::SkBuff* skb = tcp_rcv_buffer(sk, seg, skip, len, tp->rcv_nxt, seg.end_seq, seg.flags);
    sk->sk_receive_queue.push_back(skb);
    tp->rcv_nxt = seg.end_seq;
    tp->bytes_received += len;
    if (len) {
      tp->data_segs_in++;
      tcp_event_data_recv(sk, seg, len, TCP_SKB_CB(skb)->truesize);
    }
    if (fin) tcp_fin(sk);
    if (!tp->out_of_order_queue.empty()) {
      tcp_ofo_queue(sk);
      // RFC 5681 4.2: ACK at once when a gap is filled.
      if (tp->out_of_order_queue.empty()) inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_NOW;
    }
    if (tp->rx_opt.num_sacks) tcp_sack_remove(tp);
    if (!sk->flag(SOCK_DEAD)) sk_data_ready(sk);
  };
  auto out_of_window = [&]() {
    tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
    inet_csk_schedule_ack(sk);
  };

  if (seg.seq == tp->rcv_nxt) {
    if (tcp_receive_window(tp) == 0) {
      // A bare FIN is accepted on a zero window (some stacks loop sending it).
      if (!(seg.payload_len == 0 && (seg.flags & TCPHDR_FIN))) {
        n->mib_inc(LINUX_MIB_TCPZEROWINDOWDROP);
        out_of_window();
        return;
      }
    }
    queue_and_out();
    return;
  }
  if (!after(seg.end_seq, tp->rcv_nxt)) {
    // A retransmission of what we have: our ACK was probably lost.
    n->mib_inc(LINUX_MIB_DELAYEDACKLOST);
    tcp_dsack_set(sk, seg.seq, seg.end_seq);
    out_of_window();
    return;
  }
  if (!before(seg.seq, tp->rcv_nxt + tcp_receive_window(tp))) {
    out_of_window();  // beyond the window (a zero-window probe, say)
    return;
  }
  if (before(seg.seq, tp->rcv_nxt)) {
    // Partial: seq < rcv_nxt < end_seq. D-SACK the head.
    tcp_dsack_set(sk, seg.seq, tp->rcv_nxt);
    if (!tcp_receive_window(tp)) {
      n->mib_inc(LINUX_MIB_TCPZEROWINDOWDROP);
      out_of_window();
      return;
    }
    queue_and_out();
    return;
  }
  tcp_data_queue_ofo(sk, seg);
}

// ---- when to ACK ---------------------------------------------------------------------------

// mirrors tcp_data_snd_check(): send what the ACK allowed, then maybe wake
// a writer.
void tcp_data_snd_check(sock* sk) {
  tcp_push_pending_frames(sk);
  tcp_check_space(sk);
}

// mirrors __tcp_ack_snd_check(): ACK now when more than one full segment
// is unacknowledged and the window can move, in quick-ACK mode, or when
// asked to; with out-of-order data, send the first three dupACKs for a
// given rcv_nxt at once and compress the rest; otherwise delay.
void __tcp_ack_snd_check(sock* sk, bool ofo_possible) {
  const net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (((tp->rcv_nxt - tp->rcv_wup) > icsk->icsk_ack.rcv_mss && __tcp_select_window(sk) >= tp->rcv_wnd) ||
      tcp_in_quickack_mode(sk) || (icsk->icsk_ack.pending & ICSK_ACK_NOW)) {
    tcp_send_ack(sk);
    return;
  }
  if (!ofo_possible || tp->out_of_order_queue.empty()) {
    tcp_send_delayed_ack(sk);
    return;
  }
  if (!tcp_is_sack(tp) || tp->compressed_ack >= static_cast<uint32_t>(n->sysctl.tcp_comp_sack_nr)) {
    tcp_send_ack(sk);
    return;
  }
  if (tp->compressed_ack_rcv_nxt != tp->rcv_nxt) {
    tp->compressed_ack_rcv_nxt = tp->rcv_nxt;
    tp->dup_ack_counter = 0;
  }
  if (tp->dup_ack_counter < TCP_FASTRETRANS_THRESH) {
    tp->dup_ack_counter++;
    tcp_send_ack(sk);
    return;
  }
  tp->compressed_ack++;
  if (sim::timer_pending(tp->compressed_ack_timer)) return;
  // Compress for 5% of the RTT, at most tcp_comp_sack_delay_ns.
  uint64_t rtt_us8 = tp->rcv_rtt_est.rtt_us;
  if (tp->srtt_us && tp->srtt_us < rtt_us8) rtt_us8 = tp->srtt_us;
  const uint64_t delay_ns = std::min<uint64_t>(static_cast<uint64_t>(n->sysctl.tcp_comp_sack_delay_ns),
                                               rtt_us8 * (1000 >> 3) / 20);
  // SIM: the hrtimer's slack (tcp_comp_sack_slack_ns) is not modelled.
  tcp_compressed_ack_timer_start(sk, sim::nanoseconds(static_cast<int64_t>(delay_ns)));
}

// mirrors tcp_ack_snd_check()
void tcp_ack_snd_check(sock* sk) {
  if (!inet_csk_ack_scheduled(sk)) return;  // a data segment carried the ACK
  __tcp_ack_snd_check(sk, true);
}

// ---- acceptability ---------------------------------------------------------------------------

// mirrors __tcp_oow_rate_limited(): one reply per tcp_invalid_ratelimit ms.
bool __tcp_oow_rate_limited(net* n, Mib mib, tcp_sock* tp) {
  const sim::Time now = n->now();
  if (tp->last_oow_ack_valid) {
    const sim::Time elapsed = now - tp->last_oow_ack_time;
    if (elapsed >= sim::Time() && elapsed < sim::milliseconds(n->sysctl.tcp_invalid_ratelimit)) {
      n->mib_inc(mib);
      return true;
    }
  }
  tp->last_oow_ack_time = now;
  tp->last_oow_ack_valid = true;
  return false;
}

// mirrors tcp_oow_rate_limited(): data without SYN is not an ACK loop.
bool tcp_oow_rate_limited(net* n, const tcp_segment& seg, Mib mib, tcp_sock* tp) {
  if (seg.seq != seg.end_seq && !(seg.flags & TCPHDR_SYN)) return false;
  return __tcp_oow_rate_limited(n, mib, tp);
}

// mirrors tcp_send_challenge_ack() (RFC 5961 7).
// SIM: tcp_challenge_ack_limit defaults to INT_MAX in 6.18, so the
// per-namespace budget never binds unless lowered; it is not modelled.
void tcp_send_challenge_ack(sock* sk) {
  net* n = sk->skc_net;
  if (__tcp_oow_rate_limited(n, LINUX_MIB_TCPACKSKIPPEDCHALLENGE, tcp_sk(sk))) return;
  n->mib_inc(LINUX_MIB_TCPCHALLENGEACK);
  tcp_send_ack(sk);
}

// mirrors tcp_disordered_ack(): a pure duplicate ACK whose old timestamp
// is explained by reordering is not a PAWS violation.
bool tcp_disordered_ack(const sock* sk, const tcp_segment& seg) {
  const tcp_sock* tp = tcp_sk(sk);
  const uint32_t seq = seg.seq;
  const uint32_t ack = seg.ack_seq;
  const uint32_t nwin = static_cast<uint32_t>(seg.window) << tp->rx_opt.snd_wscale;
  const bool may_update = after(ack, tp->snd_una) || after(seq, tp->snd_wl1) ||
                          (seq == tp->snd_wl1 && (nwin > tp->snd_wnd || !nwin));
  // tcp_tsval_replay(): icsk_rto * 1200 / HZ, in timestamp ticks.
  const int64_t replay = inet_csk(sk)->icsk_rto.ms() * 1200 / 1000;
  return (seg.flags & TCPHDR_ACK) && seq == seg.end_seq && seq == tp->rcv_nxt && ack == tp->snd_una &&
         !may_update && static_cast<int32_t>(tp->rx_opt.ts_recent - tp->rx_opt.rcv_tsval) <= replay;
}

// mirrors tcp_paws_discard(): tcp_paws_check() with TCP_PAWS_WINDOW (1).
bool tcp_paws_discard(const sock* sk, const tcp_segment& seg, sim::Time now) {
  const tcp_sock* tp = tcp_sk(sk);
  if (static_cast<int32_t>(tp->rx_opt.ts_recent - tp->rx_opt.rcv_tsval) <= 1) return false;
  // ts_recent older than 24 days cannot be compared (TCP_PAWS_24DAYS).
  if (now >= tp->rx_opt.ts_recent_stamp + sim::seconds(60 * 60 * 24 * 24)) return false;
  // SIM: Linux also accepts any TSval while ts_recent_stamp is 0 (never set).
  if (tp->rx_opt.ts_recent_stamp == sim::Time() && tp->rx_opt.ts_recent == 0) return false;
  return !tcp_disordered_ack(sk, seg);
}

// mirrors tcp_reset_check(): after our FIN, RCV.NXT - 1 also resets.
bool tcp_reset_check(const sock* sk, const tcp_segment& seg) {
  const tcp_sock* tp = tcp_sk(sk);
  const int st = sk->skc_state;
  return seg.seq == tp->rcv_nxt - 1 && (st == TCP_CLOSE_WAIT || st == TCP_LAST_ACK || st == TCP_CLOSING);
}

// mirrors tcp_validate_incoming(): PAWS, the sequence window, RST (RFC 5961
// 3.2) and SYN (RFC 5961 4.2) checks. False: the segment is consumed.
bool tcp_validate_incoming(sock* sk, const tcp_segment& seg, bool syn_inerr) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  auto syn_challenge = [&]() {
    if (syn_inerr) n->mib_inc(TCP_MIB_INERRS);
    n->mib_inc(LINUX_MIB_TCPSYNCHALLENGE);
    tcp_send_challenge_ack(sk);
  };
  // RFC 7323: PAWS first.
  if (tp->rx_opt.saw_tstamp && tcp_paws_discard(sk, seg, n->now())) {
    if (!(seg.flags & TCPHDR_RST)) {
      if (seg.flags & TCPHDR_SYN) {
        syn_challenge();
        return false;
      }
      n->mib_inc(LINUX_MIB_PAWSESTABREJECTED);
      if (!tcp_oow_rate_limited(n, seg, LINUX_MIB_TCPACKSKIPPEDPAWS, tp)) tcp_send_dupack(sk, seg);
      return false;
    }
    // A RST is accepted even if it fails PAWS.
  }
  // Step 1: the sequence number (tcp_sequence()).
  if (before(seg.end_seq, tp->rcv_wup) || after(seg.seq, tp->rcv_nxt + tcp_receive_window(tp))) {
    if (!(seg.flags & TCPHDR_RST)) {
      if (seg.flags & TCPHDR_SYN) {
        syn_challenge();
        return false;
      }
      if (!tcp_oow_rate_limited(n, seg, LINUX_MIB_TCPACKSKIPPEDSEQ, tp)) tcp_send_dupack(sk, seg);
    } else if (tcp_reset_check(sk, seg)) {
      tcp_reset(sk);
    }
    return false;
  }
  // Step 2: RST. Exact (RCV.NXT, or RCV.NXT-1 after a FIN, or the right
  // edge of the highest SACK block) resets; others get a challenge ACK.
  if (seg.flags & TCPHDR_RST) {
    if (seg.seq == tp->rcv_nxt || tcp_reset_check(sk, seg)) {
      tcp_reset(sk);
      return false;
    }
    if (tcp_is_sack(tp) && tp->rx_opt.num_sacks > 0) {
      uint32_t max_sack = tp->selective_acks[0].end_seq;
      for (int i = 1; i < tp->rx_opt.num_sacks; ++i)
        if (after(tp->selective_acks[i].end_seq, max_sack)) max_sack = tp->selective_acks[i].end_seq;
      if (seg.seq == max_sack) {
        tcp_reset(sk);
        return false;
      }
    }
    tcp_send_challenge_ack(sk);
    return false;
  }
  // Step 4: a SYN.
  if (seg.flags & TCPHDR_SYN) {
    if (sk->skc_state == TCP_SYN_RECV && sk->sk_socket && (seg.flags & TCPHDR_ACK) && seg.seq + 1 == seg.end_seq &&
        seg.seq + 1 == tp->rcv_nxt && seg.ack_seq == tp->snd_nxt)
      return true;
    syn_challenge();
    return false;
  }
  return true;
}

// Parses the options of a segment for an existing connection
// (tcp_fast_parse_options()); our echoed timestamp is taken back to the
// local clock.
void tcp_fast_parse_options(sock* sk, const tcp_segment& seg) {
  tcp_sock* tp = tcp_sk(sk);
  tcp_parse_options(sk->skc_net, seg, true, &tp->rx_opt);
  if (tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr) tp->rx_opt.rcv_tsecr -= tp->tsoffset;
}

// mirrors tcp_finish_connect()
void tcp_finish_connect(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  tcp_set_state(sk, TCP_ESTABLISHED);
  inet_csk(sk)->icsk_ack.lrcvtime = sk->skc_net->now();
  tcp_init_transfer(sk);
  tp->lsndtime = sk->skc_net->now();  // no spurious tcp_cwnd_restart() on the first data
  if (sk->flag(SOCK_KEEPOPEN)) inet_csk_reset_keepalive_timer(sk, keepalive_time_when(sk));
}

// mirrors tcp_try_undo_spurious_syn(): the SYN timed out, but the SYN-ACK
// echoes the first SYN's timestamp: the timeout was spurious.
void tcp_try_undo_spurious_syn(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->undo_marker && tp->retrans_stamp_set && tp->rx_opt.saw_tstamp &&
      static_cast<uint32_t>(tp->retrans_stamp.ms()) == tp->rx_opt.rcv_tsecr)
    tp->undo_marker = 0;
}

// mirrors tcp_rcv_synsent_state_process(). Returns 1 when the caller must
// send a RST, 0 when the segment is consumed.
int tcp_rcv_synsent_state_process(sock* sk, const tcp_segment& seg) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const uint16_t saved_clamp = tp->rx_opt.mss_clamp;
  tcp_parse_options(n, seg, false, &tp->rx_opt);
  if (tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr) tp->rx_opt.rcv_tsecr -= tp->tsoffset;
  auto undo_options = [&]() {
    tp->rx_opt.tstamp_ok = tp->rx_opt.sack_ok = tp->rx_opt.wscale_ok = false;
    tp->rx_opt.snd_wscale = 0;
    tp->rx_opt.mss_clamp = saved_clamp;
  };
  if (seg.flags & TCPHDR_ACK) {
    if (!after(seg.ack_seq, tp->snd_una) || after(seg.ack_seq, tp->snd_nxt)) {
      // An unacceptable ACK: RST it, and if nothing was retransmitted yet,
      // retry the SYN very soon (a previous FIN/ACK or RST/ACK may have
      // been ignored by the peer).
      if (icsk->icsk_retransmits == 0) inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN, TCP_RTO_MAX);
      undo_options();
      return (seg.flags & TCPHDR_RST) ? 0 : 1;
    }
    if (tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr && tp->retrans_stamp_set &&
        !between(tp->rx_opt.rcv_tsecr, static_cast<uint32_t>(tp->retrans_stamp.ms()), n->tcp_time_stamp_ms())) {
      n->mib_inc(LINUX_MIB_PAWSACTIVEREJECTED);
      undo_options();
      return (seg.flags & TCPHDR_RST) ? 0 : 1;
    }
    if (seg.flags & TCPHDR_RST) {
      tcp_reset(sk);
      return 0;
    }
    if (!(seg.flags & TCPHDR_SYN)) {
      undo_options();
      return 0;
    }
    // A valid SYN-ACK: our SYN is acknowledged.
    tp->snd_wl1 = seg.seq;
    tcp_try_undo_spurious_syn(sk);
    tcp_ack(sk, seg, FLAG_SLOWPATH);
    tp->rcv_nxt = seg.seq + 1;
    tp->rcv_wup = seg.seq + 1;
    tp->snd_wnd = seg.window;  // never scaled in a SYN (RFC 7323 2.2)
    if (!tp->rx_opt.wscale_ok) {
      tp->rx_opt.snd_wscale = tp->rx_opt.rcv_wscale = 0;
      tp->window_clamp = std::min<uint32_t>(tp->window_clamp, 65535);
    }
    if (tp->rx_opt.saw_tstamp) {
      tp->rx_opt.tstamp_ok = true;
      tp->advmss = static_cast<uint16_t>(tp->advmss - TCPOLEN_TSTAMP_ALIGNED);
      tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
      tp->rx_opt.ts_recent_stamp = n->now();
    }
    if (!n->sysctl.tcp_sack) tp->rx_opt.sack_ok = false;
    tcp_sync_mss(sk, icsk->icsk_pmtu_cookie ? icsk->icsk_pmtu_cookie : 1500);
    tcp_initialize_rcv_mss(sk);
    tp->copied_seq = tp->rcv_nxt;
    tcp_finish_connect(sk);
    if (!sk->flag(SOCK_DEAD)) sk_state_change(sk);
    if (icsk->icsk_accept_queue.rskq_defer_accept || inet_csk_in_pingpong_mode(sk)) {
      // Save one ACK: data will follow shortly (TCP_DEFER_ACCEPT on a
      // connecting socket, or TCP_QUICKACK 0).
      inet_csk_schedule_ack(sk);
      tcp_enter_quickack_mode(sk, TCP_MAX_QUICKACKS);
      icsk->icsk_ack.pending |= ICSK_ACK_TIMER;
      icsk->icsk_ack.timeout = n->now() + TCP_DELACK_MAX;
      sk_reset_timer(sk, icsk->icsk_delack_timer, icsk->icsk_ack.timeout);
      return 0;
    }
    tcp_send_ack(sk);
    tcp_data_snd_check(sk);
    return 0;
  }
  // No ACK: a bare RST is ignored; a bare SYN would be a simultaneous open.
  // SIM: simultaneous open is not implemented; such SYNs are dropped.
  undo_options();
  return 0;
}

}  // namespace

// mirrors tcp_enter_quickack_mode(): ACK the next segments at once and
// leave interactive (pingpong) mode.
void tcp_enter_quickack_mode(sock* sk, unsigned max_quickacks) {
  tcp_incr_quickack(sk, max_quickacks);
  inet_csk_exit_pingpong_mode(sk);
  inet_csk(sk)->icsk_ack.ato = ato_min(sk);
}

// mirrors tcp_rcv_space_adjust(): called as the application reads. Once
// per receiver RTT, compare what was read with the window we planned for
// and grow the buffer (and window clamp) for the next round.
void tcp_rcv_space_adjust(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = sk->skc_net->now();
  const int64_t time_us = (now - tp->rcvq_space.time).us();
  if (time_us < static_cast<int64_t>(tp->rcv_rtt_est.rtt_us >> 3) || tp->rcv_rtt_est.rtt_us == 0) return;
  // Bytes read in the last RTT, minus what still waits in the queue.
  int64_t copied = static_cast<int32_t>(tp->copied_seq - tp->rcvq_space.seq);
  const int64_t inq = static_cast<int32_t>(tp->rcv_nxt - tp->copied_seq);
  copied -= inq;
  if (copied > static_cast<int64_t>(tp->rcvq_space.space)) tcp_rcvbuf_grow(sk, static_cast<uint32_t>(copied));
  tp->rcvq_space.seq = tp->copied_seq;
  tp->rcvq_space.time = now;
}

// mirrors tcp_init_transfer(): a connection became established. cwnd
// starts at IW10, or 1 after more than one SYN (or SYN-ACK) retransmission
// that was not spurious.
void tcp_init_transfer(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->total_retrans > 1 && tp->undo_marker)
    tp->snd_cwnd = 1;
  else
    tp->snd_cwnd = tcp_init_cwnd(tp);
  tp->snd_cwnd_stamp = sk->skc_net->now();
  if (!tp->icsk_ca_ops) {
    // A child of a listener takes the listener's congestion control.
    // SIM: Linux copies it in inet_csk_clone_lock().
    const sock* parent = sk->sk_parent;
    if (parent && tcp_sk(parent)->icsk_ca_ops)
      tp->icsk_ca_ops = tcp_sk(parent)->icsk_ca_ops;
    else
      tcp_assign_congestion_control(sk);
  }
  if (!tp->icsk_ca_initialized) tcp_init_congestion_control(sk);
  tcp_init_buffer_space(sk);
}

// mirrors tcp_done_with_error() + tcp_reset(): the peer reset the connection.
void tcp_reset(sock* sk) {
  int err;
  switch (sk->skc_state) {
    case TCP_SYN_SENT: err = ECONNREFUSED; break;
    case TCP_CLOSE_WAIT: err = EPIPE; break;
    case TCP_CLOSE: return;
    default: err = ECONNRESET; break;
  }
  sk->sk_err = err;
  tcp_write_queue_purge(sk);
  tcp_done(sk);
}

// mirrors tcp_fin(): the peer has no more data. The FIN takes effect only
// in sequence (tcp_data_queue calls this).
void tcp_fin(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_csk_schedule_ack(sk);
  sk->sk_shutdown |= RCV_SHUTDOWN;
  sk->set_flag(SOCK_DONE);
  switch (sk->skc_state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      tcp_set_state(sk, TCP_CLOSE_WAIT);
      inet_csk_enter_pingpong_mode(sk);
      break;
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
      break;  // a retransmitted FIN
    case TCP_FIN_WAIT1:
      // Simultaneous close: ACK it and wait for the ACK of ours.
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
  // Out-of-order data after the FIN is dropped.
  while (sim::SkBuff* s = tp->out_of_order_queue.pop_front()) tcp_drop_buffer(sk, s);
  if (tcp_is_sack(tp)) {
    tp->rx_opt.dsack = false;
    tp->rx_opt.num_sacks = 0;
  }
  if (!sk->flag(SOCK_DEAD)) sk_state_change(sk);
}

// mirrors tcp_rcv_established(). SIM: no header-prediction fast path; every
// segment takes the slow path, which computes the same result.
void tcp_rcv_established(sock* sk, sim::SkBuff* skb, const tcp_segment& seg) {
  (void)skb;
  tcp_sock* tp = tcp_sk(sk);
  if (tp->rcv_mss_init) {
    inet_csk(sk)->icsk_ack.rcv_mss = tp->rcv_mss_init;
    tp->rcv_mss_init = 0;
  }
  tp->segs_in++;
  if (!(seg.flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) return;
  tcp_fast_parse_options(sk, seg);
  if (!tcp_validate_incoming(sk, seg, true)) return;
  const int reason = tcp_ack(sk, seg, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT);
  if (reason < 0) {
    if (reason == -1) tcp_send_challenge_ack(sk);
    return;
  }
  tcp_rcv_rtt_measure_ts(sk, seg);
  tcp_data_queue(sk, seg);
  if (sk->skc_state == TCP_CLOSE) return;
  tcp_data_snd_check(sk);
  tcp_ack_snd_check(sk);
}

// mirrors tcp_rcv_state_process(): every state except ESTABLISHED and
// TIME_WAIT. Returns nonzero when the caller must answer with a RST.
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
  const bool was_syn_recv = sk->skc_state == TCP_SYN_RECV;
  tp->segs_in++;
  if (!(seg.flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) return 0;
  tcp_fast_parse_options(sk, seg);
  if (!tcp_validate_incoming(sk, seg, false)) return 0;
  // Step 5: the ACK field.
  const int reason = tcp_ack(sk, seg, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT | FLAG_NO_CHALLENGE_ACK);
  if (reason <= 0) {
    if (sk->skc_state == TCP_SYN_RECV) return 1;  // one RST
    if (reason < 0) {
      tcp_send_challenge_ack(sk);
      return 0;
    }
    // An old ACK is accepted while closing.
  }
  switch (sk->skc_state) {
    case TCP_SYN_RECV: {
      // The handshake completes: the child becomes ESTABLISHED.
      tp->delivered++;  // the SYN-ACK's delivery is not tracked in tcp_ack()
      if (!tp->srtt_us && tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr) {
        // tcp_synack_rtt_meas() without a timing sample: use the echo.
        const uint32_t delta = n->tcp_time_stamp_ms() - tp->rx_opt.rcv_tsecr;
        if (delta < INT32_MAX / 1000) tcp_rtt_estimator(sk, static_cast<int64_t>(delta ? delta : 1) * 1000);
      }
      if (tp->rx_opt.tstamp_ok) tp->advmss = static_cast<uint16_t>(tp->advmss - TCPOLEN_TSTAMP_ALIGNED);
      tcp_try_undo_spurious_syn(sk);
      tp->retrans_stamp_set = false;
      tcp_init_transfer(sk);
      tp->copied_seq = tp->rcv_nxt;
      tcp_set_state(sk, TCP_ESTABLISHED);
      if (!sk->flag(SOCK_DEAD)) sk_state_change(sk);
      tp->snd_una = seg.ack_seq;
      tp->snd_wnd = static_cast<uint32_t>(seg.window) << tp->rx_opt.snd_wscale;
      tp->snd_wl1 = seg.seq;
      tcp_update_pacing_rate(sk);
      tp->lsndtime = n->now();  // no spurious tcp_cwnd_restart() on the first data
      tcp_initialize_rcv_mss(sk);
      if (sk->sk_shutdown & SEND_SHUTDOWN) tcp_shutdown(sk, SEND_SHUTDOWN);
      break;
    }
    case TCP_FIN_WAIT1:
      if (tp->snd_una != tp->write_seq) break;
      tcp_set_state(sk, TCP_FIN_WAIT2);
      sk->sk_shutdown |= SEND_SHUTDOWN;
      if (!sk->flag(SOCK_DEAD)) {
        sk_state_change(sk);  // wakes a lingering close()
        break;
      }
      if (tp->linger2 < 0) {
        tcp_done(sk);
        n->mib_inc(LINUX_MIB_TCPABORTONDATA);
        return 1;
      }
      if (seg.end_seq != seg.seq && after(seg.end_seq - ((seg.flags & TCPHDR_FIN) ? 1 : 0), tp->rcv_nxt)) {
        // Data (or an out-of-order FIN) after close().
        tcp_done(sk);
        n->mib_inc(LINUX_MIB_TCPABORTONDATA);
        return 1;
      }
      if (tcp_orphan_fin_wait2(sk, seg.flags & TCPHDR_FIN)) return 0;
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
  // Step 7: the segment text.
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
  // tcp_data_queue may have moved the socket to TIME_WAIT or CLOSE.
  if (sk->skc_state != TCP_CLOSE && sk->skc_state != TCP_TIME_WAIT) {
    tcp_data_snd_check(sk);
    tcp_ack_snd_check(sk);
  }
  if (was_syn_recv) tp->rcv_mss_init = inet_csk(sk)->icsk_ack.rcv_mss;
  return 0;
}

}  // namespace stack

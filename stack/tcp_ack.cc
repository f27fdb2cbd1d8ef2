// The sender half of net/ipv4/tcp_input.c (tag: docs/kernel-version.md):
// tcp_ack() and what it drives: the send window, the SACK scoreboard, RTT
// sampling and the RTO, loss recovery (tcp_fastretrans_alert, PRR, undo),
// congestion control hooks and send-buffer growth. Split from tcp_input.cc
// (the receiver half and the state machine) only to keep files readable;
// the function names are tcp_input.c's.
//
// Segments are at most one MSS each (no TSO), so every skb in the
// retransmission queue counts one packet (tcp_skb_pcount() == 1) and SACK
// blocks never need tcp_fragment() or tcp_shift_skb_data().
// SIM: no ECN reaction (ECE is ignored), no MTU probing, no SACK block cache
// (every SACK block walks the queue; the result is the same).
#include <algorithm>

#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

constexpr int REXMIT_NONE = 0;  // no loss recovery to do
constexpr int REXMIT_LOST = 1;  // retransmit packets marked lost
constexpr int REXMIT_NEW = 2;   // FRTO-style transmit of unsent/new packets

// mirrors struct tcp_sacktag_state (with the rate_sample fields we use).
struct tcp_sacktag_state {
  sim::Time first_sackt;
  sim::Time last_sackt;
  bool have_sackt = false;
  uint32_t reord = 0;
  uint32_t sack_delivered = 0;
  int flag = 0;
  uint32_t prior_delivered = 0;  // rs->prior_delivered
  sim::Time prior_mstamp;
  bool have_prior = false;
  int64_t rtt_us = -1;           // rs->rtt_us
};

sim::Time now_of(const sock* sk) { return sk->skc_net->now(); }

uint32_t ts_ms(sim::Time t) { return static_cast<uint32_t>(t.ms()); }

// mirrors tcp_rate_skb_delivered() as far as rs->prior_delivered goes: the
// delivery count when the most recently sent (s)acked segment left.
void tcp_rate_skb_delivered(const sim::SkBuff* skb, tcp_sacktag_state* state) {
  const tcp_skb_cb* scb = TCP_SKB_CB(skb);
  if (!state->have_prior || tcp_skb_sent_after(scb->when, state->prior_mstamp, scb->end_seq, 0)) {
    state->prior_delivered = scb->tx_delivered;
    state->prior_mstamp = scb->when;
    state->have_prior = true;
  }
}

void tcp_count_delivered(tcp_sock* tp, uint32_t delivered) { tp->delivered += delivered; }

// mirrors minmax_running_min() (lib/win_minmax.c): the minimum over a
// sliding window, kept as the best, second and third best samples.
void minmax_subwin_update(minmax* m, sim::Time win, minmax_sample val) {
  const sim::Time dt = val.t - m->s[0].t;
  if (dt > win) {
    m->s[0] = m->s[1];
    m->s[1] = m->s[2];
    m->s[2] = val;
    if (val.t - m->s[0].t > win) {
      m->s[0] = m->s[1];
      m->s[1] = m->s[2];
      m->s[2] = val;
    }
  } else if (m->s[1].t == m->s[0].t && dt > win / 4) {
    m->s[2] = m->s[1] = val;
  } else if (m->s[2].t == m->s[1].t && dt > win / 2) {
    m->s[2] = val;
  }
}

void minmax_running_min(minmax* m, sim::Time win, sim::Time t, uint32_t meas) {
  const minmax_sample val{t, meas};
  if (val.v <= m->s[0].v || val.t - m->s[2].t > win) {
    m->s[0] = m->s[1] = m->s[2] = val;  // new minimum, or everything expired
    return;
  }
  if (val.v <= m->s[1].v)
    m->s[2] = m->s[1] = val;
  else if (val.v <= m->s[2].v)
    m->s[2] = val;
  minmax_subwin_update(m, win, val);
}

// mirrors tcp_update_rtt_min()
void tcp_update_rtt_min(sock* sk, uint32_t rtt_us, int flag) {
  tcp_sock* tp = tcp_sk(sk);
  if ((flag & FLAG_ACK_MAYBE_DELAYED) && rtt_us > tcp_min_rtt(tp)) return;  // a delayed ACK: skip
  minmax_running_min(&tp->rtt_min, sim::seconds(sk->skc_net->sysctl.tcp_min_rtt_wlen), now_of(sk),
                     rtt_us ? rtt_us : static_cast<uint32_t>(TCP_JIFFY.us()));
}

// mirrors tcp_rtt_estimator(): Jacobson/Karels smoothing with Linux's mdev
// and rttvar refinements (rttvar only decays once per round).
void tcp_rtt_estimator_core(sock* sk, int64_t mrtt_us) {
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t rto_min_us = static_cast<uint32_t>(sk->skc_net->sysctl.tcp_rto_min_us);
  int64_t m = mrtt_us;
  uint32_t srtt = tp->srtt_us;
  if (srtt != 0) {
    m -= (srtt >> 3);
    srtt = static_cast<uint32_t>(srtt + m);
    if (m < 0) {
      m = -m;
      m -= (tp->mdev_us >> 2);
      // Eifel-like: a falling RTT moves mdev with a smaller gain.
      if (m > 0) m >>= 3;
    } else {
      m -= (tp->mdev_us >> 2);
    }
    tp->mdev_us = static_cast<uint32_t>(tp->mdev_us + m);
    if (tp->mdev_us > tp->mdev_max_us) {
      tp->mdev_max_us = tp->mdev_us;
      if (tp->mdev_max_us > tp->rttvar_us) tp->rttvar_us = tp->mdev_max_us;
    }
    if (after(tp->snd_una, tp->rtt_seq)) {
      if (tp->mdev_max_us < tp->rttvar_us) tp->rttvar_us -= (tp->rttvar_us - tp->mdev_max_us) >> 2;
      tp->rtt_seq = tp->snd_nxt;
      tp->mdev_max_us = rto_min_us;
    }
  } else {
    srtt = static_cast<uint32_t>(m << 3);
    tp->mdev_us = static_cast<uint32_t>(m << 1);  // so that rto = 3 * rtt
    tp->rttvar_us = std::max(tp->mdev_us, rto_min_us);
    tp->mdev_max_us = tp->rttvar_us;
    tp->rtt_seq = tp->snd_nxt;
  }
  tp->srtt_us = std::max(1u, srtt);
}

// mirrors tcp_set_rto() + tcp_bound_rto(): srtt + rttvar, where rttvar is
// never below tcp_rto_min.
void tcp_set_rto(sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  const sim::Time rto = sim::microseconds((tp->srtt_us >> 3) + tp->rttvar_us);
  inet_csk(sk)->icsk_rto = std::min(rto, sim::milliseconds(sk->skc_net->sysctl.tcp_rto_max_ms));
}

// mirrors tcp_rtt_tsopt_us(): an RTT from the echoed timestamp.
int64_t tcp_rtt_tsopt_us(const sock* sk, uint32_t min_delta) {
  const tcp_sock* tp = tcp_sk(sk);
  uint32_t delta = sk->skc_net->tcp_time_stamp_ms() - tp->rx_opt.rcv_tsecr;
  if (delta < INT32_MAX / 1000) {
    if (!delta) delta = min_delta;
    return static_cast<int64_t>(delta) * 1000;
  }
  return -1;
}

// mirrors tcp_ack_update_rtt(): prefer the ACK-timing sample (Karn), fall
// back to the echoed timestamp when new data was acked.
bool tcp_ack_update_rtt(sock* sk, int flag, int64_t seq_rtt_us, int64_t sack_rtt_us, int64_t ca_rtt_us,
                        tcp_sacktag_state* rs) {
  const tcp_sock* tp = tcp_sk(sk);
  if (seq_rtt_us < 0) seq_rtt_us = sack_rtt_us;
  if (seq_rtt_us < 0 && tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr && (flag & FLAG_ACKED))
    seq_rtt_us = ca_rtt_us = tcp_rtt_tsopt_us(sk, 1);
  rs->rtt_us = ca_rtt_us;
  if (seq_rtt_us < 0) return false;
  tcp_update_rtt_min(sk, static_cast<uint32_t>(ca_rtt_us), flag);
  tcp_rtt_estimator_core(sk, seq_rtt_us);
  tcp_set_rto(sk);
  inet_csk(sk)->icsk_backoff = 0;  // RFC 6298: only on a valid sample
  return true;
}

// ---- reordering -------------------------------------------------------------------

// mirrors tcp_check_sack_reordering(): a hole below the highest SACK was
// filled by a never-retransmitted segment: that was reordering.
void tcp_check_sack_reordering(sock* sk, uint32_t low_seq, bool ts) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t mss = tp->mss_cache;
  const uint32_t fack = tcp_highest_sack_seq(tp);
  if (!before(low_seq, fack)) return;
  const uint32_t metric = fack - low_seq;
  if (metric > tp->reordering * mss && mss)
    tp->reordering = std::min<uint32_t>((metric + mss - 1) / mss, static_cast<uint32_t>(n->sysctl.tcp_max_reordering));
  tp->reord_seen++;
  n->mib_inc(ts ? LINUX_MIB_TCPTSREORDER : LINUX_MIB_TCPSACKREORDER);
}

// mirrors tcp_limit_reno_sacked()
bool tcp_limit_reno_sacked(tcp_sock* tp) {
  uint32_t holes = std::max(tp->lost_out, 1u);
  holes = std::min(holes, tp->packets_out);
  if (tp->sacked_out + holes > tp->packets_out) {
    tp->sacked_out = tp->packets_out - holes;
    return true;
  }
  return false;
}

// mirrors tcp_check_reno_reordering(): more dupACKs than segments in flight
// means the network reordered.
void tcp_check_reno_reordering(sock* sk, int addend) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (!tcp_limit_reno_sacked(tp)) return;
  tp->reordering = std::min<uint32_t>(tp->packets_out + static_cast<uint32_t>(addend),
                                      static_cast<uint32_t>(n->sysctl.tcp_max_reordering));
  tp->reord_seen++;
  n->mib_inc(LINUX_MIB_TCPRENOREORDER);
}

// mirrors tcp_add_reno_sack(): without SACK, each dupACK stands for one
// segment that left the network.
void tcp_add_reno_sack(sock* sk, int num_dupack) {
  if (!num_dupack) return;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t prior_sacked = tp->sacked_out;
  tp->sacked_out += static_cast<uint32_t>(num_dupack);
  tcp_check_reno_reordering(sk, 0);
  const int32_t delivered = static_cast<int32_t>(tp->sacked_out - prior_sacked);
  if (delivered > 0) tcp_count_delivered(tp, static_cast<uint32_t>(delivered));
}

// mirrors tcp_remove_reno_sacks(): a cumulative ACK consumes the dupACKs.
void tcp_remove_reno_sacks(sock* sk, int acked) {
  tcp_sock* tp = tcp_sk(sk);
  if (acked > 0) {
    tcp_count_delivered(tp, static_cast<uint32_t>(std::max<int>(acked - static_cast<int>(tp->sacked_out), 1)));
    if (static_cast<uint32_t>(acked - 1) >= tp->sacked_out)
      tp->sacked_out = 0;
    else
      tp->sacked_out -= static_cast<uint32_t>(acked - 1);
  }
  tcp_check_reno_reordering(sk, acked);
}

void tcp_reset_reno_sack(tcp_sock* tp) { tp->sacked_out = 0; }

// ---- the SACK scoreboard ----------------------------------------------------------

// mirrors tcp_dsack_seen(): count the D-SACKed segments; dubious ranges
// (larger than the window, or more than we ever retransmitted) are ignored.
uint32_t tcp_dsack_seen(tcp_sock* tp, uint32_t start_seq, uint32_t end_seq, tcp_sacktag_state* state) {
  if (!before(start_seq, end_seq)) return 0;
  const uint32_t seq_len = end_seq - start_seq;
  if (seq_len > tp->max_window) return 0;
  uint32_t dup_segs = 1;
  if (seq_len > tp->mss_cache)
    dup_segs = (seq_len + tp->mss_cache - 1) / tp->mss_cache;
  else if (tp->tlp_high_seq && tp->tlp_high_seq == end_seq)
    state->flag |= FLAG_DSACK_TLP;
  tp->dsack_dups += dup_segs;
  if (tp->dsack_dups > tp->total_retrans) return 0;
  tp->rx_opt.dsack_seen = true;
  if (tp->reord_seen && !(state->flag & FLAG_DSACK_TLP)) tp->rack.dsack_seen = true;
  state->flag |= FLAG_DSACKING_ACK;
  state->sack_delivered += dup_segs;  // a spurious retransmission was delivered
  return dup_segs;
}

// mirrors tcp_check_dsack(): the first block is a D-SACK if it lies below
// the cumulative ACK or inside the second block (RFC 2883).
bool tcp_check_dsack(sock* sk, uint32_t ack_seq, const tcp_sack_block* sp, int num_sacks, uint32_t prior_snd_una,
                     tcp_sacktag_state* state) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t start_seq_0 = sp[0].start_seq;
  const uint32_t end_seq_0 = sp[0].end_seq;
  if (before(start_seq_0, ack_seq)) {
    n->mib_inc(LINUX_MIB_TCPDSACKRECV);
  } else if (num_sacks > 1) {
    if (after(end_seq_0, sp[1].end_seq) || before(start_seq_0, sp[1].start_seq)) return false;
    n->mib_inc(LINUX_MIB_TCPDSACKOFORECV);
  } else {
    return false;
  }
  const uint32_t dup_segs = tcp_dsack_seen(tp, start_seq_0, end_seq_0, state);
  if (!dup_segs) {
    n->mib_inc(LINUX_MIB_TCPDSACKIGNOREDDUBIOUS);
    return false;
  }
  n->mib_inc(LINUX_MIB_TCPDSACKRECVSEGS, dup_segs);
  // D-SACK for already forgotten data: dumb counting.
  if (tp->undo_marker && tp->undo_retrans > 0 && !after(end_seq_0, prior_snd_una) && after(end_seq_0, tp->undo_marker))
    tp->undo_retrans = std::max<int32_t>(0, tp->undo_retrans - static_cast<int32_t>(dup_segs));
  return true;
}

// mirrors tcp_is_sackblock_valid()
bool tcp_is_sackblock_valid(const tcp_sock* tp, bool is_dsack, uint32_t start_seq, uint32_t end_seq) {
  if (after(end_seq, tp->snd_nxt) || !before(start_seq, end_seq)) return false;
  if (!before(start_seq, tp->snd_nxt)) return false;
  if (after(start_seq, tp->snd_una)) return true;
  if (!is_dsack || !tp->undo_marker) return false;
  if (after(end_seq, tp->snd_una)) return false;
  if (!before(start_seq, tp->undo_marker)) return true;
  if (!after(end_seq, tp->undo_marker)) return false;
  return !before(start_seq, end_seq - tp->max_window);
}

// mirrors tcp_sacktag_one(): mark one newly SACKed segment and keep the
// counters (sacked_out, lost_out, retrans_out) consistent.
uint8_t tcp_sacktag_one(sock* sk, tcp_sacktag_state* state, uint8_t sacked, uint32_t start_seq, uint32_t end_seq,
                        bool dup_sack, sim::Time xmit_time) {
  tcp_sock* tp = tcp_sk(sk);
  if (dup_sack && (sacked & TCPCB_RETRANS)) {
    if (tp->undo_marker && tp->undo_retrans > 0 && after(end_seq, tp->undo_marker))
      tp->undo_retrans = std::max<int32_t>(0, tp->undo_retrans - 1);
    if ((sacked & TCPCB_SACKED_ACKED) && before(start_seq, state->reord)) state->reord = start_seq;
  }
  if (!after(end_seq, tp->snd_una)) return sacked;
  if (!(sacked & TCPCB_SACKED_ACKED)) {
    tcp_rack_advance(tp, sacked, end_seq, xmit_time, now_of(sk));
    if (sacked & TCPCB_SACKED_RETRANS) {
      // The retransmission may still be in flight unless the original was
      // marked lost.
      if (sacked & TCPCB_LOST) {
        sacked &= static_cast<uint8_t>(~(TCPCB_LOST | TCPCB_SACKED_RETRANS));
        tp->lost_out--;
        tp->retrans_out--;
      }
    } else {
      if (!(sacked & TCPCB_RETRANS)) {
        // A never-retransmitted segment in a hole: reordering.
        if (before(start_seq, tcp_highest_sack_seq(tp)) && before(start_seq, state->reord)) state->reord = start_seq;
        if (!after(end_seq, tp->high_seq)) state->flag |= FLAG_ORIG_SACK_ACKED;
        if (!state->have_sackt) {
          state->first_sackt = xmit_time;
          state->have_sackt = true;
        }
        state->last_sackt = xmit_time;
      }
      if (sacked & TCPCB_LOST) {
        sacked &= static_cast<uint8_t>(~TCPCB_LOST);
        tp->lost_out--;
      }
    }
    sacked |= TCPCB_SACKED_ACKED;
    state->flag |= FLAG_DATA_SACKED;
    tp->sacked_out++;
    state->sack_delivered++;
  }
  // D-SACK: a redundant retransmission is no longer in flight.
  if (dup_sack && (sacked & TCPCB_SACKED_RETRANS)) {
    sacked &= static_cast<uint8_t>(~TCPCB_SACKED_RETRANS);
    tp->retrans_out--;
  }
  return sacked;
}

// mirrors tcp_sacktag_walk() for one block [start_seq, end_seq).
void tcp_sacktag_walk(sock* sk, tcp_sacktag_state* state, uint32_t start_seq, uint32_t end_seq, bool dup_sack) {
  tcp_sock* tp = tcp_sk(sk);
  for (sim::SkBuff* skb = tp->tcp_rtx_queue.head; skb; skb = skb->next) {
    tcp_skb_cb* scb = TCP_SKB_CB(skb);
    if (!after(scb->end_seq, start_seq)) continue;  // tcp_sacktag_skip()
    if (!before(scb->seq, end_seq)) break;
    const bool in_sack = !after(start_seq, scb->seq) && !before(end_seq, scb->end_seq);
    if (!in_sack) continue;
    scb->sacked = tcp_sacktag_one(sk, state, scb->sacked, scb->seq, scb->end_seq, dup_sack, scb->when);
    tcp_rate_skb_delivered(skb, state);
    if (!before(scb->seq, tp->highest_sack_end)) tp->highest_sack_end = scb->end_seq;  // tcp_advance_highest_sack()
  }
}

// mirrors tcp_sacktag_write_queue(): apply the SACK blocks of an ACK.
int tcp_sacktag_write_queue(sock* sk, uint32_t ack_seq, uint32_t prior_snd_una, tcp_sacktag_state* state) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const tcp_sack_block* sp_wire = tp->rx_opt.rcv_sacks;
  const int num_sacks = tp->rx_opt.rcv_num_sacks;
  state->flag = 0;
  state->reord = tp->snd_nxt;
  if (!tp->sacked_out) tp->highest_sack_end = tp->snd_una;  // tcp_highest_sack_reset()
  const bool found_dup_sack = tcp_check_dsack(sk, ack_seq, sp_wire, num_sacks, prior_snd_una, state);
  // Too old, but possibly still carrying useful SACK information.
  if (before(ack_seq, prior_snd_una - tp->max_window)) return 0;
  if (!tp->packets_out) return state->flag;

  tcp_sack_block sp[TCP_NUM_SACKS];
  int used_sacks = 0;
  int first_sack_index = 0;
  for (int i = 0; i < num_sacks; i++) {
    const bool dup_sack = !i && found_dup_sack;
    sp[used_sacks] = sp_wire[i];
    if (!tcp_is_sackblock_valid(tp, dup_sack, sp[used_sacks].start_seq, sp[used_sacks].end_seq)) {
      if (!dup_sack) {
        // Don't count olds caused by ACK reordering.
        if (ack_seq != tp->snd_una && !after(sp[used_sacks].end_seq, tp->snd_una)) continue;
        n->mib_inc(LINUX_MIB_TCPSACKDISCARD);
      }
      if (i == 0) first_sack_index = -1;
      continue;
    }
    if (!after(sp[used_sacks].end_seq, prior_snd_una)) {  // very old: ignore early
      if (i == 0) first_sack_index = -1;
      continue;
    }
    used_sacks++;
  }
  // Order the blocks so the queue is walked once, front to back.
  for (int i = used_sacks - 1; i > 0; i--) {
    for (int j = 0; j < i; j++) {
      if (after(sp[j].start_seq, sp[j + 1].start_seq)) {
        std::swap(sp[j], sp[j + 1]);
        if (j == first_sack_index) first_sack_index = j + 1;
      }
    }
  }
  for (int i = 0; i < used_sacks; i++) {
    const bool dup_sack = found_dup_sack && i == first_sack_index;
    tcp_sacktag_walk(sk, state, sp[i].start_seq, sp[i].end_seq, dup_sack);
  }
  if (tp->icsk_ca_state != TCP_CA_Loss || tp->undo_marker) tcp_check_sack_reordering(sk, state->reord, false);
  return state->flag;
}

// ---- undo ---------------------------------------------------------------------------

bool tcp_tsopt_ecr_before(const tcp_sock* tp, uint32_t when) {
  return tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr && before(tp->rx_opt.rcv_tsecr, when);
}

// mirrors tcp_skb_spurious_retrans(): the echoed timestamp predates the
// retransmission, so the ACK is for the original.
bool tcp_skb_spurious_retrans(const tcp_sock* tp, const sim::SkBuff* skb) {
  return (TCP_SKB_CB(skb)->sacked & TCPCB_RETRANS) && tcp_tsopt_ecr_before(tp, ts_ms(TCP_SKB_CB(skb)->when));
}

// mirrors tcp_packet_delayed(): nothing was retransmitted, or the echoed
// timestamp predates the first retransmission.
bool tcp_packet_delayed(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (tp->retrans_stamp_set) return tcp_tsopt_ecr_before(tp, ts_ms(tp->retrans_stamp));
  if (!tcp_is_sack(tp) && !before(tp->snd_una, tp->high_seq)) return false;
  if (sk->skc_state == TCP_SYN_SENT) return false;
  return true;
}

// mirrors tcp_any_retrans_done()
bool tcp_any_retrans_done(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (tp->retrans_out) return true;
  const sim::SkBuff* skb = tp->tcp_rtx_queue.head;
  return skb && (TCP_SKB_CB(skb)->sacked & TCPCB_EVER_RETRANS);
}

void tcp_retrans_stamp_cleanup(sock* sk) {
  if (!tcp_any_retrans_done(sk)) tcp_sk(sk)->retrans_stamp_set = false;
}

// mirrors tcp_undo_cwnd_reduction()
void tcp_undo_cwnd_reduction(sock* sk, bool unmark_loss) {
  tcp_sock* tp = tcp_sk(sk);
  if (unmark_loss) {
    for (sim::SkBuff* skb = tp->tcp_rtx_queue.head; skb; skb = skb->next)
      TCP_SKB_CB(skb)->sacked &= static_cast<uint8_t>(~TCPCB_LOST);
    tp->lost_out = 0;
  }
  if (tp->prior_ssthresh) {
    tp->snd_cwnd = tp->icsk_ca_ops->undo_cwnd(sk);
    if (tp->prior_ssthresh > tp->snd_ssthresh) tp->snd_ssthresh = tp->prior_ssthresh;
  }
  tp->snd_cwnd_stamp = now_of(sk);
  tp->undo_marker = 0;
  tp->rack.advanced = true;  // make RACK re-examine losses
}

bool tcp_may_undo(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  return tp->undo_marker && (!tp->undo_retrans || tcp_packet_delayed(sk));
}

// mirrors tcp_is_non_sack_preventing_reopen(): NewReno holds recovery until
// something above high_seq is acked (RFC 6582).
bool tcp_is_non_sack_preventing_reopen(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->snd_una == tp->high_seq && tcp_is_reno(tp)) {
    if (!tcp_any_retrans_done(sk)) tp->retrans_stamp_set = false;
    return true;
  }
  return false;
}

// mirrors tcp_try_undo_recovery()
bool tcp_try_undo_recovery(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (tcp_may_undo(sk)) {
    tcp_undo_cwnd_reduction(sk, false);
    n->mib_inc(tp->icsk_ca_state == TCP_CA_Loss ? LINUX_MIB_TCPLOSSUNDO : LINUX_MIB_TCPFULLUNDO);
  } else if (tp->rack.reo_wnd_persist) {
    tp->rack.reo_wnd_persist--;
  }
  if (tcp_is_non_sack_preventing_reopen(sk)) return true;
  tcp_set_ca_state(sk, TCP_CA_Open);
  tp->is_sack_reneg = false;
  return false;
}

// mirrors tcp_try_undo_dsack(): D-SACKs covered every retransmission.
bool tcp_try_undo_dsack(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->undo_marker && !tp->undo_retrans) {
    tp->rack.reo_wnd_persist =
        static_cast<uint8_t>(std::min<uint32_t>(TCP_RACK_RECOVERY_THRESH, tp->rack.reo_wnd_persist + 1u));
    tcp_undo_cwnd_reduction(sk, false);
    sk->skc_net->mib_inc(LINUX_MIB_TCPDSACKUNDO);
    return true;
  }
  return false;
}

// mirrors tcp_try_undo_loss()
bool tcp_try_undo_loss(sock* sk, bool frto_undo) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (frto_undo || tcp_may_undo(sk)) {
    tcp_undo_cwnd_reduction(sk, true);
    n->mib_inc(LINUX_MIB_TCPLOSSUNDO);
    if (frto_undo) n->mib_inc(LINUX_MIB_TCPSPURIOUSRTOS);
    inet_csk(sk)->icsk_retransmits = 0;
    if (tcp_is_non_sack_preventing_reopen(sk)) return true;
    if (frto_undo || tcp_is_sack(tp)) {
      tcp_set_ca_state(sk, TCP_CA_Open);
      tp->is_sack_reneg = false;
    }
    return true;
  }
  return false;
}

// ---- PRR (RFC 6937) -------------------------------------------------------------------

// mirrors tcp_init_cwnd_reduction()
void tcp_init_cwnd_reduction(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  tp->high_seq = tp->snd_nxt;
  tp->tlp_high_seq = 0;
  tp->snd_cwnd_cnt = 0;
  tp->prior_cwnd = tp->snd_cwnd;
  tp->prr_delivered = 0;
  tp->prr_out = 0;
  tp->snd_ssthresh = tp->icsk_ca_ops->ssthresh(sk);
}

// mirrors tcp_end_cwnd_reduction(): back to ssthresh unless undone.
void tcp_end_cwnd_reduction(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->snd_ssthresh < TCP_INFINITE_SSTHRESH && (tp->icsk_ca_state == TCP_CA_CWR || tp->undo_marker)) {
    tp->snd_cwnd = tp->snd_ssthresh;
    tp->snd_cwnd_stamp = now_of(sk);
  }
  tcp_ca_event(sk, CA_EVENT_COMPLETE_CWR);
}

// mirrors tcp_try_keep_open()
void tcp_try_keep_open(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  uint8_t state = TCP_CA_Open;
  if (tcp_left_out(tp) || tcp_any_retrans_done(sk)) state = TCP_CA_Disorder;
  if (tp->icsk_ca_state != state) {
    tcp_set_ca_state(sk, state);
    tp->high_seq = tp->snd_nxt;
  }
}

// mirrors tcp_try_to_open()
void tcp_try_to_open(sock* sk, int flag) {
  tcp_sock* tp = tcp_sk(sk);
  (void)flag;  // SIM: ECE (tcp_enter_cwr) is not implemented
  if (!tcp_any_retrans_done(sk)) tp->retrans_stamp_set = false;
  if (tp->icsk_ca_state != TCP_CA_CWR) tcp_try_keep_open(sk);
}

// mirrors tcp_process_loss(): an ACK in CA_Loss. Undo if the RTO was
// spurious (F-RTO, RFC 5682), else keep retransmitting what is lost.
void tcp_process_loss(sock* sk, int flag, int num_dupack, int* rexmit) {
  tcp_sock* tp = tcp_sk(sk);
  const bool recovered = !before(tp->snd_una, tp->high_seq);
  if ((flag & FLAG_SND_UNA_ADVANCED) && tcp_try_undo_loss(sk, false)) return;
  if (tp->frto) {
    // Step 3.b: never-retransmitted data was (s)acked: the RTO was spurious.
    if ((flag & FLAG_ORIG_SACK_ACKED) && tcp_try_undo_loss(sk, true)) return;
    if (after(tp->snd_nxt, tp->high_seq)) {
      if ((flag & FLAG_DATA_SACKED) || num_dupack) tp->frto = false;  // step 3.a: the loss was real
    } else if ((flag & FLAG_SND_UNA_ADVANCED) && !recovered) {
      tp->high_seq = tp->snd_nxt;
      // Step 2.b: try to send new data once tcp_ack() updated cwnd.
      if (!sk->sk_write_queue.empty() && after(tcp_wnd_end(tp), tp->snd_nxt)) {
        *rexmit = REXMIT_NEW;
        return;
      }
      tp->frto = false;
    }
  }
  if (recovered) {
    tcp_try_undo_recovery(sk);  // step 2.a and the first part of 3.a
    return;
  }
  if (tcp_is_reno(tp)) {
    if (after(tp->snd_nxt, tp->high_seq) && num_dupack)
      tcp_add_reno_sack(sk, num_dupack);
    else if (flag & FLAG_SND_UNA_ADVANCED)
      tcp_reset_reno_sack(tp);
  }
  *rexmit = REXMIT_LOST;
}

// mirrors tcp_force_fast_retransmit(): SACKs reach beyond dupthresh segments.
bool tcp_force_fast_retransmit(const tcp_sock* tp) {
  return after(tcp_highest_sack_seq(tp), tp->snd_una + tp->reordering * tp->mss_cache);
}

// mirrors tcp_try_undo_partial()
bool tcp_try_undo_partial(sock* sk, uint32_t prior_snd_una, bool* do_lost) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->undo_marker && tcp_packet_delayed(sk)) {
    // The hole was filled by the delayed original: reordering.
    tcp_check_sack_reordering(sk, prior_snd_una, true);
    if (tp->retrans_out) return true;
    if (!tcp_any_retrans_done(sk)) tp->retrans_stamp_set = false;
    tcp_undo_cwnd_reduction(sk, true);
    sk->skc_net->mib_inc(LINUX_MIB_TCPPARTIALUNDO);
    tcp_try_keep_open(sk);
  } else {
    *do_lost = tcp_force_fast_retransmit(tp);  // a partial ACK: retransmit more
  }
  return false;
}

// mirrors tcp_time_to_recover(): with RACK, only a proven loss starts
// recovery; without, the DUPACK threshold.
bool tcp_time_to_recover(sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (tp->lost_out) return true;
  const bool rack = sk->skc_net->sysctl.tcp_recovery & 1;
  return !rack && tp->sacked_out + 1 > tp->reordering;
}

// mirrors tcp_mark_head_lost() (RFC 6675, used when RACK is off).
void tcp_mark_head_lost(sock* sk, int packets, bool mark_head) {
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t loss_high = tp->snd_nxt;
  int cnt = 0;
  for (sim::SkBuff* skb = tp->tcp_rtx_queue.head; skb; skb = skb->next) {
    tcp_skb_cb* scb = TCP_SKB_CB(skb);
    if (after(scb->end_seq, loss_high)) break;
    if (scb->sacked & TCPCB_SACKED_ACKED) cnt++;
    if (cnt > packets) break;
    if (!(scb->sacked & TCPCB_LOST)) tcp_mark_skb_lost(sk, skb);
    if (mark_head) break;
  }
}

// mirrors tcp_update_scoreboard()
void tcp_update_scoreboard(sock* sk, bool fast_rexmit) {
  tcp_sock* tp = tcp_sk(sk);
  if (!tcp_is_sack(tp)) return;
  const int sacked_upto = static_cast<int>(tp->sacked_out) - static_cast<int>(tp->reordering);
  if (sacked_upto >= 0)
    tcp_mark_head_lost(sk, sacked_upto, false);
  else if (fast_rexmit)
    tcp_mark_head_lost(sk, 1, true);
}

// mirrors tcp_identify_packet_loss()
void tcp_identify_packet_loss(sock* sk, int* ack_flag) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->tcp_rtx_queue.empty()) return;
  if (tcp_is_reno(tp)) {
    tcp_newreno_mark_lost(sk, *ack_flag & FLAG_SND_UNA_ADVANCED);
  } else if (sk->skc_net->sysctl.tcp_recovery & 1) {
    const uint32_t prior_retrans = tp->retrans_out;
    if (tcp_rack_mark_lost(sk)) *ack_flag &= ~FLAG_SET_XMIT_TIMER;
    if (prior_retrans > tp->retrans_out) *ack_flag |= FLAG_LOST_RETRANS;
  }
}

// mirrors tcp_check_sack_reneging(): an ACK that stops at a SACKed segment;
// give the receiver max(RTT/2, 10 ms) before believing it.
bool tcp_check_sack_reneging(sock* sk, int* ack_flag) {
  if ((*ack_flag & FLAG_SACK_RENEGING) && (*ack_flag & FLAG_SND_UNA_ADVANCED)) {
    const tcp_sock* tp = tcp_sk(sk);
    const sim::Time delay = std::max(sim::microseconds(tp->srtt_us >> 4), sim::milliseconds(10));
    inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, delay, TCP_RTO_MAX);
    *ack_flag &= ~FLAG_SET_XMIT_TIMER;
    return true;
  }
  return false;
}

// mirrors tcp_fastretrans_alert(): the loss-recovery state machine, run for
// every ACK that is dubious (dupACK, SACK, or not in CA_Open).
void tcp_fastretrans_alert(sock* sk, uint32_t prior_snd_una, int num_dupack, int* ack_flag, int* rexmit) {
  tcp_sock* tp = tcp_sk(sk);
  const int flag = *ack_flag;
  bool fast_rexmit = false;
  bool do_lost = num_dupack || ((flag & FLAG_DATA_SACKED) && tcp_force_fast_retransmit(tp));
  if (!tp->packets_out && tp->sacked_out) tp->sacked_out = 0;
  if (tcp_check_sack_reneging(sk, ack_flag)) return;
  // D. State exit conditions: high_seq was acked.
  if (tp->icsk_ca_state == TCP_CA_Open) {
    tp->retrans_stamp_set = false;
  } else if (!before(tp->snd_una, tp->high_seq)) {
    switch (tp->icsk_ca_state) {
      case TCP_CA_CWR:
        // Hold CWR until something above high_seq is acked.
        if (tp->snd_una != tp->high_seq) {
          tcp_end_cwnd_reduction(sk);
          tcp_set_ca_state(sk, TCP_CA_Open);
        }
        break;
      case TCP_CA_Recovery:
        if (tcp_is_reno(tp)) tcp_reset_reno_sack(tp);
        if (tcp_try_undo_recovery(sk)) return;
        tcp_end_cwnd_reduction(sk);
        break;
      default:
        break;
    }
  }
  // E. Process the state.
  switch (tp->icsk_ca_state) {
    case TCP_CA_Recovery:
      if (!(flag & FLAG_SND_UNA_ADVANCED)) {
        if (tcp_is_reno(tp)) tcp_add_reno_sack(sk, num_dupack);
      } else if (tcp_try_undo_partial(sk, prior_snd_una, &do_lost)) {
        return;
      }
      if (tcp_try_undo_dsack(sk)) tcp_try_to_open(sk, flag);
      tcp_identify_packet_loss(sk, ack_flag);
      if (tp->icsk_ca_state != TCP_CA_Recovery) {
        if (!tcp_time_to_recover(sk)) return;
        // Undo reverted recovery but the loss is evident: start again.
        tcp_enter_recovery(sk, false);
      }
      break;
    case TCP_CA_Loss:
      tcp_process_loss(sk, flag, num_dupack, rexmit);
      tcp_identify_packet_loss(sk, ack_flag);
      if (!(tp->icsk_ca_state == TCP_CA_Open || (*ack_flag & FLAG_LOST_RETRANS))) return;
      // Change state if cwnd is undone or retransmits are lost.
      [[fallthrough]];
    default:
      if (tcp_is_reno(tp)) {
        if (flag & FLAG_SND_UNA_ADVANCED) tcp_reset_reno_sack(tp);
        tcp_add_reno_sack(sk, num_dupack);
      }
      if (tp->icsk_ca_state <= TCP_CA_Disorder) tcp_try_undo_dsack(sk);
      tcp_identify_packet_loss(sk, ack_flag);
      if (!tcp_time_to_recover(sk)) {
        tcp_try_to_open(sk, flag);
        return;
      }
      tcp_enter_recovery(sk, false);
      fast_rexmit = true;
  }
  if (!(sk->skc_net->sysctl.tcp_recovery & 1) && do_lost) tcp_update_scoreboard(sk, fast_rexmit);
  *rexmit = REXMIT_LOST;
}

// ---- ACK bookkeeping ------------------------------------------------------------------

// mirrors tcp_clean_rtx_queue(): free what the cumulative ACK covers, take
// RTT samples (Karn: never from retransmitted segments), feed RACK and the
// congestion control's pkts_acked hook.
int tcp_clean_rtx_queue(sock* sk, uint32_t prior_fack, uint32_t prior_snd_una, tcp_sacktag_state* sack) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = n->now();
  sim::Time first_ackt, last_ackt;
  bool have_ackt = false;
  const uint32_t prior_sacked = tp->sacked_out;
  uint32_t reord = tp->snd_nxt;
  int64_t sack_rtt_us = -1, seq_rtt_us = -1, ca_rtt_us = -1;
  uint32_t pkts_acked = 0;
  int flag = 0;
  sim::SkBuff* skb;
  while ((skb = tp->tcp_rtx_queue.head) != nullptr) {
    tcp_skb_cb* scb = TCP_SKB_CB(skb);
    const uint32_t start_seq = scb->seq;
    const uint8_t sacked = scb->sacked;
    if (after(scb->end_seq, tp->snd_una)) break;  // not (fully) acked
    if (sacked & TCPCB_RETRANS) {
      if (sacked & TCPCB_SACKED_RETRANS) tp->retrans_out--;
      flag |= FLAG_RETRANS_DATA_ACKED;
    } else if (!(sacked & TCPCB_SACKED_ACKED)) {
      last_ackt = scb->when;
      if (!have_ackt) {
        first_ackt = last_ackt;
        have_ackt = true;
      }
      if (before(start_seq, reord)) reord = start_seq;
      if (!after(scb->end_seq, tp->high_seq)) flag |= FLAG_ORIG_SACK_ACKED;
    }
    if (sacked & TCPCB_SACKED_ACKED) {
      tp->sacked_out--;
    } else if (tcp_is_sack(tp)) {
      tcp_count_delivered(tp, 1);
      if (!tcp_skb_spurious_retrans(tp, skb)) tcp_rack_advance(tp, sacked, scb->end_seq, scb->when, now);
    }
    if (sacked & TCPCB_LOST) tp->lost_out--;
    tp->packets_out--;
    pkts_acked++;
    tcp_rate_skb_delivered(skb, sack);
    if (!(scb->tcp_flags & TCPHDR_SYN)) {
      flag |= FLAG_DATA_ACKED;
    } else {
      flag |= FLAG_SYN_ACKED;
      tp->retrans_stamp_set = false;
    }
    tp->tcp_rtx_queue.pop_front();
    sk->sk_wmem_queued -= static_cast<int>(skb->len);
    sim::kfree_skb(skb);
  }
  if (skb && (TCP_SKB_CB(skb)->sacked & TCPCB_SACKED_ACKED)) flag |= FLAG_SACK_RENEGING;

  if (have_ackt && !(flag & FLAG_RETRANS_DATA_ACKED)) {
    seq_rtt_us = (now - first_ackt).us();
    ca_rtt_us = (now - last_ackt).us();
    if (pkts_acked == 1 && !prior_sacked && (tp->snd_una - prior_snd_una) < tp->mss_cache &&
        sack->prior_delivered + 1 == tp->delivered && !(flag & (FLAG_CA_ALERT | FLAG_SYN_ACKED)))
      flag |= FLAG_ACK_MAYBE_DELAYED;  // a lone runt segment: probably a delayed ACK
  }
  if (sack->have_sackt) {
    sack_rtt_us = (now - sack->first_sackt).us();
    ca_rtt_us = (now - sack->last_sackt).us();
  }
  const bool rtt_update = tcp_ack_update_rtt(sk, flag, seq_rtt_us, sack_rtt_us, ca_rtt_us, sack);

  if (flag & FLAG_ACKED) {
    flag |= FLAG_SET_XMIT_TIMER;
    if (tcp_is_reno(tp)) {
      tcp_remove_reno_sacks(sk, static_cast<int>(pkts_acked));
      // Without SACK bits a retransmitted segment hides whether the
      // progress came from an original transmission.
      if (flag & FLAG_RETRANS_DATA_ACKED) flag &= ~FLAG_ORIG_SACK_ACKED;
    } else if (before(reord, prior_fack)) {
      tcp_check_sack_reordering(sk, reord, false);  // a never-retransmitted hole got filled
    }
  } else if (skb && rtt_update && sack_rtt_us >= 0 && sack_rtt_us > (now - TCP_SKB_CB(skb)->when).us()) {
    // The SACK RTT comes from data sent after the head was last sent: re-arm.
    flag |= FLAG_SET_XMIT_TIMER;
  }
  if (tp->icsk_ca_ops->pkts_acked) tp->icsk_ca_ops->pkts_acked(sk, pkts_acked, sack->rtt_us);
  return flag;
}

// mirrors tcp_ack_probe(): the window opened while probing.
void tcp_ack_probe(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  sim::SkBuff* head = sk->sk_write_queue.head;
  if (!head) return;
  if (!after(TCP_SKB_CB(head)->end_seq, tcp_wnd_end(tp))) {
    icsk->icsk_backoff = 0;
    tp->icsk_probes_tstamp = sim::Time();
    inet_csk_clear_xmit_timer(sk, ICSK_TIME_PROBE0);
  } else {
    tcp_reset_xmit_timer(sk, ICSK_TIME_PROBE0, tcp_probe0_when(sk, TCP_RTO_MAX));
  }
}

// mirrors tcp_may_raise_cwnd()
bool tcp_may_raise_cwnd(const sock* sk, int flag) {
  const tcp_sock* tp = tcp_sk(sk);
  if (tp->reordering > static_cast<uint32_t>(sk->skc_net->sysctl.tcp_reordering)) return flag & FLAG_FORWARD_PROGRESS;
  return flag & FLAG_DATA_ACKED;
}

// mirrors tcp_cong_control(): PRR while reducing, else the algorithm's
// increase; then the pacing rate.
void tcp_cong_control(sock* sk, uint32_t ack, uint32_t acked_sacked, int flag, uint32_t losses) {
  tcp_sock* tp = tcp_sk(sk);
  if (tcp_in_cwnd_reduction(tp)) {
    tcp_cwnd_reduction(sk, static_cast<int>(acked_sacked), static_cast<int>(losses), flag);
  } else if (tcp_may_raise_cwnd(sk, flag)) {
    tp->icsk_ca_ops->cong_avoid(sk, ack, acked_sacked);
    tp->snd_cwnd_stamp = now_of(sk);
  }
  tcp_update_pacing_rate(sk);
}

bool tcp_may_update_window(const tcp_sock* tp, uint32_t ack, uint32_t ack_seq, uint32_t nwin) {
  return after(ack, tp->snd_una) || after(ack_seq, tp->snd_wl1) ||
         (ack_seq == tp->snd_wl1 && (nwin > tp->snd_wnd || !nwin));
}

void tcp_snd_una_update(tcp_sock* tp, uint32_t ack) {
  tp->bytes_acked += ack - tp->snd_una;
  tp->snd_una = ack;
}

// mirrors tcp_ack_update_window()
int tcp_ack_update_window(sock* sk, const tcp_segment& seg, uint32_t ack, uint32_t ack_seq) {
  tcp_sock* tp = tcp_sk(sk);
  int flag = 0;
  uint32_t nwin = seg.window;
  if (!(seg.flags & TCPHDR_SYN)) nwin <<= tp->rx_opt.snd_wscale;
  if (tcp_may_update_window(tp, ack, ack_seq, nwin)) {
    flag |= FLAG_WIN_UPDATE;
    tp->snd_wl1 = ack_seq;
    if (tp->snd_wnd != nwin) {
      tp->snd_wnd = nwin;
      if (!sk->sk_write_queue.empty()) tcp_slow_start_after_idle_check(sk);
      if (nwin > tp->max_window) {
        tp->max_window = nwin;
        tcp_sync_mss(sk, inet_csk(sk)->icsk_pmtu_cookie);
      }
    }
  }
  tcp_snd_una_update(tp, ack);
  return flag;
}

// mirrors tcp_process_tlp_ack(): was the tail loss probe needed?
void tcp_process_tlp_ack(sock* sk, uint32_t ack, int flag) {
  tcp_sock* tp = tcp_sk(sk);
  if (before(ack, tp->tlp_high_seq)) return;
  if (!tp->tlp_retrans) {
    tp->tlp_high_seq = 0;  // a probe of new data was acked
  } else if (flag & FLAG_DSACK_TLP) {
    tp->tlp_high_seq = 0;  // original and probe both arrived: no loss
  } else if (after(ack, tp->tlp_high_seq)) {
    // The probe repaired a loss: reduce cwnd once.
    tcp_init_cwnd_reduction(sk);
    tcp_set_ca_state(sk, TCP_CA_CWR);
    tcp_end_cwnd_reduction(sk);
    tcp_try_keep_open(sk);
    sk->skc_net->mib_inc(LINUX_MIB_TCPLOSSPROBERECOVERY);
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
    tp->tlp_high_seq = 0;  // pure dupACK: both arrived
  }
}

// mirrors tcp_xmit_recovery()
void tcp_xmit_recovery(sock* sk, int rexmit) {
  tcp_sock* tp = tcp_sk(sk);
  if (rexmit == REXMIT_NONE || sk->skc_state == TCP_SYN_SENT) return;
  if (rexmit == REXMIT_NEW) {
    __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF);
    if (after(tp->snd_nxt, tp->high_seq)) return;
    tp->frto = false;
  }
  tcp_xmit_retransmit_queue(sk);
}

// mirrors tcp_newly_delivered()
uint32_t tcp_newly_delivered(sock* sk, uint32_t prior_delivered) {
  const uint32_t delivered = tcp_sk(sk)->delivered - prior_delivered;
  sk->skc_net->mib_inc(LINUX_MIB_TCPDELIVERED, delivered);
  return delivered;
}

// mirrors tcp_should_expand_sndbuf()
bool tcp_should_expand_sndbuf(const sock* sk) {
  if (sk->sk_userlocks & SOCK_SNDBUF_LOCK) return false;
  const tcp_sock* tp = tcp_sk(sk);
  return tcp_packets_in_flight(tp) < tp->snd_cwnd;  // a full cwnd does not need more buffer
}

// mirrors tcp_new_space()
void tcp_new_space(sock* sk) {
  if (tcp_should_expand_sndbuf(sk)) {
    tcp_sndbuf_expand(sk);
    tcp_sk(sk)->snd_cwnd_stamp = now_of(sk);
  }
  sk_stream_write_space(sk);
}

}  // namespace

// mirrors tcp_rtt_estimator() for callers outside tcp_ack() (the SYN-ACK
// RTT in tcp_check_req, the SYN in tcp_connect): the sample goes through
// tcp_ack_update_rtt()'s steps.
void tcp_rtt_estimator(sock* sk, int64_t mrtt_us) {
  if (mrtt_us < 0) return;
  tcp_update_rtt_min(sk, static_cast<uint32_t>(mrtt_us), FLAG_SYN_ACKED);
  tcp_rtt_estimator_core(sk, mrtt_us);
  tcp_set_rto(sk);
  inet_csk(sk)->icsk_backoff = 0;
}

// mirrors tcp_mark_skb_lost()
void tcp_mark_skb_lost(sock* sk, sim::SkBuff* skb) {
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* scb = TCP_SKB_CB(skb);
  const uint8_t sacked = scb->sacked;
  if (sacked & TCPCB_SACKED_ACKED) return;
  if (sacked & TCPCB_LOST) {
    if (sacked & TCPCB_SACKED_RETRANS) {
      // The retransmission was lost again.
      scb->sacked &= static_cast<uint8_t>(~TCPCB_SACKED_RETRANS);
      tp->retrans_out--;
      sk->skc_net->mib_inc(LINUX_MIB_TCPLOSTRETRANSMIT);
      tp->lost++;
    }
  } else {
    tp->lost_out++;
    scb->sacked |= TCPCB_LOST;
    tp->lost++;
  }
}

// mirrors tcp_clear_retrans()
void tcp_clear_retrans(tcp_sock* tp) {
  tp->retrans_out = 0;
  tp->lost_out = 0;
  tp->undo_marker = 0;
  tp->undo_retrans = -1;
  tp->sacked_out = 0;
  tp->total_rto = 0;
}

// mirrors tcp_enter_loss(): an RTO. Everything outstanding is presumed
// lost (RACK spares recently sent segments), ssthresh is cut once per
// window, cwnd drops to what is in flight plus one.
void tcp_enter_loss(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const bool new_recovery = tp->icsk_ca_state < TCP_CA_Recovery;
  // tcp_timeout_mark_lost(): a SACKed head means the receiver reneged.
  sim::SkBuff* head = tp->tcp_rtx_queue.head;
  const bool is_reneg = head && (TCP_SKB_CB(head)->sacked & TCPCB_SACKED_ACKED);
  if (is_reneg) {
    n->mib_inc(LINUX_MIB_TCPSACKRENEGING);
    tp->sacked_out = 0;
    tp->is_sack_reneg = true;
  } else if (tcp_is_reno(tp)) {
    tcp_reset_reno_sack(tp);
  }
  const bool rack = n->sysctl.tcp_recovery & 1;
  for (sim::SkBuff* skb = head; skb; skb = skb->next) {
    if (is_reneg)
      TCP_SKB_CB(skb)->sacked &= static_cast<uint8_t>(~TCPCB_SACKED_ACKED);
    else if (rack && skb != head && tcp_rack_skb_timeout(tp, skb, 0, n->now()) > 0)
      continue;  // sent recently: not lost yet
    tcp_mark_skb_lost(sk, skb);
  }
  // Reduce ssthresh if it has not yet been made inside this window.
  inet_connection_sock* icsk = inet_csk(sk);
  if (tp->icsk_ca_state <= TCP_CA_Disorder || !after(tp->high_seq, tp->snd_una) ||
      (tp->icsk_ca_state == TCP_CA_Loss && !icsk->icsk_retransmits)) {
    tp->prior_ssthresh = tcp_current_ssthresh(sk);
    tp->prior_cwnd = tp->snd_cwnd;
    tp->snd_ssthresh = tp->icsk_ca_ops->ssthresh(sk);
    tcp_ca_event(sk, CA_EVENT_LOSS);
    // tcp_init_undo()
    tp->undo_marker = tp->snd_una;
    tp->undo_retrans = static_cast<int32_t>(tp->retrans_out);
    if (tp->tlp_high_seq && tp->tlp_retrans) tp->undo_retrans++;
    if (!tp->undo_retrans) tp->undo_retrans = -1;
  }
  tp->snd_cwnd = tcp_packets_in_flight(tp) + 1;
  tp->snd_cwnd_cnt = 0;
  tp->snd_cwnd_stamp = n->now();
  // Substantial dupACKs before a timeout: the reordering estimate was too high.
  const uint32_t reordering = static_cast<uint32_t>(n->sysctl.tcp_reordering);
  if (tp->icsk_ca_state <= TCP_CA_Disorder && tp->sacked_out >= reordering)
    tp->reordering = std::min(tp->reordering, reordering);
  tcp_set_ca_state(sk, TCP_CA_Loss);
  tp->high_seq = tp->snd_nxt;
  tp->tlp_high_seq = 0;
  // F-RTO (RFC 5682): only outside an ongoing recovery, or on a recurring timeout.
  tp->frto = n->sysctl.tcp_frto && (new_recovery || icsk->icsk_retransmits);
}

// mirrors tcp_enter_recovery()
void tcp_enter_recovery(sock* sk, bool ece_ack) {
  tcp_sock* tp = tcp_sk(sk);
  tcp_retrans_stamp_cleanup(sk);  // the fast retransmit starts the clock
  sk->skc_net->mib_inc(tcp_is_reno(tp) ? LINUX_MIB_TCPRENORECOVERY : LINUX_MIB_TCPSACKRECOVERY);
  tp->prior_ssthresh = 0;
  // tcp_init_undo()
  tp->undo_marker = tp->snd_una;
  tp->undo_retrans = static_cast<int32_t>(tp->retrans_out);
  if (tp->tlp_high_seq && tp->tlp_retrans) tp->undo_retrans++;
  if (!tp->undo_retrans) tp->undo_retrans = -1;
  if (!tcp_in_cwnd_reduction(tp)) {
    if (!ece_ack) tp->prior_ssthresh = tcp_current_ssthresh(sk);
    tcp_init_cwnd_reduction(sk);
  }
  tcp_set_ca_state(sk, TCP_CA_Recovery);
}

// mirrors tcp_cwnd_reduction(): Proportional Rate Reduction (RFC 6937).
void tcp_cwnd_reduction(sock* sk, int newly_acked_sacked, int newly_lost, int flag) {
  tcp_sock* tp = tcp_sk(sk);
  const int delta = static_cast<int>(tp->snd_ssthresh) - static_cast<int>(tcp_packets_in_flight(tp));
  if (newly_acked_sacked <= 0 || !tp->prior_cwnd) return;
  int sndcnt;
  tp->prr_delivered += static_cast<uint32_t>(newly_acked_sacked);
  if (delta < 0) {
    const uint64_t dividend = static_cast<uint64_t>(tp->snd_ssthresh) * tp->prr_delivered + tp->prior_cwnd - 1;
    sndcnt = static_cast<int>(dividend / tp->prior_cwnd) - static_cast<int>(tp->prr_out);
  } else {
    sndcnt = std::max(static_cast<int>(tp->prr_delivered - tp->prr_out), newly_acked_sacked);
    if ((flag & FLAG_SND_UNA_ADVANCED) && !newly_lost) sndcnt++;
    sndcnt = std::min(delta, sndcnt);
  }
  // Force a fast retransmit upon entering fast recovery.
  sndcnt = std::max(sndcnt, tp->prr_out ? 0 : 1);
  tp->snd_cwnd = static_cast<uint32_t>(static_cast<int>(tcp_packets_in_flight(tp)) + sndcnt);
}

// mirrors tcp_current_ssthresh(): outside a reduction, 3/4 of cwnd counts.
uint32_t tcp_current_ssthresh(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (tcp_in_cwnd_reduction(tp)) return tp->snd_ssthresh;
  return std::max(tp->snd_ssthresh, (tp->snd_cwnd >> 1) + (tp->snd_cwnd >> 2));
}

// mirrors tcp_rearm_rto(): restart the RTO from now, minus what an earlier
// TLP or RACK timer already waited.
void tcp_rearm_rto(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (!tp->packets_out) {
    inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
    return;
  }
  sim::Time rto = icsk->icsk_rto;
  if (icsk->icsk_pending == ICSK_TIME_REO_TIMEOUT || icsk->icsk_pending == ICSK_TIME_LOSS_PROBE) {
    // tcp_rto_delta_us(): time left until the head's RTO would fire.
    const sim::Time head_when = TCP_SKB_CB(tp->tcp_rtx_queue.head)->when;
    const sim::Time delta = head_when + icsk->icsk_rto - sk->skc_net->now();
    rto = std::max(delta, sim::microseconds(1));
  }
  tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, rto);
}

// mirrors tcp_sndbuf_expand(): room for two windows (CUBIC's 1.7x after a
// loss, rounded up) of worst-case (one skb per MSS) buffers.
void tcp_sndbuf_expand(sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  int per_mss = static_cast<int>(std::max<uint32_t>(tp->rx_opt.mss_clamp, tp->mss_cache)) + MAX_TCP_HEADER +
                SKB_SHINFO_SIZE;
  per_mss = static_cast<int>(1u << (32 - __builtin_clz(static_cast<unsigned>(per_mss - 1)))) + SKB_STRUCT_SIZE;
  uint32_t nr_segs = std::max<uint32_t>(TCP_INIT_CWND, tp->snd_cwnd);
  nr_segs = std::max(nr_segs, tp->reordering + 1);
  const int64_t sndmem = 2 * static_cast<int64_t>(nr_segs) * per_mss;
  if (sk->sk_sndbuf < sndmem)
    sk->sk_sndbuf = static_cast<int>(std::min<int64_t>(sndmem, sk->skc_net->sysctl.tcp_wmem[2]));
}

// mirrors tcp_check_space(): acked data freed send buffer; wake a writer.
void tcp_check_space(sock* sk) {
  if (sk->sk_socket && tcp_sk(sk)->sock_nospace) tcp_new_space(sk);
}

// mirrors tcp_ack(): process the acknowledgment field of a segment.
int tcp_ack(sock* sk, const tcp_segment& seg, int flag) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  tcp_sacktag_state sack_state;
  const uint32_t prior_snd_una = tp->snd_una;
  const uint32_t ack_seq = seg.seq;
  const uint32_t ack = seg.ack_seq;
  int num_dupack = 0;
  const uint32_t prior_packets = tp->packets_out;
  const uint32_t prior_delivered = tp->delivered;
  const uint32_t prior_lost = tp->lost;
  int rexmit = REXMIT_NONE;

  if (before(ack, prior_snd_una)) {
    // RFC 5961 5.2: an ACK far below the window is an injection attempt.
    const uint32_t max_window = static_cast<uint32_t>(std::min<uint64_t>(tp->max_window, tp->bytes_acked));
    if (before(ack, prior_snd_una - max_window)) return -1;
    // Old ACK: SACK information may still be useful.
    if (tp->rx_opt.rcv_num_sacks) {
      flag |= tcp_sacktag_write_queue(sk, ack, prior_snd_una, &sack_state);
      tcp_fastretrans_alert(sk, prior_snd_una, num_dupack, &flag, &rexmit);
      tcp_newly_delivered(sk, prior_delivered);
      tcp_xmit_recovery(sk, rexmit);
    }
    return 0;
  }
  if (after(ack, tp->snd_nxt)) return -2;  // acks data never sent (RFC 793 3.9)
  if (after(ack, prior_snd_una)) {
    flag |= FLAG_SND_UNA_ADVANCED;
    icsk->icsk_retransmits = 0;
  }
  const uint32_t prior_fack = tcp_is_sack(tp) ? tcp_highest_sack_seq(tp) : tp->snd_una;

  // ts_recent is updated only once the segment is known to be in window.
  if ((flag & FLAG_UPDATE_TS_RECENT) && tp->rx_opt.saw_tstamp && !after(ack_seq, tp->rcv_wup)) {
    tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
    tp->rx_opt.ts_recent_stamp = n->now();
  }
  // SIM: every segment takes Linux's slow path (no header prediction).
  if (ack_seq != seg.end_seq) flag |= FLAG_DATA;
  flag |= tcp_ack_update_window(sk, seg, ack, ack_seq);
  if (tp->rx_opt.rcv_num_sacks) flag |= tcp_sacktag_write_queue(sk, ack, prior_snd_una, &sack_state);
  if (sack_state.sack_delivered) tcp_count_delivered(tp, sack_state.sack_delivered);

  sk->sk_err_soft = 0;
  tp->icsk_probes_out = 0;
  tp->rcv_tstamp = n->now();
  if (!prior_packets) {
    // Nothing was outstanding.
    if (flag & FLAG_DSACKING_ACK) {
      tcp_fastretrans_alert(sk, prior_snd_una, num_dupack, &flag, &rexmit);
      tcp_newly_delivered(sk, prior_delivered);
    }
    tcp_ack_probe(sk);
    if (tp->tlp_high_seq) tcp_process_tlp_ack(sk, ack, flag);
    return 1;
  }
  flag |= tcp_clean_rtx_queue(sk, prior_fack, prior_snd_una, &sack_state);
  tcp_rack_update_reo_wnd(sk, sack_state.prior_delivered);
  if (tp->tlp_high_seq) tcp_process_tlp_ack(sk, ack, flag);
  // Dubious: a duplicate, a SACK, or recovery in progress.
  if (!(flag & FLAG_NOT_DUP) || (flag & FLAG_CA_ALERT) || tp->icsk_ca_state != TCP_CA_Open) {
    if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK))) num_dupack = 1;
    tcp_fastretrans_alert(sk, prior_snd_una, num_dupack, &flag, &rexmit);
  }
  if (flag & FLAG_SET_XMIT_TIMER) {  // tcp_set_xmit_timer()
    if (!tcp_schedule_loss_probe(sk, true)) tcp_rearm_rto(sk);
  }
  const uint32_t delivered = tcp_newly_delivered(sk, prior_delivered);
  tcp_cong_control(sk, ack, delivered, flag, tp->lost - prior_lost);
  tcp_xmit_recovery(sk, rexmit);
  return 1;
}

}  // namespace stack

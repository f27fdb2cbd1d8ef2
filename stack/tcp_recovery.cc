// mirrors net/ipv4/tcp_recovery.c (tag: docs/kernel-version.md): RACK loss
// detection (RFC 8985) and NewReno's loss marking for connections without
// SACK.
//
// RACK marks a segment lost when a segment sent after it was delivered and
// more than RTT + reo_wnd has passed since it was sent. Without observed
// reordering, reo_wnd is 0 once three segments were SACKed (the DUPACK
// threshold) or during recovery, and min_rtt/4 otherwise.
//
// SIM: Linux walks tp->tsorted_sent_queue (transmit-time order) and stops at
// the first segment not sent after the RACK reference; we walk the whole
// retransmission queue and skip those, which marks the same segments.
// Segments already SACKed are skipped too (in Linux they can only extend the
// reordering timer, never be marked).
#include <algorithm>

#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

constexpr int TCP_RACK_LOSS_DETECTION = 0x1;
constexpr int TCP_RACK_STATIC_REO_WND = 0x2;
constexpr int TCP_RACK_NO_DUPTHRESH = 0x4;

// mirrors tcp_rack_reo_wnd()
uint32_t tcp_rack_reo_wnd(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (!tp->reord_seen) {
    // No reordering seen: be aggressive in recovery, or when the DUPACK
    // threshold is reached.
    if (tp->icsk_ca_state >= TCP_CA_Recovery) return 0;
    if (tp->sacked_out >= tp->reordering && !(sk->skc_net->sysctl.tcp_recovery & TCP_RACK_NO_DUPTHRESH))
      return 0;
  }
  return std::min((tcp_min_rtt(tp) >> 2) * tp->rack.reo_wnd_steps, tp->srtt_us >> 3);
}

// mirrors tcp_rack_detect_loss(): *reo_timeout is the longest wait left for
// a segment that is not yet overdue.
void tcp_rack_detect_loss(sock* sk, uint32_t* reo_timeout) {
  tcp_sock* tp = tcp_sk(sk);
  const sim::Time now = sk->skc_net->now();
  *reo_timeout = 0;
  const uint32_t reo_wnd = tcp_rack_reo_wnd(sk);
  for (sim::SkBuff* skb = tp->tcp_rtx_queue.head; skb; skb = skb->next) {
    const tcp_skb_cb* scb = TCP_SKB_CB(skb);
    if (scb->sacked & TCPCB_SACKED_ACKED) continue;
    // Marked lost but not retransmitted yet: nothing to decide.
    if ((scb->sacked & TCPCB_LOST) && !(scb->sacked & TCPCB_SACKED_RETRANS)) continue;
    if (!tcp_skb_sent_after(tp->rack.mstamp, scb->when, tp->rack.end_seq, scb->end_seq)) continue;
    const int32_t remaining = tcp_rack_skb_timeout(tp, skb, reo_wnd, now);
    if (remaining <= 0)
      tcp_mark_skb_lost(sk, skb);
    else
      *reo_timeout = std::max(*reo_timeout, static_cast<uint32_t>(remaining));
  }
}

}  // namespace

// mirrors tcp_rack_skb_timeout(): microseconds until skb is overdue.
int32_t tcp_rack_skb_timeout(const tcp_sock* tp, const sim::SkBuff* skb, uint32_t reo_wnd, sim::Time now) {
  return static_cast<int32_t>(tp->rack.rtt_us + reo_wnd - (now - TCP_SKB_CB(skb)->when).us());
}

// mirrors tcp_rack_mark_lost(): returns true when a reordering timer was
// armed (the caller then leaves the RTO/TLP timer alone).
bool tcp_rack_mark_lost(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (!tp->rack.advanced) return false;
  tp->rack.advanced = false;
  uint32_t timeout;
  tcp_rack_detect_loss(sk, &timeout);
  if (timeout) {
    inet_csk_reset_xmit_timer(sk, ICSK_TIME_REO_TIMEOUT, sim::microseconds(timeout) + TCP_TIMEOUT_MIN_US,
                              inet_csk(sk)->icsk_rto);
  }
  return timeout != 0;
}

// mirrors tcp_rack_advance(): remember the most recently sent segment that
// was (s)acked, and the RTT it measured.
void tcp_rack_advance(tcp_sock* tp, uint8_t sacked, uint32_t end_seq, sim::Time xmit_time, sim::Time now) {
  const uint32_t rtt_us = static_cast<uint32_t>((now - xmit_time).us());
  // A retransmitted segment acked faster than min_rtt: the ACK is for the
  // original, ambiguously; ignore it.
  if (rtt_us < tcp_min_rtt(tp) && (sacked & TCPCB_RETRANS)) return;
  tp->rack.advanced = true;
  tp->rack.rtt_us = rtt_us;
  if (tcp_skb_sent_after(xmit_time, tp->rack.mstamp, end_seq, tp->rack.end_seq)) {
    tp->rack.mstamp = xmit_time;
    tp->rack.end_seq = end_seq;
  }
}

// mirrors tcp_rack_reo_timeout(): the reordering window passed; mark what is
// overdue and retransmit it, entering recovery if needed.
void tcp_rack_reo_timeout(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t lost = tp->lost;
  const uint32_t prior_inflight = tcp_packets_in_flight(tp);
  uint32_t timeout;
  tcp_rack_detect_loss(sk, &timeout);
  if (prior_inflight != tcp_packets_in_flight(tp)) {
    if (tp->icsk_ca_state != TCP_CA_Recovery) {
      tcp_enter_recovery(sk, false);
      tcp_cwnd_reduction(sk, 1, static_cast<int>(tp->lost - lost), 0);
    }
    tcp_xmit_retransmit_queue(sk);
  }
  if (inet_csk(sk)->icsk_pending != ICSK_TIME_RETRANS) tcp_rearm_rto(sk);
}

// mirrors tcp_rack_update_reo_wnd(): widen the reordering window by
// min_rtt/4 per round that saw a D-SACK, for 16 recoveries.
void tcp_rack_update_reo_wnd(sock* sk, uint32_t prior_delivered) {
  tcp_sock* tp = tcp_sk(sk);
  if ((sk->skc_net->sysctl.tcp_recovery & TCP_RACK_STATIC_REO_WND) || !prior_delivered) return;
  if (before(prior_delivered, tp->rack.last_delivered)) tp->rack.dsack_seen = false;
  if (tp->rack.dsack_seen) {
    tp->rack.reo_wnd_steps = static_cast<uint8_t>(std::min<uint32_t>(0xff, tp->rack.reo_wnd_steps + 1u));
    tp->rack.dsack_seen = false;
    tp->rack.last_delivered = tp->delivered;
    tp->rack.reo_wnd_persist = TCP_RACK_RECOVERY_THRESH;
  } else if (!tp->rack.reo_wnd_persist) {
    tp->rack.reo_wnd_steps = 1;
  }
}

// mirrors tcp_newreno_mark_lost(): without SACK, the head is lost at the
// third duplicate ACK and again on each partial ACK in recovery (RFC 6582).
void tcp_newreno_mark_lost(sock* sk, bool snd_una_advanced) {
  tcp_sock* tp = tcp_sk(sk);
  const uint8_t state = tp->icsk_ca_state;
  if ((state < TCP_CA_Recovery && tp->sacked_out >= tp->reordering) ||
      (state == TCP_CA_Recovery && snd_una_advanced)) {
    sim::SkBuff* skb = tp->tcp_rtx_queue.head;
    if (!skb || (TCP_SKB_CB(skb)->sacked & TCPCB_LOST)) return;
    tcp_mark_skb_lost(sk, skb);
  }
}

static_assert(TCP_RACK_LOSS_DETECTION == 1);

}  // namespace stack

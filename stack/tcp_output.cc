// mirrors net/ipv4/tcp_output.c (tag: docs/kernel-version.md): building and
// sending segments, option layout, window selection, Nagle, the write queue
// (tcp_write_xmit), retransmissions, tail loss probes, window probes and
// SYN/SYN-ACK/ACK/RST/FIN.
//
// SIM: no TSO/GSO. Every skb in the write queue holds at most one MSS, so
// tcp_write_xmit() sends one segment per skb; on the wire this is what GSO
// produces (PSH only on the last segment of a write). TSO deferral
// (tcp_tso_should_defer) and autocorking are therefore absent; in Linux they
// only act within a millisecond of the previous transmission or while a
// transmit completion is pending. No pacing, TSQ, MTU probing or ECN marking.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sim/wire/bytes.h"
#include "sim/wire/tcp.h"
#include "sim/wire/tcp_options.h"
#include "stack/inet_connection_sock.h"
#include "stack/ip.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

enum : uint16_t { OPTION_SACK_ADVERTISE = 1, OPTION_TS = 2, OPTION_WSCALE = 4, OPTION_MSS = 8 };

// mirrors struct tcp_out_options
struct tcp_out_options {
  uint16_t options = 0;
  uint16_t mss = 0;
  uint8_t ws = 0;
  uint8_t num_sack_blocks = 0;
  uint32_t tsval = 0;
  uint32_t tsecr = 0;
  tcp_sack_block sack[TCP_NUM_SACKS] = {};
};

// mirrors tcp_options_write(): the order is observable on the wire.
// MSS; then SACK-permitted and timestamps packed together, or NOP NOP before
// whichever is alone; then NOP + window scale; then NOP NOP + SACK blocks.
uint8_t tcp_options_write(uint8_t* p, const tcp_out_options& o) {
  uint8_t* q = p;
  if (o.options & OPTION_MSS) q = sim::wire::put_tcpopt_mss(q, o.mss);
  if (o.options & OPTION_TS) {
    if (o.options & OPTION_SACK_ADVERTISE) {
      q = sim::wire::put_tcpopt_sack_perm(q);
    } else {
      q = sim::wire::put_tcpopt_nop(q);
      q = sim::wire::put_tcpopt_nop(q);
    }
    q = sim::wire::put_tcpopt_timestamp(q, o.tsval, o.tsecr);
  } else if (o.options & OPTION_SACK_ADVERTISE) {
    q = sim::wire::put_tcpopt_nop(q);
    q = sim::wire::put_tcpopt_nop(q);
    q = sim::wire::put_tcpopt_sack_perm(q);
  }
  if (o.options & OPTION_WSCALE) {
    q = sim::wire::put_tcpopt_nop(q);
    q = sim::wire::put_tcpopt_wscale(q, o.ws);
  }
  if (o.num_sack_blocks) {
    sim::wire::TcpSackBlock b[4];
    for (uint8_t i = 0; i < o.num_sack_blocks; ++i) b[i] = {o.sack[i].start_seq, o.sack[i].end_seq};
    q = sim::wire::put_tcpopt_nop(q);
    q = sim::wire::put_tcpopt_nop(q);
    q = sim::wire::put_tcpopt_sack(q, b, o.num_sack_blocks);
  }
  return static_cast<uint8_t>(q - p);
}

uint16_t route_advmss(uint32_t mtu) { return static_cast<uint16_t>(std::min<uint32_t>(mtu - 40, 65495)); }

// Pushes the TCP header for `r` (options already in `opts`) in front of
// skb->data, fills the checksum and hands the packet to IP.
int push_and_send(net* n, sim::SkBuff* skb, const sim::wire::TcpRepr& r, uint32_t saddr, uint32_t daddr,
                  uint8_t tos) {
  const uint32_t hlen = sim::wire::tcp_header_len(r);
  uint8_t* h = skb->push(hlen);
  sim::wire::emit_tcp_header(h, r);
  sim::wire::tcp_fill_checksum(h, skb->len, saddr, daddr);
  n->mib_inc(TCP_MIB_OUTSEGS);
  if (r.flags & TCPHDR_RST) n->mib_inc(TCP_MIB_OUTRSTS);
  return ip_build_and_send_pkt(n, skb, saddr, daddr, IPPROTO_TCP, tos, 0);
}

sim::SkBuff* alloc_empty_skb(net* n) { return n->skbs.alloc(); }

}  // namespace
uint32_t tcp_mss_clamp_from_route(const net* n, uint32_t daddr) {
  rtable rt;
  if (!ip_route_output(n, daddr, &rt)) return 1460;
  return route_advmss(rt.rt_mtu);
}

// mirrors tcp_select_initial_window()
void tcp_select_initial_window(const net* n, int space_in, uint32_t mss, uint32_t* rcv_wnd, uint32_t* window_clamp,
                               bool wscale_ok, uint8_t* rcv_wscale, uint32_t init_rcv_wnd) {
  uint32_t space = space_in < 0 ? 0 : static_cast<uint32_t>(space_in);
  if (*window_clamp == 0) *window_clamp = 65535u << TCP_MAX_WSCALE;
  space = std::min(*window_clamp, space);
  if (space > mss) space = space / mss * mss;
  if (n->sysctl.tcp_workaround_signed_windows)
    *rcv_wnd = std::min(space, MAX_TCP_WINDOW);
  else
    *rcv_wnd = space;
  if (init_rcv_wnd) *rcv_wnd = std::min(*rcv_wnd, init_rcv_wnd * mss);
  *rcv_wscale = 0;
  if (wscale_ok) {
    uint32_t s = std::max<uint32_t>(space, static_cast<uint32_t>(n->sysctl.tcp_rmem[2]));
    s = std::max<uint32_t>(s, static_cast<uint32_t>(n->sysctl.rmem_max));
    s = std::min(s, *window_clamp);
    int l = 31 - __builtin_clz(s | 1);
    *rcv_wscale = static_cast<uint8_t>(std::clamp(l - 15, 0, static_cast<int>(TCP_MAX_WSCALE)));
  }
  *window_clamp = std::min<uint32_t>(65535u << *rcv_wscale, *window_clamp);
}


namespace {

sim::Time now_of(const sock* sk) { return sk->skc_net->now(); }

// mirrors tcp_established_options(): timestamps, then SACK blocks (a D-SACK
// first) in the room left. Returns the option bytes.
uint32_t tcp_established_options(const tcp_sock* tp, const net* n, tcp_out_options* opts) {
  uint32_t size = 0;
  if (tp->rx_opt.tstamp_ok) {
    opts->options |= OPTION_TS;
    opts->tsval = n->tcp_time_stamp_ms() + tp->tsoffset;
    opts->tsecr = tp->rx_opt.ts_recent;
    size += TCPOLEN_TSTAMP_ALIGNED;
  }
  const uint32_t eff_sacks = tp->rx_opt.num_sacks + (tp->rx_opt.dsack ? 1 : 0);
  if (eff_sacks) {
    const uint32_t remaining = MAX_TCP_OPTION_SPACE - size;
    if (remaining < 4 + 8) return size;
    opts->num_sack_blocks = static_cast<uint8_t>(std::min<uint32_t>(eff_sacks, (remaining - 4) / 8));
    uint8_t k = 0;
    if (tp->rx_opt.dsack) opts->sack[k++] = tp->duplicate_sack[0];
    for (uint8_t i = 0; k < opts->num_sack_blocks; ++i) opts->sack[k++] = tp->selective_acks[i];
    size += 4 + 8 * opts->num_sack_blocks;
  }
  return size;
}

// mirrors tcp_event_ack_sent(): an ACK left, so the delayed ACK is done
// and one quick ACK is used up (tcp_dec_quickack_mode()).
void tcp_event_ack_sent(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (tp->compressed_ack) {
    sk->skc_net->mib_inc(LINUX_MIB_TCPACKCOMPRESSED, tp->compressed_ack);
    tp->compressed_ack = 0;
    sk_stop_timer(sk, tp->compressed_ack_timer);
  }
  if (icsk->icsk_ack.quick) {
    const unsigned pkts = inet_csk_ack_scheduled(sk) ? 1 : 0;
    if (pkts >= icsk->icsk_ack.quick) {
      icsk->icsk_ack.quick = 0;
      icsk->icsk_ack.ato = sim::milliseconds(sk->skc_net->sysctl.tcp_delack_min_ms);  // leaving quick mode
    } else {
      icsk->icsk_ack.quick = static_cast<uint8_t>(icsk->icsk_ack.quick - pkts);
    }
  }
  // inet_csk_clear_xmit_timer(ICSK_TIME_DACK). SIM: Linux leaves the timer
  // to fire idle; stopping it is equivalent.
  icsk->icsk_ack.pending = 0;
  sk_stop_timer(sk, icsk->icsk_delack_timer);
}

// mirrors tcp_event_data_sent(): a reply sent within ato of the last
// received data makes the connection interactive (pingpong).
void tcp_event_data_sent(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const sim::Time now = now_of(sk);
  if (tcp_packets_in_flight(tp) == 0) tcp_ca_event(sk, CA_EVENT_TX_START);
  tp->lsndtime = now;
  if (now - icsk->icsk_ack.lrcvtime < icsk->icsk_ack.ato && icsk->icsk_ack.pingpong < 255)
    icsk->icsk_ack.pingpong++;
}

// mirrors __tcp_transmit_skb(): build the header and options from the
// socket state and hand the segment to IP. With `clone`, the queued skb
// stays for retransmission and a copy leaves; its send time is recorded.
int __tcp_transmit_skb(sock* sk, sim::SkBuff* skb, bool clone, uint32_t rcv_nxt) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->when = n->now();
  tcb->tx_delivered = tp->delivered;  // tcp_rate_skb_sent()
  sim::SkBuff* out = clone ? n->skbs.copy(*skb) : skb;

  tcp_out_options opts;
  const bool syn = tcb->tcp_flags & TCPHDR_SYN;
  if (syn) {
    // mirrors tcp_syn_options()
    opts.options |= OPTION_MSS;
    opts.mss = tp->advmss;
    if (n->sysctl.tcp_timestamps) {
      opts.options |= OPTION_TS;
      opts.tsval = n->tcp_time_stamp_ms() + tp->tsoffset;
      opts.tsecr = tp->rx_opt.ts_recent;
    }
    if (n->sysctl.tcp_window_scaling) {
      opts.options |= OPTION_WSCALE;
      opts.ws = tp->rx_opt.rcv_wscale;
    }
    if (n->sysctl.tcp_sack) opts.options |= OPTION_SACK_ADVERTISE;
  } else {
    tcp_established_options(tp, n, &opts);
  }
  uint8_t optbuf[40];
  sim::wire::TcpRepr r;
  r.sport = sk->skc_num;
  r.dport = sk->skc_dport;
  r.seq = tcb->seq;
  r.ack = rcv_nxt;
  r.flags = tcb->tcp_flags;
  r.options_len = tcp_options_write(optbuf, opts);
  r.options = optbuf;
  if (syn) {
    r.window = static_cast<uint16_t>(std::min<uint32_t>(tp->rcv_wnd, 65535));  // never scaled (RFC 7323 2.2)
  } else {
    r.window = tcp_select_window(sk);
  }
  if (opts.num_sack_blocks) tp->rx_opt.dsack = false;  // the D-SACK went out once
  if (r.flags & TCPHDR_ACK) tcp_event_ack_sent(sk);
  if (out->len) {
    tcp_event_data_sent(sk);
    tp->data_segs_out++;
    tp->bytes_sent += out->len;
  }
  // TcpOutSegs excludes retransmissions (RFC 1213).
  if (after(tcb->end_seq, tp->snd_nxt) || tcb->seq == tcb->end_seq) n->mib_inc(TCP_MIB_OUTSEGS);
  tp->segs_out++;
  const uint32_t hlen = sim::wire::tcp_header_len(r);
  uint8_t* h = out->push(hlen);
  sim::wire::emit_tcp_header(h, r);
  sim::wire::tcp_fill_checksum(h, out->len, inet_sk(sk)->inet_saddr, sk->skc_daddr);
  if (r.flags & TCPHDR_RST) n->mib_inc(TCP_MIB_OUTRSTS);
  // Through ip_queue_xmit(): a connected socket numbers its IP IDs.
  return ip_queue_xmit(sk, out, inet_sk(sk)->inet_saddr, sk->skc_daddr, IPPROTO_TCP, sk->sk_tos, 0);
}

// mirrors tcp_fragment(): split skb so that it keeps `len` bytes; the rest
// becomes a new skb right after it. PSH and FIN move to the second part.
// In the retransmission queue the scoreboard counts the new packet too.
void tcp_fragment(sock* sk, sim::SkbQueue& q, sim::SkBuff* skb, uint32_t len, bool in_rtx_queue) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  sim::SkBuff* buff = n->skbs.alloc();
  const uint32_t nlen = skb->len - len;
  std::memcpy(buff->put(nlen), skb->data + len, nlen);
  skb->trim(len);
  tcp_skb_cb* bcb = TCP_SKB_CB(buff);
  *bcb = *tcb;
  bcb->seq = tcb->seq + len;
  tcb->end_seq = bcb->seq;
  tcb->tcp_flags = static_cast<uint8_t>(tcb->tcp_flags & ~(TCPHDR_FIN | TCPHDR_PSH));
  buff->next = skb->next;
  skb->next = buff;
  if (q.tail == skb) q.tail = buff;
  q.qlen++;
  q.bytes = q.bytes;  // byte count unchanged: the data moved
  if (in_rtx_queue) {
    tp->packets_out++;
    if (bcb->sacked & TCPCB_LOST) tp->lost_out++;
    if (bcb->sacked & TCPCB_SACKED_RETRANS) tp->retrans_out++;
    if (bcb->sacked & TCPCB_SACKED_ACKED) tp->sacked_out++;
  }
}

// mirrors tcp_event_new_data_sent(): the send head moved to the
// retransmission queue.
void tcp_event_new_data_sent(sock* sk, sim::SkBuff* skb) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t prior_packets = tp->packets_out;
  tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
  sk->sk_write_queue.pop_front();
  tp->tcp_rtx_queue.push_back(skb);
  if (!prior_packets) tp->highest_sack_end = TCP_SKB_CB(skb)->seq;
  tp->packets_out++;
  if (!prior_packets || inet_csk(sk)->icsk_pending == ICSK_TIME_LOSS_PROBE) tcp_rearm_rto(sk);
  n->mib_inc(LINUX_MIB_TCPORIGDATASENT);
  tcp_check_space(sk);
}

// mirrors tcp_minshall_check(): a small segment is still unacknowledged.
bool tcp_minshall_check(const tcp_sock* tp) {
  return after(tp->snd_sml, tp->snd_una) && !after(tp->snd_sml, tp->snd_nxt);
}

// mirrors tcp_nagle_check(): hold a partial segment when corked, or when
// Nagle is on and a small segment is in flight (Minshall's variant).
bool tcp_nagle_check(bool partial, const tcp_sock* tp, int nonagle) {
  return partial && ((nonagle & TCP_NAGLE_CORK) || (!nonagle && tp->packets_out && tcp_minshall_check(tp)));
}

// mirrors tcp_nagle_test(): true if skb may go now.
bool tcp_nagle_test(const tcp_sock* tp, const sim::SkBuff* skb, uint32_t cur_mss, int nonagle) {
  if (nonagle & TCP_NAGLE_PUSH) return true;
  if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN) return true;
  return !tcp_nagle_check(skb->len < cur_mss, tp, nonagle);
}

// mirrors tcp_snd_wnd_test(): does the first segment fit the peer's window?
bool tcp_snd_wnd_test(const tcp_sock* tp, const sim::SkBuff* skb, uint32_t cur_mss) {
  uint32_t end_seq = TCP_SKB_CB(skb)->end_seq;
  if (skb->len > cur_mss) end_seq = TCP_SKB_CB(skb)->seq + cur_mss;
  return !after(end_seq, tcp_wnd_end(tp));
}

// mirrors tcp_cwnd_test(): segments the congestion window allows now.
uint32_t tcp_cwnd_test(const tcp_sock* tp) {
  const uint32_t in_flight = tcp_packets_in_flight(tp);
  const uint32_t cwnd = tp->snd_cwnd;
  if (in_flight >= cwnd) return 0;
  const uint32_t halfcwnd = std::max(cwnd >> 1, 1u);
  return std::min(halfcwnd, cwnd - in_flight);
}

// mirrors tcp_cwnd_application_limited() (RFC 2861): cwnd unused for an
// RTO shrinks halfway to what was used.
void tcp_cwnd_application_limited(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (tp->icsk_ca_state == TCP_CA_Open && sk->sk_socket && !tp->sock_nospace) {
    const uint32_t init_win = tcp_init_cwnd(tp);
    const uint32_t win_used = std::max(tp->snd_cwnd_used, init_win);
    if (win_used < tp->snd_cwnd) {
      tp->snd_ssthresh = tcp_current_ssthresh(sk);
      tp->snd_cwnd = (tp->snd_cwnd + win_used) >> 1;
    }
    tp->snd_cwnd_used = 0;
  }
  tp->snd_cwnd_stamp = now_of(sk);
}

// mirrors tcp_cwnd_validate(): remember whether cwnd limited this round.
void tcp_cwnd_validate(sock* sk, bool is_cwnd_limited) {
  tcp_sock* tp = tcp_sk(sk);
  if (!before(tp->snd_una, tp->cwnd_usage_seq) || is_cwnd_limited ||
      (!tp->is_cwnd_limited && tp->packets_out > tp->max_packets_out)) {
    tp->is_cwnd_limited = is_cwnd_limited;
    tp->max_packets_out = tp->packets_out;
    tp->cwnd_usage_seq = tp->snd_nxt;
  }
  if (tcp_is_cwnd_limited(sk)) {
    tp->snd_cwnd_used = 0;
    tp->snd_cwnd_stamp = now_of(sk);
  } else {
    if (tp->packets_out > tp->snd_cwnd_used) tp->snd_cwnd_used = tp->packets_out;
    if (sk->skc_net->sysctl.tcp_slow_start_after_idle && now_of(sk) - tp->snd_cwnd_stamp >= inet_csk(sk)->icsk_rto)
      tcp_cwnd_application_limited(sk);
  }
}

// mirrors tcp_write_xmit(): send queued segments while the congestion and
// receive windows and Nagle allow. push_one: 1 = at most one segment, 2 =
// a loss probe (one segment even if cwnd is full). Returns true when data
// waits but nothing is in flight (the caller arms the probe timer).
bool tcp_write_xmit(sock* sk, uint32_t mss_now, int nonagle, int push_one) {
  tcp_sock* tp = tcp_sk(sk);
  uint32_t sent_pkts = 0;
  bool is_cwnd_limited = false;
  while (sim::SkBuff* skb = sk->sk_write_queue.head) {
    uint32_t cwnd_quota = tcp_cwnd_test(tp);
    if (!cwnd_quota) {
      if (push_one == 2)
        cwnd_quota = 1;  // force out a loss probe
      else
        break;
    }
    if (!tcp_snd_wnd_test(tp, skb, mss_now)) break;
    if (skb->len > mss_now) tcp_fragment(sk, sk->sk_write_queue, skb, mss_now, false);
    // Nagle applies only to the last skb: the others cannot grow.
    if (!tcp_nagle_test(tp, skb, mss_now, skb == sk->sk_write_queue.tail ? nonagle : TCP_NAGLE_PUSH)) break;
    if (TCP_SKB_CB(skb)->end_seq == TCP_SKB_CB(skb)->seq) break;  // an empty skb
    TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_ACK;
    if (__tcp_transmit_skb(sk, skb, true, tp->rcv_nxt)) break;
    tcp_event_new_data_sent(sk, skb);
    if (skb->len < mss_now) tp->snd_sml = TCP_SKB_CB(skb)->end_seq;  // tcp_minshall_update()
    sent_pkts++;
    if (push_one) break;
  }
  is_cwnd_limited |= tcp_packets_in_flight(tp) >= tp->snd_cwnd;
  if (sent_pkts || is_cwnd_limited) tcp_cwnd_validate(sk, is_cwnd_limited);
  if (sent_pkts) {
    if (tcp_in_cwnd_reduction(tp)) tp->prr_out += sent_pkts;
    if (push_one != 2) tcp_schedule_loss_probe(sk, false);
    return false;
  }
  return !tp->packets_out && !sk->sk_write_queue.empty();
}

// mirrors tcp_xmit_probe_skb(): a bare ACK with an old sequence number,
// which the peer must answer (window or keepalive probe).
int tcp_xmit_probe_skb(sock* sk, bool urgent, Mib mib) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tcb->end_seq = tp->snd_una - (urgent ? 0 : 1);
  tcb->tcp_flags = TCPHDR_ACK;
  n->mib_inc(mib);
  return __tcp_transmit_skb(sk, skb, false, tp->rcv_nxt);
}

}  // namespace

// mirrors tcp_init_cwnd()
uint32_t tcp_init_cwnd(const tcp_sock* tp) { return std::min(TCP_INIT_CWND, tp->snd_cwnd_clamp); }

// mirrors tcp_acceptable_seq(): snd_nxt, unless the peer shrank its window
// below it by more than one scaling unit.
uint32_t tcp_acceptable_seq(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (!before(tcp_wnd_end(tp), tp->snd_nxt) ||
      (tp->rx_opt.wscale_ok && (tp->snd_nxt - tcp_wnd_end(tp)) < (1u << tp->rx_opt.rcv_wscale)))
    return tp->snd_nxt;
  return tcp_wnd_end(tp);
}

// mirrors tcp_cwnd_restart() (RFC 2861): after an idle period longer than
// the RTO, cwnd halves per RTO of idleness down to the initial window.
void tcp_cwnd_restart(sock* sk, sim::Time delta) {
  tcp_sock* tp = tcp_sk(sk);
  uint32_t restart_cwnd = tcp_init_cwnd(tp);
  uint32_t cwnd = tp->snd_cwnd;
  tcp_ca_event(sk, CA_EVENT_CWND_RESTART);
  tp->snd_ssthresh = tcp_current_ssthresh(sk);
  restart_cwnd = std::min(restart_cwnd, cwnd);
  const sim::Time rto = inet_csk(sk)->icsk_rto;
  while ((delta -= rto) > sim::Time() && cwnd > restart_cwnd) cwnd >>= 1;
  tp->snd_cwnd = std::max(cwnd, restart_cwnd);
  tp->snd_cwnd_stamp = now_of(sk);
  tp->snd_cwnd_used = 0;
}

// mirrors tcp_slow_start_after_idle_check()
void tcp_slow_start_after_idle_check(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  if (!sk->skc_net->sysctl.tcp_slow_start_after_idle || tp->packets_out) return;
  const sim::Time delta = now_of(sk) - tp->lsndtime;
  if (delta > inet_csk(sk)->icsk_rto) tcp_cwnd_restart(sk, delta);
}

// mirrors tcp_update_pacing_rate(): 200% of cwnd*mss/srtt in slow start,
// 120% after. SIM: computed for HyStart, never enforced.
void tcp_update_pacing_rate(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const net* n = sk->skc_net;
  uint64_t rate = static_cast<uint64_t>(tp->mss_cache) * ((1000000 / 100) << 3);
  if (tp->snd_cwnd < tp->snd_ssthresh / 2)
    rate *= static_cast<uint64_t>(n->sysctl.tcp_pacing_ss_ratio);
  else
    rate *= static_cast<uint64_t>(n->sysctl.tcp_pacing_ca_ratio);
  rate *= std::max(tp->snd_cwnd, tp->packets_out);
  if (tp->srtt_us) rate /= tp->srtt_us;
  tp->sk_pacing_rate = rate;
}

// mirrors tcp_probe0_base(): at least TCP_RTO_MIN between window probes.
sim::Time tcp_probe0_base(const sock* sk) { return std::max(inet_csk(sk)->icsk_rto, TCP_RTO_MIN); }

// mirrors tcp_probe0_when(): the probe interval, backed off.
sim::Time tcp_probe0_when(const sock* sk, sim::Time max_when) {
  const unsigned backoff = std::min<unsigned>(10, inet_csk(sk)->icsk_backoff);  // ilog2(RTO_MAX/RTO_MIN) + 1
  const sim::Time when = tcp_probe0_base(sk) << backoff;
  return std::min(when, max_when);
}

// mirrors tcp_check_probe_timer(): data waits and nothing is in flight.
void tcp_check_probe_timer(sock* sk) {
  if (!tcp_sk(sk)->packets_out && !inet_csk(sk)->icsk_pending)
    tcp_reset_xmit_timer(sk, ICSK_TIME_PROBE0, tcp_probe0_base(sk));
}

// mirrors tcp_delack_max(): TCP_DELACK_MAX, but below rto_min by a jiffy.
sim::Time tcp_delack_max(const sock* sk) {
  const sim::Time rto_min = sim::microseconds(sk->skc_net->sysctl.tcp_rto_min_us);
  const sim::Time from_rto_min = std::max(rto_min, TCP_JIFFY * 2) - TCP_JIFFY;
  return std::min(TCP_DELACK_MAX, from_rto_min);
}

// mirrors tcp_select_window(): the window for a non-SYN segment, already
// scaled down. An offered window never shrinks (tcp_shrink_window=0).
uint16_t tcp_select_window(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t old_win = tp->rcv_wnd;
  if (inet_csk(sk)->icsk_ack.pending & ICSK_ACK_NOMEM) {
    // We failed to queue data for lack of memory: advertise zero.
    tp->rcv_wnd = 0;
    tp->rcv_wup = tp->rcv_nxt;
    return 0;
  }
  const uint32_t cur_win = tcp_receive_window(tp);
  uint32_t new_win = __tcp_select_window(sk);
  if (new_win < cur_win && (!n->sysctl.tcp_shrink_window || !tp->rx_opt.rcv_wscale)) {
    if (new_win == 0) n->mib_inc(LINUX_MIB_TCPWANTZEROWINDOWADV);
    const uint32_t unit = 1u << tp->rx_opt.rcv_wscale;
    new_win = (cur_win + unit - 1) & ~(unit - 1);  // ALIGN(cur_win, 1 << rcv_wscale)
  }
  tp->rcv_wnd = new_win;
  tp->rcv_wup = tp->rcv_nxt;
  if (!tp->rx_opt.rcv_wscale && n->sysctl.tcp_workaround_signed_windows)
    new_win = std::min(new_win, MAX_TCP_WINDOW);
  else
    new_win = std::min<uint32_t>(new_win, 65535u << tp->rx_opt.rcv_wscale);
  new_win >>= tp->rx_opt.rcv_wscale;
  if (new_win == 0) {
    if (old_win) n->mib_inc(LINUX_MIB_TCPTOZEROWINDOWADV);
  } else if (old_win == 0) {
    n->mib_inc(LINUX_MIB_TCPFROMZEROWINDOWADV);
  }
  return static_cast<uint16_t>(new_win);
}

// mirrors __tcp_select_window(): free receive space, limited by
// rcv_ssthresh; zero when space is short (receiver SWS avoidance); a
// multiple of the MSS when not scaling, else a multiple of the scale unit.
uint32_t __tcp_select_window(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  int mss = icsk->icsk_ack.rcv_mss;
  int free_space = tcp_space(sk);
  const int allowed_space = tcp_full_space(sk);
  const int full_space = std::min<int>(static_cast<int>(tp->window_clamp), allowed_space);
  if (mss > full_space) {
    mss = full_space;
    if (mss <= 0) return 0;
  }
  if (free_space < (full_space >> 1)) {
    icsk->icsk_ack.quick = 0;
    free_space = free_space & ~((1 << tp->rx_opt.rcv_wscale) - 1);  // round_down
    if (free_space < (allowed_space >> 4) || free_space < mss) return 0;
  }
  if (free_space > static_cast<int>(tp->rcv_ssthresh)) free_space = static_cast<int>(tp->rcv_ssthresh);
  int window;
  if (tp->rx_opt.rcv_wscale) {
    const int unit = 1 << tp->rx_opt.rcv_wscale;
    window = (free_space + unit - 1) & ~(unit - 1);  // big enough not to be scaled away
  } else {
    window = static_cast<int>(tp->rcv_wnd);
    // The largest multiple of mss; keep the current offer while it is
    // within one mss of the free space.
    if (window <= free_space - mss || window > free_space)
      window = free_space / mss * mss;
    else if (mss == full_space && free_space > window + (full_space >> 1))
      window = free_space;
  }
  return static_cast<uint32_t>(window);
}

// mirrors tcp_current_mss(): the payload of a full segment now, less the
// option bytes (SACK blocks) beyond the usual header.
uint32_t tcp_current_mss(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  uint32_t mss_now = tp->mss_cache;
  tcp_out_options opts;
  const uint32_t header_len = tcp_established_options(tp, sk->skc_net, &opts) + 20;
  if (header_len != tcp_header_len(tp)) mss_now -= header_len - tcp_header_len(tp);
  return mss_now;
}

int tcp_transmit_skb(sock* sk, sim::SkBuff* skb, bool clone) {
  return __tcp_transmit_skb(sk, skb, clone, tcp_sk(sk)->rcv_nxt);
}
// mirrors tcp_make_synack(): a SYN-ACK for `req`, options in Linux's order,
// window from the request. The skb's data starts at the TCP header.
sim::SkBuff* tcp_make_synack(const sock* sk, request_sock* req, bool syncookie) {
  net* n = sk->skc_net;
  inet_request_sock* ireq = inet_rsk(req);
  tcp_request_sock* treq = tcp_rsk(req);
  tcp_out_options opts;
  // mirrors tcp_synack_options(): MSS is always ours (route, TCP_MAXSEG).
  uint16_t mss = static_cast<uint16_t>(tcp_mss_clamp_from_route(n, req->skc_daddr));
  const tcp_sock* ltp = tcp_sk(sk);
  if (ltp->rx_opt.user_mss && ltp->rx_opt.user_mss < mss) mss = ltp->rx_opt.user_mss;
  opts.options |= OPTION_MSS;
  opts.mss = mss;
  if (ireq->wscale_ok) {
    opts.options |= OPTION_WSCALE;
    opts.ws = ireq->rcv_wscale;
  }
  if (ireq->tstamp_ok) {
    opts.options |= OPTION_TS;
    opts.tsval = (syncookie ? cookie_init_timestamp(n, req, n->now()) : n->tcp_time_stamp_ms()) + treq->ts_off;
    opts.tsecr = req->ts_recent;
  }
  if (ireq->sack_ok) opts.options |= OPTION_SACK_ADVERTISE;
  if (treq->snt_synack == sim::Time() && !syncookie) treq->snt_synack = n->now();

  sim::SkBuff* skb = alloc_empty_skb(n);
  uint8_t optbuf[40];
  sim::wire::TcpRepr r;
  r.sport = req->skc_num;
  r.dport = req->skc_dport;
  r.seq = treq->snt_isn;
  r.ack = treq->rcv_nxt;
  r.flags = TCPHDR_SYN | TCPHDR_ACK;
  if (ireq->ecn_ok) r.flags |= TCPHDR_ECE;
  r.window = static_cast<uint16_t>(std::min<uint32_t>(req->rsk_rcv_wnd, 65535));
  r.options_len = tcp_options_write(optbuf, opts);
  r.options = optbuf;
  const uint32_t hlen = sim::wire::tcp_header_len(r);
  uint8_t* h = skb->push(hlen);
  sim::wire::emit_tcp_header(h, r);
  sim::wire::tcp_fill_checksum(h, skb->len, req->skc_rcv_saddr, req->skc_daddr);
  return skb;
}


// mirrors tcp_connect_init() + tcp_connect(): the first SYN of an active open.
int tcp_connect(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  rtable rt;
  if (!ip_route_output(n, sk->skc_daddr, &rt)) return -ENETUNREACH;
  tp->advmss = route_advmss(rt.rt_mtu);
  if (tp->rx_opt.user_mss && tp->rx_opt.user_mss < tp->advmss) tp->advmss = tp->rx_opt.user_mss;
  tp->rx_opt.mss_clamp = tp->rx_opt.user_mss ? tp->rx_opt.user_mss : TCP_MSS_DEFAULT;
  tp->max_window = 0;
  tcp_sync_mss(sk, rt.rt_mtu);
  tcp_initialize_rcv_mss(sk);
  // A receive buffer fixed by the user also limits the window.
  const int full_space = tcp_full_space(sk);
  if ((sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
      (tp->window_clamp > static_cast<uint32_t>(full_space) || tp->window_clamp == 0))
    tp->window_clamp = static_cast<uint32_t>(full_space);
  // Before the peer answers no TS space is reserved: the SYN window is a
  // multiple of the full MSS (64240 for MTU 1500).
  uint8_t rcv_wscale = 0;
  tcp_select_initial_window(n, full_space, tp->advmss, &tp->rcv_wnd, &tp->window_clamp,
                            n->sysctl.tcp_window_scaling != 0, &rcv_wscale, 0);
  tp->rx_opt.rcv_wscale = rcv_wscale;
  tp->rcv_ssthresh = tp->rcv_wnd;
  sk->sk_err = 0;
  sk->clear_flag(SOCK_DONE);
  tp->snd_wnd = 0;
  tp->snd_wl1 = 0;
  tcp_write_queue_purge(sk);
  tp->snd_una = tp->write_seq;
  tp->snd_sml = tp->write_seq;
  tp->snd_nxt = tp->write_seq;
  tp->rcv_nxt = 0;
  tp->rcv_wup = 0;
  tp->copied_seq = 0;
  icsk->icsk_rto = TCP_TIMEOUT_INIT;
  icsk->icsk_retransmits = 0;
  icsk->icsk_backoff = 0;
  tcp_clear_retrans(tp);

  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tp->write_seq;
  tcb->end_seq = tp->write_seq + 1;
  tcb->tcp_flags = TCPHDR_SYN;
  tp->write_seq++;
  tp->retrans_stamp = n->now();
  tp->retrans_stamp_set = true;
  tp->tcp_rtx_queue.push_back(skb);
  tp->packets_out = 1;
  tcp_transmit_skb(sk, skb, true);
  tp->snd_nxt = tp->write_seq;
  tp->pushed_seq = tp->write_seq;
  n->mib_inc(TCP_MIB_ACTIVEOPENS);
  inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk->icsk_rto, TCP_RTO_MAX);
  return 0;
}

// mirrors __tcp_send_ack() / tcp_send_ack(): a bare ACK.
void tcp_send_ack(sock* sk) {
  if (sk->skc_state == TCP_CLOSE) return;
  net* n = sk->skc_net;
  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tcb->end_seq = tcp_acceptable_seq(sk);
  tcb->tcp_flags = TCPHDR_ACK;
  __tcp_transmit_skb(sk, skb, false, tcp_sk(sk)->rcv_nxt);
}

// mirrors tcp_send_delayed_ack(): arm the delayed-ACK timer. ato is
// bounded by the RTT (and by TCP_DELACK_MAX in interactive mode or after a
// pushed segment, else HZ/2), and never beyond tcp_delack_max().
void tcp_send_delayed_ack(sock* sk) {
  net* n = sk->skc_net;
  const tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  sim::Time ato = icsk->icsk_ack.ato;
  if (ato > TCP_DELACK_MIN) {
    sim::Time max_ato = sim::milliseconds(500);  // HZ / 2
    if (inet_csk_in_pingpong_mode(sk) || (icsk->icsk_ack.pending & ICSK_ACK_PUSHED)) max_ato = TCP_DELACK_MAX;
    if (tp->srtt_us) {
      const sim::Time rtt = std::max(sim::microseconds(tp->srtt_us >> 3), TCP_DELACK_MIN);
      if (rtt < max_ato) max_ato = rtt;
    }
    ato = std::min(ato, max_ato);
  }
  ato = std::min(ato, tcp_delack_max(sk));
  sim::Time timeout = n->now() + ato;
  if (icsk->icsk_ack.pending & ICSK_ACK_TIMER) {
    // The delayed ACK is about to fire anyway: send it now.
    if (icsk->icsk_ack.timeout <= n->now() + ato / 4) {
      tcp_send_ack(sk);
      return;
    }
    if (!(timeout < icsk->icsk_ack.timeout)) timeout = icsk->icsk_ack.timeout;
  }
  icsk->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
  icsk->icsk_ack.timeout = timeout;
  sk_reset_timer(sk, icsk->icsk_delack_timer, timeout);
}

// mirrors tcp_send_active_reset(): RST+ACK, no options, never retransmitted.
void tcp_send_active_reset(sock* sk) {
  net* n = sk->skc_net;
  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tcb->end_seq = tcp_acceptable_seq(sk);
  tcb->tcp_flags = TCPHDR_ACK | TCPHDR_RST;
  // It carries the usual options (timestamps), as Linux's does.
  __tcp_transmit_skb(sk, skb, false, tcp_sk(sk)->rcv_nxt);
}

// mirrors tcp_send_fin(): the FIN rides on the last unsent segment, or
// goes alone; then push with Nagle off.
void tcp_send_fin(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  sim::SkBuff* tail = sk->sk_write_queue.tail;
  if (tail) {
    TCP_SKB_CB(tail)->tcp_flags |= TCPHDR_FIN;
    TCP_SKB_CB(tail)->end_seq++;
    tp->write_seq++;
  } else {
    sim::SkBuff* skb = n->skbs.alloc();
    tcp_skb_cb* tcb = TCP_SKB_CB(skb);
    tcb->seq = tp->write_seq;
    tcb->end_seq = tp->write_seq + 1;
    tcb->tcp_flags = TCPHDR_ACK | TCPHDR_FIN;
    sk->sk_write_queue.push_back(skb);
    tp->write_seq++;
  }
  __tcp_push_pending_frames(sk, tcp_current_mss(sk), TCP_NAGLE_OFF);
}

// mirrors __tcp_push_pending_frames()
void __tcp_push_pending_frames(sock* sk, uint32_t cur_mss, int nonagle) {
  if (sk->skc_state == TCP_CLOSE) return;
  if (tcp_write_xmit(sk, cur_mss, nonagle, 0)) tcp_check_probe_timer(sk);
}

// mirrors tcp_push_pending_frames()
void tcp_push_pending_frames(sock* sk) {
  if (sk->sk_write_queue.empty()) return;
  const int st = sk->skc_state;
  if (st == TCP_SYN_SENT || st == TCP_LISTEN || st == TCP_SYN_RECV) return;
  __tcp_push_pending_frames(sk, tcp_current_mss(sk), tcp_sk(sk)->nonagle);
}

// mirrors tcp_push_one(): a full segment at the send head goes at once.
void tcp_push_one(sock* sk, uint32_t mss_now) { tcp_write_xmit(sk, mss_now, TCP_NAGLE_PUSH, 1); }

// mirrors tcp_push() (net/ipv4/tcp.c): the end of a write marks PSH on the
// last segment (unless MSG_MORE), then sends what Nagle and the windows allow.
// SIM: no autocorking (tcp_should_autocork() waits for a transmit
// completion, which is immediate here).
void tcp_push(sock* sk, int flags, uint32_t mss_now, int nonagle) {
  tcp_sock* tp = tcp_sk(sk);
  sim::SkBuff* skb = sk->sk_write_queue.tail;
  if (!skb) return;
  const bool forced_push = after(tp->write_seq, tp->pushed_seq + (tp->max_window >> 1));
  if (!(flags & MSG_MORE) || forced_push) {
    TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;  // tcp_mark_push()
    tp->pushed_seq = tp->write_seq;
  }
  if (flags & MSG_MORE) nonagle = TCP_NAGLE_CORK;
  const int st = sk->skc_state;
  if (st == TCP_SYN_SENT || st == TCP_SYN_RECV) return;
  __tcp_push_pending_frames(sk, mss_now, nonagle);
}

namespace {

// mirrors __tcp_retransmit_skb(): resend one segment, trimming what was
// acked and splitting it to the current MSS and window. Counts it, but
// leaves the scoreboard (retrans_out) to the caller: a tail loss probe
// is not a retransmission in that sense.
int __tcp_retransmit_skb(sock* sk, sim::SkBuff* skb) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  if (before(tcb->seq, tp->snd_una)) {
    if (tcb->tcp_flags & TCPHDR_SYN) {
      tcb->tcp_flags &= static_cast<uint8_t>(~TCPHDR_SYN);
      tcb->seq++;
    }
    if (before(tcb->seq, tp->snd_una)) {
      if (before(tcb->end_seq, tp->snd_una)) return -EINVAL;
      const uint32_t trim = std::min(tp->snd_una - tcb->seq, skb->len);
      skb->pull(trim);  // tcp_trim_head()
      sk->sk_wmem_queued -= static_cast<int>(trim);
      tcb->seq = tp->snd_una;
    }
  }
  const uint32_t cur_mss = tcp_current_mss(sk);
  int32_t avail_wnd = static_cast<int32_t>(tcp_wnd_end(tp) - tcb->seq);
  // A window shrunk below this segment: do not resend, unless it is the
  // head (then the retransmission is a zero-window probe).
  if (avail_wnd <= 0) {
    if (tcb->seq != tp->snd_una) return -EAGAIN;
    avail_wnd = static_cast<int32_t>(cur_mss);
  }
  uint32_t len = cur_mss;
  if (static_cast<int32_t>(len) > avail_wnd) {
    len = static_cast<uint32_t>(avail_wnd) / cur_mss * cur_mss;
    if (!len) len = static_cast<uint32_t>(avail_wnd);
  }
  if (skb->len > len) tcp_fragment(sk, tp->tcp_rtx_queue, skb, len, true);
  n->mib_inc(TCP_MIB_RETRANSSEGS);
  if (tcb->tcp_flags & TCPHDR_SYN) n->mib_inc(LINUX_MIB_TCPSYNRETRANS);
  tp->total_retrans++;
  tp->bytes_retrans += skb->len;
  const int err = tcp_transmit_skb(sk, skb, true);
  // Always: a timestamp taken from a transmit that never happened would
  // give a spuriously low RTT.
  tcb->sacked |= TCPCB_EVER_RETRANS;
  return err;
}

}  // namespace

// mirrors tcp_retransmit_skb(): a retransmission the scoreboard counts.
int tcp_retransmit_skb(sock* sk, sim::SkBuff* skb) {
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  const int err = __tcp_retransmit_skb(sk, skb);
  if (err == 0) {
    tcb->sacked |= TCPCB_RETRANS;
    tp->retrans_out++;
  }
  // The stamp of the first (attempted) retransmission of this episode.
  if (!tp->retrans_stamp_set) {
    tp->retrans_stamp = tcb->when;
    tp->retrans_stamp_set = true;
  }
  if (tp->undo_retrans < 0) tp->undo_retrans = 0;
  tp->undo_retrans++;
  return err;
}

// mirrors tcp_xmit_retransmit_queue(): resend the segments marked lost,
// in order, as far as cwnd allows.
void tcp_xmit_retransmit_queue(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  if (!tp->packets_out) return;
  sim::SkBuff* rtx_head = tp->tcp_rtx_queue.head;
  bool rearm_timer = false;
  for (sim::SkBuff* skb = rtx_head; skb;) {
    sim::SkBuff* next = skb->next;
    const int segs = static_cast<int>(tp->snd_cwnd) - static_cast<int>(tcp_packets_in_flight(tp));
    if (segs <= 0) break;
    const uint8_t sacked = TCP_SKB_CB(skb)->sacked;
    if (tp->retrans_out >= tp->lost_out) break;
    if (!(sacked & TCPCB_LOST)) {
      skb = next;
      continue;
    }
    if (sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) {
      skb = next;
      continue;
    }
    if (tcp_retransmit_skb(sk, skb)) break;
    n->mib_inc(tp->icsk_ca_state != TCP_CA_Loss ? LINUX_MIB_TCPFASTRETRANS : LINUX_MIB_TCPSLOWSTARTRETRANS);
    if (tcp_in_cwnd_reduction(tp)) tp->prr_out++;
    if (skb == rtx_head && icsk->icsk_pending != ICSK_TIME_REO_TIMEOUT) rearm_timer = true;
    skb = skb->next;  // a fragment may have been inserted after skb
  }
  if (rearm_timer) tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk->icsk_rto);
}

// mirrors tcp_schedule_loss_probe(): a tail loss probe (RFC 8985) 2*SRTT
// after the last transmission (plus rto_min when only one segment is out,
// for the peer's delayed ACK), never later than the RTO.
bool tcp_schedule_loss_probe(sock* sk, bool advancing_rto) {
  const net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const int early_retrans = n->sysctl.tcp_early_retrans;
  if ((early_retrans != 3 && early_retrans != 4) || !tp->packets_out || !tcp_is_sack(tp) ||
      (tp->icsk_ca_state != TCP_CA_Open && tp->icsk_ca_state != TCP_CA_CWR))
    return false;
  sim::Time timeout;
  if (tp->srtt_us) {
    sim::Time t = sim::microseconds(tp->srtt_us >> 2);
    if (tp->packets_out == 1)
      t += sim::microseconds(n->sysctl.tcp_rto_min_us);
    else
      t += TCP_TIMEOUT_MIN_US;
    timeout = t;
  } else {
    timeout = TCP_TIMEOUT_INIT;
  }
  // If the RTO formula yields an earlier time, use that.
  sim::Time rto_delta;
  if (advancing_rto) {
    rto_delta = icsk->icsk_rto;
  } else {
    const sim::Time head_when = TCP_SKB_CB(tp->tcp_rtx_queue.head)->when;
    rto_delta = head_when + icsk->icsk_rto - n->now();
  }
  if (rto_delta > sim::Time()) timeout = std::min(timeout, rto_delta);
  tcp_reset_xmit_timer(sk, ICSK_TIME_LOSS_PROBE, timeout);
  return true;
}

// mirrors tcp_send_loss_probe(): the probe timer fired. Send a new
// segment if one is allowed, else retransmit the last one.
void tcp_send_loss_probe(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t mss = tcp_current_mss(sk);
  bool sent = false;
  if (!tp->tlp_high_seq) {  // at most one probe outstanding
    tp->tlp_retrans = false;
    sim::SkBuff* skb = sk->sk_write_queue.head;
    if (skb && tcp_snd_wnd_test(tp, skb, mss)) {
      const uint32_t pcount = tp->packets_out;
      tcp_write_xmit(sk, mss, TCP_NAGLE_OFF, 2);
      sent = tp->packets_out > pcount;
    } else if (sim::SkBuff* last = tp->tcp_rtx_queue.tail) {
      if (__tcp_retransmit_skb(sk, last) == 0) {
        tp->tlp_retrans = true;
        sent = true;
      }
    } else {
      inet_csk(sk)->icsk_pending = 0;
      return;
    }
  }
  if (sent) {
    tp->tlp_high_seq = tp->snd_nxt;  // for loss detection
    n->mib_inc(LINUX_MIB_TCPLOSSPROBES);
    inet_csk(sk)->icsk_pending = 0;  // so that the RTO restarts from now
  }
  tcp_rearm_rto(sk);
}

// mirrors tcp_write_wakeup(): send what the window allows of the send
// head (a window probe with data), or a bare probe with an old sequence.
int tcp_write_wakeup(sock* sk, int mib) {
  tcp_sock* tp = tcp_sk(sk);
  if (sk->skc_state == TCP_CLOSE) return -1;
  sim::SkBuff* skb = sk->sk_write_queue.head;
  if (skb && before(TCP_SKB_CB(skb)->seq, tcp_wnd_end(tp))) {
    const uint32_t mss = tcp_current_mss(sk);
    uint32_t seg_size = tcp_wnd_end(tp) - TCP_SKB_CB(skb)->seq;
    if (before(tp->pushed_seq, TCP_SKB_CB(skb)->end_seq)) tp->pushed_seq = TCP_SKB_CB(skb)->end_seq;
    if (seg_size < TCP_SKB_CB(skb)->end_seq - TCP_SKB_CB(skb)->seq || skb->len > mss) {
      seg_size = std::min(seg_size, mss);
      TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;
      if (seg_size < skb->len) tcp_fragment(sk, sk->sk_write_queue, skb, seg_size, false);
    }
    TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH | TCPHDR_ACK;
    const int err = tcp_transmit_skb(sk, skb, true);
    if (!err) tcp_event_new_data_sent(sk, skb);
    return err;
  }
  return tcp_xmit_probe_skb(sk, false, static_cast<Mib>(mib));
}

// mirrors tcp_send_probe0(): the zero-window probe timer fired.
void tcp_send_probe0(sock* sk) {
  const net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  inet_connection_sock* icsk = inet_csk(sk);
  const int err = tcp_write_wakeup(sk, LINUX_MIB_TCPWINPROBE);
  if (tp->packets_out || sk->sk_write_queue.empty()) {
    // The window opened (or there is nothing to send): no more probes.
    tp->icsk_probes_out = 0;
    icsk->icsk_backoff = 0;
    tp->icsk_probes_tstamp = sim::Time();
    return;
  }
  tp->icsk_probes_out++;
  sim::Time timeout;
  if (err <= 0) {
    if (icsk->icsk_backoff < n->sysctl.tcp_retries2) icsk->icsk_backoff++;
    timeout = tcp_probe0_when(sk, TCP_RTO_MAX);
  } else {
    timeout = TCP_RESOURCE_PROBE_INTERVAL;
  }
  tcp_reset_xmit_timer(sk, ICSK_TIME_PROBE0, timeout);
}

// mirrors tcp_v4_send_ack()/tcp_v4_reqsk_send_ack(): a bare ACK built from
// explicit values, for socks that have no tcp_sock (requests, TIME_WAIT).
void tcp_v4_send_ack_for(net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
                         uint32_t ack, uint16_t win, bool ts, uint32_t tsval, uint32_t tsecr, uint8_t tos) {
  sim::SkBuff* skb = n->skbs.alloc();
  tcp_out_options opts;
  if (ts) {
    opts.options |= OPTION_TS;
    opts.tsval = tsval;
    opts.tsecr = tsecr;
  }
  uint8_t optbuf[40];
  sim::wire::TcpRepr r;
  r.sport = sport;
  r.dport = dport;
  r.seq = seq;
  r.ack = ack;
  r.flags = TCPHDR_ACK;
  r.window = win;
  r.options_len = tcp_options_write(optbuf, opts);
  r.options = optbuf;
  push_and_send(n, skb, r, saddr, daddr, tos);
}

// mirrors tcp_v4_send_reset(): a RST built only from the offending segment.
// Never in reply to a RST. With ACK: seq = SEG.ACK, no ACK flag. Without:
// seq 0, ACK set, ack = SEG.SEQ + SEG.LEN (+1 for SYN and for FIN). Window 0,
// no options.
void tcp_v4_send_reset(net* n, const tcp_segment& seg) {
  if (seg.flags & TCPHDR_RST) return;
  sim::SkBuff* skb = n->skbs.alloc();
  sim::wire::TcpRepr r;
  r.sport = seg.dest;
  r.dport = seg.source;
  if (seg.flags & TCPHDR_ACK) {
    r.seq = seg.ack_seq;
    r.flags = TCPHDR_RST;
  } else {
    r.seq = 0;
    r.ack = seg.end_seq;
    r.flags = TCPHDR_RST | TCPHDR_ACK;
  }
  r.window = 0;
  n->trace("tcp_v4_send_reset", "rst", "no socket accepts the segment", seg.daddr, seg.saddr, seg.dest, seg.source);
  push_and_send(n, skb, r, seg.daddr, seg.saddr, 0);
}

}  // namespace stack

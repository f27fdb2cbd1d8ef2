// mirrors net/ipv4/tcp_output.c (tag: docs/kernel-version.md): building and
// sending segments, option layout, window selection, SYN/SYN-ACK/ACK/RST/FIN.
//
// SIM: no TSO/GSO, pacing, TLP or MTU probing; every segment is at most one
// MSS and leaves as soon as the congestion and receive windows allow.
#include <algorithm>
#include <cerrno>

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
  const uint32_t (*sack)[2] = nullptr;
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
    for (uint8_t i = 0; i < o.num_sack_blocks; ++i) b[i] = {o.sack[i][0], o.sack[i][1]};
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

// mirrors tcp_select_window(): the window we advertise in a non-SYN segment,
// already scaled down. It never shrinks what was offered before.
uint16_t tcp_select_window(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  const uint32_t queued = static_cast<uint32_t>(sk->sk_receive_queue.bytes) + (tp->rcv_nxt - tp->copied_seq -
                                                                               static_cast<uint32_t>(
                                                                                   sk->sk_receive_queue.bytes));
  // Free space in the receive buffer, as tcp_space() estimates it (half the
  // buffer is reserved for overhead).
  const int64_t space = static_cast<int64_t>(sk->sk_rcvbuf) / 2 - queued;
  uint32_t new_win = space > 0 ? static_cast<uint32_t>(space) : 0;
  new_win = std::min(new_win, tp->window_clamp ? tp->window_clamp : new_win);
  const uint32_t cur_win = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
  if (static_cast<int32_t>(cur_win) > 0 && new_win < cur_win) new_win = cur_win;  // never shrink
  if (tp->rx_opt.rcv_wscale) {
    new_win = std::min<uint32_t>(new_win, 65535u << tp->rx_opt.rcv_wscale);
    // Round so that the scaled value loses nothing.
    new_win = (new_win >> tp->rx_opt.rcv_wscale) << tp->rx_opt.rcv_wscale;
  } else {
    new_win = std::min<uint32_t>(new_win, 65535);
  }
  tp->rcv_wnd = new_win;
  tp->rcv_wup = tp->rcv_nxt;
  return static_cast<uint16_t>(new_win >> tp->rx_opt.rcv_wscale);
}

// mirrors tcp_current_mss(): the payload size of a full segment now.
uint32_t tcp_current_mss(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  return tp->mss_cache;
}

// mirrors tcp_transmit_skb(): header + options from the socket state, then
// out through IP. With `clone`, the queued skb stays for retransmission and
// a copy leaves.
int tcp_transmit_skb(sock* sk, sim::SkBuff* skb, bool clone) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->when = n->now();
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
    // mirrors tcp_established_options()
    if (tp->rx_opt.tstamp_ok) {
      opts.options |= OPTION_TS;
      opts.tsval = n->tcp_time_stamp_ms() + tp->tsoffset;
      opts.tsecr = tp->rx_opt.ts_recent;
    }
    if (tp->rx_opt.sack_ok && tp->rx_opt.num_sacks) {
      opts.num_sack_blocks = std::min<uint8_t>(tp->rx_opt.num_sacks, (opts.options & OPTION_TS) ? 3 : 4);
      opts.sack = tp->rx_opt.sack_blocks;
    }
  }
  uint8_t optbuf[40];
  sim::wire::TcpRepr r;
  r.sport = sk->skc_num;
  r.dport = sk->skc_dport;
  r.seq = tcb->seq;
  r.ack = tp->rcv_nxt;
  r.flags = tcb->tcp_flags;
  r.options_len = tcp_options_write(optbuf, opts);
  r.options = optbuf;
  if (syn) {
    // SYN windows are never scaled (RFC 7323 section 2.2).
    r.window = static_cast<uint16_t>(std::min<uint32_t>(tp->rcv_wnd, 65535));
  } else {
    r.window = tcp_select_window(sk);
  }
  if (r.flags & TCPHDR_ACK) {
    // An ACK goes out: any pending delayed ACK is satisfied (tcp_event_ack_sent).
    inet_connection_sock* icsk = inet_csk(sk);
    if (icsk->icsk_ack.pending & ICSK_ACK_TIMER) sk_stop_timer(sk, icsk->icsk_delack_timer);
    icsk->icsk_ack.pending = 0;
    if (icsk->icsk_ack.quick) --icsk->icsk_ack.quick;
  }
  if (tcb->end_seq != tcb->seq || (r.flags & TCPHDR_SYN)) tp->lsndtime = n->now();
  // Through ip_queue_xmit(): a connected socket numbers its IP IDs.
  const uint32_t hlen = sim::wire::tcp_header_len(r);
  uint8_t* h = out->push(hlen);
  sim::wire::emit_tcp_header(h, r);
  sim::wire::tcp_fill_checksum(h, out->len, inet_sk(sk)->inet_saddr, sk->skc_daddr);
  n->mib_inc(TCP_MIB_OUTSEGS);
  if (r.flags & TCPHDR_RST) n->mib_inc(TCP_MIB_OUTRSTS);
  return ip_queue_xmit(sk, out, inet_sk(sk)->inet_saddr, sk->skc_daddr, IPPROTO_TCP, sk->sk_tos, 0);
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
  tp->rx_opt.mss_clamp = tp->rx_opt.user_mss ? tp->rx_opt.user_mss : 536;
  tcp_sync_mss(sk, rt.rt_mtu);
  // Before the peer answers no TS space is reserved: the SYN window is a
  // multiple of the full MSS (64240 for MTU 1500).
  uint32_t full_space = static_cast<uint32_t>(sk->sk_rcvbuf) / 2;  // tcp_full_space(), initial ratio 1/2
  tp->window_clamp = 0;
  uint8_t rcv_wscale = 0;
  tcp_select_initial_window(n, static_cast<int>(full_space), tp->advmss, &tp->rcv_wnd, &tp->window_clamp,
                            n->sysctl.tcp_window_scaling != 0, &rcv_wscale, 0);
  tp->rx_opt.rcv_wscale = rcv_wscale;
  tp->rcv_ssthresh = tp->rcv_wnd;
  tp->snd_una = tp->write_seq;
  tp->snd_sml = tp->write_seq;
  tp->rcv_nxt = 0;
  tp->rcv_wup = 0;
  tp->copied_seq = 0;
  icsk->icsk_rto = TCP_TIMEOUT_INIT;
  icsk->icsk_retransmits = 0;
  icsk->icsk_backoff = 0;

  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tp->write_seq;
  tcb->end_seq = tp->write_seq + 1;
  tcb->tcp_flags = TCPHDR_SYN;
  tp->write_seq++;
  tp->snd_nxt = tp->write_seq;
  tp->pushed_seq = tp->write_seq;
  tp->retrans_stamp = n->now();
  tp->tcp_rtx_queue.push_back(skb);
  tp->packets_out = 1;
  tcp_transmit_skb(sk, skb, true);
  n->mib_inc(TCP_MIB_ACTIVEOPENS);
  tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, icsk->icsk_rto);
  return 0;
}

// mirrors tcp_send_ack() (__tcp_send_ack): a bare ACK at snd_nxt.
void tcp_send_ack(sock* sk) {
  if (sk->skc_state == TCP_CLOSE) return;
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tcb->end_seq = tp->snd_nxt;
  tcb->tcp_flags = TCPHDR_ACK;
  tcp_transmit_skb(sk, skb, false);
}

// mirrors tcp_send_delayed_ack(): arm the delayed-ACK timer (ato).
void tcp_send_delayed_ack(sock* sk) {
  net* n = sk->skc_net;
  inet_connection_sock* icsk = inet_csk(sk);
  sim::Time ato = icsk->icsk_ack.ato;
  if (ato < TCP_ATO_MIN) ato = TCP_ATO_MIN;
  const sim::Time max_ato = TCP_DELACK_MAX;
  if (ato > max_ato) ato = max_ato;
  const sim::Time timeout = n->now() + ato;
  if (icsk->icsk_ack.pending & ICSK_ACK_TIMER) {
    // An ACK is already due; an earlier deadline wins.
    if (icsk->icsk_ack.timeout <= timeout) return;
  }
  icsk->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
  icsk->icsk_ack.timeout = timeout;
  sk_reset_timer(sk, icsk->icsk_delack_timer, timeout);
}

// mirrors tcp_send_active_reset(): RST+ACK at snd_nxt (close/abort paths).
void tcp_send_active_reset(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  sim::SkBuff* skb = n->skbs.alloc();
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  tcb->seq = tcb->end_seq = tp->snd_nxt;
  tcb->tcp_flags = TCPHDR_ACK | TCPHDR_RST;
  tcp_transmit_skb(sk, skb, false);
}

// mirrors tcp_send_fin(): FIN rides on the last queued segment, or alone.
void tcp_send_fin(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  sim::SkBuff* tail = sk->sk_write_queue.tail;
  if (tail) {
    TCP_SKB_CB(tail)->tcp_flags |= TCPHDR_FIN;
    TCP_SKB_CB(tail)->end_seq++;
  } else {
    sim::SkBuff* skb = n->skbs.alloc();
    tcp_skb_cb* tcb = TCP_SKB_CB(skb);
    tcb->seq = tp->write_seq;
    tcb->end_seq = tp->write_seq + 1;
    tcb->tcp_flags = TCPHDR_ACK | TCPHDR_FIN;
    sk->sk_write_queue.push_back(skb);
  }
  tp->write_seq++;
  tp->fin_sent = true;
  tcp_push(sk);
}

// mirrors tcp_write_xmit(): send queued segments while the congestion window
// and the peer's receive window allow.
// SIM: Nagle is applied as "hold a sub-MSS segment while data is in flight"
// (tcp_nagle_check's core); no cork, no autocork, no TSQ.
void tcp_push(sock* sk) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  if (sk->skc_state == TCP_CLOSE || sk->skc_state == TCP_SYN_SENT || sk->skc_state == TCP_LISTEN) return;
  bool sent = false;
  while (sim::SkBuff* skb = sk->sk_write_queue.head) {
    tcp_skb_cb* tcb = TCP_SKB_CB(skb);
    const uint32_t in_flight = tp->packets_out;
    if (in_flight >= tp->snd_cwnd) break;
    const uint32_t seg_end = tcb->end_seq - ((tcb->tcp_flags & TCPHDR_FIN) ? 1 : 0);
    if (after(seg_end, tp->snd_una + tp->snd_wnd) && tp->packets_out) break;
    if (after(seg_end, tp->snd_una + tp->snd_wnd) && tcb->end_seq != tcb->seq + 1) {
      // Zero window and nothing in flight: SIM: no persist timer yet; wait for an ACK.
      break;
    }
    const uint32_t len = skb->len;
    if (!tp->nonagle && len < tp->mss_cache && tp->packets_out && !(tcb->tcp_flags & TCPHDR_FIN) &&
        skb == sk->sk_write_queue.tail)
      break;
    sk->sk_write_queue.pop_front();
    tcb->tcp_flags |= TCPHDR_ACK;
    // The last segment of what the application wrote carries PSH.
    if (len && !sk->sk_write_queue.head) tcb->tcp_flags |= TCPHDR_PSH;
    tp->tcp_rtx_queue.push_back(skb);
    if (!tp->packets_out) tp->retrans_stamp = sim::Time();
    tp->packets_out++;
    tp->snd_nxt = tcb->end_seq;
    if (len) tp->data_segs_out++;
    tcp_transmit_skb(sk, skb, true);
    sent = true;
  }
  if (sent && !timer_pending(inet_csk(sk)->icsk_retransmit_timer))
    tcp_reset_xmit_timer(sk, ICSK_TIME_RETRANS, inet_csk(sk)->icsk_rto);
  (void)n;
}

// mirrors tcp_retransmit_skb()
int tcp_retransmit_skb(sock* sk, sim::SkBuff* skb) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  tcp_skb_cb* tcb = TCP_SKB_CB(skb);
  if (before(tcb->end_seq, tp->snd_una + 1)) return 0;
  const int err = tcp_transmit_skb(sk, skb, true);
  if (err == 0) {
    n->mib_inc(TCP_MIB_RETRANSSEGS);
    if (tcb->tcp_flags & TCPHDR_SYN) n->mib_inc(LINUX_MIB_TCPSYNRETRANS);
    tcb->sacked |= TCPCB_RETRANS;
    tp->total_retrans++;
    if (tp->retrans_stamp == sim::Time()) tp->retrans_stamp = tcb->when;
  }
  return err;
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

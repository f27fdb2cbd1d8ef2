// mirrors net/ipv4/syncookies.c (tag: docs/kernel-version.md): stateless
// SYN-ACKs whose ISN encodes what a request sock would have kept.
//
// Layout (as Linux): cookie = H0 + peer_isn + (count << 24) + ((H1(count) + mss_index) mod 2^24),
// where count is a minute counter and H0/H1 are keyed hashes of the 4-tuple.
// The top 8 bits thus carry the counter, the low 24 a MAC plus the 2-bit MSS
// table index. Options survive in the low 6 bits of the SYN-ACK's TSval.
// SIM: the keyed hash is our own (secure_seq.cc), not SipHash; the layout,
// the MSS table, the age limit and the acceptance rules are Linux's.
#include <cerrno>

#include "stack/inet_connection_sock.h"
#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

constexpr uint32_t COOKIEBITS = 24;
constexpr uint32_t COOKIEMASK = (1u << COOKIEBITS) - 1;
constexpr uint32_t MAX_SYNCOOKIE_AGE = 2;
constexpr sim::Time TCP_SYNCOOKIE_PERIOD = sim::seconds(60);
constexpr sim::Time TCP_SYNCOOKIE_VALID = TCP_SYNCOOKIE_PERIOD * MAX_SYNCOOKIE_AGE;
constexpr uint32_t TSBITS = 6;
constexpr uint32_t TS_OPT_WSCALE_MASK = 0xf;
constexpr uint32_t TS_OPT_SACK = 1u << 4;
constexpr uint32_t TS_OPT_ECN = 1u << 5;

uint32_t cookie_hash(const net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t count,
                     int c) {
  return static_cast<uint32_t>(keyed_hash(n->secrets.cookie_key[c], (static_cast<uint64_t>(saddr) << 32) | daddr,
                                          (static_cast<uint64_t>(sport) << 16) | dport, count));
}

// mirrors tcp_synq_no_recent_overflow(): was a cookie sent from this
// listener in the last two minutes (or up to a second "ahead")?
bool tcp_synq_no_recent_overflow(const sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  if (!tp->synq_overflowed) return true;
  const sim::Time now = sk->skc_net->now();
  const sim::Time last = tp->synq_last_overflow;
  return !(now + sim::seconds(1) >= last && now <= last + TCP_SYNCOOKIE_VALID);
}

}  // namespace

const uint16_t msstab[4] = {536, 1300, 1440, 1460};

// mirrors tcp_cookie_time(): the minute counter.
uint32_t tcp_cookie_time(const net* n) { return static_cast<uint32_t>(n->now() / TCP_SYNCOOKIE_PERIOD); }

// mirrors secure_tcp_syn_cookie()
uint32_t secure_tcp_syn_cookie(const net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
                               uint32_t sseq, uint32_t count, uint32_t data) {
  return cookie_hash(n, saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIEBITS) +
         ((cookie_hash(n, saddr, daddr, sport, dport, count, 1) + data) & COOKIEMASK);
}

// mirrors check_tcp_syn_cookie(): the MSS index, or -1 when the cookie is
// forged or older than two minute-counter periods.
int check_tcp_syn_cookie(const net* n, uint32_t cookie, uint32_t saddr, uint32_t daddr, uint16_t sport,
                         uint16_t dport, uint32_t sseq, uint32_t count) {
  cookie -= cookie_hash(n, saddr, daddr, sport, dport, 0, 0) + sseq;
  const uint32_t diff = (count - (cookie >> COOKIEBITS)) & (0xffffffffu >> COOKIEBITS);
  if (diff >= MAX_SYNCOOKIE_AGE) return -1;
  const uint32_t idx = (cookie - cookie_hash(n, saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
  return idx < 4 ? static_cast<int>(idx) : -1;
}

// mirrors __cookie_v4_init_sequence(): the largest table MSS not above the
// peer's (index 0 even when the peer's is smaller).
uint32_t cookie_v4_init_sequence(const net* n, const tcp_segment& seg, uint16_t* mssp) {
  int mssind = 3;
  for (; mssind > 0; --mssind)
    if (*mssp >= msstab[mssind]) break;
  *mssp = msstab[mssind];
  return secure_tcp_syn_cookie(n, seg.saddr, seg.daddr, seg.source, seg.dest, seg.seq, tcp_cookie_time(n),
                               static_cast<uint32_t>(mssind));
}

// mirrors cookie_init_timestamp(): the TSval (before ts_off) with the
// options in its low 6 bits, never ahead of the clock.
uint32_t cookie_init_timestamp(const net* n, request_sock* req, sim::Time now) {
  (void)n;
  const inet_request_sock* ireq = inet_rsk(req);
  const uint64_t ts_now = static_cast<uint64_t>(now.ms());
  uint32_t options = ireq->wscale_ok ? ireq->snd_wscale : TS_OPT_WSCALE_MASK;
  if (ireq->sack_ok) options |= TS_OPT_SACK;
  if (ireq->ecn_ok) options |= TS_OPT_ECN;
  uint64_t ts = (ts_now >> TSBITS) << TSBITS;
  ts |= options;
  if (ts > ts_now) ts -= (1u << TSBITS);
  return static_cast<uint32_t>(ts);
}

// mirrors cookie_timestamp_decode(): options from the echoed TSval. False
// when they claim something the local sysctls now disable.
bool cookie_timestamp_decode(const net* n, tcp_options_received* tcp_opt) {
  const uint32_t options = tcp_opt->rcv_tsecr;
  if (!tcp_opt->saw_tstamp) {
    tcp_opt->tstamp_ok = tcp_opt->sack_ok = tcp_opt->wscale_ok = false;
    tcp_opt->snd_wscale = 0;
    return true;
  }
  if (!n->sysctl.tcp_timestamps) return false;
  tcp_opt->sack_ok = (options & TS_OPT_SACK) != 0;
  if (tcp_opt->sack_ok && !n->sysctl.tcp_sack) return false;
  if ((options & TS_OPT_WSCALE_MASK) == TS_OPT_WSCALE_MASK) return true;  // no window scaling
  tcp_opt->wscale_ok = true;
  tcp_opt->snd_wscale = options & TS_OPT_WSCALE_MASK;
  return n->sysctl.tcp_window_scaling != 0;
}

// mirrors cookie_v4_check() + cookie_tcp_check() + tcp_get_cookie_sock():
// a bare ACK reached listener `sk`. *handled is false when the segment must
// go on to the listener (cookies off, no recent overflow, invalid cookie);
// then the listener answers with a RST. When handled, the result is the
// queued child, or null if the valid cookie met a full accept queue (the
// ACK is dropped silently, even with tcp_abort_on_overflow).
sock* cookie_v4_check(sock* sk, sim::SkBuff* skb, const tcp_segment& seg, bool* handled) {
  net* n = sk->skc_net;
  *handled = false;
  if (!n->sysctl.tcp_syncookies || !(seg.flags & TCPHDR_ACK) || (seg.flags & TCPHDR_RST)) return sk;
  if (tcp_synq_no_recent_overflow(sk)) return sk;
  const uint32_t cookie = seg.ack_seq - 1;
  const uint32_t peer_isn = seg.seq - 1;
  const int mssind = check_tcp_syn_cookie(n, cookie, seg.saddr, seg.daddr, seg.source, seg.dest, peer_isn,
                                          tcp_cookie_time(n));
  if (mssind < 0) {
    n->mib_inc(LINUX_MIB_SYNCOOKIESFAILED);
    n->trace("cookie_v4_check", "rst", "invalid SYN cookie", seg.daddr, seg.saddr, seg.dest, seg.source);
    return sk;
  }
  n->mib_inc(LINUX_MIB_SYNCOOKIESRECV);
  tcp_options_received tcp_opt;
  tcp_parse_options(n, seg, false, &tcp_opt);
  uint32_t tsoff = 0;
  if (tcp_opt.saw_tstamp && tcp_opt.rcv_tsecr) {
    secure_tcp_seq_and_tsoff(n, seg.daddr, seg.saddr, seg.dest, seg.source, &tsoff);
    if (n->sysctl.tcp_timestamps != 1) tsoff = 0;
    tcp_opt.rcv_tsecr -= tsoff;
  }
  if (!cookie_timestamp_decode(n, &tcp_opt)) return sk;
  *handled = true;

  // cookie_tcp_reqsk_alloc(): rebuild the request the SYN would have made.
  request_sock* req = reqsk_alloc(&tcp_request_sock_ops, sk, false);
  inet_request_sock* ireq = inet_rsk(req);
  tcp_request_sock* treq = tcp_rsk(req);
  req->skc_num = seg.dest;
  req->skc_dport = seg.source;
  req->skc_rcv_saddr = seg.daddr;
  req->skc_daddr = seg.saddr;
  ireq->snd_wscale = tcp_opt.snd_wscale;
  ireq->tstamp_ok = tcp_opt.saw_tstamp;
  ireq->sack_ok = tcp_opt.sack_ok;
  ireq->wscale_ok = tcp_opt.wscale_ok;
  ireq->ecn_ok = tcp_opt.saw_tstamp && (tcp_opt.rcv_tsecr & TS_OPT_ECN);
  treq->ts_off = tsoff;
  req->ts_recent = tcp_opt.saw_tstamp ? tcp_opt.rcv_tsval : 0;
  treq->snt_isn = cookie;
  treq->rcv_isn = peer_isn;
  treq->rcv_nxt = peer_isn + 1;
  req->mss = msstab[mssind];
  req->timeout = TCP_TIMEOUT_INIT;

  // Redo the window choice of the SYN-ACK (the MSS here is the table value).
  const tcp_sock* tp = tcp_sk(sk);
  req->rsk_window_clamp = tp->window_clamp;
  const int full_space = sk->sk_rcvbuf / 2;
  if ((sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
      (req->rsk_window_clamp > static_cast<uint32_t>(full_space) || req->rsk_window_clamp == 0))
    req->rsk_window_clamp = static_cast<uint32_t>(full_space);
  uint8_t rcv_wscale = 0;
  tcp_select_initial_window(n, full_space, req->mss, &req->rsk_rcv_wnd, &req->rsk_window_clamp, ireq->wscale_ok,
                            &rcv_wscale, 0);
  ireq->rcv_wscale = rcv_wscale;

  // tcp_get_cookie_sock()
  bool own_req = false;
  sock* child = tcp_v4_syn_recv_sock(sk, skb, seg, req, &own_req);
  if (child) {
    tcp_sk(child)->syncookie_child = true;
    if (inet_csk_reqsk_queue_add(sk, req, child)) {
      reqsk_free(req);
      return child;
    }
  }
  reqsk_free(req);
  return nullptr;
}

}  // namespace stack

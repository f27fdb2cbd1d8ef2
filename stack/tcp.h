// TCP: the tcp_sock, constants, and the functions that the tcp_*.cc files
// export to each other. mirrors include/net/tcp.h and include/linux/tcp.h.
#pragma once

#include <netinet/tcp.h>  // TCP_MSS_DEFAULT and the socket option names

#include <cstdint>

#include "sim/skbuff.h"
#include "sim/time.h"
#include "stack/request_sock.h"
#include "stack/sock.h"
#include "stack/socket.h"

namespace stack {

// ---- constants (include/net/tcp.h) ------------------------------------------
inline constexpr sim::Time TCP_TIMEOUT_INIT = sim::seconds(1);
inline constexpr sim::Time TCP_RTO_MAX = sim::seconds(120);
inline constexpr sim::Time TCP_RTO_MIN = sim::milliseconds(200);
// TCP_TIMEOUT_MIN is 2 jiffies; SIM: we use HZ=250 like the reference kernel.
inline constexpr sim::Time TCP_TIMEOUT_MIN = sim::milliseconds(8);
inline constexpr sim::Time TCP_DELACK_MAX = sim::milliseconds(200);
inline constexpr sim::Time TCP_ATO_MIN = sim::milliseconds(40);
inline constexpr sim::Time TCP_TIMEWAIT_LEN = sim::seconds(60);
inline constexpr sim::Time TCP_PAWS_MSL = sim::seconds(60);
inline constexpr uint32_t TCP_MAX_WSCALE = 14;
inline constexpr uint32_t MAX_TCP_WINDOW = 32767;
inline constexpr uint32_t TCP_INIT_CWND = 10;
inline constexpr int MAX_TCP_SYNCNT = 127;
inline constexpr int TCP_MAX_QUICKACKS = 16;

// TCP header flags (include/net/tcp.h TCPHDR_*)
enum : uint8_t {
  TCPHDR_FIN = 0x01, TCPHDR_SYN = 0x02, TCPHDR_RST = 0x04, TCPHDR_PSH = 0x08,
  TCPHDR_ACK = 0x10, TCPHDR_URG = 0x20, TCPHDR_ECE = 0x40, TCPHDR_CWR = 0x80,
};

// Option kinds are sim::wire::kTcpOpt*; glibc's <netinet/tcp.h> owns the
// TCPOPT_* macro names.

// mirrors struct tcp_skb_cb: per-segment state kept in skb->cb.
struct tcp_skb_cb {
  uint32_t seq;
  uint32_t end_seq;  // seq + SYN + FIN + data length
  uint32_t ack_seq;
  sim::Time when;    // last transmission (for RTT samples and RTO)
  uint8_t tcp_flags;
  uint8_t sacked;    // TCPCB_RETRANS etc.
  uint16_t data_off;  // bytes of headers in front of the payload (receive side)
};
static_assert(sizeof(tcp_skb_cb) <= sizeof(sim::SkBuff::cb));
inline tcp_skb_cb* TCP_SKB_CB(sim::SkBuff* skb) { return reinterpret_cast<tcp_skb_cb*>(skb->cb); }
inline const tcp_skb_cb* TCP_SKB_CB(const sim::SkBuff* skb) { return reinterpret_cast<const tcp_skb_cb*>(skb->cb); }
enum : uint8_t { TCPCB_RETRANS = 0x2 };

// mirrors struct tcp_options_received (include/linux/tcp.h)
struct tcp_options_received {
  sim::Time ts_recent_stamp;  // when ts_recent was last updated
  uint32_t ts_recent = 0;
  uint32_t rcv_tsval = 0;
  uint32_t rcv_tsecr = 0;
  bool saw_tstamp = false;
  bool tstamp_ok = false;
  bool wscale_ok = false;
  bool sack_ok = false;
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  uint8_t num_sacks = 0;
  uint16_t user_mss = 0;   // TCP_MAXSEG
  uint16_t mss_clamp = 0;  // the peer's MSS (or user_mss if smaller)
  uint32_t sack_blocks[4][2] = {};
};

// mirrors struct tcp_sock (include/linux/tcp.h), the fields this kernel uses.
struct tcp_sock : inet_connection_sock {
  uint32_t rcv_nxt = 0;
  uint32_t copied_seq = 0;
  uint32_t rcv_wup = 0;
  uint32_t snd_nxt = 0;
  uint32_t snd_una = 0;
  uint32_t snd_sml = 0;
  uint32_t write_seq = 0;
  uint32_t pushed_seq = 0;
  uint32_t snd_wl1 = 0;
  uint32_t snd_wnd = 0;
  uint32_t max_window = 0;
  uint32_t mss_cache = TCP_MSS_DEFAULT;
  uint32_t window_clamp = 0;
  uint32_t rcv_ssthresh = 0;
  uint32_t rcv_wnd = 0;
  uint16_t advmss = 0;
  uint32_t tsoffset = 0;
  tcp_options_received rx_opt;
  // RTT and congestion state
  uint32_t srtt_us = 0;  // smoothed RTT << 3, as Linux keeps it
  uint32_t mdev_us = 0;
  uint32_t rttvar_us = 0;
  uint32_t snd_cwnd = TCP_INIT_CWND;
  uint32_t snd_cwnd_cnt = 0;
  uint32_t snd_ssthresh = 0x7fffffff;
  uint32_t packets_out = 0;
  uint32_t retrans_out = 0;
  uint32_t dupacks = 0;
  uint32_t high_seq = 0;     // snd_nxt when loss recovery began
  bool in_recovery = false;
  uint32_t total_retrans = 0;
  sim::Time retrans_stamp;   // first transmission of the oldest unacked segment (SYN: first SYN)
  sim::Time lsndtime;
  sim::Time rcv_tstamp;      // last ACK received
  sim::Time last_oow_ack_time;
  bool last_oow_ack_valid = false;
  sk_buff_head tcp_rtx_queue;      // sent, not yet acked
  sk_buff_head out_of_order_queue;
  int linger2 = 0;
  bool nonagle = false;      // TCP_NODELAY
  bool syn_fastopen = false;
  uint8_t ecn_flags = 0;
  bool syncookie_child = false;
  // Listener only: when a cookie SYN-ACK was last sent (tcp_synq_overflow()).
  // SIM: Linux keeps this in rx_opt.ts_recent_stamp of the listener.
  sim::Time synq_last_overflow;
  bool synq_overflowed = false;
  uint32_t total_rto = 0;  // RTO expiries of this connection (tcp_syn_linear_timeouts)
  bool fin_sent = false;     // a FIN is queued or sent (sk_write_queue tail carries it)
  uint32_t data_segs_in = 0;
  uint32_t data_segs_out = 0;
  uint64_t bytes_received = 0;
  uint64_t bytes_acked = 0;
};

inline tcp_sock* tcp_sk(sock* sk) { return static_cast<tcp_sock*>(sk); }
inline const tcp_sock* tcp_sk(const sock* sk) { return static_cast<const tcp_sock*>(sk); }
inline inet_connection_sock* inet_csk(sock* sk) { return static_cast<inet_connection_sock*>(sk); }
inline inet_sock* inet_sk(sock* sk) { return static_cast<inet_sock*>(sk); }

// Sequence-space comparisons across wraparound (include/net/tcp.h).
inline bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool after(uint32_t a, uint32_t b) { return before(b, a); }
inline bool between(uint32_t s, uint32_t lo, uint32_t hi) { return hi - lo >= s - lo; }

// A parsed inbound segment: the TCP header fields the state machine reads.
// Built once in tcp_v4_rcv() (the wire is parsed in one place only).
struct tcp_segment {
  uint32_t saddr, daddr;
  uint16_t source, dest;
  uint32_t seq, end_seq, ack_seq;
  uint8_t flags;
  uint16_t window;
  uint8_t tos;
  uint32_t payload_len;
  const uint8_t* payload;
  const uint8_t* options;
  uint8_t options_len;
};

// ---- tcp_input.c ------------------------------------------------------------
// mirrors tcp_parse_options(): fills opt from the raw options of a segment.
void tcp_parse_options(const net* n, const tcp_segment& seg, bool estab, tcp_options_received* opt);
int tcp_conn_request(const request_sock_ops* rsk_ops, sock* sk, const sim::SkBuff* skb, const tcp_segment& seg);
// Returns nonzero when the caller must send a RST (tcp_rcv_state_process semantics).
int tcp_rcv_state_process(sock* sk, sim::SkBuff* skb, const tcp_segment& seg);
void tcp_rcv_established(sock* sk, sim::SkBuff* skb, const tcp_segment& seg);
void tcp_init_transfer(sock* sk);
void tcp_fin(sock* sk);
void tcp_reset(sock* sk);
// mirrors tcp_mss_to_mtu / tcp_sync_mss
uint32_t tcp_sync_mss(sock* sk, uint32_t pmtu);
void tcp_update_metrics_rtt(sock* sk);
// mirrors tcp_rtt_estimator() + tcp_set_rto(): one RTT sample in microseconds.
void tcp_rtt_estimator(sock* sk, int64_t mrtt_us);
bool tcp_peer_is_proven(const net* n, uint32_t daddr);

// ---- tcp_output.c -----------------------------------------------------------
void tcp_select_initial_window(const net* n, int space, uint32_t mss, uint32_t* rcv_wnd, uint32_t* window_clamp,
                               bool wscale_ok, uint8_t* rcv_wscale, uint32_t init_rcv_wnd);
sim::SkBuff* tcp_make_synack(const sock* sk, request_sock* req, bool syncookie);
int tcp_connect(sock* sk);
void tcp_send_ack(sock* sk);
void tcp_send_delayed_ack(sock* sk);
void tcp_send_active_reset(sock* sk);
void tcp_send_fin(sock* sk);
void tcp_push(sock* sk);
int tcp_retransmit_skb(sock* sk, sim::SkBuff* skb);
int tcp_transmit_skb(sock* sk, sim::SkBuff* skb, bool clone);
uint32_t tcp_current_mss(sock* sk);
uint16_t tcp_select_window(sock* sk);
uint32_t tcp_mss_clamp_from_route(const net* n, uint32_t daddr);

// ---- tcp_ipv4.c -------------------------------------------------------------
void tcp_v4_rcv(net* n, sim::SkBuff* skb);
int tcp_v4_conn_request(sock* sk, const sim::SkBuff* skb, const tcp_segment& seg);
sock* tcp_v4_syn_recv_sock(const sock* sk, const sim::SkBuff* skb, const tcp_segment& seg, request_sock* req,
                           bool* own_req);
void tcp_v4_send_reset(net* n, const tcp_segment& seg);
// mirrors tcp_v4_send_synack(): build the SYN-ACK for req and send it.
int tcp_v4_send_synack(const sock* sk, request_sock* req, bool syncookie);
void tcp_v4_send_ack_for(net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq,
                         uint32_t ack, uint16_t win, bool ts, uint32_t tsval, uint32_t tsecr, uint8_t tos);
int tcp_v4_connect(sock* sk, const sockaddr* uaddr, int addr_len);
extern const request_sock_ops tcp_request_sock_ops;
extern proto tcp_prot;

// ---- tcp_minisocks.c --------------------------------------------------------
sock* tcp_check_req(sock* sk, sim::SkBuff* skb, const tcp_segment& seg, request_sock* req, bool* req_stolen);
sock* tcp_create_openreq_child(const sock* sk, request_sock* req, const tcp_segment& seg);
int tcp_child_process(sock* parent, sock* child, sim::SkBuff* skb, const tcp_segment& seg);
void tcp_time_wait(sock* sk, int state, sim::Time timeo);
void tcp_openreq_init_rwin(request_sock* req, const sock* sk_listener);

// ---- tcp_timer.c ------------------------------------------------------------
void tcp_init_xmit_timers(sock* sk);
void tcp_clear_xmit_timers(sock* sk);
void tcp_reset_xmit_timer(sock* sk, uint8_t what, sim::Time when);
void tcp_syn_ack_timeout(const request_sock* req);
void tcp_set_keepalive(sock* sk, int val);
// mirrors sk_reset_timer() / sk_stop_timer(): a pending timer holds a
// reference on its sock, taken only when the timer was idle.
void sk_reset_timer(sock* sk, sim::Timer& t, sim::Time expires);
void sk_stop_timer(sock* sk, sim::Timer& t);

// ---- tcp.c ------------------------------------------------------------------
void tcp_set_state(sock* sk, int state);
void tcp_done(sock* sk);
void tcp_close(sock* sk, long timeout);
int tcp_disconnect(sock* sk, int flags);
void tcp_shutdown(sock* sk, int how);
long tcp_sendmsg(sock* sk, const void* buf, size_t len, int flags, const sockaddr* to, int tolen);
long tcp_recvmsg(sock* sk, void* buf, size_t len, int flags, sockaddr* from, int* fromlen);
int tcp_setsockopt(sock* sk, int level, int optname, const void* optval, int optlen);
int tcp_getsockopt(sock* sk, int level, int optname, void* optval, int* optlen);
unsigned tcp_poll(socket* so);
int tcp_init_sock(sock* sk);
void tcp_rcv_space_adjust(sock* sk);
// Converts TCP_DEFER_ACCEPT seconds to SYN-ACK retransmissions and back
// (secs_to_retrans / retrans_to_secs in net/ipv4/tcp.c).
uint8_t secs_to_retrans(int seconds, int timeout, int rto_max);
int retrans_to_secs(uint8_t retrans, int timeout, int rto_max);

// ---- secure_seq.c (net/core) ------------------------------------------------
// The ISN for a 4-tuple (keyed hash + a 64 ns clock) and, in *tsoff, the
// per-flow timestamp offset. mirrors secure_tcp_seq() / secure_tcp_ts_off().
uint32_t secure_tcp_seq_and_tsoff(const net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
                                  uint32_t* tsoff);
// A keyed 64-bit hash of our own (SipHash-like in structure, not SipHash).
uint64_t keyed_hash(const uint64_t key[2], uint64_t a, uint64_t b, uint64_t c);

// ---- syncookies.c -----------------------------------------------------------
uint32_t cookie_v4_init_sequence(const net* n, const tcp_segment& seg, uint16_t* mssp);
// On success returns the new child (queued on the listener) or null when the
// cookie was valid but the child could not be made; *valid tells which.
sock* cookie_v4_check(sock* sk, sim::SkBuff* skb, const tcp_segment& seg, bool* handled);
uint32_t cookie_init_timestamp(const net* n, request_sock* req, sim::Time now);
// Exposed for unit tests: the 32-bit cookie arithmetic (__cookie_v4_init_sequence / __cookie_v4_check).
uint32_t secure_tcp_syn_cookie(const net* n, uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
                               uint32_t sseq, uint32_t count, uint32_t data);
// Returns the MSS-table index encoded in `cookie`, or -1 when it is invalid.
int check_tcp_syn_cookie(const net* n, uint32_t cookie, uint32_t saddr, uint32_t daddr, uint16_t sport,
                         uint16_t dport, uint32_t sseq, uint32_t count);
extern const uint16_t msstab[4];
bool cookie_timestamp_decode(const net* n, tcp_options_received* tcp_opt);
uint32_t tcp_cookie_time(const net* n);

}  // namespace stack

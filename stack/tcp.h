// TCP: the tcp_sock, constants, and the functions that the tcp_*.cc files
// export to each other. mirrors include/net/tcp.h and include/linux/tcp.h.
//
// Time. Linux keeps TCP time in three clocks: jiffies (HZ=250 on the
// reference kernel) for timers, lsndtime and the delayed-ACK engine,
// microseconds (tcp_mstamp) for RTT samples, and milliseconds for the TCP
// timestamp option. SIM: timers and stamps are kept as exact sim::Time; the
// only place jiffies survive is CUBIC's epoch arithmetic (tcp_jiffies32()),
// which is defined in jiffies. Timer deadlines are therefore the ideal
// values (RTO_MIN = 200 ms, ATO = 40 ms), where Linux fires up to a few
// jiffies later through timer-wheel granularity.
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
inline constexpr int HZ = 250;  // the reference kernel's CONFIG_HZ
inline constexpr sim::Time TCP_JIFFY = sim::milliseconds(1000 / HZ);
inline constexpr sim::Time TCP_TIMEOUT_INIT = sim::seconds(1);
inline constexpr sim::Time TCP_RTO_MAX = sim::seconds(120);
inline constexpr sim::Time TCP_RTO_MIN = sim::milliseconds(200);
// TCP_TIMEOUT_MIN is 2 jiffies; SIM: we use HZ=250 like the reference kernel.
inline constexpr sim::Time TCP_TIMEOUT_MIN = TCP_JIFFY * 2;
inline constexpr sim::Time TCP_TIMEOUT_MIN_US = sim::milliseconds(2);
inline constexpr sim::Time TCP_DELACK_MAX = sim::milliseconds(200);
inline constexpr sim::Time TCP_DELACK_MIN = sim::milliseconds(40);
inline constexpr sim::Time TCP_ATO_MIN = sim::milliseconds(40);
inline constexpr sim::Time TCP_TIMEWAIT_LEN = sim::seconds(60);
inline constexpr sim::Time TCP_PAWS_MSL = sim::seconds(60);
inline constexpr sim::Time TCP_RESOURCE_PROBE_INTERVAL = sim::milliseconds(500);
inline constexpr sim::Time TCP_KEEPALIVE_TIME = sim::seconds(2 * 3600);
inline constexpr sim::Time TCP_KEEPALIVE_INTVL = sim::seconds(75);
inline constexpr int TCP_KEEPALIVE_PROBES = 9;
inline constexpr uint32_t TCP_MAX_WSCALE = 14;
inline constexpr uint32_t MAX_TCP_WINDOW = 32767;
inline constexpr uint32_t TCP_INIT_CWND = 10;
inline constexpr uint32_t TCP_INFINITE_SSTHRESH = 0x7fffffff;
inline constexpr int MAX_TCP_SYNCNT = 127;
inline constexpr int TCP_MAX_QUICKACKS = 16;
inline constexpr uint32_t TCP_FASTRETRANS_THRESH = 3;
inline constexpr int TCP_MIN_MSS = 88;
inline constexpr int TCP_MIN_SND_MSS = 48;
inline constexpr int TCP_NUM_SACKS = 4;
inline constexpr int TCP_RMEM_TO_WIN_SCALE = 8;
inline constexpr uint8_t TCP_DEFAULT_SCALING_RATIO = 1 << (TCP_RMEM_TO_WIN_SCALE - 1);
inline constexpr uint8_t TCP_RACK_RECOVERY_THRESH = 16;
inline constexpr uint32_t TCPOLEN_TSTAMP_ALIGNED = 12;
inline constexpr uint32_t MAX_TCP_OPTION_SPACE = 40;
// Memory accounting sizes of the x86_64 reference kernel: MAX_TCP_HEADER,
// SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) and of struct sk_buff.
// SIM: MAX_TCP_HEADER is L1_CACHE_ALIGN(128 + MAX_HEADER), and MAX_HEADER
// depends on the kernel config; 320 is a distribution kernel's (WLAN or
// Hyper-V, IP tunnels). A minimal config without them (e.g. a Firecracker
// guest kernel) has 192, which changes tcp_sndbuf_expand() for MSS > 1408:
// an initial SO_SNDBUF of 46080 rather than 87040 at MSS 1460.
inline constexpr int MAX_TCP_HEADER = 320;
inline constexpr int SKB_SHINFO_SIZE = 320;
inline constexpr int SKB_STRUCT_SIZE = 256;
inline constexpr int NET_SKB_PAD = 64;

// TCP header flags (include/net/tcp.h TCPHDR_*)
enum : uint8_t {
  TCPHDR_FIN = 0x01, TCPHDR_SYN = 0x02, TCPHDR_RST = 0x04, TCPHDR_PSH = 0x08,
  TCPHDR_ACK = 0x10, TCPHDR_URG = 0x20, TCPHDR_ECE = 0x40, TCPHDR_CWR = 0x80,
};

// icsk_pending values beyond sock.h's (include/net/inet_connection_sock.h).
enum : uint8_t { ICSK_TIME_LOSS_PROBE = 5, ICSK_TIME_REO_TIMEOUT = 6 };
// icsk_ack.pending bits beyond sock.h's.
enum : uint8_t { ICSK_ACK_PUSHED2 = 8, ICSK_ACK_NOMEM = 32 };

// Nagle states (tp->nonagle)
enum : uint8_t { TCP_NAGLE_OFF = 1, TCP_NAGLE_CORK = 2, TCP_NAGLE_PUSH = 4 };

// Congestion-avoidance states (enum tcp_ca_state)
enum : uint8_t { TCP_CA_Open = 0, TCP_CA_Disorder = 1, TCP_CA_CWR = 2, TCP_CA_Recovery = 3, TCP_CA_Loss = 4 };

// Events a congestion control sees (enum tcp_ca_event)
enum tcp_ca_event : uint8_t {
  CA_EVENT_TX_START, CA_EVENT_CWND_RESTART, CA_EVENT_COMPLETE_CWR, CA_EVENT_LOSS,
};

// Option kinds are sim::wire::kTcpOpt*; glibc's <netinet/tcp.h> owns the
// TCPOPT_* macro names.

// mirrors struct tcp_skb_cb: per-segment state kept in skb->cb.
struct tcp_skb_cb {
  uint32_t seq;
  uint32_t end_seq;   // seq + SYN + FIN + data length
  uint32_t ack_seq;
  sim::Time when;     // skb_mstamp: last (re)transmission, for RTT and RACK
  uint32_t tx_delivered;  // tp->delivered when sent (tx.delivered, rate sampling)
  uint8_t tcp_flags;
  uint8_t sacked;     // TCPCB_* scoreboard bits
  uint16_t data_off;  // bytes of headers in front of the payload (receive side)
  uint32_t truesize;  // memory charged for this buffer (skb->truesize)
};
static_assert(sizeof(tcp_skb_cb) <= sizeof(sim::SkBuff::cb));
inline tcp_skb_cb* TCP_SKB_CB(sim::SkBuff* skb) { return reinterpret_cast<tcp_skb_cb*>(skb->cb); }
inline const tcp_skb_cb* TCP_SKB_CB(const sim::SkBuff* skb) { return reinterpret_cast<const tcp_skb_cb*>(skb->cb); }
enum : uint8_t {
  TCPCB_SACKED_ACKED = 0x01,    // SKB ACK'd by a SACK block
  TCPCB_SACKED_RETRANS = 0x02,  // SKB retransmitted
  TCPCB_LOST = 0x04,            // SKB is lost
  TCPCB_TAGBITS = 0x07,
  TCPCB_EVER_RETRANS = 0x80,    // ever retransmitted frame
  TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS,
};

struct tcp_sack_block {
  uint32_t start_seq;
  uint32_t end_seq;
};

// mirrors struct tcp_options_received (include/linux/tcp.h)
struct tcp_options_received {
  sim::Time ts_recent_stamp;  // when ts_recent was last updated
  uint32_t ts_recent = 0;
  uint32_t rcv_tsval = 0;
  uint32_t rcv_tsecr = 0;
  bool saw_tstamp = false;
  bool tstamp_ok = false;
  bool dsack = false;         // a D-SACK is scheduled (duplicate_sack[0])
  bool wscale_ok = false;
  bool sack_ok = false;
  bool dsack_seen = false;    // TCP_DSACK_SEEN
  uint8_t snd_wscale = 0;
  uint8_t rcv_wscale = 0;
  uint8_t num_sacks = 0;      // SACK blocks we send (selective_acks)
  uint16_t user_mss = 0;      // TCP_MAXSEG
  uint16_t mss_clamp = 0;     // the peer's MSS (or user_mss if smaller)
  // The SACK option of the segment being processed. SIM: Linux keeps its
  // offset in TCP_SKB_CB(skb)->sacked; here the parsed blocks.
  uint8_t rcv_num_sacks = 0;
  tcp_sack_block rcv_sacks[TCP_NUM_SACKS] = {};
};

struct tcp_congestion_ops;

// mirrors struct minmax (include/linux/win_minmax.h): a windowed running
// minimum kept as the best three samples.
struct minmax_sample {
  sim::Time t;
  uint32_t v = 0;
};
struct minmax {
  minmax_sample s[3];
};

// mirrors struct tcp_sock (include/linux/tcp.h), the fields this kernel uses.
struct tcp_sock : inet_connection_sock {
  // receive sequence space
  uint32_t rcv_nxt = 0;
  uint32_t copied_seq = 0;
  uint32_t rcv_wup = 0;
  uint32_t rcv_wnd = 0;
  uint32_t rcv_ssthresh = 0;
  uint32_t window_clamp = 0;
  // send sequence space
  uint32_t snd_nxt = 0;
  uint32_t snd_una = 0;
  uint32_t snd_sml = 0;       // last byte of the most recent small segment
  uint32_t write_seq = 0;
  uint32_t pushed_seq = 0;
  uint32_t snd_wl1 = 0;
  uint32_t snd_wnd = 0;
  uint32_t max_window = 0;
  uint32_t mss_cache = TCP_MSS_DEFAULT;
  uint16_t advmss = 0;
  uint32_t tsoffset = 0;
  uint8_t nonagle = 0;        // TCP_NAGLE_* bits (TCP_NODELAY, TCP_CORK)
  uint8_t scaling_ratio = TCP_DEFAULT_SCALING_RATIO;
  uint8_t ecn_flags = 0;
  bool syn_fastopen = false;
  bool syncookie_child = false;
  bool is_sack_reneg = false;
  bool is_cwnd_limited = false;
  bool frto = false;
  tcp_options_received rx_opt;
  tcp_sack_block duplicate_sack[1] = {};
  tcp_sack_block selective_acks[TCP_NUM_SACKS] = {};
  // RTT
  uint32_t srtt_us = 0;       // smoothed RTT << 3, as Linux keeps it
  uint32_t mdev_us = 0;
  uint32_t mdev_max_us = 0;
  uint32_t rttvar_us = 0;
  uint32_t rtt_seq = 0;
  minmax rtt_min;
  // congestion control
  uint32_t snd_cwnd = TCP_INIT_CWND;
  uint32_t snd_cwnd_cnt = 0;
  uint32_t snd_cwnd_clamp = ~0u;
  uint32_t snd_cwnd_used = 0;
  sim::Time snd_cwnd_stamp;
  uint32_t snd_ssthresh = TCP_INFINITE_SSTHRESH;
  uint32_t prior_ssthresh = 0;
  uint32_t prior_cwnd = 0;
  uint32_t max_packets_out = 0;
  uint32_t cwnd_usage_seq = 0;
  uint32_t prr_delivered = 0;
  uint32_t prr_out = 0;
  uint32_t delivered = 0;     // segments delivered (acked or sacked)
  uint32_t lost = 0;          // segments ever marked lost
  uint64_t sk_pacing_rate = 0;  // bytes/s; computed (CUBIC's HyStart reads it), never enforced
  // loss recovery scoreboard
  uint32_t packets_out = 0;
  uint32_t retrans_out = 0;
  uint32_t sacked_out = 0;
  uint32_t lost_out = 0;
  uint32_t reordering = 3;
  uint32_t reord_seen = 0;
  uint32_t high_seq = 0;      // snd_nxt when recovery (or CWR/Loss) began
  uint32_t undo_marker = 0;
  int32_t undo_retrans = -1;
  // tcp_highest_sack_seq(): the end of the highest SACKed segment. SIM:
  // Linux keeps a pointer to the segment after it (tp->highest_sack).
  uint32_t highest_sack_end = 0;
  uint32_t tlp_high_seq = 0;
  bool tlp_retrans = false;
  uint32_t dsack_dups = 0;
  struct {
    sim::Time mstamp;         // send time of the most recently (s)acked segment
    uint32_t rtt_us = 0;
    uint32_t end_seq = 0;
    uint32_t last_delivered = 0;
    uint8_t reo_wnd_steps = 1;
    uint8_t reo_wnd_persist = 0;
    bool dsack_seen = false;
    bool advanced = false;
  } rack;
  uint32_t total_retrans = 0;
  uint32_t total_rto = 0;     // RTO expiries of this connection (tcp_syn_linear_timeouts)
  sim::Time retrans_stamp;    // first retransmission of the episode (SYN: first SYN)
  bool retrans_stamp_set = false;  // SIM: Linux uses retrans_stamp == 0 for "none"
  sim::Time lsndtime;         // last data sent
  sim::Time rcv_tstamp;       // last ACK received
  sim::Time last_oow_ack_time;
  bool last_oow_ack_valid = false;
  // receiver autotuning
  struct {
    uint32_t rtt_us = 0;      // << 3
    uint32_t seq = 0;
    sim::Time time;
  } rcv_rtt_est;
  uint32_t rcv_rtt_last_tsecr = 0;
  struct {
    uint32_t space = 0;
    uint32_t seq = 0;
    sim::Time time;
  } rcvq_space;
  // SACK compression (tcp_sack_compress_send_ack)
  uint32_t compressed_ack = 0;
  uint32_t compressed_ack_rcv_nxt = 0;
  uint32_t dup_ack_counter = 0;
  sim::Timer compressed_ack_timer;
  // queues
  sk_buff_head tcp_rtx_queue;      // sent, not yet acked, in sequence order
  sk_buff_head out_of_order_queue;  // in sequence order
  // SIM: these live in struct sock / inet_connection_sock in Linux; sock.h
  // belongs to the socket layer, so TCP keeps its own copies here.
  int sk_rmem_alloc = 0;      // truesize of the receive and out-of-order queues
  bool sock_nospace = false;  // SOCK_NOSPACE: a writer is waiting for send buffer
  const tcp_congestion_ops* icsk_ca_ops = nullptr;
  uint64_t icsk_ca_priv[13] = {};  // ICSK_CA_PRIV_SIZE (104 bytes)
  uint8_t icsk_ca_state = TCP_CA_Open;
  bool icsk_ca_initialized = false;
  uint8_t icsk_probes_out = 0;
  sim::Time icsk_probes_tstamp;
  uint32_t icsk_user_timeout = 0;  // TCP_USER_TIMEOUT, ms
  // socket options
  int linger2 = 0;
  int keepalive_time = 0;     // TCP_KEEPIDLE, seconds; 0 = sysctl
  int keepalive_intvl = 0;    // TCP_KEEPINTVL, seconds; 0 = sysctl
  int keepalive_probes = 0;   // TCP_KEEPCNT; 0 = sysctl
  // Listener only: when a cookie SYN-ACK was last sent (tcp_synq_overflow()).
  // SIM: Linux keeps this in rx_opt.ts_recent_stamp of the listener.
  sim::Time synq_last_overflow;
  bool synq_overflowed = false;
  // SIM: tcp_child_process() resets icsk_ack.rcv_mss after the handshake;
  // the first established segment restores tcp_initialize_rcv_mss()'s value.
  uint16_t rcv_mss_init = 0;
  uint16_t last_seg_size = 0;  // icsk_ack.last_seg_size
  // statistics (tcp_info)
  uint32_t data_segs_in = 0;
  uint32_t data_segs_out = 0;
  uint32_t segs_in = 0;
  uint32_t segs_out = 0;
  uint64_t bytes_received = 0;
  uint64_t bytes_acked = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_retrans = 0;
};

inline tcp_sock* tcp_sk(sock* sk) { return static_cast<tcp_sock*>(sk); }
inline const tcp_sock* tcp_sk(const sock* sk) { return static_cast<const tcp_sock*>(sk); }
inline inet_connection_sock* inet_csk(sock* sk) { return static_cast<inet_connection_sock*>(sk); }
inline const inet_connection_sock* inet_csk(const sock* sk) { return static_cast<const inet_connection_sock*>(sk); }
inline inet_sock* inet_sk(sock* sk) { return static_cast<inet_sock*>(sk); }

// Sequence-space comparisons across wraparound (include/net/tcp.h).
inline bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool after(uint32_t a, uint32_t b) { return before(b, a); }
inline bool between(uint32_t s, uint32_t lo, uint32_t hi) { return hi - lo >= s - lo; }

// ---- small inline helpers of include/net/tcp.h ---------------------------------
inline uint32_t tcp_header_len(const tcp_sock* tp) { return 20 + (tp->rx_opt.tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0); }
inline bool tcp_is_sack(const tcp_sock* tp) { return tp->rx_opt.sack_ok; }
inline bool tcp_is_reno(const tcp_sock* tp) { return !tcp_is_sack(tp); }
inline uint32_t tcp_left_out(const tcp_sock* tp) { return tp->sacked_out + tp->lost_out; }
inline uint32_t tcp_packets_in_flight(const tcp_sock* tp) {
  return tp->packets_out - tcp_left_out(tp) + tp->retrans_out;
}
inline bool tcp_in_slow_start(const tcp_sock* tp) { return tp->snd_cwnd < tp->snd_ssthresh; }
inline bool tcp_in_initial_slowstart(const tcp_sock* tp) { return tp->snd_ssthresh >= TCP_INFINITE_SSTHRESH; }
inline bool tcp_in_cwnd_reduction(const tcp_sock* tp) {
  return tp->icsk_ca_state == TCP_CA_CWR || tp->icsk_ca_state == TCP_CA_Recovery;
}
inline uint32_t tcp_wnd_end(const tcp_sock* tp) { return tp->snd_una + tp->snd_wnd; }
// mirrors tcp_receive_window(): what is left of the window we advertised.
inline uint32_t tcp_receive_window(const tcp_sock* tp) {
  const int32_t win = static_cast<int32_t>(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);
  return win < 0 ? 0 : static_cast<uint32_t>(win);
}
inline uint32_t tcp_min_rtt(const tcp_sock* tp) { return tp->rtt_min.s[0].v; }
inline int tcp_win_from_space(const tcp_sock* tp, int space) {
  return static_cast<int>((static_cast<int64_t>(space) * tp->scaling_ratio) >> TCP_RMEM_TO_WIN_SCALE);
}
inline int tcp_space_from_win(const tcp_sock* tp, int win) {
  return static_cast<int>((static_cast<uint64_t>(win) << TCP_RMEM_TO_WIN_SCALE) / tp->scaling_ratio);
}
// mirrors tcp_space() / tcp_full_space()
inline int tcp_space(const sock* sk) {
  return tcp_win_from_space(tcp_sk(sk), sk->sk_rcvbuf - tcp_sk(sk)->sk_rmem_alloc);
}
inline int tcp_full_space(const sock* sk) { return tcp_win_from_space(tcp_sk(sk), sk->sk_rcvbuf); }
inline bool inet_csk_ack_scheduled(const sock* sk) { return inet_csk(sk)->icsk_ack.pending & ICSK_ACK_SCHED; }
inline void inet_csk_schedule_ack(sock* sk) { inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_SCHED; }
// SIM: net.ipv4.tcp_pingpong_thresh is 1 in 6.18 and not a sysctl here.
inline bool inet_csk_in_pingpong_mode(const sock* sk) { return inet_csk(sk)->icsk_ack.pingpong >= 1; }
inline void inet_csk_enter_pingpong_mode(sock* sk) { inet_csk(sk)->icsk_ack.pingpong = 1; }
inline void inet_csk_exit_pingpong_mode(sock* sk) { inet_csk(sk)->icsk_ack.pingpong = 0; }
// tcp_jiffies32: the jiffies clock, for code defined in jiffies (CUBIC).
inline uint32_t tcp_jiffies32(sim::Time now) { return static_cast<uint32_t>(now / TCP_JIFFY); }
// mirrors tcp_skb_sent_after(): t1/seq1 sent after t2/seq2?
inline bool tcp_skb_sent_after(sim::Time t1, sim::Time t2, uint32_t seq1, uint32_t seq2) {
  return t1 > t2 || (t1 == t2 && after(seq1, seq2));
}

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

// ---- congestion control (tcp_cong.c) ----------------------------------------
// mirrors struct tcp_congestion_ops: the hooks a congestion control provides.
struct tcp_congestion_ops {
  const char* name;
  uint32_t (*ssthresh)(sock* sk);
  void (*cong_avoid)(sock* sk, uint32_t ack, uint32_t acked);
  void (*set_state)(sock* sk, uint8_t new_state);            // optional
  void (*cwnd_event)(sock* sk, tcp_ca_event ev);             // optional
  uint32_t (*undo_cwnd)(sock* sk);
  void (*pkts_acked)(sock* sk, uint32_t pkts_acked, int64_t rtt_us);  // optional
  void (*init)(sock* sk);                                    // optional
};
extern const tcp_congestion_ops tcp_reno;
extern const tcp_congestion_ops cubictcp;
// Registered controls by name ("reno", "cubic"); null when unknown.
const tcp_congestion_ops* tcp_ca_find(const char* name);
// The names for net.ipv4.tcp_available_congestion_control, in order.
const char* tcp_ca_name(int index);
void tcp_assign_congestion_control(sock* sk);
void tcp_init_congestion_control(sock* sk);
int tcp_set_congestion_control(sock* sk, const char* name);
void tcp_set_ca_state(sock* sk, uint8_t ca_state);
void tcp_ca_event(sock* sk, tcp_ca_event event);
uint32_t tcp_slow_start(tcp_sock* tp, uint32_t acked);
void tcp_cong_avoid_ai(tcp_sock* tp, uint32_t w, uint32_t acked);
void tcp_reno_cong_avoid(sock* sk, uint32_t ack, uint32_t acked);
uint32_t tcp_reno_ssthresh(sock* sk);
uint32_t tcp_reno_undo_cwnd(sock* sk);
bool tcp_is_cwnd_limited(const sock* sk);
template <class T>
T* inet_csk_ca(sock* sk) {
  static_assert(sizeof(T) <= sizeof(tcp_sock::icsk_ca_priv));
  return reinterpret_cast<T*>(tcp_sk(sk)->icsk_ca_priv);
}

// ---- tcp_input.c ------------------------------------------------------------
// tcp_ack() flags (net/ipv4/tcp_input.c FLAG_*).
enum : int {
  FLAG_DATA = 0x01,                // incoming frame contained data
  FLAG_WIN_UPDATE = 0x02,          // incoming ACK was a window update
  FLAG_DATA_ACKED = 0x04,          // this ACK acknowledged new data
  FLAG_RETRANS_DATA_ACKED = 0x08,  // ...some of which was retransmitted
  FLAG_SYN_ACKED = 0x10,           // this ACK acknowledged SYN
  FLAG_DATA_SACKED = 0x20,         // new SACK
  FLAG_ECE = 0x40,
  FLAG_LOST_RETRANS = 0x80,        // this ACK marks some retransmission lost
  FLAG_SLOWPATH = 0x100,
  FLAG_ORIG_SACK_ACKED = 0x200,    // never-retransmitted data was (s)acked
  FLAG_SND_UNA_ADVANCED = 0x400,
  FLAG_DSACKING_ACK = 0x800,
  FLAG_SET_XMIT_TIMER = 0x1000,    // set TLP or RTO timer
  FLAG_SACK_RENEGING = 0x2000,
  FLAG_UPDATE_TS_RECENT = 0x4000,
  FLAG_NO_CHALLENGE_ACK = 0x8000,
  FLAG_ACK_MAYBE_DELAYED = 0x10000,
  FLAG_DSACK_TLP = 0x20000,
  FLAG_ACKED = FLAG_DATA_ACKED | FLAG_SYN_ACKED,
  FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_ACKED,
  FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK,
  FLAG_FORWARD_PROGRESS = FLAG_ACKED | FLAG_DATA_SACKED,
};
// mirrors tcp_ack(): 1 = processed, 0 = an old ACK (ignored), negative =
// drop (-1: too old, a challenge ACK may be due; -2: acks data never sent).
int tcp_ack(sock* sk, const tcp_segment& seg, int flag);
// mirrors tcp_highest_sack_seq(). Without SACK, Linux's highest_sack follows
// the head of the retransmission queue, i.e. snd_una.
inline uint32_t tcp_highest_sack_seq(const tcp_sock* tp) {
  return tp->sacked_out && tcp_is_sack(tp) ? tp->highest_sack_end : tp->snd_una;
}
// mirrors tcp_parse_options(): fills opt from the raw options of a segment.
void tcp_parse_options(const net* n, const tcp_segment& seg, bool estab, tcp_options_received* opt);
int tcp_conn_request(const request_sock_ops* rsk_ops, sock* sk, const sim::SkBuff* skb, const tcp_segment& seg);
// Returns nonzero when the caller must send a RST (tcp_rcv_state_process semantics).
int tcp_rcv_state_process(sock* sk, sim::SkBuff* skb, const tcp_segment& seg);
void tcp_rcv_established(sock* sk, sim::SkBuff* skb, const tcp_segment& seg);
void tcp_init_transfer(sock* sk);
void tcp_fin(sock* sk);
void tcp_reset(sock* sk);
// mirrors tcp_sync_mss(): the sending MSS for path MTU pmtu.
uint32_t tcp_sync_mss(sock* sk, uint32_t pmtu);
void tcp_initialize_rcv_mss(sock* sk);
void tcp_update_metrics_rtt(sock* sk);
// mirrors tcp_ack_update_rtt()'s work for one RTT sample in microseconds:
// tcp_update_rtt_min(), tcp_rtt_estimator(), tcp_set_rto().
void tcp_rtt_estimator(sock* sk, int64_t mrtt_us);
bool tcp_peer_is_proven(const net* n, uint32_t daddr);
void tcp_rcv_space_adjust(sock* sk);
void tcp_check_space(sock* sk);
void tcp_sndbuf_expand(sock* sk);
void tcp_enter_loss(sock* sk);
void tcp_enter_recovery(sock* sk, bool ece_ack);
void tcp_cwnd_reduction(sock* sk, int newly_acked_sacked, int newly_lost, int flag);
void tcp_mark_skb_lost(sock* sk, sim::SkBuff* skb);
void tcp_clear_retrans(tcp_sock* tp);
void tcp_rearm_rto(sock* sk);
void tcp_enter_quickack_mode(sock* sk, unsigned max_quickacks);
uint32_t tcp_current_ssthresh(const sock* sk);
// mirrors the truesize of a received skb carrying `len` bytes of IPv4
// packet (kmalloc'ed linear buffer, as tun and veth deliver them).
uint32_t tcp_rcv_truesize(uint32_t frame_len);

// ---- tcp_recovery.c ---------------------------------------------------------
bool tcp_rack_mark_lost(sock* sk);
void tcp_rack_advance(tcp_sock* tp, uint8_t sacked, uint32_t end_seq, sim::Time xmit_time, sim::Time now);
void tcp_rack_reo_timeout(sock* sk);
void tcp_rack_update_reo_wnd(sock* sk, uint32_t prior_delivered);
void tcp_newreno_mark_lost(sock* sk, bool snd_una_advanced);
int32_t tcp_rack_skb_timeout(const tcp_sock* tp, const sim::SkBuff* skb, uint32_t reo_wnd, sim::Time now);

// ---- tcp_output.c -----------------------------------------------------------
void tcp_select_initial_window(const net* n, int space, uint32_t mss, uint32_t* rcv_wnd, uint32_t* window_clamp,
                               bool wscale_ok, uint8_t* rcv_wscale, uint32_t init_rcv_wnd);
sim::SkBuff* tcp_make_synack(const sock* sk, request_sock* req, bool syncookie);
int tcp_connect(sock* sk);
void tcp_send_ack(sock* sk);
void tcp_send_delayed_ack(sock* sk);
void tcp_send_active_reset(sock* sk);
void tcp_send_fin(sock* sk);
// mirrors tcp_push(): mark PSH on the tail (unless MSG_MORE) and send.
void tcp_push(sock* sk, int flags, uint32_t mss_now, int nonagle);
// mirrors __tcp_push_pending_frames() / tcp_push_pending_frames().
void tcp_push_pending_frames(sock* sk);
void __tcp_push_pending_frames(sock* sk, uint32_t cur_mss, int nonagle);
void tcp_push_one(sock* sk, uint32_t mss_now);
int tcp_retransmit_skb(sock* sk, sim::SkBuff* skb);
void tcp_xmit_retransmit_queue(sock* sk);
int tcp_transmit_skb(sock* sk, sim::SkBuff* skb, bool clone);
uint32_t tcp_current_mss(sock* sk);
uint16_t tcp_select_window(sock* sk);
uint32_t __tcp_select_window(sock* sk);
uint32_t tcp_mss_clamp_from_route(const net* n, uint32_t daddr);
bool tcp_schedule_loss_probe(sock* sk, bool advancing_rto);
void tcp_send_loss_probe(sock* sk);
void tcp_send_probe0(sock* sk);
int tcp_write_wakeup(sock* sk, int mib);
void tcp_cwnd_restart(sock* sk, sim::Time delta);
void tcp_slow_start_after_idle_check(sock* sk);
void tcp_update_pacing_rate(sock* sk);
void tcp_check_probe_timer(sock* sk);
sim::Time tcp_probe0_base(const sock* sk);
sim::Time tcp_probe0_when(const sock* sk, sim::Time max_when);
sim::Time tcp_delack_max(const sock* sk);
uint32_t tcp_init_cwnd(const tcp_sock* tp);
uint32_t tcp_acceptable_seq(const sock* sk);

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
// mirrors inet_csk_reset_xmit_timer(): `when` is relative to now, capped
// at max_when.
void inet_csk_reset_xmit_timer(sock* sk, uint8_t what, sim::Time when, sim::Time max_when);
void tcp_reset_xmit_timer(sock* sk, uint8_t what, sim::Time when);
void inet_csk_clear_xmit_timer(sock* sk, uint8_t what);
void tcp_syn_ack_timeout(const request_sock* req);
void tcp_set_keepalive(sock* sk, int val);
void inet_csk_reset_keepalive_timer(sock* sk, sim::Time len);
void inet_csk_delete_keepalive_timer(sock* sk);
sim::Time keepalive_time_when(const sock* sk);
// mirrors tcp_fin_time(): how long an orphan may stay in FIN_WAIT2.
sim::Time tcp_fin_time(const sock* sk);
// Moves an orphan that reached FIN_WAIT2 under its FIN_WAIT2 timeout
// (the tcp_close() / tcp_rcv_state_process() / keepalive-timer rule).
// Returns true when the sock moved to the FIN_WAIT2 timewait substate.
bool tcp_orphan_fin_wait2(sock* sk, bool fin_in_segment);
void tcp_compressed_ack_timer_start(sock* sk, sim::Time delay);
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
void tcp_cleanup_rbuf(sock* sk, int copied);
void tcp_write_queue_purge(sock* sk);
// mirrors sk_stream_memory_free() / __sk_stream_is_writeable().
bool sk_stream_memory_free(const sock* sk);
bool sk_stream_is_writeable(const sock* sk);
void sk_stream_write_space(sock* sk);
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

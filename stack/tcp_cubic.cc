// mirrors net/ipv4/tcp_cubic.c (tag: docs/kernel-version.md): CUBIC (RFC 9438)
// with HyStart (ACK-train and delay detection), Linux's default congestion
// control. Module parameters keep their defaults: fast_convergence=1,
// beta=717/1024, bic_scale=41, tcp_friendliness=1, hystart=1,
// hystart_detect=3, hystart_low_window=16, hystart_ack_delta_us=2000.
//
// The arithmetic is Linux's fixed-point arithmetic (cwnd in packets, time in
// jiffies scaled by 2^10), so cwnd trajectories match the kernel's.
// SIM: no pacing is ever enforced (sk_pacing_status is SK_PACING_NONE, as
// for CUBIC without the fq qdisc); the pacing rate is still computed
// because HyStart's ACK-train threshold reads it.
#include <algorithm>
#include <cstring>

#include "stack/net.h"
#include "stack/tcp.h"

namespace stack {

namespace {

constexpr uint32_t BICTCP_BETA_SCALE = 1024;
constexpr uint32_t BICTCP_HZ = 10;  // 2^10 = 1024
constexpr int HYSTART_ACK_TRAIN = 0x1;
constexpr int HYSTART_DELAY = 0x2;
constexpr uint8_t HYSTART_MIN_SAMPLES = 8;
constexpr uint32_t HYSTART_DELAY_MIN = 4000;   // us
constexpr uint32_t HYSTART_DELAY_MAX = 16000;  // us
constexpr uint32_t kGsoMaxSize = 65536;        // sk_gso_max_size

constexpr int fast_convergence = 1;
constexpr uint32_t beta = 717;
constexpr uint32_t bic_scale = 41;
constexpr int tcp_friendliness = 1;
constexpr int hystart = 1;
constexpr int hystart_detect = HYSTART_ACK_TRAIN | HYSTART_DELAY;
constexpr uint32_t hystart_low_window = 16;
constexpr uint32_t hystart_ack_delta_us = 2000;

// Precomputed in cubictcp_register().
constexpr uint32_t beta_scale = 8 * (BICTCP_BETA_SCALE + beta) / 3 / (BICTCP_BETA_SCALE - beta);
constexpr uint32_t cube_rtt_scale = bic_scale * 10;  // 1024*c/rtt
constexpr uint64_t cube_factor = (1ull << (10 + 3 * BICTCP_HZ)) / (bic_scale * 10);

// mirrors struct bictcp
struct bictcp {
  uint32_t cnt;             // increase cwnd by 1 after this many ACKs
  uint32_t last_max_cwnd;   // last maximum snd_cwnd
  uint32_t last_cwnd;
  uint32_t last_time;       // jiffies of the last update
  uint32_t bic_origin_point;
  uint32_t bic_K;           // time to the origin point, in 2^-10 s
  uint32_t delay_min;       // us
  uint32_t epoch_start;     // jiffies; 0: no epoch
  uint32_t ack_cnt;
  uint32_t tcp_cwnd;        // estimated Reno cwnd
  uint16_t unused;
  uint8_t sample_cnt;
  uint8_t found;
  uint32_t round_start;     // us
  uint32_t end_seq;
  uint32_t last_ack;        // us
  uint32_t curr_rtt;        // us
};

uint32_t jiffies(const sock* sk) { return tcp_jiffies32(sk->skc_net->now()); }
uint32_t bictcp_clock_us(const sock* sk) { return static_cast<uint32_t>(sk->skc_net->now().us()); }

void bictcp_reset(bictcp* ca) {
  std::memset(ca, 0, offsetof(bictcp, unused));
  ca->found = 0;
}

void bictcp_hystart_reset(sock* sk) {
  tcp_sock* tp = tcp_sk(sk);
  bictcp* ca = inet_csk_ca<bictcp>(sk);
  ca->round_start = ca->last_ack = bictcp_clock_us(sk);
  ca->end_seq = tp->snd_nxt;
  ca->curr_rtt = ~0u;
  ca->sample_cnt = 0;
}

// mirrors cubictcp_init()
void cubictcp_init(sock* sk) {
  bictcp_reset(inet_csk_ca<bictcp>(sk));
  if (hystart) bictcp_hystart_reset(sk);
}

// mirrors cubictcp_cwnd_event(): after an idle period, shift the epoch so
// that cwnd keeps following the cubic curve instead of jumping.
void cubictcp_cwnd_event(sock* sk, enum tcp_ca_event event) {
  if (event != CA_EVENT_TX_START) return;
  bictcp* ca = inet_csk_ca<bictcp>(sk);
  const uint32_t now = jiffies(sk);
  const int32_t delta = static_cast<int32_t>(now - tcp_jiffies32(tcp_sk(sk)->lsndtime));
  if (ca->epoch_start && delta > 0) {
    ca->epoch_start += static_cast<uint32_t>(delta);
    if (after(ca->epoch_start, now)) ca->epoch_start = now;
  }
}

int fls64(uint64_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

// mirrors cubic_root(): cube root by table lookup plus one Newton-Raphson
// step, exactly as the kernel computes it (same rounding).
uint32_t cubic_root(uint64_t a) {
  static const uint8_t v[] = {
      0,   54,  54,  54,  118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
      157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
      200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
      231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
  };
  uint32_t b = static_cast<uint32_t>(fls64(a));
  if (b < 7) return (static_cast<uint32_t>(v[static_cast<uint32_t>(a)]) + 35) >> 6;
  b = ((b * 84) >> 8) - 1;
  const uint32_t shift = static_cast<uint32_t>(a >> (b * 3));
  uint32_t x = static_cast<uint32_t>((static_cast<uint32_t>(v[shift]) + 10) << b) >> 6;
  x = 2 * x + static_cast<uint32_t>(a / (static_cast<uint64_t>(x) * static_cast<uint64_t>(x - 1)));
  x = (x * 341) >> 10;
  return x;
}

// mirrors bictcp_update(): the target window from the cubic function and
// the Reno-friendly estimate; ca->cnt = ACKs per one-segment increase.
void bictcp_update(sock* sk, bictcp* ca, uint32_t cwnd, uint32_t acked) {
  const uint32_t now = jiffies(sk);
  ca->ack_cnt += acked;
  if (ca->last_cwnd == cwnd && static_cast<int32_t>(now - ca->last_time) <= HZ / 32) return;
  // The cubic function is evaluated at most once per jiffy; any cwnd
  // reduction zeroes epoch_start, which forces a recomputation.
  if (!(ca->epoch_start && now == ca->last_time)) {
    ca->last_cwnd = cwnd;
    ca->last_time = now;
    if (ca->epoch_start == 0) {
      ca->epoch_start = now;
      ca->ack_cnt = acked;
      ca->tcp_cwnd = cwnd;
      if (ca->last_max_cwnd <= cwnd) {
        ca->bic_K = 0;
        ca->bic_origin_point = cwnd;
      } else {
        ca->bic_K = cubic_root(cube_factor * (ca->last_max_cwnd - cwnd));
        ca->bic_origin_point = ca->last_max_cwnd;
      }
    }
    // t = time since the epoch (plus the minimum delay), in 2^-10 s.
    uint64_t t = static_cast<uint32_t>(static_cast<int32_t>(now - ca->epoch_start));
    t += (static_cast<uint64_t>(ca->delay_min) * HZ + 999999) / 1000000;  // usecs_to_jiffies
    t <<= BICTCP_HZ;
    t /= HZ;
    const uint64_t offs = t < ca->bic_K ? ca->bic_K - t : t - ca->bic_K;
    const uint32_t delta = static_cast<uint32_t>((cube_rtt_scale * offs * offs * offs) >> (10 + 3 * BICTCP_HZ));
    const uint32_t bic_target = t < ca->bic_K ? ca->bic_origin_point - delta : ca->bic_origin_point + delta;
    if (bic_target > cwnd)
      ca->cnt = cwnd / (bic_target - cwnd);
    else
      ca->cnt = 100 * cwnd;  // very small increment
    // The first growth, before any loss, is at most 5% per RTT.
    if (ca->last_max_cwnd == 0 && ca->cnt > 20) ca->cnt = 20;
  }
  if (tcp_friendliness) {
    const uint32_t delta = (cwnd * beta_scale) >> 3;
    while (ca->ack_cnt > delta) {
      ca->ack_cnt -= delta;
      ca->tcp_cwnd++;
    }
    if (ca->tcp_cwnd > cwnd) {  // Reno would be faster
      const uint32_t max_cnt = cwnd / (ca->tcp_cwnd - cwnd);
      if (ca->cnt > max_cnt) ca->cnt = max_cnt;
    }
  }
  // At most one segment per two acked: 1.5x per RTT.
  ca->cnt = std::max(ca->cnt, 2u);
}

// mirrors cubictcp_cong_avoid()
void cubictcp_cong_avoid(sock* sk, uint32_t ack, uint32_t acked) {
  (void)ack;
  tcp_sock* tp = tcp_sk(sk);
  bictcp* ca = inet_csk_ca<bictcp>(sk);
  if (!tcp_is_cwnd_limited(sk)) return;
  if (tcp_in_slow_start(tp)) {
    acked = tcp_slow_start(tp, acked);
    if (!acked) return;
  }
  bictcp_update(sk, ca, tp->snd_cwnd, acked);
  tcp_cong_avoid_ai(tp, ca->cnt, acked);
}

// mirrors cubictcp_recalc_ssthresh(): multiplicative decrease by beta,
// with fast convergence remembering a lower Wmax.
uint32_t cubictcp_recalc_ssthresh(sock* sk) {
  const tcp_sock* tp = tcp_sk(sk);
  bictcp* ca = inet_csk_ca<bictcp>(sk);
  ca->epoch_start = 0;
  if (tp->snd_cwnd < ca->last_max_cwnd && fast_convergence)
    ca->last_max_cwnd = (tp->snd_cwnd * (BICTCP_BETA_SCALE + beta)) / (2 * BICTCP_BETA_SCALE);
  else
    ca->last_max_cwnd = tp->snd_cwnd;
  return std::max((tp->snd_cwnd * beta) / BICTCP_BETA_SCALE, 2u);
}

// mirrors cubictcp_state(): an RTO forgets the curve and restarts HyStart.
void cubictcp_state(sock* sk, uint8_t new_state) {
  if (new_state == TCP_CA_Loss) {
    bictcp_reset(inet_csk_ca<bictcp>(sk));
    bictcp_hystart_reset(sk);
  }
}

// mirrors hystart_ack_delay(): the ACK spacing pacing could explain.
uint32_t hystart_ack_delay(const sock* sk) {
  const uint64_t rate = tcp_sk(sk)->sk_pacing_rate;
  if (!rate) return 0;
  return static_cast<uint32_t>(std::min<uint64_t>(1000, static_cast<uint64_t>(kGsoMaxSize) * 4 * 1000000 / rate));
}

// mirrors hystart_update(): leave slow start when ACKs of one round keep
// arriving for longer than half the minimum RTT (ACK train), or when the
// round's minimum RTT grew by an eighth (delay).
void hystart_update(sock* sk, uint32_t delay) {
  net* n = sk->skc_net;
  tcp_sock* tp = tcp_sk(sk);
  bictcp* ca = inet_csk_ca<bictcp>(sk);
  if (after(tp->snd_una, ca->end_seq)) bictcp_hystart_reset(sk);
  if (tp->snd_cwnd < hystart_low_window) return;
  if (hystart_detect & HYSTART_ACK_TRAIN) {
    const uint32_t now = bictcp_clock_us(sk);
    if (static_cast<int32_t>(now - ca->last_ack) <= static_cast<int32_t>(hystart_ack_delta_us)) {
      ca->last_ack = now;
      uint32_t threshold = ca->delay_min + hystart_ack_delay(sk);
      threshold >>= 1;  // SK_PACING_NONE
      if (static_cast<int32_t>(now - ca->round_start) > static_cast<int32_t>(threshold)) {
        ca->found = 1;
        n->mib_inc(LINUX_MIB_TCPHYSTARTTRAINDETECT);
        n->mib_inc(LINUX_MIB_TCPHYSTARTTRAINCWND, tp->snd_cwnd);
        tp->snd_ssthresh = tp->snd_cwnd;
      }
    }
  }
  if (hystart_detect & HYSTART_DELAY) {
    if (ca->curr_rtt > delay) ca->curr_rtt = delay;
    if (ca->sample_cnt < HYSTART_MIN_SAMPLES) {
      ca->sample_cnt++;
    } else if (ca->curr_rtt > ca->delay_min + std::clamp(ca->delay_min >> 3, HYSTART_DELAY_MIN, HYSTART_DELAY_MAX)) {
      ca->found = 1;
      n->mib_inc(LINUX_MIB_TCPHYSTARTDELAYDETECT);
      n->mib_inc(LINUX_MIB_TCPHYSTARTDELAYCWND, tp->snd_cwnd);
      tp->snd_ssthresh = tp->snd_cwnd;
    }
  }
}

// mirrors cubictcp_acked(): track the minimum delay and feed HyStart.
void cubictcp_acked(sock* sk, uint32_t pkts_acked, int64_t rtt_us) {
  (void)pkts_acked;
  const tcp_sock* tp = tcp_sk(sk);
  bictcp* ca = inet_csk_ca<bictcp>(sk);
  if (rtt_us < 0) return;
  // Discard delay samples right after fast recovery.
  if (ca->epoch_start && static_cast<int32_t>(jiffies(sk) - ca->epoch_start) < HZ) return;
  uint32_t delay = static_cast<uint32_t>(rtt_us);
  if (delay == 0) delay = 1;
  if (ca->delay_min == 0 || ca->delay_min > delay) ca->delay_min = delay;
  if (!ca->found && tcp_in_slow_start(tp) && hystart) hystart_update(sk, delay);
}

}  // namespace

const tcp_congestion_ops cubictcp = {
    "cubic",        cubictcp_recalc_ssthresh, cubictcp_cong_avoid, cubictcp_state, cubictcp_cwnd_event,
    tcp_reno_undo_cwnd, cubictcp_acked,       cubictcp_init,
};

}  // namespace stack

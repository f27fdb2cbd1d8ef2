#include "stack/sysctl.h"

#include <charconv>
#include <cstddef>
#include <iterator>

namespace stack {

namespace {

struct Entry {
  std::string_view name;
  size_t offset;  // of the first int in Sysctls
  int count;      // ints in the vector
  int min, max;   // accepted range of each int, as proc_dointvec_minmax enforces it
  // A string sysctl stored as an index into these names (min..max index it).
  const std::string_view* names = nullptr;
};

#define NS_FIELD(f) offsetof(Sysctls, f)
constexpr int kIntMax = 2147483647;
// Sorted by name; ranges follow the kernel's sysctl tables where they set one.
constexpr Entry kTable[] = {
    {"net.core.rmem_default", NS_FIELD(rmem_default), 1, 2304, kIntMax},
    {"net.core.rmem_max", NS_FIELD(rmem_max), 1, 2304, kIntMax},
    {"net.core.somaxconn", NS_FIELD(somaxconn), 1, 0, kIntMax},
    {"net.core.wmem_default", NS_FIELD(wmem_default), 1, 4608, kIntMax},
    {"net.core.wmem_max", NS_FIELD(wmem_max), 1, 4608, kIntMax},
    {"net.ipv4.ip_default_ttl", NS_FIELD(ip_default_ttl), 1, 1, 255},
    {"net.ipv4.ip_local_port_range", NS_FIELD(ip_local_port_range), 2, 1, 65535},
    {"net.ipv4.ip_nonlocal_bind", NS_FIELD(ip_nonlocal_bind), 1, 0, 1},
    {"net.ipv4.ip_unprivileged_port_start", NS_FIELD(ip_unprivileged_port_start), 1, 0, 65535},
    {"net.ipv4.tcp_abort_on_overflow", NS_FIELD(tcp_abort_on_overflow), 1, 0, 1},
    {"net.ipv4.tcp_app_win", NS_FIELD(tcp_app_win), 1, 0, 31},
    {"net.ipv4.tcp_challenge_ack_limit", NS_FIELD(tcp_challenge_ack_limit), 1, 0, kIntMax},
    {"net.ipv4.tcp_comp_sack_delay_ns", NS_FIELD(tcp_comp_sack_delay_ns), 1, 0, kIntMax},
    {"net.ipv4.tcp_comp_sack_nr", NS_FIELD(tcp_comp_sack_nr), 1, 0, 255},
    {"net.ipv4.tcp_comp_sack_slack_ns", NS_FIELD(tcp_comp_sack_slack_ns), 1, 0, kIntMax},
    {"net.ipv4.tcp_congestion_control", NS_FIELD(tcp_congestion_control), 1, 0,
     static_cast<int>(std::size(kTcpCongestionNames)) - 1, kTcpCongestionNames},
    {"net.ipv4.tcp_delack_min_ms", NS_FIELD(tcp_delack_min_ms), 1, 1, 1000},
    {"net.ipv4.tcp_dsack", NS_FIELD(tcp_dsack), 1, 0, 1},
    {"net.ipv4.tcp_early_retrans", NS_FIELD(tcp_early_retrans), 1, 0, 4},
    {"net.ipv4.tcp_ecn", NS_FIELD(tcp_ecn), 1, 0, 5},
    {"net.ipv4.tcp_fastopen", NS_FIELD(tcp_fastopen), 1, 0, kIntMax},
    {"net.ipv4.tcp_fin_timeout", NS_FIELD(tcp_fin_timeout), 1, 0, kIntMax},
    {"net.ipv4.tcp_frto", NS_FIELD(tcp_frto), 1, 0, 2},
    {"net.ipv4.tcp_invalid_ratelimit", NS_FIELD(tcp_invalid_ratelimit), 1, 0, kIntMax},
    {"net.ipv4.tcp_keepalive_intvl", NS_FIELD(tcp_keepalive_intvl), 1, 1, 32767},
    {"net.ipv4.tcp_keepalive_probes", NS_FIELD(tcp_keepalive_probes), 1, 1, 127},
    {"net.ipv4.tcp_keepalive_time", NS_FIELD(tcp_keepalive_time), 1, 1, 32767},
    {"net.ipv4.tcp_max_reordering", NS_FIELD(tcp_max_reordering), 1, 1, kIntMax},
    {"net.ipv4.tcp_max_syn_backlog", NS_FIELD(tcp_max_syn_backlog), 1, 0, kIntMax},
    {"net.ipv4.tcp_max_tw_buckets", NS_FIELD(tcp_max_tw_buckets), 1, 0, kIntMax},
    {"net.ipv4.tcp_migrate_req", NS_FIELD(tcp_migrate_req), 1, 0, 1},
    {"net.ipv4.tcp_min_rtt_wlen", NS_FIELD(tcp_min_rtt_wlen), 1, 0, 86400},
    {"net.ipv4.tcp_min_tso_segs", NS_FIELD(tcp_min_tso_segs), 1, 1, 127},
    {"net.ipv4.tcp_moderate_rcvbuf", NS_FIELD(tcp_moderate_rcvbuf), 1, 0, 1},
    {"net.ipv4.tcp_no_metrics_save", NS_FIELD(tcp_no_metrics_save), 1, 0, 1},
    {"net.ipv4.tcp_orphan_retries", NS_FIELD(tcp_orphan_retries), 1, 0, 255},
    {"net.ipv4.tcp_pacing_ca_ratio", NS_FIELD(tcp_pacing_ca_ratio), 1, 0, 1000},
    {"net.ipv4.tcp_pacing_ss_ratio", NS_FIELD(tcp_pacing_ss_ratio), 1, 0, 1000},
    {"net.ipv4.tcp_recovery", NS_FIELD(tcp_recovery), 1, 0, 7},
    {"net.ipv4.tcp_reflect_tos", NS_FIELD(tcp_reflect_tos), 1, 0, 1},
    {"net.ipv4.tcp_reordering", NS_FIELD(tcp_reordering), 1, 1, 300},
    {"net.ipv4.tcp_retries1", NS_FIELD(tcp_retries1), 1, 0, 255},
    {"net.ipv4.tcp_retries2", NS_FIELD(tcp_retries2), 1, 0, 255},
    {"net.ipv4.tcp_rmem", NS_FIELD(tcp_rmem), 3, 1, kIntMax},
    {"net.ipv4.tcp_rto_max_ms", NS_FIELD(tcp_rto_max_ms), 1, 1000, 120000},
    {"net.ipv4.tcp_rto_min_us", NS_FIELD(tcp_rto_min_us), 1, 1, kIntMax},
    {"net.ipv4.tcp_sack", NS_FIELD(tcp_sack), 1, 0, 1},
    {"net.ipv4.tcp_shrink_window", NS_FIELD(tcp_shrink_window), 1, 0, 1},
    {"net.ipv4.tcp_slow_start_after_idle", NS_FIELD(tcp_slow_start_after_idle), 1, 0, 1},
    {"net.ipv4.tcp_syn_linear_timeouts", NS_FIELD(tcp_syn_linear_timeouts), 1, 0, 10},
    {"net.ipv4.tcp_syn_retries", NS_FIELD(tcp_syn_retries), 1, 1, 127},
    {"net.ipv4.tcp_synack_retries", NS_FIELD(tcp_synack_retries), 1, 0, 255},
    {"net.ipv4.tcp_syncookies", NS_FIELD(tcp_syncookies), 1, 0, 2},
    {"net.ipv4.tcp_timestamps", NS_FIELD(tcp_timestamps), 1, 0, 2},
    {"net.ipv4.tcp_tw_reuse", NS_FIELD(tcp_tw_reuse), 1, 0, 2},
    {"net.ipv4.tcp_window_scaling", NS_FIELD(tcp_window_scaling), 1, 0, 1},
    {"net.ipv4.tcp_wmem", NS_FIELD(tcp_wmem), 3, 1, kIntMax},
    {"net.ipv4.tcp_workaround_signed_windows", NS_FIELD(tcp_workaround_signed_windows), 1, 0, 1},
};
#undef NS_FIELD

// sysctl(8) accepts both "net.ipv4.x" and "net/ipv4/x".
std::string normalise(std::string_view name) {
  std::string n(name);
  for (char& c : n)
    if (c == '/') c = '.';
  return n;
}

const Entry* find(std::string_view name) {
  const std::string n = normalise(name);
  for (const Entry& e : kTable)
    if (e.name == n) return &e;
  return nullptr;
}

int* field(Sysctls& s, const Entry& e) {
  return reinterpret_cast<int*>(reinterpret_cast<char*>(&s) + e.offset);
}
const int* field(const Sysctls& s, const Entry& e) {
  return reinterpret_cast<const int*>(reinterpret_cast<const char*>(&s) + e.offset);
}

}  // namespace

std::string sysctl_set(Sysctls& s, std::string_view name, std::string_view value) {
  const Entry* e = find(name);
  if (!e) return "unknown sysctl '" + std::string(name) + "'";
  int parsed[3] = {};
  int n = 0;
  size_t i = 0;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (true) {
    while (i < value.size() && blank(value[i])) ++i;
    if (i == value.size()) break;
    size_t j = i;
    while (j < value.size() && !blank(value[j])) ++j;
    if (n == e->count)
      return std::string(e->name) + " takes " + std::to_string(e->count) + " value(s), got '" + std::string(value) + "'";
    long long v = 0;
    if (e->names) {
      // Written as a name (tcp_congestion_control); unknown names are ENOENT in Linux.
      v = -1;
      for (int k = e->min; k <= e->max; ++k)
        if (e->names[k] == value.substr(i, j - i)) v = k;
      if (v < 0) return std::string(e->name) + ": unknown value '" + std::string(value.substr(i, j - i)) + "'";
    } else {
      auto [p, ec] = std::from_chars(value.data() + i, value.data() + j, v);
      if (ec != std::errc() || p != value.data() + j)
        return std::string(e->name) + ": expected an integer, got '" + std::string(value.substr(i, j - i)) + "'";
    }
    if (v < e->min || v > e->max)
      return std::string(e->name) + ": " + std::to_string(v) + " is outside " + std::to_string(e->min) + ".." +
             std::to_string(e->max);
    parsed[n++] = static_cast<int>(v);
    i = j;
  }
  if (n != e->count)
    return std::string(e->name) + " takes " + std::to_string(e->count) + " value(s), got '" + std::string(value) + "'";
  if (e->count == 2 && parsed[0] > parsed[1])
    return std::string(e->name) + ": the first value must not exceed the second";
  int* f = field(s, *e);
  for (int k = 0; k < n; ++k) f[k] = parsed[k];
  return "";
}

std::string sysctl_get(const Sysctls& s, std::string_view name) {
  const Entry* e = find(name);
  if (!e) return "";
  const int* f = field(s, *e);
  std::string out;
  for (int k = 0; k < e->count; ++k) {
    if (k) out += '\t';
    out += e->names ? std::string(e->names[f[k]]) : std::to_string(f[k]);
  }
  return out;
}

std::vector<std::string_view> sysctl_names() {
  std::vector<std::string_view> v;
  for (const Entry& e : kTable) v.push_back(e.name);
  return v;
}

}  // namespace stack

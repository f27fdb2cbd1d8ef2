// Per-namespace SNMP and Linux MIB counters, under the names nstat prints.
// mirrors include/uapi/linux/snmp.h (the LINUX_MIB_* and TCP_MIB_* items we use)
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace stack {

enum Mib : uint16_t {
  // TCP_MIB_* (nstat "Tcp...")
  TCP_MIB_ACTIVEOPENS,
  TCP_MIB_PASSIVEOPENS,
  TCP_MIB_ATTEMPTFAILS,
  TCP_MIB_ESTABRESETS,
  TCP_MIB_CURRESTAB,  // a gauge in Linux; kept as a counter of entries minus exits
  TCP_MIB_INSEGS,
  TCP_MIB_OUTSEGS,
  TCP_MIB_RETRANSSEGS,
  TCP_MIB_INERRS,
  TCP_MIB_OUTRSTS,
  TCP_MIB_CSUMERRORS,
  // LINUX_MIB_* (nstat "TcpExt...")
  LINUX_MIB_SYNCOOKIESSENT,
  LINUX_MIB_SYNCOOKIESRECV,
  LINUX_MIB_SYNCOOKIESFAILED,
  LINUX_MIB_EMBRYONICRSTS,
  LINUX_MIB_PAWSESTABREJECTED,
  LINUX_MIB_TIMEWAITED,
  LINUX_MIB_DELAYEDACKS,
  LINUX_MIB_LISTENOVERFLOWS,
  LINUX_MIB_LISTENDROPS,
  LINUX_MIB_TCPTIMEOUTS,
  LINUX_MIB_TCPABORTONDATA,
  LINUX_MIB_TCPABORTONCLOSE,
  LINUX_MIB_TCPABORTONLINGER,
  LINUX_MIB_TCPABORTONTIMEOUT,
  LINUX_MIB_TCPDEFERACCEPTDROP,
  LINUX_MIB_TCPREQQFULLDOCOOKIES,
  LINUX_MIB_TCPREQQFULLDROP,
  LINUX_MIB_TCPSYNRETRANS,
  LINUX_MIB_TCPCHALLENGEACK,
  LINUX_MIB_TCPACKSKIPPEDSYNRECV,
  LINUX_MIB_TCPTIMEWAITOVERFLOW,
  MIB_MAX
};

// nstat's name for each counter ("TcpExtListenOverflows", ...).
std::string_view mib_name(Mib m);
// Inverse of mib_name(); returns MIB_MAX if unknown.
Mib mib_from_name(std::string_view name);

struct MibCounters {
  std::array<uint64_t, MIB_MAX> v{};
  uint64_t& operator[](Mib m) { return v[m]; }
  uint64_t operator[](Mib m) const { return v[m]; }
};

}  // namespace stack

#include "stack/snmp.h"

namespace stack {

namespace {
// Order matches enum Mib.
constexpr std::string_view kNames[MIB_MAX] = {
    "TcpActiveOpens",
    "TcpPassiveOpens",
    "TcpAttemptFails",
    "TcpEstabResets",
    "TcpCurrEstab",
    "TcpInSegs",
    "TcpOutSegs",
    "TcpRetransSegs",
    "TcpInErrs",
    "TcpOutRsts",
    "TcpInCsumErrors",
    "TcpExtSyncookiesSent",
    "TcpExtSyncookiesRecv",
    "TcpExtSyncookiesFailed",
    "TcpExtEmbryonicRsts",
    "TcpExtPAWSEstab",
    "TcpExtTW",
    "TcpExtDelayedACKs",
    "TcpExtListenOverflows",
    "TcpExtListenDrops",
    "TcpExtTCPTimeouts",
    "TcpExtTCPAbortOnData",
    "TcpExtTCPAbortOnClose",
    "TcpExtTCPAbortOnLinger",
    "TcpExtTCPAbortOnTimeout",
    "TcpExtTCPDeferAcceptDrop",
    "TcpExtTCPReqQFullDoCookies",
    "TcpExtTCPReqQFullDrop",
    "TcpExtTCPSynRetrans",
    "TcpExtTCPChallengeACK",
    "TcpExtTCPACKSkippedSynRecv",
    "TcpExtTCPTimeWaitOverflow",
    "IpInReceives",
    "IpInHdrErrors",
    "IpInAddrErrors",
    "IpInUnknownProtos",
    "IpInDiscards",
    "IpInDelivers",
    "IpOutRequests",
    "IpOutNoRoutes",
    "IpExtInTruncatedPkts",
    "IpExtInCsumErrors",
    "UdpInDatagrams",
    "UdpNoPorts",
    "UdpInErrors",
    "UdpOutDatagrams",
    "UdpRcvbufErrors",
    "UdpSndbufErrors",
    "UdpInCsumErrors",
};
}  // namespace

std::string_view mib_name(Mib m) { return m < MIB_MAX ? kNames[m] : std::string_view("?"); }

Mib mib_from_name(std::string_view name) {
  for (int i = 0; i < MIB_MAX; ++i)
    if (kNames[i] == name) return static_cast<Mib>(i);
  return MIB_MAX;
}

}  // namespace stack

// mirrors net/ipv4/ip_sockglue.c: the SOL_IP socket options, the subset
// that matters for this simulator.
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "stack/ip.h"
#include "stack/net.h"

namespace stack {

namespace {
constexpr uint8_t INET_ECN_MASK = 3;
}  // namespace

// mirrors do_ip_setsockopt(): integer options accept an int or, for a
// shorter optlen, a single byte.
int ip_setsockopt(sock* sk, int level, int optname, const void* optval, int optlen) {
  if (level != SOL_IP) return -ENOPROTOOPT;
  inet_sock* inet = static_cast<inet_sock*>(sk);
  int val = 0;
  switch (optname) {
    case IP_TTL:
    case IP_TOS:
    case IP_FREEBIND:
    case IP_RECVERR:
      if (optlen >= static_cast<int>(sizeof(int))) {
        if (!optval) return -EFAULT;
        std::memcpy(&val, optval, sizeof val);
      } else if (optlen >= 1) {
        if (!optval) return -EFAULT;
        val = *static_cast<const unsigned char*>(optval);
      }
      break;
    default:
      return -ENOPROTOOPT;
  }
  switch (optname) {
    case IP_TTL:
      if (optlen < 1) return -EINVAL;
      if (val != -1 && (val < 1 || val > 255)) return -EINVAL;
      inet->uc_ttl = val == -1 ? 0 : static_cast<uint8_t>(val);  // 0: the sysctl (Linux keeps -1)
      return 0;
    case IP_TOS:
      // __ip_sock_set_tos(): a stream socket keeps its ECN bits.
      if (sk->sk_type == SOCK_STREAM) val = (val & ~INET_ECN_MASK) | (sk->sk_tos & INET_ECN_MASK);
      sk->sk_tos = static_cast<uint8_t>(val);
      return 0;
    case IP_FREEBIND:
      if (optlen < 1) return -EINVAL;
      inet->freebind = val != 0;
      return 0;
    case IP_RECVERR:
      inet->recverr = val != 0;
      return 0;
  }
  return -ENOPROTOOPT;
}

// mirrors do_ip_getsockopt(): an int, or one byte when the caller offers
// less than an int and the value fits.
int ip_getsockopt(sock* sk, int level, int optname, void* optval, int* optlen) {
  if (level != SOL_IP) return -EOPNOTSUPP;
  if (!optlen) return -EFAULT;
  int len = *optlen;
  if (len < 0) return -EINVAL;
  const inet_sock* inet = static_cast<const inet_sock*>(sk);
  int val;
  switch (optname) {
    case IP_TTL:
      val = inet->uc_ttl ? inet->uc_ttl : sk->skc_net->sysctl.ip_default_ttl;
      break;
    case IP_TOS:
      val = sk->sk_tos;
      break;
    case IP_FREEBIND:
      val = inet->freebind;
      break;
    case IP_RECVERR:
      val = inet->recverr;
      break;
    default:
      return -ENOPROTOOPT;
  }
  if (len < static_cast<int>(sizeof(int)) && len > 0 && val >= 0 && val <= 255) {
    if (!optval) return -EFAULT;
    *static_cast<unsigned char*>(optval) = static_cast<unsigned char>(val);
    *optlen = 1;
    return 0;
  }
  if (len > static_cast<int>(sizeof(int))) len = sizeof(int);
  if (len) {
    if (!optval) return -EFAULT;
    std::memcpy(optval, &val, static_cast<size_t>(len));
  }
  *optlen = len;
  return 0;
}

}  // namespace stack

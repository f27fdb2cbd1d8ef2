#include "sim/wire/skb_build.h"

#include <cstring>

namespace sim::wire {

namespace {

uint16_t offset_from_head(const SkBuff* skb) { return static_cast<uint16_t>(skb->headroom()); }

// Puts the payload into an empty skb; false if it does not fit.
bool put_payload(SkBuff* skb, const uint8_t* payload, uint32_t len) {
  if (skb->len != 0 || len > skb->tailroom()) return false;
  if (len) std::memcpy(skb->put(len), payload, len);
  return true;
}

// Undoes a partial build: back to empty at the original start, with the
// bytes written zeroed again (SkbPool relies on data..data+len covering every
// byte a user wrote, and an empty skb covers none).
void reset_to_empty(SkBuff* skb, uint8_t* start) {
  std::memset(skb->data, 0, skb->len);
  skb->data = start;
  skb->len = 0;
}

}  // namespace

uint8_t* push_tcp(SkBuff* skb, const TcpRepr& r, uint32_t saddr, uint32_t daddr) {
  const uint32_t hlen = tcp_header_len(r);
  if (hlen > skb->headroom()) return nullptr;
  uint8_t* h = skb->push(hlen);
  emit_tcp_header(h, r);
  tcp_fill_checksum(h, skb->len, saddr, daddr);
  skb->transport_header = offset_from_head(skb);
  return h;
}

uint8_t* push_udp(SkBuff* skb, const UdpRepr& r, uint32_t saddr, uint32_t daddr) {
  if (kUdpHeaderLen > skb->headroom() || skb->len > 0xffff - kUdpHeaderLen) return nullptr;
  UdpRepr hdr = r;
  hdr.payload_len = skb->len;
  uint8_t* h = skb->push(kUdpHeaderLen);
  emit_udp_header(h, hdr);
  if (r.has_checksum) udp_fill_checksum(h, skb->len, saddr, daddr);
  skb->transport_header = offset_from_head(skb);
  return h;
}

uint8_t* push_ipv4(SkBuff* skb, const Ipv4Repr& r) {
  if (kIpv4HeaderLen > skb->headroom() || skb->len > 0xffff - kIpv4HeaderLen) return nullptr;
  Ipv4Repr hdr = r;
  uint8_t* h = skb->push(kIpv4HeaderLen);
  hdr.total_len = static_cast<uint16_t>(skb->len);
  emit_ipv4(h, hdr);
  skb->network_header = offset_from_head(skb);
  return h;
}

bool build_tcp_packet(SkBuff* skb, const Ipv4Repr& ip, const TcpRepr& tcp) {
  uint8_t* const start = skb->data;
  if (!put_payload(skb, tcp.payload, tcp.payload_len)) return false;
  Ipv4Repr iph = ip;
  iph.protocol = kIpProtoTcp;
  if (!push_tcp(skb, tcp, ip.saddr, ip.daddr) || !push_ipv4(skb, iph)) {
    reset_to_empty(skb, start);
    return false;
  }
  return true;
}

bool build_udp_packet(SkBuff* skb, const Ipv4Repr& ip, const UdpRepr& udp) {
  uint8_t* const start = skb->data;
  if (!put_payload(skb, udp.payload, udp.payload_len)) return false;
  Ipv4Repr iph = ip;
  iph.protocol = kIpProtoUdp;
  if (!push_udp(skb, udp, ip.saddr, ip.daddr) || !push_ipv4(skb, iph)) {
    reset_to_empty(skb, start);
    return false;
  }
  return true;
}

}  // namespace sim::wire

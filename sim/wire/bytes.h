// Big-endian loads and stores for header fields. Headers are read and written
// through these so that no code casts packet bytes to structs: alignment is
// unknown and host byte order is not wire byte order.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace sim::wire {

inline constexpr uint16_t bswap16(uint16_t v) { return static_cast<uint16_t>((v >> 8) | (v << 8)); }
inline constexpr uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

// Host order <-> network (big-endian) order.
inline constexpr uint16_t hton16(uint16_t v) {
  if constexpr (std::endian::native == std::endian::little) return bswap16(v);
  return v;
}
inline constexpr uint32_t hton32(uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) return bswap32(v);
  return v;
}
inline constexpr uint16_t ntoh16(uint16_t v) { return hton16(v); }
inline constexpr uint32_t ntoh32(uint32_t v) { return hton32(v); }

inline uint16_t load_be16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return ntoh16(v);
}
inline uint32_t load_be32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return ntoh32(v);
}
inline void store_be16(uint8_t* p, uint16_t v) {
  v = hton16(v);
  std::memcpy(p, &v, sizeof v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  v = hton32(v);
  std::memcpy(p, &v, sizeof v);
}

// Little-endian stores, for file formats defined that way (pcap as we write it).
inline void store_le16(uint8_t* p, uint16_t v) {
  if constexpr (std::endian::native == std::endian::big) v = bswap16(v);
  std::memcpy(p, &v, sizeof v);
}
inline void store_le32(uint8_t* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) v = bswap32(v);
  std::memcpy(p, &v, sizeof v);
}
inline uint16_t load_le16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = bswap16(v);
  return v;
}
inline uint32_t load_le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = bswap32(v);
  return v;
}

}  // namespace sim::wire

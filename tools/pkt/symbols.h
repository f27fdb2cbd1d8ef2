// Symbolic constants of packetdrill scripts (AF_INET, SO_ERROR, O_NONBLOCK,
// EAGAIN, ...) and their values in the Linux x86_64 ABI.
//
// The script keeps names; the runner resolves them here, so the values are
// Linux's even when netsim is built on another host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tools/pkt/ast.h"

namespace pkt {

// Any known constant, errno names included (packetdrill resolves `[ETIMEDOUT]`
// from the same table).
std::optional<int64_t> symbol_value(std::string_view name);

// errno names only: EAGAIN -> 11, EWOULDBLOCK -> 11.
std::optional<int> errno_value(std::string_view name);
// The canonical name of an errno value (11 -> "EAGAIN"), or "" if unknown.
std::string_view errno_name(int value);

// The integer value of an Integer, Symbol or BitOr expression. Anything else
// (ellipsis, string, array, struct) is not an integer and gives an error.
struct IntValue {
  std::optional<int64_t> value;
  std::string error;  // set when value is empty, e.g. "unknown symbol 'AF_FOO'"
};
IntValue evaluate_int(const Expr& expr);

}  // namespace pkt

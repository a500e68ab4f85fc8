#pragma once
// What safetensors.cpp (the file reader and writer) and safetensors_header.cpp (the JSON header)
// share: one-line messages naming the source, and byte counts checked for overflow.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "weights/safetensors.h"

namespace nst::safetensors::detail {

// Throws nst::Error "<what>: <problem>", control characters escaped so it stays one line.
[[noreturn]] void fail(std::string_view what, std::string_view problem);

// 'name', shortened so that a hostile multi-megabyte key cannot produce a multi-megabyte message.
std::string quote_name(std::string_view name);
std::string shape_str(const std::vector<std::int64_t>& shape);
std::string range_str(std::uint64_t begin, std::uint64_t end);

// File offsets and byte counts must fit in int64: pread takes a signed off_t, and numel() (never
// more than the byte count) is an int64.
inline constexpr std::uint64_t kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Byte count of a tensor, or false when numel*dtype_size exceeds kMaxOffset (a corrupt shape such
// as [2^40, 2^40] must not wrap around and "match" small offsets, nor [3, 2^62] of U8 overflow
// numel()). Like the reference implementation, any intermediate overflow refuses the shape, even
// when a later dimension is 0.
bool checked_nbytes(const std::vector<std::int64_t>& shape, DType dtype, std::uint64_t& out);

}  // namespace nst::safetensors::detail

#pragma once
// What parse_header promises about every header it returns, checked by the fuzz targets that
// reach it (the JSON header alone, the file reader, the download assembler).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "nst/error.h"
#include "weights/safetensors.h"

namespace nst::fuzz {

[[noreturn]] inline void broken(const char* invariant) {
    std::fprintf(stderr, "invariant broken: %s\n", invariant);
    std::abort();
}

// Sorted by offset, no overlaps, offsets within int64, byte counts equal to numel * dtype size.
inline void check_header_invariants(const safetensors::Header& h) {
    constexpr std::uint64_t kMaxOffset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (h.data_start != 8 + h.header_len) broken("data_start == 8 + header_len");
    std::uint64_t furthest = 0;
    for (std::size_t i = 0; i < h.tensors.size(); ++i) {
        const safetensors::TensorInfo& t = h.tensors[i];
        if (t.name == "__metadata__") broken("no tensor is named __metadata__");
        if (i > 0 && t.begin < h.tensors[i - 1].begin) broken("tensors are sorted by begin");
        if (t.begin > t.end) broken("begin <= end");
        if (t.end > kMaxOffset - h.data_start) broken("file offsets fit in int64");
        if (t.begin < t.end && t.begin < furthest) broken("tensors do not overlap");
        if (t.end > furthest) furthest = t.end;
        std::int64_t n = 0;
        try {
            n = t.numel();
        } catch (const Error&) {
            broken("numel() of a parsed tensor does not throw");
        }
        if (n < 0 || static_cast<std::uint64_t>(n) * safetensors::dtype_size(t.dtype) != t.end - t.begin)
            broken("end - begin == numel * dtype_size");
    }
}

}  // namespace nst::fuzz

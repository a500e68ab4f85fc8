#pragma once
// Sorting each row of a K×N float32 matrix, ascending, with the permutation: sliced Wasserstein's
// sorts of K projections of every position, each step, for the output and for each style. On the
// CPU an LSD radix sort (three passes of 11, 11 and 10 bits over the floats' order-preserving
// unsigned keys, one row per task) instead of torch::sort, which took 141 ms for 64 rows of 65536
// on 2 cores and made sw cost 1.4x a Gram step at 256 px (docs/PERFORMANCE.md). Stable: equal
// values keep their order. Elsewhere (CUDA), torch::sort.
#include <torch/torch.h>

#include <ATen/Parallel.h>

#include <array>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

namespace nst::match {

// (sorted values, int64 indices into each row), as torch::sort(x, 1).
[[nodiscard]] inline std::pair<torch::Tensor, torch::Tensor> sort_rows(const torch::Tensor& in) {
    if (!in.device().is_cpu() || in.scalar_type() != torch::kFloat32 || in.size(1) >= (std::int64_t{1} << 31)) {
        auto [values, indices] = in.sort(1);
        return {values, indices};
    }
    const auto x = in.detach().contiguous();
    const std::int64_t rows = x.size(0), n = x.size(1);
    auto values = torch::empty_like(x);
    auto indices = torch::empty({rows, n}, torch::TensorOptions().dtype(torch::kLong));
    const float* src = x.data_ptr<float>();
    float* dst_values = values.data_ptr<float>();
    std::int64_t* dst_indices = indices.data_ptr<std::int64_t>();
    at::parallel_for(0, rows, 1, [&](std::int64_t begin, std::int64_t end) {
        std::vector<std::uint32_t> keys(static_cast<std::size_t>(n)), keys2(keys.size());
        std::vector<std::uint32_t> order(keys.size()), order2(keys.size());
        for (std::int64_t r = begin; r < end; ++r) {
            const float* row = src + r * n;
            for (std::int64_t j = 0; j < n; ++j) {
                // Negative floats: all bits flipped (larger magnitude first); others: the sign bit set.
                const auto u = std::bit_cast<std::uint32_t>(row[j]);
                keys[static_cast<std::size_t>(j)] = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
                order[static_cast<std::size_t>(j)] = static_cast<std::uint32_t>(j);
            }
            for (const int shift : {0, 11, 22}) {
                const std::uint32_t mask = shift == 22 ? 0x3FFu : 0x7FFu;
                std::array<std::uint32_t, 2048> start{};
                for (const std::uint32_t k : keys) ++start[(k >> shift) & mask];
                std::uint32_t sum = 0;
                for (auto& c : start) sum += std::exchange(c, sum);
                for (std::size_t j = 0; j < keys.size(); ++j) {
                    const std::uint32_t at = start[(keys[j] >> shift) & mask]++;
                    keys2[at] = keys[j];
                    order2[at] = order[j];
                }
                keys.swap(keys2);
                order.swap(order2);
            }
            float* out_v = dst_values + r * n;
            std::int64_t* out_i = dst_indices + r * n;
            for (std::int64_t j = 0; j < n; ++j) {
                out_i[j] = order[static_cast<std::size_t>(j)];
                out_v[j] = row[order[static_cast<std::size_t>(j)]];
            }
        }
    });
    return {values, indices};
}

}  // namespace nst::match

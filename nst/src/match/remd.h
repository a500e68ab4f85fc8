#pragma once
// STROTSS's style loss (Kolkin, Salavon, Shakhnarovich, CVPR 2019; docs/LOSS.md): the relaxed earth
// mover's distance between sampled hypercolumns of the output and of the style (cosine
// distances), plus a moment term (their means and covariances) and a palette term (the relaxed
// EMD of the sampled RGB values). The P×P distance matrices are of samples, never of all pixels.
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "match/rows.h"

namespace nst::match {

// One layer's part of a hypercolumn: its activation as rows, the total pooling stride before it
// and its √b_l.
struct HypercolumnLayer {
    torch::Tensor rows;  // N_l×C_l, row-major positions
    std::int64_t height = 0, width = 0;
    std::int64_t stride = 1;
    double scale = 1.0;
};

// The hypercolumns (P×ΣC_l) at pixels `pixels` (int64 y·W + x) of an image `image_width` wide:
// each layer's nearest position min(⌊y/s⌋, H_l−1), min(⌊x/s⌋, W_l−1).
[[nodiscard]] inline torch::Tensor hypercolumns(const std::vector<HypercolumnLayer>& layers, const torch::Tensor& pixels,
                                                std::int64_t image_width) {
    const auto y = torch::div(pixels, image_width, "floor"), x = pixels.remainder(image_width);
    std::vector<torch::Tensor> parts;
    for (const auto& l : layers) {
        const auto yl = torch::div(y, l.stride, "floor").clamp_max(l.height - 1);
        const auto xl = torch::div(x, l.stride, "floor").clamp_max(l.width - 1);
        parts.push_back(l.rows.index_select(0, yl * l.width + xl) * l.scale);
    }
    return torch::cat(parts, 1);
}

// max(mean_i min_j D_ij, mean_j min_i D_ij): the larger of the one-sided mean nearest distances.
// `all` is the P×Q matrix without gradient (to find the nearest), `pairs(i, j)` the distances of
// the index pairs with gradient: the same value, and a backward through 2·P pairs rather than
// through the whole matrix (a min's gradient reaches only its argmin; cdist's backward alone took
// 50-115 ms at 1024×1024).
template <class Pairs>
[[nodiscard]] torch::Tensor relaxed_emd(const torch::Tensor& all, const Pairs& pairs) {
    torch::Tensor nearest_of_row, nearest_of_column;
    {
        torch::NoGradGuard no_grad;
        nearest_of_row = all.argmin(1);
        nearest_of_column = all.argmin(0);
    }
    const auto opts = torch::TensorOptions().dtype(torch::kLong).device(all.device());
    const auto rows = pairs(torch::arange(all.size(0), opts), nearest_of_row).mean();
    const auto columns = pairs(nearest_of_column, torch::arange(all.size(1), opts)).mean();
    return torch::max(rows, columns);
}

// remd + moment + palette of one style against the output, from their samples: hypercolumns h
// (output, with gradient), g (style), and the RGB values at the same pixels.
[[nodiscard]] inline torch::Tensor strotss_style(const torch::Tensor& h, const torch::Tensor& g, const torch::Tensor& rgb_out,
                                                 const torch::Tensor& rgb_style) {
    const auto h_unit = unit_rows(h), g_unit = unit_rows(g);
    const auto remd = relaxed_emd(1.0 - torch::mm(h_unit.detach(), g_unit.t()), [&](const auto& i, const auto& j) {
        return 1.0 - (h_unit.index_select(0, i) * g_unit.index_select(0, j)).sum(1);
    });
    const auto moments = [](const torch::Tensor& r) {
        const auto mu = r.mean(0);
        const auto centred = r - mu;
        return std::pair{mu, torch::mm(centred.t(), centred) / static_cast<double>(r.size(0))};
    };
    const auto [mu_h, cov_h] = moments(h);
    const auto [mu_g, cov_g] = moments(g);
    const auto moment = (mu_h - mu_g).abs().mean() + (cov_h - cov_g).abs().mean();
    // Euclidean distances from the differences (not |a|²+|b|²−2ab, whose rounding is ~3e-4 at 0).
    const auto palette = relaxed_emd((rgb_out.detach().unsqueeze(1) - rgb_style.unsqueeze(0)).pow(2).sum(2),
                                     [&](const auto& i, const auto& j) {
                                         return (rgb_out.index_select(0, i) - rgb_style.index_select(0, j)).norm(2, 1);
                                     });
    return remd + moment + palette;
}

}  // namespace nst::match

#pragma once
// One tile of a tiled step (tiling.h): its interior, whose positions it owns, and the tile with its
// halo, which goes through the network. Both in image pixels; every bound is on the pooling grid
// (or the image's edge), so at a layer of stride s the interior is rows [y0/s, y1/s) of the whole
// image's activation and rows [y0/s − ty0/s, y1/s − ty0/s) of the tile's (floor division gives the
// network's own floor sizes at the image's far edge).
#include <torch/torch.h>

#include <vector>

#include "nst/tiling.h"

namespace nst {

struct TileWindow {
    int y0 = 0, y1 = 0, x0 = 0, x1 = 0;      // the interior
    int ty0 = 0, ty1 = 0, tx0 = 0, tx1 = 0;  // the tile, halo included

    // The tile's part of a whole image [N,C,H,W].
    [[nodiscard]] torch::Tensor tile_of(const torch::Tensor& image) const {
        using torch::indexing::Slice;
        return image.index({Slice(), Slice(), Slice(ty0, ty1), Slice(tx0, tx1)});
    }
    // The interior of the tile's activation at a layer of stride `s`.
    [[nodiscard]] torch::Tensor local(const torch::Tensor& activation, int s) const {
        using torch::indexing::Slice;
        return activation.index({Slice(), Slice(), Slice(y0 / s - ty0 / s, y1 / s - ty0 / s),
                                 Slice(x0 / s - tx0 / s, x1 / s - tx0 / s)});
    }
    // The interior in a whole-image tensor at a layer of stride `s` ([N,C,h,w], or [E,h,w] when
    // `channels_first` is false: the region masks' rows).
    [[nodiscard]] torch::Tensor whole(const torch::Tensor& t, int s) const {
        using torch::indexing::Slice;
        const auto rows = Slice(y0 / s, y1 / s), cols = Slice(x0 / s, x1 / s);
        return t.dim() == 4 ? t.index({Slice(), Slice(), rows, cols}) : t.index({Slice(), rows, cols});
    }
};

// The tiles of a width x height image under `plan` (tiled), row by row.
[[nodiscard]] inline std::vector<TileWindow> tile_windows(int width, int height, const TilePlan& plan) {
    std::vector<TileWindow> out;
    for (int r = 0; r < plan.rows; ++r)
        for (int c = 0; c < plan.cols; ++c) {
            TileWindow w;
            w.y0 = r * plan.tile;
            w.y1 = std::min(height, w.y0 + plan.tile);
            w.x0 = c * plan.tile;
            w.x1 = std::min(width, w.x0 + plan.tile);
            w.ty0 = std::max(0, w.y0 - plan.halo);
            w.ty1 = std::min(height, w.y1 + plan.halo);
            w.tx0 = std::max(0, w.x0 - plan.halo);
            w.tx1 = std::min(width, w.x1 + plan.halo);
            out.push_back(w);
        }
    return out;
}

}  // namespace nst

#pragma once
// The total-variation term: mean((x[i+1,j] − x[i,j])²) + mean((x[i,j+1] − x[i,j])²) over the
// [N,C,H,W] image (or around the torus: --seamless). No targets. (docs/LOSS.md)
#include <torch/torch.h>

#include "loss/tile_window.h"

namespace nst {

class TvTerm {
public:
    // `wrap` (--seamless): the differences wrap around, last row with the first and last column with
    // the first, each mean over all N·C·H·W of them: the term sees the image as a torus.
    [[nodiscard]] static torch::Tensor evaluate(const torch::Tensor& x, bool wrap = false) {
        using torch::indexing::None;
        using torch::indexing::Slice;
        if (wrap)
            return (torch::roll(x, {-1}, {2}) - x).pow(2).mean() + (torch::roll(x, {-1}, {3}) - x).pow(2).mean();
        const auto dy = x.index({Slice(), Slice(), Slice(1, None)}) - x.index({Slice(), Slice(), Slice(None, -1)});
        const auto dx =
            x.index({Slice(), Slice(), Slice(), Slice(1, None)}) - x.index({Slice(), Slice(), Slice(), Slice(None, -1)});
        return dy.pow(2).mean() + dx.pow(2).mean();
    }

    // A tile's part of the whole-image term (tiled steps): the differences whose first pixel lies
    // in the window's interior (its halo holds the second), each sum divided by the whole image's
    // count of differences, so that the parts of all tiles add up to evaluate()'s value. `tile` is
    // the tile's [1,C,h,w] pixels; `height`, `width` the whole image's.
    [[nodiscard]] static torch::Tensor evaluate_window(const torch::Tensor& tile, const TileWindow& w, int height,
                                                       int width) {
        using torch::indexing::Slice;
        const auto channels = static_cast<double>(tile.size(1));
        const int ly0 = w.y0 - w.ty0, ly1 = w.y1 - w.ty0, lx0 = w.x0 - w.tx0, lx1 = w.x1 - w.tx0;
        const int th = w.ty1 - w.ty0, tw = w.tx1 - w.tx0;
        // Rows r in [ly0, ly1) with r + 1 inside the tile; the same for columns.
        const auto rows = Slice(ly0, std::min(ly1, th - 1)), cols = Slice(lx0, lx1);
        const auto dy = tile.index({Slice(), Slice(), Slice(ly0 + 1, std::min(ly1, th - 1) + 1), cols}) -
                        tile.index({Slice(), Slice(), rows, cols});
        const auto rows_x = Slice(ly0, ly1), cols_x = Slice(lx0, std::min(lx1, tw - 1));
        const auto dx = tile.index({Slice(), Slice(), rows_x, Slice(lx0 + 1, std::min(lx1, tw - 1) + 1)}) -
                        tile.index({Slice(), Slice(), rows_x, cols_x});
        return dy.pow(2).sum() / (channels * (height - 1) * width) + dx.pow(2).sum() / (channels * height * (width - 1));
    }
};

}  // namespace nst

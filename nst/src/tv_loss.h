#pragma once
// The total-variation term: mean((x[i+1,j] − x[i,j])²) + mean((x[i,j+1] − x[i,j])²) over the
// [N,C,H,W] image. No targets. (docs/LOSS.md)
#include <torch/torch.h>

namespace nst {

class TvTerm {
public:
    [[nodiscard]] static torch::Tensor evaluate(const torch::Tensor& x) {
        using torch::indexing::None;
        using torch::indexing::Slice;
        const auto dy = x.index({Slice(), Slice(), Slice(1, None)}) - x.index({Slice(), Slice(), Slice(None, -1)});
        const auto dx =
            x.index({Slice(), Slice(), Slice(), Slice(1, None)}) - x.index({Slice(), Slice(), Slice(), Slice(None, -1)});
        return dy.pow(2).mean() + dx.pow(2).mean();
    }
};

}  // namespace nst

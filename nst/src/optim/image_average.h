#pragma once
// A bias-corrected exponential moving average of the iterates (crowsonkb's style-transfer-pytorch):
//   a₀ = (1−β)·x₀, aₜ = β·aₜ₋₁ + (1−β)·xₜ, shown = aₜ / (1 − β^(t+1)).
// The start image counts as the first sample, so the average equals it before any step, and the
// correction makes it an honest weighted mean from the first step on (no pull towards 0). Adam's
// per-pixel noise averages out while the picture's slow drift is kept.
#include <torch/torch.h>

namespace nst {

class ImageAverage {
public:
    ImageAverage(const torch::Tensor& start, double decay) : decay_(decay) {
        torch::NoGradGuard no_grad;
        sum_ = torch::zeros_like(start.detach(), torch::MemoryFormat::Contiguous);
        update(start);
    }

    void update(const torch::Tensor& x) {
        torch::NoGradGuard no_grad;
        accum_ *= decay_;
        sum_.mul_(decay_).add_(x.detach(), 1.0 - decay_);
    }

    [[nodiscard]] torch::Tensor get() const {
        torch::NoGradGuard no_grad;
        return sum_ / (1.0 - accum_);
    }
    [[nodiscard]] double decay() const { return decay_; }

private:
    double decay_;
    double accum_ = 1.0;  // β^(samples)
    torch::Tensor sum_;
};

}  // namespace nst

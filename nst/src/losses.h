#pragma once
// Small tensor functions the loss units share (written out in docs/LOSS.md). Header-only so the
// engine and the unit tests use exactly this code.
#include <torch/torch.h>

namespace nst::losses {

// F·Fᵀ / n with a backward that uses one matrix product instead of autograd's two: for
// G = F·Fᵀ/n, dL/dF = (dG + dGᵀ)·F / n. The C×C sum is negligible next to the C×(H·W) product.
struct GramFunction : torch::autograd::Function<GramFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& f, double n) {
        ctx->save_for_backward({f});
        ctx->saved_data["n"] = n;
        return torch::mm(f, f.t()) / n;
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        const auto f = ctx->get_saved_variables()[0];
        const auto& g = grads[0];
        return {torch::mm(g + g.t(), f) / ctx->saved_data["n"].toDouble(), torch::Tensor()};
    }
};

// G = F·Fᵀ / (C·H·W), F = the [1,C,H,W] activation reshaped to C × (H·W).
inline torch::Tensor gram(const torch::Tensor& feat) {
    const auto c = feat.size(1), h = feat.size(2), w = feat.size(3);
    const auto f = feat.reshape({c, h * w});
    return GramFunction::apply(f, static_cast<double>(c * h * w));
}

// mean((a − b)²): the content term of one layer, and the style term of one layer on Grams.
inline torch::Tensor mean_sq(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).pow(2).mean(); }

}  // namespace nst::losses

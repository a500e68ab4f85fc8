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

// The guided Grams of E masks at once (spatial control): G_e = (t_e∘A)ᵀ(t_e∘A) / n_e, with A the
// N×C activations (positions × channels: a channels-last activation's own layout, so no copy),
// T the E×N masks and n the E normalisers. One broadcast product and one batched matrix product
// for all the regions, and a backward of one more: dA = Σ_e t_e ∘ ((t_e∘A)(dG_e + dG_eᵀ)) / n_e.
struct GuidedGramFunction : torch::autograd::Function<GuidedGramFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                                 const torch::Tensor& t, const torch::Tensor& n) {
        const auto x = a.unsqueeze(0) * t.unsqueeze(2);  // [E,N,C]
        ctx->save_for_backward({x, t, n});
        return torch::bmm(x.transpose(1, 2), x) / n.view({-1, 1, 1});
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& t = saved[1];
        const auto& g = grads[0];
        const auto s = (g + g.transpose(1, 2)) / saved[2].view({-1, 1, 1});
        return {(torch::bmm(x, s) * t.unsqueeze(2)).sum(0), torch::Tensor(), torch::Tensor()};
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

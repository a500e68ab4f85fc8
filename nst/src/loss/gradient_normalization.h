#pragma once
// Gradient normalisation (--normalize-gradients S, docs/LOSS.md): neural-style's
// -normalize_gradients, which divides the gradient each loss layer sends back by its L1 norm so
// that no layer drowns the others, as a strength S in [0,1] that keeps the weights meaningful.
// For one term (content or style) with layer weights w_l and gradients g_l into the activations:
//   n_l = ||g_l||_1,  t_l = w_l · Σ_k n_k / Σ_k w_k,  g_l <- g_l · (t_l / (n_l + ε))^S
// At S = 1 each layer's gradient has the L1 norm t_l: shares in proportion to the layer weights,
// and the term's total is kept (Σ t_l = Σ n_l), so α and β balance content and style as before.
// At S = 0 nothing changes; between, the norms move geometrically. Only the backward changes: the
// loss values are those of the plain terms.
#include <torch/torch.h>

#include <vector>

namespace nst {

struct LayerGradient {
    torch::Tensor grad;  // the term's gradient at one layer's activation
    float weight = 0;    // that layer's weight in the term
};

inline constexpr double kNormalizeEpsilon = 1e-30;

// Rescales the gradients of one term in place (a new tensor in each `grad`).
inline void normalize_term_gradients(std::vector<LayerGradient>& term, float strength) {
    if (term.empty() || strength <= 0.f) return;
    std::vector<torch::Tensor> norms;
    double weights = 0;
    for (const auto& g : term) {
        norms.push_back(g.grad.abs().sum());
        weights += g.weight;
    }
    if (!(weights > 0)) return;
    const auto total = torch::stack(norms).sum();
    for (std::size_t i = 0; i < term.size(); ++i) {
        const auto target = total * (term[i].weight / weights);
        const auto scale = (target / (norms[i] + kNormalizeEpsilon)).pow(static_cast<double>(strength));
        term[i].grad = term[i].grad * scale;
    }
}

}  // namespace nst

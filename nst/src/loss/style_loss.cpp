#include "loss/style_loss.h"

#include <stdexcept>

#include "loss/gram.h"

namespace nst {
namespace {

// tr(M^½) of a symmetric positive definite float64 M, by eigendecomposition: the exact value
// (Newton–Schulz converges slowly on the small eigenvalues these covariances have). Its gradient
// is ½·M^-½ = ½·V·diag(λ^-½)·Vᵀ, so the backward reuses the forward's eigenvectors. M's smallest
// eigenvalues are about ε² = 1e-8: below float32's resolution next to its largest, where rounding
// made some negative and the gradient ½·λ^-½ exploded. So W2's covariance arithmetic is float64
// from Σ on (the activations' F·Fᵀ stays float32).
struct TraceSqrt : torch::autograd::Function<TraceSqrt> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& m) {
        const auto [values, vectors] = torch::linalg_eigh(m);
        const auto roots = values.clamp_min(0).sqrt();
        ctx->save_for_backward({roots, vectors});
        return roots.sum();
    }
    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& roots = saved[0];
        const auto& v = saved[1];
        // Eigenvalues are ≥ ~ε² > 0 (Σ and Σ_t carry εI); the floor only guards rounding.
        const auto inv = 0.5 / roots.clamp_min(1e-12);
        return {torch::mm(v * inv.unsqueeze(0), v.t()) * grads[0]};
    }
};

// Σ^½ of a symmetric positive definite float64 matrix.
torch::Tensor sqrtm_sym(const torch::Tensor& m) {
    const auto [values, vectors] = torch::linalg_eigh(m);
    return torch::mm(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.t());
}

// Keeps dst's storage when the shape is unchanged (CUDA graphs read it by address).
void assign(torch::Tensor& dst, const torch::Tensor& src) {
    if (dst.defined() && dst.sizes() == src.sizes() && dst.device() == src.device())
        dst.copy_(src);
    else
        dst = src.clone();
}

}  // namespace

FeatureSums feature_sums(const torch::Tensor& activation) {
    const auto c = activation.size(1);
    const auto f = activation.reshape({c, -1});
    return {torch::mm(f, f.t()), f.sum(1), static_cast<double>(f.size(1))};
}

void StyleTerm::clear() {
    per_style_.clear();
    singles_.clear();
    configured_ = false;
}

void StyleTerm::set_targets(int layer, std::vector<FeatureSums> per_style) {
    per_style_[layer] = std::move(per_style);
    singles_.erase(layer);
    configured_ = false;
}

void StyleTerm::blend_into(Blended& b, const std::vector<FeatureSums>& styles, const std::vector<float>& weights,
                           StyleLoss statistic) {
    const auto c = styles.front().outer.size(0);
    torch::Tensor gram, mean, second;  // Σ_k w_k G_k; Σ_k w_k μ_k; Σ_k w_k S_k
    for (std::size_t k = 0; k < styles.size(); ++k) {
        const double w = weights[k];
        if (w == 0.0 && weights.size() > 1) continue;
        const auto& s = styles[k];
        const auto g = s.outer * (w / (static_cast<double>(c) * s.count));
        gram = gram.defined() ? gram + g : g;
        if (statistic == StyleLoss::W2) {
            const auto m = s.sum.to(torch::kFloat64) * (w / s.count), sk = s.outer.to(torch::kFloat64) * (w / s.count);
            mean = mean.defined() ? mean + m : m;
            second = second.defined() ? second + sk : sk;
        }
    }
    if (statistic == StyleLoss::Gram) {
        assign(b.gram, gram);
    } else {
        const auto eye = torch::eye(c, mean.options());
        const auto cov = second - torch::outer(mean, mean) + kW2Epsilon * eye;
        assign(b.mean, mean);
        assign(b.cov_sqrt, sqrtm_sym(cov));
        assign(b.trace, cov.trace());
        assign(b.eps_eye, kW2Epsilon * eye);
    }
}

void StyleTerm::configure(const std::vector<float>& blend, StyleLoss statistic,
                          const std::vector<LayerBlend>& layer_blend) {
    torch::NoGradGuard no_grad;
    for (const auto& [layer, styles] : per_style_) {
        if (styles.size() != blend.size()) throw std::logic_error("StyleTerm: blend and style count differ");
        // A layer with its own blend (coarse and fine from different paintings) takes that one.
        const auto& name = vgg19_layers()[static_cast<std::size_t>(layer)].name;
        blend_into(blended_[layer], styles, layer_blend_for(layer_blend, name, blend, styles.size()), statistic);
    }
    // Layers no longer targeted keep no blended state.
    std::erase_if(blended_, [this](const auto& kv) { return !per_style_.contains(kv.first); });
    if (statistic != statistic_) singles_.clear();
    blend_ = blend;
    layer_blend_ = layer_blend;
    statistic_ = statistic;
    configured_ = true;
}

void StyleTerm::prepare_singles(const std::vector<int>& styles) {
    torch::NoGradGuard no_grad;
    for (const auto& [layer, per_style] : per_style_) {
        auto& singles = singles_[layer];
        for (const int k : styles) {
            if (k < 0 || static_cast<std::size_t>(k) >= per_style.size())
                throw std::logic_error("StyleTerm: a region's style index is out of range");
            if (singles.contains(k)) continue;
            std::vector<float> one_hot(per_style.size(), 0.f);
            one_hot[static_cast<std::size_t>(k)] = 1.f;
            blend_into(singles[k], per_style, one_hot, statistic_);
        }
    }
}

torch::Tensor StyleTerm::layer_loss(const torch::Tensor& activation, const Blended& t, const torch::Tensor& mask,
                                    double norm) const {
    const auto c = activation.size(1);
    auto f = activation.reshape({c, -1});
    // Unmasked, every position weighs 1 and the normaliser is the position count.
    const double n = mask.defined() ? norm : static_cast<double>(f.size(1));
    if (mask.defined()) f = f * mask;  // T∘F
    if (statistic_ == StyleLoss::Gram)
        return losses::mean_sq(losses::GramFunction::apply(f, static_cast<double>(c) * n), t.gram);
    // W2 with a mask: the T²-weighted mean Σ T²F / Σ T² (T∘F times T once more) and second moment.
    const auto mean = (mask.defined() ? (f * mask).sum(1) / n : f.mean(1)).to(torch::kFloat64);
    const auto cov = losses::GramFunction::apply(f, n).to(torch::kFloat64) - torch::outer(mean, mean) + t.eps_eye;
    return w2(mean, cov, t, c).to(activation.scalar_type());
}

torch::Tensor StyleTerm::w2(const torch::Tensor& mean, const torch::Tensor& cov, const Blended& t, std::int64_t c) {
    const auto mean_term = losses::mean_sq(mean, t.mean);
    const auto cross = TraceSqrt::apply(torch::mm(torch::mm(t.cov_sqrt, cov), t.cov_sqrt));
    return mean_term + (t.trace + cov.trace() - 2.0 * cross) / static_cast<double>(c);
}

torch::Tensor StyleTerm::sums_loss(const torch::Tensor& outer, const torch::Tensor& sum, double n,
                                   const Blended& t) const {
    const auto c = outer.size(0);
    if (statistic_ == StyleLoss::Gram) return losses::mean_sq(outer / (static_cast<double>(c) * n), t.gram);
    const auto mean = (sum / n).to(torch::kFloat64);
    const auto cov = (outer / n).to(torch::kFloat64) - torch::outer(mean, mean) + t.eps_eye;
    return w2(mean, cov, t, c).to(outer.scalar_type());
}

StyleSums StyleTerm::window_sums(const std::vector<LayerWeight>& layers, const Taps& feats, const TileWindow& window,
                                 SpatialMasks* masks) const {
    const bool regions = masks && masks->has_regions();
    const bool w2 = statistic_ == StyleLoss::W2;
    StyleSums out;
    for (const auto& lw : layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        const auto a = window.local(feats.at(idx), pooling_stride(idx));  // [1,C,h,w]
        const auto c = a.size(1);
        LayerSums sums;
        sums.count = static_cast<double>(a.size(2) * a.size(3));
        if (!regions) {
            const auto f = a.reshape({c, -1});
            sums.outer = losses::GramFunction::apply(f, 1.0);
            if (w2) sums.sum = f.sum(1);
        } else {
            const auto& m = masks->at(idx);
            if (m.style.empty()) continue;
            const auto rows = m.masks.size(0);
            const auto t = window.whole(m.masks.view({rows, m.height, m.width}), pooling_stride(idx)).reshape({rows, -1});
            const auto an = a.permute({0, 2, 3, 1}).reshape({-1, c});  // N×C
            sums.outer = losses::GuidedGramFunction::apply(an, t, torch::ones({rows}, t.options()));
            if (w2) sums.sum = torch::mm(t.pow(2), an);
        }
        out.emplace(idx, std::move(sums));
    }
    return out;
}

torch::Tensor StyleTerm::loss_of_sums(const std::vector<LayerWeight>& layers, const StyleSums& sums,
                                      const torch::Tensor& zero, SpatialMasks* masks) const {
    if (!configured_) throw std::logic_error("StyleTerm::loss_of_sums before configure");
    const bool regions = masks && masks->has_regions();
    torch::Tensor loss = zero;
    for (const auto& lw : layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        const auto it = sums.find(idx);
        if (it == sums.end()) continue;  // a layer no region covers
        const auto& s = it->second;
        if (!regions) {
            loss = loss + lw.weight * sums_loss(s.outer, s.sum, s.count, blended_.at(idx));
            continue;
        }
        const auto& m = masks->at(idx);
        const auto target = [&](std::size_t r) -> const Blended& {
            return m.style[r] == kRegionNone ? blended_.at(idx) : singles_.at(idx).at(m.style[r]);
        };
        if (statistic_ == StyleLoss::Gram) {
            std::vector<torch::Tensor> targets;
            for (std::size_t r = 0; r < m.style.size(); ++r) targets.push_back(target(r).gram);
            const auto grams = s.outer / m.gram_norm.view({-1, 1, 1});
            const auto per_region = (grams - torch::stack(targets)).pow(2).mean({1, 2});
            loss = loss + lw.weight * (per_region * m.weights).sum();
            continue;
        }
        for (std::size_t r = 0; r < m.style.size(); ++r) {
            const auto i = static_cast<std::int64_t>(r);
            loss = loss + (lw.weight * m.weight[r]) * sums_loss(s.outer[i], s.sum[i], m.norm[r], target(r));
        }
    }
    return loss;
}

torch::Tensor StyleTerm::evaluate(const std::vector<LayerWeight>& layers, const Taps& feats,
                                  const torch::Tensor& zero, SpatialMasks* masks) const {
    if (!configured_) throw std::logic_error("StyleTerm::evaluate before configure");
    const bool regions = masks && masks->has_regions();
    torch::Tensor loss = zero;
    for (const auto& lw : layers) {
        if (lw.weight == 0.f) continue;
        const int idx = relu_index(lw.layer);
        const auto& activation = feats.at(idx);
        if (!regions) {
            loss = loss + lw.weight * layer_loss(activation, blended_.at(idx));
            continue;
        }
        const auto& m = masks->at(idx);
        if (m.style.empty()) continue;
        if (m.masks.size(1) != activation.size(2) * activation.size(3))
            throw std::logic_error("StyleTerm: a mask's size differs from its layer's");
        const auto target = [&](std::size_t r) -> const Blended& {
            return m.style[r] == kRegionNone ? blended_.at(idx) : singles_.at(idx).at(m.style[r]);
        };
        if (statistic_ == StyleLoss::Gram) {
            // Every region of the layer in one batched product: [E,C,C] against the stacked targets.
            const auto c = activation.size(1);
            const auto a = activation.permute({0, 2, 3, 1}).reshape({-1, c});  // N×C
            std::vector<torch::Tensor> targets;
            for (std::size_t r = 0; r < m.style.size(); ++r) targets.push_back(target(r).gram);
            const auto grams = losses::GuidedGramFunction::apply(a, m.masks, m.gram_norm);
            const auto per_region = (grams - torch::stack(targets)).pow(2).mean({1, 2});
            loss = loss + lw.weight * (per_region * m.weights).sum();
            continue;
        }
        for (std::size_t r = 0; r < m.style.size(); ++r) {
            const auto t = m.masks[static_cast<std::int64_t>(r)].unsqueeze(0);
            loss = loss + (lw.weight * m.weight[r]) * layer_loss(activation, target(r), t, m.norm[r]);
        }
    }
    return loss;
}

}  // namespace nst

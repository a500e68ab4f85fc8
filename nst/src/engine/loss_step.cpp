// One untiled step's loss and gradient (EngineCore::loss_and_backward): the loss units composed
// over VGG19's activations (docs/LOSS.md), and with --normalize-gradients each term's gradient at
// each layer rescaled between the terms and the network (gradient_normalization.h). Tiled steps
// are tiled_step.cpp's.
#include <torch/torch.h>

#include "engine/engine_impl.h"
#include "loss/gradient_normalization.h"

namespace nst {

void EngineCore::loss_and_backward(const torch::Tensor& image) {
    if (plan.tiled()) {
        tiled_loss_and_backward(image);
        return;
    }
    const auto feats = features(image, step_taps(), params.seamless);
    if (options.interrupt) check_interrupt();  // also after the forward pass (features() checks each layer)

    // A fresh gradient each step (no zero-fill); inside a CUDA graph the one captured buffer.
    // (L-BFGS clears its own variable's gradient.)
#if NST_TORCH_HAS_CUDA
    if (!graph && image.is_leaf()) x.mutable_grad() = torch::Tensor();
#else
    if (image.is_leaf()) x.mutable_grad() = torch::Tensor();
#endif
    // With gradient normalisation each term sees its own stand-ins for the activations, so
    // that its gradient at each layer can be read apart from the other term's and the deeper
    // layers' (gradient_normalization.h); without, the activations themselves.
    const bool normalize = params.normalize_gradients > 0.f;
    const Taps content_feats = normalize ? leaves_of(feats, content_layers()) : feats;
    const Taps style_feats = normalize ? leaves_of(feats, params.style_layers) : feats;

    const auto zero = torch::zeros({}, image.options().requires_grad(false));
    SpatialMasks* masks = spatial.control().empty() ? nullptr : &spatial;
    // The random parts of this evaluation (sw's directions, samples): the same for a step
    // repeated after an interrupt.
    Draws draws(options.seed, steps, device);
    const auto content_loss =
        params.content_loss == ContentLoss::SelfSimilarity
            ? self_similarity_term(content_layers(), content_feats, content_term, params.samples, draws, zero, masks)
            : content_term.evaluate(content_layers(), content_feats, zero, masks);
    const auto style_loss =
        matches_features(params.style_loss)
            ? match_term.evaluate(params, style_feats, image, normalized_blend(params.style_blend, styles_in.size()),
                                  draws, zero, masks)
            : style_term.evaluate(params.style_layers, style_feats, zero, masks);
    const auto tv_loss = TvTerm::evaluate(image, params.seamless);
    const auto temporal_loss = temporal.evaluate(image, zero);
    const auto features_part = params.content_weight * content_loss + params.style_weight * style_loss;
    auto rest = params.tv_weight * tv_loss;
    if (!temporal.empty()) rest = rest + params.temporal_weight * temporal_loss;
    const auto total = features_part + rest;

    if (!normalize) {
        total.backward();
    } else {
        // 1: each term's gradients at its stand-ins (remd's palette goes straight to the image);
        // 2: rescaled per layer; 3: back through the network with the TV and temporal terms.
        if (features_part.requires_grad()) features_part.backward();
        std::map<int, torch::Tensor> grads;
        add_normalized(grads, content_feats, content_layers());
        add_normalized(grads, style_feats, params.style_layers);
        std::vector<torch::Tensor> roots{rest}, seeds{torch::ones_like(rest)};
        for (const auto& [idx, g] : grads) {
            roots.push_back(feats.at(idx));
            seeds.push_back(g);
        }
        torch::autograd::backward(roots, seeds);
    }
    // Kept as device tensors: reading them (last_losses) is the only host sync.
    loss_content = content_loss.detach();
    loss_style = style_loss.detach();
    loss_tv = tv_loss.detach();
    loss_temporal = temporal_loss.detach();
    loss_total = total.detach();
}

// Leaves holding the activations of `layers` (those with a weight), cut from the network.
Taps EngineCore::leaves_of(const Taps& feats, const std::vector<LayerWeight>& layers) {
    Taps out;
    for (const auto& lw : layers)
        if (lw.weight != 0.f) {
            const int idx = relu_index(lw.layer);
            if (!out.contains(idx)) out[idx] = feats.at(idx).detach().requires_grad_(true);
        }
    return out;
}

// One term's gradients at its leaves, normalised (gradient_normalization.h), added per layer.
void EngineCore::add_normalized(std::map<int, torch::Tensor>& grads, const Taps& leaves,
                            const std::vector<LayerWeight>& layers) const {
    std::vector<LayerGradient> term;
    std::vector<int> at;
    for (const auto& lw : layers) {
        const int idx = relu_index(lw.layer);
        if (lw.weight == 0.f || !leaves.contains(idx) || !leaves.at(idx).grad().defined()) continue;
        term.push_back({leaves.at(idx).grad(), lw.weight});
        at.push_back(idx);
    }
    normalize_term_gradients(term, params.normalize_gradients);
    for (std::size_t i = 0; i < term.size(); ++i) {
        auto& g = grads[at[i]];
        g = g.defined() ? g + term[i].grad : term[i].grad;
    }
}

}  // namespace nst

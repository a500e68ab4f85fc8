// Tiled steps (tiling.h, docs/TILING.md): the whole image's loss and gradient, one tile through the
// network at a time. The style statistics are sums over positions, so
//   pass 1 (no gradients): every tile's interior sums add up to the whole image's, which give the
//          style loss and D = ∂(β·L_style)/∂sums (small C×C autograd);
//   pass 2: each tile again with gradients on ⟨D, sums_tile⟩ + α·content_tile + γ·TV_tile, whose
//          gradient is exactly the tile's share of the whole gradient (the halo gets the
//          contributions of the interior's receptive fields); the shares add up.
// Content targets are assembled from tiles, and each style image's sums are added up over tiles.
#include <torch/torch.h>

#include "engine/engine_impl.h"
#include "loss/tile_window.h"

namespace nst {
namespace {

std::vector<int> taps_of(const std::vector<LayerWeight>& layers) {
    std::set<int> taps;
    for (const auto& lw : layers)
        if (lw.weight != 0.f) taps.insert(relu_index(lw.layer));
    return {taps.begin(), taps.end()};
}

std::string size_text(std::int64_t width, std::int64_t height) {
    return std::to_string(width) + "x" + std::to_string(height);
}

}  // namespace

void EngineCore::plan_tiling() {
    if (!content_rgb.defined()) return;
    const auto height = static_cast<int>(content_rgb.size(2)), width = static_cast<int>(content_rgb.size(3));
    const int regions = static_cast<int>(spatial.control().regions.size());
    int tile = options.tile;
    if (tile <= 0 && options.max_memory > 0) {
        tile = choose_tile(width, height, options.max_memory, params, options.precision, regions);
        if (tile < 0) {
            const int smallest = pooling_stride(deepest_layer(params));
            throw UsageError("--max-memory " + format_memory(options.max_memory) +
                             " is too small for even one tile at " + size_text(width, height) +
                             ": the smallest that works is " +
                             format_memory(estimate_step_bytes(width, height, smallest, params, options.precision,
                                                               regions)));
        }
    }
    TilePlan fresh = plan_tiles(width, height, tile, params);
    // The feature-matching losses compare all positions with each other (sorts, nearest
    // neighbours, self-similarity): no sum over tiles gives them exactly (docs/TILING.md).
    if (fresh.tiled() && (matches_features(params.style_loss) || params.content_loss == ContentLoss::SelfSimilarity)) {
        std::string which = params.content_loss == ContentLoss::SelfSimilarity && !matches_features(params.style_loss)
                                ? std::string("--content-loss self-similarity")
                                : std::string("--style-loss ") + style_loss_name(params.style_loss);
        which.append(" cannot run in tiles (")
            .append(options.tile > 0 ? "--tile " + std::to_string(options.tile)
                                     : "--max-memory " + format_memory(options.max_memory) + " at " + size_text(width, height))
            .append("): it compares every position with every other, which tiles cannot do exactly; use --style-loss "
                    "gram or w2 and --content-loss mse, or a smaller --size");
        throw UsageError(which);
    }
    // The torus and the per-layer norms are whole-image properties a tile does not see.
    if (fresh.tiled() && (params.seamless || params.normalize_gradients > 0.f)) {
        std::string which = params.seamless ? "--seamless" : "--normalize-gradients";
        which.append(" cannot run in tiles (")
            .append(options.tile > 0 ? "--tile " + std::to_string(options.tile)
                                     : "--max-memory " + format_memory(options.max_memory) + " at " + size_text(width, height))
            .append(params.seamless ? "): a tile's halo cannot wrap around the image; leave out --tile or use a smaller --size"
                                    : "): each layer's gradient norm is the whole image's; leave out --tile or use a smaller --size");
        throw UsageError(which);
    }
    plan = fresh;
}

TilePlan EngineCore::plan_for(const torch::Tensor& image) const {
    if (!plan.tiled()) return plan;
    return plan_tiles(static_cast<int>(image.size(3)), static_cast<int>(image.size(2)), plan.tile, params);
}

Taps EngineCore::target_activations(const torch::Tensor& image, const std::vector<int>& taps, bool circular) {
    const TilePlan p = plan_for(image);
    if (!p.tiled()) return features(image, taps, circular);
    const auto height = static_cast<int>(image.size(2)), width = static_cast<int>(image.size(3));
    Taps whole;
    for (const auto& w : tile_windows(width, height, p)) {
        const auto feats = features(w.tile_of(image), taps);
        for (const int idx : taps) {
            const int s = pooling_stride(idx);
            const auto& f = feats.at(idx);
            auto& dst = whole[idx];
            if (!dst.defined()) dst = torch::empty({1, f.size(1), height / s, width / s}, f.options());
            w.whole(dst, s).copy_(w.local(f, s));
        }
    }
    return whole;
}

std::map<int, FeatureSums> EngineCore::target_sums(const torch::Tensor& image, const std::vector<int>& taps) {
    std::map<int, FeatureSums> out;
    const TilePlan p = plan_for(image);
    if (!p.tiled()) {
        const auto feats = features(image, taps);
        for (const int idx : taps) out[idx] = feature_sums(feats.at(idx));
        return out;
    }
    for (const auto& w : tile_windows(static_cast<int>(image.size(3)), static_cast<int>(image.size(2)), p)) {
        const auto feats = features(w.tile_of(image), taps);
        for (const int idx : taps) {
            const auto part = feature_sums(w.local(feats.at(idx), pooling_stride(idx)).contiguous());
            auto& sums = out[idx];
            if (!sums.outer.defined()) {
                sums = part;
                continue;
            }
            sums.outer.add_(part.outer);
            sums.sum.add_(part.sum);
            sums.count += part.count;
        }
    }
    return out;
}

void EngineCore::tiled_loss_and_backward(const torch::Tensor& image) {
    const auto height = static_cast<int>(image.size(2)), width = static_cast<int>(image.size(3));
    const auto windows = tile_windows(width, height, plan);
    const int tiles = static_cast<int>(windows.size());
    const auto source = image.detach();
    const auto zero = torch::zeros({}, source.options().requires_grad(false));
    SpatialMasks* masks = spatial.control().empty() ? nullptr : &spatial;
    const auto style_taps = taps_of(params.style_layers);
    const std::vector<int> taps = step_taps();

    // Pass 1: the whole image's style sums, then the loss and its gradient in them. W2 adds them up
    // in float64: its covariance S/n − μμᵀ cancels most of S, so the tiles' float32 partial sums
    // would put their rounding where it matters (the untiled path rounds S once, in one product).
    StyleSums whole;
    const auto accumulate = params.style_loss == StyleLoss::W2 ? torch::kFloat64 : torch::kFloat32;
    if (!style_taps.empty()) {
        torch::NoGradGuard no_grad;
        for (int i = 0; i < tiles; ++i) {
            const auto& w = windows[static_cast<std::size_t>(i)];
            const auto part = style_term.window_sums(params.style_layers, features(w.tile_of(source), style_taps), w, masks);
            for (const auto& [idx, s] : part) {
                auto& into = whole[idx];
                if (!into.outer.defined()) {
                    into = {s.outer.to(accumulate, false, true),
                            s.sum.defined() ? s.sum.to(accumulate, false, true) : torch::Tensor(), s.count};
                    continue;
                }
                into.outer.add_(s.outer);
                if (s.sum.defined()) into.sum.add_(s.sum);
                into.count += s.count;
            }
            if (options.on_tile) options.on_tile(1, i + 1, tiles);
        }
    }
    for (auto& [idx, s] : whole) {
        s.outer.requires_grad_(true);
        if (s.sum.defined()) s.sum.requires_grad_(true);
    }
    const auto style_loss = style_term.loss_of_sums(params.style_layers, whole, zero, masks);
    if (style_loss.requires_grad()) (params.style_weight * style_loss).backward();

    // Pass 2: each tile's share of the gradient.
    auto grad = torch::zeros_like(source);
    auto content_loss = zero.clone(), tv_loss = zero.clone(), temporal_loss = zero.clone();
    for (int i = 0; i < tiles; ++i) {
        const auto& w = windows[static_cast<std::size_t>(i)];
        const auto tile = w.tile_of(source).clone().requires_grad_(true);
        const auto feats = features(tile, taps);
        auto part = zero;
        for (const auto& [idx, s] : style_term.window_sums(params.style_layers, feats, w, masks)) {
            const auto& d = whole.at(idx);
            part = part + (s.outer * d.outer.grad().to(s.outer.scalar_type())).sum();
            if (s.sum.defined()) part = part + (s.sum * d.sum.grad().to(s.sum.scalar_type())).sum();
        }
        const auto content = content_term.evaluate_window(content_layers(), feats, zero, w, masks);
        const auto tv = TvTerm::evaluate_window(tile, w, height, width);
        part = part + params.content_weight * content + params.tv_weight * tv;
        if (!temporal.empty()) {
            const auto t = temporal.evaluate_window(tile, w, zero);
            part = part + params.temporal_weight * t;
            temporal_loss.add_(t.detach());
        }
        if (part.requires_grad()) {
            part.backward();
            w.tile_of(grad).add_(tile.grad());
        }
        content_loss.add_(content.detach());
        tv_loss.add_(tv.detach());
        if (options.on_tile) options.on_tile(2, i + 1, tiles);
    }

    if (image.is_leaf())
        image.mutable_grad() = grad;  // (Adam's x)
    else
        image.backward(grad);  // L-BFGS's image is a function of its own variable
    loss_content = content_loss;
    loss_style = style_loss.detach().to(torch::kFloat32);
    loss_tv = tv_loss;
    loss_temporal = temporal_loss;
    loss_total = params.content_weight * loss_content + params.style_weight * loss_style + params.tv_weight * loss_tv;
    if (!temporal.empty()) loss_total = loss_total + params.temporal_weight * loss_temporal;
}

}  // namespace nst

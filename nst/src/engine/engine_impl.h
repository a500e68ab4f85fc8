#pragma once
// The engine's state and its loss-and-step machinery (what Engine::Impl is), shared by engine.cpp
// (the Engine methods) and sweep.cpp (a batched sweep reuses the targets, the network and the loss
// composition). A torch header: only torch translation units include it.
#include "nst/engine.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "image/tensor_image.h"
#include "loss/color_ops.h"
#include "loss/content_loss.h"
#include "loss/spatial_masks.h"
#include "loss/style_loss.h"
#include "loss/temporal_loss.h"
#include "loss/tv_loss.h"
#include "match/match_term.h"
#include "net/vgg19.h"
#include "nst/error.h"
#include "nst/tiling.h"
#include "optim/adam.h"
#include "optim/image_average.h"
#include "optim/lbfgs.h"

#if NST_TORCH_HAS_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace nst {

// Throws nst::UsageError for parameters no engine can run with (engine.cpp).
void check_params(const Params& params);

// Which inputs the targets were computed from: a change re-computes them (forward passes).
struct InputKey {
    bool luminance = false, histogram = false;
    float style_scale = 1.0f;
    bool operator==(const InputKey&) const = default;
    static InputKey of(const Params& p) {
        return {p.colors == ColorMode::Luminance, p.colors == ColorMode::Histogram, p.style_scale};
    }
};

// The relu indices a forward pass must tap for `p`: the layers with a non-zero weight (one weighted
// 0 costs nothing; the forward stops at the deepest tap), added to `taps`, which keeps them
// ascending and each once.
inline void add_used_taps(std::set<int>& taps, const Params& p) {
    for (const auto* layers : {&p.content_layers, &p.style_layers})
        for (const auto& lw : *layers)
            if (lw.weight != 0.f) taps.insert(relu_index(lw.layer));
}
inline std::vector<int> used_taps(const Params& p) {
    std::set<int> taps;
    add_used_taps(taps, p);
    return {taps.begin(), taps.end()};
}

// Everything an Engine holds and does, but the public API: Engine::Impl is exactly this, and a
// batched Sweep holds one for the union of its variants (its own x, optimiser and style terms).
struct EngineCore {
    // Device, network and normalisation for these options (checks `params`; builds VGG19 up to
    // the deepest layer it uses). Defined in engine.cpp.
    void open(const EngineOptions& options, const Params& params);

    EngineOptions options;
    Params params;
    torch::Device device{torch::kCPU};
    VGG19Features net{nullptr};
    torch::Tensor mean, std;

    // The inputs as given (kept so that a new layer, scale or colour mode can be targeted without
    // reloading files), and as the network sees them under `inputs_for`.
    torch::Tensor content_rgb;
    std::vector<Image> style_sources;
    // Texture synthesis (set_texture): no content, content_rgb is a flat grey of the size only.
    bool texture = false;
    torch::Tensor content_in;
    std::vector<torch::Tensor> styles_in;
    std::optional<InputKey> inputs_for;

    ContentTerm content_term;
    StyleTerm style_term;
    MatchTerm match_term;  // sw, remd, nn: each style's activations (kept once a step needed them)
    // Each style image's sums per style layer, as given to style_term (never modified in place):
    // what a Sweep builds each variant's own StyleTerm from (configure writes blended targets in
    // place, so two variants must not share one).
    std::map<int, std::vector<FeatureSums>> style_sums;

    torch::Tensor x;  // the image being optimised, [1,3,H,W] in [0,1], a leaf with grad
    // Exactly one of the two optimisers exists (Params::optimizer).
    std::unique_ptr<ImageAdam> adam;
    std::unique_ptr<ImageLBFGS> lbfgs;
    SpatialMasks spatial;                 // regions and the content map (set_spatial)
    TemporalTerm temporal;                // video: the warped earlier frames (set_temporal)
    std::optional<ImageAverage> average;  // when Params::average > 0
    long lbfgs_restarts = 0;              // of optimisers since dropped, plus the current one's
    torch::Tensor loss_content, loss_style, loss_tv, loss_temporal, loss_total;  // detached, of the last step
    torch::Tensor publish_staging;  // pinned host buffer for image_rgba8 on CUDA
    int steps = 0;
    long target_passes = 0;
    TilePlan plan;  // how steps at the content's size are cut (plan_tiling)

#if NST_TORCH_HAS_CUDA
    // CUDA graph of one whole step (forward, backward, Adam, clamp): on a GPU an eager step is
    // bound by launching ~300 small kernels from the CPU; a replay launches them all at once.
    // Captured after two eager steps (cuDNN autotuning and workspaces settle) and dropped when
    // anything baked into it changes (weights of the loss, layers, the image, the optimizer).
    std::unique_ptr<at::cuda::CUDAGraph> graph;
    int eager_since_invalidate = 0;
    bool graph_failed = false;
#endif
    void invalidate_graph() {
#if NST_TORCH_HAS_CUDA
        graph.reset();
        eager_since_invalidate = 0;
#endif
    }

    // Tiled steps (tiled_step.cpp, docs/TILING.md). plan_tiling decides from the options, the
    // content's size and the parameters (throws UsageError when not even the smallest tile fits
    // options.max_memory); the others follow `plan`, or run untiled when it is.
    void plan_tiling();
    [[nodiscard]] TilePlan plan_for(const torch::Tensor& image) const;  // `plan`'s tile at another size
    // Whole, assembled; `circular`: around the torus (--seamless, never tiled).
    Taps target_activations(const torch::Tensor& image, const std::vector<int>& taps, bool circular = false);
    std::map<int, FeatureSums> target_sums(const torch::Tensor& image, const std::vector<int>& taps);
    void tiled_loss_and_backward(const torch::Tensor& image);

    void build_net(int last_index) {
        VGG19Features fresh(last_index, options.pooling);
        if (options.features.random())
            fresh->init_random(options.features.random_seed);
        else
            fresh->load_safetensors(options.features.weights_path);
        fresh->to(device, net_dtype());
        if (channels_last()) fresh->to_channels_last();
        net = fresh;
    }

    // One throwaway loss-and-gradient step on a tiny image, once per thread, on the CPU (engine.cpp
    // says why).
    void warm_up_cpu_kernels();

    // NHWC everywhere except strict fp32 on CUDA, where cuDNN's NCHW kernels were faster on an H100
    // (512 px: 11.4 vs 12.3 ms; 1024: 38.2 vs 42.2; docs/PERFORMANCE.md).
    [[nodiscard]] bool channels_last() const {
        return !(device.is_cuda() && options.precision == Precision::FP32);
    }

    [[nodiscard]] torch::ScalarType net_dtype() const {
        return options.precision == Precision::BF16 ? torch::kBFloat16 : torch::kFloat32;
    }

    // The relu indices a step taps: the used layers, without the content's in texture mode.
    [[nodiscard]] std::vector<int> step_taps() const {
        if (!texture) return used_taps(params);
        std::set<int> taps;
        for (const auto& lw : params.style_layers)
            if (lw.weight != 0.f) taps.insert(relu_index(lw.layer));
        return {taps.begin(), taps.end()};
    }
    // The content layers the loss uses: none in texture mode.
    [[nodiscard]] const std::vector<LayerWeight>& content_layers() const {
        static const std::vector<LayerWeight> none;
        return texture ? none : params.content_layers;
    }

    // Activations at `taps`, always returned as fp32 (the losses and Gram matrices stay fp32).
    // `circular`: the network pads around the torus (--seamless).
    Taps features(const torch::Tensor& img, const std::vector<int>& taps, bool circular = false) {
        auto normalised = (img - mean) / std;
        // Channels-last (NHWC) lets oneDNN and cuDNN's tensor-core kernels run the convolutions
        // without reordering every activation (measured in docs/PERFORMANCE.md).
        if (channels_last()) normalised = normalised.contiguous(torch::MemoryFormat::ChannelsLast);
        const bool fp32 = net_dtype() == torch::kFloat32;
        // A step the caller may interrupt (EngineOptions::interrupt) looks after each ReLU going
        // forward and, through a hook, as the gradient passes it going back; targets (no
        // gradient) run to the end.
        const auto interruptible = [this](const torch::Tensor& t) {
            check_interrupt();
            if (t.requires_grad()) t.register_hook([this](const torch::Tensor& g) {
                    check_interrupt();
                    return g;
                });
        };
        auto out = net->forward(fp32 ? normalised : normalised.to(net_dtype()), taps,
                                options.interrupt && img.requires_grad() ? interruptible
                                                                         : std::function<void(const torch::Tensor&)>{},
                                circular);
        Taps by_layer;
        for (std::size_t i = 0; i < taps.size(); ++i) by_layer[taps[i]] = fp32 ? out[i] : out[i].to(torch::kFloat32);
        return by_layer;
    }

    // Each pooling layer before the deepest used layer halves the image; below 1 px there is
    // nothing left to compare.
    void check_size(int width, int height, const std::string& what) const {
        const int deepest = deepest_layer(params);
        int min_side = 1;
        for (const auto& layer : vgg19_layers())
            if (layer.kind == LayerKind::Pool && layer.index < deepest) min_side *= 2;
        if (std::min(width, height) < min_side)
            throw UsageError(what + " " + std::to_string(width) + "x" + std::to_string(height) +
                             " is too small for layer " + vgg19_layers()[static_cast<std::size_t>(deepest)].name +
                             ": its short side must be at least " + std::to_string(min_side) + " px (raise --size" +
                             (what == "content image" ? ")" : " or --style-scale)"));
    }

    // The inputs as the network sees them for `key`: each style resized to style_scale × the
    // content's long side, then the colour mode's transform. Throws before changing anything.
    void prepare_inputs(const InputKey& key) {
        const auto long_side = std::max(content_rgb.size(2), content_rgb.size(3));
        const int style_side = std::max(1, static_cast<int>(std::lround(key.style_scale * static_cast<double>(long_side))));
        std::vector<torch::Tensor> fresh;
        for (std::size_t k = 0; k < style_sources.size(); ++k) {
            const Image resized = resize_long_side(style_sources[k], style_side);
            check_size(resized.width, resized.height,
                       style_sources.size() > 1 ? "style image " + std::to_string(k + 1) : std::string("style image"));
            auto t = to_tensor(resized, device);
            if (key.luminance) t = color_ops::match_luminance(t, content_rgb);
            if (key.histogram) t = color_ops::match_histogram(t, content_rgb);
            fresh.push_back(std::move(t));
        }
        styles_in = std::move(fresh);
        content_in = key.luminance ? color_ops::luminance_only(content_rgb) : content_rgb;
        inputs_for = key;
        content_term.clear();
        style_term.clear();
        style_sums.clear();
        match_term.clear();
        match_term.set_style_images(styles_in);
    }

    bool content_seamless = false;  // the content target was computed around the torus

    // What the creative controls need of the image and the mode (throws UsageError naming them;
    // engine.cpp).
    void check_creative() const;

    // Computes the targets that `params` needs and are not there yet (all of them after new
    // inputs), then the blended style targets.
    void ensure_targets() {
        if (!content_rgb.defined()) return;
        check_creative();
        if (inputs_for != InputKey::of(params)) prepare_inputs(InputKey::of(params));
        // The content target is computed as the image is seen: around the torus when seamless.
        if (content_seamless != params.seamless) {
            content_term.clear();
            content_seamless = params.seamless;
        }
        const int deepest = deepest_layer(params);
        if (!net || deepest > net->last_index()) build_net(deepest);
        torch::NoGradGuard no_grad;
        auto missing = [](const std::vector<LayerWeight>& layers, const auto& term) {
            std::set<int> idx;
            for (const auto& lw : layers)
                if (!term.has(relu_index(lw.layer))) idx.insert(relu_index(lw.layer));
            return std::vector<int>(idx.begin(), idx.end());
        };
        plan_tiling();  // targets of a print-size image are computed tile by tile too
        if (const auto taps = missing(content_layers(), content_term); !taps.empty()) {
            const auto feats = target_activations(content_in, taps, params.seamless);
            ++target_passes;
            for (const int idx : taps) content_term.set_target(idx, feats.at(idx));
        }
        // The feature-matching losses keep each style's activations too (the statistics' sums are
        // always kept, so switching back to gram or w2 needs no pass).
        const auto need_features = matches_features(params.style_loss) ? missing(params.style_layers, match_term)
                                                                       : std::vector<int>{};
        if (!need_features.empty()) {
            std::set<int> both(need_features.begin(), need_features.end());
            for (const int idx : missing(params.style_layers, style_term)) both.insert(idx);
            const std::vector<int> taps(both.begin(), both.end());
            std::map<int, std::vector<torch::Tensor>> acts;
            std::map<int, std::vector<FeatureSums>> sums;
            for (const auto& style : styles_in) {
                auto per_layer = target_activations(style, taps);
                ++target_passes;
                for (const int idx : taps) {
                    if (!style_term.has(idx)) sums[idx].push_back(feature_sums(per_layer.at(idx)));
                    acts[idx].push_back(std::move(per_layer.at(idx)));
                }
            }
            for (auto& [idx, per_style] : acts)
                if (!match_term.has(idx)) match_term.set_targets(idx, per_style);
            for (auto& [idx, per_style] : sums) {
                style_sums[idx] = per_style;
                style_term.set_targets(idx, std::move(per_style));
            }
        }
        if (const auto taps = missing(params.style_layers, style_term); !taps.empty()) {
            std::map<int, std::vector<FeatureSums>> sums;
            for (const auto& style : styles_in) {
                auto per_layer = target_sums(style, taps);
                ++target_passes;
                for (const int idx : taps) sums[idx].push_back(std::move(per_layer.at(idx)));
            }
            for (auto& [idx, per_style] : sums) {
                style_sums[idx] = per_style;  // shared read-only with Sweep's per-variant terms
                style_term.set_targets(idx, std::move(per_style));
            }
        }
        configure_style();
    }

    // The blend and the statistic: no forward pass. A blend whose count does not match the styles
    // (a caller changing both, in either order) is applied once they match; step() refuses to run
    // with a mismatch.
    void configure_style() {
        if (styles_in.empty()) return;
        if (!params.style_blend.empty() && params.style_blend.size() != styles_in.size()) return;
        const auto blend = normalized_blend(params.style_blend, styles_in.size());
        // The feature-matching losses blend their losses, not a statistic: the statistic's targets
        // stay Gram's (cheap), ready for a switch back.
        const StyleLoss statistic = matches_features(params.style_loss) ? StyleLoss::Gram : params.style_loss;
        if (!style_term.configured_for(blend, statistic, params.layer_blend))
            style_term.configure(blend, statistic, params.layer_blend);
    }

    void reset_optimizer() {
        invalidate_graph();
        if (lbfgs) lbfgs_restarts += lbfgs->restarts();
        adam.reset();
        lbfgs.reset();
        if (params.optimizer == Optimizer::LBFGS)
            lbfgs = std::make_unique<ImageLBFGS>(x, params.lr, params.lbfgs_history);
        else
            adam = std::make_unique<ImageAdam>(x, AdamOptions{.lr = params.lr});
    }

    void reset_average() {
        average.reset();
        if (params.average > 0.f && x.defined()) average.emplace(x, params.average);
    }

    void set_inputs(const Image& content, const std::vector<Image>& styles, bool as_texture);  // engine.cpp
    void set_images(const Image& c, const std::vector<Image>& styles) {
        if (c.empty()) throw Error("the content image must not be empty");
        if (styles.empty()) throw UsageError("at least one style image is needed");
        for (const auto& s : styles)
            if (s.empty()) throw Error("style images must not be empty");
        check_size(c.width, c.height, "content image");
        // Nothing changes until the new inputs are known to work.
        const auto old_content = content_rgb;
        auto old_sources = std::move(style_sources);
        try {
            content_rgb = to_tensor(c, device);
            style_sources = styles;
            inputs_for.reset();
            ensure_targets();
            temporal.clear();
        } catch (...) {
            content_rgb = old_content;
            style_sources = std::move(old_sources);
            inputs_for.reset();
            if (content_rgb.defined()) ensure_targets();
            throw;
        }
    }

    void set_x(torch::Tensor start) {
        x = start.detach().clone().clamp_(0, 1).requires_grad_(true);
        reset_optimizer();
        reset_average();
        steps = 0;
        loss_content = loss_style = loss_tv = loss_temporal = loss_total = torch::Tensor();
    }

    // The start image for `init`, at the content's size.
    [[nodiscard]] torch::Tensor initial(Init init) const {
        if (init == Init::Content) {
            if (texture) throw UsageError("--init content needs a content image: texture mode starts from noise or gray");
            return content_in;
        }
        auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
        auto noise = at::rand(content_rgb.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32));
        if (init == Init::Gray) noise = noise / 255.0 + 0.5;
        return noise.to(device);
    }

    // A start image given as a picture: at the content's size, and only its luminance where the
    // network sees luminance only.
    [[nodiscard]] torch::Tensor initial(const Image& start) const {
        const auto height = static_cast<int>(content_rgb.size(2)), width = static_cast<int>(content_rgb.size(3));
        const Image resized = (start.width == width && start.height == height) ? start : resize_to(start, width, height);
        auto t = to_tensor(resized, device);
        return params.colors == ColorMode::Luminance ? color_ops::luminance_only(t) : t;
    }

    // The result as shown and saved: the average (if on and asked for), with the content's
    // chrominance under the colour modes that take it.
    [[nodiscard]] torch::Tensor shown(bool averaged) const {
        torch::NoGradGuard no_grad;
        if (params.colors_only && !texture) return recoloured();
        const auto img = averaged && average ? average->get().clamp_(0, 1) : x.detach();
        if (params.colors == ColorMode::Post || params.colors == ColorMode::Luminance)
            return color_ops::keep_chrominance(img, content_rgb).clamp_(0, 1);
        return img;
    }

    // Colours only: the content with its colour moments mapped to the styles' mix, clamped
    // (color_ops::colors_only; engine.cpp).
    [[nodiscard]] torch::Tensor recoloured() const;

    // Video: a new content frame; the style targets stay unless they depend on the content.
    void set_content(const Image& c) {
        if (!content_rgb.defined()) throw Error("Engine::set_content called before set_images");
        if (texture) throw UsageError("a video frame needs a content image, not texture mode");
        if (c.empty()) throw Error("the content image must not be empty");
        const bool same_size = c.width == content_rgb.size(3) && c.height == content_rgb.size(2);
        const InputKey key = InputKey::of(params);
        if (!same_size || key.luminance || key.histogram) {
            const std::vector<Image> styles = style_sources;
            set_images(c, styles);
            return;
        }
        torch::NoGradGuard no_grad;
        const auto fresh = to_tensor(c, device);
        const auto taps = used_taps(Params{.content_layers = params.content_layers});
        const auto feats = target_activations(fresh, taps, params.seamless);  // throws before anything changes
        ++target_passes;
        content_rgb = fresh;
        content_in = fresh;
        content_term.clear();
        content_seamless = params.seamless;
        for (const int idx : taps) content_term.set_target(idx, feats.at(idx));
        temporal.clear();
        invalidate_graph();
    }

    void set_temporal(const std::vector<TemporalTarget>& targets) {
        if (!content_rgb.defined()) throw Error("Engine::set_temporal called before set_images");
        const int height = static_cast<int>(content_rgb.size(2)), width = static_cast<int>(content_rgb.size(3));
        std::vector<TemporalTerm::Target> fresh;
        for (std::size_t k = 0; k < targets.size(); ++k) {
            const auto& t = targets[k];
            const std::string which = "temporal target " + std::to_string(k + 1);
            if (t.image.width != width || t.image.height != height)
                throw UsageError(which + " is " + std::to_string(t.image.width) + "x" + std::to_string(t.image.height) +
                                 ", the content " + std::to_string(width) + "x" + std::to_string(height));
            if (t.weight.size() != static_cast<std::size_t>(width) * height)
                throw UsageError(which + ": its weight map has " + std::to_string(t.weight.size()) + " values for " +
                                 std::to_string(width * height) + " pixels");
            for (const float w : t.weight)
                if (!(w >= 0.f && w <= 1.f)) throw UsageError(which + ": a weight outside [0,1]");
            auto weight = torch::from_blob(const_cast<float*>(t.weight.data()), {1, 1, height, width}, torch::kFloat32)
                              .clone()
                              .to(device);
            fresh.push_back({to_tensor(t.image, device), std::move(weight)});
        }
        temporal.set(std::move(fresh));
        invalidate_graph();  // the targets are baked into a captured graph
    }

    void set_spatial(const SpatialControl& c) {
        const int height = content_rgb.defined() ? static_cast<int>(content_rgb.size(2)) : 0;
        const int width = content_rgb.defined() ? static_cast<int>(content_rgb.size(3)) : 0;
        check_spatial(c, styles_in.size(), width, height);
        spatial.set(c);
        invalidate_graph();  // the masks are baked into a captured graph
    }

    // Throws (and remembers, for Engine::step) when the caller asks the step to stop.
    void check_interrupt() {
        if (options.interrupt && options.interrupt()) {
            interrupted = true;
            throw StepInterrupted();
        }
    }
    bool interrupted = false;  // the last step stopped at check_interrupt (the throw may come wrapped)

    void step() {
        if (!x.defined()) throw Error("Engine::step called before set_images");
        if (!params.style_blend.empty() && params.style_blend.size() != styles_in.size())
            throw UsageError("--style-blend has " + std::to_string(params.style_blend.size()) + " weights for " +
                             std::to_string(styles_in.size()) + " style images");
        if (!params.layer_blend.empty()) check_layer_blend(params.layer_blend, params.style_layers, styles_in.size());
        if (spatial.has_regions()) {
            check_spatial(spatial.control(), styles_in.size());
            std::set<int> used;
            for (const auto& r : spatial.control().regions)
                if (r.style != kRegionNone) used.insert(r.style);
            if (!matches_features(params.style_loss)) style_term.prepare_singles(std::vector<int>(used.begin(), used.end()));
        }
        if (!spatial.control().empty()) spatial.fit(x.size(2), x.size(3), device);
        plan_tiling();
        if (lbfgs) {
            // L-BFGS reads scalars on the host every step, so it is never captured in a graph.
            loss_and_backward(lbfgs->image_with_grad());
            lbfgs->step();
            torch::NoGradGuard no_grad;
            x.copy_(lbfgs->image());
        } else {
            adam_step();
        }
        if (average) average->update(x);
        ++steps;
    }

    [[nodiscard]] bool draws_each_step() const {
        return matches_features(params.style_loss) || params.content_loss == ContentLoss::SelfSimilarity;
    }

    void adam_step() {
#if NST_TORCH_HAS_CUDA
        if (plan.tiled() && graph) invalidate_graph();
        // The feature-matching losses draw new directions and samples every step: a graph would
        // replay its first step's.
        if (options.cuda_graph && device.is_cuda() && !graph_failed && !plan.tiled() && !draws_each_step()) {
            if (!graph && eager_since_invalidate >= 2) capture_graph();
            if (graph) {
                adam->prepare_graphed(x);
                graph->replay();
                return;
            }
            ++eager_since_invalidate;
        }
#endif
        loss_and_backward(x);
        adam->step(x);
    }

#if NST_TORCH_HAS_CUDA
    void capture_graph() {
        torch::cuda::synchronize();
        x.mutable_grad() = torch::Tensor();
        adam->init_graphed(x);
        auto fresh = std::make_unique<at::cuda::CUDAGraph>();
        const auto stream = c10::cuda::getStreamFromPool();
        bool capturing = false;
        try {
            const c10::cuda::CUDAStreamGuard guard(stream);
            fresh->capture_begin();
            capturing = true;
            loss_and_backward(x);
            adam->step_graphed(x);
            capturing = false;
            fresh->capture_end();
            torch::cuda::synchronize();
            graph = std::move(fresh);
        } catch (const std::exception& e) {
            // Some builds or drivers refuse capture (W2's eigendecomposition synchronises); eager
            // steps are correct, only slower. A half-made capture must be ended, or every later
            // kernel launch would fail.
            if (capturing) {
                try {
                    const c10::cuda::CUDAStreamGuard guard(stream);
                    fresh->capture_end();
                } catch (const std::exception&) {
                }
            }
            graph_failed = true;
            x.mutable_grad() = torch::Tensor();
            std::string what = e.what();
            std::fprintf(stderr, "nst: CUDA graph capture failed, continuing without it: %s\n",
                         what.substr(0, what.find('\n')).c_str());
        }
    }
#endif

    // The loss at `image` and its gradient in the leaf it comes from (x for Adam, L-BFGS's own
    // variable): the loss units, composed (loss_step.cpp).
    void loss_and_backward(const torch::Tensor& image);
    // Gradient normalisation's pieces (loss_step.cpp): leaves holding the activations of `layers`,
    // and one term's gradients at them, normalised, added per layer.
    static Taps leaves_of(const Taps& feats, const std::vector<LayerWeight>& layers);
    void add_normalized(std::map<int, torch::Tensor>& grads, const Taps& leaves,
                        const std::vector<LayerWeight>& layers) const;
};

}  // namespace nst

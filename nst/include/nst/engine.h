#pragma once
// The stylization engine: Gatys et al. style transfer with a frozen VGG19 and Adam or L-BFGS on
// the image.
// This header does not include LibTorch; the implementation (engine.cpp) owns every torch object.
// An Engine is not thread-safe: exactly one thread (the CLI's main thread, or the viewer's
// optimizer thread) creates it and calls every method.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nst/image.h"
#include "nst/layers.h"
#include "nst/regions.h"

namespace nst {

enum class Pooling { Max, Avg };
// fp32: exact (the default; what the parity test checks). bf16: the network runs in bfloat16
// (oneDNN on CPUs with AVX-512 BF16, tensor cores on CUDA); losses, Gram matrices and Adam stay
// fp32. tf32: CUDA only, fp32 storage with TF32 tensor-core convolutions and matmuls.
enum class Precision { FP32, BF16, TF32 };
// The start image. Content: the content image (as the network sees it). Noise: uniform in [0,1].
// Gray: 0.5 plus uniform noise below 1/255, which breaks the symmetry (as crowsonkb's "gray").
// Any other image: Engine::retarget with it as the start.
enum class Init { Content, Noise, Gray };
// Adam (per-pixel steps, the default), or L-BFGS with one loss-and-gradient evaluation per step
// (jcjohnson/neural-style's default; see lbfgs.h for how it keeps pixels in [0,1]).
enum class Optimizer { Adam, LBFGS };

// Colour control (Gatys et al. 2017). Off: plain transfer. Post: the result's luminance with the
// content's chrominance (YIQ), applied only to what is shown and saved. Luminance: the network sees
// luminance only (the style's shifted to the content's mean and deviation), and the result takes
// the content's chrominance. Histogram: each style's colours are mapped so that their mean and
// covariance equal the content's before its targets are computed.
enum class ColorMode { Off, Post, Luminance, Histogram };
// The style term: a statistic of the activations, Gram matrices (Gatys et al.) or the squared
// 2-Wasserstein distance between Gaussians fitted to them (crowsonkb's style-transfer-pytorch), or
// a loss that matches the features themselves: sliced Wasserstein (Heitz et al. 2021), STROTSS's
// relaxed EMD (Kolkin et al. 2019) or neural neighbours (Kolkin et al. 2022). docs/LOSS.md.
enum class StyleLoss { Gram, W2, SW, REMD, NN };
[[nodiscard]] inline bool matches_features(StyleLoss loss) {
    return loss == StyleLoss::SW || loss == StyleLoss::REMD || loss == StyleLoss::NN;
}
// The content term: the mean squared difference of the activations (Gatys et al.), or STROTSS's
// self-similarity: L1 between the normalised cosine self-distance matrices of sampled positions.
enum class ContentLoss { MSE, SelfSimilarity };
// Coarse and fine from different paintings (Gatys et al. 2017, §5): one style layer's own blend of
// the style images (one weight per style, normalised to sum 1 when used), in place of
// Params::style_blend at that layer. "relu1_1=0/1" feeds relu1_1 from the second painting only.
struct LayerBlend {
    std::string layer;           // a relu name among the style layers
    std::vector<float> weights;  // one per style image
    bool operator==(const LayerBlend&) const = default;
};
inline constexpr int kDefaultSwDirections = 32, kMaxSwDirections = 4096;
inline constexpr int kDefaultSamples = 1024, kMaxSamples = 8192;

// Video (Ruder et al. 2016): the temporal term's default weight. The term is a mean of squared
// pixel differences in [0,1] units, so against the content and style terms at their defaults it
// needs a large weight: on the test clips' pans 1e3 cut the warping error to 0.38x of independent
// frames, 1e4 to 0.19x, 1e5 to 0.18x (docs/PERFORMANCE.md, "Video").
inline constexpr float kDefaultTemporalWeight = 1.0e4f;

// Everything that can change while a run goes on. Instant (takes effect at the next step, no
// forward pass): the loss weights, the learning rate, the style blend, colours off <-> post.
// Re-targets in set_params (forward passes of the inputs, x and Adam's state kept): a layer with no
// target yet, the style scale, colours to or from luminance/histogram; the style statistic needs
// only a matrix square root per layer. A new optimiser or optimiser history restarts the
// optimiser's state (the image is kept); a new averaging decay restarts the average from the
// current iterate.
struct Params {
    float content_weight = 1.0f;   // alpha
    float style_weight = 1.0e6f;   // beta (see kRandomFeaturesStyleWeight)
    float tv_weight = 1.0f;        // gamma
    float lr = 0.02f;              // eta: Adam's step size, or L-BFGS's step length (default_lr)
    std::vector<LayerWeight> content_layers;  // defaults from kDefaultContentLayers
    std::vector<LayerWeight> style_layers;    // defaults from kDefaultStyleLayers
    // One weight per style image (normalised to sum 1 when used); empty = equal weights.
    std::vector<float> style_blend;
    ColorMode colors = ColorMode::Off;
    // Each style image is resized so that its long side is style_scale x the content's long side.
    float style_scale = 1.0f;
    StyleLoss style_loss = StyleLoss::Gram;
    ContentLoss content_loss = ContentLoss::MSE;
    int sw_directions = kDefaultSwDirections;  // sw: random projections per layer and step
    // remd: pixel positions sampled per step; self-similarity: positions per layer; nn: style
    // candidates per layer (all when the style has no more).
    int samples = kDefaultSamples;
    Optimizer optimizer = Optimizer::Adam;
    int lbfgs_history = 100;  // curvature pairs L-BFGS keeps (neural-style's -lbfgs_num_correction)
    // Decay of the moving average of the iterates that is shown and saved; 0 = off (the iterate).
    float average = 0.0f;
    // Video: the weight of the temporal term (set_temporal; no targets, no term).
    float temporal_weight = kDefaultTemporalWeight;
    // Per-layer blends of the styles (empty: style_blend at every layer). Not with remd, whose
    // hypercolumns join the layers.
    std::vector<LayerBlend> layer_blend;
    // Seamless (a texture that tiles): the optimised image is a torus to the loss: circular
    // padding in every convolution of VGG19 and a wrap-around TV term. Style targets keep zero
    // padding (the paintings do not tile); the content target is computed as the image is. Both
    // sides must be multiples of seamless_grid().
    bool seamless = false;
    // Gradient normalisation (neural-style's -normalize_gradients as a strength 0-1): each content
    // and style layer's gradient is rescaled in the backward towards an L1 norm proportional to
    // its layer weight, keeping each term's total (docs/LOSS.md). 0 = off.
    float normalize_gradients = 0.0f;
    // Colours only: the result is the content recoloured with the styles' palette (its colour mean
    // and covariance mapped to the blend's); no optimisation (Engine::result shows it; programs
    // do not step).
    bool colors_only = false;

    static Params defaults();
};

inline constexpr float kMinStyleScale = 0.1f, kMaxStyleScale = 4.0f;

// The learning rate programs use when the user did not set one: Adam's step is in image units
// (0.02 of the [0,1] range per step), L-BFGS's a multiple of its quasi-Newton step (1, as torch).
[[nodiscard]] inline float default_lr(Optimizer optimizer) { return optimizer == Optimizer::LBFGS ? 1.0f : 0.02f; }

// The blend weights normalised to sum 1 for `count` styles (empty = equal). Throws
// nst::UsageError naming --style-blend for a wrong count, a negative or non-finite weight, or all
// zero.
std::vector<float> normalized_blend(const std::vector<float>& blend, std::size_t count);
// Parses "3,1" (comma-separated numbers); throws nst::UsageError naming `flag` and the bad part.
std::vector<float> parse_blend(std::string_view spec, std::string_view flag = "--style-blend");
// Throws nst::UsageError unless kMinStyleScale <= scale <= kMaxStyleScale.
void check_style_scale(float scale);

// "off|post|luminance|histogram" and "gram|w2|sw|remd|nn"; the parsers throw nst::UsageError naming the value.
ColorMode parse_color_mode(const std::string& name);
const char* color_mode_name(ColorMode mode);
StyleLoss parse_style_loss(const std::string& name);
const char* style_loss_name(StyleLoss loss);
// "mse|self-similarity"
ContentLoss parse_content_loss(const std::string& name);
const char* content_loss_name(ContentLoss loss);
// Throw nst::UsageError naming the flag unless 1 <= value <= its maximum.
void check_sw_directions(int directions);
void check_samples(int samples);
// --layer-blend "relu1_1=0/1,relu4_1=1/0": LAYER=W1/W2/... comma-separated, each layer once, each
// weight finite and >= 0, not all 0 in a layer. Throws nst::UsageError naming the flag and the bad
// part. The count against the styles and the layers against the style layers: check_layer_blend.
std::vector<LayerBlend> parse_layer_blend(std::string_view spec);
std::string format_layer_blend(const std::vector<LayerBlend>& blends);
// Throws nst::UsageError naming --layer-blend unless each entry names one of `style_layers` and has
// `styles` weights.
void check_layer_blend(const std::vector<LayerBlend>& blends, const std::vector<LayerWeight>& style_layers,
                       std::size_t styles);
// Each style layer's normalised blend: the layer's own or `blend` (normalised, for `styles`).
[[nodiscard]] std::vector<float> layer_blend_for(const std::vector<LayerBlend>& blends, std::string_view layer,
                                                 const std::vector<float>& blend, std::size_t styles);
// Throws nst::UsageError naming --normalize-gradients unless 0 <= strength <= 1.
void check_normalize_gradients(float strength);
// --seamless: both sides of the image must be multiples of this (2 to the poolings before the
// deepest layer `p` uses), so that every pooling sees the torus whole.
[[nodiscard]] int seamless_grid(const Params& p);
// The nearest size with both sides multiples of seamless_grid(p) (at least one grid each).
[[nodiscard]] std::pair<int, int> seamless_size(int width, int height, const Params& p);
// "adam|lbfgs", "content|noise|gray"; the parsers throw nst::UsageError naming the flag and value.
Optimizer parse_optimizer(const std::string& name);
const char* optimizer_name(Optimizer optimizer);
Init parse_init(const std::string& name);
const char* init_name(Init init);
// Throw nst::UsageError naming the flag unless 0 <= decay < 1, and 1 <= history <= 10000.
void check_average(float decay);
void check_lbfgs_history(int history);

// Untrained (Kaiming-initialised) features give Gram matrices about 100x smaller than ImageNet
// VGG19's, so with beta = 1e6 the style term would vanish next to content and TV. Programs use
// this beta instead when they run on random features and the user did not set one.
inline constexpr float kRandomFeaturesStyleWeight = 1.0e8f;

// The W2 statistic's loss is about 2e5 times the Gram loss on the same images with untrained
// features (0.0163 vs 7.7e-8 at 256 px on the bundled samples). Activations of ImageNet VGG19 are
// about 10x larger, which scales Gram losses by ~1e4 and W2 losses by ~1e2, so one W2 weight keeps
// the balance of both defaults: 1e8 / 2e5 = 1e6 * 1e2 / 2e5 = 500. (Estimated; no pretrained
// weights are reachable where this was written.)
inline constexpr float kW2StyleWeight = 500.0f;

// The feature-matching losses' betas, set as W2's was: beta x the style loss at the start (x =
// the content) equal to Gram's at its default, on the bundled samples at 256 px with untrained
// features (Gram 14.2, W2 12.4, sw 13.5, remd 17.2, nn 13.0; docs/LOSS.md). remd and nn compare
// cosines, which do not scale with the features, so they keep theirs with VGG19; sw's loss grows
// with the features' square, so VGG19's is Gram's ratio (1e8 -> 1e6) under a square root: 1/10.
inline constexpr float kSwStyleWeight = 1000.0f, kRemdStyleWeight = 100.0f, kNnStyleWeight = 100.0f;

// The style weight programs use when the user did not set one.
[[nodiscard]] inline float default_style_weight(StyleLoss loss, bool random_features) {
    switch (loss) {
        case StyleLoss::W2: return kW2StyleWeight;
        case StyleLoss::SW: return random_features ? kSwStyleWeight : kSwStyleWeight / 10;
        case StyleLoss::REMD: return kRemdStyleWeight;
        case StyleLoss::NN: return kNnStyleWeight;
        default: return random_features ? kRandomFeaturesStyleWeight : 1.0e6f;
    }
}

// Self-similarity's values are ~1/17 of the squared difference's at the same image (the bundled
// samples, 256 px, x = the style image: 3.5e-4 against 5.9e-3): its alpha when not given.
inline constexpr float kSelfSimilarityContentWeight = 16.0f;
[[nodiscard]] inline float default_content_weight(ContentLoss loss) {
    return loss == ContentLoss::SelfSimilarity ? kSelfSimilarityContentWeight : 1.0f;
}

// Where the network weights come from.
struct Features {
    std::string weights_path;  // a .safetensors file; empty = random features
    std::uint64_t random_seed = 0;

    [[nodiscard]] bool random() const { return weights_path.empty(); }
};

// Parses the --features value "random" or "random:SEED" (used by nst and nst-viewer); throws
// nst::UsageError naming the value otherwise.
Features parse_random_features(const std::string& spec);

// Settings fixed for the life of an Engine (changing them means building a new one).
struct EngineOptions {
    Features features;
    Pooling pooling = Pooling::Max;
    std::string device = "auto";  // auto | cpu | cuda | cuda:N
    int threads = 0;              // intra-op threads; 0 = LibTorch's default
    std::uint64_t seed = 0;       // for --init noise
    Precision precision = Precision::FP32;
    // CUDA only: capture each step in a CUDA graph after two eager steps and replay it (the loss
    // weights are baked in, so a change re-captures). Off by default.
    bool cuda_graph = false;
    // Tiled steps (tiling.h, docs/TILING.md): interiors of `tile` px (> 0; rounded to the pooling
    // grid, see round_tile), or 0 to decide by `max_memory`. An image that fits in one interior
    // runs untiled. A tiled step is the untiled step to float rounding, in bounded memory.
    int tile = 0;
    // With tile 0: when an untiled step's estimated peak (estimate_step_bytes) exceeds this many
    // bytes, the largest tile that fits is used; 0 = never tile by itself. set_images/retarget
    // throw nst::UsageError naming --max-memory and the smallest budget that works when not even
    // the smallest tile fits.
    std::uint64_t max_memory = 0;
    // Called on the engine's thread after each tile of a tiled step with (pass 1|2, tiles done in
    // this pass, tiles per pass): progress within a long step. Throwing from it abandons the step
    // (x unchanged): how a caller cancels.
    std::function<void(int pass, int done, int total)> on_tile;
    // Asked on the engine's thread during an untiled step, after each ReLU of its forward pass and
    // as the gradient passes each ReLU on its way back: true stops the step there, and step()
    // throws nst::StepInterrupted with nothing changed (the image, the optimiser's state, the
    // average, the step count). How a caller with new targets waiting stops a step it no longer
    // wants (the viewer's timeline) instead of waiting for its end. Empty: never.
    std::function<bool()> interrupt;
};

struct TilePlan;  // tiling.h

struct Losses {
    double content = 0, style = 0, tv = 0, total = 0;
    double temporal = 0;  // video: the temporal term (unweighted); 0 without targets
};

// Video: one earlier stylized frame warped into the current one (its temporal target) and the
// weight of each of its pixels in [0,1] (width x height, row-major): the pixels the optical flow
// can vouch for (nst/video/flow.h).
struct TemporalTarget {
    Image image;
    std::vector<float> weight;
};

class Engine {
public:
    // Builds VGG19 up to the deepest layer that `params` uses (content or style), loads weights
    // (or makes deterministic Kaiming-initialised random ones) and selects the device.
    // Throws nst::Error for unusable weights or an unavailable device.
    Engine(const EngineOptions& options, const Params& params);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Computes the content and style targets once and resets x to the initial image (the content
    // image as the network sees it, or uniform noise of its size). Resets Adam's state. The content
    // image is used at its size; each style image is resized by the engine (Params::style_scale).
    void set_images(const Image& content, const std::vector<Image>& styles, Init init = Init::Content);
    void set_images(const Image& content, const Image& style, Init init = Init::Content) {
        set_images(content, std::vector<Image>{style}, init);
    }

    // Re-targets for new images but keeps optimising from `start` (resampled to the content size
    // if it differs; its luminance under ColorMode::Luminance): coarse-to-fine levels, and
    // --init-image. The optimiser's state and the average restart.
    void retarget(const Image& content, const std::vector<Image>& styles, const Image& start);
    void retarget(const Image& content, const Image& style, const Image& start) {
        retarget(content, std::vector<Image>{style}, start);
    }

    // Texture synthesis (Gatys et al. 2015): no content, an image of width x height from the
    // styles alone (no content term; Init::Noise or Init::Gray; Init::Content is refused, as are
    // colour modes and colours-only, which need a content). retarget_texture keeps optimising from
    // `start` (coarse-to-fine levels). set_images/retarget with a content leave texture mode.
    void set_texture(int width, int height, const std::vector<Image>& styles, Init init = Init::Noise);
    void retarget_texture(int width, int height, const std::vector<Image>& styles, const Image& start);
    [[nodiscard]] bool texture() const;

    // Video: the next frame. The content target is recomputed (one forward pass of `content`); the
    // style targets are kept unless they depend on the content (colours luminance or histogram, or
    // a content of another size, which re-target everything as retarget does). x restarts from
    // `start` (resampled to the content's size) with a fresh optimiser; the temporal targets are
    // cleared; regions and the content map are kept.
    void set_content(const Image& content, const Image& start);

    // Video: the temporal term's targets for the current frame (each of the content's size; an
    // empty list switches the term off). Takes effect at the next step, no forward pass. Throws
    // nst::UsageError for a target or weight map whose size differs from the content's, or a
    // weight outside [0,1]; the previous targets stay then. Cleared by set_images, retarget and
    // set_content.
    void set_temporal(const std::vector<TemporalTarget>& targets);

    // Changes weights and learning rate; takes effect at the next step. Adam's moments are kept;
    // only the learning rate of its parameter group changes. A layer that had no target yet gets
    // one here (a forward pass of the content and style images; the network is rebuilt deeper
    // if needed); x and Adam's state are kept in every case. A weight of 0 switches a layer off
    // at no cost.
    void set_params(const Params& params);
    // True if set_params(params) would have to compute new targets (slow) rather than be instant.
    [[nodiscard]] bool needs_rebuild(const Params& params) const;

    // Regions (each a mask with its own style and weight) and the content-strength map: takes
    // effect at the next step with no forward pass of any input (the masks are pooled to each
    // layer's size here, on the engine's thread). Kept across set_images/retarget (masks are
    // resampled to each new content size). Throws nst::UsageError for more than kMaxRegions
    // regions, a weight < 0 or non-finite, a style index that is neither kRegionNone nor one of the
    // current styles, or a mask whose aspect differs from the content's by more than 1%; the
    // previous control stays then. step() refuses a region whose style no longer exists.
    void set_spatial(const SpatialControl& spatial);
    [[nodiscard]] const SpatialControl& spatial() const;

    // Restarts from a start image with the current inputs and targets (no forward pass of them):
    // an Init, or an image (resampled to the content size). Steps count from 0 again; the
    // optimiser's state and the average restart.
    void restart(Init init);
    void restart(const Image& start);

    // One optimisation step: loss at the current x, backward, the optimiser's update, clamp to [0,1].
    void step();

    // Losses of the image *before* the last step's update (reading them syncs with the device).
    [[nodiscard]] Losses last_losses() const;
    [[nodiscard]] int steps_done() const;
    // Forward passes of input images (content or style) made to compute targets since the Engine
    // was built: what shows that a blend or colour change cost none.
    [[nodiscard]] long target_passes() const;

    // The image being optimised (the iterate), copied to the host: what a later run continues from.
    [[nodiscard]] Image image() const;
    // The result as shown and saved: the moving average of the iterates when Params::average > 0
    // (the iterate itself when `averaged` is false or averaging is off), with the content's
    // chrominance under ColorMode::Post and ColorMode::Luminance.
    // With Params::colors_only on: the content recoloured with the styles' palette (nst/color.h's
    // colors_only, the blend mixing their moments).
    [[nodiscard]] Image result(bool averaged = true) const;
    // The result as 8-bit RGBA (for publication to a texture).
    void image_rgba8(std::vector<std::uint8_t>& out, int& width, int& height, bool averaged = true) const;
    // L-BFGS steps that found no descent direction and restarted from the gradient.
    [[nodiscard]] long optimizer_restarts() const;

    [[nodiscard]] std::string device_name() const;
    [[nodiscard]] bool random_features() const;
    // How steps at the current content size are cut (tiling.h; untiled: tile 0, one tile).
    [[nodiscard]] TilePlan tiling() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One line that must be shown wherever a result of random features is shown.
inline constexpr const char* kRandomFeaturesWarning =
    "untrained (random) features: no pretrained VGG19 weights were loaded, so this is NOT a real "
    "VGG19 style transfer result";

// Version information for --version.
std::string libtorch_version();
bool cuda_compiled();
bool cuda_available();

// "fp32" | "bf16" | "tf32" -> Precision; throws nst::UsageError otherwise.
Precision parse_precision(const std::string& name);
const char* precision_name(Precision p);

// Returns the device string the engine would use for `device` ("auto" resolves to cuda or cpu),
// or throws nst::Error if it is not usable here ("cuda" without a GPU, malformed, bad index).
std::string resolve_device(const std::string& device);

}  // namespace nst

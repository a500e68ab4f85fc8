#pragma once
// The stylization engine: Gatys et al. style transfer with a frozen VGG19 and Adam on the image.
// This header does not include LibTorch; the implementation (engine.cpp) owns every torch object.
// An Engine is not thread-safe: exactly one thread (the CLI's main thread, or the viewer's
// optimizer thread) creates it and calls every method.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nst/image.h"
#include "nst/layers.h"

namespace nst {

enum class Pooling { Max, Avg };
// fp32: exact (the default; what the parity test checks). bf16: the network runs in bfloat16
// (oneDNN on CPUs with AVX-512 BF16, tensor cores on CUDA); losses, Gram matrices and Adam stay
// fp32. tf32: CUDA only, fp32 storage with TF32 tensor-core convolutions and matmuls.
enum class Precision { FP32, BF16, TF32 };
enum class Init { Content, Noise };

// Values that can change between any two steps, with no re-targeting: the loss weights per layer
// (of the layers already targeted), the three global weights and Adam's learning rate.
struct Params {
    float content_weight = 1.0f;   // alpha
    float style_weight = 1.0e6f;   // beta (see kRandomFeaturesStyleWeight)
    float tv_weight = 1.0f;        // gamma
    float lr = 0.02f;              // eta
    std::vector<LayerWeight> content_layers;  // defaults from kDefaultContentLayers
    std::vector<LayerWeight> style_layers;    // defaults from kDefaultStyleLayers

    static Params defaults();
};

// Untrained (Kaiming-initialised) features give Gram matrices about 100x smaller than ImageNet
// VGG19's, so with beta = 1e6 the style term would vanish next to content and TV. Programs use
// this beta instead when they run on random features and the user did not set one.
inline constexpr float kRandomFeaturesStyleWeight = 1.0e8f;

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
};

struct Losses {
    double content = 0, style = 0, tv = 0, total = 0;
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

    // Computes the content and style targets once and resets x to the initial image
    // (the content image, or uniform noise of its size). Resets Adam's state.
    void set_images(const Image& content, const Image& style, Init init = Init::Content);

    // Re-targets for new images but keeps optimising from `start` (resampled to the content size
    // if it differs). Adam's state is reset.
    void retarget(const Image& content, const Image& style, const Image& start);

    // Changes weights and learning rate; takes effect at the next step. Adam's moments are kept;
    // only the learning rate of its parameter group changes. A layer that had no target yet gets
    // one here (a forward pass of the content and style images; the network is rebuilt deeper
    // if needed); x and Adam's state are kept in every case. A weight of 0 switches a layer off
    // at no cost.
    void set_params(const Params& params);
    // True if set_params(params) would have to compute new targets (slow) rather than be instant.
    [[nodiscard]] bool needs_rebuild(const Params& params) const;

    // One optimisation step: loss at the current x, backward, Adam update, clamp to [0,1].
    void step();

    // Losses of the image *before* the last step's update (reading them syncs with the device).
    [[nodiscard]] Losses last_losses() const;
    [[nodiscard]] int steps_done() const;

    // The current image, copied to the host.
    [[nodiscard]] Image image() const;
    // Current image as 8-bit RGBA (for publication to a texture).
    void image_rgba8(std::vector<std::uint8_t>& out, int& width, int& height) const;

    [[nodiscard]] std::string device_name() const;
    [[nodiscard]] bool random_features() const;

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

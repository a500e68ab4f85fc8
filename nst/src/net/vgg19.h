#pragma once
// VGG19 "features" (torchvision layout) as a LibTorch module, truncated at the deepest layer in
// use, frozen, and returning the activations of the requested layers. Internal to the engine.
#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "nst/engine.h"

namespace nst {

class VGG19FeaturesImpl : public torch::nn::Module {
public:
    // Builds features.0 .. features.last_index. Weights are random until loaded.
    VGG19FeaturesImpl(int last_index, Pooling pooling);

    // Deterministic Kaiming-normal (fan_out, ReLU) weights and zero biases: the offline mode.
    void init_random(std::uint64_t seed);
    // Loads features.N.weight / features.N.bias from a safetensors file (other keys ignored).
    void load_safetensors(const std::filesystem::path& path);

    // x: normalised [N,3,H,W]. Returns the activation after each index in `taps` (ascending,
    // each <= last_index), in the order of `taps`.
    // `after_relu` (optional) sees each ReLU's output as it is made: where a step can be
    // interrupted, forward and (through a hook on it) backward (EngineOptions::interrupt).
    // `circular`: every convolution pads by wrapping around (the image is a torus: --seamless);
    // both sides must then be multiples of 2 per pooling passed, so that each pooling sees the
    // torus whole (the caller checks).
    std::vector<torch::Tensor> forward(torch::Tensor x, const std::vector<int>& taps,
                                       const std::function<void(const torch::Tensor&)>& after_relu = {},
                                       bool circular = false);

    // Stores the convolution weights in channels-last (NHWC) layout, matching the activations.
    void to_channels_last();

    [[nodiscard]] int last_index() const { return last_index_; }

private:
    int last_index_;
    Pooling pooling_;
    // One entry per features index: a conv module, or empty for ReLU / pooling.
    std::vector<torch::nn::Conv2d> convs_;
};
TORCH_MODULE(VGG19Features);

}  // namespace nst

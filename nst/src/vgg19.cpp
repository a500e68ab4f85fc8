#include "vgg19.h"

#include <string>

#include "nst/error.h"
#include "nst/layers.h"
#include "nst/safetensors.h"

namespace nst {

VGG19FeaturesImpl::VGG19FeaturesImpl(int last_index, Pooling pooling)
    : last_index_(last_index), pooling_(pooling) {
    const auto& table = vgg19_layers();
    // Convs live in a child named "features" under their index, so state_dict keys read
    // "features.N.weight" as in torchvision (a module name may not contain a dot itself).
    auto features = register_module("features", std::make_shared<torch::nn::Module>());
    convs_.resize(static_cast<std::size_t>(last_index) + 1, nullptr);
    for (int i = 0; i <= last_index; ++i) {
        const VggLayer& layer = table[static_cast<std::size_t>(i)];
        if (layer.kind != LayerKind::Conv) continue;
        auto conv = torch::nn::Conv2d(
            torch::nn::Conv2dOptions(layer.in_channels, layer.out_channels, 3).padding(1));
        convs_[static_cast<std::size_t>(i)] = features->register_module(std::to_string(i), conv);
    }
    // Frozen: the network is a fixed feature extractor; only the image is optimised.
    for (auto& p : parameters()) p.requires_grad_(false);
    eval();
}

void VGG19FeaturesImpl::init_random(std::uint64_t seed) {
    torch::NoGradGuard no_grad;
    // A private generator keeps the weights independent of any other use of the global RNG.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (const auto& conv : convs_) {
        if (!conv) continue;
        auto& w = conv->weight;
        const auto fan_out = w.size(0) * w.size(2) * w.size(3);
        const double std = std::sqrt(2.0 / static_cast<double>(fan_out));
        auto values = at::normal(0.0, std, w.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32));
        w.copy_(values);
        conv->bias.zero_();
    }
}

namespace {
std::string shape_str(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t k = 0; k < s.size(); ++k) out += (k ? "," : "") + std::to_string(s[k]);
    return out + "]";
}
}  // namespace

void VGG19FeaturesImpl::load_safetensors(const std::filesystem::path& path) {
    const auto header = safetensors::read_header(path);
    const std::string file = path.string();
    // Check every convolution of VGG19 (not only the ones built), so that a wrong file is refused
    // at once rather than later when a deeper layer is switched on.
    for (const VggLayer& layer : vgg19_layers()) {
        if (layer.kind != LayerKind::Conv) continue;
        const std::string prefix = "features." + std::to_string(layer.index) + ".";
        const std::vector<std::int64_t> weight_shape{layer.out_channels, layer.in_channels, 3, 3};
        const std::vector<std::int64_t> bias_shape{layer.out_channels};
        for (const auto& [key, want] : {std::pair{prefix + "weight", weight_shape}, std::pair{prefix + "bias", bias_shape}}) {
            const auto* info = header.find(key);
            if (!info) throw Error(file + ": missing tensor '" + key + "' (" + layer.name + "); not a VGG19 features file?");
            if (info->shape != want)
                throw Error(file + ": tensor '" + key + "' has shape " + shape_str(info->shape) + ", VGG19's " +
                            layer.name + " needs " + shape_str(want));
        }
    }
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < convs_.size(); ++i) {
        const auto& conv = convs_[i];
        if (!conv) continue;
        for (auto [suffix, target] : {std::pair{"weight", conv->weight}, std::pair{"bias", conv->bias}}) {
            const std::string key = "features." + std::to_string(i) + "." + suffix;
            auto values = safetensors::read_as_f32(path, header, *header.find(key));
            target.copy_(torch::from_blob(values.data(), target.sizes(), torch::kFloat32));
        }
    }
}

std::vector<torch::Tensor> VGG19FeaturesImpl::forward(torch::Tensor x, const std::vector<int>& taps) {
    std::vector<torch::Tensor> out;
    out.reserve(taps.size());
    std::size_t next_tap = 0;
    const auto& table = vgg19_layers();
    for (int i = 0; i <= last_index_ && next_tap < taps.size(); ++i) {
        switch (table[static_cast<std::size_t>(i)].kind) {
            case LayerKind::Conv: x = convs_[static_cast<std::size_t>(i)]->forward(x); break;
            case LayerKind::ReLU: x = torch::relu(x); break;
            case LayerKind::Pool:
                x = pooling_ == Pooling::Max ? torch::max_pool2d(x, 2, 2) : torch::avg_pool2d(x, 2, 2);
                break;
        }
        while (next_tap < taps.size() && taps[next_tap] == i) {
            out.push_back(x);
            ++next_tap;
        }
    }
    return out;
}

}  // namespace nst

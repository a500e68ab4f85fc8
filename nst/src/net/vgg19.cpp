#include "net/vgg19.h"

#include <string>

#include "nst/error.h"
#include "nst/layers.h"
#include "weights/safetensors.h"
#include "weights/vgg19_check.h"

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

void VGG19FeaturesImpl::load_safetensors(const std::filesystem::path& path) {
    const auto header = safetensors::read_header(path);
    check_vgg19_features(header, path.string());
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

void VGG19FeaturesImpl::to_channels_last() {
    torch::NoGradGuard no_grad;
    for (const auto& conv : convs_)
        if (conv) conv->weight.set_data(conv->weight.contiguous(torch::MemoryFormat::ChannelsLast));
}

std::vector<torch::Tensor> VGG19FeaturesImpl::forward(torch::Tensor x, const std::vector<int>& taps,
                                                      const std::function<void(const torch::Tensor&)>& after_relu,
                                                      bool circular) {
    std::vector<torch::Tensor> out;
    out.reserve(taps.size());
    std::size_t next_tap = 0;
    const auto& table = vgg19_layers();
    for (int i = 0; i <= last_index_ && next_tap < taps.size(); ++i) {
        switch (table[static_cast<std::size_t>(i)].kind) {
            case LayerKind::Conv: {
                auto& conv = convs_[static_cast<std::size_t>(i)];
                if (!circular) {
                    x = conv->forward(x);
                    break;
                }
                // The same convolution with the one-pixel border taken from the opposite side.
                // The one-pixel border from the opposite sides by two concatenations, in the
                // input's memory format: F::pad's circular mode cost 1.47x a zero-padded step at
                // 256 px (its copy and backward), and a channels-last input padded to NCHW sent the
                // convolution down a slow path.
                namespace F = torch::nn::functional;
                using torch::indexing::Slice;
                const auto format = x.is_contiguous(torch::MemoryFormat::ChannelsLast) && x.size(1) > 1
                                        ? torch::MemoryFormat::ChannelsLast
                                        : torch::MemoryFormat::Contiguous;
                auto rows = torch::cat({x.index({Slice(), Slice(), Slice(-1)}), x, x.index({Slice(), Slice(), Slice(0, 1)})}, 2);
                const auto padded = torch::cat({rows.index({Slice(), Slice(), Slice(), Slice(-1)}), rows,
                                                rows.index({Slice(), Slice(), Slice(), Slice(0, 1)})},
                                               3)
                                        .contiguous(format);
                x = F::conv2d(padded, conv->weight, F::Conv2dFuncOptions().bias(conv->bias));
                break;
            }
            // In place: a convolution's backward needs its input and weight, not its output, so
            // the ReLU may overwrite it; this saves one activation-sized buffer per layer.
            case LayerKind::ReLU:
                x = torch::relu_(x);
                if (after_relu) after_relu(x);  // not modified in place after this: hooks are safe
                break;
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

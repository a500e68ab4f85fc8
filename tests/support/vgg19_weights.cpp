#include "support/vgg19_weights.h"

#include <cmath>
#include <cstring>
#include <random>

#include "nst/layers.h"

namespace nst::test {

std::vector<safetensors::OutTensor> vgg19_tensors(std::uint32_t seed, safetensors::DType dtype) {
    std::mt19937 rng(seed);
    std::vector<safetensors::OutTensor> out;
    auto add = [&](std::string name, std::vector<std::int64_t> shape, float stddev) {
        std::int64_t n = 1;
        for (auto d : shape) n *= d;
        std::normal_distribution<float> dist(0.f, stddev);
        std::vector<float> values(static_cast<std::size_t>(n));
        for (auto& v : values) v = dist(rng);
        auto t = safetensors::f32_tensor(std::move(name), std::move(shape), values);
        if (dtype == safetensors::DType::BF16 || dtype == safetensors::DType::F16) {
            // Truncating conversions are fine for test data; the loader's conversion is what is tested.
            std::vector<std::uint8_t> bytes(values.size() * 2);
            for (std::size_t i = 0; i < values.size(); ++i) {
                std::uint32_t bits;
                std::memcpy(&bits, &values[i], 4);
                std::uint16_t half;
                if (dtype == safetensors::DType::BF16) {
                    half = static_cast<std::uint16_t>(bits >> 16);
                } else {
                    const std::uint32_t sign = (bits >> 16) & 0x8000u;
                    const int exp = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
                    const std::uint32_t mant = (bits >> 13) & 0x3ffu;
                    half = static_cast<std::uint16_t>(exp <= 0 ? sign : exp >= 31 ? sign | 0x7c00u
                                                                              : sign | (exp << 10) | mant);
                }
                std::memcpy(&bytes[i * 2], &half, 2);
            }
            t.dtype = dtype;
            t.bytes = std::move(bytes);
        }
        out.push_back(std::move(t));
    };
    for (const VggLayer& layer : vgg19_layers()) {
        if (layer.kind != LayerKind::Conv) continue;
        const std::string prefix = "features." + std::to_string(layer.index) + ".";
        add(prefix + "weight", {layer.out_channels, layer.in_channels, 3, 3},
            std::sqrt(2.f / static_cast<float>(layer.out_channels * 9)));
        add(prefix + "bias", {layer.out_channels}, 0.01f);
    }
    add("classifier.6.bias", {10}, 1.f);
    return out;
}

std::vector<safetensors::OutTensor> vgg19_full_layout_tensors(std::uint32_t seed) {
    auto features = vgg19_tensors(seed);
    std::erase_if(features, [](const auto& t) { return !t.name.starts_with("features."); });
    // Values of the stand-ins do not matter (nothing reads them); a ramp is cheap and not zero.
    auto stand_in = [](std::string name, std::vector<std::int64_t> shape) {
        std::int64_t n = 1;
        for (auto d : shape) n *= d;
        std::vector<float> values(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 1000) * 1e-3f;
        return safetensors::f32_tensor(std::move(name), std::move(shape), values);
    };
    std::vector<safetensors::OutTensor> out;
    for (auto& t : features) {
        if (t.name == "features.19.weight") out.push_back(stand_in("pre_logits.fc1.weight", {64, 512, 7, 7}));
        out.push_back(std::move(t));
    }
    out.push_back(stand_in("head.fc.weight", {1000, 8192}));
    out.push_back(stand_in("head.fc.bias", {1000}));
    return out;
}

void write_vgg19(const std::filesystem::path& path, std::uint32_t seed,
                 const std::function<void(std::vector<safetensors::OutTensor>&)>& edit) {
    auto tensors = vgg19_tensors(seed);
    if (edit) edit(tensors);
    safetensors::write(path, tensors);
}

}  // namespace nst::test

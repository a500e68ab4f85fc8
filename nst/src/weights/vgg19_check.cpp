#include "weights/vgg19_check.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "nst/error.h"
#include "nst/layers.h"

namespace nst {
namespace {

std::string shape_str(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t k = 0; k < s.size(); ++k) {
        if (k) out += ',';
        out += std::to_string(s[k]);
    }
    return out + "]";
}

bool is_float(safetensors::DType d) {
    return d == safetensors::DType::F32 || d == safetensors::DType::F16 || d == safetensors::DType::BF16;
}

// Every tensor of VGG19's convolutions, in file order: one table for the check and the name test.
struct Expected {
    std::string key;  // features.N.weight / features.N.bias
    const VggLayer* layer;
    std::vector<std::int64_t> shape;
};

const std::vector<Expected>& expected_tensors() {
    static const std::vector<Expected> kTensors = [] {
        std::vector<Expected> out;
        for (const VggLayer& layer : vgg19_layers()) {
            if (layer.kind != LayerKind::Conv) continue;
            // Built with append: GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
            std::string prefix = "features.";
            prefix.append(std::to_string(layer.index)).append(".");
            out.push_back({prefix + "weight", &layer, {layer.out_channels, layer.in_channels, 3, 3}});
            out.push_back({prefix + "bias", &layer, {layer.out_channels}});
        }
        return out;
    }();
    return kTensors;
}

}  // namespace

void check_vgg19_features(const safetensors::Header& header, const std::string& what) {
    // Every convolution of VGG19, not only the ones a run builds, so that a wrong file is refused
    // at once rather than later when a deeper layer is switched on.
    for (const auto& [key, layer, want] : expected_tensors()) {
        const auto* info = header.find(key);
        if (!info) throw Error(what + ": missing tensor '" + key + "' (" + layer->name + "); not a VGG19 features file?");
        if (info->shape != want)
            throw Error(what + ": tensor '" + key + "' has shape " + shape_str(info->shape) + ", VGG19's " +
                        layer->name + " needs " + shape_str(want));
        if (!is_float(info->dtype))
            throw Error(what + ": tensor '" + key + "' has dtype " + std::string(safetensors::dtype_name(info->dtype)) +
                        "; VGG19 weights must be F32, F16 or BF16");
    }
}

bool is_vgg19_features_tensor(const std::string& name) {
    // Exactly the names check_vgg19_features validates, so whatever the downloader keeps has a
    // checked shape: another features.* entry could declare any size.
    const auto& all = expected_tensors();
    return std::any_of(all.begin(), all.end(), [&](const Expected& e) { return e.key == name; });
}

}  // namespace nst

#include "vgg19_check.h"

#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "nst/error.h"
#include "nst/layers.h"

namespace nst {
namespace {

std::string shape_str(const std::vector<std::int64_t>& s) {
    std::string out = "[";
    for (std::size_t k = 0; k < s.size(); ++k) out += (k ? "," : "") + std::to_string(s[k]);
    return out + "]";
}

bool is_float(safetensors::DType d) {
    return d == safetensors::DType::F32 || d == safetensors::DType::F16 || d == safetensors::DType::BF16;
}

}  // namespace

void check_vgg19_features(const safetensors::Header& header, const std::string& what) {
    // Every convolution of VGG19, not only the ones a run builds, so that a wrong file is refused
    // at once rather than later when a deeper layer is switched on.
    for (const VggLayer& layer : vgg19_layers()) {
        if (layer.kind != LayerKind::Conv) continue;
        const std::string prefix = "features." + std::to_string(layer.index) + ".";
        const std::vector<std::int64_t> weight_shape{layer.out_channels, layer.in_channels, 3, 3};
        const std::vector<std::int64_t> bias_shape{layer.out_channels};
        for (const auto& [key, want] : {std::pair{prefix + "weight", weight_shape}, std::pair{prefix + "bias", bias_shape}}) {
            const auto* info = header.find(key);
            if (!info) throw Error(what + ": missing tensor '" + key + "' (" + layer.name + "); not a VGG19 features file?");
            if (info->shape != want)
                throw Error(what + ": tensor '" + key + "' has shape " + shape_str(info->shape) + ", VGG19's " +
                            layer.name + " needs " + shape_str(want));
            if (!is_float(info->dtype))
                throw Error(what + ": tensor '" + key + "' has dtype " + std::string(safetensors::dtype_name(info->dtype)) +
                            "; VGG19 weights must be F32, F16 or BF16");
        }
    }
}

bool is_vgg19_features_tensor(const std::string& name) {
    // Exactly the names check_vgg19_features validates, so whatever the downloader keeps has a
    // checked shape: another features.* entry could declare any size.
    static const std::set<std::string, std::less<>> kNames = [] {
        std::set<std::string, std::less<>> names;
        for (const VggLayer& layer : vgg19_layers()) {
            if (layer.kind != LayerKind::Conv) continue;
            // Built with append: GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
            std::string prefix = "features.";
            prefix.append(std::to_string(layer.index)).append(".");
            names.insert(prefix + "weight");
            names.insert(prefix + "bias");
        }
        return names;
    }();
    return kNames.contains(name);
}

}  // namespace nst

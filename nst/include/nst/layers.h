#pragma once
// The VGG19 layer table in torchvision's layout (features.0 ... features.36) and the parsing of
// layer specs such as "relu1_1:1,relu2_1:0.75". No LibTorch here.
#include <string>
#include <string_view>
#include <vector>

namespace nst {

enum class LayerKind { Conv, ReLU, Pool };

struct VggLayer {
    int index;         // torchvision features.<index>
    LayerKind kind;
    std::string name;  // conv1_1, relu1_1, pool1, ...
    int in_channels;   // convs only (0 otherwise)
    int out_channels;  // convs only
};

// All 37 entries of VGG19 "features", in order.
const std::vector<VggLayer>& vgg19_layers();

// Index of a ReLU layer by name ("relu4_2" -> 22), or -1 if there is no such ReLU layer.
int relu_index(std::string_view name);

struct LayerWeight {
    std::string layer;  // relu name
    float weight = 0.f;
    bool operator==(const LayerWeight&) const = default;
};

// Parses "name:weight[,name:weight...]" (order kept). A bare name ("relu4_2") means weight 1;
// spaces around names, weights and commas are ignored; weights are plain decimal or exponent
// numbers ("0.75", "1e-3"). Throws nst::UsageError naming `flag` and the bad part for: empty spec,
// empty entries (stray commas), unknown or non-ReLU layer names, an empty ("relu4_2:") or
// unparsable ("0.5x") weight, negative or non-finite weights, duplicate layers.
std::vector<LayerWeight> parse_layer_spec(std::string_view spec, std::string_view flag);

// Inverse of parse_layer_spec (for logs and --help defaults): "name:weight" joined by commas, each
// weight in the shortest form that parses back to the same float ("relu1_1:1,relu2_1:0.75").
std::string format_layer_spec(const std::vector<LayerWeight>& layers);

inline constexpr std::string_view kDefaultContentLayers = "relu4_2:1";
inline constexpr std::string_view kDefaultStyleLayers =
    "relu1_1:1,relu2_1:0.75,relu3_1:0.2,relu4_1:0.2,relu5_1:0.2";

}  // namespace nst

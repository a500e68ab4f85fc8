// The VGG19 layer table and the "name:weight,..." layer spec parser.
#include "nst/layers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "nst/error.h"
#include "params/spec_text.h"

namespace nst {
namespace {

// Builds torchvision's vgg19().features: five blocks of (conv, relu) pairs, each followed by a
// max pool. Generated rather than typed out so that indices and channel counts cannot drift.
std::vector<VggLayer> build_vgg19() {
    struct Block {
        int convs;
        int channels;
    };
    static constexpr Block kBlocks[] = {{2, 64}, {2, 128}, {4, 256}, {4, 512}, {4, 512}};

    std::vector<VggLayer> layers;
    int in = 3;
    int block_no = 1;
    for (const Block& block : kBlocks) {
        const std::string suffix = std::to_string(block_no);
        for (int i = 1; i <= block.convs; ++i) {
            const std::string id = suffix + "_" + std::to_string(i);
            const int index = static_cast<int>(layers.size());
            layers.push_back({index, LayerKind::Conv, "conv" + id, in, block.channels});
            layers.push_back({index + 1, LayerKind::ReLU, "relu" + id, 0, 0});
            in = block.channels;
        }
        layers.push_back({static_cast<int>(layers.size()), LayerKind::Pool, "pool" + suffix, 0, 0});
        ++block_no;
    }
    return layers;
}

std::string known_relus() {
    std::string out;
    for (const VggLayer& l : vgg19_layers()) {
        if (l.kind != LayerKind::ReLU) continue;
        if (!out.empty()) out += ", ";
        out += l.name;
    }
    return out;
}

[[noreturn]] void fail(std::string_view flag, const std::string& problem) {
    throw UsageError(std::string(flag) + ": " + problem);
}

void check_layer_name(std::string_view name, std::string_view flag) {
    if (relu_index(name) >= 0) return;
    const auto& layers = vgg19_layers();
    const bool other_kind = std::any_of(layers.begin(), layers.end(),
                                        [&](const VggLayer& l) { return l.name == name; });
    // Built with append: GCC 12 at -O3 warns falsely (-Wrestrict) on chained operator+ here.
    std::string problem = other_kind ? "layer '" : "unknown layer '";
    problem.append(name).append(other_kind ? "' is not a ReLU layer" : "'");
    problem.append(" (known: ").append(known_relus()).append(")");
    fail(flag, problem);
}

float parse_weight(std::string_view text, std::string_view name, std::string_view flag) {
    const std::string quoted = "weight '" + std::string(text) + "' of " + std::string(name);
    if (text.empty()) fail(flag, "missing weight after '" + std::string(name) + ":'");
    float value = 0.f;
    // from_chars: locale-independent, no leading '+' or spaces, accepts "1e-3"; the whole text
    // must be consumed so that "0.5x" is an error and not 0.5.
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && !std::isfinite(value)))
        fail(flag, quoted + " must be a finite number >= 0");
    if (ec != std::errc() || end != text.data() + text.size())
        fail(flag, quoted + " is not a number");
    if (value < 0.f) fail(flag, quoted + " must be a finite number >= 0");
    return value;
}

}  // namespace

const std::vector<VggLayer>& vgg19_layers() {
    static const std::vector<VggLayer> layers = build_vgg19();
    return layers;
}

int relu_index(std::string_view name) {
    for (const VggLayer& l : vgg19_layers())
        if (l.kind == LayerKind::ReLU && l.name == name) return l.index;
    return -1;
}

std::vector<LayerWeight> parse_layer_spec(std::string_view spec, std::string_view flag) {
    if (trim(spec).empty())
        fail(flag, "empty layer spec (expected name:weight[,name:weight...], e.g. relu4_2:1)");

    std::vector<LayerWeight> out;
    for (const std::string_view part : split_commas(spec)) {
        if (part.empty())
            fail(flag, "empty entry in '" + std::string(spec) + "' (stray comma?)");
        const auto colon = part.find(':');
        const std::string_view name = trim(part.substr(0, colon));
        if (name.empty()) fail(flag, "missing layer name in '" + std::string(part) + "'");
        check_layer_name(name, flag);
        // A bare name means weight 1 (documented in layers.h).
        const float weight =
            colon == std::string_view::npos ? 1.f : parse_weight(trim(part.substr(colon + 1)), name, flag);
        const bool duplicate = std::any_of(out.begin(), out.end(),
                                           [&](const LayerWeight& lw) { return lw.layer == name; });
        if (duplicate) fail(flag, "layer " + std::string(name) + " is given more than once");
        out.push_back({std::string(name), weight});
    }
    return out;
}

std::string format_layer_spec(const std::vector<LayerWeight>& layers) {
    std::string out;
    for (const LayerWeight& lw : layers) {
        if (!out.empty()) out += ',';
        // to_chars without a format gives the shortest text that reads back as the same float.
        char buf[32];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, lw.weight);
        out += lw.layer;
        out += ':';
        out.append(buf, ec == std::errc() ? end : buf);
    }
    return out;
}

}  // namespace nst

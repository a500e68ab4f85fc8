// Parsing and checking of the creative controls (per-layer style blends, gradient normalisation,
// seamless sizes). No LibTorch, so the programs can validate flags before any engine exists.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "nst/engine.h"
#include "nst/error.h"
#include "nst/tiling.h"
#include "params/param_text.h"
#include "params/spec_text.h"

namespace nst {
namespace {

[[noreturn]] void refuse_blend(std::string_view spec, std::string_view part, std::string_view why) {
    std::string message = "--layer-blend ";  // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
    message.append(spec).append(": '").append(part).append("' ").append(why);
    throw UsageError(message);
}

}  // namespace

std::vector<LayerBlend> parse_layer_blend(std::string_view spec) {
    std::vector<LayerBlend> out;
    if (trim(spec).empty()) return out;  // none: --style-blend at every layer
    std::set<std::string> seen;
    for (const std::string_view part : split_commas(spec)) {
        const auto eq = part.find('=');
        if (part.empty()) refuse_blend(spec, part, "is empty (a stray comma?)");
        if (eq == std::string_view::npos) refuse_blend(spec, part, "is not LAYER=W1/W2/... (e.g. relu1_1=0/1)");
        LayerBlend b;
        b.layer = std::string(trim(part.substr(0, eq)));
        if (relu_index(b.layer) < 0) refuse_blend(spec, part, "does not name a ReLU layer (relu1_1 ... relu5_4)");
        if (!seen.insert(b.layer).second) refuse_blend(spec, part, "names " + b.layer + " a second time");
        std::string_view weights = part.substr(eq + 1);
        double sum = 0;
        while (true) {
            const auto slash = weights.find('/');
            const std::string_view w = trim(weights.substr(0, slash));
            float v = 0;
            const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
            if (w.empty() || ec != std::errc() || end != w.data() + w.size())
                refuse_blend(spec, part, "has a weight '" + std::string(w) + "' that is not a number");
            if (!std::isfinite(v) || v < 0) refuse_blend(spec, part, "has a weight that is not a finite number >= 0");
            b.weights.push_back(v);
            sum += v;
            if (slash == std::string_view::npos) break;
            weights.remove_prefix(slash + 1);
        }
        if (!(sum > 0)) refuse_blend(spec, part, "has only zero weights; at least one must be > 0");
        out.push_back(std::move(b));
    }
    return out;
}

std::string format_layer_blend(const std::vector<LayerBlend>& blends) {
    std::string out;
    for (const LayerBlend& b : blends) {
        if (!out.empty()) out += ',';
        out.append(b.layer).append("=");
        for (std::size_t k = 0; k < b.weights.size(); ++k) out.append(k ? "/" : "").append(format_number(b.weights[k]));
    }
    return out;
}

void check_layer_blend(const std::vector<LayerBlend>& blends, const std::vector<LayerWeight>& style_layers,
                       std::size_t styles) {
    for (const LayerBlend& b : blends) {
        if (std::none_of(style_layers.begin(), style_layers.end(), [&](const LayerWeight& lw) { return lw.layer == b.layer; }))
            throw UsageError("--layer-blend " + b.layer + ": not one of the style layers (" +
                             format_layer_spec(style_layers) + ")");
        if (b.weights.size() != styles)
            throw UsageError("--layer-blend " + b.layer + " has " + std::to_string(b.weights.size()) + " weight" +
                             (b.weights.size() == 1 ? "" : "s") + " for " + std::to_string(styles) + " style image" +
                             (styles == 1 ? "" : "s"));
    }
}

std::vector<float> layer_blend_for(const std::vector<LayerBlend>& blends, std::string_view layer,
                                   const std::vector<float>& blend, std::size_t styles) {
    for (const LayerBlend& b : blends)
        if (b.layer == layer && b.weights.size() == styles) return normalized_blend(b.weights, styles);
    return normalized_blend(blend, styles);
}

void check_normalize_gradients(float strength) {
    if (!(strength >= 0.f && strength <= 1.f))
        throw UsageError("--normalize-gradients " + format_number(strength) + ": must be between 0 (off) and 1");
}

int seamless_grid(const Params& p) { return pooling_stride(deepest_layer(p)); }

std::pair<int, int> seamless_size(int width, int height, const Params& p) {
    const int grid = seamless_grid(p);
    const auto round = [grid](int side) { return std::max(grid, (side + grid / 2) / grid * grid); };
    return {round(width), round(height)};
}

}  // namespace nst

// RunSettings -> what the engine takes, and the checks that involve several parameters.
#include "nst/settings.h"

#include <limits>

#include "nst/error.h"

namespace nst {

void validate(const RunSettings& s, Use use) {
    const auto require = [](bool ok, const std::string& message) {
        if (!ok) throw UsageError(message);
    };
    if (use == Use::Batch) {
        // --video replaces --content: the clip's frames are the content.
        require(s.video.empty() || s.content.empty(),
                "--video and --content are mutually exclusive (the clip's frames are the content)");
        require(!s.styles.empty(), "--style is required");
        // Without --content (and --video): texture mode, from the styles alone.
        if (texture_mode(s)) {
            require(s.params.colors == ColorMode::Off, std::string("--preserve-colors ") +
                                                           color_mode_name(s.params.colors) +
                                                           " needs --content (without it nst makes a texture)");
            require(!s.params.colors_only, "--colors-only needs --content (the photo to recolour)");
            require(s.content_map.empty(), "--content-map needs --content (without it nst makes a texture)");
        }
        require(!s.texture || s.video.empty(), "--texture and --video are mutually exclusive");
        require(!s.params.colors_only || s.video.empty(), "--colors-only applies to a still --content, not --video");
        require(s.steps >= 1, "--steps " + std::to_string(s.steps) + ": must be between 1 and 1000000");
    }
    require((s.size >> (s.scales - 1)) >= 16, "--scales " + std::to_string(s.scales) +
                                                  ": the coarsest level would be under 16 px at --size " +
                                                  std::to_string(s.size));
    require(s.weights.empty() || s.features.empty(), "--weights and --features are mutually exclusive");
    require(s.init_image.empty() || s.init == Init::Content,
            "--init and --init-image are mutually exclusive (--init-image is the start image)");
    // A blend needs the styles it weighs; the Live program has added its sample by now.
    if (!s.styles.empty()) static_cast<void>(normalized_blend(s.params.style_blend, s.styles.size()));
    if (!s.styles.empty()) check_layer_blend(s.params.layer_blend, s.params.style_layers, s.styles.size());
    require(s.params.layer_blend.empty() || s.params.style_loss != StyleLoss::REMD,
            "--layer-blend does not apply to --style-loss remd: its hypercolumns join the layers (use gram, w2, sw "
            "or nn)");
    // The count always; the style indices against the list once there is one.
    check_regions(s.regions, s.styles.empty() ? std::numeric_limits<std::size_t>::max() : s.styles.size());
}

std::pair<int, int> texture_size(const RunSettings& s) {
    const auto [w, h] = exact_size(s).value_or(std::pair{s.size, s.size});
    return s.params.seamless ? seamless_size(w, h, s.params) : std::pair{w, h};
}

EngineOptions engine_options(const RunSettings& s) {
    EngineOptions e;
    if (!s.features.empty()) e.features = parse_random_features(s.features);
    else e.features.weights_path = s.weights;
    e.pooling = s.pooling;
    e.device = s.device;
    e.threads = s.threads;
    e.seed = s.seed;
    e.precision = s.precision;
    // As given: the program resolves a default budget (0) for its device and rounds the tile to
    // the pooling grid, saying so (the engine would round it silently).
    e.tile = s.tile;
    e.max_memory = s.max_memory;
    return e;
}

Params engine_params(const RunSettings& s, bool random_features) {
    Params p = s.params;
    p.style_blend = normalized_blend(s.params.style_blend, s.styles.size());
    if (!s.style_weight_given) p.style_weight = default_style_weight(p.style_loss, random_features);
    if (!s.content_weight_given) p.content_weight = default_content_weight(p.content_loss);
    if (!s.lr_given) p.lr = default_lr(p.optimizer);
    return p;
}

}  // namespace nst

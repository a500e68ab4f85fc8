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
        require(!s.content.empty() || !s.video.empty(), "--content is required");
        require(!s.styles.empty(), "--style is required");
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
    // The count always; the style indices against the list once there is one.
    check_regions(s.regions, s.styles.empty() ? std::numeric_limits<std::size_t>::max() : s.styles.size());
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

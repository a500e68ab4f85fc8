#include "control/control_state.h"

#include <algorithm>

#include "video/clip_frames.h"

namespace nstv {

nst::Params ControlState::snapshot() const {
    nst::Params p = params;
    for (std::size_t i = 0; i < p.style_layers.size(); ++i)
        if (i < style_enabled.size() && !style_enabled[i]) p.style_layers[i].weight = 0.0f;
    p.style_blend.clear();
    for (const auto& s : styles) p.style_blend.push_back(s.weight);
    return p;
}

EngineSetup ControlState::edited_setup() const {
    EngineSetup e = applied;
    e.content_path = content_path;
    // A clip typed (or dropped) as the content: its first frame, or the frame shown of the same clip.
    if (looks_like_clip(content_path)) {
        if (e.video != content_path) e.frame = 0;
        e.video = content_path;
    } else {
        e.video.clear();
        e.frame = 0;
    }
    e.style_paths = style_paths();
    e.size = size;
    e.scales = scales;
    e.coarse_steps = coarse_steps;
    e.texture = texture;
    e.options.pooling = pooling == 1 ? nst::Pooling::Avg : nst::Pooling::Max;
    if (random_features) {
        e.options.features.weights_path.clear();
        e.options.features.random_seed = static_cast<std::uint64_t>(std::max(0, features_seed));
    } else {
        e.options.features.weights_path = weights_path;
    }
    e.restart = false;
    return e;
}

std::vector<std::string> ControlState::style_paths() const {
    std::vector<std::string> out;
    for (const auto& s : styles) out.push_back(s.path);
    return out;
}

std::string ControlState::blend_problem() const {
    const bool any = std::any_of(styles.begin(), styles.end(), [](const StyleEntry& s) { return s.weight > 0; });
    return any ? std::string() : "all blend weights are 0: raise one of them";
}

void ControlState::adopt(const nst::Params& kept) {
    params.content_weight = kept.content_weight;
    params.style_weight = kept.style_weight;
    params.tv_weight = kept.tv_weight;
    params.lr = kept.lr;
    params.colors = kept.colors;
    params.style_scale = kept.style_scale;
    params.style_loss = kept.style_loss;
    params.content_loss = kept.content_loss;
    params.seamless = kept.seamless;
    params.normalize_gradients = kept.normalize_gradients;
    params.colors_only = kept.colors_only;
    params.layer_blend = kept.layer_blend;
    params.content_layers = kept.content_layers;
    std::vector<nst::LayerWeight> layers;
    std::vector<bool> enabled;
    for (const auto& l : kept.style_layers) {
        const auto it = std::find_if(params.style_layers.begin(), params.style_layers.end(),
                                     [&](const nst::LayerWeight& w) { return w.layer == l.layer; });
        const auto i = static_cast<std::size_t>(it - params.style_layers.begin());
        const bool off = it != params.style_layers.end() && i < style_enabled.size() && !style_enabled[i];
        layers.push_back(off ? *it : l);
        enabled.push_back(!off);
    }
    params.style_layers = std::move(layers);
    style_enabled = std::move(enabled);
    if (kept.style_blend.size() == styles.size())
        for (std::size_t i = 0; i < styles.size(); ++i) styles[i].weight = kept.style_blend[i];
}

}  // namespace nstv

#include "control/run_settings.h"

#include <algorithm>
#include <filesystem>

namespace nstv {

std::string absolute_path(const std::string& path) {
    if (path.empty()) return path;
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
}

nst::RunSettings settings_of(const ControlState& state, const nst::RunSettings& flags, int steps) {
    // From the viewer's flags: what the panels never change (device, threads as asked for, the
    // weights URL, offline, --max-pixels...).
    nst::RunSettings s = flags;
    const EngineSetup& a = state.applied;
    // A clip as the content is nst's --video (the two are exclusive); the render's settings as
    // "Render video..." holds them, the temporal weight in the parameters.
    s.video = absolute_path(a.video);
    s.content = a.video.empty() ? absolute_path(a.content_path) : std::string();
    s.max_frames = a.max_frames;
    s.frames = state.video_frames;
    s.frame_steps = state.frame_steps;
    s.frame_lr = state.frame_lr;
    s.temporal_frames = state.temporal_frames;
    // The style list and its blend as the panels hold them (the blend is kept next to its images).
    s.styles.clear();
    for (const auto& p : state.style_paths()) s.styles.push_back(absolute_path(p));
    s.size = a.size;
    s.width = s.height = 0;  // the viewer's texture is a square of the size
    s.texture = a.texture;
    s.steps = steps;
    s.scales = a.scales;
    s.coarse_steps = a.coarse_steps;
    s.init = a.init;
    s.init_image = absolute_path(a.init_image);
    s.pooling = a.options.pooling;
    // The network the viewer runs: the weights it found (cache, download) or the random features
    // with their seed, never "whatever the other program would find".
    const nst::Features& f = a.options.features;
    if (f.random()) {
        s.features = "random:" + std::to_string(f.random_seed);
        s.weights.clear();
    } else {
        s.features.clear();
        s.weights = absolute_path(f.weights_path);
    }
    s.device = a.options.device;
    s.seed = a.options.seed;
    s.precision = a.options.precision;
    s.max_pixels = a.max_pixels;
    s.log_json.clear();  // the viewer's log: a command or session must not write into it
    s.regions.clear();   // the paint panel's: the caller adds them
    s.content_map.clear();
    // Disabled style layers as weight 0 (the same layer set), the blend from the style list.
    s.params = state.snapshot();
    // Equal weights are nst's default (no --style-blend), whatever their scale.
    const auto& blend = s.params.style_blend;
    if (std::all_of(blend.begin(), blend.end(), [&](float w) { return w == blend.front(); }) && !blend.empty() &&
        blend.front() > 0)
        s.params.style_blend.clear();
    // The values the viewer used, whatever default another program or feature set would compute.
    s.style_weight_given = true;
    s.content_weight_given = true;
    s.lr_given = true;
    return s;
}

}  // namespace nstv

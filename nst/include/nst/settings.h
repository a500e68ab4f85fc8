#pragma once
// What a run is made of, as both programs take it from their flags: the inputs, the schedule, the
// network and the loss parameters. One struct so that flags, viewer controls, session files and
// "copy as command" all read and write the same fields (through the table in param_table.h).
// No LibTorch and no CLI11 here.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "nst/engine.h"
#include "nst/image.h"
#include "nst/regions.h"
#include "nst/video/video_io.h"  // kDefaultMaxFrames (torch-, FFmpeg- and OpenCV-free)
#include "nst/weights.h"

namespace nst {

// Defaults are those of `nst`; a program with other defaults (nst-viewer) starts from a copy it
// changed. Enumerations are typed; texts that only a later step can check (files, --device, the
// URL) are kept as given.
struct RunSettings {
    std::string content;               // --content (empty: not given)
    std::vector<std::string> styles;   // --style, in order (empty: not given)
    int size = 256;                    // long side of the optimised image
    bool texture = false;              // --texture: no content, a texture from the styles alone
    // --size WxH: exactly that size (0: from `size`, the long side; a texture is then square).
    // Used only while max(width, height) == size (a viewer slider that moves `size` drops it).
    int width = 0, height = 0;
    int steps = 300;                   // steps at the full size (nst-viewer: pause there; 0 = never)
    int scales = 1;                    // coarse-to-fine levels (1 = plain)
    int coarse_steps = 100;            // steps at each coarser level
    // A clip instead of a still (nst --video); the temporal weight is params.temporal_weight.
    std::string video;                 // --video: a video file, a frame pattern or a folder (empty: none)
    std::string frames;                // --frames A:B, 1-based (empty: all; checked against the clip when opened)
    int frame_steps = 100;             // steps of each frame after the first
    float frame_lr = 0;                // their learning rate (0: video::frame_learning_rate's default)
    std::string temporal_frames = "1,2,4";  // earlier frames each is held to, as given (parse_temporal_frames)
    int max_frames = video::kDefaultMaxFrames;  // clips with more frames are refused
    Init init = Init::Content;
    std::string init_image;            // --init-image FILE: start from it (empty: --init)
    Pooling pooling = Pooling::Max;
    std::string weights;               // --weights FILE (empty: the cache, else a download)
    std::string features;              // --features random[:SEED] (empty: VGG19 weights)
    std::string weights_url = weights_url_from_env();
    bool offline = false;
    std::string device = "auto";
    std::uint64_t seed = 0;            // for --init noise
    int threads = 0;                   // 0: the program's default
    Precision precision = Precision::FP32;
    std::int64_t max_pixels = kDefaultMaxPixels;
    // Tiled steps (tiling.h): --tile N, interiors of N px (0: only when memory needs it), and
    // --max-memory, the budget of one step in bytes (0: default_max_memory() of the device, taken
    // when the run starts).
    int tile = 0;
    std::uint64_t max_memory = 0;
    std::string log_json;
    // Spatial control: --region MASK.png:STYLE[:WEIGHT] (repeatable) and --content-map MAP.png
    // (empty: none); the files are read when the run starts (load_spatial).
    std::vector<RegionSpec> regions;
    std::string content_map;
    // The loss parameters; style_blend as given (normalised by engine_params()).
    Params params = Params::defaults();
    // --style-weight was given: its value is the user's, never replaced by a default (the
    // default depends on the statistic and on the features, see default_style_weight()).
    bool style_weight_given = false;
    // --content-weight was given: likewise (default_content_weight(): it depends on the content loss).
    bool content_weight_given = false;
    // --lr was given: likewise (the default depends on the optimiser, default_lr()).
    bool lr_given = false;
};

// Cross-parameter checks, once every flag is set (each value was checked by its setter). Batch
// (nst): --content (or --video instead: the clip's frames are the content; not both) and --style
// are required and --steps >= 1. Live (nst-viewer): the program supplies the bundled samples, and
// --steps 0 means "never pause". Both: one blend weight per style, a coarsest level of at least
// 16 px, --weights and --features not both, at most kMaxRegions regions whose styles are in the
// style list (when one is given). Throws nst::UsageError.
enum class Use { Batch, Live };
void validate(const RunSettings& s, Use use);

// Texture mode (--texture, or nst with no --content and no --video): the image is made from the
// styles alone; a --content given with --texture is not used.
[[nodiscard]] inline bool texture_mode(const RunSettings& s) { return s.texture || (s.content.empty() && s.video.empty()); }
// The start: a texture has no content to start from, so --init content (the default) is noise there.
[[nodiscard]] inline Init start_init(const RunSettings& s) {
    return texture_mode(s) && s.init == Init::Content ? Init::Noise : s.init;
}
// The exact size --size WxH gave, if it still applies; nullopt when the size is a long side.
[[nodiscard]] inline std::optional<std::pair<int, int>> exact_size(const RunSettings& s) {
    if (s.width > 0 && s.height > 0 && std::max(s.width, s.height) == s.size) return std::pair{s.width, s.height};
    return std::nullopt;
}
// A texture's size: the exact one, else size x size; rounded for --seamless (seamless_size).
[[nodiscard]] std::pair<int, int> texture_size(const RunSettings& s);

// The engine's fixed options from the settings (features parsed; no weights file resolved:
// where the weights come from is each program's policy).
[[nodiscard]] EngineOptions engine_options(const RunSettings& s);

// The parameters the engine gets: the blend normalised for the styles given, the default style
// weight for the statistic and the features unless --style-weight was given, and the default
// learning rate for the optimiser unless --lr was given. Throws
// nst::UsageError for a blend that does not fit the styles.
[[nodiscard]] Params engine_params(const RunSettings& s, bool random_features);

}  // namespace nst

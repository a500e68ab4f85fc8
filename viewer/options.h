#pragma once
// Command-line options of nst-viewer: the engine flags of `nst` (same names, same meaning) plus
// the viewer's own. Parsing is separate from the app so --help/--version work without a display.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nst/nst.h"

namespace nstv {

struct ViewerOptions {
    // Engine (as in `nst`).
    std::string content;             // empty: the bundled sample
    std::vector<std::string> styles; // --style, repeated or a comma list; default: the bundled sample
    int size = 384;              // long side in pixels; smaller than nst's so it stays live on a CPU
    long steps = 0;              // 0 = run until paused; otherwise pause at this step
    int scales = 1;              // coarse-to-fine levels (1 = plain), as nst --scales
    int coarse_steps = 100;      // steps at each coarser level, as nst --coarse-steps
    nst::Params params = nst::Params::defaults();  // style_blend normalised, one weight per style
    nst::EngineOptions engine;
    nst::Init init = nst::Init::Content;
    std::int64_t max_pixels = nst::kDefaultMaxPixels;
    std::string log_json;
    // Weights: --weights > the cache > a background download (unless --offline) > untrained.
    std::string weights_url;         // --weights-url (default: weights_url_from_env())
    bool offline = false;            // --offline: never download
    bool download = false;           // start on untrained features and fetch the weights meanwhile
    bool style_weight_set = false;   // --style-weight given: never changed for the user
    std::string untrained_reason;    // why the features are untrained, for the banner ("" if asked for)

    // Viewer.
    int update_every = 1;
    std::string screenshot_dir;  // empty: ~/Pictures/nst if ~/Pictures exists, else "."
    bool start_paused = false;
    int window_width = 1280, window_height = 800;
    long exit_after_frames = 0;  // benchmarks: close after this many frames
    std::string stats_json;      // benchmarks: frame-time summary written at exit
    std::string ui_probe;        // tests: widget rectangles (screen coordinates) as JSON
    long debug_nan_at = -1;      // tests: treat the loss of this step as NaN (recovery path)
};

// Returns the options, or an exit code when the program should stop (help, version, usage
// error: the message is already printed).
struct ParseResult {
    std::optional<ViewerOptions> options;
    int exit_code = 0;
};
ParseResult parse_options(int argc, char** argv);

// The bundled sample with this file name: next to the sources (NST_ASSETS_DIR), else ./assets.
std::string default_asset(const std::string& file_name);

}  // namespace nstv

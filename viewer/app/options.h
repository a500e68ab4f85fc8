#pragma once
// Command-line options of nst-viewer: the engine flags of `nst` (the same table, so the same names,
// meaning and checks) plus the viewer's own. Parsing is separate from the app so --help/--version
// work without a display.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/settings.h"

namespace nstv {

// nst's defaults, changed where a live window needs others: a smaller image (it stays live on a
// CPU) and no step limit (--steps 0: run until paused).
[[nodiscard]] nst::RunSettings viewer_defaults();

struct ViewerOptions {
    // The shared parameters, flags from nst's table (nst/param_table.h) with the viewer's defaults
    // (viewer_defaults()); after parsing, the bundled samples fill in for a missing --content or
    // --style, the blend is normalised and the style weight is the default unless given.
    nst::RunSettings run = viewer_defaults();
    // What the engine starts with: run's network options, the threads resolved, and the weights
    // found: --weights > the cache > a background download (unless --offline) > untrained.
    nst::EngineOptions engine;
    bool download = false;           // start on untrained features and fetch the weights meanwhile
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
    std::string session;         // --session FILE: opened at start
    double autosave_seconds = 60;  // the autosave's interval (0: off); a hidden flag for tests
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

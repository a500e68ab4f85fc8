#include "app/options.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <thread>

#include "nst/param_cli.h"
#include "nst/weights.h"

namespace nstv {
namespace fs = std::filesystem;

std::string default_asset(const std::string& file_name) {
#ifdef NST_ASSETS_DIR
    if (const fs::path p = fs::path(NST_ASSETS_DIR) / file_name; fs::exists(p)) return p.string();
#endif
    return (fs::path("assets") / file_name).string();
}

nst::RunSettings viewer_defaults() {
    nst::RunSettings s;
    s.size = 384;
    s.steps = 0;
    return s;
}

ParseResult parse_options(int argc, char** argv) {
    ViewerOptions o;
    CLI::App app{"nst-viewer: watch and steer neural style transfer live.\n"
                 "Keys: Space pause/resume, Right one step, R reset, S save result, W save window, "
                 "K keep a snapshot, F fit, 1 actual size, V view mode, F1 help."};
    app.set_version_flag("--version", std::string("nst-viewer ") + nst::version());
    // The flags of nst (one table: same names, meaning and checks), with the viewer's defaults.
    nst::add_to_cli(app, o.run);

    app.add_option("--update-every", o.update_every, "Show the image every N steps")
        ->capture_default_str()->check(CLI::Range(1, 100000));
    app.add_option("--screenshot-dir", o.screenshot_dir,
                   "Folder for screenshots (default: ~/Pictures/nst if ~/Pictures exists, else .)");
    app.add_flag("--paused", o.start_paused, "Start paused");
    app.add_option("--window-size", [&o](const CLI::results_t& r) {
        return r.size() == 1 && std::sscanf(r[0].c_str(), "%dx%d", &o.window_width, &o.window_height) == 2 &&
               o.window_width > 0 && o.window_height > 0;
    }, "Initial window size WxH (default 1280x800)")->type_name("WxH");
    app.add_option("--exit-after-frames", o.exit_after_frames, "Close after this many frames (benchmarks)");
    app.add_option("--stats-json", o.stats_json, "Write frame-time statistics here at exit (benchmarks)");
    app.add_option("--ui-probe", o.ui_probe, "Write widget positions here (GUI tests)");
    app.add_option("--debug-nan-at", o.debug_nan_at, "Tests: pretend the loss of this step is NaN")->group("");
    app.add_option("--session", o.session, "Open this session file (saved with Ctrl+S) at start")->type_name("FILE");
    app.add_option("--autosave-seconds", o.autosave_seconds, "Tests: autosave interval in seconds (0: off)")
        ->check(CLI::Range(0.0, 86400.0))->group("");

    // Exit 2 for every bad flag or value, with nst's messages.
    try {
        app.parse(argc, argv);
        if (!o.run.video.empty() && !o.run.content.empty())
            throw nst::UsageError("--video and --content are mutually exclusive (the clip's frames are the content)");
        // A clip as the content: the bundled still stays the content of "Apply" with no clip.
        if (o.run.content.empty()) o.run.content = default_asset("content.jpg");
        if (o.run.styles.empty()) o.run.styles.push_back(default_asset("style.jpg"));
        nst::validate(o.run, nst::Use::Live);
        o.engine = nst::engine_options(o.run);
    } catch (const CLI::Success& e) {
        return {std::nullopt, app.exit(e)};  // --help, --version
    } catch (const CLI::ParseError& e) {
        std::cerr << "nst-viewer: " << e.what() << "\nRun 'nst-viewer --help' for the list of flags.\n";
        return {std::nullopt, 2};
    } catch (const nst::Error& e) {
        std::cerr << "nst-viewer: " << e.what() << "\n";
        return {std::nullopt, 2};
    }
    // The UI thread needs a core of its own to stay smooth; LibTorch would take them all.
    if (o.engine.threads == 0) o.engine.threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()) - 1);
    try {
        // --weights and --features are in o.engine already; otherwise the cache, else a download.
        if (o.run.weights.empty() && o.run.features.empty()) {
            if (const auto cached = nst::find_cached_weights()) o.engine.features.weights_path = cached->string();
            else if (!o.run.offline) {
                // Nothing cached: start at once on random features (with the banner) and download
                // the weights in the background; the window switches to them when they are ready.
                nst::check_weights_url(o.run.weights_url);
                o.download = true;
            }
            else {
                // (appends rather than operator+ chains: GCC 12 warns falsely (-Wrestrict) on those)
                o.untrained_reason = "--offline and no cached weights at ";
                o.untrained_reason += nst::cached_weights_path().string();
                o.untrained_reason += ": pass --weights FILE, or run nst --fetch-weights once.";
            }
        }
        if (o.engine.precision == nst::Precision::TF32 && nst::resolve_device(o.engine.device).rfind("cuda", 0) != 0)
            throw nst::UsageError("--precision tf32 needs a CUDA device (use fp32 or bf16 on CPU)");
        // Untrained features need a larger beta for the style term to matter, W2 a much smaller
        // one (see engine.h); the blend normalised for the styles.
        o.run.params = nst::engine_params(o.run, o.engine.features.random());
    } catch (const nst::Error& e) {
        std::cerr << "nst-viewer: " << e.what() << "\n";
        return {std::nullopt, 2};
    }
    return {std::move(o), 0};
}

}  // namespace nstv

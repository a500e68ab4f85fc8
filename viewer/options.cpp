#include "options.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <thread>

#include "engine_stepper.h"
#include "nst/download.h"

namespace nstv {
namespace fs = std::filesystem;

std::string default_asset(const std::string& file_name) {
#ifdef NST_ASSETS_DIR
    if (const fs::path p = fs::path(NST_ASSETS_DIR) / file_name; fs::exists(p)) return p.string();
#endif
    return (fs::path("assets") / file_name).string();
}

ParseResult parse_options(int argc, char** argv) {
    ViewerOptions o;
    CLI::App app{"nst-viewer: watch and steer neural style transfer live.\n"
                 "Keys: Space pause/resume, Right one step, R reset, S save result, W save window, "
                 "F fit, 1 actual size, V view mode, F1 help."};
    app.set_version_flag("--version", std::string("nst-viewer ") + nst::version());

    std::string content_layers(nst::kDefaultContentLayers), style_layers(nst::kDefaultStyleLayers);
    std::string init = "content", pooling = "max", features, weights, precision = "fp32";
    // The style knobs, with the names, meaning and checks of nst (the engine's parsers).
    std::string style_blend, preserve_colors = "off", style_loss = "gram";
    o.weights_url = nst::weights_url_from_env();
    app.add_option("--content", o.content, "Content image (default: the bundled sample)");
    app.add_option("--style", o.styles, "Style image(s): repeat the flag or give a comma list (default: the bundled sample)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->delimiter(',');
    app.add_option("--style-blend", style_blend,
                   "Blend weights, one per style (e.g. 3,1; normalised to sum 1); default: equal");
    app.add_option("--preserve-colors", preserve_colors,
                   "Colour control: off, post (the content's chrominance on the result), luminance "
                   "(luminance-only transfer) or histogram (style colours matched to the content's)")
        ->capture_default_str();
    app.add_option("--style-scale", o.params.style_scale,
                   "Style images are resized to this x the content's long side before their targets (0.1-4)")
        ->capture_default_str();
    app.add_option("--style-loss", style_loss, "Style statistic: gram (Gatys et al.) or w2 (Wasserstein-2)")
        ->capture_default_str();
    app.add_option("--size", o.size, "Long side of the optimised image in pixels")
        ->capture_default_str()->check(CLI::Range(16, 8192));
    app.add_option("--steps", o.steps, "Pause when this many steps are done (0: never)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--scales", o.scales, "Coarse-to-fine levels: 1 = plain; N runs --coarse-steps at size/2^k first")
        ->capture_default_str()->check(CLI::Range(1, 6));
    app.add_option("--coarse-steps", o.coarse_steps, "Steps at each coarser level when --scales > 1")
        ->capture_default_str()->check(CLI::Range(1, 1'000'000));
    app.add_option("--lr", o.params.lr, "Adam learning rate")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--content-weight", o.params.content_weight, "Content loss weight (alpha)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--style-weight", o.params.style_weight, "Style loss weight (beta)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--tv-weight", o.params.tv_weight, "Total-variation weight (gamma)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--content-layers", content_layers, "Content layers, name:weight,...")->capture_default_str();
    app.add_option("--style-layers", style_layers, "Style layers, name:weight,...")->capture_default_str();
    app.add_option("--init", init, "Start image")->check(CLI::IsMember({"content", "noise"}))->capture_default_str();
    app.add_option("--pooling", pooling, "VGG pooling")->check(CLI::IsMember({"max", "avg"}))->capture_default_str();
    auto* w = app.add_option("--weights", weights, "VGG19 weights (.safetensors); default: the cache, else random features");
    auto* f = app.add_option("--features", features, "random[:SEED]: untrained features (no weights needed)");
    w->excludes(f);
    app.add_option("--weights-url", o.weights_url,
                   "Where to download the VGG19 weights from when none are cached (https; env NST_WEIGHTS_URL)");
    app.add_flag("--offline", o.offline, "Never download: without --weights or a cached file, use untrained features");
    app.add_option("--precision", precision, "fp32 | bf16 | tf32 (CUDA only); switchable in the window")
        ->check(CLI::IsMember({"fp32", "bf16", "tf32"}))->capture_default_str();
    app.add_option("--device", o.engine.device, "auto | cpu | cuda | cuda:N")->capture_default_str();
    app.add_option("--seed", o.engine.seed, "Seed for --init noise")->capture_default_str();
    app.add_option("--threads", o.engine.threads, "Intra-op CPU threads (0: all cores but one, left to the UI)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--max-pixels", o.max_pixels, "Refuse input images with more pixels")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--log-json", o.log_json, "Write one JSON object per step to this file");

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

    try {
        app.parse(argc, argv);
        o.params.content_layers = nst::parse_layer_spec(content_layers, "--content-layers");
        o.params.style_layers = nst::parse_layer_spec(style_layers, "--style-layers");
        if (level_size(o.size, o.scales, 0) < 16)
            throw nst::UsageError("--scales " + std::to_string(o.scales) +
                                  ": the coarsest level would be under 16 px at --size " + std::to_string(o.size));
        for (const auto& s : o.styles)
            if (s.empty()) throw nst::UsageError("--style: an empty file name in the list");
        if (o.styles.empty()) o.styles.push_back(default_asset("style.jpg"));
        if (!style_blend.empty()) o.params.style_blend = nst::parse_blend(style_blend);
        o.params.style_blend = nst::normalized_blend(o.params.style_blend, o.styles.size());
        o.params.colors = nst::parse_color_mode(preserve_colors);
        nst::check_style_scale(o.params.style_scale);
        o.params.style_loss = nst::parse_style_loss(style_loss);
    } catch (const CLI::Success& e) {
        return {std::nullopt, app.exit(e)};  // --help, --version
    } catch (const CLI::ParseError& e) {
        // Exit 2 for every bad flag or value, as nst.
        std::cerr << "nst-viewer: " << e.what() << "\nRun 'nst-viewer --help' for the list of flags.\n";
        return {std::nullopt, 2};
    } catch (const nst::Error& e) {
        std::cerr << "nst-viewer: " << e.what() << "\n";
        return {std::nullopt, 2};
    }
    // The UI thread needs a core of its own to stay smooth; LibTorch would take them all.
    if (o.engine.threads == 0) o.engine.threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()) - 1);
    o.init = init == "noise" ? nst::Init::Noise : nst::Init::Content;
    o.engine.pooling = pooling == "avg" ? nst::Pooling::Avg : nst::Pooling::Max;
    try {
        if (!weights.empty()) o.engine.features.weights_path = weights;
        else if (!features.empty()) o.engine.features = nst::parse_random_features(features);
        else if (const auto cached = nst::find_cached_weights()) o.engine.features.weights_path = cached->string();
        else if (!o.offline) {
            // Nothing cached: start at once on random features (with the banner) and download
            // the weights in the background; the window switches to them when they are ready.
            nst::check_weights_url(o.weights_url);
            o.download = true;
        }
        else {
            // (appends rather than operator+ chains: GCC 12 warns falsely (-Wrestrict) on those)
            o.untrained_reason = "--offline and no cached weights at ";
            o.untrained_reason += nst::cached_weights_path().string();
            o.untrained_reason += ": pass --weights FILE, or run nst --fetch-weights once.";
        }
        o.engine.precision = nst::parse_precision(precision);
        if (o.engine.precision == nst::Precision::TF32 && nst::resolve_device(o.engine.device).rfind("cuda", 0) != 0)
            throw nst::UsageError("--precision tf32 needs a CUDA device (use fp32 or bf16 on CPU)");
    } catch (const nst::Error& e) {
        std::cerr << "nst-viewer: " << e.what() << "\n";
        return {std::nullopt, 2};
    }
    o.style_weight_set = app.count("--style-weight") > 0;
    // Untrained features need a larger beta for the style term to matter, W2 a much smaller one
    // (see engine.h).
    if (!o.style_weight_set)
        o.params.style_weight = nst::default_style_weight(o.params.style_loss, o.engine.features.random());
    if (o.content.empty()) o.content = default_asset("content.jpg");
    return {std::move(o), 0};
}

}  // namespace nstv

// nst: the batch command line. content + style -> stylized image, with a progress bar.
// Exit codes: 0 success, 2 usage error (bad flag or value), 1 runtime failure (files, weights, device).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "nst/download.h"
#include "nst/nst.h"
#include "progress.h"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

struct Options {
    std::string content, output = "output.jpg";
    std::vector<std::string> styles;  // --style, repeated or a comma list
    std::string style_blend, preserve_colors = "off", style_loss = "gram";
    int size = 256;
    int steps = 300;
    int scales = 1;          // coarse-to-fine levels (1 = plain)
    int coarse_steps = 100;  // steps at each coarser level
    std::string precision = "fp32";
    bool cuda_graph = false;
    std::string content_layers{nst::kDefaultContentLayers}, style_layers{nst::kDefaultStyleLayers};
    std::string init = "content", pooling = "max";
    std::string weights, features;
    std::string weights_url = nst::weights_url_from_env();
    bool offline = false;
    bool fetch_weights = false;
    std::string device = "auto";
    std::uint64_t seed = 0;
    int threads = 0;
    int save_every = 0;
    std::string log_json;
    std::int64_t max_pixels = nst::kDefaultMaxPixels;
    nst::Params params = nst::Params::defaults();
};

void require(bool ok, const std::string& message) {
    if (!ok) throw nst::UsageError(message);
}

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

void validate(const Options& o) {
    require(!o.content.empty(), "--content is required");
    require(!o.styles.empty(), "--style is required");
    for (const auto& s : o.styles) require(!s.empty(), "--style: an empty file name in the list");
    require(o.size >= 16 && o.size <= 8192, "--size " + std::to_string(o.size) + ": must be between 16 and 8192");
    require(o.steps >= 1 && o.steps <= 1'000'000, "--steps " + std::to_string(o.steps) + ": must be between 1 and 1000000");
    require(o.scales >= 1 && o.scales <= 6, "--scales " + std::to_string(o.scales) + ": must be between 1 and 6");
    require(o.coarse_steps >= 1 && o.coarse_steps <= 1'000'000,
            "--coarse-steps " + std::to_string(o.coarse_steps) + ": must be between 1 and 1000000");
    require((o.size >> (o.scales - 1)) >= 16,
            "--scales " + std::to_string(o.scales) + ": the coarsest level would be under 16 px at --size " + std::to_string(o.size));
    const auto& p = o.params;
    require(std::isfinite(p.lr) && p.lr > 0, "--lr " + number(p.lr) + ": must be a finite number > 0");
    require(std::isfinite(p.content_weight) && p.content_weight >= 0,
            "--content-weight " + number(p.content_weight) + ": must be a finite number >= 0");
    require(std::isfinite(p.style_weight) && p.style_weight >= 0,
            "--style-weight " + number(p.style_weight) + ": must be a finite number >= 0");
    require(std::isfinite(p.tv_weight) && p.tv_weight >= 0,
            "--tv-weight " + number(p.tv_weight) + ": must be a finite number >= 0");
    nst::check_style_scale(p.style_scale);
    require(o.init == "content" || o.init == "noise", "--init " + o.init + ": expected content or noise");
    require(o.pooling == "max" || o.pooling == "avg", "--pooling " + o.pooling + ": expected max or avg");
    require(o.threads >= 0 && o.threads <= 1024, "--threads " + std::to_string(o.threads) + ": must be between 0 and 1024");
    require(o.save_every >= 0, "--save-every " + std::to_string(o.save_every) + ": must be >= 0");
    require(o.max_pixels > 0, "--max-pixels " + std::to_string(o.max_pixels) + ": must be > 0");
    require(o.weights.empty() || o.features.empty(), "--weights and --features are mutually exclusive");
}

// Downloads the VGG19 features into the cache, with a progress bar on stderr.
nst::FetchResult download_weights(const std::string& url) {
    nst::check_weights_url(url);
    nst::FetchOptions fetch;
    fetch.url = url;
    nst::cli::ByteProgress bar("VGG19 weights", stderr);
    std::fprintf(stderr, "downloading the VGG19 features from %s\n", url.c_str());
    fetch.progress = [&bar](std::uint64_t done, std::uint64_t total) {
        bar.update(done, total);
        return true;
    };
    nst::FetchResult result = nst::fetch_vgg19_features(fetch);
    bar.finish();
    return result;
}

std::string megabytes(std::uint64_t bytes) { return number(std::round(static_cast<double>(bytes) / 1e5) / 10) + " MB"; }

// nst --fetch-weights: only the download; says where the file went and what it cost.
int fetch_only(const Options& o) {
    require(!o.offline, "--fetch-weights and --offline are mutually exclusive");
    const nst::FetchResult r = download_weights(o.weights_url);
    std::printf("VGG19 features saved to %s: %s downloaded (%llu bytes) of the %s model file%s\n", r.path.c_str(),
                megabytes(r.bytes_downloaded).c_str(), static_cast<unsigned long long>(r.bytes_downloaded),
                r.remote_size ? megabytes(r.remote_size).c_str() : "(size unknown)",
                r.used_ranges ? "" : " (the server ignored range requests; the file was streamed)");
    return 0;
}

// Where the weights come from: --weights FILE > the cache > a download (unless --offline) >
// untrained features. Returns the weights file, or "" for untrained features after printing why.
std::string resolve_weights(const Options& o) {
    if (!o.features.empty()) return "";  // untrained features asked for
    if (!o.weights.empty()) return o.weights;
    if (const auto cached = nst::find_cached_weights()) return cached->string();
    if (o.offline) {
        std::fprintf(stderr, "warning: --offline and no cached weights at %s: using untrained features\n",
                     nst::cached_weights_path().c_str());
        return "";
    }
    try {
        return download_weights(o.weights_url).path.string();
    } catch (const nst::UsageError&) {
        throw;  // a refused URL is the user's to fix, not a reason to run on random features
    } catch (const nst::Error& e) {
        std::fprintf(stderr,
                     "warning: using untrained features because the VGG19 weights could not be downloaded: %s "
                     "[retry with nst --fetch-weights, or pass --weights FILE]\n",
                     e.what());
        return "";
    }
}

// One line for the log and the terminal: what the style term uses.
std::string describe_style(const Options& o, const nst::Params& p) {
    std::string out;
    for (std::size_t k = 0; k < o.styles.size(); ++k) {
        if (k) out += " + ";
        out += std::filesystem::path(o.styles[k]).filename().string();
        if (o.styles.size() > 1) out += " x" + number(p.style_blend[k]);
    }
    return out + " | colours " + nst::color_mode_name(p.colors) + " | scale " + number(p.style_scale) +
           " | statistic " + nst::style_loss_name(p.style_loss);
}

std::filesystem::path numbered(const std::filesystem::path& output, int step) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "_%06d", step);
    return output.parent_path() / (output.stem().string() + suffix + output.extension().string());
}

int run(const Options& o, bool style_weight_given) {
    if (o.fetch_weights) return fetch_only(o);
    validate(o);
    nst::Params params = o.params;
    params.content_layers = nst::parse_layer_spec(o.content_layers, "--content-layers");
    params.style_layers = nst::parse_layer_spec(o.style_layers, "--style-layers");
    if (!o.style_blend.empty()) params.style_blend = nst::parse_blend(o.style_blend);
    params.style_blend = nst::normalized_blend(params.style_blend, o.styles.size());
    params.colors = nst::parse_color_mode(o.preserve_colors);
    params.style_loss = nst::parse_style_loss(o.style_loss);
    nst::check_output_path(o.output);

    nst::EngineOptions engine_options;
    engine_options.pooling = o.pooling == "avg" ? nst::Pooling::Avg : nst::Pooling::Max;
    engine_options.device = o.device;
    engine_options.threads = o.threads;
    engine_options.seed = o.seed;
    engine_options.precision = nst::parse_precision(o.precision);
    engine_options.cuda_graph = o.cuda_graph;
    if (!o.features.empty()) engine_options.features = nst::parse_random_features(o.features);
    // Resolve the device before the slow work so that a bad --device fails at once.
    const std::string device = nst::resolve_device(o.device);

    const nst::Image content_full = nst::load_image(o.content, o.max_pixels);
    // The engine resizes each style to --style-scale x the content's long side at every level.
    std::vector<nst::Image> styles;
    for (const auto& path : o.styles) styles.push_back(nst::load_image(path, o.max_pixels));
    const nst::Image content = nst::resize_long_side(content_full, o.size);
    // After the inputs are known to be good: a typo in a file name should not cost a download.
    engine_options.features.weights_path = resolve_weights(o);
    if (!style_weight_given)
        params.style_weight = nst::default_style_weight(params.style_loss, engine_options.features.random());

    std::ofstream log;
    if (!o.log_json.empty()) {
        log.open(o.log_json, std::ios::trunc);
        if (!log) throw nst::Error("--log-json " + o.log_json + ": cannot open for writing");
    }

    nst::Engine engine(engine_options, params);
    if (engine.random_features()) std::fprintf(stderr, "warning: %s\n", nst::kRandomFeaturesWarning);
    std::fprintf(stderr, "nst %s | LibTorch %s | device %s | %dx%d | %d steps | features: %s\n", nst::version(),
                 nst::libtorch_version().c_str(), device.c_str(), content.width, content.height, o.steps,
                 engine.random_features() ? "untrained (random) features" : engine_options.features.weights_path.c_str());
    std::fprintf(stderr, "style: %s\n", describe_style(o, params).c_str());
    if (log.is_open()) {
        nlohmann::json head = {{"event", "start"},
                               {"features", engine.random_features() ? "untrained (random) features" : "vgg19"},
                               {"weights", engine_options.features.weights_path},
                               {"device", device},
                               {"width", content.width},
                               {"height", content.height},
                               {"styles", o.styles},
                               {"style_blend", params.style_blend},
                               {"preserve_colors", nst::color_mode_name(params.colors)},
                               {"style_scale", params.style_scale},
                               {"style_loss", nst::style_loss_name(params.style_loss)}};
        log << head.dump() << '\n';
    }

    // Coarse-to-fine: levels at size/2^k, each starting from the previous result upsampled; the
    // last level is --size with --steps steps. Coarse steps are cheap (1/4 the pixels per level).
    struct Level {
        int size, steps;
    };
    std::vector<Level> levels;
    for (int k = o.scales - 1; k >= 1; --k) levels.push_back({o.size >> k, o.coarse_steps});
    levels.push_back({o.size, o.steps});
    int total_steps = 0;
    for (const auto& l : levels) total_steps += l.steps;

    nst::cli::Progress progress(total_steps, stderr);
    int step = 0;
    for (std::size_t li = 0; li < levels.size(); ++li) {
        const Level& level = levels[li];
        const auto t_level = std::chrono::steady_clock::now();
        const bool last = li + 1 == levels.size();
        const nst::Image c = last ? content : nst::resize_long_side(content_full, level.size);
        if (li == 0)
            engine.set_images(c, styles, o.init == "noise" ? nst::Init::Noise : nst::Init::Content);
        else
            engine.retarget(c, styles, engine.image());
        if (log.is_open() && levels.size() > 1) {
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_level).count();
            log << nlohmann::json{{"event", "level"}, {"size", level.size}, {"width", c.width}, {"height", c.height},
                                  {"ms", ms}}.dump()
                << '\n';
        }
        for (int i = 0; i < level.steps; ++i) {
            ++step;
            const auto t0 = std::chrono::steady_clock::now();
            engine.step();
            const nst::Losses losses = engine.last_losses();  // also waits for the step on a GPU
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (!std::isfinite(losses.total))
                throw nst::Error("the loss became " + number(losses.total) + " at step " + std::to_string(step) +
                                 "; try a smaller --lr");
            if (log.is_open()) {
                nlohmann::json line = {{"step", step},          {"content", losses.content},
                                       {"style", losses.style}, {"tv", losses.tv},
                                       {"total", losses.total}, {"ms", ms}};
                if (levels.size() > 1) line["size"] = level.size;
                log << line.dump() << '\n';
            }
            progress.update(step, losses);
            if (o.save_every > 0 && step % o.save_every == 0 && step != total_steps)
                nst::save_image(engine.result(), numbered(o.output, step));
        }
    }
    progress.finish();
    nst::save_image(engine.result(), o.output);
    std::fprintf(stderr, "wrote %s%s\n", o.output.c_str(),
                 engine.random_features() ? " (made with untrained (random) features, not VGG19)" : "");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"nst: neural style transfer (Gatys et al.) with a frozen VGG19; content + style -> output image"};
    app.set_version_flag("--version",
                         [] {
                             return std::string("nst ") + nst::version() + "\nLibTorch " + nst::libtorch_version() +
                                    "\nCUDA compiled in: " + (nst::cuda_compiled() ? "yes" : "no") +
                                    "\nCUDA available: " + (nst::cuda_available() ? "yes" : "no");
                         });
    app.option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    // Required unless --fetch-weights (checked in validate()).
    app.add_option("--content", o.content, "Content image (JPEG, PNG, BMP, TGA, GIF); required");
    app.add_option("--style", o.styles, "Style image(s): repeat the flag or give a comma list; required")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->delimiter(',');
    app.add_option("--style-blend", o.style_blend,
                   "Blend weights, one per style (e.g. 3,1; normalised to sum 1); default: equal");
    app.add_option("--preserve-colors", o.preserve_colors,
                   "Colour control: off, post (the content's chrominance on the result), luminance "
                   "(luminance-only transfer) or histogram (style colours matched to the content's)");
    app.add_option("--style-scale", o.params.style_scale,
                   "Style images are resized to this x --size on their long side before their targets (0.1-4)");
    app.add_option("--style-loss", o.style_loss, "Style statistic: gram (Gatys et al.) or w2 (Wasserstein-2)");
    app.add_option("--output,-o", o.output, "Output image (.jpg, .jpeg or .png), written atomically");
    app.add_option("--size", o.size, "Long side of the optimised image in pixels");
    app.add_option("--steps", o.steps, "Number of Adam steps (at the full size)");
    app.add_option("--scales", o.scales, "Coarse-to-fine levels: 1 = plain; N runs --coarse-steps at size/2^k first");
    app.add_option("--coarse-steps", o.coarse_steps, "Steps at each coarser level when --scales > 1");
    app.add_option("--precision", o.precision, "fp32, bf16 (CPU with AVX-512 BF16, or CUDA) or tf32 (CUDA)");
    app.add_flag("--cuda-graph", o.cuda_graph, "CUDA: replay each step as a captured CUDA graph");
    app.add_option("--lr", o.params.lr, "Adam learning rate (image values are in [0,1])");
    app.add_option("--content-weight", o.params.content_weight, "Content loss weight (alpha)");
    app.add_option("--style-weight", o.params.style_weight,
                   "Style loss weight (beta); default 1e6 (1e8 with random features; 500 with --style-loss w2)");
    app.add_option("--tv-weight", o.params.tv_weight, "Total-variation loss weight (gamma)");
    app.add_option("--content-layers", o.content_layers, "Content layers as name:weight,...");
    app.add_option("--style-layers", o.style_layers, "Style layers as name:weight,...");
    app.add_option("--init", o.init, "Initial image: content or noise");
    app.add_option("--pooling", o.pooling, "VGG19 pooling: max or avg");
    app.add_option("--weights", o.weights,
                   "VGG19 weights (.safetensors, torchvision key names); default: the cache, else a download");
    app.add_option("--weights-url", o.weights_url,
                   "Where to download the VGG19 weights from (https; env NST_WEIGHTS_URL)");
    app.add_flag("--offline", o.offline, "Never download: without --weights or a cached file, use untrained features");
    app.add_flag("--fetch-weights", o.fetch_weights,
                 "Only download the VGG19 features into the cache (replacing a cached copy), say where, and exit");
    app.add_option("--features", o.features, "random[:SEED]: untrained random features (offline mode)");
    app.add_option("--device", o.device, "auto, cpu, cuda or cuda:N");
    app.add_option("--seed", o.seed, "Seed for --init noise");
    app.add_option("--threads", o.threads, "CPU threads (0 = LibTorch default)");
    app.add_option("--save-every", o.save_every, "Also write numbered intermediate images every K steps (0 = off)");
    app.add_option("--log-json", o.log_json, "Write one JSON object per step to this file");
    app.add_option("--max-pixels", o.max_pixels, "Refuse input images with more pixels than this");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help / --version
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "nst: %s\nRun 'nst --help' for the list of flags.\n", e.what());
        return kExitUsage;
    }
    try {
        return run(o, app.count("--style-weight") > 0);
    } catch (const nst::UsageError& e) {
        std::fprintf(stderr, "\nnst: %s\n", e.what());
        return kExitUsage;
    } catch (const nst::Error& e) {
        std::fprintf(stderr, "\nnst: %s\n", e.what());
        return kExitRuntime;
    } catch (const std::exception& e) {
        // LibTorch errors (out of memory, ...) are multi-line; the first line says what happened.
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        std::fprintf(stderr, "\nnst: %s\n", what.c_str());
        return kExitRuntime;
    }
}

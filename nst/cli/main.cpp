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

#include "levels.h"
#include "nst/nst.h"
#include "nst/param_cli.h"
#include "nst/settings.h"
#include "nst/sweep.h"
#include "nst/weights.h"
#include "progress.h"
#include "run_inputs.h"
#include "session_args.h"
#include "sweep_run.h"
#include "tiling_args.h"
#include "video_run.h"

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// The shared run parameters (nst/settings.h, flags from the table) and what only nst has.
struct Options {
    nst::RunSettings run;
    std::string output = "output.jpg";
    bool cuda_graph = false;
    bool fetch_weights = false;
    int save_every = 0;
    std::vector<std::string> sweeps;  // --sweep NAME=VALUES (sweep_run.cpp)
    std::string sweep_mode = "auto";
};

void require(bool ok, const std::string& message) {
    if (!ok) throw nst::UsageError(message);
}

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// Each shared value was checked when it was set; here what involves several, and nst's own.
void validate(const Options& o) {
    nst::validate(o.run, nst::Use::Batch);  // with --video, the clip's frames are the content
    require(o.save_every >= 0, "--save-every " + std::to_string(o.save_every) + ": must be >= 0");
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
    require(!o.run.offline, "--fetch-weights and --offline are mutually exclusive");
    const nst::FetchResult r = download_weights(o.run.weights_url);
    std::printf("VGG19 features saved to %s: %s downloaded (%llu bytes) of the %s model file%s\n", r.path.c_str(),
                megabytes(r.bytes_downloaded).c_str(), static_cast<unsigned long long>(r.bytes_downloaded),
                r.remote_size ? megabytes(r.remote_size).c_str() : "(size unknown)",
                r.used_ranges ? "" : " (the server ignored range requests; the file was streamed)");
    return 0;
}

// Where the weights come from: --weights FILE > the cache > a download (unless --offline) >
// untrained features. Returns the weights file, or "" for untrained features after printing why.
std::string resolve_weights(const nst::RunSettings& o) {
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

// "a.jpg x0.75 + b.png x0.25" (names alone for one style).
std::string style_names(const nst::RunSettings& o, const std::vector<float>& blend) {
    std::string out;
    for (std::size_t k = 0; k < o.styles.size(); ++k) {
        if (k) out += " + ";
        out += std::filesystem::path(o.styles[k]).filename().string();
        if (o.styles.size() > 1) out += " x" + number(blend[k]);
    }
    return out;
}

// One line for the log and the terminal: what the style term uses.
std::string describe_style(const nst::RunSettings& o, const nst::Params& p) {
    const std::string out = style_names(o, p.style_blend);
    return out + " | colours " + nst::color_mode_name(p.colors) + " | scale " + number(p.style_scale) +
           " | statistic " + nst::style_loss_name(p.style_loss) +
           (p.content_loss == nst::ContentLoss::MSE ? std::string() : std::string(" | content ") + nst::content_loss_name(p.content_loss));
}

// One line for the log and the terminal: how the image is optimised and where it starts.
std::string describe_optimizer(const nst::RunSettings& o, const nst::Params& p) {
    std::string out = std::string(nst::optimizer_name(p.optimizer)) + " lr " + number(p.lr);
    if (p.optimizer == nst::Optimizer::LBFGS) out += " history " + std::to_string(p.lbfgs_history);
    out += p.average > 0 ? " | average " + number(p.average) : std::string(" | no average");
    out += " | start ";
    out += o.init_image.empty() ? nst::init_name(nst::start_init(o)) : std::filesystem::path(o.init_image).filename().string();
    return out;
}

// One line for the terminal: the regions and the content map, e.g. "regions: 2 (sky.png → style 0
// ×1, face.png → none ×2), content map: map.png".
std::string describe_spatial(const nst::RunSettings& o) {
    std::string out = "regions: " + std::to_string(o.regions.size());
    for (std::size_t k = 0; k < o.regions.size(); ++k) {
        const nst::RegionSpec& r = o.regions[k];
        out += k ? ", " : " (";
        out += std::filesystem::path(r.mask).filename().string() + " → ";
        out += r.style == nst::kRegionNone ? std::string("none") : "style " + std::to_string(r.style);
        out += " ×" + number(r.weight);
    }
    if (!o.regions.empty()) out += ")";
    return out + ", content map: " +
           (o.content_map.empty() ? std::string("none") : std::filesystem::path(o.content_map).filename().string());
}

// The regions for the --log-json start line.
nlohmann::json regions_json(const std::vector<nst::RegionSpec>& regions) {
    nlohmann::json out = nlohmann::json::array();
    for (const nst::RegionSpec& r : regions)
        out.push_back({{"mask", r.mask},
                       {"style", r.style == nst::kRegionNone ? nlohmann::json("none") : nlohmann::json(r.style)},
                       {"weight", r.weight}});
    return out;
}

// One line for the terminal: the creative controls in use, e.g. "texture 256x256 | seamless |
// normalised gradients 0.5 | layer blend relu1_1=0/1"; empty when none is.
std::string describe_creative(const nst::RunSettings& o, const nst::Params& p) {
    std::vector<std::string> parts;
    if (nst::texture_mode(o)) {
        const auto [w, h] = nst::texture_size(o);
        parts.push_back("texture " + std::to_string(w) + "x" + std::to_string(h) + " (no content term)" +
                        (o.texture && !o.content.empty() ? ", --content not used" : ""));
    }
    if (p.seamless) parts.emplace_back("seamless");
    if (p.normalize_gradients > 0) parts.push_back("normalised gradients " + number(p.normalize_gradients));
    if (!p.layer_blend.empty()) parts.push_back("layer blend " + nst::format_layer_blend(p.layer_blend));
    std::string out;
    for (const auto& part : parts) out.append(out.empty() ? "" : " | ").append(part);
    return out;
}

// --colors-only: the content recoloured with the styles' palette, written at once (no engine, no
// weights, no steps).
int colors_only(const Options& o, const nst::Image& content_full, const std::vector<nst::Image>& styles) {
    const nst::RunSettings& s = o.run;
    const nst::Image content = nst::cli::content_at(content_full, s, s.size);
    const std::vector<float> blend = nst::normalized_blend(s.params.style_blend, styles.size());
    const nst::Image out = nst::color::colors_only(content, styles, blend);
    if (!s.log_json.empty()) {
        std::ofstream log(s.log_json, std::ios::trunc);
        if (!log) throw nst::Error("--log-json " + s.log_json + ": cannot open for writing");
        log << nlohmann::json{{"event", "start"},  {"colors_only", true},      {"width", content.width},
                              {"height", content.height}, {"styles", s.styles}, {"style_blend", blend}}
                   .dump()
            << '\n';
    }
    nst::save_image(out, o.output);
    std::fprintf(stderr, "wrote %s (colours only: %s recoloured with the palette of %s, %dx%d, no optimisation)\n",
                 o.output.c_str(), std::filesystem::path(s.content).filename().c_str(),
                 style_names(s, blend).c_str(),
                 content.width, content.height);
    return 0;
}

std::filesystem::path numbered(const std::filesystem::path& output, int step) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "_%06d", step);
    return output.parent_path() / (output.stem().string() + suffix + output.extension().string());
}

int run(const Options& o) {
    if (o.fetch_weights) return fetch_only(o);
    validate(o);
    // Before any work, whatever the run: a --tile under the pooling grid is the user's to fix.
    const int tile = nst::cli::checked_tile(o.run, stderr);
    if (!o.sweeps.empty()) {
        require(!nst::texture_mode(o.run), "--sweep needs --content (a texture is not swept yet)");
        require(!o.run.params.colors_only, "--sweep and --colors-only are mutually exclusive (nothing is optimised)");
        require(o.run.video.empty(), "--sweep and --video are mutually exclusive (sweep a look on a still frame)");
        require(o.save_every == 0, "--save-every does not apply to --sweep (each cell is written at the end)");
        return nst::cli::run_sweep({o.run, o.sweeps, o.sweep_mode, o.output, o.cuda_graph, resolve_weights});
    }
    if (!o.run.video.empty()) {
        require(o.save_every == 0, "--save-every does not apply to --video (each frame is kept as it finishes)");
        return nst::cli::run_video({o.run, o.output, o.cuda_graph, resolve_weights, [&o](const nst::Params& p) {
                                        std::fprintf(stderr, "style: %s\n", describe_style(o.run, p).c_str());
                                        std::fprintf(stderr, "optimizer: %s\n", describe_optimizer(o.run, p).c_str());
                                        if (!o.run.regions.empty() || !o.run.content_map.empty())
                                            std::fprintf(stderr, "%s\n", describe_spatial(o.run).c_str());
                                    }});
    }
    const nst::RunSettings& s = o.run;
    nst::check_output_path(o.output);

    nst::EngineOptions engine_options = nst::engine_options(s);
    engine_options.cuda_graph = o.cuda_graph;
    // Resolve the device before the slow work so that a bad --device fails at once.
    const std::string device = nst::resolve_device(s.device);

    // Texture mode (no --content, or --texture): the image is made from the styles alone.
    const bool texture = nst::texture_mode(s);
    const nst::Image content_full = texture ? nst::Image{} : nst::load_image(s.content, s.max_pixels);
    // The engine resizes each style to --style-scale x the content's long side at every level.
    const std::vector<nst::Image> styles = nst::cli::load_styles(s);
    if (s.params.colors_only) return colors_only(o, content_full, styles);
    // Texture mode starts from noise unless --init gray (there is no content to start from).
    const nst::Init init = nst::start_init(s);
    const nst::cli::Size full_size = nst::cli::run_size(s, {content_full.width, content_full.height}, s.size);
    const nst::Image content = texture ? nst::Image{} : nst::cli::content_at(content_full, s, s.size);
    if (s.params.seamless) {
        nst::RunSettings plain = s;
        plain.params.seamless = false;
        const nst::cli::Size asked = nst::cli::run_size(plain, {content_full.width, content_full.height}, s.size);
        if (asked.width != full_size.width || asked.height != full_size.height)
            std::fprintf(stderr, "nst: --seamless: %dx%d rounded to %dx%d (multiples of %d, the network's pooling grid)\n",
                         asked.width, asked.height, full_size.width, full_size.height, nst::seamless_grid(s.params));
    }
    // Masks at the run's size (the engine resamples them for coarser levels); read and checked
    // here, before a download or any step, so a bad mask leaves the previous output as it was.
    const nst::SpatialControl spatial =
        nst::load_spatial(s.regions, s.content_map, full_size.width, full_size.height, s.max_pixels);
    const nst::Image init_image = nst::cli::load_init_image(s);
    // Coarse-to-fine (levels.h): each level starts from the previous result upsampled; the last is
    // --size with --steps steps. Coarse steps are cheap (1/4 the pixels per level).
    const std::vector<nst::cli::Level> levels = nst::cli::coarse_to_fine_levels(s);
    const int total_steps = nst::cli::steps_in(levels);
    // Tiling, decided before any weights or output: every level must fit the memory budget.
    const int regions = static_cast<int>(spatial.regions.size());
    std::vector<nst::cli::Size> sizes;
    for (const nst::cli::Level& level : levels)
        sizes.push_back(nst::cli::run_size(s, {content_full.width, content_full.height}, level.size));
    nst::cli::apply(nst::cli::choose_tiling(s, tile, sizes, device, regions, stderr), engine_options);

    // After the inputs are known to be good: a typo in a file name should not cost a download.
    engine_options.features.weights_path = resolve_weights(s);
    const nst::Params params = nst::engine_params(s, engine_options.features.random());

    std::ofstream log;
    if (!s.log_json.empty()) {
        log.open(s.log_json, std::ios::trunc);
        if (!log) throw nst::Error("--log-json " + s.log_json + ": cannot open for writing");
    }

    // Tiles within a step on the progress bar (set once the bar exists; the engine calls it on
    // this thread, during step()).
    nst::cli::Progress* bar = nullptr;
    int step = 0;
    engine_options.on_tile = [&bar, &step](int pass, int done, int total) {
        if (bar) bar->tile(step, pass, done, total);
    };
    nst::Engine engine(engine_options, params);
    if (engine.random_features()) std::fprintf(stderr, "warning: %s\n", nst::kRandomFeaturesWarning);
    std::fprintf(stderr, "nst %s | LibTorch %s | device %s | %dx%d | %d steps | features: %s\n", nst::version(),
                 nst::libtorch_version().c_str(), device.c_str(), full_size.width, full_size.height, s.steps,
                 engine.random_features() ? "untrained (random) features" : engine_options.features.weights_path.c_str());
    std::fprintf(stderr, "style: %s\n", describe_style(s, params).c_str());
    std::fprintf(stderr, "optimizer: %s\n", describe_optimizer(s, params).c_str());
    if (!spatial.empty()) std::fprintf(stderr, "%s\n", describe_spatial(s).c_str());
    if (const std::string creative = describe_creative(s, params); !creative.empty())
        std::fprintf(stderr, "%s\n", creative.c_str());

    // --log-json's first line, written once the engine took the first level: a one-level run's
    // tile plan is on it (a run of several levels has it on each level line).
    nlohmann::json head = {{"event", "start"},
                           {"features", engine.random_features() ? "untrained (random) features" : "vgg19"},
                           {"weights", engine_options.features.weights_path},
                           {"device", device},
                           {"width", full_size.width},
                           {"height", full_size.height},
                           {"texture", texture},
                           {"seamless", params.seamless},
                           {"normalize_gradients", params.normalize_gradients},
                           {"layer_blend", nst::format_layer_blend(params.layer_blend)},
                           {"colors_only", false},
                           {"styles", s.styles},
                           {"style_blend", params.style_blend},
                           {"preserve_colors", nst::color_mode_name(params.colors)},
                           {"style_scale", params.style_scale},
                           {"style_loss", nst::style_loss_name(params.style_loss)},
                           {"content_loss", nst::content_loss_name(params.content_loss)},
                           {"sw_directions", params.sw_directions},
                           {"samples", params.samples},
                           {"regions", regions_json(s.regions)},
                           {"content_map", s.content_map},
                           {"optimizer", nst::optimizer_name(params.optimizer)},
                           {"lr", params.lr},
                           {"lbfgs_history", params.lbfgs_history},
                           {"average", params.average},
                           {"init", s.init_image.empty() ? nst::init_name(init) : "image"},
                           {"init_image", s.init_image}};
    head["max_memory"] = engine_options.max_memory;  // the budget the engine tiles by (0: an explicit --tile)

    nst::cli::Progress progress(total_steps, stderr);
    bar = &progress;
    for (std::size_t li = 0; li < levels.size(); ++li) {
        const nst::cli::Level& level = levels[li];
        const auto t_level = std::chrono::steady_clock::now();
        const bool last = li + 1 == levels.size();
        const nst::cli::Size z = nst::cli::run_size(s, {content_full.width, content_full.height}, level.size);
        const nst::Image c = texture ? nst::Image{} : last ? content : nst::cli::content_at(content_full, s, level.size);
        if (texture && li == 0 && !init_image.empty())
            engine.retarget_texture(z.width, z.height, styles, init_image);
        else if (texture && li == 0)
            engine.set_texture(z.width, z.height, styles, init);
        else if (texture)
            engine.retarget_texture(z.width, z.height, styles, engine.image());
        else if (li == 0 && !init_image.empty())
            engine.retarget(c, styles, init_image);  // resized to the level's size
        else if (li == 0)
            engine.set_images(c, styles, s.init);
        else
            engine.retarget(c, styles, engine.image());
        // Once: the engine keeps the control across levels, resampled to each level's size.
        if (li == 0 && !spatial.empty()) engine.set_spatial(spatial);
        const nst::TilePlan plan = engine.tiling();
        if (plan.tiled())
            progress.note("nst: " + nst::cli::describe_tiles(z, plan, params, s.precision, regions));
        if (li == 0 && log.is_open()) {
            if (levels.size() == 1) head["tiling"] = nst::cli::tiles_json(plan);
            log << head.dump() << '\n';
        }
        if (log.is_open() && levels.size() > 1) {
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_level).count();
            log << nlohmann::json{{"event", "level"}, {"size", level.size}, {"width", z.width}, {"height", z.height},
                                  {"ms", ms}, {"tiling", nst::cli::tiles_json(plan)}}.dump()
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
    // --session FILE: read before the parse, its settings are the defaults the flags start from.
    nst::cli::SessionFlags session_flags;
    std::optional<nst::Session> session;
    if (const auto file = nst::cli::find_session_arg(argc, argv)) {
        try {
            session = nst::load_session(*file);
            o.run = nst::cli::session_settings(*session);
        } catch (const nst::Error& e) {  // nothing is written: the run has not started
            std::fprintf(stderr, "nst: %s\n", e.what());
            return dynamic_cast<const nst::UsageError*>(&e) ? kExitUsage : kExitRuntime;
        }
    }
    // The shared flags (the table in nst/param_table.h); their values are checked as they are set.
    nst::add_to_cli(app, o.run);
    nst::cli::add_session_flags(app, session_flags);
    // nst's own.
    app.add_option("--output,-o", o.output,
                   "Output image (.jpg, .jpeg or .png), written atomically; with --video a video or a frame pattern");
    app.add_flag("--cuda-graph", o.cuda_graph, "CUDA: replay each step as a captured CUDA graph");
    app.add_flag("--fetch-weights", o.fetch_weights,
                 "Only download the VGG19 features into the cache (replacing a cached copy), say where, and exit");
    app.add_option("--save-every", o.save_every, "Also write numbered intermediate images every K steps (0 = off)");
    app.add_option("--sweep", o.sweeps,
                   "NAME=V1,V2,... or NAME=log:LO:HI:COUNT, up to twice (columns, then rows; at most 64 cells): "
                   "--output becomes a contact sheet and each cell's image is written beside it. NAME: " +
                       [] {
                           std::string names;
                           for (const std::string& n : nst::sweepable_params()) names += (names.empty() ? "" : ", ") + n;
                           return names;
                       }())
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->expected(1);
    app.add_option("--sweep-mode", o.sweep_mode,
                   "auto (batched where supported and faster), batch or sequential (one engine per cell)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help / --version
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "nst: %s\nRun 'nst --help' for the list of flags.\n", e.what());
        return kExitUsage;
    } catch (const nst::UsageError& e) {  // a shared flag's value, refused by its setter
        std::fprintf(stderr, "\nnst: %s\n", e.what());
        return kExitUsage;
    }
    try {
        if (session) nst::cli::check_session_run(session_flags, *session, o.run);
        return run(o);
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

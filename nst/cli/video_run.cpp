// nst --video (video_run.h): the checks, the header and the log, then the frame loop of
// nst/video/clip_render.h (the viewer's render runs the same one), whose flow worker decodes and
// computes the flows of the next frames while this thread optimises the current one; each finished
// frame goes into the folder beside the output at once, so a stopped render continues where it was.
#include "video_run.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <utility>

#include "frame_progress.h"
#include "levels.h"
#include "run_inputs.h"
#include "nst/nst.h"
#include "nst/param_table.h"
#include "nst/video/clip_render.h"
#include "nst/video/flow.h"
#include "nst/video/render.h"
#include "nst/video/video_io.h"
#include "tiling_args.h"

namespace nst::cli {
namespace {

// SIGINT/SIGTERM: finish the frame being optimised, keep it, stop. A second signal is the
// default action (the handler restores it), so a stuck run can still be killed.
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) {
    g_stop_signal = sig;
    std::signal(sig, SIG_DFL);
}
class StopSignals {
public:
    StopSignals() : int_(std::signal(SIGINT, on_stop_signal)), term_(std::signal(SIGTERM, on_stop_signal)) {
        g_stop_signal = 0;
    }
    ~StopSignals() {
        std::signal(SIGINT, int_);
        std::signal(SIGTERM, term_);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    void (*int_)(int);
    void (*term_)(int);
};

void require(bool ok, const std::string& message) {
    if (!ok) throw UsageError(message);
}

std::string pct(double fraction) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.0f%%", 100.0 * fraction);
    return buf;
}

const char* kind_name(video::SourceKind kind) {
    switch (kind) {
        case video::SourceKind::File: return "file";
        case video::SourceKind::Pattern: return "pattern";
        case video::SourceKind::Folder: return "folder";
    }
    return "file";
}

// Every setting that changes a finished frame: a folder of frames made with another recipe is
// not continued. The input is named by its absolute path, size and modification time.
std::string recipe_of(const VideoRequest& r, const video::FrameRange& range, const std::vector<int>& offsets,
                      const std::string& weights) {
    nlohmann::json settings = to_json(r.run);
    settings.erase("log-json");
    settings.erase("threads");  // changes float rounding only, not the look: another machine may continue
    // The video entries are the keys below (the input by file, the first frame, the parsed
    // offsets) or do not change a finished frame (the last frame, the frame limit): the recipe is
    // the one of before they were table entries, so such a stopped render still continues.
    for (const char* key : {"video", "frames", "frame-steps", "frame-lr", "temporal-frames", "temporal-weight",
                            "max-frames"})
        settings.erase(key);
    std::error_code ec;
    const auto input = std::filesystem::absolute(r.run.video, ec);
    nlohmann::json in = {{"path", input.string()}};
    if (std::filesystem::is_regular_file(input, ec)) {
        in["bytes"] = std::filesystem::file_size(input, ec);
        in["modified"] = std::filesystem::last_write_time(input, ec).time_since_epoch().count();
    }
    return nlohmann::json{{"nst", version()},
                          {"input", in},
                          {"first_frame", range.first + 1},
                          {"frame_steps", r.run.frame_steps},
                          {"frame_lr", r.run.frame_lr},
                          {"temporal_frames", offsets},
                          {"temporal_weight", r.run.params.temporal_weight},
                          {"weights", weights},
                          {"settings", settings}}
        .dump(1);
}

}  // namespace

int run_video(const VideoRequest& r) {
    const RunSettings& s = r.run;
    require(!s.video.empty(), "--video is required");
    validate(s, Use::Batch);  // --video and --content not both; the clip's frames are the content
    const std::vector<int> offsets = video::parse_temporal_frames(s.temporal_frames);
    const int tile = checked_tile(s, stderr);
    const std::string device = resolve_device(s.device);

    // The input, the range and the output, before any slow work.
    std::unique_ptr<video::FrameSource> source = video::open_frames(s.video, {s.max_pixels, s.max_frames});
    const video::VideoInfo info = source->info();
    const video::FrameRange range =
        s.frames.empty() ? video::FrameRange{0, info.frames - 1} : video::parse_frame_range(s.frames, info.frames);
    // An output that cannot be written is the user's to fix before anything runs (exit 2).
    const video::OutputSpec out = [&] {
        try {
            return video::check_video_output(r.output, &info);
        } catch (const UsageError&) {
            throw;
        } catch (const Error& e) {
            throw UsageError(e.what());
        }
    }();

    const std::vector<Image> styles = load_styles(s);
    const Size full = level_size({info.width, info.height}, s.size);
    const SpatialControl spatial = load_spatial(s.regions, s.content_map, full.width, full.height, s.max_pixels);
    const Image init_image = load_init_image(s);
    // The first frame (and each shot cut) starts cold: coarse-to-fine as a still. Later frames
    // start from the previous result, warped, at the full size.
    const std::vector<Level> levels = coarse_to_fine_levels(s);
    std::vector<Size> sizes;
    for (const Level& level : levels) sizes.push_back(level_size({info.width, info.height}, level.size));
    EngineOptions engine_options = nst::engine_options(s);
    engine_options.cuda_graph = r.cuda_graph;
    const int regions = static_cast<int>(spatial.regions.size());
    apply(choose_tiling(s, tile, sizes, device, regions, stderr), engine_options);

    engine_options.features.weights_path = r.resolve_weights(s);
    const Params params = engine_params(s, engine_options.features.random());
    const bool temporal = params.temporal_weight > 0;
    const float frame_lr = video::frame_learning_rate(s.frame_lr, params);

    std::ofstream log;
    if (!s.log_json.empty()) {
        log.open(s.log_json, std::ios::trunc);
        if (!log) throw Error("--log-json " + s.log_json + ": cannot open for writing");
    }

    const video::FrameStore store(video::FrameStore::dir_for(out.path),
                                  recipe_of(r, range, offsets, engine_options.features.weights_path));
    const int resume = store.first_missing(range.first, range.last);

    Engine engine(engine_options, params);
    if (engine.random_features()) std::fprintf(stderr, "warning: %s\n", kRandomFeaturesWarning);
    std::fprintf(stderr, "nst %s | LibTorch %s | device %s | %dx%d | video %s: %d frames at %.3g fps (%s, %s%s)\n",
                 version(), libtorch_version().c_str(), device.c_str(), full.width, full.height, s.video.c_str(),
                 info.frames, info.rate.fps(), info.container.c_str(), info.codec.c_str(),
                 info.has_audio ? ", audio" : "");
    std::fprintf(stderr,
                 "frames %d..%d | %d steps first, %d per frame (lr %g) | temporal weight %g, frames -%s | flow: %s\n",
                 range.first + 1, range.last + 1, s.steps, s.frame_steps, frame_lr, params.temporal_weight,
                 s.temporal_frames.c_str(), video::kFlowMethod);
    r.describe(params);
    if (store.started_over())
        std::fprintf(stderr, "nst: %s held frames of another recipe: starting over\n", store.dir().c_str());
    if (resume > range.first)
        std::fprintf(stderr, "nst: continuing at frame %d: %d of %d frames already finished in %s\n", resume + 1,
                     resume - range.first, range.count(), store.dir().c_str());

    if (log.is_open())
        log << nlohmann::json{{"event", "start"},
                              {"features", engine.random_features() ? "untrained (random) features" : "vgg19"},
                              {"weights", engine_options.features.weights_path},
                              {"device", device},
                              {"width", full.width},
                              {"height", full.height},
                              {"styles", s.styles},
                              {"style_loss", style_loss_name(params.style_loss)},
                              {"content_loss", content_loss_name(params.content_loss)},
                              {"optimizer", optimizer_name(params.optimizer)},
                              {"video",
                               {{"input", s.video},
                                {"kind", kind_name(info.kind)},
                                {"frames", info.frames},
                                {"fps", info.rate.fps()},
                                {"first", range.first + 1},
                                {"last", range.last + 1},
                                {"resume", resume + 1},
                                {"audio", info.has_audio}}},
                              {"temporal",
                               {{"weight", params.temporal_weight},
                                {"frames", offsets},
                                {"frame_steps", s.frame_steps},
                                {"frame_lr", frame_lr},
                                {"first_steps", steps_in(levels)},
                                {"cut_below", video::TemporalSettings{}.cut_below},
                                {"flow", video::kFlowMethod}}}}
                   .dump()
            << '\n';

    const StopSignals signals;
    // The frame loop (nst/video/clip_render.h, the viewer's render runs the same one): the flow
    // worker owns the source from here on; each finished frame is in the store at once.
    video::ClipPlan plan;
    plan.input = s.video;
    plan.limits = {s.max_pixels, s.max_frames};
    plan.range = range;
    plan.width = full.width;
    plan.height = full.height;
    plan.styles = styles;
    plan.spatial = spatial;
    plan.init = s.init;
    plan.init_image = init_image;
    for (const Level& level : levels) plan.cold.push_back({level.size, level.steps});
    plan.temporal.offsets = offsets;
    plan.temporal.frame_steps = s.frame_steps;
    plan.frame_lr = frame_lr;
    plan.params = params;
    video::ClipRenderer renderer(engine, std::move(plan), store, std::move(source));
    FrameProgress progress(renderer.frames_left(), renderer.steps_left(), stderr);

    for (int k = 1; !renderer.done(); ++k) {
        renderer.begin_frame();  // waits for the worker: the frame's content, flows and setup
        const video::FrameReport& setup = renderer.current();
        const int t = setup.index;
        if (setup.cut && temporal)
            progress.note("nst: frame " + std::to_string(t + 1) + ": shot cut (" + pct(setup.reliable) +
                          " of the pixels reliable): starts fresh, no temporal term");
        progress.frame(k, t + 1, renderer.steps_of_frame());
        std::optional<video::FrameReport> done;
        while (!done) {
            const auto t0 = std::chrono::steady_clock::now();
            renderer.step();
            const Losses losses = renderer.last_losses();
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            if (log.is_open())
                log << nlohmann::json{{"frame", t + 1},          {"step", engine.steps_done()},
                                      {"content", losses.content}, {"style", losses.style},
                                      {"tv", losses.tv},           {"temporal", losses.temporal},
                                      {"total", losses.total},     {"ms", ms}}
                           .dump()
                    << '\n';
            progress.update(engine.steps_done(), losses);
            done = renderer.take_finished();
        }
        if (log.is_open()) {
            nlohmann::json event = {{"event", "frame"},
                                    {"frame", t + 1},
                                    {"start", done->cold ? "cold" : "warped"},
                                    {"cut", done->cut},
                                    {"reliable", done->reliable},
                                    {"targets", done->targets},
                                    {"flow_ms", done->flow_ms},
                                    {"ms", done->ms}};
            // Against the previous result with the estimated flow, over its reliable pixels
            // (docs/LOSS.md); absent for the first frame of the range and of each shot.
            if (done->warping_error >= 0) event["warping_error"] = done->warping_error;
            log << event.dump() << '\n';
        }
        progress.frame_done();
        if (g_stop_signal != 0 && t < range.last) {
            const int sig = g_stop_signal;
            progress.finish("stopped");
            std::fprintf(stderr,
                         "nst: stopped by %s after frame %d; its frames are in %s: run the same command again "
                         "to continue\n",
                         sig == SIGINT ? "SIGINT" : "SIGTERM", t + 1, store.dir().c_str());
            return 128 + sig;
        }
    }
    if (resume <= range.last) progress.finish("stylized");

    // Assembly: the finished frames, in order, into the output (atomically), with the audio.
    video::EncodeJob job;
    job.output = out;
    job.width = full.width;
    job.height = full.height;
    job.frames = range.count();
    job.rate = info.rate;
    if (info.kind == video::SourceKind::File && info.has_audio) job.audio_from = s.video;
    job.first_frame = range.first;
    video::write_video(job, [&store, &range](int k) { return store.load(range.first + k); });
    store.remove();
    std::fprintf(stderr, "wrote %s: %d frames at %.3g fps%s%s\n", out.path.c_str(), range.count(), info.rate.fps(),
                 job.audio_from.empty() ? "" : ", the input's audio copied",
                 engine.random_features() ? " (made with untrained (random) features, not VGG19)" : "");
    return 0;
}

}  // namespace nst::cli

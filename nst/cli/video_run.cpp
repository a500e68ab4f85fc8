// nst --video (video_run.h). The flow worker (nst/video/flow.h) decodes and computes the flows of
// the next frames while this thread optimises the current one; each finished frame goes into the
// folder beside the output at once, so a stopped render continues where it was.
#include "video_run.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "frame_progress.h"
#include "levels.h"
#include "run_inputs.h"
#include "nst/nst.h"
#include "nst/param_table.h"
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
    video::TemporalSettings settings;
    settings.offsets = offsets;
    settings.frame_steps = s.frame_steps;
    const int first_steps = steps_in(levels);
    const long total_steps =
        resume > range.last ? 0 : (resume == range.first ? first_steps : s.frame_steps) + static_cast<long>(range.last - resume) * s.frame_steps;
    FrameProgress progress(range.last - resume + 1, total_steps, stderr);

    if (resume <= range.last) {
        // The worker starts early enough to give the first frame to render its links to the
        // finished ones; it owns the source from here on (decoding happens on its thread).
        const int max_offset = temporal ? offsets.back() : 0;
        const int feed_first = std::max(range.first, resume - max_offset);
        std::shared_ptr<video::FrameSource> shared_source(std::move(source));
        video::FrameFeed feed(
            [shared_source, full](int i) {
                const Image frame = shared_source->frame(i);
                return frame.width == full.width && frame.height == full.height ? frame
                                                                                  : resize_to(frame, full.width, full.height);
            },
            feed_first, range.last, temporal ? offsets : std::vector<int>{});

        std::map<int, Image> finished;  // the last results, as written (what a resumed run reads)
        int shot_start = range.first;   // the first frame of the current shot: no link reaches past it
        const auto earlier = [&](int i) -> const Image* {
            if (i < shot_start || i < range.first) return nullptr;
            auto it = finished.find(i);
            if (it == finished.end() && store.has(i)) it = finished.emplace(i, store.load(i)).first;
            return it == finished.end() ? nullptr : &it->second;
        };
        bool engine_ready = false;
        float engine_lr = params.lr;
        int k = 0;
        while (auto frame = feed.next()) {
            const int t = frame->index;
            if (t < resume) {
                // Finished earlier: only the shot boundaries matter (the same test as when it ran).
                if (temporal && t > range.first && !frame->links.empty() && frame->links.front().offset == 1 &&
                    frame->links.front().reliability.mean() < settings.cut_below)
                    shot_start = t;
                continue;
            }
            const auto t_frame = std::chrono::steady_clock::now();
            video::FrameSetup setup;
            if (temporal) {
                setup = video::temporal_setup(*frame, earlier, settings);
            } else {
                setup.fresh = true;  // independent frames: each from its own content
                setup.start = frame->content;
            }
            if (setup.cut) {
                shot_start = t;
                progress.note("nst: frame " + std::to_string(t + 1) + ": shot cut (" + pct(setup.reliable) +
                              " of the pixels reliable): starts fresh, no temporal term");
            }
            const bool cold = setup.fresh || setup.cut;
            const std::vector<Level> schedule = cold ? levels : std::vector<Level>{{s.size, s.frame_steps}};
            progress.frame(++k, t + 1, steps_in(schedule));
            for (std::size_t li = 0; li < schedule.size(); ++li) {
                const bool last = li + 1 == schedule.size();
                const Image c = last ? frame->content : resize_long_side(frame->content, schedule[li].size);
                if (cold && li == 0) {
                    // The start of a still: --init or --init-image (first frame only), at this level.
                    const bool use_init_image = !init_image.empty() && t == range.first;
                    if (use_init_image) {
                        engine.retarget(c, styles, init_image);
                    } else if (!engine_ready || levels.size() > 1) {
                        engine.set_images(c, styles, s.init);
                    } else {
                        engine.set_content(c, c);
                        if (s.init != Init::Content) engine.restart(s.init);
                    }
                } else if (cold) {
                    engine.retarget(c, styles, engine.image());
                } else if (!engine_ready) {
                    engine.retarget(c, styles, setup.start);  // a resumed run's first frame
                } else {
                    engine.set_content(c, setup.start);
                }
                // A warm frame starts close to its result: a smaller Adam step (instant, no pass).
                if (const float lr = cold ? params.lr : frame_lr; lr != engine_lr) {
                    Params p = params;
                    p.lr = engine_lr = lr;
                    engine.set_params(p);
                }
                if (!engine_ready && !spatial.empty()) engine.set_spatial(spatial);
                engine_ready = true;
                if (last && !setup.targets.empty()) engine.set_temporal(setup.targets);
                for (int i = 0; i < schedule[li].steps; ++i) {
                    const auto t0 = std::chrono::steady_clock::now();
                    engine.step();
                    const Losses losses = engine.last_losses();
                    const double ms =
                        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
                    if (!std::isfinite(losses.total))
                        throw Error("the loss became " + std::to_string(losses.total) + " at frame " +
                                    std::to_string(t + 1) + "; try a smaller --lr");
                    if (log.is_open())
                        log << nlohmann::json{{"frame", t + 1},          {"step", engine.steps_done()},
                                              {"content", losses.content}, {"style", losses.style},
                                              {"tv", losses.tv},           {"temporal", losses.temporal},
                                              {"total", losses.total},     {"ms", ms}}
                                   .dump()
                            << '\n';
                    progress.update(engine.steps_done(), losses);
                }
            }
            store.save(t, engine.result());
            finished[t] = store.load(t);  // as a resumed run will read it
            for (auto it = finished.begin(); it != finished.end() && it->first < t - (temporal ? offsets.back() : 0);)
                it = finished.erase(it);
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_frame).count();
            if (log.is_open())
                log << nlohmann::json{{"event", "frame"},
                                      {"frame", t + 1},
                                      {"start", cold ? "cold" : "warped"},
                                      {"cut", setup.cut},
                                      {"reliable", setup.reliable},
                                      {"targets", setup.targets.size()},
                                      {"flow_ms", frame->flow_ms},
                                      {"ms", ms}}
                           .dump()
                    << '\n';
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
        progress.finish("stylized");
    }

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

#pragma once
// The render mode's other kind ("Render video..."): the live run's clip frame by frame, as nst
// --video renders it (one loop for both: nst::video::ClipRenderer), on a second nst::Engine built
// from the live run's features, network options, parameters, styles and regions at the live size.
// Each finished frame goes into the folder beside the output at once (video::FrameStore): a cancel
// keeps them and the same render started again continues; the output is assembled (with the
// clip's audio) when every frame is done. Lives on the optimizer thread. No torch headers.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nst/nst.h"
#include "nst/video/clip_render.h"
#include "nst/video/render.h"
#include "nst/video/video_io.h"
#include "run/frame.h"
#include "run/render_check.h"

namespace nstv {

// What the live run hands the video render (its inputs as loaded and its schedule).
struct VideoRenderInputs {
    std::string video;                  // the clip
    std::int64_t max_pixels = nst::kDefaultMaxPixels;
    int max_frames = nst::video::kDefaultMaxFrames;
    std::vector<nst::Image> styles;
    std::vector<std::string> style_paths;
    nst::SpatialControl spatial;        // at any size of the clip's aspect
    nst::Init init = nst::Init::Content;
    nst::Image init_image;
    int scales = 1, coarse_steps = 100; // the first frame's coarse-to-fine levels (the last: setup.steps)
};

class VideoRenderStepper {
public:
    // Opens the clip, checks the range and the output against it, builds the engine and the
    // renderer (resuming from the frames already in the folder when the recipe matches). Throws
    // nst::Error / nst::UsageError naming the problem; nothing is kept then.
    VideoRenderStepper(const RenderSetup& setup, nst::EngineOptions options, nst::Params params,
                       const VideoRenderInputs& in, std::function<void(int, int, int)> on_tile);
    ~VideoRenderStepper();
    VideoRenderStepper(const VideoRenderStepper&) = delete;
    VideoRenderStepper& operator=(const VideoRenderStepper&) = delete;

    void step();  // one step of the frame under way (setting it up first when new)
    [[nodiscard]] bool done() const { return renderer_->done(); }
    // Size, steps done and the estimate of all, frame k/n; with `preview` the frame under way.
    void status(RenderFrame& f, bool preview) const;
    // Assembles the output from the finished frames (atomically; the clip's audio copied), removes
    // the folder of frames; returns the output's absolute path. Throws nst::Error.
    [[nodiscard]] std::filesystem::path write() const;
    // What a cancel leaves: the finished frames and where.
    [[nodiscard]] std::string cancelled_text() const;
    [[nodiscard]] std::string done_text() const;
    [[nodiscard]] const RenderSetup& setup() const { return setup_; }
    [[nodiscard]] int width() const { return width_; }
    [[nodiscard]] int height() const { return height_; }
    [[nodiscard]] bool random_features() const { return engine_->random_features(); }
    [[nodiscard]] int resumed_at() const { return resume_; }  // 0-based first frame this render makes
    // What the user is told when it starts: it continues after finished frames, or the folder held
    // frames of other settings and starts over ("" for a plain start).
    [[nodiscard]] std::string start_text() const;
    // Reports of the frames finished since the last call (the log's "video_frame" events).
    [[nodiscard]] std::vector<nst::video::FrameReport> take_reports();

private:
    RenderSetup setup_;
    nst::video::VideoInfo info_;
    nst::video::OutputSpec out_;
    nst::video::FrameRange range_;
    int width_ = 0, height_ = 0;
    int resume_ = 0;
    long steps_ = 0;  // steps this render made
    std::unique_ptr<nst::Engine> engine_;
    std::unique_ptr<nst::video::FrameStore> store_;
    std::unique_ptr<nst::video::ClipRenderer> renderer_;
    std::shared_ptr<std::map<int, double>> errors_ = std::make_shared<std::map<int, double>>();
    std::vector<nst::video::FrameReport> reports_;
};

}  // namespace nstv

#pragma once
// What "Render final..." asks the optimizer for (RenderSetup) and the checks made before anything
// runs: the output can be written, the size, steps and tile are in range. Torch-free (nst_core
// only), so the UI thread and the tests use it without an engine.
#include <cstdint>
#include <string>

namespace nstv {

// Long sides the render accepts: --size's range.
inline constexpr int kMinRenderSize = 16;
inline constexpr int kMaxRenderSize = 8192;
inline constexpr int kMaxRenderSteps = 1'000'000;
// The preview's long side at most (the result itself may be 8192 px).
inline constexpr int kRenderPreviewSize = 1024;

// "Render video...": the live run's clip frame by frame with the temporal loss (nst --video's
// loop, nst::video::ClipRenderer), into a video file or a frame pattern. Its finished frames are
// kept beside the output (video::FrameStore) until it is assembled: a cancel keeps them and the
// same render started again continues.
struct VideoRender {
    bool on = false;
    std::string frames;                  // A:B, 1-based inclusive (empty: the whole clip)
    int frame_steps = 100;               // steps of each frame after the first (the first: `steps`)
    float frame_lr = 0;                  // their learning rate (0: video::frame_learning_rate's default)
    std::string temporal_frames = "1,2,4";
    float temporal_weight = 1e4f;        // 0: each frame on its own
};

// UI -> optimizer: what to render. The UI checks the output before it sends one
// (render_output_problem); the file is written only when every step is done.
struct RenderSetup {
    int size = 2048;                 // the output's long side (the content's aspect)
    int steps = 200;
    std::string output;              // .png (with the recipe as metadata) or .jpg/.jpeg
    int tile = 0;                    // interior side in px (rounded to the pooling grid); 0: by memory
    std::uint64_t max_memory = 0;    // with tile 0: the budget; 0 = nst::default_max_memory(device)
    VideoRender video;               // on: `size` is each frame's long side, `steps` the first frame's
};

// Empty when `path` can take the render, else one line naming the path and the problem: not an
// image extension nst writes, a folder, a missing folder, or a folder that cannot be written
// (probed by creating and removing a file there). Relative paths are taken from the working folder.
[[nodiscard]] std::string render_output_problem(const std::string& path);
// Empty when the size, steps and tile are in range, else why not.
[[nodiscard]] std::string render_setup_problem(const RenderSetup& setup);
// "Render video...": empty when the output can take a clip (a .mp4/.webm/.mkv file or a frame
// pattern with %d, in a folder that can be written), the frames are a range of a clip of
// `clip_frames` frames and the steps and temporal frames are valid; else one line naming the
// field and the problem.
[[nodiscard]] std::string video_render_problem(const RenderSetup& setup, int clip_frames);

}  // namespace nstv

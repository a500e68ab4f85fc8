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

// UI -> optimizer: what to render. The UI checks the output before it sends one
// (render_output_problem); the file is written only when every step is done.
struct RenderSetup {
    int size = 2048;                 // the output's long side (the content's aspect)
    int steps = 200;
    std::string output;              // .png (with the recipe as metadata) or .jpg/.jpeg
    int tile = 0;                    // interior side in px (rounded to the pooling grid); 0: by memory
    std::uint64_t max_memory = 0;    // with tile 0: the budget; 0 = nst::default_max_memory(device)
};

// Empty when `path` can take the render, else one line naming the path and the problem: not an
// image extension nst writes, a folder, a missing folder, or a folder that cannot be written
// (probed by creating and removing a file there). Relative paths are taken from the working folder.
[[nodiscard]] std::string render_output_problem(const std::string& path);
// Empty when the size, steps and tile are in range, else why not.
[[nodiscard]] std::string render_setup_problem(const RenderSetup& setup);

}  // namespace nstv

#pragma once
// nst's tiled steps (issue 13): --tile and --max-memory checked and turned into the engine's
// options before any work (no weights loaded, no output opened), and what the run says about them:
// a line per level that runs tiled and the plan in --log-json. The tile geometry and the memory
// model are the engine's (nst/tiling.h); this is the program's policy and its messages.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nst/settings.h"
#include "nst/tiling.h"

namespace nst::cli {

// The pooling grid of the deepest layer `params` use: tiles are multiples of `stride` px and each
// carries `halo` px of context on its cut sides.
struct TileGrid {
    std::string layer;  // that layer's name ("relu5_1")
    int stride = 1, halo = 0;
};
[[nodiscard]] TileGrid tile_grid(const Params& params);

// --tile as the engine will use it: 0 when not given, else N on the grid, said once on `notices`
// when rounding moved it. Throws nst::UsageError for 0 < N < stride, naming the smallest tile.
[[nodiscard]] int checked_tile(const RunSettings& s, std::FILE* notices);

struct Size {
    int width = 0, height = 0;
};
// The size resize_long_side() gives an image of `image` at `long_side`: each level's size before
// any image is resized.
[[nodiscard]] Size level_size(Size image, int long_side);

// What the engine is told: an explicit tile, or 0 and the budget with which it decides per level
// (coarse levels untiled, large ones tiled).
struct TilingChoice {
    int tile = 0;
    std::uint64_t max_memory = 0;
};

// The tiling of a run at `sizes` (its levels, the largest last). `tile` is checked_tile()'s. Without
// it, the budget is --max-memory, or default_max_memory(device); a --max-memory too small for even
// one tile at some level is an nst::UsageError naming the value as given and the smallest budget
// that works. The default budget never refuses (the estimate decides, it does not forbid): when
// too small it is raised to the smallest that works, with a warning on `notices`.
[[nodiscard]] TilingChoice choose_tiling(const RunSettings& s, int tile, const std::vector<Size>& sizes,
                                         const std::string& device, int regions, std::FILE* notices);
void apply(const TilingChoice& choice, EngineOptions& options);

// For a level that runs tiled: "2048x1536: 16 tiles of 512 px + 96 px halo (estimated peak 3.1 GiB;
// untiled 19 GiB)".
[[nodiscard]] std::string describe_tiles(Size size, const TilePlan& plan, const Params& params, Precision precision,
                                         int regions);
// The plan for --log-json: {"tile": 512, "halo": 96, "tiles": 16} (untiled: tile 0, 1 tile).
[[nodiscard]] nlohmann::json tiles_json(const TilePlan& plan);

}  // namespace nst::cli

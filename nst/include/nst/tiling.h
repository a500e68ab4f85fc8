#pragma once
// Tiled steps (docs/TILING.md): the geometry of tiles and halos, and the memory estimate that
// decides when to tile. A tiled step optimises exactly the whole image's loss: pass 1 (no
// gradients) accumulates each style layer's sums over the tiles' interiors, which gives the
// whole-image losses and ∂L/∂(sums); pass 2 runs each tile again with gradients on the linear
// term ⟨∂L/∂sums, sums_tile⟩ plus the content and TV terms of its interior, and adds its backward
// into the whole image's gradient. With a halo at least the receptive-field radius of the deepest
// layer and tile origins on the network's pooling grid, every interior activation equals the
// untiled one, so the gradient equals the untiled gradient to float rounding.
// No LibTorch here: the programs use it to check flags and plan before an Engine exists.
#include <cstdint>
#include <string>
#include <string_view>

#include "nst/engine.h"

namespace nst {

// The deepest ReLU index `params` uses (content or style): what the network is built up to.
[[nodiscard]] int deepest_layer(const Params& params);

// The total pooling stride before ReLU `deepest` (2^pools: 16 up to relu5_1). Tile origins and
// interior sizes are multiples of it, so each tile's pooling windows are the whole image's.
[[nodiscard]] int pooling_stride(int deepest);
// The receptive-field radius of ReLU `deepest` in input pixels: how far zero padding at a tile's
// cut edge reaches inwards (85 px for relu5_1), from the layer table.
[[nodiscard]] int receptive_radius(int deepest);
// The halo each tile carries around its interior: the radius rounded up to the stride (96 for
// relu5_1).
[[nodiscard]] int tile_halo(int deepest);

// A tile size as given (--tile N) on the stride grid: the nearest multiple of `stride`, at least
// `stride`. (The caller says so when it differs from the request.)
[[nodiscard]] int round_tile(int requested, int stride);

// How one image of width x height is cut: interiors of `tile` px (the last row and column take
// what is left), each with `halo` px of context on the sides that are not the image's edge.
struct TilePlan {
    int tile = 0;  // 0: untiled
    int halo = 0, stride = 1;
    int cols = 1, rows = 1;
    [[nodiscard]] bool tiled() const { return tile > 0; }
    [[nodiscard]] int count() const { return cols * rows; }
};
// Plans tiles for the deepest layer `params` uses. `tile` 0, or an image that fits in one
// interior, plans an untiled step.
[[nodiscard]] TilePlan plan_tiles(int width, int height, int tile, const Params& params);

// Estimated peak memory of one step in bytes at width x height: the whole-image buffers (image,
// gradient, optimiser state, inputs, content targets, region masks) plus the activations of one
// forward and backward through the largest tile (the whole image when `tile` is 0). A model
// fitted to measured peaks (docs/PERFORMANCE.md, "Tiled steps"); used to decide, never to refuse
// on its own. `regions` is the number of region masks (0: none).
[[nodiscard]] std::uint64_t estimate_step_bytes(int width, int height, int tile, const Params& params,
                                                Precision precision, int regions = 0);

// The largest tile (on the stride grid, at most the image's long side) whose estimate fits in
// `max_bytes`: 0 when the untiled step fits; -1 when not even the smallest tile fits.
[[nodiscard]] int choose_tile(int width, int height, std::uint64_t max_bytes, const Params& params,
                              Precision precision, int regions = 0);

// "4G", "4GB", "4GiB", "512M", "1.5g", "2000000000" (bytes): powers of 1024 for K, M, G, T.
// Throws nst::UsageError naming `flag` and the value otherwise (or for 0).
[[nodiscard]] std::uint64_t parse_memory(std::string_view text, std::string_view flag = "--max-memory");
// "3.2 GiB", "512 MiB": for messages and logs.
[[nodiscard]] std::string format_memory(std::uint64_t bytes);
// What --max-memory defaults to on `device` ("cpu", "cuda", "cuda:N"; resolved): 3/4 of the
// memory available now (MemAvailable, or the GPU's free memory).
[[nodiscard]] std::uint64_t default_max_memory(const std::string& device);

}  // namespace nst

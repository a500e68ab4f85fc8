#include "tiling_args.h"

#include <algorithm>
#include <cmath>

#include "nst/error.h"
#include "nst/layers.h"
#include "nst/param_table.h"

namespace nst::cli {
namespace {

std::string dims(Size s) { return std::to_string(s.width) + "x" + std::to_string(s.height); }

// `bytes` rounded up to what format_memory() shows (3 significant digits in its unit), so that
// the number a message prints, typed back as --max-memory, is enough.
std::uint64_t round_up_shown(std::uint64_t bytes) {
    double unit = 1;
    while (static_cast<double>(bytes) / unit >= 1024.0 && unit < 1024.0 * 1024 * 1024 * 1024) unit *= 1024;
    if (unit == 1) return bytes;
    const double v = static_cast<double>(bytes) / unit;
    const double step = v < 10 ? 0.01 : (v < 100 ? 0.1 : 1.0);
    return static_cast<std::uint64_t>(std::ceil(std::ceil(v / step) * step * unit));
}

// The smallest budget with which every size runs: the smallest tile at the largest of them.
std::uint64_t smallest_budget(const std::vector<Size>& sizes, int stride, const RunSettings& s, int regions) {
    std::uint64_t most = 0;
    for (const Size& z : sizes)
        most = std::max(most, estimate_step_bytes(z.width, z.height, stride, s.params, s.precision, regions));
    return round_up_shown(most);
}

}  // namespace

TileGrid tile_grid(const Params& params) {
    const int deepest = deepest_layer(params);
    TileGrid grid;
    grid.stride = pooling_stride(deepest);
    grid.halo = tile_halo(deepest);
    for (const VggLayer& layer : vgg19_layers())
        if (layer.index == deepest) grid.layer = layer.name;
    return grid;
}

int checked_tile(const RunSettings& s, std::FILE* notices) {
    if (s.tile == 0) return 0;
    const TileGrid grid = tile_grid(s.params);
    const std::string given = "--tile " + std::to_string(s.tile);
    if (s.tile < grid.stride)
        throw UsageError(given + ": the smallest tile is " + std::to_string(grid.stride) + " px (the pooling grid up to " +
                         grid.layer + "; each tile also carries a " + std::to_string(grid.halo) + " px halo)");
    const int tile = round_tile(s.tile, grid.stride);
    if (tile != s.tile)
        std::fprintf(notices, "nst: %s is not on the %d px pooling grid; using %d\n", given.c_str(), grid.stride, tile);
    return tile;
}

Size level_size(Size image, int long_side) {
    const bool landscape = image.width >= image.height;
    const double longer = landscape ? image.width : image.height;
    const double shorter = landscape ? image.height : image.width;
    const int short_side = std::max(1, static_cast<int>(std::lround(shorter * long_side / longer)));
    return landscape ? Size{long_side, short_side} : Size{short_side, long_side};
}

TilingChoice choose_tiling(const RunSettings& s, int tile, const std::vector<Size>& sizes, const std::string& device,
                           int regions, std::FILE* notices) {
    if (tile > 0) return {tile, 0};
    const std::uint64_t budget = s.max_memory ? s.max_memory : default_max_memory(device);
    const auto too_small = std::find_if(sizes.begin(), sizes.end(), [&](const Size& z) {
        return choose_tile(z.width, z.height, budget, s.params, s.precision, regions) < 0;
    });
    if (too_small == sizes.end()) return {0, budget};
    const Size largest = sizes.back();
    const int stride = tile_grid(s.params).stride;
    const std::uint64_t needed = smallest_budget(sizes, stride, s, regions);
    if (s.max_memory) {
        const std::string given = param("max-memory").get(s);
        throw UsageError("--max-memory " + given + " (" + format_memory(s.max_memory) +
                         ") is too small for even one tile at " + dims(largest) + ": the smallest that works is " +
                         format_memory(needed));
    }
    std::fprintf(notices,
                 "warning: 3/4 of the memory available now (%s) is less than one step needs even in the smallest "
                 "tiles at %s (estimated %s); running with that (--max-memory sets the budget)\n",
                 format_memory(budget).c_str(), dims(largest).c_str(), format_memory(needed).c_str());
    return {0, needed};
}

void apply(const TilingChoice& choice, EngineOptions& options) {
    options.tile = choice.tile;
    options.max_memory = choice.max_memory;
}

std::string describe_tiles(Size size, const TilePlan& plan, const Params& params, Precision precision, int regions) {
    const std::uint64_t peak = estimate_step_bytes(size.width, size.height, plan.tile, params, precision, regions);
    const std::uint64_t untiled = estimate_step_bytes(size.width, size.height, 0, params, precision, regions);
    return dims(size) + ": " + std::to_string(plan.count()) + " tiles of " + std::to_string(plan.tile) + " px + " +
           std::to_string(plan.halo) + " px halo (estimated peak " + format_memory(peak) + "; untiled " +
           format_memory(untiled) + ")";
}

nlohmann::json tiles_json(const TilePlan& plan) {
    return {{"tile", plan.tiled() ? plan.tile : 0}, {"halo", plan.tiled() ? plan.halo : 0},
            {"tiles", plan.tiled() ? plan.count() : 1}};
}

}  // namespace nst::cli

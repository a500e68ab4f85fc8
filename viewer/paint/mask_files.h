#pragma once
// The painted masks as the files `nst` takes: DIR/region1.png, DIR/region2.png, ... (8-bit grey,
// white = inside), DIR/content.png (the content-strength map, when it is not 1 everywhere) and
// DIR/flags.txt, the equivalent `nst` flags, which loading reads back for each mask's style and
// weight (without it: region1.png, region2.png, ... with no style, and content.png).
#include <cstddef>
#include <string>
#include <vector>

#include "paint/mask_layers.h"

namespace nstv {

// "--region DIR/region1.png:0:1 --content-map DIR/content.png" (nst::format_region).
[[nodiscard]] std::string mask_flags(const MaskLayers& masks, const std::string& dir);

// Creates DIR if needed; each file is written atomically. Throws (nst::Error, std::exception).
void save_masks(const MaskLayers& masks, const std::string& dir);

struct LoadedMasks {
    std::vector<MaskRegion> regions;  // masks at width x height, with their styles and weights
    nst::Plane content;               // empty: none
};
// Reads them back through nst::load_spatial (the same checks as `nst`: a file that cannot be
// read, an aspect ratio that differs from width:height by more than 1%, a style index not below
// style_count, more than 16 regions). Throws nst::Error / nst::UsageError naming the problem.
[[nodiscard]] LoadedMasks load_masks(const std::string& dir, int width, int height, std::size_t style_count);
// The same from `nst`'s flags (--region specs and --content-map, "" for none): nst-viewer's own.
[[nodiscard]] LoadedMasks load_masks(const std::vector<nst::RegionSpec>& specs, const std::string& content_map,
                                     int width, int height, std::size_t style_count);

}  // namespace nstv

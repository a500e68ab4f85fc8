#pragma once
// Spatial control (Gatys et al. 2017): regions of the image, each a soft mask with its own style
// (or none) and weight, and a content-strength map. No LibTorch here: the CLI builds these from
// files, the viewer from what is painted, and Engine::set_spatial takes them (docs/LOSS.md has
// the loss).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nst/image.h"

namespace nst {

inline constexpr int kMaxRegions = 16;
inline constexpr int kRegionNone = -1;  // a region with no style: only content and TV act there
inline constexpr float kMaxContentMultiplier = 4.0f;

// One channel, row-major, width*height floats.
struct Plane {
    int width = 0;
    int height = 0;
    std::vector<float> values;

    [[nodiscard]] bool empty() const { return width == 0 || height == 0; }
    bool operator==(const Plane&) const = default;
};

struct Region {
    Plane mask;                 // T_r in [0,1]: 1 inside; any size (resampled to the content's)
    int style = 0;              // index into the style list, or kRegionNone
    float weight = 1.0f;        // λ_r >= 0
    std::string source;         // for messages: the mask's file or "region 2"
    bool operator==(const Region&) const = default;
};

// Pixels that no region covers form the background, mask clamp(1 − Σ_r T_r, 0, 1), which takes
// the blend of all styles as without regions. No regions and no content map: the plain loss.
struct SpatialControl {
    std::vector<Region> regions;
    Plane content_map;          // content multipliers in [0, kMaxContentMultiplier]; empty = 1 everywhere

    [[nodiscard]] bool empty() const { return regions.empty() && content_map.empty(); }
    bool operator==(const SpatialControl&) const = default;
};

// The grey of a content-map PNG and the multiplier of the content term there: black 0 (pure
// style), grey 128 exactly 1 (unchanged), white 4 (photographic), linear on each side.
// `grey` in [0,1] (v/255).
[[nodiscard]] float content_multiplier(float grey);
[[nodiscard]] float content_grey(float multiplier);  // the inverse, clamped to [0,1]

// A --region value: "MASK.png:STYLE[:WEIGHT]", STYLE an index into the --style list from 0 or
// "none", WEIGHT >= 0 and finite (default 1). Read from the right, so a mask path may hold ':'.
struct RegionSpec {
    std::string mask;
    int style = 0;  // or kRegionNone
    float weight = 1.0f;
    bool operator==(const RegionSpec&) const = default;
};
// Throws nst::UsageError "--region VALUE: why" for a malformed value, a negative style or a bad
// weight (the style's upper bound is checked against the style list: check_regions).
[[nodiscard]] RegionSpec parse_region(std::string_view value);
[[nodiscard]] std::string format_region(const RegionSpec& spec);  // parse_region's inverse
// More than kMaxRegions, or a style index >= style_count → nst::UsageError naming the value.
void check_regions(const std::vector<RegionSpec>& regions, std::size_t style_count);

// What Engine::set_spatial refuses (nst::UsageError naming the region's source, or "region N"):
// more than kMaxRegions, a weight < 0 or non-finite, a plane whose values do not fit its size, a
// style that is neither kRegionNone nor below style_count (not checked when style_count is 0), a
// mask or map whose aspect is not width:height's (not checked when they are 0).
void check_spatial(const SpatialControl& c, std::size_t style_count, int width = 0, int height = 0);

// An image's luminance (Rec. 601) as a plane in [0,1]; and a plane as a grey image.
[[nodiscard]] Plane plane_from_image(const Image& img);
[[nodiscard]] Image image_from_plane(const Plane& plane);
// Resampled to an exact size: area-weighted when shrinking, bilinear when growing.
[[nodiscard]] Plane resize_plane(const Plane& plane, int width, int height);

// Throws nst::UsageError naming `what` and both sizes when the plane's aspect ratio differs from
// width:height by more than 1%. Both sizes count as rounded to whole pixels (half a pixel a side
// is allowed first), so a mask at the photo's own size passes at a small --size or coarse level.
void check_mask_aspect(const Plane& plane, int width, int height, std::string_view what);

// Reads the masks of `regions` and the content map (empty path: none), checks each aspect against
// the content's size and resizes them to it. A file that cannot be read: nst::Error naming it
// (and the flag); a wrong aspect: nst::UsageError.
[[nodiscard]] SpatialControl load_spatial(const std::vector<RegionSpec>& regions,
                                          const std::filesystem::path& content_map, int content_width,
                                          int content_height, std::int64_t max_pixels = kDefaultMaxPixels);

// Writes a mask or a content map as an 8-bit greyscale PNG (atomically) that load_spatial reads
// back to within 1/255: masks as T·255, content maps through content_grey.
void save_mask(const Plane& mask, const std::filesystem::path& path);
void save_content_map(const Plane& multipliers, const std::filesystem::path& path);

}  // namespace nst

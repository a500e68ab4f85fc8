// Spatial control without LibTorch (nst/regions.h): --region values, the content map's grey
// mapping, mask planes from and to image files, and their resampling to the content's size.
#include "nst/regions.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "nst/error.h"
#include "params/param_text.h"

namespace nst {
namespace {

constexpr std::string_view kRegionForm = "expected MASK.png:STYLE[:WEIGHT] (STYLE an index into the --style list "
                                         "from 0, or none)";

[[noreturn]] void refuse_region(std::string_view value, std::string_view why) {
    std::string message = "--region ";  // appends: GCC 12 warns falsely (-Wrestrict) on operator+ chains
    message.append(value.empty() ? "''" : value).append(": ").append(why);
    throw UsageError(message);
}

// "none" or an integer of any sign (a negative one is refused by the caller with its own reason).
std::optional<int> style_field(std::string_view text) {
    if (text == "none") return kRegionNone;
    const std::optional<int> index = parse_number<int>(text);
    if (index && *index < 0) return std::nullopt;
    return index;
}

bool looks_like_style(std::string_view text) { return text == "none" || parse_number<long long>(text).has_value(); }

std::string size_text(int width, int height) { return std::to_string(width) + "x" + std::to_string(height); }

// The luminance weights of Rec. 601, as color.cpp's YIQ uses.
float luminance(float r, float g, float b) { return 0.299f * r + 0.587f * g + 0.114f * b; }

// One output sample of a 1-D resampling: source indices and their weights (summing to 1).
struct Tap {
    int index;
    float weight;
};

// Area weights when shrinking (each output cell averages the source cells it covers, by the
// fraction covered: no aliasing of a mask's hard edge into stripes); bilinear between cell
// centres when growing (no blocky edges on a small painted mask). Equal sizes: the identity.
std::vector<std::vector<Tap>> taps(int from, int to) {
    std::vector<std::vector<Tap>> out(static_cast<std::size_t>(to));
    const double scale = static_cast<double>(from) / to;
    for (int i = 0; i < to; ++i) {
        auto& t = out[static_cast<std::size_t>(i)];
        if (from == to) {
            t.push_back({i, 1.0f});
        } else if (from > to) {
            const double lo = i * scale, hi = (i + 1) * scale;
            for (int k = static_cast<int>(std::floor(lo)); k < std::min(from, static_cast<int>(std::ceil(hi))); ++k) {
                const double overlap = std::min<double>(hi, k + 1) - std::max<double>(lo, k);
                if (overlap > 0) t.push_back({k, static_cast<float>(overlap / scale)});
            }
        } else {
            const double x = std::clamp((i + 0.5) * scale - 0.5, 0.0, static_cast<double>(from - 1));
            const int k = std::min(static_cast<int>(x), from - 1);
            const double f = x - k;
            t.push_back({k, static_cast<float>(1 - f)});
            if (f > 0) t.push_back({k + 1, static_cast<float>(f)});
        }
    }
    return out;
}

// Reads one greyscale file for `flag` ("--region"): the file's own message ("m.png: no such
// file") gets the flag in front, keeping its type (exit 1 for a file that cannot be read).
Plane load_plane(const std::filesystem::path& path, std::string_view flag, std::int64_t max_pixels) {
    try {
        return plane_from_image(load_image(path, max_pixels));
    } catch (const UsageError& e) {
        throw UsageError(std::string(flag) + " " + e.what());
    } catch (const Error& e) {
        throw Error(std::string(flag) + " " + e.what());
    }
}

// Masks are written as PNG only: a JPEG would not read back within 1/255.
void save_plane_png(const Plane& plane, const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext != ".png") throw UsageError(path.string() + ": masks and content maps are saved as .png (lossless)");
    if (plane.empty() || plane.values.size() != static_cast<std::size_t>(plane.width) * plane.height)
        throw Error(path.string() + ": cannot save an empty or malformed mask");
    save_image(image_from_plane(plane), path);
}

}  // namespace

float content_multiplier(float grey) {
    float v = std::clamp(grey, 0.0f, 1.0f) * 255.0f;
    // Greys come from 8-bit files: snap to the byte so that 128 is exactly 1, not 1 ± 1e-7.
    if (std::abs(v - std::round(v)) < 1e-3f) v = std::round(v);
    return v <= 128.0f ? v / 128.0f : 1.0f + (kMaxContentMultiplier - 1.0f) * (v - 128.0f) / 127.0f;
}

float content_grey(float multiplier) {
    const float m = std::clamp(multiplier, 0.0f, kMaxContentMultiplier);
    const float v = m <= 1.0f ? m * 128.0f : 128.0f + (m - 1.0f) * 127.0f / (kMaxContentMultiplier - 1.0f);
    return std::clamp(v / 255.0f, 0.0f, 1.0f);
}

RegionSpec parse_region(std::string_view value) {
    // From the right: WEIGHT and STYLE never hold ':', a path may.
    const std::size_t last = value.rfind(':');
    if (last == std::string_view::npos) refuse_region(value, kRegionForm);
    RegionSpec spec;
    std::string_view style_text = value.substr(last + 1);
    std::string_view mask = value.substr(0, last);
    const std::size_t before = mask.rfind(':');
    // MASK:STYLE:WEIGHT when the field before the last reads as a style; otherwise the last field
    // is the style and everything before it the path ("a:b:1" is mask "a:b", style 1).
    if (before != std::string_view::npos && looks_like_style(mask.substr(before + 1))) {
        const std::string_view weight_text = style_text;
        style_text = mask.substr(before + 1);
        mask = mask.substr(0, before);
        const std::optional<float> weight = parse_number<float>(weight_text);
        if (!weight) refuse_region(value, "weight '" + std::string(weight_text) + "' is not a number");
        if (!std::isfinite(*weight) || *weight < 0) refuse_region(value, "the weight must be a finite number >= 0");
        spec.weight = *weight;
    }
    if (mask.empty()) refuse_region(value, "an empty mask path; " + std::string(kRegionForm));
    const std::optional<int> style = style_field(style_text);
    if (!style) {
        if (parse_number<long long>(style_text).value_or(0) < 0)
            refuse_region(value, "style " + std::string(style_text) + ": must be >= 0 or none");
        refuse_region(value, "style '" + std::string(style_text) +
                                 "' is not an index into the --style list (0, 1, ...) or none");
    }
    spec.mask = std::string(mask);
    spec.style = *style;
    return spec;
}

std::string format_region(const RegionSpec& spec) {
    std::string out = spec.mask;
    out.append(":").append(spec.style == kRegionNone ? "none" : std::to_string(spec.style));
    // The weight is written when not 1, and always after a path holding ':' (else "x:1" + style 2
    // would read back as mask "x", style 1, weight 2).
    if (spec.weight != 1.0f || spec.mask.find(':') != std::string::npos)
        out.append(":").append(format_number(spec.weight));
    return out;
}

void check_regions(const std::vector<RegionSpec>& regions, std::size_t style_count) {
    if (regions.size() > static_cast<std::size_t>(kMaxRegions))
        throw UsageError("--region: " + std::to_string(regions.size()) + " regions given, at most " +
                         std::to_string(kMaxRegions));
    for (const RegionSpec& r : regions) {
        if (r.style == kRegionNone || (r.style >= 0 && static_cast<std::size_t>(r.style) < style_count)) continue;
        refuse_region(format_region(r), "style " + std::to_string(r.style) + " is out of range: " +
                                            std::to_string(style_count) + " style image" +
                                            (style_count == 1 ? "" : "s") + " given (indices from 0)");
    }
}

Plane plane_from_image(const Image& img) {
    Plane p{img.width, img.height, {}};
    p.values.resize(static_cast<std::size_t>(img.width) * img.height);
    for (std::size_t i = 0; i < p.values.size(); ++i)
        p.values[i] = std::clamp(luminance(img.rgb[3 * i], img.rgb[3 * i + 1], img.rgb[3 * i + 2]), 0.0f, 1.0f);
    return p;
}

Image image_from_plane(const Plane& plane) {
    Image img{plane.width, plane.height, {}};
    img.rgb.reserve(plane.values.size() * 3);
    for (const float v : plane.values) img.rgb.insert(img.rgb.end(), 3, v);
    return img;
}

Plane resize_plane(const Plane& plane, int width, int height) {
    if (plane.empty() || plane.values.size() != static_cast<std::size_t>(plane.width) * plane.height)
        throw Error("resize: the source mask is empty or malformed");
    if (width < 1 || height < 1) throw Error("resize: bad target size " + size_text(width, height));
    if (width == plane.width && height == plane.height) return plane;
    // Separable: rows first (to the new width), then columns.
    const auto tx = taps(plane.width, width), ty = taps(plane.height, height);
    std::vector<float> rows(static_cast<std::size_t>(width) * plane.height);
    for (int y = 0; y < plane.height; ++y)
        for (int x = 0; x < width; ++x) {
            float sum = 0;
            for (const Tap& t : tx[static_cast<std::size_t>(x)])
                sum += t.weight * plane.values[static_cast<std::size_t>(y) * plane.width + t.index];
            rows[static_cast<std::size_t>(y) * width + x] = sum;
        }
    Plane out{width, height, std::vector<float>(static_cast<std::size_t>(width) * height)};
    for (int y = 0; y < height; ++y)
        for (const Tap& t : ty[static_cast<std::size_t>(y)])
            for (int x = 0; x < width; ++x)
                out.values[static_cast<std::size_t>(y) * width + x] +=
                    t.weight * rows[static_cast<std::size_t>(t.index) * width + x];
    // Weights summing to 1 in float can overshoot by an ulp; a mask stays in [0,1], a map in range.
    const float hi = *std::max_element(plane.values.begin(), plane.values.end());
    const float lo = *std::min_element(plane.values.begin(), plane.values.end());
    for (float& v : out.values) v = std::clamp(v, lo, hi);
    return out;
}

void check_mask_aspect(const Plane& plane, int width, int height, std::string_view what) {
    // Both sizes are whole pixels, often rounded by a resize (the content at --size), so each
    // aspect is known only to half a pixel a side: the 1% is counted from the nearest aspects
    // those allow. At real sizes that margin is tiny; at --size 32 it keeps a mask drawn at the
    // photo's own size acceptable.
    const auto range = [](double w, double h) {
        return std::pair{(w - 0.5) / (h + 0.5), (w + 0.5) / std::max(h - 0.5, 0.5)};
    };
    const auto [mask_lo, mask_hi] = range(plane.width, plane.height);
    const auto [lo, hi] = range(width, height);
    if (mask_hi >= lo * 0.99 && mask_lo <= hi * 1.01) return;
    throw UsageError(std::string(what) + ": the mask is " + size_text(plane.width, plane.height) +
                     " but the content is " + size_text(width, height) + ": aspect ratios differ by more than 1%");
}

void check_spatial(const SpatialControl& c, std::size_t style_count, int width, int height) {
    if (c.regions.size() > static_cast<std::size_t>(kMaxRegions))
        throw UsageError("--region: " + std::to_string(c.regions.size()) + " regions, at most " +
                         std::to_string(kMaxRegions) + " are allowed");
    const auto consistent = [](const Plane& p) {
        return p.values.size() == static_cast<std::size_t>(p.width) * static_cast<std::size_t>(p.height);
    };
    for (std::size_t r = 0; r < c.regions.size(); ++r) {
        const Region& region = c.regions[r];
        const std::string name =
            "--region " + (region.source.empty() ? "region " + std::to_string(r + 1) : region.source);
        if (!(region.weight >= 0.f) || !std::isfinite(region.weight))
            throw UsageError(name + ": weight " + std::to_string(region.weight) + " must be a finite number >= 0");
        if (region.mask.empty() || !consistent(region.mask))
            throw UsageError(name + ": the mask is empty or its size is inconsistent");
        const int k = region.style;
        if (style_count > 0 && k != kRegionNone && (k < 0 || static_cast<std::size_t>(k) >= style_count))
            throw UsageError(name + ": style " + std::to_string(k) + " is out of range: there " +
                             (style_count == 1 ? "is 1 style" : "are " + std::to_string(style_count) + " styles") +
                             " (indices from 0)");
        if (width > 0 && height > 0) check_mask_aspect(region.mask, width, height, name);
    }
    const Plane& map = c.content_map;
    if (!map.empty() && !consistent(map)) throw UsageError("--content-map: its size is inconsistent");
    if (!map.empty() && width > 0 && height > 0) check_mask_aspect(map, width, height, "--content-map");
}

SpatialControl load_spatial(const std::vector<RegionSpec>& regions, const std::filesystem::path& content_map,
                            int content_width, int content_height, std::int64_t max_pixels) {
    SpatialControl out;
    // Every file is read and checked before the caller starts any long work.
    const auto fitted = [&](const std::filesystem::path& path, std::string_view flag) {
        const Plane plane = load_plane(path, flag, max_pixels);
        check_mask_aspect(plane, content_width, content_height, std::string(flag) + " " + path.string());
        return resize_plane(plane, content_width, content_height);
    };
    for (const RegionSpec& spec : regions)
        out.regions.push_back({fitted(spec.mask, "--region"), spec.style, spec.weight, spec.mask});
    if (!content_map.empty()) {
        out.content_map = fitted(content_map, "--content-map");
        for (float& v : out.content_map.values) v = content_multiplier(v);
    }
    return out;
}

void save_mask(const Plane& mask, const std::filesystem::path& path) {
    Plane grey = mask;
    for (float& v : grey.values) v = std::clamp(v, 0.0f, 1.0f);
    save_plane_png(grey, path);
}

void save_content_map(const Plane& multipliers, const std::filesystem::path& path) {
    Plane grey = multipliers;
    for (float& v : grey.values) v = content_grey(v);
    save_plane_png(grey, path);
}

}  // namespace nst

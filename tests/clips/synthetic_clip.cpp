#include "clips/synthetic_clip.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace nst::test {
namespace {

using Rgb = std::array<float, 3>;

// Integer hash (lowbias32) of a lattice point and a seed, as a float in [0, 1).
float hash01(std::int64_t ix, std::int64_t iy, std::uint32_t seed) {
    auto x = static_cast<std::uint32_t>(ix) * 0x9E3779B1u ^ static_cast<std::uint32_t>(iy) * 0x85EBCA77u ^
             seed * 0xC2B2AE3Du;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return static_cast<float>(x >> 8) * (1.0f / 16777216.0f);
}

// Value noise with a quintic fade: smooth (C2) at every real coordinate.
float value_noise(double x, double y, std::uint32_t seed) {
    const double fx = std::floor(x), fy = std::floor(y);
    const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
    auto fade = [](double t) { return t * t * t * (t * (t * 6 - 15) + 10); };
    const double sx = fade(x - fx), sy = fade(y - fy);
    const double a = hash01(ix, iy, seed), b = hash01(ix + 1, iy, seed);
    const double c = hash01(ix, iy + 1, seed), d = hash01(ix + 1, iy + 1, seed);
    return static_cast<float>((a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy);
}

// Five octaves from 48 px down to 3 px: large soft shapes with fine grain on top, in [0, 1].
float fbm(double x, double y, std::uint32_t seed) {
    constexpr std::array<double, 5> scale{48, 24, 12, 6, 3};
    constexpr std::array<float, 5> amplitude{0.40f, 0.25f, 0.17f, 0.11f, 0.07f};
    float sum = 0;
    for (std::size_t k = 0; k < scale.size(); ++k)
        sum += amplitude[k] * value_noise(x / scale[k], y / scale[k], seed + 977u * static_cast<std::uint32_t>(k));
    return sum;
}

// The texture at a real coordinate: noise luminance, slow colour gradients, and a disc in some
// cells of a 40 px grid with a one-pixel anti-aliased edge (the sharp edges of a photo).
Rgb texture(double x, double y, std::uint32_t seed) {
    const float l = fbm(x, y, seed);
    const float cr = value_noise(x / 90.0, y / 90.0, seed + 11), cb = value_noise(x / 110.0, y / 110.0, seed + 23);
    Rgb rgb{0.15f + 0.8f * l + 0.25f * (cr - 0.5f), 0.15f + 0.8f * l, 0.15f + 0.8f * l + 0.25f * (cb - 0.5f)};
    constexpr double cell = 40;
    const auto cx = static_cast<std::int64_t>(std::floor(x / cell)), cy = static_cast<std::int64_t>(std::floor(y / cell));
    for (std::int64_t j = cy - 1; j <= cy + 1; ++j) {
        for (std::int64_t i = cx - 1; i <= cx + 1; ++i) {
            const std::uint32_t s = seed * 7919u + 5u;
            if (hash01(i, j, s) < 0.45f) continue;
            const double ox = (i + hash01(i, j, s + 1)) * cell, oy = (j + hash01(i, j, s + 2)) * cell;
            const double r = 6 + 12 * hash01(i, j, s + 3);
            const float cover = static_cast<float>(std::clamp(r - std::hypot(x - ox, y - oy) + 0.5, 0.0, 1.0));
            const Rgb disc{hash01(i, j, s + 4), hash01(i, j, s + 5), hash01(i, j, s + 6)};
            for (int k = 0; k < 3; ++k) rgb[k] += cover * (disc[k] - rgb[k]);
        }
    }
    for (auto& v : rgb) v = std::clamp(v, 0.0f, 1.0f);
    return rgb;
}

// Where frames are cut from: far from the origin so that no two seeds share a window.
double origin(std::uint32_t seed) { return 5000.0 + 613.0 * (seed % 97); }

video::Flow constant_flow(int width, int height, float u, float v) {
    video::Flow f{width, height, std::vector<float>(static_cast<std::size_t>(width) * height * 2)};
    for (std::size_t i = 0; i < f.uv.size(); i += 2) {
        f.uv[i] = u;
        f.uv[i + 1] = v;
    }
    return f;
}

}  // namespace

Image textured_image(int width, int height, double x0, double y0, std::uint32_t seed) {
    Image img;
    img.width = width;
    img.height = height;
    img.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const Rgb c = texture(x0 + x, y0 + y, seed);
            std::copy(c.begin(), c.end(), img.rgb.begin() + (static_cast<long>(y) * width + x) * 3);
        }
    return img;
}

SyntheticClip pan_clip(int width, int height, int frames, double dx, double dy, std::uint32_t seed) {
    SyntheticClip clip;
    const double o = origin(seed);
    for (int t = 0; t < frames; ++t) {
        clip.frames.push_back(textured_image(width, height, o - t * dx, o - t * dy, seed));
        if (t == 0) {
            clip.backward.emplace_back();
            clip.reliable.emplace_back();
            continue;
        }
        clip.backward.push_back(constant_flow(width, height, static_cast<float>(-dx), static_cast<float>(-dy)));
        video::WeightMap c{width, height, std::vector<float>(static_cast<std::size_t>(width) * height)};
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const double px = x - dx, py = y - dy;
                c.w[static_cast<std::size_t>(y) * width + x] = px >= 0 && py >= 0 && px <= width - 1 && py <= height - 1;
            }
        clip.reliable.push_back(std::move(c));
    }
    return clip;
}

SyntheticClip object_clip(int width, int height, int frames, double vx, double vy, int size, std::uint32_t seed) {
    if (size <= 0) size = std::max(1, std::min(width, height) / 3);
    SyntheticClip clip;
    const Image background = textured_image(width, height, origin(seed), origin(seed), seed);
    const double so = origin(seed + 1);  // the square's own texture (the next seed)
    // It crosses the middle of the frame halfway through the clip.
    const double x0 = (width - size) / 2.0 - vx * (frames - 1) / 2.0, y0 = (height - size) / 2.0 - vy * (frames - 1) / 2.0;
    auto inside = [&](int t, int x, int y) {
        const double px = x0 + t * vx, py = y0 + t * vy;
        return x >= px && x < px + size && y >= py && y < py + size;
    };
    for (int t = 0; t < frames; ++t) {
        Image frame = background;
        const double px = x0 + t * vx, py = y0 + t * vy;
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                if (!inside(t, x, y)) continue;
                // Moves with the square; lifted a little so that its edges stand out.
                const Rgb c = texture(so + (x - px), so + (y - py), seed + 1);
                for (int k = 0; k < 3; ++k)
                    frame.rgb[(static_cast<std::size_t>(y) * width + x) * 3 + k] = std::min(1.0f, 0.25f + 0.75f * c[k]);
            }
        clip.frames.push_back(std::move(frame));
        if (t == 0) {
            clip.backward.emplace_back();
            clip.reliable.emplace_back();
            continue;
        }
        video::Flow f = constant_flow(width, height, 0, 0);
        video::WeightMap c{width, height, std::vector<float>(static_cast<std::size_t>(width) * height, 1.0f)};
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * width + x;
                if (inside(t, x, y)) {
                    f.uv[2 * i] = static_cast<float>(-vx);
                    f.uv[2 * i + 1] = static_cast<float>(-vy);
                    const double qx = x - vx, qy = y - vy;
                    c.w[i] = qx >= 0 && qy >= 0 && qx <= width - 1 && qy <= height - 1;
                } else if (inside(t - 1, x, y)) {
                    c.w[i] = 0;  // background the square covered a frame ago
                }
            }
        clip.backward.push_back(std::move(f));
        clip.reliable.push_back(std::move(c));
    }
    return clip;
}

std::vector<std::filesystem::path> write_frames(const std::vector<Image>& frames, const std::filesystem::path& dir,
                                                int first_number) {
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> paths;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "frame_%04d.png", first_number + static_cast<int>(i));
        paths.push_back(dir / name);
        save_image(frames[i], paths.back());
    }
    return paths;
}

}  // namespace nst::test

// Renders the bundled sample images procedurally, so the repository ships no third-party pictures:
//   content.jpg  a photo-like lake scene (sky, sun, hills, houses, trees, reflections), 512x384
//   style.jpg    a painting-like texture of swirling brush strokes in blues and yellows, 512x512
// Deterministic: the same binary always writes the same pixels.
// Usage: nst_render_assets <output-dir>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <numbers>
#include <vector>

#include "nst/error.h"
#include "nst/image.h"

namespace {

constexpr float kPi = std::numbers::pi_v<float>;

// ---------------------------------------------------------------------------------------------
// Small maths

struct Rgb {
    float r = 0, g = 0, b = 0;
};
Rgb operator*(Rgb c, float k) { return {c.r * k, c.g * k, c.b * k}; }
Rgb operator+(Rgb a, Rgb b) { return {a.r + b.r, a.g + b.g, a.b + b.b}; }
Rgb mix(Rgb a, Rgb b, float t) { return a * (1.f - t) + b * t; }

float smoothstep(float e0, float e1, float x) {
    const float t = std::clamp((x - e0) / (e1 - e0), 0.f, 1.f);
    return t * t * (3.f - 2.f * t);
}

// Integer hash -> [0,1). A hash instead of a stateful RNG keeps every feature independent of the
// order in which things are drawn.
float hash(std::uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return static_cast<float>(x >> 8) / static_cast<float>(1u << 24);
}
float hash2(int x, int y, std::uint32_t seed) {
    return hash(static_cast<std::uint32_t>(x) * 73856093u ^ static_cast<std::uint32_t>(y) * 19349663u ^
                seed * 83492791u);
}

// Smooth value noise in [0,1] and its fractal sum.
float value_noise(float x, float y, std::uint32_t seed) {
    const int xi = static_cast<int>(std::floor(x)), yi = static_cast<int>(std::floor(y));
    const float fx = x - static_cast<float>(xi), fy = y - static_cast<float>(yi);
    const float u = fx * fx * (3.f - 2.f * fx), v = fy * fy * (3.f - 2.f * fy);
    const float a = hash2(xi, yi, seed), b = hash2(xi + 1, yi, seed);
    const float c = hash2(xi, yi + 1, seed), d = hash2(xi + 1, yi + 1, seed);
    return (a * (1 - u) + b * u) * (1 - v) + (c * (1 - u) + d * u) * v;
}
float fbm(float x, float y, std::uint32_t seed, int octaves = 4) {
    float sum = 0.f, amp = 0.5f, norm = 0.f;
    for (int i = 0; i < octaves; ++i) {
        sum += amp * value_noise(x, y, seed + static_cast<std::uint32_t>(i));
        norm += amp;
        x *= 2.03f;
        y *= 2.03f;
        amp *= 0.5f;
    }
    return sum / norm;
}

// Fills an image by averaging n x n samples per pixel (anti-aliased edges without coverage maths).
template <typename Shade>
nst::Image render(int width, int height, int n, Shade&& shade) {
    nst::Image img;
    img.width = width;
    img.height = height;
    img.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            Rgb sum;
            for (int sy = 0; sy < n; ++sy)
                for (int sx = 0; sx < n; ++sx)
                    sum = sum + shade(static_cast<float>(x) + (static_cast<float>(sx) + 0.5f) / n,
                                      static_cast<float>(y) + (static_cast<float>(sy) + 0.5f) / n);
            float* p = &img.rgb[(static_cast<std::size_t>(y) * width + x) * 3];
            const float k = 1.f / static_cast<float>(n * n);
            p[0] = std::clamp(sum.r * k, 0.f, 1.f);
            p[1] = std::clamp(sum.g * k, 0.f, 1.f);
            p[2] = std::clamp(sum.b * k, 0.f, 1.f);
        }
    return img;
}

// ---------------------------------------------------------------------------------------------
// Content: a lake at the foot of hills in late-afternoon light.

namespace scene {

constexpr float kWidth = 512, kHeight = 384;
constexpr float kWaterline = 250;  // far shore meets the water
constexpr float kSunX = 372, kSunY = 92, kSunR = 22;

struct House {
    float x, width, height;  // x of the left wall, base on the shore
    Rgb wall, roof;
};
constexpr std::array<House, 4> kHouses{{
    {150, 34, 22, {0.93f, 0.90f, 0.82f}, {0.62f, 0.16f, 0.10f}},
    {192, 26, 18, {0.86f, 0.66f, 0.34f}, {0.35f, 0.20f, 0.14f}},
    {226, 40, 26, {0.78f, 0.22f, 0.16f}, {0.26f, 0.22f, 0.24f}},
    {300, 30, 20, {0.95f, 0.93f, 0.88f}, {0.22f, 0.30f, 0.45f}},
}};

struct Tree {
    float x, base, height;
    bool conifer;
};
constexpr std::array<Tree, 9> kShoreTrees{{
    {128, 247, 40, true}, {140, 248, 30, true}, {276, 248, 34, false}, {288, 247, 44, true},
    {345, 248, 28, false}, {360, 247, 38, true}, {380, 248, 46, true}, {398, 248, 30, false},
    {420, 247, 36, true},
}};
constexpr std::array<Tree, 3> kBankTrees{{
    {40, 350, 150, true}, {96, 348, 110, true}, {150, 372, 74, false},
}};

// Height of a ridge (y of its top edge) at x: a few sines plus noise for a natural silhouette.
float ridge(float x, float base, float amp, float freq, std::uint32_t seed) {
    const float phase = hash(seed) * 6.28f;
    return base - amp * (0.55f * std::sin(x * freq + phase) + 0.3f * std::sin(x * freq * 2.3f + phase * 1.7f) +
                         0.6f * (fbm(x * freq * 1.5f, 0.5f, seed, 5) - 0.5f));
}

Rgb sky(float x, float y) {
    const float t = std::clamp(y / kWaterline, 0.f, 1.f);
    Rgb c = mix({0.22f, 0.42f, 0.78f}, {0.62f, 0.74f, 0.90f}, smoothstep(0.f, 0.7f, t));
    c = mix(c, {0.98f, 0.82f, 0.62f}, smoothstep(0.55f, 1.f, t));
    // Sun glow and disc.
    const float d = std::hypot(x - kSunX, y - kSunY);
    c = c + Rgb{1.f, 0.85f, 0.55f} * (0.45f * std::exp(-d / 45.f));
    if (d < kSunR) c = mix(c, {1.f, 0.97f, 0.86f}, smoothstep(kSunR, kSunR - 1.5f, d));
    // Soft drifting clouds, stretched horizontally, denser in bands.
    const float n = fbm(x / 90.f, y / 22.f, 11, 5);
    const float band = std::exp(-std::pow((y - 70.f) / 45.f, 2.f)) + 0.6f * std::exp(-std::pow((y - 150.f) / 20.f, 2.f));
    const float cloud = smoothstep(0.52f, 0.72f, n) * band;
    const Rgb cloud_colour = mix({1.f, 0.98f, 0.95f}, {0.85f, 0.72f, 0.75f}, smoothstep(60.f, 170.f, y));
    return mix(c, cloud_colour, std::min(cloud, 0.9f));
}

bool in_house(const House& h, float x, float y, Rgb& out) {
    const float ground = kWaterline - 4.f;
    const float top = ground - h.height, roof_top = top - h.height * 0.7f;
    const float cx = h.x + h.width / 2.f;
    if (x >= h.x && x < h.x + h.width && y >= top && y < ground) {
        out = h.wall * (x < cx ? 1.f : 0.82f);  // side in shade: reads as volume
        const float door_w = h.width * 0.2f, door_x = h.x + h.width * 0.15f;
        const bool door = x >= door_x && x < door_x + door_w && y >= ground - h.height * 0.6f;
        const float win_x = h.x + h.width * 0.55f, win_y = top + h.height * 0.25f;
        const bool window = x >= win_x && x < win_x + h.width * 0.25f && y >= win_y && y < win_y + h.height * 0.3f;
        if (door) out = {0.25f, 0.16f, 0.10f};
        if (window) out = {0.30f, 0.38f, 0.48f};
        return true;
    }
    const float overhang = 3.f;
    const float half = h.width / 2.f + overhang;
    if (y >= roof_top && y < top + 1.f && std::abs(x - cx) < half * (y - roof_top) / (top - roof_top)) {
        out = h.roof * (x < cx ? 1.f : 0.75f);
        return true;
    }
    return false;
}

bool in_tree(const Tree& t, float x, float y, float darkness, Rgb& out) {
    const float trunk_h = t.height * (t.conifer ? 0.15f : 0.35f);
    const float trunk_w = std::max(1.5f, t.height * 0.06f);
    const Rgb leaf = mix(t.conifer ? Rgb{0.10f, 0.30f, 0.16f} : Rgb{0.26f, 0.48f, 0.18f}, {0.05f, 0.12f, 0.08f}, darkness);
    const float shade = 0.8f + 0.35f * (fbm(x / 4.f, y / 4.f, 91, 3) - 0.5f) + (x < t.x ? 0.1f : -0.1f);
    if (t.conifer) {
        const float top = t.base - t.height, crown_base = t.base - trunk_h;
        if (y >= top && y < crown_base) {
            // Three stacked tiers: each widens downwards then steps back in.
            const float f = (y - top) / (crown_base - top);
            const float tier = std::fmod(f * 3.f, 1.f);
            const float half = t.height * 0.22f * (0.35f + 0.65f * f) * (0.55f + 0.45f * tier);
            if (std::abs(x - t.x) < half) {
                out = leaf * shade;
                return true;
            }
        }
    } else {
        const float r = t.height * 0.38f, cy = t.base - trunk_h - r * 0.7f;
        const float wobble = 1.f + 0.12f * (fbm(std::atan2(y - cy, x - t.x) * 2.f, 3.f, 57) - 0.5f);
        if (std::hypot(x - t.x, (y - cy) * 1.1f) < r * wobble) {
            out = leaf * shade;
            return true;
        }
    }
    if (std::abs(x - t.x) < trunk_w / 2 && y >= t.base - trunk_h - 2.f && y < t.base) {
        out = Rgb{0.30f, 0.20f, 0.12f} * (1.f - 0.5f * darkness);
        return true;
    }
    return false;
}

// Everything above the waterline, painter's order: far to near.
Rgb land_and_sky(float x, float y) {
    Rgb c = sky(x, y);
    struct Layer {
        float base, amp, freq;
        std::uint32_t seed;
        Rgb colour;
    };
    const std::array<Layer, 3> layers{{
        {170, 45, 0.012f, 3, {0.55f, 0.58f, 0.72f}},   // far mountains, hazy
        {205, 30, 0.021f, 7, {0.36f, 0.46f, 0.50f}},   // middle range
        {232, 18, 0.034f, 13, {0.20f, 0.36f, 0.22f}},  // near wooded hills
    }};
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        const float top = ridge(x, l.base, l.amp, l.freq, l.seed);
        if (y >= top) {
            // Lit from the upper right: brighter near the ridge, texture stronger when nearer.
            const float depth = (y - top) / 60.f;
            const float tex = fbm(x / (8.f + 10.f * (2 - i)), y / 6.f, l.seed + 100, 4) - 0.5f;
            c = l.colour * (1.08f - 0.25f * std::min(depth, 1.f) + tex * (0.15f + 0.15f * i));
            c = mix(c, {0.90f, 0.80f, 0.70f}, 0.12f * (2 - i));  // atmospheric perspective
        }
    }
    // Shore meadow strip.
    if (y >= kWaterline - 8.f) c = Rgb{0.38f, 0.52f, 0.22f} * (0.9f + 0.3f * (fbm(x / 5.f, y, 17) - 0.5f));
    for (const Tree& t : kShoreTrees)
        if (Rgb out; in_tree(t, x, y, 0.2f, out)) c = out;
    for (const House& h : kHouses)
        if (Rgb out; in_house(h, x, y, out)) c = out;
    return c;
}

// The foreground bank in the lower left, with its own trees (drawn over the water).
float bank_edge(float x) { return 306.f + 0.0024f * x * x + 6.f * std::sin(x * 0.08f); }

bool foreground(float x, float y, Rgb& out) {
    for (const Tree& t : kBankTrees)
        if (in_tree(t, x, y, 0.45f, out)) return true;
    const float edge = bank_edge(x);
    if (y < edge) return false;
    const float grass = fbm(x / 3.f, y / 12.f, 23, 4);
    out = mix(Rgb{0.30f, 0.45f, 0.14f}, Rgb{0.52f, 0.60f, 0.22f}, grass) * (0.85f + 0.25f * smoothstep(edge, edge + 40.f, y));
    if (y < edge + 3.f) out = out * 0.6f;  // dark rim where the grass meets the water
    return true;
}

// A small sailing boat on the lake; `out` gets its colour where it covers (x, y).
constexpr float kBoatX = 262, kBoatWaterline = 312;
bool in_boat(float x, float y, Rgb& out) {
    const float dx = x - kBoatX;
    // Hull: a trapezoid, wider at the deck.
    if (y >= kBoatWaterline - 7.f && y < kBoatWaterline && std::abs(dx) < 20.f - (y - (kBoatWaterline - 7.f)) * 1.2f) {
        out = y < kBoatWaterline - 5.f ? Rgb{0.85f, 0.82f, 0.75f} : Rgb{0.45f, 0.18f, 0.12f};
        return true;
    }
    const float mast_top = kBoatWaterline - 52.f, boom = kBoatWaterline - 10.f;
    if (std::abs(dx) < 0.8f && y >= mast_top && y < boom + 3.f) {
        out = {0.25f, 0.2f, 0.18f};
        return true;
    }
    // Mainsail behind the mast, jib in front: two right triangles.
    const float f = (y - mast_top) / (boom - mast_top);
    if (f >= 0.f && f <= 1.f && ((dx > 1.f && dx < 1.f + 18.f * f) || (dx < -1.f && dx > -1.f - 11.f * f))) {
        out = Rgb{0.97f, 0.95f, 0.90f} * (dx > 0 ? 1.f : 0.85f);
        return true;
    }
    return false;
}

Rgb shade(float x, float y) {
    if (Rgb fg; foreground(x, y, fg)) return fg;
    if (Rgb boat; in_boat(x, y, boat)) return boat;
    if (y < kWaterline) return land_and_sky(x, y);
    // Water: the mirrored scene, rippled more towards the viewer, darkened and tinted.
    const float depth = (y - kWaterline) / (kHeight - kWaterline);
    const float ripple = std::sin(y * 0.9f + 2.f * std::sin(x * 0.05f)) * (0.5f + 3.5f * depth) +
                         (fbm(x / 30.f, y / 3.f, 31, 3) - 0.5f) * 6.f * depth;
    const float mirror_y = 2.f * kWaterline - y;
    Rgb c = land_and_sky(x + ripple, std::max(mirror_y, 0.f));
    // The boat's reflection sits in front of the mirrored landscape.
    if (Rgb boat; y >= kBoatWaterline && in_boat(x + ripple * 0.6f, 2.f * kBoatWaterline - y, boat)) c = boat;
    c = mix(c * 0.85f, Rgb{0.10f, 0.22f, 0.33f}, 0.25f + 0.35f * depth);
    // Glitter: the sun's path on the water.
    const float glint = std::exp(-std::pow((x - kSunX) / (18.f + 30.f * depth), 2.f)) *
                        smoothstep(0.6f, 0.85f, value_noise(x / 3.f, y * 0.9f, 41));
    c = c + Rgb{1.f, 0.9f, 0.7f} * (0.7f * glint);
    // A thin light line where the water touches the far shore.
    if (y < kWaterline + 1.5f) c = mix(c, {0.85f, 0.85f, 0.80f}, 0.5f);
    return c;
}

nst::Image render_content() {
    return render(static_cast<int>(kWidth), static_cast<int>(kHeight), 3, shade);
}

}  // namespace scene

// ---------------------------------------------------------------------------------------------
// Style: swirling brush strokes following a flow field, Van Gogh-like, blues and yellows.

namespace painting {

constexpr int kSize = 512;

struct Vortex {
    float x, y, radius, strength;
};
constexpr std::array<Vortex, 5> kVortices{{
    {150, 170, 110, 1.0f}, {360, 120, 80, -0.9f}, {330, 330, 120, 1.1f}, {110, 410, 70, -0.8f}, {450, 450, 60, 1.f},
}};
struct Orb {
    float x, y, radius;
};
constexpr std::array<Orb, 3> kOrbs{{{360, 120, 46}, {110, 410, 30}, {460, 260, 22}}};

// Stroke direction at a point: swirl around the vortices over a gentle wind, plus noise.
std::array<float, 2> flow(float x, float y) {
    float fx = 1.f, fy = 0.25f * std::sin(y / 45.f + x / 90.f);
    for (const Vortex& v : kVortices) {
        const float dx = x - v.x, dy = y - v.y;
        const float w = v.strength * 3.f * std::exp(-(dx * dx + dy * dy) / (v.radius * v.radius));
        const float d = std::max(std::hypot(dx, dy), 1.f);
        fx += -dy / d * w;
        fy += dx / d * w;
    }
    const float a = (fbm(x / 120.f, y / 120.f, 5, 3) - 0.5f) * 1.6f;
    const float c = std::cos(a), s = std::sin(a);
    const float len = std::max(std::hypot(fx, fy), 1e-4f);
    return {(fx * c - fy * s) / len, (fx * s + fy * c) / len};
}

const std::array<Rgb, 6> kBlues{{
    {0.04f, 0.08f, 0.30f}, {0.08f, 0.20f, 0.55f}, {0.15f, 0.35f, 0.75f},
    {0.35f, 0.58f, 0.88f}, {0.62f, 0.80f, 0.95f}, {0.10f, 0.40f, 0.45f},
}};
const std::array<Rgb, 4> kYellows{{
    {0.99f, 0.88f, 0.25f}, {0.98f, 0.70f, 0.12f}, {1.f, 0.96f, 0.70f}, {0.90f, 0.55f, 0.10f},
}};

// Colour of a stroke starting at (x, y): yellow near the orbs (in rings), banded blues in the
// swirls (so that each vortex reads as concentric rings), with a few light accents.
Rgb stroke_colour(float x, float y, float pick) {
    for (const Orb& o : kOrbs) {
        const float d = std::hypot(x - o.x, y - o.y);
        if (d < o.radius * 1.9f) {
            const int ring = static_cast<int>(d / (o.radius * 0.45f));
            if (d < o.radius || pick < 0.55f) return kYellows[(ring + (pick < 0.3f)) % kYellows.size()];
            return kBlues[4];
        }
    }
    for (const Vortex& v : kVortices) {
        const float d = std::hypot(x - v.x, y - v.y);
        if (d < v.radius) {
            const int band = static_cast<int>(d / 14.f);
            if (pick < 0.08f) return kYellows[2];
            return kBlues[1 + (band + (pick < 0.35f)) % 4];
        }
    }
    const float n = fbm(x / 70.f, y / 70.f, 9, 3);
    if (pick < 0.05f) return kYellows[static_cast<int>(pick * 80.f) % 2];
    const int idx = std::clamp(static_cast<int>(n * 6.f - 0.5f + pick * 1.5f), 0, 5);
    return kBlues[idx == 4 && pick > 0.5f ? 3 : idx];
}

class Canvas {
public:
    Canvas() : px_(static_cast<std::size_t>(kSize) * kSize) {}
    void fill(Rgb c) { std::fill(px_.begin(), px_.end(), c); }
    void blend(int x, int y, Rgb c, float alpha) {
        if (x < 0 || y < 0 || x >= kSize || y >= kSize || alpha <= 0.f) return;
        Rgb& p = px_[static_cast<std::size_t>(y) * kSize + x];
        p = mix(p, c, std::min(alpha, 1.f));
    }
    [[nodiscard]] nst::Image image() const {
        nst::Image img;
        img.width = img.height = kSize;
        for (const Rgb& p : px_) img.rgb.insert(img.rgb.end(), {p.r, p.g, p.b});
        return img;
    }

private:
    std::vector<Rgb> px_;
};

// One stroke: traced along the flow field, stamped as a tapered band whose colour varies across
// its width like the bristles of a loaded brush.
void paint_stroke(Canvas& canvas, std::uint32_t id, float width, float length, bool detail) {
    const float x0 = hash(id * 4 + 1) * (kSize + 40) - 20, y0 = hash(id * 4 + 2) * (kSize + 40) - 20;
    const float pick = hash(id * 4 + 3);
    const Rgb base = stroke_colour(x0, y0, pick);
    const float bristle_seed = hash(id * 4 + 4) * 1000.f;
    const float half = width / 2.f;

    float x = x0, y = y0;
    const int steps = static_cast<int>(length);
    for (int i = 0; i < steps; ++i) {
        const auto [dx, dy] = flow(x, y);
        const float t = static_cast<float>(i) / static_cast<float>(steps);
        const float taper = std::min(1.f, std::min(t * 5.f, (1.f - t) * 3.f) + 0.25f);
        const float r = half * taper;
        const int ir = static_cast<int>(std::ceil(r)) + 1;
        for (int oy = -ir; oy <= ir; ++oy)
            for (int ox = -ir; ox <= ir; ++ox) {
                const float px = std::floor(x) + static_cast<float>(ox) + 0.5f - x;
                const float py = std::floor(y) + static_cast<float>(oy) + 0.5f - y;
                const float across = -px * dy + py * dx;  // signed distance across the stroke
                const float along = px * dx + py * dy;
                if (std::abs(along) > 0.8f) continue;  // thin slice per step: no double blending
                const float edge = r - std::abs(across);
                if (edge <= 0.f) continue;
                const float bristle = value_noise(across * 1.3f + bristle_seed, t * 3.f, 77);
                const float k = 0.72f + 0.5f * bristle;
                const Rgb c = detail ? base * k : mix(base * k, base, 0.5f);
                canvas.blend(static_cast<int>(std::floor(x)) + ox, static_cast<int>(std::floor(y)) + oy, c,
                             std::min(edge, 1.f) * (0.6f + 0.4f * bristle));
            }
        x += dx;
        y += dy;
    }
}

nst::Image render_style() {
    Canvas canvas;
    canvas.fill(kBlues[1]);
    // Broad underpainting first, then progressively finer strokes on top.
    struct Pass {
        int count;
        float width, length;
        bool detail;
    };
    constexpr std::array<Pass, 3> kPasses{{{900, 14.f, 70.f, false}, {2600, 8.f, 55.f, true}, {3000, 4.5f, 40.f, true}}};
    std::uint32_t id = 1;
    for (const Pass& pass : kPasses)
        for (int i = 0; i < pass.count; ++i, ++id) paint_stroke(canvas, id, pass.width, pass.length, pass.detail);
    return canvas.image();
}

}  // namespace painting

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <output-dir>\n", argv[0]);
        return 2;
    }
    try {
        const std::filesystem::path dir = argv[1];
        nst::save_image(scene::render_content(), dir / "content.jpg", 90);
        nst::save_image(painting::render_style(), dir / "style.jpg", 90);
        for (const char* name : {"content.jpg", "style.jpg"})
            std::printf("wrote %s (%ju bytes)\n", (dir / name).c_str(),
                        static_cast<std::uintmax_t>(std::filesystem::file_size(dir / name)));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nst_render_assets: %s\n", e.what());
        return 1;
    }
    return 0;
}

#pragma once
// Clips with known motion, for the optical-flow tests and the CLI's video tests: every frame is
// cut from a procedural texture (multi-scale noise, colour gradients and sharp-edged discs) that is
// defined at every real coordinate, so a sub-pixel shift is exact and there is no border artefact.
// Each clip comes with its true backward flows and, where it is known, its true reliability.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "nst/image.h"
#include "nst/video/flow.h"

namespace nst::test {

struct SyntheticClip {
    std::vector<Image> frames;
    // backward[t]: the true flow t -> t-1 (empty for t = 0).
    std::vector<video::Flow> backward;
    // reliable[t]: 1 where frame t's pixel is visible in frame t-1 inside the frame, 0 where it was
    // hidden (disoccluded) or its match lies outside frame t-1 (empty for t = 0). Motion boundaries
    // are not marked: they are an artefact of estimated flows, not of the scene.
    std::vector<video::WeightMap> reliable;
};

// A photo-like image: the texture's window whose top-left corner is (x0, y0), deterministic in seed.
Image textured_image(int width, int height, double x0, double y0, std::uint32_t seed);

// The whole picture moves by (dx, dy) pixels per frame (sub-pixel allowed): frame t shows the
// texture at x - t (dx, dy), so its true backward flow is (-dx, -dy) everywhere.
SyntheticClip pan_clip(int width, int height, int frames, double dx, double dy, std::uint32_t seed = 1);

// A textured square (side `size`, 0: a third of the shorter side) moving by (vx, vy) per frame over
// a static textured background, through the middle of the frame: the background it uncovers is
// disoccluded (true reliability 0 there).
SyntheticClip object_clip(int width, int height, int frames, double vx = 3, double vy = 2, int size = 0,
                          std::uint32_t seed = 2);

// Writes the frames as dir/frame_0001.png, frame_0002.png, ... (numbered from `first_number`),
// creating dir; returns the paths in order.
std::vector<std::filesystem::path> write_frames(const std::vector<Image>& frames, const std::filesystem::path& dir,
                                                int first_number = 1);

}  // namespace nst::test

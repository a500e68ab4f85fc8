// The paint mode's document (viewer/paint/mask_layers.cpp) and its files (mask_files.cpp): strokes,
// fill, undo/redo by whole strokes, the style renumbering when a style is removed, resampling to a
// new run size, and the save/load round trip. No display, no LibTorch.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nst/error.h"
#include "paint/mask_files.h"
#include "paint/mask_layers.h"

namespace nstv {
namespace {

float at(const nst::Plane& p, int x, int y) { return p.values[static_cast<std::size_t>(y) * p.width + x]; }

void line(MaskLayers& m, PaintTool tool, std::size_t region, float y, float radius = 3.0f) {
    Brush b;
    b.radius = radius;
    b.softness = 0.0f;
    b.multiplier = 3.0f;
    m.begin_stroke(tool, region, b);
    for (float x = 5; x <= 35; x += 7) m.stroke_to(x, y);
    m.end_stroke();
}

TEST(MaskLayers, StrokePaintsAlongItsPathOnly) {
    MaskLayers m;
    m.resize(40, 20);
    ASSERT_EQ(m.add_region(0), 0);
    const auto v0 = m.version();
    line(m, PaintTool::Brush, 0, 10.0f);
    EXPECT_GT(m.version(), v0);
    const nst::Plane& mask = m.regions()[0].mask;
    for (int x = 5; x < 35; ++x) EXPECT_FLOAT_EQ(at(mask, x, 10), 1.0f) << x;  // stamps interpolated
    EXPECT_EQ(at(mask, 20, 0), 0.0f);
    EXPECT_EQ(at(mask, 20, 19), 0.0f);
    EXPECT_EQ(at(mask, 0, 10), 0.0f);
    const nst::SpatialControl c = m.spatial();
    ASSERT_EQ(c.regions.size(), 1u);
    EXPECT_EQ(c.regions[0].style, 0);
    EXPECT_TRUE(c.content_map.empty());
}

TEST(MaskLayers, BrushTakesPixelsFromOtherRegionsAndEraserClears) {
    MaskLayers m;
    m.resize(40, 20);
    m.add_region(0);
    m.add_region(nst::kRegionNone);
    line(m, PaintTool::Brush, 0, 10.0f);
    line(m, PaintTool::Brush, 1, 10.0f);
    EXPECT_EQ(at(m.regions()[0].mask, 20, 10), 0.0f);
    EXPECT_EQ(at(m.regions()[1].mask, 20, 10), 1.0f);
    line(m, PaintTool::Eraser, 1, 10.0f);
    EXPECT_EQ(at(m.regions()[1].mask, 20, 10), 0.0f);
    EXPECT_TRUE(m.spatial().regions.empty());  // regions covering nothing are not sent
}

TEST(MaskLayers, FillTakesWhatNoOtherRegionCovers) {
    MaskLayers m;
    m.resize(40, 20);
    m.add_region(0);
    m.add_region(0);
    line(m, PaintTool::Brush, 0, 10.0f);
    m.fill(1);
    EXPECT_EQ(at(m.regions()[1].mask, 20, 10), 0.0f);
    EXPECT_EQ(at(m.regions()[1].mask, 20, 0), 1.0f);
    m.clear(1);
    EXPECT_EQ(at(m.regions()[1].mask, 20, 0), 0.0f);
}

TEST(MaskLayers, UndoAndRedoWholeStrokesKeepingSettings) {
    MaskLayers m;
    m.resize(40, 20);
    m.add_region(0);
    const nst::Plane empty = m.regions()[0].mask;
    line(m, PaintTool::Brush, 0, 10.0f);
    const nst::Plane painted = m.regions()[0].mask;
    m.set_weight(0, 2.5f);  // a setting: not undone
    ASSERT_TRUE(m.undo());
    EXPECT_EQ(m.regions()[0].mask, empty);
    EXPECT_EQ(m.regions()[0].weight, 2.5f);
    ASSERT_TRUE(m.redo());
    EXPECT_EQ(m.regions()[0].mask, painted);
    ASSERT_TRUE(m.undo());
    ASSERT_TRUE(m.undo());  // the region's creation
    EXPECT_TRUE(m.regions().empty());
    EXPECT_FALSE(m.can_undo());
    line(m, PaintTool::Content, 0, 10.0f);  // a new edit drops what redo had
    EXPECT_FALSE(m.can_redo());
    EXPECT_FLOAT_EQ(at(m.content_map(), 20, 10), 3.0f);
    EXPECT_FLOAT_EQ(at(m.content_map(), 20, 0), 1.0f);
}

TEST(MaskLayers, UndoStackIsBounded) {
    MaskLayers m;
    m.resize(8, 8);
    m.add_region(0);
    for (std::size_t i = 0; i < MaskLayers::kUndoSteps + 10; ++i) line(m, i % 2 ? PaintTool::Eraser : PaintTool::Brush, 0, 4.0f);
    std::size_t n = 0;
    while (m.undo()) ++n;
    EXPECT_EQ(n, MaskLayers::kUndoSteps);
}

TEST(MaskLayers, RemovedStyleRenumbersRegions) {
    MaskLayers m;
    m.resize(8, 8);
    m.add_region(0);
    m.add_region(1);
    m.add_region(2);
    m.style_removed(1);
    EXPECT_EQ(m.regions()[0].style, 0);
    EXPECT_EQ(m.regions()[1].style, nst::kRegionNone);
    EXPECT_EQ(m.regions()[2].style, 1);
}

TEST(MaskLayers, ResizeResamplesMasks) {
    MaskLayers m;
    m.resize(40, 20);
    m.add_region(0);
    line(m, PaintTool::Brush, 0, 10.0f);
    m.resize(80, 40);
    EXPECT_EQ(m.regions()[0].mask.width, 80);
    EXPECT_EQ(m.regions()[0].mask.height, 40);
    EXPECT_GT(at(m.regions()[0].mask, 40, 20), 0.9f);
    EXPECT_EQ(at(m.regions()[0].mask, 40, 0), 0.0f);
    ASSERT_TRUE(m.undo());  // a snapshot from the old size comes back at the new one
    EXPECT_EQ(m.regions()[0].mask.width, 80);
}

TEST(MaskFiles, SaveLoadRoundTripAndRefusals) {
    const auto dir = std::filesystem::temp_directory_path() / ("nst-mask-files-" + std::to_string(::getpid()));
    MaskLayers m;
    m.resize(40, 20);
    m.add_region(0);
    m.add_region(nst::kRegionNone);
    m.set_weight(1, 0.5f);
    line(m, PaintTool::Brush, 0, 6.0f);
    line(m, PaintTool::Brush, 1, 14.0f);
    line(m, PaintTool::Content, 0, 10.0f);
    save_masks(m, dir.string());
    EXPECT_EQ(mask_flags(m, "d"), "--region d/region1.png:0 --region d/region2.png:none:0.5 --content-map d/content.png");
    const LoadedMasks back = load_masks(dir.string(), 40, 20, 1);
    ASSERT_EQ(back.regions.size(), 2u);
    EXPECT_EQ(back.regions[1].style, nst::kRegionNone);
    EXPECT_EQ(back.regions[1].weight, 0.5f);
    for (std::size_t r = 0; r < 2; ++r)
        for (std::size_t i = 0; i < back.regions[r].mask.values.size(); ++i)
            EXPECT_NEAR(back.regions[r].mask.values[i], m.regions()[r].mask.values[i], 0.5f / 255) << r << " " << i;
    EXPECT_NEAR(back.content.values[10 * 40 + 20], 3.0f, 0.05f);
    EXPECT_THROW((void)load_masks(dir.string(), 40, 40, 1), nst::UsageError);    // another aspect
    EXPECT_THROW((void)load_masks((dir / "none").string(), 40, 20, 1), nst::Error);  // nothing there
    std::ofstream(dir / "region1.png") << "not a png";
    EXPECT_THROW((void)load_masks(dir.string(), 40, 20, 1), nst::Error);  // unreadable
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nstv

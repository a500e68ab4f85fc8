#pragma once
// The painted regions, on the UI thread: up to nst::kMaxRegions soft masks at the run's resolution
// (the content image at the full run size), each with a style (or none), a weight, a colour and
// an overlay switch, and the content-strength map (multipliers 0..4, empty = 1 everywhere). The
// brush, the eraser, fill and the content-strength brush edit them; undo and redo go back and
// forth by whole strokes (bounded snapshots). No GL and no ImGui: the paint panel draws, this is
// the document; what the optimizer gets is spatial(), an nst::SpatialControl.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "nst/regions.h"
#include "run/frame.h"

namespace nstv {

enum class PaintTool { Brush, Eraser, Fill, Content };

struct MaskRegion {
    nst::Plane mask;               // in [0,1], at the document's size
    int style = 0;                 // index into the running style list, or nst::kRegionNone
    float weight = 1.0f;           // λ_r
    std::uint32_t colour = 0;      // 0xRRGGBB: swatch and overlay
    bool visible = true;           // drawn in the overlay (the optimizer uses hidden regions too)
    std::uint32_t id = 0;          // stable across undo, so a region keeps the settings it has now
};

struct Brush {
    float radius = 6.0f;           // in mask pixels
    float softness = 0.5f;         // the outer fraction of the radius that fades out
    float multiplier = 1.0f;       // what the content-strength brush paints
};

class MaskLayers {
public:
    // The run's size. Masks (and the snapshots undo goes back to) are resampled to it.
    void resize(int width, int height);
    [[nodiscard]] int width() const { return width_; }
    [[nodiscard]] int height() const { return height_; }
    [[nodiscard]] bool sized() const { return width_ > 0 && height_ > 0; }

    [[nodiscard]] const std::vector<MaskRegion>& regions() const { return now_.regions; }
    [[nodiscard]] const nst::Plane& content_map() const { return now_.content; }
    [[nodiscard]] bool has_content_map() const;  // some multiplier differs from 1
    [[nodiscard]] std::size_t painted_regions() const;  // regions that cover some pixel

    // Settings: no undo entry (as the other sliders of the window).
    void set_style(std::size_t i, int style);
    void set_weight(std::size_t i, float weight);
    void set_visible(std::size_t i, bool visible);
    // A region whose style was removed from the style list has none; later styles shift down.
    void style_removed(int index);

    // Edits, one undo step each. add_region returns the new index, or -1 at kMaxRegions.
    int add_region(int style);
    void remove_region(std::size_t i);
    void fill(std::size_t i);               // takes every pixel no other region covers
    void clear(std::size_t i);
    void clear_content_map();
    void replace(std::vector<MaskRegion> regions, nst::Plane content);  // loaded from files

    // A stroke: stamps of a soft round brush between successive points (mask pixels), one undo
    // step. The brush gives its region the pixels it passes over and takes them from the others
    // (each pixel has one style); the eraser takes them from its region; the content brush moves
    // the map towards its multiplier. Within a stroke the strongest stamp at a pixel counts, so
    // overlapping stamps do not build up.
    void begin_stroke(PaintTool tool, std::size_t region, const Brush& brush);
    void stroke_to(float x, float y);
    void end_stroke();
    [[nodiscard]] bool stroking() const { return stroke_.active; }

    [[nodiscard]] bool can_undo() const { return !undo_.empty(); }
    [[nodiscard]] bool can_redo() const { return !redo_.empty(); }
    bool undo();
    bool redo();

    // Bumped by every change the optimizer sees (pixels, styles, weights, regions, size), and by
    // every change of the overlay (those and visibility).
    [[nodiscard]] std::uint64_t version() const { return version_; }
    [[nodiscard]] std::uint64_t overlay_version() const { return overlay_version_; }

    // What the optimizer gets: the regions that cover some pixel, the content map if it is not 1
    // everywhere.
    [[nodiscard]] nst::SpatialControl spatial() const;
    // The overlay: the regions' colours, alpha = coverage (visible regions); or with `content`,
    // the content map (magenta towards 0 = pure style, green towards 4 = photographic).
    [[nodiscard]] Rgba8 overlay(bool content) const;

    static constexpr std::size_t kUndoSteps = 40;
    static constexpr std::size_t kUndoBytes = 256u << 20;  // masks are big at large sizes

private:
    struct State {
        std::vector<MaskRegion> regions;
        nst::Plane content;
        [[nodiscard]] std::size_t bytes() const;
    };
    void remember();  // the state before an edit, for undo (clears redo)
    void restore(std::deque<State>& from, std::deque<State>& to);
    void fit(State& s) const;  // resampled to the document's size
    void changed() { ++version_, ++overlay_version_; }
    [[nodiscard]] nst::Plane zeros() const;
    [[nodiscard]] std::uint32_t free_colour() const;
    void stamp(float cx, float cy);

    int width_ = 0, height_ = 0;
    State now_;
    std::deque<State> undo_, redo_;
    std::uint32_t next_id_ = 1;
    std::uint64_t version_ = 0, overlay_version_ = 0;

    struct Stroke {
        bool active = false;
        PaintTool tool = PaintTool::Brush;
        std::size_t region = 0;
        Brush brush;
        bool has_last = false;
        float last_x = 0, last_y = 0;
        std::vector<float> alpha;  // the strongest stamp so far at each pixel
    } stroke_;
};

}  // namespace nstv

#pragma once
// Paint mode: where each style goes. The "Paint" section of the side panel (mode, tool, brush,
// the region list with each region's colour, style, weight and overlay switch, undo/redo, saving
// and loading the masks, the equivalent `nst` flags) and, on the canvas, the coloured overlay and
// the strokes. Owns the mask document (MaskLayers); what the optimizer gets is an immutable
// snapshot taken after each change (take_change), so painting never waits for a step.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "canvas/image_view.h"
#include "gl/texture.h"
#include "nst/regions.h"
#include "paint/mask_layers.h"
#include "probe/ui_probe.h"
#include "run/frame.h"

namespace nstv {

class PaintPanel {
public:
    // Each frame before drawing: the run's inputs (the masks follow the content's size at the
    // run's resolution; the style combos list the running styles) and whether a re-target is on
    // its way (the style list then waits for it).
    void update(const Sources* sources, bool retargeting);
    // Masks given on the command line (--region, --content-map): loaded once the run's size is
    // known (the first frame); a file that cannot be used is a message, the masks stay empty.
    void start_with(std::vector<nst::RegionSpec> regions, std::string content_map) {
        pending_regions_ = std::move(regions);
        pending_map_ = std::move(content_map);
    }
    // A session's masks (at any size: resampled to the run's), replacing the painted ones (one undo step).
    void set_masks(const nst::SpatialControl& masks);
    [[nodiscard]] const MaskLayers& layers() const { return layers_; }
    // The "Paint" section of the side panel.
    void draw(UiProbe& probe);
    // Inside the canvas, after the image: the overlay, the brush's outline, and the strokes.
    void canvas(const ImageView& view, UiProbe& probe);

    [[nodiscard]] bool painting() const { return on_; }
    [[nodiscard]] bool stroking() const { return layers_.stroking(); }
    void toggle() { on_ = !on_; }
    void undo();
    void redo();
    void scale_brush(float factor);
    // Style `index` leaves the list of `count` styles (the Controller re-targets): its regions get
    // none, later indices shift down; the change is published before the re-target is sent.
    void style_removed(int index, std::size_t count);

    // The regions as the optimizer should have them, when they changed since the last call.
    [[nodiscard]] std::shared_ptr<const nst::SpatialControl> take_change();
    // What to tell the user (saved, loaded, refused files).
    [[nodiscard]] std::vector<Notice> take_messages() { return std::exchange(messages_, {}); }

private:
    void draw_tools(UiProbe& probe);
    void draw_regions(UiProbe& probe);
    void draw_files(UiProbe& probe);
    void say(Notice::Level level, std::string text) { messages_.push_back(Notice{level, std::move(text), {}}); }
    [[nodiscard]] int default_style() const { return style_names_.empty() ? nst::kRegionNone : 0; }

    MaskLayers layers_;
    Brush brush_;
    PaintTool tool_ = PaintTool::Brush;
    int selected_ = 0;          // the region the brush, the eraser and fill work on
    float opacity_ = 0.55f;     // of the overlay (a tint: changing it uploads nothing)
    bool on_ = false;
    std::string dir_ = "masks";
    std::vector<std::string> style_names_;
    bool retargeting_ = false;

    Texture overlay_;
    std::uint64_t overlay_shown_ = ~0ull;  // the overlay version in the texture
    bool overlay_content_ = false;         // the texture shows the content map
    std::uint64_t published_ = 0;          // the version last handed to the optimizer
    std::size_t painted_ = 0;              // regions that cover something, counted at version counted_
    std::uint64_t counted_ = 0;
    std::vector<Notice> messages_;
    std::vector<nst::RegionSpec> pending_regions_;  // start_with, until the first frame
    std::string pending_map_;
};

}  // namespace nstv

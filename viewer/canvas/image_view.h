#pragma once
// The large image area: the optimised image fit to the space (or 1:1), zoom with the wheel about
// the cursor, pan by dragging, and comparison modes against the content and style images. In
// paint mode the left button belongs to the brush (the paint panel reads where the result lies
// and what the button does: canvas()) and the right or middle button pans.
#include <imgui.h>

#include <string>
#include <vector>

#include "gl/texture.h"

namespace nstv {

// Tiled: the result 2x2, as a texture repeats (--seamless shows no seams there).
enum class ViewMode { Result, SideBySide, Split, Tiled };
const char* view_mode_name(ViewMode m);

class ImageView {
public:
    void fit() { fit_ = true; pan_ = ImVec2(0, 0); }
    void actual_size() { fit_ = false; zoom_ = 1.0f; pan_ = ImVec2(0, 0); }
    void cycle_mode();
    void set_mode(ViewMode m) { mode_ = m; fit(); }
    [[nodiscard]] ViewMode mode() const { return mode_; }
    [[nodiscard]] float zoom() const { return zoom_; }
    [[nodiscard]] bool fitted() const { return fit_; }
    void set_painting(bool on) { painting_ = on; }

    // Where the last draw() put things (screen coordinates) and what the left button did there.
    struct Canvas {
        ImVec2 min{0, 0}, max{0, 0};              // the canvas
        ImVec2 result_min{0, 0}, result_max{0, 0}; // the result image (its box, side by side)
        bool has_result = false;
        bool hovered = false;
        bool left_pressed = false;  // pressed on the canvas in this frame
        bool left_held = false;     // held since a press on the canvas
    };
    [[nodiscard]] const Canvas& canvas() const { return canvas_; }

    // Two images compared instead of the result and its inputs (snapshots): `a` takes the
    // result's place; with `b`, side by side shows a | b and split shows a left of the line and b
    // right of it (b stretched to a's box if the sizes differ). Without `b`, `a` is shown as the
    // result would be (beside the content and styles). Each is captioned with its label.
    struct Compare {
        const Texture* a = nullptr;
        std::string label_a;
        const Texture* b = nullptr;
        std::string label_b;
    };

    // Fills the remaining content region of the current ImGui window. Side by side shows the
    // content, the result and the style images (stacked in the third box when there are several).
    void draw(const Texture& result, const Texture& content, const std::vector<Texture>& styles,
              const Compare* compare = nullptr);

private:
    ViewMode mode_ = ViewMode::Result;
    bool fit_ = true;
    float zoom_ = 1.0f;
    ImVec2 pan_{0, 0};
    float split_ = 0.5f;       // fraction of the image width showing the content image (or image A)
    bool dragging_split_ = false;
    bool painting_ = false;
    Canvas canvas_;
};

}  // namespace nstv

#pragma once
// The large image area: the optimised image fit to the space (or 1:1), zoom with the wheel about
// the cursor, pan by dragging, and comparison modes against the content and style images.
#include <imgui.h>

#include <vector>

#include "texture.h"

namespace nstv {

enum class ViewMode { Result, SideBySide, Split };
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

    // Fills the remaining content region of the current ImGui window. Side by side shows the
    // content, the result and the style images (stacked in the third box when there are several).
    void draw(const Texture& result, const Texture& content, const std::vector<Texture>& styles);

private:
    ViewMode mode_ = ViewMode::Result;
    bool fit_ = true;
    float zoom_ = 1.0f;
    ImVec2 pan_{0, 0};
    float split_ = 0.5f;       // fraction of the image width showing the content image
    bool dragging_split_ = false;
};

}  // namespace nstv

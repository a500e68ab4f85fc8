#include "canvas/image_view.h"

#include <algorithm>
#include <cmath>

namespace nstv {

const char* view_mode_name(ViewMode m) {
    switch (m) {
        case ViewMode::Result: return "Result";
        case ViewMode::SideBySide: return "Side by side";
        case ViewMode::Split: return "Split";
        case ViewMode::Tiled: return "Tile 2x2";
    }
    return "";
}

void ImageView::cycle_mode() {
    set_mode(mode_ == ViewMode::Result       ? ViewMode::SideBySide
             : mode_ == ViewMode::SideBySide ? ViewMode::Split
             : mode_ == ViewMode::Split      ? ViewMode::Tiled
                                             : ViewMode::Result);
}

namespace {

// A plain dark backdrop: a checkerboard looked nice but cost a full extra layer of small quads,
// which software GL (Mesa llvmpipe, CI) pays for on every frame.
void backdrop(ImDrawList* dl, ImVec2 a, ImVec2 b) { dl->AddRectFilled(a, b, IM_COL32(28, 29, 33, 255)); }

void caption(ImDrawList* dl, ImVec2 top_left, const char* text) {
    const ImVec2 ts = ImGui::CalcTextSize(text);
    dl->AddRectFilled(top_left, ImVec2(top_left.x + ts.x + 10, top_left.y + ts.y + 6), IM_COL32(0, 0, 0, 160), 3.0f);
    dl->AddText(ImVec2(top_left.x + 5, top_left.y + 3), IM_COL32(235, 235, 235, 255), text);
}

}  // namespace

void ImageView::draw(const Texture& live, const Texture& content, const std::vector<Texture>& styles,
                     const Compare* compare) {
    // Comparing: A takes the result's place; B (if any) takes the content's in split and is the
    // only other box side by side.
    const bool pair = compare && compare->a && compare->b && !compare->a->empty() && !compare->b->empty();
    const Texture& result = compare && compare->a && !compare->a->empty() ? *compare->a : live;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    if (avail.x < 8 || avail.y < 8) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 end(origin.x + avail.x, origin.y + avail.y);
    backdrop(dl, origin, end);
    // Painting: the left button paints, so the right and middle ones pan.
    ImGui::InvisibleButton("##canvas", avail,
                           ImGuiButtonFlags_MouseButtonLeft |
                               (painting_ ? ImGuiButtonFlags_MouseButtonRight | ImGuiButtonFlags_MouseButtonMiddle : 0));
    const ImGuiIO& io = ImGui::GetIO();
    canvas_ = Canvas{};
    canvas_.min = origin;
    canvas_.max = end;
    canvas_.hovered = ImGui::IsItemHovered();
    canvas_.left_pressed = ImGui::IsItemActivated() && io.MouseClicked[ImGuiMouseButton_Left];
    canvas_.left_held = ImGui::IsItemActive() && io.MouseDown[ImGuiMouseButton_Left];
    if (result.empty()) {
        const char* t = "preparing the optimisation...";
        const ImVec2 ts = ImGui::CalcTextSize(t);
        dl->AddText(ImVec2(origin.x + (avail.x - ts.x) / 2, origin.y + (avail.y - ts.y) / 2), IM_COL32(200, 200, 200, 255), t);
        return;
    }

    const bool side = mode_ == ViewMode::SideBySide;
    const float gap = 12.0f;
    const float reps = mode_ == ViewMode::Tiled ? 2.0f : 1.0f;  // the picture repeated 2x2
    const float iw = reps * static_cast<float>(result.width()), ih = reps * static_cast<float>(result.height());
    const int boxes = side ? (pair ? 2 : 3) : 1;
    const float total_w = static_cast<float>(boxes) * iw;
    if (fit_) {
        const float fit_gap = static_cast<float>(boxes - 1) * gap;
        zoom_ = std::max(0.01f, std::min((avail.x - 16 - fit_gap) / total_w, (avail.y - 16) / ih));
    }

    // Wheel zooms about the cursor; dragging pans (or moves the split line when grabbed).
    const ImVec2 center(origin.x + avail.x / 2 + pan_.x, origin.y + avail.y / 2 + pan_.y);
    const float w = total_w * zoom_ + static_cast<float>(boxes - 1) * gap, h = ih * zoom_;
    const ImVec2 p0(std::floor(center.x - w / 2), std::floor(center.y - h / 2));
    if (ImGui::IsItemHovered() && io.MouseWheel != 0) {
        const float factor = std::pow(1.15f, io.MouseWheel);
        const float nz = std::clamp(zoom_ * factor, 0.05f, 64.0f);
        const ImVec2 m = io.MousePos;
        // Keep the point under the cursor fixed.
        pan_.x = (pan_.x - (m.x - origin.x - avail.x / 2)) * (nz / zoom_) + (m.x - origin.x - avail.x / 2);
        pan_.y = (pan_.y - (m.y - origin.y - avail.y / 2)) * (nz / zoom_) + (m.y - origin.y - avail.y / 2);
        zoom_ = nz;
        fit_ = false;
    }
    const float split_x = p0.x + split_ * w;
    const bool near_split = mode_ == ViewMode::Split && !painting_ && std::abs(io.MousePos.x - split_x) < 8;
    if (ImGui::IsItemActivated() && near_split) dragging_split_ = true;
    if (!ImGui::IsItemActive()) dragging_split_ = false;
    const bool pan_drag = painting_ ? ImGui::IsMouseDragging(ImGuiMouseButton_Right, 0.0f) ||
                                          ImGui::IsMouseDragging(ImGuiMouseButton_Middle, 0.0f)
                                    : ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f);
    if (ImGui::IsItemActive() && pan_drag) {
        if (dragging_split_) {
            split_ = std::clamp((io.MousePos.x - p0.x) / w, 0.0f, 1.0f);
        } else {
            pan_.x += io.MouseDelta.x;
            pan_.y += io.MouseDelta.y;
            fit_ = false;
        }
    }
    if (ImGui::IsItemHovered() && near_split) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeEW);
    canvas_.has_result = true;
    canvas_.result_min = side && !pair ? ImVec2(p0.x + iw * zoom_ + gap, p0.y) : p0;
    canvas_.result_max = ImVec2(canvas_.result_min.x + iw * zoom_, p0.y + h);

    dl->PushClipRect(origin, end, true);
    const ImVec2 size(iw * zoom_, h);
    if (side && pair) {
        const Texture* texs[2] = {compare->a, compare->b};
        const std::string* labels[2] = {&compare->label_a, &compare->label_b};
        for (int i = 0; i < 2; ++i) {
            const ImVec2 ba(p0.x + static_cast<float>(i) * (size.x + gap), p0.y);
            const ImVec2 bb(ba.x + size.x, ba.y + size.y);
            // B keeps its own aspect ratio inside A's box (a snapshot of another size).
            const float sx = static_cast<float>(texs[i]->width()), sy = static_cast<float>(texs[i]->height());
            const float s = std::min(size.x / sx, size.y / sy);
            const ImVec2 c((ba.x + bb.x) / 2, (ba.y + bb.y) / 2);
            const ImVec2 ia(c.x - sx * s / 2, c.y - sy * s / 2);
            dl->AddImage(texs[i]->imgui_id(), ia, ImVec2(c.x + sx * s / 2, c.y + sy * s / 2));
            caption(dl, ImVec2(ia.x + 6, ia.y + 6), labels[i]->c_str());
        }
    } else if (side) {
        const char* names[2] = {"content", "result"};
        const Texture* texs[2] = {&content, &result};
        for (int i = 0; i < 3; ++i) {
            const ImVec2 a(p0.x + i * (size.x + gap), p0.y);
            // Box i (the third is shared by the style images, one above the other).
            const int parts = i < 2 ? 1 : std::max<int>(1, static_cast<int>(styles.size()));
            for (int k = 0; k < parts; ++k) {
                const Texture* t = i < 2 ? texs[i] : (k < static_cast<int>(styles.size()) ? &styles[k] : nullptr);
                const ImVec2 ba(a.x, a.y + k * size.y / parts);
                const ImVec2 bb(a.x + size.x, ba.y + size.y / parts);
                ImVec2 ia = ba;
                if (t && !t->empty()) {
                    // Style images keep their own aspect ratio: fit them in the same box.
                    const float sx = static_cast<float>(t->width()), sy = static_cast<float>(t->height());
                    const float s = std::min((bb.x - ba.x) / sx, (bb.y - ba.y) / sy);
                    const ImVec2 c((ba.x + bb.x) / 2, (ba.y + bb.y) / 2);
                    ia = ImVec2(c.x - sx * s / 2, c.y - sy * s / 2);
                    dl->AddImage(t->imgui_id(), ia, ImVec2(c.x + sx * s / 2, c.y + sy * s / 2));
                }
                const char* name = i == 1 && compare ? compare->label_a.c_str() : i < 2 ? names[i] : parts > 1 ? "styles" : "style";
                if (k == 0) caption(dl, ImVec2(ia.x + 6, ia.y + 6), name);
            }
        }
    } else {
        const ImVec2 b(p0.x + size.x, p0.y + size.y);
        if (mode_ == ViewMode::Tiled) {
            // Four copies edge to edge: where a texture would repeat, a seam shows or does not.
            const ImVec2 half(size.x / 2, size.y / 2);
            for (int k = 0; k < 4; ++k) {
                const ImVec2 a(p0.x + static_cast<float>(k % 2) * half.x, p0.y + static_cast<float>(k / 2) * half.y);
                dl->AddImage(result.imgui_id(), a, ImVec2(a.x + half.x, a.y + half.y));
            }
        } else {
            dl->AddImage(result.imgui_id(), p0, b);
        }
        if (mode_ == ViewMode::Split && pair) {
            // A left of the line, B right of it.
            const float x = p0.x + split_ * size.x;
            dl->AddImage(compare->b->imgui_id(), ImVec2(x, p0.y), b, ImVec2(split_, 0), ImVec2(1, 1));
            dl->AddLine(ImVec2(x, p0.y), ImVec2(x, b.y), IM_COL32(255, 255, 255, 220), 2.0f);
            dl->AddCircleFilled(ImVec2(x, (p0.y + b.y) / 2), 6.0f, IM_COL32(255, 255, 255, 230));
            // A's label top left, B's bottom right: they never overlap, however small the image.
            const ImVec2 tb = ImGui::CalcTextSize(compare->label_b.c_str());
            caption(dl, ImVec2(p0.x + 6, p0.y + 6), compare->label_a.c_str());
            caption(dl, ImVec2(b.x - tb.x - 16, b.y - tb.y - 12), compare->label_b.c_str());
        } else if (mode_ == ViewMode::Split && !content.empty()) {
            const float x = p0.x + split_ * size.x;
            dl->AddImage(content.imgui_id(), p0, ImVec2(x, b.y), ImVec2(0, 0), ImVec2(split_, 1));
            dl->AddLine(ImVec2(x, p0.y), ImVec2(x, b.y), IM_COL32(255, 255, 255, 220), 2.0f);
            dl->AddCircleFilled(ImVec2(x, (p0.y + b.y) / 2), 6.0f, IM_COL32(255, 255, 255, 230));
            const char* right = compare ? compare->label_a.c_str() : "result";
            caption(dl, ImVec2(p0.x + 6, p0.y + 6), "content");
            caption(dl, ImVec2(b.x - ImGui::CalcTextSize(right).x - 16, p0.y + 6), right);
        } else if (compare) {
            caption(dl, ImVec2(p0.x + 6, p0.y + 6), compare->label_a.c_str());  // "snapshot 2, step 40"
        }
        dl->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(0, 0, 0, 200));
    }
    dl->PopClipRect();
}

}  // namespace nstv

#pragma once
// --ui-probe FILE: the screen rectangles of named widgets, so GUI tests can aim real mouse
// input (xdotool) at a slider without hard-coding the layout. Costs nothing when not enabled.
#include <map>
#include <string>

namespace nstv {

struct Rect {
    float x0, y0, x1, y1;
    bool operator==(const Rect&) const = default;
};

class UiProbe {
public:
    explicit UiProbe(std::string path) : path_(std::move(path)) {}
    [[nodiscard]] bool enabled() const { return !path_.empty(); }
    // Records the last ImGui item under `name` (window coordinates + window origin on screen).
    void item(const char* name);
    // The same for a widget drawn with a label on its right (sliders, combos): only its frame,
    // so that a fraction of the rectangle's width is that fraction of the slider's range.
    void frame(const char* name, const char* label);
    // A rectangle that is not an ImGui item (e.g. the image on the canvas), in window coordinates.
    void rect(const char* name, float x0, float y0, float x1, float y1);
    // Once per frame: writes the file (atomically) when something moved, appeared or went away
    // (only widgets drawn in this frame are listed), then starts the next frame's list.
    void flush(int window_x, int window_y);

private:
    std::string path_;
    std::map<std::string, Rect> rects_, written_;
    int wx_ = -1, wy_ = -1;
};

}  // namespace nstv

#pragma once
// The snapshot strip under the canvas: "Keep" (K) keeps the current result with every parameter,
// "Copy as command" puts the equivalent `nst` command line on the clipboard (and shows it), and
// one thumbnail per kept result (step and total loss under it). Clicking a thumbnail shows it in
// the view; ctrl+click a second compares the two (side by side or split, the view's modes);
// "Restore" puts a snapshot's parameters back (optionally its image as the new start); "Delete".
// Owns the thumbnails' textures (re-uploaded when the model's version moves); the model is
// Snapshots (the session saves it).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "canvas/image_view.h"
#include "gl/texture.h"
#include "probe/ui_probe.h"
#include "run/frame.h"
#include "session/snapshots.h"

namespace nstv {

class Controller;
class JsonLog;
class PaintPanel;
struct ViewerOptions;

class SnapshotStrip {
public:
    explicit SnapshotStrip(const Snapshots& model) : model_(model) {}

    // K: keep the current result (at the next apply()).
    void request_keep() { keep_ = true; }
    // Height of the strip (buttons and thumbnails) under the canvas.
    [[nodiscard]] float height() const;
    // What the canvas shows instead of the live result alone: a snapshot, or two images compared
    // (one of them may be the live result). Empty: the live view as usual.
    [[nodiscard]] std::optional<ImageView::Compare> compare(const Texture& live) const;
    // Fills the rest of the current window: buttons, thumbnails, the command popup. A compare
    // asked for in the Result mode switches the view to side by side.
    void draw(ImageView& view, UiProbe& probe);
    // After drawing: does what was asked for (keep, restore, delete, copy) with the current frame,
    // the parameters and the painted regions.
    void apply(Controller& controller, const PaintPanel& paint, Snapshots& model, const ViewerOptions& o, JsonLog* log);
    [[nodiscard]] std::vector<Notice> take_messages() { return std::exchange(messages_, {}); }

private:
    void sync_textures();
    void draw_popup();
    void keep(Controller& controller, const PaintPanel& paint, Snapshots& model, const ViewerOptions& o, JsonLog* log);
    void copy_command(Controller& controller, const PaintPanel& paint, const ViewerOptions& o, JsonLog* log);
    [[nodiscard]] std::string label(int i) const;  // "snapshot 2, step 40" or "live, step 57"
    void say(Notice::Level level, std::string text) { messages_.push_back(Notice{level, std::move(text), {}}); }

    const Snapshots& model_;
    std::vector<Texture> thumbs_;  // one per snapshot, at its full size (the view shows it too)
    std::uint64_t seen_ = ~0ull;   // the model's version the textures show
    int shown_ = -1;               // A: the snapshot shown (-1: the live result)
    int other_ = -1;               // B: the one compared with A (-1: none)
    bool restore_image_ = false;   // "also its image as the new start"
    // Requests from this frame's input, done in apply().
    bool keep_ = false, copy_ = false;
    int restore_ = -1, delete_ = -1;
    int logged_shown_ = -1, logged_other_ = -1;  // the view last written to the log
    const char* mode_ = "";                       // the view's mode at the last draw
    const char* logged_mode_ = "";
    long live_step_ = 0;
    bool live_random_ = false;
    std::string command_;          // the last copied command (the popup shows it)
    std::vector<std::string> command_notes_;
    bool open_popup_ = false;
    std::vector<Notice> messages_;
};

}  // namespace nstv

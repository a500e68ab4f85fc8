#pragma once
// The timeline under the image when the content is a clip: the frame under the cursor (number and
// time code), buttons and keys to step, a bar to scrub with the shot cuts marked (found by a
// ClipScan worker) and, once a render has run, the warping error of each rendered frame. Moving
// the cursor asks the Controller for a frame move (the optimizer re-targets in the background and
// carries the image over); this never waits for it.
#include <functional>
#include <map>
#include <string>

#include "control/control_state.h"
#include "run/frame.h"
#include "video/clip_scan.h"
#include "video/playback.h"

namespace nstv {

class UiProbe;

class TimelinePanel {
public:
    // `wake` (thread-safe): called from the playback's worker when a frame is ready to show.
    explicit TimelinePanel(std::function<void()> wake = {}) : playback_(std::move(wake)) {}
    // The playback is playing: the UI keeps drawing at its frame rate.
    [[nodiscard]] bool playing() const { return playback_.on() && playback_.playing(); }
    // The height the timeline needs (0 when the content is not a clip).
    [[nodiscard]] float height(const Sources* sources) const;
    // Draws in the current window, the full width. Sets a.goto_frame when the user moves.
    void draw(const Sources* sources, const ControlState& state, UiProbe& probe, ControlActions& a);
    // The rendered frames' warping errors (0-based frame -> error), replaced by each render of the clip.
    void set_errors(const std::string& clip, std::map<int, double> errors);
    // The frame the user wants after `delta` frames from the cursor (keys).
    [[nodiscard]] static int stepped(const ControlState& state, const Sources* sources, int delta);
    [[nodiscard]] const std::map<int, double>& errors() const { return errors_; }
    [[nodiscard]] const ClipScan::Result& scan() const { return scan_; }
    // A render of the clip finished: its output can be played back beside the content.
    void set_rendered(const std::string& output, int first_frame, int frames);
    // Per UI frame, before the canvas is drawn: the playback's comparison while it is on (else null).
    [[nodiscard]] const ImageView::Compare* playback_view(const Sources* sources);

private:
    void follow(const Sources* sources);

    ClipScan scanner_;
    ClipScan::Result scan_;
    std::string errors_clip_;
    std::map<int, double> errors_;
    std::string rendered_;  // the last render's output (empty: none), frames first..first+count-1
    int rendered_first_ = 0, rendered_count_ = 0;
    Playback playback_;
};

}  // namespace nstv

#pragma once
// "Render final..." (Ctrl+R, or the Render menu of the menu bar): a dialog for the
// output's long side (1024, 2048, 4096 or any up to 8192), the step count, the output file (path
// field or the desktop's file dialog) and the tile (by memory, or a size); Start checks that the
// output can be written before anything runs. While the render runs the view shows its preview,
// a progress bar ("tile 7/16 · step 12/200 · 3 min left") and Cancel (also Esc); when it ends the
// live view comes back. The optimizer thread does the work (RenderStepper); this only draws and
// asks, through the Controller, and never waits.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gl/texture.h"
#include "run/frame.h"
#include "run/render_check.h"
#include "session/file_dialog.h"

namespace nstv {

class Controller;
class UiProbe;

class RenderPanel {
public:
    void open() { want_open_ = true; }
    [[nodiscard]] bool dialog_open() const { return dialog_open_; }
    void close_dialog() { close_ = true; }
    // A render was started and has not ended: the view shows it instead of the live result.
    [[nodiscard]] bool active() const { return active_; }
    [[nodiscard]] bool video_active() const { return active_ && progress_.video; }
    // Per frame, outside other windows: what the optimizer published, and the setup dialog.
    void draw(Controller& c, float scale, UiProbe& probe);
    // In place of the toolbar and canvas while active(): the preview, the progress, Cancel.
    void draw_view(Controller& c, UiProbe& probe);
    void cancel(Controller& c);
    // "Render video..." (video/video_render_panel.cpp) starts its render here, so both kinds share
    // the progress view, Cancel and Esc. Returns why it did not start (empty: started).
    std::string start_video(Controller& c, const RenderSetup& r);
    // The warping errors of the clip's rendered frames, when new ones arrived (0-based frame -> error).
    std::shared_ptr<const std::map<int, double>> take_frame_errors() { return std::exchange(new_errors_, nullptr); }
    // The output of the last video render that finished (empty: none yet), for the playback.
    [[nodiscard]] const std::string& video_output() const { return video_output_; }
    [[nodiscard]] int video_first_frame() const { return video_first_; }
    [[nodiscard]] int video_frames() const { return video_frames_; }
    [[nodiscard]] int video_renders_done() const { return video_done_; }  // counts the finished ones
    // Refusals and confirmations, for the toasts and stderr.
    std::vector<Notice> take_notices() { return std::exchange(notices_, {}); }

private:
    void receive(Controller& c);
    void draw_setup(Controller& c, UiProbe& probe);
    void start(Controller& c);
    void begin(Controller& c, const RenderSetup& r);  // sends it and shows its progress
    [[nodiscard]] int chosen_size() const;
    void say(Notice::Level level, std::string text);

    // The dialog.
    bool want_open_ = false, dialog_open_ = false, close_ = false;
    int size_choice_ = 1;        // kPresets[i], or the last entry: custom_size_
    int custom_size_ = 3000;
    int steps_ = 200;
    bool auto_tile_ = true;
    int tile_ = 512;
    OutputPath output_;

    // The render asked for and its newest publication.
    bool active_ = false;
    bool cancelling_ = false;
    std::uint64_t id_ = 0;
    std::uint64_t commands_sent_ = 0;
    RenderFrame progress_;
    // When the render was asked for and when progress_ arrived: elapsed time and time left move
    // on between publications (an untiled step at print size publishes nothing for a while).
    std::chrono::steady_clock::time_point started_at_, received_at_;
    std::shared_ptr<const Rgba8> uploaded_;  // the preview the texture holds
    Texture preview_;
    std::vector<Notice> notices_;
    std::shared_ptr<const std::map<int, double>> seen_errors_, new_errors_;
    std::string video_output_;
    int video_first_ = 0, video_frames_ = 0, video_done_ = 0;
    bool progress_ended_seen_ = false;  // the end of the render under way was already taken
};

}  // namespace nstv

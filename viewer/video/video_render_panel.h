#pragma once
// "Render video..." (Ctrl+Shift+R, or the Render menu): renders the clip that is the content with
// the current look, frame by frame with the temporal loss, as `nst --video` does. The dialog holds
// the frames (A:B), the first frame's steps, the steps of each later frame, the temporal weight and
// frames, the output (a video file or a frame pattern) and an estimate of the time; its values
// live in ControlState (sessions and "copy as command" carry them). The render itself runs on the
// optimizer thread and shows in RenderPanel's progress view (Cancel keeps the finished frames;
// starting the same render again continues).
#include <string>

#include "session/file_dialog.h"

namespace nstv {

class Controller;
class RenderPanel;
class UiProbe;

class VideoRenderPanel {
public:
    void open() { want_open_ = true; }
    [[nodiscard]] bool dialog_open() const { return dialog_open_; }
    void close_dialog() { close_ = true; }
    // Per frame, outside other windows. `render` starts it and shows its progress.
    void draw(Controller& c, RenderPanel& render, float scale, UiProbe& probe);

private:
    void draw_setup(Controller& c, RenderPanel& render, UiProbe& probe);
    void start(Controller& c, RenderPanel& render);

    bool want_open_ = false, dialog_open_ = false, close_ = false, params_changed_ = false;
    OutputPath output_;
};

}  // namespace nstv

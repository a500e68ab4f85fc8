#pragma once
// Files dropped on the window outside the style list (glfwSetDropCallback): a modal asks what they
// are for, the content image (one file) or more styles. (Dropped on the style list, they are
// added as styles at once.)
#include <string>
#include <vector>

#include "control/control_state.h"

namespace nstv {

class DropPopup {
public:
    // From the GLFW drop callback (UI thread).
    void offer(std::vector<std::string> paths) { paths_ = std::move(paths); }
    // Edits the content path and asks for a re-target, or asks for the files as styles.
    void draw(ControlState& s, float scale, ControlActions& a);

private:
    std::vector<std::string> paths_;
};

}  // namespace nstv

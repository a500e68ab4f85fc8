#include "session/session_io.h"

#include <string>

#include "control/controller.h"
#include "control/run_settings.h"
#include "nst/param_table.h"
#include "paint/paint_panel.h"
#include "session/snapshots.h"

namespace nstv {
namespace {

// Session::viewer keys. Kept as names, not numbers, so a reordered enum does not change meaning.
constexpr const char* kViewMode = "view_mode";
constexpr const char* kUpdateEvery = "update_every";
constexpr const char* kScreenshotDir = "screenshot_dir";
constexpr const char* kShown = "shown";

const char* mode_key(ViewMode m) {
    switch (m) {
        case ViewMode::Result: return "result";
        case ViewMode::SideBySide: return "side-by-side";
        case ViewMode::Split: return "split";
        case ViewMode::Tiled: return "tile-2x2";
    }
    return "result";
}

}  // namespace

nlohmann::json viewer_state(const ControlState& s, ViewMode mode) {
    return {{kViewMode, mode_key(mode)},
            {kUpdateEvery, s.update_every},
            {kScreenshotDir, s.screenshot_dir},
            {kShown, s.show_average ? "average" : "iterate"}};
}

void apply_viewer_state(const nlohmann::json& j, ControlState& s, ImageView& view, ControlActions& a) {
    if (!j.is_object()) return;
    if (const auto it = j.find(kViewMode); it != j.end() && it->is_string())
        for (const ViewMode m : {ViewMode::Result, ViewMode::SideBySide, ViewMode::Split, ViewMode::Tiled})
            if (it->get<std::string>() == mode_key(m) && m != view.mode()) view.set_mode(m);
    if (const auto it = j.find(kUpdateEvery); it != j.end() && it->is_number_integer()) {
        const long v = it->get<long>();
        if (v >= 1 && v <= 100000 && v != s.update_every) {  // as --update-every takes it
            s.update_every = static_cast<int>(v);
            a.update_every_changed = true;
        }
    }
    if (const auto it = j.find(kScreenshotDir); it != j.end() && it->is_string() && !it->get<std::string>().empty())
        s.screenshot_dir = it->get<std::string>();
    if (const auto it = j.find(kShown); it != j.end() && it->is_string()) {
        const bool average = it->get<std::string>() == "average";
        if (average != s.show_average) {
            s.show_average = average;
            a.show_changed = true;
        }
    }
}

nst::Session capture_session(const SessionParts& p) {
    nst::Session s;
    const Frame* frame = p.controller.frame();
    const bool has_image = frame && !frame->image.empty();
    const int step = has_image ? static_cast<int>(frame->step) : 0;
    s.settings = settings_of(p.controller.state(), p.options, step);
    s.masks = p.paint.layers().spatial();
    if (has_image) {
        s.current = image_of(frame->image);
        s.step = step;
    }
    // A clip: the frame the run is on (its image is `current`), so the session reopens there.
    if (has_image && frame->sources && !frame->sources->video.empty()) s.frame = frame->sources->frame;
    else s.frame = p.controller.state().frame;
    s.snapshots = p.snapshots.all();
    s.viewer = viewer_state(p.controller.state(), p.view.mode());
    return s;
}

std::string session_fingerprint(const SessionParts& p) {
    const Frame* frame = p.controller.frame();
    // The parameters as the session would hold them (a few hundred bytes of JSON: cheap once a
    // second or so), plus counters for the heavy parts.
    std::string f = nst::to_json(settings_of(p.controller.state(), p.options, 0)).dump();
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on chains of operator+ here.
    const auto add = [&f](const char* key, const std::string& value) { f.append("|").append(key).append(" ").append(value); };
    add("masks", std::to_string(p.paint.layers().version()));
    add("snapshots", std::to_string(p.snapshots.version()));
    add("frame", std::to_string(frame ? frame->seq : 0));
    add("clip-frame", std::to_string(p.controller.state().frame));
    add("viewer", viewer_state(p.controller.state(), p.view.mode()).dump());
    return f;
}

void restore_session(const nst::Session& s, const SessionParts& p, ControlActions& a) {
    p.controller.adopt_settings(s.settings, s.current.empty() ? nullptr : &s.current, s.frame);
    p.paint.set_masks(s.masks);
    p.snapshots.set_all(s.snapshots);
    apply_viewer_state(s.viewer, p.controller.state(), p.view, a);
}

}  // namespace nstv

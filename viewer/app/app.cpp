// The window's main loop, on the model of Dear ImGui's example_glfw_opengl3/main.cpp: set up the
// platform, then per frame: wait for events, receive what the optimizer sent, let each panel draw
// itself and say what the user asked for, hand that to the Controller, render, swap. Everything
// else lives in the panels (one file each) and in the Controller.
#include "app/app.h"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/key_input.h"
#include "app/theme.h"
#include "app/window.h"
#include "canvas/view_panel.h"
#include "control/controller.h"
#include "gl/gl.h"
#include "gl/pictures.h"
#include "gl/screenshots.h"
#include "gl/window_capture.h"
#include "paint/paint_panel.h"
#include "windows/render_panel.h"
#include "panels/side_panel.h"
#include "windows/sweep_panel.h"
#include "popups/drop_popup.h"
#include "popups/help_window.h"
#include "popups/toasts.h"
#include "probe/frame_stats.h"
#include "probe/ui_probe.h"
#include "run/json_log.h"
#include "run/recipe.h"
#include "session/session_panel.h"
#include "session/snapshot_strip.h"
#include "session/snapshots.h"
#include "video/timeline_panel.h"
#include "video/video_render_panel.h"
#include "weights/weights_banner.h"

namespace nstv {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kNoDisplayHint =
    "use the command-line tool instead: nst --content assets/content.jpg --style assets/style.jpg --output out.png";

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

class App {
public:
    App(const ViewerOptions& o, GLFWwindow* window, float scale, std::unique_ptr<JsonLog> log)
        : opts_(o), window_(window), scale_(scale), log_(std::move(log)), probe_(o.ui_probe),
          controller_(o, log_.get(), stats_, [] { glfwPostEmptyEvent(); }) {
        if (o.download) start_download();
        paint_.start_with(o.run.regions, o.run.content_map);
        glfwSetWindowUserPointer(window_, this);
        glfwSetDropCallback(window_, [](GLFWwindow* w, int count, const char** paths) {
            auto* self = static_cast<App*>(glfwGetWindowUserPointer(w));
            if (self && count > 0) self->dropped(w, std::vector<std::string>(paths, paths + count));
        });
    }

    ~App() {
        session_.quit(session_parts());  // the last autosave, while the frame and the panels are still here
        glfwSetDropCallback(window_, nullptr);
        // The window is already hidden. A download in flight is cancelled (its stop token; the
        // fetch leaves no file behind) while the optimizer finishes its current step and stops.
        const bool downloading = banner_.downloading();
        banner_.request_stop();
        controller_.stop();
        banner_.cancel_and_wait();
        if (downloading && log_) log_->event("download_cancelled");
        if (!opts_.stats_json.empty()) std::ofstream(opts_.stats_json) << stats_.json();
    }
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    void loop();

private:
    void wait_for_events();
    void receive();
    void handle_keys(ControlActions& a);
    void draw(ControlActions& a);
    void apply(ControlActions& a);
    void tell(Notice n);
    void save_result();
    void start_download();
    void dropped(GLFWwindow* w, std::vector<std::string> paths);
    [[nodiscard]] std::string metadata() const;
    [[nodiscard]] StatusInfo status_info() const;
    [[nodiscard]] SessionParts session_parts() { return {controller_, paint_, snapshots_, view_panel_.view(), opts_}; }
    [[nodiscard]] WeightsBanner::Context banner_context();

    const ViewerOptions& opts_;
    GLFWwindow* window_;
    float scale_;
    std::unique_ptr<JsonLog> log_;  // outlives the optimizer thread, which writes it
    FrameStats stats_;
    UiProbe probe_;
    Controller controller_;
    ScreenshotSaver saver_;
    WeightsBanner banner_{[] { glfwPostEmptyEvent(); }, log_.get()};  // wakes the UI for progress

    Pictures pictures_;
    ViewPanel view_panel_;
    SidePanel side_panel_;
    PaintPanel paint_;
    Snapshots snapshots_;                  // kept results (a session saves them)
    SnapshotStrip strip_{snapshots_};      // their thumbnails under the canvas
    SessionPanel session_{opts_};          // open/save, --session, autosave
    Toasts toasts_;
    DropPopup drop_;
    SweepPanel sweep_;
    RenderPanel render_;                   // "Render final...": its dialog, and the view while it runs
    TimelinePanel timeline_{[] { glfwPostEmptyEvent(); }};  // a clip: the frame, cuts, rendered errors, playback
    VideoRenderPanel video_render_;        // "Render video...": its dialog (the progress is render_'s)
    int video_renders_seen_ = 0;           // video renders finished that the timeline was given
    std::vector<std::string> dropped_styles_;  // dropped on the style list: added at the next frame
    bool help_ = false;
    bool window_shot_ = false;
    bool result_shot_pending_ = false;
    bool first_stylized_pending_ = false;

    Clock::time_point active_until_ = Clock::now() + std::chrono::seconds(1);
    Clock::time_point last_frame_ = Clock::now();
};

void App::wait_for_events() {
    const auto now = Clock::now();
    const bool continuous = opts_.exit_after_frames > 0 || now < active_until_ || !toasts_.empty() || timeline_.playing();
    if (continuous) {
        // ~60 frames/s while the user interacts, even where the swap interval is not honoured
        // (Xvfb); events still wake us at once.
        const double left = 1.0 / 60.0 - seconds(now - last_frame_);
        if (left > 0) glfwWaitEventsTimeout(left);
        else glfwPollEvents();
    } else {
        // Idle: sleep until input or a new image (the optimizer posts an empty event); wake now
        // and then for the counters. Keeps the CPU (and software GL's fill cost) for the optimizer.
        glfwWaitEventsTimeout(controller_.status().paused ? 1.0 : 0.25);
    }
}

void App::receive() {
    const UiWaitTimer t(stats_);
    if (const Frame* f = controller_.receive()) {
        stats_.publication(f->publish_ms);
        const auto t0 = Clock::now();
        pictures_.show(*f);
        stats_.upload(millis(Clock::now() - t0));
        if (f->step > 0) first_stylized_pending_ = true;
        if (result_shot_pending_) save_result();
    }
    controller_.drain_samples([&](const LossSample& s) { side_panel_.plot().add(s); });
    if (const auto weights = banner_.poll()) controller_.switch_weights(*weights);
    for (auto& n : controller_.take_notices()) tell(std::move(n));
    for (auto& m : controller_.take_messages()) toasts_.add(m.level, std::move(m.text), m.seconds);
    for (auto& n : session_.take_messages()) tell(std::move(n));
    for (auto& n : sweep_.take_notices()) tell(std::move(n));
    for (auto& n : render_.take_notices()) tell(std::move(n));
    if (const auto errors = render_.take_frame_errors()) timeline_.set_errors(controller_.state().applied.video, *errors);
    if (render_.video_renders_done() != video_renders_seen_) {
        video_renders_seen_ = render_.video_renders_done();
        timeline_.set_rendered(render_.video_output(), render_.video_first_frame(), render_.video_frames());
    }
    for (auto& r : saver_.take_results())
        toasts_.add(r.ok ? Notice::Level::Info : Notice::Level::Error, r.ok ? "saved " + r.message : "screenshot failed: " + r.message);
}

void App::tell(Notice n) {
    // Also on stderr: the window may be gone from view, and logs/tests can read it.
    std::fprintf(stderr, "nst-viewer: %s%s\n",
                 n.level == Notice::Level::Error ? "error: " : n.level == Notice::Level::Warning ? "warning: " : "",
                 n.text.c_str());
    const double secs = n.level == Notice::Level::Error ? 10.0 : n.level == Notice::Level::Warning ? 8.0 : 4.0;
    toasts_.add(n.level, std::move(n.text), secs);
}

void App::save_result() {
    const Frame* frame = controller_.frame();
    if (!frame || frame->image.empty()) {
        // Still preparing: save the first image as soon as it arrives.
        if (!result_shot_pending_) toasts_.add(Notice::Level::Info, "the result will be saved once the first image is ready");
        result_shot_pending_ = true;
        return;
    }
    result_shot_pending_ = false;
    const UiWaitTimer t(stats_);
    char stem[64];
    // Honest labelling: a result of untrained features says so in its file name.
    const bool random = frame->sources ? frame->sources->random_features : controller_.showing_random();
    std::snprintf(stem, sizeof stem, "-step%05ld%s", frame->step, random ? "-untrained" : "");
    saver_.save(frame->image, controller_.state().screenshot_dir, timestamped_name("nst-result") + stem, metadata());
}

std::string App::metadata() const {
    const Frame* frame = controller_.frame();
    return frame ? result_metadata(*frame) : std::string();
}

void App::dropped(GLFWwindow* w, std::vector<std::string> paths) {
    // On the style list: more styles, at once. Elsewhere: ask what they are for.
    double x = 0, y = 0;
    glfwGetCursorPos(w, &x, &y);
    if (side_panel_.styles().contains(static_cast<float>(x), static_cast<float>(y)))
        dropped_styles_.insert(dropped_styles_.end(), paths.begin(), paths.end());
    else
        drop_.offer(std::move(paths));
}

void App::start_download() {
    banner_.start(opts_.run.weights_url);
    active_until_ = Clock::now() + std::chrono::milliseconds(500);
}

void App::apply(ControlActions& a) {
    // Regions point into the style list: a removal renumbers them before the re-target is sent.
    if (a.remove_style >= 0) paint_.style_removed(a.remove_style, controller_.state().styles.size());
    a.spatial = paint_.take_change();
    for (auto& n : paint_.take_messages()) tell(std::move(n));
    controller_.apply(a);
    strip_.apply(controller_, paint_, snapshots_, opts_, log_.get());
    for (auto& n : strip_.take_messages()) tell(std::move(n));
    if (a.reset) side_panel_.plot().clear();
    if (a.retry_download) start_download();
    if (a.save_result) save_result();
    if (a.save_window) window_shot_ = true;
    if (a.toggle_sweep) sweep_.toggle();
    if (a.open_render) render_.open();
    if (a.open_video_render) video_render_.open();
    if (a.cancel_render) render_.cancel(controller_);
}

void App::handle_keys(ControlActions& a) {
    const auto presses = take_key_presses();
    if (ImGui::GetIO().WantTextInput) return;  // typing into a field, not a shortcut
    ImageView& view = view_panel_.view();
    for (const auto& [key, mods] : presses) {
        switch (key) {
            case GLFW_KEY_SPACE: a.toggle_pause = !a.toggle_pause; break;
            case GLFW_KEY_RIGHT: ++a.steps; break;
            // A clip's timeline: , and . step a frame (Shift: 10), Home and End go to its ends.
            case GLFW_KEY_COMMA:
            case GLFW_KEY_PERIOD: {
                const int delta = (key == GLFW_KEY_COMMA ? -1 : 1) * ((mods & GLFW_MOD_SHIFT) ? 10 : 1);
                a.goto_frame = TimelinePanel::stepped(controller_.state(), controller_.sources(), delta);
                break;
            }
            case GLFW_KEY_HOME: a.goto_frame = TimelinePanel::stepped(controller_.state(), controller_.sources(), -1'000'000'000); break;
            case GLFW_KEY_END: a.goto_frame = TimelinePanel::stepped(controller_.state(), controller_.sources(), 1'000'000'000); break;
            case GLFW_KEY_R:  // Ctrl+R render final, Ctrl+Shift+R render video, R reset
                if ((mods & GLFW_MOD_CONTROL) && (mods & GLFW_MOD_SHIFT)) a.open_video_render = true;
                else if (mods & GLFW_MOD_CONTROL) a.open_render = true;
                else a.reset = true;
                break;
            case GLFW_KEY_S:  // Ctrl+S save the session (Ctrl+Shift+S: save as), S the result
                if (mods & GLFW_MOD_CONTROL) session_.save((mods & GLFW_MOD_SHIFT) != 0);
                else a.save_result = true;
                break;
            case GLFW_KEY_O:
                if (mods & GLFW_MOD_CONTROL) session_.open();
                break;
            case GLFW_KEY_W: a.save_window = true; break;
            case GLFW_KEY_F: view.fit(); break;
            case GLFW_KEY_1: view.actual_size(); break;
            case GLFW_KEY_V: view.cycle_mode(); break;
            case GLFW_KEY_F1: help_ = !help_; break;
            case GLFW_KEY_ESCAPE:  // closes what is on top: help, the render dialog, else cancels a render
                if (help_) help_ = false;
                else if (render_.dialog_open()) render_.close_dialog();
                else if (video_render_.dialog_open()) video_render_.close_dialog();
                else if (render_.active()) a.cancel_render = true;
                break;
            case GLFW_KEY_Q:
                if (mods & GLFW_MOD_CONTROL) glfwSetWindowShouldClose(window_, GLFW_TRUE);
                break;
            case GLFW_KEY_P: paint_.toggle(); break;
            case GLFW_KEY_K: strip_.request_keep(); break;
            case GLFW_KEY_G: a.toggle_sweep = !a.toggle_sweep; break;
            case GLFW_KEY_LEFT_BRACKET: paint_.scale_brush(1.0f / 1.25f); break;
            case GLFW_KEY_RIGHT_BRACKET: paint_.scale_brush(1.25f); break;
            case GLFW_KEY_Z:  // Ctrl+Z undo, Ctrl+Shift+Z redo (a stroke)
                if (!(mods & GLFW_MOD_CONTROL)) break;
                if (mods & GLFW_MOD_SHIFT) paint_.redo();
                else paint_.undo();
                break;
            case GLFW_KEY_Y:
                if (mods & GLFW_MOD_CONTROL) paint_.redo();
                break;
            default: break;
        }
    }
}

StatusInfo App::status_info() const {
    StatusInfo s;
    s.status = controller_.status();
    s.steps_per_s = controller_.steps_per_s();
    s.sources = controller_.sources();
    s.recipe = controller_.frame() ? &controller_.frame()->recipe : nullptr;
    s.random_features = controller_.showing_random();
    s.width = pictures_.result().width();
    s.height = pictures_.result().height();
    s.level = controller_.info().level.load();
    s.levels = controller_.info().levels.load();
    s.level_size = controller_.info().size.load();
    return s;
}

WeightsBanner::Context App::banner_context() {
    const nst::Features& target = controller_.state().applied.options.features;
    WeightsBanner::Context c;
    c.showing_random = controller_.showing_random();
    c.target_random = target.random();
    if (target.random() && target.random_seed == opts_.engine.features.random_seed) c.idle_detail = opts_.untrained_reason;
    return c;
}

void App::draw(ControlActions& a) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const float menu_h = session_.menu_bar(probe_, [&] {  // the rest of the window goes below it
        const bool shown = ImGui::BeginMenu("Render##render_menu");
        probe_.item("render_menu");
        if (shown) {
            if (ImGui::MenuItem("Render final...##render", "Ctrl+R")) a.open_render = true;
            probe_.item("render_menu_final");
            if (ImGui::MenuItem("Render video...##render_video", "Ctrl+Shift+R", false, controller_.clip_frames() > 0))
                a.open_video_render = true;
            probe_.item("render_menu_video");
            ImGui::EndMenu();
        }
    });
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, vp->Pos.y + menu_h));
    ImGui::SetNextWindowSize(ImVec2(vp->Size.x, vp->Size.y - menu_h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
    ImGui::Begin("##main", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleVar();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float panel_w = std::min(avail.x * 0.45f, 390.0f * scale_);
    ImGui::BeginChild("view", ImVec2(avail.x - panel_w - ImGui::GetStyle().ItemSpacing.x, avail.y), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    banner_.draw(banner_context(), probe_, a);
    paint_.update(controller_.sources(), controller_.state().retargeting);
    // While a render runs the view is its preview and progress; the live result comes back after.
    if (render_.active()) render_.draw_view(controller_, probe_);
    else view_panel_.draw(pictures_, status_info(), paint_, strip_, timeline_, controller_.state(), probe_, a);
    ImGui::EndChild();
    ImGui::SameLine();
    ControlState& state = controller_.state();
    side_panel_.draw(panel_w, avail.y, scale_, state, controller_.status(), pictures_.styles_for(state.style_paths()),
                     paint_, probe_, a);
    ImGui::End();
    toasts_.draw();
    draw_help_window(help_, controller_.state().screenshot_dir);
    drop_.draw(controller_.state(), scale_, a);
    session_.draw(session_parts(), probe_, a);
    sweep_.draw(controller_, opts_, scale_, probe_);
    render_.draw(controller_, scale_, probe_);
    video_render_.draw(controller_, render_, scale_, probe_);
}

void App::loop() {
    while (!glfwWindowShouldClose(window_)) {
        release_deferred_keys(window_);
        wait_for_events();
        const auto t0 = Clock::now();
        const double interval = millis(t0 - last_frame_);
        last_frame_ = t0;
        int fbw = 0, fbh = 0;
        glfwGetFramebufferSize(window_, &fbw, &fbh);
        if (fbw <= 0 || fbh <= 0 || glfwGetWindowAttrib(window_, GLFW_ICONIFIED)) continue;  // minimised

        receive();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        const ImGuiIO& io = ImGui::GetIO();
        if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || io.MouseWheel != 0 || ImGui::IsAnyMouseDown() ||
            io.InputQueueCharacters.Size > 0 || ImGui::IsAnyItemActive())
            active_until_ = t0 + std::chrono::milliseconds(500);
        for (int k = 0; k < 512; ++k)
            if (io.KeysDown[k]) active_until_ = t0 + std::chrono::milliseconds(500);
        ControlActions a;
        a.add_styles = std::exchange(dropped_styles_, {});
        handle_keys(a);
        draw(a);
        apply(a);
        ImGui::Render();
        stats_.build(millis(Clock::now() - t0), paint_.stroking());
        glViewport(0, 0, fbw, fbh);
        glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (window_shot_) {
            window_shot_ = false;
            saver_.save(read_back_buffer(fbw, fbh), controller_.state().screenshot_dir,
                        timestamped_name("nst-window") + (controller_.showing_random() ? "-untrained" : ""), metadata());
        }
        glfwSwapBuffers(window_);

        stats_.first_frame();
        if (first_stylized_pending_) {
            stats_.first_stylized();
            first_stylized_pending_ = false;
        }
        const RunnerStatus& st = controller_.status();
        stats_.frame_done(millis(Clock::now() - t0), interval, st.ready && !st.paused, paint_.stroking());
        const Sources* src = controller_.sources();
        const bool scrubbing = src && !src->video.empty() && controller_.state().frame != src->frame;
        stats_.video_frame(millis(Clock::now() - t0), scrubbing, render_.active() && render_.video_active());
        if (probe_.enabled()) {
            int wx = 0, wy = 0;
            glfwGetWindowPos(window_, &wx, &wy);
            probe_.flush(wx, wy);
        }
        if (opts_.exit_after_frames > 0 && stats_.frames() >= opts_.exit_after_frames)
            glfwSetWindowShouldClose(window_, GLFW_TRUE);
    }
    // The window goes away at once, even if a step is still running.
    glfwHideWindow(window_);
    glfwPollEvents();
}

}  // namespace

int run_app(const ViewerOptions& o) {
    const char* x = std::getenv("DISPLAY");
    const char* wl = std::getenv("WAYLAND_DISPLAY");
    if ((!x || !*x) && (!wl || !*wl)) {
        std::cerr << "nst-viewer: no display (DISPLAY and WAYLAND_DISPLAY are unset); " << kNoDisplayHint << "\n";
        return 1;
    }
    std::unique_ptr<JsonLog> log;
    if (!o.run.log_json.empty()) log = std::make_unique<JsonLog>(o.run.log_json);

    const GlfwSession glfw;
    if (!glfw.ok) {
        std::cerr << "nst-viewer: cannot open the display (" << last_glfw_error() << "); " << kNoDisplayHint << "\n";
        return 1;
    }
    std::string problem;
    const WindowPtr window = open_window(o.window_width, o.window_height, problem);
    if (!window) {
        std::cerr << "nst-viewer: " << problem << "; " << kNoDisplayHint << "\n";
        return 1;
    }
    const float scale = content_scale(window.get());
    const ImGuiSession imgui(window.get());
    install_key_input(window.get());  // after the backend's install: replaces and forwards
    apply_theme(scale);
    {
        App app(o, window.get(), scale, std::move(log));
        app.loop();
    }
    return 0;
}

}  // namespace nstv

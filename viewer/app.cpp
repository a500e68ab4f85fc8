#include "app.h"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "controls.h"
#include "engine_stepper.h"
#include "frame_stats.h"
#include "gl.h"
#include "image_view.h"
#include "json_log.h"
#include "plots.h"
#include "runner.h"
#include "screenshots.h"
#include "texture.h"
#include "ui_probe.h"
#include "weights_download.h"

namespace nstv {
namespace {

using Clock = std::chrono::steady_clock;
using EngineRunner = Runner<EngineStepper>;

constexpr const char* kNoDisplayHint =
    "use the command-line tool instead: nst --content assets/content.jpg --style assets/style.jpg --output out.png";

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string g_glfw_error;
void on_glfw_error(int, const char* description) { g_glfw_error = description ? description : "unknown error"; }

// glfwInit/glfwTerminate and the window, as RAII so every exit path cleans up.
struct GlfwSession {
    bool ok = glfwInit() == GLFW_TRUE;
    ~GlfwSession() {
        if (ok) glfwTerminate();
    }
};
struct WindowDeleter {
    void operator()(GLFWwindow* w) const { glfwDestroyWindow(w); }
};
using WindowPtr = std::unique_ptr<GLFWwindow, WindowDeleter>;

struct ImGuiSession {
    explicit ImGuiSession(GLFWwindow* w) {
        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini litter in the user's folder
        ImGui_ImplGlfw_InitForOpenGL(w, true);
        ImGui_ImplOpenGL3_Init("#version 330 core");
    }
    ~ImGuiSession() {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    ImGuiSession(const ImGuiSession&) = delete;
    ImGuiSession& operator=(const ImGuiSession&) = delete;
};

void apply_style(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    const char* font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (std::filesystem::exists(font)) io.Fonts->AddFontFromFileTTF(font, 15.0f * scale);
    else {
        ImFontConfig cfg;
        cfg.SizePixels = 13.0f * scale;
        io.Fonts->AddFontDefault(&cfg);
    }
    ImGui::StyleColorsDark();
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowRounding = 0;
    s.ChildRounding = 4;
    s.FrameRounding = 4;
    s.GrabRounding = 4;
    s.PopupRounding = 4;
    s.FramePadding = ImVec2(8, 4);
    s.ItemSpacing = ImVec2(8, 6);
    s.WindowPadding = ImVec2(10, 10);
    s.GrabMinSize = 12;
    ImVec4* c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.105f, 0.12f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0.12f, 0.125f, 0.14f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(0.18f, 0.19f, 0.22f, 1.0f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.24f, 0.26f, 0.30f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.28f, 0.30f, 0.36f, 1.0f);
    c[ImGuiCol_SliderGrab] = ImVec4(0.95f, 0.60f, 0.25f, 1.0f);
    c[ImGuiCol_SliderGrabActive] = ImVec4(1.0f, 0.72f, 0.35f, 1.0f);
    c[ImGuiCol_CheckMark] = ImVec4(0.95f, 0.60f, 0.25f, 1.0f);
    c[ImGuiCol_Header] = ImVec4(0.20f, 0.21f, 0.25f, 1.0f);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.26f, 0.28f, 0.33f, 1.0f);
    c[ImGuiCol_HeaderActive] = ImVec4(0.30f, 0.32f, 0.38f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.22f, 0.24f, 0.29f, 1.0f);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.30f, 0.33f, 0.40f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.36f, 0.40f, 0.48f, 1.0f);
    if (scale != 1.0f) s.ScaleAllSizes(scale);
}

// Keys. Dear ImGui 1.86 samples key *state* once per frame, so a press and its release that
// arrive in the same frame (fast typing on a slow frame, xdotool) would never be seen: Enter in a
// text field or Ctrl+A would be lost. This callback replaces the backend's: it forwards presses
// at once and holds back a release whose press came in the same frame until the next frame.
// It also records presses for the app's own shortcuts. UI thread only.
struct KeyEvent {
    int key, scancode, action, mods;
};
std::vector<std::pair<int, int>> g_key_presses;  // (key, mods) for shortcuts
std::vector<int> g_pressed_this_frame;
std::vector<KeyEvent> g_deferred;  // in arrival order

// Once one event is held back, everything after it waits too, so order (Ctrl down, A down,
// A up, Ctrl up) is preserved across the frame boundary.
void dispatch_key(GLFWwindow* w, const KeyEvent& e) {
    const bool repeat_release = e.action == GLFW_RELEASE &&
        std::find(g_pressed_this_frame.begin(), g_pressed_this_frame.end(), e.key) != g_pressed_this_frame.end();
    if (!g_deferred.empty() || repeat_release) {
        g_deferred.push_back(e);
        return;
    }
    if (e.action == GLFW_PRESS) g_pressed_this_frame.push_back(e.key);
    ImGui_ImplGlfw_KeyCallback(w, e.key, e.scancode, e.action, e.mods);
}

void on_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
    if (action == GLFW_PRESS || (action == GLFW_REPEAT && key == GLFW_KEY_RIGHT)) g_key_presses.emplace_back(key, mods);
    dispatch_key(w, KeyEvent{key, scancode, action, mods});
}

// Called once per frame before polling events: replays what was held back.
void release_deferred_keys(GLFWwindow* w) {
    g_pressed_this_frame.clear();
    std::vector<KeyEvent> events;
    events.swap(g_deferred);
    for (const auto& e : events) dispatch_key(w, e);
}

struct Toast {
    Notice::Level level;
    std::string text;
    Clock::time_point until;
};

class App {
public:
    App(const ViewerOptions& o, GLFWwindow* window, float scale, std::unique_ptr<JsonLog> log)
        : opts_(o), window_(window), scale_(scale), log_(std::move(log)), probe_(o.ui_probe) {
        state_.params = o.params;
        state_.style_enabled.assign(o.params.style_layers.size(), true);
        state_.update_every = o.update_every;
        state_.applied.content_path = o.content;
        state_.applied.style_path = o.style;
        state_.applied.size = o.size;
        state_.applied.scales = o.scales;
        state_.applied.coarse_steps = o.coarse_steps;
        state_.applied.options = o.engine;
        state_.applied.init = o.init;
        state_.applied.max_pixels = o.max_pixels;
        state_.applied.restart = true;
        state_.content_path = o.content;
        state_.style_path = o.style;
        state_.size = o.size;
        state_.scales = o.scales;
        state_.coarse_steps = o.coarse_steps;
        state_.pooling = o.engine.pooling == nst::Pooling::Avg ? 1 : 0;
        state_.random_features = o.engine.features.random();
        state_.weights_path = o.engine.features.weights_path;
        state_.features_seed = static_cast<int>(o.engine.features.random_seed);
        state_.screenshot_dir = o.screenshot_dir.empty() ? default_screenshot_dir().string() : o.screenshot_dir;
        state_.precision = o.engine.precision;

        EngineRunner::Options ro;
        ro.start_paused = o.start_paused;
        ro.update_every = o.update_every;
        ro.stop_at = o.steps;
        if (log_)
            ro.on_step = [log = log_.get(), info = info_](const LossSample& s, const nst::Params& p) {
                log->write(s, p, info->random_features.load(), info->precision.load(), info->size.load());
            };
        ro.on_publish = [] { glfwPostEmptyEvent(); };  // thread-safe: wakes the UI for the new image
        const nst::Params initial = state_.snapshot();
        runner_ = std::make_unique<EngineRunner>(
            [initial, nan_at = o.debug_nan_at, info = info_](Notify n) {
                auto s = std::make_unique<EngineStepper>(initial, std::move(n), info);
                s->inject_nan_at(nan_at);
                return s;
            },
            initial, ro);
        runner_->retarget(state_.applied);
        if (log_)
            log_->event("start", {{"features", o.engine.features.random() ? "random" : "vgg19"},
                                  {"weights", o.engine.features.weights_path},
                                  {"precision", nst::precision_name(o.engine.precision)},
                                  {"download", o.download ? "true" : "false", true},
                                  {"offline", o.offline ? "true" : "false", true}});
        if (o.download) start_download();
        glfwSetWindowUserPointer(window_, this);
        glfwSetDropCallback(window_, [](GLFWwindow* w, int count, const char** paths) {
            auto* self = static_cast<App*>(glfwGetWindowUserPointer(w));
            if (self && count > 0) self->dropped_ = paths[0];
        });
    }

    ~App() {
        glfwSetDropCallback(window_, nullptr);
        // The window is already hidden. A download in flight is cancelled (its stop token; the
        // fetch leaves no file behind) while the optimizer finishes its current step and stops.
        const bool downloading = download_.state() == WeightsDownload::State::Running;
        download_.request_stop();
        runner_.reset();
        download_.cancel_and_wait();
        if (downloading && log_) log_->event("download_cancelled", {});
        if (!opts_.stats_json.empty()) std::ofstream(opts_.stats_json) << stats_.json();
    }

    void loop();

private:
    void wait_for_events();
    void receive();
    void handle_keys();
    void draw();
    void draw_view(float width, float height);
    void draw_panel(float width, float height);
    void draw_toasts();
    void draw_help();
    void draw_drop_popup();
    void apply(const ControlActions& a);
    void toggle_pause();
    void save_result();
    void capture_window(int w, int h);
    void start_download();
    void poll_download();
    void switch_to_downloaded(const std::filesystem::path& path);
    void draw_banner();
    [[nodiscard]] bool showing_random() const {
        return sources_ ? sources_->random_features : state_.applied.options.features.random();
    }
    void toast(Notice::Level level, std::string text, double secs = 4.0) {
        toasts_.push_back(Toast{level, std::move(text), Clock::now() + std::chrono::milliseconds(static_cast<int>(secs * 1000))});
        while (toasts_.size() > 5) toasts_.pop_front();
    }

    const ViewerOptions& opts_;
    GLFWwindow* window_;
    float scale_;
    std::unique_ptr<JsonLog> log_;  // outlives the runner, whose thread writes it
    std::shared_ptr<EngineInfo> info_ = std::make_shared<EngineInfo>();
    FrameStats stats_;
    UiProbe probe_;
    ControlState state_;
    std::unique_ptr<EngineRunner> runner_;
    ScreenshotSaver saver_;
    // The weights download (its own thread); glfwPostEmptyEvent wakes the UI for its progress.
    WeightsDownload download_{[] { glfwPostEmptyEvent(); }};
    WeightsDownload::State download_seen_ = WeightsDownload::State::Idle;
    WeightsDownload::Snapshot download_snap_;
    std::deque<std::pair<Clock::time_point, std::uint64_t>> download_rate_;  // (when, bytes) over ~3 s

    Texture result_tex_, content_tex_, style_tex_;
    std::uint64_t sources_generation_ = 0;
    const Frame* frame_ = nullptr;  // newest publication; valid until the next poll that returns one
    std::shared_ptr<const Sources> sources_;
    RunnerStatus status_;
    LossPlot plot_;
    ImageView view_;
    std::deque<Toast> toasts_;
    std::string dropped_;
    bool help_ = false;
    bool window_shot_ = false;
    bool result_shot_pending_ = false;
    bool first_stylized_pending_ = false;

    Clock::time_point active_until_ = Clock::now() + std::chrono::seconds(1);
    Clock::time_point last_frame_ = Clock::now();
    Clock::time_point rate_t0_ = Clock::now();
    long rate_steps0_ = 0;
    double steps_per_s_ = 0;
};

void App::wait_for_events() {
    const auto now = Clock::now();
    const bool continuous = opts_.exit_after_frames > 0 || now < active_until_ || !toasts_.empty();
    if (continuous) {
        // ~60 frames/s while the user interacts, even where the swap interval is not honoured
        // (Xvfb); events still wake us at once.
        const double left = 1.0 / 60.0 - seconds(now - last_frame_);
        if (left > 0) glfwWaitEventsTimeout(left);
        else glfwPollEvents();
    } else {
        // Idle: sleep until input or a new image (the optimizer posts an empty event); wake now
        // and then for the counters. Keeps the CPU (and software GL's fill cost) for the optimizer.
        glfwWaitEventsTimeout(status_.paused ? 1.0 : 0.25);
    }
}

void App::receive() {
    const UiWaitTimer t(stats_);
    if (const Frame* f = runner_->poll_frame()) {
        frame_ = f;
        stats_.publication(f->publish_ms);
        const auto t0 = Clock::now();
        result_tex_.upload(f->image);
        if (f->sources && f->sources->generation != sources_generation_) {
            sources_ = f->sources;
            sources_generation_ = sources_->generation;
            state_.cuda = sources_->device.rfind("cuda", 0) == 0;
            content_tex_.upload(sources_->content);
            style_tex_.upload(sources_->style);
        }
        stats_.upload(millis(Clock::now() - t0));
        if (f->step > 0) first_stylized_pending_ = true;
        if (result_shot_pending_) save_result();
    }
    runner_->drain_samples([&](const LossSample& s) { plot_.add(s); });
    poll_download();
    for (auto& n : runner_->take_notices()) {
        if (n.new_lr) state_.params.lr = *n.new_lr;
        // Also on stderr: the window may be gone from view, and logs/tests can read it.
        std::fprintf(stderr, "nst-viewer: %s%s\n",
                     n.level == Notice::Level::Error ? "error: " : n.level == Notice::Level::Warning ? "warning: " : "",
                     n.text.c_str());
        const double secs = n.level == Notice::Level::Error ? 10.0 : n.level == Notice::Level::Warning ? 8.0 : 4.0;
        toast(n.level, std::move(n.text), secs);
    }
    for (auto& r : saver_.take_results())
        toast(r.ok ? Notice::Level::Info : Notice::Level::Error, r.ok ? "saved " + r.message : "screenshot failed: " + r.message);
    status_ = runner_->status();
    // Steps per second over the last second or more (several seconds when steps are slow).
    const auto now = Clock::now();
    if (status_.steps < rate_steps0_) rate_t0_ = now, rate_steps0_ = status_.steps;
    if (status_.steps - rate_steps0_ >= 2 || seconds(now - rate_t0_) >= 5.0) {
        steps_per_s_ = (status_.steps - rate_steps0_) / std::max(1e-3, seconds(now - rate_t0_));
        rate_t0_ = now;
        rate_steps0_ = status_.steps;
    }
}

void App::toggle_pause() {
    const UiWaitTimer t(stats_);
    if (status_.paused) runner_->resume();
    else runner_->pause();
    status_.paused = !status_.paused;  // show the new state now; the optimizer follows
}

void App::save_result() {
    if (!frame_ || frame_->image.empty()) {
        // Still preparing: save the first image as soon as it arrives.
        if (!result_shot_pending_) toast(Notice::Level::Info, "the result will be saved once the first image is ready");
        result_shot_pending_ = true;
        return;
    }
    result_shot_pending_ = false;
    const UiWaitTimer t(stats_);
    char stem[64];
    // Honest labelling: a result of untrained features says so in its file name.
    const bool random = frame_->sources ? frame_->sources->random_features : showing_random();
    std::snprintf(stem, sizeof stem, "-step%05ld%s", frame_->step, random ? "-untrained" : "");
    saver_.save(frame_->image, state_.screenshot_dir, timestamped_name("nst-result") + stem);
}

void App::capture_window(int w, int h) {
    // Read the frame just rendered (before the swap) at framebuffer resolution (HiDPI-aware).
    Rgba8 img;
    img.width = w;
    img.height = h;
    img.pixels.resize(static_cast<std::size_t>(w) * h * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, img.pixels.data());
    // GL rows go bottom-up; PNG rows top-down.
    const std::size_t row = static_cast<std::size_t>(w) * 4;
    for (int y = 0; y < h / 2; ++y)
        std::swap_ranges(img.pixels.begin() + y * row, img.pixels.begin() + (y + 1) * row,
                         img.pixels.begin() + (h - 1 - y) * row);
    saver_.save(std::move(img), state_.screenshot_dir, timestamped_name("nst-window") + (showing_random() ? "-untrained" : ""));
}

void App::apply(const ControlActions& a) {
    const UiWaitTimer t(stats_);
    if (a.toggle_pause) toggle_pause();
    if (a.step) runner_->step_once();
    if (a.reset) {
        runner_->reset();
        plot_.clear();
    }
    if (a.params_changed) runner_->set_params(state_.snapshot());
    if (a.update_every_changed) runner_->set_update_every(state_.update_every);
    if (a.retarget) {
        state_.applied = state_.edited_setup();
        runner_->retarget(state_.applied);
        toast(Notice::Level::Info, "re-targeting in the background...");
    }
    if (a.precision_changed && state_.precision != state_.applied.options.precision) {
        state_.applied.options.precision = state_.precision;
        state_.applied.restart = false;
        runner_->retarget(state_.applied);
        if (log_) log_->event("precision", {{"precision", nst::precision_name(state_.precision)}});
        toast(Notice::Level::Info, std::string("switching to ") + nst::precision_name(state_.precision) +
                                       ": rebuilding the network, carrying on from the current image...");
    }
    if (a.retry_download) start_download();
    if (a.save_result) save_result();
    if (a.save_window) window_shot_ = true;
}

void App::handle_keys() {
    const ImGuiIO& io = ImGui::GetIO();
    std::vector<std::pair<int, int>> presses;
    presses.swap(g_key_presses);
    if (io.WantTextInput) return;  // typing into a field, not a shortcut
    ControlActions a;
    for (const auto& [key, mods] : presses) {
        switch (key) {
            case GLFW_KEY_SPACE: a.toggle_pause = !a.toggle_pause; break;
            case GLFW_KEY_RIGHT: runner_->step_once(); break;
            case GLFW_KEY_R: a.reset = true; break;
            case GLFW_KEY_S: a.save_result = true; break;
            case GLFW_KEY_W: a.save_window = true; break;
            case GLFW_KEY_F: view_.fit(); break;
            case GLFW_KEY_1: view_.actual_size(); break;
            case GLFW_KEY_V: view_.cycle_mode(); break;
            case GLFW_KEY_F1: help_ = !help_; break;
            case GLFW_KEY_ESCAPE: help_ = false; break;
            case GLFW_KEY_Q:
                if (mods & GLFW_MOD_CONTROL) glfwSetWindowShouldClose(window_, GLFW_TRUE);
                break;
            default: break;
        }
    }
    apply(a);
}

void App::draw_view(float width, float height) {
    ImGui::BeginChild("view", ImVec2(width, height), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    draw_banner();
    // Toolbar.
    if (ImGui::Button("Fit [F]")) view_.fit();
    ImGui::SameLine();
    if (ImGui::Button("1:1 [1]")) view_.actual_size();
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    for (ViewMode m : {ViewMode::Result, ViewMode::SideBySide, ViewMode::Split}) {
        ImGui::SameLine();
        if (ImGui::RadioButton(view_mode_name(m), view_.mode() == m)) view_.set_mode(m);
    }
    // Screenshot buttons, right-aligned on the toolbar where they are always in view.
    const char* kSaveResult = "Save result [S]";
    const char* kSaveWindow = "Save window [W]";
    const ImGuiStyle& st = ImGui::GetStyle();
    const float buttons_w = ImGui::CalcTextSize(kSaveResult).x + ImGui::CalcTextSize(kSaveWindow).x +
                            4 * st.FramePadding.x + st.ItemSpacing.x;
    // The zoom note gives way (shorter, then none) when the window is too narrow for it and the buttons.
    ImGui::SameLine();
    char zoom_long[64], zoom_short[32];
    std::snprintf(zoom_long, sizeof zoom_long, "|  zoom %.0f%%  |  F1 help", view_.zoom() * 100.0f);
    std::snprintf(zoom_short, sizeof zoom_short, "|  %.0f%%", view_.zoom() * 100.0f);
    const float room = ImGui::GetWindowContentRegionMax().x - buttons_w - st.ItemSpacing.x - ImGui::GetCursorPosX();
    if (ImGui::CalcTextSize(zoom_long).x <= room) ImGui::TextDisabled("%s", zoom_long);
    else if (ImGui::CalcTextSize(zoom_short).x <= room) ImGui::TextDisabled("%s", zoom_short);
    const float after_text = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + st.ItemSpacing.x;
    ImGui::SameLine(std::max(after_text, ImGui::GetWindowContentRegionMax().x - buttons_w));
    ControlActions shots;
    shots.save_result = ImGui::Button(kSaveResult);
    probe_.item("toolbar_save_result");
    ImGui::SameLine();
    shots.save_window = ImGui::Button(kSaveWindow);
    apply(shots);

    const float status_h = ImGui::GetFrameHeightWithSpacing();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::BeginChild("canvas", ImVec2(avail.x, avail.y - status_h), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    view_.draw(result_tex_, content_tex_, style_tex_);
    ImGui::EndChild();

    // Status line.
    const char* state = !status_.ready ? (status_.busy ? "preparing" : "waiting for images")
                        : status_.busy ? "re-targeting"
                        : status_.paused ? "paused"
                                         : "running";
    const ImVec4 col = status_.paused ? ImVec4(1.0f, 0.75f, 0.3f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1);
    ImGui::TextColored(col, "%s", state);
    ImGui::SameLine();
    ImGui::Text("step %ld", status_.steps);
    probe_.item("step_counter");
    if (const int levels = info_->levels.load(); levels > 1) {
        ImGui::SameLine();
        ImGui::Text("|  level %d/%d, %d px", info_->level.load(), levels, info_->size.load());
        probe_.item("level");
    }
    ImGui::SameLine();
    ImGui::TextDisabled("|  %.2f steps/s  |  %.0f ms/step  |  %s %s  |  %s  |  %dx%d  |  %s",
                        status_.paused ? 0.0 : steps_per_s_, status_.ms_per_step, sources_ ? sources_->device.c_str() : "-",
                        sources_ ? sources_->precision.c_str() : "", showing_random() ? "untrained" : "VGG19", result_tex_.width(),
                        result_tex_.height(), sources_ ? (sources_->content_name + " + " + sources_->style_name).c_str() : "");
    ImGui::EndChild();
}

std::string human_bytes(double b) {
    char buf[32];
    if (b >= 1e9) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else if (b >= 1e6) std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    else if (b >= 1e3) std::snprintf(buf, sizeof buf, "%.0f kB", b / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f B", b);
    return buf;
}

void App::start_download() {
    if (download_.state() == WeightsDownload::State::Running) return;
    download_rate_.clear();
    download_.start(opts_.weights_url);
    download_seen_ = WeightsDownload::State::Running;
    download_snap_ = download_.snapshot();
    if (log_) log_->event("download_started", {{"url", opts_.weights_url}, {"attempt", std::to_string(download_snap_.attempt), true}});
    std::fprintf(stderr, "nst-viewer: downloading the VGG19 weights from %s (running on untrained features meanwhile)\n",
                 opts_.weights_url.c_str());
    active_until_ = Clock::now() + std::chrono::milliseconds(500);
}

void App::poll_download() {
    if (download_seen_ == WeightsDownload::State::Idle) return;
    download_snap_ = download_.snapshot();
    const auto now = Clock::now();
    if (download_snap_.state == WeightsDownload::State::Running) {
        download_rate_.emplace_back(now, download_snap_.done);
        while (download_rate_.size() > 2 && now - download_rate_.front().first > std::chrono::seconds(3))
            download_rate_.pop_front();
    }
    if (download_snap_.state == download_seen_) return;
    download_seen_ = download_snap_.state;
    const auto& d = download_snap_;
    switch (d.state) {
        case WeightsDownload::State::Done:
            if (log_)
                log_->event("download_done", {{"path", d.path.string()},
                                              {"bytes_downloaded", std::to_string(d.bytes_downloaded), true},
                                              {"remote_size", std::to_string(d.remote_size), true},
                                              {"seconds", std::to_string(d.seconds), true}});
            std::fprintf(stderr, "nst-viewer: VGG19 weights downloaded to %s (%s of the %s model file)\n",
                         d.path.c_str(), human_bytes(static_cast<double>(d.bytes_downloaded)).c_str(),
                         human_bytes(static_cast<double>(d.remote_size)).c_str());
            switch_to_downloaded(d.path);
            break;
        case WeightsDownload::State::Failed:
            if (log_) log_->event("download_failed", {{"error", d.error}, {"attempt", std::to_string(d.attempt), true}});
            std::fprintf(stderr, "nst-viewer: error: the VGG19 weights could not be downloaded: %s\n", d.error.c_str());
            break;
        case WeightsDownload::State::Cancelled:
            if (log_) log_->event("download_cancelled", {});
            break;
        default: break;
    }
}

void App::switch_to_downloaded(const std::filesystem::path& path) {
    if (!state_.applied.options.features.random()) {
        toast(Notice::Level::Info, "VGG19 weights saved to " + path.string() + " (not switching: other weights are in use)", 8.0);
        return;
    }
    // Live switch: the optimizer rebuilds the network with the real weights and carries on from
    // the current image (the step counter goes on). Beta moves from the random-features default
    // to the VGG19 one unless the user chose it (--style-weight, or the slider was moved).
    const bool beta = !opts_.style_weight_set && state_.params.style_weight == nst::kRandomFeaturesStyleWeight;
    if (beta) state_.params.style_weight = nst::Params::defaults().style_weight;
    EngineSetup t = state_.applied;
    t.options.features.weights_path = path.string();
    t.restart = false;
    t.params = state_.snapshot();  // the new beta arrives with the new network, not a step earlier
    runner_->retarget(t);
    runner_->set_params(state_.snapshot());
    t.params.reset();
    state_.applied = t;
    state_.random_features = false;
    state_.weights_path = path.string();
    if (log_)
        log_->event("weights_switch", {{"path", path.string()}, {"style_weight", std::to_string(state_.params.style_weight), true},
                                       {"style_weight_changed", beta ? "true" : "false", true}});
    toast(Notice::Level::Info, std::string("switching to the downloaded VGG19 weights") +
                                   (beta ? " (style weight 1e8 -> 1e6, the VGG19 default)" : "") + "...", 6.0);
}

void App::draw_banner() {
    using S = WeightsDownload::State;
    const auto& d = download_snap_;
    const bool downloading = download_seen_ == S::Running;
    const bool failed = download_seen_ == S::Failed;
    const bool switching = download_seen_ == S::Done && showing_random() && !state_.applied.options.features.random();
    if (!showing_random() && !downloading && !failed) return;
    const ImGuiStyle& st = ImGui::GetStyle();
    const float wrap = ImGui::GetContentRegionAvail().x - 16;
    const std::string warning = showing_random() ? std::string("WARNING: ") + nst::kRandomFeaturesWarning : std::string();

    std::string detail;
    if (switching) detail = "VGG19 weights downloaded: switching to them (the optimisation carries on from the current image)...";
    else if (downloading) detail = "Downloading the pretrained VGG19 weights (features only) in the background; the window switches to them when they are ready.";
    else if (failed) detail = "Download of the VGG19 weights failed: " + d.error;
    else if (state_.applied.options.features.random() && state_.applied.options.features.random_seed == opts_.engine.features.random_seed)
        detail = opts_.untrained_reason;  // --offline with nothing cached; empty when --features random was asked for
    float h = 12;
    if (!warning.empty()) h += ImGui::CalcTextSize(warning.c_str(), nullptr, false, wrap).y;
    if (!detail.empty()) h += st.ItemSpacing.y + ImGui::CalcTextSize(detail.c_str(), nullptr, false, wrap).y;
    if (downloading || failed) h += st.ItemSpacing.y + ImGui::GetFrameHeight();

    ImGui::PushStyleColor(ImGuiCol_ChildBg, showing_random() ? ImVec4(0.55f, 0.12f, 0.10f, 1.0f) : ImVec4(0.16f, 0.22f, 0.34f, 1.0f));
    ImGui::BeginChild("banner", ImVec2(0, h), false, ImGuiWindowFlags_NoScrollbar);
    ImGui::SetCursorPos(ImVec2(8, 6));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    if (!warning.empty()) ImGui::TextUnformatted(warning.c_str());  // shown wherever a random-features result is
    if (!detail.empty()) {
        ImGui::SetCursorPosX(8);
        if (failed) ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.6f, 1), "%s", detail.c_str());
        else ImGui::TextColored(ImVec4(0.95f, 0.92f, 0.88f, 0.9f), "%s", detail.c_str());
    }
    ImGui::PopTextWrapPos();
    if (downloading) {
        ImGui::SetCursorPosX(8);
        double rate = 0;
        if (download_rate_.size() >= 2) {
            const double dt = seconds(download_rate_.back().first - download_rate_.front().first);
            if (dt > 0.2) rate = static_cast<double>(download_rate_.back().second - download_rate_.front().second) / dt;
        }
        char text[160];
        if (d.total == 0) {
            std::snprintf(text, sizeof text, "connecting...  %.0f s", d.seconds);
        } else {
            const double left = rate > 0 ? static_cast<double>(d.total - std::min(d.done, d.total)) / rate : -1;
            char eta[32] = "--";
            if (left >= 0) {
                if (left >= 90) std::snprintf(eta, sizeof eta, "%.0f min %02.0f s", std::floor(left / 60), std::fmod(left, 60.0));
                else std::snprintf(eta, sizeof eta, "%.0f s", std::ceil(left));
            }
            std::snprintf(text, sizeof text, "%s / %s   |   %s/s   |   %s left", human_bytes(static_cast<double>(d.done)).c_str(),
                          human_bytes(static_cast<double>(d.total)).c_str(), human_bytes(rate).c_str(), eta);
        }
        const float frac = d.total ? static_cast<float>(static_cast<double>(d.done) / static_cast<double>(d.total)) : 0.0f;
        ImGui::PushStyleColor(ImGuiCol_PlotHistogram, ImVec4(0.95f, 0.60f, 0.25f, 1.0f));
        ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0.20f, 0.06f, 0.05f, 1.0f));
        ImGui::ProgressBar(frac, ImVec2(wrap, 0), text);
        ImGui::PopStyleColor(2);
        probe_.item("download_progress");
    } else if (failed) {
        ImGui::SetCursorPosX(8);
        ControlActions a;
        a.retry_download = ImGui::Button("Retry download");
        probe_.item("retry_download");
        ImGui::SameLine();
        ImGui::TextDisabled("still running on untrained features; or pass --weights FILE");
        apply(a);
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

void App::draw_panel(float width, float height) {
    ImGui::BeginChild("panel", ImVec2(width, height), true);
    ImGui::TextUnformatted("nst-viewer");
    ImGui::SameLine();
    ImGui::TextDisabled("%s  -  neural style transfer, live", nst::version());
    ImGui::Separator();
    const float plot_h = std::clamp(ImGui::GetContentRegionAvail().y * 0.26f, 110.0f * scale_, 190.0f * scale_);
    ImGui::BeginChild("controls", ImVec2(0, ImGui::GetContentRegionAvail().y - plot_h - ImGui::GetTextLineHeightWithSpacing() - 8));
    const ControlActions a = draw_controls(state_, status_, probe_);
    ImGui::EndChild();
    ImGui::Separator();
    ImGui::TextUnformatted("Losses (log scale)");
    plot_.draw(ImVec2(ImGui::GetContentRegionAvail().x, plot_h - 8));
    ImGui::EndChild();
    apply(a);
}

void App::draw_toasts() {
    const auto now = Clock::now();
    while (!toasts_.empty() && toasts_.front().until < now) toasts_.pop_front();
    if (toasts_.empty()) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + 16, vp->Pos.y + vp->Size.y - 48), ImGuiCond_Always, ImVec2(0, 1));
    ImGui::SetNextWindowBgAlpha(0.85f);
    ImGui::Begin("##toasts", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoFocusOnAppearing |
                     ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoInputs);
    for (const auto& t : toasts_) {
        const ImVec4 c = t.level == Notice::Level::Error     ? ImVec4(1.0f, 0.45f, 0.4f, 1)
                         : t.level == Notice::Level::Warning ? ImVec4(1.0f, 0.8f, 0.35f, 1)
                                                             : ImVec4(0.85f, 0.9f, 1.0f, 1);
        ImGui::PushTextWrapPos(vp->Size.x * 0.6f);
        ImGui::TextColored(c, "%s", t.text.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

void App::draw_help() {
    if (!help_) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowBgAlpha(0.94f);
    ImGui::Begin("Help  (F1 or Esc to close)", &help_, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse);
    static constexpr const char* kKeys[][2] = {
        {"Space", "pause / resume"},
        {"Right arrow", "one step (pauses after it; hold to repeat)"},
        {"R", "reset: restart from the content image"},
        {"S", "save the result (full optimisation resolution, PNG)"},
        {"W", "save the whole window (PNG)"},
        {"F / 1", "fit to window / actual size (1:1)"},
        {"V", "view: result, side by side, split"},
        {"Mouse wheel", "zoom about the cursor"},
        {"Drag", "pan (in split view, drag the line to compare)"},
        {"Drop a file", "use it as the content or style image"},
        {"Ctrl+click slider", "type an exact value"},
        {"Ctrl+Q", "quit"},
        {"F1", "this help"},
    };
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        for (const auto& k : kKeys) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextColored(ImVec4(0.95f, 0.65f, 0.3f, 1), "%s", k[0]);
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(k[1]);
        }
        ImGui::EndTable();
    }
    ImGui::Spacing();
    ImGui::TextDisabled("Weights and learning rate apply at the next step. Images, size, pooling, features");
    ImGui::TextDisabled("and new layers re-target in the background and continue from the current image.");
    ImGui::TextDisabled("So does the precision (fp32 / bf16; tf32 on CUDA), and the switch to downloaded weights.");
    ImGui::TextDisabled("Screenshots go to: %s", state_.screenshot_dir.c_str());
    ImGui::End();
}

void App::draw_drop_popup() {
    if (!dropped_.empty() && !ImGui::IsPopupOpen("Use dropped image")) ImGui::OpenPopup("Use dropped image");
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (ImGui::BeginPopupModal("Use dropped image", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::Text("%s", dropped_.c_str());
        ImGui::TextDisabled("Use it as:");
        ControlActions a;
        if (ImGui::Button("Content image", ImVec2(160 * scale_, 0))) {
            state_.content_path = dropped_;
            a.retarget = true;
        }
        ImGui::SameLine();
        if (ImGui::Button("Style image", ImVec2(160 * scale_, 0))) {
            state_.style_path = dropped_;
            a.retarget = true;
        }
        ImGui::SameLine();
        const bool cancel = ImGui::Button("Cancel") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false);
        if (a.retarget || cancel) {
            dropped_.clear();
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
        apply(a);
    }
}

void App::draw() {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 6));
    ImGui::Begin("##main", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoSavedSettings);
    ImGui::PopStyleVar();
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float panel_w = std::min(avail.x * 0.45f, 390.0f * scale_);
    draw_view(avail.x - panel_w - ImGui::GetStyle().ItemSpacing.x, avail.y);
    ImGui::SameLine();
    draw_panel(panel_w, avail.y);
    ImGui::End();
    draw_toasts();
    draw_help();
    draw_drop_popup();
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
        handle_keys();
        draw();
        ImGui::Render();
        stats_.build(millis(Clock::now() - t0));
        glViewport(0, 0, fbw, fbh);
        glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (window_shot_) {
            window_shot_ = false;
            capture_window(fbw, fbh);
        }
        glfwSwapBuffers(window_);

        stats_.first_frame();
        if (first_stylized_pending_) {
            stats_.first_stylized();
            first_stylized_pending_ = false;
        }
        stats_.frame_done(millis(Clock::now() - t0), interval, status_.ready && !status_.paused);
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
    if (!o.log_json.empty()) log = std::make_unique<JsonLog>(o.log_json);

    glfwSetErrorCallback(on_glfw_error);
    const GlfwSession glfw;
    if (!glfw.ok) {
        std::cerr << "nst-viewer: cannot open the display (" << g_glfw_error << "); " << kNoDisplayHint << "\n";
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // HiDPI on X11/Windows: window in pixels scaled by DPI
    const WindowPtr window(glfwCreateWindow(o.window_width, o.window_height, "nst-viewer", nullptr, nullptr));
    if (!window) {
        std::cerr << "nst-viewer: cannot open an OpenGL 3.3 window (" << g_glfw_error << "); " << kNoDisplayHint << "\n";
        return 1;
    }
    glfwMakeContextCurrent(window.get());
    if (gladLoadGL(glfwGetProcAddress) == 0) {
        std::cerr << "nst-viewer: cannot load OpenGL 3.3 functions; " << kNoDisplayHint << "\n";
        return 1;
    }
    glfwSwapInterval(1);
    float sx = 1, sy = 1;
    glfwGetWindowContentScale(window.get(), &sx, &sy);
    const float scale = std::clamp(sx, 1.0f, 4.0f);

    const ImGuiSession imgui(window.get());
    glfwSetKeyCallback(window.get(), on_key);  // after the backend's install: replaces and forwards
    apply_style(scale);
    {
        App app(o, window.get(), scale, std::move(log));
        app.loop();
    }
    return 0;
}

}  // namespace nstv

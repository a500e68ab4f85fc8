#include "control/controller.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include <unistd.h>

#include "control/run_settings.h"
#include "gl/screenshots.h"
#include "nst/session.h"

namespace nstv {
namespace {

std::string file_names(const std::vector<std::string>& paths) {
    std::string out;
    for (const auto& p : paths) {
        if (!out.empty()) out += ", ";
        out += std::filesystem::path(p).filename().string();
    }
    return out;
}

std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// The same file, whichever way it is written ("a.jpg" and "/dir/a.jpg").
bool same_path(const std::string& a, const std::string& b) { return absolute_path(a) == absolute_path(b); }

// A start image for a restart: the stepper loads its start from a file (on the optimizer thread,
// and again at each later re-target), so the image goes to a PNG of its own (lossless: it came
// from 8-bit pixels). Kept in the state folder ($XDG_STATE_HOME/nst/starts), not a temporary
// one: a session saved afterwards names it as its --init-image. Numbered by time and count, never
// overwritten. Throws nst::Error / std::filesystem::filesystem_error.
std::string start_image_file(const nst::Image& img) {
    static int count = 0;
    const std::filesystem::path dir = nst::state_dir() / "starts";
    std::filesystem::create_directories(dir);
    const std::filesystem::path path =
        dir / (timestamped_name("start") + "-" + std::to_string(::getpid()) + "-" + std::to_string(++count) + ".png");
    nst::save_image(img, path);
    return path.string();
}

}  // namespace

Controller::Controller(const ViewerOptions& o, JsonLog* log, FrameStats& stats, std::function<void()> wake)
    : opts_(o), log_(log), stats_(stats) {
    state_.params = o.run.params;
    state_.style_enabled.assign(o.run.params.style_layers.size(), true);
    const nst::RunSettings& run = o.run;
    for (std::size_t i = 0; i < run.styles.size(); ++i)
        state_.styles.push_back({run.styles[i], i < run.params.style_blend.size() ? run.params.style_blend[i] : 1.0f});
    state_.update_every = o.update_every;
    state_.applied.content_path = run.video.empty() ? run.content : run.video;
    state_.applied.video = run.video;
    state_.applied.max_frames = run.max_frames;
    state_.applied.style_paths = run.styles;
    state_.applied.size = run.size;
    state_.applied.texture = run.texture;
    state_.texture = run.texture;
    state_.applied.scales = run.scales;
    state_.applied.coarse_steps = run.coarse_steps;
    state_.applied.options = o.engine;
    state_.applied.init = run.init;
    state_.applied.init_image = run.init_image;
    state_.other_lr = nst::default_lr(run.params.optimizer == nst::Optimizer::Adam ? nst::Optimizer::LBFGS
                                                                                   : nst::Optimizer::Adam);
    if (run.params.average > 0) state_.average_decay = run.params.average;
    state_.restart_init = run.init;
    state_.restart_from_file = !run.init_image.empty();
    state_.restart_file = run.init_image;
    state_.applied.max_pixels = run.max_pixels;
    state_.applied.restart = true;
    state_.content_path = state_.applied.content_path;
    state_.video_frames = run.frames;
    state_.video_first_steps = run.steps;
    state_.frame_steps = run.frame_steps;
    state_.frame_lr = run.frame_lr;
    state_.temporal_frames = run.temporal_frames;
    state_.size = run.size;
    state_.scales = run.scales;
    state_.coarse_steps = run.coarse_steps;
    state_.pooling = o.engine.pooling == nst::Pooling::Avg ? 1 : 0;
    state_.random_features = o.engine.features.random();
    state_.weights_path = o.engine.features.weights_path;
    state_.features_seed = static_cast<int>(o.engine.features.random_seed);
    state_.screenshot_dir = o.screenshot_dir.empty() ? default_screenshot_dir().string() : o.screenshot_dir;
    state_.precision = o.engine.precision;

    EngineRunner::Options ro;
    ro.start_paused = o.start_paused;
    ro.update_every = o.update_every;
    ro.stop_at = run.steps;
    if (log_)
        ro.on_step = [log = log_, info = info_](const LossSample& s, const nst::Params& p) {
            log->write(s, p, info->step_context());
        };
    ro.on_publish = std::move(wake);
    const nst::Params initial = state_.snapshot();
    runner_ = std::make_unique<EngineRunner>(
        [initial, nan_at = o.debug_nan_at, info = info_, log = log_](Notify n) {
            auto s = std::make_unique<EngineStepper>(initial, std::move(n), info, log);
            s->inject_nan_at(nan_at);
            return s;
        },
        initial, ro);
    send(state_.applied);
    if (log_)
        log_->event("start", {{"features", o.engine.features.random() ? "random" : "vgg19"},
                              {"weights", o.engine.features.weights_path},
                              {"precision", nst::precision_name(o.engine.precision)},
                              {"download", o.download},
                              {"offline", run.offline},
                              {"styles", run.styles},
                              {"style_blend", run.params.style_blend},
                              {"preserve_colors", nst::color_mode_name(run.params.colors)},
                              {"style_scale", run.params.style_scale},
                              {"style_loss", nst::style_loss_name(run.params.style_loss)},
                              {"optimizer", nst::optimizer_name(run.params.optimizer)},
                              {"average", run.params.average},
                              {"init", run.init_image.empty() ? nst::init_name(run.init) : "image"},
                              {"init_image", run.init_image}});
}

void Controller::send(EngineSetup t) {
    t.request = ++sent_;
    requests_[t.request] = Request{t, state_.styles};
    state_.applied = t;
    state_.applied.params.reset();
    state_.retargeting = true;
    runner_->retarget(std::move(t));
}

const Frame* Controller::receive() {
    const UiWaitTimer t(stats_);
    // The status first: a re-target counted as handled has published its frame by then.
    status_ = runner_->status();
    const Frame* f = runner_->poll_frame();
    if (f) {
        frame_ = f;
        if (f->sources && f->sources != sources_) {
            sources_ = f->sources;
            state_.cuda = sources_->device.rfind("cuda", 0) == 0;
        }
        // A frame move is done for the user when a step on the new frame is on screen.
        if (scrub_request_ != 0 && f->sources && f->sources->request >= scrub_request_ && f->step > f->sources->start_step) {
            if (f->sources->request == scrub_request_)
                stats_.scrub(std::chrono::duration<double, std::milli>(Clock::now() - scrub_sent_).count(), f->ms_per_step);
            scrub_request_ = 0;
        }
    }
    state_.retargeting = status_.retargets_handled < sent_;
    settle_requests();
    follow_frame();
    if (const auto kept = runner_->take_kept_params()) state_.adopt(*kept);
    // Steps per second over the last second or more (several seconds when steps are slow).
    const auto now = Clock::now();
    const auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
    if (status_.steps < rate_steps0_) rate_t0_ = now, rate_steps0_ = status_.steps;
    if (status_.steps - rate_steps0_ >= 2 || secs(now - rate_t0_) >= 5.0) {
        steps_per_s_ = (status_.steps - rate_steps0_) / std::max(1e-3, secs(now - rate_t0_));
        rate_t0_ = now;
        rate_steps0_ = status_.steps;
    }
    return f;
}

void Controller::settle_requests() {
    if (state_.retargeting || settled_ == sent_ || !sources_) return;
    const auto running = requests_.find(sources_->request);
    if (running == requests_.end()) return;
    settled_ = sent_;
    if (running->first != sent_) {
        // The requests sent after it failed (their errors are on screen): the optimizer still
        // runs on this one, so that is what the panels show and what later requests build on.
        const Request& r = running->second;
        state_.applied = r.setup;
        state_.applied.params.reset();
        state_.applied.restart = false;
        state_.precision = r.setup.options.precision;
        state_.frame = r.setup.frame;  // a frame that failed to load is not asked for again
        if (state_.style_paths() != r.setup.style_paths) {
            state_.styles = r.styles;
            runner_->set_params(state_.snapshot());  // the blend for the list that runs
        }
    }
    requests_.erase(requests_.begin(), running);
    requests_.erase(std::next(running), requests_.end());
}

std::vector<Notice> Controller::take_notices() {
    std::vector<Notice> out = runner_->take_notices();
    for (const auto& n : out)
        if (n.new_lr) state_.params.lr = *n.new_lr;
    return out;
}

void Controller::goto_frame(int frame) {
    if (state_.applied.video.empty()) return;
    const int frames = clip_frames();
    state_.frame = frames > 0 ? std::clamp(frame, 0, frames - 1) : std::max(0, frame);
    follow_frame();
}

void Controller::follow_frame() {
    const EngineSetup& a = state_.applied;
    if (a.video.empty() || state_.retargeting || state_.frame == a.frame) return;
    EngineSetup t = a;
    t.frame = state_.frame;
    t.restart = false;
    t.params.reset();
    t.reason = "frame";
    info_->interrupt_step.store(true);  // before the command: the step under way is for the old frame
    send(std::move(t));
    scrub_request_ = sent_;
    scrub_sent_ = Clock::now();
}

void Controller::adjust_beta_for_statistic(nst::StyleLoss from) {
    // Each style loss has its own scale (W2's losses are ~2e5 times Gram's): beta follows the
    // statistic to its default unless the user chose it.
    const nst::StyleLoss to = state_.params.style_loss;
    const bool random = state_.applied.options.features.random();
    const float old_default = nst::default_style_weight(from, random);
    if (opts_.run.style_weight_given || state_.params.style_weight != old_default ||
        nst::default_style_weight(to, random) == old_default)
        return;
    state_.params.style_weight = nst::default_style_weight(to, random);
    say(std::string("statistic ") + nst::style_loss_name(to) + ": style weight " + short_number(old_default) + " -> " +
            short_number(state_.params.style_weight) + " (its default)",
        6.0);
}

void Controller::adjust_alpha_for_content_loss(nst::ContentLoss from) {
    const float old_default = nst::default_content_weight(from);
    if (opts_.run.content_weight_given || state_.params.content_weight != old_default) return;
    state_.params.content_weight = nst::default_content_weight(state_.params.content_loss);
    say(std::string("content loss ") + nst::content_loss_name(state_.params.content_loss) + ": content weight " +
            short_number(old_default) + " -> " + short_number(state_.params.content_weight) + " (its default)",
        6.0);
}

void Controller::toggle_colors_only() {
    // The recoloured photo is computed, not optimised: a running optimisation pauses while it is
    // shown and goes on where it was after.
    if (state_.params.colors_only) {
        resume_after_colors_only_ = !status_.paused;
        if (!status_.paused) runner_->pause();
        status_.paused = true;
    } else if (resume_after_colors_only_) {
        runner_->resume();
        status_.paused = false;
        resume_after_colors_only_ = false;
    }
    runner_->set_params(state_.snapshot());
    runner_->refresh();  // the picture changes at once
    say(state_.params.colors_only ? "colours only: the photo recoloured with the styles' palette (no optimisation)"
                                  : "colours only off: the run's own picture again",
        4.0);
}

void Controller::toggle_texture() {
    // Content <-> texture: new targets and a fresh start (noise for a texture, the content without).
    EngineSetup t = state_.applied;
    t.texture = state_.texture;
    t.restart = true;
    t.params = state_.snapshot();
    t.reason = "texture";
    send(std::move(t));
    say(state_.texture ? "texture: no content, from noise (re-targeting in the background)..."
                       : "content again: re-targeting in the background...");
}

void Controller::change_styles(const ControlActions& a) {
    std::vector<StyleEntry> next = state_.styles;
    if (a.remove_style >= 0 && static_cast<std::size_t>(a.remove_style) < next.size() && next.size() > 1)
        next.erase(next.begin() + a.remove_style);
    // A new style starts with the mean weight: an equal share on average.
    float mean = next.empty() ? 1.0f
                              : std::accumulate(next.begin(), next.end(), 0.0f,
                                                [](float s, const StyleEntry& e) { return s + e.weight; }) /
                                    static_cast<float>(next.size());
    if (!(mean > 0)) {
        for (auto& e : next) e.weight = 1.0f;  // all zero after a removal: start again from equal
        mean = 1.0f;
    }
    std::vector<std::string> added;
    for (const auto& p : a.add_styles)
        if (!p.empty()) {
            next.push_back({p, mean});
            added.push_back(p);
        }
    if (next == state_.styles) return;
    state_.styles = std::move(next);
    // The blend for the new list travels with the request: no step runs with a mismatch. The
    // snapshot follows for the steps after it (the optimizer keeps its blend until then).
    EngineSetup t = state_.applied;
    t.style_paths = state_.style_paths();
    t.restart = false;
    t.params = state_.snapshot();
    t.reason = "styles";
    send(std::move(t));
    runner_->set_params(state_.snapshot());
    say(added.empty() ? std::string("style removed: re-targeting in the background...")
                      : "adding " + file_names(added) + ": re-targeting in the background...");
}

void Controller::apply(const ControlActions& a) {
    const UiWaitTimer t(stats_);
    // First: a style removal below re-targets, and the regions must already point into the new list.
    if (a.spatial) info_->spatial.publish(a.spatial);
    if (a.toggle_pause) {
        if (status_.paused) runner_->resume();
        else runner_->pause();
        status_.paused = !status_.paused;  // show the new state now; the optimizer follows
    }
    for (int i = 0; i < a.steps; ++i) runner_->step_once();
    if (a.reset) runner_->reset();
    if (a.statistic_changed) adjust_beta_for_statistic(a.statistic_from);
    if (a.content_loss_changed) adjust_alpha_for_content_loss(a.content_loss_from);
    const bool style_knobs = a.blend_changed || a.colors_changed || a.style_scale_changed || a.statistic_changed;
    if ((a.params_changed || style_knobs) && state_.blend_problem().empty()) runner_->set_params(state_.snapshot());
    // Paused: apply them now rather than at the next step. `post` changes what is shown (a new
    // frame), and new targets are better computed before the user asks for the next step.
    if (status_.paused && (a.colors_changed || a.style_scale_changed)) runner_->refresh();
    if (a.colors_only_changed) toggle_colors_only();
    if (a.texture_changed) toggle_texture();
    if (a.update_every_changed) runner_->set_update_every(state_.update_every);
    if (a.show_changed) {
        info_->show_average.store(state_.show_average);
        runner_->refresh();  // a new frame of the other image, at once even while paused
    }
    if (a.restart) {
        EngineSetup t = state_.applied;
        t.restart = true;
        t.init = state_.restart_init;
        t.init_image = state_.restart_from_file ? state_.restart_file : std::string();
        t.reason = "restart";
        const std::string from = t.init_image.empty() ? std::string(nst::init_name(t.init)) : file_names({t.init_image});
        send(std::move(t));
        say("restarting from " + from + "...");
    }
    if (a.goto_frame >= 0) goto_frame(a.goto_frame);
    if (a.retarget) {
        EngineSetup e = state_.edited_setup();
        state_.frame = e.frame;
        e.reason = "inputs";
        send(std::move(e));
        say("re-targeting in the background...");
    }
    if (!a.add_styles.empty() || a.remove_style >= 0) change_styles(a);
    if (a.precision_changed && state_.precision != state_.applied.options.precision) {
        EngineSetup e = state_.applied;
        e.options.precision = state_.precision;
        e.restart = false;
        e.reason = "precision";
        send(std::move(e));
        if (log_) log_->event("precision", {{"precision", nst::precision_name(state_.precision)}});
        say(std::string("switching to ") + nst::precision_name(state_.precision) +
            ": rebuilding the network, carrying on from the current image...");
    }
}

void Controller::switch_weights(const std::filesystem::path& path) {
    if (!state_.applied.options.features.random()) {
        say("VGG19 weights saved to " + path.string() + " (not switching: other weights are in use)", 8.0);
        return;
    }
    // Live switch: the optimizer rebuilds the network with the real weights and carries on from
    // the current image (the step counter goes on). Beta moves from the random-features default
    // to the VGG19 one unless the user chose it (--style-weight, or the slider was moved).
    const nst::StyleLoss loss = state_.params.style_loss;
    const bool beta = !opts_.run.style_weight_given && state_.params.style_weight == nst::default_style_weight(loss, true) &&
                      nst::default_style_weight(loss, true) != nst::default_style_weight(loss, false);
    if (beta) state_.params.style_weight = nst::default_style_weight(loss, false);
    EngineSetup t = state_.applied;
    t.options.features.weights_path = path.string();
    t.restart = false;
    t.params = state_.snapshot();  // the new beta arrives with the new network, not a step earlier
    t.reason = "weights";
    send(std::move(t));
    runner_->set_params(state_.snapshot());
    state_.random_features = false;
    state_.weights_path = path.string();
    if (log_)
        log_->event("weights_switch", {{"path", path.string()}, {"style_weight", state_.params.style_weight},
                                       {"style_weight_changed", beta}});
    say(std::string("switching to the downloaded VGG19 weights") +
            (beta ? " (style weight 1e8 -> 1e6, the VGG19 default)" : "") + "...",
        6.0);
}

void Controller::adopt_settings(const nst::RunSettings& s, const nst::Image* start, int frame) {
    // The panels first: what they show is what is sent.
    state_.params = s.params;
    state_.style_enabled.assign(s.params.style_layers.size(), true);
    std::vector<StyleEntry> styles;
    for (std::size_t i = 0; i < s.styles.size(); ++i)
        styles.push_back({s.styles[i], i < s.params.style_blend.size() ? s.params.style_blend[i] : 1.0f});
    if (s.params.average > 0) state_.average_decay = s.params.average;
    // Inputs and network: one re-target when any of them differs from what runs (paths compared as
    // files, so "a.jpg" and "/dir/a.jpg" are no change).
    EngineSetup t = state_.applied;
    const bool same_styles = s.styles.size() == t.style_paths.size() &&
                             std::equal(s.styles.begin(), s.styles.end(), t.style_paths.begin(), same_path);
    const std::string content = s.video.empty() ? s.content : s.video;
    const bool same_video = s.video.empty() ? t.video.empty() : !t.video.empty() && same_path(s.video, t.video);
    if (!same_path(content, t.content_path)) t.content_path = content;
    if (!same_video) t.video = s.video;
    t.max_frames = s.max_frames;
    t.frame = t.video.empty() ? 0 : frame >= 0 ? frame : same_video ? t.frame : 0;
    if (!same_styles) t.style_paths = s.styles;
    t.size = s.size;
    t.texture = s.texture;
    t.scales = s.scales;
    t.coarse_steps = s.coarse_steps;
    t.init = s.init;
    if (!same_path(s.init_image, t.init_image)) t.init_image = s.init_image;
    t.max_pixels = s.max_pixels;
    t.options.pooling = s.pooling;
    t.options.precision = s.precision;
    t.options.seed = s.seed;
    if (!s.features.empty()) t.options.features = nst::parse_random_features(s.features);
    else if (!s.weights.empty()) t.options.features = nst::Features{s.weights, 0};
    const auto& a = state_.applied;
    const bool retarget = t.content_path != a.content_path || t.video != a.video || t.frame != a.frame ||
                          t.max_frames != a.max_frames || t.style_paths != a.style_paths || t.size != a.size || t.texture != a.texture ||
                          t.scales != a.scales || t.coarse_steps != a.coarse_steps || t.init != a.init ||
                          t.init_image != a.init_image || t.max_pixels != a.max_pixels ||
                          t.options.pooling != a.options.pooling || t.options.precision != a.options.precision ||
                          t.options.seed != a.options.seed ||
                          t.options.features.weights_path != a.options.features.weights_path ||
                          t.options.features.random_seed != a.options.features.random_seed;
    if (start) {
        try {
            t.init_image = start_image_file(*start);
        } catch (const std::exception& e) {
            say(std::string("cannot restart from the image: ") + e.what(), 8.0, Notice::Level::Error);
            start = nullptr;
        }
    }
    state_.styles = std::move(styles);
    // The edit fields of the inputs section follow, and the timeline and "Render video...".
    state_.content_path = t.content_path;
    state_.frame = t.frame;
    state_.video_frames = s.frames;
    state_.frame_steps = s.frame_steps;
    state_.frame_lr = s.frame_lr;
    state_.temporal_frames = s.temporal_frames;
    state_.size = t.size;
    state_.texture = t.texture;
    state_.scales = t.scales;
    state_.coarse_steps = t.coarse_steps;
    state_.pooling = t.options.pooling == nst::Pooling::Avg ? 1 : 0;
    state_.random_features = t.options.features.random();
    if (!state_.random_features) state_.weights_path = t.options.features.weights_path;
    else state_.features_seed = static_cast<int>(t.options.features.random_seed);
    state_.precision = t.options.precision;
    if (retarget || start) {
        t.restart = start != nullptr;
        t.params = state_.snapshot();  // arrive with the new inputs: no step runs with a mismatch
        t.reason = start ? "restore" : "settings";
        send(std::move(t));
        // The start image is a temporary file: what the state records (sessions, copy as command) is the init of `s`.
        if (start) state_.applied.init_image = s.init_image;
        say(start ? "restored: restarting from the snapshot's image..." : "restored: re-targeting in the background...");
    } else {
        say("restored the snapshot's parameters", 3.0);
    }
    runner_->set_params(state_.snapshot());
    // Paused: shown at once (colours, scale) rather than at the next step.
    if (status_.paused && !retarget && !start) runner_->refresh();
}

}  // namespace nstv

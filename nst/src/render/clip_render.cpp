// The frame loop of a clip (clip_render.h), one optimisation step at a time: nst --video runs it to
// the end, the viewer's optimizer thread steps it between UI commands. Only the public Engine API.
#include "nst/video/clip_render.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "nst/error.h"

namespace nst::video {

int cold_steps(const std::vector<ColdLevel>& levels) {
    int total = 0;
    for (const ColdLevel& l : levels) total += l.steps;
    return total;
}

struct ClipRenderer::State {
    Engine& engine;
    ClipPlan plan;
    const FrameStore& store;
    bool temporal = false;
    float frame_lr = 0;
    std::vector<int> feed_offsets;  // the temporal offsets, or {1} for independent frames (the warping error)
    int keep = 0;                   // finished frames kept in memory: this many before the current one
    int resume = 0;                 // store.first_missing(range)
    std::unique_ptr<FrameFeed> feed;

    std::map<int, Image> finished;  // the last results, as written (what a resumed run reads)
    int shot_start = 0;             // the first frame of the current shot: no link reaches past it
    bool engine_ready = false;
    float engine_lr = 0;

    // The frame under way.
    bool under_way = false;
    int next = 0;  // the frame under way, or the next one
    std::optional<PreparedFrame> frame;
    FrameSetup setup;
    std::vector<ColdLevel> schedule;
    std::size_t level = 0;
    int step_in_level = 0, step_in_frame = 0, steps_of_frame = 0;
    FrameReport report;
    std::optional<FrameReport> done_report;
    Losses losses{};
    Image content;

    State(Engine& e, ClipPlan p, const FrameStore& st) : engine(e), plan(std::move(p)), store(st) {}

    const Image* earlier(int i) {
        if (i < shot_start || i < plan.range.first) return nullptr;
        auto it = finished.find(i);
        if (it == finished.end() && store.has(i)) it = finished.emplace(i, store.load(i)).first;
        return it == finished.end() ? nullptr : &it->second;
    }

    // A new shot starts at frame t: under cut_below of its pixels reliable against t-1.
    [[nodiscard]] bool starts_shot(const PreparedFrame& f) const {
        return f.index > plan.range.first && !f.links.empty() && f.links.front().offset == 1 &&
               f.links.front().reliability.mean() < plan.temporal.cut_below;
    }

    [[nodiscard]] int estimate(int index) const {
        const bool cold = index == plan.range.first || !temporal;
        return cold ? cold_steps(plan.cold) : plan.temporal.frame_steps;
    }

    void begin_frame() {
        if (under_way || next > plan.range.last) return;
        std::optional<PreparedFrame> f;
        while ((f = feed->next())) {
            if (f->index >= resume) break;
            // Finished earlier: only the shot boundaries matter (the same test as when it ran).
            if (starts_shot(*f)) shot_start = f->index;
        }
        if (!f) throw Error(plan.input.string() + ": the frame feed ended before frame " + std::to_string(next + 1));
        const auto t0 = std::chrono::steady_clock::now();
        frame = std::move(f);
        const int t = frame->index;
        next = t;
        if (temporal) {
            setup = temporal_setup(*frame, [this](int i) { return earlier(i); }, plan.temporal);
        } else {
            setup = FrameSetup{};
            setup.fresh = true;  // independent frames: each from its own content
            setup.start = frame->content;
            // No temporal term, but the shots still bound the warping error.
            if (!frame->links.empty() && frame->links.front().offset == 1)
                setup.reliable = frame->links.front().reliability.mean();
            setup.cut = starts_shot(*frame);
        }
        if (setup.cut) shot_start = t;
        const bool cold = setup.fresh || setup.cut;
        schedule = cold ? plan.cold : std::vector<ColdLevel>{{plan.cold.back().size, plan.temporal.frame_steps}};
        level = 0;
        step_in_level = step_in_frame = 0;
        steps_of_frame = cold_steps(schedule);
        content = frame->content;
        report = FrameReport{};
        report.index = t;
        report.cold = cold;
        report.cut = setup.cut;
        report.reliable = setup.reliable;
        report.targets = setup.targets.size();
        report.flow_ms = frame->flow_ms;
        under_way = true;
        set_up_level();
        report.ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }

    // The engine's inputs for schedule[level] of the frame under way.
    void set_up_level() {
        const int t = frame->index;
        const bool cold = report.cold;
        const bool last = level + 1 == schedule.size();
        const Image c = last ? frame->content : resize_long_side(frame->content, schedule[level].size);
        if (cold && level == 0) {
            // The start of a still: init or init_image (first frame only), at this level.
            const bool use_init_image = !plan.init_image.empty() && t == plan.range.first;
            if (use_init_image) {
                engine.retarget(c, plan.styles, plan.init_image);
            } else if (!engine_ready || plan.cold.size() > 1) {
                engine.set_images(c, plan.styles, plan.init);
            } else {
                engine.set_content(c, c);
                if (plan.init != Init::Content) engine.restart(plan.init);
            }
        } else if (cold) {
            engine.retarget(c, plan.styles, engine.image());
        } else if (!engine_ready) {
            engine.retarget(c, plan.styles, setup.start);  // a resumed run's first frame
        } else {
            engine.set_content(c, setup.start);
        }
        // A warm frame starts close to its result: a smaller Adam step (instant, no pass).
        if (const float lr = cold ? plan.params.lr : frame_lr; lr != engine_lr) {
            Params p = plan.params;
            p.lr = engine_lr = lr;
            engine.set_params(p);
        }
        if (!engine_ready && !plan.spatial.empty()) engine.set_spatial(plan.spatial);
        engine_ready = true;
        if (last && !setup.targets.empty()) engine.set_temporal(setup.targets);
    }

    [[nodiscard]] bool level_spent() const { return step_in_level >= schedule[level].steps; }

    void finish_frame() {
        const int t = frame->index;
        store.save(t, engine.result());
        finished[t] = store.load(t);  // as a resumed run will read it
        report.warping_error = -1;
        if (t > plan.range.first && t - 1 >= shot_start && !frame->links.empty() && frame->links.front().offset == 1)
            if (const Image* previous = earlier(t - 1))
                report.warping_error = warping_error(finished[t], *previous, frame->links.front().backward,
                                                     frame->links.front().reliability);
        for (auto it = finished.begin(); it != finished.end() && it->first < t - keep;) it = finished.erase(it);
        done_report = report;
        under_way = false;
        frame.reset();
        setup = FrameSetup{};
        next = t + 1;
    }

    void step() {
        if (!under_way) {
            if (next > plan.range.last) return;
            begin_frame();
        }
        const auto t0 = std::chrono::steady_clock::now();
        // Levels with no steps left (a finished level, or one of 0 steps): on to the next.
        while (level_spent() && level + 1 < schedule.size()) {
            ++level;
            step_in_level = 0;
            set_up_level();
        }
        if (!level_spent()) {
            engine.step();
            losses = engine.last_losses();
            ++step_in_level;
            ++step_in_frame;
            if (!std::isfinite(losses.total))
                throw Error("the loss became " + std::to_string(losses.total) + " at frame " +
                            std::to_string(frame->index + 1) + "; try a smaller --lr");
        }
        // The frame ends with its last step: later levels of 0 steps are set up now (they change the
        // size of the result), then it is saved.
        bool rest_empty = level_spent();
        for (std::size_t l = level + 1; l < schedule.size(); ++l) rest_empty = rest_empty && schedule[l].steps == 0;
        if (rest_empty) {
            while (level + 1 < schedule.size()) {
                ++level;
                step_in_level = 0;
                set_up_level();
            }
        }
        report.ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (rest_empty) finish_frame();
    }
};

ClipRenderer::ClipRenderer(Engine& engine, ClipPlan plan, const FrameStore& store)
    : ClipRenderer(engine, std::move(plan), store, nullptr) {}

ClipRenderer::ClipRenderer(Engine& engine, ClipPlan plan, const FrameStore& store, std::unique_ptr<FrameSource> source)
    : s_(std::make_unique<State>(engine, std::move(plan), store)) {
    State& s = *s_;
    const ClipPlan& p = s.plan;
    const std::string name = p.input.string();
    if (p.cold.empty()) throw Error(name + ": a render needs at least one level for its first frame");
    if (p.width <= 0 || p.height <= 0) throw Error(name + ": the stylization size is not set");
    s.temporal = p.params.temporal_weight > 0;
    s.frame_lr = p.frame_lr > 0 ? p.frame_lr : frame_learning_rate(0, p.params);
    s.engine_lr = p.params.lr;
    s.shot_start = p.range.first;
    s.feed_offsets = s.temporal ? p.temporal.offsets : std::vector<int>{1};
    s.keep = s.feed_offsets.empty() ? 0 : *std::max_element(s.feed_offsets.begin(), s.feed_offsets.end());
    if (p.range.first < 0 || p.range.last < p.range.first)
        throw Error(name + ": frames " + std::to_string(p.range.first + 1) + ".." + std::to_string(p.range.last + 1) +
                    ": not a range");
    s.resume = store.first_missing(p.range.first, p.range.last);
    s.next = s.resume;
    if (s.resume > p.range.last) return;  // every frame is finished: nothing to open

    if (!source) source = open_frames(p.input, p.limits);
    if (p.range.last >= source->info().frames)
        throw Error(name + ": frames " + std::to_string(p.range.first + 1) + ".." + std::to_string(p.range.last + 1) +
                    " asked, the clip has " + std::to_string(source->info().frames));
    // The worker starts early enough to give the first frame to render its links to the finished
    // ones; it owns the source from here on (decoding happens on its thread).
    const int feed_first = std::max(p.range.first, s.resume - s.keep);
    std::shared_ptr<FrameSource> shared(std::move(source));
    const int w = p.width, h = p.height;
    s.feed = std::make_unique<FrameFeed>(
        [shared, w, h](int i) {
            const Image frame = shared->frame(i);
            return frame.width == w && frame.height == h ? frame : resize_to(frame, w, h);
        },
        feed_first, p.range.last, s.feed_offsets);
}

ClipRenderer::~ClipRenderer() = default;

bool ClipRenderer::done() const { return !s_->under_way && s_->next > s_->plan.range.last; }
void ClipRenderer::begin_frame() { s_->begin_frame(); }
void ClipRenderer::step() { s_->step(); }
std::optional<FrameReport> ClipRenderer::take_finished() { return std::exchange(s_->done_report, std::nullopt); }
const FrameReport& ClipRenderer::current() const { return s_->report; }
int ClipRenderer::frame() const { return s_->next; }
int ClipRenderer::first_to_render() const { return s_->resume; }
int ClipRenderer::frames_left() const { return std::max(0, s_->plan.range.last - s_->next + 1); }
int ClipRenderer::step_in_frame() const { return s_->under_way ? s_->step_in_frame : 0; }
int ClipRenderer::steps_of_frame() const {
    if (s_->under_way) return s_->steps_of_frame;
    return done() ? 0 : s_->estimate(s_->next);
}
long ClipRenderer::steps_left() const {
    const State& s = *s_;
    long left = 0;
    int from = s.next;
    if (s.under_way) {
        left += s.steps_of_frame - s.step_in_frame;
        ++from;
    }
    for (int i = from; i <= s.plan.range.last; ++i) left += s.estimate(i);
    return left;
}
bool ClipRenderer::between_frames() const { return !s_->under_way; }
Losses ClipRenderer::last_losses() const { return s_->losses; }
const Image& ClipRenderer::content() const { return s_->content; }
const ClipPlan& ClipRenderer::plan() const { return s_->plan; }

}  // namespace nst::video

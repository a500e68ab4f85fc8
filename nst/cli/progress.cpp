#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace nst::cli {

std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

namespace {

// "[#####...] " for a fraction in [0,1].
std::string bar(double fraction) {
    constexpr int kWidth = 24;
    const int filled = std::clamp(static_cast<int>(std::lround(kWidth * fraction)), 0, kWidth);
    // Built with append: GCC 12 warns falsely (-Wrestrict) on "[" + std::string(...) here.
    std::string out = "[";
    out.append(static_cast<std::size_t>(filled), '#').append(static_cast<std::size_t>(kWidth - filled), '.');
    return out.append("] ");
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string megabytes(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / 1e6);
    return buf;
}
}  // namespace

StatusLine::StatusLine(std::FILE* out) : out_(out), tty_(isatty(fileno(out)) != 0) {}

void StatusLine::redraw(const std::string& text, bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    std::fprintf(out_, "\r\033[K%s", text.c_str());
    std::fflush(out_);
}

void StatusLine::print(const std::string& text) {
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
}

void StatusLine::end() {
    if (tty_ && drawn_) std::fputc('\n', out_);
    drawn_ = false;
}

Progress::Progress(int total_steps, std::FILE* out, std::string label)
    : total_(std::max(1, total_steps)),
      label_(label.empty() ? label : label + "  "),
      status_(out),
      plain_every_(std::max(1, total_ / 20)),
      start_(std::chrono::steady_clock::now()),
      last_plain_(start_) {}

std::string Progress::counter(int step) const {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%*d/%d", static_cast<int>(std::to_string(total_).size()), step, total_);
    return buf;
}

std::string Progress::line(double done, const std::string& counter) const {
    const double elapsed = seconds_since(start_);
    const double rate = elapsed > 0 ? done / elapsed : 0.0;
    const double left = rate > 0 ? (total_ - done) / rate : 0.0;
    std::string text = label_;
    if (status_.tty()) text += bar(done / total_);
    char stats[256];
    std::snprintf(stats, sizeof stats, "%s  %.2f steps/s", counter.c_str(), rate);
    text += stats;
    if (have_losses_) {
        std::snprintf(stats, sizeof stats, "  total %.4g  content %.4g  style %.4g  tv %.4g", last_.total,
                      last_.content, last_.style, last_.tv);
        text += stats;
    }
    // No estimate before anything is done (the first tiles of the first step).
    return text + "  " + (done > 0 ? format_duration(left) : std::string("?")) + " left";
}

void Progress::print_plain(const std::string& text) {
    status_.print(text);
    last_plain_ = std::chrono::steady_clock::now();
}

void Progress::update(int step, const Losses& losses) {
    last_ = losses;
    have_losses_ = true;
    if (status_.tty()) {
        status_.redraw(line(step, counter(step)), step == total_);  // always draw the last step
    } else if (step == 1 || step == total_ || step % plain_every_ == 0) {
        print_plain(line(step, counter(step)));
    }
}

void Progress::tile(int step, int pass, int done, int total) {
    if (total <= 0) return;
    // Pass 1 is a forward pass, pass 2 a forward and a backward: about a third and two thirds of
    // the step, so that the bar and the time left move evenly through both.
    const double within = static_cast<double>(done) / total;
    const double fraction = pass == 1 ? within / 3 : 1.0 / 3 + 2.0 / 3 * within;
    const std::string where = counter(step) + " · " + (pass == 1 ? "stats " : "tile ") + std::to_string(done) + "/" +
                              std::to_string(total);
    const double steps_done = step - 1 + fraction;
    if (status_.tty()) {
        status_.redraw(line(steps_done, where), false);
    } else if (std::chrono::steady_clock::now() - last_plain_ >= std::chrono::seconds(10)) {
        print_plain(line(steps_done, where));
    }
}

void Progress::note(const std::string& text) {
    status_.end();
    std::fprintf(status_.out(), "%s\n", text.c_str());
    std::fflush(status_.out());
}

void Progress::finish() {
    const double elapsed = seconds_since(start_);
    status_.end();
    std::fprintf(status_.out(), "done in %s (%.1f ms/step)\n", format_duration(elapsed).c_str(), 1000.0 * elapsed / total_);
    std::fflush(status_.out());
}

ByteProgress::ByteProgress(std::string label, std::FILE* out)
    : label_(std::move(label)), status_(out), start_(std::chrono::steady_clock::now()) {}

ByteProgress::~ByteProgress() { status_.end(); }

std::string ByteProgress::line(std::uint64_t done, std::uint64_t total) const {
    const double elapsed = seconds_since(start_);
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    std::string text = label_ + " ";
    if (total == 0) return text + megabytes(done) + " MB";
    const double fraction = static_cast<double>(done) / static_cast<double>(total);
    if (status_.tty()) text += bar(fraction);
    char stats[160];
    std::snprintf(stats, sizeof stats, "%s/%s MB (%d%%)  %.1f MB/s", megabytes(done).c_str(), megabytes(total).c_str(),
                  static_cast<int>(100.0 * fraction), rate / 1e6);
    text += stats;
    // The rate of the first moments (connection set-up, the header) says little about the rest.
    if (elapsed >= 1.0 && rate > 0)
        text += "  " + format_duration(static_cast<double>(total - std::min(done, total)) / rate) + " left";
    return text;
}

void ByteProgress::update(std::uint64_t done, std::uint64_t total) {
    done_ = done;
    if (status_.tty()) {
        status_.redraw(line(done, total), total != 0 && done == total);
        return;
    }
    // Plain lines: one each time another tenth is done (the first once the size is known).
    if (total == 0) return;
    const int decile = static_cast<int>(10 * done / total);
    if (decile <= plain_decile_) return;
    plain_decile_ = decile;
    status_.print(line(done, total));
}

void ByteProgress::finish() {
    const double elapsed = seconds_since(start_);
    status_.end();
    std::fprintf(status_.out(), "%s: %s MB in %s\n", label_.c_str(), megabytes(done_).c_str(), format_duration(elapsed).c_str());
    std::fflush(status_.out());
}

}  // namespace nst::cli

#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace nst::cli {

namespace {
std::string fmt_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}
}  // namespace

Progress::Progress(int total_steps, std::FILE* out)
    : total_(std::max(1, total_steps)),
      out_(out),
      tty_(isatty(fileno(out)) != 0),
      plain_every_(std::max(1, total_ / 20)),
      start_(std::chrono::steady_clock::now()) {}

std::string Progress::line(int step, const Losses& losses) const {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = elapsed > 0 ? step / elapsed : 0.0;
    const double left = rate > 0 ? (total_ - step) / rate : 0.0;
    char stats[256];
    std::snprintf(stats, sizeof stats, "%*d/%d  %.2f steps/s  total %.4g  content %.4g  style %.4g  tv %.4g  %s left",
                  static_cast<int>(std::to_string(total_).size()), step, total_, rate, losses.total, losses.content,
                  losses.style, losses.tv, fmt_duration(left).c_str());
    if (!tty_) return stats;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::lround(kWidth * static_cast<double>(step) / total_));
    std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
                      std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
    return bar + stats;
}

void Progress::update(int step, const Losses& losses) {
    const auto now = std::chrono::steady_clock::now();
    if (tty_) {
        // Redraw at most ~10 times a second; always draw the last step.
        if (step != total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        std::fprintf(out_, "\r\033[K%s", line(step, losses).c_str());
    } else if (step == 1 || step == total_ || step % plain_every_ == 0) {
        std::fprintf(out_, "%s\n", line(step, losses).c_str());
    }
    std::fflush(out_);
}

void Progress::finish() {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (tty_) std::fputc('\n', out_);
    std::fprintf(out_, "done in %s (%.1f ms/step)\n", fmt_duration(elapsed).c_str(), 1000.0 * elapsed / total_);
    std::fflush(out_);
}

}  // namespace nst::cli

#include "probe/frame_stats.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>

namespace nstv {

double ms_since_process_start() {
    // Field 22 of /proc/self/stat is the start time in clock ticks since boot.
    std::ifstream in("/proc/self/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(s.substr(close + 2));
    std::string field;
    unsigned long long start_ticks = 0;
    for (int i = 3; i <= 22 && rest >> field; ++i)
        if (i == 22) start_ticks = std::stoull(field);
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    const double now_ms = now.tv_sec * 1e3 + now.tv_nsec / 1e6;
    return now_ms - 1e3 * static_cast<double>(start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void FrameStats::frame_done(double work_ms, double interval_ms, bool optimizer_running, bool painting) {
    (optimizer_running ? running_ : idle_).push_back(work_ms);
    if (painting) painting_.push_back(work_ms);
    interval_.push_back(interval_ms);
}

namespace {

std::string summary(std::vector<double> v) {
    if (v.empty()) return "{\"n\":0}";
    std::sort(v.begin(), v.end());
    const auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))]; };
    double sum = 0;
    for (double x : v) sum += x;
    std::ostringstream o;
    o << "{\"n\":" << v.size() << ",\"median_ms\":" << at(0.5) << ",\"p95_ms\":" << at(0.95) << ",\"p99_ms\":" << at(0.99)
      << ",\"max_ms\":" << v.back() << ",\"mean_ms\":" << sum / v.size() << "}";
    return o.str();
}

}  // namespace

std::string FrameStats::json() const {
    std::ostringstream o;
    o << "{\"frame_work_idle\":" << summary(idle_) << ",\"frame_work_running\":" << summary(running_)
      << ",\"frame_work_painting\":" << summary(painting_) << ",\"frame_interval\":" << summary(interval_) << ",\"ui_build\":" << summary(build_ms_) << ",\"ui_build_painting\":" << summary(build_painting_ms_) << ",\"max_ui_wait_ms\":" << max_ui_wait_ms_
      << ",\"launch_to_first_frame_ms\":" << first_frame_ms_
      << ",\"launch_to_first_stylized_ms\":" << first_stylized_ms_
      << ",\"publication\":" << summary(publish_ms_) << ",\"texture_upload\":" << summary(upload_ms_)
      << ",\"scrub_latency_ms\":" << summary(scrub_ms_) << ",\"scrub_latency_steps\":" << summary(scrub_steps_)
      << ",\"frame_work_scrubbing\":" << summary(scrubbing_) << ",\"frame_work_video_render\":" << summary(rendering_)
      << "}\n";
    return o.str();
}

}  // namespace nstv

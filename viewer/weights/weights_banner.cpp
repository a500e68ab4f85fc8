#include "weights/weights_banner.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nst/nst.h"

namespace nstv {
namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string human_bytes(double b) {
    char buf[32];
    if (b >= 1e9) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else if (b >= 1e6) std::snprintf(buf, sizeof buf, "%.1f MB", b / 1e6);
    else if (b >= 1e3) std::snprintf(buf, sizeof buf, "%.0f kB", b / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f B", b);
    return buf;
}

void WeightsBanner::start(const std::string& url) {
    if (download_.state() == WeightsDownload::State::Running) return;
    rate_.clear();
    download_.start(url);
    seen_ = WeightsDownload::State::Running;
    snap_ = download_.snapshot();
    if (log_) log_->event("download_started", {{"url", url}, {"attempt", snap_.attempt}});
    std::fprintf(stderr, "nst-viewer: downloading the VGG19 weights from %s (running on untrained features meanwhile)\n",
                 url.c_str());
}

std::optional<std::filesystem::path> WeightsBanner::poll() {
    if (seen_ == WeightsDownload::State::Idle) return std::nullopt;
    snap_ = download_.snapshot();
    const auto now = std::chrono::steady_clock::now();
    if (snap_.state == WeightsDownload::State::Running) {
        rate_.emplace_back(now, snap_.done);
        while (rate_.size() > 2 && now - rate_.front().first > std::chrono::seconds(3)) rate_.pop_front();
    }
    if (snap_.state == seen_) return std::nullopt;
    seen_ = snap_.state;
    const auto& d = snap_;
    switch (d.state) {
        case WeightsDownload::State::Done:
            if (log_)
                log_->event("download_done", {{"path", d.path.string()},
                                              {"bytes_downloaded", d.bytes_downloaded},
                                              {"remote_size", d.remote_size},
                                              {"seconds", d.seconds}});
            std::fprintf(stderr, "nst-viewer: VGG19 weights downloaded to %s (%s of the %s model file)\n",
                         d.path.c_str(), human_bytes(static_cast<double>(d.bytes_downloaded)).c_str(),
                         human_bytes(static_cast<double>(d.remote_size)).c_str());
            return d.path;
        case WeightsDownload::State::Failed:
            if (log_) log_->event("download_failed", {{"error", d.error}, {"attempt", d.attempt}});
            std::fprintf(stderr, "nst-viewer: error: the VGG19 weights could not be downloaded: %s\n", d.error.c_str());
            break;
        case WeightsDownload::State::Cancelled:
            if (log_) log_->event("download_cancelled");
            break;
        default: break;
    }
    return std::nullopt;
}

void WeightsBanner::draw(const Context& c, UiProbe& probe, ControlActions& a) {
    using S = WeightsDownload::State;
    const auto& d = snap_;
    const bool downloading = seen_ == S::Running;
    const bool failed = seen_ == S::Failed;
    const bool switching = seen_ == S::Done && c.showing_random && !c.target_random;
    if (!c.showing_random && !downloading && !failed) return;
    const ImGuiStyle& st = ImGui::GetStyle();
    const float wrap = ImGui::GetContentRegionAvail().x - 16;
    const std::string warning = c.showing_random ? std::string("WARNING: ") + nst::kRandomFeaturesWarning : std::string();

    std::string detail;
    if (switching) detail = "VGG19 weights downloaded: switching to them (the optimisation carries on from the current image)...";
    else if (downloading) detail = "Downloading the pretrained VGG19 weights (features only) in the background; the window switches to them when they are ready.";
    else if (failed) detail = "Download of the VGG19 weights failed: " + d.error;
    else detail = c.idle_detail;  // --offline with nothing cached; empty when --features random was asked for
    float h = 12;
    if (!warning.empty()) h += ImGui::CalcTextSize(warning.c_str(), nullptr, false, wrap).y;
    if (!detail.empty()) h += st.ItemSpacing.y + ImGui::CalcTextSize(detail.c_str(), nullptr, false, wrap).y;
    if (downloading || failed) h += st.ItemSpacing.y + ImGui::GetFrameHeight();

    ImGui::PushStyleColor(ImGuiCol_ChildBg, c.showing_random ? ImVec4(0.55f, 0.12f, 0.10f, 1.0f) : ImVec4(0.16f, 0.22f, 0.34f, 1.0f));
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
        if (rate_.size() >= 2) {
            const double dt = seconds(rate_.back().first - rate_.front().first);
            if (dt > 0.2) rate = static_cast<double>(rate_.back().second - rate_.front().second) / dt;
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
        probe.item("download_progress");
    } else if (failed) {
        ImGui::SetCursorPosX(8);
        a.retry_download |= ImGui::Button("Retry download");
        probe.item("retry_download");
        ImGui::SameLine();
        ImGui::TextDisabled("still running on untrained features; or pass --weights FILE");
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace nstv

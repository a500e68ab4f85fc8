// The reader's front door (open_frames, video_io.h: a folder, a frame pattern, or a video file /
// buffer for demux_decode.h) and image sequences: every frame is an image file loaded with load_image, which
// checks the header against max_pixels before decoding; the first frame's size is the sequence's,
// and a frame of another size is refused naming the sequence and the file.
#include "nst/video/video_io.h"

#include <algorithm>
#include <cctype>
#include <system_error>
#include <vector>

#include "nst/error.h"
#include "nst/image.h"
#include "video/demux_decode.h"

namespace nst::video {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

bool is_sequence_image(const fs::path& p) {
    const std::string ext = lower_extension(p);
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".tga";
}

class SequenceSource final : public FrameSource {
public:
    SequenceSource(fs::path where, std::vector<fs::path> files, SourceKind kind, const Limits& limits)
        : where_(std::move(where)), files_(std::move(files)), limits_(limits) {
        first_ = load(0);
        info_.kind = kind;
        info_.width = first_.width;
        info_.height = first_.height;
        info_.frames = static_cast<int>(files_.size());
        info_.rate = {25, 1};
        info_.container = "image sequence";
        info_.codec = lower_extension(files_.front()).substr(1);
        info_.duration_s = info_.frames / info_.rate.fps();
    }

    const VideoInfo& info() const override { return info_; }
    const fs::path& path() const override { return where_; }

    Image frame(int index) override {
        if (index < 0 || index >= info_.frames)
            throw Error(where_.string() + ": frame " + std::to_string(index) + " is out of range (the sequence has " +
                        std::to_string(info_.frames) + " frames)");
        if (index == 0) return first_;
        Image img = load(index);
        if (img.width != info_.width || img.height != info_.height)
            throw Error(where_.string() + ": " + files_[static_cast<std::size_t>(index)].filename().string() + " is " +
                        std::to_string(img.width) + "x" + std::to_string(img.height) + ", not " +
                        std::to_string(info_.width) + "x" + std::to_string(info_.height) + " like the first frame");
        return img;
    }

private:
    // load_image's error names the file; the sequence is named first so the user knows which input.
    Image load(int index) const {
        try {
            return load_image(files_[static_cast<std::size_t>(index)], limits_.max_pixels);
        } catch (const UsageError&) {
            throw;
        } catch (const Error& e) {
            throw Error(where_.string() + ": " + e.what());
        }
    }

    fs::path where_;
    std::vector<fs::path> files_;
    Limits limits_;
    VideoInfo info_;
    Image first_;  // loaded at open for the size; kept, it is usually asked for first
};

void check_count(const std::string& name, std::size_t count, const Limits& limits) {
    if (count > static_cast<std::size_t>(std::max(limits.max_frames, 0)))
        throw Error(name + ": more than " + std::to_string(limits.max_frames) + " frames (the limit)");
}

std::unique_ptr<FrameSource> open_image_folder(const fs::path& folder, const Limits& limits) {
    const std::string name = folder.string();
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        // Hidden files (editors' and macOS's "._0001.png" litter) are not frames.
        if (p.filename().string().starts_with('.') || !is_sequence_image(p)) continue;
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) continue;
        files.push_back(p);
        check_count(name, files.size(), limits);
    }
    if (ec) throw Error(name + ": cannot list the folder: " + ec.message());
    if (files.empty()) throw Error(name + ": no video frames (no .png, .jpg, .jpeg, .bmp or .tga images in the folder)");
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
    return std::make_unique<SequenceSource>(folder, std::move(files), SourceKind::Folder, limits);
}

std::unique_ptr<FrameSource> open_frame_pattern(const std::string& pattern, const Limits& limits) {
    std::error_code ec;
    const int first = fs::exists(pattern_path(pattern, 0), ec) ? 0 : 1;
    std::vector<fs::path> files;
    // Numbered from the first that exists (0 or 1) up to the first gap.
    for (int n = first;; ++n) {
        fs::path p = pattern_path(pattern, n);
        if (!fs::is_regular_file(p, ec)) break;
        files.push_back(std::move(p));
        check_count(pattern, files.size(), limits);
    }
    if (files.empty())
        throw Error(pattern + ": no video frames (neither " + pattern_path(pattern, 0).string() + " nor " +
                    pattern_path(pattern, 1).string() + " exists)");
    return std::make_unique<SequenceSource>(fs::path(pattern), std::move(files), SourceKind::Pattern, limits);
}

}  // namespace

std::unique_ptr<FrameSource> open_frames(const fs::path& input, const Limits& limits) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) return open_image_folder(input, limits);
    // A file that exists is a file even if its name has a "%d" in it.
    if (is_frame_pattern(input.string()) && !fs::exists(input, ec)) return open_frame_pattern(input.string(), limits);
    // Files decode with libav's choice of threads; the result is the same, only faster.
    return open_video_file(ByteSource{input, nullptr, input.string()}, limits, 0);
}

std::unique_ptr<FrameSource> open_frames_in_memory(std::vector<std::uint8_t> bytes, const std::string& name,
                                                   const Limits& limits) {
    auto shared = std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
    // One decoder thread: the fuzzer's runs stay deterministic.
    return open_video_file(ByteSource{name, std::move(shared), name}, limits, 1);
}

}  // namespace nst::video

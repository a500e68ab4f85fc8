// check_video_output (video_io.h): the output is judged from its path before minutes of styling
// are spent — a bad extension or pattern is the user's typo (UsageError), a folder we cannot write
// to is an environment problem (Error), and audio that cannot be copied unchanged into the chosen
// container is refused now rather than discovered by the muxer at the end.
#include "video/output_spec.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "nst/error.h"
#include "nst/video/video_io.h"
#include "video/frame_pattern.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace nst::video {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

void check_folder(const std::string& name, const fs::path& file) {
    fs::path dir = file.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    const fs::file_status st = fs::status(dir, ec);
    if (st.type() == fs::file_type::not_found) throw Error(name + ": folder '" + dir.string() + "' does not exist");
    if (ec) throw Error(name + ": cannot access folder '" + dir.string() + "': " + ec.message());
    if (st.type() != fs::file_type::directory) throw Error(name + ": '" + dir.string() + "' is not a folder");
    // access(2) says yes to root and knows nothing of read-only mounts: really create a file.
    std::string probe = (dir / ".nst-write-test-XXXXXX").string();
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) throw Error(name + ": cannot write to folder '" + dir.string() + "': " + std::strerror(errno));
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace

const char* muxer_name(const std::string& container) {
    if (container == "mp4") return "mp4";
    if (container == "webm") return "webm";
    return "matroska";
}

OutputSpec check_video_output(const fs::path& output, const VideoInfo* input_info) {
    const std::string name = output.string();
    const std::string ext = lower(output.extension().string());
    OutputSpec spec;
    spec.path = output;
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg") {
        if (count_pattern_conversions(name) != 1)
            throw UsageError(name + ": frames of a video need a pattern with exactly one %d (e.g. out_%04d.png)");
        spec.kind = OutputKind::Pattern;
        check_folder(name, pattern_path(name, 1));
        return spec;
    }
    if (ext != ".mp4" && ext != ".webm" && ext != ".mkv")
        throw UsageError(name + ": unknown video output extension '" + ext +
                         "' (use .mp4, .webm, .mkv or a frame pattern such as out_%04d.png)");
    spec.kind = OutputKind::Video;
    spec.container = ext.substr(1);
    std::error_code ec;
    if (fs::is_directory(output, ec)) throw Error(name + ": is a folder");
    check_folder(name, output);

    if (input_info && input_info->has_audio) {
        const AVOutputFormat* muxer = av_guess_format(muxer_name(spec.container), nullptr, nullptr);
        const AVCodecDescriptor* codec = avcodec_descriptor_get_by_name(input_info->audio_codec.c_str());
        if (!muxer || !codec || avformat_query_codec(muxer, codec->id, FF_COMPLIANCE_NORMAL) != 1)
            throw UsageError(name + ": the input's '" + input_info->audio_codec + "' audio cannot be copied unchanged into ." +
                             spec.container + (spec.container == "mkv" ? "" : " (use .mkv, which takes any audio)"));
    }
    return spec;
}

}  // namespace nst::video

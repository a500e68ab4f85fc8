#pragma once
// Video in and out, torch-free: a clip (a file FFmpeg reads, a frame pattern "frames/%04d.png", or a
// folder of images in name order) read frame by frame, and the output assembled from finished frames
// (a video file with the input's audio copied unchanged, or a frame pattern).
// A video file is untrusted input like an image: a container/codec whitelist, the frame size checked
// against max_pixels from the stream header before anything is decoded, a frame-count limit; every
// failure is an nst::Error naming the input and the problem.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nst/image.h"

namespace nst::video {

inline constexpr int kDefaultMaxFrames = 100'000;

// A frame rate as a fraction (FFmpeg's r_frame_rate / avg_frame_rate), 25/1 for image sequences.
struct Rate {
    int num = 25, den = 1;
    [[nodiscard]] double fps() const { return den > 0 ? static_cast<double>(num) / den : 0.0; }
};

enum class SourceKind { File, Pattern, Folder };

struct VideoInfo {
    SourceKind kind = SourceKind::File;
    int width = 0, height = 0;  // every frame's size (a frame of another size is refused, named)
    int frames = 0;             // the number of frames (counted when the source is opened)
    Rate rate;
    std::string container;      // "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "image sequence"
    std::string codec;          // "h264", "vp9", ..., "png" for sequences
    bool has_audio = false;
    std::string audio_codec;    // the first audio stream's codec ("aac", "opus", ...), "" if none
    double duration_s = 0;      // frames / rate
    double audio_duration_s = 0;  // the first audio stream's packets' time span (0 if none)
};

struct Limits {
    std::int64_t max_pixels = kDefaultMaxPixels;  // per frame, checked from the header before decoding
    int max_frames = kDefaultMaxFrames;           // more frames than this: refused, named
};

// Reads the frames of a clip in order; frame(i) may go back (a file is then reopened and decoded
// from the start: cheap for the clips this is meant for, and the viewer keeps its own cache).
// Not thread-safe: one thread owns a source (the flow worker, flow.h).
class FrameSource {
public:
    virtual ~FrameSource() = default;
    [[nodiscard]] virtual const VideoInfo& info() const = 0;
    // Frame `index` (0-based, < info().frames) as RGB in [0,1]. Throws nst::Error naming the input
    // for a corrupt or truncated stream, or a frame whose size differs from the first one's.
    virtual Image frame(int index) = 0;
    [[nodiscard]] virtual const std::filesystem::path& path() const = 0;
};

// Opens `input`: a folder (its .png/.jpg/.jpeg/.bmp/.tga files in name order), a pattern with one
// printf integer conversion (%d, %04d: frames numbered from the first that exists, 0 or 1, up to
// the first gap), or a video file (libavformat with format and codec whitelists: mp4/mov, mkv/webm,
// avi; h264, hevc, vp8, vp9, av1, mpeg4, mjpeg, png, rawvideo, ffv1 ...). Counts the frames (demux only
// for a file) and checks the first frame's size against limits.max_pixels before decoding.
// Throws nst::Error naming the input: missing, not a video, not whitelisted, no video stream,
// 0 frames, too many frames, frames too large.
std::unique_ptr<FrameSource> open_frames(const std::filesystem::path& input, const Limits& limits = {});

// The same for a video file already in memory (the fuzz target's entry; `name` is used in errors).
std::unique_ptr<FrameSource> open_frames_in_memory(std::vector<std::uint8_t> bytes, const std::string& name,
                                                   const Limits& limits = {});

// True if `path` names a frame pattern (contains one %d / %0Nd conversion).
[[nodiscard]] bool is_frame_pattern(const std::string& path);
// The pattern's file name for frame `number` ("out_%04d.png", 7 -> "out_0007.png").
[[nodiscard]] std::filesystem::path pattern_path(const std::string& pattern, int number);

// Where the result goes, decided from the output path before any work.
enum class OutputKind { Video, Pattern };
struct OutputSpec {
    OutputKind kind = OutputKind::Video;
    std::filesystem::path path;  // the video file, or the pattern
    std::string container;       // "mp4" (H.264), "webm" (VP9), "mkv" (H.264), or "" for a pattern
};

// Checks the output before any work: a video by its extension (.mp4, .webm, .mkv), or a pattern
// with exactly one %d conversion and a writable image extension (.png/.jpg). Its folder must exist
// and be writable. Throws nst::UsageError naming the output (a pattern without %d, an unknown
// extension) or nst::Error (an unwritable folder). `input_info`: the input's audio must be able to
// go into the container unchanged (e.g. AAC into .webm cannot), refused naming both; nullptr skips.
OutputSpec check_video_output(const std::filesystem::path& output, const VideoInfo* input_info = nullptr);

struct EncodeJob {
    OutputSpec output;
    int width = 0, height = 0, frames = 0;
    Rate rate;
    // The input video file whose audio is copied (packet for packet, no re-encoding) into the output;
    // empty or a file without audio: no audio stream. With first_frame > 0 (a --frames range), the
    // audio of the range's time span [first_frame, first_frame + frames) / rate is copied.
    std::filesystem::path audio_from;
    int first_frame = 0;
    int crf = 18;  // quality of H.264 / VP9 (lower = better)
};

// Writes the output from `frame(k)`, k = 0..frames-1 (each width x height): a video is encoded to a
// temporary file in the output's folder and renamed over the output at the end (atomic: on any
// failure no partial file remains and an old output is untouched); a pattern writes frame k with
// save_image (each atomic) as pattern_path(pattern, k + 1): numbered from 1, like ffmpeg's
// image2 muxer. Throws nst::Error naming the output; an exception from `frame` passes through
// (after the temporary file is removed).
// Video frames have timestamps k / rate, so the output has exactly `frames` frames at the rate.
// H.264 (.mp4, .mkv) is yuv420p for even sizes; an odd width or height is encoded as yuv444p
// (High 4:4:4) so that the output keeps the exact size (4:2:0 cannot hold an odd size and H.264
// cannot crop a single pixel in 4:2:0), at the price of players that only know 4:2:0. VP9 (.webm)
// is yuv420p at any size. The audio packets whose start lies in [first_frame, first_frame +
// frames) / rate (no lower bound when first_frame == 0) are copied, shifted to start at 0.
void write_video(const EncodeJob& job, const std::function<Image(int)>& frame);

}  // namespace nst::video

// write_video (video_io.h): frames encoded with libx264 (.mp4, .mkv) or libvpx-vp9 (.webm) into a
// temporary file next to the output, the input's audio stream-copied alongside (audio_copy.h),
// then renamed over the output: a failure at any point leaves the old output untouched and no
// temporary file behind.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#include "nst/error.h"
#include "nst/video/video_io.h"
#include "video/audio_copy.h"
#include "video/libav_util.h"
#include "video/output_spec.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/opt.h>
}

namespace nst::video {
namespace {

namespace fs = std::filesystem;

// A name reserved with mkstemp in the output's folder, removed on destruction unless kept.
class TempPath {
public:
    TempPath(const fs::path& target, const std::string& name) {
        fs::path dir = target.parent_path();
        if (dir.empty()) dir = ".";
        std::string leaf = ".";  // hidden, and named for its target so litter is recognisable
        leaf += target.filename().string();
        leaf += ".nst-XXXXXX";
        std::string tmpl = (dir / leaf).string();
        const int fd = ::mkstemp(tmpl.data());
        if (fd < 0) throw Error(name + ": cannot write to folder '" + dir.string() + "': " + std::strerror(errno));
        ::close(fd);
        path_ = tmpl;
    }
    ~TempPath() {
        if (!kept_) ::unlink(path_.c_str());
    }
    TempPath(const TempPath&) = delete;
    TempPath& operator=(const TempPath&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    void keep() { kept_ = true; }

private:
    std::string path_;
    bool kept_ = false;
};

// The muxer and the video encoder of one output file; frees everything on destruction.
class Encoder {
public:
    Encoder(const EncodeJob& job, const std::string& tmp_path, const std::string& name)
        : job_(job), name_(name), packet_(av::make_packet()), yuv_(av::make_frame()) {
        av::quiet_logs();
        // The URL matters: mp4's faststart reopens the file by it at the end to move the index.
        const std::string url = "file:" + tmp_path;
        check(avformat_alloc_output_context2(&out_, nullptr, muxer_name(job.output.container), url.c_str()), "muxer");
        if (!out_) throw std::bad_alloc();

        const bool vp9 = job.output.container == "webm";
        const AVCodec* codec = avcodec_find_encoder_by_name(vp9 ? "libvpx-vp9" : "libx264");
        if (!codec) fail(std::string("this FFmpeg has no ") + (vp9 ? "libvpx-vp9" : "libx264") + " encoder");
        enc_.reset(avcodec_alloc_context3(codec));
        if (!enc_) throw std::bad_alloc();
        enc_->width = job.width;
        enc_->height = job.height;
        // 4:2:0 cannot hold an odd size in H.264 (video_io.h): 4:4:4 keeps the exact size.
        const bool odd = (job.width % 2) != 0 || (job.height % 2) != 0;
        enc_->pix_fmt = (!vp9 && odd) ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P;
        enc_->time_base = AVRational{job.rate.den, job.rate.num};
        enc_->framerate = AVRational{job.rate.num, job.rate.den};
        // What swscale writes by default: BT.601 matrix, limited range; tagged so readers agree.
        enc_->colorspace = AVCOL_SPC_SMPTE170M;
        enc_->color_range = AVCOL_RANGE_MPEG;
        if (out_->oformat->flags & AVFMT_GLOBALHEADER) enc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (vp9) {
            enc_->bit_rate = 0;  // with crf: constant quality
            av_opt_set_int(enc_->priv_data, "crf", std::clamp(job.crf, 0, 63), 0);
            av_opt_set(enc_->priv_data, "deadline", "good", 0);
            av_opt_set_int(enc_->priv_data, "cpu-used", 4, 0);
            av_opt_set_int(enc_->priv_data, "row-mt", 1, 0);
        } else {
            av_opt_set(enc_->priv_data, "preset", "fast", 0);
            av_opt_set_double(enc_->priv_data, "crf", std::clamp(job.crf, 0, 51), 0);
        }
        check(avcodec_open2(enc_.get(), codec, nullptr), "cannot open the encoder");

        stream_ = avformat_new_stream(out_, nullptr);
        if (!stream_) throw std::bad_alloc();
        check(avcodec_parameters_from_context(stream_->codecpar, enc_.get()), "encoder parameters");
        stream_->time_base = enc_->time_base;
        stream_->avg_frame_rate = enc_->framerate;

        audio_ = std::make_unique<AudioCopy>(job.audio_from, out_, name_, job.rate, job.first_frame, job.frames);

        check(avio_open(&out_->pb, url.c_str(), AVIO_FLAG_WRITE), "cannot create the file");
        AVDictionary* opts = nullptr;
        if (job.output.container == "mp4") av_dict_set(&opts, "movflags", "+faststart", 0);
        const int r = avformat_write_header(out_, &opts);
        av_dict_free(&opts);
        check(r, "cannot write the header");

        yuv_->format = enc_->pix_fmt;
        yuv_->width = job.width;
        yuv_->height = job.height;
        check(av_frame_get_buffer(yuv_.get(), 0), "frame buffer");
        sws_.reset(sws_getContext(job.width, job.height, AV_PIX_FMT_RGB24, job.width, job.height, enc_->pix_fmt,
                                  SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
        if (!sws_) fail("cannot set up the colour conversion");
    }

    ~Encoder() {
        audio_.reset();
        if (out_) {
            if (out_->pb) avio_closep(&out_->pb);
            avformat_free_context(out_);
        }
    }
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    void add(const Image& img, int k) {
        if (img.width != job_.width || img.height != job_.height || img.rgb.size() != std::size_t(img.width) * img.height * 3)
            fail("frame " + std::to_string(k) + " is " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                 ", not " + std::to_string(job_.width) + "x" + std::to_string(job_.height));
        rgb8_.resize(img.rgb.size());
        std::transform(img.rgb.begin(), img.rgb.end(), rgb8_.begin(), [](float v) {
            return static_cast<std::uint8_t>(std::lround(std::clamp(std::isfinite(v) ? v : 0.f, 0.f, 1.f) * 255.f));
        });
        check(av_frame_make_writable(yuv_.get()), "frame buffer");
        const std::uint8_t* src[4] = {rgb8_.data(), nullptr, nullptr, nullptr};
        const int src_stride[4] = {img.width * 3, 0, 0, 0};
        sws_scale(sws_.get(), src, src_stride, 0, img.height, yuv_->data, yuv_->linesize);
        yuv_->pts = k;  // time k / rate, in the encoder's time base 1/rate
        check(avcodec_send_frame(enc_.get(), yuv_.get()), "encoding");
        drain();
        audio_->copy_until(static_cast<double>(k) / job_.rate.fps());
    }

    void finish() {
        check(avcodec_send_frame(enc_.get(), nullptr), "encoding");
        drain();
        audio_->finish();
        check(av_write_trailer(out_), "cannot finish the file");
        check(avio_closep(&out_->pb), "cannot write");
    }

private:
    void drain() {
        for (;;) {
            const int r = avcodec_receive_packet(enc_.get(), packet_.get());
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
            check(r, "encoding");
            packet_->stream_index = stream_->index;
            av_packet_rescale_ts(packet_.get(), enc_->time_base, stream_->time_base);
            check(av_interleaved_write_frame(out_, packet_.get()), "cannot write");
        }
    }

    [[noreturn]] void fail(const std::string& problem) const { throw Error(name_ + ": " + problem); }
    void check(int r, const char* what) const {
        if (r < 0) fail(std::string(what) + " (" + av::error_text(r) + ")");
    }

    const EncodeJob& job_;
    std::string name_;
    AVFormatContext* out_ = nullptr;
    av::CodecPtr enc_;
    AVStream* stream_ = nullptr;
    std::unique_ptr<AudioCopy> audio_;
    av::PacketPtr packet_;
    av::FramePtr yuv_;
    av::SwsPtr sws_;
    std::vector<std::uint8_t> rgb8_;
};

// The new file's mode: the old output's if there is one (a rewrite keeps its permissions), else
// what a plain create would give (0666 less the umask, read from /proc without changing it).
mode_t mode_for(const fs::path& target) {
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0) return st.st_mode & 07777;
    return 0644;
}

void commit(TempPath& tmp, const fs::path& target, const std::string& name) {
    const int fd = ::open(tmp.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(name + ": cannot write: " + std::strerror(errno));
    // Without fsync a crash right after the rename can leave an empty file where the old one was.
    const bool synced = ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!synced) throw Error(name + ": cannot write: " + std::strerror(err));
    ::chmod(tmp.path().c_str(), mode_for(target));
    if (::rename(tmp.path().c_str(), target.c_str()) != 0) throw Error(name + ": cannot write: " + std::strerror(errno));
    tmp.keep();
}

}  // namespace

void write_video(const EncodeJob& job, const std::function<Image(int)>& frame) {
    const std::string name = job.output.path.string();
    if (job.width < 1 || job.height < 1 || job.frames < 1)
        throw Error(name + ": nothing to write (" + std::to_string(job.width) + "x" + std::to_string(job.height) + ", " +
                    std::to_string(job.frames) + " frames)");
    if (job.rate.num < 1 || job.rate.den < 1) throw Error(name + ": bad frame rate");

    if (job.output.kind == OutputKind::Pattern) {
        for (int k = 0; k < job.frames; ++k) {
            const Image img = frame(k);
            if (img.width != job.width || img.height != job.height)
                throw Error(name + ": frame " + std::to_string(k) + " is " + std::to_string(img.width) + "x" +
                            std::to_string(img.height) + ", not " + std::to_string(job.width) + "x" +
                            std::to_string(job.height));
            save_image(img, pattern_path(name, k + 1));
        }
        return;
    }

    TempPath tmp(job.output.path, name);
    {
        Encoder enc(job, tmp.path(), name);
        for (int k = 0; k < job.frames; ++k) enc.add(frame(k), k);
        enc.finish();
    }
    commit(tmp, job.output.path, name);
}

}  // namespace nst::video

// Demux + decode of a video file (demux_decode.h). Every libav failure becomes an nst::Error naming
// the file: decoders run with AV_EF_EXPLODE (a damaged frame is an error, not a silently concealed
// picture), with the pixel limit as their own max_pixels (a size change inside the bitstream cannot
// allocate past it), and a frame that still comes out in another size is refused.
#include "video/demux_decode.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "nst/error.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#include <libavutil/rational.h>
}

namespace nst::video {
namespace {

std::string size_text(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

// The stream's frame rate: avg_frame_rate, else r_frame_rate, else 25/1 (the contract's order).
Rate stream_rate(const AVStream* st) {
    for (const AVRational q : {st->avg_frame_rate, st->r_frame_rate}) {
        if (q.num > 0 && q.den > 0) {
            int num = 0, den = 0;
            av_reduce(&num, &den, q.num, q.den, std::numeric_limits<int>::max());
            if (num > 0 && den > 0 && static_cast<double>(num) / den <= 1000.0) return {num, den};
        }
    }
    return {25, 1};
}

// The video stream's duration from the header (the stream's own duration, or Matroska's DURATION
// tag "HH:MM:SS.nnnnnnnnn"), 0 if it has none.
double header_duration_s(const AVFormatContext* fmt, const AVStream* st) {
    if (st->duration > 0 && st->duration != AV_NOPTS_VALUE) return static_cast<double>(st->duration) * av_q2d(st->time_base);
    (void)fmt;
    const AVDictionaryEntry* tag = av_dict_get(st->metadata, "DURATION", nullptr, 0);
    int h = 0, m = 0;
    double s = 0;
    if (tag && std::sscanf(tag->value, "%d:%d:%lf", &h, &m, &s) == 3 && h >= 0 && m >= 0 && s >= 0 && h < 1000000)
        return h * 3600.0 + m * 60.0 + s;
    return 0;
}

// Decodes the video stream of a freshly opened Container, frame after frame.
class Decoder {
public:
    Decoder(const ByteSource& src, const Limits& limits, int threads)
        : container_(src, limits.max_pixels), packet_(av::make_packet()) {
        const int index = container_.video_stream();
        if (index < 0) container_.fail("no video stream");
        const AVStream* st = container_.fmt()->streams[index];
        const AVCodecParameters* par = st->codecpar;
        const AVCodec* codec = avcodec_find_decoder(par->codec_id);
        if (!codec) container_.fail(std::string("no decoder for the '") + avcodec_get_name(par->codec_id) + "' codec");
        ctx_.reset(avcodec_alloc_context3(codec));
        if (!ctx_) throw std::bad_alloc();
        if (avcodec_parameters_to_context(ctx_.get(), par) < 0) container_.fail("bad video codec parameters");
        ctx_->pkt_timebase = st->time_base;
        ctx_->max_pixels = limits.max_pixels;
        ctx_->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK;
        ctx_->thread_count = threads;
        AVDictionary* opts = nullptr;
        av_dict_set(&opts, "codec_whitelist", codec->name, 0);
        const int r = avcodec_open2(ctx_.get(), codec, &opts);
        av_dict_free(&opts);
        if (r < 0) container_.fail(std::string("cannot open the '") + codec->name + "' decoder (" + av::error_text(r) + ")");
    }

    // The next frame into `out`; false once the stream has no more.
    bool next(AVFrame* out, int number) {
        for (;;) {
            int r = avcodec_receive_frame(ctx_.get(), out);
            if (r == 0) {
                if ((out->flags & AV_FRAME_FLAG_CORRUPT) || out->decode_error_flags)
                    container_.fail("corrupt video data in frame " + std::to_string(number + 1));
                return true;
            }
            if (r == AVERROR_EOF) return false;
            if (r != AVERROR(EAGAIN))
                container_.fail("corrupt video data in frame " + std::to_string(number + 1) + " (" + av::error_text(r) + ")");
            if (flushed_) return false;
            r = read_video_packet();
            if (r == AVERROR_EOF) {
                flushed_ = true;
                r = avcodec_send_packet(ctx_.get(), nullptr);
            } else {
                r = avcodec_send_packet(ctx_.get(), packet_.get());
                av_packet_unref(packet_.get());
            }
            if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_EOF)
                container_.fail("corrupt video data in frame " + std::to_string(number + 1) + " (" + av::error_text(r) + ")");
        }
    }

    [[noreturn]] void fail(const std::string& problem) const { container_.fail(problem); }

private:
    int read_video_packet() {
        for (;;) {
            const int r = av_read_frame(container_.fmt(), packet_.get());
            if (r == AVERROR_EOF) return r;
            if (r < 0) container_.fail("corrupt or truncated file (" + av::error_text(r) + ")");
            if (packet_->stream_index == container_.video_stream()) {
                if (packet_->flags & AV_PKT_FLAG_CORRUPT) container_.fail("truncated or corrupt video packet");
                return 0;
            }
            av_packet_unref(packet_.get());
        }
    }

    Container container_;
    av::PacketPtr packet_;
    av::CodecPtr ctx_;
    bool flushed_ = false;
};

// swscale from whatever the decoder gives (YUV of any layout, palette, RGB) to RGB24, honouring
// the frame's matrix (BT.601 unless tagged otherwise) and range.
class RgbConverter {
public:
    Image convert(const AVFrame* f, const std::string& name) {
        const auto fail = [&](const std::string& problem) { throw Error(name + ": " + problem); };
        const auto fmt = static_cast<AVPixelFormat>(f->format);
        if (f->format < 0 || !sws_isSupportedInput(fmt)) fail("unsupported pixel format");
        sws_.reset(sws_getCachedContext(sws_.release(), f->width, f->height, fmt, f->width, f->height,
                                        AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                        nullptr, nullptr, nullptr));
        if (!sws_) fail(std::string("cannot convert the '") + av_get_pix_fmt_name(fmt) + "' pixel format");
        const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(fmt);
        if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB) && !(desc->flags & AV_PIX_FMT_FLAG_PAL) && desc->nb_components >= 3) {
            int cs = SWS_CS_DEFAULT;
            switch (f->colorspace) {
            case AVCOL_SPC_BT709: cs = SWS_CS_ITU709; break;
            case AVCOL_SPC_FCC: cs = SWS_CS_FCC; break;
            case AVCOL_SPC_SMPTE240M: cs = SWS_CS_SMPTE240M; break;
            case AVCOL_SPC_BT2020_NCL:
            case AVCOL_SPC_BT2020_CL: cs = SWS_CS_BT2020; break;
            default: break;
            }
            const bool jpeg_fmt = fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P ||
                                  fmt == AV_PIX_FMT_YUVJ440P || fmt == AV_PIX_FMT_YUVJ411P;
            const int full = (f->color_range == AVCOL_RANGE_JPEG || jpeg_fmt) ? 1 : 0;
            sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(cs), full, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                                     0, 1 << 16, 1 << 16);
        }
        const int stride = f->width * 3;
        rgb8_.resize(static_cast<std::size_t>(stride) * f->height);
        std::uint8_t* dst[4] = {rgb8_.data(), nullptr, nullptr, nullptr};
        int dst_stride[4] = {stride, 0, 0, 0};
        if (sws_scale(sws_.get(), f->data, f->linesize, 0, f->height, dst, dst_stride) != f->height)
            fail("cannot convert a frame to RGB");
        Image img;
        img.width = f->width;
        img.height = f->height;
        img.rgb.resize(rgb8_.size());
        std::transform(rgb8_.begin(), rgb8_.end(), img.rgb.begin(), [](std::uint8_t v) { return v / 255.f; });
        return img;
    }

private:
    av::SwsPtr sws_;
    std::vector<std::uint8_t> rgb8_;
};

class FileSource final : public FrameSource {
public:
    FileSource(ByteSource src, const Limits& limits, int threads)
        : src_(std::move(src)), limits_(limits), threads_(threads), frame_(av::make_frame()) {
        count_frames();
    }

    const VideoInfo& info() const override { return info_; }
    const std::filesystem::path& path() const override { return src_.path; }

    Image frame(int index) override {
        if (index < 0 || index >= info_.frames)
            throw Error(src_.name + ": frame " + std::to_string(index) + " is out of range (the clip has " +
                        std::to_string(info_.frames) + " frames)");
        if (!decoder_ || index < next_) {  // backwards: reopen and decode from the start
            decoder_.reset();
            next_ = 0;
            decoder_ = std::make_unique<Decoder>(src_, limits_, threads_);
        }
        try {
            for (;;) {
                if (!decoder_->next(frame_.get(), next_))
                    decoder_->fail("the video ends after " + std::to_string(next_) + " of " +
                                   std::to_string(info_.frames) + " frames (truncated or corrupt)");
                const int number = next_++;
                if (frame_->width != info_.width || frame_->height != info_.height)
                    decoder_->fail("frame " + std::to_string(number + 1) + " is " + size_text(frame_->width, frame_->height) +
                                   ", not " + size_text(info_.width, info_.height) + " like the stream's header");
                if (number == index) {
                    Image img = converter_.convert(frame_.get(), src_.name);
                    av_frame_unref(frame_.get());
                    return img;
                }
                av_frame_unref(frame_.get());  // forward: decode and discard
            }
        } catch (...) {
            decoder_.reset();  // a failed decoder is not reused: the next call starts over
            throw;
        }
    }

private:
    // Opens the container, fills info_ and counts the video packets (demux only, no decode).
    void count_frames() {
        const Container c(src_, limits_.max_pixels);
        const int vi = c.video_stream();
        if (vi < 0) c.fail("no video stream");
        const AVStream* st = c.fmt()->streams[vi];
        info_.kind = SourceKind::File;
        info_.width = st->codecpar->width;
        info_.height = st->codecpar->height;
        info_.rate = stream_rate(st);
        info_.container = c.fmt()->iformat->name;
        info_.codec = avcodec_get_name(st->codecpar->codec_id);
        const int ai = c.audio_stream();
        info_.has_audio = ai >= 0;
        if (ai >= 0) info_.audio_codec = avcodec_get_name(c.fmt()->streams[ai]->codecpar->codec_id);

        auto packet = av::make_packet();
        std::int64_t audio_start = std::numeric_limits<std::int64_t>::max(), audio_end = std::numeric_limits<std::int64_t>::min();
        int frames = 0;
        for (;;) {
            const int r = av_read_frame(c.fmt(), packet.get());
            if (r == AVERROR_EOF) break;
            if (r < 0) c.fail("corrupt or truncated file after " + std::to_string(frames) + " frames (" + av::error_text(r) + ")");
            if (packet->stream_index == vi) {
                if (packet->flags & AV_PKT_FLAG_CORRUPT)
                    c.fail("truncated or corrupt video packet after " + std::to_string(frames) + " frames");
                if (packet->size > 0 && ++frames > limits_.max_frames)
                    c.fail("more than " + std::to_string(limits_.max_frames) + " frames (the limit)");
            } else if (packet->stream_index == ai) {
                const std::int64_t t = packet->pts != AV_NOPTS_VALUE ? packet->pts : packet->dts;
                if (t != AV_NOPTS_VALUE) {
                    audio_start = std::min(audio_start, t);
                    audio_end = std::max(audio_end, t + std::max<std::int64_t>(packet->duration, 0));
                }
            }
            av_packet_unref(packet.get());
        }
        if (frames == 0) c.fail("no video frames");
        // Matroska and AVI simply end where a truncated file ends; the header's duration of the
        // video stream tells how many frames there should have been.
        const double promised = header_duration_s(c.fmt(), st);
        const long expected = promised > 0 ? std::lround(promised * info_.rate.fps() - 0.25) : 0;
        if (frames < expected)
            c.fail("truncated: " + std::to_string(frames) + " frames where the header promises " + std::to_string(expected));
        info_.frames = frames;
        info_.duration_s = frames / info_.rate.fps();
        if (ai >= 0 && audio_end > audio_start)
            info_.audio_duration_s = static_cast<double>(audio_end - audio_start) * av_q2d(c.fmt()->streams[ai]->time_base);
    }

    ByteSource src_;
    Limits limits_;
    int threads_;
    VideoInfo info_;
    std::unique_ptr<Decoder> decoder_;
    int next_ = 0;
    av::FramePtr frame_;
    RgbConverter converter_;
};

}  // namespace

std::unique_ptr<FrameSource> open_video_file(ByteSource src, const Limits& limits, int threads) {
    return std::make_unique<FileSource>(std::move(src), limits, threads);
}

}  // namespace nst::video

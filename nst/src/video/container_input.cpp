// Opening a container over untrusted bytes (container_input.h). Probing runs on our own
// AVIOContext (a file opened with the "file:" protocol only, or a buffer), so neither a name like
// "concat:a|b" nor a reference inside the file (MOV data references, playlists) can make libav open
// anything else: io_open is refused outright.
#include "video/container_input.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <system_error>

#include "nst/error.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

namespace nst::video {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormatWhitelist = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi";
constexpr std::array<std::string_view, 3> kContainers = {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"};
constexpr std::array<AVCodecID, 10> kVideoCodecs = {AV_CODEC_ID_H264,  AV_CODEC_ID_HEVC,  AV_CODEC_ID_VP8,
                                                   AV_CODEC_ID_VP9,   AV_CODEC_ID_AV1,   AV_CODEC_ID_MPEG4,
                                                   AV_CODEC_ID_MJPEG, AV_CODEC_ID_PNG,   AV_CODEC_ID_RAWVIDEO,
                                                   AV_CODEC_ID_FFV1};
// Decoders avformat_find_stream_info may open while probing (video and the usual audio tracks);
// the names are decoder names, hence libdav1d and the libvpx ones.
constexpr const char* kDecoderWhitelist =
    "h264,hevc,vp8,vp9,libvpx,libvpx-vp9,libdav1d,libaom-av1,mpeg4,mjpeg,png,rawvideo,ffv1,"
    "aac,aac_fixed,mp3,mp3float,opus,libopus,vorbis,flac,alac,ac3,eac3,pcm_s16le,pcm_s24le,pcm_f32le,pcm_u8";

int read_memory(void* opaque, std::uint8_t* buf, int buf_size) {
    auto* m = static_cast<MemoryReader*>(opaque);
    const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(std::max(buf_size, 0)), m->size - m->pos);
    if (n == 0) return AVERROR_EOF;
    std::memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return static_cast<int>(n);
}

std::int64_t seek_memory(void* opaque, std::int64_t offset, int whence) {
    auto* m = static_cast<MemoryReader*>(opaque);
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) return static_cast<std::int64_t>(m->size);
    std::int64_t base = 0;
    if (whence == SEEK_CUR) base = static_cast<std::int64_t>(m->pos);
    else if (whence == SEEK_END) base = static_cast<std::int64_t>(m->size);
    else if (whence != SEEK_SET) return AVERROR(EINVAL);
    if (offset > static_cast<std::int64_t>(m->size) || offset < -static_cast<std::int64_t>(m->size)) return AVERROR(EINVAL);
    const std::int64_t pos = base + offset;
    if (pos < 0 || pos > static_cast<std::int64_t>(m->size)) return AVERROR(EINVAL);
    m->pos = static_cast<std::size_t>(pos);
    return pos;
}

int refuse_io_open(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) { return AVERROR(EPERM); }

std::string short_format_name(const AVInputFormat* f) {
    const std::string name = f->name;
    return name.substr(0, name.find(','));
}

}  // namespace

bool is_allowed_container(const std::string& format_name) {
    return std::find(kContainers.begin(), kContainers.end(), format_name) != kContainers.end();
}

bool is_allowed_video_codec(AVCodecID id) {
    return std::find(kVideoCodecs.begin(), kVideoCodecs.end(), id) != kVideoCodecs.end();
}

void Container::fail(const std::string& problem) const { throw Error(src_.name + ": " + problem); }

void Container::open_io() {
    if (src_.memory) {
        reader_ = {src_.memory->data(), src_.memory->size(), 0};
        if (reader_.size == 0) fail("empty file");
        constexpr int kBufferSize = 32 * 1024;
        auto* buffer = static_cast<std::uint8_t*>(av_malloc(kBufferSize));
        if (!buffer) throw std::bad_alloc();
        io_ = avio_alloc_context(buffer, kBufferSize, 0, &reader_, read_memory, nullptr, seek_memory);
        if (!io_) {
            av_free(buffer);
            throw std::bad_alloc();
        }
        return;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(src_.path, ec);
    if (st.type() == fs::file_type::not_found) fail("no such file");
    if (ec) fail("cannot access: " + ec.message());
    if (st.type() == fs::file_type::directory) fail("is a directory");
    if (st.type() != fs::file_type::regular) fail("not a regular file");
    if (fs::file_size(src_.path, ec) == 0) fail("empty file");
    // "file:" pins the protocol: a path that looks like "concat:..." or "http:..." is a file name.
    const int r = avio_open2(&io_, ("file:" + src_.path.string()).c_str(), AVIO_FLAG_READ, nullptr, nullptr);
    if (r < 0) fail("cannot open: " + av::error_text(r));
}

Container::Container(ByteSource src, std::int64_t max_pixels) : src_(std::move(src)) {
    av::quiet_logs();
    try {
        open_io();

        // Probe by the bytes alone (no file name: the extension must not decide), then refuse a
        // container outside the whitelist by name before its demuxer parses anything more.
        const AVInputFormat* ifmt = nullptr;
        int r = av_probe_input_buffer2(io_, &ifmt, nullptr, nullptr, 0, 0);
        if (r < 0 || !ifmt) fail("not a video file (unknown format)");
        if (!is_allowed_container(ifmt->name))
            fail("the '" + short_format_name(ifmt) + "' format is not supported (use MP4/MOV, MKV/WebM or AVI)");

        fmt_ = avformat_alloc_context();
        if (!fmt_) throw std::bad_alloc();
        fmt_->pb = io_;
        fmt_->flags |= AVFMT_FLAG_CUSTOM_IO;
        fmt_->io_open = refuse_io_open;
        AVDictionary* opts = nullptr;
        av_dict_set(&opts, "format_whitelist", kFormatWhitelist, 0);
        av_dict_set(&opts, "codec_whitelist", kDecoderWhitelist, 0);
        av_dict_set(&opts, "protocol_whitelist", "file", 0);
        r = avformat_open_input(&fmt_, "", ifmt, &opts);
        av_dict_free(&opts);
        if (r < 0) {
            fmt_ = nullptr;  // freed by avformat_open_input
            fail("corrupt or truncated " + short_format_name(ifmt) + " file (" + av::error_text(r) + ")");
        }

        for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
            const AVStream* s = fmt_->streams[i];
            const AVMediaType type = s->codecpar->codec_type;
            if (type == AVMEDIA_TYPE_VIDEO && video_ < 0 && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
                video_ = static_cast<int>(i);
            if (type == AVMEDIA_TYPE_AUDIO && audio_ < 0) audio_ = static_cast<int>(i);
        }

        // The header's codec and frame size, checked before avformat_find_stream_info decodes a
        // frame; the decoders it opens are bounded by the same pixel limit.
        const auto check_video = [&](bool after_probe) {
            if (video_ < 0) return;
            const AVCodecParameters* par = fmt_->streams[video_]->codecpar;
            if (par->codec_id != AV_CODEC_ID_NONE && !is_allowed_video_codec(par->codec_id))
                fail(std::string("the '") + avcodec_get_name(par->codec_id) + "' video codec is not supported");
            if (after_probe && par->codec_id == AV_CODEC_ID_NONE) fail("unknown video codec");
            const std::int64_t w = par->width, h = par->height;
            if (w > 0 && h > 0 && w * h > max_pixels)
                fail("frames of " + std::to_string(w) + "x" + std::to_string(h) + " exceed the limit of " +
                     std::to_string(max_pixels) + " pixels");
            if (after_probe && (w <= 0 || h <= 0)) fail("no frame size in the video stream's header");
        };
        check_video(false);

        std::vector<AVDictionary*> stream_opts(fmt_->nb_streams, nullptr);
        for (auto& d : stream_opts) {
            av_dict_set_int(&d, "max_pixels", max_pixels, 0);
            av_dict_set(&d, "threads", "1", 0);
            av_dict_set(&d, "codec_whitelist", kDecoderWhitelist, 0);
        }
        r = avformat_find_stream_info(fmt_, stream_opts.empty() ? nullptr : stream_opts.data());
        for (auto& d : stream_opts) av_dict_free(&d);
        if (r < 0) fail("corrupt " + short_format_name(ifmt) + " file (" + av::error_text(r) + ")");
        check_video(true);
    } catch (...) {
        close();
        throw;
    }
}

void Container::close() {
    if (fmt_) avformat_close_input(&fmt_);  // custom IO: io_ is ours to free
    if (io_) {
        if (src_.memory) {
            av_freep(&io_->buffer);
            avio_context_free(&io_);
        } else {
            avio_closep(&io_);
        }
    }
}

Container::~Container() { close(); }

}  // namespace nst::video

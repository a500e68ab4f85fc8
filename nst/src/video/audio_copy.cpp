// Audio passthrough (audio_copy.h). Copying packets keeps the sound bit-exact and costs nothing;
// whether the codec may go into the output container is decided up front by check_video_output.
// Packets are cut at packet boundaries (a packet is kept when its start lies in the span), so a
// range's audio is exact to one codec frame (~21 ms for AAC at 48 kHz).
#include "video/audio_copy.h"

#include <cmath>
#include <limits>

#include "nst/error.h"

namespace nst::video {

AudioCopy::AudioCopy(const std::filesystem::path& input, AVFormatContext* out, const std::string& out_name, Rate rate,
                     int first_frame, int frames)
    : out_(out), out_name_(out_name), pending_(av::make_packet()) {
    if (input.empty()) return;
    // The input was opened and checked as untrusted already; its frame size is irrelevant here.
    in_ = std::make_unique<Container>(ByteSource{input, nullptr, input.string()}, std::numeric_limits<std::int64_t>::max());
    const int ai = in_->audio_stream();
    if (ai < 0) {
        in_.reset();
        return;
    }
    const AVStream* in_stream = in_->fmt()->streams[ai];
    in_tb_ = in_stream->time_base;
    const AVRational frame_tb{rate.den, rate.num};
    lower_bound_ = first_frame > 0;
    start_ts_ = lower_bound_ ? av_rescale_q(first_frame, frame_tb, in_tb_) : 0;
    end_ts_ = av_rescale_q(static_cast<std::int64_t>(first_frame) + frames, frame_tb, in_tb_);

    out_stream_ = avformat_new_stream(out_, nullptr);
    if (!out_stream_) throw std::bad_alloc();
    if (avcodec_parameters_copy(out_stream_->codecpar, in_stream->codecpar) < 0) throw std::bad_alloc();
    out_stream_->codecpar->codec_tag = 0;  // the output container picks its own tag for the codec
    out_stream_->time_base = in_tb_;
}

AudioCopy::~AudioCopy() = default;

bool AudioCopy::read_next() {
    for (;;) {
        const int r = av_read_frame(in_->fmt(), pending_.get());
        if (r < 0) return false;  // end (or a damaged tail): the audio stops there
        if (pending_->stream_index == in_->audio_stream()) return true;
        av_packet_unref(pending_.get());
    }
}

void AudioCopy::copy_until(double seconds) {
    if (!active()) return;
    while (!done_) {
        if (!has_pending_) {
            if (!read_next()) {
                done_ = true;
                break;
            }
            has_pending_ = true;
        }
        const std::int64_t ts = pending_->pts != AV_NOPTS_VALUE ? pending_->pts : pending_->dts;
        if (ts != AV_NOPTS_VALUE && ts >= end_ts_) {  // past the span: nothing more to copy
            av_packet_unref(pending_.get());
            has_pending_ = false;
            done_ = true;
            break;
        }
        if (ts != AV_NOPTS_VALUE && lower_bound_ && ts < start_ts_) {  // before the span
            av_packet_unref(pending_.get());
            has_pending_ = false;
            continue;
        }
        const double t = ts == AV_NOPTS_VALUE ? 0.0 : static_cast<double>(ts - start_ts_) * av_q2d(in_tb_);
        if (t >= seconds) break;  // kept for a later call: the video has not got there yet
        if (pending_->pts != AV_NOPTS_VALUE) pending_->pts -= start_ts_;
        if (pending_->dts != AV_NOPTS_VALUE) pending_->dts -= start_ts_;
        pending_->stream_index = out_stream_->index;
        pending_->pos = -1;
        av_packet_rescale_ts(pending_.get(), in_tb_, out_stream_->time_base);
        const int r = av_interleaved_write_frame(out_, pending_.get());  // takes the packet's data
        has_pending_ = false;
        if (r < 0) throw Error(out_name_ + ": cannot write the audio (" + av::error_text(r) + ")");
    }
}

}  // namespace nst::video

// Writes the fuzzers' seed corpora: small valid files in every variant the decoders distinguish
// (PNG colour types and bit depths, baseline/progressive/CMYK JPEG, BMP, TGA with and without
// RLE, GIF), the hostile files of the issue, and safetensors files and headers. Generated at build
// time so that the repo holds no binary blobs.
//   make_seeds OUT_DIR   ->  OUT_DIR/<fuzz target>/<seed>
#include <png.h>
#include <stb_image_write.h>
#include <turbojpeg.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
}

#include "nst/layers.h"
#include "support/hostile_files.h"
#include "weights/safetensors.h"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

void write(const fs::path& dir, const std::string& name, const Bytes& bytes) {
    fs::create_directories(dir);
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                      static_cast<std::streamsize>(bytes.size()));
}

// A 16x12 picture with gradients, a hard edge and varying alpha.
Bytes pattern(int w, int h, int channels) {
    Bytes px;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < channels; ++c)
                px.push_back(static_cast<std::uint8_t>(c == 3 ? (x * 255) / (w - 1) : ((x * 37 + y * 23 + c * 80) % 256) ^ (x > w / 2 ? 0x80 : 0)));
    return px;
}

void append(void* ctx, void* data, int size) {
    auto* out = static_cast<Bytes*>(ctx);
    out->insert(out->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
}

Bytes png(std::uint32_t format, int w = 16, int h = 12) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = w;
    image.height = h;
    image.format = format;
    const int channels = PNG_IMAGE_PIXEL_CHANNELS(format);
    std::vector<std::uint16_t> wide;
    Bytes narrow = pattern(w, h, channels), colormap;
    const void* buffer = narrow.data();
    if (format & PNG_FORMAT_FLAG_LINEAR) {
        for (const std::uint8_t v : narrow) wide.push_back(static_cast<std::uint16_t>(v * 257));
        buffer = wide.data();
    }
    if (format & PNG_FORMAT_FLAG_COLORMAP) {  // 8-entry palette, indices from the pattern
        image.colormap_entries = 8;
        colormap = pattern(8, 1, PNG_IMAGE_SAMPLE_CHANNELS(format));
        for (auto& v : narrow) v %= 8;
    }
    png_alloc_size_t size = 0;
    png_image_write_get_memory_size(image, size, 0, buffer, 0, colormap.empty() ? nullptr : colormap.data());
    Bytes out(size);
    png_image_write_to_memory(&image, out.data(), &size, 0, buffer, 0, colormap.empty() ? nullptr : colormap.data());
    out.resize(size);
    return out;
}

Bytes jpeg(int pixel_format, int subsampling, int flags) {
    tjhandle tj = tjInitCompress();
    const int channels = tjPixelSize[pixel_format];
    const Bytes px = pattern(16, 12, channels);
    unsigned char* buf = nullptr;
    unsigned long size = 0;
    tjCompress2(tj, px.data(), 16, 16 * channels, 12, pixel_format, &buf, &size, subsampling, 75, flags);
    Bytes out(buf, buf + size);
    tjFree(buf);
    tjDestroy(tj);
    return out;
}

Bytes stb(int (*writer)(stbi_write_func*, void*, int, int, int, const void*), int channels) {
    Bytes out;
    const Bytes px = pattern(16, 12, channels);
    writer(append, &out, 16, 12, channels, px.data());
    return out;
}

// A header declaring every VGG19 convolution tensor (F16), with `data` bytes of the data section.
Bytes vgg19_header_file(std::size_t data) {
    nlohmann::json header = nlohmann::json::object();
    std::uint64_t offset = 0;
    for (const nst::VggLayer& layer : nst::vgg19_layers()) {
        if (layer.kind != nst::LayerKind::Conv) continue;
        const std::string prefix = "features." + std::to_string(layer.index) + ".";
        const std::uint64_t nw = std::uint64_t(layer.out_channels) * layer.in_channels * 9 * 2;
        header[prefix + "weight"] = {{"dtype", "F16"}, {"shape", {layer.out_channels, layer.in_channels, 3, 3}}, {"data_offsets", {offset, offset + nw}}};
        offset += nw;
        const std::uint64_t nb = std::uint64_t(layer.out_channels) * 2;
        header[prefix + "bias"] = {{"dtype", "F16"}, {"shape", {layer.out_channels}}, {"data_offsets", {offset, offset + nb}}};
        offset += nb;
    }
    header["__metadata__"] = {{"format", "pt"}};
    const std::string text = header.dump();
    Bytes out(8);
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(text.size() >> (8 * i));
    out.insert(out.end(), text.begin(), text.end());
    out.resize(out.size() + data, 0x3C);  // F16 1.0-ish bytes
    return out;
}

// A 16x12, 4-frame clip at 12 fps written to `path` by libav: `muxer` + `encoder`, moving
// gradients in `pix_fmt` (a YUV 4:2:0 layout). Returns false (the seed is skipped) if this
// FFmpeg lacks the encoder.
bool encode_clip(const fs::path& path, const char* muxer, const char* encoder, AVPixelFormat pix_fmt) {
    fs::create_directories(path.parent_path());
    const AVCodec* codec = avcodec_find_encoder_by_name(encoder);
    if (!codec) return false;
    AVFormatContext* out = nullptr;
    const std::string url = "file:" + path.string();
    if (avformat_alloc_output_context2(&out, nullptr, muxer, url.c_str()) < 0) return false;
    AVCodecContext* enc = avcodec_alloc_context3(codec);
    enc->width = 16;
    enc->height = 12;
    enc->pix_fmt = pix_fmt;
    enc->time_base = {1, 12};
    enc->framerate = {12, 1};
    enc->gop_size = 2;
    enc->thread_count = 1;
    if (out->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    bool ok = avcodec_open2(enc, codec, nullptr) >= 0;
    AVStream* st = ok ? avformat_new_stream(out, nullptr) : nullptr;
    ok = st && avcodec_parameters_from_context(st->codecpar, enc) >= 0;
    if (ok) {
        st->time_base = enc->time_base;
        st->avg_frame_rate = enc->framerate;
        ok = avio_open(&out->pb, url.c_str(), AVIO_FLAG_WRITE) >= 0 && avformat_write_header(out, nullptr) >= 0;
    }
    AVFrame* frame = av_frame_alloc();
    AVPacket* pkt = av_packet_alloc();
    frame->format = pix_fmt;
    frame->width = 16;
    frame->height = 12;
    ok = ok && av_frame_get_buffer(frame, 0) >= 0;
    const auto drain = [&] {
        while (ok && avcodec_receive_packet(enc, pkt) >= 0) {
            pkt->stream_index = st->index;
            av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
            ok = av_interleaved_write_frame(out, pkt) >= 0;
        }
    };
    for (int k = 0; ok && k < 4; ++k) {
        ok = av_frame_make_writable(frame) >= 0;
        for (int p = 0; ok && p < 3; ++p)
            for (int y = 0; y < (p ? 6 : 12); ++y)
                for (int x = 0; x < (p ? 8 : 16); ++x)
                    frame->data[p][y * frame->linesize[p] + x] = static_cast<std::uint8_t>(p ? 128 + (x - y) * 8 : 16 + (x + y + 3 * k) * 8);
        frame->pts = k;
        ok = ok && avcodec_send_frame(enc, frame) >= 0;
        drain();
    }
    if (ok) avcodec_send_frame(enc, nullptr);
    drain();
    if (ok) ok = av_write_trailer(out) >= 0;
    av_packet_free(&pkt);
    av_frame_free(&frame);
    avcodec_free_context(&enc);
    if (out->pb) avio_closep(&out->pb);
    avformat_free_context(out);
    if (!ok) fs::remove(path);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
        return 2;
    }
    const fs::path out = argv[1];
    const fs::path images = out / "fuzz_image_decode";
    write(images, "rgb.png", png(PNG_FORMAT_RGB));
    write(images, "rgba.png", png(PNG_FORMAT_RGBA));
    write(images, "grey.png", png(PNG_FORMAT_GRAY));
    write(images, "grey-alpha.png", png(PNG_FORMAT_GA));
    write(images, "rgba16.png", png(PNG_FORMAT_LINEAR_RGB_ALPHA));
    write(images, "palette.png", png(PNG_FORMAT_RGB_COLORMAP));
    write(images, "palette-alpha.png", png(PNG_FORMAT_RGBA_COLORMAP));
    write(images, "444.jpg", jpeg(TJPF_RGB, TJSAMP_444, 0));
    write(images, "420.jpg", jpeg(TJPF_RGB, TJSAMP_420, 0));
    write(images, "grey.jpg", jpeg(TJPF_GRAY, TJSAMP_GRAY, 0));
    write(images, "progressive.jpg", jpeg(TJPF_RGB, TJSAMP_420, TJFLAG_PROGRESSIVE));
    write(images, "422.jpg", jpeg(TJPF_RGB, TJSAMP_422, 0));
    write(images, "cmyk.jpg", jpeg(TJPF_CMYK, TJSAMP_444, 0));
    write(images, "rgb.bmp", stb(stbi_write_bmp_to_func, 3));
    write(images, "rgba.bmp", stb(stbi_write_bmp_to_func, 4));
    stbi_write_tga_with_rle = 1;
    write(images, "rle.tga", stb(stbi_write_tga_to_func, 3));
    stbi_write_tga_with_rle = 0;
    write(images, "plain.tga", stb(stbi_write_tga_to_func, 4));
    write(images, "grey.tga", stb(stbi_write_tga_to_func, 1));
    write(images, "tiny.gif", nst::test::tiny_gif());
    // The hostile files, so the fuzzer starts next to every bug already found.
    write(images, "pgm16-header.pgm", nst::test::pgm16_header_only());
    write(images, "pgm16-1x1.pgm", nst::test::pgm16_one_pixel());
    write(images, "cut-rle.hdr", nst::test::hdr_cut_rle());
    write(images, "dht.jpg", nst::test::jpeg_dht_overflow());
    write(images, "bomb.png", nst::test::png_bomb(1 << 20));
    write(images, "overflow.png", nst::test::png_overflowing_dimensions());
    write(images, "int-min.bmp", nst::test::bmp_height_int_min());
    write(images, "zero.ppm", nst::test::ppm_zero_height());

    // Video clips: one per container, each with a codec of the whitelist.
    av_log_set_level(AV_LOG_QUIET);
    const fs::path videos = out / "fuzz_video_decode";
    encode_clip(videos / "mjpeg.avi", "avi", "mjpeg", AV_PIX_FMT_YUVJ420P);
    encode_clip(videos / "ffv1.mkv", "matroska", "ffv1", AV_PIX_FMT_YUV420P);
    encode_clip(videos / "h264.mp4", "mp4", "libx264", AV_PIX_FMT_YUV420P);
    encode_clip(videos / "vp9.webm", "webm", "libvpx-vp9", AV_PIX_FMT_YUV420P);
    encode_clip(videos / "mpeg4.avi", "avi", "mpeg4", AV_PIX_FMT_YUV420P);

    // Safetensors: small valid files of every dtype, metadata, a VGG19 header, a nested header.
    namespace st = nst::safetensors;
    const auto raw = [](st::DType d, std::vector<std::int64_t> shape, std::size_t n) {
        return st::OutTensor{"t", d, std::move(shape), Bytes(n * st::dtype_size(d), 0x41)};
    };
    std::vector<st::OutTensor> tensors = {st::f32_tensor("features.0.weight", {2, 1, 1, 1}, {0.5f, -2.f}),
                                          st::f32_tensor("features.0.bias", {2}, {1.f, 0.f})};
    const std::pair<const char*, st::DType> kinds[] = {{"f16", st::DType::F16}, {"bf16", st::DType::BF16},
                                                       {"f64", st::DType::F64}, {"u8", st::DType::U8},
                                                       {"bool", st::DType::BOOL}, {"i64", st::DType::I64}};
    for (const auto& [label, dtype] : kinds) {
        auto t = raw(dtype, {3, 2}, 6);
        t.name = label;
        tensors.push_back(t);
    }
    const Bytes small = st::serialize(tensors, {{"format", "pt"}});
    const Bytes scalar = st::serialize({raw(st::DType::F32, {}, 1), st::OutTensor{"empty", st::DType::F32, {0, 4}, {}}});
    const Bytes vgg = vgg19_header_file(4096);
    const Bytes nested = nst::test::safetensors_nested_header(64);
    const fs::path files = out / "fuzz_safetensors_file", headers = out / "fuzz_header_json",
                   downloads = out / "fuzz_download_assembler";
    const std::pair<const char*, const Bytes*> weights[] = {
        {"small.safetensors", &small}, {"scalar.safetensors", &scalar}, {"vgg19-header.safetensors", &vgg},
        {"nested.safetensors", &nested}};
    for (const auto& [name, bytes] : weights) {
        write(files, name, *bytes);
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = (n << 8) | (*bytes)[i];
        write(headers, std::string(name) + ".json", Bytes(bytes->begin() + 8, bytes->begin() + 8 + static_cast<std::ptrdiff_t>(n)));
        // The assembler's input: two control bytes (how the fake server answers: see
        // fuzz_download_assembler.cpp), then the file. 08 00: a VGG19 header completes through
        // the virtual zeros; 0b 81: size told, Range ignored, tiny chunks; 39 10: answers start early.
        for (const auto& [control, chunks] : {std::pair{0x00, 0x00}, {0x08, 0x00}, {0x0B, 0x81}, {0x39, 0x10}}) {
            Bytes in{static_cast<std::uint8_t>(control), static_cast<std::uint8_t>(chunks)};
            in.insert(in.end(), bytes->begin(), bytes->end());
            write(downloads, std::string(name) + "-" + std::to_string(control), in);
        }
    }
    return 0;
}

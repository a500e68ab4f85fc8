#include "support/hostile_files.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace nst::test {

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<std::uint8_t> pgm16_header_only() { return from_hex("50350a3230303020323030300a36353533350a"); }
std::vector<std::uint8_t> pgm16_one_pixel() { return from_hex("50350a3120310a36353533350a0000"); }

std::vector<std::uint8_t> hdr_cut_rle() {
    return from_hex(
        "233f52414449414e43450a464f524d41543d33322d6269745f726c655f726762650a0a2d592031202b5820380a02020008");
}

std::vector<std::uint8_t> jpeg_dht_overflow() { return from_hex("ffd8ffc4010100b6b6"); }

namespace {

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_chunk(std::vector<std::uint8_t>& out, const char* type, const std::vector<std::uint8_t>& data) {
    put_be32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    put_be32(out, static_cast<std::uint32_t>(crc32(0, &out[start], static_cast<uInt>(out.size() - start))));
}

}  // namespace

std::vector<std::uint8_t> png_bomb(std::uint64_t inflated) {
    // The one real row (filter byte + a grey pixel) followed by `inflated` more zero bytes.
    z_stream z{};
    if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) throw std::runtime_error("deflateInit");
    std::vector<std::uint8_t> zeros(1 << 20, 0), idat, buf(1 << 16);
    const auto pump = [&](const std::uint8_t* in, std::size_t n, int flush) {
        z.next_in = const_cast<Bytef*>(in);
        z.avail_in = static_cast<uInt>(n);
        do {
            z.next_out = buf.data();
            z.avail_out = static_cast<uInt>(buf.size());
            deflate(&z, flush);
            idat.insert(idat.end(), buf.data(), buf.data() + (buf.size() - z.avail_out));
        } while (z.avail_out == 0);
    };
    const std::uint8_t row[4] = {0, 128, 128, 128};
    pump(row, sizeof row, Z_NO_FLUSH);
    for (std::uint64_t left = inflated; left > 0;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, zeros.size()));
        pump(zeros.data(), n, Z_NO_FLUSH);
        left -= n;
    }
    pump(nullptr, 0, Z_FINISH);
    deflateEnd(&z);

    std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<std::uint8_t> ihdr;
    put_be32(ihdr, 1);
    put_be32(ihdr, 1);
    ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB
    put_chunk(png, "IHDR", ihdr);
    put_chunk(png, "IDAT", idat);
    put_chunk(png, "IEND", {});
    return png;
}

std::vector<std::uint8_t> png_header_only(std::uint32_t width, std::uint32_t height) {
    std::vector<std::uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<std::uint8_t> ihdr;
    put_be32(ihdr, width);
    put_be32(ihdr, height);
    ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit, RGB, deflate, no filter, no interlace
    put_chunk(png, "IHDR", ihdr);
    put_chunk(png, "IEND", {});
    return png;
}

// 2x2 GIF89a, 4-colour palette (red, green, blue, black), index 3 transparent, pixels 0 1 / 2 3.
// LZW with minimum code size 2: clear(4) 0 1 2 in 3 bits, then 3 and end(5) in 4 bits (the code
// size grows once the table reaches 8 entries), packed LSB first: 0x44 0x34 0x05.
std::vector<std::uint8_t> tiny_gif() {
    return {'G', 'I', 'F', '8', '9', 'a',
            2, 0, 2, 0, 0x81, 0, 0,                                  // screen 2x2, 4-entry palette
            0xFF, 0, 0, 0, 0xFF, 0, 0, 0, 0xFF, 0, 0, 0,             // red, green, blue, black
            0x21, 0xF9, 4, 0x01, 0, 0, 3, 0,                          // graphic control: index 3 clear
            0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0,                          // image 2x2 at 0,0
            2, 3, 0x44, 0x34, 0x05, 0,                                // LZW data
            0x3B};
}

std::vector<std::uint8_t> png_overflowing_dimensions() {
    return from_hex("89504e470d0a1a0a0000000d49484452ffd8ffe0810c0800");
}

std::vector<std::uint8_t> bmp_height_int_min() {
    // BITMAPFILEHEADER + BITMAPINFOHEADER (40 bytes), 24-bit, 1 x INT32_MIN, and 4 bytes of pixels.
    std::vector<std::uint8_t> b = {'B', 'M', 58, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,  // file header
                                   40, 0, 0, 0,                                     // info size
                                   1, 0, 0, 0,                                      // width 1
                                   0, 0, 0, 0x80,                                   // height INT32_MIN
                                   1, 0, 24, 0,                                     // planes, bpp
                                   0, 0, 0, 0, 4, 0, 0, 0,                          // BI_RGB, size
                                   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // dpi, colours
                                   0, 0, 255, 0};                                   // one pixel
    return b;
}

std::vector<std::uint8_t> ppm_zero_height() {
    const std::string s = "P6\n16 0\n255\n";
    return {s.begin(), s.end()};
}

std::vector<std::uint8_t> safetensors_nested_header(int depth) {
    std::string json = "{\"x\":";
    json.append(static_cast<std::size_t>(depth), '[');
    json.append(static_cast<std::size_t>(depth), ']');
    json += "}";
    std::vector<std::uint8_t> out(8 + json.size());
    const std::uint64_t n = json.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(n >> (8 * i));
    std::memcpy(out.data() + 8, json.data(), json.size());  // not insert(): GCC 12 warns falsely there
    return out;
}

}  // namespace nst::test

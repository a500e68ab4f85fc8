// png_with_text (image.h): a tEXt chunk spliced into an encoded PNG right after IHDR, its CRC from
// zlib. Used by the contact sheet (contact_sheet.cpp) and the viewer's screenshots.
#include <zlib.h>

#include <cstring>
#include <string>

#include "nst/error.h"
#include "nst/image.h"

namespace nst {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFFu);
}

}  // namespace

std::vector<std::uint8_t> png_with_text(const std::vector<std::uint8_t>& png, std::string_view keyword,
                                        std::string_view text) {
    // Signature (8 bytes), then IHDR: length (4), type (4), 13 data bytes, CRC (4).
    constexpr std::size_t kAfterIhdr = 8 + 4 + 4 + 13 + 4;
    if (png.size() < kAfterIhdr || std::memcmp(png.data() + 12, "IHDR", 4) != 0) throw Error("not a PNG stream");
    // Type, keyword, NUL, text; built in a string and copied with memcpy (GCC 12 warns falsely,
    // -Wstringop-overflow, on vector inserts here).
    std::string typed = "tEXt";
    typed += keyword;
    typed += '\0';
    typed += text;
    std::string chunk;
    put_u32(chunk, static_cast<std::uint32_t>(typed.size() - 4));
    chunk += typed;
    put_u32(chunk, static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(typed.data()),
                                                    static_cast<uInt>(typed.size()))));
    std::vector<std::uint8_t> out(png.size() + chunk.size());
    std::memcpy(out.data(), png.data(), kAfterIhdr);
    std::memcpy(out.data() + kAfterIhdr, chunk.data(), chunk.size());
    std::memcpy(out.data() + kAfterIhdr + chunk.size(), png.data() + kAfterIhdr, png.size() - kAfterIhdr);
    return out;
}

}  // namespace nst

// The contact sheet of a sweep (contact_sheet.h): layout, caption text with stb_truetype (Debian's
// libstb, whose library has the implementation) in DejaVu Sans, and the PNG with its JSON comment
// (png_with_text, png_text.cpp).
#include "nst/contact_sheet.h"

#include <stb_image_write.h>
#include <stb_truetype.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string_view>

#include "nst/error.h"
#include "nst/sweep.h"

namespace nst {
namespace {

namespace fs = std::filesystem;

// Light strips, dark text: captions stay readable whatever the results look like.
constexpr float kPaper = 0.94f;
constexpr float kInk = 0.08f;
constexpr std::string_view kFontFile = "fonts/truetype/dejavu/DejaVuSans.ttf";

// UTF-8 to code points (a malformed byte becomes '?'): file names in the title may be non-ASCII.
std::vector<int> code_points(std::string_view text) {
    std::vector<int> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || (extra > 0 && i + static_cast<std::size_t>(extra) >= text.size())) {
            out.push_back('?');
            ++i;
            continue;
        }
        int cp = extra == 0 ? c : c & (0x3F >> extra);
        bool ok = true;
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            ok = ok && (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        out.push_back(ok ? cp : '?');
        i += ok ? extra + 1 : 1;
    }
    return out;
}

// The font, loaded once per sheet; measures and draws single lines.
class Font {
public:
    Font() {
        const fs::path path = find_caption_font();
        std::ifstream in(path, std::ios::binary);
        data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        const auto* bytes = reinterpret_cast<const unsigned char*>(data_.data());
        const int offset = in ? stbtt_GetFontOffsetForIndex(bytes, 0) : -1;
        if (data_.empty() || offset < 0 || !stbtt_InitFont(&info_, bytes, offset))
            throw Error(path.string() + ": cannot read the caption font (reinstall fonts-dejavu-core)");
        scale_ = stbtt_ScaleForPixelHeight(&info_, static_cast<float>(kSheetFontPx));
        int ascent = 0, descent = 0, gap = 0;
        stbtt_GetFontVMetrics(&info_, &ascent, &descent, &gap);
        ascent_ = static_cast<int>(std::lround(ascent * scale_));
    }

    [[nodiscard]] int width(std::string_view text) const {
        float x = 0;
        const std::vector<int> cps = code_points(text);
        for (std::size_t i = 0; i < cps.size(); ++i) x += advance(cps, i);
        return static_cast<int>(std::ceil(x));
    }

    // Draws `text` with its top-left at (x, y), clipped to `clip`.
    void draw(Image& img, const Rect& clip, int x, int y, std::string_view text) const {
        const std::vector<int> cps = code_points(text);
        float pen = static_cast<float>(x);
        const int baseline = y + ascent_;
        for (std::size_t i = 0; i < cps.size(); ++i) {
            int w = 0, h = 0, xoff = 0, yoff = 0;
            const float shift = pen - std::floor(pen);
            const std::unique_ptr<unsigned char, void (*)(unsigned char*)> glyph(
                stbtt_GetCodepointBitmapSubpixel(&info_, scale_, scale_, shift, 0, cps[i], &w, &h, &xoff, &yoff),
                [](unsigned char* p) { stbtt_FreeBitmap(p, nullptr); });
            const int gx = static_cast<int>(std::floor(pen)) + xoff, gy = baseline + yoff;
            for (int row = 0; glyph && row < h; ++row) {
                for (int col = 0; col < w; ++col) {
                    const int px = gx + col, py = gy + row;
                    if (px < clip.x || px >= clip.x + clip.width || py < clip.y || py >= clip.y + clip.height) continue;
                    const float a = glyph.get()[row * w + col] / 255.f;
                    float* p = &img.rgb[(static_cast<std::size_t>(py) * img.width + px) * 3];
                    for (int c = 0; c < 3; ++c) p[c] = p[c] * (1 - a) + kInk * a;
                }
            }
            pen += advance(cps, i);
        }
    }

private:
    [[nodiscard]] float advance(const std::vector<int>& cps, std::size_t i) const {
        int adv = 0, lsb = 0;
        stbtt_GetCodepointHMetrics(&info_, cps[i], &adv, &lsb);
        const int kern = i + 1 < cps.size() ? stbtt_GetCodepointKernAdvance(&info_, cps[i], cps[i + 1]) : 0;
        return (adv + kern) * scale_;
    }

    std::string data_;
    stbtt_fontinfo info_{};
    float scale_ = 1;
    int ascent_ = 0;
};

void fill(Image& img, const Rect& r, float value) {
    for (int y = r.y; y < r.y + r.height; ++y)
        std::fill_n(img.rgb.begin() + (static_cast<std::ptrdiff_t>(y) * img.width + r.x) * 3,
                    static_cast<std::ptrdiff_t>(r.width) * 3, value);
}

void blit(Image& dst, const Image& src, int x, int y) {
    for (int row = 0; row < src.height; ++row)
        std::copy_n(src.rgb.begin() + static_cast<std::ptrdiff_t>(row) * src.width * 3,
                    static_cast<std::ptrdiff_t>(src.width) * 3,
                    dst.rgb.begin() + (static_cast<std::ptrdiff_t>(y + row) * dst.width + x) * 3);
}

std::uint8_t to_byte(float v) {
    if (!(v > 0.f)) return 0;  // also NaN
    if (v >= 1.f) return 255;
    return static_cast<std::uint8_t>(std::lround(v * 255.f));
}

// The sheet as a PNG (from stb), RGB8.
std::vector<std::uint8_t> encode_png(const Image& img) {
    std::vector<std::uint8_t> pixels(img.rgb.size());
    std::transform(img.rgb.begin(), img.rgb.end(), pixels.begin(), to_byte);
    std::vector<std::uint8_t> png;
    const auto sink = [](void* ctx, void* data, int size) {
        auto* v = static_cast<std::vector<std::uint8_t>*>(ctx);
        v->insert(v->end(), static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    };
    if (!stbi_write_png_to_func(sink, &png, img.width, img.height, 3, pixels.data(), img.width * 3))
        throw Error("cannot encode the contact sheet as PNG");
    return png;
}

}  // namespace

Rect ContactSheetLayout::title() const { return {0, 0, width, title_height}; }

Rect ContactSheetLayout::cell(int row, int col) const {
    const int slot_x = margin + col * (slot_width + margin);
    const int y = title_height + margin + row * (cell_height + caption_height + margin);
    return {slot_x + (slot_width - cell_width) / 2, y, cell_width, cell_height};
}

Rect ContactSheetLayout::caption(int row, int col) const {
    const Rect c = cell(row, col);
    return {margin + col * (slot_width + margin), c.y + cell_height, slot_width, caption_height};
}

ContactSheetLayout contact_sheet_layout(int rows, int cols, int cell_width, int cell_height, int caption_lines,
                                        int title_lines, int min_slot_width) {
    ContactSheetLayout l;
    l.rows = rows;
    l.cols = cols;
    l.cell_width = cell_width;
    l.cell_height = cell_height;
    l.margin = kSheetMarginPx;
    l.slot_width = std::max(cell_width, min_slot_width);
    l.caption_height = caption_lines > 0 ? caption_lines * kSheetLinePx + kSheetMarginPx / 2 : 0;
    l.title_height = title_lines > 0 ? title_lines * kSheetLinePx + kSheetMarginPx : 0;
    l.width = l.margin + cols * (l.slot_width + l.margin);
    l.height = l.title_height + l.margin + rows * (cell_height + l.caption_height + l.margin);
    return l;
}

fs::path find_caption_font() {
    const char* env = std::getenv("XDG_DATA_DIRS");
    const std::string dirs = env && *env ? env : "/usr/local/share:/usr/share";
    std::string looked;
    for (std::size_t start = 0; start <= dirs.size();) {
        const std::size_t colon = std::min(dirs.find(':', start), dirs.size());
        const std::string dir = dirs.substr(start, colon - start);
        start = colon + 1;
        if (dir.empty()) continue;
        const fs::path candidate = fs::path(dir) / kFontFile;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) return candidate;
        looked += (looked.empty() ? "" : ", ") + candidate.string();
    }
    throw Error("contact sheet: the caption font DejaVuSans.ttf was not found (looked for " + looked +
                "); install the Debian package fonts-dejavu-core");
}

Image render_contact_sheet(const ContactSheet& sheet, ContactSheetLayout* layout_out) {
    if (sheet.cells.empty() || sheet.rows < 1 || sheet.cols < 1 ||
        sheet.cells.size() != static_cast<std::size_t>(sheet.rows) * sheet.cols)
        throw Error("contact sheet: " + std::to_string(sheet.cells.size()) + " cells for a " +
                    std::to_string(sheet.cols) + " x " + std::to_string(sheet.rows) + " grid");
    const Image& first = sheet.cells.front();
    for (const Image& c : sheet.cells)
        if (c.empty() || c.width != first.width || c.height != first.height)
            throw Error("contact sheet: the cells are not all the same size");
    const Font font;
    std::size_t caption_lines = 0;
    int widest = 0;
    for (const auto& lines : sheet.captions) {
        caption_lines = std::max(caption_lines, lines.size());
        for (const std::string& line : lines) widest = std::max(widest, font.width(line));
    }
    const int pad = kSheetMarginPx / 2;  // text inset in its strip
    const ContactSheetLayout l =
        contact_sheet_layout(sheet.rows, sheet.cols, first.width, first.height, static_cast<int>(caption_lines),
                             static_cast<int>(sheet.title.size()), widest > 0 ? widest + 2 * pad : 0);

    Image out;
    out.width = l.width;
    out.height = l.height;
    out.rgb.assign(static_cast<std::size_t>(l.width) * l.height * 3, 1.0f);  // white between slots
    const Rect title = l.title();
    if (title.height > 0) fill(out, title, kPaper);
    for (std::size_t i = 0; i < sheet.title.size(); ++i)
        font.draw(out, title, kSheetMarginPx, pad + static_cast<int>(i) * kSheetLinePx, sheet.title[i]);
    for (int r = 0; r < sheet.rows; ++r) {
        for (int c = 0; c < sheet.cols; ++c) {
            const std::size_t index = static_cast<std::size_t>(r) * sheet.cols + c;
            const Rect cell = l.cell(r, c);
            blit(out, sheet.cells[index], cell.x, cell.y);
            const Rect cap = l.caption(r, c);
            if (cap.height == 0) continue;
            fill(out, cap, kPaper);
            if (index >= sheet.captions.size()) continue;
            const auto& lines = sheet.captions[index];
            for (std::size_t k = 0; k < lines.size(); ++k)
                font.draw(out, cap, cap.x + pad, cap.y + pad / 2 + static_cast<int>(k) * kSheetLinePx, lines[k]);
        }
    }
    if (layout_out) *layout_out = l;
    return out;
}

void save_with_comment(const Image& image, const fs::path& path, const std::string& comment) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (ext != ".png" || comment.empty()) {
        save_image(image, path);
        return;
    }
    if (image.empty() || image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw Error(path.string() + ": cannot save an empty or malformed image");
    write_file_atomically(path, png_with_text(encode_png(image), "Comment", comment));
}

fs::path sweep_cell_path(const fs::path& sheet, const SweepCell& cell) {
    std::string name = sheet.stem().string();
    for (const auto& [param, value] : cell.values) {
        std::string p = param;
        std::replace(p.begin(), p.end(), ':', '-');
        name += "_" + p + "=" + value;
    }
    return sheet.parent_path() / (name + sheet.extension().string());
}

}  // namespace nst

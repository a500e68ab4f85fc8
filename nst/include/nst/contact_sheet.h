#pragma once
// A contact sheet: the results of a sweep in a grid, each with a caption strip under it (its
// values, one line per axis) and title lines on top (what was run, and "untrained (random)
// features" when so). Text is drawn with stb_truetype in DejaVu Sans (Debian's fonts-dejavu-core),
// found at run time. Torch-free (nst_core): the CLI writes it, the viewer exports it.
#include <filesystem>
#include <string>
#include <vector>

#include "nst/image.h"

namespace nst {

struct SweepCell;

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
    bool operator==(const Rect&) const = default;
};

// Where everything lies on a sheet. Columns are `slot_width` wide (the cell image or its widest
// caption line, whichever is wider; the image is centred in it); every gap and border is `margin`.
//   width  = margin + cols * (slot_width + margin)
//   height = title_height + margin + rows * (cell_height + caption_height + margin)
struct ContactSheetLayout {
    int rows = 0, cols = 0;
    int cell_width = 0, cell_height = 0;
    int slot_width = 0;
    int margin = 0;
    int title_height = 0;    // the title strip at the top, full width (0: no title)
    int caption_height = 0;  // the strip under each cell
    int width = 0, height = 0;

    [[nodiscard]] Rect title() const;
    [[nodiscard]] Rect cell(int row, int col) const;     // the cell's image
    [[nodiscard]] Rect caption(int row, int col) const;  // its caption strip (slot wide)
};

// Text metrics of the caption font, in pixels.
inline constexpr int kSheetFontPx = 14;     // glyph height (ascent - descent)
inline constexpr int kSheetLinePx = 18;     // one text line
inline constexpr int kSheetMarginPx = 8;

// The layout for a rows x cols grid of cell_width x cell_height images with `caption_lines` lines
// under each, `title_lines` on top, and columns at least `min_slot_width` wide.
[[nodiscard]] ContactSheetLayout contact_sheet_layout(int rows, int cols, int cell_width, int cell_height,
                                                      int caption_lines, int title_lines, int min_slot_width = 0);

// What a sheet shows: cells in row-major order (all the same size), a caption per cell (its lines)
// and the title lines.
struct ContactSheet {
    int rows = 0, cols = 0;
    std::vector<Image> cells;
    std::vector<std::vector<std::string>> captions;
    std::vector<std::string> title;
};

// The DejaVu Sans file: the first of $XDG_DATA_DIRS (default /usr/local/share:/usr/share) that has
// fonts/truetype/dejavu/DejaVuSans.ttf. Throws nst::Error with one line saying what to install.
// Programs call it before slow work so a missing font fails at once.
[[nodiscard]] std::filesystem::path find_caption_font();

// Renders the sheet (light background, dark text). Returns the layout it used in `layout` when
// given. Throws nst::Error for no cells, cells of different sizes or a count that is not
// rows * cols, and what find_caption_font throws.
[[nodiscard]] Image render_contact_sheet(const ContactSheet& sheet, ContactSheetLayout* layout = nullptr);

// Writes `image` atomically (as save_image); a .png gets `comment` (ASCII, e.g. JSON: the grid
// and its captions) as a tEXt "Comment" chunk, as the viewer's screenshots carry their recipe.
void save_with_comment(const Image& image, const std::filesystem::path& path, const std::string& comment);

// The file for one cell of a sheet saved at `sheet`: the sheet's name plus the cell's values,
// "sheet_style-weight=1e5_content-weight=0.5.png" (':' in a parameter name becomes '-').
[[nodiscard]] std::filesystem::path sweep_cell_path(const std::filesystem::path& sheet, const SweepCell& cell);

}  // namespace nst

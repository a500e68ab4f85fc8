// Sweep specs (parse_sweep), the grid of cells (sweep_cells) and the contact sheet
// (render_contact_sheet): torch-free, real values and real pixels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nst/contact_sheet.h"
#include "nst/layers.h"
#include "nst/param_table.h"
#include "nst/sweep.h"
#include "support/test_util.h"

namespace {

using nst::test::contains;
using nst::test::message_of;

std::string usage_error(const std::string& spec) {
    return message_of<nst::UsageError>([&] { static_cast<void>(nst::parse_sweep(spec)); });
}

std::string cells_error(const nst::RunSettings& base, const std::vector<std::string>& specs) {
    return message_of<nst::UsageError>([&] {
        std::vector<nst::SweepAxis> axes;
        for (const auto& s : specs) axes.push_back(nst::parse_sweep(s));
        static_cast<void>(nst::sweep_cells(base, axes));
    });
}

nst::RunSettings two_styles() {
    nst::RunSettings s;
    s.content = "c.png";
    s.styles = {"a.png", "b.png"};
    return s;
}

TEST(SweepSpec, ParsesAList) {
    const nst::SweepAxis a = nst::parse_sweep("style-weight=1e5,1e6, 1e7");
    EXPECT_EQ(a.param, "style-weight");
    EXPECT_EQ(a.values, (std::vector<std::string>{"1e5", "1e6", "1e7"}));
    EXPECT_EQ(nst::parse_sweep("lr=0.01").values, std::vector<std::string>{"0.01"});
}

TEST(SweepSpec, ParsesALogRange) {
    const nst::SweepAxis a = nst::parse_sweep("style-weight=log:1e5:1e7:3");
    ASSERT_EQ(a.values.size(), 3u);
    const double expected[] = {1e5, 1e6, 1e7};
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(std::stod(a.values[i]), expected[i], expected[i] * 1e-6) << a.values[i];
    EXPECT_EQ(a.values[1], "1e+06");
    // Four log-spaced values from 1 to 1000, shown with 4 significant digits; the ends exact.
    const nst::SweepAxis b = nst::parse_sweep("tv-weight=log:1:1000:4");
    EXPECT_EQ(b.values, (std::vector<std::string>{"1", "10", "100", "1000"}));
    const nst::SweepAxis c = nst::parse_sweep("lr=log:0.01:0.1:3");
    EXPECT_EQ(c.values, (std::vector<std::string>{"0.01", "0.03162", "0.1"}));
    // Descending works too.
    EXPECT_EQ(nst::parse_sweep("content-weight=log:10:0.1:3").values, (std::vector<std::string>{"10", "1", "0.1"}));
}

TEST(SweepSpec, ParsesLayerAndBlendNames) {
    EXPECT_EQ(nst::parse_sweep("style-layer:relu3_1=0,0.5,1").param, "style-layer:relu3_1");
    EXPECT_EQ(nst::parse_sweep("content-layer:relu4_2=1,2").param, "content-layer:relu4_2");
    EXPECT_EQ(nst::parse_sweep("style-blend:2=1,3").param, "style-blend:2");
}

TEST(SweepSpec, RefusesBadSpecs) {
    EXPECT_TRUE(contains(usage_error("style-weight"), "--sweep style-weight: expected NAME=V1,V2,..."));
    const std::string unknown = usage_error("gamma=1,2");
    EXPECT_TRUE(contains(unknown, "--sweep gamma=1,2: unknown parameter 'gamma'"));
    for (const std::string& name : nst::sweepable_params()) EXPECT_TRUE(contains(unknown, name));
    EXPECT_TRUE(contains(usage_error("style-weight="), "--sweep style-weight=: no values"));
    EXPECT_TRUE(contains(usage_error("lr=0.1,,0.2"), "an empty value in the list"));
    EXPECT_TRUE(contains(usage_error("lr=0.1,0.2,0.1"), "the value 0.1 is given twice"));
    EXPECT_TRUE(contains(usage_error("style-layer:conv3_1=1,2"), "'conv3_1' is not a VGG19 ReLU layer"));
    EXPECT_TRUE(contains(usage_error("content-layer:relu9_9=1"), "'relu9_9' is not a VGG19 ReLU layer"));
    EXPECT_TRUE(contains(usage_error("style-blend:0=1,2"), "'0' is not a style number"));
    EXPECT_TRUE(contains(usage_error("style-blend:x=1,2"), "'x' is not a style number"));
    // Malformed log ranges.
    EXPECT_TRUE(contains(usage_error("lr=log:0:1:3"), "LO and HI of log:LO:HI:COUNT must be numbers > 0"));
    EXPECT_TRUE(contains(usage_error("lr=log:-1:1:3"), "must be numbers > 0"));
    EXPECT_TRUE(contains(usage_error("lr=log:a:1:3"), "must be numbers > 0"));
    EXPECT_TRUE(contains(usage_error("lr=log:0.1:1:1"), "COUNT of log:LO:HI:COUNT must be an integer between 2 and 64"));
    EXPECT_TRUE(contains(usage_error("lr=log:0.1:1:65"), "between 2 and 64"));
    EXPECT_TRUE(contains(usage_error("lr=log:0.1:1"), "expected log:LO:HI:COUNT"));
    EXPECT_TRUE(contains(usage_error("lr=log:0.1:1:3:4"), "expected log:LO:HI:COUNT"));
}

TEST(SweepSpec, CellsAreAxisOneAcrossAndAxisTwoDown) {
    nst::RunSettings base = two_styles();
    const auto cells = nst::sweep_cells(
        base, {nst::parse_sweep("style-weight=1e5,1e6,1e7"), nst::parse_sweep("content-weight=0.5,2")});
    ASSERT_EQ(cells.size(), 6u);
    const float sw[] = {1e5f, 1e6f, 1e7f}, cw[] = {0.5f, 2.0f};
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const int row = static_cast<int>(i / 3), col = static_cast<int>(i % 3);
        EXPECT_EQ(cells[i].row, row);
        EXPECT_EQ(cells[i].col, col);
        EXPECT_EQ(cells[i].settings.params.style_weight, sw[col]);
        EXPECT_EQ(cells[i].settings.params.content_weight, cw[row]);
        EXPECT_TRUE(cells[i].settings.style_weight_given);  // as the flag: no default replaces it
        EXPECT_FALSE(cells[i].settings.lr_given);
        EXPECT_EQ(cells[i].settings.params.tv_weight, base.params.tv_weight);  // the rest as the base
        EXPECT_EQ(cells[i].settings.styles, base.styles);
    }
    EXPECT_EQ(cells[4].caption(), "style-weight=1e6 content-weight=2");
    EXPECT_EQ(cells[4].values, (std::vector<std::pair<std::string, std::string>>{{"style-weight", "1e6"},
                                                                                  {"content-weight", "2"}}));
    const auto lr = nst::sweep_cells(base, {nst::parse_sweep("lr=0.01,0.05")});
    ASSERT_EQ(lr.size(), 2u);
    EXPECT_EQ(lr[1].settings.params.lr, 0.05f);
    EXPECT_TRUE(lr[1].settings.lr_given);
    EXPECT_EQ(lr[1].row, 0);
    EXPECT_EQ(lr[1].col, 1);
}

TEST(SweepSpec, LayerAxesChangeOrAddThatLayer) {
    nst::RunSettings base = two_styles();
    const auto cells = nst::sweep_cells(base, {nst::parse_sweep("style-layer:relu3_1=0,0.5"),
                                               nst::parse_sweep("style-layer:relu4_2=2")});
    ASSERT_EQ(cells.size(), 2u);
    // relu3_1 is in the default list: its weight changes in place; relu4_2 is not: it is added.
    auto expected = nst::parse_layer_spec(nst::kDefaultStyleLayers, "test");
    expected[2].weight = 0.5f;
    expected.push_back({"relu4_2", 2.0f});
    EXPECT_EQ(cells[1].settings.params.style_layers, expected);
    EXPECT_EQ(cells[0].settings.params.style_layers[2].weight, 0.0f);
    const auto content = nst::sweep_cells(base, {nst::parse_sweep("content-layer:relu4_2=0.25,4")});
    EXPECT_EQ(content[1].settings.params.content_layers, (std::vector<nst::LayerWeight>{{"relu4_2", 4.0f}}));
    // A bad weight is refused by the layer list's own check, naming the axis and the value.
    const std::string bad = cells_error(base, {"style-layer:relu3_1=1,-1"});
    EXPECT_TRUE(contains(bad, "--sweep style-layer:relu3_1=-1: --style-layers"));
}

TEST(SweepSpec, BlendAxisSetsOneStyleAndFillsTheRest) {
    nst::RunSettings base = two_styles();
    const auto cells = nst::sweep_cells(base, {nst::parse_sweep("style-blend:2=0.5,3")});
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(cells[0].settings.params.style_blend, (std::vector<float>{1.0f, 0.5f}));
    EXPECT_EQ(cells[1].settings.params.style_blend, (std::vector<float>{1.0f, 3.0f}));
    base.params.style_blend = {2.0f, 1.0f};  // a given blend: the other style keeps its weight
    EXPECT_EQ(nst::sweep_cells(base, {nst::parse_sweep("style-blend:1=4")})[0].settings.params.style_blend,
              (std::vector<float>{4.0f, 1.0f}));
    EXPECT_TRUE(contains(cells_error(two_styles(), {"style-blend:3=1,2"}), "--sweep style-blend:3: there are only 2 styles"));
    EXPECT_TRUE(contains(cells_error(two_styles(), {"style-blend:1=1,-2"}), "--sweep style-blend:1=-2: --style-blend weight -2: must be >= 0"));
    EXPECT_TRUE(contains(cells_error(two_styles(), {"style-blend:1=x"}), "--sweep style-blend:1=x: --style-blend x,1: 'x' is not a number"));
}

TEST(SweepSpec, BadValuesNameTheAxisAndTheFlagsOwnMessage) {
    const nst::RunSettings base = two_styles();
    // The setter's message for --style-weight -1, behind the axis and value.
    const std::string own = message_of<nst::UsageError>([] {
        nst::RunSettings s;
        nst::param("style-weight").set(s, "-1");
    });
    const std::string msg = cells_error(base, {"style-weight=1e5,-1"});
    EXPECT_EQ(msg, "--sweep style-weight=-1: " + own);
    EXPECT_TRUE(contains(cells_error(base, {"lr=0.1,abc"}), "--sweep lr=abc: --lr abc: must be a finite number > 0"));
    EXPECT_TRUE(contains(cells_error(base, {"style-scale=1,9"}), "--sweep style-scale=9: --style-scale 9: must be between"));
    EXPECT_TRUE(contains(cells_error(base, {"tv-weight=nan"}), "--sweep tv-weight=nan"));
}

TEST(SweepSpec, TheLossesAreAxesOfNamesEachCellWithItsOwnLossAndBeta) {
    const nst::RunSettings base = two_styles();
    const auto cells = nst::sweep_cells(base, {nst::parse_sweep("style-loss=gram,sw,nn"),
                                               nst::parse_sweep("content-loss=mse,self-similarity")});
    ASSERT_EQ(cells.size(), 6u);
    EXPECT_EQ(cells[1].settings.params.style_loss, nst::StyleLoss::SW);
    EXPECT_EQ(cells[5].settings.params.content_loss, nst::ContentLoss::SelfSimilarity);
    EXPECT_EQ(cells[5].caption(), "style-loss=nn content-loss=self-similarity");
    // Each cell's defaults are its own loss's (nothing was given).
    EXPECT_EQ(nst::engine_params(cells[1].settings, true).style_weight, nst::kSwStyleWeight);
    EXPECT_EQ(nst::engine_params(cells[5].settings, true).content_weight, nst::kSelfSimilarityContentWeight);
    EXPECT_EQ(usage_error("style-loss=sw,sw"), "--sweep style-loss=sw,sw: the value sw is given twice");
    EXPECT_TRUE(contains(cells_error(base, {"style-loss=gram,l1"}),
                         "--sweep style-loss=l1: --style-loss l1: expected gram, w2, sw, remd or nn"));
}

TEST(SweepSpec, GridLimits) {
    const nst::RunSettings base = two_styles();
    EXPECT_TRUE(contains(cells_error(base, {"lr=0.1", "tv-weight=1", "content-weight=1"}),
                         "--sweep: at most 2 parameters, got 3 (lr, tv-weight, content-weight)"));
    EXPECT_TRUE(contains(cells_error(base, {"lr=0.1,0.2", "lr=0.3"}), "--sweep: lr is swept twice"));
    EXPECT_TRUE(contains(cells_error(base, {"lr=log:0.01:1:9", "tv-weight=log:0.1:10:8"}),
                         "--sweep: 9 x 8 = 72 cells; at most 64"));
    EXPECT_EQ(nst::sweep_cells(base, {nst::parse_sweep("lr=log:0.01:1:8"), nst::parse_sweep("tv-weight=log:0.1:10:8")})
                  .size(),
              64u);  // exactly the limit is fine
    EXPECT_TRUE(contains(cells_error(base, {}), "--sweep: no parameter to sweep"));
    EXPECT_TRUE(contains(message_of<nst::UsageError>([&] {
                             static_cast<void>(nst::sweep_cells(base, {nst::SweepAxis{"lr", {}}}));
                         }),
                         "--sweep lr: no values"));
}

TEST(SweepSpec, Modes) {
    EXPECT_EQ(nst::parse_sweep_mode("auto"), nst::SweepMode::Auto);
    EXPECT_EQ(nst::parse_sweep_mode("batch"), nst::SweepMode::Batch);
    EXPECT_EQ(nst::parse_sweep_mode("sequential"), nst::SweepMode::Sequential);
    for (const auto m : {nst::SweepMode::Auto, nst::SweepMode::Batch, nst::SweepMode::Sequential})
        EXPECT_EQ(nst::parse_sweep_mode(nst::sweep_mode_name(m)), m);
    EXPECT_TRUE(contains(message_of<nst::UsageError>([] { static_cast<void>(nst::parse_sweep_mode("fast")); }),
                         "--sweep-mode fast: expected auto, batch or sequential"));
}

TEST(SweepSpec, CellFileNames) {
    nst::SweepCell cell;
    cell.values = {{"style-weight", "1e5"}, {"style-layer:relu3_1", "0.5"}};
    EXPECT_EQ(nst::sweep_cell_path("/tmp/x/sheet.png", cell),
              std::filesystem::path("/tmp/x/sheet_style-weight=1e5_style-layer-relu3_1=0.5.png"));
}

// ----------------------------------------------------------------------------------------------
// The contact sheet

TEST(ContactSheet, LayoutFormula) {
    const nst::ContactSheetLayout l = nst::contact_sheet_layout(2, 3, 40, 30, 2, 1, 100);
    const int m = nst::kSheetMarginPx;
    EXPECT_EQ(l.slot_width, 100);
    EXPECT_EQ(l.width, m + 3 * (100 + m));
    EXPECT_EQ(l.height, l.title_height + m + 2 * (30 + l.caption_height + m));
    EXPECT_GE(l.caption_height, 2 * nst::kSheetLinePx);
    EXPECT_GE(l.title_height, nst::kSheetLinePx);
    // The image is centred in its slot; the caption right under it, slot wide.
    EXPECT_EQ(l.cell(1, 2), (nst::Rect{m + 2 * (100 + m) + 30, l.title_height + m + 30 + l.caption_height + m, 40, 30}));
    EXPECT_EQ(l.caption(1, 2), (nst::Rect{m + 2 * (100 + m), l.cell(1, 2).y + 30, 100, l.caption_height}));
    // Without captions wider than the cells, the slot is the cell.
    EXPECT_EQ(nst::contact_sheet_layout(1, 1, 64, 48, 1, 0, 10).slot_width, 64);
    EXPECT_EQ(nst::contact_sheet_layout(1, 1, 64, 48, 1, 0, 10).title_height, 0);
}

// A cell image whose every pixel is distinct from the others' (so a wrong origin shows).
nst::Image cell_image(int w, int h, int k) {
    nst::Image img = nst::test::make_test_image(w, h, k % 3);
    for (float& v : img.rgb) v = v * 0.5f + 0.1f * static_cast<float>(k % 5);
    return img;
}

// Dark pixels (text) inside a rectangle of the sheet.
int dark_pixels(const nst::Image& img, const nst::Rect& r) {
    int n = 0;
    for (int y = r.y; y < r.y + r.height; ++y)
        for (int x = r.x; x < r.x + r.width; ++x) {
            const float* p = &img.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3];
            n += (p[0] + p[1] + p[2]) / 3 < 0.5f;
        }
    return n;
}

std::vector<float> crop(const nst::Image& img, const nst::Rect& r) {
    std::vector<float> out;
    for (int y = r.y; y < r.y + r.height; ++y)
        out.insert(out.end(), img.rgb.begin() + (static_cast<std::ptrdiff_t>(y) * img.width + r.x) * 3,
                   img.rgb.begin() + (static_cast<std::ptrdiff_t>(y) * img.width + r.x + r.width) * 3);
    return out;
}

TEST(ContactSheet, GridCellsAndCaptions) {
    nst::ContactSheet sheet;
    sheet.rows = 2;
    sheet.cols = 3;
    sheet.title = {"content.png + style.jpg", "3 steps | untrained (random) features"};
    for (int k = 0; k < 6; ++k) {
        sheet.cells.push_back(cell_image(20, 16, k));
        sheet.captions.push_back({"style-weight=1e" + std::to_string(5 + k % 3), "content-weight=" + std::to_string(k / 3)});
    }
    nst::ContactSheetLayout l;
    const nst::Image out = nst::render_contact_sheet(sheet, &l);
    EXPECT_EQ(l.rows, 2);
    EXPECT_EQ(l.cols, 3);
    EXPECT_EQ(out.width, l.width);
    EXPECT_EQ(out.height, l.height);
    EXPECT_EQ(out.width, l.margin + 3 * (l.slot_width + l.margin));
    EXPECT_EQ(out.height, l.title_height + l.margin + 2 * (16 + l.caption_height + l.margin));
    EXPECT_GT(l.slot_width, 20);  // "style-weight=1e5" at 14 px is wider than a 20 px cell
    std::set<std::vector<float>> captions;
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 3; ++c) {
            const int k = r * 3 + c;
            const nst::Rect cell = l.cell(r, c);
            EXPECT_EQ(crop(out, cell), sheet.cells[static_cast<std::size_t>(k)].rgb) << "cell " << k;  // exact
            const nst::Rect cap = l.caption(r, c);
            EXPECT_GT(dark_pixels(out, cap), 40) << "caption " << k << " has no text";
            captions.insert(crop(out, cap));
        }
    EXPECT_EQ(captions.size(), 6u) << "different captions must render differently";
    EXPECT_GT(dark_pixels(out, l.title()), 100);
    // The strips are light paper where there is no text.
    const nst::Rect cap = l.caption(0, 0);
    const float* corner = &out.rgb[(static_cast<std::size_t>(cap.y + cap.height - 1) * out.width + cap.x + cap.width - 1) * 3];
    EXPECT_NEAR(corner[0], 0.94f, 1e-6);
}

TEST(ContactSheet, RefusesMismatchedCells) {
    nst::ContactSheet sheet;
    sheet.rows = 1;
    sheet.cols = 2;
    sheet.cells = {cell_image(20, 16, 0), cell_image(20, 18, 1)};
    EXPECT_TRUE(contains(message_of<nst::Error>([&] { static_cast<void>(nst::render_contact_sheet(sheet)); }),
                         "not all the same size"));
    sheet.cells.pop_back();
    EXPECT_TRUE(contains(message_of<nst::Error>([&] { static_cast<void>(nst::render_contact_sheet(sheet)); }),
                         "1 cells for a 2 x 1 grid"));
}

TEST(ContactSheet, MissingFontIsOneClearLine) {
    const char* old = std::getenv("XDG_DATA_DIRS");
    const std::string saved = old ? old : "";
    setenv("XDG_DATA_DIRS", "/nonexistent-nst-fonts", 1);
    const std::string msg = message_of<nst::Error>([] { static_cast<void>(nst::find_caption_font()); });
    if (old) setenv("XDG_DATA_DIRS", saved.c_str(), 1); else unsetenv("XDG_DATA_DIRS");
    EXPECT_TRUE(contains(msg, "DejaVuSans.ttf was not found"));
    EXPECT_TRUE(contains(msg, "/nonexistent-nst-fonts/fonts/truetype/dejavu/DejaVuSans.ttf"));
    EXPECT_TRUE(contains(msg, "fonts-dejavu-core"));
    EXPECT_EQ(msg.find('\n'), std::string::npos);
}

// The text of the first tEXt chunk with `keyword` in a PNG file.
std::string png_text(const std::vector<std::uint8_t>& png, const std::string& keyword) {
    for (std::size_t at = 8; at + 12 <= png.size();) {
        const std::uint32_t len = (std::uint32_t{png[at]} << 24) | (std::uint32_t{png[at + 1]} << 16) |
                                  (std::uint32_t{png[at + 2]} << 8) | png[at + 3];
        const std::string type(png.begin() + static_cast<std::ptrdiff_t>(at + 4), png.begin() + static_cast<std::ptrdiff_t>(at + 8));
        const std::string data(png.begin() + static_cast<std::ptrdiff_t>(at + 8),
                               png.begin() + static_cast<std::ptrdiff_t>(at + 8 + len));
        if (type == "tEXt" && data.starts_with(keyword + '\0')) return data.substr(keyword.size() + 1);
        at += 12 + len;
    }
    return {};
}

TEST(ContactSheet, SavesAPngWithItsJsonComment) {
    nst::test::TempDir dir;
    const nst::Image img = cell_image(24, 12, 1);
    const std::string json = R"({"rows":1,"cols":2,"cells":[{"values":{"lr":"0.1"}}]})";
    nst::save_with_comment(img, dir / "sheet.png", json);
    const auto bytes = nst::test::read_bytes(dir / "sheet.png");
    EXPECT_EQ(png_text(bytes, "Comment"), json);
    // The image decodes (libpng checks the chunk's CRC) to the pixels written.
    const nst::Image back = nst::load_image(dir / "sheet.png");
    EXPECT_LE(nst::test::max_abs_diff(back, img), 0.5f / 255 + 1e-6f);
    EXPECT_EQ(nlohmann::json::parse(png_text(bytes, "Comment"))["cells"][0]["values"]["lr"], "0.1");
    // JPEG: no comment, still written.
    nst::save_with_comment(img, dir / "sheet.jpg", json);
    EXPECT_EQ(nst::load_image(dir / "sheet.jpg").width, 24);
    EXPECT_EQ(nst::test::list_dir(dir.path()), (std::vector<std::string>{"sheet.jpg", "sheet.png"}));
}

}  // namespace

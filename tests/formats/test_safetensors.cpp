// Tests for the safetensors reader/writer: round trips, exact half/bfloat16 conversion, and one
// test per kind of corruption, each checking that the one-line message names the file and the
// precise problem.
#include "weights/safetensors.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nst/error.h"
#include "support/test_util.h"

namespace nst::safetensors {
namespace {

using nst::test::read_bytes;
using nst::test::TempDir;
using nst::test::write_bytes;

// A safetensors file built by hand: u64 LE header length, the header text, then the data bytes.
std::vector<std::uint8_t> make_file(const std::string& header, const std::vector<std::uint8_t>& data = {}) {
    std::vector<std::uint8_t> out;
    const std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

// Only the 8-byte length prefix, with a length of our choosing.
std::vector<std::uint8_t> length_prefix(std::uint64_t n) {
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
    return out;
}

void push_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void push_f32(std::vector<std::uint8_t>& out, float f) {
    const auto bits = std::bit_cast<std::uint32_t>(f);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
}

// Runs f and returns the nst::Error message; fails the test if nothing (or something else) is thrown.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const nst::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected nst::Error, got another exception: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected nst::Error, nothing was thrown";
    return {};
}

// The message must be one line and contain every part (the file name and the problem).
void expect_message(const std::string& msg, const std::vector<std::string>& parts) {
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    for (const std::string& part : parts) {
        EXPECT_NE(msg.find(part), std::string::npos) << "message lacks \"" << part << "\": " << msg;
    }
}

// Writes a hand-built file and returns read_header's error message.
std::string header_error(const TempDir& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    const auto path = dir / name;
    write_bytes(path, bytes);
    return error_of([&] { (void)read_header(path); });
}

// ---------------------------------------------------------------------------------------------
// Round trips and format

TEST(Safetensors, RoundTripF32) {
    const TempDir dir;
    const auto path = dir / "weights.safetensors";
    const std::vector<float> a = {1.f, -2.f, 3.5f, 0.f, 1e-30f, -7.25f};
    const std::vector<float> b = {0.125f, 1e30f, -0.f, 42.f};
    write_bytes(path, serialize({f32_tensor("features.0.weight", {2, 3}, a), f32_tensor("features.0.bias", {4}, b),
                                 f32_tensor("scalar", {}, {9.5f})}));

    const Header h = read_header(path);
    ASSERT_EQ(h.tensors.size(), 3u);
    EXPECT_EQ(h.data_start, 8 + h.header_len);
    EXPECT_EQ(h.data_size(), 4u * (6 + 4 + 1));
    EXPECT_EQ(std::filesystem::file_size(path), h.data_start + h.data_size());

    // Sorted by begin offset, which for serialize is the given order.
    EXPECT_EQ(h.tensors[0].name, "features.0.weight");
    EXPECT_EQ(h.tensors[1].name, "features.0.bias");
    EXPECT_EQ(h.tensors[2].name, "scalar");

    const TensorInfo* w = h.find("features.0.weight");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dtype, DType::F32);
    EXPECT_EQ(w->shape, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(w->numel(), 6);
    EXPECT_EQ(w->begin, 0u);
    EXPECT_EQ(w->end, 24u);
    const TensorInfo* bias = h.find("features.0.bias");
    ASSERT_NE(bias, nullptr);
    EXPECT_EQ(bias->begin, 24u);
    EXPECT_EQ(bias->end, 40u);
    const TensorInfo* s = h.find("scalar");
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->shape.empty());
    EXPECT_EQ(s->numel(), 1);

    EXPECT_EQ(read_as_f32(path, h, *w), a);
    const auto got_b = read_as_f32(path, h, *bias);
    EXPECT_EQ(got_b, b);
    EXPECT_TRUE(std::signbit(got_b[2]));  // -0 survives bit-exactly
    EXPECT_EQ(read_as_f32(path, h, *s), std::vector<float>{9.5f});
}

TEST(Safetensors, SerializeLayout) {
    const std::vector<std::uint8_t> raw = {1, 2, 3, 4, 5, 6};
    const std::vector<OutTensor> tensors = {
        f32_tensor("zeta", {1}, {2.f}),
        OutTensor{"alpha", DType::U8, {2, 3}, raw},
        OutTensor{"empty", DType::F16, {0, 5}, {}},
    };
    const auto bytes = serialize(tensors);

    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
    EXPECT_EQ(n % 8, 0u) << "header must be padded to a multiple of 8 bytes";
    ASSERT_EQ(bytes.size(), 8 + n + 4 + 6);
    const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(header.front(), '{');
    const auto close = header.rfind('}');
    ASSERT_NE(close, std::string::npos);
    EXPECT_LT(header.size() - close - 1, 8u);
    for (std::size_t i = close + 1; i < header.size(); ++i) EXPECT_EQ(header[i], ' ') << "padding must be spaces";

    // Tensors appear in the given order (not sorted by name) with contiguous offsets.
    const auto j = nlohmann::ordered_json::parse(header);
    ASSERT_EQ(j.size(), 3u);
    EXPECT_FALSE(j.contains("__metadata__"));
    auto it = j.begin();
    EXPECT_EQ(it.key(), "zeta");
    EXPECT_EQ((*it)["dtype"], "F32");
    EXPECT_EQ((*it)["shape"], nlohmann::ordered_json::array({1}));
    EXPECT_EQ((*it)["data_offsets"], nlohmann::ordered_json::array({0, 4}));
    ++it;
    EXPECT_EQ(it.key(), "alpha");
    EXPECT_EQ((*it)["dtype"], "U8");
    EXPECT_EQ((*it)["shape"], nlohmann::ordered_json::array({2, 3}));
    EXPECT_EQ((*it)["data_offsets"], nlohmann::ordered_json::array({4, 10}));
    ++it;
    EXPECT_EQ(it.key(), "empty");
    EXPECT_EQ((*it)["data_offsets"], nlohmann::ordered_json::array({10, 10}));

    // Data section: 2.0f little-endian, then the raw bytes.
    const std::vector<std::uint8_t> data(bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n), bytes.end());
    EXPECT_EQ(data, (std::vector<std::uint8_t>{0x00, 0x00, 0x00, 0x40, 1, 2, 3, 4, 5, 6}));

    // And our own parser accepts it, padding included.
    const Header h = parse_header(header, n, "mem", bytes.size());
    ASSERT_EQ(h.tensors.size(), 3u);
    EXPECT_EQ(h.find("alpha")->dtype, DType::U8);
    EXPECT_EQ(h.find("empty")->numel(), 0);
}

TEST(Safetensors, SerializeEmptyIsValid) {
    const auto bytes = serialize({});
    ASSERT_EQ(bytes.size(), 16u);  // "{}" padded to 8
    EXPECT_EQ(bytes[0], 8);
    const TempDir dir;
    write_bytes(dir / "empty.safetensors", bytes);
    const Header h = read_header(dir / "empty.safetensors");
    EXPECT_TRUE(h.tensors.empty());
    EXPECT_TRUE(h.metadata.empty());
    EXPECT_EQ(h.data_size(), 0u);
}

TEST(Safetensors, F32TensorPacksLittleEndian) {
    const OutTensor t = f32_tensor("t", {2}, {1.0f, -2.5f});
    EXPECT_EQ(t.name, "t");
    EXPECT_EQ(t.dtype, DType::F32);
    EXPECT_EQ(t.shape, (std::vector<std::int64_t>{2}));
    EXPECT_EQ(t.bytes, (std::vector<std::uint8_t>{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0}));
}

TEST(Safetensors, WriteRoundTrip) {
    const TempDir dir;
    const auto path = dir / "out.safetensors";
    const std::vector<OutTensor> tensors = {f32_tensor("x", {3}, {1.f, 2.f, 3.f})};
    const std::map<std::string, std::string> meta = {{"format", "pt"}};
    write(path, tensors, meta);
    EXPECT_EQ(read_bytes(path), serialize(tensors, meta));
    const Header h = read_header(path);
    EXPECT_EQ(read_as_f32(path, h, *h.find("x")), (std::vector<float>{1.f, 2.f, 3.f}));
    EXPECT_EQ(h.metadata, meta);
}

TEST(Safetensors, MetadataRoundTrip) {
    const TempDir dir;
    const auto path = dir / "meta.safetensors";
    const std::map<std::string, std::string> meta = {
        {"format", "pt"}, {"source", "vgg19 \"imagenet\" ünïcode"}, {"empty", ""}};
    write_bytes(path, serialize({f32_tensor("w", {1}, {0.5f})}, meta));
    const Header h = read_header(path);
    EXPECT_EQ(h.metadata, meta);
    ASSERT_EQ(h.tensors.size(), 1u);  // __metadata__ is not a tensor
    EXPECT_EQ(h.find("__metadata__"), nullptr);
}

TEST(Safetensors, FindAndDataSize) {
    const std::string header =
        R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
        R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("z":{"dtype":"I8","shape":[0],"data_offsets":[16,16]}})";
    const Header h = parse_header(header, header.size(), "mem");
    ASSERT_EQ(h.tensors.size(), 3u);
    EXPECT_EQ(h.tensors[0].name, "a");  // sorted by begin
    EXPECT_EQ(h.tensors[1].name, "b");
    EXPECT_EQ(h.tensors[2].name, "z");
    ASSERT_NE(h.find("b"), nullptr);
    EXPECT_EQ(h.find("b")->begin, 8u);
    EXPECT_EQ(h.find("b")->end, 16u);
    EXPECT_EQ(h.find("z")->dtype, DType::I8);
    EXPECT_EQ(h.find("missing"), nullptr);
    EXPECT_EQ(h.find(""), nullptr);
    EXPECT_EQ(h.data_size(), 16u);
    EXPECT_EQ(h.header_len, header.size());
    EXPECT_EQ(h.data_start, 8 + header.size());
}

TEST(Safetensors, DtypeTable) {
    EXPECT_EQ(dtype_size(DType::F64), 8u);
    EXPECT_EQ(dtype_size(DType::I64), 8u);
    EXPECT_EQ(dtype_size(DType::F32), 4u);
    EXPECT_EQ(dtype_size(DType::I32), 4u);
    EXPECT_EQ(dtype_size(DType::F16), 2u);
    EXPECT_EQ(dtype_size(DType::BF16), 2u);
    EXPECT_EQ(dtype_size(DType::I16), 2u);
    EXPECT_EQ(dtype_size(DType::I8), 1u);
    EXPECT_EQ(dtype_size(DType::U8), 1u);
    EXPECT_EQ(dtype_size(DType::BOOL), 1u);
    EXPECT_EQ(dtype_name(DType::BF16), "BF16");
    EXPECT_EQ(dtype_name(DType::BOOL), "BOOL");
    // Every dtype name parses back to itself and gets the right size in the byte-count check.
    for (const DType d : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32, DType::I16,
                          DType::I8, DType::U8, DType::BOOL}) {
        const std::string size = std::to_string(3 * dtype_size(d));
        const std::string header = R"({"t":{"dtype":")" + std::string(dtype_name(d)) +
                                   R"(","shape":[3],"data_offsets":[0,)" + size + "]}}";
        const Header h = parse_header(header, header.size(), "mem");
        EXPECT_EQ(h.tensors.at(0).dtype, d) << header;
    }
}

// ---------------------------------------------------------------------------------------------
// Half precision conversion (bit patterns written by hand)

TEST(Safetensors, F16FileConvertsExactly) {
    const TempDir dir;
    const auto path = dir / "half.safetensors";
    const std::vector<std::uint16_t> halves = {
        0x3C00,  // 1.0
        0xC100,  // -2.5
        0x3800,  // 0.5
        0x0001,  // smallest subnormal, 2^-24
        0x03FF,  // largest subnormal, 1023 * 2^-24
        0x0400,  // smallest normal, 2^-14
        0x7BFF,  // largest finite, 65504
        0x8000,  // -0
        0x3555,  // 0.333251953125
        0x8201,  // negative subnormal, -513 * 2^-24
    };
    const std::vector<float> expected = {
        1.0f, -2.5f, 0.5f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, 65504.f, -0.f, 0.333251953125f, -513 * 0x1p-24f,
    };
    std::vector<std::uint8_t> data;
    for (const auto h : halves) push_u16(data, h);
    write_bytes(path, make_file(R"({"h":{"dtype":"F16","shape":[2,5],"data_offsets":[0,20]}})", data));

    const Header h = read_header(path);
    const auto got = read_as_f32(path, h, *h.find("h"));
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        // Bit comparison: exact value and sign (so -0 is told apart from +0).
        EXPECT_EQ(std::bit_cast<std::uint32_t>(got[i]), std::bit_cast<std::uint32_t>(expected[i]))
            << "half 0x" << std::hex << halves[i] << " -> " << got[i];
    }
}

TEST(Safetensors, F16InfAndNanConvert) {
    std::vector<std::uint8_t> data;
    for (const std::uint16_t h : {0x7C00, 0xFC00, 0x7E00, 0xFE01}) push_u16(data, static_cast<std::uint16_t>(h));
    const auto got = to_f32(DType::F16, data.data(), data.size());
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0], std::numeric_limits<float>::infinity());
    EXPECT_EQ(got[1], -std::numeric_limits<float>::infinity());
    EXPECT_TRUE(std::isnan(got[2]));
    EXPECT_TRUE(std::isnan(got[3]));
    EXPECT_TRUE(std::signbit(got[3]));
}

TEST(Safetensors, BF16FileConvertsExactly) {
    const TempDir dir;
    const auto path = dir / "bf16.safetensors";
    const std::vector<std::uint16_t> bf = {
        0x3F80,  // 1.0
        0xC020,  // -2.5
        0x3F00,  // 0.5
        0x4049,  // 3.140625
        0x0001,  // smallest subnormal bf16 = 2^-133
        0x7F7F,  // largest finite bf16
        0x8000,  // -0
    };
    const std::vector<float> expected = {
        1.0f, -2.5f, 0.5f, 3.140625f, 0x1p-133f, 0x1.FEp127f, -0.f,
    };
    std::vector<std::uint8_t> data;
    for (const auto b : bf) push_u16(data, b);
    write_bytes(path, make_file(R"({"b":{"dtype":"BF16","shape":[7],"data_offsets":[0,14]}})", data));
    const Header h = read_header(path);
    const auto got = read_as_f32(path, h, *h.find("b"));
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(std::bit_cast<std::uint32_t>(got[i]), std::bit_cast<std::uint32_t>(expected[i]))
            << "bf16 0x" << std::hex << bf[i] << " -> " << got[i];
    }
}

TEST(Safetensors, LargeBF16TensorAcrossReadChunks) {
    // More than 2^20 elements, at a non-zero offset, so chunked reading and its boundaries are hit.
    const TempDir dir;
    const auto path = dir / "big.safetensors";
    constexpr std::size_t kCount = (1u << 20) + 12345;
    auto value = [](std::size_t i) { return static_cast<float>(static_cast<int>(i % 255) - 127); };  // exact in bf16
    std::vector<std::uint8_t> data;
    push_f32(data, 7.f);  // a small F32 tensor first
    data.reserve(4 + 2 * kCount);
    for (std::size_t i = 0; i < kCount; ++i) {
        push_u16(data, static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(value(i)) >> 16));
    }
    const std::string header = R"({"first":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                               R"("big":{"dtype":"BF16","shape":[)" +
                               std::to_string(kCount) + R"(],"data_offsets":[4,)" + std::to_string(4 + 2 * kCount) +
                               "]}}";
    write_bytes(path, make_file(header, data));
    const Header h = read_header(path);
    const auto got = read_as_f32(path, h, *h.find("big"));
    ASSERT_EQ(got.size(), kCount);
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < kCount; ++i) mismatches += got[i] != value(i);
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(got[(1u << 20) - 1], value((1u << 20) - 1));
    EXPECT_EQ(got[1u << 20], value(1u << 20));
    EXPECT_EQ(read_as_f32(path, h, *h.find("first")), std::vector<float>{7.f});
}

TEST(Safetensors, ToF32) {
    std::vector<std::uint8_t> f32;
    push_f32(f32, -1.5f);
    push_f32(f32, 1e-40f);  // float32 subnormal passes through
    EXPECT_EQ(to_f32(DType::F32, f32.data(), f32.size()), (std::vector<float>{-1.5f, 1e-40f}));
    EXPECT_TRUE(to_f32(DType::F16, nullptr, 0).empty());

    expect_message(error_of([&] { (void)to_f32(DType::F16, f32.data(), 3); }), {"3 bytes", "F16"});
    expect_message(error_of([&] { (void)to_f32(DType::I64, f32.data(), 8); }), {"I64"});
    expect_message(error_of([&] { (void)to_f32(DType::U8, f32.data(), 8); }), {"U8"});
}

// ---------------------------------------------------------------------------------------------
// Opening the file

TEST(SafetensorsErrors, MissingFile) {
    const TempDir dir;
    const auto path = dir / "nope.safetensors";
    expect_message(error_of([&] { (void)read_header(path); }), {path.string(), "does not exist"});
}

TEST(SafetensorsErrors, Directory) {
    const TempDir dir;
    const auto path = dir / "adir.safetensors";
    std::filesystem::create_directory(path);
    expect_message(error_of([&] { (void)read_header(path); }), {path.string(), "is a directory"});
}

TEST(SafetensorsErrors, EmptyFile) {
    const TempDir dir;
    expect_message(header_error(dir, "empty.safetensors", {}),
                   {"empty.safetensors", "file is too small to be safetensors (0 bytes)"});
}

TEST(SafetensorsErrors, FiveByteFile) {
    const TempDir dir;
    expect_message(header_error(dir, "five.safetensors", {1, 2, 3, 4, 5}),
                   {"five.safetensors", "file is too small to be safetensors (5 bytes)"});
}

// ---------------------------------------------------------------------------------------------
// The header length

TEST(SafetensorsErrors, HeaderLengthLargerThanFile) {
    const TempDir dir;
    auto bytes = length_prefix(99999999999ull);
    bytes.resize(40, ' ');
    expect_message(header_error(dir, "weights.safetensors", bytes),
                   {"weights.safetensors", "header length 99999999999 is larger than the file (40 bytes)"});
}

TEST(SafetensorsErrors, HeaderLengthJustPastEnd) {
    const TempDir dir;
    std::string header = "{}";
    auto bytes = make_file(header);
    bytes[0] = 3;  // claims 3 header bytes, only 2 present
    expect_message(header_error(dir, "short.safetensors", bytes),
                   {"short.safetensors", "header length 3 is larger than the file (10 bytes)"});
}

TEST(SafetensorsErrors, HeaderLengthAboveLimit) {
    // The length fits in the file (a sparse one, so no real disk is used) but exceeds the limit.
    const TempDir dir;
    const auto path = dir / "huge.safetensors";
    write_bytes(path, length_prefix(kMaxHeaderBytes + 1));
    std::filesystem::resize_file(path, 8 + kMaxHeaderBytes + 64);
    expect_message(error_of([&] { (void)read_header(path); }),
                   {"huge.safetensors", "header length " + std::to_string(kMaxHeaderBytes + 1),
                    "exceeds the limit of " + std::to_string(kMaxHeaderBytes) + " bytes"});
}

TEST(SafetensorsErrors, HeaderLengthTooSmall) {
    const TempDir dir;
    auto bytes = length_prefix(1);
    bytes.push_back('{');
    expect_message(header_error(dir, "tiny.safetensors", bytes), {"tiny.safetensors", "header length 1 is too small"});
    expect_message(header_error(dir, "zero.safetensors", length_prefix(0)),
                   {"zero.safetensors", "header length 0 is too small"});
}

// ---------------------------------------------------------------------------------------------
// The JSON header

TEST(SafetensorsErrors, InvalidJson) {
    const TempDir dir;
    expect_message(header_error(dir, "bad.safetensors", make_file(R"({"a": {"dtype": "F32",)")),
                   {"bad.safetensors", "header is not valid JSON ("});
    // Trailing garbage after the object is also not valid JSON.
    expect_message(header_error(dir, "trail.safetensors", make_file("{}x")),
                   {"trail.safetensors", "header is not valid JSON ("});
}

TEST(SafetensorsErrors, InvalidUtf8) {
    const TempDir dir;
    expect_message(header_error(dir, "utf.safetensors", make_file("{\"\xff\xfe\":1}")),
                   {"utf.safetensors", "header is not valid JSON ("});
}

TEST(SafetensorsErrors, JsonArrayInsteadOfObject) {
    const TempDir dir;
    expect_message(header_error(dir, "arr.safetensors", make_file("[1, 2, 3]")),
                   {"arr.safetensors", "header is not a JSON object (got array"});
}

TEST(SafetensorsErrors, EntryNotAnObject) {
    const TempDir dir;
    expect_message(header_error(dir, "e.safetensors", make_file(R"({"w": [1, 2]})")),
                   {"e.safetensors", "tensor 'w' entry must be an object (got array"});
}

TEST(SafetensorsErrors, MissingDtype) {
    const TempDir dir;
    expect_message(header_error(dir, "d.safetensors", make_file(R"({"w":{"shape":[1],"data_offsets":[0,4]}})")),
                   {"d.safetensors", "tensor 'w' is missing \"dtype\""});
}

TEST(SafetensorsErrors, MissingShape) {
    const TempDir dir;
    expect_message(header_error(dir, "s.safetensors", make_file(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})")),
                   {"s.safetensors", "tensor 'w' is missing \"shape\""});
}

TEST(SafetensorsErrors, MissingDataOffsets) {
    const TempDir dir;
    expect_message(header_error(dir, "o.safetensors", make_file(R"({"w":{"dtype":"F32","shape":[1]}})")),
                   {"o.safetensors", "tensor 'w' is missing \"data_offsets\""});
}

TEST(SafetensorsErrors, WrongFieldTypes) {
    const TempDir dir;
    expect_message(header_error(dir, "t1.safetensors",
                                make_file(R"({"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})", {0, 0, 0, 0})),
                   {"t1.safetensors", "tensor 'w' dtype must be a string (got number"});
    expect_message(header_error(dir, "t2.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":"1","data_offsets":[0,4]}})", {0, 0, 0, 0})),
                   {"t2.safetensors", "tensor 'w' shape must be an array of integers (got string"});
    expect_message(header_error(dir, "t3.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", {0, 0, 0, 0})),
                   {"t3.safetensors", "tensor 'w' shape[0] must be a non-negative integer (got number 1.5)"});
    expect_message(header_error(dir, "t4.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", {0, 0, 0, 0})),
                   {"t4.safetensors", "tensor 'w' data_offsets must be [begin, end]"});
    expect_message(header_error(dir, "t5.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,"4"]}})", {0, 0, 0, 0})),
                   {"t5.safetensors", "tensor 'w' data_offsets must be [begin, end]"});
    expect_message(header_error(dir, "t6.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", {0, 0, 0, 0})),
                   {"t6.safetensors", "tensor 'w' data_offsets must be [begin, end]"});
}

TEST(SafetensorsErrors, UnknownDtype) {
    const TempDir dir;
    expect_message(header_error(dir, "q.safetensors",
                                make_file(R"({"w":{"dtype":"Q8","shape":[4],"data_offsets":[0,4]}})", {0, 0, 0, 0})),
                   {"q.safetensors", "tensor 'w' has unsupported dtype 'Q8'"});
    // Names are case-sensitive in the format.
    expect_message(header_error(dir, "lower.safetensors",
                                make_file(R"({"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", {0, 0, 0, 0})),
                   {"lower.safetensors", "unsupported dtype 'f32'"});
}

TEST(SafetensorsErrors, NegativeDimension) {
    const TempDir dir;
    expect_message(header_error(dir, "neg.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,24]}})")),
                   {"neg.safetensors", "tensor 'w' has negative dimension -3 in shape[1]"});
}

TEST(SafetensorsErrors, OffsetsDoNotMatchShape) {
    const TempDir dir;
    std::vector<std::uint8_t> data(100, 0);
    expect_message(
        header_error(dir, "weights.safetensors",
                     make_file(R"({"features.0.weight":{"dtype":"F32","shape":[64,3,3,3],"data_offsets":[0,100]}})",
                               data)),
        {"weights.safetensors",
         "tensor 'features.0.weight' data_offsets [0, 100] do not match shape [64,3,3,3] of F32 (6912 bytes)"});
}

TEST(SafetensorsErrors, OffsetsBeginAfterEnd) {
    const TempDir dir;
    expect_message(header_error(dir, "rev.safetensors",
                                make_file(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}})", {0, 0, 0, 0, 0, 0, 0, 0})),
                   {"rev.safetensors", "tensor 'w' data_offsets [8, 4] have begin > end"});
}

TEST(SafetensorsErrors, ShapeOverflow) {
    // 2^32 * 2^32 * 4 bytes wraps to 0 in 64 bits; it must not "match" offsets [0, 0].
    const TempDir dir;
    expect_message(header_error(dir, "ovf.safetensors",
                                make_file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})")),
                   {"ovf.safetensors", "tensor 'w' shape [4294967296,4294967296] of F32 is too large"});
}

TEST(SafetensorsErrors, OverlappingTensors) {
    const TempDir dir;
    const std::vector<std::uint8_t> data(16, 0);
    expect_message(header_error(dir, "overlap.safetensors",
                                make_file(R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},)"
                                          R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                          data)),
                   {"overlap.safetensors", "tensors 'a' and 'b' overlap"});
    // A tensor nested inside a bigger one, with a smaller one sorted between them.
    expect_message(header_error(dir, "nested.safetensors",
                                make_file(R"({"big":{"dtype":"U8","shape":[16],"data_offsets":[0,16]},)"
                                          R"("mid":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})",
                                          data)),
                   {"nested.safetensors", "tensors 'big' and 'mid' overlap"});
    // Same range twice.
    expect_message(header_error(dir, "same.safetensors",
                                make_file(R"({"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                                          R"("y":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})",
                                          data)),
                   {"same.safetensors", "tensors 'x' and 'y' overlap"});
}

TEST(SafetensorsErrors, DuplicateTensorName) {
    const TempDir dir;
    expect_message(header_error(dir, "dup.safetensors",
                                make_file(R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                                          R"("w":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}})",
                                          std::vector<std::uint8_t>(8, 0))),
                   {"dup.safetensors", "'w' more than once"});
}

TEST(SafetensorsErrors, BadMetadata) {
    const TempDir dir;
    expect_message(header_error(dir, "m1.safetensors", make_file(R"({"__metadata__":{"format":1}})")),
                   {"m1.safetensors", "\"__metadata__\" value for key 'format' must be a string"});
    expect_message(header_error(dir, "m2.safetensors", make_file(R"({"__metadata__":["pt"]})")),
                   {"m2.safetensors", "\"__metadata__\" must be an object of strings"});
}

TEST(SafetensorsErrors, DataTruncated) {
    const TempDir dir;
    // Two tensors needing 16 data bytes; only 12 are present.
    expect_message(header_error(dir, "cut.safetensors",
                                make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                                          std::vector<std::uint8_t>(12, 0))),
                   {"cut.safetensors", "file is truncated: data section needs 16 bytes but only 12 are present"});
}

TEST(SafetensorsErrors, FileTruncatedAfterHeaderWasRead) {
    const TempDir dir;
    const auto path = dir / "shrunk.safetensors";
    write_bytes(path, serialize({f32_tensor("a", {2}, {1.f, 2.f}), f32_tensor("b", {2}, {3.f, 4.f})}));
    const Header h = read_header(path);
    std::filesystem::resize_file(path, h.data_start + 12);
    expect_message(error_of([&] { (void)read_as_f32(path, h, *h.find("b")); }),
                   {"shrunk.safetensors", "file is truncated: data section needs 16 bytes but only 12 are present"});
    EXPECT_EQ(read_as_f32(path, h, *h.find("a")), (std::vector<float>{1.f, 2.f}));  // still inside the file
}

TEST(SafetensorsErrors, ParseHeaderNamesTheSourceAndChecksTotalSize) {
    const std::string url = "https://example.com/vgg19.safetensors";
    const std::string header = R"({"w":{"dtype":"F32","shape":[10],"data_offsets":[0,40]}})";
    // Exactly enough bytes: fine.
    EXPECT_NO_THROW((void)parse_header(header, header.size(), url, 8 + header.size() + 40));
    expect_message(error_of([&] { (void)parse_header(header, header.size(), url, 8 + header.size() + 39); }),
                   {url, "file is truncated: data section needs 40 bytes but only 39 are present"});
    expect_message(error_of([&] { (void)parse_header(header, header.size(), url, 20); }),
                   {url, "is larger than the file (20 bytes)"});
    expect_message(error_of([&] { (void)parse_header("{", 1, url); }), {url, "header is not valid JSON"});
}

// A header of `levels` nested arrays under one key: {"x":[[[...]]]} (levels + 1 JSON levels).
std::string nested_header(std::size_t levels) {
    return "{\"x\":" + std::string(levels, '[') + std::string(levels, ']') + "}";
}

TEST(SafetensorsErrors, DeeplyNestedHeaderIsRefusedWhileParsing) {
    // 100,000 levels, 200 KB: building it (or dump()ing it in a message) recursed until the stack
    // overflowed. It is refused at level kMaxHeaderDepth + 1, from a file and from memory.
    const std::string deep = nested_header(100'000);
    ASSERT_GT(deep.size(), 200'000u);
    const std::string refused = "header JSON is nested deeper than " + std::to_string(kMaxHeaderDepth) + " levels";
    const TempDir dir;
    expect_message(header_error(dir, "deep.safetensors", make_file(deep)), {"deep.safetensors", refused});
    const std::string url = "https://example.com/deep.safetensors";
    expect_message(error_of([&] { (void)parse_header(deep, deep.size(), url); }), {url, refused});
    // Objects count as levels too.
    std::string objects;
    for (int i = 0; i < 100'000; ++i) objects += "{\"a\":";
    objects += "1" + std::string(100'000, '}');
    expect_message(error_of([&] { (void)parse_header(objects, objects.size(), url); }), {url, refused});
}

TEST(SafetensorsErrors, NestingUpToTheLimitIsParsedAndDescribedBySize) {
    const std::string url = "mem";
    // kMaxHeaderDepth levels in all: parsed as JSON, refused as an entry, described without dump().
    const std::string at_limit = nested_header(kMaxHeaderDepth - 1);
    expect_message(error_of([&] { (void)parse_header(at_limit, at_limit.size(), url); }),
                   {"mem: tensor 'x' entry must be an object (got array of size 1)"});
    const std::string over = nested_header(kMaxHeaderDepth);
    expect_message(error_of([&] { (void)parse_header(over, over.size(), url); }), {"mem: header JSON is nested deeper"});
    // A real header's three levels are well inside the limit.
    const std::string real = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    EXPECT_NO_THROW((void)parse_header(real, real.size(), url));
}

TEST(SafetensorsErrors, HugeValuesAreNotCopiedIntoMessages) {
    // A 1 MB string or array where an object belongs: the message names its type and size only.
    const std::string long_string = "{\"w\":\"" + std::string(1'000'000, 'x') + "\"}";
    const std::string msg = error_of([&] { (void)parse_header(long_string, long_string.size(), "mem"); });
    expect_message(msg, {"mem: tensor 'w' entry must be an object (got string)"});
    std::string long_array = "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4],\"shape\":[";
    for (int i = 0; i < 100'000; ++i) long_array += "1,";
    long_array += "1]},\"v\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,[1,2]]}}";
    const std::string msg2 = error_of([&] { (void)parse_header(long_array, long_array.size(), "mem"); });
    expect_message(msg2, {"mem: tensor 'v' data_offsets must be [begin, end]", "(got array of size 2)"});
    // A JSON syntax error inside a long string: the parser's excerpt is shortened.
    const std::string bad = "{\"w\":\"" + std::string(1'000'000, 'x') + "\x01\"}";
    const std::string msg3 = error_of([&] { (void)parse_header(bad, bad.size(), "mem"); });
    expect_message(msg3, {"mem: header is not valid JSON ("});
    EXPECT_LT(msg.size() + msg2.size() + msg3.size(), 2000u);
}

TEST(SafetensorsErrors, ShapeBeyondInt64IsRefusedWhenTheSizeIsUnknown) {
    // U8 [3, 2^62]: 3 * 2^62 elements and bytes fit in uint64 but not int64, so numel() would
    // overflow. Without a total size (as the downloader parses before it knows one) it was accepted.
    const std::string header =
        R"({"w":{"dtype":"U8","shape":[3,4611686018427387904],"data_offsets":[0,13835058055282163712]}})";
    expect_message(error_of([&] { (void)parse_header(header, header.size(), "https://example.com/x"); }),
                   {"https://example.com/x: tensor 'w' shape [3,4611686018427387904] of U8 is too large"});
    // The same for the byte count alone: 2^62 F32 elements are 2^64 bytes.
    const std::string f32 = R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})";
    expect_message(error_of([&] { (void)parse_header(f32, f32.size(), "mem"); }), {"mem: tensor 'w'", "is too large"});
    // The largest byte count that fits is still refused as a file offset past 2^63-1 from data_start.
    const std::string edge = R"({"w":{"dtype":"U8","shape":[9223372036854775807],"data_offsets":[0,9223372036854775807]}})";
    expect_message(error_of([&] { (void)parse_header(edge, edge.size(), "mem"); }),
                   {"mem: tensor 'w' data_offsets [0, 9223372036854775807] are too large"});
    const std::string offset = R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[9223372036854775800,9223372036854775801]}})";
    expect_message(error_of([&] { (void)parse_header(offset, offset.size(), "mem"); }), {"mem: tensor 'w'", "are too large"});
}

TEST(SafetensorsErrors, NumelOfAnImpossibleShapeThrowsInsteadOfOverflowing) {
    TensorInfo t;
    t.name = "w";
    t.shape = {3, std::int64_t{1} << 62};
    expect_message(error_of([&] { (void)t.numel(); }), {"tensor 'w' shape [3,4611686018427387904]"});
    t.shape = {2, -1};
    expect_message(error_of([&] { (void)t.numel(); }), {"tensor 'w' shape [2,-1]"});
    t.shape = {std::int64_t{1} << 31, std::int64_t{1} << 31};
    EXPECT_EQ(t.numel(), std::int64_t{1} << 62);
    t.shape = {};
    EXPECT_EQ(t.numel(), 1);
}

TEST(SafetensorsErrors, MessagesStayOnOneLine) {
    // A tensor name with a newline must not split the message.
    const std::string header = "{\"a\\nb\":{\"dtype\":\"Q8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    expect_message(error_of([&] { (void)parse_header(header, header.size(), "mem"); }),
                   {"mem: ", "unsupported dtype 'Q8'"});
}

// ---------------------------------------------------------------------------------------------
// Reading values

TEST(SafetensorsErrors, NanInTensor) {
    const TempDir dir;
    const auto path = dir / "nan.safetensors";
    write_bytes(path, serialize({f32_tensor("good", {2}, {1.f, 2.f}),
                                 f32_tensor("bad", {3}, {1.f, std::numeric_limits<float>::quiet_NaN(), 3.f})}));
    const Header h = read_header(path);  // the header itself is fine
    expect_message(error_of([&] { (void)read_as_f32(path, h, *h.find("bad")); }),
                   {"nan.safetensors", "tensor 'bad' has NaN or infinite values", "index 1"});
    // Only the requested range is read: a bad neighbour does not matter.
    EXPECT_EQ(read_as_f32(path, h, *h.find("good")), (std::vector<float>{1.f, 2.f}));
}

TEST(SafetensorsErrors, InfInTensor) {
    const TempDir dir;
    const auto path = dir / "inf.safetensors";
    write_bytes(path, serialize({f32_tensor("w", {2, 2}, {1.f, 2.f, 3.f, -std::numeric_limits<float>::infinity()})}));
    const Header h = read_header(path);
    expect_message(error_of([&] { (void)read_as_f32(path, h, *h.find("w")); }),
                   {"inf.safetensors", "tensor 'w' has NaN or infinite values", "index 3"});
}

TEST(SafetensorsErrors, NonFiniteHalfValues) {
    const TempDir dir;
    const auto path = dir / "halfinf.safetensors";
    std::vector<std::uint8_t> data;
    for (const std::uint16_t v : {0x3C00, 0x7C00}) push_u16(data, static_cast<std::uint16_t>(v));  // 1.0, +inf
    for (const std::uint16_t v : {0x3F80, 0x7FC0}) push_u16(data, static_cast<std::uint16_t>(v));  // 1.0, NaN (bf16)
    write_bytes(path, make_file(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
                                R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}})",
                                data));
    const Header h = read_header(path);
    expect_message(error_of([&] { (void)read_as_f32(path, h, *h.find("h")); }),
                   {"halfinf.safetensors", "tensor 'h' has NaN or infinite values"});
    expect_message(error_of([&] { (void)read_as_f32(path, h, *h.find("b")); }),
                   {"halfinf.safetensors", "tensor 'b' has NaN or infinite values"});
}

TEST(SafetensorsErrors, ReadI64AsF32) {
    const TempDir dir;
    const auto path = dir / "ints.safetensors";
    std::vector<std::uint8_t> data(16, 0);
    data[0] = 5;
    write_bytes(path, make_file(R"({"steps":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}})", data));
    const Header h = read_header(path);  // I64 is a valid dtype to have in a file...
    ASSERT_NE(h.find("steps"), nullptr);
    EXPECT_EQ(h.find("steps")->dtype, DType::I64);
    // ...but cannot be read as float32.
    expect_message(error_of([&] { (void)read_as_f32(path, h, *h.find("steps")); }),
                   {"ints.safetensors", "tensor 'steps' has dtype I64", "F32, F16 and BF16"});
}

// ---------------------------------------------------------------------------------------------
// Writer argument checks

TEST(SafetensorsErrors, SerializeRejectsBadTensors) {
    expect_message(error_of([] { (void)serialize({OutTensor{"w", DType::F32, {2}, {1, 2, 3}}}); }),
                   {"'w'", "has 3 bytes but shape [2] of F32 needs 8"});
    expect_message(error_of([] { (void)serialize({f32_tensor("w", {1}, {1.f}), f32_tensor("w", {1}, {2.f})}); }),
                   {"'w'", "more than once"});
    expect_message(error_of([] { (void)serialize({f32_tensor("__metadata__", {1}, {1.f})}); }), {"reserved"});
    expect_message(error_of([] { (void)serialize({OutTensor{"n", DType::U8, {-1}, {}}}); }),
                   {"'n'", "negative dimension"});
    expect_message(error_of([] { (void)f32_tensor("f", {2, 2}, {1.f, 2.f, 3.f}); }),
                   {"'f'", "shape [2,2] does not match the 3 values given"});
}

}  // namespace
}  // namespace nst::safetensors

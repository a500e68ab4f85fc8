#pragma once
// A reader and writer for the .safetensors format (https://github.com/huggingface/safetensors):
//   8 bytes little-endian u64 N | N bytes JSON header | raw tensor bytes.
// The header maps tensor names to {"dtype","shape","data_offsets":[begin,end]} (offsets relative
// to the byte after the header) plus an optional "__metadata__" string map.
// Everything is validated; any problem throws nst::Error naming the file and the problem.
// No LibTorch here: the downloader (no torch) uses the same code.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nst::safetensors {

// Headers larger than this are refused: real ones are a few KiB (the largest language models' a
// few MiB), and a parsed JSON header costs about ten times its text, so this bounds what a corrupt
// length or a hostile server can make us allocate.
inline constexpr std::uint64_t kMaxHeaderBytes = 16ull << 20;

// Headers nested deeper than this many levels are refused while they are parsed. A valid one needs
// 3 (the object, a tensor entry, its shape); the limit keeps a hostile "[[[[..." from being built
// (and from recursing wherever it would be walked).
inline constexpr int kMaxHeaderDepth = 8;

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::size_t dtype_size(DType d);
std::string_view dtype_name(DType d);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;  // relative to data_start
    std::uint64_t end = 0;

    // Element count. Throws nst::Error for a negative dimension or a count that overflows int64
    // (parse_header never returns such a shape; this guards hand-made TensorInfos).
    [[nodiscard]] std::int64_t numel() const;
};

struct Header {
    std::uint64_t header_len = 0;   // N
    std::uint64_t data_start = 0;   // 8 + N
    std::vector<TensorInfo> tensors;  // sorted by begin offset
    std::map<std::string, std::string> metadata;

    [[nodiscard]] const TensorInfo* find(std::string_view name) const;
    // Bytes the data section must have: max end offset.
    [[nodiscard]] std::uint64_t data_size() const;
};

// Parses the JSON header text. `what` names the source in messages (a path or URL).
// Validates: JSON well-formed and nested at most kMaxHeaderDepth levels, each entry has a known
// dtype, non-negative shape, offsets with begin <= end, (end-begin) == numel*dtype_size, entries
// non-overlapping; element counts, byte counts and file offsets all fit in int64. If total_size
// is given (file size or Content-Length), also checks every tensor lies inside it.
Header parse_header(std::string_view json, std::uint64_t header_len, const std::string& what,
                    std::uint64_t total_size = UINT64_MAX);

// Reads the 8-byte length (checked against kMaxHeaderBytes and the file size) and the header.
Header read_header(const std::filesystem::path& path);

// Reads one tensor's values converted to float32 (F32/F16/BF16 only; other dtypes throw).
// Throws if any value is NaN or infinite, naming the tensor.
std::vector<float> read_as_f32(const std::filesystem::path& path, const Header& header,
                               const TensorInfo& tensor);

// Converts raw little-endian bytes of a F32/F16/BF16 tensor to float32 (no finiteness check).
std::vector<float> to_f32(DType dtype, const std::uint8_t* bytes, std::size_t nbytes);

struct OutTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes;  // raw little-endian data, size == numel * dtype_size
};

// Serialises tensors (in the given order) plus metadata into safetensors bytes.
std::vector<std::uint8_t> serialize(const std::vector<OutTensor>& tensors,
                                    const std::map<std::string, std::string>& metadata = {});

// serialize + write_file_atomically.
void write(const std::filesystem::path& path, const std::vector<OutTensor>& tensors,
           const std::map<std::string, std::string>& metadata = {});

// Convenience: a float32 tensor.
OutTensor f32_tensor(std::string name, std::vector<std::int64_t> shape, const std::vector<float>& values);

}  // namespace nst::safetensors

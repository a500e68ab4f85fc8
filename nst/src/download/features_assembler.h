#pragma once
// Collects the VGG19 features tensors out of byte ranges of a remote safetensors file, in
// whatever pieces the network delivers them: the 8-byte header length, then the header (parsed
// and checked as soon as it is complete), then only the convolution tensors VGG19 needs (every
// other tensor, features.* or not, is skipped). It also says which byte range to ask for next, so
// a download resumes exactly where an interrupted one stopped. Buffers grow only as bytes arrive:
// what a (possibly hostile) header declares costs no memory before its data comes.
// Internal to the downloader; no networking here.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "weights/safetensors.h"

namespace nst {

struct ByteRange {
    std::uint64_t begin = 0;
    std::uint64_t end = 0;  // exclusive
};

class FeaturesAssembler {
public:
    // `what` (the URL) prefixes every error message.
    explicit FeaturesAssembler(std::string what);
    // Pieces point into the object's own buffers.
    FeaturesAssembler(const FeaturesAssembler&) = delete;
    FeaturesAssembler& operator=(const FeaturesAssembler&) = delete;

    // The remote file's size when a response tells it; the header is checked against it.
    void set_remote_size(std::uint64_t size);
    [[nodiscard]] std::uint64_t remote_size() const { return remote_size_; }  // 0: unknown

    // Bytes of the remote file starting at file offset `pos`. Keeps what is still needed and
    // ignores the rest (bytes already held, the classifier). Throws nst::Error for a corrupt
    // header or a model that is not VGG19, and if `pos` lies beyond the first missing byte (the
    // caller only ever asks for ranges that start there, so that would be a server bug).
    void accept(std::uint64_t pos, std::span<const std::uint8_t> data);

    [[nodiscard]] bool complete() const { return next_piece_ == pieces_.size() && header_parsed_; }
    // File offset of the first byte still missing. Precondition: !complete().
    [[nodiscard]] std::uint64_t first_missing() const;
    // What to request next: from the first missing byte through the following needed pieces,
    // merging pieces separated by less than kMergeGap (one request costs more than that many
    // unneeded bytes). The length and the header each come alone: what follows them is unknown.
    [[nodiscard]] ByteRange next_request() const;

    // Needed bytes received so far, and in all (0 until the header has been read).
    [[nodiscard]] std::uint64_t done() const { return done_; }
    [[nodiscard]] std::uint64_t total() const { return total_; }

    // After complete(): the features tensors in file order, and the header's metadata.
    [[nodiscard]] std::vector<safetensors::OutTensor> take_tensors();
    [[nodiscard]] const std::map<std::string, std::string>& metadata() const { return metadata_; }

    static constexpr std::uint64_t kMergeGap = 1u << 20;
    // The most tensor bytes one download keeps. Only VGG19's checked shapes are kept (80 MB in
    // F32), so this is a second line of defence; it is checked before anything is reserved.
    static constexpr std::uint64_t kMaxTensorBytes = 1ull << 30;

private:
    // A run of needed bytes of the remote file and the buffer they are appended to.
    struct Piece {
        std::uint64_t offset = 0;
        std::uint64_t size = 0;
        std::vector<std::uint8_t>* dst = nullptr;
    };
    void on_length_complete();
    void on_header_complete();

    std::string what_;
    std::uint64_t remote_size_ = 0;
    std::vector<std::uint8_t> length_bytes_;
    std::vector<std::uint8_t> header_bytes_;
    bool header_parsed_ = false;
    std::vector<safetensors::OutTensor> tensors_;
    std::map<std::string, std::string> metadata_;
    std::vector<Piece> pieces_;
    std::size_t next_piece_ = 0;   // pieces before it are complete
    std::uint64_t piece_have_ = 0;  // bytes of pieces_[next_piece_] received
    std::uint64_t done_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace nst

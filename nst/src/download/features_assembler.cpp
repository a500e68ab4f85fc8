#include "download/features_assembler.h"

#include <algorithm>
#include <string_view>

#include "nst/error.h"
#include "weights/vgg19_check.h"

namespace nst {

FeaturesAssembler::FeaturesAssembler(std::string what) : what_(std::move(what)) {
    pieces_.push_back({0, 8, &length_bytes_});
}

void FeaturesAssembler::set_remote_size(std::uint64_t size) {
    if (remote_size_ == 0) remote_size_ = size;
}

std::uint64_t FeaturesAssembler::first_missing() const {
    return pieces_[next_piece_].offset + piece_have_;
}

ByteRange FeaturesAssembler::next_request() const {
    ByteRange r{first_missing(), pieces_[next_piece_].offset + pieces_[next_piece_].size};
    for (std::size_t i = next_piece_ + 1; i < pieces_.size() && pieces_[i].offset - r.end < kMergeGap; ++i)
        r.end = pieces_[i].offset + pieces_[i].size;
    return r;
}

void FeaturesAssembler::accept(std::uint64_t pos, std::span<const std::uint8_t> data) {
    while (!data.empty() && next_piece_ < pieces_.size()) {
        const Piece piece = pieces_[next_piece_];  // a copy: completing it may grow pieces_
        const std::uint64_t want = piece.offset + piece_have_;
        if (pos > want) {
            throw Error(what_ + ": the server sent byte " + std::to_string(pos) + " when byte " +
                        std::to_string(want) + " was asked for");
        }
        if (want - pos >= data.size()) return;  // all before what is needed next
        data = data.subspan(static_cast<std::size_t>(want - pos));
        pos = want;
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), piece.size - piece_have_));
        // A piece is filled front to back, so appending puts every byte at its place.
        const auto bytes = data.first(take);
        piece.dst->insert(piece.dst->end(), bytes.begin(), bytes.end());
        piece_have_ += take;
        done_ += take;
        pos += take;
        data = data.subspan(take);
        if (piece_have_ < piece.size) continue;
        ++next_piece_;
        piece_have_ = 0;
        if (next_piece_ == 1) on_length_complete();
        else if (next_piece_ == 2) on_header_complete();
    }
}

void FeaturesAssembler::on_length_complete() {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | length_bytes_[static_cast<std::size_t>(i)];
    // The same limits as safetensors::read_header, so a garbage length cannot make us download
    // gigabytes (the header buffer itself grows only as bytes arrive).
    if (remote_size_ != 0 && (remote_size_ < 8 || n > remote_size_ - 8))
        throw Error(what_ + ": header length " + std::to_string(n) + " is larger than the file (" +
                    std::to_string(remote_size_) + " bytes); not a safetensors file?");
    if (n > safetensors::kMaxHeaderBytes)
        throw Error(what_ + ": header length " + std::to_string(n) + " exceeds the limit of " +
                    std::to_string(safetensors::kMaxHeaderBytes) + " bytes; not a safetensors file?");
    if (n < 2) throw Error(what_ + ": header length " + std::to_string(n) + " is too small for a JSON object");
    header_bytes_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, 64u << 10)));  // real ones: a few KiB
    pieces_.push_back({8, n, &header_bytes_});
}

void FeaturesAssembler::on_header_complete() {
    const std::string_view text(reinterpret_cast<const char*>(header_bytes_.data()), header_bytes_.size());
    const safetensors::Header header =
        safetensors::parse_header(text, header_bytes_.size(), what_, remote_size_ != 0 ? remote_size_ : UINT64_MAX);
    // Checked before a single tensor byte is fetched: a wrong model costs a few KiB, not 80 MB.
    check_vgg19_features(header, what_);
    metadata_ = header.metadata;

    // Only tensors with checked shapes are kept, and their sum is checked against the limit
    // before any buffer is reserved. Each size is at most 2^63-1 (parse_header) and the running
    // sum stays within the limit, so the sum cannot overflow.
    std::vector<const safetensors::TensorInfo*> kept;
    std::uint64_t tensor_bytes = 0;
    for (const safetensors::TensorInfo& info : header.tensors) {  // sorted by offset: requests go forward
        if (!is_vgg19_features_tensor(info.name)) continue;
        const std::uint64_t size = info.end - info.begin;
        if (size > kMaxTensorBytes - tensor_bytes)
            throw Error(what_ + ": the VGG19 tensors need more than the limit of " + std::to_string(kMaxTensorBytes) +
                        " bytes; not a VGG19 features file?");
        tensor_bytes += size;
        kept.push_back(&info);
    }
    total_ = header.data_start + tensor_bytes;

    tensors_.reserve(kept.size());
    for (const safetensors::TensorInfo* info : kept) {
        safetensors::OutTensor t;
        t.name = info->name;
        t.dtype = info->dtype;
        t.shape = info->shape;
        // Capacity only: large blocks are mapped lazily, so memory follows the bytes received.
        t.bytes.reserve(static_cast<std::size_t>(info->end - info->begin));
        tensors_.push_back(std::move(t));
    }
    // Pointers are taken once tensors_ no longer grows.
    for (std::size_t i = 0; i < kept.size(); ++i) {
        const safetensors::TensorInfo& info = *kept[i];
        if (info.end > info.begin) pieces_.push_back({header.data_start + info.begin, info.end - info.begin, &tensors_[i].bytes});
    }
    header_parsed_ = true;
}

std::vector<safetensors::OutTensor> FeaturesAssembler::take_tensors() { return std::move(tensors_); }

}  // namespace nst

#pragma once
// A single-producer / single-consumer triple buffer. The producer always has a private slot to
// write into and publishing never waits for the consumer (it swaps its slot with the "middle" one
// in one atomic exchange); the consumer takes the newest published slot the same way. Older
// values the consumer never saw are simply overwritten, which is what a live view wants.
// Used twice: optimizer -> UI for images, and UI -> optimizer for the parameter snapshot.
#include <array>
#include <atomic>
#include <cstdint>

namespace nstv {

template <class T>
class TripleBuffer {
public:
    TripleBuffer() = default;
    TripleBuffer(const TripleBuffer&) = delete;
    TripleBuffer& operator=(const TripleBuffer&) = delete;

    // Producer side. The slot stays valid and private until publish().
    [[nodiscard]] T& back() { return slots_[back_]; }
    void publish() {
        const std::uint8_t old = middle_.exchange(back_ | kFresh, std::memory_order_acq_rel);
        back_ = old & kIndex;
    }

    // Consumer side. Returns true when a newer value was published since the last call; front()
    // then refers to it. front() stays valid until the next successful update().
    bool update() {
        if ((middle_.load(std::memory_order_relaxed) & kFresh) == 0) return false;
        const std::uint8_t old = middle_.exchange(front_, std::memory_order_acq_rel);
        front_ = old & kIndex;
        return true;
    }
    [[nodiscard]] const T& front() const { return slots_[front_]; }
    [[nodiscard]] T& front_mut() { return slots_[front_]; }

private:
    static constexpr std::uint8_t kIndex = 0x3;
    static constexpr std::uint8_t kFresh = 0x4;

    std::array<T, 3> slots_{};
    std::atomic<std::uint8_t> middle_{1};  // slot index | kFresh
    std::uint8_t back_ = 0;                // owned by the producer
    std::uint8_t front_ = 2;               // owned by the consumer
};

}  // namespace nstv

#include "gl/screenshots.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <stb_image_write.h>

#include "nst/image.h"

namespace nstv {
namespace fs = std::filesystem;

fs::path default_screenshot_dir() {
    if (const char* home = std::getenv("HOME"); home && *home) {
        const fs::path pictures = fs::path(home) / "Pictures";
        std::error_code ec;
        if (fs::is_directory(pictures, ec)) return pictures / "nst";
    }
    return fs::path(".");
}

std::string timestamped_name(const std::string& prefix) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    char out[128];
    std::snprintf(out, sizeof out, "%s-%s-%03lld", prefix.c_str(), buf, static_cast<long long>(ms));
    return out;
}

std::string fresh_output_path(const std::string& dir, const std::string& prefix, bool untrained, const std::string& ext) {
    return (std::filesystem::path(dir) / (timestamped_name(prefix) + (untrained ? "-untrained" : "") + ext))
        .lexically_normal()  // "./name" reads as just the name
        .string();
}

namespace {

std::vector<unsigned char> encode_png(const Rgba8& img) {
    std::vector<unsigned char> bytes;
    const auto sink = [](void* ctx, void* data, int size) {
        auto* v = static_cast<std::vector<unsigned char>*>(ctx);
        v->insert(v->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + size);
    };
    if (!stbi_write_png_to_func(sink, &bytes, img.width, img.height, 4, img.pixels.data(), img.width * 4))
        throw std::runtime_error("PNG encoding failed");
    return bytes;
}

std::string errno_text(const std::string& what, const fs::path& p) {
    return what + " " + p.string() + ": " + std::strerror(errno);
}

// Closes the descriptor and removes the temporary file unless released.
struct TempFile {
    int fd = -1;
    std::string path;
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        if (!path.empty()) ::unlink(path.c_str());
    }
};

}  // namespace

fs::path save_png_no_overwrite(const Rgba8& img, const fs::path& dir, const std::string& stem, const std::string& comment) {
    if (img.empty()) throw std::runtime_error("nothing to save yet");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    std::vector<unsigned char> bytes = encode_png(img);
    if (!comment.empty()) bytes = nst::png_with_text(bytes, "Comment", comment);

    TempFile tmp;
    std::string templ = (dir / ("." + stem + ".tmp-XXXXXX")).string();
    tmp.fd = ::mkstemp(templ.data());
    if (tmp.fd < 0) throw std::runtime_error(errno_text("cannot write in", dir));
    tmp.path = templ;
    for (std::size_t off = 0; off < bytes.size();) {
        const ssize_t n = ::write(tmp.fd, bytes.data() + off, bytes.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(errno_text("cannot write", tmp.path));
        }
        off += static_cast<std::size_t>(n);
    }
    if (::fsync(tmp.fd) != 0) throw std::runtime_error(errno_text("cannot flush", tmp.path));
    ::fchmod(tmp.fd, 0644);
    // link() publishes the complete file under its final name and fails rather than overwrite.
    for (int i = 1; i < 1000; ++i) {
        const fs::path target = dir / (i == 1 ? stem + ".png" : stem + "-" + std::to_string(i) + ".png");
        if (::link(tmp.path.c_str(), target.c_str()) == 0) return target;
        if (errno != EEXIST) throw std::runtime_error(errno_text("cannot create", target));
    }
    throw std::runtime_error("too many screenshots named " + stem);
}

ScreenshotSaver::ScreenshotSaver() : thread_([this] { run(); }) {}

ScreenshotSaver::~ScreenshotSaver() {
    {
        const std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

void ScreenshotSaver::save(Rgba8 img, fs::path dir, std::string stem, std::string comment) {
    {
        const std::lock_guard lock(mu_);
        jobs_.push_back(Job{std::move(img), std::move(dir), std::move(stem), std::move(comment)});
    }
    cv_.notify_one();
}

std::vector<ScreenshotSaver::Result> ScreenshotSaver::take_results() {
    std::vector<Result> out;
    std::unique_lock lock(mu_, std::try_to_lock);
    if (lock.owns_lock()) out.swap(results_);
    return out;
}

void ScreenshotSaver::run() {
    while (true) {
        Job job;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;  // stop requested and nothing pending
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        Result r;
        try {
            r.message = save_png_no_overwrite(job.img, job.dir, job.stem, job.comment).string();
            r.ok = true;
        } catch (const std::exception& e) {
            r.message = e.what();
        }
        const std::lock_guard lock(mu_);
        results_.push_back(std::move(r));
    }
}

}  // namespace nstv

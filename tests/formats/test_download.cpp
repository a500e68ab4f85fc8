// fetch_vgg19_features against tests/support/weights_server.py on loopback: what is fetched (only the
// features, byte for byte), how (few range requests, resume, streaming when Range is ignored) and
// every failure (its own one-line message, nothing left in the cache). No test touches the internet.
// Hostile headers go straight to the FeaturesAssembler (the downloader's parser), as a server
// would deliver them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <thread>

// Internal headers of nst_core (the test target only has nst/include on its include path).
#include "download/features_assembler.h"
#include "nst/layers.h"
#include "nst/weights.h"
#include "support/hostile_files.h"
#include "support/test_util.h"
#include "support/vgg19_weights.h"
#include "support/weights_server.h"
#include "weights/safetensors.h"
#include "weights/vgg19_check.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nst::test::contains;

// The served full-layout model and the features-only file a fetch of it must write. Generated
// once per test process (about 120 MB in a temporary directory).
struct Served {
    nst::test::TempDir dir;
    fs::path file = dir / "model.safetensors";
    std::vector<std::uint8_t> expected;
    std::uint64_t size = 0;
    std::uint64_t data_start = 0;
    std::uint64_t features_bytes = 0;
    std::uint64_t classifier_bytes = 0;
};

const Served& served() {
    static const std::unique_ptr<Served> s = [] {
        auto out = std::make_unique<Served>();
        auto tensors = nst::test::vgg19_full_layout_tensors(7);
        nst::safetensors::write(out->file, tensors, nst::test::kFullLayoutMetadata);
        std::erase_if(tensors, [&](const auto& t) {
            const bool features = t.name.starts_with("features.");
            (features ? out->features_bytes : out->classifier_bytes) += t.bytes.size();
            return !features;
        });
        out->expected = nst::safetensors::serialize(tensors, nst::test::kFullLayoutMetadata);
        out->size = fs::file_size(out->file);
        out->data_start = nst::safetensors::read_header(out->file).data_start;
        return out;
    }();
    return *s;
}

// Must match weights_server.py.
constexpr std::uint64_t kInterruptAfter = 2'000'000;

class Download : public ::testing::Test {
protected:
    nst::test::TempDir cache;
    fs::path dest = cache / "nst" / "vgg19-features.safetensors";
    nst::test::WeightsServer server{served().file};

    [[nodiscard]] nst::FetchOptions options(const std::string& mode) const {
        nst::FetchOptions o;
        o.url = server.url(mode);
        o.dest = dest;
        o.connect_timeout = 5s;
        o.stall_timeout = 5s;
        o.retries = 2;
        o.retry_backoff = 10ms;
        return o;
    }

    // The file written is the features subset, byte for byte, and loads like any weights file.
    void expect_fetched(const nst::FetchResult& r) {
        EXPECT_EQ(r.path, dest);
        ASSERT_TRUE(fs::exists(dest));
        EXPECT_EQ(r.file_size, served().expected.size());
        EXPECT_TRUE(nst::test::read_bytes(dest) == served().expected) << "the fetched file differs from the features subset";
        const auto header = nst::safetensors::read_header(dest);
        for (const nst::VggLayer& layer : nst::vgg19_layers()) {
            if (layer.kind != nst::LayerKind::Conv) continue;
            const std::string prefix = "features." + std::to_string(layer.index) + ".";
            const auto* w = header.find(prefix + "weight");
            const auto* b = header.find(prefix + "bias");
            ASSERT_TRUE(w && b) << prefix;
            EXPECT_EQ(w->shape, (std::vector<std::int64_t>{layer.out_channels, layer.in_channels, 3, 3}));
            EXPECT_EQ(b->shape, (std::vector<std::int64_t>{layer.out_channels}));
        }
        EXPECT_EQ(header.tensors.size(), 32u);
        EXPECT_EQ(header.metadata, nst::test::kFullLayoutMetadata);
        EXPECT_EQ(nst::test::list_dir(dest.parent_path()), std::vector<std::string>{dest.filename().string()})
            << "stray files next to the cached weights";
    }

    void expect_nothing_cached() {
        EXPECT_FALSE(fs::exists(dest));
        if (fs::exists(dest.parent_path())) {
            EXPECT_TRUE(nst::test::list_dir(dest.parent_path()).empty()) << "left behind in the cache directory";
        }
    }

    // The nst::Error message of a fetch that must fail.
    static std::string fetch_error(const nst::FetchOptions& o) {
        try {
            nst::fetch_vgg19_features(o);
        } catch (const nst::Error& e) {
            const std::string what = e.what();
            std::printf("[  message ] %s\n", what.c_str());  // for reading the wording in the log
            EXPECT_EQ(what.find('\n'), std::string::npos) << "not one line: " << what;
            EXPECT_TRUE(contains(what, o.url));
            return what;
        }
        ADD_FAILURE() << "the fetch of " << o.url << " did not fail";
        return {};
    }

    static void report(const char* what, const nst::FetchResult& r) {
        std::printf("[  bytes   ] %s: %llu bytes downloaded of a %llu-byte file (features file %llu bytes, %d requests)\n",
                    what, static_cast<unsigned long long>(r.bytes_downloaded),
                    static_cast<unsigned long long>(served().size), static_cast<unsigned long long>(r.file_size),
                    r.requests);
    }
};

TEST_F(Download, FetchesOnlyTheFeaturesWithFewRangeRequests) {
    const auto r = nst::fetch_vgg19_features(options("normal"));
    report("ranges", r);
    expect_fetched(r);
    EXPECT_TRUE(r.used_ranges);
    EXPECT_EQ(r.remote_size, served().size);

    // Only the length, the header and the features went over the wire: no classifier byte.
    const auto sent = server.bytes_sent("normal");
    EXPECT_EQ(sent, r.bytes_downloaded);
    EXPECT_EQ(sent, served().data_start + served().features_bytes);
    EXPECT_LT(sent, served().size - served().classifier_bytes + 1);
    // 8 bytes, the header, then one request per run of adjacent features tensors: the stand-in
    // classifier tensor between features.16 and features.19 splits them into two.
    const auto ranges = server.stats()["normal"]["ranges"];
    ASSERT_EQ(ranges.size(), 4u) << ranges.dump();
    EXPECT_EQ(ranges[0], "bytes=0-7");
    EXPECT_EQ(ranges[1], "bytes=8-" + std::to_string(served().data_start - 1));
    EXPECT_EQ(r.requests, 4);
}

TEST_F(Download, ReportsProgressUpToTheTotal) {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    auto o = options("normal");
    o.progress = [&](std::uint64_t done, std::uint64_t total) {
        calls.emplace_back(done, total);
        return true;
    };
    expect_fetched(nst::fetch_vgg19_features(o));
    ASSERT_FALSE(calls.empty());
    const std::uint64_t total = served().data_start + served().features_bytes;
    EXPECT_EQ(calls.back(), std::make_pair(total, total));
    for (std::size_t i = 1; i < calls.size(); ++i) {
        EXPECT_GE(calls[i].first, calls[i - 1].first) << "done went backwards";
        if (calls[i].second != 0) EXPECT_EQ(calls[i].second, total);
        EXPECT_LE(calls[i].first, total);
    }
}

TEST_F(Download, CancelsThroughProgressOrStopTokenAndLeavesNothing) {
    auto o = options("normal");
    o.progress = [](std::uint64_t done, std::uint64_t) { return done < 1'000'000; };
    EXPECT_THROW(nst::fetch_vgg19_features(o), nst::FetchCancelled);
    expect_nothing_cached();

    std::stop_source stop;
    o.stop = stop.get_token();
    o.progress = [&](std::uint64_t done, std::uint64_t) {
        if (done >= 1'000'000) stop.request_stop();  // as a viewer's UI thread would
        return true;
    };
    EXPECT_THROW(nst::fetch_vgg19_features(o), nst::FetchCancelled);
    expect_nothing_cached();
}

// How a viewer uses it: the fetch on a background thread, a stop from the UI thread, here while
// the server sends nothing at all.
TEST_F(Download, StopFromAnotherThreadEndsAStalledFetchQuickly) {
    auto o = options("stall");
    o.stall_timeout = 30s;
    std::string outcome;
    std::chrono::steady_clock::time_point stopped_at;
    {
        std::jthread worker([&](std::stop_token token) {
            auto mine = o;
            mine.stop = token;
            try {
                nst::fetch_vgg19_features(mine);
                outcome = "finished";
            } catch (const nst::FetchCancelled&) {
                outcome = "cancelled";
            } catch (const std::exception& e) {
                outcome = e.what();
            }
        });
        std::this_thread::sleep_for(300ms);
        stopped_at = std::chrono::steady_clock::now();
        worker.request_stop();
    }  // joins
    EXPECT_EQ(outcome, "cancelled");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped_at).count(), 3.0);
    expect_nothing_cached();
}

TEST_F(Download, InterruptedTransferResumesWhereItStopped) {
    const auto r = nst::fetch_vgg19_features(options("interrupt-once"));
    report("interrupted once", r);
    expect_fetched(r);
    const auto stats = server.stats()["interrupt-once"];
    // Nothing was fetched twice: the retry asked for the rest only.
    EXPECT_EQ(stats["bytes"].get<std::uint64_t>(), served().data_start + served().features_bytes);
    const auto& ranges = stats["ranges"];
    ASSERT_EQ(ranges.size(), 5u) << ranges.dump();
    EXPECT_TRUE(ranges[3].get<std::string>().starts_with("bytes=" + std::to_string(served().data_start + kInterruptAfter) + "-"))
        << ranges.dump();
}

TEST_F(Download, ServerIgnoringRangeIsStreamedOnceKeepingOnlyTheFeatures) {
    const auto r = nst::fetch_vgg19_features(options("ignore-range"));
    report("Range ignored", r);
    expect_fetched(r);
    EXPECT_FALSE(r.used_ranges);
    EXPECT_EQ(r.requests, 1);
    EXPECT_EQ(r.remote_size, served().size);
    // The stream is dropped after the last features byte; the trailing classifier is not read
    // (the server may have pushed a few socket buffers of it before noticing).
    EXPECT_LT(r.bytes_downloaded, served().size - 16'000'000);
    EXPECT_EQ(server.stats()["ignore-range"]["requests"], 1);
}

TEST_F(Download, RedirectIsFollowed) {
    expect_fetched(nst::fetch_vgg19_features(options("redirect")));
    const auto stats = server.stats();
    EXPECT_EQ(stats["redirect"]["requests"], 4);
    EXPECT_EQ(stats["normal"]["requests"], 4);
}

TEST_F(Download, NotFoundFailsAtOnce) {
    const auto msg = fetch_error(options("404"));
    EXPECT_TRUE(contains(msg, "HTTP 404"));
    EXPECT_EQ(server.stats()["404"]["requests"], 1) << "a 404 must not be retried";
    expect_nothing_cached();
}

TEST_F(Download, ForbiddenFailsAtOnce) {
    const auto msg = fetch_error(options("403"));
    EXPECT_TRUE(contains(msg, "HTTP 403"));
    EXPECT_EQ(server.stats()["403"]["requests"], 1);
    expect_nothing_cached();
}

TEST_F(Download, ServerErrorIsRetriedThenReported) {
    const auto msg = fetch_error(options("500"));
    EXPECT_TRUE(contains(msg, "HTTP 500"));
    EXPECT_TRUE(contains(msg, "gave up after 3 attempts"));
    EXPECT_EQ(server.stats()["500"]["requests"], 3);
    expect_nothing_cached();
}

TEST_F(Download, CorruptHeaderIsReported) {
    const auto msg = fetch_error(options("corrupt"));
    EXPECT_TRUE(contains(msg, "header is not valid JSON"));
    EXPECT_LE(server.bytes_sent("corrupt"), served().data_start) << "tensor data was fetched for a corrupt header";
    expect_nothing_cached();
}

TEST_F(Download, WrongShapesAreRefusedBeforeAnyTensorIsFetched) {
    const auto msg = fetch_error(options("wrong-shapes"));
    EXPECT_TRUE(contains(msg, "tensor 'features.0.weight' has shape [3,64,3,3]"));
    EXPECT_TRUE(contains(msg, "needs [64,3,3,3]"));
    EXPECT_LE(server.bytes_sent("wrong-shapes"), served().data_start + 64);
    expect_nothing_cached();
}

TEST_F(Download, HostileHeaderFromAServerIsRefused) {
    // The case 5 over real HTTP: a 100,000-deep JSON header (200 KB) once crashed the
    // downloader's error path.
    const fs::path hostile = cache / "nested.safetensors";
    nst::test::write_bytes(hostile, nst::test::safetensors_nested_header(100'000));
    const nst::test::WeightsServer hostile_server(hostile);
    auto o = options("normal");
    o.url = hostile_server.url("normal");
    EXPECT_TRUE(contains(fetch_error(o), "header JSON is nested deeper than"));
    expect_nothing_cached();
}

TEST_F(Download, TruncatedBodyIsReported) {
    const auto msg = fetch_error(options("truncated"));
    EXPECT_TRUE(contains(msg, "truncated body"));
    EXPECT_TRUE(contains(msg, "gave up after 3 attempts"));
    expect_nothing_cached();
}

TEST_F(Download, StalledServerTimesOut) {
    auto o = options("stall");
    o.stall_timeout = 1s;
    o.retries = 1;
    const auto start = std::chrono::steady_clock::now();
    const auto msg = fetch_error(o);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_TRUE(contains(msg, "timed out"));
    EXPECT_TRUE(contains(msg, "gave up after 2 attempts"));
    // Two attempts of about one second each (libcurl checks the speed once a second).
    EXPECT_LT(seconds, 8.0);
    EXPECT_EQ(server.stats()["stall"]["requests"], 2);
    expect_nothing_cached();
}

TEST_F(Download, FailedFetchKeepsTheCachedFileAndASuccessfulOneReplacesIt) {
    fs::create_directories(dest.parent_path());
    nst::test::write_text(dest, "an older cached file");
    fetch_error(options("wrong-shapes"));
    EXPECT_EQ(nst::test::list_dir(dest.parent_path()), std::vector<std::string>{dest.filename().string()});
    const auto kept = nst::test::read_bytes(dest);
    EXPECT_EQ(std::string(kept.begin(), kept.end()), "an older cached file");
    expect_fetched(nst::fetch_vgg19_features(options("normal")));
}

TEST(DownloadUrl, OnlyHttpsOrLoopbackHttpIsAccepted) {
    for (const char* ok : {"https://huggingface.co/timm/vgg19.tv_in1k/resolve/main/model.safetensors",
                           "http://127.0.0.1:8000/x", "http://127.3.4.5/x", "http://localhost:1/x", "http://[::1]:8/x"}) {
        EXPECT_NO_THROW(nst::check_weights_url(ok)) << ok;
    }
    for (const char* bad : {"http://example.com/model.safetensors", "http://10.0.0.1/x", "http://127.0.0.1.example.com/x",
                            "ftp://example.com/x", "file:///etc/passwd", "not a url", ""}) {
        EXPECT_THROW(nst::check_weights_url(bad), nst::UsageError) << bad;
    }
    nst::FetchOptions o;
    o.url = "http://example.com/model.safetensors";
    try {
        nst::fetch_vgg19_features(o);
        ADD_FAILURE() << "plain http to another host was accepted";
    } catch (const nst::UsageError& e) {
        EXPECT_TRUE(contains(e.what(), "only https://"));
        EXPECT_TRUE(contains(e.what(), o.url));
    }
}

TEST(DownloadUrl, UnreachableServerFailsAtOnceSayingOffline) {
    const nst::test::TempDir dir;
    nst::FetchOptions o;
    o.url = "http://127.0.0.1:1/model.safetensors";  // nothing listens on port 1: refused at once
    o.dest = dir / "vgg19-features.safetensors";
    const auto start = std::chrono::steady_clock::now();
    try {
        nst::fetch_vgg19_features(o);
        ADD_FAILURE() << "no error";
    } catch (const nst::Error& e) {
        EXPECT_TRUE(contains(e.what(), "cannot connect"));
        EXPECT_TRUE(contains(e.what(), "offline"));
        EXPECT_TRUE(contains(e.what(), o.url));
    }
    // Not retried: an offline run falls back to untrained features without waiting.
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
    EXPECT_TRUE(nst::test::list_dir(dir.path()).empty());
}

TEST(DownloadUrl, DefaultUrlAndEnvironmentOverride) {
    const char* saved = std::getenv("NST_WEIGHTS_URL");
    const std::string old = saved ? saved : "";
    ::unsetenv("NST_WEIGHTS_URL");
    EXPECT_EQ(nst::weights_url_from_env(), nst::kDefaultWeightsUrl);
    ::setenv("NST_WEIGHTS_URL", "https://mirror.example/vgg19.safetensors", 1);
    EXPECT_EQ(nst::weights_url_from_env(), "https://mirror.example/vgg19.safetensors");
    if (saved) ::setenv("NST_WEIGHTS_URL", old.c_str(), 1);
    else ::unsetenv("NST_WEIGHTS_URL");
}

// ---------------------------------------------------------------------------------------------
// FeaturesAssembler on hostile headers: what a server declares is never trusted for memory.

constexpr const char* kUrl = "https://example.com/model.safetensors";

// A tensor declared in a hand-built header (no data needed: the assembler parses the header first).
struct Entry {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::uint64_t nbytes = 0;
};

// Every VGG19 convolution as F32, in layer order: what the real model declares.
std::vector<Entry> vgg19_entries() {
    std::vector<Entry> out;
    for (const nst::VggLayer& layer : nst::vgg19_layers()) {
        if (layer.kind != nst::LayerKind::Conv) continue;
        const auto in = static_cast<std::uint64_t>(layer.in_channels);
        const auto outc = static_cast<std::uint64_t>(layer.out_channels);
        const std::string prefix = "features." + std::to_string(layer.index);
        out.push_back({prefix + ".weight", "F32", {outc, in, 3, 3}, outc * in * 9 * 4});
        out.push_back({prefix + ".bias", "F32", {outc}, outc * 4});
    }
    return out;
}

// The length prefix and header of a file holding `entries` back to back, in this order.
std::vector<std::uint8_t> file_start(const std::vector<Entry>& entries) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    std::uint64_t offset = 0;
    for (const Entry& e : entries) {
        header[e.name] = {{"dtype", e.dtype}, {"shape", e.shape}, {"data_offsets", {offset, offset + e.nbytes}}};
        offset += e.nbytes;
    }
    const std::string text = header.dump();
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(text.size() >> (8 * i)));
    out.insert(out.end(), text.begin(), text.end());
    return out;
}

std::uint64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t growth_since(std::uint64_t before) {
    const std::uint64_t now = resident_bytes();
    return now > before ? now - before : 0;
}

// Feeds `bytes` (the remote file from offset 0) in network-sized chunks; returns the nst::Error
// message, or "" when none was thrown. Any other exception fails the test.
std::string feed(nst::FeaturesAssembler& a, const std::vector<std::uint8_t>& bytes) {
    constexpr std::size_t kChunk = 16 << 10;
    try {
        for (std::size_t pos = 0; pos < bytes.size(); pos += kChunk) {
            a.accept(pos, std::span(bytes).subspan(pos, std::min(kChunk, bytes.size() - pos)));
        }
    } catch (const nst::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "an exception other than nst::Error: " << e.what();
        return e.what();
    }
    return {};
}

TEST(FeaturesAssembler, DeeplyNestedHeaderFromTheNetworkIsRefused) {
    // 100,000 nested arrays (200 KB): this crashed the parser's error path with a stack overflow.
    const std::string deep = "{\"x\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(deep.size() >> (8 * i)));
    bytes.insert(bytes.end(), deep.begin(), deep.end());
    nst::FeaturesAssembler a(kUrl);
    const std::string msg = feed(a, bytes);
    EXPECT_TRUE(contains(msg, kUrl));
    EXPECT_TRUE(contains(msg, "header JSON is nested deeper than " + std::to_string(nst::safetensors::kMaxHeaderDepth) + " levels"));
}

// A full-size extra features.99.weight (not a VGG19 tensor) of 2^40 or 2^31 bytes, before or
// after the real ones, with no remote size known: it was zero-filled up front (std::bad_alloc, or
// 2.1 GB resident). Now it is ignored: nothing allocated, none of its bytes asked for.
TEST(FeaturesAssembler, UndeclaredFeaturesTensorsAreIgnoredWithoutAllocating) {
    const auto vgg = vgg19_entries();
    std::uint64_t vgg_bytes = 0;
    for (const Entry& e : vgg) vgg_bytes += e.nbytes;
    for (const std::uint64_t extra_size : {std::uint64_t{1} << 40, std::uint64_t{1} << 31}) {
        for (const bool extra_first : {false, true}) {
            SCOPED_TRACE(std::to_string(extra_size) + (extra_first ? " bytes, first" : " bytes, last"));
            auto entries = vgg;
            const Entry extra{"features.99.weight", "U8", {extra_size}, extra_size};
            entries.insert(extra_first ? entries.begin() : entries.end(), extra);
            const auto start = file_start(entries);
            const std::uint64_t data_start = start.size();
            const std::uint64_t extra_begin = data_start + (extra_first ? 0 : vgg_bytes);
            const std::uint64_t extra_end = extra_begin + extra_size;

            nst::FeaturesAssembler a(kUrl);
            const std::uint64_t before = resident_bytes();
            ASSERT_EQ(feed(a, start), "");
            const std::uint64_t growth = growth_since(before);
            EXPECT_LT(growth, 100u << 20) << "resident memory grew by " << growth << " bytes for a header";
            EXPECT_FALSE(a.complete());
            EXPECT_EQ(a.total(), data_start + vgg_bytes) << "the extra tensor counts towards the download";

            // Serve what is asked for until complete: never a byte of the extra tensor.
            const std::vector<std::uint8_t> zeros(1 << 20, 0);
            int requests = 0;
            while (!a.complete() && ++requests < 100) {
                const nst::ByteRange r = a.next_request();
                ASSERT_TRUE(r.end <= extra_begin || r.begin >= extra_end)
                    << "asked for bytes " << r.begin << "-" << r.end << " of the ignored tensor";
                for (std::uint64_t pos = r.begin; pos < r.end;) {
                    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), r.end - pos));
                    a.accept(pos, std::span(zeros).first(n));
                    pos += n;
                }
            }
            ASSERT_TRUE(a.complete());
            const auto tensors = a.take_tensors();
            EXPECT_EQ(tensors.size(), vgg.size());
            for (const auto& t : tensors) EXPECT_NE(t.name, "features.99.weight");
        }
    }
}

TEST(FeaturesAssembler, KeepsExactlyTheTensorsTheVgg19CheckValidates) {
    EXPECT_TRUE(nst::is_vgg19_features_tensor("features.0.weight"));
    EXPECT_TRUE(nst::is_vgg19_features_tensor("features.34.bias"));
    EXPECT_FALSE(nst::is_vgg19_features_tensor("features.1.weight"));  // a ReLU: no parameters
    EXPECT_FALSE(nst::is_vgg19_features_tensor("features.99.weight"));
    EXPECT_FALSE(nst::is_vgg19_features_tensor("features.0.weight.extra"));
    EXPECT_FALSE(nst::is_vgg19_features_tensor("classifier.0.weight"));
}

TEST(FeaturesAssembler, RemoteSizeSmallerThanTheLengthFieldIsRefused) {
    nst::FeaturesAssembler a(kUrl);
    a.set_remote_size(5);  // a server claiming a 5-byte file that still sends 8 bytes
    const std::string msg = feed(a, {2, 0, 0, 0, 0, 0, 0, 0});
    EXPECT_TRUE(contains(msg, kUrl));
    EXPECT_TRUE(contains(msg, "header length 2 is larger than the file (5 bytes)"));
}

TEST(FeaturesAssembler, HugeDeclaredHeaderLengthAllocatesNothingUpFront) {
    // 100 MB (the limit) declared, 10 bytes sent: memory follows what arrives.
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(nst::safetensors::kMaxHeaderBytes >> (8 * i)));
    bytes.insert(bytes.end(), {'{', '"'});
    nst::FeaturesAssembler a(kUrl);
    const std::uint64_t before = resident_bytes();
    EXPECT_EQ(feed(a, bytes), "");
    EXPECT_LT(growth_since(before), 50u << 20);
    EXPECT_EQ(a.next_request().begin, 10u);
    EXPECT_EQ(a.next_request().end, 8 + nst::safetensors::kMaxHeaderBytes);
}

}  // namespace

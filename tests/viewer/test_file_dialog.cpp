// The desktop file dialog's selection and its protocol with zenity / kdialog / the portal (through
// gdbus), with fake programs on a temporary PATH: no desktop needed.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "session/file_dialog.h"

namespace nstv {
namespace {
namespace fs = std::filesystem;

class FakeTools : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("nst-dialog-test-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    void tool(const std::string& name, const std::string& body) {
        const fs::path p = dir_ / name;
        std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
        chmod(p.c_str(), 0755);
    }
    [[nodiscard]] std::string path() const { return dir_.string(); }
    fs::path dir_;
};

TEST_F(FakeTools, ChoosesWhatIsOnPathInOrder) {
    const auto no_portal = [] { return false; };
    const auto portal = [] { return true; };
    EXPECT_EQ(choose_dialog_tool(path(), "", no_portal), DialogTool::None);
    tool("kdialog", "exit 0");
    EXPECT_EQ(choose_dialog_tool(path(), "", no_portal), DialogTool::Kdialog);
    tool("zenity", "exit 0");
    EXPECT_EQ(choose_dialog_tool(path(), "", no_portal), DialogTool::Zenity);
    EXPECT_EQ(choose_dialog_tool(path(), "", portal), DialogTool::Zenity);  // no gdbus: the portal is not asked
    tool("gdbus", "exit 0");
    EXPECT_EQ(choose_dialog_tool(path(), "", portal), DialogTool::Portal);
    EXPECT_EQ(choose_dialog_tool(path(), "", no_portal), DialogTool::Zenity);
    EXPECT_EQ(choose_dialog_tool(path(), "kdialog", portal), DialogTool::Kdialog);
    EXPECT_EQ(choose_dialog_tool(path(), "none", portal), DialogTool::None);
    fs::remove(dir_ / "kdialog");
    EXPECT_EQ(choose_dialog_tool(path(), "kdialog", portal), DialogTool::None);  // forced but missing
}

TEST_F(FakeTools, ZenityChosenCancelledFailed) {
    // The fake records its arguments and prints a path.
    tool("zenity", "echo \"$@\" > \"$(dirname \"$0\")/args\"; echo '/home/u/my session.json'; exit 0");
    DialogResult r = run_dialog(DialogTool::Zenity, DialogKind::Save, "Save the session", "/home/u/", path());
    EXPECT_EQ(r.status, DialogResult::Status::Chosen);
    EXPECT_EQ(r.path, "/home/u/my session.json");
    std::string args;
    std::getline(std::ifstream(dir_ / "args"), args);
    EXPECT_NE(args.find("--file-selection"), std::string::npos) << args;
    EXPECT_NE(args.find("--save --confirm-overwrite"), std::string::npos) << args;
    EXPECT_NE(args.find("--filename=/home/u/"), std::string::npos) << args;

    tool("zenity", "exit 1");
    EXPECT_EQ(run_dialog(DialogTool::Zenity, DialogKind::Open, "t", "", path()).status, DialogResult::Status::Cancelled);
    tool("zenity", "exit 5");
    r = run_dialog(DialogTool::Zenity, DialogKind::Open, "t", "", path());
    EXPECT_EQ(r.status, DialogResult::Status::Failed);
    EXPECT_NE(r.detail.find("exited with 5"), std::string::npos) << r.detail;
    fs::remove(dir_ / "zenity");
    EXPECT_EQ(run_dialog(DialogTool::Zenity, DialogKind::Open, "t", "", path()).status, DialogResult::Status::Failed);
}

TEST_F(FakeTools, KdialogOpen) {
    tool("kdialog", "echo \"$@\" > \"$(dirname \"$0\")/args\"; echo /tmp/a.json");
    const DialogResult r = run_dialog(DialogTool::Kdialog, DialogKind::Open, "Open a session", "/tmp", path());
    EXPECT_EQ(r.status, DialogResult::Status::Chosen);
    EXPECT_EQ(r.path, "/tmp/a.json");
    std::string args;
    std::getline(std::ifstream(dir_ / "args"), args);
    EXPECT_NE(args.find("--getopenfilename /tmp"), std::string::npos) << args;
}

// A fake gdbus: "call" answers with a request handle and leaves the handle_token for "monitor",
// which prints the portal's Response signal for that token (as gdbus monitor prints it).
TEST_F(FakeTools, PortalResponseParsed) {
    tool("gdbus",
         "d=$(dirname \"$0\")\n"
         "case \"$1\" in\n"
         "monitor) echo 'Monitoring signals from all objects owned by org.freedesktop.portal.Desktop'\n"
         "  while [ ! -f \"$d/token\" ]; do sleep 0.05; done\n"
         "  t=$(cat \"$d/token\")\n"
         "  echo \"/org/freedesktop/portal/desktop/request/1_9/other: org.freedesktop.portal.Request.Response (uint32 1, @a{sv} {})\"\n"
         "  echo \"/org/freedesktop/portal/desktop/request/1_9/$t: org.freedesktop.portal.Request.Response (uint32 $(cat \"$d/code\"), {'uris': <['file:///home/u/a%20b.json']>})\"\n"
         "  sleep 5;;\n"
         "call) for a in \"$@\"; do case \"$a\" in *handle_token*) echo \"$a\" | sed \"s/.*handle_token': <'\\([^']*\\)'.*/\\1/\" > \"$d/token\";; esac; done\n"
         "  echo \"(objectpath '/org/freedesktop/portal/desktop/request/1_9/x',)\";;\n"
         "esac");
    std::ofstream(dir_ / "code") << "0\n";
    DialogResult r = run_dialog(DialogTool::Portal, DialogKind::Open, "Open a session", "", path());
    EXPECT_EQ(r.status, DialogResult::Status::Chosen) << r.detail;
    EXPECT_EQ(r.path, "/home/u/a b.json");
    fs::remove(dir_ / "token");
    std::ofstream(dir_ / "code") << "1\n";
    r = run_dialog(DialogTool::Portal, DialogKind::Save, "Save", "/home/u/s.json", path());
    EXPECT_EQ(r.status, DialogResult::Status::Cancelled) << r.detail;
}

TEST(FileUri, Decoded) {
    EXPECT_EQ(path_from_file_uri("file:///a%20b/c.json"), "/a b/c.json");
    EXPECT_EQ(path_from_file_uri("file://localhost/x"), "/x");
    EXPECT_EQ(path_from_file_uri("https://x/y"), "");
    EXPECT_EQ(path_from_file_uri("file://otherhost/x"), "");
}

}  // namespace
}  // namespace nstv

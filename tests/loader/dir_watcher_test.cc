#include "loader/dir_watcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tern {
namespace {

TEST(DirWatcherTest, WakesOnChangesAndOnInterrupt) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tern_watch_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto watcher = DirWatcher::Create();
  watcher->Watch({dir.string(), (dir / "missing").string()});
  EXPECT_FALSE(watcher->Wait(std::chrono::milliseconds(1)));

  fs::create_directory(dir / "1");
  EXPECT_TRUE(watcher->Wait(std::chrono::seconds(10)));
  EXPECT_FALSE(watcher->Wait(std::chrono::milliseconds(1)));  // drained

  std::ofstream(dir / "file") << "x";
  EXPECT_TRUE(watcher->Wait(std::chrono::seconds(10)));

  watcher->Interrupt();
  EXPECT_TRUE(watcher->Wait(std::chrono::seconds(10)));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tern

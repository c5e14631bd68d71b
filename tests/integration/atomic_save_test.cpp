// Crash-safe saves: a save killed with SIGKILL at any moment leaves the file loadable, as either
// the old model or the new one, never a torn mix; a symlink at the target is replaced, not
// followed.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <optional>
#include <random>
#include <thread>

#include "test_support.hpp"

namespace {

using namespace mlpersist;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kKills = 40;
constexpr Eigen::Index kRows = 60'000;  // 9.6 MB of training set in the saved KNN

// A nearest-neighbours model stores its training set, so saving it takes a while.
std::shared_ptr<Estimator> large_model(unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(-1, 1);
  Matrix X(kRows, 20);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = uniform(rng);
  Vector y(kRows);
  for (Eigen::Index i = 0; i < kRows; ++i) y(i) = static_cast<double>(rng() % 3);
  auto knn = test::registry().create("neighbors.KNeighborsClassifier");
  knn->fit(X, y);
  return knn;
}

constexpr std::string_view kTemporaryPrefix = ".model.bin.tmp";

// The temporary files of saves to dir/model.bin (a killed save cannot remove its own).
std::vector<fs::path> temporaries(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().starts_with(kTemporaryPrefix))
      found.push_back(entry.path());
  return found;
}

bool running(pid_t child) {
  siginfo_t info{};
  return ::waitid(P_PID, child, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
}

pid_t start_saving(const Estimator& model, const fs::path& file) {
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    try {
      dump(test::registry(), model, file);
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  return child;
}

// Waits until the save's temporary file exists (it is writing) or the child is gone.
void wait_for_writing(const fs::path& dir, pid_t child) {
  while (temporaries(dir).empty() && running(child))
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

void reap(pid_t child) {
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "the save itself failed";
}

using Micros = std::chrono::microseconds;
struct SaveTiming {
  Micros lifetime;  // fork to exit
  Micros writing;   // from the temporary file's creation to exit
};

SaveTiming time_a_save(const Estimator& model, const fs::path& file) {
  const auto start = Clock::now();
  const pid_t child = start_saving(model, file);
  wait_for_writing(file.parent_path(), child);
  const auto writing = Clock::now();
  reap(child);
  const auto end = Clock::now();
  return {std::chrono::duration_cast<Micros>(end - start),
          std::chrono::duration_cast<Micros>(end - writing)};
}

TEST(AtomicSave, KilledSavesLeaveTheOldOrTheNewModel) {
  const fs::path dir = test::temp_dir();
  const fs::path file = dir / "model.bin";
  const auto models = std::array{large_model(1), large_model(2)};
  std::array<Value, 2> documents;
  for (int m = 0; m < 2; ++m) {
    dump(test::registry(), *models[m], file);
    documents[m] = read_document(test::registry(), file).root;
  }
  const SaveTiming timing = time_a_save(*models[0], file);
  std::mt19937 rng(20261128);
  // Half the kills anywhere in a save's life (and past it: lifetimes vary on a busy machine),
  // half while it writes, syncs and renames, where a torn file could happen.
  std::uniform_int_distribution<std::int64_t> anytime(0, timing.lifetime.count() * 3 / 2);
  std::uniform_int_distribution<std::int64_t> while_writing(0, timing.writing.count() * 3 / 2);
  std::array<int, 2> outcomes{};  // [0]: the old model stayed, [1]: the new one replaced it
  std::size_t torn_temporaries = 0;
  int current = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    const pid_t child = start_saving(*models[1 - current], file);
    if (kill % 2 == 1) wait_for_writing(dir, child);
    std::this_thread::sleep_for(Micros(kill % 2 == 1 ? while_writing(rng) : anytime(rng)));
    ::kill(child, SIGKILL);
    reap(child);
    const Document loaded = read_document(test::registry(), file);
    const bool replaced = loaded.root == documents[1 - current];
    ASSERT_TRUE(replaced || loaded.root == documents[current]) << "torn file after kill " << kill;
    (void)instantiate(test::registry(), loaded);
    ++outcomes[replaced];
    if (replaced) current = 1 - current;
    for (const fs::path& temporary : temporaries(dir)) {
      ++torn_temporaries;
      fs::remove(temporary);
    }
  }
  std::cout << "[atomic save] " << kKills << " saves of a " << fs::file_size(file) / (1 << 20)
            << " MiB model (" << timing.lifetime.count() / 1000 << " ms, the last "
            << timing.writing.count() / 1000
            << " ms writing) killed at random moments: " << outcomes[0] << " left the old model, "
            << outcomes[1] << " the new one, none torn; " << torn_temporaries
            << " were killed while writing and left a temporary file\n";
  // Kills must land on both sides of the rename, and in the middle of writing.
  EXPECT_GE(outcomes[0], 1);
  EXPECT_GE(outcomes[1], 1);
  EXPECT_GE(torn_temporaries, 1u);
}

TEST(AtomicSave, ReplacesASymlinkInsteadOfWritingThroughIt) {
  const fs::path dir = test::temp_dir();
  { std::ofstream(dir / "victim") << "precious"; }
  fs::create_symlink(dir / "victim", dir / "model.bin");
  const Dataset iris = test::load_dataset("iris");
  auto scaler = test::registry().create("preprocessing.StandardScaler");
  scaler->fit(iris.X, iris.y);
  dump(test::registry(), *scaler, dir / "model.bin");
  EXPECT_FALSE(fs::is_symlink(dir / "model.bin"));
  std::ifstream victim(dir / "victim");
  std::string content;
  victim >> content;
  EXPECT_EQ(content, "precious");
  EXPECT_EQ(load(test::registry(), dir / "model.bin")->type_tag(), "preprocessing.StandardScaler");
}

}  // namespace

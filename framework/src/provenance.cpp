#include <rapidjson/rapidjson.h>
#include <sodium.h>
#include <sys/utsname.h>

#include <Eigen/Core>
#include <bit>
#include <boost/version.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <mlpersist/error.hpp>
#include <mlpersist/provenance.hpp>
#include <mlpersist/version.hpp>
#include <msgpack/version.hpp>
#include <sstream>

#include "detail/file_io.hpp"

namespace mlpersist {
namespace {

namespace fs = std::filesystem;

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

// First line of a small text file under .git, without its newline; empty when unreadable.
std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

bool is_commit_id(const std::string& s) {
  return (s.size() == 40 || s.size() == 64) &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The git directory of the work tree containing `dir`: `.git` itself, or where a `.git` file
// (worktrees, submodules) points.
std::optional<fs::path> find_git_dir(fs::path dir) {
  std::error_code ec;
  for (; !dir.empty(); dir = dir.parent_path()) {
    const fs::path dot_git = dir / ".git";
    if (fs::is_directory(dot_git, ec)) return dot_git;
    if (fs::is_regular_file(dot_git, ec)) {
      const std::string line = first_line(dot_git);
      if (!line.starts_with("gitdir: ")) return std::nullopt;
      const fs::path target(line.substr(8));
      return target.is_absolute() ? target : dir / target;
    }
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

// A ref's commit: a loose ref file, else a line of packed-refs.
std::string resolve_ref(const fs::path& common_dir, const std::string& ref) {
  if (std::string id = first_line(common_dir / ref); is_commit_id(id)) return id;
  std::ifstream packed(common_dir / "packed-refs");
  for (std::string line; std::getline(packed, line);) {
    const auto space = line.find(' ');
    if (space != std::string::npos && line.substr(space + 1) == ref &&
        is_commit_id(line.substr(0, space)))
      return line.substr(0, space);
  }
  return {};
}

std::string compiler() {
#if defined(__clang__)
  return "Clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown";
#endif
}

std::string dotted(int a, int b, int c) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
}

}  // namespace

std::string sha256_hex(std::span<const std::byte> bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return to_hex(digest, sizeof digest);
}

std::string sha256_file(const fs::path& file) {
  const detail::FileBytes f = detail::read_file(file, /*map=*/true);
  return sha256_hex(f.bytes);
}

TrainingData TrainingData::of_file(const fs::path& file, std::int64_t rows, std::int64_t columns,
                                   std::string target) {
  return {sha256_file(file), file.string(), rows, columns, std::move(target)};
}

Value TrainingData::to_value() const {
  Map m;
  m.insert("sha256", sha256);
  m.insert("uri", uri);
  m.insert("rows", rows);
  m.insert("columns", columns);
  if (!target.empty()) m.insert("target", target);
  return m;
}

TrainingData TrainingData::from_node(const Node& node) {
  TrainingData t;
  t.sha256 = node["sha256"].as_string();
  if (t.sha256.size() != 64 || !is_commit_id(t.sha256))
    node["sha256"].fail("expected 64 lowercase hex digits");
  t.uri = node["uri"].as_string();
  t.rows = node["rows"].as_int(0);
  t.columns = node["columns"].as_int(0);
  if (auto target = node.find("target")) t.target = target->as_string();
  return t;
}

SourceInfo SourceInfo::of_current_program() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  SourceInfo s;
  if (!ec) {
    s.program = exe.string();
    s.sha256 = sha256_file(exe);
  }
  s.git_commit = git_head_commit(fs::current_path(ec));
  return s;
}

Value SourceInfo::to_value() const {
  Map m;
  m.insert("program", program);
  m.insert("sha256", sha256);
  if (!git_commit.empty()) m.insert("git_commit", git_commit);
  return m;
}

std::string git_head_commit(const fs::path& directory) {
  const auto git_dir = find_git_dir(fs::absolute(directory));
  if (!git_dir) return {};
  // Linked worktrees keep their refs in the main repository ("commondir").
  fs::path common = *git_dir;
  if (const std::string c = first_line(*git_dir / "commondir"); !c.empty())
    common = fs::path(c).is_absolute() ? fs::path(c) : *git_dir / c;
  const std::string head = first_line(*git_dir / "HEAD");
  if (is_commit_id(head)) return head;  // detached HEAD
  if (!head.starts_with("ref: ")) return {};
  return resolve_ref(common, head.substr(5));
}

Value build_environment() {
  // The same for the life of the process, and asked for at every save.
  static const Value environment = [] {
    utsname u{};
    uname(&u);
    Map m;
    m.insert("mlpersist", MLPERSIST_VERSION_STRING);
    m.insert("eigen", dotted(EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION));
    m.insert("msgpack_c",
             dotted(MSGPACK_VERSION_MAJOR, MSGPACK_VERSION_MINOR, MSGPACK_VERSION_REVISION));
    m.insert("rapidjson", RAPIDJSON_VERSION_STRING);
    m.insert("boost",
             dotted(BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100));
    m.insert("compiler", compiler());
    m.insert("cxx_standard", static_cast<std::int64_t>(__cplusplus));
    m.insert("os", std::string(u.sysname) + " " + u.release);
    m.insert("cpu", std::string(u.machine));
    m.insert("endianness", std::endian::native == std::endian::little ? "little" : "big");
    return Value(std::move(m));
  }();
  return environment;
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace mlpersist

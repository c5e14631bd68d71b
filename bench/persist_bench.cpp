// Save and load speed of mlpersist against the limits of the machine and against its peers,
// all rows interleaved round-robin in one run (issue 19; harness.hpp says how each sample is
// taken). Only ratios within a run mean anything on a shared machine.
//
//   build-bench/bin/persist_bench [--mb 256] [--rounds 5] [--warmup 2] [--scrub-mb N]
//                                 [--json-mb 16] [--no-huge] [--filter TEXT]
//
// Large: a KNeighborsClassifier whose state is an N x 8 float64 training matrix (--mb MB) and
// its int64 class indices. Limits and peers (baselines.hpp) move the same bytes. JSON, twenty
// times slower, runs on a smaller model (--json-mb). Huge: a mapped load of a model four times
// as large, to show that it does not depend on the size. Small: an iris SVC round trip against
// cereal's archive of the same arrays. The run ends with a markdown table.

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/persist.hpp>
#include <random>
#include <sstream>
#include <stdexcept>

#include "baselines.hpp"
#include "small_model.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;
using bench::Goal;
using bench::Harness;
using bench::Subject;
namespace row = bench::row;

struct Args {
  std::size_t mb = 256;
  std::size_t json_mb = 16;
  bool huge = true;
  bench::Options options;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--mb")
      a.mb = std::stoul(next());
    else if (arg == "--json-mb")
      a.json_mb = std::stoul(next());
    else if (arg == "--rounds")
      a.options.rounds = std::stoi(next());
    else if (arg == "--warmup")
      a.options.warmup = std::stoi(next());
    else if (arg == "--scrub-mb")
      a.options.scrub_bytes = std::stoul(next()) << 20;
    else if (arg == "--filter")
      a.options.filter = next();
    else if (arg == "--no-huge")
      a.huge = false;
    else
      throw std::runtime_error("unknown argument " + arg);
  }
  return a;
}

const fs::path& scratch() {
  static const fs::path dir = [] {
    const fs::path shm = "/dev/shm";
    fs::path d = (fs::is_directory(shm) ? shm : fs::temp_directory_path()) /
                 ("mlpersist-bench-" + std::to_string(getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

const Registry& registry() {
  static const Registry r = Registry::with_default_plugins();
  return r;
}

// A KNeighborsClassifier on `rows` x 8 normal noise (the matrix is copied by fit and freed).
std::shared_ptr<Estimator> knn(std::size_t mb) {
  const auto rows = static_cast<Eigen::Index>(mb * 1'000'000 / 64);
  auto e = registry().create("neighbors.KNeighborsClassifier");
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise;
  Matrix x(rows, 8);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = noise(rng);
  Vector y(rows);
  for (Eigen::Index i = 0; i < rows; ++i) y(i) = static_cast<double>(i % 3);
  e->fit(x, y);
  return e;
}

const Tensor& state_tensor(const Value& doc, const char* name) {
  return doc.as_map().find("state")->as_map().find(name)->as_tensor();
}

// A model under test with what its rows compare against.
struct Model {
  std::shared_ptr<Estimator> estimator;
  Value doc;  // its saved document, sharing the tensors
  std::string artifact;
  Subject subject;
};

Model make_model(std::size_t mb, const std::string& tag) {
  Model m;
  m.estimator = knn(mb);
  SaveContext ctx;
  m.doc = ctx.save_nested(*m.estimator);
  m.artifact = dumps(registry(), *m.estimator);
  const Tensor& x = state_tensor(m.doc, "_fit_X");
  const Tensor& y = state_tensor(m.doc, "_y");
  m.subject = {scratch() / tag, x.values<double>(), y.values<std::int64_t>(),
               std::as_bytes(std::span(m.artifact.data(), m.artifact.size()))};
  fs::create_directories(m.subject.dir);
  return m;
}

// Every load is checked: the loaded model's arrays must be the saved ones, bit for bit.
void expect_model(const Subject& s, const Estimator& e, const std::string& what) {
  SaveContext ctx;
  const Value doc = ctx.save_nested(e);
  const Tensor& x = state_tensor(doc, "_fit_X");
  const Tensor& y = state_tensor(doc, "_y");
  bench::expect_bytes(std::as_bytes(s.x), x.data(), x.nbytes(), what);
  bench::expect_bytes(std::as_bytes(s.y), y.data(), y.nbytes(), what);
}

// A row that loads into `result` and checks it afterwards.
bench::Row load_row(const std::string& name, const Subject& s, std::vector<Goal> vs,
                    std::function<std::shared_ptr<Estimator>()> load) {
  auto result = std::make_shared<std::shared_ptr<Estimator>>();
  return {.name = name,
          .bytes = s.artifact.size(),
          .op = [=](int) { *result = load(); },
          .check =
              [=] {
                expect_model(s, **result, name);
                result->reset();
              },
          .vs = std::move(vs)};
}

// Saves are checked once, on their first run (a warm-up round): what they wrote loads back
// equal. `save` is timed; `saved` returns the artifact it wrote.
bench::Row save_row(const std::string& name, const Subject& s, std::vector<Goal> vs,
                    std::function<void()> save, std::function<std::string()> saved) {
  auto checked = std::make_shared<bool>(false);
  return {.name = name,
          .bytes = s.artifact.size(),
          .op = [=](int) { save(); },
          .check =
              [=] {
                if (!*checked) expect_model(s, *loads(registry(), saved()), name);
                *checked = true;
              },
          .vs = std::move(vs)};
}

std::string read_back(const fs::path& file) {
  std::string bytes(fs::file_size(file), '\0');
  FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot read back " + file.string());
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), f));
  std::fclose(f);
  return bytes;
}

void add_saves(Harness& h, const Model& m, const std::string& format, std::vector<Goal> file_vs,
               std::vector<Goal> bytes_vs) {
  const Estimator& e = *m.estimator;
  const fs::path file = m.subject.dir / ("ours-save." + format);
  const SaveOptions options{.format = format};
  h.add(save_row(
      format + " save, file", m.subject, std::move(file_vs),
      [=, &e] { dump(registry(), e, file, options); }, [=] { return read_back(file); }));
  auto out = std::make_shared<std::string>();
  h.add(save_row(
      format + " save, bytes", m.subject, std::move(bytes_vs),
      [=, &e] { *out = dumps(registry(), e, options); },
      [=] { return std::exchange(*out, std::string()); }));
}

// Copy loads from a file and from bytes; `shared`: bytes that tensors may borrow.
void add_copy_loads(Harness& h, const Model& m, const std::string& format,
                    std::vector<Goal> file_vs, std::vector<Goal> bytes_vs,
                    std::vector<Goal> shared_vs) {
  const Subject& s = m.subject;
  const fs::path file = s.dir / ("ours-load." + format);
  const SaveOptions save{.format = format};
  dump(registry(), *m.estimator, file, save);
  const auto bytes = std::make_shared<const std::string>(dumps(registry(), *m.estimator, save));
  LoadOptions copy;
  copy.mmap = false;
  h.add(load_row(format + " load, file (copy)", s, std::move(file_vs),
                 [=] { return load(registry(), file, copy); }));
  h.add(load_row(format + " load, bytes (copy)", s, std::move(bytes_vs),
                 [=] { return loads(registry(), *bytes); }));
  const auto span = std::as_bytes(std::span(bytes->data(), bytes->size()));
  h.add(load_row(format + " load, shared bytes (borrowed)", s, std::move(shared_vs),
                 [=] { return loads(registry(), span, bytes); }));
}

// Mapped loads: O(1), and followed by the first touch of every element (which verifies each
// tensor's chunks on first access).
void add_mapped_loads(Harness& h, const Model& m) {
  const Subject& s = m.subject;
  const fs::path file = s.dir / "ours-load.binary";
  h.add(load_row("binary load, mmap", s, {}, [=] { return load(registry(), file); }));
  auto result = std::make_shared<std::shared_ptr<Estimator>>();
  auto sum = std::make_shared<std::uint64_t>(0);
  const std::uint64_t want =
      bench::touch_words(reinterpret_cast<const std::byte*>(s.x.data()), s.x.size_bytes()) +
      bench::touch_words(reinterpret_cast<const std::byte*>(s.y.data()), s.y.size_bytes());
  const std::string name = "binary load, mmap + first touch of every element";
  h.add({.name = name,
         .bytes = s.artifact.size(),
         .op =
             [=](int) {
               *result = load(registry(), file);
               SaveContext ctx;
               const Value doc = ctx.save_nested(**result);
               std::uint64_t total = 0;
               for (const char* key : {"_fit_X", "_y"}) {
                 const Tensor& t = state_tensor(doc, key);
                 total += bench::touch_words(t.data(), t.nbytes());
               }
               *sum = total;
             },
         .check =
             [=] {
               if (*sum != want) throw std::runtime_error(name + ": touched words differ");
               expect_model(s, **result, name);
               result->reset();
             },
         .vs = {{row::kMmapTouch, 0.85}}});
}

// The limits with fresh buffers are measured into huge pages and into malloc: each goal is
// against the faster of the two in this run (on a VM, fresh huge pages can be the slower).
const Goal kBestMemcpy{row::kMemcpyHuge, 0.9, row::kMemcpyMalloc};
const Goal kBestRead{row::kReadHuge, 0.95, row::kReadMalloc};

void add_binary(Harness& h, const Model& m) {
  add_saves(h, m, "binary", {{row::kWrite, 0.95}, {row::kCerealSave, 0}, {row::kBoostSave, 0}},
            {kBestMemcpy});
  add_copy_loads(h, m, "binary", {kBestRead, {row::kCerealLoad, 0}, {row::kBoostLoad, 0}},
                 {kBestMemcpy}, {});
  add_mapped_loads(h, m);
}

void add_msgpack(Harness& h, const Model& m) {
  add_saves(h, m, "msgpack", {{row::kMsgpackSaveFile, 1.0}, {row::kWrite, 0}},
            {{row::kMsgpackSaveBytes, 1.0}, kBestMemcpy});
  add_copy_loads(h, m, "msgpack",
                 {{row::kMsgpackLoadFile, 1.0}, {row::kReadHuge, 0, row::kReadMalloc}},
                 {{row::kMsgpackLoadBytes, 1.0}, kBestMemcpy}, {{row::kMsgpackLoadShared, 0}});
}

void add_json(Harness& h, const Model& m) {
  const Subject& s = m.subject;
  const fs::path file = s.dir / "ours.json";
  const SaveOptions save{.format = "json"};
  h.add(save_row(
      "json save, file", s, {{row::kRapidJsonSave, 0}},
      [=, &m] { dump(registry(), *m.estimator, file, save); }, [=] { return read_back(file); }));
  LoadOptions copy;
  copy.mmap = false;
  h.add(load_row("json load, file", s, {{row::kRapidJsonLoad, 0}},
                 [=] { return load(registry(), file, copy); }));
}

// A mapped load of a model four times the large one: the time must not grow with the size.
void add_huge(Harness& h, const Model& huge) {
  const fs::path file = huge.subject.dir / "ours-huge.binary";
  bench::write_file(file, huge.subject.artifact);
  h.add(load_row("binary load, mmap, 4× the model", huge.subject, {{"binary load, mmap", 0}},
                 [=] { return load(registry(), file); }));
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  std::cerr << "building the models (" << args.mb << " MB, JSON " << args.json_mb << " MB)\n";
  Harness h;
  const Model large = make_model(args.mb, "large");
  const Model json = make_model(args.json_mb, "json");
  Model huge;
  if (args.huge) {
    huge = make_model(4 * args.mb, "huge");
    add_huge(h, huge);
    huge.artifact = std::string();  // written to its file; only its arrays are checked
  }
  bench::add_limits(h, large.subject);
  bench::add_hash_speed(h, large.subject);
  bench::add_archive_peers(h, large.subject);
  bench::add_msgpack_peer(h, large.subject);
  add_binary(h, large);
  add_msgpack(h, large);
  bench::add_rapidjson_peer(h, json.subject);
  add_json(h, json);
  bench::add_small_rows(h, registry(), scratch());
  const std::string load_before = bench::load_average();
  h.run(args.options);
  std::cout << "\n"
            << args.mb << " MB model (" << large.artifact.size() / 1000000
            << " MB artifact), JSON rows on a " << args.json_mb
            << " MB model; huge-page buffers: " << bench::huge_page_kind()
            << "; load average before " << load_before << ", after " << bench::load_average()
            << "\n";
  h.print_table(std::cout);
  fs::remove_all(scratch());
  return 0;
} catch (const std::exception& e) {
  std::cerr << "persist_bench: " << e.what() << "\n";
  std::error_code ec;
  fs::remove_all(scratch(), ec);
  return 1;
}

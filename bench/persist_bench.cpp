// Save and load speed of mlpersist against the limits of the machine and against its peers,
// measured in one run (these machines are noisy: only ratios within a run mean anything).
//
//   make bench   (or: build-bench/bin/persist_bench [--benchmark_filter=Large])
//
// Large: a KNeighborsClassifier whose state is a 4,000,000 x 8 float64 training set (256 MB);
// Huge: the same with 16,000,000 rows (1 GB), mapped only, to show that a mapped load is O(1).
// Limits: memcpy, raw write() and read() of the same bytes to a file on tmpfs. Peers: cereal's
// and Boost.Serialization's binary archives of the same matrix, msgpack-c (one bin blob) and
// RapidJSON (full-precision numbers) used directly. Small: an iris SVC round trip against
// cereal's binary archive of the same state, and the framework's overhead over a bare backend
// encode/decode. A markdown table of the results (MB/s, µs, ratios, peak memory) ends the run.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/mman.h>
#include <unistd.h>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/vector.hpp>
#include <cereal/archives/binary.hpp>
#include <cereal/types/vector.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mlpersist/dataset.hpp>
#include <mlpersist/persist.hpp>
#include <msgpack.hpp>
#include <random>
#include <sstream>

#include "markdown_reporter.hpp"
#include "peak_memory.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mlpersist;

constexpr Eigen::Index kRows = 4'000'000;
constexpr Eigen::Index kCols = 8;
constexpr std::size_t kBytes = static_cast<std::size_t>(kRows * kCols) * sizeof(double);

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

const Matrix& large_matrix() {
  static const Matrix m = [] {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise;
    Matrix x(kRows, kCols);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = noise(rng);
    return x;
  }();
  return m;
}

const Estimator& large_model() {
  static const std::shared_ptr<Estimator> knn = [] {
    auto e = registry().create("neighbors.KNeighborsClassifier");
    Vector y(kRows);
    for (Eigen::Index i = 0; i < kRows; ++i) y(i) = static_cast<double>(i % 3);
    e->fit(large_matrix(), y);
    return e;
  }();
  return *knn;
}

const Estimator& small_model() {
  static const std::shared_ptr<Estimator> svc = [] {
    auto e = registry().create("svm.SVC");
    const Dataset iris = read_csv(MLPERSIST_BENCH_IRIS);
    e->fit(iris.X, iris.y);
    return e;
  }();
  return *svc;
}

// Counters every benchmark reports: throughput of the 256 MB (or of the artifact) and the peak
// resident memory above the baseline, in MB.
void finish(benchmark::State& state, std::size_t bytes, const PeakMemory& peak) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["peak_MB"] = static_cast<double>(peak.growth_bytes()) / 1e6;
}

// ---------- limits: memcpy, raw write(), raw read() ----------

void write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) std::abort();
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void read_all(int fd, void* data, std::size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r <= 0) std::abort();
    p += r;
    n -= static_cast<std::size_t>(r);
  }
}

const fs::path& raw_file() {
  static const fs::path f = [] {
    const fs::path p = scratch() / "raw.bin";
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    write_all(fd, large_matrix().data(), kBytes);
    ::close(fd);
    return p;
  }();
  return f;
}

void BM_Limit_Memcpy(benchmark::State& state) {
  const Matrix& m = large_matrix();
  PeakMemory peak;
  for (auto _ : state) {
    auto* out = static_cast<double*>(std::malloc(kBytes));
    std::memcpy(out, m.data(), kBytes);
    benchmark::DoNotOptimize(out);
    std::free(out);
  }
  finish(state, kBytes, peak);
}

void BM_Limit_RawWrite(benchmark::State& state) {
  const fs::path file = scratch() / "write.bin";
  PeakMemory peak;
  for (auto _ : state) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    write_all(fd, large_matrix().data(), kBytes);
    ::close(fd);
  }
  finish(state, kBytes, peak);
}

void BM_Limit_RawRead(benchmark::State& state) {
  const fs::path& file = raw_file();
  PeakMemory peak;
  for (auto _ : state) {
    const int fd = ::open(file.c_str(), O_RDONLY);
    auto* out = static_cast<char*>(std::malloc(kBytes));
    read_all(fd, out, kBytes);
    ::close(fd);
    benchmark::DoNotOptimize(out);
    std::free(out);
  }
  finish(state, kBytes, peak);
}

// ---------- peers ----------

std::vector<double> as_vector(const Matrix& m) {
  return {m.data(), m.data() + m.size()};
}

template <class Archive>
void save_archive(const fs::path& file, const std::vector<double>& v) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  Archive archive(out);
  archive << v;
}

template <class Archive>
std::vector<double> load_archive(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  Archive archive(in);
  std::vector<double> v;
  archive >> v;
  return v;
}

template <class OArchive, class IArchive>
void archive_pair(benchmark::State& state, bool save, const char* name) {
  const std::vector<double> v = as_vector(large_matrix());
  const fs::path file = scratch() / name;
  save_archive<OArchive>(file, v);
  PeakMemory peak;
  for (auto _ : state) {
    if (save) {
      save_archive<OArchive>(file, v);
    } else {
      auto loaded = load_archive<IArchive>(file);
      benchmark::DoNotOptimize(loaded.data());
    }
  }
  finish(state, kBytes, peak);
}

void BM_Peer_Cereal_Save(benchmark::State& s) {
  archive_pair<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(s, true, "c.bin");
}
void BM_Peer_Cereal_Load(benchmark::State& s) {
  archive_pair<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(s, false, "c.bin");
}
void BM_Peer_Boost_Save(benchmark::State& s) {
  archive_pair<boost::archive::binary_oarchive, boost::archive::binary_iarchive>(s, true, "b.bin");
}
void BM_Peer_Boost_Load(benchmark::State& s) {
  archive_pair<boost::archive::binary_oarchive, boost::archive::binary_iarchive>(s, false, "b.bin");
}

// msgpack-c used directly: {rows, cols, data: bin} into a buffer, then to the file.
void msgpack_save(const fs::path& file) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(3);
  pk.pack("rows").pack(static_cast<std::int64_t>(kRows));
  pk.pack("cols").pack(static_cast<std::int64_t>(kCols));
  pk.pack("data").pack_bin(static_cast<std::uint32_t>(kBytes));
  pk.pack_bin_body(reinterpret_cast<const char*>(large_matrix().data()),
                   static_cast<std::uint32_t>(kBytes));
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  write_all(fd, buffer.data(), buffer.size());
  ::close(fd);
}

std::vector<double> msgpack_load(const fs::path& file) {
  const std::uint64_t size = fs::file_size(file);
  std::string bytes(size, '\0');
  const int fd = ::open(file.c_str(), O_RDONLY);
  read_all(fd, bytes.data(), size);
  ::close(fd);
  const msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  const msgpack::object_bin bin = h.get().via.map.ptr[2].val.via.bin;
  std::vector<double> v(bin.size / sizeof(double));
  std::memcpy(v.data(), bin.ptr, bin.size);
  return v;
}

// RapidJSON used directly: an array of rows, every double at full precision.
void rapidjson_save(const fs::path& file) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const Matrix& m = large_matrix();
  w.StartArray();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    w.StartArray();
    for (Eigen::Index j = 0; j < m.cols(); ++j) w.Double(m(i, j));
    w.EndArray();
  }
  w.EndArray();
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  write_all(fd, buffer.GetString(), buffer.GetSize());
  ::close(fd);
}

Matrix rapidjson_load(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.str().c_str());
  Matrix m(doc.Size(), kCols);
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i)
    for (rapidjson::SizeType j = 0; j < kCols; ++j) m(i, j) = doc[i][j].GetDouble();
  return m;
}

// A peer used directly: `save` writes the 256 MB to `name`, `load` reads it back.
void peer_save(benchmark::State& state, void (*save)(const fs::path&), const char* name) {
  const fs::path file = scratch() / name;
  PeakMemory peak;
  for (auto _ : state) save(file);
  finish(state, kBytes, peak);
}

template <class Load>
void peer_load(benchmark::State& state, void (*save)(const fs::path&), Load load,
               const char* name) {
  const fs::path file = scratch() / name;
  save(file);
  PeakMemory peak;
  for (auto _ : state) {
    auto loaded = load(file);
    benchmark::DoNotOptimize(loaded.data());
  }
  finish(state, kBytes, peak);
}

void BM_Peer_Msgpack_Save(benchmark::State& s) {
  peer_save(s, msgpack_save, "m.bin");
}
void BM_Peer_Msgpack_Load(benchmark::State& s) {
  peer_load(s, msgpack_save, msgpack_load, "m.bin");
}
void BM_Peer_RapidJson_Save(benchmark::State& s) {
  peer_save(s, rapidjson_save, "r.json");
}
void BM_Peer_RapidJson_Load(benchmark::State& s) {
  peer_load(s, rapidjson_save, rapidjson_load, "r.json");
}

// ---------- mlpersist ----------

// kShared: bytes that tensors may borrow (loads with an owner); kMmapTouched: a mapped load
// followed by the first read of every tensor, which runs the deferred checksums.
enum class Where { kBytes, kShared, kFile, kMmap, kMmapTouched };

// Reads every tensor of a document once: what the first predict would trigger.
void touch_tensors(const Value& v) {
  switch (v.kind()) {
    case Kind::kTensor: benchmark::DoNotOptimize(v.as_tensor().data()); return;
    case Kind::kArray:
      for (const Value& e : v.as_array()) touch_tensors(e);
      return;
    case Kind::kMap:
      for (const auto& [key, e] : v.as_map()) touch_tensors(e);
      return;
    default: return;
  }
}

void ours_save(benchmark::State& state, const Estimator& model, std::size_t bytes,
               const char* format, Where where) {
  const fs::path file = scratch() / (std::string("ours.") + format);
  const SaveOptions options{.format = format};
  PeakMemory peak;
  for (auto _ : state) {
    if (where == Where::kBytes) {
      std::string out = dumps(registry(), model, options);
      benchmark::DoNotOptimize(out.data());
    } else {
      dump(registry(), model, file, options);
    }
  }
  finish(state, bytes, peak);
}

void ours_load(benchmark::State& state, const Estimator& model, std::size_t bytes,
               const char* format, Where where) {
  const fs::path file = scratch() / (std::string("ours-load.") + format);
  const SaveOptions save{.format = format};
  dump(registry(), model, file, save);
  const auto in_memory = std::make_shared<const std::string>(dumps(registry(), model, save));
  const auto shared = std::as_bytes(std::span(in_memory->data(), in_memory->size()));
  LoadOptions options;
  options.mmap = where == Where::kMmap || where == Where::kMmapTouched;
  PeakMemory peak;
  for (auto _ : state) {
    if (where == Where::kMmapTouched) {
      const Document doc = read_document(registry(), file, options);
      touch_tensors(doc.root);
      continue;
    }
    auto loaded = where == Where::kBytes    ? loads(registry(), *in_memory, options)
                  : where == Where::kShared ? loads(registry(), shared, in_memory, options)
                                            : load(registry(), file, options);
    benchmark::DoNotOptimize(loaded.get());
  }
  finish(state, bytes, peak);
}

// The checksum on its own: container 2's chunk table of the 256 MB, on one thread.
void BM_Checksum_XXH3_Chunks(benchmark::State& state) {
  const auto bytes =
      std::as_bytes(std::span(large_matrix().data(), static_cast<std::size_t>(kRows * kCols)));
  PeakMemory peak;
  for (auto _ : state) benchmark::DoNotOptimize(write_trailer(bytes));
  finish(state, kBytes, peak);
}

// A mapped load must not depend on the model's size: a 1 GB model (16,000,000 x 8).
void BM_Huge_MmapLoad(benchmark::State& state) {
  constexpr Eigen::Index kHugeRows = 16'000'000;
  const fs::path file = scratch() / "huge.bin";
  {
    Matrix x(kHugeRows, kCols);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>(i % 1001) / 7;
    Vector y(kHugeRows);
    for (Eigen::Index i = 0; i < kHugeRows; ++i) y(i) = static_cast<double>(i % 3);
    auto knn = registry().create("neighbors.KNeighborsClassifier");
    knn->fit(x, y);
    dump(registry(), *knn, file);
  }
  PeakMemory peak;
  for (auto _ : state) {
    auto loaded = load(registry(), file);
    benchmark::DoNotOptimize(loaded.get());
  }
  finish(state, static_cast<std::size_t>(kHugeRows * kCols) * sizeof(double), peak);
  fs::remove(file);
}

// The artifact's size, for the small model's throughput.
std::size_t artifact_bytes(const Estimator& model) {
  return dumps(registry(), model).size();
}

void register_ours() {
  const std::pair<const char*, Where> places[] = {{"bytes", Where::kBytes},
                                                  {"shared_bytes", Where::kShared},
                                                  {"file", Where::kFile},
                                                  {"mmap", Where::kMmap},
                                                  {"mmap_first_access", Where::kMmapTouched}};
  for (const char* format : {"binary", "msgpack", "json"}) {
    for (const auto& [place, where] : places) {
      // Only binary tensors can borrow; the rest would repeat the copy loads.
      if (std::string(format) != "binary" && where != Where::kBytes && where != Where::kFile)
        continue;
      if (where == Where::kBytes || where == Where::kFile)
        benchmark::RegisterBenchmark(
            ("Large/Ours_" + std::string(format) + "_Save/" + place).c_str(),
            [format, where = where](benchmark::State& s) {
              ours_save(s, large_model(), kBytes, format, where);
            })
            ->Unit(benchmark::kMillisecond)
            ->Iterations(std::string(format) == "json" ? 1 : 3);
      // A mapped load takes about a millisecond: enough iterations for a stable median.
      const int iterations = std::string(format) == "json" ? 1 : where == Where::kMmap ? 30 : 3;
      benchmark::RegisterBenchmark(("Large/Ours_" + std::string(format) + "_Load/" + place).c_str(),
                                   [format, where = where](benchmark::State& s) {
                                     ours_load(s, large_model(), kBytes, format, where);
                                   })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(iterations);
    }
  }
}

// ---------- the small model: iris SVC ----------

// The SVC's state as plain vectors, which is what cereal users would write by hand.
struct PlainState {
  std::vector<std::vector<double>> reals;
  std::vector<std::vector<std::int64_t>> integers;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(reals, integers);
  }
};

PlainState plain_state(const Estimator& model) {
  SaveContext ctx;
  const Value doc = ctx.save_nested(model);
  PlainState p;
  for (const auto& [key, value] : doc.as_map().find("state")->as_map()) {
    if (value.kind() != Kind::kTensor) continue;
    const Tensor& t = value.as_tensor();
    if (t.dtype() == DType::kFloat64)
      p.reals.emplace_back(t.values<double>().begin(), t.values<double>().end());
    else
      p.integers.emplace_back(t.values<std::int64_t>().begin(), t.values<std::int64_t>().end());
  }
  return p;
}

void BM_Small_Ours(benchmark::State& state, Where where) {
  const Estimator& model = small_model();
  const fs::path file = scratch() / "small.mlp";
  PeakMemory peak;
  for (auto _ : state) {
    if (where == Where::kBytes) {
      auto loaded = loads(registry(), dumps(registry(), model));
      benchmark::DoNotOptimize(loaded.get());
    } else {
      dump(registry(), model, file);
      auto loaded = load(registry(), file);
      benchmark::DoNotOptimize(loaded.get());
    }
  }
  finish(state, artifact_bytes(model), peak);
}

void BM_Small_Cereal(benchmark::State& state, Where where) {
  const PlainState p = plain_state(small_model());
  const fs::path file = scratch() / "small.cereal";
  PeakMemory peak;
  for (auto _ : state) {
    PlainState back;
    if (where == Where::kBytes) {
      std::stringstream buffer;
      cereal::BinaryOutputArchive save(buffer);
      save(p);
      cereal::BinaryInputArchive read(buffer);
      read(back);
    } else {
      {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        cereal::BinaryOutputArchive save(out);
        save(p);
      }
      std::ifstream in(file, std::ios::binary);
      cereal::BinaryInputArchive read(in);
      read(back);
    }
    benchmark::DoNotOptimize(back.reals.data());
  }
  finish(state, artifact_bytes(small_model()), peak);
}

// The backend alone, on a prepared document: what the framework adds is the rest of Ours.
void BM_Small_BareBackend(benchmark::State& state) {
  SaveContext ctx;
  const Value doc = ctx.save_nested(small_model());
  const auto backend = registry().backend("binary");
  PeakMemory peak;
  for (auto _ : state) {
    std::string payload;
    StringSink sink(payload);
    backend->encode(doc, sink);
    const DecodeInput in{std::as_bytes(std::span(payload.data(), payload.size())),
                         "<bench>",
                         0,
                         nullptr,
                         Limits{},
                         nullptr};
    Value back = backend->decode(in);
    benchmark::DoNotOptimize(&back);
  }
  finish(state, artifact_bytes(small_model()), peak);
}

void register_small() {
  const std::pair<const char*, Where> places[] = {{"bytes", Where::kBytes}, {"file", Where::kFile}};
  for (const auto& [place, where] : places) {
    benchmark::RegisterBenchmark(("Small/Ours_RoundTrip/" + std::string(place)).c_str(),
                                 BM_Small_Ours, where)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Small/Peer_Cereal_RoundTrip/" + std::string(place)).c_str(),
                                 BM_Small_Cereal, where)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("Small/Bare_binary_EncodeDecode", BM_Small_BareBackend)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace

#define LARGE(fn, iterations) \
  BENCHMARK(fn)->Name("Large/" #fn)->Unit(benchmark::kMillisecond)->Iterations(iterations)
LARGE(BM_Limit_Memcpy, 5);
LARGE(BM_Limit_RawWrite, 5);
LARGE(BM_Limit_RawRead, 5);
LARGE(BM_Peer_Cereal_Save, 3);
LARGE(BM_Peer_Cereal_Load, 3);
LARGE(BM_Peer_Boost_Save, 3);
LARGE(BM_Peer_Boost_Load, 3);
LARGE(BM_Peer_Msgpack_Save, 3);
LARGE(BM_Peer_Msgpack_Load, 3);
LARGE(BM_Peer_RapidJson_Save, 1);
LARGE(BM_Peer_RapidJson_Load, 1);
LARGE(BM_Checksum_XXH3_Chunks, 5);
BENCHMARK(BM_Huge_MmapLoad)
    ->Name("Huge/Ours_binary_Load/mmap_1GB")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(20);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  register_ours();
  register_small();
  MarkdownReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_table(std::cout);
  std::error_code ec;
  fs::remove_all(scratch(), ec);
  benchmark::Shutdown();
}

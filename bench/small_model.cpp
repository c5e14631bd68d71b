#include "small_model.hpp"

#include <cereal/archives/binary.hpp>
#include <cereal/types/vector.hpp>
#include <fstream>
#include <memory>
#include <mlpersist/dataset.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>
#include <stdexcept>

namespace bench {
namespace {

using namespace mlpersist;

// Small operations are timed in batches (after one cache scrub), each result kept for the check.
constexpr int kBatch = 200;

// The SVC's arrays as plain vectors, which is what a cereal user would write by hand.
struct PlainState {
  std::vector<std::vector<double>> reals;
  std::vector<std::vector<std::int64_t>> integers;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(reals, integers);
  }
  friend bool operator==(const PlainState&, const PlainState&) = default;
};

PlainState plain_state(const Value& doc) {
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

Value document_of(const Estimator& e) {
  SaveContext ctx;
  return ctx.save_nested(e);
}

// Results of a batch, checked (and dropped) after it.
template <class T>
struct Results {
  std::vector<T> items = std::vector<T>(kBatch);
};

void add_ours(Harness& h, const Registry& registry, std::shared_ptr<const Estimator> svc,
              const std::filesystem::path& dir) {
  const auto want = std::make_shared<const Value>(document_of(*svc));
  auto out = std::make_shared<Results<std::shared_ptr<Estimator>>>();
  const auto check = [=](const std::string& what) {
    return [=] {
      for (auto& e : out->items) {
        if (document_of(*e) != *want) throw std::runtime_error(what + ": the model differs");
        e.reset();
      }
    };
  };
  const std::string bytes = "iris SVC round trip, bytes";
  h.add({.name = bytes,
         .batch = kBatch,
         .op = [=, &registry](int i) { out->items[i] = loads(registry, dumps(registry, *svc)); },
         .check = check(bytes),
         .vs = {{"cereal round trip, bytes", 0}},
         .goal_us = 5});
  const std::string file = "iris SVC round trip, file";
  const std::filesystem::path path = dir / "small.mlp";
  h.add({.name = file,
         .batch = kBatch,
         .op =
             [=, &registry](int i) {
               dump(registry, *svc, path);
               out->items[i] = load(registry, path);
             },
         .check = check(file),
         .vs = {{"cereal round trip, file (no fsync)", 0}},
         .goal_us = 10});
}

void add_cereal(Harness& h, const Value& doc, const std::filesystem::path& dir) {
  const auto want = std::make_shared<const PlainState>(plain_state(doc));
  auto out = std::make_shared<Results<PlainState>>();
  const auto check = [=] {
    for (auto& p : out->items) {
      if (!(p == *want)) throw std::runtime_error("cereal: the state differs");
      p = PlainState{};
    }
  };
  h.add({.name = "cereal round trip, bytes",
         .batch = kBatch,
         .op =
             [=](int i) {
               std::stringstream buffer;
               cereal::BinaryOutputArchive save(buffer);
               save(*want);
               cereal::BinaryInputArchive read(buffer);
               read(out->items[i]);
             },
         .check = check});
  const std::filesystem::path path = dir / "small.cereal";
  h.add({.name = "cereal round trip, file (no fsync)",
         .batch = kBatch,
         .op =
             [=](int i) {
               {
                 std::ofstream file(path, std::ios::binary | std::ios::trunc);
                 cereal::BinaryOutputArchive save(file);
                 save(*want);
               }
               std::ifstream file(path, std::ios::binary);
               cereal::BinaryInputArchive read(file);
               read(out->items[i]);
             },
         .check = check});
}

// The backend alone on a prepared document: what the framework adds is the rest of ours.
void add_bare(Harness& h, const Registry& registry, const Value& doc) {
  const auto prepared = std::make_shared<const Value>(doc);
  const auto backend = registry.backend("binary");
  auto out = std::make_shared<Results<Value>>();
  h.add({.name = "iris SVC, bare binary encode + decode",
         .batch = kBatch,
         .op =
             [=](int i) {
               std::string payload;
               StringSink sink(payload);
               backend->encode(*prepared, sink);
               const DecodeInput in{std::as_bytes(std::span(payload.data(), payload.size())),
                                    "<bench>",
                                    0,
                                    nullptr,
                                    Limits{},
                                    nullptr};
               out->items[i] = backend->decode(in);
             },
         .check =
             [=] {
               for (Value& v : out->items) {
                 if (v != *prepared) throw std::runtime_error("bare backend: the document differs");
                 v = Value();
               }
             }});
}

}  // namespace

void add_small_rows(Harness& h, const Registry& registry, const std::filesystem::path& dir) {
  auto svc = registry.create("svm.SVC");
  const Dataset iris = read_csv(MLPERSIST_BENCH_IRIS);
  svc->fit(iris.X, iris.y);
  const Value doc = document_of(*svc);
  add_ours(h, registry, std::move(svc), dir);
  add_cereal(h, doc, dir);
  add_bare(h, registry, doc);
}

}  // namespace bench

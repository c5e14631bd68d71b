// Full load-and-predict of one estimator type (MLPERSIST_FUZZ_TYPE) from an artifact whose
// checksums are made valid: envelope, backend, migrations, load_state's validation, then every
// method the model supports. Loading may fail only with an mlpersist::Error, and a model that
// loaded must never crash at predict (docs/design.md, "Untrusted input", rule 4).

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <string_view>

#include "fuzz_support.hpp"

namespace {

using namespace mlpersist;

// Wider inputs would only cost time: no seed has more than a few features.
constexpr std::int64_t kMaxFeatures = 256;
constexpr Eigen::Index kRows = 4;
constexpr Method kMethods[] = {Method::kPredict, Method::kDecisionFunction, Method::kPredictProba,
                               Method::kTransform};

LoadOptions options() {
  LoadOptions o;
  // A pipeline is made of the other types; every other target builds its own type only.
  if (std::string_view(MLPERSIST_FUZZ_TYPE) != "pipeline.Pipeline")
    o.allowed_types = {MLPERSIST_FUZZ_TYPE};
  o.mmap = false;
  return o;
}

Matrix probe(std::int64_t features) {
  Matrix X(kRows, features);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<double>(i % 7) - 2.5;
  return X;
}

void exercise(const Estimator& model) {
  if (model.n_features_in() > kMaxFeatures) return;
  const Matrix X = probe(model.n_features_in());
  for (Method m : kMethods) {
    if (!model.supports(m)) continue;
    try {
      (void)apply_method(model, m, X);
    } catch (const Error&) {  // e.g. a fitted model whose outputs are not finite
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::registry();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const LoadOptions kOptions = options();
  const std::string bytes = fuzz::with_valid_checksums(data, size);
  std::shared_ptr<Estimator> model;
  try {
    model = loads(fuzz::registry(), bytes, kOptions);
  } catch (const Error&) {
    return 0;
  }
  if (model->is_fitted()) exercise(*model);
  return 0;
}

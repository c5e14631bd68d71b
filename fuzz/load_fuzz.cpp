// Full load-and-predict of one estimator type (MLPERSIST_FUZZ_TYPE) from an artifact whose
// checksums are made valid: envelope, backend, migrations, load_state's validation, then every
// method the model supports. Loading may fail only with an mlpersist::Error (docs/design.md,
// "Untrusted input", rule 4). A model that loaded must keep the promises load_state's checks
// exist for, on finite input (model_contract.hpp): methods fail only with the errors a valid
// state may still cause, outputs have the documented shape, labels are among the classes,
// probabilities are probabilities; and saving the loaded model and loading it back gives the
// same outputs, bit for bit.

#include <mlpersist/error.hpp>
#include <mlpersist/persist.hpp>
#include <string_view>

#include "fuzz_support.hpp"
#include "model_contract.hpp"

namespace {

using namespace mlpersist;

LoadOptions options() {
  LoadOptions o;
  // A pipeline is made of the other types; every other target builds its own type only.
  // Composites nest other types, which an allowlist of one type would refuse.
  if (std::string_view(MLPERSIST_FUZZ_TYPE) != "pipeline.Pipeline" &&
      std::string_view(MLPERSIST_FUZZ_TYPE) != "compose.ColumnTransformer")
    o.allowed_types = {MLPERSIST_FUZZ_TYPE};
  o.mmap = false;
  return o;
}

// The model saved and loaded back must answer exactly as the model itself.
void check_round_trip(const Estimator& model, const fuzz::Outputs& outputs, const Matrix& X) {
  const auto back = fuzz::expect_no_error("saving a loaded model and loading it back", [&] {
    return loads(fuzz::registry(), dumps(fuzz::registry(), model), options());
  });
  if (fuzz::outputs_of(*back, X) != outputs)
    fuzz::finding("a loaded model, saved and loaded back, answers differently");
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
  if (!model->is_fitted() || !fuzz::probe_fits(*model)) return 0;
  const Matrix X = fuzz::probe(*model);
  const fuzz::Outputs outputs = fuzz::outputs_of(*model, X);
  fuzz::check_contract(*model, X, outputs);
  check_round_trip(*model, outputs, X);
  return 0;
}

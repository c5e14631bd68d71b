#pragma once

#include <limits>
#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <string>
#include <vector>

#include "categories.hpp"

namespace mlpersist::preprocessing {

/// scikit-learn 1.2's OrdinalEncoder parameters, with its defaults (dtype is float64).
struct OrdinalEncoderParams {
  Value categories{"auto"};
  std::string handle_unknown = "error";  ///< "error" or "use_encoded_value"
  Value unknown_value{nullptr};          ///< None, an int or NaN (with use_encoded_value)
  Value encoded_missing_value{std::numeric_limits<double>::quiet_NaN()};  ///< int or NaN
  static constexpr std::array<std::string_view, 4> kNames{"categories", "handle_unknown",
                                                          "unknown_value", "encoded_missing_value"};
};

/// Each category becomes its index (as float64), as scikit-learn's OrdinalEncoder: a missing
/// value becomes `encoded_missing_value`, an unknown one `unknown_value` or an error naming the
/// column, value and row.
class OrdinalEncoder : public EstimatorWithParams<OrdinalEncoder, OrdinalEncoderParams> {
 public:
  static constexpr std::string_view kTypeTag = "preprocessing.OrdinalEncoder";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kTransform; }
  [[nodiscard]] bool accepts_missing() const noexcept override { return true; }
  [[nodiscard]] bool takes_tables() const noexcept override { return true; }
  void validate_params(const OrdinalEncoderParams& p) const;

  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;
  [[nodiscard]] const std::vector<Categories>& categories() const noexcept { return categories_; }

 protected:
  void do_fit(const MatrixView&, const Vector&) override {}
  void do_fit_table(const Table& X, const Vector& y) override;
  [[nodiscard]] Matrix do_apply_table(Method method, const Table& X) const override;

 private:
  void check_fitted_values(const std::vector<Categories>& categories) const;

  std::vector<Categories> categories_;
};

}  // namespace mlpersist::preprocessing

#pragma once

#include <limits>
#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlpersist::impute {

/// scikit-learn 1.2's SimpleImputer parameters, with its defaults. Only NaN (and a missing
/// string) is a missing value; `fill_value` is None, a number or a string.
struct SimpleImputerParams {
  Value missing_values = std::numeric_limits<double>::quiet_NaN();  ///< NaN only
  std::string strategy = "mean";  ///< mean, median, most_frequent, constant
  Value fill_value;
  bool copy = true;
  bool add_indicator = false;
  bool keep_empty_features = false;
  static constexpr std::array<std::string_view, 6> kNames{
      "missing_values", "strategy", "fill_value", "copy", "add_indicator", "keep_empty_features"};
};

/// Replaces missing values column by column, as scikit-learn's SimpleImputer: number columns
/// by their mean, median, most frequent value or a constant; string columns by the most
/// frequent string or a constant. Columns with no value in fit are dropped (unless constant);
/// `add_indicator` appends a 0/1 column per column that had missing values in fit.
class SimpleImputer : public EstimatorWithParams<SimpleImputer, SimpleImputerParams> {
 public:
  static constexpr std::string_view kTypeTag = "impute.SimpleImputer";
  static constexpr std::uint32_t kSchemaVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kTransform; }
  [[nodiscard]] bool accepts_missing() const noexcept override { return true; }
  [[nodiscard]] bool takes_tables() const noexcept override { return true; }
  [[nodiscard]] std::int64_t n_features_out() const override;
  [[nodiscard]] std::vector<std::string> get_feature_names_out(
      std::span<const std::string> input = {}) const override;
  void validate_params(const SimpleImputerParams& p) const;

  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  /// Fitted values of number columns (NaN: the column had no value), or of string columns
  /// (nullopt: no value).
  [[nodiscard]] const std::vector<double>& number_statistics() const noexcept { return numbers_; }
  [[nodiscard]] const std::vector<StringCell>& string_statistics() const noexcept {
    return strings_;
  }

 protected:
  void do_fit(const MatrixView&, const Vector&) override {}
  void do_fit_table(const Table& X, const Vector& y) override;
  [[nodiscard]] Matrix do_apply_table(Method method, const Table& X) const override;
  [[nodiscard]] Table do_transform_to_table(const Table& X) const override;

 private:
  [[nodiscard]] bool is_kept(std::size_t j) const;
  [[nodiscard]] ColumnType input_type() const;

  std::vector<double> numbers_;                  // number input
  std::vector<StringCell> strings_;              // string input
  std::vector<std::size_t> indicator_features_;  // columns with missing values in fit
};

}  // namespace mlpersist::impute

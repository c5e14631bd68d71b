#pragma once

#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/params.hpp>
#include <optional>
#include <string>
#include <vector>

#include "categories.hpp"

namespace mlpersist::preprocessing {

/// scikit-learn 1.2's OneHotEncoder parameters, with its defaults. The output is always dense
/// (`sparse_output` is kept for scikit-learn, which gives a sparse matrix when it is true).
struct OneHotEncoderParams {
  Value categories{"auto"};         ///< "auto", or one list of categories per column
  std::optional<std::string> drop;  ///< None, "first" or "if_binary"
  bool sparse_output = true;
  std::string handle_unknown = "error";  ///< "error", "ignore", "infrequent_if_exist"
  Value min_frequency{nullptr};          ///< None, an int >= 1 or a float in (0, 1]
  std::optional<std::int64_t> max_categories;
  static constexpr std::array<std::string_view, 6> kNames{
      "categories", "drop", "sparse_output", "handle_unknown", "min_frequency", "max_categories"};
};

/// One column of 0/1 per category of each input column (numbers or strings; a missing value is
/// a category of its own, last), as scikit-learn's OneHotEncoder: infrequent categories
/// (`min_frequency`, `max_categories`) grouped into one last column, `drop` removing one column
/// per feature, unknown categories refused (naming column, value and row), ignored or mapped to
/// the infrequent column.
class OneHotEncoder : public EstimatorWithParams<OneHotEncoder, OneHotEncoderParams> {
 public:
  static constexpr std::string_view kTypeTag = "preprocessing.OneHotEncoder";
  static constexpr std::uint32_t kSchemaVersion = 2;
  static constexpr std::uint32_t kMinReaderVersion = 1;
  using EstimatorWithParams::EstimatorWithParams;

  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kTransform; }
  [[nodiscard]] bool accepts_missing() const noexcept override { return true; }
  [[nodiscard]] bool takes_tables() const noexcept override { return true; }
  [[nodiscard]] std::int64_t n_features_out() const override;
  [[nodiscard]] std::vector<std::string> get_feature_names_out(
      std::span<const std::string> input = {}) const override;
  void validate_params(const OneHotEncoderParams& p) const;

  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

  [[nodiscard]] const std::vector<Categories>& categories() const noexcept { return categories_; }
  /// Per column, the dropped index (in the grouped categories), when any is dropped.
  [[nodiscard]] const std::optional<std::vector<std::optional<std::int64_t>>>& drop_idx()
      const noexcept {
    return drop_idx_;
  }

 protected:
  void do_fit(const MatrixView&, const Vector&) override {}
  void do_fit_table(const Table& X, const Vector& y) override;
  [[nodiscard]] Matrix do_apply_table(Method method, const Table& X) const override;
  void do_transform_into(const Table& X, MatrixBlock out) const override;

 private:
  [[nodiscard]] bool infrequent_enabled() const;
  void fit_infrequent(const std::vector<std::vector<std::int64_t>>& counts, std::size_t n);
  void derive();  // mappings and output widths from categories_, infrequent_ and drop_idx_
  static void load_integer_columns(const Node& state, std::vector<Categories>& categories);
  [[nodiscard]] std::optional<std::vector<std::optional<std::int64_t>>> compute_drop_idx() const;
  void encode_column(const Table& X, std::size_t j, std::size_t begin, std::size_t n,
                     std::int64_t* codes) const;

  std::vector<Categories> categories_;
  // Per column: the indices of its infrequent categories (empty: none), when enabled.
  std::vector<std::vector<std::size_t>> infrequent_;
  std::optional<std::vector<std::optional<std::int64_t>>> drop_idx_;
  // Derived: per column, the output column of each category (-1: none, the dropped one) and
  // of an unknown value (-1: none; the infrequent column under infrequent_if_exist), and the
  // width of its one-hot block.
  std::vector<std::vector<std::int64_t>> output_;
  std::vector<std::int64_t> unknown_output_;
  std::vector<std::size_t> widths_;
};

/// Schema 1 -> 2 added the optional `integer_columns_`: a version 1 state is a valid one.
[[nodiscard]] Value upgrade_one_hot_encoder_1_to_2(const Node& document);
/// Drops `integer_columns_` (older readers name those categories "x_1.0").
[[nodiscard]] Value downgrade_one_hot_encoder_2_to_1(const Node& document);

}  // namespace mlpersist::preprocessing

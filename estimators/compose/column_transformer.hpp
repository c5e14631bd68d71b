#pragma once

#include <map>
#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlpersist::compose {

/// scikit-learn 1.2's ColumnTransformer: each transformer gets the columns it selects (by name
/// or index), their outputs are put side by side (always dense), then the remainder's
/// (`remainder` = 'drop', 'passthrough' or a transformer). Transformers may be Pipelines and
/// ColumnTransformers, to any depth; each is saved as its own typed document.
///
/// Parameters follow scikit-learn: `transformers` lists [name, type tag | 'drop' |
/// 'passthrough', columns], `<name>__<param>` reaches a transformer's parameter. The
/// transformers themselves come from the caller's Registry through the Composite interface
/// (set_steps, in the order of `declared_steps`).
class ColumnTransformer : public Estimator, public Composite {
 public:
  static constexpr std::string_view kTypeTag = "compose.ColumnTransformer";
  static constexpr std::uint32_t kSchemaVersion = 1;

  ColumnTransformer() = default;

  [[nodiscard]] std::string_view type_tag() const override { return kTypeTag; }
  [[nodiscard]] std::uint32_t schema_version() const override { return kSchemaVersion; }
  [[nodiscard]] EstimatorKind kind() const override { return EstimatorKind::kTransformer; }
  [[nodiscard]] bool supports(Method m) const override { return m == Method::kTransform; }
  [[nodiscard]] bool accepts_missing() const noexcept override { return true; }
  [[nodiscard]] bool takes_tables() const noexcept override { return true; }
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value get_params() const override;
  void set_params(const Value& params) override;
  [[nodiscard]] std::unique_ptr<Estimator> clone() const override;
  [[nodiscard]] std::string repr() const override;
  [[nodiscard]] std::int64_t n_features_out() const override;
  [[nodiscard]] std::vector<std::string> get_feature_names_out(
      std::span<const std::string> input = {}) const override;

  void set_steps(std::vector<Step> steps) override;
  [[nodiscard]] const std::vector<Step>& steps() const override { return steps_; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> declared_steps(
      const Value& params) const override;

  [[nodiscard]] Value save_state(SaveContext& ctx) const override;
  void load_state(const Node& state, LoadContext& ctx) override;

 protected:
  void do_fit(const MatrixView&, const Vector&) override {}
  void do_fit_table(const Table& X, const Vector& y) override;
  [[nodiscard]] Matrix do_apply_table(Method method, const Table& X) const override;
  [[nodiscard]] Table do_transform_to_table(const Table& X) const override;
  void do_transform_into(const Table& X, MatrixBlock out) const override;

 private:
  // One entry of `transformers` (or the remainder): what it does and with which columns.
  struct Entry {
    std::string name;
    std::string kind;                  // a type tag, "drop" or "passthrough"
    Value columns;                     // as given: names or indices
    std::optional<std::size_t> step;   // index into steps_ when kind is a type tag
    std::vector<std::size_t> indices;  // resolved in fit
  };
  struct Settings {
    std::vector<Entry> entries;
    std::string remainder = "drop";
    double sparse_threshold = 0.3;
    Value n_jobs;
    bool verbose = false;
    bool verbose_feature_names_out = true;
  };

  [[nodiscard]] Settings parse(const Value& params, std::map<std::string, Map>& nested) const;
  /// The entries with their columns as indices, then the remainder (when it has columns).
  [[nodiscard]] std::vector<Entry> resolve(const std::vector<std::string>& names,
                                           std::size_t n_columns) const;
  void apply_nested(const std::map<std::string, Map>& nested);
  [[nodiscard]] std::int64_t width_of(const Entry& e) const;

  Settings settings_;
  std::vector<Step> steps_;
  std::vector<Entry> fitted_;  // transformers_: the entries, then the remainder if any columns
  std::map<std::string, Map> pending_;
};

}  // namespace mlpersist::compose

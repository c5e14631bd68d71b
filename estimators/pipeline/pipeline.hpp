#pragma once

#include <map>
#include <mlpersist/context.hpp>
#include <mlpersist/estimator.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlpersist::pipeline {

/// scikit-learn's Pipeline: named transformer steps followed by a final estimator. Its saved
/// state nests every step as its own typed, versioned document, so each step's plugin reads
/// (and migrates) its own state.
///
/// Steps are estimators made by the caller's Registry and handed over with set_steps (the
/// Composite interface). Parameters follow scikit-learn: `steps` lists `[name, type tag]`
/// pairs, and `<step>__<param>` reaches a step's parameter (`svc__C`).
class Pipeline : public Estimator, public Composite {
 public:
  static constexpr std::string_view kTypeTag = "pipeline.Pipeline";
  static constexpr std::uint32_t kSchemaVersion = 1;

  Pipeline() = default;
  explicit Pipeline(std::vector<Step> steps) { set_steps(std::move(steps)); }

  [[nodiscard]] std::string_view type_tag() const override { return kTypeTag; }
  [[nodiscard]] std::uint32_t schema_version() const override { return kSchemaVersion; }
  [[nodiscard]] EstimatorKind kind() const override;
  [[nodiscard]] bool supports(Method m) const override;
  [[nodiscard]] double fit_cost(double n_samples, double n_features) const override;
  [[nodiscard]] Value get_params() const override;
  void set_params(const Value& params) override;
  [[nodiscard]] std::unique_ptr<Estimator> clone() const override;
  [[nodiscard]] std::string repr() const override;

  /// When the first step does (a ColumnTransformer, an encoder): the table goes to it as is.
  [[nodiscard]] bool takes_tables() const noexcept override;
  /// When the first step does (an imputer, a ColumnTransformer): NaN goes to it.
  [[nodiscard]] bool accepts_missing() const noexcept override {
    return !steps_.empty() && steps_.front().second->accepts_missing();
  }
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
  void do_fit(const MatrixView& X, const Vector& y) override;
  [[nodiscard]] Vector do_predict(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_decision_function(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_predict_proba(const MatrixView& X) const override;
  [[nodiscard]] Matrix do_transform(const MatrixView& X) const override;
  [[nodiscard]] double do_score(const MatrixView& X, const Vector& y) const override;
  void do_fit_table(const Table& X, const Vector& y) override;
  [[nodiscard]] Matrix do_apply_table(Method method, const Table& X) const override;
  [[nodiscard]] Table do_transform_to_table(const Table& X) const override;

 private:
  // The input of the final step: still a table, or a matrix from the first numeric step on.
  struct Through {
    Table table;
    std::optional<Matrix> matrix;
  };
  [[nodiscard]] Through through_table(const Table& X) const;
  [[nodiscard]] const Estimator& final_step() const;
  [[nodiscard]] Matrix through_transformers(const MatrixView& X, std::size_t first = 0) const;
  void apply_step_params(const std::map<std::string, Map>& by_step);

  std::vector<Step> steps_;
  // `[name, tag]` pairs and step parameters received before the steps exist (while loading:
  // the framework sets parameters before load_state builds the steps from the state).
  std::optional<Value> declared_steps_;
  std::map<std::string, Map> pending_params_;
};

}  // namespace mlpersist::pipeline

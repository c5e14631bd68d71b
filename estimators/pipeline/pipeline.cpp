#include "pipeline.hpp"

#include <mlpersist/error.hpp>
#include <mlpersist/params.hpp>
#include <set>
#include <string_view>

#include "common/clone_step.hpp"
#include "common/nested_params.hpp"

namespace mlpersist::pipeline {
namespace {

constexpr std::string_view kSeparator = "__";

[[noreturn]] void invalid(const std::string& what) {
  throw_invalid_param("Pipeline", what);
}

Value step_spec(const std::vector<Step>& steps) {
  Array spec;
  for (const auto& [name, est] : steps) spec.push_back(Array{name, std::string(est->type_tag())});
  return spec;
}

}  // namespace

EstimatorKind Pipeline::kind() const {
  return steps_.empty() ? EstimatorKind::kTransformer : final_step().kind();
}

double Pipeline::fit_cost(double n_samples, double n_features) const {
  double total = 0;
  for (const auto& [name, estimator] : steps_) total += estimator->fit_cost(n_samples, n_features);
  return total;
}

bool Pipeline::supports(Method m) const {
  return !steps_.empty() && m != Method::kInverseTransform && final_step().supports(m);
}

const Estimator& Pipeline::final_step() const {
  if (steps_.empty())
    throw UsageError(ErrorCode::kNotFitted,
                     "Pipeline has no steps; give it steps (Composite::set_steps, or "
                     "`mlpersist fit pipeline.Pipeline --step NAME=TYPE ...`)");
  return *steps_.back().second;
}

void Pipeline::set_steps(std::vector<Step> steps) {
  if (steps.empty()) invalid("needs at least one step");
  // A sorted set, not a scan of the earlier names: a file may hold many thousands of steps.
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& [name, est] = steps[i];
    if (name.empty() || name.find(kSeparator) != std::string::npos)
      invalid("step name '" + name + "' must be non-empty and must not contain '__'");
    if (!est) invalid("step '" + name + "' has no estimator");
    if (!seen.insert(name).second) invalid("duplicate step name '" + name + "'");
    if (i + 1 < steps.size() && !est->supports(Method::kTransform))
      invalid("step '" + name + "' (" + std::string(est->type_tag()) +
              ") is not the last step, so it must be a transformer");
  }
  steps_ = std::move(steps);
  declared_steps_.reset();
  auto pending = std::move(pending_params_);
  pending_params_.clear();
  apply_step_params(pending);
}

std::vector<std::pair<std::string, std::string>> Pipeline::declared_steps(
    const Value& params) const {
  const Value* steps = params.kind() == Kind::kMap ? params.as_map().find("steps") : nullptr;
  if (steps == nullptr || steps->kind() != Kind::kArray)
    invalid("params must hold `steps`, a list of [name, type] pairs");
  std::vector<std::pair<std::string, std::string>> out;
  for (const Value& step : steps->as_array()) {
    if (step.kind() != Kind::kArray || step.as_array().size() != 2 ||
        step.as_array()[0].kind() != Kind::kString || step.as_array()[1].kind() != Kind::kString)
      invalid("each of `steps` must be a [name, type] pair of strings");
    out.emplace_back(step.as_array()[0].as_string(), step.as_array()[1].as_string());
  }
  return out;
}

Value Pipeline::get_params() const {
  Map m;
  m.insert("steps", declared_steps_ ? *declared_steps_ : step_spec(steps_));
  for (const auto& [name, est] : steps_) {
    const Value params = est->get_params();
    for (const auto& [key, value] : params.as_map())
      m.insert(name + std::string(kSeparator) + key, value);
  }
  return m;
}

void Pipeline::set_params(const Value& params) {
  std::map<std::string, Map> by_step;
  for (const auto& [key, value] : Node(params, "params").as_map()) {
    if (key == "steps") {
      if (!steps_.empty() && !(value == step_spec(steps_)))
        invalid("steps cannot be replaced through set_params; use set_steps");
      if (steps_.empty()) declared_steps_ = value;
      continue;
    }
    const auto sep = key.find(kSeparator);
    if (sep == std::string::npos || sep == 0) {
      const std::string_view valid[] = {"steps", "<step>__<parameter>"};
      throw_unknown_param("Pipeline", key, valid);
    }
    by_step[key.substr(0, sep)].insert(key.substr(sep + kSeparator.size()), value);
  }
  if (steps_.empty()) {
    for (auto& [name, m] : by_step)
      for (auto&& [k, v] : m) pending_params_[name].insert(k, v);
    return;
  }
  apply_step_params(by_step);
}

void Pipeline::apply_step_params(const std::map<std::string, Map>& by_step) {
  common::apply_nested_params(steps_, by_step, "Pipeline");
}

std::unique_ptr<Estimator> Pipeline::clone() const {
  std::vector<Step> copies;
  for (const auto& [name, est] : steps_) copies.emplace_back(name, common::clone_step(est));
  auto p = std::make_unique<Pipeline>();
  if (!copies.empty()) p->set_steps(std::move(copies));
  return p;
}

std::string Pipeline::repr() const {
  std::string s = "Pipeline(steps=[";
  for (std::size_t i = 0; i < steps_.size(); ++i)
    s += (i ? ", ('" : "('") + steps_[i].first + "', " + steps_[i].second->repr() + ")";
  return s + "])";
}

Matrix Pipeline::through_transformers(const MatrixView& X, std::size_t first) const {
  Matrix Xt = X;
  for (std::size_t i = first; i + 1 < steps_.size(); ++i) Xt = steps_[i].second->transform(Xt);
  return Xt;
}

bool Pipeline::takes_tables() const noexcept {
  return !steps_.empty() && steps_.front().second->takes_tables();
}

std::int64_t Pipeline::n_features_out() const {
  return steps_.empty() ? n_features_in() : final_step().n_features_out();
}

std::vector<std::string> Pipeline::get_feature_names_out(std::span<const std::string> input) const {
  std::vector<std::string> names(input.begin(), input.end());
  for (const auto& [name, est] : steps_) names = est->get_feature_names_out(names);
  return names;
}

// A table stays a table while the next step takes tables (an imputer feeding an encoder keeps
// its strings); from the first step that needs numbers on, it is a matrix.
void Pipeline::do_fit_table(const Table& X, const Vector& y) {
  (void)final_step();
  Table table = X;
  std::optional<Matrix> matrix;
  for (std::size_t i = 0; i + 1 < steps_.size(); ++i) {
    Estimator& step = *steps_[i].second;
    if (matrix) {
      step.fit(*matrix, y);
      matrix = step.transform(*matrix);
      continue;
    }
    step.fit(table, Labels(y));
    if (steps_[i + 1].second->takes_tables())
      table = step.transform_to_table(table);
    else
      matrix = step.transform(table);
  }
  Estimator& last = *steps_.back().second;
  if (matrix)
    last.fit(*matrix, y);
  else
    last.fit(table, Labels(y));
}

Pipeline::Through Pipeline::through_table(const Table& X) const {
  Through t{X, std::nullopt};
  for (std::size_t i = 0; i + 1 < steps_.size(); ++i) {
    const Estimator& step = *steps_[i].second;
    if (t.matrix)
      t.matrix = step.transform(*t.matrix);
    else if (steps_[i + 1].second->takes_tables())
      t.table = step.transform_to_table(t.table);
    else
      t.matrix = step.transform(t.table);
  }
  return t;
}

Matrix Pipeline::do_apply_table(Method method, const Table& X) const {
  const Through t = through_table(X);
  if (t.matrix) return apply_method(final_step(), method, *t.matrix);
  return apply_method(final_step(), method, t.table);
}

Table Pipeline::do_transform_to_table(const Table& X) const {
  const Through t = through_table(X);
  if (t.matrix) return Table::from_matrix(final_step().transform(*t.matrix));
  return final_step().transform_to_table(t.table);
}

void Pipeline::do_fit(const MatrixView& X, const Vector& y) {
  (void)final_step();
  Matrix Xt = X;
  for (std::size_t i = 0; i + 1 < steps_.size(); ++i) {
    steps_[i].second->fit(Xt, y);
    Xt = steps_[i].second->transform(Xt);
  }
  steps_.back().second->fit(Xt, y);
}

Vector Pipeline::do_predict(const MatrixView& X) const {
  return final_step().predict(through_transformers(X));
}
Matrix Pipeline::do_decision_function(const MatrixView& X) const {
  return final_step().decision_function(through_transformers(X));
}
Matrix Pipeline::do_predict_proba(const MatrixView& X) const {
  return final_step().predict_proba(through_transformers(X));
}
Matrix Pipeline::do_transform(const MatrixView& X) const {
  return final_step().transform(through_transformers(X));
}
double Pipeline::do_score(const MatrixView& X, const Vector& y) const {
  return final_step().score(through_transformers(X), y);
}

Value Pipeline::save_state(SaveContext& ctx) const {
  Array steps;
  for (const auto& [name, est] : steps_) {
    Map step;
    step.insert("name", name);
    step.insert("estimator", ctx.save_nested(*est));
    steps.push_back(std::move(step));
  }
  Map m;
  m.insert("steps", std::move(steps));
  return m;
}

void Pipeline::load_state(const Node& state, LoadContext& ctx) {
  const Node steps = state["steps"];
  if (steps.size() == 0) steps.fail("a fitted Pipeline has at least one step");
  std::vector<Step> loaded;
  std::int64_t width = n_features_in();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Node step = steps[i];
    auto est = ctx.load_nested(step["estimator"]);
    if (!est->is_fitted()) step["estimator"].fail("every step of a fitted Pipeline is fitted");
    if (est->n_features_in() != width)
      step["estimator"].fail("expects " + std::to_string(est->n_features_in()) +
                             " input columns, but the previous step produces " +
                             std::to_string(width));
    width = est->n_features_out();
    loaded.emplace_back(step["name"].as_string(), std::move(est));
  }
  const std::optional<Value> declared = declared_steps_;
  common::check_nested_params(loaded, pending_params_, steps);
  try {
    set_steps(std::move(loaded));
  } catch (const UsageError& e) {
    steps.fail(e.what());
  }
  if (declared && !(*declared == step_spec(steps_)))
    steps.fail("the steps do not match the parameters' `steps` list");
}

}  // namespace mlpersist::pipeline

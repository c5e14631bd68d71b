#include "decision_tree_regressor.hpp"

#include "random.hpp"

namespace mlpersist::tree {
namespace {

constexpr std::string_view kName = "DecisionTreeRegressor";

}  // namespace

Vector predict_values(const Tree& tree, const MatrixView& X) {
  Matrix out = Matrix::Zero(X.rows(), 1);
  tree.accumulate_values(X, 1.0, out, 0);
  return out.col(0);
}

void DecisionTreeRegressor::validate_params(const DecisionTreeRegressorParams& p) const {
  validate_growth_params(kName, p);
  (void)parse_splitter(kName, p.splitter);
}

double DecisionTreeRegressor::fit_cost(double n_samples, double n_features) const {
  return tree_fit_cost(params_.criterion, n_samples, n_features);
}

void DecisionTreeRegressor::do_fit(const MatrixView& X, const Vector& y) {
  validate_params(params_);  // parameters given to the constructor were never checked
  GrowthOptions options = growth_options(kName, params_, X.cols());
  options.random_splits = parse_splitter(kName, params_.splitter);
  const TrainingSet data = regression_training_set(kName, X, y, params_.criterion);
  // scikit-learn seeds the splitter with one draw from RandomState(random_state).
  NumpyRandomState random_state(initial_seed(params_.random_state));
  tree_ = Tree::fit(data, {}, options, draw_seed(random_state));
  max_features_ = options.max_features;
}

Vector DecisionTreeRegressor::do_predict(const MatrixView& X) const {
  return predict_values(tree_, X);
}

Vector DecisionTreeRegressor::feature_importances() const {
  return tree_.feature_importances(n_features_in());
}

Value DecisionTreeRegressor::save_state(SaveContext&) const {
  Map m;
  m.insert("max_features_", max_features_);
  tree_.save(m);
  return m;
}

void DecisionTreeRegressor::load_state(const Node& state, LoadContext&) {
  const std::int64_t max_features = state["max_features_"].as_int(1, n_features_in());
  tree_ = Tree::load_regression(state, n_features_in());
  max_features_ = max_features;
}

}  // namespace mlpersist::tree

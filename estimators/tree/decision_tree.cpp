#include "decision_tree.hpp"

#include <cmath>

#include "random.hpp"

namespace mlpersist::tree {
namespace {

constexpr std::string_view kName = "DecisionTreeClassifier";

}  // namespace

void DecisionTreeClassifier::validate_params(const DecisionTreeClassifierParams& p) const {
  validate_growth_params(kName, p);
}

double DecisionTreeClassifier::fit_cost(double n_samples, double n_features) const {
  return n_samples * std::log2(n_samples + 2) * n_features;
}

bool DecisionTreeClassifier::supports(Method m) const {
  return m == Method::kPredict || m == Method::kPredictProba;
}

void DecisionTreeClassifier::do_fit(const MatrixView& X, const Vector& y) {
  validate_params(params_);  // parameters given to the constructor were never checked
  const GrowthOptions options = growth_options(kName, params_, X.cols());
  std::vector<double> classes;
  const TrainingSet data = encode_training_set(X, y, classes);
  // scikit-learn seeds the splitter with one draw from RandomState(random_state).
  NumpyRandomState random_state(initial_seed(params_.random_state));
  tree_ = Tree::fit(data, {}, options, draw_seed(random_state));
  classes_ = std::move(classes);
  max_features_ = options.max_features;
}

Vector DecisionTreeClassifier::do_predict(const MatrixView& X) const {
  // As argmax of the counts: fractions of an integral total below 2^53 keep a strict maximum.
  return common::labels_of_row_max(tree_.leaf_values(X), classes_);
}

Matrix DecisionTreeClassifier::do_predict_proba(const MatrixView& X) const {
  Matrix proba = Matrix::Zero(X.rows(), static_cast<Eigen::Index>(classes_.size()));
  tree_.accumulate_proba(X, proba);
  return proba;
}

Vector DecisionTreeClassifier::feature_importances() const {
  return tree_.feature_importances(n_features_in());
}

Value DecisionTreeClassifier::save_state(SaveContext&) const {
  Map m;
  save_classes(m, classes_);
  m.insert("max_features_", max_features_);
  tree_.save(m);
  return m;
}

void DecisionTreeClassifier::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = load_classes(state);
  const std::int64_t max_features = state["max_features_"].as_int(1, n_features_in());
  Tree tree = Tree::load(state, n_features_in(), static_cast<std::int64_t>(classes.size()));
  classes_ = std::move(classes);
  max_features_ = max_features;
  tree_ = std::move(tree);
}

}  // namespace mlpersist::tree

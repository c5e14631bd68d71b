#include "k_neighbors_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mlpersist/error.hpp>

#include "brute_force.hpp"
#include "common/classes.hpp"

namespace mlpersist::neighbors {

Eigen::Index KNeighborsClassifier::class_index(std::span<const std::int64_t> y,
                                               std::size_t row) const {
  const std::int64_t c = y[row];
  if (c < 0 || static_cast<std::size_t>(c) >= classes_.size())
    throw SchemaError(ErrorCode::kSchemaMismatch,
                      "KNeighborsClassifier: state._y[" + std::to_string(row) +
                          "] = " + std::to_string(c) + " is not a class index in [0, " +
                          std::to_string(classes_.size()) +
                          "); the saved model is corrupt, "
                          "re-fit it");
  return static_cast<Eigen::Index>(c);
}

void KNeighborsClassifier::validate_params(const KNeighborsClassifierParams& p) const {
  validate_neighbors_params(p.n_neighbors, p.weights, "KNeighborsClassifier");
}

bool KNeighborsClassifier::supports(Method m) const {
  return m == Method::kPredict || m == Method::kPredictProba;
}

void KNeighborsClassifier::do_fit(const MatrixView& X, const Vector& y) {
  std::vector<double> classes = common::unique_labels(y);
  const std::vector<std::int64_t> indices = common::class_indices<std::int64_t>(classes, y);
  fit_X_ = Tensor::from_matrix(X);
  y_ = Tensor::from_values(std::span<const std::int64_t>(indices));
  classes_ = std::move(classes);
}

Matrix KNeighborsClassifier::votes(const MatrixView& X) const {
  const auto k = static_cast<Eigen::Index>(params_.n_neighbors);
  const std::vector<Neighbor> neighbors =
      checked_k_nearest(X, fit_X_.matrix<double>(), k, "KNeighborsClassifier");
  const auto y = y_.values<std::int64_t>();
  const bool uniform = params_.weights == "uniform";
  std::vector<double> weights(static_cast<std::size_t>(k), 1.0);
  Matrix out = Matrix::Zero(X.rows(), static_cast<Eigen::Index>(classes_.size()));
  for (Eigen::Index q = 0; q < X.rows(); ++q) {
    const Neighbor* row = &neighbors[static_cast<std::size_t>(q * k)];
    if (!uniform) distance_weights(row, k, weights.data());
    for (Eigen::Index i = 0; i < k; ++i)
      out(q, class_index(y, static_cast<std::size_t>(row[i].index))) +=
          weights[static_cast<std::size_t>(i)];
  }
  return out;
}

Vector KNeighborsClassifier::do_predict(const MatrixView& X) const {
  const Matrix v = votes(X);
  Vector out(X.rows());
  for (Eigen::Index q = 0; q < X.rows(); ++q) {
    Eigen::Index best = 0;
    (void)v.row(q).maxCoeff(&best);  // the first maximum: the lowest of tied classes
    out(q) = classes_[static_cast<std::size_t>(best)];
  }
  return out;
}

Matrix KNeighborsClassifier::do_predict_proba(const MatrixView& X) const {
  Matrix v = votes(X);
  for (Eigen::Index q = 0; q < v.rows(); ++q) {
    const double total = v.row(q).sum();
    if (total != 0) v.row(q) /= total;  // all weights zero (only infinitely far rows): zeros
  }
  return v;
}

Value KNeighborsClassifier::save_state(SaveContext&) const {
  Map m;
  m.insert("classes_", Tensor::from_values(std::span<const double>(classes_)));
  m.insert("_fit_X", fit_X_);
  m.insert("_y", y_);
  return m;
}

void KNeighborsClassifier::load_state(const Node& state, LoadContext&) {
  std::vector<double> classes = common::read_classes(state["classes_"]);
  // The training matrix is not scanned for NaN or infinity: it may be millions of rows mapped
  // from a file, and reading it all would defeat zero-copy loading. A non-finite row only makes
  // its distances NaN or infinite, which the search ranks as +infinity (last), so predict stays
  // well defined.
  const Node fit_X_node = state["_fit_X"];
  const Tensor& fit_X = fit_X_node.as_tensor(DType::kFloat64, 2, /*finite=*/false);
  const std::uint64_t n = fit_X.shape()[0];
  if (n == 0) fit_X_node.fail("expected at least one training sample");
  (void)fit_X_node.as_shaped_tensor(DType::kFloat64,
                                    {n, static_cast<std::uint64_t>(n_features_in())},
                                    /*finite=*/false);
  // The class indices are not scanned here either (32 MB for 4 million rows): votes() checks
  // each one it uses, so a bad index fails predict with a SchemaError and never addresses
  // memory outside the votes.
  const Tensor& y = state["_y"].as_shaped_tensor(DType::kInt64, {n});
  classes_ = std::move(classes);
  fit_X_ = fit_X;
  y_ = y;
}

}  // namespace mlpersist::neighbors

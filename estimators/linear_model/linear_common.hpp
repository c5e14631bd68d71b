// Pieces shared by the linear models: centring as scikit-learn's _preprocess_data does, the
// coef_/intercept_ state of single-target regressors, and class labels.
#pragma once

#include <Eigen/Core>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <vector>

namespace mlpersist::linear_model {

/// Column-major copy of the training data, centred when an intercept is fitted.
struct CenteredData {
  Eigen::MatrixXd X;
  Vector y;
  Vector x_offset;  ///< column means (zeros without an intercept)
  double y_offset = 0;
};

/// Subtracts the column means of X and the mean of y when `fit_intercept`, as scikit-learn does
/// before solving, so that the intercept is y_offset - x_offset . coef.
[[nodiscard]] CenteredData center(const MatrixView& X, const Vector& y, bool fit_intercept);

/// A fitted single-target linear model: y = X coef + intercept.
struct LinearFit {
  Vector coef;
  double intercept = 0;

  /// X coef + intercept.
  [[nodiscard]] Vector predict(const MatrixView& X) const;
  /// Sets intercept from the offsets the data was centred with.
  void set_intercept(const CenteredData& data);
};

/// Adds coef_ (1-D) and intercept_ (a number) to `state`.
void save_linear_fit(const LinearFit& fit, Map& state);
/// Reads coef_ (n_features values, finite) and intercept_ (finite). Throws SchemaError.
[[nodiscard]] LinearFit load_linear_fit(const Node& state, std::int64_t n_features);

}  // namespace mlpersist::linear_model

#pragma once

// Helpers shared by the estimator tests: relative comparisons against scikit-learn's reference
// arrays, cross-validation parity, and hand-edited documents that load_state must refuse.

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/persist.hpp>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace mlpersist::test {

/// Largest |a - b| / max(1, |b|) over all elements; infinity when the shapes differ.
inline double max_rel_error(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return std::numeric_limits<double>::infinity();
  if (a.size() == 0) return 0;
  return ((a - b).cwiseAbs().array() / b.cwiseAbs().array().max(1.0)).maxCoeff();
}

/// |a - b| <= tol * max(1, |b|) everywhere; the failure names the worst error.
inline ::testing::AssertionResult near_rel(const Matrix& a, const Matrix& b, double tol) {
  const double err = max_rel_error(a, b);
  if (err <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "relative error " << err << " > " << tol << " (shapes " << a.rows() << "x" << a.cols()
         << " vs " << b.rows() << "x" << b.cols() << ")";
}

inline ::testing::AssertionResult near_rel(double a, double b, double tol) {
  return near_rel(Matrix::Constant(1, 1, a), Matrix::Constant(1, 1, b), tol);
}

/// Prints a measured parity number so that test logs record how close each estimator is.
inline void report(const std::string& what, double value) {
  std::cout << "[ parity   ] " << what << ": " << value << '\n';
}

/// A saved state's number or tensor (rank 2 at most) laid out as json_matrix lays out
/// scikit-learn's arrays: a column for rank 1, 0 x 0 when empty.
inline Matrix state_matrix(const Value& v) {
  if (v.kind() == Kind::kInt) return Matrix::Constant(1, 1, static_cast<double>(v.as_int()));
  if (v.kind() == Kind::kDouble) return Matrix::Constant(1, 1, v.as_double());
  const Tensor& t = v.as_tensor();
  if (t.size() == 0) return Matrix(0, 0);
  const auto rows = t.rank() == 0 ? 1 : static_cast<Eigen::Index>(t.shape()[0]);
  const auto cols = t.rank() == 2 ? static_cast<Eigen::Index>(t.shape()[1]) : 1;
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = t.dtype() == DType::kInt64
                      ? static_cast<double>(t.values<std::int64_t>()[static_cast<std::size_t>(i)])
                      : t.values<double>()[static_cast<std::size_t>(i)];
  return m;
}

/// A fitted attribute and the relative error it must stay within (0: equal exactly).
struct FittedAttribute {
  std::string name;
  double tolerance;
};

/// Each attribute of a saved `state` against scikit-learn's `fitted[prefix + name]`, within its
/// tolerance; prints every error, so that test logs record how close the fit is.
inline void expect_fitted_state(const Value& state, const rapidjson::Value& fitted,
                                const std::string& prefix,
                                const std::vector<FittedAttribute>& attributes) {
  for (const auto& [name, tolerance] : attributes) {
    const std::string key = prefix + name;
    const Value* actual = state.as_map().find(name);
    ASSERT_NE(actual, nullptr) << name << " is not in the saved state";
    ASSERT_TRUE(fitted.HasMember(key.c_str())) << key << " is not in the reference";
    const double error = max_rel_error(state_matrix(*actual), json_matrix(fitted[key.c_str()]));
    report(key + " max rel error", error);
    EXPECT_LE(error, tolerance) << key;
  }
}

/// A saved svm.SVC state against scikit-learn's fitted SVC attributes (`prefix` + name): the
/// indices and counts exactly, the support vectors and the coefficients within their relative
/// tolerances, the fitted kernel's gamma as _gamma, and scikit-learn's defaults for what this
/// SVC has no parameter for (no class weights, no Platt scaling).
inline void expect_svc_state_matches(const Value& state, const rapidjson::Value& fitted,
                                     const std::string& prefix, double support_vectors,
                                     double coefficients) {
  expect_fitted_state(state, fitted, prefix,
                      {{"classes_", 0},
                       {"n_support_", 0},
                       {"support_", 0},
                       {"n_iter_", 0},
                       {"fit_status_", 0},
                       {"support_vectors_", support_vectors},
                       {"dual_coef_", coefficients},
                       {"intercept_", coefficients}});
  expect_fitted_state(state.as_map().find("kernel_")->as_map(), fitted, prefix + "_",
                      {{"gamma", 0}});
  const Matrix class_weight = json_matrix(fitted[(prefix + "class_weight_").c_str()]);
  EXPECT_TRUE((class_weight.array() == 1.0).all());
  EXPECT_EQ(fitted[(prefix + "probA_").c_str()].Size(), 0u);
  EXPECT_EQ(fitted[(prefix + "probB_").c_str()].Size(), 0u);
}

/// cross_validate(prototype, X, y, 5)'s fold scores against the reference's `cv_scores`.
inline void expect_cv_scores(const Estimator& prototype, const Dataset& d,
                             const rapidjson::Value& reference, double tol,
                             const std::string& what) {
  const CvResult cv = cross_validate(prototype, d.X, d.y, 5);
  const Vector scores = Eigen::Map<const Vector>(cv.scores.data(), std::ssize(cv.scores));
  const Vector want = json_vector(reference["cv_scores"]);
  report(what + " cv_scores max rel error", max_rel_error(scores, want));
  EXPECT_TRUE(near_rel(scores, want, tol)) << what;
}

/// Each (name, value) alone must be refused by set_params with UsageError.
inline void expect_params_refused(const std::string& type,
                                  const std::vector<std::pair<std::string, Value>>& bad) {
  auto est = registry().create(type);
  for (const auto& [key, value] : bad) {
    Map m;
    m.insert(key, value);
    EXPECT_THROW(est->set_params(m), UsageError) << key;
  }
}

inline Tensor int_tensor(std::vector<std::int64_t> v) {
  return Tensor::from_values(std::span<const std::int64_t>(v));
}

}  // namespace mlpersist::test

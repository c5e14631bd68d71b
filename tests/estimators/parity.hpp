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

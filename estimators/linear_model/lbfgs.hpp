// A compact limited-memory BFGS minimiser for smooth unconstrained problems.
//
// It follows the decisions of L-BFGS-B 3.0 as scipy.optimize.minimize(method="L-BFGS-B") runs it
// without bounds (the solver scikit-learn's LogisticRegression uses): the same memory size,
// first step, Moré-Thuente line search constants, update-skipping rule, restart on a failed line
// search and stopping tests, so that iteration counts and solutions are comparable.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <limits>

namespace mlpersist::linear_model {

/// f(x); writes the gradient at x into `grad` (already sized like x).
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

/// Stopping rules and sizes, with scipy's L-BFGS-B defaults.
struct LbfgsOptions {
  int memory = 10;        ///< correction pairs kept (scipy's maxcor)
  int max_iter = 15000;   ///< iterations (accepted line searches) before giving up
  int max_evals = 15000;  ///< objective evaluations before giving up (scipy's maxfun)
  double gtol = 1e-5;     ///< stop when max_i |grad_i| <= gtol (scipy's gtol / pgtol)
  /// Stop when the relative decrease of f in one iteration is at most this (factr * eps).
  double ftol = 1e7 * std::numeric_limits<double>::epsilon();
};

/// Why the minimiser stopped.
enum class LbfgsStatus {
  kGradientSmall,     ///< max |grad| <= gtol
  kNoProgress,        ///< relative decrease of f <= ftol
  kMaxIter,           ///< max_iter reached
  kMaxEvals,          ///< max_evals reached
  kLineSearchFailed,  ///< no acceptable step even along steepest descent
};

/// The last accepted point and how the search went.
struct LbfgsResult {
  Eigen::VectorXd x;
  double f = 0;
  int n_iter = 0;
  int n_evals = 0;
  LbfgsStatus status = LbfgsStatus::kGradientSmall;

  /// True when a stopping test (not a limit or a failure) ended the search.
  [[nodiscard]] bool converged() const noexcept {
    return status == LbfgsStatus::kGradientSmall || status == LbfgsStatus::kNoProgress;
  }
};

/// Minimises `f` from `x0`. The objective must return finite values near x0; a non-finite value
/// further out counts as a failed line search (the step is retried along steepest descent).
[[nodiscard]] LbfgsResult minimize_lbfgs(const Objective& f, Eigen::VectorXd x0,
                                         const LbfgsOptions& options);

}  // namespace mlpersist::linear_model

// libsvm's SMO solver (Fan, Chen & Lin 2005 working-set selection, shrinking), as bundled with
// scikit-learn: min 0.5 a'Qa + p'a subject to y'a = 0 and 0 <= a_t <= C, from a = 0.
#pragma once

#include <cstdint>
#include <vector>

#include "q_matrix.hpp"

namespace mlpersist {
class ProgressTask;
}

namespace mlpersist::svm {

struct SolverOptions {
  double C = 1.0;
  double tol = 1e-3;  // libsvm's eps: stop when the maximal violating pair's gap is below it
  bool shrinking = true;
  long max_iter = -1;  // per one-vs-one sub-problem; -1 = no limit
  double cache_mb = 200;
};

// What libsvm's Solver returns for one problem.
struct SmoSolution {
  std::vector<double> coef;  // y_t * alpha_t in the problem's order
  double rho = 0.0;
  std::int64_t n_iter = 0;
  bool timed_out = false;
};

// Solves over the rows of q (which it permutes) with labels y and linear term p. Reports its
// iterations to `progress`.
SmoSolution solve_smo(QMatrix& q, std::vector<signed char> y, std::vector<double> p,
                      const SolverOptions& o, ProgressTask& progress);

}  // namespace mlpersist::svm

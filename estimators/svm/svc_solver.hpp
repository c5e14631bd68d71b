// C-SVC training and prediction following libsvm's SMO solver as bundled with scikit-learn.
//
// The training path reproduces libsvm 3.x (Fan, Chen & Lin 2005 working-set selection,
// shrinking, float kernel cache) and scikit-learn's one-vs-one assembly, so that a fitted
// SvcModel matches scikit-learn's SVC attributes (support_, dual_coef_, intercept_, ...).
// Self-contained: depends only on the standard library and Eigen.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels.hpp"
#include "smo.hpp"

namespace mlpersist::svm {

// Fitted model in scikit-learn's public layout (SVC, sklearn 1.2, decision_function_shape='ovr',
// break_ties=False). For two classes dual_coef and intercept carry scikit-learn's flipped sign.
struct SvcModel {
  std::vector<double> classes;          // sorted unique labels
  std::vector<std::int64_t> support;    // training row indices, grouped by class
  RowMatrix support_vectors;            // n_SV x n_features
  RowMatrix dual_coef;                  // (n_classes-1) x n_SV, libsvm's sv_coef layout
  std::vector<double> intercept;        // one per pair (i<j), ordered (0,1),(0,2),...,(1,2),...
  std::vector<std::int64_t> n_support;  // per class
  std::vector<std::int64_t> n_iter;     // solver iterations per pair
  int fit_status = 0;                   // 1 when some pair stopped at max_iter
};

// Fits a one-vs-one C-SVC. Throws std::invalid_argument on invalid data or parameters.
SvcModel fit_svc(const RowMatrix& X, const Eigen::VectorXd& y, const KernelSpec& k,
                 const SolverOptions& o);

// Raw one-vs-one decision values, n_samples x n_pairs; positive favours the first class of
// the pair. Equals scikit-learn's decision_function with decision_function_shape='ovo'.
RowMatrix decision_ovo(const SvcModel& m, const KernelSpec& k, const RowMatrix& X);

// sum_s coef_s k(x, sv_s) for every row x of X: the decision values of a kernel model (SVR's
// predictions before the intercept).
Eigen::VectorXd kernel_expansion(const KernelSpec& k, const RowMatrix& sv,
                                 const Eigen::VectorXd& coef, const RowMatrix& X);

// scikit-learn's _ovr_decision_function: votes plus confidences squashed into (-1/3, 1/3).
RowMatrix decision_ovr(const RowMatrix& ovo, std::size_t n_classes);

// scikit-learn's public SVC.decision_function: for two classes a single column, positive
// favouring classes[1]; otherwise decision_ovr.
RowMatrix decision_function(const SvcModel& m, const RowMatrix& ovo);

// libsvm voting over the one-vs-one values; ties go to the lowest class index.
Eigen::VectorXd predict(const SvcModel& m, const RowMatrix& ovo);

// Numeric gamma for gamma='scale': 1 / (n_features * X.var()) over all entries (population
// variance), or 1 when that variance is zero.
double gamma_scale(const RowMatrix& X);
// Numeric gamma for gamma='auto': 1 / n_features.
double gamma_auto(const RowMatrix& X);

}  // namespace mlpersist::svm

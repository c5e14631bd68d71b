// The matrix Q of libsvm's SMO problems as its solver reads it: C-SVC's (SVC_Q) and
// epsilon-SVR's (SVR_Q), rows cached as float like libsvm's Qfloat, so that the iterates stay
// identical to scikit-learn's.
#pragma once

#include <memory>
#include <vector>

#include "kernels.hpp"

namespace mlpersist::svm {

// The matrix Q of the SMO problem, as the solver reads it (libsvm's QMatrix).
class QMatrix {
 public:
  virtual ~QMatrix() = default;
  // Entries [0, len) of row i. The pointer stays valid until two more rows have been fetched
  // or a swap: the two rows of one SMO step are resident together.
  virtual const float* row(Eigen::Index i, Eigen::Index len) = 0;
  // Q_ii in double precision, as libsvm's QD.
  [[nodiscard]] virtual double diag(Eigen::Index i) const = 0;
  // Follows the solver's swap of positions i and j.
  virtual void swap_index(Eigen::Index i, Eigen::Index j) = 0;
};

// Q_ij = y_i y_j k(x_i, x_j) over the rows of x, labels y_i = +1 or -1 (libsvm's SVC_Q).
[[nodiscard]] std::unique_ptr<QMatrix> svc_q(RowMatrix x, std::vector<signed char> y,
                                             const KernelSpec& k, double cache_mb);
// Q of epsilon-SVR over the 2l variables of the l rows of x (libsvm's SVR_Q): positions [0, l)
// are alpha_i (sign +1), [l, 2l) alpha*_i (sign -1). x must outlive the matrix.
[[nodiscard]] std::unique_ptr<QMatrix> svr_q(const RowMatrix& x, const KernelSpec& k,
                                             double cache_mb);

}  // namespace mlpersist::svm

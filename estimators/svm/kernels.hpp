// libsvm's kernels, evaluated as scikit-learn's bundled libsvm does (the same roundings), for
// the SMO's Q rows and for prediction.
#pragma once

#include <Eigen/Dense>

namespace mlpersist::svm {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class KernelKind { linear, poly, rbf, sigmoid };

// libsvm kernels: linear x.y, poly (gamma x.y + coef0)^degree, rbf exp(-gamma |x-y|^2),
// sigmoid tanh(gamma x.y + coef0). gamma must already be numeric (see gamma_scale/gamma_auto).
struct KernelSpec {
  KernelKind kind = KernelKind::rbf;
  double gamma = 1.0;
  int degree = 3;
  double coef0 = 0.0;
};

// Turns the n inner products v[t] = <a, b_t> into kernel values k(a, b_t) in place. The squared
// norms sq_a and sq_b[t] are read by the rbf kernel only.
void dots_to_kernel(const KernelSpec& k, double sq_a, const double* sq_b, double* v,
                    Eigen::Index n);

// Kernel matrix k(a_r, b_t) for all rows of A and B; b_sq holds the squared row norms of B.
RowMatrix kernel_block(const KernelSpec& k, const Eigen::Ref<const RowMatrix>& A,
                       const RowMatrix& B, const Eigen::VectorXd& b_sq);

// k(x_i, x_t) for the v.size() rows t from `from` on, into v; sq_norms holds the squared row
// norms of x. Returns v.
Eigen::Ref<Eigen::VectorXd> kernel_row(const KernelSpec& k, const RowMatrix& x,
                                       const Eigen::VectorXd& sq_norms, Eigen::Index i,
                                       Eigen::Index from, Eigen::Ref<Eigen::VectorXd> v);

// One kernel evaluation k(a, b) over n features, as libsvm's prediction-time kernel.
double kernel(const KernelSpec& k, const double* a, const double* b, Eigen::Index n);

}  // namespace mlpersist::svm

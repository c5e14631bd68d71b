#include "kernels.hpp"

#include <cmath>
#include <stdexcept>

namespace mlpersist::svm {
namespace {

using Index = Eigen::Index;

// Integer power by repeated squaring, as libsvm's powi; std::pow would round differently.
double powi(double base, int times) {
  double result = 1.0;
  for (int t = times; t > 0; t /= 2) {
    if (t % 2 == 1) result *= base;
    base *= base;
  }
  return result;
}

[[noreturn]] void throw_bad_kernel() {
  throw std::invalid_argument("svm: unknown kernel kind");
}

}  // namespace

void dots_to_kernel(const KernelSpec& k, double sq_a, const double* sq_b, double* v, Index n) {
  Eigen::Map<Eigen::ArrayXd> d(v, n);
  switch (k.kind) {
    case KernelKind::linear: return;
    case KernelKind::poly:
      for (double& x : d) x = powi(k.gamma * x + k.coef0, k.degree);
      return;
    case KernelKind::rbf:
      d = (-k.gamma * ((sq_a + Eigen::Map<const Eigen::ArrayXd>(sq_b, n)) - 2.0 * d)).exp();
      return;
    case KernelKind::sigmoid: d = (k.gamma * d + k.coef0).tanh(); return;
  }
  throw_bad_kernel();
}

RowMatrix kernel_block(const KernelSpec& k, const Eigen::Ref<const RowMatrix>& A,
                       const RowMatrix& B, const Eigen::VectorXd& b_sq) {
  RowMatrix K = A * B.transpose();
  for (Index r = 0; r < A.rows(); ++r) {
    dots_to_kernel(k, A.row(r).squaredNorm(), b_sq.data(), K.row(r).data(), B.rows());
  }
  return K;
}

Eigen::Ref<Eigen::VectorXd> kernel_row(const KernelSpec& k, const RowMatrix& x,
                                       const Eigen::VectorXd& sq_norms, Index i, Index from,
                                       Eigen::Ref<Eigen::VectorXd> v) {
  v.noalias() = x.middleRows(from, v.size()) * x.row(i).transpose();
  dots_to_kernel(k, sq_norms[i], sq_norms.data() + from, v.data(), v.size());
  return v;
}

double kernel(const KernelSpec& k, const double* a, const double* b, Eigen::Index n) {
  const Eigen::Map<const Eigen::VectorXd> va(a, n);
  const Eigen::Map<const Eigen::VectorXd> vb(b, n);
  switch (k.kind) {
    case KernelKind::linear: return va.dot(vb);
    case KernelKind::poly: return powi(k.gamma * va.dot(vb) + k.coef0, k.degree);
    case KernelKind::rbf: return std::exp(-k.gamma * (va - vb).squaredNorm());
    case KernelKind::sigmoid: return std::tanh(k.gamma * va.dot(vb) + k.coef0);
  }
  throw_bad_kernel();
}

}  // namespace mlpersist::svm

#pragma once

// Eigen views of the document model's tensors: the only public header that brings in Eigen with
// the Tensor, so that backends, the container code and tools that only move documents around
// never parse it. Estimators get it through <mlpersist/estimator.hpp>.

#include <Eigen/Core>
#include <cstdint>
#include <mlpersist/tensor.hpp>

namespace mlpersist {

template <class T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Samples in rows, features in columns (C order, like NumPy).
using Matrix = RowMajorMatrix<double>;
using Vector = Eigen::VectorXd;
/// A writable view of a Matrix or of a block of its columns (rows apart by the full width).
using MatrixBlock = Eigen::Ref<Matrix, 0, Eigen::OuterStride<>>;

template <class EigenMatrix>
Tensor Tensor::from_matrix(const EigenMatrix& m) {
  using T = typename EigenMatrix::Scalar;
  Tensor t = allocate(dtype_of<T>(),
                      {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())});
  Eigen::Map<RowMajorMatrix<T>>(t.mutable_data<T>(), m.rows(), m.cols()) = m;
  return t;
}

template <class EigenVector>
Tensor Tensor::from_vector(const EigenVector& v) {
  using T = typename EigenVector::Scalar;
  Tensor t = allocate(dtype_of<T>(), {static_cast<std::uint64_t>(v.size())});
  Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(t.mutable_data<T>(), v.size()) = v;
  return t;
}

template <class T>
auto Tensor::matrix() const {
  check_dtype(dtype_of<T>());
  check_rank(2);
  return Eigen::Map<const RowMajorMatrix<T>>(reinterpret_cast<const T*>(data()),
                                             static_cast<Eigen::Index>(shape_[0]),
                                             static_cast<Eigen::Index>(shape_[1]));
}

template <class T>
auto Tensor::vector() const {
  check_dtype(dtype_of<T>());
  check_rank(1);
  return Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(
      reinterpret_cast<const T*>(data()), static_cast<Eigen::Index>(shape_[0]));
}

}  // namespace mlpersist

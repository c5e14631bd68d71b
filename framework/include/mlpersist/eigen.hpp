#pragma once

// Eigen views of the document model's tensors: the only public header that brings in Eigen with
// the Tensor, so that backends, the container code and tools that only move documents around
// never parse it. Estimators get it through <mlpersist/estimator.hpp>.

#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <mlpersist/tensor.hpp>

namespace mlpersist {

template <class T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Samples in rows, features in columns (C order, like NumPy).
using Matrix = RowMajorMatrix<double>;
using Vector = Eigen::VectorXd;
/// A read-only view of samples in rows: a Matrix, a block of its rows or columns, or a C-ordered
/// buffer borrowed from elsewhere (a NumPy array), with no copy. Rows are outerStride() apart,
/// which is not always cols(): index rows as &X(i, 0), never as X.data() + i * cols().
using MatrixView = Eigen::Ref<const Matrix>;
/// A writable view of a Matrix or of a block of its columns (rows apart by the full width).
using MatrixBlock = Eigen::Ref<Matrix, 0, Eigen::OuterStride<>>;

template <class EigenMatrix>
Tensor Tensor::from_matrix(const EigenMatrix& m) {
  using T = typename EigenMatrix::Scalar;
  Tensor t = allocate(dtype_of<T>(),
                      {static_cast<std::uint64_t>(m.rows()), static_cast<std::uint64_t>(m.cols())});
  // Rows side by side in memory (a Matrix, or a view of a caller's C-ordered buffer) are one
  // block: Eigen copies a view with a run-time row stride row by row, at a third of the speed.
  if constexpr (bool(EigenMatrix::Flags & Eigen::DirectAccessBit) &&
                bool(EigenMatrix::Flags & Eigen::RowMajorBit)) {
    if (m.rows() <= 1 || m.outerStride() == m.cols()) {
      if (m.size() > 0)
        std::memcpy(t.mutable_data<T>(), m.data(), sizeof(T) * static_cast<std::size_t>(m.size()));
      return t;
    }
  }
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

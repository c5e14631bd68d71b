#pragma once

// Reading fitted float64 arrays back from a document, copied into Eigen objects.

#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/tensor.hpp>
#include <string>

namespace mlpersist::common {

/// A float64 tensor of exactly `shape` (finite unless `finite` is false).
[[nodiscard]] inline const Tensor& read_tensor(const Node& n, const Tensor::Shape& shape,
                                               bool finite = true) {
  return n.as_shaped_tensor(DType::kFloat64, shape, finite);
}

/// A finite float64 vector of `size` elements, copied.
[[nodiscard]] inline Vector read_vector(const Node& n, std::uint64_t size, bool finite = true) {
  return read_tensor(n, {size}, finite).vector<double>();
}

/// A finite float64 matrix of `rows` x `cols`, copied.
[[nodiscard]] inline Matrix read_matrix(const Node& n, std::uint64_t rows, std::uint64_t cols) {
  return read_tensor(n, {rows, cols}).matrix<double>();
}

}  // namespace mlpersist::common

#pragma once

// Reading fitted arrays back from a document with the shape the rest of the state implies.
// (Candidates for Node itself: `as_tensor(dtype, shape)`.)

#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/tensor.hpp>
#include <string>

namespace mlpersist::common {

/// Fails at `n` unless `t` has exactly `shape`, saying which shape the rest of the state implies.
inline void expect_shape(const Node& n, const Tensor& t, const Tensor::Shape& shape) {
  if (t.shape() == shape) return;
  auto text = [](const Tensor::Shape& s) {
    std::string out;
    for (auto d : s) out += (out.empty() ? "" : " x ") + std::to_string(d);
    return out.empty() ? std::string("a scalar") : out;
  };
  n.fail("expected shape " + text(shape) + " to agree with the rest of the fitted state, found " +
         text(t.shape()));
}

/// A float64 tensor of exactly `shape` (finite unless `finite` is false).
[[nodiscard]] inline const Tensor& read_tensor(const Node& n, const Tensor::Shape& shape,
                                               bool finite = true) {
  const Tensor& t = n.as_tensor(DType::kFloat64, shape.size(), finite);
  expect_shape(n, t, shape);
  return t;
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

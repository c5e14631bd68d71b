#pragma once

// A classifier's numeric classes_: the labels encoded for fitting, checked when loaded and
// mapped back from class scores. One home for every family (tree, ensemble, linear_model,
// naive_bayes, neighbors, svm), so that all agree with np.unique and numpy's argmax.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <string>
#include <vector>

namespace mlpersist::common {

/// The distinct labels of `y`, sorted (np.unique): a classifier's classes_.
[[nodiscard]] inline std::vector<double> unique_labels(const Vector& y) {
  std::vector<double> classes(y.begin(), y.end());
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  return classes;
}

/// Each label of `y` as its index in `classes` (which holds every one of them), as `Index`.
template <class Index>
[[nodiscard]] std::vector<Index> class_indices(const std::vector<double>& classes,
                                               const Vector& y) {
  std::vector<Index> index(static_cast<std::size_t>(y.size()));
  for (Eigen::Index i = 0; i < y.size(); ++i)
    index[static_cast<std::size_t>(i)] = static_cast<Index>(
        std::lower_bound(classes.begin(), classes.end(), y(i)) - classes.begin());
  return index;
}

/// Reads a numeric classes_: a finite float64 vector of at least `min_count` labels in strictly
/// increasing order (sorted and distinct, as unique_labels makes it; predict and the class
/// indices rely on it). Throws SchemaError naming the path.
[[nodiscard]] inline std::vector<double> read_classes(const Node& n, std::size_t min_count = 1) {
  const auto c = n.as_tensor(DType::kFloat64, 1).values<double>();
  if (c.size() < min_count ||
      std::adjacent_find(c.begin(), c.end(), std::greater_equal<>()) != c.end())
    n.fail("expected at least " + std::to_string(min_count) +
           (min_count == 1 ? " class" : " classes") + ", distinct and in increasing order");
  return {c.begin(), c.end()};
}

/// classes[argmax of each row of `scores`]; ties go to the first maximum, as numpy's argmax.
[[nodiscard]] inline Vector labels_of_row_max(const Matrix& scores,
                                              const std::vector<double>& classes) {
  Vector out(scores.rows());
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best = 0;
    for (Eigen::Index c = 1; c < scores.cols(); ++c)
      if (scores(i, c) > scores(i, best)) best = c;
    out(i) = classes[static_cast<std::size_t>(best)];
  }
  return out;
}

}  // namespace mlpersist::common

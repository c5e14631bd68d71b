#include "nearest_centroid.hpp"

#include <algorithm>
#include <mlpersist/error.hpp>
#include <mlpersist/tensor.hpp>
#include <span>
#include <string>

namespace example {
namespace {

using mlpersist::Matrix;
using mlpersist::MatrixView;
using mlpersist::Vector;

// np.median of a column: the middle value, or the mean of the two middle values.
double median(std::vector<double> values) {
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  if (values.size() % 2 == 1) return values[mid];
  const double upper = values[mid];
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

// The centroid of the rows of X labelled `label`.
Eigen::RowVectorXd centroid(const MatrixView& X, const Vector& y, double label, bool use_median) {
  std::vector<Eigen::Index> rows;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (y(i) == label) rows.push_back(i);
  Eigen::RowVectorXd c(X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    std::vector<double> column;
    column.reserve(rows.size());
    for (Eigen::Index i : rows) column.push_back(X(i, j));
    if (use_median) {
      c(j) = median(std::move(column));
    } else {
      double sum = 0;
      for (double v : column) sum += v;
      c(j) = sum / static_cast<double>(column.size());
    }
  }
  return c;
}

}  // namespace

void NearestCentroid::validate_params(const NearestCentroidParams& p) const {
  if (p.metric != "euclidean" && p.metric != "manhattan")
    throw mlpersist::UsageError(
        mlpersist::ErrorCode::kInvalidParameter,
        "NearestCentroid: metric must be 'euclidean' or 'manhattan', got '" + p.metric + "'");
}

bool NearestCentroid::supports(mlpersist::Method m) const {
  return m == mlpersist::Method::kPredict;
}

void NearestCentroid::do_fit(const MatrixView& X, const Vector& y) {
  std::vector<double> classes(y.begin(), y.end());
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  if (classes.size() < 2)
    throw mlpersist::UsageError(mlpersist::ErrorCode::kInvalidInput,
                                "NearestCentroid.fit: y has " + std::to_string(classes.size()) +
                                    " class; at least two are needed");
  Matrix centroids(static_cast<Eigen::Index>(classes.size()), X.cols());
  for (std::size_t k = 0; k < classes.size(); ++k)
    centroids.row(static_cast<Eigen::Index>(k)) =
        centroid(X, y, classes[k], params_.metric == "manhattan");
  classes_ = std::move(classes);
  centroids_ = std::move(centroids);
}

Vector NearestCentroid::do_predict(const MatrixView& X) const {
  const bool manhattan = params_.metric == "manhattan";
  Vector out(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    Eigen::Index best = 0;
    double best_distance = 0;
    for (Eigen::Index k = 0; k < centroids_.rows(); ++k) {
      // The squared euclidean distance orders centroids as the distance itself does.
      const double d = manhattan ? (X.row(i) - centroids_.row(k)).cwiseAbs().sum()
                                 : (X.row(i) - centroids_.row(k)).squaredNorm();
      if (k == 0 || d < best_distance) {
        best = k;
        best_distance = d;
      }
    }
    out(i) = classes_[static_cast<std::size_t>(best)];
  }
  return out;
}

mlpersist::Value NearestCentroid::save_state(mlpersist::SaveContext&) const {
  mlpersist::Map m;
  m.insert("classes_", mlpersist::Tensor::from_values(std::span<const double>(classes_)));
  m.insert("centroids_", mlpersist::Tensor::from_matrix(centroids_));
  return m;
}

void NearestCentroid::load_state(const mlpersist::Node& state, mlpersist::LoadContext&) {
  // Everything predict relies on is checked here, against the file's own claims: a hand-edited
  // or hostile state is refused with its path, never trusted.
  const mlpersist::Node classes_node = state["classes_"];
  const auto c = classes_node.as_tensor(mlpersist::DType::kFloat64, 1).values<double>();
  if (c.size() < 2 || !std::is_sorted(c.begin(), c.end()) ||
      std::adjacent_find(c.begin(), c.end()) != c.end())
    classes_node.fail("expected at least two distinct classes, in increasing order");
  // n_features_in() is restored by the framework before load_state runs.
  const Matrix centroids =
      state["centroids_"]
          .as_shaped_tensor(mlpersist::DType::kFloat64,
                            {c.size(), static_cast<std::uint64_t>(n_features_in())})
          .matrix<double>();
  classes_.assign(c.begin(), c.end());
  centroids_ = centroids;
}

}  // namespace example

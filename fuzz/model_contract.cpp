#include "model_contract.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mlpersist/persist.hpp>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

namespace mlpersist::fuzz {
namespace {

constexpr Eigen::Index kRows = 4;
// 4 rows of 2^16 features are 2 MiB: wide enough for any model whose state grows with its
// width (every seed corpus has one of 260 features), small enough to run thousands a second.
constexpr std::int64_t kMaxProbeWidth = std::int64_t{1} << 16;
// Probability rows may sum to 1 only up to rounding (averaged trees, softmax).
constexpr double kProbabilitySumTolerance = 1e-9;
constexpr std::string_view kPartialProbabilities[] = {
    "neighbors.KNeighborsClassifier", "tree.DecisionTreeClassifier",
    "ensemble.RandomForestClassifier", "ensemble.ExtraTreesClassifier"};
constexpr Method kMethods[] = {Method::kPredict, Method::kDecisionFunction, Method::kPredictProba,
                               Method::kTransform, Method::kInverseTransform};

Matrix finite_rows(std::int64_t width) {
  Matrix X(kRows, width);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = static_cast<double>(i % 7) - 2.5;
  return X;
}

// Errors that a state load_state accepted may still cause at predict time.
bool allowed_at_predict(const Error& e) {
  if (dynamic_cast<const SchemaError*>(&e)) return true;  // found lazily (KNN's class indices)
  // A pipeline step whose output overflowed (the next step refuses non-finite input), KNN's
  // n_neighbors above its training rows.
  return dynamic_cast<const UsageError*>(&e) && e.code() == ErrorCode::kInvalidInput;
}

Output run(const Estimator& model, Method m, const Matrix& X) {
  try {
    return {m, apply_method(model, m, X)};
  } catch (const Error& e) {
    if (allowed_at_predict(e)) return {m, std::nullopt, e.code()};
    finding(std::string(method_name(m)) + " of a loaded model threw: " + e.what());
  } catch (const std::exception& e) {
    finding(std::string(method_name(m)) + " of a loaded model threw: " + e.what());
  }
}

// The estimator that answers for a pipeline: its last step, recursively.
const Estimator& last_estimator(const Estimator& model) {
  const auto* composite = dynamic_cast<const Composite*>(&model);
  if (!composite || composite->steps().empty()) return model;
  return last_estimator(*composite->steps().back().second);
}

// A classifier's classes_, as it saves them (every classifier here does, as a float64 vector).
std::vector<double> classes_of(const Estimator& classifier) {
  SaveContext ctx;
  const Value state =
      expect_no_error("saving a loaded model's state", [&] { return classifier.save_state(ctx); });
  const Value* classes = state.as_map().find("classes_");
  if (!classes || classes->kind() != Kind::kTensor)
    finding("a loaded classifier saves no classes_ tensor");
  const auto values = classes->as_tensor().values<double>();
  return {values.begin(), values.end()};
}

void expect_shape(const Output& out, Eigen::Index rows, Eigen::Index cols) {
  if (out.result->rows() != rows || out.result->cols() != cols)
    finding(std::string(method_name(out.method)) + " returned " +
            std::to_string(out.result->rows()) + " x " + std::to_string(out.result->cols()) +
            ", expected " + std::to_string(rows) + " x " + std::to_string(cols));
}

void check_labels(const Estimator& last, const Matrix& labels) {
  if (last.kind() == EstimatorKind::kClassifier) {
    const std::vector<double> classes = classes_of(last);
    for (const double label : labels.reshaped())
      if (std::find(classes.begin(), classes.end(), label) == classes.end())
        finding("predict returned a label that is not among classes_");
  } else if (last.kind() == EstimatorKind::kClusterer) {
    const auto clusters = static_cast<double>(last.n_features_out());
    for (const double label : labels.reshaped())
      if (!(label >= 0 && label < clusters && label == std::floor(label)))
        finding("predict returned a cluster index outside [0, n_clusters)");
  }
}

std::string row_text(const Matrix& m, Eigen::Index i) {
  std::string text;
  for (const double x : m.row(i)) text += (text.empty() ? "[" : ", ") + std::to_string(x);
  return text + "]";
}

void check_probabilities(const Estimator& last, const Matrix& proba) {
  if (last.kind() == EstimatorKind::kClassifier &&
      proba.cols() != static_cast<Eigen::Index>(classes_of(last).size()))
    finding("predict_proba has not one column per class");
  // Rows that sum to less than 1, as scikit-learn's do: KNN's zeros when every neighbour is
  // infinitely far (weights='distance'), a tree's zeros at a leaf without weight, and a
  // forest's average of such rows.
  const bool partial_rows =
      std::find(std::begin(kPartialProbabilities), std::end(kPartialProbabilities),
                last.type_tag()) != std::end(kPartialProbabilities);
  const double tolerance = kProbabilitySumTolerance * static_cast<double>(proba.cols());
  for (Eigen::Index i = 0; i < proba.rows(); ++i) {
    if (!((proba.row(i).array() >= 0).all() && (proba.row(i).array() <= 1).all()))
      finding("predict_proba returned a value outside [0, 1] (or NaN): " + row_text(proba, i));
    const double sum = proba.row(i).sum();
    if (sum > 1 + tolerance || (sum < 1 - tolerance && !partial_rows))
      finding("predict_proba returned a row that sums to " + std::to_string(sum) + ": " +
              row_text(proba, i));
  }
}

void check_output(const Estimator& model, const Output& out, Eigen::Index rows) {
  const Estimator& last = last_estimator(model);
  const Matrix& r = *out.result;
  switch (out.method) {
    case Method::kPredict: expect_shape(out, rows, 1); return check_labels(last, r);
    case Method::kDecisionFunction:
      if (r.rows() != rows || r.cols() < 1) finding("decision_function has the wrong shape");
      return;
    case Method::kPredictProba:
      if (r.rows() != rows) finding("predict_proba has the wrong number of rows");
      return check_probabilities(last, r);
    case Method::kTransform:
      expect_shape(out, rows, model.n_features_out());
      // Distances to cluster centres: sums of squares, never negative, never NaN.
      if (last.kind() == EstimatorKind::kClusterer && !(r.array() >= 0).all())
        finding("a distance to a cluster centre is negative or NaN");
      return;
    case Method::kInverseTransform: expect_shape(out, rows, model.n_features_in()); return;
  }
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

}  // namespace

bool operator==(const Output& a, const Output& b) {
  if (a.method != b.method || a.result.has_value() != b.result.has_value()) return false;
  return a.result ? same_bits(*a.result, *b.result) : a.error == b.error;
}

bool probe_fits(const Estimator& model) {
  return model.n_features_in() <= kMaxProbeWidth && model.n_features_out() <= kMaxProbeWidth;
}

Matrix probe(const Estimator& model) {
  return finite_rows(model.n_features_in());
}

Outputs outputs_of(const Estimator& model, const Matrix& X) {
  Outputs outputs;
  for (const Method m : kMethods) {
    if (!model.supports(m)) continue;
    outputs.push_back(
        run(model, m, m == Method::kInverseTransform ? finite_rows(model.n_features_out()) : X));
  }
  return outputs;
}

void check_contract(const Estimator& model, const Matrix& X, const Outputs& outputs) {
  for (const Output& out : outputs)
    if (out.result) check_output(model, out, X.rows());
}

}  // namespace mlpersist::fuzz

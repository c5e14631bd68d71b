#include <algorithm>
#include <cmath>
#include <map>
#include <mlpersist/error.hpp>
#include <mlpersist/model_selection.hpp>
#include <mlpersist/progress.hpp>

namespace mlpersist {
namespace {

void check_splits(Eigen::Index n_samples, int n_splits) {
  if (n_splits < 2 || n_splits > n_samples)
    throw UsageError(ErrorCode::kInvalidParameter,
                     "n_splits=" + std::to_string(n_splits) +
                         " must be in [2, n_samples=" + std::to_string(n_samples) + "]");
}

// Train/test index lists from a fold number per sample.
std::vector<Split> splits_from_folds(const std::vector<int>& fold_of, int n_splits) {
  std::vector<Split> splits(static_cast<std::size_t>(n_splits));
  for (std::size_t i = 0; i < fold_of.size(); ++i)
    for (int f = 0; f < n_splits; ++f)
      (f == fold_of[i] ? splits[f].test : splits[f].train).push_back(static_cast<Eigen::Index>(i));
  return splits;
}

// Classes numbered by order of first appearance, as StratifiedKFold does.
std::vector<int> encode_by_appearance(const Vector& y, int& n_classes) {
  std::map<double, int> code;
  std::vector<int> encoded(static_cast<std::size_t>(y.size()));
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    auto [it, inserted] = code.emplace(y(i), static_cast<int>(code.size()));
    encoded[static_cast<std::size_t>(i)] = it->second;
  }
  n_classes = static_cast<int>(code.size());
  return encoded;
}

std::string metric_name(EstimatorKind kind) {
  switch (kind) {
    case EstimatorKind::kClassifier: return "accuracy";
    case EstimatorKind::kRegressor: return "r2";
    default: return "score";
  }
}

// Fits and scores a fresh clone per fold (`fit_and_score` does both), then summarises.
template <class F>
CvResult score_folds(const Estimator& prototype, const std::vector<Split>& splits,
                     F&& fit_and_score) {
  const bool stratify = prototype.kind() == EstimatorKind::kClassifier;
  CvResult r;
  r.splitter = std::string(stratify ? "StratifiedKFold" : "KFold") +
               "(n_splits=" + std::to_string(splits.size()) + ")";
  r.metric = metric_name(prototype.kind());
  // Folds, not the estimator's own iterations: each fold's fit would restart the count.
  ProgressTask progress("folds", splits.size());
  for (const Split& s : splits) {
    auto est = prototype.clone();
    r.scores.push_back(fit_and_score(*est, s));
    progress.advance();
  }
  double sum = 0;
  for (double s : r.scores) sum += s;
  r.mean = sum / static_cast<double>(r.scores.size());
  double sq = 0;
  for (double s : r.scores) sq += (s - r.mean) * (s - r.mean);
  r.std = std::sqrt(sq / static_cast<double>(r.scores.size()));
  return r;
}

}  // namespace

std::vector<Split> kfold(Eigen::Index n_samples, int n_splits) {
  check_splits(n_samples, n_splits);
  std::vector<int> fold_of(static_cast<std::size_t>(n_samples));
  const Eigen::Index base = n_samples / n_splits, extra = n_samples % n_splits;
  Eigen::Index start = 0;
  for (int f = 0; f < n_splits; ++f) {
    const Eigen::Index size = base + (f < extra ? 1 : 0);
    std::fill_n(fold_of.begin() + start, size, f);
    start += size;
  }
  return splits_from_folds(fold_of, n_splits);
}

std::vector<Split> stratified_kfold(const Vector& y, int n_splits) {
  check_splits(y.size(), n_splits);
  int n_classes = 0;
  const std::vector<int> encoded = encode_by_appearance(y, n_classes);
  std::vector<int> counts(static_cast<std::size_t>(n_classes), 0);
  for (int c : encoded) ++counts[static_cast<std::size_t>(c)];
  if (std::all_of(counts.begin(), counts.end(), [&](int c) { return c < n_splits; }))
    throw UsageError(ErrorCode::kInvalidParameter,
                     "n_splits=" + std::to_string(n_splits) +
                         " cannot be greater than the number of members in each class");
  // Deal the class-sorted labels round robin to the folds: allocation[f][k] is how many samples
  // of class k fold f tests on. Each class then fills its folds in blocks, in data order.
  std::vector<int> sorted = encoded;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::vector<int>> allocation(static_cast<std::size_t>(n_splits),
                                           std::vector<int>(static_cast<std::size_t>(n_classes)));
  for (std::size_t i = 0; i < sorted.size(); ++i)
    ++allocation[i % static_cast<std::size_t>(n_splits)][static_cast<std::size_t>(sorted[i])];
  std::vector<int> fold_of(encoded.size());
  for (int k = 0; k < n_classes; ++k) {
    int fold = 0, used = 0;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i] != k) continue;
      while (used == allocation[static_cast<std::size_t>(fold)][static_cast<std::size_t>(k)]) {
        ++fold;
        used = 0;
      }
      fold_of[i] = fold;
      ++used;
    }
  }
  return splits_from_folds(fold_of, n_splits);
}

Matrix take_rows(const MatrixView& X, const std::vector<Eigen::Index>& rows) {
  Matrix out(static_cast<Eigen::Index>(rows.size()), X.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
  return out;
}

Vector take_rows(const Vector& y, const std::vector<Eigen::Index>& rows) {
  Vector out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out(static_cast<Eigen::Index>(i)) = y(rows[i]);
  return out;
}

Table take_rows(const Table& X, const std::vector<Eigen::Index>& rows) {
  for (const Eigen::Index i : rows)
    if (i < 0 || static_cast<std::size_t>(i) >= X.rows())
      throw UsageError(ErrorCode::kInvalidInput, "row " + std::to_string(i) +
                                                     " is not in a table of " +
                                                     std::to_string(X.rows()) + " rows");
  Table out;
  for (std::size_t j = 0; j < X.cols(); ++j) {
    const Column& c = X.column(j);
    Column part;
    part.name = c.name;
    part.type = c.type;
    part.integral = c.integral;  // a subset of integers, none missing, still is one
    for (const Eigen::Index i : rows) {
      const auto row = static_cast<std::size_t>(i);
      if (c.type == ColumnType::kNumber)
        part.numbers.push_back(c.numbers[row]);
      else
        part.strings.push_back(c.strings[row]);
    }
    out.add_column(std::move(part));
  }
  return out;
}

Labels take_rows(const Labels& y, const std::vector<Eigen::Index>& rows) {
  if (!y.is_string()) return Labels(take_rows(y.numbers(), rows));
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const Eigen::Index i : rows) out.push_back(y.strings().at(static_cast<std::size_t>(i)));
  return Labels(std::move(out));
}

Value CvResult::to_value() const {
  Map m;
  m.insert("metric", metric);
  m.insert("splitter", splitter);
  m.insert("k", static_cast<std::int64_t>(scores.size()));
  m.insert("scores", Array(scores.begin(), scores.end()));
  m.insert("mean", mean);
  m.insert("std", std);
  return m;
}

CvResult cross_validate(const Estimator& prototype, const MatrixView& X, const Vector& y,
                        int n_splits) {
  const bool has_y = y.size() == X.rows();
  const auto splits = prototype.kind() == EstimatorKind::kClassifier ? stratified_kfold(y, n_splits)
                                                                     : kfold(X.rows(), n_splits);
  return score_folds(prototype, splits, [&](Estimator& est, const Split& s) {
    est.fit(take_rows(X, s.train), has_y ? take_rows(y, s.train) : Vector());
    return est.score(take_rows(X, s.test), has_y ? take_rows(y, s.test) : Vector());
  });
}

CvResult cross_validate(const Estimator& prototype, const Table& X, const Labels& y, int n_splits) {
  const EstimatorKind kind = prototype.kind();
  if (kind != EstimatorKind::kClassifier && kind != EstimatorKind::kRegressor)
    throw UsageError(ErrorCode::kNotSupported,
                     "cross-validating " + std::string(prototype.type_tag()) +
                         " on a table: only classifiers and regressors have a score there");
  if (y.size() != X.rows())
    throw UsageError(ErrorCode::kInvalidInput, "cross_validate: " + std::to_string(y.size()) +
                                                   " labels for " + std::to_string(X.rows()) +
                                                   " rows");
  if (y.is_string() && kind != EstimatorKind::kClassifier)
    throw UsageError(
        ErrorCode::kInvalidInput,
        "cross_validate: " + std::string(prototype.type_tag()) + " needs numeric targets");
  const auto splits =
      kind != EstimatorKind::kClassifier ? kfold(static_cast<Eigen::Index>(X.rows()), n_splits)
      : y.is_string()
          ? stratified_kfold(encode_labels(y.strings(), sorted_classes(y.strings())), n_splits)
          : stratified_kfold(y.numbers(), n_splits);
  return score_folds(prototype, splits, [&](Estimator& est, const Split& s) {
    est.fit(take_rows(X, s.train), take_rows(y, s.train));
    const Labels truth = take_rows(y, s.test);
    const Labels predicted = est.predict(take_rows(X, s.test));
    if (kind == EstimatorKind::kRegressor) return r2_score(truth.numbers(), predicted.numbers());
    if (!truth.is_string()) return accuracy_score(truth.numbers(), predicted.numbers());
    if (!predicted.is_string())
      throw UsageError(ErrorCode::kInvalidInput,
                       std::string(prototype.type_tag()) + " predicted numbers for string labels");
    std::size_t right = 0;
    for (std::size_t i = 0; i < truth.size(); ++i)
      right += truth.strings()[i] == predicted.strings()[i] ? 1 : 0;
    return static_cast<double>(right) / static_cast<double>(truth.size());
  });
}

}  // namespace mlpersist

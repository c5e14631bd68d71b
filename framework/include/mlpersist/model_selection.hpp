#pragma once

#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/table.hpp>
#include <mlpersist/value.hpp>
#include <string>
#include <vector>

namespace mlpersist {

/// Row indices of one cross-validation fold.
struct Split {
  std::vector<Eigen::Index> train;
  std::vector<Eigen::Index> test;
};

/// scikit-learn's KFold(n_splits) without shuffling: contiguous folds, the first
/// n_samples % n_splits folds one sample larger. Throws UsageError when n_splits is not in
/// [2, n_samples].
[[nodiscard]] MLPERSIST_API std::vector<Split> kfold(Eigen::Index n_samples, int n_splits);

/// scikit-learn's StratifiedKFold(n_splits) without shuffling (its 1.2 algorithm: classes are
/// numbered by first appearance, each fold tests on the same share of every class, and each
/// class fills its folds in data order). Throws UsageError when every class has fewer than
/// n_splits members, as scikit-learn raises.
[[nodiscard]] MLPERSIST_API std::vector<Split> stratified_kfold(const Vector& y, int n_splits);

/// The rows of X (or y) listed in `rows`, in that order.
[[nodiscard]] MLPERSIST_API Matrix take_rows(const MatrixView& X,
                                             const std::vector<Eigen::Index>& rows);
[[nodiscard]] MLPERSIST_API Vector take_rows(const Vector& y,
                                             const std::vector<Eigen::Index>& rows);
/// A Matrix converts to a MatrixView and to a Vector alike; this picks the view.
[[nodiscard]] inline Matrix take_rows(const Matrix& X, const std::vector<Eigen::Index>& rows) {
  return take_rows(MatrixView(X), rows);
}
/// The rows of a table listed, in that order, in new columns that share nothing with X: what a
/// cross-validation fold trains or tests on. Throws UsageError(kInvalidInput) for an index
/// outside X.
[[nodiscard]] MLPERSIST_API Table take_rows(const Table& X, const std::vector<Eigen::Index>& rows);
[[nodiscard]] MLPERSIST_API Labels take_rows(const Labels& y,
                                             const std::vector<Eigen::Index>& rows);

/// Result of cross_validate: what scikit-learn's cross_val_score(estimator, X, y, cv=k) gives.
struct CvResult {
  std::string splitter;  ///< "StratifiedKFold(n_splits=5)" or "KFold(n_splits=5)"
  std::string metric;    ///< "accuracy", "r2", or the estimator's own score ("-inertia", ...)
  std::vector<double> scores;
  double mean = 0;
  double std = 0;  ///< population standard deviation, as numpy's std()

  /// {metric, splitter, k, scores, mean, std} for artifact metadata.
  [[nodiscard]] MLPERSIST_API Value to_value() const;
};

/// Fits a fresh clone of `prototype` on each training fold and scores it on the test fold with
/// the estimator's own score. Classifiers use stratified folds, everything else plain k-fold.
[[nodiscard]] MLPERSIST_API CvResult cross_validate(const Estimator& prototype, const MatrixView& X,
                                                    const Vector& y, int n_splits = 5);

/// The same on a mixed table, as cross_val_score on a pandas DataFrame: the same folds (string
/// labels are stratified through their sorted-class codes, which StratifiedKFold renumbers by
/// first appearance all the same), accuracy on the predicted labels for classifiers, R² for
/// regressors. Other kinds have no score on a table: UsageError(kNotSupported).
[[nodiscard]] MLPERSIST_API CvResult cross_validate(const Estimator& prototype, const Table& X,
                                                    const Labels& y, int n_splits = 5);

}  // namespace mlpersist

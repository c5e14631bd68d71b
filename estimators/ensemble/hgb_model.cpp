#include "hgb_model.hpp"

#include <algorithm>
#include <cmath>
#include <mlpersist/error.hpp>
#include <random>
#include <set>

#include "hgb_grower.hpp"
#include "hgb_parallel.hpp"
#include "validation_split.hpp"

namespace mlpersist::ensemble::hgb {
namespace {

[[noreturn]] void bad_input(const std::string& what) {
  throw UsageError(ErrorCode::kInvalidInput, "HistGradientBoosting: " + what);
}

// scikit-learn's _check_categories: the distinct non-missing values of each categorical column,
// which must be integers in [0, max_bins).
std::vector<std::vector<double>> known_categories(const MatrixView& X,
                                                  const std::vector<std::uint8_t>& is_categorical,
                                                  std::int64_t max_bins) {
  std::vector<std::vector<double>> out(static_cast<std::size_t>(X.cols()));
  for (Eigen::Index f = 0; f < X.cols(); ++f) {
    if (!is_categorical[static_cast<std::size_t>(f)]) continue;
    std::set<double> values;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      if (!std::isnan(X(i, f))) values.insert(X(i, f));
    const std::string name = "categorical feature at index " + std::to_string(f);
    if (std::ssize(values) > max_bins)
      bad_input(name + " is expected to have a cardinality <= " + std::to_string(max_bins));
    for (const double v : values)
      if (v < 0 || v >= static_cast<double>(max_bins) || v != std::floor(v))
        bad_input(name + " is expected to be encoded with integers in [0, " +
                  std::to_string(max_bins) + "), found " + std::to_string(v));
    out[static_cast<std::size_t>(f)].assign(values.begin(), values.end());
  }
  return out;
}

Matrix take_rows(const MatrixView& X, const std::vector<std::int64_t>& rows) {
  Matrix out(static_cast<Eigen::Index>(rows.size()), X.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
  return out;
}

std::uint32_t draw_random_seed(const std::optional<std::int64_t>& random_state) {
  // check_random_state(random_state).randint(np.iinfo(np.uint32).max)
  const auto initial = random_state ? static_cast<std::uint32_t>(*random_state)
                                    : static_cast<std::uint32_t>(std::random_device{}());
  common::NumpyRandomState rng(initial);
  return static_cast<std::uint32_t>(rng.randint(0xFFFFFFFFULL));
}

// scikit-learn's _should_stop: no score of the last n_iter_no_change beats the one before them
// by more than tol.
bool should_stop(const std::vector<double>& scores, std::int64_t n_iter_no_change, double tol) {
  const auto reference = static_cast<std::size_t>(n_iter_no_change + 1);
  if (scores.size() < reference) return false;
  const double reference_score = scores[scores.size() - reference] + tol;
  for (std::size_t i = scores.size() - reference + 1; i < scores.size(); ++i)
    if (scores[i] > reference_score) return false;
  return true;
}

std::vector<std::uint8_t> categorical_flags(const BoostingOptions& o, Eigen::Index n_features) {
  std::vector<std::uint8_t> flags(static_cast<std::size_t>(n_features), 0);
  for (const std::int64_t f : o.categorical_features) {
    if (f < 0 || f >= n_features)
      bad_input("categorical_features index " + std::to_string(f) + " out of range");
    flags[static_cast<std::size_t>(f)] = 1;
  }
  return flags;
}

// Which features had missing values in the training data (only those get a right-to-left scan).
FeatureInfo feature_info(const BinMapper& mapper, const BinnedData& binned) {
  FeatureInfo features;
  features.is_categorical = mapper.is_categorical;
  features.missing_values_bin_idx = mapper.missing_values_bin_idx;
  for (std::size_t f = 0; f < binned.columns.size(); ++f) {
    features.n_bins_non_missing.push_back(mapper.n_bins_non_missing(f));
    const auto& col = binned.columns[f];
    features.has_missing_values.push_back(
        std::find(col.begin(), col.end(), mapper.missing_values_bin_idx) != col.end());
  }
  return features;
}

}  // namespace

std::vector<Bitset> known_categories_bitsets(const BinMapper& mapper) {
  std::vector<Bitset> out(mapper.thresholds.size(), Bitset{});
  for (std::size_t f = 0; f < out.size(); ++f)
    if (mapper.is_categorical[f])
      for (const double c : mapper.thresholds[f]) set_bitset(out[f], static_cast<unsigned>(c));
  return out;
}

void BoostingModel::fit(const MatrixView& X, std::span<const double> y, const Loss& loss,
                        const BoostingOptions& o, bool stratify) {
  const std::uint32_t seed = draw_random_seed(o.random_state);
  const std::vector<std::uint8_t> is_categorical = categorical_flags(o, X.cols());
  auto categories = known_categories(X, is_categorical, o.max_bins);
  do_early_stopping = o.early_stopping == EarlyStopping::kAuto
                          ? X.rows() > 10000
                          : o.early_stopping == EarlyStopping::kOn;
  const bool use_validation = do_early_stopping && o.validation_fraction.has_value();
  Matrix X_train, X_val;
  FitData train, val;
  if (use_validation) {
    const std::size_t n_classes = loss.n_trees_per_iteration() == 1 ? 2 : loss.n_classes;
    const TrainValidation split = stratify
                                      ? stratified_split(y, n_classes, *o.validation_fraction, seed)
                                      : shuffle_split(X.rows(), *o.validation_fraction, seed);
    X_train = take_rows(X, split.train);
    X_val = take_rows(X, split.validation);
    for (const std::int64_t r : split.train) train.y.push_back(y[static_cast<std::size_t>(r)]);
    for (const std::int64_t r : split.validation) val.y.push_back(y[static_cast<std::size_t>(r)]);
  } else {
    X_train = X;
    train.y.assign(y.begin(), y.end());
  }
  bin_mapper = BinMapper::fit(X_train, static_cast<std::uint32_t>(o.max_bins), is_categorical,
                              std::move(categories), seed);
  known_cat_bitsets = known_categories_bitsets(bin_mapper);
  train.binned = bin_mapper.transform(X_train);
  if (use_validation) val.binned = bin_mapper.transform(X_val);
  boost(train, use_validation ? &val : nullptr, loss, o);
}

void BoostingModel::boost(FitData& train, FitData* val, const Loss& loss,
                          const BoostingOptions& o) {
  const FeatureInfo features = feature_info(bin_mapper, train.binned);
  n_trees_per_iteration = loss.n_trees_per_iteration();
  baseline_prediction = loss.baseline(train.y);
  for (FitData* d : {&train, val})
    if (d)
      for (const double b : baseline_prediction) d->raw.emplace_back(d->y.size(), b);
  predictors.clear();
  train_score.clear();
  validation_score.clear();
  const auto check_early_stopping = [&] {
    train_score.push_back(-loss.mean_loss(train.y, train.raw));
    if (!val) return should_stop(train_score, o.n_iter_no_change, o.tol);
    validation_score.push_back(-loss.mean_loss(val->y, val->raw));
    return should_stop(validation_score, o.n_iter_no_change, o.tol);
  };
  if (do_early_stopping) check_early_stopping();
  const std::size_t n = train.y.size();
  std::vector<std::vector<float>> gradient(n_trees_per_iteration, std::vector<float>(n));
  std::vector<std::vector<float>> hessian(n_trees_per_iteration,
                                          std::vector<float>(loss.constant_hessian() ? 1 : n, 1.f));
  const GrowerOptions grower_options{o.max_leaf_nodes, o.max_depth, o.min_samples_leaf,
                                     o.l2_regularization, o.learning_rate};
  for (std::int64_t iteration = 0; iteration < o.max_iter; ++iteration) {
    loss.gradients(train.y, train.raw, gradient, hessian);
    for (std::size_t k = 0; k < n_trees_per_iteration; ++k) {
      TreeGrower grower(train.binned, gradient[k], hessian[k], features, grower_options);
      grower.grow();
      update_leaves(grower, train, k, loss, o.learning_rate);
      predictors.push_back(grower.make_predictor(bin_mapper));
      if (val) add_binned_predictions(predictors.back(), *val, k);
    }
    if (do_early_stopping && check_early_stopping()) break;
  }
}

// Re-fits the leaves when the loss asks for it (absolute_error: the residuals' median), then
// adds each leaf's value to its training samples' raw predictions.
void BoostingModel::update_leaves(TreeGrower& grower, FitData& train, std::size_t k,
                                  const Loss& loss, double learning_rate) const {
  for (std::size_t leaf = 0; leaf < grower.n_leaves(); ++leaf) {
    const auto samples = grower.leaf_samples(leaf);
    if (loss.need_update_leaves_values()) {
      std::vector<double> residuals;
      residuals.reserve(samples.size());
      for (const std::uint32_t s : samples) residuals.push_back(train.y[s] - train.raw[k][s]);
      grower.set_leaf_value(leaf, learning_rate * numpy_median(residuals));
    }
    const double value = grower.leaf_value(leaf);
    for (const std::uint32_t s : samples) train.raw[k][s] += value;
  }
}

void BoostingModel::add_binned_predictions(const TreePredictor& tree, FitData& data,
                                           std::size_t k) const {
  const auto missing = static_cast<std::uint8_t>(bin_mapper.missing_values_bin_idx);
  for (std::size_t i = 0; i < data.y.size(); ++i)
    data.raw[k][i] += tree.predict_binned(data.binned, i, missing);
}

Matrix BoostingModel::raw_predict(const MatrixView& X) const {
  const auto k_trees = static_cast<Eigen::Index>(n_trees_per_iteration);
  Matrix raw(X.rows(), k_trees);
  // A block of rows at a time (the trees stay in cache); each output is the baseline plus the
  // trees in iteration order, the additions scikit-learn makes tree by tree.
  constexpr Eigen::Index kBlock = TreePredictor::kBlockRows;
  const Eigen::Index n_blocks = (X.rows() + kBlock - 1) / kBlock;
  [[maybe_unused]] const bool parallel =
      static_cast<double>(X.rows()) * static_cast<double>(predictors.size()) >= kParallelWork;
  MLPERSIST_HGB_PARALLEL_FOR
  for (Eigen::Index b = 0; b < n_blocks; ++b) {
    const Eigen::Index first = b * kBlock, count = std::min(kBlock, X.rows() - first);
    for (Eigen::Index k = 0; k < k_trees; ++k) {
      double sums[kBlock];
      std::fill_n(sums, count, baseline_prediction[static_cast<std::size_t>(k)]);
      for (std::size_t t = static_cast<std::size_t>(k); t < predictors.size();
           t += n_trees_per_iteration)
        predictors[t].add_block(X, first, count, known_cat_bitsets, sums);
      for (Eigen::Index r = 0; r < count; ++r) raw(first + r, k) = sums[r];
    }
  }
  return raw;
}

}  // namespace mlpersist::ensemble::hgb

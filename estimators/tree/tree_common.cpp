#include "tree_common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mlpersist/error.hpp>
#include <random>

namespace mlpersist::tree {
namespace {

constexpr std::int64_t kMaxSeed = 0xFFFFFFFF;  // NumPy's seeds are 32-bit

}  // namespace

Value param_to_value(const MaxFeatures& m) {
  return std::visit(
      [](const auto& v) -> Value {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>)
          return Value();
        else
          return Value(v);
      },
      m.value);
}

void param_from_node(const Node& n, MaxFeatures& out) {
  constexpr std::string_view kExpected =
      "max_features must be None, an integer >= 1, a float in (0, 1], 'sqrt' or 'log2'";
  switch (n.value().kind()) {
    case Kind::kNull: out.value = std::monostate{}; return;
    case Kind::kString: {
      const std::string& s = n.as_string();
      if (s != "sqrt" && s != "log2") n.fail(kExpected);
      out.value = s;
      return;
    }
    case Kind::kInt:
    case Kind::kUInt: out.value = n.as_int(1); return;
    case Kind::kDouble: {
      const double f = n.as_double();
      if (!(f > 0.0 && f <= 1.0)) n.fail(kExpected);
      out.value = f;
      return;
    }
    default: n.fail(kExpected);
  }
}

Criterion parse_criterion(std::string_view who, const std::string& name, CriterionChoice choice) {
  if (choice != CriterionChoice::kClassification) {
    if (name == "squared_error") return Criterion::kSquaredError;
    if (name == "friedman_mse") return Criterion::kFriedmanMse;
    if (choice == CriterionChoice::kBoosting)
      throw_invalid_param(
          who, "criterion must be 'friedman_mse' or 'squared_error', got '" + name + "'");
    if (name == "absolute_error") return Criterion::kAbsoluteError;
    if (name == "poisson") return Criterion::kPoisson;
    throw_invalid_param(who,
                        "criterion must be 'squared_error', 'friedman_mse', 'absolute_error' or "
                        "'poisson', got '" +
                            name + "'");
  }
  if (name == "gini") return Criterion::kGini;
  if (name == "entropy" || name == "log_loss") return Criterion::kEntropy;
  throw_invalid_param(who, "criterion must be 'gini', 'entropy' or 'log_loss', got '" + name + "'");
}

bool parse_splitter(std::string_view who, const std::string& name) {
  if (name != "best" && name != "random")
    throw_invalid_param(who, "splitter must be 'best' or 'random', got '" + name + "'");
  return name == "random";
}

void check_growth_limits(std::string_view who, const std::optional<std::int64_t>& max_depth,
                         std::int64_t min_samples_split, std::int64_t min_samples_leaf,
                         const std::optional<std::int64_t>& random_state) {
  if (max_depth && *max_depth < 1) throw_invalid_param(who, "max_depth must be None or >= 1");
  if (min_samples_split < 2) throw_invalid_param(who, "min_samples_split must be >= 2");
  if (min_samples_leaf < 1) throw_invalid_param(who, "min_samples_leaf must be >= 1");
  if (random_state && (*random_state < 0 || *random_state > kMaxSeed))
    throw_invalid_param(who, "random_state must be None or in [0, 2**32 - 1]");
}

std::int64_t resolve_max_features(std::string_view who, const MaxFeatures& m,
                                  std::int64_t n_features) {
  const auto d = static_cast<double>(n_features);
  std::int64_t k = n_features;
  if (const auto* name = std::get_if<std::string>(&m.value))
    k = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(*name == "sqrt" ? std::sqrt(d) : std::log2(d)));
  else if (const auto* fraction = std::get_if<double>(&m.value))
    k = std::max<std::int64_t>(1, static_cast<std::int64_t>(*fraction * d));
  else if (const auto* count = std::get_if<std::int64_t>(&m.value))
    k = *count;
  if (k < 1 || k > n_features)
    throw_invalid_param(who, "max_features=" + std::to_string(k) +
                                 " must be in [1, n_features=" + std::to_string(n_features) + "]");
  return k;
}

double tree_fit_cost(const std::string& criterion, double n_samples, double n_features) {
  const double per_level = criterion == "absolute_error" ? n_samples * n_samples : n_samples;
  return per_level * std::log2(n_samples + 2) * n_features;
}

void check_sample_count(const MatrixView& X) {
  if (X.rows() > std::numeric_limits<std::int32_t>::max())
    throw UsageError(ErrorCode::kInvalidInput, "trees are limited to 2^31 - 1 training samples");
}

TrainingSet regression_training_set(std::string_view who, const MatrixView& X, const Vector& y,
                                    const std::string& criterion) {
  check_sample_count(X);
  if (criterion == "poisson") {
    // The sum of non-negative numbers is zero exactly when they all are.
    if ((y.array() < 0.0).any())
      throw UsageError(ErrorCode::kInvalidInput,
                       std::string(who) +
                           ": criterion='poisson' needs y >= 0; y has a negative "
                           "value");
    if ((y.array() == 0.0).all())
      throw UsageError(ErrorCode::kInvalidInput,
                       std::string(who) +
                           ": criterion='poisson' needs a positive sum of y; y is "
                           "all zeros");
  }
  return {X, y};
}

TrainingSet encode_training_set(const MatrixView& X, const Vector& y,
                                std::vector<double>& classes) {
  check_sample_count(X);
  classes = common::unique_labels(y);
  return {X, common::class_indices<std::int32_t>(classes, y),
          static_cast<std::int32_t>(classes.size())};
}

std::uint32_t initial_seed(const std::optional<std::int64_t>& random_state) {
  if (random_state) return static_cast<std::uint32_t>(*random_state);
  return std::random_device{}();
}

void save_classes(Map& state, const std::vector<double>& classes) {
  state.insert("classes_", Tensor::from_values(std::span<const double>(classes)));
  state.insert("n_classes_", static_cast<std::int64_t>(classes.size()));
}

std::vector<double> load_classes(const Node& state, std::size_t min_count) {
  std::vector<double> c = common::read_classes(state["classes_"], min_count);
  const Node count = state["n_classes_"];
  if (count.as_int() != static_cast<std::int64_t>(c.size()))
    count.fail("expected " + std::to_string(c.size()) + ", the length of classes_");
  return c;
}

}  // namespace mlpersist::tree

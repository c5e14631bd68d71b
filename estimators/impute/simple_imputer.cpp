#include "simple_imputer.hpp"

#include <algorithm>
#include <cmath>

#include "common/feature_names.hpp"
#include "common/numeric.hpp"

namespace mlpersist::impute {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The smallest of the most frequent values of a sorted sequence (scipy's mode; Counter + min
// for objects), or nullopt when it is empty.
template <class T>
std::optional<T> most_frequent(const std::vector<T>& sorted) {
  std::optional<T> best;
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = sorted[i];
    }
    i = j;
  }
  return best;
}

// np.ma.mean over the column: NumPy's pairwise sum with missing cells as 0 (the column is
// contiguous, as a DataFrame's column block is), divided by the count of present cells.
double masked_mean(const std::vector<double>& column) {
  std::vector<double> filled(column);
  std::size_t present = 0;
  for (double& v : filled) {
    if (std::isnan(v))
      v = 0.0;
    else
      ++present;
  }
  if (present == 0) return kNaN;
  const double sum =
      0.0 + common::numpy_sum(filled.data(), static_cast<Eigen::Index>(filled.size()));
  return sum * 1.0 / static_cast<double>(present);
}

// np.ma.median: the middle of the sorted present values, (low + high) / 2 summed as NumPy sums.
double masked_median(std::vector<double> present) {
  if (present.empty()) return kNaN;
  std::sort(present.begin(), present.end());
  const std::size_t h = present.size() / 2;
  const std::size_t l = present.size() % 2 == 1 ? h : h - 1;
  return ((0.0 + present[l]) + present[h]) / 2.0;
}

std::vector<double> present_numbers(const Column& c) {
  std::vector<double> out;
  for (double v : c.numbers)
    if (!std::isnan(v)) out.push_back(v);
  return out;
}

}  // namespace

void SimpleImputer::validate_params(const SimpleImputerParams& p) const {
  if (p.missing_values.kind() != Kind::kDouble || !std::isnan(p.missing_values.as_double()))
    invalid_param("only missing_values=np.nan is supported (missing strings are missing too)");
  if (p.strategy != "mean" && p.strategy != "median" && p.strategy != "most_frequent" &&
      p.strategy != "constant")
    invalid_param("strategy must be 'mean', 'median', 'most_frequent' or 'constant', not '" +
                  p.strategy + "'");
  const Kind k = p.fill_value.kind();
  if (k != Kind::kNull && k != Kind::kString && k != Kind::kDouble && k != Kind::kInt)
    invalid_param("fill_value must be None, a number or a string");
}

ColumnType SimpleImputer::input_type() const {
  return feature_types_in().empty() ? ColumnType::kNumber : feature_types_in().front();
}

void SimpleImputer::do_fit_table(const Table& X, const Vector&) {
  const ColumnType type = X.column(0).type;
  for (std::size_t j = 0; j < X.cols(); ++j)
    if (X.column(j).type != type)
      invalid_param("fit on number and string columns at once; impute them with separate imputers");
  const std::string& s = params_.strategy;
  const Value& fill = params_.fill_value;
  std::vector<double> numbers;
  std::vector<StringCell> strings;
  if (type == ColumnType::kNumber) {
    if (fill.kind() == Kind::kString && s == "constant")
      invalid_param("fill_value='" + fill.as_string() + "' is invalid for number columns");
    for (std::size_t j = 0; j < X.cols(); ++j) {
      const Column& c = X.column(j);
      double v = kNaN;
      if (s == "mean") v = masked_mean(c.numbers);
      if (s == "median") v = masked_median(present_numbers(c));
      if (s == "most_frequent") {
        auto sorted = present_numbers(c);
        std::sort(sorted.begin(), sorted.end());
        v = most_frequent(sorted).value_or(kNaN);
      }
      if (s == "constant")
        v = fill.is_null()              ? 0.0
            : fill.kind() == Kind::kInt ? static_cast<double>(fill.as_int())
                                        : fill.as_double();
      if (std::isnan(v) && params_.keep_empty_features) v = 0.0;
      numbers.push_back(v);
    }
  } else {
    if (s == "mean" || s == "median")
      invalid_param("cannot use the " + s + " strategy with string columns");
    if (s == "constant" && !fill.is_null() && fill.kind() != Kind::kString)
      invalid_param("fill_value must be a string for string columns");
    if (params_.keep_empty_features)
      invalid_param("keep_empty_features is for number columns only");
    for (std::size_t j = 0; j < X.cols(); ++j) {
      const Column& c = X.column(j);
      if (s == "constant") {
        strings.emplace_back(fill.is_null() ? "missing_value" : fill.as_string());
        continue;
      }
      std::vector<std::string> present;
      for (const StringCell& v : c.strings)
        if (v) present.push_back(*v);
      std::sort(present.begin(), present.end());
      strings.push_back(most_frequent(present));
    }
  }
  std::vector<std::size_t> indicator;
  for (std::size_t j = 0; j < X.cols() && params_.add_indicator; ++j)
    for (std::size_t i = 0; i < X.rows(); ++i)
      if (X.column(j).is_missing(i)) {
        indicator.push_back(j);
        break;
      }
  numbers_ = std::move(numbers);
  strings_ = std::move(strings);
  indicator_features_ = std::move(indicator);
}

bool SimpleImputer::is_kept(std::size_t j) const {
  if (params_.strategy == "constant" || params_.keep_empty_features) return true;
  return input_type() == ColumnType::kNumber ? !std::isnan(numbers_[j]) : strings_[j].has_value();
}

std::int64_t SimpleImputer::n_features_out() const {
  std::int64_t n = 0;
  for (std::size_t j = 0; j < static_cast<std::size_t>(n_features_in()); ++j) n += is_kept(j);
  return n + static_cast<std::int64_t>(indicator_features_.size());
}

Table SimpleImputer::do_transform_to_table(const Table& X) const {
  Table out;
  for (std::size_t j = 0; j < X.cols(); ++j) {
    if (!is_kept(j)) continue;
    Column c = X.column(j);
    c.name.clear();
    if (c.type == ColumnType::kNumber) {
      for (double& v : c.numbers)
        if (std::isnan(v)) v = numbers_[j];
    } else {
      for (StringCell& v : c.strings)
        if (!v) v = strings_[j];
    }
    out.add_column(std::move(c));
  }
  for (std::size_t j : indicator_features_) {
    std::vector<double> flags(X.rows());
    for (std::size_t i = 0; i < X.rows(); ++i) flags[i] = X.column(j).is_missing(i) ? 1.0 : 0.0;
    out.add_column(Column::number("", std::move(flags)));
  }
  return out;
}

Matrix SimpleImputer::do_apply_table(Method, const Table& X) const {
  return do_transform_to_table(X).to_matrix("SimpleImputer.transform", true);
}

std::vector<std::string> SimpleImputer::get_feature_names_out(
    std::span<const std::string> input) const {
  const std::vector<std::string> in = common::input_feature_names(*this, input);
  std::vector<std::string> out;
  for (std::size_t j = 0; j < in.size(); ++j)
    if (is_kept(j)) out.push_back(in[j]);
  for (std::size_t j : indicator_features_) out.push_back("missingindicator_" + in[j]);
  return out;
}

Value SimpleImputer::save_state(SaveContext&) const {
  Map m;
  if (input_type() == ColumnType::kNumber) {
    m.insert("statistics_", Tensor::from_values(std::span<const double>(numbers_)));
  } else {
    Array a;
    for (const StringCell& s : strings_) a.push_back(s ? Value(*s) : Value());
    m.insert("statistics_", std::move(a));
  }
  if (params_.add_indicator) {
    Array features(indicator_features_.begin(), indicator_features_.end());
    Map indicator;
    indicator.insert("features_", std::move(features));
    m.insert("indicator_", std::move(indicator));
  } else {
    m.insert("indicator_", Value());
  }
  return m;
}

void SimpleImputer::load_state(const Node& state, LoadContext&) {
  const auto n = static_cast<std::size_t>(n_features_in());
  for (ColumnType t : feature_types_in())
    if (t != input_type())
      state.fail("a SimpleImputer is fitted on number or string columns, not both");
  const Node stats = state["statistics_"];
  std::vector<double> numbers;
  std::vector<StringCell> strings;
  if (input_type() == ColumnType::kNumber) {
    const auto v = stats.as_shaped_tensor(DType::kFloat64, {n}, false).values<double>();
    numbers.assign(v.begin(), v.end());
    if (std::any_of(numbers.begin(), numbers.end(), [](double x) { return std::isinf(x); }))
      stats.fail("statistics must not be infinite");
  } else {
    if (stats.size() != n) stats.fail("expected one statistic per input column");
    for (std::size_t j = 0; j < n; ++j)
      strings.push_back(stats[j].value().is_null() ? StringCell()
                                                   : StringCell(stats[j].as_string()));
  }
  std::vector<std::size_t> indicator;
  const Node ind = state["indicator_"];
  if (params_.add_indicator != !ind.value().is_null())
    ind.fail(params_.add_indicator ? "expected the indicator (add_indicator=True)"
                                   : "expected null (add_indicator=False)");
  if (params_.add_indicator) {
    const Node features = ind["features_"];
    for (std::size_t k = 0; k < features.size(); ++k) {
      indicator.push_back(
          static_cast<std::size_t>(features[k].as_int(0, static_cast<std::int64_t>(n) - 1)));
      if (k > 0 && indicator[k] <= indicator[k - 1])
        features[k].fail("expected increasing column indices");
    }
  }
  numbers_ = std::move(numbers);
  strings_ = std::move(strings);
  indicator_features_ = std::move(indicator);
}

}  // namespace mlpersist::impute

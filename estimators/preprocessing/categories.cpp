#include "categories.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mlpersist/error.hpp>
#include <string_view>
#include <unordered_set>

namespace mlpersist::preprocessing {
namespace {

// NumPy's sort order with NaN last; NaN equals NaN, as in np.unique since NumPy 1.21.
bool number_less(double a, double b) {
  if (std::isnan(a)) return false;
  return std::isnan(b) || a < b;
}
bool number_same(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

[[noreturn]] void invalid(const std::string& what) {
  throw UsageError(ErrorCode::kInvalidParameter, what);
}

std::string column_label(const Table& X, std::size_t j) {
  const std::string& name = X.column(j).name;
  return name.empty() ? "column " + std::to_string(j) : "column '" + name + "'";
}

}  // namespace

void check_categories_param(const Value& v, std::string_view who) {
  if (v.kind() == Kind::kString && v.as_string() == "auto") return;
  if (v.kind() != Kind::kArray)
    throw UsageError(ErrorCode::kInvalidParameter,
                     std::string(who) + ": categories must be 'auto' or a list of lists");
  for (const Value& list : v.as_array())
    if (list.kind() != Kind::kArray || list.as_array().empty())
      throw UsageError(ErrorCode::kInvalidParameter,
                       std::string(who) + ": categories must list a non-empty list per column");
}

[[noreturn]] void unknown_category(std::string_view who, const Table& X, std::size_t j,
                                   std::size_t row) {
  throw UsageError(ErrorCode::kInvalidInput,
                   std::string(who) + ": found unknown category " + X.column(j).cell_text(row) +
                       " in " + column_label(X, j) + " (row " + std::to_string(row) +
                       "); set handle_unknown to encode categories not seen in fit");
}

std::string python_float_str(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const auto e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  if (exponent < -4 || exponent >= 16) return sci;
  std::string digits;
  bool negative = sci[0] == '-';
  for (char c : sci.substr(0, e))
    if (c >= '0' && c <= '9') digits += c;
  std::string out;
  if (exponent < 0) {
    out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  } else {
    const auto point = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= point)
      out = digits + std::string(point - digits.size(), '0') + ".0";
    else
      out = digits.substr(0, point) + "." + digits.substr(point);
  }
  return negative ? "-" + out : out;
}

Categories Categories::fit(const Column& column, std::vector<std::int64_t>* counts) {
  Categories c;
  c.type_ = column.type;
  if (column.type == ColumnType::kNumber) {
    std::vector<double> values = column.numbers;
    std::sort(values.begin(), values.end(), number_less);
    values.erase(std::unique(values.begin(), values.end(), number_same), values.end());
    c.numbers_ = std::move(values);
    if (column.integral) (void)c.mark_integral();
  } else {
    // Distinct values first, then sort those few: sorting every cell (a million strings)
    // costs far more than hashing each once.
    std::unordered_set<std::string_view> seen;
    std::vector<std::string> values;
    for (const StringCell& s : column.strings) {
      if (!s)
        c.string_missing_ = true;
      else if (seen.insert(*s).second)
        values.push_back(*s);
    }
    c.strings_ = sorted_classes(values);
  }
  c.build_index();
  if (counts != nullptr) *counts = c.count(column);
  return c;
}

Categories Categories::given(const Value& list, ColumnType type, const std::string& where) {
  Categories c;
  c.type_ = type;
  if (list.kind() != Kind::kArray || list.as_array().empty())
    invalid(where + " must be a non-empty list of categories");
  for (const Value& v : list.as_array()) {
    if (type == ColumnType::kNumber) {
      if (v.kind() != Kind::kDouble && v.kind() != Kind::kInt)
        invalid(where + " lists a non-number for a number column");
      c.numbers_.push_back(v.kind() == Kind::kInt ? static_cast<double>(v.as_int())
                                                  : v.as_double());
    } else if (v.is_null()) {
      c.string_missing_ = true;
    } else if (v.kind() == Kind::kString && !c.string_missing_) {
      c.strings_.push_back(v.as_string());
    } else {
      invalid(where + " must list strings (and null, for missing, last) for a string column");
    }
  }
  if (type == ColumnType::kNumber &&
      (!std::is_sorted(c.numbers_.begin(), c.numbers_.end(), number_less) ||
       std::adjacent_find(c.numbers_.begin(), c.numbers_.end(), number_same) != c.numbers_.end()))
    invalid(where +
            ": number categories must be sorted and unique (NaN last), as scikit-learn "
            "requires");
  c.build_index();
  if (c.index_.size() != c.strings_.size()) invalid(where + " lists a category twice");
  return c;
}

Categories Categories::load(const Node& node) {
  Categories c;
  if (node.value().kind() == Kind::kTensor) {
    const auto values = node.as_tensor(DType::kFloat64, 1, false).values<double>();
    c.numbers_.assign(values.begin(), values.end());
    if (c.numbers_.empty() || !std::is_sorted(c.numbers_.begin(), c.numbers_.end(), number_less) ||
        std::adjacent_find(c.numbers_.begin(), c.numbers_.end(), number_same) != c.numbers_.end() ||
        std::any_of(c.numbers_.begin(), c.numbers_.end(), [](double v) { return std::isinf(v); }))
      node.fail("expected unique, sorted, non-infinite categories (NaN last)");
    return c;
  }
  c.type_ = ColumnType::kString;
  const std::size_t n = node.size();
  if (n == 0) node.fail("expected at least one category");
  for (std::size_t i = 0; i < n; ++i) {
    const Node item = node[i];
    if (item.value().is_null() && i + 1 == n)
      c.string_missing_ = true;
    else
      c.strings_.push_back(item.as_string());
  }
  c.build_index();
  if (c.index_.size() != c.strings_.size()) node.fail("lists a category twice");
  return c;
}

Value Categories::save() const {
  if (type_ == ColumnType::kNumber) return Tensor::from_values(std::span<const double>(numbers_));
  Array a(strings_.begin(), strings_.end());
  if (string_missing_) a.emplace_back();
  return a;
}

void Categories::build_index() {
  index_.clear();
  for (std::size_t i = 0; i < strings_.size(); ++i) index_.emplace_back(strings_[i], i);
  std::sort(index_.begin(), index_.end());
  index_.erase(std::unique(index_.begin(), index_.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               index_.end());
  hashed_.clear();
  hashed_.reserve(index_.size());
  for (const auto& [s, i] : index_) hashed_.emplace(s, i);
  constexpr std::size_t kMaxBucket = 4;
  for (std::size_t b = 0; b < hashed_.bucket_count(); ++b)
    if (hashed_.bucket_size(b) > kMaxBucket) {
      hashed_.clear();
      break;
    }
}

std::size_t Categories::size() const noexcept {
  return type_ == ColumnType::kNumber ? numbers_.size()
                                      : strings_.size() + (string_missing_ ? 1 : 0);
}

std::optional<std::size_t> Categories::missing_index() const noexcept {
  if (type_ == ColumnType::kString)
    return string_missing_ ? std::optional<std::size_t>(strings_.size()) : std::nullopt;
  if (!numbers_.empty() && std::isnan(numbers_.back())) return numbers_.size() - 1;
  return std::nullopt;
}

std::optional<std::size_t> Categories::string_index(std::string_view s) const {
  if (!hashed_.empty() || index_.empty()) {
    const auto found = hashed_.find(s);
    if (found == hashed_.end()) return std::nullopt;
    return found->second;
  }
  const auto it = std::lower_bound(index_.begin(), index_.end(), s,
                                   [](const std::pair<std::string, std::size_t>& e,
                                      std::string_view key) { return e.first < key; });
  if (it == index_.end() || it->first != s) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> Categories::index_of(const Column& column, std::size_t row) const {
  if (column.type != type_) return std::nullopt;
  if (column.is_missing(row)) return missing_index();
  if (type_ == ColumnType::kString) return string_index(*column.strings[row]);
  const double v = column.numbers[row];
  const auto it = std::lower_bound(numbers_.begin(), numbers_.end(), v, number_less);
  if (it == numbers_.end() || *it != v) return std::nullopt;
  return static_cast<std::size_t>(it - numbers_.begin());
}

bool Categories::mark_integral() {
  constexpr double kExact = 9007199254740992.0;  // 2^53: every integer up to it is a double
  if (type_ != ColumnType::kNumber) return false;
  for (double v : numbers_)
    if (!(std::abs(v) <= kExact) || v != std::trunc(v)) return false;
  integral_ = true;
  return true;
}

std::string Categories::text(std::size_t i) const {
  if (integral_) return std::to_string(static_cast<std::int64_t>(numbers_[i]));
  if (type_ == ColumnType::kNumber) return python_float_str(numbers_[i]);
  return i < strings_.size() ? strings_[i] : "nan";
}

std::optional<std::size_t> Categories::position_of(const Categories& sub, std::size_t k) const {
  if (sub.type_ != type_) return std::nullopt;
  if (type_ == ColumnType::kString) {
    if (k >= sub.strings_.size()) return missing_index();
    return string_index(sub.strings_[k]);
  }
  const double v = sub.numbers_[k];
  if (std::isnan(v)) return missing_index();
  const auto it = std::lower_bound(numbers_.begin(), numbers_.end(), v, number_less);
  if (it == numbers_.end() || *it != v) return std::nullopt;
  return static_cast<std::size_t>(it - numbers_.begin());
}

Categories Categories::subset(const std::vector<std::size_t>& indices) const {
  Categories c;
  c.type_ = type_;
  c.integral_ = integral_;
  for (std::size_t i : indices) {
    if (type_ == ColumnType::kNumber)
      c.numbers_.push_back(numbers_[i]);
    else if (i < strings_.size())
      c.strings_.push_back(strings_[i]);
    else
      c.string_missing_ = true;
  }
  c.build_index();
  return c;
}

std::vector<std::int64_t> Categories::count(const Column& column) const {
  std::vector<std::int64_t> counts(size(), 0);
  for (std::size_t i = 0; i < column.size(); ++i)
    if (const auto k = index_of(column, i)) ++counts[*k];
  return counts;
}

std::vector<Categories> load_categories(const Node& lists, const Estimator& estimator) {
  const auto n = static_cast<std::size_t>(estimator.n_features_in());
  if (lists.size() != n) lists.fail("expected one category list per input column");
  const auto& types = estimator.feature_types_in();
  std::vector<Categories> out;
  for (std::size_t j = 0; j < n; ++j) {
    out.push_back(Categories::load(lists[j]));
    const ColumnType expected = types.empty() ? ColumnType::kNumber : types[j];
    if (out.back().type() != expected)
      lists[j].fail("holds " + std::string(column_type_name(out.back().type())) +
                    " categories for a column of " + std::string(column_type_name(expected)) + "s");
  }
  return out;
}

std::vector<Categories> fit_categories(const Table& X, const Value& param, std::string_view who,
                                       std::vector<std::vector<std::int64_t>>* counts) {
  std::vector<Categories> out;
  const bool automatic = param.kind() == Kind::kString;
  if (!automatic && param.as_array().size() != X.cols())
    invalid(std::string(who) + ": categories has " + std::to_string(param.as_array().size()) +
            " lists for " + std::to_string(X.cols()) + " columns");
  for (std::size_t j = 0; j < X.cols(); ++j) {
    const Column& column = X.column(j);
    std::vector<std::int64_t> column_counts;
    if (automatic) {
      out.push_back(Categories::fit(column, &column_counts));
    } else {
      out.push_back(
          Categories::given(param.as_array()[j], column.type,
                            std::string(who) + ": categories[" + std::to_string(j) + "]"));
      // scikit-learn casts given categories to the column's dtype.
      if (column.integral) (void)out.back().mark_integral();
      column_counts = out.back().count(column);
    }
    if (counts != nullptr) counts->push_back(std::move(column_counts));
  }
  return out;
}

}  // namespace mlpersist::preprocessing

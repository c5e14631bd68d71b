#pragma once

// The categories of one input column, shared by OneHotEncoder and OrdinalEncoder: found in fit
// as scikit-learn's `_unique` finds them (sorted; the missing value, NaN or None, last), or
// given; looked up per cell; saved as a float64 tensor (number columns, NaN last when missing
// is a category) or an array of strings with null for missing (string columns).

#include <cstdint>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/table.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mlpersist::preprocessing {

class Categories {
 public:
  Categories() = default;
  /// The sorted unique values of `column` (missing last); `counts` gets each one's count.
  [[nodiscard]] static Categories fit(const Column& column, std::vector<std::int64_t>* counts);
  /// Given categories (a parameter): numbers must be sorted (NaN last), strings keep their
  /// order. `where` names the parameter in errors.
  [[nodiscard]] static Categories given(const Value& list, ColumnType type,
                                        const std::string& where);
  /// From saved state, validated (unique; numbers sorted).
  [[nodiscard]] static Categories load(const Node& node);
  [[nodiscard]] Value save() const;

  [[nodiscard]] ColumnType type() const noexcept { return type_; }
  /// Whether these are the categories of an integer column (Column::integral): their names
  /// print as integers. Set by fit; `mark_integral` sets it on loaded or given categories and
  /// returns false (leaving it unset) unless every category is an integer of at most 2^53.
  [[nodiscard]] bool integral() const noexcept { return integral_; }
  bool mark_integral();
  [[nodiscard]] std::size_t size() const noexcept;
  /// The category index of a cell, or nullopt for a value not among the categories.
  [[nodiscard]] std::optional<std::size_t> index_of(const Column& column, std::size_t row) const;
  /// The index of the missing category, if missing is one.
  [[nodiscard]] std::optional<std::size_t> missing_index() const noexcept;
  /// Python's str() of category i, as scikit-learn's feature names print it ("red", "1.0",
  /// "nan").
  [[nodiscard]] std::string text(std::size_t i) const;
  /// The index in these categories of category k of `sub` (same column type), if present.
  [[nodiscard]] std::optional<std::size_t> position_of(const Categories& sub, std::size_t k) const;
  /// The categories at these indices, in their order.
  [[nodiscard]] Categories subset(const std::vector<std::size_t>& indices) const;
  /// The counts of each category in `column` (values not among them are not counted).
  [[nodiscard]] std::vector<std::int64_t> count(const Column& column) const;

 private:
  void build_index();
  [[nodiscard]] std::optional<std::size_t> string_index(std::string_view s) const;

  ColumnType type_ = ColumnType::kNumber;
  std::vector<double> numbers_;  // sorted; NaN last when missing is a category
  std::vector<std::string> strings_;
  bool string_missing_ = false;  // strings_: the missing category comes after them
  bool integral_ = false;
  // strings_ sorted with their positions, for a binary search; and a hash table of them, used
  // only while no bucket holds more than a few strings, so that a file's category list chosen to
  // collide cannot make a lookup slower than the binary search.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::vector<std::pair<std::string, std::size_t>> index_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> hashed_;
};

/// Python's str() of a float: shortest round-trip digits, "1.0" for integers, exponent form
/// below 1e-4 and from 1e16 on ("1e-05", "1e+16"), "nan", "inf".
[[nodiscard]] std::string python_float_str(double v);

/// Checks a `categories` parameter: "auto" or a non-empty list per column.
void check_categories_param(const Value& v, std::string_view who);
/// Throws UsageError(kInvalidInput) naming the column, the value and the row.
[[noreturn]] void unknown_category(std::string_view who, const Table& X, std::size_t j,
                                   std::size_t row);

/// The saved categories of every input column, checked against the estimator's signature.
[[nodiscard]] std::vector<Categories> load_categories(const Node& lists,
                                                      const Estimator& estimator);

/// The categories of every column: "auto" (fit) or the `categories` parameter's lists.
[[nodiscard]] std::vector<Categories> fit_categories(
    const Table& X, const Value& param, std::string_view who,
    std::vector<std::vector<std::int64_t>>* counts);

}  // namespace mlpersist::preprocessing

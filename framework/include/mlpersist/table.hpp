#pragma once

// Mixed tables: the input of estimators whose columns are numbers or strings, with missing
// cells, and class labels that are numbers or strings. The all-numeric path stays an Eigen
// Matrix; a Table is what a CSV with categorical columns, or a ColumnTransformer, works on.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mlpersist/eigen.hpp>
#include <mlpersist/export.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

/// What a column holds: float64 (NaN = missing) or strings (std::nullopt = missing).
enum class ColumnType : std::uint8_t { kNumber, kString };

/// "number" or "string": the spelling used in documents and messages.
[[nodiscard]] MLPERSIST_API std::string_view column_type_name(ColumnType type) noexcept;
[[nodiscard]] MLPERSIST_API std::optional<ColumnType> column_type_from_name(
    std::string_view name) noexcept;

/// A missing string cell.
using StringCell = std::optional<std::string>;

/// One named column of a Table; exactly one of `numbers` and `strings` is used, per `type`.
struct MLPERSIST_API Column {
  std::string name;
  ColumnType type = ColumnType::kNumber;
  std::vector<double> numbers;
  std::vector<StringCell> strings;
  /// A number column whose values are integers, none missing: what pandas reads as int64 (the
  /// CSV reader sets it as pandas.read_csv would). OneHotEncoder then names its categories as
  /// scikit-learn does for an int64 column ("x_1", not "x_1.0").
  bool integral = false;

  [[nodiscard]] static Column number(std::string name, std::vector<double> values);
  [[nodiscard]] static Column string(std::string name, std::vector<StringCell> values);
  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] bool is_missing(std::size_t row) const noexcept;
  /// The cell as text, for messages ("NaN" / "None" for missing, like scikit-learn prints).
  [[nodiscard]] std::string cell_text(std::size_t row) const;
};

/// Columns of equal length. Column names may be empty (a table made from an unnamed matrix).
/// Columns are immutable once added and shared between tables: `select` (what a
/// ColumnTransformer hands each transformer) and copies of a Table copy no cells.
class MLPERSIST_API Table {
 public:
  Table() = default;
  /// Copies a numeric matrix; `names` is empty or names every column.
  [[nodiscard]] static Table from_matrix(const MatrixView& X, std::vector<std::string> names = {});

  /// Appends a column; throws UsageError(kInvalidInput) when its length differs from the others'.
  void add_column(Column column);
  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return columns_.size(); }
  [[nodiscard]] const Column& column(std::size_t j) const { return *columns_.at(j); }
  /// The index of the column with this name, if any.
  [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const noexcept;
  /// The columns' names, or an empty vector when none is named.
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] std::vector<ColumnType> types() const;
  [[nodiscard]] bool all_numeric() const noexcept;
  /// These columns, in this order (shared, not copied).
  [[nodiscard]] Table select(std::span<const std::size_t> indices) const;
  /// Rows [begin, end), every column (copies).
  [[nodiscard]] Table slice_rows(std::size_t begin, std::size_t end) const;
  /// The numbers as a matrix, for estimators that need numbers. `who` ("SVC.fit") starts the
  /// message of the UsageError(kInvalidInput) thrown for a string column (pointing to the
  /// encoders) or, unless `allow_missing`, for a missing value; both name the column.
  [[nodiscard]] Matrix to_matrix(std::string_view who, bool allow_missing) const;

 private:
  void add_shared(std::shared_ptr<const Column> column);

  std::vector<std::shared_ptr<const Column>> columns_;
  std::size_t rows_ = 0;
};

/// Targets: numbers, or strings (class labels such as "churn" / "stay").
class MLPERSIST_API Labels {
 public:
  Labels() = default;
  explicit Labels(Vector numbers) : numbers_(std::move(numbers)) {}
  explicit Labels(std::vector<std::string> strings)
      : strings_(std::move(strings)), is_string_(true) {}

  [[nodiscard]] bool is_string() const noexcept { return is_string_; }
  [[nodiscard]] std::size_t size() const noexcept {
    return is_string_ ? strings_.size() : static_cast<std::size_t>(numbers_.size());
  }
  [[nodiscard]] const Vector& numbers() const noexcept { return numbers_; }
  [[nodiscard]] const std::vector<std::string>& strings() const noexcept { return strings_; }

 private:
  Vector numbers_;
  std::vector<std::string> strings_;
  bool is_string_ = false;
};

/// String class labels in scikit-learn's order: sorted as numpy sorts str arrays (by code
/// point, which is UTF-8 byte order), without duplicates.
[[nodiscard]] MLPERSIST_API std::vector<std::string> sorted_classes(
    std::span<const std::string> labels);
/// The index of each label in `classes` (sorted, unique), as doubles: the codes 0..k-1 that a
/// numeric classifier is fitted on. Throws UsageError(kInvalidInput) for a label not in
/// `classes`.
[[nodiscard]] MLPERSIST_API Vector encode_labels(std::span<const std::string> labels,
                                                 std::span<const std::string> classes);

}  // namespace mlpersist

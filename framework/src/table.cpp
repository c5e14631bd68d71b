#include <algorithm>
#include <cmath>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/table.hpp>
#include <string>

namespace mlpersist {
namespace {

std::string quoted_name(const Column& c, std::size_t j) {
  return c.name.empty() ? "column " + std::to_string(j) : "column '" + c.name + "'";
}

}  // namespace

std::string_view column_type_name(ColumnType type) noexcept {
  return type == ColumnType::kString ? "string" : "number";
}

std::optional<ColumnType> column_type_from_name(std::string_view name) noexcept {
  if (name == "number") return ColumnType::kNumber;
  if (name == "string") return ColumnType::kString;
  return std::nullopt;
}

Column Column::number(std::string name, std::vector<double> values) {
  Column c;
  c.name = std::move(name);
  c.numbers = std::move(values);
  return c;
}

Column Column::string(std::string name, std::vector<StringCell> values) {
  Column c;
  c.name = std::move(name);
  c.type = ColumnType::kString;
  c.strings = std::move(values);
  return c;
}

std::size_t Column::size() const noexcept {
  return type == ColumnType::kString ? strings.size() : numbers.size();
}

bool Column::is_missing(std::size_t row) const noexcept {
  return type == ColumnType::kString ? !strings[row].has_value() : std::isnan(numbers[row]);
}

std::string Column::cell_text(std::size_t row) const {
  if (type == ColumnType::kNumber) return format_double(numbers[row]);
  return strings[row] ? "'" + *strings[row] + "'" : "None";
}

Table Table::from_matrix(const MatrixView& X, std::vector<std::string> names) {
  if (!names.empty() && names.size() != static_cast<std::size_t>(X.cols()))
    throw UsageError(ErrorCode::kInvalidInput, std::to_string(names.size()) +
                                                   " column names for a matrix of " +
                                                   std::to_string(X.cols()) + " columns");
  // X is row-major: walk it row by row, writing every column's vector as a stream, rather
  // than striding down each column (a cache miss per element on wide, long matrices).
  const auto rows = static_cast<std::size_t>(X.rows());
  const auto cols = static_cast<std::size_t>(X.cols());
  std::vector<std::vector<double>> values(cols, std::vector<double>(rows));
  for (std::size_t i = 0; i < rows; ++i) {
    const double* row = X.data() + static_cast<Eigen::Index>(i) * X.outerStride();
    for (std::size_t j = 0; j < cols; ++j) values[j][i] = row[j];
  }
  Table t;
  for (std::size_t j = 0; j < cols; ++j)
    t.add_column(Column::number(names.empty() ? std::string() : names[j], std::move(values[j])));
  t.rows_ = rows;
  return t;
}

void Table::add_column(Column column) {
  add_shared(std::make_shared<const Column>(std::move(column)));
}

void Table::add_shared(std::shared_ptr<const Column> column) {
  if (!columns_.empty() && column->size() != rows_)
    throw UsageError(ErrorCode::kInvalidInput, quoted_name(*column, columns_.size()) + " has " +
                                                   std::to_string(column->size()) +
                                                   " rows, the table " + std::to_string(rows_));
  rows_ = column->size();
  columns_.push_back(std::move(column));
}

std::optional<std::size_t> Table::find(std::string_view name) const noexcept {
  for (std::size_t j = 0; j < columns_.size(); ++j)
    if (columns_[j]->name == name) return j;
  return std::nullopt;
}

std::vector<std::string> Table::names() const {
  std::vector<std::string> out;
  bool any = false;
  for (const auto& c : columns_) {
    out.push_back(c->name);
    any = any || !c->name.empty();
  }
  return any ? out : std::vector<std::string>{};
}

std::vector<ColumnType> Table::types() const {
  std::vector<ColumnType> out;
  for (const auto& c : columns_) out.push_back(c->type);
  return out;
}

bool Table::all_numeric() const noexcept {
  return std::all_of(columns_.begin(), columns_.end(),
                     [](const auto& c) { return c->type == ColumnType::kNumber; });
}

Table Table::select(std::span<const std::size_t> indices) const {
  Table t;
  for (std::size_t j : indices) t.add_shared(columns_.at(j));
  t.rows_ = rows_;
  return t;
}

Table Table::slice_rows(std::size_t begin, std::size_t end) const {
  end = std::min(end, rows_);
  begin = std::min(begin, end);
  Table t;
  for (const auto& shared : columns_) {
    const Column& c = *shared;
    Column part;
    part.name = c.name;
    part.type = c.type;
    part.integral = c.integral;
    if (c.type == ColumnType::kNumber)
      part.numbers.assign(c.numbers.begin() + static_cast<std::ptrdiff_t>(begin),
                          c.numbers.begin() + static_cast<std::ptrdiff_t>(end));
    else
      part.strings.assign(c.strings.begin() + static_cast<std::ptrdiff_t>(begin),
                          c.strings.begin() + static_cast<std::ptrdiff_t>(end));
    t.add_column(std::move(part));
  }
  t.rows_ = end - begin;
  return t;
}

Matrix Table::to_matrix(std::string_view who, bool allow_missing) const {
  // Strings first: a string column is the more fundamental problem than a missing number.
  for (std::size_t j = 0; j < columns_.size(); ++j) {
    const Column& c = *columns_[j];
    if (c.type == ColumnType::kString)
      throw UsageError(ErrorCode::kInvalidInput,
                       std::string(who) + ": " + quoted_name(c, j) +
                           " holds strings, and this estimator needs numbers; encode it first "
                           "(preprocessing.OneHotEncoder or preprocessing.OrdinalEncoder, in a "
                           "compose.ColumnTransformer)");
  }
  if (!allow_missing) {
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      const std::vector<double>& v = columns_[j]->numbers;
      const auto nan = std::find_if(v.begin(), v.end(), [](double x) { return std::isnan(x); });
      if (nan != v.end())
        throw UsageError(ErrorCode::kInvalidInput,
                         std::string(who) + ": " + quoted_name(*columns_[j], j) +
                             " has a missing value (NaN)" + " in row " +
                             std::to_string(nan - v.begin()) +
                             ", which this estimator does not accept; impute it first "
                             "(impute.SimpleImputer) or drop the row");
    }
  }
  // Row by row into the row-major matrix, reading each column as a stream (see from_matrix).
  const std::size_t cols = columns_.size();
  std::vector<const double*> source(cols);
  for (std::size_t j = 0; j < cols; ++j) source[j] = columns_[j]->numbers.data();
  Matrix X(static_cast<Eigen::Index>(rows_), static_cast<Eigen::Index>(cols));
  for (std::size_t i = 0; i < rows_; ++i) {
    double* row = X.data() + i * cols;
    for (std::size_t j = 0; j < cols; ++j) row[j] = source[j][i];
  }
  return X;
}

std::vector<std::string> sorted_classes(std::span<const std::string> labels) {
  std::vector<std::string> classes(labels.begin(), labels.end());
  // std::string compares as unsigned bytes (char_traits<char>::lt), the order of code points
  // in UTF-8: numpy's order for str arrays.
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  return classes;
}

Vector encode_labels(std::span<const std::string> labels, std::span<const std::string> classes) {
  Vector codes(static_cast<Eigen::Index>(labels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto it = std::lower_bound(classes.begin(), classes.end(), labels[i]);
    if (it == classes.end() || *it != labels[i])
      throw UsageError(ErrorCode::kInvalidInput, "label '" + labels[i] + "' in row " +
                                                     std::to_string(i) +
                                                     " is not one of the classes seen in fit");
    codes(static_cast<Eigen::Index>(i)) = static_cast<double>(it - classes.begin());
  }
  return codes;
}

}  // namespace mlpersist

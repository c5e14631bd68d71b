// CSV as people have it (RFC 4180 quoting, CRLF, a BOM, missing cells, string columns), read
// into a Table. Two passes at most: the first keeps numbers for columns that look numeric and
// strings for the others; a column that turns out to hold strings after some rows is refilled
// from a second pass over just those rows.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/utf8.hpp>
#include <set>

#include "detail/file_io.hpp"

namespace mlpersist {
namespace {

constexpr std::array<std::string_view, 19> kMissing{
    "",     "NA",   "N/A",  "n/a",      "NaN", "nan",     "-NaN",     "-nan",   "NULL",   "null",
    "None", "<NA>", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "1.#IND", "1.#QNAN"};

bool is_missing(std::string_view cell) {
  if (cell.size() > 8) return false;
  return std::find(kMissing.begin(), kMissing.end(), cell) != kMissing.end();
}

// A number as from_chars reads it, spaces and tabs around it allowed.
bool parse_number(std::string_view cell, double& out) {
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
  if (cell.empty()) return false;
  if (cell.front() == '+') cell.remove_prefix(1);
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), out);
  return ec == std::errc() && end == cell.data() + cell.size();
}

// An integer as pandas reads one into an int64 column: a sign, then at most 18 digits (beyond
// that pandas may take uint64 or object), spaces and tabs around them.
bool is_integer_text(std::string_view cell) {
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t')) cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t')) cell.remove_suffix(1);
  if (!cell.empty() && (cell.front() == '+' || cell.front() == '-')) cell.remove_prefix(1);
  return !cell.empty() && cell.size() <= 18 &&
         std::all_of(cell.begin(), cell.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The records of an RFC 4180 text, one at a time; a quoted cell with doubled quotes is
// unescaped into storage that stays put until the next record.
class CsvRecords {
 public:
  CsvRecords(std::string_view text, std::string_view source, std::size_t max_cell)
      : text_(text), source_(source), max_cell_(max_cell) {}

  /// The bytes read so far.
  [[nodiscard]] std::size_t offset() const noexcept { return at_; }

  bool next(std::vector<std::string_view>& cells) {
    cells.clear();
    used_ = 0;
    if (at_ >= text_.size()) return false;
    record_line_ = line_;
    for (;;) {
      cells.push_back(cell(cells.size()));
      if (at_ >= text_.size()) return true;
      const char c = text_[at_++];
      if (c == ',') continue;
      if (c == '\r' && at_ < text_.size() && text_[at_] == '\n') ++at_;
      ++line_;
      return true;
    }
  }
  [[nodiscard]] std::size_t line() const noexcept { return record_line_; }
  [[noreturn]] void fail(std::size_t column, const std::string& what) const {
    throw UsageError(ErrorCode::kInvalidInput, std::string(source_) + ":" +
                                                   std::to_string(record_line_) + ": column " +
                                                   std::to_string(column + 1) + ": " + what);
  }

 private:
  std::string_view cell(std::size_t column) {
    if (at_ < text_.size() && text_[at_] == '"') return quoted(column);
    const std::size_t start = at_;
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == ',' || c == '\n' || (c == '\r' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n'))
        break;
      if (c == '"') fail(column, "a quote inside an unquoted cell; quote the whole cell");
      ++at_;
    }
    return checked(text_.substr(start, at_ - start), column);
  }

  std::string_view quoted(std::size_t column) {
    const std::size_t open_line = line_;
    std::size_t start = ++at_;
    std::string* unescaped = nullptr;
    for (;;) {
      const auto q = text_.find('"', at_);
      if (q == std::string_view::npos)
        throw UsageError(ErrorCode::kInvalidInput,
                         std::string(source_) + ":" + std::to_string(open_line) + ": column " +
                             std::to_string(column + 1) +
                             ": unterminated quoted cell (its closing quote is missing)");
      line_ += static_cast<std::size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(at_),
                                                   text_.begin() + static_cast<std::ptrdiff_t>(q),
                                                   '\n'));
      if (q + 1 < text_.size() && text_[q + 1] == '"') {  // a doubled quote
        if (unescaped == nullptr) unescaped = &scratch();
        unescaped->append(text_.substr(start, q + 1 - start));
        at_ = start = q + 2;
        if (unescaped->size() > max_cell_) too_long(column);
        continue;
      }
      at_ = q + 1;
      if (at_ < text_.size() && text_[at_] != ',' && text_[at_] != '\n' && text_[at_] != '\r')
        fail(column, "unexpected text after a closing quote");
      if (unescaped == nullptr) return checked(text_.substr(start, q - start), column);
      unescaped->append(text_.substr(start, q - start));
      return checked(*unescaped, column);
    }
  }

  std::string& scratch() {
    if (used_ == scratch_.size()) scratch_.emplace_back();
    std::string& s = scratch_[used_++];
    s.clear();
    return s;
  }

  [[noreturn]] void too_long(std::size_t column) const {
    fail(column, "a cell longer than " + std::to_string(max_cell_) +
                     " bytes (kMaxCsvCellBytes); is a quote unbalanced?");
  }

  std::string_view checked(std::string_view cell, std::size_t column) const {
    if (cell.size() > max_cell_) too_long(column);
    const auto bad = find_invalid_utf8(cell);
    if (bad != std::string_view::npos)
      fail(column, "invalid UTF-8 at byte " + std::to_string(bad) +
                       " of the cell; save the file "
                       "as UTF-8");
    return cell;
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t max_cell_;
  std::size_t at_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  std::deque<std::string> scratch_;  // a deque: earlier strings stay where they are
  std::size_t used_ = 0;
};

// One column while it is read: numbers until a cell is not one, strings from then on.
struct Building {
  std::string name;
  bool strings = false;
  bool integral = true;         // every cell so far an integer, none missing (pandas' int64)
  std::size_t refill_rows = 0;  // rows read as numbers before the column turned to strings
  std::vector<double> numbers;
  std::vector<StringCell> cells;
};

void add_cell(Building& b, std::string_view cell, std::size_t row) {
  if (!b.strings) {
    double v = std::numeric_limits<double>::quiet_NaN();
    const bool missing = is_missing(cell);
    if (missing || parse_number(cell, v)) {
      b.numbers.push_back(v);
      b.integral = b.integral && !missing && is_integer_text(cell);
      return;
    }
    b.strings = true;
    b.refill_rows = row;
    b.cells.reserve(b.numbers.capacity());
    b.cells.resize(row);
    b.numbers.clear();
    b.numbers.shrink_to_fit();
  }
  if (is_missing(cell))
    b.cells.emplace_back();
  else
    b.cells.emplace_back(std::string(cell));
}

std::vector<std::string> read_names(CsvRecords& records, std::vector<std::string_view>& cells,
                                    std::string_view source) {
  if (!records.next(cells))
    throw UsageError(ErrorCode::kInvalidInput,
                     std::string(source) + ":1: empty file; expected a header row");
  if (cells.size() > kMaxCsvColumns)
    records.fail(0, "the header has " + std::to_string(cells.size()) + " columns, more than " +
                        std::to_string(kMaxCsvColumns) + " (kMaxCsvColumns)");
  std::vector<std::string> names(cells.begin(), cells.end());
  std::set<std::string_view> seen;
  for (std::size_t j = 0; j < names.size(); ++j)
    if (!seen.insert(names[j]).second)
      records.fail(j, "the header names column '" + names[j] + "' twice");
  return names;
}

// The second pass: the first rows of the columns that turned to strings, as strings.
void refill(std::vector<Building>& columns, std::string_view text, std::string_view source,
            const CsvOptions& options) {
  std::size_t rows = 0;
  for (const Building& b : columns) rows = std::max(rows, b.strings ? b.refill_rows : 0);
  if (rows == 0) return;
  CsvRecords records(text, source, options.max_cell_bytes);
  std::vector<std::string_view> cells;
  (void)records.next(cells);
  for (std::size_t row = 0; row < rows && records.next(cells); ++row)
    for (std::size_t j = 0; j < columns.size(); ++j) {
      Building& b = columns[j];
      if (!b.strings || row >= b.refill_rows) continue;
      if (is_missing(cells[j]))
        b.cells[row].reset();
      else
        b.cells[row] = std::string(cells[j]);
    }
}

Labels target_labels(Building& b, std::string_view source) {
  if (!b.strings) {
    for (std::size_t i = 0; i < b.numbers.size(); ++i)
      if (std::isnan(b.numbers[i]))
        throw UsageError(ErrorCode::kInvalidInput, std::string(source) + ": target column '" +
                                                       b.name + "' is missing in data row " +
                                                       std::to_string(i + 1) +
                                                       "; every row needs a target");
    return Labels(
        Eigen::Map<const Vector>(b.numbers.data(), static_cast<Eigen::Index>(b.numbers.size())));
  }
  std::vector<std::string> labels;
  labels.reserve(b.cells.size());
  for (std::size_t i = 0; i < b.cells.size(); ++i) {
    if (!b.cells[i])
      throw UsageError(ErrorCode::kInvalidInput, std::string(source) + ": target column '" +
                                                     b.name + "' is missing in data row " +
                                                     std::to_string(i + 1) +
                                                     "; every row needs a target");
    labels.push_back(std::move(*b.cells[i]));
  }
  return Labels(std::move(labels));
}

// Told that the text before `upto` will not be read again (unless a column needs the second
// pass): read_table_csv hands those pages of its mapped file back to the kernel.
using Release = std::function<void(const char* upto)>;
constexpr std::size_t kReleaseStep = std::size_t{16} << 20;

// An upper bound of the record count, to reserve every column once: grown by doubling, all
// columns would reallocate at the same row, holding old and new storage at once (a third more
// peak memory). Line ends bound it (quoted cells may hold some), and so does the text's size:
// a record takes a byte per cell at least, which keeps the reservation within what the text
// can hold.
std::size_t records_at_most(std::string_view text, std::size_t columns, const Release& release) {
  std::size_t lines = 0;
  for (std::size_t at = 0; at < text.size(); at += kReleaseStep) {
    const auto block = text.substr(at, kReleaseStep);
    lines += static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n'));
    if (release) release(block.data() + block.size());
  }
  return std::min(lines, text.size() / columns) + 1;
}

std::vector<Building> start_columns(const std::vector<std::string>& names,
                                    const CsvOptions& options, std::size_t rows,
                                    std::string_view source) {
  for (const std::string& c : options.categorical)
    if (std::find(names.begin(), names.end(), c) == names.end())
      throw UsageError(ErrorCode::kInvalidInput, std::string(source) + ": --categorical names '" +
                                                     c + "', which the header does not have");
  std::vector<Building> columns(names.size());
  for (std::size_t j = 0; j < names.size(); ++j) {
    columns[j].name = names[j];
    columns[j].strings = std::find(options.categorical.begin(), options.categorical.end(),
                                   names[j]) != options.categorical.end();
    if (columns[j].strings)
      columns[j].cells.reserve(rows);
    else
      columns[j].numbers.reserve(rows);
  }
  return columns;
}

TableDataset finish(std::vector<Building>& columns, std::size_t rows, std::string_view source,
                    const CsvOptions& options) {
  TableDataset d;
  for (Building& b : columns) {
    if (b.name == options.target) {
      d.target_name = b.name;
      d.y = target_labels(b, source);
      continue;
    }
    if (b.strings) {
      d.X.add_column(Column::string(std::move(b.name), std::move(b.cells)));
      continue;
    }
    Column column = Column::number(std::move(b.name), std::move(b.numbers));
    column.integral = b.integral && rows > 0;
    d.X.add_column(std::move(column));
  }
  if (d.target_name.empty() && options.target_required)
    throw UsageError(ErrorCode::kInvalidInput, std::string(source) + ":1: no column named '" +
                                                   options.target +
                                                   "'; name the target column with --target");
  return d;
}

TableDataset parse(std::string_view text, std::string_view source, const CsvOptions& options,
                   const Release& release) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  CsvRecords records(text, source, options.max_cell_bytes);
  std::vector<std::string_view> cells;
  const std::vector<std::string> names = read_names(records, cells, source);
  std::vector<Building> columns =
      start_columns(names, options, records_at_most(text, names.size(), release), source);
  std::size_t rows = 0;
  std::size_t released = 0;
  while (records.next(cells)) {
    if (cells.size() == 1 && cells[0].empty() && names.size() > 1) continue;  // a blank line
    if (cells.size() != names.size())
      records.fail(std::min(cells.size(), names.size()) - 1,
                   std::to_string(cells.size()) + " cells, but the header has " +
                       std::to_string(names.size()) + " columns");
    for (std::size_t j = 0; j < cells.size(); ++j) add_cell(columns[j], cells[j], rows);
    ++rows;
    if (release && records.offset() - released >= kReleaseStep) {
      released = records.offset();
      release(text.data() + released);
    }
  }
  refill(columns, text, source, options);
  return finish(columns, rows, source, options);
}

}  // namespace

TableDataset parse_table_csv(std::string_view text, std::string_view source,
                             const CsvOptions& options) {
  return parse(text, source, options, {});
}

TableDataset read_table_csv(const std::filesystem::path& file, const CsvOptions& options) {
  const detail::FileBytes f = detail::read_file(file, /*map=*/true);
  const std::string_view text(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
  Release release;
#ifdef MADV_DONTNEED
  // Pages of the mapping behind the reader go back to the kernel (still in the page cache):
  // the file is not held resident beside the table built from it, as pandas' buffered reader
  // does not hold it. Only for a mapping: on heap memory this would zero the bytes.
  if (f.mapped)
    release = [base = text.data()](const char* upto) {
      const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
      const std::size_t bytes = static_cast<std::size_t>(upto - base) / page * page;
      if (bytes > 0) (void)::madvise(const_cast<char*>(base), bytes, MADV_DONTNEED);
    };
#endif
  return parse(text, file.string(), options, release);
}

}  // namespace mlpersist

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <ostream>

#include "detail/file_io.hpp"

namespace mlpersist {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

[[noreturn]] void csv_error(std::string_view source, std::size_t line, const std::string& what) {
  throw UsageError(ErrorCode::kInvalidInput,
                   std::string(source) + ":" + std::to_string(line) + ": " + what);
}

double parse_cell(std::string_view cell, std::string_view source, std::size_t line,
                  std::string_view column) {
  cell = trim(cell);
  double v = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || end != cell.data() + cell.size() || cell.empty())
    csv_error(source, line,
              "column '" + std::string(column) + "': '" + std::string(cell) +
                  "' is not a number; every cell must be numeric");
  return v;
}

// The lines of a text, one at a time, without a trailing empty line: nothing is stored per
// line, so memory does not grow with the number of lines.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (at_ >= text_.size()) return false;
    const auto nl = text_.find('\n', at_);
    const std::size_t end = nl == std::string_view::npos ? text_.size() : nl;
    line = text_.substr(at_, end - at_);
    at_ = end + 1;
    ++number_;
    return true;
  }
  [[nodiscard]] std::size_t number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t number_ = 0;
};

// Calls f(cell, index) for each comma-separated cell of a line.
template <class F>
void for_each_cell(std::string_view line, F&& f) {
  std::size_t start = 0;
  for (std::size_t c = 0;; ++c) {
    const auto comma = line.find(',', start);
    f(line.substr(start, comma - start), c);
    if (comma == std::string_view::npos) return;
    start = comma + 1;
  }
}

std::vector<std::string> read_header(std::string_view line, std::string_view source) {
  const auto columns = static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
  if (columns > kMaxCsvColumns)
    csv_error(source, 1,
              "the header has " + std::to_string(columns) + " columns, more than " +
                  std::to_string(kMaxCsvColumns) + " (kMaxCsvColumns)");
  std::vector<std::string> header;
  header.reserve(columns);
  for_each_cell(line, [&](std::string_view cell, std::size_t) { header.emplace_back(trim(cell)); });
  return header;
}

// First pass: every row has the header's number of cells, so that the matrix allocated next
// is no larger than the text justifies (each cell costs at least its comma or newline).
std::size_t count_rows(Lines lines, std::size_t columns, std::string_view source) {
  std::size_t rows = 0;
  for (std::string_view line; lines.next(line); ++rows) {
    const auto cells = static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1;
    if (cells != columns)
      csv_error(source, lines.number(),
                std::to_string(cells) + " cells, but the header has " + std::to_string(columns) +
                    " columns");
  }
  return rows;
}

}  // namespace

Dataset parse_csv(std::string_view text, std::string_view source, std::string_view target,
                  bool target_required) {
  // A byte order mark (spreadsheets write one) is not part of the first column's name.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  Lines lines(text);
  std::string_view first;
  if (!lines.next(first)) csv_error(source, 1, "empty file; expected a header row");
  std::vector<std::string> header = read_header(first, source);
  const auto target_at = std::find(header.begin(), header.end(), target);
  const std::ptrdiff_t target_col = target_at == header.end() ? -1 : target_at - header.begin();
  if (target_col < 0 && target_required)
    csv_error(
        source, 1,
        "no column named '" + std::string(target) + "'; name the target column with --target");
  Dataset d;
  if (target_col >= 0) {
    d.target_name = std::string(target);
    header.erase(header.begin() + target_col);
  }
  const std::size_t columns = header.size() + (target_col >= 0 ? 1 : 0);
  const auto rows = static_cast<Eigen::Index>(count_rows(lines, columns, source));
  d.X.resize(rows, static_cast<Eigen::Index>(header.size()));
  if (target_col >= 0) d.y.resize(rows);
  std::string_view line;
  for (Eigen::Index r = 0; lines.next(line); ++r) {
    Eigen::Index x = 0;
    for_each_cell(line, [&](std::string_view cell, std::size_t c) {
      const bool is_target = static_cast<std::ptrdiff_t>(c) == target_col;
      const std::string_view name = is_target ? target : std::string_view(header[x]);
      const double v = parse_cell(cell, source, lines.number(), name);
      if (is_target)
        d.y(r) = v;
      else
        d.X(r, x++) = v;
    });
  }
  d.feature_names = std::move(header);
  return d;
}

Dataset read_csv(const std::filesystem::path& file, std::string_view target, bool target_required) {
  const detail::FileBytes f = detail::read_file(file, /*map=*/true);
  const std::string_view text(reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size());
  return parse_csv(text, file.string(), target, target_required);
}

void write_csv(std::ostream& out, const std::vector<std::string>& header, const Matrix& values) {
  for (std::size_t c = 0; c < header.size(); ++c) out << (c ? "," : "") << header[c];
  out << '\n';
  for (Eigen::Index r = 0; r < values.rows(); ++r) {
    for (Eigen::Index c = 0; c < values.cols(); ++c)
      out << (c ? "," : "") << format_double(values(r, c));
    out << '\n';
  }
}

}  // namespace mlpersist

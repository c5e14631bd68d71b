#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace mlpersist {
namespace {

std::vector<std::string_view> split_line(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    cells.push_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
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
    csv_error(source, line, "column '" + std::string(column) + "': '" + std::string(cell) +
                                "' is not a number; every cell must be numeric");
  return v;
}

// Splits text into lines, dropping one trailing empty line.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

}  // namespace

Dataset parse_csv(std::string_view text, std::string_view source, std::string_view target,
                  bool target_required) {
  const auto lines = lines_of(text);
  if (lines.empty()) csv_error(source, 1, "empty file; expected a header row");
  std::vector<std::string> header;
  for (auto cell : split_line(lines[0])) header.emplace_back(trim(cell));
  std::ptrdiff_t target_col = -1;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == target) target_col = static_cast<std::ptrdiff_t>(c);
  if (target_col < 0 && target_required)
    csv_error(source, 1, "no column named '" + std::string(target) +
                             "'; name the target column with --target");
  Dataset d;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (static_cast<std::ptrdiff_t>(c) != target_col) d.feature_names.push_back(header[c]);
  if (target_col >= 0) d.target_name = std::string(target);
  const auto rows = static_cast<Eigen::Index>(lines.size() - 1);
  d.X.resize(rows, static_cast<Eigen::Index>(d.feature_names.size()));
  if (target_col >= 0) d.y.resize(rows);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const auto line_no = static_cast<std::size_t>(r) + 2;
    const auto cells = split_line(lines[static_cast<std::size_t>(r) + 1]);
    if (cells.size() != header.size())
      csv_error(source, line_no, std::to_string(cells.size()) + " cells, but the header has " +
                                     std::to_string(header.size()) + " columns");
    Eigen::Index x = 0;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const double v = parse_cell(cells[c], source, line_no, header[c]);
      if (static_cast<std::ptrdiff_t>(c) == target_col)
        d.y(r) = v;
      else
        d.X(r, x++) = v;
    }
  }
  return d;
}

Dataset read_csv(const std::filesystem::path& file, std::string_view target,
                 bool target_required) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(ErrorCode::kIo, "'" + file.string() + "': cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), file.string(), target, target_required);
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, end};
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

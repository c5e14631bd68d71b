#pragma once

#include <filesystem>
#include <iosfwd>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
#include <mlpersist/table.hpp>
#include <mlpersist/text.hpp>  // format_double, which write_csv uses
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlpersist {

/// A numeric table read from CSV: features in X, the target (when present) in y.
struct Dataset {
  Matrix X;
  Vector y;                                ///< empty when the file has no target column
  std::vector<std::string> feature_names;  ///< the header's names of X's columns
  std::string target_name;                 ///< empty when the file has no target column
};

/// The most columns a CSV header may have: the header's names are kept (about 40 bytes each),
/// and a matrix is only allocated once every row has been checked against the header, so
/// reading costs at most about 8 bytes of memory per byte of text beside these names.
inline constexpr std::size_t kMaxCsvColumns = std::size_t{1} << 20;

/// Reads a CSV file: a header row, then numeric rows (shortest round-trip decimals parse back
/// to the exact doubles). The column named `target` becomes y; when `target_required` is false
/// a missing target column is fine (prediction input). A leading UTF-8 byte order mark is
/// skipped. Throws UsageError(kInvalidInput) naming the file, line and column of the first bad
/// cell, or a row whose number of cells differs from the header's.
[[nodiscard]] MLPERSIST_API Dataset read_csv(const std::filesystem::path& file,
                                             std::string_view target = "target",
                                             bool target_required = true);
/// The same, from text already in memory (`source` names it in messages).
[[nodiscard]] MLPERSIST_API Dataset parse_csv(std::string_view text, std::string_view source,
                                              std::string_view target, bool target_required);

/// The largest CSV cell read_table_csv accepts (1 MiB): a longer one is an error naming it,
/// so that one endless quoted field cannot make the reader hold the whole file as one string.
inline constexpr std::size_t kMaxCsvCellBytes = std::size_t{1} << 20;

/// A table read from CSV: features in X (number and string columns), the target in y.
struct TableDataset {
  Table X;
  Labels y;                 ///< empty when the file has no target column
  std::string target_name;  ///< empty when the file has no target column
};

/// How read_table_csv reads a file.
struct CsvOptions {
  std::string target = "target";  ///< the target column's name
  bool target_required = true;    ///< false: a file without it is fine (prediction input)
  /// Columns read as strings even when every cell is a number (`--categorical COL`).
  std::vector<std::string> categorical;
  std::size_t max_cell_bytes = kMaxCsvCellBytes;
};

/// Reads a CSV file as people have it (RFC 4180): cells separated by commas, records by LF or
/// CRLF, double-quoted cells may hold commas, quotes (doubled) and line breaks; an optional
/// UTF-8 byte order mark; the text must be valid UTF-8. The first record names the columns
/// (unique names). A cell is missing when it is empty or one of pandas' default NA spellings:
/// `NA`, `N/A`, `n/a`, `NaN`, `nan`, `-NaN`, `-nan`, `NULL`, `null`, `None`, `<NA>`, `#N/A`,
/// `#N/A N/A`, `#NA`, `-1.#IND`, `-1.#QNAN`, `1.#IND`, `1.#QNAN` (quoted or not). A column
/// whose present cells all parse as numbers is a number column (missing = NaN), unless
/// `categorical` names it; otherwise a string column. Errors are UsageError(kInvalidInput)
/// naming the file, line, column and cell.
[[nodiscard]] MLPERSIST_API TableDataset read_table_csv(const std::filesystem::path& file,
                                                        const CsvOptions& options = {});
/// The same, from text already in memory (`source` names it in messages).
[[nodiscard]] MLPERSIST_API TableDataset parse_table_csv(std::string_view text,
                                                         std::string_view source,
                                                         const CsvOptions& options = {});

/// Writes a header row and one row per matrix row, numbers as shortest round-trip decimals
/// (format_double, in <mlpersist/text.hpp>).
MLPERSIST_API void write_csv(std::ostream& out, const std::vector<std::string>& header,
                             const Matrix& values);

}  // namespace mlpersist

#pragma once

#include <filesystem>
#include <iosfwd>
#include <mlpersist/estimator.hpp>
#include <mlpersist/export.hpp>
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

/// Writes a header row and one row per matrix row, numbers as shortest round-trip decimals.
MLPERSIST_API void write_csv(std::ostream& out, const std::vector<std::string>& header,
                             const Matrix& values);

/// Shortest decimal that parses back to exactly `v` ("0.1", "1e-300", "nan", "inf").
[[nodiscard]] MLPERSIST_API std::string format_double(double v);

}  // namespace mlpersist

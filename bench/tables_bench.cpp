// Mixed tables (issue 14, item 7), as ratios measured in one run (`make bench`): reading a
// 1,000,000-row x 20-column CSV (10 numeric, 10 categorical, ~5% missing cells) against
// pandas.read_csv on the same file, with peak memory; and fit + transform of
// ColumnTransformer(OneHotEncoder, SimpleImputer + StandardScaler) against scikit-learn's.
// MLPERSIST_BENCH_TABLE_ROWS sets the row count (default 1,000,000).

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/json_text.hpp>
#include <mlpersist/registry.hpp>
#include <mlpersist/spec.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "peak_memory.hpp"

namespace {

namespace fs = std::filesystem;

// Deterministic: 10 numeric columns (2 decimals), 10 categorical ones (8-50 levels), 5% empty.
void write_table(const fs::path& file, long rows) {
  std::mt19937_64 rng(14);
  std::uniform_real_distribution<double> u(0, 1);
  std::ofstream out(file);
  for (int j = 0; j < 10; ++j) out << "num" << j << ",";
  for (int j = 0; j < 10; ++j) out << "cat" << j << (j < 9 ? "," : "\n");
  char buf[32];
  for (long i = 0; i < rows; ++i) {
    for (int j = 0; j < 10; ++j) {
      if (u(rng) >= 0.05) {
        std::snprintf(buf, sizeof buf, "%.2f", u(rng) * 1000 - 200);
        out << buf;
      }
      out << ',';
    }
    for (int j = 0; j < 10; ++j) {
      if (u(rng) >= 0.05) out << "level_" << j << "_" << static_cast<int>(u(rng) * (8 + 4 * j));
      out << (j < 9 ? ',' : '\n');
    }
  }
}

constexpr const char* kSpec = R"({"type": "compose.ColumnTransformer", "params": {
  "transformers": [
    ["cat", "preprocessing.OneHotEncoder", ["cat0","cat1","cat2","cat3","cat4","cat5","cat6","cat7","cat8","cat9"]],
    ["num", "pipeline.Pipeline", ["num0","num1","num2","num3","num4","num5","num6","num7","num8","num9"]]],
  "sparse_threshold": 0,
  "cat__handle_unknown": "ignore",
  "cat__sparse_output": false,
  "num__steps": [["imp", "impute.SimpleImputer"], ["scale", "preprocessing.StandardScaler"]]}})";

// pandas.read_csv and scikit-learn's fit_transform on the same file, in one Python process:
// "read_seconds peak_bytes fit_transform_seconds".
std::string python_side(const fs::path& csv) {
  const fs::path script = csv.parent_path() / "side.py";
  std::ofstream(script) << R"(import resource, sys, time
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
base = rss()
times = []
for _ in range(3):
    t = time.perf_counter(); df = pd.read_csv(sys.argv[1]); times.append(time.perf_counter() - t)
peak = rss() - base
ct = ColumnTransformer([
    ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), [f"cat{j}" for j in range(10)]),
    ("num", Pipeline([("imp", SimpleImputer()), ("scale", StandardScaler())]), [f"num{j}" for j in range(10)])],
    sparse_threshold=0)
fits = []
for _ in range(3):
    t = time.perf_counter(); ct.fit_transform(df); fits.append(time.perf_counter() - t)
print(sorted(times)[1], peak, sorted(fits)[1])
)";
  const fs::path out = csv.parent_path() / "side.out";
  const std::string cmd =
      "/usr/bin/python3 '" + script.string() + "' '" + csv.string() + "' > '" + out.string() + "'";
  if (std::system(cmd.c_str()) != 0) return "";
  std::ifstream in(out);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main() {
  const char* env = std::getenv("MLPERSIST_BENCH_TABLE_ROWS");
  const long rows = env ? std::atol(env) : 1000000;
  const fs::path dir =
      fs::temp_directory_path() / ("mlpersist_tables_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path csv = dir / "table.csv";
  write_table(csv, rows);
  std::printf("tables: %ld rows x 20 columns, %.1f MB of CSV\n", rows,
              static_cast<double>(fs::file_size(csv)) / 1e6);

  mlpersist::TableDataset data;
  long long peak = 0;
  const double read = bench::median_time_s(3, [&] {
    data = {};
    PeakMemory memory;
    mlpersist::CsvOptions options;
    options.target_required = false;
    data = mlpersist::read_table_csv(csv, options);
    peak = memory.growth_bytes();
  });
  auto registry = mlpersist::Registry::with_default_plugins();
  const auto ct = mlpersist::build_estimator(
      registry, mlpersist::parse_json_text(kSpec, "spec", mlpersist::Limits{}));
  const double fit = bench::median_time_s(3, [&] {
    ct->fit(data.X, mlpersist::Labels());
    (void)ct->transform(data.X);
  });

  double py_read = 0, py_fit = 0;
  long long py_peak = 0;
  std::istringstream(python_side(csv)) >> py_read >> py_peak >> py_fit;
  std::printf("| measure | mlpersist | pandas / scikit-learn | ratio |\n|---|---|---|---|\n");
  std::printf("| read_csv (s) | %.3f | %.3f | %.2fx faster |\n", read, py_read,
              read > 0 ? py_read / read : 0.0);
  std::printf("| read_csv peak memory (MB) | %.0f | %.0f | %.2f |\n", peak / 1e6, py_peak / 1e6,
              py_peak > 0 ? static_cast<double>(peak) / static_cast<double>(py_peak) : 0.0);
  std::printf("| ColumnTransformer fit+transform (s) | %.3f | %.3f | %.2fx the time |\n", fit,
              py_fit, py_fit > 0 ? fit / py_fit : 0.0);
  fs::remove_all(dir);
  return 0;
}

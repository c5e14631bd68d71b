#include "one_hot_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/feature_names.hpp"
#include "common/migration.hpp"

namespace mlpersist::preprocessing {
void OneHotEncoder::validate_params(const OneHotEncoderParams& p) const {
  check_categories_param(p.categories, "OneHotEncoder");
  if (p.drop && *p.drop != "first" && *p.drop != "if_binary")
    invalid_param("drop must be None, 'first' or 'if_binary', not '" + *p.drop + "'");
  if (p.handle_unknown != "error" && p.handle_unknown != "ignore" &&
      p.handle_unknown != "infrequent_if_exist")
    invalid_param("handle_unknown must be 'error', 'ignore' or 'infrequent_if_exist'");
  const Value& f = p.min_frequency;
  const bool ok = f.is_null() || (f.kind() == Kind::kInt && f.as_int() >= 1) ||
                  (f.kind() == Kind::kDouble && f.as_double() > 0 && f.as_double() <= 1);
  if (!ok) invalid_param("min_frequency must be None, an int >= 1 or a float in (0, 1]");
  if (p.max_categories && *p.max_categories < 1) invalid_param("max_categories must be at least 1");
}

bool OneHotEncoder::infrequent_enabled() const {
  return !params_.min_frequency.is_null() || params_.max_categories.has_value();
}

// scikit-learn's `_identify_infrequent`: below min_frequency, then the least frequent beyond
// max_categories - 1 (a stable sort by count, so ties go in category order).
void OneHotEncoder::fit_infrequent(const std::vector<std::vector<std::int64_t>>& counts,
                                   std::size_t n) {
  infrequent_.clear();
  const Value& f = params_.min_frequency;
  for (const auto& count : counts) {
    std::vector<bool> rare(count.size(), false);
    for (std::size_t k = 0; k < count.size(); ++k) {
      if (f.kind() == Kind::kInt) rare[k] = count[k] < f.as_int();
      if (f.kind() == Kind::kDouble)
        rare[k] = static_cast<double>(count[k]) < static_cast<double>(n) * f.as_double();
    }
    const auto n_rare = static_cast<std::int64_t>(std::count(rare.begin(), rare.end(), true));
    const std::int64_t current = static_cast<std::int64_t>(count.size()) - n_rare + 1;
    // max_categories = 1 marks nothing: scikit-learn's slice [:-max_categories + 1] is empty.
    if (params_.max_categories && *params_.max_categories > 1 &&
        *params_.max_categories < current) {
      std::vector<std::size_t> order(count.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return count[a] < count[b]; });
      const auto keep = static_cast<std::size_t>(*params_.max_categories - 1);
      for (std::size_t r = 0; r + keep < order.size(); ++r) rare[order[r]] = true;
    }
    std::vector<std::size_t> indices;
    for (std::size_t k = 0; k < rare.size(); ++k)
      if (rare[k]) indices.push_back(k);
    infrequent_.push_back(std::move(indices));
  }
}

std::optional<std::vector<std::optional<std::int64_t>>> OneHotEncoder::compute_drop_idx() const {
  if (!params_.drop) return std::nullopt;
  std::vector<std::optional<std::int64_t>> out;
  for (std::size_t j = 0; j < categories_.size(); ++j) {
    if (*params_.drop == "first") {
      out.emplace_back(0);
      continue;
    }
    std::size_t width = categories_[j].size();
    if (!infrequent_.empty() && !infrequent_[j].empty()) width -= infrequent_[j].size() - 1;
    out.push_back(width == 2 ? std::optional<std::int64_t>(0) : std::nullopt);
  }
  return out;
}

void OneHotEncoder::derive() {
  output_.clear();
  unknown_output_.clear();
  widths_.clear();
  std::int64_t offset = 0;
  for (std::size_t j = 0; j < categories_.size(); ++j) {
    const std::size_t n = categories_[j].size();
    const bool rare = !infrequent_.empty() && !infrequent_[j].empty();
    const std::size_t frequent = rare ? n - infrequent_[j].size() : n;
    const std::optional<std::int64_t> drop = drop_idx_ ? (*drop_idx_)[j] : std::nullopt;
    std::vector<std::int64_t> output(n);
    std::int64_t next = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const bool grouped =
          rare && std::binary_search(infrequent_[j].begin(), infrequent_[j].end(), k);
      std::int64_t g = grouped ? static_cast<std::int64_t>(frequent) : next++;
      if (drop && g == *drop) g = -1;
      if (drop && g > *drop) --g;
      output[k] = g < 0 ? -1 : offset + g;
    }
    const bool to_infrequent = rare && params_.handle_unknown == "infrequent_if_exist";
    unknown_output_.push_back(to_infrequent ? output[infrequent_[j].front()] : -1);
    const std::size_t width = (rare ? frequent + 1 : n) - (drop ? 1 : 0);
    output_.push_back(std::move(output));
    widths_.push_back(width);
    offset += static_cast<std::int64_t>(width);
  }
}

void OneHotEncoder::do_fit_table(const Table& X, const Vector&) {
  std::vector<std::vector<std::int64_t>> counts;
  categories_ = fit_categories(X, params_.categories, "OneHotEncoder.fit", &counts);
  if (params_.categories.kind() == Kind::kArray && params_.handle_unknown == "error")
    for (std::size_t j = 0; j < X.cols(); ++j)
      for (std::size_t i = 0; i < X.rows(); ++i)
        if (!categories_[j].index_of(X.column(j), i))
          unknown_category("OneHotEncoder.fit", X, j, i);
  infrequent_.clear();
  if (infrequent_enabled()) fit_infrequent(counts, X.rows());
  drop_idx_ = compute_drop_idx();
  derive();
}

std::int64_t OneHotEncoder::n_features_out() const {
  return static_cast<std::int64_t>(std::accumulate(widths_.begin(), widths_.end(), std::size_t{0}));
}

// The output column of each cell of column j in rows [begin, begin + n), -1 for none.
void OneHotEncoder::encode_column(const Table& X, std::size_t j, std::size_t begin, std::size_t n,
                                  std::int64_t* codes) const {
  const Column& column = X.column(j);
  const Categories& categories = categories_[j];
  const std::vector<std::int64_t>& output = output_[j];
  for (std::size_t r = 0; r < n; ++r) {
    if (const auto k = categories.index_of(column, begin + r)) {
      codes[r] = output[*k];
      continue;
    }
    if (params_.handle_unknown == "error")
      unknown_category("OneHotEncoder.transform", X, j, begin + r);
    codes[r] = unknown_output_[j];
  }
}

Matrix OneHotEncoder::do_apply_table(Method, const Table& X) const {
  Matrix out(static_cast<Eigen::Index>(X.rows()), n_features_out());
  do_transform_into(X, out);
  return out;
}

// Rows in chunks: the codes of each column first (one category index in cache at a time), then
// each row's zeros and ones, so that the output is written once, front to back.
void OneHotEncoder::do_transform_into(const Table& X, MatrixBlock out) const {
  constexpr std::size_t kCodes = 1 << 16;  // 512 KiB of codes per chunk, however wide X is
  const std::size_t cols = X.cols();
  const std::size_t chunk = std::max<std::size_t>(1, kCodes / std::max<std::size_t>(cols, 1));
  std::vector<std::int64_t> codes(chunk * cols);
  for (std::size_t begin = 0; begin < X.rows(); begin += chunk) {
    const std::size_t n = std::min(chunk, X.rows() - begin);
    for (std::size_t j = 0; j < cols; ++j) encode_column(X, j, begin, n, codes.data() + j * chunk);
    for (std::size_t r = 0; r < n; ++r) {
      auto row = out.row(static_cast<Eigen::Index>(begin + r));
      row.setZero();
      for (std::size_t j = 0; j < cols; ++j)
        if (const std::int64_t c = codes[j * chunk + r]; c >= 0) row(c) = 1.0;
    }
  }
}

std::vector<std::string> OneHotEncoder::get_feature_names_out(
    std::span<const std::string> input) const {
  const std::vector<std::string> in = common::input_feature_names(*this, input);
  std::vector<std::string> out;
  for (std::size_t j = 0; j < categories_.size(); ++j) {
    std::vector<std::string> names;
    const bool rare = !infrequent_.empty() && !infrequent_[j].empty();
    for (std::size_t k = 0; k < categories_[j].size(); ++k)
      if (!rare || !std::binary_search(infrequent_[j].begin(), infrequent_[j].end(), k))
        names.push_back(categories_[j].text(k));
    if (rare) names.emplace_back("infrequent_sklearn");
    if (drop_idx_ && (*drop_idx_)[j])
      names.erase(names.begin() + static_cast<std::ptrdiff_t>(*(*drop_idx_)[j]));
    for (const std::string& n : names) out.push_back(in[j] + "_" + n);
  }
  return out;
}

Value OneHotEncoder::save_state(SaveContext&) const {
  Map m;
  Array cats;
  for (const Categories& c : categories_) cats.push_back(c.save());
  m.insert("categories_", std::move(cats));
  if (drop_idx_) {
    Array drop;
    for (const auto& d : *drop_idx_) drop.push_back(d ? Value(*d) : Value());
    m.insert("drop_idx_", std::move(drop));
  } else {
    m.insert("drop_idx_", Value());
  }
  if (infrequent_enabled()) {
    Array rare;
    for (std::size_t j = 0; j < categories_.size(); ++j)
      rare.push_back(infrequent_[j].empty() ? Value()
                                            : categories_[j].subset(infrequent_[j]).save());
    m.insert("infrequent_categories_", std::move(rare));
  }
  Array integer;
  for (std::size_t j = 0; j < categories_.size(); ++j)
    if (categories_[j].integral()) integer.emplace_back(static_cast<std::int64_t>(j));
  if (!integer.empty()) m.insert("integer_columns_", std::move(integer));
  return m;
}

// The columns whose categories are integers (an int64 column): increasing indices of number
// columns whose every category is an integer.
void OneHotEncoder::load_integer_columns(const Node& state, std::vector<Categories>& categories) {
  const auto found = state.find("integer_columns_");
  if (!found) return;
  const Node list = *found;
  std::int64_t previous = -1;
  for (std::size_t k = 0; k < list.size(); ++k) {
    const std::int64_t j =
        list[k].as_int(previous + 1, static_cast<std::int64_t>(categories.size()) - 1);
    if (!categories[static_cast<std::size_t>(j)].mark_integral())
      list[k].fail("names a column whose categories are not all integers");
    previous = j;
  }
}

void OneHotEncoder::load_state(const Node& state, LoadContext&) {
  const auto n = static_cast<std::size_t>(n_features_in());
  std::vector<Categories> categories = load_categories(state["categories_"], *this);
  std::vector<std::vector<std::size_t>> infrequent;
  if (infrequent_enabled()) {
    const Node rare = state["infrequent_categories_"];
    if (rare.size() != n) rare.fail("expected one entry per input column");
    for (std::size_t j = 0; j < n; ++j) {
      std::vector<std::size_t> indices;
      if (!rare[j].value().is_null()) {
        const Categories sub = Categories::load(rare[j]);
        for (std::size_t k = 0; k < sub.size(); ++k) {
          const auto pos = categories[j].position_of(sub, k);
          if (!pos) rare[j].fail("lists a category that is not in categories_");
          indices.push_back(*pos);
        }
        std::sort(indices.begin(), indices.end());
        if (indices.size() == categories[j].size())
          rare[j].fail("at least one category must be frequent");
      }
      infrequent.push_back(std::move(indices));
    }
  }
  load_integer_columns(state, categories);
  categories_ = std::move(categories);
  infrequent_ = std::move(infrequent);
  drop_idx_ = compute_drop_idx();
  const Node drop = state["drop_idx_"];
  const Value expected = [&] {
    if (!drop_idx_) return Value();
    Array a;
    for (const auto& d : *drop_idx_) a.push_back(d ? Value(*d) : Value());
    return Value(std::move(a));
  }();
  if (!(drop.value() == expected)) drop.fail("does not follow from `drop` and the categories");
  derive();
}

Value upgrade_one_hot_encoder_1_to_2(const Node& document) {
  return document.value();
}

Value downgrade_one_hot_encoder_2_to_1(const Node& document) {
  return common::rewrite_state(document, [](const Node& state) {
    Map old = state.as_map();
    old.erase("integer_columns_");
    return old;
  });
}

}  // namespace mlpersist::preprocessing

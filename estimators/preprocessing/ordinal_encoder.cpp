#include "ordinal_encoder.hpp"

#include <cmath>

namespace mlpersist::preprocessing {
namespace {

bool is_nan(const Value& v) {
  return v.kind() == Kind::kDouble && std::isnan(v.as_double());
}

double as_number(const Value& v) {
  return v.kind() == Kind::kInt ? static_cast<double>(v.as_int()) : v.as_double();
}

}  // namespace

void OrdinalEncoder::validate_params(const OrdinalEncoderParams& p) const {
  check_categories_param(p.categories, "OrdinalEncoder");
  const Value& unknown = p.unknown_value;
  if (p.handle_unknown == "use_encoded_value") {
    if (unknown.kind() != Kind::kInt && !is_nan(unknown))
      invalid_param("unknown_value must be an int or NaN when handle_unknown='use_encoded_value'");
  } else if (p.handle_unknown == "error") {
    if (!unknown.is_null())
      invalid_param("unknown_value should only be set when handle_unknown='use_encoded_value'");
  } else {
    invalid_param("handle_unknown must be 'error' or 'use_encoded_value'");
  }
  const Value& missing = p.encoded_missing_value;
  if (missing.kind() != Kind::kInt && !is_nan(missing))
    invalid_param("encoded_missing_value must be an int or NaN");
}

// scikit-learn refuses codes that collide with a category's index.
void OrdinalEncoder::check_fitted_values(const std::vector<Categories>& categories) const {
  const Value& unknown = params_.unknown_value;
  const Value& missing = params_.encoded_missing_value;
  for (std::size_t j = 0; j < categories.size(); ++j) {
    const auto n = static_cast<std::int64_t>(categories[j].size());
    if (unknown.kind() == Kind::kInt && unknown.as_int() >= 0 && unknown.as_int() < n)
      invalid_param("unknown_value " + std::to_string(unknown.as_int()) +
                    " is one of the category codes of column " + std::to_string(j));
    if (categories[j].missing_index() && missing.kind() == Kind::kInt && missing.as_int() >= 0 &&
        missing.as_int() < n)
      invalid_param("encoded_missing_value " + std::to_string(missing.as_int()) +
                    " is one of the category codes of column " + std::to_string(j));
  }
}

void OrdinalEncoder::do_fit_table(const Table& X, const Vector&) {
  auto categories = fit_categories(X, params_.categories, "OrdinalEncoder.fit", nullptr);
  if (params_.categories.kind() == Kind::kArray && params_.handle_unknown == "error")
    for (std::size_t j = 0; j < X.cols(); ++j)
      for (std::size_t i = 0; i < X.rows(); ++i)
        if (!categories[j].index_of(X.column(j), i))
          unknown_category("OrdinalEncoder.fit", X, j, i);
  check_fitted_values(categories);
  categories_ = std::move(categories);
}

Matrix OrdinalEncoder::do_apply_table(Method, const Table& X) const {
  Matrix out(static_cast<Eigen::Index>(X.rows()), static_cast<Eigen::Index>(X.cols()));
  const double missing = as_number(params_.encoded_missing_value);
  const bool use_encoded = params_.handle_unknown == "use_encoded_value";
  const double unknown = use_encoded ? as_number(params_.unknown_value) : 0.0;
  for (std::size_t j = 0; j < X.cols(); ++j) {
    const auto missing_index = categories_[j].missing_index();
    for (std::size_t i = 0; i < X.rows(); ++i) {
      const auto k = categories_[j].index_of(X.column(j), i);
      double v = unknown;
      if (k)
        v = (missing_index && *k == *missing_index) ? missing : static_cast<double>(*k);
      else if (!use_encoded)
        unknown_category("OrdinalEncoder.transform", X, j, i);
      out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = v;
    }
  }
  return out;
}

Value OrdinalEncoder::save_state(SaveContext&) const {
  Array cats;
  for (const Categories& c : categories_) cats.push_back(c.save());
  Map m;
  m.insert("categories_", std::move(cats));
  return m;
}

void OrdinalEncoder::load_state(const Node& state, LoadContext&) {
  const Node cats = state["categories_"];
  std::vector<Categories> categories = load_categories(cats, *this);
  try {
    check_fitted_values(categories);
  } catch (const UsageError& e) {
    cats.fail(e.what());
  }
  categories_ = std::move(categories);
}

}  // namespace mlpersist::preprocessing

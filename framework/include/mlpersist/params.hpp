#pragma once

#include <array>
#include <boost/pfr.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <mlpersist/error.hpp>
#include <mlpersist/estimator.hpp>
#include <mlpersist/node.hpp>
#include <mlpersist/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace mlpersist {

// Parameters are plain aggregate structs reflected with Boost.PFR. Boost 1.81's PFR cannot name
// fields, so a struct lists its names once in `kNames`; the count is checked at compile time:
//
//   struct RidgeParams {
//     double alpha = 1.0;
//     bool fit_intercept = true;
//     static constexpr std::array<std::string_view, 2> kNames{"alpha", "fit_intercept"};
//   };
//
// A field's type converts through the overloads `param_to_value` / `param_from_node` below; a
// parameter type of a plugin's own (e.g. SVC's gamma, 'scale' | 'auto' | number) provides the
// same two functions in its namespace, found by argument-dependent lookup.

template <class P>
concept ParamsStruct = std::is_aggregate_v<P> && requires {
  { P::kNames.size() } -> std::convertible_to<std::size_t>;
};

inline Value param_to_value(double v) {
  return v;
}
inline Value param_to_value(bool v) {
  return v;
}
inline Value param_to_value(std::int64_t v) {
  return v;
}
inline Value param_to_value(int v) {
  return v;
}
inline Value param_to_value(const std::string& v) {
  return v;
}
/// A parameter of several types ('auto' or lists, an int or a float), which the estimator's
/// validate_params checks.
inline Value param_to_value(const Value& v) {
  return v;
}
template <class T>
Value param_to_value(const std::optional<T>& v) {
  return v ? param_to_value(*v) : Value();
}

inline void param_from_node(const Node& n, double& out) {
  out = n.as_double();
}
inline void param_from_node(const Node& n, bool& out) {
  out = n.as_bool();
}
inline void param_from_node(const Node& n, std::int64_t& out) {
  out = n.as_int();
}
inline void param_from_node(const Node& n, int& out) {
  out =
      static_cast<int>(n.as_int(std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}
inline void param_from_node(const Node& n, std::string& out) {
  out = n.as_string();
}
inline void param_from_node(const Node& n, Value& out) {
  out = n.value();
}
template <class T>
void param_from_node(const Node& n, std::optional<T>& out) {
  if (n.value().is_null()) {
    out.reset();
    return;
  }
  T v{};
  param_from_node(n, v);
  out = std::move(v);
}

/// All fields as a map, in declaration order.
template <ParamsStruct P>
Value params_to_value(const P& p) {
  static_assert(P::kNames.size() == boost::pfr::tuple_size_v<P>,
                "kNames must name every field of the params struct, in order");
  Map m;
  boost::pfr::for_each_field(p, [&m](const auto& field, std::size_t i) {
    m.insert(std::string(P::kNames[i]), param_to_value(field));
  });
  return m;
}

/// Throws UsageError(kInvalidParameter) "<estimator>: <what>": the one way a parameter check
/// fails, so every estimator's message has the same shape.
[[noreturn]] MLPERSIST_API void throw_invalid_param(std::string_view estimator,
                                                    std::string_view what);
/// Throws UsageError(kInvalidParameter) listing the valid names.
[[noreturn]] MLPERSIST_API void throw_unknown_param(std::string_view estimator,
                                                    std::string_view key,
                                                    std::span<const std::string_view> valid);

/// Overwrites the fields named in `m` (a subset is fine). Unknown names and ill-typed values
/// throw UsageError(kInvalidParameter); `p` may be partly updated then, so callers work on a copy.
template <ParamsStruct P>
void params_from_value(P& p, const Node& m, std::string_view estimator) {
  for (const Map::Entry& entry : m.as_map()) {
    // Named references, not structured bindings: lambdas cannot capture those before clang 16.
    const std::string& key = entry.first;
    const Value& value = entry.second;
    bool found = false;
    boost::pfr::for_each_field(p, [&](auto& field, std::size_t i) {
      if (P::kNames[i] != key) return;
      found = true;
      try {
        param_from_node(Node(value, m.path() + "." + key), field);
      } catch (const SchemaError& e) {
        throw UsageError(ErrorCode::kInvalidParameter,
                         std::string(estimator) + ": invalid parameter: " + e.what());
      }
    });
    if (!found) throw_unknown_param(estimator, key, P::kNames);
  }
}

/// Implements the parameter half of Estimator for a params struct P: get/set (validated by the
/// derived class's `validate_params`), clone, and the type's identity, which Derived declares
/// once as `static constexpr std::string_view kTypeTag` and `std::uint32_t kSchemaVersion` (and
/// `kMinReaderVersion` when a version only added optional fields).
template <class Derived, ParamsStruct P>
class EstimatorWithParams : public Estimator {
 public:
  using Params = P;

  EstimatorWithParams() = default;
  explicit EstimatorWithParams(P params) : params_(std::move(params)) {}

  [[nodiscard]] std::string_view type_tag() const override { return Derived::kTypeTag; }
  [[nodiscard]] std::uint32_t schema_version() const override { return Derived::kSchemaVersion; }
  [[nodiscard]] std::uint32_t min_reader_version() const override {
    return min_reader_version_of<Derived>();
  }
  [[nodiscard]] Value get_params() const override { return params_to_value(params_); }
  void set_params(const Value& params) override {
    P next = params_;
    params_from_value(next, Node(params, "params"), class_name());
    static_cast<const Derived&>(*this).validate_params(next);
    params_ = std::move(next);
  }
  [[nodiscard]] std::unique_ptr<Estimator> clone() const override {
    return std::make_unique<Derived>(params_);
  }
  [[nodiscard]] const P& params() const noexcept { return params_; }

  /// Override in Derived to reject out-of-range values with `invalid_param`.
  void validate_params(const P& /*params*/) const {}

 protected:
  /// Throws UsageError(kInvalidParameter) "<ClassName>: <what>".
  [[noreturn]] void invalid_param(std::string_view what) const {
    throw_invalid_param(class_name(), what);
  }

  P params_{};
};

}  // namespace mlpersist

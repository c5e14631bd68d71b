#include "tree_migrations.hpp"

#include <cmath>

#include "common/migration.hpp"
#include "tree.hpp"
#include "tree_common.hpp"

namespace mlpersist::tree {
namespace {

std::uint64_t node_count_of(const Node& tree) {
  return static_cast<std::uint64_t>(tree["node_count"].as_int(1));
}

// `tree` with each row of value replaced by rewrite(node, old_row, new_row).
template <class RewriteRow>
Map rewrite_value(const Node& tree, std::uint64_t n_classes, RewriteRow&& rewrite) {
  const std::uint64_t n = node_count_of(tree);
  const Tensor& in = tree["value"].as_shaped_tensor(DType::kFloat64, {n, n_classes});
  Tensor out = Tensor::allocate(DType::kFloat64, in.shape());
  const auto k = static_cast<std::size_t>(n_classes);
  const auto from = in.values<double>();
  const std::span to(out.mutable_data<double>(), from.size());
  for (std::size_t i = 0; i < n; ++i) rewrite(i, from.subspan(i * k, k), to.subspan(i * k, k));
  return common::with_member(tree, "value", std::move(out));
}

template <Map (*RewriteTree)(const Node&, std::uint64_t)>
Value rewrite_classifier(const Node& document) {
  return common::rewrite_state(
      document, [](const Node& state) { return RewriteTree(state, load_classes(state).size()); });
}

}  // namespace

Map tree_value_to_fractions(const Node& tree, std::uint64_t n_classes) {
  return rewrite_value(tree, n_classes, [](std::size_t, auto counts, auto fractions) {
    class_fractions(counts, fractions);
  });
}

Map tree_value_to_counts(const Node& tree, std::uint64_t n_classes) {
  const auto weights = tree["weighted_n_node_samples"]
                           .as_shaped_tensor(DType::kFloat64, {node_count_of(tree)})
                           .values<double>();
  return rewrite_value(tree, n_classes, [&](std::size_t node, auto fractions, auto counts) {
    const double w = weights[node];
    for (std::size_t c = 0; c < counts.size(); ++c)
      counts[c] = w == std::floor(w) ? std::round(fractions[c] * w) : fractions[c] * w;
  });
}

Value upgrade_decision_tree_1_to_2(const Node& document) {
  return rewrite_classifier<tree_value_to_fractions>(document);
}

Value downgrade_decision_tree_2_to_1(const Node& document) {
  return rewrite_classifier<tree_value_to_counts>(document);
}

}  // namespace mlpersist::tree

#include "forest_migrations.hpp"

#include "common/migration.hpp"
#include "tree_common.hpp"
#include "tree_migrations.hpp"

namespace mlpersist::ensemble {
namespace {

template <Map (*RewriteTree)(const Node&, std::uint64_t)>
Value rewrite_members(const Node& document) {
  return common::rewrite_state(document, [](const Node& state) {
    const std::uint64_t n_classes = tree::load_classes(state).size();
    const Node members = state["estimators_"];
    Array rewritten;
    for (std::size_t i = 0; i < members.as_array().size(); ++i)
      rewritten.emplace_back(RewriteTree(members[i], n_classes));
    return common::with_member(state, "estimators_", std::move(rewritten));
  });
}

}  // namespace

Value upgrade_forest_1_to_2(const Node& document) {
  return rewrite_members<tree::tree_value_to_fractions>(document);
}

Value downgrade_forest_2_to_1(const Node& document) {
  return rewrite_members<tree::tree_value_to_counts>(document);
}

}  // namespace mlpersist::ensemble

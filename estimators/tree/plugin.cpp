#include <mlpersist/plugin.hpp>

#include "decision_tree.hpp"
#include "decision_tree_regressor.hpp"
#include "tree_migrations.hpp"

MLPERSIST_PLUGIN(tree, "1.0.0", [](mlpersist::Registrar& r) {
  using namespace mlpersist::tree;
  const std::string tag(DecisionTreeClassifier::kTypeTag);
  r.add_estimator<DecisionTreeClassifier>();
  r.add_estimator<DecisionTreeRegressor>();
  r.add_upgrade(tag, 1, std::string(kValueUpgradeDescription), upgrade_decision_tree_1_to_2);
  r.add_downgrade(tag, 2, std::string(kValueDowngradeDescription), downgrade_decision_tree_2_to_1);
})

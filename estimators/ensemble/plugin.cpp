#include <mlpersist/plugin.hpp>

#include "forest_migrations.hpp"
#include "hist_gradient_boosting.hpp"
#include "random_forest.hpp"
#include "tree_migrations.hpp"

MLPERSIST_PLUGIN(ensemble, "1.0.0", [](mlpersist::Registrar& r) {
  using namespace mlpersist::ensemble;
  using mlpersist::tree::kValueDowngradeDescription;
  using mlpersist::tree::kValueUpgradeDescription;
  const std::string tag(RandomForestClassifier::kTypeTag);
  r.add_estimator<RandomForestClassifier>();
  r.add_upgrade(tag, 1, std::string(kValueUpgradeDescription), upgrade_forest_1_to_2);
  r.add_downgrade(tag, 2, std::string(kValueDowngradeDescription), downgrade_forest_2_to_1);
  r.add_estimator<HistGradientBoostingClassifier>();
  r.add_estimator<HistGradientBoostingRegressor>();
})

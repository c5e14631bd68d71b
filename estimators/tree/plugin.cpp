#include <mlpersist/plugin.hpp>

#include "decision_tree.hpp"

MLPERSIST_PLUGIN(tree, "1.0.0", [](mlpersist::Registrar& r) {
  r.add_estimator<mlpersist::tree::DecisionTreeClassifier>();
})
